/**
 * Declarative message schemas and the codec that interprets them.
 *
 * Each API is described once (src/protocol/apis/NN-name.ts, generated from Kafka's message
 * definitions) and this module turns a (schema, version) pair into an encoder and a decoder.
 * The broker decodes requests and encodes responses with the same tables the client uses to
 * encode requests and decode responses.
 */
import { ProtocolDecodeError, Reader, Writer } from './primitives.js';

export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'uuid'
  | 'records';

/** Inclusive version range; `[n, MAX_VERSION]` stands for Kafka's "n+". */
export type VersionRange = readonly [number, number];
export const MAX_VERSION = 0x7fff;
export const NO_VERSIONS: VersionRange = [1, 0];

export interface FieldDef {
  readonly name: string;
  readonly type: PrimitiveType | 'struct' | 'array';
  readonly versions: VersionRange;
  readonly nullable?: VersionRange;
  /** Tagged field number and the versions in which the field is tagged. */
  readonly tag?: number;
  readonly tagged?: VersionRange;
  readonly default?: unknown;
  /** Fields of a struct, or of the elements of an array of structs. */
  readonly fields?: readonly FieldDef[];
  /** Element type of an array of primitives. */
  readonly items?: PrimitiveType;
}

/**
 * A standalone message format. `Data` is the TypeScript type of a decoded message; it exists
 * only at compile time (see ApiDef).
 */
export interface MessageDef<Data = unknown> {
  readonly name: string;
  readonly versions: VersionRange;
  /** First flexible version, or null when no version is flexible. */
  readonly flexible: number | null;
  readonly fields: readonly FieldDef[];
  /** Phantom: never set at run time; carries `Data` so encoders and decoders can infer it. */
  readonly __data?: Data;
}

/**
 * What the encoder accepts for a `records` field: one buffer, or a list of batches written back to
 * back without concatenating them (zero-copy fetch responses). Decoding always yields one buffer.
 */
export type RecordBatches = Buffer | readonly Buffer[] | null;

/**
 * One API: its field tables for both directions, and (at compile time only) the TypeScript
 * types of its request and response bodies. The generator pairs each table with its types, so
 * `client.send(target, Heartbeat, …)` and `defineHandler({ api: Heartbeat, … })` infer them
 * from the API, and a body of the wrong shape does not compile.
 *
 * `Req` and `Res` are the bodies as decoded; `ReqIn` and `ResIn` what the encoder accepts, which
 * differ only for messages with a `records` field (Produce, Fetch: see RecordBatches).
 */
export interface ApiDef<Req = unknown, Res = unknown, ReqIn = Req, ResIn = Res> {
  readonly key: number;
  readonly name: string;
  readonly versions: VersionRange;
  readonly flexible: number | null;
  readonly request: readonly FieldDef[];
  readonly response: readonly FieldDef[];
  /** Phantom: never set at run time. Read-only, so an ApiDef<Req, Res> is also an ApiDef. */
  readonly __types?: {
    readonly request: Req;
    readonly response: Res;
    readonly requestToEncode: ReqIn;
    readonly responseToEncode: ResIn;
  };
}

/**
 * An ApiDef whose field tables are built when first read (the generated src/protocol/apis files
 * use it). A command uses a handful of the APIs; building all ~50 tables at load, and keeping
 * their literals in the CLI's V8 code cache, cost every short command about a millisecond
 * (issue 17). Each table is built once, so compileStruct's cache keyed by the table holds.
 */
export function apiDef<Req, Res, ReqIn = Req, ResIn = Res>(
  head: Pick<ApiDef, 'key' | 'name' | 'versions' | 'flexible'>,
  request: () => readonly FieldDef[],
  response: () => readonly FieldDef[],
): ApiDef<Req, Res, ReqIn, ResIn> {
  let req: readonly FieldDef[] | undefined;
  let res: readonly FieldDef[] | undefined;
  return {
    ...head,
    get request() {
      return (req ??= request());
    },
    get response() {
      return (res ??= response());
    },
  };
}

/** The request body type of an API (`RequestOf<typeof Heartbeat>` is HeartbeatRequest). */
export type RequestOf<A> = A extends ApiDef<infer Req, unknown, unknown, unknown> ? Req : never;
/** The response body type of an API, as decoded. */
export type ResponseOf<A> = A extends ApiDef<unknown, infer Res, unknown, unknown> ? Res : never;

// Inside the codec a message is a plain object keyed by camelCase field names; the typed
// entry points (messages.ts, encodeStruct/decodeStruct) convert to and from the generated types.
export type Struct = { [field: string]: unknown };

export const inRange = (v: number, r: VersionRange | undefined): boolean => !!r && v >= r[0] && v <= r[1];

export const isFlexible = (def: { flexible: number | null }, version: number): boolean =>
  def.flexible !== null && version >= def.flexible;

const ZERO_UUID = Buffer.alloc(16);

/** The value a field takes when it is absent from a version (or from the object being encoded). */
export function defaultValue(f: FieldDef): unknown {
  if (f.default !== undefined) return f.default;
  switch (f.type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return ZERO_UUID;
    case 'array':
      return [];
    case 'struct':
      return f.nullable ? null : fillDefaults(f.fields ?? []);
    default:
      return 0;
  }
}

function fillDefaults(fields: readonly FieldDef[]): Struct {
  const out: Struct = {};
  for (const f of fields) out[f.name] = defaultValue(f);
  return out;
}

type Enc = (w: Writer, v: unknown) => void;
type Dec = (r: Reader) => unknown;

interface CompiledStruct {
  encode(w: Writer, obj: object): void;
  decode(r: Reader): Struct;
}

function primitiveCodec(type: PrimitiveType, nullable: boolean, flexible: boolean, name: string): [Enc, Dec] {
  switch (type) {
    case 'bool':
      return [(w, v) => w.bool(!!v), (r) => r.bool()];
    case 'int8':
      return [(w, v) => w.int8(v as number), (r) => r.int8()];
    case 'int16':
      return [(w, v) => w.int16(v as number), (r) => r.int16()];
    case 'uint16':
      return [(w, v) => w.uint16(v as number), (r) => r.uint16()];
    case 'int32':
      return [(w, v) => w.int32(v as number), (r) => r.int32()];
    case 'uint32':
      return [(w, v) => w.uint32(v as number), (r) => r.uint32()];
    case 'int64':
      return [(w, v) => w.int64(v as number), (r) => r.int64()];
    case 'float64':
      return [(w, v) => w.float64(v as number), (r) => r.float64()];
    case 'uuid':
      return [(w, v) => w.uuid((v as Buffer) ?? ZERO_UUID), (r) => Buffer.from(r.uuid())];
    case 'string': {
      const check = (v: unknown) => {
        if (v === null && !nullable) throw new TypeError(`field ${name} is not nullable in this version`);
        return v as string | null;
      };
      return flexible
        ? [(w, v) => w.compactString(check(v)), (r) => refuseNull(r.compactString(), nullable, name)]
        : [(w, v) => w.string(check(v)), (r) => refuseNull(r.string(), nullable, name)];
    }
    case 'records':
      // A list of batches is written back to back without concatenating (zero-copy fetches).
      return flexible
        ? [(w, v) => (Array.isArray(v) ? writeBatchList(w, v, true) : w.compactBytes(v as Buffer | null)), (r) => r.compactBytes()]
        : [(w, v) => (Array.isArray(v) ? writeBatchList(w, v, false) : w.bytes(v as Buffer | null)), (r) => r.bytes()];
    case 'bytes': {
      const check = (v: unknown) => {
        if (v === null && !nullable) throw new TypeError(`field ${name} is not nullable in this version`);
        return v as Buffer | null;
      };
      return flexible
        ? [(w, v) => w.compactBytes(check(v)), (r) => refuseNull(r.compactBytes(), nullable, name)]
        : [(w, v) => w.bytes(check(v)), (r) => refuseNull(r.bytes(), nullable, name)];
    }
  }
}

/**
 * A null where the schema allows none is a malformed message, as in Kafka's generated readers
 * (same message): handlers and the response encoder may rely on the field being there.
 */
function refuseNull<T>(v: T | null, nullable: boolean, name: string): T | null {
  if (v === null && !nullable) throw new ProtocolDecodeError(`non-nullable field ${name} was serialized as null`);
  return v;
}

function writeBatchList(w: Writer, batches: Buffer[], flexible: boolean): void {
  let n = 0;
  for (const b of batches) n += b.length;
  if (flexible) w.uvarint(n + 1);
  else w.int32(n);
  for (const b of batches) w.raw(b);
}

function fieldCodec(f: FieldDef, version: number, flexible: boolean): [Enc, Dec] {
  const nullable = inRange(version, f.nullable);
  if (f.type === 'struct') {
    const inner = compileStruct(f.fields ?? [], version, flexible);
    if (nullable) {
      // A nullable struct is preceded by a marker byte: -1 for null, 1 for present.
      return [
        (w, v) => {
          if (v === null || v === undefined) w.int8(-1);
          else inner.encode(w.int8(1), v as Struct);
        },
        (r) => (r.int8() < 0 ? null : inner.decode(r)),
      ];
    }
    return [(w, v) => inner.encode(w, (v as Struct) ?? fillDefaults(f.fields ?? [])), (r) => inner.decode(r)];
  }
  if (f.type === 'array') {
    let encItem: Enc;
    let decItem: Dec;
    if (f.fields) {
      const inner = compileStruct(f.fields, version, flexible);
      encItem = (w, v) => inner.encode(w, v as Struct);
      decItem = (r) => inner.decode(r);
    } else {
      [encItem, decItem] = primitiveCodec(f.items!, false, flexible, f.name);
    }
    const enc: Enc = (w, v) => {
      if (v === null || v === undefined) {
        if (!nullable && v === null) throw new TypeError(`field ${f.name} is not nullable in this version`);
        if (v === null) {
          if (flexible) w.uvarint(0);
          else w.int32(-1);
          return;
        }
        v = [];
      }
      const arr = v as unknown[];
      if (flexible) w.uvarint(arr.length + 1);
      else w.int32(arr.length);
      for (let i = 0; i < arr.length; i++) encItem(w, arr[i]);
    };
    const dec: Dec = (r) => {
      const n = r.arrayLength(flexible);
      // Any negative count is null, as in Kafka's generated readers (`if (arrayLength < 0)`); where
      // the field is not nullable that is a malformed message, not an empty list (Metadata v0 with
      // a null topic list would otherwise ask for every topic).
      if (n < 0) {
        if (nullable) return null;
        throw new ProtocolDecodeError(`non-nullable field ${f.name} was serialized as null`);
      }
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = decItem(r);
      return out;
    };
    return [enc, dec];
  }
  return primitiveCodec(f.type, nullable, flexible, f.name);
}

/**
 * Compiled structs by field table, indexed by version * 2 + flexible: every request and response
 * looks its codec up here, so the key is a number (a string key cost an allocation per message).
 */
const structCache = new WeakMap<readonly FieldDef[], (CompiledStruct | undefined)[]>();

/** Compiles the fields of one struct for one version into an encoder/decoder pair (cached). */
export function compileStruct(fields: readonly FieldDef[], version: number, flexible: boolean): CompiledStruct {
  let byVersion = structCache.get(fields);
  if (!byVersion) structCache.set(fields, (byVersion = []));
  const cacheKey = version * 2 + (flexible ? 1 : 0);
  const cached = byVersion[cacheKey];
  if (cached) return cached;

  interface Slot {
    name: string;
    enc: Enc;
    dec: Dec;
    def: FieldDef;
  }
  const regular: Slot[] = [];
  const tagged: (Slot & { tag: number })[] = [];
  const absent: FieldDef[] = [];
  for (const f of fields) {
    if (!inRange(version, f.versions)) {
      absent.push(f);
      continue;
    }
    const [enc, dec] = fieldCodec(f, version, flexible);
    if (flexible && f.tag !== undefined && inRange(version, f.tagged)) tagged.push({ name: f.name, enc, dec, def: f, tag: f.tag });
    else regular.push({ name: f.name, enc, dec, def: f });
  }
  tagged.sort((a, b) => a.tag - b.tag);

  const compiled: CompiledStruct = {
    encode(w, obj) {
      for (const s of regular) {
        let v = (obj as Struct)[s.name];
        if (v === undefined) v = defaultValue(s.def);
        s.enc(w, v);
      }
      if (!flexible) return;
      // Tagged fields are written only when they differ from their default.
      const present: { tag: number; bytes: Buffer }[] = [];
      for (const t of tagged) {
        const v = (obj as Struct)[t.name];
        if (v === undefined || isDefault(v, t.def)) continue;
        const tw = new Writer(32);
        t.enc(tw, v);
        present.push({ tag: t.tag, bytes: tw.toBuffer() });
      }
      w.uvarint(present.length);
      for (const p of present) {
        w.uvarint(p.tag);
        w.uvarint(p.bytes.length);
        w.raw(p.bytes);
      }
    },
    decode(r) {
      const out: Struct = {};
      for (const s of regular) out[s.name] = s.dec(r);
      for (const f of absent) out[f.name] = defaultValue(f);
      if (!flexible) return out;
      for (const t of tagged) out[t.name] = defaultValue(t.def);
      const n = r.uvarint();
      for (let i = 0; i < n; i++) {
        const tag = r.uvarint();
        const size = r.uvarint();
        const slot = tagged.find((t) => t.tag === tag);
        if (!slot) {
          r.raw(size); // unknown tags are skipped
          continue;
        }
        const end = r.pos + size;
        if (end > r.end) throw new ProtocolDecodeError(`tagged field ${tag} overruns the message`);
        const sub = r.sub(end);
        out[slot.name] = slot.dec(sub);
        r.join(sub);
      }
      return out;
    },
  };
  byVersion[cacheKey] = compiled;
  return compiled;
}

function isDefault(v: unknown, f: FieldDef): boolean {
  const d = defaultValue(f);
  if (v === d) return true;
  if (Buffer.isBuffer(v) && Buffer.isBuffer(d)) return v.equals(d);
  if (Array.isArray(v) && Array.isArray(d)) return v.length === 0 && d.length === 0;
  return false;
}

/** Skips a tagged-field section (used by the hand-written headers). */
export function skipTaggedFields(r: Reader): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint();
    r.raw(r.uvarint());
  }
}

export function checkVersion(def: { name: string; versions: VersionRange }, version: number): void {
  if (!inRange(version, def.versions)) throw new RangeError(`${def.name} has no version ${version}`);
}

export function encodeStruct<Data>(def: MessageDef<Data>, version: number, obj: NoInfer<Data>, w = new Writer()): Writer {
  checkVersion(def, version);
  compileStruct(def.fields, version, isFlexible(def, version)).encode(w, obj as object);
  return w;
}

export function decodeStruct<Data>(def: MessageDef<Data>, version: number, r: Reader): Data {
  checkVersion(def, version);
  return compileStruct(def.fields, version, isFlexible(def, version)).decode(r) as Data;
}

/** The request or response half of an API as a standalone message definition. */
export function requestDef<Req>(api: ApiDef<Req, unknown, unknown, unknown>): MessageDef<Req> {
  return { name: `${api.name}Request`, versions: api.versions, flexible: api.flexible, fields: api.request };
}
export function responseDef<Res>(api: ApiDef<unknown, Res, unknown, unknown>): MessageDef<Res> {
  return { name: `${api.name}Response`, versions: api.versions, flexible: api.flexible, fields: api.response };
}
