/**
 * The response a request gets when its handler fails unexpectedly, derived from the API's schema
 * the way Kafka's `AbstractRequest.getErrorResponse` answers each API: every error code in the
 * response carries the error, and the request's topics and partitions are echoed so a client
 * finds an answer for each item it asked about (APIs without a top-level error code report it
 * per item). Everything else takes its default value.
 */
import { type ApiDef, type FieldDef, inRange } from '../protocol/schema.js';

/** A message body as the schema codec reads and writes it. */
type Body = { [field: string]: unknown };

const isStructArray = (f: FieldDef) => f.type === 'array' && !!f.fields;

/** A response body for `api` at `version` with every errorCode set to `errorCode`. */
export function errorResponse(api: ApiDef, version: number, request: unknown, errorCode: number): Body {
  return mirror(api.response, api.request, request as Body, version, errorCode);
}

function mirror(responseFields: readonly FieldDef[], requestFields: readonly FieldDef[], request: Body | undefined, version: number, errorCode: number): Body {
  const out: Body = {};
  const present = (fields: readonly FieldDef[]) => fields.filter((f) => inRange(version, f.versions));
  const res = present(responseFields);
  const req = present(requestFields);
  const pairs = pairArrays(res.filter(isStructArray), req.filter(isStructArray));
  for (const f of res) {
    if (f.name === 'errorCode') out[f.name] = errorCode;
    else if (f.type === 'struct' && f.fields) out[f.name] = mirror(f.fields, [], undefined, version, errorCode);
    else if (isStructArray(f)) {
      const from = pairs.get(f);
      const items = from && Array.isArray(request?.[from.name]) ? (request![from.name] as Body[]) : [];
      out[f.name] = items.map((item) => mirror(f.fields!, from!.fields!, item, version, errorCode));
    } else if (f.type !== 'array' && request && req.some((r) => r.name === f.name && r.type === f.type)) {
      // Identifying fields (topic name, partition index) are echoed from the request item.
      out[f.name] = request[f.name];
    }
  }
  return out;
}

/**
 * Which request array each response array echoes: the one of the same name, else the only one
 * left on each side (Produce's topicData -> responses, partitionData -> partitionResponses).
 */
function pairArrays(res: FieldDef[], req: FieldDef[]): Map<FieldDef, FieldDef> {
  const pairs = new Map<FieldDef, FieldDef>();
  for (const f of res) {
    const same = req.find((r) => r.name === f.name);
    if (same) pairs.set(f, same);
  }
  const restRes = res.filter((f) => !pairs.has(f));
  const used = new Set(pairs.values());
  const restReq = req.filter((r) => !used.has(r));
  if (restRes.length === 1 && restReq.length === 1) pairs.set(restRes[0]!, restReq[0]!);
  return pairs;
}
