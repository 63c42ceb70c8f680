/**
 * The file-system calls the disk store makes, in one place.
 *
 * segment.ts, disk-store.ts and fd-cache.ts import every node:fs function they use from here
 * rather than from 'node:fs' directly, so that tests can substitute failing calls (fault
 * injection) without touching the storage code. Today this is a plain re-export.
 */
export {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
