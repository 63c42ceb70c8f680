import { Option } from 'commander';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { defineCommand } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { bootstrapFlag, requireInt } from '../src/cli/context.js';
import { checkClientConfig, readPropertiesFile } from '../src/cli/properties.js';

interface LagCommandOptions {
  bootstrapServer?: string;
  commandConfig?: string;
  interval?: string;
  window: string;
  allowedLag: string;
  allowedTimeLag?: string;
  maxLag?: string;
  maxTimeLag?: string;
  once?: boolean;
  check?: boolean;
  untilLag?: string;
  timeout: string;
  sort?: string;
  output: 'text' | 'json';
}

async function duration(value: string | undefined, name: string): Promise<number | undefined> {
  if (value === undefined) return undefined;
  const { parseDuration } = await import('../src/tools/offset-spec.js');
  const ms = value === '0' ? 0 : parseDuration(value);
  if (ms === null) throw new UsageError(`Invalid duration '${value}' for --${name}: use a number with a unit, e.g. 500ms, 2s, 1m, 1h30m`);
  return ms;
}

export default defineCommand<LagCommandOptions>({
  name: 'lag',
  lastValueWins: true,
  summary: 'watch consumer lag live, or check it in scripts',
  synopsis: ['[GROUP...] [--interval 2s] [--window 30s] [--allowed-lag N] [--max-lag N] [--max-time-lag DURATION]', '[GROUP...] --once | --check | --until-lag N [--timeout DURATION] [--output json]'],
  description: [
    'Without a mode option, on a terminal, opens a live view (refreshed every --interval): every consumer group with its state, members, total lag in records, time lag (the age of the oldest unconsumed record, from record timestamps), produce and consume rates, an estimated time to drain, a status and a sparkline of recent lag. Named groups that do not exist (yet) are named under the table. Enter opens a group: per partition its committed and log-end offsets, lag, time lag, rates, drain estimate, status and lag history. Keys: arrows (or j/k) select, Enter opens, Esc goes back, s changes the sort (status, lag, time lag, name; remembered between runs), / filters by name, p pauses, ? shows help, q quits. With one GROUP it opens that group directly. consumer-groups --describe --group G --watch opens the same view.',
    'Statuses follow Burrow, judged over a sliding --window of time: OK (keeping up), IDLE (caught up and nothing new arrives), WARN TREND (behind all through the window and the lag grew), ERR STOP (behind with the committed offset frozen and no member owning the partition), ERR STALL (the same while a member owns it), ERR REWIND (the committed offset went back and stayed back), ERR UNAVAILABLE and ERR UNKNOWN_TOPIC (below). --allowed-lag N (records) and --allowed-time-lag D count a small lag as caught up; --max-lag N and --max-time-lag D raise WARN (LAG, TIME_LAG) above a limit. A group takes the worst status of its partitions. Lag is computed from live log-end offsets at every refresh, not only when the group commits.',
    'A partition whose lag cannot be measured is listed, never left out: its LAG reads - (null in JSON), as in Kafka\'s consumer-groups --describe, and the group\'s LAG (JSON "totalLag") is the sum over the partitions that are measured, with "partitionsWithoutOffset" and "partitionsWithoutLogEnd" counting the others (in text, a line on stderr per group; in the live view, an asterisk by the group\'s lag). ERR UNAVAILABLE: the partition\'s log end offset could not be read (it has no leader, or its leader did not answer); the rest of the group keeps updating, and when a broker stops the view moves on to the new leaders and group coordinator. ERR UNKNOWN_TOPIC: the partition does not exist (its topic was deleted while a member still owns it or the group still has its offsets; UNKNOWN_TOPIC_OR_PARTITION), counted with those without a log end. WARN NO_OFFSET: a member of the group is assigned the partition, the group has no committed offset for it, and records are in its log (a consumer that never commits, such as kcat -G, or one that has not committed there yet); with an empty log it is OK. --until-lag is not reached while a named group has such a partition.',
    'What is known at once is used at once: a partition that no member owns, whose committed offset has not moved and whose oldest unconsumed record is already older than the window is ERR STOP from the first samples (there has been no progress for longer than the window). A partition that is behind while the window is still filling, and that nothing decides yet, is WARMING, shown as "warming 12/30s" (seconds of the window observed so far) and in JSON as "status": "WARMING" with "windowFilledMs" next to the document\'s "windowMs"; it is never reported OK. A caught-up partition is OK or IDLE at once.',
    'Sparklines (HISTORY) are zero-based: the lowest bar is no lag, any lag is at least the second bar, and the full bar is the largest lag among the rows on screen, which all share one scale, so a steady small lag beside a large one stays low. In a group\'s view, CONSUMER-ID/HOST names the member that owns each partition (the member id is shortened first when space runs out; - when nobody owns it).',
    'The drain estimate is lag / (consume rate - produce rate) over the window when the group consumes faster than records arrive; otherwise it reads growing (produced faster than consumed), steady (as fast), or idle (nothing consumed or produced). For a group it is the estimate of its slowest partition, and ? while any partition\'s is not known (a deleted topic\'s partitions do not count). After the committed offset goes back (ERR REWIND), the consume rate counts from the rewind on: OUT/S reads - and the drain ? until a second sample after it.',
    'For scripts: --once prints the view (one row per group; one row per partition when groups are named) from two samples an --interval apart; --check samples for one --window and exits with the worst status (0 OK or IDLE, 10 WARN including WARN NO_OFFSET, 11 ERR including ERR UNAVAILABLE and ERR UNKNOWN_TOPIC, 4 when a named group does not exist), ending early when an ERR STOP is already decided (a partition first seen during the check that is still WARMING counts as OK); --until-lag N waits until every named group\'s total lag is at most N with every partition measured, up to --timeout (exit 6, or 4 if the group never appeared; --timeout without --until-lag is a usage error). --output json prints the documented JSON document instead of a table. Without a terminal, lag behaves like --once; as two samples rarely fill the window, --once reports what they decide (ERR STOP, OK or IDLE when caught up, WARN over a limit) and WARMING otherwise.',
    'Lag is measured against the high watermark (as consumer-groups --describe and Kafka\'s tools do), so for read_committed consumers a transaction left open holds the lag of its partitions at or above the records from its first offset on, until it is committed or aborted; markers take offsets but are passed by consumers, so a caught-up group shows lag 0.',
    'Only Kafka APIs are used (ListGroups, DescribeGroups, OffsetFetch, ListOffsets, and Fetch for record timestamps), so it works against the local daemon and any Kafka cluster.',
  ],
  examples: [
    ['Watch every group', 'kafka-ts lag'],
    ['Watch one group, refreshing every second, judging over two minutes', 'kafka-ts lag billing --interval 1s --window 2m'],
    ['One table in a script', 'kafka-ts lag billing --once'],
    ['CI gate: fail when the group is not healthy over 20 seconds', 'kafka-ts lag billing --check --window 20s --allowed-lag 100'],
    ['Wait until the consumer has caught up (at most 2 minutes)', 'kafka-ts lag billing --until-lag 0 --timeout 2m'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'Timeout', 'AuthFailed', 'Denied', 'LagWarn', 'LagErr'],
  exitNotes: ['--check: 0 OK or IDLE (or still WARMING), 10 WARN (NO_OFFSET among them), 11 ERR (UNAVAILABLE and UNKNOWN_TOPIC among them: a partition with no leader, or whose topic was deleted, cannot be shown healthy), 4 a named group does not exist; --until-lag: 0 reached, 6 timed out, 4 the group never appeared.'],
  build(cmd) {
    connectionOptions(cmd);
    cmd
      .argument('[groups...]', 'consumer groups (default: every group)')
      .option('--interval <duration>', 'time between refreshes (default 2s live, 1s otherwise)')
      .option('--window <duration>', 'how far back the status rules look', '30s')
      .option('--allowed-lag <records>', 'lag that still counts as caught up', '0')
      .option('--allowed-time-lag <duration>', 'time lag that still counts as caught up')
      .option('--max-lag <records>', 'WARN when a partition lags more records than this')
      .option('--max-time-lag <duration>', 'WARN when a partition lags more time than this')
      .option('--once', 'print the view once and exit')
      .option('--check', 'sample for one --window (less once an ERR STOP is decided), print, and exit with the worst status')
      .option('--until-lag <records>', "wait until each named group's total lag is at most this, every partition measured")
      .option('--timeout <duration>', 'how long --until-lag waits', '60s')
      .addOption(new Option('--sort <key>', 'initial sort of the live view (default: remembered, else status)').choices(['status', 'lag', 'time-lag', 'name']));
    outputOption(cmd);
  },
  async run(o, groups, ctx, given) {
    const modes = [o.once && '--once', o.check && '--check', o.untilLag !== undefined && '--until-lag'].filter(Boolean);
    if (modes.length > 1) throw new UsageError(`${modes[0]} and ${modes[1]} cannot be combined`);
    if (given('timeout') && o.untilLag === undefined) throw new UsageError('--timeout applies to --until-lag only (--check samples for one --window)');
    if (o.untilLag !== undefined && groups.length === 0) throw new UsageError('--until-lag needs the group(s) to wait for');
    const interactive = modes.length === 0 && o.output === 'text' && !!ctx.stdout.isTTY && !!process.stdin.isTTY;
    const mode = o.once ? 'once' : o.check ? 'check' : o.untilLag !== undefined ? 'until' : interactive ? 'tui' : 'once';
    const intervalMs = (await duration(o.interval, 'interval')) ?? (mode === 'tui' ? 2000 : 1000);
    if (intervalMs < 100) throw new UsageError('--interval must be at least 100ms');
    const windowMs = (await duration(o.window, 'window'))!;
    if (windowMs < intervalMs) throw new UsageError('--window must be at least one --interval');
    const settings = {
      windowMs,
      allowedLag: requireInt(o.allowedLag, 'allowed-lag', { min: 0 })!,
      allowedTimeLagMs: (await duration(o.allowedTimeLag, 'allowed-time-lag')) ?? null,
      maxLag: requireInt(o.maxLag, 'max-lag', { min: 0 }) ?? null,
      maxTimeLagMs: (await duration(o.maxTimeLag, 'max-time-lag')) ?? null,
    };
    const untilLag = requireInt(o.untilLag, 'until-lag', { min: 0 });
    const timeoutMs = (await duration(o.timeout, 'timeout'))!;
    // A refresh should fail fast when the broker goes away, so the view can say so.
    const fileProps = o.commandConfig ? readPropertiesFile(o.commandConfig) : {};
    await checkClientConfig('admin', fileProps, (l) => ctx.warn(l));
    const properties = { 'default.api.timeout.ms': String(Math.max(3000, intervalMs)), ...fileProps };
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties, clientId: 'kafka-ts-lag' });
    const { watchLag } = await import('../src/cli/lag-watch.js');
    return watchLag(client, { groups: [...new Set(groups)], mode, intervalMs, settings, output: o.output, untilLag, timeoutMs, sort: o.sort, target: ctx.targetName(bootstrapFlag(o.bootstrapServer, properties)) }, ctx);
  },
});
