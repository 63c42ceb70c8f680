/**
 * Files named by options (--offset-json-file, --path-to-json-file, properties files, …), read with
 * one wording for why they cannot be: `Cannot read <what> <path>: no such file` (or `it is a
 * directory`, `permission denied`), a usage error, never Node's `ENOENT: no such file or
 * directory, open '…'`.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** Why a file could not be read, in a few words. */
export function unreadableReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      // Node's "EIO: i/o error, read" → "i/o error (EIO)".
      return err.code ? `${err.message.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '')} (${err.code})` : String(err.message ?? e);
  }
}

/** The bytes of a file an option names; `what` names it in the error (`--offset-json-file`, `properties file`). */
export function readOptionFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`Cannot read ${what} ${path}: ${unreadableReason(e)}`);
  }
}

/** The text (UTF-8) of a file an option names. */
export const readOptionText = (path: string, what: string): string => readOptionFile(path, what).toString('utf8');
