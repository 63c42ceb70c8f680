/**
 * `kafka-ts lag` and `consumer-groups --describe --watch` on a terminal: opens the live TUI, with
 * the sort remembered in the user's preferences; the script modes are src/tools/lag.ts.
 */
import type { KafkaClient } from '../client/client.js';
import { lagSampler, runLag, type LagOptions } from '../tools/lag.js';
import { colorsFor } from '../util/colors.js';
import type { CliContext } from './context.js';
import { describeError, EXIT_OF_KIND, isKafkaTsError, jsonError, UsageError, type ExitStatusKey } from './errors.js';
import { printView } from './view.js';

/** Runs the mode `o.mode` names; tells how the command ends. */
export async function watchLag(client: KafkaClient, o: LagOptions, ctx: CliContext): Promise<ExitStatusKey> {
  if (o.mode !== 'tui') {
    const report = await runLag(client, { ...o, mode: o.mode }, ctx);
    if (report.failure && o.output === 'json' && report.data !== undefined) return printFailedReport(report.data, report.failure, ctx, o.command ?? 'lag');
    const exit = printView({ data: report.data, text: () => report.text, exit: report.outcome }, ctx, o.output === 'json');
    if (report.failure) throw report.failure;
    return exit;
  }
  if (!ctx.stdout.isTTY || !process.stdin.isTTY) throw new UsageError('The lag watcher needs a terminal; use --once, --check or --output json in scripts');
  const { openPrefs } = await import('./prefs.js');
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
    load: lagSampler(client, o.groups, o.settings),
    intervalMs: o.intervalMs,
    windowMs: o.settings.windowMs,
    target: o.target,
    initialGroup: o.openGroup ?? (o.groups.length === 1 ? o.groups[0]! : null),
    initialSort: SORT_KEYS.includes(sort) ? sort : 'status',
    onSortChange: (s) => prefs.set('lag.sort', s),
    colors: colorsFor(ctx.stdout, ctx.env),
  });
  return 'Ok';
}

/**
 * --until-lag ended without reaching its lag (timed out, or the group never appeared), with
 * --output json: stdout stays one document, the report with the failure in it as every command's
 * JSON error (console-producer's summary carries its failure the same way); stderr gets the usual
 * error line and the exit status is the failure's. (Throwing after the report printed a second
 * document, the error object, on stdout.)
 */
function printFailedReport(data: object, failure: Error, ctx: CliContext, command: string): ExitStatusKey {
  if (!isKafkaTsError(failure)) throw failure;
  const d = describeError(failure, ctx.principal);
  return printView({ data: { ...data, ...jsonError(d.code, d.line) }, text: () => '', stderr: () => [`kafka-ts ${command}: error: ${d.line}`], exit: EXIT_OF_KIND[failure.kind] }, ctx, true);
}
