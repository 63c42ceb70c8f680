/**
 * Consumer-group worker processes (real clients) for the interop tests: each prints JSON events
 * (msg, commit, assigned, closed) with a timestamp; the harness collects them and checks the
 * group's delivery guarantees.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { KAFKAJS_CLIENT, PY_CLIENT, PYTHON } from './real-clients.js';

export interface WorkerEvent {
  e: 'msg' | 'commit' | 'assigned' | 'closed';
  t: number;
  p?: number;
  o?: number;
  v?: string;
  partitions?: number[];
}

const GROUP_JS = KAFKAJS_CLIENT.replace('kafkajs-client.cjs', 'kafkajs-group.cjs');
const GROUP_PY = PY_CLIENT.replace('py_client.py', 'py_group.py');

export class Worker {
  readonly events: WorkerEvent[] = [];
  private readonly child: ChildProcess;
  private buf = '';
  private stderr = '';
  private waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
  ) {
    this.child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.buf += d.toString();
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        if (line.trim()) this.events.push(JSON.parse(line) as WorkerEvent);
      }
      this.wake();
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => this.child.on('exit', (code) => (this.wake(), r(code))));
  }

  static kafkajs(name: string, bootstrap: string, group: string, topic: string, ...extra: string[]): Worker {
    return new Worker(name, process.execPath, [GROUP_JS, bootstrap, group, topic, ...extra]);
  }

  static python(name: string, lib: 'kafka-python' | 'confluent-kafka', bootstrap: string, group: string, topic: string, ...extra: string[]): Worker {
    return new Worker(name, PYTHON, [GROUP_PY, lib, bootstrap, group, topic, ...extra]);
  }

  private wake() {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** Exited by itself with status 0 (a stopped member, not a killed one). */
  get exitedCleanly(): boolean {
    return this.child.exitCode === 0;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get log(): string {
    return this.stderr;
  }

  /** Resolves on this worker's next event (or its exit). */
  nextEvent(): Promise<void> {
    if (this.child.exitCode !== null) return new Promise(() => undefined);
    return new Promise((r) => this.waiters.push(r));
  }

  messages(): WorkerEvent[] {
    return this.events.filter((e) => e.e === 'msg');
  }

  /** Resolves when `cond` holds for this worker's events (checked on every new line). */
  async until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited (${this.child.exitCode}) before ${what}: ${this.stderr.slice(-800)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${this.name}: ${what}; stderr: ${this.stderr.slice(-800)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  /** For timeout messages: what this worker holds and how far it got on each partition. */
  summary(): string {
    const held = this.events.filter((e) => e.e === 'assigned').at(-1)?.partitions ?? [];
    const last = new Map<number, number>();
    for (const m of this.messages()) last.set(m.p!, m.o!);
    const progress = [...last].sort((a, b) => a[0] - b[0]).map(([p, o]) => `p${p}@${o}`).join(' ');
    const cut = this.exitedCleanly && this.events.at(-1)?.e !== 'closed' ? ', output cut short' : '';
    const state = this.child.exitCode === null ? 'running' : `exited ${this.child.exitCode}${cut}`;
    return `${this.name} (${state}): ${this.messages().length} records, holds [${held.join(',')}], last offsets ${progress || '-'}; ${this.stderr.slice(-300)}`;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Waits until the combined events of several workers satisfy `cond` (re-checked on every event). */
export async function untilAll(workers: Worker[], cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out waiting: ${what}; ${workers.map((w) => w.summary()).join(' | ')}`)),
      timeoutMs,
    );
  });
  try {
    while (!cond()) await Promise.race([timeout, ...workers.map((w) => w.nextEvent())]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The group's guarantee: no record is lost, and a record is consumed twice only when no commit
 * covering it had been acknowledged before the second consumer got the partition.
 */
export function checkDelivery(workers: Worker[], expected: number): { duplicates: number } {
  // A member that exited normally printed 'closed' last; without it part of its output was lost
  // on the way, and records it consumed would be counted as never delivered.
  for (const w of workers) {
    if (w.exitedCleanly && w.events.at(-1)?.e !== 'closed') throw new Error(`${w.name} exited without its final 'closed' event: its output was cut short`);
  }
  const seen = new Map<string, number>();
  for (const w of workers) for (const m of w.messages()) seen.set(m.v!, (seen.get(m.v!) ?? 0) + 1);
  const missing: string[] = [];
  for (let i = 0; i < expected; i++) if (!seen.has(String(i))) missing.push(String(i));
  if (missing.length) throw new Error(`${missing.length} records were never consumed, e.g. ${missing.slice(0, 5).join(', ')}`);
  const commits = workers.flatMap((w) => w.events.filter((e) => e.e === 'commit'));
  let duplicates = 0;
  for (const w of workers) {
    // For each assignment, the first record of each partition must start at or after what was
    // committed (by anyone) before that assignment happened.
    const assignments = w.events.filter((e) => e.e === 'assigned');
    for (const a of assignments) {
      const next = assignments.find((x) => x.t > a.t);
      for (const p of a.partitions ?? []) {
        const first = w.messages().find((m) => m.p === p && m.t >= a.t && (!next || m.t < next.t));
        if (!first) continue;
        const committedBefore = Math.max(-1, ...commits.filter((c) => c.p === p && c.t < a.t).map((c) => c.o!));
        if (first.o! < committedBefore) {
          throw new Error(`${w.name} restarted partition ${p} at ${first.o} although ${committedBefore} had been committed before its assignment`);
        }
      }
    }
  }
  for (const n of seen.values()) if (n > 1) duplicates += n - 1;
  return { duplicates };
}

/**
 * For a failed delivery check: each run of offsets that no worker delivered below the highest
 * delivered offset of its partition, with who delivered the records on either side, and the
 * commits and assignments on that partition in between.
 */
export function describeGaps(workers: Worker[]): string {
  const byPartition = new Map<number, Map<number, { w: string; t: number }>>();
  for (const w of workers) {
    for (const m of w.messages()) {
      if (!byPartition.has(m.p!)) byPartition.set(m.p!, new Map());
      const seen = byPartition.get(m.p!)!;
      if (!seen.has(m.o!)) seen.set(m.o!, { w: w.name, t: m.t });
    }
  }
  const lines: string[] = [];
  for (const [p, seen] of [...byPartition].sort((a, b) => a[0] - b[0])) {
    const top = Math.max(...seen.keys());
    for (let o = 0; o <= top; o++) {
      if (seen.has(o)) continue;
      let end = o;
      while (!seen.has(end + 1)) end++;
      const before = seen.get(o - 1);
      const after = seen.get(end + 1)!;
      const from = before?.t ?? 0;
      const happened = workers
        .flatMap((w) => w.events.filter((e) => e.t >= from - 2000 && e.t <= after.t + 500 && ((e.e === 'commit' && e.p === p) || e.e === 'assigned' || e.e === 'closed')).map((e) => ({ ...e, w: w.name })))
        .sort((a, b) => a.t - b.t)
        .map((e) => `${e.t - from}ms ${e.w} ${e.e}${e.e === 'commit' ? ` ${e.o}` : e.partitions ? ` [${e.partitions.join(',')}]` : ''}`);
      lines.push(`p${p} offsets ${o}..${end} never delivered; ${o - 1} by ${before ? `${before.w} at ${before.t}` : '-'}, ${end + 1} by ${after.w} at +${after.t - from}ms; meanwhile: ${happened.join('; ')}`);
      o = end;
    }
  }
  return lines.join('\n');
}
