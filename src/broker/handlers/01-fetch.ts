/**
 * Fetch (1), v0-13. Sessionless: every response carries session id 0, which clients accept as
 * "no session" and keep sending full requests. The broker's fetch session cache is always empty,
 * so an incremental request (v7+, session epoch neither 0, INITIAL, nor -1, FINAL) names a session
 * it does not have: FETCH_SESSION_ID_NOT_FOUND at once, with no partitions, as Kafka's
 * FetchManager.newContext answers (SessionErrorContext); the client then sends a full fetch. Returns stored batches unchanged (v2 format for
 * every version; sarama and other old-version readers decode them by their magic byte).
 * Errors: OFFSET_OUT_OF_RANGE, UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID (v13+),
 * NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH (v9+ current leader epoch),
 * UNSUPPORTED_COMPRESSION_TYPE (zstd before v10), KAFKA_STORAGE_ERROR (a read hit an I/O error, which
 * takes the log dir offline, or the dir is offline already). Followers fetch with their broker id as replica
 * id: they read up to the log end, and a diverging log gets divergingEpoch (v12+).
 * A partition named twice is fetched and answered once (its last mention's offset, its first
 * place), as Kafka's FetchRequest.fetchData map does.
 * isolation_level (v4+; another value than 0 or 1 fails the request with UNKNOWN_SERVER_ERROR, as
 * Kafka's IsolationLevel.forId makes it): read_committed consumers get data only below the last stable offset and
 * the aborted transactions (producer id, first offset) overlapping what they got, so they can skip
 * aborted records; every response carries last_stable_offset (the high watermark when no
 * transaction is open).
 * Follower fetching (KIP-392): a consumer's v11+ fetch may go to a follower, which serves it up to
 * its high watermark; with replica.selector.class=RackAwareReplicaSelector the leader answers a
 * consumer whose rack_id names another replica's rack (broker.rack / kafka-ts.broker.racks) with
 * preferred_read_replica and no records (see ../fetch.ts, ../replica-selector.ts).
 * Authorization: consumers need READ on each topic (else TOPIC_AUTHORIZATION_FAILED for its
 * partitions), followers CLUSTER_ACTION on the cluster (else CLUSTER_AUTHORIZATION_FAILED).
 */
import { Fetch, type FetchRequest, type FetchResponse } from '../../protocol/apis/index.js';
import { lastMentionWins, type TopicShape } from '../request-partitions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { errorResponse } from '../error-response.js';
import { AclOp, ResourceType, allowed, clusterAllowed } from '../security/authorizer.js';
import { defineHandler } from '../handler.js';
import { fetchPartitions, type PartitionFetch } from '../fetch.js';
import { rackOf, racksOf } from '../replica-selector.js';

/** KIP-227: epoch 0 (INITIAL) opens a session, -1 (FINAL) fetches without one; both list every partition. */
const isFullFetch = (epoch: number) => epoch === 0 || epoch === -1;

type FetchTopic = FetchRequest['topics'][number];
const FETCH_TOPICS: TopicShape<FetchTopic, FetchTopic['partitions'][number]> = {
  key: (t) => t.topic ?? '',
  partitions: (t) => t.partitions,
  partition: (p) => p.partition,
  with: (t, partitions) => ({ ...t, partitions }),
  mergeTopics: false,
};
const FETCH_TOPICS_BY_ID: typeof FETCH_TOPICS = { ...FETCH_TOPICS, key: (t) => t.topicId?.toString('hex') ?? '' };

/** FetchRequest.getErrorResponse: the error in every partition and at the top (v7+); v13+ at the top only. */
function unknownServerError(req: FetchRequest, v: number): FetchResponse<Buffer[]> {
  const errorCode = ErrorCode.UNKNOWN_SERVER_ERROR;
  return {
    throttleTimeMs: 0,
    errorCode,
    sessionId: 0,
    responses:
      v >= 13
        ? []
        : req.topics.map((t) => ({
            topic: t.topic ?? '',
            partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, preferredReadReplica: -1, records: [] })),
          })),
  };
}

export default defineHandler({
  api: Fetch,
  minVersion: 0,
  maxVersion: 13,
  async handle(req, ctx) {
    const { partitions, apiVersion: v } = ctx;
    const md = ctx.cluster.metadata;
    const replicaId = req.replicaId ?? req.replicaState?.replicaId ?? -1;
    if (v >= 7 && !isFullFetch(req.sessionEpoch ?? -1)) return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    if (replicaId >= 0 && !clusterAllowed(ctx, AclOp.CLUSTER_ACTION)) return errorResponse(Fetch, v, req, ErrorCode.CLUSTER_AUTHORIZATION_FAILED) as unknown as FetchResponse;
    // An isolation level other than READ_UNCOMMITTED (0) or READ_COMMITTED (1): Kafka's
    // IsolationLevel.forId throws, and KafkaApis answers the request's error response with
    // UNKNOWN_SERVER_ERROR (FetchRequest.getErrorResponse: v13+ the top-level code alone).
    if (v >= 4 && req.isolationLevel !== 0 && req.isolationLevel !== 1) return unknownServerError(req, v);
    const items: PartitionFetch[] = [];
    const denied = new Set<(typeof req.topics)[number]>();
    // A partition named twice is fetched once, with its last mention's offset and limits, in its
    // first mention's place (FetchRequest.fetchData is a LinkedHashMap).
    const topics = lastMentionWins(req.topics, v >= 13 ? FETCH_TOPICS_BY_ID : FETCH_TOPICS).map((t) => {
      const state = v >= 13 ? md.topicById(t.topicId!) : md.topic(t.topic!);
      const name = v >= 13 ? (state?.name ?? null) : t.topic!;
      if (replicaId < 0 && name !== null && !allowed(ctx, AclOp.READ, ResourceType.TOPIC, name)) denied.add(t);
      else for (const p of t.partitions) {
        items.push({
          topic: name,
          partition: p.partition,
          fetchOffset: p.fetchOffset,
          partitionMaxBytes: p.partitionMaxBytes,
          unknownTopicId: v >= 13 && !state,
          currentLeaderEpoch: p.currentLeaderEpoch ?? -1,
          lastFetchedEpoch: p.lastFetchedEpoch ?? -1,
          logStartOffset: p.logStartOffset ?? -1,
        });
      }
      return t;
    });
    const data = await fetchPartitions(partitions, items, {
      replicaId,
      maxWaitMs: Math.max(0, req.maxWaitMs),
      minBytes: req.minBytes,
      maxBytes: req.maxBytes ?? 0x7fffffff,
      apiVersion: v,
      isolationLevel: v >= 4 ? (req.isolationLevel ?? 0) : 0,
      closed: ctx.closed,
      onClose: ctx.onClose,
      responseRoom: ctx.responseRoom,
      whenResponseRoom: ctx.whenResponseRoom,
      reserveResponse: ctx.reserveResponse,
      readReplicas:
        replicaId < 0 && v >= 11
          ? { clientRack: req.rackId ?? '', rackAware: racksOf(ctx.cluster.config).rackAware, rackOf: (id) => rackOf(ctx.cluster.config, id), isLive: (id) => ctx.cluster.isLive(id), selfLive: () => ctx.cluster.isLive(ctx.cluster.id) }
          : undefined,
    });
    let i = 0;
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: topics.map((t) => ({
        topic: t.topic ?? '',
        topicId: t.topicId,
        partitions: t.partitions.map((p) => {
          if (denied.has(t)) return { partitionIndex: p.partition, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, preferredReadReplica: -1, records: [] };
          const d = data[i++]!;
          return {
            partitionIndex: p.partition,
            errorCode: d.errorCode,
            highWatermark: d.highWatermark,
            lastStableOffset: d.lastStableOffset,
            logStartOffset: d.logStartOffset,
            abortedTransactions: d.abortedTransactions ?? null,
            preferredReadReplica: d.preferredReadReplica ?? -1,
            ...(d.divergingEpoch && v >= 12 ? { divergingEpoch: d.divergingEpoch } : {}),
            // The schema writes a list of batches back to back without concatenating them.
            records: d.records,
          };
        }),
      })),
    };
  },
});
