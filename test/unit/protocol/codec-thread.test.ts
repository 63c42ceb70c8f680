/**
 * lz4's and snappy's decompressAsync give their memory back: lz4-napi's and snappy's own
 * asynchronous calls never freed their output (the daemon grew ~100 MB per 100 MB lz4 batch, for
 * good), invisibly to the GC, so it shows only in the process's RSS. This file runs in a process
 * of its own (vitest's forks pool), with a full GC forced between calls.
 */
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CompressionType, codecFor } from '../../../src/protocol/compression.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Full GCs and turns of the event loop, for finalizers that run after one. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

const SIZE = 24 << 20;
const WARM_UP = 5;
const CALLS = 12;

describe('lz4 and snappy decompressAsync', () => {
  for (const [name, type] of [
    ['lz4', CompressionType.lz4],
    ['snappy', CompressionType.snappy],
  ] as const) {
    it(`${name}: made off the event loop (on the codec worker, not its inline fallback)`, async () => {
      const codec = codecFor(type);
      const compressed = codec.compress(Buffer.alloc(SIZE));
      let turned = false;
      setImmediate(() => (turned = true));
      expect((await codec.decompressAsync!(compressed, SIZE)).length).toBe(SIZE);
      expect(turned).toBe(true);
    });

    it(`${name}: ${CALLS} decompressions of ${SIZE >> 20} MiB leave RSS within a few outputs of where it was (they leaked each)`, async () => {
      const codec = codecFor(type);
      const compressed = codec.compress(Buffer.alloc(SIZE));
      const call = async () => {
        const out = await codec.decompressAsync!(compressed, SIZE);
        expect(out.length).toBe(SIZE);
      };
      // Allocators and the worker reach their working size first.
      for (let i = 0; i < WARM_UP; i++) await call();
      await settle();
      const before = process.memoryUsage().rss;
      const seen: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        await call();
        await settle();
        seen.push(Math.round((process.memoryUsage().rss - before) / (1 << 20)));
      }
      // Leaking, the growth passed CALLS x 24 MiB (288 MiB); the bound is 4 outputs.
      expect(seen[seen.length - 1], `RSS growth after each call, MiB: ${seen.join(' ')}`).toBeLessThan(4 * (SIZE >> 20));
    });
  }
});
