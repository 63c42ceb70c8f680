/**
 * Creating the directories the daemon writes to, with a reason a user can act on when that is
 * impossible. Node's own `mkdirSync(dir, { recursive: true })` is not used: on Linux it loops
 * forever (100% CPU, signals unanswered) when the kernel refuses with ENOENT, as /proc does.
 */
import { accessSync, constants, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A directory that cannot be used; the message names the path and the reason. */
export class DirectoryError extends Error {
  override name = 'DirectoryError';
}

/** "ENOENT: no such file or directory, mkdir '/x'" → "no such file or directory (ENOENT)". */
function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const text = err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return err.code ? `${text} (${err.code})` : text;
}

/** Creates `dir` and its missing parents, one level at a time; throws a DirectoryError saying why not. */
export function makeDirectory(dir: string): void {
  const path = resolve(dir);
  try {
    if (statSync(path).isDirectory()) return;
    throw new DirectoryError(`${path} is not a directory`);
  } catch (e) {
    if (e instanceof DirectoryError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTDIR: some parent is a file; the walk up below finds and names it.
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new DirectoryError(`Cannot use directory ${path}: ${reason(e)}`);
  }
  const parent = dirname(path);
  if (parent !== path) makeDirectory(parent);
  try {
    mkdirSync(path);
  } catch (e) {
    // Created meanwhile by someone else: fine if it is a directory.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(path).isDirectory()) return;
    throw new DirectoryError(`Cannot create directory ${path}: ${reason(e)}`);
  }
}

/** Makes sure `dir` exists and a file can be written in it. */
export function makeWritableDirectory(dir: string): void {
  makeDirectory(dir);
  const path = resolve(dir);
  const probe = join(path, `.write-test-${process.pid}`);
  try {
    accessSync(path, constants.W_OK);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    throw new DirectoryError(`Directory ${path} is not writable: ${reason(e)}`);
  }
}
