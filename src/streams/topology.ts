/**
 * Kafka Streams' Topology (the Processor API): sources, processors and sinks wired by name,
 * state stores connected to processors, global stores. `build()` groups the nodes into
 * sub-topologies as Kafka does (connected components: parent links and shared stores; a sink and
 * a source of the same topic do not connect), numbers them as Kafka does (by sorted source node
 * name), and hands the runtime a BuiltTopology (api.ts). `describe()` prints Kafka's
 * `Topology.describe()` text.
 */
import type { BuiltTopology, GlobalStoreSpec, InternalTopicSpec, StoreSpec, SubtopologySpec } from './api.js';
import { TopologyException } from './errors.js';
import type { NodeDef, ProcessorNodeDef, SinkNodeDef, SourceNodeDef, TopologyModel } from './nodes.js';
import type { ProcessorSupplier, StreamPartitioner, TimestampExtractor, TopicNameExtractor } from './processor.js';
import { Serdes, type Deserializer, type Serializer } from './serdes.js';
import type { StoreBuilder } from './state.js';
import { createGlobalStoreTask, createStreamTask } from './task.js';

export interface SourceOptions {
  name: string;
  keyDeserializer?: Deserializer<unknown>;
  valueDeserializer?: Deserializer<unknown>;
  timestampExtractor?: TimestampExtractor;
}

export interface SinkOptions {
  name: string;
  keySerializer?: Serializer<unknown>;
  valueSerializer?: Serializer<unknown>;
  partitioner?: StreamPartitioner<unknown, unknown>;
}

interface Group {
  id: number;
  nodes: string[];
  global: boolean;
}

export class Topology {
  /** @internal the graph; the DSL and the task engine read it. */
  readonly model: TopologyModel = {
    nodes: new Map(),
    children: new Map(),
    stores: new Map(),
    globalStores: new Set(),
    internalTopics: new Map(),
    copartitionSourceGroups: [],
  };
  private readonly topicToSource = new Map<string, string>();

  private addNode(def: NodeDef): void {
    if (typeof def.name !== 'string' || def.name === '') throw new TopologyException('a node name must be a non-empty string');
    if (this.model.nodes.has(def.name)) throw new TopologyException(`Processor ${def.name} is already added.`);
    const parents = def.kind === 'source' ? [] : def.parents;
    if (def.kind !== 'source' && parents.length === 0) throw new TopologyException(`${def.kind === 'sink' ? 'Sink' : 'Processor'} ${def.name} must have at least one parent`);
    for (const p of parents) {
      if (p === def.name) throw new TopologyException(`Processor ${def.name} cannot be a predecessor of itself.`);
      const pd = this.model.nodes.get(p);
      if (!pd) throw new TopologyException(`Parent processor ${p} is not added yet for ${def.name}.`);
      if (pd.kind === 'sink') throw new TopologyException(`Sink ${p} cannot be used a parent.`);
    }
    this.model.nodes.set(def.name, def);
    this.model.children.set(def.name, []);
    for (const p of parents) this.model.children.get(p)!.push(def.name);
  }

  /** Reads topics (Kafka: `addSource(name, ...topics)`); deserializers default to String. */
  addSource(nameOrOptions: string | SourceOptions, ...topics: string[]): this {
    const o = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
    this.addSourceNode(o, topics, false);
    return this;
  }

  /** @internal */
  addSourceNode(o: SourceOptions, topics: string[], global: boolean): void {
    if (topics.length === 0) throw new TopologyException(`Source ${o.name} must have at least one topic`);
    for (const t of topics) {
      if (typeof t !== 'string' || t === '') throw new TopologyException(`Source ${o.name}: a topic name must be a non-empty string`);
      const other = this.topicToSource.get(t);
      if (other !== undefined) throw new TopologyException(`Topic ${t} has already been registered by another source.`);
    }
    this.addNode({
      kind: 'source',
      name: o.name,
      topics: [...topics],
      keyDeserializer: o.keyDeserializer ?? Serdes.String(),
      valueDeserializer: o.valueDeserializer ?? Serdes.String(),
      ...(o.timestampExtractor ? { timestampExtractor: o.timestampExtractor } : {}),
      global,
    });
    for (const t of topics) this.topicToSource.set(t, o.name);
  }

  addProcessor<KIn, VIn, KOut, VOut>(name: string, supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>, ...parentNames: string[]): this {
    this.addNode({ kind: 'processor', name, supplier: supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, parents: [...parentNames], stores: [] });
    return this;
  }

  /** Writes to a topic (or a topic chosen per record); serializers default to String. */
  addSink<K, V>(nameOrOptions: string | SinkOptions, topic: string | TopicNameExtractor<K, V>, ...parentNames: string[]): this {
    const o = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
    if (typeof topic === 'string' && topic === '') throw new TopologyException(`Sink ${o.name}: the topic name must be non-empty`);
    const def: SinkNodeDef = {
      kind: 'sink',
      name: o.name,
      topic: topic as SinkNodeDef['topic'],
      parents: [...parentNames],
      keySerializer: o.keySerializer ?? Serdes.String(),
      valueSerializer: o.valueSerializer ?? Serdes.String(),
      ...(o.partitioner ? { partitioner: o.partitioner } : {}),
    };
    this.addNode(def);
    return this;
  }

  addStateStore(storeBuilder: StoreBuilder<unknown>, ...processorNames: string[]): this {
    if (this.model.stores.has(storeBuilder.name)) throw new TopologyException(`StateStore ${storeBuilder.name} is already added.`);
    this.model.stores.set(storeBuilder.name, storeBuilder);
    this.connectProcessorAndStateStores(processorNames, storeBuilder.name);
    return this;
  }

  connectProcessorAndStateStores(processorName: string | string[], ...storeNames: string[]): this {
    for (const p of Array.isArray(processorName) ? processorName : [processorName]) {
      const def = this.model.nodes.get(p);
      if (!def) throw new TopologyException(`Processor ${p} is not added yet.`);
      if (def.kind !== 'processor') throw new TopologyException(`cannot connect a store to ${def.kind} ${p}: only processors have stores`);
      for (const s of storeNames) {
        if (!this.model.stores.has(s)) throw new TopologyException(`StateStore ${s} is not added yet.`);
        if (this.model.globalStores.has(s)) throw new TopologyException(`Global StateStore ${s} can be used by a Processor without being specified; it should not be explicitly passed.`);
        if (!def.stores.includes(s)) def.stores.push(s);
      }
    }
    return this;
  }

  /**
   * A global store: every instance reads all partitions of `topic` through `stateUpdateSupplier`
   * into the store, and every task can read it (Kafka's `addGlobalStore`). Not logged: the topic
   * is its changelog.
   */
  addGlobalStore<K, V>(
    storeBuilder: StoreBuilder<unknown>,
    sourceName: string,
    keyDeserializer: Deserializer<K> | undefined,
    valueDeserializer: Deserializer<V> | undefined,
    topic: string,
    processorName: string,
    stateUpdateSupplier: ProcessorSupplier<K, V, void, void>,
  ): this {
    if (this.model.stores.has(storeBuilder.name)) throw new TopologyException(`StateStore ${storeBuilder.name} is already added.`);
    this.addSourceNode({ name: sourceName, keyDeserializer: keyDeserializer as Deserializer<unknown>, valueDeserializer: valueDeserializer as Deserializer<unknown> }, [topic], true);
    this.addProcessor(processorName, stateUpdateSupplier, sourceName);
    this.model.stores.set(storeBuilder.name, storeBuilder.withLoggingDisabled());
    this.model.globalStores.add(storeBuilder.name);
    (this.model.nodes.get(processorName) as ProcessorNodeDef).stores.push(storeBuilder.name);
    return this;
  }

  /** @internal an internal (repartition) topic, created by the runtime as `<application.id>-<name>`. */
  addInternalTopic(name: string, partitions?: number): void {
    this.model.internalTopics.set(name, { name, kind: 'repartition', ...(partitions !== undefined ? { partitions } : {}) });
  }

  /** @internal the topics of these source nodes must be co-partitioned. */
  copartitionSources(sourceNodeNames: Iterable<string>): void {
    const g = [...new Set(sourceNodeNames)];
    if (g.length > 1) this.model.copartitionSourceGroups.push(g);
  }

  // ---- grouping --------------------------------------------------------------------------------

  private groups(): Group[] {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let r = x;
      while (parent.get(r) !== r) r = parent.get(r)!;
      parent.set(x, r);
      return r;
    };
    const unite = (a: string, b: string) => parent.set(find(a), find(b));
    for (const n of this.model.nodes.keys()) parent.set(n, n);
    const storeUsers = new Map<string, string>();
    for (const def of this.model.nodes.values()) {
      if (def.kind !== 'source') for (const p of def.parents) unite(def.name, p);
      if (def.kind === 'processor') {
        for (const s of def.stores) {
          const u = storeUsers.get(s);
          if (u === undefined) storeUsers.set(s, def.name);
          else unite(u, def.name);
        }
      }
    }
    const names = [...this.model.nodes.keys()];
    const sources = names.filter((n) => this.model.nodes.get(n)!.kind === 'source').sort();
    const others = names.filter((n) => this.model.nodes.get(n)!.kind !== 'source').sort();
    const byRoot = new Map<string, Group>();
    const out: Group[] = [];
    for (const n of [...sources, ...others]) {
      const r = find(n);
      let g = byRoot.get(r);
      if (!g) {
        g = { id: out.length, nodes: [], global: false };
        byRoot.set(r, g);
        out.push(g);
      }
      g.nodes.push(n);
      const d = this.model.nodes.get(n)!;
      if (d.kind === 'source' && d.global) g.global = true;
    }
    return out;
  }

  // ---- build -----------------------------------------------------------------------------------

  build(): BuiltTopology {
    const groups = this.groups();
    const model = this.model;
    if (model.nodes.size === 0) throw new TopologyException('Topology has no stream threads and no global threads, must subscribe to at least one source topic or global table.');
    const spec = (name: string, global: boolean): StoreSpec => {
      const s = model.stores.get(name)!.spec();
      return global ? { ...s, logged: false } : s;
    };
    const subtopologies: SubtopologySpec[] = [];
    const globalStores: GlobalStoreSpec[] = [];
    const internalTopics: InternalTopicSpec[] = [...model.internalTopics.values()];
    const sinkTopics = new Set<string>();
    const taskGroups = new Map<number, string[]>();
    const globalNodes: string[] = [];
    for (const g of groups) {
      const defs = g.nodes.map((n) => model.nodes.get(n)!);
      const storeNames = [...new Set(defs.flatMap((d) => (d.kind === 'processor' ? d.stores : [])))];
      if (g.global) {
        const src = defs.find((d): d is SourceNodeDef => d.kind === 'source')!;
        for (const s of storeNames) globalStores.push({ topic: src.topics[0]!, store: spec(s, true) });
        globalNodes.push(...g.nodes);
        continue;
      }
      const topics = defs.flatMap((d) => (d.kind === 'source' ? d.topics : []));
      subtopologies.push({
        id: g.id,
        sourceTopics: topics,
        internalSources: topics.filter((t) => model.internalTopics.has(t)),
        stores: storeNames.map((s) => spec(s, false)),
      });
      taskGroups.set(g.id, g.nodes);
      for (const s of storeNames) {
        const sp = spec(s, false);
        if (sp.logged) internalTopics.push({ name: `${s}-changelog`, kind: 'changelog', configs: sp.changelogConfigs ?? {} });
      }
      for (const d of defs) if (d.kind === 'sink' && typeof d.topic === 'string' && !model.internalTopics.has(d.topic)) sinkTopics.add(d.topic);
    }
    // Groups of topics; the same group declared twice (two joins of the same inputs) counts once.
    const groupKeys = new Set<string>();
    const copartitionGroups = model.copartitionSourceGroups
      .map((g) => [...new Set(g.flatMap((n) => (model.nodes.get(n) as SourceNodeDef).topics))].sort())
      .filter((g) => {
        const k = JSON.stringify(g);
        return !groupKeys.has(k) && groupKeys.add(k) !== undefined;
      });
    const describe = this.describe();
    // Which sub-topologies write to each internal topic.
    const writers = new Map<string, number[]>();
    for (const g of groups) {
      for (const n of g.nodes) {
        const d = model.nodes.get(n)!;
        if (d.kind === 'sink' && typeof d.topic === 'string' && model.internalTopics.has(d.topic)) writers.set(d.topic, [...(writers.get(d.topic) ?? []), g.id]);
      }
    }
    const resolvePartitions = (partitionsOf: (topic: string) => number | undefined): Map<string, number> => {
      const result = new Map<string, number>();
      const resolving = new Set<string>();
      const resolve = (topic: string): number | undefined => {
        const internal = model.internalTopics.get(topic);
        if (!internal) return partitionsOf(topic);
        if (result.has(topic)) return result.get(topic);
        if (internal.partitions !== undefined) {
          result.set(topic, internal.partitions);
          return internal.partitions;
        }
        if (resolving.has(topic)) return undefined;
        resolving.add(topic);
        let n: number | undefined;
        for (const id of writers.get(topic) ?? []) {
          for (const t of subtopologies.find((s) => s.id === id)?.sourceTopics ?? []) {
            const c = resolve(t);
            if (c !== undefined && (n === undefined || c > n)) n = c;
          }
        }
        resolving.delete(topic);
        if (n !== undefined) result.set(topic, n);
        return n;
      };
      for (const t of model.internalTopics.keys()) resolve(t);
      for (const group of copartitionGroups) {
        const external = group.filter((t) => !model.internalTopics.has(t));
        const counts = new Map<string, number>();
        for (const t of external) {
          const c = partitionsOf(t);
          if (c !== undefined) counts.set(t, c);
        }
        if (new Set(counts.values()).size > 1) {
          const listed = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, c]) => `${t}=${c}`).join(', ');
          throw new TopologyException(`Following topics do not have the same number of partitions: [{${listed}}]`, {
            hint: 'co-partition them (equal partition counts), or repartition() one side',
          });
        }
        const internal = group.filter((t) => model.internalTopics.has(t));
        const n = counts.size > 0 ? [...counts.values()][0]! : Math.max(...internal.map((t) => result.get(t) ?? 0));
        if (!(n > 0)) continue;
        for (const t of internal) {
          const fixed = model.internalTopics.get(t)!.partitions;
          if (fixed !== undefined && fixed !== n) {
            throw new TopologyException(`Number of partitions [${fixed}] of repartition topic [${t}] doesn't match number of partitions [${n}] of the source topic.`);
          }
          result.set(t, n);
        }
      }
      return result;
    };
    return {
      subtopologies,
      internalTopics,
      copartitionGroups,
      globalStores,
      sinkTopics: [...sinkTopics],
      createTask(subtopology, env) {
        const nodes = taskGroups.get(subtopology);
        if (!nodes) throw new TopologyException(`no sub-topology ${subtopology}`);
        return createStreamTask(model, nodes, env, (src) => src.topics.map((t) => (model.internalTopics.has(t) ? env.internalTopicName(t) : t)));
      },
      createGlobalTask(env) {
        return createGlobalStoreTask(model, globalNodes, env);
      },
      describe: () => describe,
      resolvePartitions,
      serdeUses: () =>
        [...model.nodes.values()].flatMap((d): { serde: object; isKey: boolean; role: 'deserializer' | 'serializer'; topics: string[] }[] =>
          d.kind === 'source'
            ? [{ serde: d.keyDeserializer, isKey: true, role: 'deserializer', topics: d.topics }, { serde: d.valueDeserializer, isKey: false, role: 'deserializer', topics: d.topics }]
            : d.kind === 'sink'
              ? [{ serde: d.keySerializer, isKey: true, role: 'serializer', topics: typeof d.topic === 'string' ? [d.topic] : [] }, { serde: d.valueSerializer, isKey: false, role: 'serializer', topics: typeof d.topic === 'string' ? [d.topic] : [] }]
              : [],
        ),
    };
  }

  // ---- describe --------------------------------------------------------------------------------

  /** Kafka's `Topology.describe().toString()`. */
  describe(): string {
    const m = this.model;
    const size = new Map<string, number>();
    const sizeOf = (n: string): number => {
      let s = size.get(n);
      if (s === undefined) {
        s = 1 + (m.children.get(n) ?? []).reduce((a, c) => a + sizeOf(c), 0);
        size.set(n, s);
      }
      return s;
    };
    const order = (a: string, b: string) => sizeOf(b) - sizeOf(a) || (a < b ? -1 : a > b ? 1 : 0);
    const names = (ns: string[]) => (ns.length === 0 ? 'none' : [...ns].sort(order).join(', '));
    const parentsOf = (d: NodeDef) => (d.kind === 'source' ? [] : d.parents);
    const line = (d: NodeDef): string => {
      const kids = m.children.get(d.name) ?? [];
      if (d.kind === 'source') return `Source: ${d.name} (topics: [${javaHashSetOrder(d.topics).join(', ')}])\n      --> ${names(kids)}`;
      if (d.kind === 'processor') return `Processor: ${d.name} (stores: [${javaHashSetOrder(d.stores).join(', ')}])\n      --> ${names(kids)}\n      <-- ${names(parentsOf(d))}`;
      const topic = typeof d.topic === 'string' ? `topic: ${d.topic}` : `extractor class: ${d.topic.name || 'TopicNameExtractor'}`;
      return `Sink: ${d.name} (${topic})\n      <-- ${names(d.parents)}`;
    };
    let out = 'Topologies:\n ';
    for (const g of this.groups()) {
      out += '  ';
      if (g.global) {
        const src = g.nodes.map((n) => m.nodes.get(n)!).find((d) => d.kind === 'source')!;
        const proc = m.children.get(src.name)![0]!;
        out += `Sub-topology: ${g.id} for global store (will not generate tasks)\n    ${line(src)}\n    ${line(m.nodes.get(proc)!)}\n`;
        continue;
      }
      out += `Sub-topology: ${g.id}\n`;
      for (const n of [...g.nodes].sort(order)) out += `    ${line(m.nodes.get(n)!)}\n`;
      out += '\n';
    }
    return out;
  }
}

function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The iteration order of `new HashSet<>(list)` in Java (describe() prints Java sets). */
export function javaHashSetOrder(items: string[]): string[] {
  const uniq = [...new Set(items)];
  if (uniq.length <= 1) return uniq;
  let cap = 1;
  const want = Math.max(Math.floor(uniq.length / 0.75) + 1, 16);
  while (cap < want) cap <<= 1;
  const buckets = new Map<number, string[]>();
  for (const s of uniq) {
    const h = javaStringHash(s);
    const idx = (h ^ (h >>> 16)) & (cap - 1);
    const b = buckets.get(idx) ?? [];
    b.push(s);
    buckets.set(idx, b);
  }
  return [...buckets.keys()].sort((a, b) => a - b).flatMap((k) => buckets.get(k)!);
}
