/**
 * Codec work off the daemon's event loop: large gzip batches decompressed for the producer checks,
 * and the batches a topic's compression.type makes the broker recompress (log-validator.ts sends
 * the large ones here). zstd at its high levels compresses a few hundred kilobytes a second:
 * done inline, 20 MB of text at level 19 held every client of the daemon for 36 s. gzip goes to
 * zlib's own asynchronous calls (libuv's thread pool); zstd compression to one worker thread,
 * whose jobs run in the order they came. lz4 and snappy compression (no levels, hundreds of
 * megabytes a second) stays inline. Decompression for the producer checks: gzip from 16 KiB on
 * zlib's thread pool; lz4 and snappy, whose headers bound their output (up to ~255 times the body
 * for lz4: a megabyte can make 100 MiB), on a worker thread when that bound passes 2 MiB
 * (Codec.decompressAsync, called by log-validator.ts; protocol/codec-thread.ts); zstd, whose
 * kilobyte can stand for 100 MiB of runs (one such batch held every client ~0.3 s), on the event
 * loop a slice at a time past its first 2 MiB (finishSteps: zstd-napi has no asynchronous
 * decompression).
 *
 * The event loop goes on meanwhile, so other clients are answered; the produce request waits, and
 * with it the rest of its connection (requests are handled one at a time per connection), which
 * keeps one producer's batches in order.
 *
 * Those large decompressions, and the checks (and any recompression) of what they make, share one
 * budget of decompressed bytes for the whole daemon (`decompressed`): a Produce request's
 * partitions are validated all at once, and 16 gzip bombs of 100 KB in one 1.6 MB request held
 * 16 x 100 MiB, 2.0 GB at the peak (lz4's: 3.96 GB). Kafka validates a batch record by record as
 * it decompresses; here a batch is made whole, so at most the budget of them is made at once.
 */
import { createRequire } from 'node:module';
import { gunzip, gzip } from 'node:zlib';
import { CompressionType, codecFor } from '../../protocol/compression.js';
import { JobWorker, WorkerGone } from '../../util/job-worker.js';
import { stepsInSlices } from '../../util/slices.js';

const require = createRequire(import.meta.url);

/** The validator's codec work off the event loop (log-validator.ts's OffThreadCodecs). */
export const offThreadCodecs = {
  compress: compressOffThread,
  /** gzip's inflate on zlib's thread pool, failing past `maxOutput` bytes as the inline one does. */
  gunzip: (data: Buffer, maxOutput: number): Promise<Buffer> =>
    new Promise((resolve, reject) => gunzip(data, { maxOutputLength: maxOutput }, (e, out) => (e ? reject(e) : resolve(out)))),
  finishSteps,
  /** Whether sliced decompressions are running or waiting, for the budget or their turn (a new one then starts none of its work inline). */
  stepsBusy: (): boolean => stepsJobs > 0 || slicedWaiting > 0,
  decompressed,
};

/**
 * The decompressed bytes that large decompressions (and the work on their output) may hold at
 * once across the daemon: what one batch may make (log-validator.ts's MAX_DECOMPRESSED_BATCH),
 * so a bomb runs alone, while clients' batches (a megabyte or a few made) run side by side as
 * before.
 */
export const DECOMPRESSION_BUDGET_BYTES = 100 * 1024 * 1024;

interface Waiter {
  bytes: number;
  sliced: boolean;
  admit(): void;
}

/** The budget's state: held now, and the most held and run at once since the last resetPeaks (for tests). */
export const decompressionBudget = {
  held: 0,
  running: 0,
  peakHeld: 0,
  peakRunning: 0,
  waiting: [] as Waiter[],
  resetPeaks(): void {
    this.peakHeld = this.held;
    this.peakRunning = this.running;
  },
};
let slicedWaiting = 0;

/** Admits waiters in the order they came, while they fit; one always runs when none does. */
function admitWaiters(): void {
  const b = decompressionBudget;
  while (b.waiting.length > 0) {
    const next = b.waiting[0]!;
    if (b.running > 0 && b.held + next.bytes > DECOMPRESSION_BUDGET_BYTES) return;
    b.waiting.shift();
    if (next.sliced) slicedWaiting--;
    b.held += next.bytes;
    b.running++;
    b.peakHeld = Math.max(b.peakHeld, b.held);
    b.peakRunning = Math.max(b.peakRunning, b.running);
    next.admit();
  }
}

/** `job` run once `bytes` fit in the budget; they stay counted until it settles. */
function withinBudget<T>(bytes: number, sliced: boolean, job: () => Promise<T>): Promise<T> {
  const b = decompressionBudget;
  if (sliced) slicedWaiting++;
  const turn = new Promise<void>((admit) => {
    b.waiting.push({ bytes, sliced, admit });
    admitWaiters();
  });
  return turn.then(job).finally(() => {
    b.held -= bytes;
    b.running--;
    admitWaiters();
  });
}

/** Marks a first try whose output passed what it expected (see `decompressed`). */
const TRY_AGAIN: unique symbol = Symbol('try again');

/**
 * A large decompression, `make(limit)`, and the work on its output, `use` (the records' checks,
 * a recompression), within the daemon's budget of decompressed bytes (a bomb waits for the ones
 * before it, and those after it wait for it); `failed` answers a failed decompression. `expected`
 * is what the batch should make: a bound from its headers (lz4, snappy; then `make` is never
 * over it), or what it states (gzip's ISIZE, which a crafted batch can understate): that many
 * bytes are asked of the budget (at most `maxOutput`), and `make` must fail with Node's
 * ERR_BUFFER_TOO_LARGE past `limit`; a batch that does is made again, `maxOutput` asked of the
 * budget. `sliced`: a zstd decompression (stepsBusy counts it while it waits).
 */
function decompressed<T>(
  expected: number,
  maxOutput: number,
  make: (limit: number) => Promise<Buffer>,
  use: (plain: Buffer) => T | Promise<T>,
  failed: (e: unknown) => T,
  sliced = false,
): Promise<T> {
  const limit = Math.min(Math.max(1, expected), maxOutput);
  const tooLarge = (e: unknown) => (e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
  const first = withinBudget(limit, sliced, () => make(limit).then(use, (e: unknown) => (limit < maxOutput && tooLarge(e) ? TRY_AGAIN : failed(e))));
  return first.then((r) => (r === TRY_AGAIN ? withinBudget(maxOutput, sliced, () => make(maxOutput).then(use, failed)) : r));
}

/** The tail of the queue of sliced decompressions, and how many are in it. */
let stepsQueue: Promise<unknown> = Promise.resolve();
let stepsJobs = 0;

/**
 * A zstd decompression's steps, DECOMPRESS_SLICE_MS of them between the event loop's other work,
 * one decompression at a time in the order they came (`start` makes the steps when its turn
 * comes): each holds up to 100 MiB while it runs, and a request naming many partitions (or one
 * partition many times) ran hundreds at once, gigabytes.
 */
function finishSteps(start: () => Generator<number, Buffer, void>): Promise<Buffer> {
  stepsJobs++;
  const job = stepsQueue.then(() => stepsInSlices(start(), DECOMPRESS_SLICE_MS)).finally(() => stepsJobs--);
  stepsQueue = job.catch(() => undefined);
  return job;
}

/**
 * zstd's decompression stays on the event loop (zstd-napi has no asynchronous one), a slice at a
 * time: each step makes ~128 KiB, so a slice is a millisecond or two past this.
 */
const DECOMPRESS_SLICE_MS = 2;

/** `data` compressed with `codec` (at `level`) without holding the event loop for gzip and zstd. */
function compressOffThread(codec: number, data: Buffer, level?: number): Promise<Buffer> {
  if (codec === CompressionType.gzip) {
    return new Promise((resolve, reject) => gzip(data, level === undefined ? {} : { level }, (e, out) => (e ? reject(e) : resolve(out))));
  }
  if (codec === CompressionType.zstd && !workerBroken) {
    // A worker that cannot run here (its thread or the codec would not start, or it died): the
    // batch, and every later one, is compressed inline as before, rather than refused. A job the
    // codec itself refused is tried inline too (and fails there with the codec's own error).
    let job: Promise<Buffer>;
    try {
      job = zstdWorker().compress(data, level);
    } catch {
      workerBroken = true;
      return inline(codec, data, level);
    }
    return job.catch((e: unknown) => {
      if (e instanceof WorkerGone) workerBroken = true;
      return inline(codec, data, level);
    });
  }
  return inline(codec, data, level);
}

function inline(codec: number, data: Buffer, level?: number): Promise<Buffer> {
  try {
    return Promise.resolve(codecFor(codec).compress(data, level));
  } catch (e) {
    return Promise.reject(e as Error);
  }
}

let workerBroken = false;

/**
 * The worker's code: zstd-napi, loaded from the path the daemon resolved (an eval'd worker has
 * no module of its own to resolve from), compressing each job as it comes.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const zstd = require(workerData.zstdPath);
parentPort.on('message', ({ id, data, level }) => {
  try {
    const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    parentPort.postMessage({ id, out: level === undefined ? zstd.compress(input) : zstd.compress(input, { compressionLevel: level }) });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e) });
  }
});
`;

/** zstd compression on its worker, the jobs in the order they came. */
class ZstdWorker {
  private readonly worker: JobWorker;

  constructor(onGone: () => void) {
    this.worker = new JobWorker('zstd', WORKER_SOURCE, { zstdPath: require.resolve('zstd-napi') }, onGone);
  }

  compress(data: Buffer, level?: number): Promise<Buffer> {
    // A copy the worker takes over: `data` may be a view of a pooled request buffer.
    const copy = new Uint8Array(data);
    return this.worker.run({ data: copy, level }, [copy.buffer]);
  }
}

let zstd: ZstdWorker | null = null;

/** The zstd worker, started on first use (after one that failed, compression stays inline: workerBroken). */
function zstdWorker(): ZstdWorker {
  if (!zstd) {
    const w: ZstdWorker = new ZstdWorker(() => {
      if (zstd === w) zstd = null;
    });
    zstd = w;
  }
  return zstd;
}
