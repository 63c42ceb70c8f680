/**
 * dump-log's renderings: Kafka's DumpLogSegments lines for each event (stdout), its end-of-run
 * reports (stderr), and the JSON document. Whether the run found damage (exit 1) is decided here.
 */
import type { BatchLine, DumpEvent, FileKind, FindingGroup, Long, RecordLine } from './dump-log.js';

export interface TextOptions {
  skipRecordMetadata: boolean;
}

export function batchText(b: BatchLine): string {
  const horizon = b.deleteHorizonMs === null ? 'OptionalLong.empty' : `OptionalLong[${b.deleteHorizonMs}]`;
  return (
    `baseOffset: ${b.baseOffset} lastOffset: ${b.lastOffset} count: ${b.count} baseSequence: ${b.baseSequence} lastSequence: ${b.lastSequence} ` +
    `producerId: ${b.producerId} producerEpoch: ${b.producerEpoch} partitionLeaderEpoch: ${b.partitionLeaderEpoch} isTransactional: ${b.isTransactional} ` +
    `isControl: ${b.isControl} deleteHorizonMs: ${horizon} position: ${b.position} ${b.timestampType}: ${b.maxTimestamp} size: ${b.size} ` +
    `magic: ${b.magic} compresscodec: ${b.compressCodec} crc: ${b.crc} isvalid: ${b.isValid}`
  );
}

export function recordText(r: RecordLine, o: TextOptions): string {
  let line = '';
  let prefix = '| ';
  if (!o.skipRecordMetadata) {
    line += `${prefix}offset: ${r.offset} ${r.timestampType}: ${r.timestamp} keySize: ${r.keySize} valueSize: ${r.valueSize}`;
    prefix = ' ';
    line += ` sequence: ${r.sequence} headerKeys: [${r.headerKeys.join(',')}]`;
    if (r.control) line += r.control;
  }
  if (r.key !== undefined) {
    line += `${prefix}key: ${r.key}`;
    prefix = ' ';
  }
  if (r.payload !== undefined) line += ` payload: ${r.payload}`;
  return line;
}

/** The stdout lines of one event (none for events reported on stderr). */
export function eventText(e: DumpEvent, o: TextOptions): string[] {
  switch (e.type) {
    case 'file':
      return e.kind === 'log' ? [`Dumping ${e.file}`, `Log starting offset: ${e.baseOffset}`] : [`Dumping ${e.file}`];
    case 'batch':
      return [batchText(e.batch)];
    case 'record':
      return [recordText(e.record, o)];
    case 'index':
      return [`offset: ${e.offset} position: ${e.position}`];
    case 'timeindex':
      return [`timestamp: ${e.timestamp} offset: ${e.offset}`];
    case 'txn':
      return [`version: ${e.version} producerId: ${e.producerId} firstOffset: ${e.firstOffset} lastOffset: ${e.lastOffset} lastStableOffset: ${e.lastStableOffset}`];
    case 'metadata':
      return [`| offset: ${e.offset} position: ${e.position} size: ${e.size} crc: ${e.crc} isvalid: true${e.payload === undefined ? '' : ` payload: ${e.payload}`}`];
    case 'note':
      return [e.text];
    default:
      return [];
  }
}

/** Consistency findings that mean an index does not describe its log (non-consecutive offsets are normal after compaction). */
const DAMAGE: ReadonlySet<FindingGroup> = new Set(['index-mismatch', 'timestamp-mismatch', 'timestamp-order', 'offset-not-found']);

/** What a run found, for the stderr report and the exit status. */
export class DumpSummary {
  readonly problems: { file: string; position?: number; message: string }[] = [];
  readonly ignored: string[] = [];
  /** Words on stderr about how a file was read (not damage). */
  readonly warnings: string[] = [];
  private readonly findings = new Map<FindingGroup, Map<string, [Long, Long][]>>();

  add(e: DumpEvent): void {
    if (e.type === 'problem') this.problems.push({ file: e.file, ...(e.position !== undefined && { position: e.position }), message: e.message });
    else if (e.type === 'ignored') this.ignored.push(e.message);
    else if (e.type === 'warning') this.warnings.push(e.message);
    else if (e.type === 'finding') {
      const byFile = this.findings.get(e.group) ?? new Map<string, [Long, Long][]>();
      this.findings.set(e.group, byFile);
      const list = byFile.get(e.file) ?? [];
      byFile.set(e.file, list);
      list.push([e.a, e.b]);
    }
  }

  /** Whether anything read was damaged or inconsistent (exit 1). */
  get damaged(): boolean {
    return this.problems.length > 0 || [...this.findings.keys()].some((g) => DAMAGE.has(g));
  }

  private group(g: FindingGroup): [string, [Long, Long][]][] {
    return [...(this.findings.get(g) ?? new Map<string, [Long, Long][]>())];
  }

  /** Kafka's end-of-run report, then one line per problem ("<file>: position P: what"). */
  stderrLines(): string[] {
    const out: string[] = [];
    for (const [file, list] of this.group('index-mismatch')) out.push(`Mismatches in :${file}`, ...list.map(([a, b]) => `  Index offset: ${a}, log offset: ${b}`));
    for (const [file, list] of this.group('timestamp-mismatch')) out.push(`Found timestamp mismatch in :${file}`, ...list.map(([a, b]) => `  Index timestamp: ${a}, log timestamp: ${b}`));
    for (const [file, list] of this.group('timestamp-order')) out.push(`Found out of order timestamp in :${file}`, ...list.map(([a, b]) => `  Index timestamp: ${a}, Previously indexed timestamp: ${b}`));
    for (const [, list] of this.group('offset-not-found')) out.push('The following indexed offsets are not found in the log.', ...list.map(([a, b]) => `Indexed offset: ${a}, found log offset: ${b}`));
    for (const [file, list] of this.group('non-consecutive')) out.push(`Non-consecutive offsets in ${file}`, ...list.map(([a, b]) => `  ${a} is followed by ${b}`));
    for (const p of this.problems) out.push(`${p.file}: ${p.position !== undefined ? `position ${p.position}: ` : ''}${p.message}`);
    return out;
  }

  json(): Record<string, unknown> {
    const findings: Record<string, { file: string; pairs: [Long, Long][] }[]> = {};
    for (const [g, byFile] of this.findings) findings[g] = [...byFile].map(([file, pairs]) => ({ file, pairs }));
    return { damaged: this.damaged, problems: this.problems, findings, ignored: this.ignored, warnings: this.warnings };
  }
}

interface JsonFile {
  file: string;
  kind: FileKind;
  baseOffset?: number;
  batches?: (BatchLine & { records?: RecordLine[] })[];
  entries?: Record<string, Long>[];
  records?: { offset: number; position: number; size: number; crc: number; payload?: unknown }[];
  notes: string[];
}

/** Folds events into the --output json document's `files`. */
export class JsonCollector {
  readonly files: JsonFile[] = [];

  add(e: DumpEvent): void {
    if (e.type === 'file') {
      this.files.push({ file: e.file, kind: e.kind, ...(e.baseOffset !== undefined && { baseOffset: e.baseOffset }), notes: [] });
      return;
    }
    const f = this.files.at(-1);
    if (!f) return;
    if (e.type === 'batch') (f.batches ??= []).push({ ...e.batch });
    else if (e.type === 'record') {
      const b = f.batches?.at(-1);
      if (b) (b.records ??= []).push(e.record);
    } else if (e.type === 'index') (f.entries ??= []).push({ offset: e.offset, position: e.position });
    else if (e.type === 'timeindex') (f.entries ??= []).push({ timestamp: e.timestamp, offset: e.offset });
    else if (e.type === 'txn') (f.entries ??= []).push({ version: e.version, producerId: e.producerId, firstOffset: e.firstOffset, lastOffset: e.lastOffset, lastStableOffset: e.lastStableOffset });
    else if (e.type === 'metadata') (f.records ??= []).push({ offset: e.offset, position: e.position, size: e.size, crc: e.crc, ...(e.payload !== undefined && { payload: JSON.parse(e.payload) as unknown }) });
    else if (e.type === 'note') f.notes.push(e.text);
  }
}
