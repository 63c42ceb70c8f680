/**
 * The leader-append path against an in-memory log: LogValidator refusals leave the log as it
 * was, an idempotent retry is answered with the offsets it was first written at, LogAppendTime
 * topics get the broker's time stamped into the stored batch, and acks=-1 waits for the ISR.
 */
import { describe, expect, it, vi } from 'vitest';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { compress as zstdCompress } from 'zstd-napi';
import { appendToLeader, produceToLeader, type LeaderAppendHost } from '../../../../src/broker/append/leader-append.js';
import { MAX_DECOMPRESSED_BATCH } from '../../../../src/broker/append/log-validator.js';
import { defaultBrokerConfig } from '../../../../src/broker/config.js';
import type { TopicState } from '../../../../src/broker/metadata/cluster-metadata.js';
import { topicConfigValue } from '../../../../src/broker/metadata/topic-configs.js';
import { PartitionReplica } from '../../../../src/broker/replica.js';
import { CompressionType } from '../../../../src/protocol/compression.js';
import { ErrorCode } from '../../../../src/protocol/errors.js';
import { BATCH_HEADER_SIZE, RecordBatchView, decodeBatchRecords, encodeBatch, rewriteCrc } from '../../../../src/protocol/record-batch.js';
import { DEFAULT_LOG_CONFIG } from '../../../../src/storage/log-store.js';
import { MemoryLogStore } from '../../../../src/storage/memory-store.js';

const SELF = 1;

/** One partition "t-0" led by this broker, on an in-memory log. */
function setup(configs: Record<string, string> = {}, isr = [SELF]) {
  const topic: TopicState = {
    name: 't',
    id: Buffer.alloc(16),
    internal: false,
    configs,
    partitions: [{ replicas: isr, isr, leader: SELF, leaderEpoch: 3, partitionEpoch: 0, addingReplicas: [], removingReplicas: [] }],
  };
  const replica = new PartitionReplica('t', 0, new MemoryLogStore().open('t', 0, DEFAULT_LOG_CONFIG));
  const config = defaultBrokerConfig('/nonexistent');
  const host: LeaderAppendHost = {
    id: SELF,
    running: true,
    metadata: { topic: (name) => (name === 't' ? topic : undefined) },
    leaderFor: (name, p) => (name === 't' && p === 0 ? { replica, state: topic.partitions[0]!, topic } : { error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }),
    topicConfig: (t, name) => topicConfigValue(t.configs, config, name),
  };
  return { host, replica, topic };
}

const produceOpts = { acks: 1, timeoutMs: 1000, apiVersion: 9 };

/** The batch changed by `change`, with its CRC made valid again (what a buggy client could send). */
function reCrc(batch: Buffer, change: (b: Buffer) => unknown): Buffer {
  change(batch);
  rewriteCrc(batch);
  return batch;
}
const body = (batch: Buffer) => batch.subarray(BATCH_HEADER_SIZE);
/** `batch`'s header over another body, its length and CRC made to fit. */
function withBody(batch: Buffer, records: Buffer): Buffer {
  const out = Buffer.concat([batch.subarray(0, BATCH_HEADER_SIZE), records]);
  out.writeInt32BE(out.length - 12, 8);
  rewriteCrc(out);
  return out;
}
/** Records of 1 MiB of zeros, one more MiB than a produced batch may decompress to. */
const pastLimit = () => Array.from({ length: MAX_DECOMPRESSED_BATCH / (1 << 20) + 1 }, () => ({ value: Buffer.alloc(1 << 20) }));
const values = (...vs: string[]) => vs.map((v) => ({ key: Buffer.from('k'), value: Buffer.from(v), timestamp: 1000 }));

describe('produceToLeader: validation (LogValidator)', () => {
  it('message.timestamp.before/after.max.ms: checks on the walk, with at most 100 record errors (v8+) or the first (v7); no record is built', async () => {
    const { host, replica } = setup({ 'message.timestamp.before.max.ms': '60000' });
    // 200,000 empty records all at timestamp 1000: one gzip batch of a few hundred KB.
    const many = encodeBatch(Array.from({ length: 200_000 }, () => ({ value: null, timestamp: 1000 })), { compression: CompressionType.gzip });
    const v9 = await produceToLeader(host, 't', 0, many, produceOpts);
    expect({ code: v9.errorCode, message: v9.errorMessage, errors: v9.recordErrors?.length }).toEqual({ code: ErrorCode.INVALID_TIMESTAMP, message: 'One or more records have been rejected due to invalid timestamp', errors: 100 });
    expect(v9.recordErrors![0]!.batchIndexErrorMessage).toMatch(/^Timestamp 1000 of message with offset 0 is out of range\. The timestamp should be within \[\d+, 9223372036854775807\]$/);
    const v7 = await produceToLeader(host, 't', 0, many, { ...produceOpts, apiVersion: 7 });
    expect({ code: v7.errorCode, errors: v7.recordErrors }).toEqual({ code: ErrorCode.INVALID_TIMESTAMP, errors: undefined });
    expect(v7.errorMessage).toMatch(/^Timestamp 1000 of message with offset 0 is out of range/);
    // -1 (no timestamp) is not checked, as in Kafka; now is within the bounds.
    expect((await produceToLeader(host, 't', 0, encodeBatch([{ value: Buffer.from('x'), timestamp: Date.now() }]), produceOpts)).errorCode).toBe(0);
    expect(replica.log.logEndOffset()).toBe(1);
  });

  it('compression.type uncompressed: records that would be stored over max.message.bytes are refused before they are copied', async () => {
    const { host, replica } = setup({ 'compression.type': 'uncompressed', 'max.message.bytes': '10000' });
    const big = encodeBatch([{ value: Buffer.alloc(50_000, 97) }], { compression: CompressionType.gzip });
    const out = await produceToLeader(host, 't', 0, big, produceOpts);
    expect({ code: out.errorCode, message: out.errorMessage }).toEqual({ code: ErrorCode.MESSAGE_TOO_LARGE, message: expect.stringMatching(/^Message batch size is \d+ bytes in append to partition t-0 which exceeds the maximum configured size of 10000\.$/) });
    expect(replica.log.logEndOffset()).toBe(0);
  });

  it('compression.type zstd/gzip: a large batch is recompressed off the event loop, then stored whole, in order', async () => {
    // ~1.3 MB of text: zstd 19 takes about a second on it, gzip 9 a good part of one.
    const text = Array.from({ length: 2000 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`record ${i} ${Math.sin(i)} `.repeat(24)), timestamp: 1000 + i }));
    for (const [type, level] of [['zstd', '19'], ['gzip', '9']] as const) {
      const { host, replica } = setup({ 'compression.type': type, [`compression.${type}.level`]: level, 'max.message.bytes': '8000000' });
      let turns = 0;
      const turn = () => {
        turns++;
        if (!done) setImmediate(turn);
      };
      let done = false;
      setImmediate(turn);
      const big = produceToLeader(host, 't', 0, encodeBatch(text), produceOpts);
      // Inline, the batch would have been compressed and appended before the call returned.
      expect(replica.log.logEndOffset()).toBe(0);
      const out = await big;
      done = true;
      expect({ type, code: out.errorCode, base: out.baseOffset, loopRan: turns > 0 }).toEqual({ type, code: 0, base: 0, loopRan: true });
      expect((await produceToLeader(host, 't', 0, encodeBatch(values('after')), produceOpts)).baseOffset).toBe(2000);
      const [stored, next] = replica.log.read(0, 64 << 20, 2001).batches.map((b) => new RecordBatchView(b));
      expect({ codec: stored!.compression, next: next!.baseOffset }).toEqual({ codec: type === 'zstd' ? CompressionType.zstd : CompressionType.gzip, next: 2000 });
      expect(decodeBatchRecords(stored!.buffer).map((r) => [r.key!.toString(), r.value!.toString(), r.timestamp])).toEqual(text.map((r) => [r.key.toString(), r.value.toString(), r.timestamp]));
    }
  });

  it('a large gzip batch is decompressed for its checks off the event loop; stored as sent, or refused when its records do not parse', async () => {
    const { host, replica } = setup({ 'max.message.bytes': '8000000' });
    // Random values: gzip leaves them their size, so the compressed body is past the 256 KiB mark.
    const random = Array.from({ length: 40 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: randomBytes(10_000), timestamp: 1000 + i }));
    const sent = encodeBatch(random, { compression: CompressionType.gzip });
    const pending = produceToLeader(host, 't', 0, sent, produceOpts);
    // Inline, the batch would have been checked and appended before the call returned.
    expect(replica.log.logEndOffset()).toBe(0);
    expect((await pending).errorCode).toBe(0);
    const stored = replica.log.read(0, 64 << 20, 40).batches[0]!;
    expect({ codec: new RecordBatchView(stored).compression, sameBody: body(stored).equals(body(sent)) }).toEqual({ codec: CompressionType.gzip, sameBody: true });
    // The same size of gzip over bytes that are not records: refused as the inline check refuses it.
    const garbage = await produceToLeader(host, 't', 0, withBody(sent, gzipSync(randomBytes(400_000))), produceOpts);
    expect({ code: garbage.errorCode, message: garbage.errorMessage }).toEqual({ code: ErrorCode.INVALID_RECORD, message: expect.stringMatching(/^The records of a batch to t-0 do not parse: /) });
    expect(replica.log.logEndOffset()).toBe(40);
  });

  it('a small gzip body that inflates to megabytes is decompressed off the event loop too', async () => {
    const { host, replica } = setup({ 'max.message.bytes': '8000000' });
    // 24 MB of zeros deflate to ~24 KB: below the 256 KiB mark of other codec work, above gzip's own.
    const sent = encodeBatch([{ key: null, value: Buffer.alloc(24_000_000), timestamp: 1000 }], { compression: CompressionType.gzip });
    expect(sent.length).toBeLessThan(64 * 1024);
    const pending = produceToLeader(host, 't', 0, sent, produceOpts);
    expect(replica.log.logEndOffset()).toBe(0);
    expect((await pending).errorCode).toBe(0);
    expect(replica.log.logEndOffset()).toBe(1);
  });

  // 24 MB of zeros: a zstd frame of a kilobyte or so (one such batch held every client ~0.3 s),
  // ~100 KB of lz4 (~255:1), ~1.1 MB of snappy.
  const zeros = () => encodeBatch([{ key: null, value: Buffer.alloc(24_000_000), timestamp: 1000 }]);
  const zstdOf = (contentSizeFlag: boolean) => () => reCrc(withBody(zeros(), zstdCompress(body(zeros()), { contentSizeFlag })), (b) => b.writeInt16BE(CompressionType.zstd, 21));
  const largeOutputs: [string, () => Buffer][] = [
    ['zstd, its size stated (made a slice at a time)', zstdOf(true)],
    ['zstd, no size stated (made a slice at a time)', zstdOf(false)],
    ['lz4 (made on the thread pool)', () => encodeBatch([{ key: null, value: Buffer.alloc(24_000_000), timestamp: 1000 }], { compression: CompressionType.lz4 })],
    ['snappy (made on the thread pool)', () => encodeBatch([{ key: null, value: Buffer.alloc(24_000_000), timestamp: 1000 }], { compression: CompressionType.snappy })],
  ];
  for (const [what, sent] of largeOutputs) {
    it(`a body of ${what} that makes megabytes is not decompressed in one go on the event loop`, async () => {
      const { host, replica } = setup({ 'max.message.bytes': '8000000' });
      const records = sent();
      expect(records.length).toBeLessThan(2_000_000);
      const pending = produceToLeader(host, 't', 0, records, produceOpts);
      // Inline, the whole batch was made and appended before produceToLeader returned.
      expect(replica.log.logEndOffset()).toBe(0);
      expect((await pending).errorCode).toBe(0);
      expect(replica.log.logEndOffset()).toBe(1);
    });
  }

  it('appends a valid batch at the log end, stamped with the leader epoch', async () => {
    const { host, replica } = setup();
    const out = await produceToLeader(host, 't', 0, encodeBatch(values('a', 'b')), produceOpts);
    expect(out).toMatchObject({ errorCode: 0, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: 0 });
    const again = await produceToLeader(host, 't', 0, encodeBatch(values('c')), produceOpts);
    expect(again.baseOffset).toBe(2);
    expect(replica.logEndOffset()).toBe(3);
    const stored = new RecordBatchView(replica.log.read(2, 1 << 20, 3).batches[0]!);
    expect([stored.baseOffset, stored.partitionLeaderEpoch]).toEqual([2, 3]);
  });

  const refusals: [string, () => Buffer | null, number, Record<string, string>?][] = [
    ['no records', () => null, ErrorCode.INVALID_RECORD],
    ['a truncated header', () => encodeBatch(values('a')).subarray(0, 40), ErrorCode.INVALID_RECORD],
    ['a length that disagrees with the buffer', () => Buffer.concat([encodeBatch(values('a')), Buffer.alloc(3)]), ErrorCode.INVALID_RECORD],
    ['a damaged CRC', () => {
      const b = encodeBatch(values('a'));
      b[b.length - 1]! ^= 1;
      return b;
    }, ErrorCode.CORRUPT_MESSAGE],
    ['a transactional batch without a producer id', () => encodeBatch(values('a'), { transactional: true }), ErrorCode.INVALID_RECORD],
    ['a control batch from a client', () => encodeBatch(values('a'), { transactional: true, control: true, producerId: 5, producerEpoch: 0 }), ErrorCode.INVALID_RECORD],
    ['an idempotent batch without a sequence', () => encodeBatch(values('a'), { producerId: 5, producerEpoch: 0 }), ErrorCode.INVALID_RECORD],
    // Held as doubles, ids 2^60 and 2^60+1 shared one producer state: the second one's records were answered as duplicates and dropped.
    ['a producer id beyond 2^53', () => encodeBatch(values('a'), { producerId: 2 ** 60, producerEpoch: 0, baseSequence: 0 }), ErrorCode.INVALID_RECORD],
    ['a batch above max.message.bytes', () => encodeBatch(values('x'.repeat(200))), ErrorCode.MESSAGE_TOO_LARGE, { 'max.message.bytes': '150' }],
    // Valid CRCs over records that do not parse: stored, they failed ListOffsets and the cleaner.
    // INVALID_RECORD, which clients do not retry (Kafka's InvalidRecordException).
    ['a record body that does not parse', () => reCrc(encodeBatch(values('hello-world-value')), (b) => b.fill(0x7f, BATCH_HEADER_SIZE + 1)), ErrorCode.INVALID_RECORD],
    ['a compression flag over uncompressed records', () => reCrc(encodeBatch(values('hello-world-value')), (b) => b.writeInt16BE(CompressionType.gzip, 21)), ErrorCode.INVALID_RECORD],
    ['more records counted than present', () => reCrc(encodeBatch(values('a')), (b) => (b.writeInt32BE(2, 57), b.writeInt32BE(1, 23))), ErrorCode.INVALID_RECORD],
    ['fewer records counted than present', () => reCrc(encodeBatch(values('a', 'b')), (b) => (b.writeInt32BE(1, 57), b.writeInt32BE(0, 23))), ErrorCode.INVALID_RECORD],
    ['compressed records that do not parse', () => {
      const inner = body(encodeBatch(values('a', 'b'))).subarray(1); // the first record's length byte gone
      return withBody(encodeBatch(values('a', 'b'), { compression: CompressionType.gzip }), gzipSync(inner));
    }, ErrorCode.INVALID_RECORD],
    // A few kilobytes that would inflate past what one request may carry: refused unmade.
    ['valid gzip records inflating past 100 MiB', () => encodeBatch(pastLimit(), { compression: CompressionType.gzip }), ErrorCode.INVALID_RECORD],
    // lz4 and zstd frames from Kafka's clients mostly state no size: bounded as they decompress.
    ['valid lz4 records inflating past 100 MiB', () => encodeBatch(pastLimit(), { compression: CompressionType.lz4 }), ErrorCode.INVALID_RECORD],
    ['valid zstd records inflating past 100 MiB, no size stated', () => {
      const plainBatch = encodeBatch(pastLimit());
      const frame = zstdCompress(body(plainBatch), { contentSizeFlag: false });
      return reCrc(withBody(plainBatch, frame), (b) => b.writeInt16BE(CompressionType.zstd, 21));
    }, ErrorCode.INVALID_RECORD],
    ['valid zstd records inflating past 100 MiB, their size stated', () => encodeBatch(pastLimit(), { compression: CompressionType.zstd }), ErrorCode.INVALID_RECORD],
    ['a snappy block stating more than 100 MiB', () => {
      const claim = Buffer.from([0x80, 0x80, 0x80, 0x40, 0x00]); // varint 128 MiB, then nothing
      return withBody(encodeBatch(values('a'), { compression: CompressionType.snappy }), claim);
    }, ErrorCode.INVALID_RECORD],
    ['keyless records that do not parse on a compacted topic', () => reCrc(encodeBatch([{ value: Buffer.from('v') }]), (b) => (b.writeInt32BE(2, 57), b.writeInt32BE(1, 23))), ErrorCode.INVALID_RECORD, { 'cleanup.policy': 'compact' }],
  ];
  for (const [what, records, code, configs] of refusals) {
    it(`refuses ${what} with ${code} and leaves the log alone`, async () => {
      const { host, replica } = setup(configs);
      const out = await produceToLeader(host, 't', 0, records(), produceOpts);
      expect(out).toMatchObject({ errorCode: code, baseOffset: -1, logStartOffset: -1 });
      expect(replica.logEndOffset()).toBe(0);
    });
  }

  it('accepts records of every codec, with headers, null keys and values, and records past 8 KiB', async () => {
    const { host, replica } = setup();
    const records = [
      { key: null, value: Buffer.from('plain'), timestamp: 1000 },
      { key: Buffer.from('k'), value: null, headers: [{ key: 'h', value: Buffer.from('x') }, { key: 'n', value: null }], timestamp: 999 },
      { key: Buffer.from('big'), value: Buffer.alloc(20_000, 7), timestamp: 5000 },
    ];
    for (const compression of Object.values(CompressionType)) {
      const out = await produceToLeader(host, 't', 0, encodeBatch(records, { compression }), produceOpts);
      expect(out.errorCode, `compression ${compression}`).toBe(0);
    }
    expect(replica.logEndOffset()).toBe(3 * Object.values(CompressionType).length);
  });

  it('accepts records whose offset deltas are out of order and stores them renumbered, compressed or not (Kafka\'s LogValidator)', async () => {
    /** Uncompressed records of `batch` with the first two offset deltas swapped (0, 1 -> 1, 0). */
    const swapped = (batch: Buffer) => {
      const records = Buffer.from(body(batch));
      const second = 1 + records[0]! / 2; // one-byte lengths: [length][attributes][ts delta][offset delta]
      [records[3], records[second + 3]] = [2 * 1, 2 * 0];
      return records;
    };
    const idempotent = { producerId: 5, producerEpoch: 0, baseSequence: 0 };
    const plainBatch = encodeBatch(values('a', 'b', 'c'), idempotent);
    const sent = [
      withBody(plainBatch, swapped(plainBatch)),
      withBody(encodeBatch(values('a', 'b', 'c'), { ...idempotent, baseSequence: 3, compression: CompressionType.gzip }), gzipSync(swapped(plainBatch))),
    ];
    const { host, replica } = setup();
    for (const [i, records] of sent.entries()) {
      const out = await produceToLeader(host, 't', 0, records, produceOpts);
      expect(out).toMatchObject({ errorCode: 0, baseOffset: 3 * i });
    }
    const stored = replica.log.read(0, 1 << 20, 6).batches.map((b) => new RecordBatchView(b));
    expect(stored.map((b) => [b.compression, b.producerId, b.baseSequence])).toEqual([[CompressionType.none, 5, 0], [CompressionType.gzip, 5, 3]]);
    const records = stored.flatMap((b) => decodeBatchRecords(b.buffer));
    expect(records.map((r) => [r.offset, String(r.value)])).toEqual([[0, 'a'], [1, 'b'], [2, 'c'], [3, 'a'], [4, 'b'], [5, 'c']]);
  });

  it('names the limit in the MESSAGE_TOO_LARGE message', async () => {
    const { host } = setup({ 'max.message.bytes': '150' });
    const records = encodeBatch(values('x'.repeat(200)));
    const out = await produceToLeader(host, 't', 0, records, produceOpts);
    expect(out.errorMessage).toBe(`The record batch size in the append to t-0 is ${records.length} bytes which exceeds the maximum configured value of 150.`);
  });

  it('refuses zstd before Produce v7 only', async () => {
    const { host } = setup();
    const zstd = () => encodeBatch(values('a'), { compression: CompressionType.zstd });
    expect((await produceToLeader(host, 't', 0, zstd(), { ...produceOpts, apiVersion: 6 })).errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect((await produceToLeader(host, 't', 0, zstd(), { ...produceOpts, apiVersion: 7 })).errorCode).toBe(0);
  });

  it('refuses records that do not parse with CORRUPT_MESSAGE before Produce v8 (no INVALID_RECORD then)', async () => {
    const { host } = setup();
    const garbled = reCrc(encodeBatch(values('hello-world-value')), (b) => b.fill(0x7f, BATCH_HEADER_SIZE + 1));
    expect((await produceToLeader(host, 't', 0, garbled, { ...produceOpts, apiVersion: 7 })).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses keyless records on compacted topics: record errors from v8, CORRUPT_MESSAGE before', async () => {
    const { host } = setup({ 'cleanup.policy': 'compact' });
    const keyless = () => encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('a') }, { value: Buffer.from('b') }]);
    const v8 = await produceToLeader(host, 't', 0, keyless(), produceOpts);
    expect(v8).toMatchObject({ errorCode: ErrorCode.INVALID_RECORD, recordErrors: [{ batchIndex: 1 }] });
    expect((await produceToLeader(host, 't', 0, keyless(), { ...produceOpts, apiVersion: 7 })).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('refuses unknown acks, unknown topics and partitions led elsewhere', async () => {
    const { host } = setup();
    expect((await produceToLeader(host, 't', 0, encodeBatch(values('a')), { ...produceOpts, acks: 2 })).errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    expect((await produceToLeader(host, 'nope', 0, encodeBatch(values('a')), produceOpts)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const other = setup();
    other.host.leaderFor = () => ({ error: ErrorCode.NOT_LEADER_OR_FOLLOWER });
    expect((await produceToLeader(other.host, 't', 0, encodeBatch(values('a')), produceOpts)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});

describe('appendToLeader: idempotence, timestamps, ISR', () => {
  const idempotent = (baseSequence: number, n: number) =>
    encodeBatch(values(...Array.from({ length: n }, (_, i) => `v${baseSequence + i}`)), { producerId: 42, producerEpoch: 0, baseSequence });

  it('answers a retried batch with its first offsets and writes nothing', async () => {
    const { host, replica } = setup();
    await produceToLeader(host, 't', 0, encodeBatch(values('x')), produceOpts);
    const first = await produceToLeader(host, 't', 0, idempotent(0, 2), produceOpts);
    expect(first).toMatchObject({ errorCode: 0, baseOffset: 1 });
    await produceToLeader(host, 't', 0, idempotent(2, 1), produceOpts);
    const retry = await produceToLeader(host, 't', 0, idempotent(0, 2), produceOpts);
    expect(retry).toMatchObject({ errorCode: 0, baseOffset: 1 });
    expect(replica.logEndOffset()).toBe(4);
  });

  it('refuses a gap in sequence numbers with the log start offset', async () => {
    const { host, replica } = setup();
    await produceToLeader(host, 't', 0, idempotent(0, 2), produceOpts);
    const gap = await produceToLeader(host, 't', 0, idempotent(5, 1), produceOpts);
    expect(gap).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1, logStartOffset: 0 });
    expect(gap.errorMessage).toContain('Out of order sequence number for producer 42 in partition t-0');
    expect(replica.logEndOffset()).toBe(2);
  });

  it('stamps LogAppendTime into the stored batch with a valid CRC', async () => {
    const { host, replica } = setup({ 'message.timestamp.type': 'LogAppendTime' });
    const before = Date.now();
    const out = await appendToLeader(host, 't', 0, new RecordBatchView(encodeBatch(values('a', 'b'))), 1, 1000);
    expect(out.logAppendTimeMs).toBeGreaterThanOrEqual(before);
    const stored = new RecordBatchView(replica.log.read(0, 1 << 20, 2).batches[0]!);
    expect(stored.timestampType).toBe('LogAppendTime');
    expect(stored.maxTimestamp).toBe(out.logAppendTimeMs);
    expect(stored.crcIsValid).toBe(true);
    expect(decodeBatchRecords(stored.buffer).map((r) => r.timestamp)).toEqual([out.logAppendTimeMs, out.logAppendTimeMs]);
  });

  it("stores the records' own max timestamp, not the header's, as Kafka's LogValidator does (uncompressed and compressed)", async () => {
    for (const compression of [CompressionType.none, CompressionType.gzip]) {
      const { host, replica } = setup();
      const records = [1000, 5000, 3000].map((timestamp, i) => ({ value: Buffer.from(`v${i}`), timestamp }));
      // A header saying 1 (a buggy or hostile producer): retention took such a fresh segment for expired.
      const lying = reCrc(encodeBatch(records, { compression }), (b) => b.writeBigInt64BE(1n, 35));
      expect(new RecordBatchView(lying).maxTimestamp).toBe(1);
      expect((await produceToLeader(host, 't', 0, lying, produceOpts)).errorCode).toBe(0);
      const stored = new RecordBatchView(replica.log.read(0, 1 << 20, 3).batches[0]!);
      expect([stored.maxTimestamp, stored.crcIsValid]).toEqual([5000, true]);
      expect(decodeBatchRecords(stored.buffer).map((r) => r.timestamp)).toEqual([1000, 5000, 3000]);
    }
  });

  it('keeps CreateTime timestamps otherwise', async () => {
    const { host, replica } = setup();
    const out = await appendToLeader(host, 't', 0, new RecordBatchView(encodeBatch(values('a'))), 1, 1000);
    expect(out.logAppendTimeMs).toBe(-1);
    expect(new RecordBatchView(replica.log.read(0, 1 << 20, 1).batches[0]!).maxTimestamp).toBe(1000);
  });

  it('with acks=-1 refuses below min.insync.replicas and times out when followers do not fetch', async () => {
    const short = setup({ 'min.insync.replicas': '2' });
    const refused = await appendToLeader(short.host, 't', 0, new RecordBatchView(encodeBatch(values('a'))), -1, 1000);
    expect(refused.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(refused.errorMessage).toBe('The size of the current ISR [1] is insufficient to satisfy the min.isr requirement of 2 for partition t-0');
    expect(short.replica.logEndOffset()).toBe(0);

    const pair = setup({}, [SELF, 2]);
    const late = await appendToLeader(pair.host, 't', 0, new RecordBatchView(encodeBatch(values('a'))), -1, 50);
    expect(late).toMatchObject({ errorCode: ErrorCode.REQUEST_TIMED_OUT, baseOffset: 0 });
    expect(pair.replica.logEndOffset()).toBe(1);
  });

  it('with acks=-1 answers once the follower has the batch', async () => {
    // Fake timers: the 5000 ms timeout never fires, so only the high watermark's rise can settle
    // the append (the timeout path would answer success too once the follower had the batch).
    vi.useFakeTimers();
    try {
      const { host, replica, topic } = setup({}, [SELF, 2]);
      let settled = false;
      const pending = appendToLeader(host, 't', 0, new RecordBatchView(encodeBatch(values('a'))), -1, 5000).finally(() => (settled = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      replica.followers.set(2, { logEndOffset: 1, lastCaughtUpMs: Date.now(), lastFetchMs: Date.now(), leaderEndAtLastFetch: 1 });
      replica.updateHighWatermark(topic.partitions[0]!.isr, SELF);
      await vi.advanceTimersByTimeAsync(0);
      expect(settled, 'raising the high watermark did not wake the acks=-1 append').toBe(true);
      expect(await pending).toMatchObject({ errorCode: 0, baseOffset: 0 });
    } finally {
      vi.useRealTimers();
    }
  });
});
