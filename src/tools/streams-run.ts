/**
 * Runs a topology with KafkaStreams for `kafka-ts streams`: status as it runs (a live block on a
 * terminal, else a line per state change and every --status-interval; JSON lines with
 * --output json), and a clean close (commit, leave the group) on SIGINT/SIGTERM, --max-records or
 * --until-idle. The runtime's errors propagate in the project's error family so the CLI maps them
 * to exit statuses. Returns the end-of-run summary (data and text lines); never exits.
 */
import type { KafkaClient } from '../client/client.js';
import type { BuiltTopology } from '../streams/api.js';
import { KafkaStreams, type StreamsMetrics, type StreamsState } from '../streams/runtime/kafka-streams.js';
import type { StreamsProperties } from '../streams/runtime/config.js';
import { StreamsException } from '../streams/runtime/errors.js';

export interface RunOptions {
  /** Process at most this many records, then stop cleanly (they are committed, nothing after them). */
  maxRecords: number | null;
  /** Stop once every task is caught up (lag 0) and nothing was processed for this long. */
  untilIdleMs: number | null;
  /** How often a status line is printed when not on a live terminal (0: only on state changes). */
  statusIntervalMs: number;
  /** The app file (`streams run`), named when its code throws outside a processor call. */
  appFile?: string;
}

export interface RunIO {
  write(text: string): void;
  warn(line: string): void;
  json: boolean;
  /** A live block redrawn in place (a terminal, not CI). */
  live: boolean;
  stop: Promise<NodeJS.Signals>;
}

export interface StreamsRunSummary {
  event: 'stopped';
  applicationId: string;
  reason: 'signal' | 'max-records' | 'until-idle';
  signal?: string;
  state: StreamsState;
  processed: number;
  commits: number;
  restored: number;
  restoreRecordsPerSecond: number;
  /** First record processed and last output acknowledged (ms since the epoch; 0 when none). */
  processingStartedAt: number;
  processingEndedAt: number;
  /** processed / (processingEndedAt − processingStartedAt), measured inside the process (0 when none). */
  processingRecordsPerSecond: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function statusDoc(m: StreamsMetrics) {
  return {
    event: 'status',
    state: m.state,
    applicationId: m.applicationId,
    processId: m.processId,
    processingGuarantee: m.processingGuarantee,
    processed: m.processed,
    recordsPerSecond: Math.round(m.recordsPerSecond * 10) / 10,
    commits: m.commits,
    restored: m.restored,
    tasks: m.tasks.map((t) => ({ id: t.id, lag: t.lag, processed: t.processed, restored: t.restored, partitions: t.partitions.map((p) => `${p.topic}-${p.partition}`) })),
  };
}

const lagText = (l: number | null) => (l === null ? '?' : String(l));

function statusLine(m: StreamsMetrics): string {
  const lag = m.tasks.reduce<number | null>((a, t) => (a === null || t.lag === null ? null : a + t.lag), 0);
  return `streams ${m.applicationId}: ${m.state} tasks [${m.tasks.map((t) => t.id).join(' ')}] lag ${lagText(lag)} processed ${m.processed} (${m.recordsPerSecond.toFixed(1)}/s) commits ${m.commits}${m.restored > 0 ? ` restored ${m.restored}` : ''}`;
}

function liveBlock(m: StreamsMetrics): string[] {
  const lines = [statusLine(m), '  TASK    LAG        PROCESSED  RESTORED  PARTITIONS'];
  for (const t of m.tasks) lines.push(`  ${t.id.padEnd(7)} ${lagText(t.lag).padEnd(10)} ${String(t.processed).padEnd(10)} ${String(t.restored).padEnd(9)} ${t.partitions.map((p) => `${p.topic}-${p.partition}`).join(' ')}`);
  return lines;
}

export async function runTopology(built: BuiltTopology, props: StreamsProperties, client: () => Promise<KafkaClient>, opts: RunOptions, io: RunIO): Promise<{ data: StreamsRunSummary; lines: string[] }> {
  let limitReached = () => {};
  const limit = new Promise<void>((resolve) => (limitReached = resolve));
  const streams = new KafkaStreams(built, props, {
    // The runtime stops taking records at the limit and says so at once.
    ...(opts.maxRecords !== null && { maxRecords: opts.maxRecords, onMaxRecords: () => limitReached() }),
    client,
    // The error that stops the application is the command's own error line; not said twice.
    log: (level, message) => level !== 'error' && io.warn(`streams: ${level.toUpperCase()} ${message}`),
  });
  let drawn = 0;
  const draw = (lines: string[]) => {
    // Cursor up over the previous block, clear to the end of the screen, draw.
    io.write(`${drawn > 0 ? `\x1b[${drawn}A\r\x1b[J` : ''}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const report = (m: StreamsMetrics) => {
    if (io.json) io.write(`${JSON.stringify(statusDoc(m))}\n`);
    else if (io.live) draw(liveBlock(m));
    else io.write(`${statusLine(m)}\n`);
  };
  streams.setStateListener((s) => {
    // PENDING_ERROR / ERROR are reported as the error that caused them.
    if (s === 'PENDING_ERROR' || s === 'ERROR') return;
    report(streams.metrics());
  });
  // App code that throws later (a timer, an unawaited promise) fails the application, naming the
  // app, rather than reaching the CLI's last-resort handler as an internal error.
  const onAppCrash = (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    const who = opts.appFile ?? 'the topology';
    streams.reportError(new StreamsException(`Exception caught in ${who} outside a processor call (a timer or an unawaited promise): ${msg.split('\n')[0]}`, { cause: e }));
  };
  process.on('uncaughtException', onAppCrash);
  try {
    return await running(streams, opts, io, report, limit);
  } finally {
    process.off('uncaughtException', onAppCrash);
  }
}

async function running(streams: KafkaStreams, opts: RunOptions, io: RunIO, report: (m: StreamsMetrics) => void, limit: Promise<void>): Promise<{ data: StreamsRunSummary; lines: string[] }> {
  await streams.start();

  let reason: StreamsRunSummary['reason'] = 'signal';
  let signal: NodeJS.Signals | undefined;
  let stopped = false;
  void io.stop.then((s) => {
    signal = s;
    stopped = true;
  });
  let failed: Error | null = null;
  streams.waitForShutdown().catch((e: Error) => {
    failed = e;
  });
  let lastProcessed = -1;
  let idleSince = Date.now();
  let lastStatus = Date.now();
  for (;;) {
    if (failed || stopped) break;
    const m = streams.metrics();
    if (opts.maxRecords !== null && m.processed >= opts.maxRecords) {
      reason = 'max-records';
      break;
    }
    if (m.processed !== lastProcessed) {
      lastProcessed = m.processed;
      idleSince = Date.now();
    }
    if (opts.untilIdleMs !== null && m.state === 'RUNNING' && m.tasks.every((t) => t.lag === 0) && Date.now() - idleSince >= opts.untilIdleMs) {
      reason = 'until-idle';
      break;
    }
    const interval = io.live ? 1000 : opts.statusIntervalMs;
    if (interval > 0 && Date.now() - lastStatus >= interval && m.state === 'RUNNING') {
      lastStatus = Date.now();
      report(m);
    }
    await Promise.race([sleep(100), io.stop, limit]);
  }
  if (!failed) await streams.close().catch((e: Error) => (failed = e));
  if (failed) throw failed;
  const m = streams.metrics();
  const data: StreamsRunSummary = {
    event: 'stopped',
    applicationId: m.applicationId,
    reason,
    ...(signal && { signal }),
    state: m.state,
    processed: m.processed,
    commits: m.commits,
    restored: m.restored,
    restoreRecordsPerSecond: Math.round(m.restoreRecordsPerSecond),
    processingStartedAt: Math.round(m.processingStartedAt * 100) / 100,
    processingEndedAt: Math.round(m.processingEndedAt * 100) / 100,
    processingRecordsPerSecond: m.processingEndedAt > m.processingStartedAt && m.processingStartedAt > 0 ? Math.round((m.processed * 1000) / (m.processingEndedAt - m.processingStartedAt)) : 0,
  };
  const why = reason === 'signal' ? `on ${signal}` : reason === 'max-records' ? `after --max-records ${opts.maxRecords}` : 'when idle (--until-idle)';
  return {
    data,
    lines: [`streams ${m.applicationId}: stopped ${why}: processed ${m.processed} records, ${m.commits} commits${m.restored > 0 ? `, restored ${m.restored} records (${Math.round(m.restoreRecordsPerSecond)}/s)` : ''}`],
  };
}
