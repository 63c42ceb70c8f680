/**
 * kafka-ts streams: the topologies the command runs. Built-in one-liners (copy, filter, join,
 * count) are written with the Streams DSL (src/streams); `run FILE` loads a program exporting a
 * topology (see streams-app.ts). The running itself is in streams-run.ts. Nothing here prints.
 */
import { Script } from 'node:vm';
import * as library from '../streams/index.js';
import { Consumed, KeyValue, Produced, Serdes, StreamsBuilder, TimeWindows, Topology, type Serde } from '../streams/index.js';
import { RegistrySerdes, type RegistryLocator } from '../streams/registry-serdes.js';
import { UsageError } from '../util/errors.js';
import { defaultSerde, type StreamsProperties } from '../streams/runtime/config.js';
import { parseDuration } from './offset-spec.js';

export const SERDES = ['string', 'json', 'long', 'integer', 'double', 'bytes', 'avro', 'json-schema', 'protobuf'] as const;
export type SerdeName = (typeof SERDES)[number];

export function serdeOf(name: string | undefined, flag: string, registry?: RegistryLocator): Serde<unknown> {
  switch ((name ?? 'string').toLowerCase()) {
    // The schema registry's formats: the registry from schema.registry.url in the streams config, else `registry` (the local daemon's).
    case 'avro':
    case 'json-schema':
    case 'protobuf':
      return RegistrySerdes.of(name!.toLowerCase(), { isKey: flag === '--key-serde', ...(registry && { locate: registry }) });
    case 'string':
      return Serdes.String() as Serde<unknown>;
    case 'json':
      return Serdes.JSON() as Serde<unknown>;
    case 'long':
      return Serdes.Long() as Serde<unknown>;
    case 'integer':
      return Serdes.Integer() as Serde<unknown>;
    case 'double':
      return Serdes.Double() as Serde<unknown>;
    case 'bytes':
      return Serdes.Bytes() as Serde<unknown>;
    default:
      throw new UsageError(`Invalid value '${name}' for ${flag}: expected one of ${SERDES.join(', ')}`);
  }
}

/**
 * The input serdes: --key-serde / --value-serde, else the properties' default.key.serde /
 * default.value.serde (Java class names mapped to kafka-ts's serdes; one it lacks is a usage error).
 */
export function inputSerdes(flags: { keySerde?: string; valueSerde?: string }, props: StreamsProperties, registry: RegistryLocator): Pick<TopologyRequest, 'keySerde' | 'valueSerde' | 'registry'> {
  const keySerde = flags.keySerde ?? defaultSerde(props, 'key');
  const valueSerde = flags.valueSerde ?? defaultSerde(props, 'value');
  return { ...(keySerde !== undefined && { keySerde }), ...(valueSerde !== undefined && { valueSerde }), registry };
}

/** What a built-in one-liner or an app file needs, as the command's options give it. */
export interface TopologyRequest {
  verb: 'run' | 'copy' | 'filter' | 'join' | 'count';
  file?: string;
  from?: string;
  to?: string;
  where?: string;
  stream?: string;
  table?: string;
  global?: boolean;
  keyFrom?: string;
  joiner?: string;
  window?: string;
  hop?: string;
  grace?: string;
  keySerde?: string;
  valueSerde?: string;
  /** Where the schema registry is for the registry serdes when the config names none. */
  registry?: RegistryLocator;
}

export interface BuiltRequest {
  topology: Topology;
  /** application.id when neither --application-id nor the configs name one. */
  defaultApplicationId: string;
  /** Properties an app file exports (`export const config = {...}`), below the command line's. */
  appConfig: Record<string, string>;
}

const need = (v: string | undefined, flag: string, verb: string): string => {
  if (v === undefined || v === '') throw new UsageError(`streams ${verb} needs ${flag}`);
  return v;
};

function durationMs(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) : parseDuration(text);
  if (ms === null || !Number.isFinite(ms)) throw new UsageError(`Invalid duration '${text}' for ${flag}: use a number of milliseconds or a number with a unit, e.g. 500ms, 30s, 1m, 1h`);
  return ms;
}

/** A JavaScript expression over the named variables, compiled once; a syntax error is a usage error. */
export function compileExpression(expr: string, params: string[], flag: string): (...args: unknown[]) => unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function(...params, `"use strict"; return (${expr}\n);`) as (...args: unknown[]) => unknown;
  } catch (e) {
    throw new UsageError(`Invalid expression for ${flag}: ${syntaxError(expr, e as Error)}: ${expr}`);
  }
}

/**
 * The syntax error in the user's own words: the compiled code wraps the expression in
 * parentheses, so `value.length >` fails at a ')' the user never typed; compiled alone (as a
 * script, not a function body, which would add a '}') it fails where the user's text does.
 */
function syntaxError(expr: string, wrapped: Error): string {
  try {
    new Script(`"use strict"; ${expr}`); // compiled only, never run
  } catch (e) {
    return (e as Error).message;
  }
  return wrapped.message;
}

/** A user's expression threw on a record: the error that stops the application (Kafka's StreamsException). */
const threw = (flag: string, expr: string, e: unknown) => new library.StreamsException(`${flag} '${expr}' threw on a record: ${(e as Error)?.message ?? String(e)}`);

/** Runs a user's expression on one record; its exception stops the application. */
function evaluate(f: (...args: unknown[]) => unknown, flag: string, expr: string, args: unknown[]): unknown {
  try {
    return f(...args);
  } catch (e) {
    throw threw(flag, expr, e);
  }
}

const NO_HEADERS: Record<string, string | null> = Object.freeze({}) as Record<string, string | null>;

const headerObject = (headers: { key: string; value: Uint8Array | null }[] | undefined): Record<string, string | null> => {
  const out: Record<string, string | null> = {};
  for (const h of headers ?? []) out[h.key] = h.value === null ? null : Buffer.from(h.value).toString('utf8');
  return out;
};

const safeId = (s: string) => s.replace(/[^a-zA-Z0-9._-]/g, '_');

/** `orders` → `order`, `addresses` → `address`: the joiner's variable for a topic's values. */
export function singular(topic: string): string | null {
  const s = topic.endsWith('sses') ? topic.slice(0, -2) : topic.endsWith('s') ? topic.slice(0, -1) : topic;
  return /^[A-Za-z_$][\w$]*$/.test(s) ? s : null;
}

const RESERVED = new Set(['key', 'value', 'left', 'right', 'tableValue', 'timestamp', 'headers']);

/** Builds the topology of a one-liner. */
export function builtInTopology(req: TopologyRequest): BuiltRequest {
  const ks = serdeOf(req.keySerde, '--key-serde', req.registry);
  const vs = serdeOf(req.valueSerde, '--value-serde', req.registry);
  const b = new StreamsBuilder({ defaultKeySerde: ks, defaultValueSerde: vs });
  const verb = req.verb;
  let id: string;
  switch (verb) {
    case 'copy': {
      const from = need(req.from, '--from', verb);
      const to = need(req.to, '--to', verb);
      b.stream(from).to(to);
      id = `copy-${from}-${to}`;
      break;
    }
    case 'filter': {
      const from = need(req.from, '--from', verb);
      const to = need(req.to, '--to', verb);
      const where = need(req.where, '--where', verb);
      const f = compileExpression(where, ['key', 'value', 'timestamp', 'headers'], '--where') as (key: unknown, value: unknown, timestamp: number, headers: Record<string, string | null>) => unknown;
      // The headers object is built per record only for an expression that can see it.
      const needsHeaders = /\b(headers|arguments|eval)\b/.test(where);
      // String keys an expression never reads are not decoded: they pass through as bytes
      // (unchanged, as valid UTF-8 keys always did).
      const keysAsBytes = (req.keySerde ?? 'string').toLowerCase() === 'string' && !/\b(key|arguments|eval)\b/.test(where);
      const kIO = keysAsBytes ? (Serdes.ByteArray() as Serde<unknown>) : ks;
      // The record's timestamp and headers come from a processor that sees the whole Record.
      b.stream(from, Consumed.with(kIO, vs))
        .process<unknown, unknown>(() => {
          let ctx: library.ProcessorContext<unknown, unknown>;
          return {
            init: (c: library.ProcessorContext<unknown, unknown>) => void (ctx = c),
            process: (r: library.Record<unknown, unknown>) => {
              let keep: unknown;
              try {
                keep = f(r.key, r.value, r.timestamp, needsHeaders ? headerObject(r.headers) : NO_HEADERS);
              } catch (e) {
                throw threw('--where', where, e);
              }
              if (keep) ctx.forward(r);
            },
          };
        })
        .to(to, Produced.with(kIO, vs));
      id = `filter-${from}-${to}`;
      break;
    }
    case 'join': {
      const stream = need(req.stream, '--stream', verb);
      const table = need(req.table, '--table', verb);
      const to = need(req.to, '--to', verb);
      const keyFrom = req.keyFrom ?? 'key';
      if (keyFrom !== 'key' && keyFrom !== 'value') throw new UsageError(`Invalid value '${keyFrom}' for --key-from: expected key or value`);
      const names = ['key', 'value', 'left', 'tableValue', 'right'];
      const extra: string[] = [];
      for (const [topic, side] of [[stream, 'left'], [table, 'right']] as const) {
        const n = singular(topic);
        if (n && !RESERVED.has(n) && !names.includes(n) && !extra.includes(n)) {
          names.push(n);
          extra.push(side);
        }
      }
      const joinerText = req.joiner ?? 'JSON.stringify({ stream: left, table: right })';
      const f = compileExpression(joinerText, names, '--joiner');
      const joiner = (left: unknown, right: unknown, key: unknown) => {
        const args = [key, left, left, right, right, ...extra.map((side) => (side === 'left' ? left : right))];
        return evaluate(f, '--joiner', joinerText, args);
      };
      const s = b.stream<unknown, unknown>(stream);
      if (req.global) {
        const g = b.globalTable<unknown, unknown>(table);
        s.join(g, (k: unknown, v: unknown) => (keyFrom === 'value' ? v : k), joiner).to(to);
      } else {
        const t = b.table(table);
        const keyed = keyFrom === 'value' ? s.selectKey((_k: unknown, v: unknown) => v) : s;
        keyed.join(t as unknown as library.KTable<unknown, unknown>, joiner).to(to);
      }
      id = `join-${stream}-${table}-${to}`;
      break;
    }
    case 'count': {
      const from = need(req.from, '--from', verb);
      const to = need(req.to, '--to', verb);
      const size = durationMs(req.window, '--window');
      const hop = durationMs(req.hop, '--hop');
      const grace = durationMs(req.grace, '--grace');
      if (size === undefined && (hop !== undefined || grace !== undefined)) throw new UsageError('--hop and --grace need --window');
      // A count reads no values: string values (which always decode) are taken as bytes, not
      // decoded for nothing; other serdes still decode, so a bad value meets the configured
      // deserialization handler as before.
      const valuesIn = (req.valueSerde ?? 'string').toLowerCase() === 'string' ? (Serdes.ByteArray() as Serde<unknown>) : vs;
      const grouped = b.stream(from, Consumed.with(ks, valuesIn)).groupByKey();
      const out = Produced.with<string, string | null>(Serdes.String(), Serdes.String() as Serde<string | null>);
      if (size === undefined) {
        grouped
          .count()
          .toStream()
          .map((k: unknown, n: number | null) => KeyValue.pair(keyText(k), n === null ? null : String(n)))
          .to(to, out);
      } else {
        let windows: TimeWindows;
        try {
          windows = grace === undefined ? TimeWindows.ofSizeWithNoGrace(size) : TimeWindows.ofSizeAndGrace(size, grace);
          if (hop !== undefined) windows = windows.advanceBy(hop);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        grouped
          .windowedBy(windows)
          .count()
          .toStream()
          .map((wk: library.Windowed<unknown>, n: number | null) => KeyValue.pair(`${keyText(wk.key)}@${wk.window.start}`, n === null ? null : String(n)))
          .to(to, out);
      }
      id = `count-${from}-${to}`;
      break;
    }
    default:
      throw new UsageError(`streams ${verb} is not a built-in topology`);
  }
  return { topology: b.build(), defaultApplicationId: safeId(`kafka-ts-streams-${id}`), appConfig: {} };
}

const keyText = (k: unknown): string => (k === null || k === undefined ? '' : typeof k === 'string' ? k : k instanceof Uint8Array ? Buffer.from(k).toString('utf8') : JSON.stringify(k));

/** The library as app files receive it (the second argument of their default export). */
export const streamsLibrary = { ...library, RegistrySerdes };

/** Parses Kafka's Topology.describe() text into a JSON document. */
export function describeDocument(text: string): { subtopologies: { id: string; global: boolean; nodes: DescribedNode[] }[] } {
  const subtopologies: { id: string; global: boolean; nodes: DescribedNode[] }[] = [];
  let node: DescribedNode | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^Sub-topology: (\S+)( for global store.*)?$/))) {
      subtopologies.push({ id: m[1]!, global: !!m[2], nodes: [] });
      node = null;
    } else if ((m = line.match(/^(Source|Processor|Sink): (\S+) \((topics|topic|stores): (.*)\)$/))) {
      const list = m[4]!.startsWith('[') ? m[4]!.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean) : [m[4]!];
      node = { type: m[1]!.toLowerCase() as DescribedNode['type'], name: m[2]!, ...(m[3] === 'stores' ? { stores: list } : { topics: list }), successors: [], predecessors: [] };
      subtopologies[subtopologies.length - 1]?.nodes.push(node);
    } else if (node && (m = line.match(/^(-->|<--) (.*)$/))) {
      const names = m[2] === 'none' ? [] : m[2]!.split(',').map((s) => s.trim());
      if (m[1] === '-->') node.successors = names;
      else node.predecessors = names;
    }
  }
  return { subtopologies };
}

export interface DescribedNode {
  type: 'source' | 'processor' | 'sink';
  name: string;
  topics?: string[];
  stores?: string[];
  successors: string[];
  predecessors: string[];
}
