/**
 * Produce (0), v0-9. From v3 each partition must carry exactly one record batch v2; it is checked
 * (size, magic, CRC) and appended as received. v0-2 carry legacy message sets (magic 0/1), which
 * are converted to one v2 batch with the same codec, as Kafka converts old formats on append.
 * Each partition's records go through the one leader-append path (../append/leader-append.ts).
 * (librdkafka up to 2.11 compresses gzip, snappy and lz4 only when the broker's Produce range
 * reaches down to v0.) acks=0 gets no response at all; acks=-1 waits for the in-sync replicas.
 * A refused batch leaves the log and the producer state as they were.
 * Errors: INVALID_REQUIRED_ACKS, INVALID_RECORD, CORRUPT_MESSAGE, MESSAGE_TOO_LARGE (its message
 * names the topic's max.message.bytes), UNSUPPORTED_COMPRESSION_TYPE (zstd before v7),
 * UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, INVALID_TOPIC_EXCEPTION (internal topics), NOT_ENOUGH_REPLICAS,
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT; for idempotent producers (a producer id in
 * the batch) OUT_OF_ORDER_SEQUENCE_NUMBER and INVALID_PRODUCER_EPOCH, while a retried batch gets
 * its original offsets (see producer-state.ts); for transactional producers INVALID_TXN_STATE (a
 * non-transactional batch while the producer's transaction is open, or, with
 * transaction.partition.verification.enable (KIP-890, the default), a transactional batch that
 * would start the producer's transaction in a partition the coordinator does not have in it;
 * coordinator errors meanwhile are NOT_ENOUGH_REPLICAS, retriable), and
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED without WRITE on the transactional id, or for every
 * partition when a transactional batch comes without a transactional id (as Kafka);
 * TOPIC_AUTHORIZATION_FAILED without WRITE on the topic; KAFKA_STORAGE_ERROR (retriable) when the
 * append hits an I/O error (nothing is acknowledged; the log dir goes offline, ../log-dirs.ts) or
 * the partition's log dir is already offline.
 */
import { Produce, type ProduceRequest, type ProduceResponse } from '../../protocol/apis/index.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { isTransactionalBatch } from '../../protocol/record-batch.js';
import { type AppendOutcome, produceToLeader } from '../append/leader-append.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';
import { lastMentionWins, type TopicShape } from '../request-partitions.js';

const DENIED: AppendOutcome = { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };

/** Whether a partition's records (from v3 one batch v2) are a transactional batch (Kafka's hasTransactionalRecords). */
const transactional = (records: Buffer | null): boolean => records !== null && records.length >= 23 && records[16] === 2 && isTransactionalBatch(records.readInt16BE(21));

type PartitionOut = ProduceResponse['responses'][number]['partitionResponses'][number];

function partitionResponse(index: number, out: AppendOutcome): PartitionOut {
  if (out.errorCode === 0) {
    return { index, errorCode: 0, baseOffset: out.baseOffset, logAppendTimeMs: out.logAppendTimeMs, logStartOffset: out.logStartOffset, recordErrors: [], errorMessage: null };
  }
  return {
    index,
    errorCode: out.errorCode,
    baseOffset: out.baseOffset,
    logAppendTimeMs: -1,
    logStartOffset: out.logStartOffset,
    recordErrors: out.recordErrors ?? [],
    errorMessage: out.errorMessage ?? errorInfo(out.errorCode).message,
  };
}

const PRODUCE_TOPICS: TopicShape<ProduceRequest['topicData'][number], ProduceRequest['topicData'][number]['partitionData'][number]> = {
  key: (t) => t.name,
  partitions: (t) => t.partitionData,
  partition: (p) => p.index,
  with: (t, partitionData) => ({ ...t, partitionData }),
  mergeTopics: true,
};

export default defineHandler({
  api: Produce,
  minVersion: 0,
  maxVersion: 9,
  async handle(req, ctx) {
    // A transactional producer needs WRITE on its transactional id (Kafka: every partition refused).
    // A transactional batch without a transactional id is refused so too (KafkaApis.handleProduceRequest).
    // A partition named twice is appended once, with its last batch, and answered once; a topic
    // named twice is answered as one (KafkaApis.handleProduceRequest reads the request into a map).
    const topicData = lastMentionWins(req.topicData, PRODUCE_TOPICS);
    const txnDenied =
      req.transactionalId != null
        ? !allowed(ctx, AclOp.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)
        : ctx.apiVersion >= 3 && topicData.some((t) => t.partitionData.some((p) => transactional(p.records)));
    const responses = await Promise.all(
      topicData.map(async (t) => ({
        name: t.name,
        partitionResponses: await Promise.all(
          t.partitionData.map(async (p) =>
            partitionResponse(
              p.index,
              txnDenied
                ? { ...DENIED, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED }
                : allowed(ctx, AclOp.WRITE, ResourceType.TOPIC, t.name)
                ? await produceToLeader(ctx.partitions, t.name, p.index, p.records, { acks: req.acks, timeoutMs: req.timeoutMs, apiVersion: ctx.apiVersion, transactionalId: req.transactionalId ?? null })
                : DENIED,
            ),
          ),
        ),
      })),
    );
    if (req.acks === 0) return null;
    return { responses, throttleTimeMs: 0 };
  },
});
