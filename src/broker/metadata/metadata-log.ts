/**
 * The cluster metadata's files, as KRaft's `__cluster_metadata` keeps them, simply:
 *
 * - `meta/metadata.log`: one record per change, written before the change takes effect (so it
 *   survives the process being killed) and fsync'd with a group commit before any response is
 *   sent (`durable()`: one fdatasync off the event loop covers every record written meanwhile).
 *   A record is framed as `[u32 length][u32 CRC-32C of the payload][payload]`, the payload a
 *   JSON object carrying its offset (`o`), consecutive across the cluster's life.
 * - `meta/snapshot.json`: the whole state as of an offset, written to a temporary file, fsync'd
 *   and renamed over the previous one. A snapshot is taken once the log holds more than
 *   metadata.log.max.record.bytes.between.snapshots; the log is then reset. The state is
 *   serialized across turns of the event loop (a few ms each: about 20 ms at 10,000 topics in
 *   all, which in one piece held the loop that long and more on a loaded machine; see
 *   ClusterMetadata.serializeInSlices) and written asynchronously while new records go to a fresh
 *   log; the previous one is kept as `meta/metadata.prev.log` until the snapshot is durable.
 *
 * On open: the snapshot is loaded, then the records after its offset are replayed from
 * `metadata.prev.log` (if a snapshot was interrupted) and `metadata.log`. A damaged record at the
 * very end of the log (a crash in the middle of an append: that change was never acknowledged)
 * is cut off with a WARN line. A damaged record followed by valid ones means acknowledged changes
 * were lost: the broker refuses to start and says which file and byte (move the log aside to
 * start from the snapshot alone).
 */
import { closeSync, existsSync, fdatasync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { open as openAsync, rename as renameAsync, unlink as unlinkAsync } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '../../protocol/crc32c.js';
import { KafkaTsError } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';

/** The metadata files cannot be read safely: the broker does not start. */
export class MetadataLogError extends KafkaTsError {
  override name = 'MetadataLogError';
  constructor(message: string) {
    super('failed', message);
  }
}

const HEADER = 8;
export const LOG_FILE = 'metadata.log';
export const PREV_LOG_FILE = 'metadata.prev.log';
export const SNAPSHOT_FILE = 'snapshot.json';

export interface LoggedRecord {
  /** The record's offset in the metadata log. */
  o: number;
  type: string;
}

/** Frames one record: length, CRC-32C, JSON payload. */
export function frameRecord(record: LoggedRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  const frame = Buffer.allocUnsafe(HEADER + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32c(payload), 4);
  payload.copy(frame, HEADER);
  return frame;
}

export interface ReadResult {
  records: LoggedRecord[];
  /** Bytes of valid records (where a torn tail starts). */
  validBytes: number;
  /** A damaged record that nothing valid follows: the tail of an interrupted append. */
  tornBytes: number;
}

/**
 * Reads a log file's records. A damaged frame that no intact frame follows (it runs past the end
 * of the file, or only zeros or fragments follow it) is a torn tail; a damaged frame followed by
 * intact ones is corruption.
 */
export function readRecords(buf: Buffer, file: string, recovery = RESTORE_ONLY): ReadResult {
  const records: LoggedRecord[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const problem = frameProblem(buf, pos);
    if (problem === null) {
      const len = buf.readUInt32BE(pos);
      records.push(JSON.parse(buf.toString('utf8', pos + HEADER, pos + HEADER + len)) as LoggedRecord);
      pos += HEADER + len;
      continue;
    }
    const later = firstValidFrameAfter(buf, pos + 1);
    if (later < 0) return { records, validBytes: pos, tornBytes: buf.length - pos };
    throw new MetadataLogError(
      `The metadata log ${file} is corrupt at byte ${pos} (record ${records.length + 1}: ${problem}), and valid records follow it from byte ${later}: ` +
        `acknowledged metadata changes would be lost. ${recovery}`,
    );
  }
  return { records, validBytes: pos, tornBytes: 0 };
}

/**
 * What a damaged metadata log leaves to do. Without a snapshot the log is the whole cluster: set
 * aside, the next start makes a new cluster, whose brokers refuse the log directories of this one
 * (src/storage/disk/log-dir-identity.ts) rather than take their logs for stray ones.
 */
const RESTORE_ONLY = 'Restore the file from a backup (kafka-ts does not drop records by itself; without this log the topics cannot be known, and a new cluster would refuse this data directory\'s logs).';
const restoreOrSnapshot = (files: string) =>
  `Restore the file from a backup, or move ${files} aside to start from ${SNAPSHOT_FILE}: the changes after it are lost (logs of topics made since are set aside as stray logs, not read).`;

/** Where the next intact frame starts at or after `from` (-1: none; only damage or zeros remain). */
function firstValidFrameAfter(buf: Buffer, from: number): number {
  for (let p = from; p + HEADER < buf.length; p++) if (frameProblem(buf, p) === null) return p;
  return -1;
}

function frameProblem(buf: Buffer, pos: number): string | null {
  if (pos + HEADER > buf.length) return 'truncated header';
  const len = buf.readUInt32BE(pos);
  if (len === 0) return 'empty record';
  if (pos + HEADER + len > buf.length) return 'truncated record';
  const payload = buf.subarray(pos + HEADER, pos + HEADER + len);
  if (crc32c(payload) !== buf.readUInt32BE(pos + 4)) return 'CRC mismatch';
  try {
    const r = JSON.parse(payload.toString('utf8')) as Partial<LoggedRecord>;
    if (typeof r.o !== 'number' || typeof r.type !== 'string') return 'not a metadata record';
  } catch {
    return 'not JSON';
  }
  return null;
}

export interface LoadedMetadata<S> {
  snapshot: S | null;
  /** Records after the snapshot's offset, in order. */
  records: LoggedRecord[];
  /** The offset the next record gets. */
  nextOffset: number;
}

/** A snapshot's text and what serializing it cost the event loop. */
export interface SerializedSnapshot {
  text: string;
  /** The longest stretch of serializing between two yields to the event loop. */
  longestSliceMs: number;
  slices: number;
}

/** Snapshots carry the offset of the last record they include. */
export interface SnapshotHeader {
  offset: number;
}

export class MetadataLog {
  private fd = -1;
  private nextOffset = 0;
  /** Bytes appended since the last snapshot (metadata.log plus a pending metadata.prev.log). */
  private bytesSinceSnapshot = 0;
  private snapshotting: Promise<void> | null = null;
  /** The last offset known to be on disk. */
  private synced = -1;
  /** The fsync running (and the offset it covers), and the one queued behind it. */
  private running: Promise<void> | null = null;
  private runningTarget = -1;
  private queued: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | null = null;
  /** The last snapshot's cost, for logs, tests and the bench. */
  lastSnapshot: { offset: number; bytes: number; serializeMs: number; longestSliceMs: number; slices: number; writeMs: number } | null = null;

  constructor(
    readonly dir: string,
    private readonly log: Logger,
    /** Bytes of records after which a snapshot is taken. */
    private readonly snapshotBytes: number,
  ) {}

  private path(name: string): string {
    return join(this.dir, name);
  }

  /** Loads the snapshot and the records after it; cuts a torn tail; opens the log for appends. */
  load<S extends SnapshotHeader>(): LoadedMetadata<S> {
    mkdirSync(this.dir, { recursive: true });
    const snapPath = this.path(SNAPSHOT_FILE);
    let snapshot: S | null = null;
    if (existsSync(snapPath)) {
      try {
        snapshot = JSON.parse(readFileSync(snapPath, 'utf8')) as S;
      } catch (e) {
        throw new MetadataLogError(`The metadata snapshot ${snapPath} cannot be read: ${(e as Error).message}`);
      }
    }
    const after = snapshot?.offset ?? -1;
    const records: LoggedRecord[] = [];
    let last = after;
    const files = [PREV_LOG_FILE, LOG_FILE].filter((f) => existsSync(this.path(f)));
    for (const [i, f] of files.entries()) {
      const file = this.path(f);
      const buf = readFileSync(file);
      const recovery = snapshot ? restoreOrSnapshot(files.length > 1 ? 'both logs' : 'it') : RESTORE_ONLY;
      const read = readRecords(buf, file, recovery);
      if (read.tornBytes > 0) {
        if (i < files.length - 1 && readRecords(readFileSync(this.path(files[i + 1]!)), file).records.length > 0) {
          throw new MetadataLogError(`The metadata log ${file} ends with a damaged record at byte ${read.validBytes}, and ${this.path(files[i + 1]!)} holds later records: acknowledged metadata changes would be lost. ${recovery}`);
        }
        this.log.warn(`Truncating a torn record at the end of the metadata log ${file}: ${read.tornBytes} byte(s) at byte ${read.validBytes} (a change interrupted by a crash, never acknowledged)`);
        const fd = openSync(file, 'r+');
        try {
          ftruncateSync(fd, read.validBytes);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
      for (const r of read.records) {
        if (r.o <= after) continue;
        if (r.o <= last) throw new MetadataLogError(`The metadata log ${file} repeats offset ${r.o} (after ${last}): it is not a log this broker wrote. ${recovery}`);
        records.push(r);
        last = r.o;
      }
      this.bytesSinceSnapshot += read.validBytes;
    }
    this.nextOffset = last + 1;
    this.synced = last;
    this.fd = openSync(this.path(LOG_FILE), 'a');
    return { snapshot, records, nextOffset: this.nextOffset };
  }

  /** Whether a snapshot should be taken now (and none is being written). */
  get wantsSnapshot(): boolean {
    return this.snapshotting === null && this.bytesSinceSnapshot >= this.snapshotBytes;
  }

  /** Whether metadata.prev.log is still there (an interrupted snapshot): the caller snapshots at once. */
  get hasPreviousLog(): boolean {
    return existsSync(this.path(PREV_LOG_FILE));
  }

  /**
   * Appends records (one write for them all): once this returns they survive the process being
   * killed; `durable()` says when they survive the machine failing. Throws, leaving nothing of
   * them in the log, when the disk refuses. Returns the last one's offset.
   */
  append(records: readonly object[]): number {
    if (this.fd < 0) throw new Error('the metadata log is closed');
    const frames = records.map((r, i) => frameRecord({ o: this.nextOffset + i, ...r } as LoggedRecord));
    const buf = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    let done = 0;
    try {
      while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done);
    } catch (e) {
      // Leave no partial frame behind: later appends must not follow a torn record.
      if (done > 0) {
        try {
          ftruncateSync(this.fd, this.sizeOf() - done);
        } catch {
          /* the next open cuts it as a torn tail */
        }
      }
      throw e;
    }
    this.nextOffset += records.length;
    this.bytesSinceSnapshot += buf.length;
    // Start (or queue) the fsync now: a change nobody waits on is made durable too.
    this.durable()?.catch(() => undefined);
    return this.nextOffset - 1;
  }

  /**
   * Group commit: resolves once every record appended so far is fsync'd (null when they already
   * are). One fdatasync runs at a time, off the event loop; records appended while it runs share
   * the next one. Callers answer requests only after it resolves, as Kafka's controller answers
   * after the metadata log commits.
   */
  durable(): Promise<void> | null {
    const target = this.lastOffset;
    if (this.synced >= target) return null;
    if (this.running && this.runningTarget >= target) return this.running;
    if (this.queued) return this.queued.promise;
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.queued = { promise, resolve, reject };
    if (!this.running) this.startSync();
    return promise;
  }

  private startSync(): void {
    const batch = this.queued!;
    this.queued = null;
    const target = this.lastOffset;
    this.running = batch.promise;
    this.runningTarget = target;
    fdatasync(this.fd, (e) => {
      this.running = null;
      // A rotation or close synced the file itself (and may have closed this descriptor).
      if (e && this.synced < target) {
        const message = `fsync of the metadata log ${this.path(LOG_FILE)} failed: ${e.message}`;
        this.log.error(`${message}; the changes since offset ${this.synced} are not acknowledged`);
        batch.reject(new Error(message));
      } else {
        this.synced = Math.max(this.synced, target);
        batch.resolve();
      }
      if (this.queued && this.fd >= 0) this.startSync();
    });
  }

  /** fsyncs the log now (before it is set aside or closed). */
  private syncNow(): void {
    if (this.fd < 0 || this.synced >= this.lastOffset) return;
    fdatasyncSync(this.fd);
    this.synced = this.lastOffset;
  }

  private sizeOf(): number {
    return fstatSync(this.fd).size;
  }

  /** The offset of the last record appended (-1 before any). */
  get lastOffset(): number {
    return this.nextOffset - 1;
  }

  /**
   * Takes a snapshot of state serialized now (as of the last appended record): new records go to
   * a fresh log at once; the snapshot is written asynchronously, then the previous log is removed.
   */
  snapshotAsync(serialize: (offset: number) => SerializedSnapshot | Promise<SerializedSnapshot>): Promise<void> {
    if (this.snapshotting) return this.snapshotting;
    const offset = this.lastOffset;
    this.syncNow();
    closeSync(this.fd);
    renameSync(this.path(LOG_FILE), this.path(PREV_LOG_FILE));
    this.fd = openSync(this.path(LOG_FILE), 'a');
    this.bytesSinceSnapshot = 0;
    const work = (async () => {
      // Serialized as of `offset` (the caller keeps it so while records after it are appended).
      const t0 = performance.now();
      const { text, longestSliceMs, slices } = await serialize(offset);
      const serializeMs = performance.now() - t0;
      const t1 = performance.now();
      await writeDurably(this.path(SNAPSHOT_FILE), text);
      await unlinkAsync(this.path(PREV_LOG_FILE));
      this.lastSnapshot = { offset, bytes: Buffer.byteLength(text), serializeMs, longestSliceMs, slices, writeMs: performance.now() - t1 };
      this.log.info(
        `Wrote the metadata snapshot at offset ${offset} (${this.lastSnapshot.bytes} bytes; serialized in ${serializeMs.toFixed(1)} ms over ${slices} turns, the longest ${longestSliceMs.toFixed(1)} ms; written in ${this.lastSnapshot.writeMs.toFixed(1)} ms)`,
      );
    })()
      .catch((e: Error) => {
        // The previous snapshot and both logs still hold everything; the next append retries.
        this.log.error(`Could not write the metadata snapshot ${this.path(SNAPSHOT_FILE)}: ${e.message}`);
        this.bytesSinceSnapshot = this.snapshotBytes;
      })
      .finally(() => {
        this.snapshotting = null;
      });
    this.snapshotting = work;
    return work;
  }

  /** Writes a snapshot synchronously (start-up: migration, an interrupted snapshot) and resets the logs. */
  snapshotSync(text: string): void {
    const file = this.path(SNAPSHOT_FILE);
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, text);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    syncDir(this.dir);
    if (existsSync(this.path(PREV_LOG_FILE))) unlinkSync(this.path(PREV_LOG_FILE));
    ftruncateSync(this.fd, 0);
    fsyncSync(this.fd);
    this.bytesSinceSnapshot = 0;
  }

  /**
   * Removes a log that holds only the record of a cluster made at this start, whose start was
   * then refused: the next start makes a new cluster again instead of finding this one (whose
   * brokers would take every log of the directory for a stray one: src/broker/broker.ts).
   */
  discardNewCluster(): void {
    if (this.lastOffset !== 0 || this.fd < 0) return;
    this.closeFile();
    unlinkSync(this.path(LOG_FILE));
  }

  /** Waits for a snapshot being written, then closes the log. */
  async close(): Promise<void> {
    if (this.snapshotting) await this.snapshotting;
    if (this.fd >= 0) this.closeFile();
  }

  /** Syncs and closes the log file; a sync waiting for the next round has nothing left to wait for. */
  private closeFile(): void {
    this.syncNow();
    closeSync(this.fd);
    this.fd = -1;
    const q = this.queued;
    this.queued = null;
    q?.resolve();
  }
}

async function writeDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await openAsync(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await renameAsync(tmp, file);
  const dir = await openAsync(join(file, '..'), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
