/**
 * An idempotent producer's sequence numbers when batches fail: split batches, batches that fail
 * for good around others waiting for a retry, a broker that lost the producer's state, a producer
 * id that cannot be had, a response that leaves a partition out. A scripted broker answers every
 * Produce request in order (one connection) as Kafka's partition leader would: it keeps the last
 * five batches of each producer, answers a retried one as a duplicate, takes any sequence from a
 * producer it has no state for, and refuses a gap as OUT_OF_ORDER_SEQUENCE_NUMBER. `inject`
 * makes it refuse a request, or write it and answer with an error.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ClusterInfo, KafkaClient } from '../../src/client/client.js';
import { Producer, type ProducerOptions } from '../../src/client/producer/producer.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeBatchRecords, readBatchHeader } from '../../src/protocol/record-batch.js';
import { ConnectionError } from '../../src/transport/client-connection.js';

interface Sent {
  /** Request number, from 1. */
  n: number;
  epoch: number;
  seq: number;
  count: number;
  bytes: number;
}

/**
 * What the broker does with a request instead of appending it: refuse it with `code`, write it and
 * answer `codeAfterWrite`, answer without the partition, or never answer.
 */
type Injection = { code?: number; codeAfterWrite?: number; omitPartition?: boolean; hang?: boolean } | null;

class SimBroker {
  readonly cluster: ClusterInfo = {
    clusterId: 'c',
    controllerId: 1,
    brokers: new Map(),
    topics: new Map([['t', { name: 't', id: Buffer.alloc(16), internal: false, errorCode: 0, partitions: [{ partition: 0, errorCode: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1], offline: [] }] }]]),
  };
  readonly log: string[] = [];
  readonly sent: Sent[] = [];
  initProducerId: () => Promise<{ body: unknown }> = () => Promise.resolve({ body: { errorCode: 0, producerId: 7, producerEpoch: 0 } });
  /** This producer's state: its epoch and last five batches. */
  private state: { epoch: number; batches: { first: number; last: number; offset: number }[] } | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly inject: (req: Sent) => Injection = () => null,
    private readonly maxMessageBytes = Infinity,
  ) {}

  refreshMetadata = async () => this.cluster;

  send(_node: number | 'any', api: { name: string }, body: any): Promise<{ body: unknown }> {
    if (api.name === 'InitProducerId') return this.initProducerId();
    const records: Buffer = body.topicData[0].partitionData[0].records;
    const h = readBatchHeader(records);
    const req = { n: this.sent.length + 1, epoch: h.producerEpoch, seq: h.baseSequence, count: h.recordCount, bytes: records.length };
    this.sent.push(req);
    // Answered in order, each after the event loop has turned (others may be sent meanwhile).
    const answer = this.queue.then(async () => {
      await new Promise((r) => setImmediate(r));
      const inj = this.inject(req);
      if (inj?.hang) await new Promise(() => undefined);
      if (inj?.omitPartition) {
        this.append(req, records);
        return { body: { responses: [{ name: 't', partitionResponses: [] }] } };
      }
      let r = inj?.code ? { errorCode: inj.code, baseOffset: -1 } : this.append(req, records);
      if (inj?.codeAfterWrite) r = { errorCode: inj.codeAfterWrite, baseOffset: -1 };
      return { body: { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: r.errorCode, baseOffset: r.baseOffset, logAppendTimeMs: -1, errorMessage: null }] }] } };
    });
    this.queue = answer.catch(() => undefined);
    return answer;
  }

  private append(req: Sent, records: Buffer): { errorCode: number; baseOffset: number } {
    if (req.bytes > this.maxMessageBytes) return { errorCode: ErrorCode.MESSAGE_TOO_LARGE, baseOffset: -1 };
    let s = this.state;
    if (s && req.epoch < s.epoch) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, baseOffset: -1 };
    if (s && req.epoch > s.epoch) {
      if (req.seq !== 0) return { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 };
      s = null;
    }
    const last = req.seq + req.count - 1;
    if (s) {
      const dup = s.batches.find((b) => b.first === req.seq && b.last === last);
      if (dup) return { errorCode: 0, baseOffset: dup.offset };
      if (s.batches.at(-1)!.last + 1 !== req.seq) return { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 };
    }
    if (!s) this.state = s = { epoch: req.epoch, batches: [] };
    const offset = this.log.length;
    for (const r of decodeBatchRecords(records)) this.log.push(r.value!.toString());
    s.batches.push({ first: req.seq, last, offset });
    if (s.batches.length > 5) s.batches.shift();
    return { errorCode: 0, baseOffset: offset };
  }

  /** An unclean election truncated the producer's batches: the new leader expects its sequence 0 again. */
  truncate() {
    this.state = { epoch: this.state!.epoch, batches: [{ first: -1, last: -1, offset: -1 }] };
  }
}

/** Rejects if `p` has not settled within `ms` (a hang fails the test instead of timing it out). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer!: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms)));
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/**
 * `count` records of 3 bytes, appended at once: batches of 8 with batch.size=100. `primed`: the
 * first record goes alone and is acknowledged before the others are appended.
 */
function run(broker: SimBroker, count: number, opts: ProducerOptions & { primed?: boolean } = {}, value = (i: number) => String(i).padStart(3, '0')) {
  const p = new Producer(broker as unknown as KafkaClient, { idempotent: true, lingerMs: 0, batchSize: 100, retryBackoffMs: 5, deliveryTimeoutMs: 5000, ...opts });
  const acked: { value: string; offset: number }[] = [];
  const failed: { value: string; error: Error }[] = [];
  const values = Array.from({ length: count }, (_, i) => value(i));
  const append = (v: string) => p.append({ topic: 't', partition: 0, value: Buffer.from(v) }, (e, m) => (e ? failed.push({ value: v, error: e }) : acked.push({ value: v, offset: m!.offset })));
  const all = async () => {
    if (opts.primed) {
      append(values[0]!);
      await p.flush();
    }
    for (const v of opts.primed ? values.slice(1) : values) append(v);
    await p.flush();
  };
  return { p, values, acked, failed, flushed: within(all(), 10_000, 'flush') };
}

describe('split batches', () => {
  it('keep their sequence order when several batches in flight come back too large', async () => {
    // Batches of up to 8 records against a 90-byte limit (two records): each is split, down to two
    // records or one; the record 'YYY...' (a batch of its own) is too large alone. A first record
    // is acknowledged alone (see the next test), then five batches are in flight when the first
    // answer comes back.
    const broker = new SimBroker(() => null, 90);
    const { p, values, acked, failed, flushed } = run(broker, 41, { primed: true }, (i) => (i === 21 ? 'Y'.repeat(100) : String(i).padStart(3, '0')));
    await flushed;
    expect(broker.sent.slice(0, 6).map((r) => [r.seq, r.count])).toEqual([[0, 1], [1, 8], [9, 8], [17, 4], [21, 1], [22, 8]]);
    expect(failed.map((f) => f.value)).toEqual([values[21]]);
    expect(failed[0]!.error.message).toContain('record of 100 bytes exceeds max.message.bytes');
    const delivered = values.filter((_, i) => i !== 21);
    expect(broker.log).toEqual(delivered);
    expect(acked.map((a) => a.value).sort()).toEqual([...delivered].sort());
    for (const a of acked) expect(broker.log[a.offset]).toBe(a.value);
    // No request went out again at once after an out-of-order refusal, over and over.
    expect(broker.sent.length).toBeLessThan(60);
    expect(p.stats).toEqual({ acked: 40, failed: 1 });
  });

  it('go ahead of a later batch that fits, the first batch of the partition having been sent alone', async () => {
    // Until the broker holds a batch of the producer it takes any sequence: had the small last
    // batch been in flight with the first, too large one, it would have been written first.
    const broker = new SimBroker(() => null, 90);
    const { values, failed, flushed } = run(broker, 10);
    await flushed;
    expect(failed).toEqual([]);
    expect(broker.log).toEqual(values);
  });
});

describe('a batch that fails for good', () => {
  // Batches of 8: A (records 8-15) is refused with a retriable error and waits for its retry; B
  // (16-23), the last, is refused for good. Only the batches after B may take over its numbers.
  const scenario = (aFails: Injection) => new SimBroker((req) => (req.n === 2 ? aFails : req.n === 3 ? { code: ErrorCode.INVALID_RECORD } : null));

  it('leaves an earlier batch waiting for its retry on its own sequence numbers', async () => {
    const broker = scenario({ code: ErrorCode.NOT_ENOUGH_REPLICAS });
    const { values, acked, failed, flushed } = run(broker, 24);
    await flushed;
    expect(failed.map((f) => f.value)).toEqual(values.slice(16));
    expect(broker.log).toEqual(values.slice(0, 16));
    expect(acked).toHaveLength(16);
    for (const a of acked) expect(broker.log[a.offset]).toBe(a.value);
  });

  it('leaves an earlier batch the broker may have written on its numbers: answered as a duplicate, written once', async () => {
    const broker = scenario({ codeAfterWrite: ErrorCode.REQUEST_TIMED_OUT });
    const { values, acked, failed, flushed } = run(broker, 24);
    await flushed;
    expect(failed.map((f) => f.value)).toEqual(values.slice(16));
    expect(broker.log).toEqual(values.slice(0, 16));
    for (const a of acked) expect(broker.log[a.offset]).toBe(a.value);
  });

  it('moves the batches after it back onto its numbers (the earlier batch of another size)', async () => {
    // B holds 6 records (16-21); C (22-29) and D (30-37) follow it and were refused as out of order.
    const broker = new SimBroker((req) => (req.n === 2 ? { codeAfterWrite: ErrorCode.REQUEST_TIMED_OUT } : req.n === 3 ? { code: ErrorCode.INVALID_RECORD } : null));
    const { p, values, acked, failed, flushed } = run(broker, 22);
    await flushed;
    expect(failed.map((f) => f.value)).toEqual(values.slice(16));
    for (let i = 22; i < 38; i++) p.append({ topic: 't', partition: 0, value: Buffer.from(String(i).padStart(3, '0')) }, (e, m) => (e ? failed.push({ value: String(i), error: e }) : acked.push({ value: String(i).padStart(3, '0'), offset: m!.offset })));
    await within(p.flush(), 10_000, 'flush');
    expect(broker.log).toEqual([...values.slice(0, 16), ...Array.from({ length: 16 }, (_, i) => String(22 + i).padStart(3, '0'))]);
    expect(failed).toHaveLength(6);
  });
});

describe('a broker that lost the producer\'s state (KIP-360)', () => {
  it('OUT_OF_ORDER_SEQUENCE_NUMBER for the batch it should expect next: a new epoch, and the batch retried', async () => {
    const broker = new SimBroker();
    const { p, failed, flushed } = run(broker, 8);
    await flushed;
    // The new leader lost the batch (the log truncated): it expects the producer's sequence 0.
    broker.truncate();
    broker.log.length = 0;
    const more = Array.from({ length: 8 }, (_, i) => `m${i}`);
    for (const v of more) p.append({ topic: 't', partition: 0, value: Buffer.from(v) }, (e) => e && failed.push({ value: v, error: e }));
    await within(p.flush(), 10_000, 'flush');
    expect(failed).toEqual([]);
    expect(broker.log).toEqual(more);
    expect(broker.sent.slice(-2)).toMatchObject([
      { epoch: 0, seq: 8 },
      { epoch: 1, seq: 0 },
    ]);
  });

  it('UNKNOWN_PRODUCER_ID: a new epoch, and the batch retried', async () => {
    const broker = new SimBroker((req) => (req.n === 2 ? { code: ErrorCode.UNKNOWN_PRODUCER_ID } : null));
    const { values, failed, flushed } = run(broker, 16);
    await flushed;
    expect(failed).toEqual([]);
    expect(broker.log).toEqual(values);
    expect(broker.sent.at(-1)).toMatchObject({ epoch: 1, seq: 0, count: 8 });
  });
});

describe('delivery.timeout.ms', () => {
  it('fails the records while InitProducerId keeps failing, so flush returns', async () => {
    const broker = new SimBroker();
    let attempts = 0;
    broker.initProducerId = () => {
      attempts++;
      return Promise.reject(new ConnectionError('connection refused'));
    };
    const { p, failed, flushed } = run(broker, 3, { deliveryTimeoutMs: 200, retryBackoffMs: 20 });
    await flushed;
    expect(failed).toHaveLength(3);
    expect(failed[0]!.error.message).toMatch(/^Expiring 3 record\(s\) for t-0: 200 ms has passed since batch creation without a producer id \(last error of InitProducerId: connection refused\)/);
    expect(p.stats).toEqual({ acked: 0, failed: 3 });
    // It stopped asking once nothing waited.
    const asked = attempts;
    await within(p.close(), 1000, 'close');
    expect(attempts).toBe(asked);
  });
});

describe('a leader that cannot be reached', () => {
  /** The broker refuses Produce connections while `down(n)` (n: refusals so far) says so; how many it refused. */
  const unreachable = (broker: SimBroker, down: (refused: number) => boolean) => {
    const send = broker.send.bind(broker);
    const counts = { refused: 0 };
    broker.send = (node, api, body) => {
      if (api.name !== 'Produce' || !down(counts.refused)) return send(node, api, body);
      counts.refused++;
      return Promise.reject(Object.assign(new ConnectionError('Could not connect to b:1: connection refused', 'b:1'), { requestNotSent: true }));
    };
    return counts;
  };

  it('spends none of the retries while no connection can be had (a broker restart): every record arrives once, in order', async () => {
    const broker = new SimBroker();
    // The first 8 sends find the broker down (about 0.25 s of growing back-off): more than
    // retries=3 would allow as attempts.
    const counts = unreachable(broker, (refused) => refused < 8);
    const { p, values, acked, failed, flushed } = run(broker, 20, { retries: 3, retryBackoffMs: 1 });
    await flushed;
    expect({ failed: failed.map((f) => f.error.message), refused: counts.refused }).toEqual({ failed: [], refused: 8 });
    expect(acked.map((a) => a.value)).toEqual(values);
    expect(acked.map((a) => a.offset)).toEqual(values.map((_, i) => i));
    await within(p.close(), 1000, 'close');
  });

  it('still fails at delivery.timeout.ms when the broker stays away', async () => {
    const broker = new SimBroker();
    unreachable(broker, () => true);
    const { p, failed, flushed } = run(broker, 3, { deliveryTimeoutMs: 200, retryBackoffMs: 5 });
    await flushed;
    expect(failed.map((f) => f.error.message)).toEqual(Array(3).fill('Could not connect to b:1: connection refused'));
    expect(p.stats).toEqual({ acked: 0, failed: 3 });
    await within(p.close(), 1000, 'close');
  });
});

describe('a batch in flight', () => {
  it('fails at delivery.timeout.ms though its request is not answered yet', async () => {
    const broker = new SimBroker((req) => (req.n === 1 ? { hang: true } : null));
    const { p, failed, flushed } = run(broker, 3, { deliveryTimeoutMs: 200, requestTimeoutMs: 30_000 });
    await flushed;
    expect(failed).toHaveLength(3);
    expect(failed[0]!.error.message).toBe('Expiring 3 record(s) for t-0: 200 ms has passed since batch creation (the request is still in flight)');
    expect(p.stats).toEqual({ acked: 0, failed: 3 });
    await within(p.close(), 1000, 'close');
  });
});

describe('a batch in flight, its expiry timer early by Date.now()', () => {
  it('is failed at delivery.timeout.ms all the same (a timer counts from the event loop\'s cached time, stale on a busy machine)', async () => {
    // Date.now() at half speed: the timer armed for the deadline fires when Date.now() says it is
    // only half-way there. The batch must be looked at again, not left in flight for good.
    const real = Date.now.bind(Date);
    const base = real();
    const slow = vi.spyOn(Date, 'now').mockImplementation(() => base + Math.floor((real() - base) / 2));
    try {
      const broker = new SimBroker((req) => (req.n === 1 ? { hang: true } : null));
      const { p, failed, flushed } = run(broker, 3, { deliveryTimeoutMs: 200, requestTimeoutMs: 30_000 });
      await flushed;
      expect(failed.map((f) => f.error.message)).toEqual(Array(3).fill('Expiring 3 record(s) for t-0: 200 ms has passed since batch creation (the request is still in flight)'));
      await within(p.close(), 1000, 'close');
    } finally {
      slow.mockRestore();
    }
  });
});

describe('a Produce response without the partition', () => {
  it('retries the batch instead of leaving it in flight forever', async () => {
    const broker = new SimBroker((req) => (req.n === 1 ? { omitPartition: true } : null));
    const { values, acked, failed, flushed } = run(broker, 8);
    await flushed;
    expect(failed).toEqual([]);
    // Written by the first request; its retry was answered as a duplicate with the same offsets.
    expect(broker.log).toEqual(values);
    expect(acked.map((a) => a.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('records refused before they are queued', () => {
  it('count as failed and are reported, after close', async () => {
    const broker = new SimBroker();
    const p = new Producer(broker as unknown as KafkaClient, { idempotent: true });
    const reported: number[] = [];
    p.onBatchError = (_t, _p, count) => reported.push(count);
    await p.close();
    let error: Error | null = null;
    p.append({ topic: 't', value: Buffer.from('late') }, (e) => (error = e));
    expect(error).toBeInstanceOf(Error);
    expect(p.stats).toEqual({ acked: 0, failed: 1 });
    expect(reported).toEqual([1]);
    expect(p.outstanding).toBe(0);
  });
});
