/**
 * WriteTxnMarkers (27), v0-1: the transaction coordinator asks each partition leader to close a
 * producer's transaction. For every partition named, the leader appends a control batch (the
 * producer's id and epoch, one record: COMMIT or ABORT with the coordinator epoch) through the one
 * leader-append path with acks=-1, so it is replicated like any batch and the answer waits for
 * the in-sync replicas. The marker closes the producer's transaction (the last stable offset moves
 * on), an ABORT is recorded in the aborted-transaction index, and on __consumer_offsets the group
 * coordinator makes the transaction's pending offsets visible (commit) or drops them (abort).
 * Errors per partition as Kafka: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
 * INVALID_PRODUCER_EPOCH (an epoch older than the producer's), TRANSACTION_COORDINATOR_FENCED (an
 * older coordinator epoch), NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR.
 * Authorization: CLUSTER_ACTION on the cluster (brokers only), else CLUSTER_AUTHORIZATION_FAILED
 * for every partition.
 */
import { WriteTxnMarkers } from '../../protocol/apis/index.js';
import { ControlType } from '../../protocol/control-records.js';
import { ErrorCode } from '../../protocol/errors.js';
import { appendMarkerToLeader } from '../append/leader-append.js';
import { defineHandler } from '../handler.js';
import { AclOp, clusterAllowed } from '../security/authorizer.js';

/** Kafka's coordinator writes markers with request.timeout.ms (30 s by default) as the acks=-1 timeout. */
const MARKER_TIMEOUT_MS = 30_000;
const OFFSETS_TOPIC = '__consumer_offsets';

export default defineHandler({
  api: WriteTxnMarkers,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx) {
    if (!clusterAllowed(ctx, AclOp.CLUSTER_ACTION)) {
      return {
        markers: req.markers.map((m) => ({
          producerId: m.producerId,
          topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED })) })),
        })),
      };
    }
    const markers = await Promise.all(
      req.markers.map(async (m) => {
        const marker = { type: m.transactionResult ? ControlType.Commit : ControlType.Abort, coordinatorEpoch: m.coordinatorEpoch };
        const topics = await Promise.all(
          m.topics.map(async (t) => ({
            name: t.name,
            partitions: await Promise.all(
              t.partitionIndexes.map(async (partition) => {
                const out = await appendMarkerToLeader(ctx.partitions, t.name, partition, m.producerId, m.producerEpoch, marker, MARKER_TIMEOUT_MS);
                if (out.errorCode === 0 && t.name === OFFSETS_TOPIC) ctx.groups.completeTransaction(partition, m.producerId, m.transactionResult);
                return { partitionIndex: partition, errorCode: out.errorCode };
              }),
            ),
          })),
        );
        return { producerId: m.producerId, topics };
      }),
    );
    return { markers };
  },
});
