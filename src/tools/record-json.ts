/**
 * The JSON envelope for records, one object per line. console-consumer --output json writes it
 * and console-producer --input json reads it, so consumer output pipes back into a producer
 * without loss:
 *
 *   {"topic":"t","partition":0,"offset":7,"timestamp":1700000000000,"timestampType":"CreateTime",
 *    "key":"k","value":"v","headers":[{"key":"h","value":"x"}]}
 *
 * key, value and header values are UTF-8 text when the bytes are valid UTF-8, otherwise base64
 * with a sibling "keyEncoding"/"valueEncoding" (or per-header "valueEncoding") set to "base64".
 * null stays null. Header order is preserved and repeated header keys are allowed.
 */
import { isUtf8 } from 'node:buffer';
import type { RecordHeader } from '../protocol/record-batch.js';
import type { RecordView, walkHeaders } from '../client/consumer/fetcher.js';
import type { OutBuffer } from './message-format.js';
import { parseJsonExact, stringifyJsonExact } from '../util/exact-json.js';

export interface RecordLike {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

function encodeBytes(b: Buffer | null): { text: string | null; base64: boolean } {
  if (b === null) return { text: null, base64: false };
  return isUtf8(b) ? { text: b.toString('utf8'), base64: false } : { text: b.toString('base64'), base64: true };
}

/** Key, value and header deserializers (--key-deserializer …) writing JSON values; null: the bytes as text or base64. */
export interface JsonFields {
  key: ((b: Buffer) => string) | null;
  value: ((b: Buffer) => string) | null;
  header: ((b: Buffer) => string) | null;
}

/** `"name":…` for bytes: the deserializer's JSON value, or text / base64 with its sibling encoding field. */
function jsonField(name: string, b: Buffer | null, d: ((b: Buffer) => string) | null, encodingField: string): string {
  if (b === null) return `"${name}":null`;
  if (d) return `"${name}":${d(b)}`;
  const e = encodeBytes(b);
  return `"${name}":${JSON.stringify(e.text)}${e.base64 ? `,"${encodingField}":"base64"` : ''}`;
}

export function recordToJson(r: RecordLike, fields?: JsonFields): string {
  if (fields && (fields.key || fields.value || fields.header)) {
    const headers = r.headers.map((h) => `{"key":${JSON.stringify(h.key)},${jsonField('value', h.value, fields.header, 'valueEncoding')}}`);
    return `{"topic":${JSON.stringify(r.topic)},"partition":${r.partition},"offset":${r.offset},"timestamp":${r.timestamp},"timestampType":${JSON.stringify(r.timestampType)},${jsonField('key', r.key, fields.key, 'keyEncoding')},${jsonField('value', r.value, fields.value, 'valueEncoding')},"headers":[${headers.join(',')}]}`;
  }
  const key = encodeBytes(r.key);
  const value = encodeBytes(r.value);
  const out: Record<string, unknown> = {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    timestampType: r.timestampType,
    key: key.text,
  };
  if (key.base64) out.keyEncoding = 'base64';
  out.value = value.text;
  if (value.base64) out.valueEncoding = 'base64';
  out.headers = r.headers.map((h) => {
    const v = encodeBytes(h.value);
    return v.base64 ? { key: h.key, value: v.text, valueEncoding: 'base64' } : { key: h.key, value: v.text };
  });
  return JSON.stringify(out);
}

export class JsonRecordError extends Error {
  override name = 'JsonRecordError';
}

export interface ParsedJsonRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  partition?: number;
  timestamp?: number;
}

function decodeField(obj: Record<string, unknown>, field: string, encodingField: string, where: string, structured = false): Buffer | null {
  const v = obj[field];
  if (v === undefined || v === null) return null;
  // A schema format's key or value may be any JSON (console-consumer --value-format … --output json prints it so): its text.
  if (structured && (typeof v !== 'string' || obj[encodingField] === undefined)) return Buffer.from(stringifyJsonExact(v), 'utf8');
  if (typeof v !== 'string') throw new JsonRecordError(`${where}: "${field}" must be a string or null`);
  const enc = obj[encodingField] ?? 'utf8';
  if (enc === 'base64') {
    // Node's decoder skips what is not base64 ("!!!" would be stored as nothing): refuse it.
    // Line breaks (base64 -w 76), padding or its absence, and the URL-safe alphabet are base64.
    const text = v.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) throw new JsonRecordError(`${where}: "${field}" is not valid base64`);
    return Buffer.from(text, 'base64');
  }
  if (enc !== 'utf8') throw new JsonRecordError(`${where}: unknown ${encodingField} '${String(enc)}' (expected utf8 or base64)`);
  return Buffer.from(v, 'utf8');
}

/** Parses one line of the envelope; fields other than key/value/headers/partition/timestamp are ignored. */
export function recordFromJson(line: string, lineNumber: number, structured: { key?: boolean; value?: boolean } = {}): ParsedJsonRecord {
  const where = `line ${lineNumber}`;
  let obj: unknown;
  try {
    // A schema format's key or value keeps its integers' digits (an Avro long past 2^53).
    obj = structured.key || structured.value ? parseJsonExact(line) : JSON.parse(line);
  } catch (e) {
    throw new JsonRecordError(`${where}: invalid JSON (${(e as Error).message})`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new JsonRecordError(`${where}: expected a JSON object`);
  const o = obj as Record<string, unknown>;
  const headersIn = o.headers ?? [];
  if (!Array.isArray(headersIn)) throw new JsonRecordError(`${where}: "headers" must be a list of {"key","value"} objects`);
  const headers = headersIn.map((h, i) => {
    if (typeof h !== 'object' || h === null || typeof (h as { key?: unknown }).key !== 'string') {
      throw new JsonRecordError(`${where}: header ${i} needs a string "key"`);
    }
    return { key: (h as { key: string }).key, value: decodeField(h as Record<string, unknown>, 'value', 'valueEncoding', `${where}, header ${i}`) };
  });
  const out: ParsedJsonRecord = { key: decodeField(o, 'key', 'keyEncoding', where, structured.key), value: decodeField(o, 'value', 'valueEncoding', where, structured.value), headers };
  if (o.partition !== undefined && o.partition !== null) {
    if (!Number.isInteger(o.partition) || (o.partition as number) < 0) throw new JsonRecordError(`${where}: "partition" must be a non-negative integer`);
    out.partition = o.partition as number;
  }
  // -1 is a record without a timestamp (as console-consumer prints one): no timestamp.
  if (o.timestamp !== undefined && o.timestamp !== null && o.timestamp !== -1) {
    if (!Number.isSafeInteger(o.timestamp)) throw new JsonRecordError(`${where}: "timestamp" must be an integer (milliseconds)`);
    // The Java producer's rule (ProducerRecord), in its words.
    if ((o.timestamp as number) < 0) throw new JsonRecordError(`${where}: Invalid timestamp: ${o.timestamp as number}. Timestamp should always be non-negative or null.`);
    out.timestamp = o.timestamp as number;
  }
  return out;
}

/** True when bytes start..end need no JSON escaping as UTF-8 text: printable ASCII without `"` and `\`. */
function plainAscii(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c) return false;
  }
  return true;
}

const enc = (s: string) => Buffer.from(s);
const J = {
  partition: enc(',"partition":'),
  offset: enc(',"offset":'),
  timestamp: enc(',"timestamp":'),
  create: enc(',"timestampType":"CreateTime","key":'),
  logAppend: enc(',"timestampType":"LogAppendTime","key":'),
  keyBase64: enc(',"keyEncoding":"base64"'),
  value: enc(',"value":'),
  valueBase64: enc(',"valueEncoding":"base64"'),
  headers: enc(',"headers":['),
  end: enc(']}\n'),
  null: enc('null'),
  quote: enc('"'),
  comma: enc(','),
};

/** Writes key or value bytes as recordToJson does; returns whether they went as base64. */
function jsonBytes(o: OutBuffer, buf: Buffer, start: number, len: number): boolean {
  if (len < 0) {
    o.put(J.null);
    return false;
  }
  const end = start + len;
  if (plainAscii(buf, start, end)) {
    o.put(J.quote);
    o.bytes(buf, start, end);
    o.put(J.quote);
    return false;
  }
  const b = buf.subarray(start, end);
  const e = encodeBytes(b);
  o.text(JSON.stringify(e.text));
  return e.base64;
}

/**
 * The envelope of recordToJson written straight into an output buffer from a RecordView, byte
 * for byte the same line (including the newline); nothing is allocated for plain-text records.
 * The header walker is passed in so that console-producer, which reads this envelope, does not
 * load the fetcher.
 */
export function viewJsonWriter(walk: typeof walkHeaders): (o: OutBuffer, v: RecordView) => void {
  let topic = '';
  let head = enc('{"topic":""');
  return (o, v) => {
    if (v.topic !== topic) {
      topic = v.topic;
      head = enc(`{"topic":${JSON.stringify(topic)}`);
    }
    o.put(head);
    o.put(J.partition);
    o.int(v.partition);
    o.put(J.offset);
    o.int(v.offset);
    o.put(J.timestamp);
    o.int(v.timestamp);
    o.put(v.timestampType === 'CreateTime' ? J.create : J.logAppend);
    if (jsonBytes(o, v.buf, v.keyStart, v.keyLen)) o.put(J.keyBase64);
    o.put(J.value);
    if (jsonBytes(o, v.buf, v.valueStart, v.valueLen)) o.put(J.valueBase64);
    o.put(J.headers);
    if (v.headerCount > 0) {
      let i = 0;
      walk(v, (ks, kl, vs, vl) => {
        if (i++ > 0) o.put(J.comma);
        const hv = encodeBytes(vl < 0 ? null : v.buf.subarray(vs, vs + vl));
        const h = { key: v.buf.toString('utf8', ks, ks + kl), value: hv.text };
        o.text(JSON.stringify(hv.base64 ? { ...h, valueEncoding: 'base64' } : h));
      });
    }
    o.put(J.end);
  };
}
