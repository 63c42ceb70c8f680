/**
 * A worker thread that runs jobs one at a time in the order sent (the codec workers): each job a
 * message `{ id, ... }`, each answer `{ id, out }` (bytes) or `{ id, error }` (a message).
 */
import { Worker } from 'node:worker_threads';

/** The worker stopped (failed to start, crashed, exited): its jobs are rejected with this. */
export class WorkerGone extends Error {}

interface Job {
  resolve(out: Buffer): void;
  reject(e: Error): void;
}

export class JobWorker {
  private readonly worker: Worker;
  private readonly jobs = new Map<number, Job>();
  private nextId = 0;

  /** `source`: the worker's code (eval'd: a bundle has no file of its own to start); `onGone`: told once it stops. */
  constructor(name: string, source: string, workerData: unknown, onGone: () => void) {
    this.worker = new Worker(source, { eval: true, workerData });
    // Waiting jobs keep nothing alive: a daemon that stops does not wait for them.
    this.worker.unref();
    this.worker.on('message', (m: { id: number; out?: Uint8Array; error?: string }) => {
      const job = this.jobs.get(m.id);
      this.jobs.delete(m.id);
      if (m.error !== undefined || !m.out) job?.reject(new Error(m.error ?? 'no output'));
      else job?.resolve(Buffer.from(m.out.buffer, m.out.byteOffset, m.out.byteLength));
    });
    const gone = (why: string) => {
      onGone();
      for (const job of this.jobs.values()) job.reject(new WorkerGone(why));
      this.jobs.clear();
    };
    this.worker.on('error', (e) => gone(`the ${name} worker failed: ${e.message}`));
    this.worker.on('exit', (code) => gone(`the ${name} worker exited (${code})`));
  }

  /** Sends `message` (its id added), handing over `transfer`; resolves with the worker's output. */
  run(message: object, transfer: ArrayBuffer[]): Promise<Buffer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }
}
