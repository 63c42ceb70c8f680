/**
 * Admin operations over the Kafka protocol: topics, partitions, configs and offsets. Works
 * against the kafka-ts daemon and against any Kafka cluster.
 */
import {
  CreatePartitions,
  CreateTopics,
  DeleteRecords,
  DeleteTopics,
  DescribeCluster,
  DescribeConfigs,
  DescribeTopicPartitions,
  type DescribeTopicPartitionsResponse,
  IncrementalAlterConfigs,
  ListOffsets,
  type ListOffsetsResponse,
} from '../protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError } from '../protocol/errors.js';
import { ConnectionError, RequestTimeoutError } from '../transport/client-connection.js';
import type { BrokerInfo, ClusterInfo, KafkaClient, PartitionInfo } from './client.js';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
export const RESOURCE_BROKER_LOGGER = 8;
export const CONFIG_SOURCE_DEFAULT = 5;
/** How much longer than a request's own timeout the client waits for a broker that honours it (DeleteRecords). */
const BROKER_DEADLINE_HEADROOM_MS = 5000;

/** The broker a config resource must be sent to (Kafka's admin client): a broker's own id, else none. */
const configTarget = (type: number, name: string): number | undefined =>
  (type === RESOURCE_BROKER || type === RESOURCE_BROKER_LOGGER) && /^\d+$/.test(name) ? Number(name) : undefined;

/** Resources named in one DescribeConfigs request at most (the rest go in further requests). */
export const DESCRIBE_CONFIGS_BATCH = 500;

/** `items` cut into consecutive lists of `size` (the last one shorter). */
const inBatches = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Special ListOffsets timestamps. */
export const OffsetSpec = { latest: -1, earliest: -2, maxTimestamp: -3 } as const;

export interface NewTopicSpec {
  name: string;
  /** -1: broker default. */
  partitions: number;
  /** -1: broker default. */
  replicationFactor: number;
  /** Explicit replicas per partition (partition index order). */
  assignment?: number[][];
  configs?: Record<string, string>;
}

export interface TopicResult {
  name: string;
  error: KafkaProtocolError | null;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: number;
  isDefault: boolean;
  isSensitive: boolean;
  readOnly: boolean;
  synonyms: { name: string; value: string | null; source: number }[];
}

export interface PartitionDescription extends PartitionInfo {
  /** Eligible leader replicas; null when the broker could not tell (Metadata API only). */
  elr: number[] | null;
  lastKnownElr: number[] | null;
}

export interface TopicDescription {
  name: string;
  id: Buffer;
  internal: boolean;
  partitions: PartitionDescription[];
}

export interface OffsetResult {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  error: KafkaProtocolError | null;
}

/** `requests` in rounds that name each (topic, partition) once: the first mentions, then the second ones, and so on. */
function mentionRounds<T extends { topic: string; partition: number }>(requests: T[]): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const r of requests) {
    const key = `${r.topic}\0${r.partition}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    (rounds[n] ??= []).push(r);
  }
  return rounds;
}

const errorOf = (code: number, message?: string | null) => (code ? new KafkaProtocolError(code, message) : null);

/** ListOffsets errors of a partition whose leader is moving or not known yet: worth asking again (Kafka's retriable ones). */
const RETRIABLE_OFFSET_ERRORS = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.OFFSET_NOT_AVAILABLE,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

export class Admin {
  constructor(readonly client: KafkaClient) {}

  async metadata(topics: string[] | null): Promise<ClusterInfo> {
    return this.client.refreshMetadata(topics);
  }

  /** Every topic name with its internal flag, sorted by name. */
  async listTopics(): Promise<{ name: string; internal: boolean }[]> {
    const md = await this.client.refreshMetadata(null);
    return [...md.topics.values()]
      .filter((t) => t.errorCode === 0)
      .map((t) => ({ name: t.name, internal: t.internal }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async describeCluster(): Promise<{ clusterId: string | null; controllerId: number; brokers: BrokerInfo[] }> {
    if (await this.client.supports(DescribeCluster)) {
      const { body } = await this.client.send('any', DescribeCluster, { includeClusterAuthorizedOperations: false, endpointType: 1 });
      if (body.errorCode) throw new KafkaProtocolError(body.errorCode, body.errorMessage);
      return {
        clusterId: body.clusterId,
        controllerId: body.controllerId,
        brokers: body.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
      };
    }
    const md = await this.client.refreshMetadata([]);
    return { clusterId: md.clusterId, controllerId: md.controllerId, brokers: [...md.brokers.values()] };
  }

  /**
   * Describes topics: partitions with leader, replicas and ISR (and ELR fields when the broker
   * has DescribeTopicPartitions). Unknown topics are left out.
   */
  async describeTopics(names: string[]): Promise<TopicDescription[]> {
    if (names.length === 0) return [];
    const md = await this.client.refreshMetadata(names);
    const out: TopicDescription[] = [];
    const withElr = await this.client.supports(DescribeTopicPartitions);
    const elr = new Map<string, Map<number, { elr: number[] | null; lastKnownElr: number[] | null }>>();
    if (withElr) {
      let cursor: { topicName: string; partitionIndex: number } | null = null;
      do {
        // Annotated: `cursor` flows from one response into the next request.
        const { body }: { body: DescribeTopicPartitionsResponse } = await this.client.send('any', DescribeTopicPartitions, {
          topics: names.map((name) => ({ name })),
          responsePartitionLimit: 2000,
          cursor,
        });
        for (const t of body.topics) {
          if (t.errorCode || t.name === null) continue;
          const m = elr.get(t.name) ?? new Map();
          for (const p of t.partitions) m.set(p.partitionIndex, { elr: p.eligibleLeaderReplicas ?? [], lastKnownElr: p.lastKnownElr ?? [] });
          elr.set(t.name, m);
        }
        cursor = body.nextCursor;
      } while (cursor);
    }
    for (const name of names) {
      const t = md.topics.get(name);
      if (!t || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || t.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION) continue;
      out.push({
        name: t.name,
        id: t.id,
        internal: t.internal,
        partitions: t.partitions.map((p) => ({
          ...p,
          elr: elr.get(name)?.get(p.partition)?.elr ?? null,
          lastKnownElr: elr.get(name)?.get(p.partition)?.lastKnownElr ?? null,
        })),
      });
    }
    return out;
  }

  async createTopics(topics: NewTopicSpec[], validateOnly = false): Promise<TopicResult[]> {
    const { body } = await this.client.send('controller', CreateTopics, {
      topics: topics.map((t) => ({
        name: t.name,
        numPartitions: t.assignment ? -1 : t.partitions,
        replicationFactor: t.assignment ? -1 : t.replicationFactor,
        assignments: (t.assignment ?? []).map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs: this.client.requestTimeoutMs,
      validateOnly,
    });
    return body.topics.map((t) => ({ name: t.name, error: errorOf(t.errorCode, t.errorMessage) }));
  }

  async deleteTopics(names: string[]): Promise<TopicResult[]> {
    const { body } = await this.client.send('controller', DeleteTopics, (v) =>
      v >= 6 ? { topics: names.map((name) => ({ name, topicId: Buffer.alloc(16) })), timeoutMs: this.client.requestTimeoutMs } : { topicNames: names, timeoutMs: this.client.requestTimeoutMs },
    );
    return body.responses.map((r) => ({ name: r.name ?? '', error: errorOf(r.errorCode, r.errorMessage) }));
  }

  async createPartitions(name: string, count: number, assignment: number[][] | null, validateOnly = false): Promise<TopicResult> {
    return (await this.createPartitionsFor([{ name, count, assignment }], validateOnly))[0]!;
  }

  /** CreatePartitions for several topics in one request, as Kafka's admin client sends them: each topic succeeds or fails on its own. */
  async createPartitionsFor(topics: { name: string; count: number; assignment: number[][] | null }[], validateOnly = false): Promise<TopicResult[]> {
    const { body } = await this.client.send('controller', CreatePartitions, {
      topics: topics.map(({ name, count, assignment }) => ({ name, count, assignments: assignment ? assignment.map((brokerIds) => ({ brokerIds })) : null })),
      timeoutMs: this.client.requestTimeoutMs,
      validateOnly,
    });
    return body.results.map((r) => ({ name: r.name, error: errorOf(r.errorCode, r.errorMessage) }));
  }

  async describeConfigs(resources: { type: number; name: string; keys?: string[] }[], includeSynonyms = false): Promise<Map<string, ConfigEntry[]>> {
    const out = new Map<string, ConfigEntry[]>();
    // As Kafka's admin client: a broker's (or broker logger's) resource goes to that broker, the rest to any.
    const byTarget = new Map<number | 'any', typeof resources>();
    for (const r of resources) {
      const target = configTarget(r.type, r.name) ?? 'any';
      const list = byTarget.get(target);
      if (list) list.push(r);
      else byTarget.set(target, [r]);
    }
    // In batches: one request naming every topic of a large cluster (24,000 topics with synonyms)
    // was an answer of a hundred megabytes, built at once in the broker's heap. Kafka's
    // ConfigCommand asks per entity; a few hundred a request keeps the round trips few.
    const batches = [...byTarget].flatMap(([target, list]) => inBatches(list, DESCRIBE_CONFIGS_BATCH).map((batch) => [target, batch] as const));
    for (const [target, batch] of batches) {
      const { body } = await this.client.send(target, DescribeConfigs, {
        resources: batch.map((r) => ({ resourceType: r.type, resourceName: r.name, configurationKeys: r.keys ?? null })),
        includeSynonyms,
        includeDocumentation: false,
      });
      for (const r of body.results) {
        if (r.errorCode) throw new KafkaProtocolError(r.errorCode, r.errorMessage);
        out.set(
          `${r.resourceType}:${r.resourceName}`,
          r.configs.map((c) => ({
            name: c.name,
            value: c.isSensitive ? null : c.value,
            source: c.configSource ?? (c.isDefault ? CONFIG_SOURCE_DEFAULT : 1),
            isDefault: c.isDefault ?? c.configSource === CONFIG_SOURCE_DEFAULT,
            isSensitive: c.isSensitive,
            readOnly: c.readOnly,
            synonyms: (c.synonyms ?? []).map((s) => ({ name: s.name ?? '', value: s.value ?? null, source: s.source ?? 0 })),
          })),
        );
      }
    }
    return out;
  }

  /**
   * The brokers' documentation of some configs of one resource (DescribeConfigs v3+; empty from a
   * broker that gives none).
   */
  async configDocumentation(type: number, name: string, keys: string[]): Promise<Map<string, string>> {
    const { body } = await this.client.send(configTarget(type, name) ?? 'any', DescribeConfigs, {
      resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }],
      includeSynonyms: false,
      includeDocumentation: true,
    });
    const out = new Map<string, string>();
    for (const r of body.results) {
      if (r.errorCode) throw new KafkaProtocolError(r.errorCode, r.errorMessage);
      for (const c of r.configs) if (c.documentation) out.set(c.name, c.documentation);
    }
    return out;
  }

  /** Sets (value) or removes (null) configs of one resource; a broker's own configs go to that broker. */
  async alterConfigs(type: number, name: string, changes: Record<string, string | null>, validateOnly = false): Promise<void> {
    const { body } = await this.client.send(configTarget(type, name) ?? 'controller', IncrementalAlterConfigs, {
      resources: [
        {
          resourceType: type,
          resourceName: name,
          configs: Object.entries(changes).map(([k, v]) => ({ name: k, configOperation: v === null ? 1 : 0, value: v })),
        },
      ],
      validateOnly,
    });
    const r = body.responses[0]!;
    if (r.errorCode) throw new KafkaProtocolError(r.errorCode, r.errorMessage);
  }

  /**
   * Offsets for partitions by timestamp spec (-1 latest, -2 earliest, -3 max timestamp, or a
   * time in ms). Requests go to each partition's leader.
   *
   * With `retryUntil` (a time, Date.now()'s clock), partitions whose leader is moving or not known
   * yet (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, ...; a leader that cannot be reached) are
   * asked again, with fresh metadata, every retry.backoff.ms until then, as Kafka's clients retry
   * within default.api.timeout.ms: a consumer starting during a leader election starts. Past it,
   * their errors are returned (a leader never reached: its connection error is thrown). Without
   * it, one attempt: tools that report each partition's answer get it at once.
   */
  async listOffsets(requests: { topic: string; partition: number; timestamp: number }[], isolationLevel = 0, retryUntil?: number): Promise<OffsetResult[]> {
    const done: OffsetResult[] = [];
    let pending = requests;
    for (;;) {
      const { results, unreached } = await this.listOffsetsOnce(pending, isolationLevel, retryUntil !== undefined);
      const again = results.filter((r) => r.error && RETRIABLE_OFFSET_ERRORS.has(r.error.code));
      done.push(...results.filter((r) => !again.includes(r)));
      const last = retryUntil === undefined || Date.now() + this.client.retryBackoffMs >= retryUntil;
      if (last && unreached) throw unreached.error;
      if (last || (again.length === 0 && !unreached)) return [...done, ...again];
      const retry = new Set([...again, ...(unreached?.partitions ?? [])].map((r) => `${r.topic}\0${r.partition}`));
      pending = pending.filter((r) => retry.has(`${r.topic}\0${r.partition}`));
      await new Promise((r) => setTimeout(r, this.client.retryBackoffMs));
    }
  }

  /**
   * One round of listOffsets. With `keepGoing`, a leader that cannot be reached fails only its
   * own partitions (`unreached`, to be retried); otherwise its connection error is thrown.
   */
  private async listOffsetsOnce(
    requests: { topic: string; partition: number; timestamp: number }[],
    isolationLevel: number,
    keepGoing: boolean,
  ): Promise<{ results: OffsetResult[]; unreached: { error: unknown; partitions: { topic: string; partition: number }[] } | null }> {
    const byLeader = new Map<number, typeof requests>();
    const results: OffsetResult[] = [];
    let unreached: { error: unknown; partitions: { topic: string; partition: number }[] } | null = null;
    await this.client.refreshMetadata([...new Set(requests.map((r) => r.topic))]);
    for (const r of requests) {
      let leader: number;
      try {
        leader = await this.client.leaderFor(r.topic, r.partition);
      } catch (e) {
        results.push({ ...r, offset: -1, timestamp: -1, error: e as KafkaProtocolError });
        continue;
      }
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), r]);
    }
    await Promise.all(
      [...byLeader].map(async ([leader, all]) => {
        // A request names each partition once (Kafka answers every mention of a partition named
        // twice with INVALID_REQUEST): a partition asked for twice (earliest and latest, say) is
        // asked again in a later request, so the answers keep the order of the questions.
        const rounds = mentionRounds(all);
        for (const [i, reqs] of rounds.entries()) {
          const topics = new Map<string, typeof reqs>();
          for (const r of reqs) topics.set(r.topic, [...(topics.get(r.topic) ?? []), r]);
          let body: ListOffsetsResponse;
          try {
            ({ body } = await this.client.send(leader, ListOffsets, {
              replicaId: -1,
              isolationLevel,
              topics: [...topics].map(([name, ps]) => ({
                name,
                partitions: ps.map((p) => ({ partitionIndex: p.partition, currentLeaderEpoch: -1, timestamp: p.timestamp, maxNumOffsets: 1 })),
              })),
            }));
          } catch (e) {
            if (!keepGoing || !(e instanceof ConnectionError || e instanceof RequestTimeoutError)) throw e;
            unreached = { error: e, partitions: [...(unreached?.partitions ?? []), ...rounds.slice(i).flat()] };
            return;
          }
          for (const t of body.topics) {
            for (const p of t.partitions) {
              results.push({
                topic: t.name,
                partition: p.partitionIndex,
                offset: p.offset ?? p.oldStyleOffsets?.[0] ?? -1,
                timestamp: p.timestamp ?? -1,
                error: errorOf(p.errorCode),
              });
            }
          }
        }
      }),
    );
    return { results, unreached };
  }

  async deleteRecords(requests: { topic: string; partition: number; offset: number }[]): Promise<{ topic: string; partition: number; lowWatermark: number; error: KafkaProtocolError | null }[]> {
    const out: { topic: string; partition: number; lowWatermark: number; error: KafkaProtocolError | null }[] = [];
    const byLeader = new Map<number, typeof requests>();
    for (const r of requests) {
      const leader = await this.client.leaderFor(r.topic, r.partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), r]);
    }
    for (const [leader, reqs] of byLeader) {
      const topics = new Map<string, typeof reqs>();
      for (const r of reqs) topics.set(r.topic, [...(topics.get(r.topic) ?? []), r]);
      // The broker waits up to timeoutMs for the followers, then answers REQUEST_TIMED_OUT per
      // partition: the client waits a little longer, so that this answer, not its own timeout, ends the call.
      const { body } = await this.client.send(
        leader,
        DeleteRecords,
        {
          topics: [...topics].map(([name, ps]) => ({ name, partitions: ps.map((p) => ({ partitionIndex: p.partition, offset: p.offset })) })),
          timeoutMs: this.client.requestTimeoutMs,
        },
        { timeoutMs: this.client.requestTimeoutMs + BROKER_DEADLINE_HEADROOM_MS },
      );
      for (const t of body.topics) for (const p of t.partitions) out.push({ topic: t.name, partition: p.partitionIndex, lowWatermark: p.lowWatermark, error: errorOf(p.errorCode) });
    }
    return out;
  }
}
