/**
 * Produce (0), v0-9. From v3 each partition must carry exactly one record batch v2; it is checked
 * (size, magic, CRC) and appended as received. v0-2 carry legacy message sets (magic 0/1), which
 * are converted to one v2 batch with the same codec, as Kafka converts old formats on append.
 * (librdkafka up to 2.11 compresses gzip, snappy and lz4 only when the broker's Produce range
 * reaches down to v0.) acks=0 gets no response at all; acks=-1 waits for the in-sync replicas.
 * A refused batch leaves the log and the producer state as they were.
 * Errors: INVALID_REQUIRED_ACKS, INVALID_RECORD, CORRUPT_MESSAGE, MESSAGE_TOO_LARGE (its message
 * names the topic's max.message.bytes), UNSUPPORTED_COMPRESSION_TYPE (zstd before v7),
 * UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, INVALID_TOPIC_EXCEPTION (internal topics), NOT_ENOUGH_REPLICAS,
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT; for idempotent producers (a producer id in
 * the batch) OUT_OF_ORDER_SEQUENCE_NUMBER and INVALID_PRODUCER_EPOCH, while a retried batch gets
 * its original offsets (see producer-state.ts); INVALID_TXN_STATE for transactional batches.
 */
import { Produce, type ProduceRequest, type ProduceResponse } from '../../protocol/apis/index.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, MAGIC_OFFSET, batchCrcIsValid, compressionOf, decodeBatchRecords, isTransactionalBatch } from '../../protocol/record-batch.js';
import { CompressionType } from '../../protocol/compression.js';
import { decodeLegacyMessageSet, magicOf } from '../../protocol/legacy-message-set.js';
import { encodeBatch } from '../../protocol/record-batch.js';
import { defineHandler } from '../handler.js';
import type { Broker } from '../broker.js';

type PartitionOut = ProduceResponse['responses'][number]['partitionResponses'][number];

/** Checks a produced records blob; returns an error code or 0. */
function validateBatch(records: Buffer | null, version: number, maxMessageBytes: number): number {
  if (!records || records.length < BATCH_HEADER_SIZE) return ErrorCode.INVALID_RECORD;
  if (records.readInt8(MAGIC_OFFSET) !== 2) return ErrorCode.INVALID_RECORD;
  if (LOG_OVERHEAD + records.readInt32BE(8) !== records.length) return ErrorCode.INVALID_RECORD;
  if (records.length > maxMessageBytes) return ErrorCode.MESSAGE_TOO_LARGE;
  if (!batchCrcIsValid(records)) return ErrorCode.CORRUPT_MESSAGE;
  if (records.readInt32BE(57) <= 0 || records.readInt32BE(23) !== records.readInt32BE(57) - 1) return ErrorCode.INVALID_RECORD;
  if (version < 7 && compressionOf(records.readInt16BE(21)) === CompressionType.zstd) return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
  // Transactions are not offered, so no producer can be inside one.
  if (isTransactionalBatch(records.readInt16BE(21))) return ErrorCode.INVALID_TXN_STATE;
  return 0;
}

/** Converts a legacy message set to one v2 batch; returns an error code when it is invalid. */
function upConvert(records: Buffer | null): Buffer | number {
  if (!records || records.length === 0 || magicOf(records) > 1) return ErrorCode.INVALID_RECORD;
  try {
    const set = decodeLegacyMessageSet(records);
    if (set.messages.length === 0) return ErrorCode.INVALID_RECORD;
    return encodeBatch(
      set.messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp })),
      { compression: set.compression },
    );
  } catch {
    return ErrorCode.CORRUPT_MESSAGE;
  }
}

async function producePartition(
  broker: Broker,
  topic: string,
  index: number,
  records: Buffer | null,
  req: ProduceRequest,
  version: number,
): Promise<PartitionOut> {
  const fail = (code: number, message: string | null = null): PartitionOut => ({
    index,
    errorCode: code,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: [],
    errorMessage: message ?? (code ? errorInfo(code).message : null),
  });
  if (req.acks !== 0 && req.acks !== 1 && req.acks !== -1) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
  const state = broker.metadata.topic(topic);
  if (!state) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (state.internal) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`);
  if (version < 3) {
    const converted = upConvert(records);
    if (typeof converted === 'number') return fail(converted);
    records = converted;
  }
  const maxMessageBytes = Number(broker.topicConfig(state, 'max.message.bytes'));
  const invalid = validateBatch(records, version, maxMessageBytes);
  if (invalid === ErrorCode.MESSAGE_TOO_LARGE) {
    // Kafka's wording: producers read the limit from it (error_message, v8+).
    return fail(invalid, `The record batch size in the append to ${topic}-${index} is ${records!.length} bytes which exceeds the maximum configured value of ${maxMessageBytes}.`);
  }
  if (invalid) return fail(invalid);
  if (broker.topicConfig(state, 'cleanup.policy').includes('compact')) {
    // Compaction keeps the latest record per key, so a compacted topic refuses records without one.
    const keyless = decodeBatchRecords(records!).findIndex((r) => r.key === null);
    if (keyless >= 0) {
      const message = `Compacted topic cannot accept message without key in topic partition ${topic}-${index}.`;
      // Before v8 there are no record errors; Kafka's older brokers answered CORRUPT_MESSAGE.
      if (version < 8) return fail(ErrorCode.CORRUPT_MESSAGE, message);
      return { ...fail(ErrorCode.INVALID_RECORD, message), recordErrors: [{ batchIndex: keyless, batchIndexErrorMessage: message }] };
    }
  }
  const out = await broker.appendAsLeader(topic, index, records!, req.acks, req.timeoutMs);
  if (out.errorCode) return { ...fail(out.errorCode, out.errorMessage ?? null), logStartOffset: out.logStartOffset, baseOffset: out.baseOffset };
  return {
    index,
    errorCode: 0,
    baseOffset: out.baseOffset,
    logAppendTimeMs: out.logAppendTimeMs,
    logStartOffset: out.logStartOffset,
    recordErrors: [],
    errorMessage: null,
  };
}

export default defineHandler({
  api: Produce,
  minVersion: 0,
  maxVersion: 9,
  async handle(req, ctx) {
    const responses = await Promise.all(
      req.topicData.map(async (t) => ({
        name: t.name,
        partitionResponses: await Promise.all(
          t.partitionData.map((p) => producePartition(ctx.broker, t.name, p.index, p.records, req, ctx.apiVersion)),
        ),
      })),
    );
    if (req.acks === 0) return null;
    return { responses, throttleTimeMs: 0 };
  },
});
