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

export function recordToJson(r: RecordLike): string {
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
  if (structured && (typeof v !== 'string' || obj[encodingField] === undefined)) return Buffer.from(JSON.stringify(v), 'utf8');
  if (typeof v !== 'string') throw new JsonRecordError(`${where}: "${field}" must be a string or null`);
  const enc = obj[encodingField] ?? 'utf8';
  if (enc === 'base64') return Buffer.from(v, 'base64');
  if (enc !== 'utf8') throw new JsonRecordError(`${where}: unknown ${encodingField} '${String(enc)}' (expected utf8 or base64)`);
  return Buffer.from(v, 'utf8');
}

/** Parses one line of the envelope; fields other than key/value/headers/partition/timestamp are ignored. */
export function recordFromJson(line: string, lineNumber: number, structured: { key?: boolean; value?: boolean } = {}): ParsedJsonRecord {
  const where = `line ${lineNumber}`;
  let obj: unknown;
  try {
    obj = JSON.parse(line);
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
  if (o.timestamp !== undefined && o.timestamp !== null) {
    if (!Number.isInteger(o.timestamp)) throw new JsonRecordError(`${where}: "timestamp" must be an integer (milliseconds)`);
    out.timestamp = o.timestamp as number;
  }
  return out;
}
