/** Creating the daemon's directories, and the reasons given when that is impossible. */
import { afterEach, describe, expect, it } from 'vitest';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DirectoryError, makeDirectory, makeWritableDirectory } from '../../../src/util/directories.js';
import { tempDir } from '../../helpers/tmp.js';

const dirs: { dir: string; cleanup: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function scratch(): string {
  const t = tempDir('kafka-ts-dirs-');
  dirs.push(t);
  return t.dir;
}

describe('makeDirectory', () => {
  it('creates missing parents, and accepts a directory that exists', () => {
    const deep = join(scratch(), 'a', 'b', 'c');
    makeDirectory(deep);
    makeDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it('names a file that stands where a directory (or one of its parents) should be', () => {
    const base = scratch();
    writeFileSync(join(base, 'data'), '');
    expect(() => makeDirectory(join(base, 'data'))).toThrow(new DirectoryError(`${join(base, 'data')} is not a directory`));
    expect(() => makeDirectory(join(base, 'data', 'logs'))).toThrow(new DirectoryError(`${join(base, 'data')} is not a directory`));
  });

  it('gives the reason the system refuses, with its code, even to root', () => {
    // sysfs refuses new directories to everyone (a writable dir refuses only non-root users).
    expect(() => makeWritableDirectory('/sys/kafka-ts-test')).toThrow(/^Cannot create directory \/sys\/kafka-ts-test: .* \((EPERM|EACCES|EROFS)\)$/);
  });
});
