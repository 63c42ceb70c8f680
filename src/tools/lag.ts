/**
 * `kafka-ts lag` and `consumer-groups --describe --watch`: the judgement the live TUI shows
 * (src/cli/lag-watch.ts opens it), for scripts — --once (a table or JSON), --check (observe for a
 * window, end with the worst status) and --until-lag (block until a group's lag is at most N).
 */
import type { KafkaClient } from '../client/client.js';
import { NotFoundError, TimeoutError, type Outcome } from '../util/errors.js';
import { colorsFor } from '../util/colors.js';
import { LagCollector } from '../lag/collector.js';
import { statusRank, worse, type EvalSettings, type Status } from '../lag/evaluator.js';
import { formatCount, formatDuration, formatStatus } from '../lag/format.js';
import { LagMonitor, type GroupReport, type LagReport } from '../lag/monitor.js';
import { groupsTable, partitionsTable, reportJson, uncountedNote } from '../lag/views.js';

export type LagMode = 'tui' | 'once' | 'check' | 'until';

export interface LagOptions {
  /** Named groups; empty means every consumer group. */
  groups: string[];
  mode: LagMode;
  intervalMs: number;
  settings: EvalSettings;
  output: 'text' | 'json';
  /** --until-lag N and its --timeout. */
  untilLag?: number;
  timeoutMs?: number;
  sort?: string;
  /** For the TUI header. */
  target: string;
  /** Open this group's partitions first (consumer-groups --describe --group G --watch). */
  openGroup?: string | null;
  /** The command the user ran, naming its error lines (`kafka-ts consumer-groups: error: ...`); lag when omitted. */
  command?: string;
}

/**
 * Exit statuses of --check (documented in kafka-ts-lag(1)). --check observes a whole window, so
 * only a partition first seen during it can still be WARMING; like before it existed, that is 0.
 */
export const CHECK_OUTCOME: Record<Status, Outcome> = { IDLE: 'Ok', OK: 'Ok', WARMING: 'Ok', WARN: 'LagWarn', ERR: 'LagErr' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the lag reports need of the command line: stderr, and whether stdout is a terminal with the environment (colours). */
export interface LagIO {
  out: { isTTY: boolean };
  warn(line: string): void;
  env: NodeJS.ProcessEnv;
}

/**
 * What a script mode reports on stdout: the JSON document (--output json) or the text table, and
 * how the command ends. `failure` ends the command after the report is printed (--until-lag timed
 * out: the JSON document still says where the lag stood, and carries the failure as its "error",
 * src/cli/lag-watch.ts). Progress and diagnostics go to stderr as they happen.
 */
export interface LagResult {
  data: object | undefined;
  text: string;
  outcome: Outcome;
  failure?: Error;
}

/** Takes a sample of the groups' lag (all groups when `groups` is empty) and judges it. */
export function lagSampler(client: KafkaClient, groups: string[], settings: EvalSettings): () => Promise<LagReport> {
  const collector = new LagCollector(client);
  const monitor = new LagMonitor(settings);
  const named = groups.length ? groups : null;
  return async () => {
    monitor.ingest(await collector.collect(named));
    return monitor.report(Date.now());
  };
}

/** The script modes (not the TUI): the report to print and how the command ends. */
export async function runLag(client: KafkaClient, o: LagOptions & { mode: Exclude<LagMode, 'tui'> }, ctx: LagIO): Promise<LagResult> {
  const sample = lagSampler(client, o.groups, o.settings);
  switch (o.mode) {
    case 'once': {
      // Two samples an interval apart give rates and a first trend.
      await sample();
      await sleep(o.intervalMs);
      return lagResult(await sample(), o, ctx, false);
    }
    case 'check': {
      let report = await sample();
      // The window counts from the first sample's answer, not from before it was asked for: a slow
      // first answer (a loaded machine) would otherwise leave the window short of full at the end,
      // and a partition still WARMING passes the check.
      const start = Date.now();
      const names = report.groups.map((g) => g.group).join(', ');
      if (report.groups.length) ctx.warn(`Observing ${names} for ${formatDuration(o.settings.windowMs)}...`);
      while (Date.now() - start < o.settings.windowMs) {
        await sleep(Math.min(o.intervalMs, Math.max(1, o.settings.windowMs - (Date.now() - start))));
        report = await sample();
        // A stop decided before the window is full (see evaluator.ts) is the worst it can be.
        if (report.groups.some((g) => g.partitions.some((p) => p.status === 'ERR' && p.reason === 'STOP' && !p.complete))) break;
      }
      return lagResult(report, o, ctx, true);
    }
    case 'until':
      return untilLag(sample, o, ctx);
  }
}

/** The report of --once (check false) or --check: what to print, and how the command ends. */
export function lagResult(report: LagReport, o: LagOptions, ctx: LagIO, check: boolean): LagResult {
  const worst = report.groups.reduce<Status>((w, g) => worse(w, g.status), 'IDLE');
  const json = o.output === 'json';
  const data = json ? reportJson(report, check ? { worst: report.groups.length ? worst : null } : {}) : undefined;
  let text = '';
  if (!json) {
    const c = colorsFor(ctx.out, ctx.env);
    if (report.groups.length) text = o.groups.length ? partitionsTable(report.groups, report.windowMs, c) : groupsTable(report, c);
    else if (!report.missing.length) ctx.warn('No consumer groups.');
  }
  // The lag of these partitions is '-' and not in the group's LAG: say so rather than let it pass.
  for (const g of report.groups) {
    const note = uncountedNote(g);
    if (note) ctx.warn(`Group ${g.group}: lag ${formatCount(g.totalLag)}; ${note}.`);
  }
  for (const m of report.missing) ctx.warn(`kafka-ts ${o.command ?? 'lag'}: error: Consumer group '${m}' does not exist`);
  if (check && !json && report.groups.length) {
    const worstGroup = [...report.groups].sort((a, b) => statusRank(b.status) - statusRank(a.status))[0]!;
    ctx.warn(`Worst status: ${formatStatus(worstGroup, report.windowMs)} (group ${worstGroup.group}, window ${formatDuration(o.settings.windowMs)})`);
  }
  const outcome = report.missing.length ? 'NotFound' : check ? CHECK_OUTCOME[worst] : 'Ok';
  return { data, text, outcome };
}

/** Whether a group's total lag stands for all of it: no partition unavailable or on a deleted topic, none with records and no committed offset. */
const measured = (g: GroupReport): boolean => g.partitions.every((p) => p.reason !== 'UNAVAILABLE' && p.reason !== 'UNKNOWN_TOPIC' && p.reason !== 'NO_OFFSET');

async function untilLag(sample: () => Promise<LagReport>, o: LagOptions, ctx: LagIO): Promise<LagResult> {
  const limit = o.untilLag!;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const start = Date.now();
  let told = false;
  const state = (r: LagReport) => [...r.groups.map((g) => `${g.group} lag ${formatCount(g.totalLag)}`), ...r.missing.map((m) => `${m} does not exist yet`)].join(', ');
  for (;;) {
    const report = await sample();
    const found = report.groups;
    // A total that leaves partitions out (no committed offset with records waiting, no leader) is not reached.
    const done = report.missing.length === 0 && found.length === o.groups.length && found.every((g) => g.totalLag <= limit && measured(g));
    if (done) {
      if (o.output === 'json') return { data: reportJson(report, { reached: true, waitedMs: Date.now() - start }), text: '', outcome: 'Ok' };
      ctx.warn(`${found.map((g) => `${g.group}: lag ${formatCount(g.totalLag)}`).join(', ')} (at most ${formatCount(limit)}) after ${formatDuration(Date.now() - start)}`);
      return { data: undefined, text: '', outcome: 'Ok' };
    }
    // Said once, before any timeout: the first sample alone can outlast a short --timeout on a
    // loaded machine, and the output should not depend on that.
    if (!told) ctx.warn(`Waiting up to ${formatDuration(timeoutMs)} for lag at most ${formatCount(limit)}: ${state(report)}`);
    told = true;
    if (Date.now() - start >= timeoutMs) {
      const data = o.output === 'json' ? reportJson(report, { reached: false, waitedMs: Date.now() - start }) : undefined;
      const behind = found.filter((g) => g.totalLag > limit || !measured(g)).map((g) => `${g.group} lag ${formatCount(g.totalLag)}${measured(g) ? '' : ` (${uncountedNote(g)})`}`);
      const failure = report.missing.length
        ? new NotFoundError(`Timed out after ${formatDuration(timeoutMs)}: consumer group ${report.missing.map((m) => `'${m}'`).join(', ')} does not exist`)
        : new TimeoutError(`Timed out after ${formatDuration(timeoutMs)} waiting for lag at most ${formatCount(limit)}: ${behind.join(', ')}`);
      return { data, text: '', outcome: 'Ok', failure };
    }
    await sleep(Math.min(o.intervalMs, Math.max(1, timeoutMs - (Date.now() - start))));
  }
}
