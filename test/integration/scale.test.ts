/**
 * Scale (issue 17), behaviour not timings: an idle broker with thousands of partitions does no
 * per-partition periodic work (no timer per partition, a handful of wake-ups while idle), and a
 * client that keeps asking for data but never reads its socket does not make the broker buffer
 * the answers (memory stays bounded; other connections are still served).
 */
import { createHook } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { ApiVersions, Fetch, Produce } from '../../src/protocol/apis/index.js';
import { encodeRequest } from '../../src/protocol/messages.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { RawConn } from '../helpers/raw-kafka.js';

let broker: TestBroker | null = null;
const conns: RawConn[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
  await broker?.close();
  broker = null;
});

const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const until = async (what: string, cond: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('scale', () => {
  it('an idle broker with 2,000 partitions keeps no timer per partition and wakes up a handful of times', async () => {
    broker = await startBroker();
    const admin = new Admin(broker.client('scale'));
    const before = timeouts();
    // One topic at a time: creating 500 partitions (1,500 files) takes seconds on a loaded disk.
    for (const name of ['idle-a', 'idle-b', 'idle-c', 'idle-d']) {
      const [created] = await admin.createTopics([{ name, partitions: 500, replicationFactor: 1 }]);
      expect(created!.error).toBeNull();
    }
    const after = timeouts();
    expect(after - before, `active Timeouts went from ${before} to ${after} with 2,000 partitions`).toBeLessThan(20);

    // Wake-ups while idle: every timer/immediate callback run in this process over 6 s (the high-
    // watermark checkpoint runs every 5 s, so one round of periodic work is inside the window).
    const seen = new Map<string, number>();
    const kinds = new Map<number, string>();
    const hook = createHook({
      init(id, type) {
        kinds.set(id, type);
      },
      before(id) {
        // Timers set up before the hook (the broker's intervals) are reported as 'earlier'.
        const k = kinds.get(id) ?? 'earlier';
        if (k !== 'PROMISE') seen.set(k, (seen.get(k) ?? 0) + 1);
      },
    });
    hook.enable();
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 6000));
    hook.disable();
    const wakeups = [...seen.values()].reduce((a, b) => a + b, 0);
    // Per-partition work would be thousands of callbacks; a few per second is the floor.
    expect(wakeups, `callbacks in ${Date.now() - start} ms idle: ${JSON.stringify(Object.fromEntries(seen))}`).toBeLessThan(200);
  }, 60_000);

  it('a client that sends fetches and never reads its socket does not make the broker buffer the answers', async () => {
    broker = await startBroker();
    const admin = new Admin(broker.client('scale'));
    await admin.createTopics([{ name: 'stalled', partitions: 1, replicationFactor: 1 }]);
    const port = Number(broker.bootstrap.split(':').at(-1));
    // 8 MiB of 1 KiB records, written with raw produce requests (not this project's producer).
    const writer = await RawConn.tcp(port);
    conns.push(writer);
    const value = Buffer.alloc(1024, 'v');
    for (let i = 0; i < 16; i++) {
      const records = encodeBatch(Array.from({ length: 512 }, () => ({ value })));
      const res = await writer.request<unknown, { responses: { partitionResponses: { errorCode: number }[] }[] }>(Produce, 7, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 10_000,
        topicData: [{ name: 'stalled', partitionData: [{ index: 0, records }] }],
      });
      expect(res!.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    }

    // 300 pipelined fetches of 1 MiB each (300 MiB of answers) on a socket nobody reads.
    const stalled = await RawConn.tcp(port);
    conns.push(stalled);
    stalled.socket.pause();
    const mem = () => {
      const m = process.memoryUsage();
      return (m.heapUsed + m.external) / 2 ** 20;
    };
    global.gc?.();
    const base = mem();
    for (let i = 0; i < 300; i++) {
      stalled.write(
        encodeRequest(Fetch, 4, 1000 + i, 'stalled', {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          topics: [{ topic: 'stalled', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
        }),
      );
    }
    // The broker answers until the socket is full, then stops reading it: wait until memory stops
    // growing (no new peak for 1.5 s), sampling it meanwhile.
    let peak = mem();
    let peakAt = Date.now();
    await until(
      'memory to stop growing while the connection is stalled',
      () => {
        const m = mem();
        if (m > peak + 1) peakAt = Date.now();
        peak = Math.max(peak, m);
        return Date.now() - peakAt > 1500;
      },
      30_000,
    );
    peak = Math.max(peak, mem());
    expect(peak - base, `memory grew from ${base.toFixed(0)} MiB to a peak of ${peak.toFixed(0)} MiB`).toBeLessThan(100);

    // Other connections are still served.
    const other = await RawConn.tcp(port);
    conns.push(other);
    const v = await other.request<unknown, { errorCode: number }>(ApiVersions, 0, {}, 5000);
    expect(v!.errorCode).toBe(0);

    // And the stalled one gets its answers once it reads: in order, nothing lost.
    stalled.socket.resume();
    for (let i = 0; i < 300; i++) {
      const f = await stalled.readFrame(20_000);
      expect(f!.readInt32BE(0)).toBe(1000 + i);
    }
  }, 90_000);
});
