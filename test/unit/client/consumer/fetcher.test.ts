/**
 * The Fetcher against a scripted client (no broker): what a poll returns and where positions go
 * for the batches a Fetch brings back, stop offsets among transaction markers and aborted
 * batches, partitions without a leader, and failures while an answer is applied.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Fetcher } from '../../../../src/client/consumer/fetcher.js';
import type { KafkaClient } from '../../../../src/client/client.js';
import { ErrorCode, KafkaProtocolError } from '../../../../src/protocol/errors.js';
import { encodeBatch } from '../../../../src/protocol/record-batch.js';

/** One partition's log as batches (base offset, record count, kind). */
type Kind = 'plain' | 'txn' | 'marker';
interface LogBatch {
  base: number;
  count: number;
  kind: Kind;
  producerId?: number;
}

const batch = ({ base, count, kind, producerId = 7 }: LogBatch): Buffer =>
  encodeBatch(
    Array.from({ length: count }, (_, i) => ({ value: Buffer.from(kind === 'marker' ? '' : `v${base + i}`) })),
    { baseOffset: base, transactional: kind !== 'plain', control: kind === 'marker', producerId: kind === 'plain' ? -1 : producerId, producerEpoch: 0, now: 1000 },
  );

/**
 * A client that answers Fetch from `logs` (every batch holding or after the fetch offset, as a
 * broker does) and counts what it is asked. `leader` decides leaderFor (a number, or an error).
 */
class ScriptedClient {
  readonly requestTimeoutMs = 1000;
  readonly connectTimeoutMs = 2000;
  readonly retryBackoffMs = 50;
  leaderCalls = 0;
  fetches = 0;
  leader: () => number = () => 1;
  /** Partition answers that replace the log's (an error code), by partition. */
  errors = new Map<number, number>();
  aborted: { producerId: number; firstOffset: number }[] = [];
  /** ListOffsets answers' error codes, one per request (then 0: the log's start). */
  listOffsetsErrors: number[] = [];
  constructor(readonly logs: Map<number, LogBatch[]>) {}

  async leaderFor(): Promise<number> {
    this.leaderCalls++;
    return this.leader();
  }

  async refreshMetadata(): Promise<unknown> {
    return { topics: new Map() };
  }

  async send(_target: number, api: { name: string }, body: { topics: { topic: string; partitions: { partition: number; fetchOffset: number }[] }[] }): Promise<unknown> {
    if (api.name === 'ListOffsets') {
      const code = this.listOffsetsErrors.shift() ?? 0;
      const asked = body as unknown as { topics: { name: string; partitions: { partitionIndex: number }[] }[] };
      return { body: { topics: asked.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code, offset: code ? -1 : (this.logs.get(p.partitionIndex)?.[0]?.base ?? 0), timestamp: -1 })) })) }, version: 7 };
    }
    if (api.name !== 'Fetch') throw new Error(`unexpected ${api.name}`);
    this.fetches++;
    return {
      body: {
        errorCode: 0,
        responses: body.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => {
            const log = this.logs.get(p.partition) ?? [];
            const end = log.length ? log[log.length - 1]!.base + log[log.length - 1]!.count : 0;
            const code = this.errors.get(p.partition) ?? 0;
            const records = Buffer.concat(log.filter((b) => b.base + b.count > p.fetchOffset).map(batch));
            return { partitionIndex: p.partition, errorCode: code, highWatermark: end, lastStableOffset: end, abortedTransactions: this.aborted, records: code ? null : records };
          }),
        })),
      },
      version: 12,
    };
  }
}

const fetcherOn = (c: ScriptedClient, opts: ConstructorParameters<typeof Fetcher>[1] = {}) => new Fetcher(c as unknown as KafkaClient, opts);

/** Polls until every partition is at its stop offset (or `rounds` polls); returns the offsets read. */
async function readAll(f: Fetcher, rounds = 10): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < rounds && !f.allAtEnd(); i++) for (const c of await f.poll({ maxWaitMs: 0 })) seen.push(...c.records.map((r) => `${c.partition}:${r.offset}`));
  return seen;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Fetcher stop offsets (--offset START:END)', () => {
  it('stops at the stop offset when a transaction marker follows the batch that holds it', async () => {
    // One committed transaction: records 0-9, its COMMIT marker at 10, the end of the log.
    const c = new ScriptedClient(new Map([[0, [{ base: 0, count: 10, kind: 'txn' }, { base: 10, count: 1, kind: 'marker' }]]]));
    const f = fetcherOn(c);
    await f.assign([{ topic: 't', partition: 0, start: 0, stopAt: 5 }]);
    expect(await readAll(f)).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4']);
    expect(f.assignment()[0]!.position).toBe(5);
  });

  it('read_committed: stops at the stop offset when an aborted batch follows', async () => {
    // Producer 8's aborted transaction (20-24, marker 25) after a committed one of producer 7.
    const log: LogBatch[] = [
      { base: 0, count: 10, kind: 'txn' },
      { base: 10, count: 1, kind: 'marker' },
      { base: 11, count: 9, kind: 'txn' },
      { base: 20, count: 5, kind: 'txn', producerId: 8 },
      { base: 25, count: 1, kind: 'marker', producerId: 8 },
    ];
    const c = new ScriptedClient(new Map([[0, log]]));
    c.aborted = [{ producerId: 8, firstOffset: 20 }];
    const f = fetcherOn(c, { isolationLevel: 1 });
    await f.assign([{ topic: 't', partition: 0, start: 8, stopAt: 15 }]);
    expect(await readAll(f)).toEqual(['0:8', '0:9', '0:11', '0:12', '0:13', '0:14']);
    expect(f.assignment()[0]!.position).toBe(15);
    // A stop offset inside the aborted transaction: nothing of it, and no further.
    const g = fetcherOn(c, { isolationLevel: 1 });
    await g.assign([{ topic: 't', partition: 0, start: 18, stopAt: 22 }]);
    expect(await readAll(g)).toEqual(['0:18', '0:19']);
    expect(g.assignment()[0]!.position).toBe(22);
  });

  it('a marker right at the stop offset is not stepped over', async () => {
    const c = new ScriptedClient(new Map([[0, [{ base: 0, count: 10, kind: 'txn' }, { base: 10, count: 1, kind: 'marker' }, { base: 11, count: 3, kind: 'plain' }]]]));
    const f = fetcherOn(c);
    await f.assign([{ topic: 't', partition: 0, start: 0, stopAt: 10 }]);
    expect((await readAll(f)).length).toBe(10);
    expect(f.assignment()[0]!.position).toBe(10);
  });
});

describe('Fetcher: a poll that fails returns nothing and moves no position', () => {
  it("an error in one partition's answer leaves the other partitions where the round started", async () => {
    const c = new ScriptedClient(new Map([[0, [{ base: 0, count: 4, kind: 'plain' }]], [1, [{ base: 0, count: 4, kind: 'plain' }]]]));
    c.errors.set(1, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const f = fetcherOn(c);
    await f.assign([0, 1].map((partition) => ({ topic: 't', partition, start: 0 })));
    await expect(f.poll({ maxWaitMs: 0 })).rejects.toThrow(KafkaProtocolError);
    expect(f.assignment().map((p) => p.position)).toEqual([0, 0]);
    // Once the error is gone, the records are read (not skipped).
    c.errors.clear();
    expect(await readAll(f)).toEqual(['0:0', '0:1', '0:2', '0:3', '1:0', '1:1', '1:2', '1:3']);
  });

  it('a batch that cannot be decoded leaves every partition of the round where it started', async () => {
    const c = new ScriptedClient(new Map([[0, [{ base: 0, count: 4, kind: 'plain' }]], [1, [{ base: 0, count: 4, kind: 'plain' }]]]));
    const f = fetcherOn(c);
    await f.assign([0, 1].map((partition) => ({ topic: 't', partition, start: 0 })));
    // Partition 1's batch claims a record more than it holds.
    const send = c.send.bind(c);
    c.send = async (...args: Parameters<typeof send>) => {
      const res = (await send(...args)) as { body: { responses: { partitions: { partitionIndex: number; records: Buffer }[] }[] } };
      for (const p of res.body.responses[0]!.partitions) if (p.partitionIndex === 1) p.records.writeInt32BE(5, 57);
      return res;
    };
    await expect(f.poll({ maxWaitMs: 0 })).rejects.toThrow();
    expect(f.assignment().map((p) => p.position)).toEqual([0, 0]);
  });
});

describe('Fetcher: a partition without a leader', () => {
  it('retry.backoff.ms: polls wait that long between leader lookups instead of looping at once', async () => {
    vi.useFakeTimers();
    const c = new ScriptedClient(new Map([[0, [{ base: 0, count: 2, kind: 'plain' }]]]));
    c.leader = () => {
      throw new KafkaProtocolError(ErrorCode.LEADER_NOT_AVAILABLE);
    };
    const f = fetcherOn(c);
    await f.assign([{ topic: 't', partition: 0, start: 0 }]);
    // A poll loop as console-consumer's (at most 1,000 polls: without a backoff they all run at once).
    let polls = 0;
    let stop = false;
    const loop = (async () => {
      while (!stop && polls < 1000) {
        await f.poll({ maxWaitMs: 500 });
        polls++;
      }
    })();
    await vi.advanceTimersByTimeAsync(1000);
    stop = true;
    await vi.advanceTimersByTimeAsync(c.retryBackoffMs);
    await loop;
    // A second and a backoff at retry.backoff.ms 50: twenty-odd polls, each one leader lookup, no fetch.
    expect(polls).toBeGreaterThanOrEqual(20);
    expect(polls).toBeLessThanOrEqual(21);
    expect({ lookups: c.leaderCalls, fetches: c.fetches }).toEqual({ lookups: polls, fetches: 0 });
    // The leader is back: the next poll after the backoff reads.
    c.leader = () => 1;
    const next = f.poll({ maxWaitMs: 500 });
    await vi.advanceTimersByTimeAsync(c.retryBackoffMs);
    expect((await next).flatMap((ch) => ch.records.map((r) => r.offset))).toEqual([0, 1]);
  });

  it('while other partitions are read, looks its leader up once per retry.backoff.ms, not once per fetch', async () => {
    vi.useFakeTimers();
    const c = new ScriptedClient(new Map([[1, [{ base: 0, count: 5, kind: 'plain' }]]]));
    const f = fetcherOn(c);
    await f.assign([0, 1].map((partition) => ({ topic: 't', partition, start: 0 })));
    let lookups0 = 0;
    const leaderFor = c.leaderFor.bind(c);
    c.leaderFor = async (...args: unknown[]) => {
      if ((args as [string, number])[1] === 0) {
        lookups0++;
        throw new KafkaProtocolError(ErrorCode.LEADER_NOT_AVAILABLE);
      }
      return leaderFor();
    };
    // Partition 1's leader answers every fetch at once (no time passes).
    for (let i = 0; i < 10; i++) await f.poll({ maxWaitMs: 500 });
    expect(c.fetches).toBe(10);
    expect(lookups0).toBe(1);
  });
});

describe('Fetcher: start offsets while a leader moves', () => {
  it('assign() asks again until the partition has a leader that answers (within default.api.timeout.ms)', async () => {
    const c = new ScriptedClient(new Map([[0, [{ base: 3, count: 2, kind: 'plain' }]]]));
    c.listOffsetsErrors = [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE];
    const f = fetcherOn(c);
    await f.assign([{ topic: 't', partition: 0, start: 'earliest' }]);
    expect(f.assignment()[0]!.position).toBe(3);
    expect(c.listOffsetsErrors).toEqual([]);
  });
});
