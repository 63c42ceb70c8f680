/**
 * The live lag watcher (Ink): an overview of groups and, on Enter, one group's partitions, both
 * refreshed on an interval. Data comes from `load` (one refresh per call), so the component runs
 * the same against a broker or a scripted source in tests.
 *
 * Keys: ↑/↓ (or k/j) select · Enter open · Esc back · s sort · / filter · p pause · ? help · q quit
 */
import { Box, Text, useApp, useInput, useStdout, type Key } from 'ink';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ChalkInstance } from 'chalk';
import { statusRank, type Reason, type Status } from '../lag/evaluator.js';
import { formatCount, formatDrain, formatDuration, formatRate, formatStatus, formatTimeLag, paintStatus, shortState, sparkline, sparklineScale } from '../lag/format.js';
import type { GroupReport, LagReport, PartitionReport } from '../lag/monitor.js';
import { uncountedNote } from '../lag/views.js';
import { fit, fitColumns, renderHeader, renderRow, type Column } from './layout.js';

export const SORT_KEYS = ['status', 'lag', 'time-lag', 'name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface LagAppProps {
  /** Takes one sample and returns the report; a rejection means the broker is unreachable. */
  load: () => Promise<LagReport>;
  intervalMs: number;
  /** The judgement window, for the header before the first report arrives. */
  windowMs?: number;
  /** Where the data comes from, for the header (e.g. "127.0.0.1:9092" or "local daemon"). */
  target: string;
  /** Opens this group's partitions first. */
  initialGroup?: string | null;
  initialSort?: SortKey;
  onSortChange?: (sort: SortKey) => void;
  colors: ChalkInstance;
}

type View = { kind: 'overview' } | { kind: 'group'; group: string };

function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

const clock = (at: number) => new Date(at).toTimeString().slice(0, 8);

function compare<T extends { status: Status; lag?: number | null; totalLag?: number; timeLagMs?: number | null; maxTimeLagMs?: number | null }>(sort: SortKey, name: (x: T) => string) {
  const lag = (x: T) => x.totalLag ?? x.lag ?? -1;
  const time = (x: T) => x.maxTimeLagMs ?? x.timeLagMs ?? -1;
  return (a: T, b: T): number => {
    switch (sort) {
      case 'status':
        return statusRank(b.status) - statusRank(a.status) || lag(b) - lag(a) || name(a).localeCompare(name(b));
      case 'lag':
        return lag(b) - lag(a) || name(a).localeCompare(name(b));
      case 'time-lag':
        return time(b) - time(a) || name(a).localeCompare(name(b));
      default:
        return name(a).localeCompare(name(b), undefined, { numeric: true });
    }
  };
}

/**
 * Who consumes a partition: "member-id /host" as Kafka prints them. When narrow, the member id is
 * cut and the host kept, since the host is what tells consumers on different machines apart.
 */
export function consumerCell(owner: PartitionReport['owner'], width: number): string {
  if (!owner) return '-';
  const full = `${owner.memberId} ${owner.host}`;
  if ([...full].length <= width) return full;
  const idWidth = width - [...owner.host].length - 1;
  return idWidth >= 2 ? `${fit(owner.memberId, idWidth)} ${owner.host}` : fit(owner.host, width);
}

/** The status column fits the longest status shown: 10 cells ("ERR REWIND"), more for "warming 12/30s". */
function statusWidth(rows: readonly { status: Status; reason: Reason | null; windowFilledMs: number }[], windowMs: number): number {
  return Math.max(10, ...rows.map((r) => formatStatus(r, windowMs).length));
}

function groupColumns(c: ChalkInstance, selected: string | null, groups: readonly GroupReport[], windowMs: number): Column<GroupReport>[] {
  const longest = Math.max(...groups.map((g) => g.group.length));
  // One zero-based scale for every row listed, so a small lag beside a large one looks small.
  const historyTop = sparklineScale(groups.map((g) => g.history));
  return [
    { key: 'mark', header: ' ', width: 1, keep: 100, cell: (g) => (g.group === selected ? '›' : ' ') },
    { key: 'group', header: 'GROUP', width: 10, flex: true, maxWidth: Math.max(10, Math.min(40, longest)), keep: 99, cell: (g) => g.group, paint: (g, s) => (g.group === selected ? c.bold(s) : s) },
    { key: 'state', header: 'STATE', width: 11, keep: 50, cell: (g) => shortState(g.state) },
    { key: 'members', header: 'MEMBERS', width: 7, align: 'right', keep: 40, cell: (g) => String(g.members) },
    { key: 'lag', header: 'LAG', width: 8, align: 'right', keep: 90, cell: (g) => `${formatCount(g.totalLag)}${uncountedNote(g) ? '*' : ''}` },
    { key: 'time', header: 'TIME-LAG', width: 8, align: 'right', keep: 85, cell: (g) => formatTimeLag(g.maxTimeLagMs) },
    { key: 'in', header: 'IN/S', width: 6, align: 'right', keep: 30, cell: (g) => formatRate(g.produceRate) },
    { key: 'out', header: 'OUT/S', width: 6, align: 'right', keep: 31, cell: (g) => formatRate(g.consumeRate) },
    { key: 'drain', header: 'DRAIN', width: 9, keep: 80, cell: (g) => formatDrain(g.drain) },
    { key: 'status', header: 'STATUS', width: statusWidth(groups, windowMs), keep: 95, cell: (g) => formatStatus(g, windowMs), paint: (g, s) => paintStatus(c, g.status, s) },
    { key: 'trend', header: 'HISTORY', width: 12, flex: true, maxWidth: 30, keep: 10, cell: (g, w) => sparkline(g.history, w, historyTop) },
  ];
}

function partitionColumns(c: ChalkInstance, selected: string | null, partitions: readonly PartitionReport[], windowMs: number): Column<PartitionReport>[] {
  const id = (p: PartitionReport) => `${p.topic}-${p.partition}`;
  const longest = Math.max(0, ...partitions.map((p) => id(p).length));
  // One zero-based scale for every row listed, so a small lag beside a large one looks small.
  const historyTop = sparklineScale(partitions.map((p) => p.history));
  return [
    { key: 'mark', header: ' ', width: 1, keep: 100, cell: (p) => (id(p) === selected ? '›' : ' ') },
    { key: 'tp', header: 'PARTITION', width: 10, flex: true, maxWidth: Math.max(10, Math.min(40, longest)), keep: 99, cell: id, paint: (p, s) => (id(p) === selected ? c.bold(s) : s) },
    { key: 'committed', header: 'COMMITTED', width: 9, align: 'right', keep: 45, cell: (p) => formatCount(p.committed) },
    { key: 'end', header: 'LOG-END', width: 9, align: 'right', keep: 44, cell: (p) => formatCount(p.logEnd) },
    { key: 'lag', header: 'LAG', width: 7, align: 'right', keep: 90, cell: (p) => formatCount(p.lag) },
    { key: 'time', header: 'TIME-LAG', width: 8, align: 'right', keep: 85, cell: (p) => formatTimeLag(p.timeLagMs) },
    { key: 'in', header: 'IN/S', width: 6, align: 'right', keep: 60, cell: (p) => formatRate(p.produceRate) },
    { key: 'out', header: 'OUT/S', width: 6, align: 'right', keep: 61, cell: (p) => formatRate(p.consumeRate) },
    { key: 'drain', header: 'DRAIN', width: 8, keep: 80, cell: (p) => formatDrain(p.drain) },
    { key: 'status', header: 'STATUS', width: statusWidth(partitions, windowMs), keep: 95, cell: (p) => formatStatus(p, windowMs), paint: (p, s) => paintStatus(c, p.status, s) },
    // Before the history, so it is the first to take spare width.
    { key: 'consumer', header: 'CONSUMER-ID/HOST', width: 20, flex: true, maxWidth: 80, keep: 70, cell: (p, w) => consumerCell(p.owner, w) },
    { key: 'history', header: 'HISTORY', width: 10, flex: true, maxWidth: 30, keep: 20, cell: (p, w) => sparkline(p.history, w, historyTop) },
  ];
}

/** The rows that fit, scrolled so the selected one is visible. */
function visible<T>(rows: T[], selectedIndex: number, height: number): { rows: T[]; first: number } {
  if (rows.length <= height) return { rows, first: 0 };
  const first = Math.min(Math.max(0, selectedIndex - height + 1), rows.length - height);
  return { rows: rows.slice(first, first + height), first };
}

const HELP = [
  ['↑ ↓  k j', 'move the selection'],
  ['Enter', "open the selected group's partitions"],
  ['Esc', 'back to all groups / clear the filter'],
  ['s', 'sort by status, lag, time lag or name'],
  ['/', 'filter by name (Enter to keep, Esc to clear)'],
  ['p', 'pause or resume refreshing'],
  ['?', 'show or hide this help'],
  ['q', 'quit'],
];

const LEGEND =
  'OK keeping up · IDLE nothing new · warming 12/30s behind, window not yet observed in full · WARN lag growing (TREND) or over a limit (LAG, TIME_LAG) · ERR STOP no consumer · STALL not committing · REWIND offsets went back · WARN NO_OFFSET records wait, no committed offset · ERR UNAVAILABLE log end unknown (no leader) · UNKNOWN_TOPIC the topic does not exist (deleted) · LAG - unknown (not in the group total) · HISTORY bars share one zero-based scale per view';

export function LagApp({ load, intervalMs, windowMs, target, initialGroup = null, initialSort = 'status', onSortChange, colors: c }: LagAppProps) {
  const { exit } = useApp();
  const { columns, rows: height } = useTerminalSize();
  const [report, setReport] = useState<LagReport | null>(null);
  const [failure, setFailure] = useState<{ message: string; since: number } | null>(null);
  const [view, setView] = useState<View>(initialGroup ? { kind: 'group', group: initialGroup } : { kind: 'overview' });
  const [selected, setSelected] = useState<string | null>(initialGroup);
  const [selectedPartition, setSelectedPartition] = useState<string | null>(null);
  const [sort, setSort] = useState<SortKey>(initialSort);
  const [filter, setFilter] = useState('');
  const [editingFilter, setEditingFilter] = useState(false);
  const [paused, setPaused] = useState(false);
  const [help, setHelp] = useState(false);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      if (!pausedRef.current) {
        try {
          const r = await load();
          if (stopped) return;
          setReport(r);
          setFailure(null);
        } catch (e) {
          if (stopped) return;
          const message = (e as Error).message;
          setFailure((f) => ({ message, since: f?.since ?? Date.now() }));
        }
      }
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [load, intervalMs]);

  const groups = useMemo(() => {
    const all = report?.groups ?? [];
    const matching = filter ? all.filter((g) => g.group.toLowerCase().includes(filter.toLowerCase())) : all;
    return [...matching].sort(compare<GroupReport>(sort, (g) => g.group));
  }, [report, filter, sort]);
  const current = view.kind === 'group' ? (report?.groups.find((g) => g.group === view.group) ?? null) : null;
  const partitions = useMemo(() => {
    if (!current) return [];
    const all = filter ? current.partitions.filter((p) => p.topic.toLowerCase().includes(filter.toLowerCase())) : current.partitions;
    return [...all].sort(compare<PartitionReport>(sort, (p) => `${p.topic}-${String(p.partition).padStart(6, '0')}`));
  }, [current, filter, sort]);

  const partitionId = (p: PartitionReport) => `${p.topic}-${p.partition}`;
  // Until the user moves, the first row is the selected one.
  const selectedGroup = groups.some((g) => g.group === selected) ? selected : (groups[0]?.group ?? null);
  const selectedTp = partitions.some((p) => partitionId(p) === selectedPartition) ? selectedPartition : null;

  // Keys are handled with the state of the latest render: Ink may deliver a key to the handler
  // of the previous render while React is still committing a refresh.
  const live = useRef({ groups, partitions, selectedGroup, selectedTp, view, filter, help, editingFilter, sort });
  live.current = { groups, partitions, selectedGroup, selectedTp, view, filter, help, editingFilter, sort };

  // Keys that arrive in one read come as one input ("jj" typed fast, "k" and Enter sent together
  // by tmux send-keys, a paste): each counts. Ink splits escape sequences (arrows) into inputs of
  // their own, so a run of several characters is plain keys, Enter and Backspace among them. A
  // selection or mode changed here is recorded in `live` at once, so the next key acts on it even
  // before React has rendered it.
  useInput((input, key) => {
    const keys = [...input];
    if (keys.length <= 1 || key.ctrl || key.meta) return handleKey(input, key);
    for (const ch of keys) {
      const editing = live.current.editingFilter;
      handleKey(/[\x00-\x1f\x7f]/.test(ch) ? '' : ch, { ...key, return: ch === '\r' || ch === '\n', backspace: ch === '\x7f' || ch === '\b', tab: ch === '\t' });
      // Text pasted into the filter ends at its line break: what follows is not taken for keys (q would quit).
      if (editing && !live.current.editingFilter) break;
    }
  });

  const select = (group: string) => {
    live.current.selectedGroup = group;
    setSelected(group);
  };
  const selectPartition = (id: string | null) => {
    live.current.selectedTp = id;
    setSelectedPartition(id);
  };
  const editFilter = (on: boolean) => {
    live.current.editingFilter = on;
    setEditingFilter(on);
  };
  const openGroup = (group: string) => {
    live.current.view = { kind: 'group', group };
    live.current.filter = '';
    setView(live.current.view);
  };

  const handleKey = (input: string, key: Key) => {
    const { groups, partitions, selectedGroup, selectedTp, view, filter, help, editingFilter, sort } = live.current;
    if (editingFilter) {
      if (key.escape) {
        setFilter('');
        editFilter(false);
      } else if (key.backspace || key.delete) setFilter((f) => f.slice(0, -1));
      else if (!key.ctrl && !key.meta) {
        // Typed or pasted text; a newline in it ends the filter.
        const text = input.replace(/[\r\n].*$/s, '').replace(/[\x00-\x1f\x7f]/g, '');
        if (text) setFilter((f) => f + text);
        if (key.return || /[\r\n]/.test(input)) editFilter(false);
      }
      return;
    }
    if (help) {
      setHelp(false);
      if (input !== 'q') return;
    }
    if (input === 'q') return exit();
    if (input === '?') return setHelp(true);
    if (input === 'p') return setPaused((p) => !p);
    if (input === '/') {
      editFilter(true);
      return;
    }
    if (input === 's') {
      const next = SORT_KEYS[(SORT_KEYS.indexOf(sort) + 1) % SORT_KEYS.length]!;
      setSort(next);
      onSortChange?.(next);
      return;
    }
    const up = key.upArrow || input === 'k';
    const down = key.downArrow || input === 'j';
    if (view.kind === 'overview') {
      const i = Math.max(0, groups.findIndex((g) => g.group === selectedGroup));
      if (up && groups.length) select(groups[Math.max(0, i - 1)]!.group);
      else if (down && groups.length) select(groups[Math.min(groups.length - 1, i + 1)]!.group);
      else if (key.return) {
        const g = groups[i];
        if (g && groups.some((x) => x.group === selectedGroup)) {
          select(g.group);
          selectPartition(null);
          setFilter('');
          openGroup(g.group);
        }
      } else if (key.escape) setFilter('');
    } else {
      const i = partitions.findIndex((p) => partitionId(p) === selectedTp);
      if (up && partitions.length) selectPartition(partitionId(partitions[Math.max(0, i - 1)]!));
      else if (down && partitions.length) selectPartition(partitionId(partitions[Math.min(partitions.length - 1, i + 1)]!));
      else if (key.escape) {
        if (filter) {
          live.current.filter = '';
          setFilter('');
        } else {
          live.current.view = { kind: 'overview' };
          setView(live.current.view);
        }
      }
    }
  };

  const width = Math.max(20, columns - 1);
  const header = (
    <Text wrap="truncate">
      {c.bold('kafka-ts lag')} {c.dim(`${target} · every ${formatDuration(intervalMs)}, window ${formatDuration(report?.windowMs ?? windowMs ?? 0)}`)}
      {report ? c.dim(` · ${clock(report.at)}`) : ''}
      {paused ? ` ${c.inverse(' PAUSED ')}` : ''}
    </Text>
  );
  const footer = (
    <Text wrap="truncate">
      {editingFilter
        ? `filter: ${filter}▏ ${c.dim('(Enter keep · Esc clear)')}`
        : c.dim(`${view.kind === 'overview' ? '↑↓ select · ⏎ open' : '↑↓ select · esc back'} · s sort:${sort} · / filter${filter ? `:${filter}` : ''} · p ${paused ? 'resume' : 'pause'} · ? help · q quit`)}
    </Text>
  );

  let body: ReactNode;
  const tableHeight = Math.max(1, height - 5);
  if (help) {
    // Only what fits: a frame taller than the terminal cannot be redrawn in place (Ink leaves
    // lines of the old one behind). The legend goes first, then keys from the end.
    const room = Math.max(2, height - 3);
    const keys = HELP.slice(0, Math.min(HELP.length, room - 1));
    const legend = 1 + keys.length + 1 + Math.ceil(LEGEND.length / width) <= room;
    body = (
      <Box flexDirection="column">
        <Text>{c.bold('Keys')}</Text>
        {keys.map(([k, what]) => (
          <Text key={k} wrap="truncate">
            {`  ${k!.padEnd(10)} ${what}`}
          </Text>
        ))}
        {legend && <Text> </Text>}
        {legend && <Text wrap="wrap">{LEGEND}</Text>}
      </Box>
    );
  } else if (failure) {
    body = (
      <Box flexDirection="column">
        <Text>{c.red.bold(`Cannot reach the broker (${target})`)}</Text>
        <Text wrap="truncate">{failure.message}</Text>
        <Text wrap="truncate">
          {c.dim(`Retrying every ${formatDuration(intervalMs)} · unreachable since ${clock(failure.since)}${report ? ` · last data ${clock(report.at)}` : ''}`)}
        </Text>
      </Box>
    );
  } else if (!report) {
    body = <Text>{c.dim('Loading…')}</Text>;
  } else if (view.kind === 'overview') {
    if (groups.length === 0) {
      body = (
        <Text wrap="wrap">
          {filter ? `No consumer group matches "${filter}".` : report.missing.length ? `Consumer group ${report.missing.map((m) => `'${m}'`).join(', ')} does not exist (yet). Waiting for it…` : 'No consumer groups yet. Start a consumer with a group id (for example kafka-ts console-consumer --topic T --group G) and it appears here.'}
        </Text>
      );
    } else {
      const cols = fitColumns(groupColumns(c, selectedGroup, groups, report.windowMs), width);
      // Named groups that do not exist are said under the table, never silently left out.
      const missing = report.missing.length ? `${c.yellow(`Consumer group ${report.missing.map((m) => `'${m}'`).join(', ')} ${report.missing.length === 1 ? 'does' : 'do'} not exist (yet).`)} ${c.dim('Waiting for it…')}` : null;
      const { rows } = visible(groups, Math.max(0, groups.findIndex((g) => g.group === selectedGroup)), Math.max(1, tableHeight - (missing ? 1 : 0)));
      body = (
        <Box flexDirection="column">
          <Text wrap="truncate">{c.bold(renderHeader(cols))}</Text>
          {rows.map((g) => (
            <Text key={g.group} wrap="truncate">
              {renderRow(cols, g)}
            </Text>
          ))}
          {missing && <Text wrap="truncate">{missing}</Text>}
        </Box>
      );
    }
  } else if (!current) {
    body = <Text wrap="wrap">{`Consumer group '${view.group}' does not exist (yet). Waiting for it… (Esc for all groups)`}</Text>;
  } else {
    const uncounted = uncountedNote(current);
    const summary = `${c.bold(current.group)} ${shortState(current.state)} · ${current.members} member${current.members === 1 ? '' : 's'} · ${paintStatus(c, current.status, formatStatus(current, report.windowMs))} · lag ${formatCount(current.totalLag)}${uncounted ? '*' : ''} · time lag ${formatTimeLag(current.maxTimeLagMs)} · drain ${formatDrain(current.drain)}`;
    const trendWidth = Math.max(0, Math.min(60, width - 24));
    const cols = fitColumns(partitionColumns(c, selectedTp, partitions, report.windowMs), width);
    const { rows } = visible(partitions, Math.max(0, partitions.findIndex((p) => partitionId(p) === selectedTp)), tableHeight - 2);
    body = (
      <Box flexDirection="column">
        <Text wrap="truncate">{summary}</Text>
        <Text wrap="truncate">{`${c.dim('lag history')} ${sparkline(current.history, trendWidth)} ${c.dim(`(${formatCount(current.totalLag)} now)`)}${uncounted ? ` ${c.yellow(`*${uncounted}`)}` : ''}`}</Text>
        {partitions.length === 0 ? (
          <Text>{filter ? `No partition matches "${filter}".` : 'No committed offsets or assigned partitions yet.'}</Text>
        ) : (
          <>
            <Text wrap="truncate">{c.bold(renderHeader(cols))}</Text>
            {rows.map((p) => (
              <Text key={`${p.topic}-${p.partition}`} wrap="truncate">
                {renderRow(cols, p)}
              </Text>
            ))}
          </>
        )}
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={width}>
      {header}
      <Box flexDirection="column" height={Math.max(1, height - 3)}>
        {body}
      </Box>
      {footer}
    </Box>
  );
}
