/**
 * Sliced decompressions (zstd past its first 2 MiB) run one at a time, in the order they came:
 * each may hold 100 MiB while it runs, and a request of many batches ran them all at once. Large
 * decompressions of every codec share one budget of decompressed bytes (16 gzip bombs in one
 * Produce request held 16 x 100 MiB at once).
 */
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { DECOMPRESSION_BUDGET_BYTES, decompressionBudget, offThreadCodecs } from '../../../../src/broker/append/codec-offload.js';

describe('offThreadCodecs.finishSteps', () => {
  it('runs queued decompressions one at a time, in order, each begun only when the one before is done; a failed one does not stop the rest', async () => {
    const events: string[] = [];
    // Each step takes a millisecond, so a job spans several 2 ms slices (others could run between).
    const aMillisecond = () => {
      const until = performance.now() + 1;
      while (performance.now() < until);
    };
    function* job(name: string, steps: number, fail = false): Generator<number, Buffer, void> {
      events.push(`${name} begins`);
      for (let i = 1; i <= steps; i++) {
        aMillisecond();
        yield i;
      }
      if (fail) throw new Error(`${name} failed`);
      events.push(`${name} ends`);
      return Buffer.from(name);
    }
    expect(offThreadCodecs.stepsBusy()).toBe(false);
    const a = offThreadCodecs.finishSteps(() => job('a', 10));
    const b = offThreadCodecs.finishSteps(() => job('b', 3, true));
    const c = offThreadCodecs.finishSteps(() => job('c', 10));
    expect(offThreadCodecs.stepsBusy()).toBe(true);
    // Nothing begins before its turn: the makers are called then.
    expect(events).toEqual([]);
    expect((await a).toString()).toBe('a');
    await expect(b).rejects.toThrow('b failed');
    expect((await c).toString()).toBe('c');
    expect(events).toEqual(['a begins', 'a ends', 'b begins', 'c begins', 'c ends']);
    expect(offThreadCodecs.stepsBusy()).toBe(false);
  });
});

describe('offThreadCodecs.decompressed: one budget of decompressed bytes for the daemon', () => {
  const MiB = 1 << 20;
  /** A decompression that ends when told to, recording when it begins and with what limit. */
  function controlled(name: string, events: string[], out: number) {
    let finish!: () => void;
    const ended = new Promise<void>((r) => (finish = r));
    const make = async (limit: number) => {
      events.push(`${name} begins (${limit / MiB} MiB)`);
      await ended;
      return Buffer.alloc(out);
    };
    return { make, finish };
  }
  const use = (plain: Buffer) => plain.length;
  const failed = (e: unknown) => (e as Error).message;
  /** Resolves once `events` has `n` entries (deadline 10 s), so a test waits for what it checks. */
  async function eventsReach(events: string[], n: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (events.length < n) {
      if (Date.now() > deadline) throw new Error(`waited for ${n} events, saw: ${events.join('; ')}`);
      await new Promise((r) => setImmediate(r));
    }
  }

  it('admits in arrival order while they fit, always one; what waits keeps its place (no smaller one overtakes)', async () => {
    decompressionBudget.resetPeaks();
    const events: string[] = [];
    const a = controlled('a', events, 1);
    const b = controlled('b', events, 1);
    const c = controlled('c', events, 1);
    const d = controlled('d', events, 1);
    // 60 + 60 pass the 100 MiB budget; c (1 MiB) would fit beside a but waits behind b; d states
    // more than a batch may make: it asks the most (maxOutput) and runs alone.
    const pa = offThreadCodecs.decompressed(60 * MiB, DECOMPRESSION_BUDGET_BYTES, a.make, use, failed);
    const pb = offThreadCodecs.decompressed(60 * MiB, DECOMPRESSION_BUDGET_BYTES, b.make, use, failed);
    const pc = offThreadCodecs.decompressed(1 * MiB, DECOMPRESSION_BUDGET_BYTES, c.make, use, failed);
    const pd = offThreadCodecs.decompressed(500 * MiB, DECOMPRESSION_BUDGET_BYTES, d.make, use, failed);
    await eventsReach(events, 1);
    expect({ events, held: decompressionBudget.held / MiB, waiting: decompressionBudget.waiting.length }).toEqual({ events: ['a begins (60 MiB)'], held: 60, waiting: 3 });
    a.finish();
    await pa;
    await eventsReach(events, 3);
    expect(events).toEqual(['a begins (60 MiB)', 'b begins (60 MiB)', 'c begins (1 MiB)']);
    c.finish();
    b.finish();
    await Promise.all([pb, pc]);
    await eventsReach(events, 4);
    d.finish();
    expect(await pd).toBe(1);
    expect(events).toEqual(['a begins (60 MiB)', 'b begins (60 MiB)', 'c begins (1 MiB)', 'd begins (100 MiB)']);
    expect({ held: decompressionBudget.held, running: decompressionBudget.running, peakHeld: decompressionBudget.peakHeld / MiB, peakRunning: decompressionBudget.peakRunning }).toEqual({ held: 0, running: 0, peakHeld: 100, peakRunning: 2 });
  });

  it('holds the bytes until the work on the output is done, and gives them back when a step fails', async () => {
    const events: string[] = [];
    let release!: () => void;
    const checked = new Promise<number>((r) => (release = () => r(7)));
    const first = offThreadCodecs.decompressed(80 * MiB, DECOMPRESSION_BUDGET_BYTES, async () => Buffer.alloc(1), () => checked, failed);
    const broken = offThreadCodecs.decompressed(
      80 * MiB,
      DECOMPRESSION_BUDGET_BYTES,
      async () => {
        events.push('broken begins');
        throw new Error('not gzip');
      },
      use,
      failed,
    );
    const after = controlled('after', events, 3);
    const third = offThreadCodecs.decompressed(80 * MiB, DECOMPRESSION_BUDGET_BYTES, after.make, use, failed);
    // The first's output is still being checked: the others wait.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(events).toEqual([]);
    release();
    expect(await first).toBe(7);
    expect(await broken).toBe('not gzip');
    await eventsReach(events, 2);
    after.finish();
    expect(await third).toBe(3);
    expect(decompressionBudget.held).toBe(0);
  });

  it('gzip: asks the budget for the size its trailer states; a body that makes more (several members) is made again with the most asked', async () => {
    const small = Buffer.from('tail');
    const big = Buffer.alloc(3 * MiB, 1);
    // Two members: the trailer (ISIZE) is the last one's, 4 bytes.
    const body = Buffer.concat([gzipSync(big), gzipSync(small)]);
    const limits: number[] = [];
    const made = await offThreadCodecs.decompressed(
      body.readUInt32LE(body.length - 4),
      DECOMPRESSION_BUDGET_BYTES,
      (limit) => {
        limits.push(limit);
        return offThreadCodecs.gunzip(body, limit);
      },
      (plain) => plain.equals(Buffer.concat([big, small])),
      failed,
    );
    expect({ made, limits }).toEqual({ made: true, limits: [4, DECOMPRESSION_BUDGET_BYTES] });
    // An honest one is made once, asking what it states.
    limits.length = 0;
    const one = gzipSync(big);
    expect(await offThreadCodecs.decompressed(one.readUInt32LE(one.length - 4), DECOMPRESSION_BUDGET_BYTES, (limit) => (limits.push(limit), offThreadCodecs.gunzip(one, limit)), use, failed)).toBe(3 * MiB);
    expect(limits).toEqual([3 * MiB]);
    // Past the most a batch may make, it fails as before.
    expect(await offThreadCodecs.decompressed(4, 2 * MiB, (limit) => offThreadCodecs.gunzip(body, limit), use, failed)).toMatch(/Cannot create a Buffer larger than 2097152 bytes/);
  });
});
