/** The lock file and atomic write under the context store (src/util/locked-file.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock, writeFileAtomic } from '../../../src/util/locked-file.js';
import { tempDir } from '../../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const dir = (): string => {
  const t = tempDir('kafka-ts-lock-');
  cleanups.push(t.cleanup);
  return t.dir;
};

describe('withFileLock', () => {
  it('runs one holder at a time and removes the lock afterwards', async () => {
    const lock = join(dir(), 'f.lock');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        withFileLock(lock, async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setImmediate(r));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(existsSync(lock)).toBe(false);
  });

  it('gives up on a lock a live process holds with an error naming it and the file', async () => {
    const lock = join(dir(), 'f.lock');
    writeFileSync(lock, `${process.ppid}\n`);
    await expect(withFileLock(lock, () => 1, 200)).rejects.toMatchObject({ kind: 'failed', message: expect.stringMatching(new RegExp(`^${lock} is locked by process ${process.ppid} .*remove the lock file`)) });
    expect(readFileSync(lock, 'utf8')).toBe(`${process.ppid}\n`); // not broken
  });

  it("judges another host's lock by its age, not by a pid that means nothing here", async () => {
    const lock = join(dir(), 'f.lock');
    // A pid that is surely dead here, taken on another host (a shared home): still held.
    writeFileSync(lock, '999999999@some-other-host\n');
    await expect(withFileLock(lock, () => 1, 200)).rejects.toMatchObject({ kind: 'failed' });
    expect(readFileSync(lock, 'utf8')).toBe('999999999@some-other-host\n');
    // Two minutes old: its holder is gone.
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    expect(await withFileLock(lock, () => 2, 200)).toBe(2);
    expect(existsSync(lock)).toBe(false);
  });

  it('fails the change, writing nothing, when its lock was taken over meanwhile', async () => {
    const lock = join(dir(), 'f.lock');
    let wrote = false;
    const r = withFileLock(lock, (assertHeld) => {
      writeFileSync(lock, `${process.ppid}\n`); // broken and taken by another process
      assertHeld();
      wrote = true;
    });
    await expect(r).rejects.toMatchObject({ kind: 'failed', message: expect.stringContaining('was taken over by another process') });
    expect(wrote).toBe(false);
    expect(readFileSync(lock, 'utf8')).toBe(`${process.ppid}\n`); // the other holder's lock stays
  });

  it('a lock file that cannot be created is one error naming it', async () => {
    const lock = join(dir(), 'missing-dir', 'f.lock');
    await expect(withFileLock(lock, () => 1, 200)).rejects.toMatchObject({ kind: 'failed', message: `Cannot create the lock file ${lock}: ENOENT` });
  });
});

describe('writeFileAtomic', () => {
  it('writes with the given mode, also over a file opened up since, and leaves no temporary file', () => {
    const d = dir();
    const f = join(d, 'x.json');
    writeFileAtomic(f, 'one', 0o600);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    chmodSync(f, 0o640);
    writeFileAtomic(f, 'two', 0o600);
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readdirSync(d)).toEqual(['x.json']);
  });
});
