/**
 * `kafka-ts lag` and `consumer-groups --describe --watch`: the live TUI, and the same judgement
 * for scripts — --once (a table or JSON), --check (observe for a window, exit with the worst
 * status) and --until-lag (block until a group's lag is at most N).
 */
import type { KafkaClient } from '../client/client.js';
import { CliError, ExitCode, UsageError } from '../cli/errors.js';
import type { CliContext } from '../cli/context.js';
import { colorsFor } from '../cli/colors.js';
import { LagCollector } from '../lag/collector.js';
import { statusRank, worse, type EvalSettings, type Status } from '../lag/evaluator.js';
import { formatCount, formatDuration, formatStatus } from '../lag/format.js';
import { LagMonitor, type LagReport } from '../lag/monitor.js';
import { groupsTable, partitionsTable, reportJson } from '../lag/views.js';

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
}

/**
 * Exit statuses of --check (documented in kafka-ts-lag(1)). --check observes a whole window, so
 * only a partition first seen during it can still be WARMING; like before it existed, that is 0.
 */
export const CHECK_EXIT: Record<Status, number> = { IDLE: ExitCode.Ok, OK: ExitCode.Ok, WARMING: ExitCode.Ok, WARN: ExitCode.LagWarn, ERR: ExitCode.LagErr };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLag(client: KafkaClient, o: LagOptions, ctx: CliContext): Promise<number> {
  const collector = new LagCollector(client);
  const monitor = new LagMonitor(o.settings);
  const named = o.groups.length ? o.groups : null;
  const sample = async (): Promise<LagReport> => {
    monitor.ingest(await collector.collect(named));
    return monitor.report(Date.now());
  };

  switch (o.mode) {
    case 'tui':
      return runTui(sample, o, ctx);
    case 'once': {
      // Two samples an interval apart give rates and a first trend.
      await sample();
      await sleep(o.intervalMs);
      return print(await sample(), o, ctx, false);
    }
    case 'check': {
      const start = Date.now();
      let report = await sample();
      const names = report.groups.map((g) => g.group).join(', ');
      if (report.groups.length) ctx.warn(`Observing ${names} for ${formatDuration(o.settings.windowMs)}...`);
      while (Date.now() - start < o.settings.windowMs) {
        await sleep(Math.min(o.intervalMs, Math.max(1, o.settings.windowMs - (Date.now() - start))));
        report = await sample();
        // A stop decided before the window is full (see evaluator.ts) is the worst it can be.
        if (report.groups.some((g) => g.partitions.some((p) => p.status === 'ERR' && p.reason === 'STOP' && !p.complete))) break;
      }
      return print(report, o, ctx, true);
    }
    case 'until':
      return untilLag(sample, o, ctx);
  }
}

function print(report: LagReport, o: LagOptions, ctx: CliContext, check: boolean): number {
  const worst = report.groups.reduce<Status>((w, g) => worse(w, g.status), 'IDLE');
  if (o.output === 'json') ctx.out.line(JSON.stringify(reportJson(report, check ? { worst: report.groups.length ? worst : null } : {})));
  else {
    const c = colorsFor(ctx.out, ctx.env);
    if (report.groups.length) ctx.out.write(o.groups.length ? partitionsTable(report.groups, report.windowMs, c) : groupsTable(report, c));
    else if (!report.missing.length) ctx.warn('No consumer groups.');
  }
  for (const m of report.missing) ctx.warn(`Consumer group '${m}' does not exist.`);
  if (check && o.output !== 'json' && report.groups.length) {
    const worstGroup = [...report.groups].sort((a, b) => statusRank(b.status) - statusRank(a.status))[0]!;
    ctx.warn(`Worst status: ${formatStatus(worstGroup, report.windowMs)} (group ${worstGroup.group}, window ${formatDuration(o.settings.windowMs)})`);
  }
  if (report.missing.length) return ExitCode.NotFound;
  return check ? CHECK_EXIT[worst] : ExitCode.Ok;
}

async function untilLag(sample: () => Promise<LagReport>, o: LagOptions, ctx: CliContext): Promise<number> {
  const limit = o.untilLag!;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const start = Date.now();
  let told = false;
  const state = (r: LagReport) => [...r.groups.map((g) => `${g.group} lag ${formatCount(g.totalLag)}`), ...r.missing.map((m) => `${m} does not exist yet`)].join(', ');
  for (;;) {
    const report = await sample();
    const found = report.groups;
    const done = report.missing.length === 0 && found.length === o.groups.length && found.every((g) => g.totalLag <= limit);
    if (done) {
      if (o.output === 'json') ctx.out.line(JSON.stringify(reportJson(report, { reached: true, waitedMs: Date.now() - start })));
      else ctx.warn(`${found.map((g) => `${g.group}: lag ${formatCount(g.totalLag)}`).join(', ')} (at most ${formatCount(limit)}) after ${formatDuration(Date.now() - start)}`);
      return ExitCode.Ok;
    }
    if (Date.now() - start >= timeoutMs) {
      if (o.output === 'json') ctx.out.line(JSON.stringify(reportJson(report, { reached: false, waitedMs: Date.now() - start })));
      if (report.missing.length) throw new CliError(`Timed out after ${formatDuration(timeoutMs)}: consumer group ${report.missing.map((m) => `'${m}'`).join(', ')} does not exist`, ExitCode.NotFound);
      const behind = found.filter((g) => g.totalLag > limit).map((g) => `${g.group} lag ${formatCount(g.totalLag)}`);
      throw new CliError(`Timed out after ${formatDuration(timeoutMs)} waiting for lag at most ${formatCount(limit)}: ${behind.join(', ')}`, ExitCode.Timeout);
    }
    if (!told) ctx.warn(`Waiting up to ${formatDuration(timeoutMs)} for lag at most ${formatCount(limit)}: ${state(report)}`);
    told = true;
    await sleep(Math.min(o.intervalMs, Math.max(1, timeoutMs - (Date.now() - start))));
  }
}

async function runTui(sample: () => Promise<LagReport>, o: LagOptions, ctx: CliContext): Promise<number> {
  if (!ctx.stdout.isTTY || !process.stdin.isTTY) throw new UsageError('The lag watcher needs a terminal; use --once, --check or --output json in scripts');
  const { openPrefs } = await import('../cli/prefs.js');
  const prefs = await openPrefs(ctx.env);
  // Ink takes CI or CONTINUOUS_INTEGRATION in the environment to mean "a build log, not a screen"
  // and then draws only the final frame, so the watcher stayed blank in a CI job's terminal (a
  // tmux pane, a debug shell). The watcher only ever runs on a terminal, so it must redraw live;
  // Ink reads the variables once, as it loads, hence before the import.
  for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) delete process.env[name];
  const { runLagTui, SORT_KEYS } = await import('../tui/run.js');
  const saved = prefs.get('lag.sort');
  const sort = (o.sort ?? saved ?? 'status') as (typeof SORT_KEYS)[number];
  await runLagTui({
    load: sample,
    intervalMs: o.intervalMs,
    target: o.target,
    initialGroup: o.openGroup ?? (o.groups.length === 1 ? o.groups[0]! : null),
    initialSort: SORT_KEYS.includes(sort) ? sort : 'status',
    onSortChange: (s) => prefs.set('lag.sort', s),
    colors: colorsFor(ctx.stdout, ctx.env),
  });
  return ExitCode.Ok;
}
