/** Buffers for fetched log data, reused once their answer is written (src/util/read-buffers.ts). */
import { describe, expect, it } from 'vitest';
import { ReadBuffers } from '../../src/util/read-buffers.js';

describe('ReadBuffers', () => {
  it('hands a given-back buffer out again, once, however many of its slices the answer held', () => {
    const pool = new ReadBuffers();
    const a = pool.take(700_000);
    expect(a.length).toBe(700_000);
    // Two batches of the same read in one answer, plus a chunk that is not the pool's.
    pool.giveBack([Buffer.from('header'), a.subarray(0, 100), a.subarray(100, 700_000)]);
    expect(pool.pooledBytes).toBe(1 << 20);
    const b = pool.take(600_000);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.reused).toBe(1);
    // The next take of that size class is a new buffer: b is out.
    const c = pool.take(600_000);
    expect(c.buffer).not.toBe(b.buffer);
    // Giving back what is not out (twice, or never taken) does nothing.
    pool.giveBack([b]);
    pool.giveBack([b]);
    pool.giveBack([Buffer.allocUnsafeSlow(1 << 20)]);
    expect(pool.pooledBytes).toBe(1 << 20);
  });

  it('leaves small and large reads to Node, and keeps at most its ceiling', () => {
    const pool = new ReadBuffers(2 << 20);
    const small = pool.take(1000);
    const large = pool.take(5 << 20);
    pool.giveBack([small, large]);
    expect(pool.pooledBytes).toBe(0);
    const taken = [pool.take(1 << 20), pool.take(1 << 20), pool.take(1 << 20)];
    pool.giveBack(taken);
    expect(pool.pooledBytes).toBe(2 << 20);
    pool.clear();
    expect(pool.pooledBytes).toBe(0);
  });

  it('pools up to the largest size it was given (a client fetch answer: a MiB plus its framing)', () => {
    const pool = new ReadBuffers(8 << 20, 2 << 20);
    const a = pool.take((1 << 20) + 100);
    pool.giveBack([a]);
    expect(pool.pooledBytes).toBe(2 << 20);
    expect(pool.take((1 << 20) + 100).buffer).toBe(a.buffer);
    const large = pool.take((2 << 20) + 1);
    pool.giveBack([large]);
    expect(pool.pooledBytes).toBe(0);
  });

  it('hands out exact sizes, untracked, until pooling starts (frameBuffers, in a process that never gives back)', () => {
    const pool = new ReadBuffers(16 << 20, 8 << 20, false);
    const a = pool.take(1_100_000);
    expect(a.buffer.byteLength).toBe(1_100_000);
    pool.giveBack([a]);
    expect(pool.pooledBytes).toBe(0);
    pool.startPooling();
    const b = pool.take(1_100_000);
    expect(b.buffer.byteLength).toBe(2 << 20);
    pool.giveBack([b]);
    expect(pool.take(1_500_000).buffer).toBe(b.buffer);
  });
});
