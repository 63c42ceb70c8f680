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

/**
 * Two sub-topologies through a repartition topic: 0 re-keys `from` by value into `rekey-repartition`,
 * 1 counts per new key into `to`.
 */
export function rekeyCountTopology(from: string, to: string): BuiltTopology {
  const count = countTopology('rekey-repartition', to, { store: 'rekey-count-store' });
  return {
    subtopologies: [
      { id: 0, sourceTopics: [from], internalSources: [], stores: [] },
      { id: 1, sourceTopics: ['rekey-repartition'], internalSources: ['rekey-repartition'], stores: count.subtopologies[0]!.stores },
    ],
    internalTopics: [
      { name: 'rekey-repartition', kind: 'repartition' },
      { name: 'rekey-count-store-changelog', kind: 'changelog' },
    ],
    copartitionGroups: [],
    globalStores: [],
    sinkTopics: [to],
    createTask(s, env): StreamTask {
      if (s === 1) return count.createTask(0, env);
      const topic = env.internalTopicName('rekey-repartition');
      return {
        id: env.taskId,
        process: (r) => env.send(topic, r.value, r.value, r.timestamp, []),
        punctuate: () => undefined,
        flush: () => undefined,
        close: () => undefined,
      };
    },
    createGlobalTask: noGlobal,
    describe: () => '',
  };
}

/** A stream looked up in a global store (keyed on the stream's value), written to `to` as `value -> found`. */
export function globalLookupTopology(stream: string, global: string, to: string): BuiltTopology {
  const store = 'global-store';
  return {
    subtopologies: [{ id: 0, sourceTopics: [stream], internalSources: [], stores: [] }],
    internalTopics: [],
    copartitionGroups: [],
    globalStores: [{ topic: global, store: { name: store, logged: false, persistent: false } }],
    sinkTopics: [to],
    createTask(_s, env): StreamTask {
      const g = env.store(store);
      return {
        id: env.taskId,
        process: (r) => {
          const found = r.value ? g.get(r.value) : undefined;
          env.send(to, r.key, Buffer.from(`${Buffer.from(r.value ?? []).toString()} -> ${found ? Buffer.from(found).toString() : 'null'}`), r.timestamp, []);
        },
        punctuate: () => undefined,
        flush: () => undefined,
        close: () => undefined,
      };
    },
    createGlobalTask(env) {
      const g = env.store(store);
      return { process: (r) => r.key && g.put(r.key, r.value) };
    },
    describe: () => '',
  };
}

/** The join shape with the 2-partition side repartitioned (`repartition()`): co-partitioned by construction. */
export function repartitionedJoinShape(left: string, right: string, to: string): BuiltTopology {
  return {
    subtopologies: [
      { id: 0, sourceTopics: [right], internalSources: [], stores: [] },
      { id: 1, sourceTopics: [left, 'right-repartition'], internalSources: ['right-repartition'], stores: [] },
    ],
    internalTopics: [{ name: 'right-repartition', kind: 'repartition' }],
    copartitionGroups: [[left, 'right-repartition']],
    globalStores: [],
    sinkTopics: [to],
    createTask(s, env): StreamTask {
      const topic = env.internalTopicName('right-repartition');
      return {
        id: env.taskId,
        process: (r) => (s === 0 ? env.send(topic, r.key, r.value, r.timestamp, []) : env.send(to, r.key, r.value, r.timestamp, [])),
        punctuate: () => undefined,
        flush: () => undefined,
        close: () => undefined,
      };
    },
    createGlobalTask: noGlobal,
    describe: () => '',
  };
}
