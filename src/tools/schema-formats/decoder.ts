/**
 * The consumer side: before a batch is printed, the schemas of the ids it carries are fetched
 * (once each: an id never changes its schema); then each key or value decodes synchronously
 * into one line of JSON. A record that cannot be decoded (not in the wire format, an unknown id,
 * bytes that do not match) fails with a message naming its topic, partition and offset.
 */
import type { ConsumedRecord, RecordView } from '../../client/consumer/fetcher.js';
import type { SchemaRegistryClient } from '../../client/schema-registry.js';
import { isKafkaTsError } from '../../util/errors.js';
import { parseJsonExact, stringifyJsonExact } from '../../util/exact-json.js';
import { recordToJson, type JsonFields } from '../record-json.js';
import { viewFormatterWith, type FormatterConfig, type OutBuffer, type ViewField } from '../message-format.js';
import { buildCodec, CodecError, type Codec } from './codecs.js';
import { TYPE_OF_FORMAT, type SchemaFormat } from './config.js';
import { HEADER_SIZE, MAGIC_BYTE } from './wire.js';

/** What console-consumer's print loop asks of a schema decoder. */
export interface SchemaDecoding {
  /** Fetches the schemas the records name; registry failures other than an unknown id throw. */
  prepare(records: ConsumedRecord[]): Promise<void>;
  /** The record about to be printed (named in decoding errors). */
  at(record: ConsumedRecord): void;
  /** The record as the JSON envelope, key and value as decoded JSON. */
  /** The JSON envelope line; `fields` writes the sides without a schema format (--key-deserializer …). */
  json(record: ConsumedRecord, fields?: JsonFields): string;
  key?: (b: Buffer) => string | Buffer;
  value?: (b: Buffer) => string | Buffer;
  /**
   * Kafka's default formatter over RecordViews with keys and values decoded straight into the
   * output (no record objects), or null when a setting needs the record path. It throws a value
   * `missing` recognises for a record whose schema id was not fetched yet: fetchMissing fetches
   * it, and the record is printed again.
   */
  viewFormatter?(cfg: FormatterConfig): ((o: OutBuffer, v: RecordView) => void) | null;
  missing?(e: unknown): boolean;
  fetchMissing?(): Promise<void>;
}

/** Thrown by the view printer for a schema id not fetched yet. */
const MISSING = Object.freeze({ missing: true });

export class RecordDecodeError extends Error {
  override name = 'RecordDecodeError';
}

export class RecordDecoder implements SchemaDecoding {
  private readonly codecs = new Map<number, Codec | Error>();
  private current: ConsumedRecord | null = null;
  key?: (b: Buffer) => string | Buffer;
  value?: (b: Buffer) => string | Buffer;

  constructor(
    private readonly client: SchemaRegistryClient,
    private readonly formats: { key?: SchemaFormat; value?: SchemaFormat },
  ) {
    if (formats.key) this.key = (b) => this.decode(b, 'key', formats.key!);
    if (formats.value) this.value = (b) => this.decode(b, 'value', formats.value!);
  }

  async prepare(records: ConsumedRecord[]): Promise<void> {
    const wanted = new Set<number>();
    const look = (b: Buffer | null) => {
      if (b !== null && b.length >= HEADER_SIZE && b[0] === MAGIC_BYTE) {
        const id = b.readInt32BE(1);
        if (!this.codecs.has(id)) wanted.add(id);
      }
    };
    for (const r of records) {
      if (this.formats.key) look(r.key);
      if (this.formats.value) look(r.value);
    }
    await Promise.all([...wanted].map((id) => this.load(id)));
  }

  private async load(id: number): Promise<void> {
    try {
      const schema = await this.client.schemaById(id);
      this.codecs.set(id, await buildCodec(schema, (ref) => this.client.version(ref.subject, ref.version)));
    } catch (e) {
      if (isKafkaTsError(e) && e.kind === 'not_found') this.codecs.set(id, new Error(`schema id ${id} is unknown to the registry at ${this.client.url}`));
      else if (e instanceof CodecError) this.codecs.set(id, e);
      else throw e;
    }
  }

  at(record: ConsumedRecord): void {
    this.current = record;
  }

  private decode(b: Buffer, side: 'key' | 'value', format: SchemaFormat): string | Buffer {
    try {
      if (b.length < HEADER_SIZE) throw new Error(`${b.length} byte${b.length === 1 ? '' : 's'} is too short for the schema registry's wire format`);
      if (b[0] !== MAGIC_BYTE) throw new Error(`unknown magic byte ${b[0]} (not the schema registry's wire format)`);
      const id = b.readInt32BE(1);
      const codec = this.codecs.get(id);
      if (codec === undefined) throw new Error(`schema id ${id} was not fetched`);
      if (codec instanceof Error) throw codec;
      if (codec.type !== TYPE_OF_FORMAT[format]) throw new Error(`schema id ${id} is a ${codec.type} schema, not ${TYPE_OF_FORMAT[format]} (--${side}-format ${format})`);
      const json = codec.decode(b, HEADER_SIZE);
      // A codec's scratch buffer is reused by the next record: large ones are kept by reference
      // by the output writer, so they are copied.
      return typeof json !== 'string' && json.length >= 1024 ? Buffer.from(json) : json;
    } catch (e) {
      const r = this.current;
      const where = r ? `the ${side} of the record at topic ${r.topic} partition ${r.partition} offset ${r.offset}` : `a ${side}`;
      throw new RecordDecodeError(`Cannot decode ${where}: ${(e as Error).message}`);
    }
  }

  private readonly wanted = new Set<number>();

  missing(e: unknown): boolean {
    return e === MISSING;
  }

  async fetchMissing(): Promise<void> {
    const ids = [...this.wanted];
    this.wanted.clear();
    await Promise.all(ids.filter((id) => !this.codecs.has(id)).map((id) => this.load(id)));
  }

  viewFormatter(cfg: FormatterConfig): ((o: OutBuffer, v: RecordView) => void) | null {
    return viewFormatterWith(cfg, {
      ...(this.formats.key && { key: this.viewSide('key', this.formats.key) }),
      ...(this.formats.value && { value: this.viewSide('value', this.formats.value) }),
    });
  }

  /** decode() over a view: the same checks in the same order and the same messages, the JSON written into the output. */
  private viewSide(side: 'key' | 'value', format: SchemaFormat): ViewField {
    const type = TYPE_OF_FORMAT[format];
    let lastId = -1;
    let last: Codec | null = null;
    const fail = (v: RecordView, why: string): never => {
      throw new RecordDecodeError(`Cannot decode the ${side} of the record at topic ${v.topic} partition ${v.partition} offset ${v.offset}: ${why}`);
    };
    return (o, v, s, len) => {
      const b = v.buf;
      if (len < HEADER_SIZE) return fail(v, `${len} byte${len === 1 ? '' : 's'} is too short for the schema registry's wire format`);
      if (b[s] !== MAGIC_BYTE) return fail(v, `unknown magic byte ${b[s]} (not the schema registry's wire format)`);
      const id = (b[s + 1]! << 24) | (b[s + 2]! << 16) | (b[s + 3]! << 8) | b[s + 4]!;
      let codec = last;
      if (id !== lastId || codec === null) {
        const c = this.codecs.get(id);
        if (c === undefined) {
          this.wanted.add(id);
          throw MISSING;
        }
        if (c instanceof Error) return fail(v, c.message);
        if (c.type !== type) return fail(v, `schema id ${id} is a ${c.type} schema, not ${type} (--${side}-format ${format})`);
        lastId = id;
        last = codec = c;
      }
      try {
        if (codec.decodeInto) return codec.decodeInto(b, s + HEADER_SIZE, s + len, o);
        const json = codec.decode(b.subarray(s, s + len), HEADER_SIZE);
        if (typeof json === 'string') o.text(json);
        else o.bytes(json, 0, json.length);
      } catch (e) {
        return fail(v, (e as Error).message);
      }
    };
  }

  json(r: ConsumedRecord, fields?: JsonFields): string {
    this.current = r;
    const key = this.key && r.key !== null ? this.key(r.key).toString() : null;
    const value = this.value && r.value !== null ? this.value(r.value).toString() : null;
    const base = recordToJson(key === null && value === null ? r : { ...r, key: key === null ? r.key : null, value: value === null ? r.value : null }, fields);
    if (key === null && value === null) return base;
    // Exact: a long past 2^53 keeps its digits in the envelope as in the decoded JSON.
    const obj = parseJsonExact(base) as Record<string, unknown>;
    if (key !== null) obj.key = parseJsonExact(key);
    if (value !== null) obj.value = parseJsonExact(value);
    return stringifyJsonExact(obj);
  }
}
