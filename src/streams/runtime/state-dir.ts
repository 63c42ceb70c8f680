/**
 * The state directory: `<state.dir>/<application.id>/<taskId>/` per task, holding its persistent
 * stores and a `.checkpoint` file (Kafka's OffsetCheckpoint layout: version 0, a count, then one
 * `topic partition offset` line per changelog partition) saying how far the local state reflects
 * each changelog.
 *
 * A task directory is locked by a `.lock` file naming the owning instance (pid and process id), so
 * two instances sharing a state dir never open the same task; a lock whose process is gone is
 * taken over.
 */
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { StreamsException } from './errors.js';

/** Locks held by instances in this process: task dir → process id. */
const heldHere = new Map<string, string>();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export class StateDirectory {
  readonly appDir: string;

  constructor(
    stateDir: string,
    applicationId: string,
    private readonly processId: string,
  ) {
    this.appDir = join(stateDir, applicationId);
    try {
      mkdirSync(this.appDir, { recursive: true });
      accessSync(this.appDir, constants.W_OK | constants.R_OK | constants.X_OK);
      const probe = join(this.appDir, `.probe-${processId}`);
      writeFileSync(probe, '');
      rmSync(probe, { force: true });
    } catch (e) {
      throw new StreamsException(`state.dir ${stateDir} is not writable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (set state.dir to a directory this user can write)`);
    }
  }

  taskDir(taskId: string): string {
    return join(this.appDir, taskId);
  }

  /** Takes the task directory's lock; false when another live instance holds it. */
  lock(taskId: string): boolean {
    const dir = this.taskDir(taskId);
    mkdirSync(dir, { recursive: true });
    const held = heldHere.get(dir);
    if (held) return held === this.processId;
    const file = join(dir, '.lock');
    const mine = `${process.pid} ${this.processId}\n`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        closeSync(openSync(file, 'wx'));
        writeFileSync(file, mine);
        heldHere.set(dir, this.processId);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        let owner = '';
        try {
          owner = readFileSync(file, 'utf8');
        } catch {
          /* removed meanwhile: try again */
        }
        const pid = Number(owner.split(' ')[0]);
        // Another process that is alive, or an instance of this process: not ours to take.
        if (owner && Number.isInteger(pid) && pid > 0 && alive(pid) && pid !== process.pid) return false;
        rmSync(file, { force: true });
      }
    }
    return false;
  }

  unlock(taskId: string): void {
    const dir = this.taskDir(taskId);
    if (heldHere.get(dir) !== this.processId) return;
    heldHere.delete(dir);
    rmSync(join(dir, '.lock'), { force: true });
  }

  /** Tasks with a checkpoint here (state worth keeping: the assignor prefers to give them back). */
  tasksWithState(): string[] {
    try {
      return readdirSync(this.appDir).filter((d) => /^\d+_\d+$/.test(d) && existsSync(join(this.appDir, d, '.checkpoint')));
    } catch {
      return [];
    }
  }

  /** The task's checkpointed changelog offsets (empty without a checkpoint). */
  readCheckpoint(taskId: string): Map<string, number> {
    const out = new Map<string, number>();
    let text: string;
    try {
      text = readFileSync(join(this.taskDir(taskId), '.checkpoint'), 'utf8');
    } catch {
      return out;
    }
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines[0]?.trim() !== '0') return out;
    for (const line of lines.slice(2)) {
      const parts = line.trim().split(' ');
      if (parts.length !== 3) continue;
      const offset = Number(parts[2]);
      if (Number.isInteger(offset) && offset >= 0) out.set(`${parts[0]}\0${parts[1]}`, offset);
    }
    return out;
  }

  writeCheckpoint(taskId: string, offsets: Map<string, number>): void {
    const lines = ['0', String(offsets.size), ...[...offsets].map(([k, o]) => `${k.replace('\0', ' ')} ${o}`)];
    const file = join(this.taskDir(taskId), '.checkpoint');
    writeFileSync(`${file}.tmp`, lines.join('\n') + '\n');
    renameSync(`${file}.tmp`, file);
  }

  deleteCheckpoint(taskId: string): void {
    rmSync(join(this.taskDir(taskId), '.checkpoint'), { force: true });
  }
}
