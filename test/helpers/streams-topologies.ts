/**
 * Small BuiltTopology implementations written straight against src/streams/api.ts (no DSL), for
 * the runtime's tests: a copy (source → sink) and a count per key (a logged store, the count as a
 * decimal string to the sink).
 */
import type { BuiltTopology, StreamTask, TaskEnvironment } from '../../src/streams/api.js';

const noGlobal = () => ({ process: () => undefined });

export function copyTopology(from: string, to: string): BuiltTopology {
  return {
    subtopologies: [{ id: 0, sourceTopics: [from], internalSources: [], stores: [] }],
    internalTopics: [],
    copartitionGroups: [],
    globalStores: [],
    sinkTopics: [to],
    createTask(_s, env): StreamTask {
      return {
        id: env.taskId,
        process: (r) => env.send(to, r.key, r.value, r.timestamp, r.headers),
        punctuate: () => undefined,
        flush: () => undefined,
        close: () => undefined,
      };
    },
    createGlobalTask: noGlobal,
    describe: () => `Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [${from}])\n      --> KSTREAM-SINK-0000000001\n    Sink: KSTREAM-SINK-0000000001 (topic: ${to})\n      <-- KSTREAM-SOURCE-0000000000\n\n`,
  };
}

export interface CountOptions {
  persistent?: boolean;
  /** Called before each record; may throw to make the task fail. */
  onRecord?: (env: TaskEnvironment, key: string) => void;
  store?: string;
}

export function countTopology(from: string, to: string, opts: CountOptions = {}): BuiltTopology {
  const store = opts.store ?? 'KSTREAM-AGGREGATE-STATE-STORE-0000000001';
  return {
    subtopologies: [{ id: 0, sourceTopics: [from], internalSources: [], stores: [{ name: store, logged: true, persistent: opts.persistent ?? true }] }],
    internalTopics: [],
    copartitionGroups: [],
    globalStores: [],
    sinkTopics: [to],
    createTask(_s, env): StreamTask {
      const kv = env.store(store);
      return {
        id: env.taskId,
        process: (r) => {
          if (!r.key) return;
          opts.onRecord?.(env, Buffer.from(r.key).toString());
          const old = kv.get(r.key);
          const n = (old ? Number(Buffer.from(old).toString()) : 0) + 1;
          const v = Buffer.from(String(n));
          kv.put(r.key, v);
          env.send(to, r.key, v, r.timestamp, []);
        },
        punctuate: () => undefined,
        flush: () => undefined,
        close: () => undefined,
      };
    },
    createGlobalTask: noGlobal,
    describe: () => '',
  };
}

/** Two sources that must be co-partitioned (a stream–table join's shape), output unused. */
export function joinShapedTopology(left: string, right: string, to: string): BuiltTopology {
  return {
    subtopologies: [{ id: 0, sourceTopics: [left, right], internalSources: [], stores: [] }],
    internalTopics: [],
    copartitionGroups: [[left, right]],
    globalStores: [],
    sinkTopics: [to],
    createTask(_s, env): StreamTask {
      return { id: env.taskId, process: () => undefined, punctuate: () => undefined, flush: () => undefined, close: () => undefined };
    },
    createGlobalTask: noGlobal,
    describe: () => '',
  };
}
