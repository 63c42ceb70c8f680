/**
 * Serdes: how keys and values become bytes and back. Kafka's built-in formats, byte for byte:
 * String (UTF-8), ByteArray/Bytes (as is), Integer (4-byte big-endian), Long (8-byte big-endian),
 * Short, Float, Double (IEEE 754 big-endian), Void (always null), plus JSON (UTF-8 JSON text).
 * `null` maps to `null` both ways (a tombstone). A deserializer that cannot read its input throws a
 * SerializationError, which the task hands to `default.deserialization.exception.handler`.
 *
 * Long values are JavaScript numbers: exact up to 2^53; `Serdes.BigLong()` keeps all 64 bits as bigint.
 */
import { isUtf8 } from 'node:buffer';
import type { StreamsHeader } from './api.js';
import { SerializationError } from './errors.js';

export interface Serializer<T> {
  serialize(topic: string, data: T | null, headers?: StreamsHeader[]): Uint8Array | null;
}
export interface Deserializer<T> {
  deserialize(topic: string, data: Uint8Array | null, headers?: StreamsHeader[]): T | null;
}
/** A serializer and a deserializer of the same type (Kafka's Serde). */
export interface Serde<T> extends Serializer<T>, Deserializer<T> {
  /** For messages and describe(): `String`, `Long`, ... */
  readonly serdeName?: string;
}


function fixed<T>(name: string, size: number, write: (v: DataView, x: T) => void, read: (v: DataView) => T): Serde<T> {
  return {
    serdeName: name,
    serialize(_topic, data) {
      if (data === null || data === undefined) return null;
      const out = new Uint8Array(size);
      write(new DataView(out.buffer), data);
      return out;
    },
    deserialize(_topic, data) {
      if (data === null || data === undefined) return null;
      if (data.length !== size) throw new SerializationError(`Size of data received by ${name}Deserializer is not ${size}`);
      return read(new DataView(data.buffer, data.byteOffset, data.byteLength));
    },
  };
}

const STRING: Serde<string> = {
  serdeName: 'String',
  serialize(topic, d) {
    if (d === null || d === undefined) return null;
    if (typeof d !== 'string') throw new SerializationError(`StringSerializer for topic ${topic} was given a ${typeof d}, not a string (choose a serde for this type, e.g. Serdes.JSON() or Serdes.Long())`);
    // Buffer's UTF-8 paths are several times faster than TextEncoder/TextDecoder on short strings.
    return Buffer.from(d, 'utf8');
  },
  // A consumed record's bytes are Buffers already: decoded without a new view.
  deserialize: (_t, d) => (d === null || d === undefined ? null : (Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength)).toString('utf8')),
};
const BYTES: Serde<Uint8Array> = {
  serdeName: 'ByteArray',
  serialize: (_t, d) => (d === null || d === undefined ? null : d),
  deserialize: (_t, d) => (d === null || d === undefined ? null : d),
};
const VOID: Serde<null> = {
  serdeName: 'Void',
  serialize: (_t, d) => {
    if (d !== null && d !== undefined) throw new SerializationError('VoidSerializer can only serialize null');
    return null;
  },
  deserialize: (_t, d) => {
    if (d !== null && d !== undefined) throw new SerializationError('Data should be null for a VoidDeserializer.');
    return null;
  },
};

function json<T>(): Serde<T> {
  return {
    serdeName: 'JSON',
    serialize: (_t, d) => (d === null || d === undefined ? null : Buffer.from(JSON.stringify(d), 'utf8')),
    deserialize(_t, d) {
      if (d === null || d === undefined) return null;
      try {
        return JSON.parse(Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('utf8')) as T;
      } catch (e) {
        throw new SerializationError(`JSON deserializer: ${(e as Error).message}`);
      }
    },
  };
}

const INTEGER = fixed<number>('Integer', 4, (v, x) => v.setInt32(0, x), (v) => v.getInt32(0));
const SHORT = fixed<number>('Short', 2, (v, x) => v.setInt16(0, x), (v) => v.getInt16(0));
/** 8-byte big-endian two's complement of a safe integer, without BigInt (hot path: counts, timestamps). */
export function writeInt64(v: DataView, at: number, x: number): void {
  const n = Math.trunc(x);
  if (!Number.isSafeInteger(n)) {
    v.setBigInt64(at, BigInt(n));
    return;
  }
  const hi = Math.floor(n / 4294967296);
  v.setInt32(at, hi);
  v.setUint32(at + 4, n - hi * 4294967296);
}
export function readInt64(v: DataView, at: number): number {
  return v.getInt32(at) * 4294967296 + v.getUint32(at + 4);
}
/** The same on bytes directly (no DataView to allocate): exact for safe integers. */
export function putInt64(b: Uint8Array, at: number, x: number): void {
  const n = Math.trunc(x);
  if (!Number.isSafeInteger(n)) {
    writeInt64(new DataView(b.buffer, b.byteOffset, b.byteLength), at, n);
    return;
  }
  const hi = Math.floor(n / 4294967296);
  const lo = n - hi * 4294967296;
  b[at] = hi >>> 24;
  b[at + 1] = hi >>> 16;
  b[at + 2] = hi >>> 8;
  b[at + 3] = hi;
  b[at + 4] = lo >>> 24;
  b[at + 5] = lo >>> 16;
  b[at + 6] = lo >>> 8;
  b[at + 7] = lo;
}
export function getInt64(b: Uint8Array, at: number): number {
  const hi = (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
  const lo = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
  return hi * 4294967296 + lo;
}
const LONG: Serde<number> = {
  serdeName: 'Long',
  serialize(_topic, data) {
    if (data === null || data === undefined) return null;
    const out = new Uint8Array(8);
    putInt64(out, 0, data);
    return out;
  },
  deserialize(_topic, data) {
    if (data === null || data === undefined) return null;
    if (data.length !== 8) throw new SerializationError('Size of data received by LongDeserializer is not 8');
    return getInt64(data, 0);
  },
};
const BIGLONG = fixed<bigint>('Long', 8, (v, x) => v.setBigInt64(0, BigInt(x)), (v) => v.getBigInt64(0));
const FLOAT = fixed<number>('Float', 4, (v, x) => v.setFloat32(0, x), (v) => v.getFloat32(0));
const DOUBLE = fixed<number>('Double', 8, (v, x) => v.setFloat64(0, x), (v) => v.getFloat64(0));

/** Kafka's `Serdes` factory. */
export const Serdes = {
  String: (): Serde<string> => STRING,
  ByteArray: (): Serde<Uint8Array> => BYTES,
  Bytes: (): Serde<Uint8Array> => BYTES,
  Integer: (): Serde<number> => INTEGER,
  Short: (): Serde<number> => SHORT,
  Long: (): Serde<number> => LONG,
  BigLong: (): Serde<bigint> => BIGLONG,
  Float: (): Serde<number> => FLOAT,
  Double: (): Serde<number> => DOUBLE,
  Void: (): Serde<null> => VOID,
  JSON: <T = unknown>(): Serde<T> => json<T>(),
  /** A serde from two functions. */
  serdeFrom<T>(serialize: (data: T) => Uint8Array, deserialize: (data: Uint8Array) => T, name = 'Custom'): Serde<T> {
    return {
      serdeName: name,
      serialize: (_t, d) => (d === null || d === undefined ? null : serialize(d)),
      deserialize(_t, d) {
        if (d === null || d === undefined) return null;
        try {
          return deserialize(d);
        } catch (e) {
          if (e instanceof SerializationError) throw e;
          throw new SerializationError(`${name} deserializer: ${(e as Error).message}`);
        }
      },
    };
  },
};

/**
 * Whether a value `serde` read from `bytes` serializes back to exactly those bytes, so a sink may
 * send the consumed bytes as they came (a filter or a count's key: no encoding per record).
 * ByteArray always; String over valid UTF-8 (invalid bytes would come back with replacement
 * characters).
 */
export function roundTrips(serde: unknown, bytes: Uint8Array): boolean {
  return serde === BYTES || (serde === STRING && isUtf8(bytes));
}

/** Deserializes, turning any exception of a user's deserializer into a SerializationError. */
export function deserializeWith<T>(d: Deserializer<T>, topic: string, data: Uint8Array | null, headers?: StreamsHeader[]): T | null {
  try {
    return d.deserialize(topic, data, headers);
  } catch (e) {
    if (e instanceof SerializationError) throw e;
    throw new SerializationError(`deserializer failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}

/** Serializes, turning a serializer's exception into a SerializationError naming the topic. */
export function serializeWith<T>(s: Serializer<T>, topic: string, data: T | null, headers?: StreamsHeader[]): Uint8Array | null {
  try {
    return s.serialize(topic, data, headers);
  } catch (e) {
    if (e instanceof SerializationError) throw e;
    throw new SerializationError(`serializer for topic ${topic} failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}
