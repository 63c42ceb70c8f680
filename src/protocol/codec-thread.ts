/**
 * lz4 and snappy decompressions off the calling thread, without their native modules'
 * asynchronous calls: lz4-napi's decompressFrame/uncompress and snappy's uncompress never free
 * their output. Measured on Node 20 (100 MB of zeros, global.gc() and a few turns of the event
 * loop after each call): RSS grew ~100 MB a call for good (8 calls: 63 MB → 980 MB) while
 * process.memoryUsage() showed the buffers gone (external and arrayBuffers back where they
 * started), with MALLOC_ARENA_MAX=1 too and with snappy's copyOutputData: the native output is
 * lost, not merely unseen by the GC. The synchronous calls free theirs (RSS stays within a call
 * or two of output), so they are run here, on one worker thread, in the order asked; the output
 * comes back as an ArrayBuffer of the main thread's own (transferred, or copied when the native
 * module's buffer cannot be), which its GC counts and frees.
 *
 * A worker that cannot run (its thread would not start, it died) leaves the work to the calling
 * thread, synchronously: correct and bounded, only not off the event loop.
 */
import { createRequire } from 'node:module';
import { JobWorker, WorkerGone } from '../util/job-worker.js';

const require = createRequire(import.meta.url);

/** One job: lz4 frames, one raw lz4 block (its bound prepended, see compression.ts), or snappy blocks laid end to end. */
export type CodecThreadJob =
  | { op: 'lz4Frame'; data: Buffer }
  | { op: 'lz4Block'; data: Buffer; dict?: Buffer }
  | { op: 'snappy'; data: Buffer; blocks: readonly { start: number; end: number; length: number }[]; total: number };

interface Natives {
  lz4: { decompressFrameSync(b: Buffer): Buffer; uncompressSync(b: Buffer, dict?: Buffer): Buffer };
  snappy: { uncompressSync(b: Buffer, o: { asBuffer: true }): Buffer };
}

/**
 * The work itself, the same on the worker (its source is this function's text) and inline.
 * Snappy's blocks are made into one buffer of their stated total, each checked against its
 * stated length.
 */
function runJob(natives: Natives, job: CodecThreadJob): Buffer {
  if (job.op === 'lz4Frame') return natives.lz4.decompressFrameSync(job.data);
  if (job.op === 'lz4Block') return job.dict ? natives.lz4.uncompressSync(job.data, job.dict) : natives.lz4.uncompressSync(job.data);
  const raw = (s: number, e: number) => natives.snappy.uncompressSync(job.data.subarray(s, e), { asBuffer: true });
  if (job.blocks.length === 1) {
    const b = job.blocks[0]!;
    const out = raw(b.start, b.end);
    if (out.length !== b.length) throw new Error('snappy block made another length than it states');
    return out;
  }
  const whole = Buffer.allocUnsafeSlow(job.total);
  let at = 0;
  for (const b of job.blocks) {
    const out = raw(b.start, b.end);
    if (out.length !== b.length) throw new Error('snappy block made another length than it states');
    at += out.copy(whole, at);
  }
  return whole;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const natives = { lz4: require(workerData.lz4Path), snappy: require(workerData.snappyPath) };
const asBuffer = (u) => (u ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : undefined);
const runJob = ${runJob.toString()};
parentPort.on('message', (m) => {
  let out;
  try {
    out = runJob(natives, { ...m, data: asBuffer(m.data), dict: asBuffer(m.dict) });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
    return;
  }
  // The native buffer itself when it is a whole ArrayBuffer that can be handed over; else a copy.
  if (out.byteOffset === 0 && out.byteLength === out.buffer.byteLength) {
    try {
      parentPort.postMessage({ id: m.id, out }, [out.buffer]);
      return;
    } catch {}
  }
  const copy = new Uint8Array(out.byteLength);
  copy.set(out);
  parentPort.postMessage({ id: m.id, out: copy }, [copy.buffer]);
});
`;

/** The codec worker, its jobs in the order they came. */
class CodecThread {
  private readonly worker: JobWorker;

  constructor(onGone: () => void) {
    this.worker = new JobWorker('codec', WORKER_SOURCE, { lz4Path: require.resolve('lz4-napi'), snappyPath: require.resolve('snappy') }, onGone);
  }

  run(job: CodecThreadJob): Promise<Buffer> {
    // Copies the worker takes over: the inputs may be views of pooled request buffers.
    const data = new Uint8Array(job.data);
    const dict = job.op === 'lz4Block' && job.dict ? new Uint8Array(job.dict) : undefined;
    return this.worker.run({ ...job, data, dict }, dict ? [data.buffer, dict.buffer] : [data.buffer]);
  }
}

let thread: CodecThread | null = null;
let threadBroken = false;

function natives(): Natives {
  return { lz4: require('lz4-napi') as Natives['lz4'], snappy: require('snappy') as Natives['snappy'] };
}

function inline(job: CodecThreadJob): Promise<Buffer> {
  try {
    return Promise.resolve(runJob(natives(), job));
  } catch (e) {
    return Promise.reject(e as Error);
  }
}

/** `job`'s output, made on the codec worker (one job at a time, in the order asked). */
export function onCodecThread(job: CodecThreadJob): Promise<Buffer> {
  if (threadBroken) return inline(job);
  let running: Promise<Buffer>;
  try {
    if (!thread) {
      const t: CodecThread = new CodecThread(() => {
        if (thread === t) thread = null;
        threadBroken = true;
      });
      thread = t;
    }
    running = thread.run(job);
  } catch {
    threadBroken = true;
    return inline(job);
  }
  return running.catch((e: unknown) => (e instanceof WorkerGone ? inline(job) : Promise.reject(e as Error)));
}
