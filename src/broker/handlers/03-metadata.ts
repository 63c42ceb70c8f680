/**
 * Metadata (3), v0-12. Brokers are advertised at the address of the listener the request came in
 * on (TCP host:port, or the Unix socket path for the local listener). Unknown topics are created
 * when auto-creation is allowed (v4+ flag, always before v4) and enabled on the broker.
 * Errors: UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID (v12 by id), INVALID_TOPIC_EXCEPTION,
 * LEADER_NOT_AVAILABLE (partition without a live leader). With the authorizer on, "all topics"
 * leaves out those the principal may not DESCRIBE, a named one gets TOPIC_AUTHORIZATION_FAILED, and
 * auto-creation needs CREATE on the cluster or the topic (else TOPIC_AUTHORIZATION_FAILED).
 */
import { Metadata, type MetadataResponse } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../util/ids.js';
import { CloseConnection } from '../../transport/server.js';
import { validateTopicName } from '../controller.js';
import { defineHandler } from '../handler.js';
import type { TopicState } from '../metadata/cluster-metadata.js';
import { clusterOperationsFor, NOT_REQUESTED, operationsFor } from '../acl-operations.js';
import { AclOp, ResourceType, allowed, clusterAllowed } from '../security/authorizer.js';
import { rackOf } from '../replica-selector.js';
import { turnTaker } from '../../util/slices.js';

/** The longest stretch of topic creation between two turns of the event loop. */
const YIELD_AFTER_MS = 10;

type TopicOut = MetadataResponse['topics'][number];

export default defineHandler({
  api: Metadata,
  minVersion: 0,
  maxVersion: 12,
  handle(req, ctx) {
    const { cluster, controller, apiVersion: v } = ctx;
    const md = cluster.metadata;
    const wantOps = !!req.includeTopicAuthorizedOperations;

    const describe = (t: TopicState): TopicOut => ({
      errorCode: 0,
      name: t.name,
      topicId: t.id,
      isInternal: t.internal,
      partitions: t.partitions.map((p, i) => {
        const leaderLive = p.leader >= 0 && cluster.isLive(p.leader) && !cluster.replicaOffline(p.leader, t.name, i);
        return {
          errorCode: leaderLive ? 0 : ErrorCode.LEADER_NOT_AVAILABLE,
          partitionIndex: i,
          leaderId: leaderLive ? p.leader : -1,
          leaderEpoch: p.leaderEpoch,
          replicaNodes: p.replicas,
          isrNodes: p.isr,
          offlineReplicas: p.replicas.filter((r) => !cluster.isLive(r) || cluster.replicaOffline(r, t.name, i)),
        };
      }),
      topicAuthorizedOperations: operationsFor(ctx, wantOps, ResourceType.TOPIC, t.name),
    });
    const missing = (name: string | null, code: number, id: Buffer = ZERO_UUID): TopicOut => ({
      errorCode: code,
      name,
      topicId: id,
      isInternal: false,
      partitions: [],
      topicAuthorizedOperations: NOT_REQUESTED,
    });

    const visible = (name: string) => allowed(ctx, AclOp.DESCRIBE, ResourceType.TOPIC, name);
    const denied = (name: string | null, id?: Buffer) => missing(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, id);
    let topics: TopicOut[];
    const all = req.topics === null || (v === 0 && req.topics.length === 0);
    if (all) {
      topics = md.allTopics().filter((t) => visible(t.name)).map(describe);
    } else {
      const autoCreate = (v < 4 || req.allowAutoTopicCreation !== false) && cluster.config.autoCreateTopics;
      // As Kafka: before v12 a topic is named, never null (the response could not carry it).
      if (v < 12 && req.topics!.some((t) => t.name === null)) throw new CloseConnection(`Topic name can not be null for Metadata version ${v}`);
      // The topics this request would create, checked together as Kafka's controller checks the one
      // CreateTopics its auto-creation sends: over the per-request limit, none is created (one
      // request naming 100,000 new topics held the daemon for a minute and ran it out of heap).
      const creatable = (name: string) => autoCreate && !md.topic(name) && !validateTopicName(name).code && visible(name) && (clusterAllowed(ctx, AclOp.CREATE) || allowed(ctx, AclOp.CREATE, ResourceType.TOPIC, name));
      // Each topic once, as Kafka answers the set of the named topics (or ids): a request naming
      // one topic 700,000 times was answered 700,000 times and ran the daemon out of heap.
      const named = new Map(req.topics!.map((t) => [t.name !== null && t.name !== undefined ? `n${t.name}` : `i${t.topicId?.toString('hex') ?? ''}`, t]));
      const wantedTopics = [...named.values()];
      const toCreate = new Set(wantedTopics.flatMap((t) => (t.name && creatable(t.name) ? [t.name] : [])));
      const overLimit = toCreate.size > 0 ? controller.checkPartitionsPerRequest([...toCreate].map(() => ({ numPartitions: -1, assignments: [] }))) : null;
      const answer = (wanted: (typeof req.topics & {})[number]): TopicOut => {
        if (wanted.name === null || wanted.name === undefined) {
          const byId = wanted.topicId ? md.topicById(wanted.topicId) : undefined;
          if (byId && !visible(byId.name)) return denied(null, wanted.topicId ?? undefined);
          return byId ? describe(byId) : missing(null, ErrorCode.UNKNOWN_TOPIC_ID, wanted.topicId);
        }
        if (!visible(wanted.name)) return denied(wanted.name);
        const existing = md.topic(wanted.name);
        if (existing) return describe(existing);
        if (validateTopicName(wanted.name).code) return missing(wanted.name, ErrorCode.INVALID_TOPIC_EXCEPTION);
        if (!autoCreate) return missing(wanted.name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        if (!clusterAllowed(ctx, AclOp.CREATE) && !allowed(ctx, AclOp.CREATE, ResourceType.TOPIC, wanted.name)) return denied(wanted.name);
        if (overLimit?.code) return missing(wanted.name, overLimit.code);
        const created = controller.createTopic(
          { name: wanted.name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] },
          false,
        );
        if (created.topic) return describe(created.topic);
        return missing(wanted.name, created.error.code === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.LEADER_NOT_AVAILABLE : created.error.code);
      };
      if (toCreate.size > 0 && !overLimit?.code) return answerCreating(wantedTopics, answer).then(respond);
      topics = wantedTopics.map(answer);
    }
    return respond(topics);

    function respond(topics: TopicOut[]): MetadataResponse {
      return {
        throttleTimeMs: 0,
        brokers: cluster
          .brokers()
          .filter((b) => cluster.isLive(b.id))
          .map((b) => {
            const ep = b.endpoints.get(ctx.listener)!;
            return { nodeId: b.id, host: ep.host, port: ep.port, rack: rackOf(cluster.config, b.id) };
          }),
        clusterId: md.clusterId,
        controllerId: cluster.controllerId,
        topics,
        clusterAuthorizedOperations: clusterOperationsFor(ctx, !!req.includeClusterAuthorizedOperations),
      };
    }
  },
});

/**
 * The answers of a request that creates topics, with turns of the event loop between them: each
 * creation appends and syncs a metadata record and makes a log, and one request auto-creating
 * 5,000 topics held every client for 14 s.
 */
async function answerCreating<T>(wanted: readonly T[], answer: (t: T) => TopicOut): Promise<TopicOut[]> {
  const turn = turnTaker(YIELD_AFTER_MS);
  const out: TopicOut[] = [];
  for (const t of wanted) {
    await turn();
    out.push(answer(t));
  }
  return out;
}
