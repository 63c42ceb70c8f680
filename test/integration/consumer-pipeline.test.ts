/**
 * Consumer pipeline (issue 17): with `prefetch` the Fetcher sends the next Fetch as soon as a
 * response is applied. Positions must stay right: a prefetched answer is dropped after a seek,
 * pause or (un)assignment; read_committed still drops aborted transactions and control records;
 * every record is returned once, in order. Real broker, real sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Fetcher, type FetchedChunk } from '../../src/client/consumer/fetcher.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let broker: TestBroker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

const values = (chunks: FetchedChunk[]) => chunks.flatMap((c) => c.records.map((r) => `${c.partition}:${r.offset}:${r.value!.toString()}`));

async function setup(partitions: number, perPartition: number) {
  broker = await startBroker({ inMemory: true });
  await new Admin(broker.client()).createTopics([{ name: 't', partitions, replicationFactor: 1 }]);
  const producer = new Producer(broker.client('p'), { acks: -1, lingerMs: 0 });
  // Batches of 10 records: a small max.partition.fetch.bytes then takes many rounds.
  for (let i = 0; i < perPartition; i += 10) {
    const sends: Promise<unknown>[] = [];
    for (let p = 0; p < partitions; p++) for (let j = i; j < Math.min(perPartition, i + 10); j++) sends.push(producer.send({ topic: 't', partition: p, value: Buffer.from(`v${j}`) }));
    await Promise.all(sends);
  }
  await producer.close();
}

/** Polls until `stop` holds or the deadline passes; returns everything read. */
async function readUntil(f: Fetcher, stop: (seen: string[]) => boolean, ms = 15_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + ms;
  while (!stop(seen)) {
    if (Date.now() > deadline) throw new Error(`timed out; read ${seen.length}: ${seen.slice(-5).join(' ')}`);
    seen.push(...values(await f.poll({ maxWaitMs: 100 })));
  }
  return seen;
}

describe('Fetcher with prefetch', () => {
  it('reads every record once, in order per partition, across 3 partitions', async () => {
    await setup(3, 400);
    // Small fetches: many rounds, each prefetched.
    const f = new Fetcher(broker!.client('c'), { prefetch: true, maxPartitionBytes: 2048 });
    await f.assign([0, 1, 2].map((partition) => ({ topic: 't', partition, start: 'earliest' as const })));
    const seen = await readUntil(f, (s) => s.length >= 1200);
    f.close();
    expect(seen.length).toBe(1200);
    for (const p of [0, 1, 2]) {
      const offsets = seen.filter((s) => s.startsWith(`${p}:`)).map((s) => Number(s.split(':')[1]));
      expect(offsets).toEqual(Array.from({ length: 400 }, (_, i) => i));
    }
  });

  it('a poller slower than the broker: taking a round sends the next Fetch at once, not after the rounds out are applied', async () => {
    await setup(1, 300);
    const client = broker!.client('c');
    // The Fetches sent (their offsets) and how many were answered.
    const sent: number[] = [];
    let answered = 0;
    type Send = (...args: unknown[]) => Promise<unknown>;
    const send = client.send.bind(client) as Send;
    (client as unknown as { send: Send }).send = (...args: unknown[]) => {
      if ((args[1] as { name: string }).name !== 'Fetch') return send(...args);
      sent.push((args[2] as { topics: { partitions: { fetchOffset: number }[] }[] }).topics[0]!.partitions[0]!.fetchOffset);
      return send(...args).finally(() => answered++);
    };
    const until = async (what: string, cond: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; Fetches sent at offsets ${sent.join(' ')}, ${answered} answered`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const f = new Fetcher(client, { prefetch: true, maxPartitionBytes: 1024 });
    await f.assign([{ topic: 't', partition: 0, start: 'earliest' }]);
    expect(values(await f.poll({ maxWaitMs: 100 }))[0]).toBe('0:0:v0');
    // Not polling: the chain sends two rounds ahead, and stops there.
    await until('two rounds ahead answered', () => answered === 3);
    expect(sent.length).toBe(3);
    // Taking one makes room: the round after the newest goes out now, while two are still unapplied.
    await f.poll({ maxWaitMs: 100 });
    await until('the next round sent', () => sent.length === 4);
    expect(sent[3]).toBeGreaterThan(sent[2]!);
    const rest = await readUntil(f, (s) => s.some((x) => x.endsWith(':v299')));
    expect(rest.at(-1)).toBe('0:299:v299');
    f.close();
  });

  it('drops the prefetched answer after a seek and after a pause', async () => {
    await setup(1, 300);
    const f = new Fetcher(broker!.client('c'), { prefetch: true, maxPartitionBytes: 1024 });
    await f.assign([{ topic: 't', partition: 0, start: 'earliest' }]);
    const first = await readUntil(f, (s) => s.length > 0);
    const after = Number(first[first.length - 1]!.split(':')[1]) + 1;
    expect(after).toBeLessThan(100);
    // The next Fetch (from `after`) is in flight; seek back to 5.
    f.seek('t', 0, 5);
    const again = await readUntil(f, (s) => s.length > 0);
    expect(again[0]).toBe('0:5:v5');
    expect(f.assignment()[0]!.position).toBeLessThan(200);
    // Pause while a prefetch is in flight: nothing of the partition comes back.
    f.pause('t', 0);
    expect(values(await f.poll({ maxWaitMs: 50 }))).toEqual([]);
    const pos = f.assignment()[0]!.position;
    f.pause('t', 0, false);
    const rest = await readUntil(f, (s) => s.some((x) => x.endsWith(':v299')));
    // Continues exactly where it was when paused: no gap, no duplicate.
    expect(rest[0]).toBe(`0:${pos}:v${pos}`);
    const offsets = rest.map((s) => Number(s.split(':')[1]));
    expect(offsets).toEqual(Array.from({ length: 300 - pos }, (_, i) => pos + i));
    expect(after).toBeGreaterThan(0);
    f.close();
  });

  it('drops a prefetched answer for a partition unassigned meanwhile, and reads a newly assigned one', async () => {
    await setup(2, 50);
    const f = new Fetcher(broker!.client('c'), { prefetch: true, maxPartitionBytes: 256 });
    await f.assign([{ topic: 't', partition: 0, start: 'earliest' }]);
    await readUntil(f, (s) => s.length > 0);
    f.unassign('t', 0);
    await f.assign([{ topic: 't', partition: 1, start: 'earliest' }]);
    const seen = await readUntil(f, (s) => s.some((x) => x.endsWith(':v49')));
    expect(seen.every((s) => s.startsWith('1:'))).toBe(true);
    expect(seen.map((s) => Number(s.split(':')[1]))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    f.close();
  });

  it('read_committed: aborted transactions and markers are skipped, committed ones read once', async () => {
    broker = await startBroker({ inMemory: true, properties: { 'transaction.state.log.replication.factor': '1', 'transaction.state.log.min.isr': '1' } });
    await new Admin(broker.client()).createTopics([{ name: 't', partitions: 1, replicationFactor: 1 }]);
    const producer = new Producer(broker.client('txp'), { transactionalId: 'pipeline-tx', acks: -1 });
    await producer.initTransactions();
    const expected: string[] = [];
    for (let t = 0; t < 8; t++) {
      producer.beginTransaction();
      const sends = Array.from({ length: 20 }, (_, i) => producer.send({ topic: 't', partition: 0, value: Buffer.from(`t${t}-${i}`) }));
      await Promise.all(sends);
      if (t % 3 === 1) await producer.abortTransaction();
      else {
        await producer.commitTransaction();
        for (let i = 0; i < 20; i++) expected.push(`t${t}-${i}`);
      }
    }
    await producer.close();
    const f = new Fetcher(broker.client('c'), { prefetch: true, isolationLevel: 1, maxPartitionBytes: 512 });
    await f.assign([{ topic: 't', partition: 0, start: 'earliest' }]);
    const seen = await readUntil(f, (s) => s.length >= expected.length && f.allAtEnd());
    f.close();
    expect(seen.map((s) => s.split(':')[2])).toEqual(expected);
  });
});
