/**
 * Whole messages: size prefix + header + body, in both directions. No I/O here; transports
 * move the resulting buffers. Each function takes the body type from its ApiDef, so a request
 * or response of the wrong shape for the API does not compile.
 */
import { Reader, Writer } from './primitives.js';
import { readResponseHeader, writeRequestHeader, writeResponseHeader } from './headers.js';
import { type ApiDef, type FieldDef, compileStruct, isFlexible, checkVersion } from './schema.js';

/** Prepends the int32 frame size to a list of chunks. */
export function frame(chunks: Buffer[]): Buffer[] {
  let size = 0;
  for (const c of chunks) size += c.length;
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(size, 0);
  return [prefix, ...chunks];
}

export function encodeRequest<Req>(api: ApiDef<unknown, unknown, Req, unknown>, version: number, correlationId: number, clientId: string | null, body: NoInfer<Req>): Buffer[] {
  checkVersion(api, version);
  const w = new Writer(256);
  writeRequestHeader(w, { apiKey: api.key, apiVersion: version, correlationId, clientId });
  compileStruct(api.request, version, isFlexible(api, version)).encode(w, body as object);
  return frame(w.toChunks());
}

export function decodeRequestBody<Req>(api: ApiDef<Req, unknown, unknown, unknown>, version: number, r: Reader): Req {
  // The decoder builds the object from the same field table the type was generated from.
  return compileStruct(api.request, version, isFlexible(api, version)).decode(r) as Req;
}

export function encodeResponse<Res>(api: ApiDef<unknown, unknown, unknown, Res>, version: number, correlationId: number, body: NoInfer<Res>): Buffer[] {
  const w = new Writer(256);
  writeResponseHeader(w, api.key, version, correlationId);
  compileStruct(api.response, version, isFlexible(api, version)).encode(w, body as object);
  return frame(w.toChunks());
}

/** Decodes a response frame payload (without the size prefix). */
export function decodeResponse<Res>(api: ApiDef<unknown, Res, unknown, unknown>, version: number, payload: Buffer): { correlationId: number; body: Res } {
  const r = new Reader(payload);
  const correlationId = readResponseHeader(r, api.key, version);
  const body = compileStruct(api.response, version, isFlexible(api, version)).decode(r) as Res;
  return { correlationId, body };
}

export function encodeBody(fields: readonly FieldDef[], flexible: boolean, version: number, body: object): Buffer {
  const w = new Writer(256);
  compileStruct(fields, version, flexible).encode(w, body);
  return w.toBuffer();
}
