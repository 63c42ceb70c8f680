/**
 * The Ink lag watcher rendered with ink-testing-library: overview, drill-down, keys, empty
 * states, an unreachable broker and a narrow terminal. Reports come from the real LagMonitor fed
 * with scripted snapshots.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { render, cleanup } from 'ink-testing-library';
import { Chalk } from 'chalk';
import { LagApp, type SortKey } from '../../../src/tui/lag-app.js';
import { LagMonitor, type LagReport, type Snapshot } from '../../../src/lag/monitor.js';
import { DEFAULT_SETTINGS } from '../../../src/lag/evaluator.js';

const plain = new Chalk({ level: 0 });
const T0 = Date.parse('2026-11-21T12:00:00.000Z');
const ESC = '\u001B';
const DOWN = '\u001B[B';
const ENTER = '\r';

afterEach(() => cleanup());

/** A report from 12 one-second snapshots: `billing` falls behind, `audit` is idle. */
function report(groups = ['billing', 'audit']): LagReport {
  const m = new LagMonitor({ ...DEFAULT_SETTINGS, windowMs: 10_000 });
  for (let i = 0; i < 12; i++) {
    const at = T0 + i * 1000;
    const snap: Snapshot = {
      at,
      missing: [],
      groups: [
        {
          group: 'billing',
          state: 'Stable',
          members: 2,
          partitions: [0, 1, 2].map((p) => ({
            topic: 'orders',
            partition: p,
            committed: 100 + i * 5,
            logEnd: 200 + i * 10 + p,
            owner: { memberId: `m-${p}`, clientId: 'billing-app', host: '/127.0.0.1' },
            committedTimestamp: at - 4000,
          })),
        },
        { group: 'audit', state: 'Empty', members: 0, partitions: [{ topic: 'events', partition: 0, committed: 50, logEnd: 50, owner: null, committedTimestamp: null }] },
      ].filter((g) => groups.includes(g.group)),
    };
    m.ingest(snap);
  }
  return m.report(T0 + 11_000);
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000, seen?: () => string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}${seen ? `; the screen shows:\n${seen()}` : ''}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A report from `count` one-second snapshots of the groups `at` gives, judged over `windowMs`. */
function reportOf(count: number, windowMs: number, groups: (at: number, i: number) => Snapshot['groups']): LagReport {
  const m = new LagMonitor({ ...DEFAULT_SETTINGS, windowMs });
  for (let i = 0; i < count; i++) m.ingest({ at: T0 + i * 1000, missing: [], groups: groups(T0 + i * 1000, i) });
  return m.report(T0 + (count - 1) * 1000);
}

/** Makes the test terminal `columns` wide and waits for the redraw to show `until`. */
async function resize(app: ReturnType<typeof render>, columns: number, until: () => boolean, what: string): Promise<void> {
  Object.defineProperty(app.stdout, 'columns', { value: columns, configurable: true });
  app.stdout.emit('resize');
  await waitFor(until, what, 5000, () => app.lastFrame() ?? '');
}

function mount(props: { load?: () => Promise<LagReport>; initialGroup?: string; onSortChange?: (s: SortKey) => void; colors?: Chalk } = {}) {
  const data = report();
  const app = render(
    <LagApp load={props.load ?? (async () => data)} intervalMs={20} target="127.0.0.1:9092" initialGroup={props.initialGroup} onSortChange={props.onSortChange} colors={props.colors ?? plain} />,
  );
  const frame = () => app.lastFrame() ?? '';
  const press = async (keys: string, until: (f: string) => boolean, what: string) => {
    app.stdin.write(keys);
    await waitFor(() => until(frame()), what);
  };
  return { app, frame, press };
}

describe('overview', () => {
  it('lists groups worst first with state, members, lag, time lag, drain, status and history', async () => {
    const { frame } = mount();
    await waitFor(() => frame().includes('billing'), 'the overview');
    const lines = frame().split('\n');
    expect(lines[0]).toMatch(/^kafka-ts lag 127\.0\.0\.1:9092 · every 20ms, window 10s · \d\d:\d\d:\d\d$/);
    expect(lines[1]).toMatch(/^\s+GROUP\s+STATE\s+MEMBERS\s+LAG\s+TIME-LAG\s+IN\/S\s+OUT\/S\s+DRAIN\s+STATUS\s+HISTORY$/);
    expect(lines[2]).toMatch(/^› billing\s+Stable\s+2\s+468\s+4s\s+30\s+15\s+growing\s+WARN TREND\s+[▁▂▃▄▅▆▇█]+$/);
    expect(lines[3]).toMatch(/^  audit\s+Empty\s+0\s+0\s+0s\s+0\s+0\s+-\s+IDLE\s+▁+$/);
    expect(frame()).toContain('↑↓ select · ⏎ open · s sort:status · / filter · p pause · ? help · q quit');
  });

  it('marks LAG with * in the list when partitions are left out of it (as the detail view does)', async () => {
    const data = reportOf(3, 10_000, () => [
      { group: 'nocommit', state: 'Stable', members: 1, partitions: [{ topic: 'orders', partition: 0, committed: null, logEnd: 430, owner: { memberId: 'm', clientId: 'c', host: '/h' }, committedTimestamp: null }] },
    ]);
    const app = render(<LagApp load={async () => data} intervalMs={20} target="t" colors={plain} />);
    const frame = () => app.lastFrame() ?? '';
    await waitFor(() => frame().includes('nocommit'), 'the overview');
    expect(frame().split('\n')[2]).toMatch(/^› nocommit\s+Stable\s+1\s+0\*\s/);
    app.unmount();
  });

  it('moves the selection, filters with /, and cycles the sort with s (reporting it for saving)', async () => {
    const sorts: SortKey[] = [];
    const { frame, press } = mount({ onSortChange: (s) => sorts.push(s) });
    await waitFor(() => frame().includes('billing'), 'the overview');
    await press(DOWN, (f) => f.includes('› audit'), 'the selection to move');
    await press('/', (f) => f.includes('filter: ▏'), 'the filter prompt');
    await press('bil', (f) => f.includes('filter: bil▏') && !f.includes('audit'), 'the filter to apply');
    await press(ENTER, (f) => f.includes('/ filter:bil'), 'the filter to stay');
    await press('s', (f) => f.includes('sort:lag'), 'the sort to change');
    expect(sorts).toEqual(['lag']);
    await press(ESC, (f) => f.includes('audit'), 'Esc to clear the filter');
  });

  it('shows help on ? and hides it on the next key', async () => {
    const { frame, press } = mount();
    await waitFor(() => frame().includes('billing'), 'the overview');
    await press('?', (f) => f.includes('Keys') && f.includes('STOP no consumer'), 'help');
    await press('x', (f) => f.includes('billing') && !f.includes('Keys'), 'help to close');
  });

  it('keeps help within a small terminal (a taller frame left old lines behind): the legend gives way', async () => {
    const { app, frame, press } = mount();
    Object.defineProperty(app.stdout, 'rows', { value: 12, configurable: true });
    await resize(app, 60, () => frame().includes('billing'), 'a 60x12 terminal');
    await press('?', (f) => f.includes('Keys'), 'help');
    const lines = frame().split('\n');
    expect(lines.length, frame()).toBeLessThanOrEqual(12);
    expect(frame()).toContain('q          quit');
    expect(frame()).not.toContain('STOP no consumer');
  });

  it('pauses refreshing on p', async () => {
    let loads = 0;
    const data = report();
    const { frame, press } = mount({ load: async () => (loads++, data) });
    await waitFor(() => loads >= 2, 'a few refreshes');
    await press('p', (f) => f.includes('PAUSED') && f.includes('p resume'), 'pause');
    const paused = loads;
    await new Promise((r) => setTimeout(r, 150)); // several refresh intervals pass
    expect(loads).toBe(paused);
    await press('p', (f) => !f.includes('PAUSED'), 'resume');
    await waitFor(() => loads > paused, 'refreshes to resume');
  });
});

describe('drill-down', () => {
  it("opens a group's partitions on Enter and goes back on Esc", async () => {
    const { frame, press } = mount();
    await waitFor(() => frame().includes('billing'), 'the overview');
    await press(ENTER, (f) => f.includes('orders-0'), 'the group view');
    const lines = frame().split('\n');
    expect(lines[1]).toBe('billing Stable · 2 members · WARN TREND · lag 468 · time lag 4s · drain growing');
    expect(lines[2]).toMatch(/^lag history [▁▂▃▄▅▆▇█]+ \(468 now\)$/);
    // 100 columns: the history and the log-end offset give way to who consumes the partition.
    expect(lines[3]).toMatch(/^\s+PARTITION\s+COMMITTED\s+LAG\s+TIME-LAG\s+IN\/S\s+OUT\/S\s+DRAIN\s+STATUS\s+CONSUMER-ID\/HOST$/);
    // Sorted by status, then lag: the partition with the most lag first.
    expect(lines[4]).toMatch(/^  orders-2\s+155\s+157\s+4s\s+10\s+5\.0\s+growing\s+WARN TREND\s+m-2 \/127\.0\.0\.1$/);
    expect(lines[6]).toMatch(/^  orders-0\s+155\s+155\s/);
    await press(DOWN, (f) => f.includes('› orders-2'), 'partition selection');
    await press(ESC, (f) => f.includes('› billing') && f.includes('audit'), 'the overview again');
  });

  it('counts every key of a burst (typed fast, a held arrow key): one read of "jj", two Down keys', async () => {
    const { frame, press } = mount();
    await waitFor(() => frame().includes('billing'), 'the overview');
    await press(ENTER, (f) => f.includes('orders-0'), 'the group view');
    // Rows: orders-2, orders-1, orders-0; nothing selected yet, so the first j selects orders-2.
    await press('jj', (f) => f.includes('› orders-1'), 'two moves from one read of "jj"');
    await press('k', (f) => f.includes('› orders-2'), 'one move up');
    await press(DOWN + DOWN, (f) => f.includes('› orders-0'), 'two moves from two Down keys in one read');
    await press('kk', (f) => f.includes('› orders-2'), 'two moves up');
  });

  it('handles every key of a multi-key read: "k" and Enter together (tmux send-keys k Enter) move, then open', async () => {
    const { frame, press } = mount();
    await waitFor(() => frame().includes('billing'), 'the overview');
    await press(DOWN, (f) => f.includes('› audit'), 'the selection on audit');
    // One read of "k\r": up to billing, then Enter opens it.
    await press('k\r', (f) => f.includes('orders-0') && f.includes('billing Stable · 2 members'), 'billing to open from one read of "k\\r"');
    // "/", text and Enter in one read: a filter typed and kept, as when pasted.
    await press(ESC, (f) => f.includes('› billing') && f.includes('audit'), 'the overview again');
    await press('/aud\r', (f) => f.includes('/ filter:aud') && !f.includes('billing') && f.includes('audit'), 'the filter from one read');
    // A paste into the filter ends at its line break: the "q" after it does not quit.
    await press(ESC, (f) => f.includes('billing') && f.includes('audit'), 'the filter cleared');
    await press('/bil\rq', (f) => f.includes('/ filter:bil') && f.includes('billing') && !f.includes('audit'), 'the pasted filter');
    await press(DOWN, (f) => f.includes('› billing'), 'the app still answering keys');
  });

  it('shows the window in the header while the first sample loads', async () => {
    const app = render(<LagApp load={() => new Promise<LagReport>(() => {})} intervalMs={2000} windowMs={30_000} target="127.0.0.1:9092" colors={plain} />);
    const frame = () => app.lastFrame() ?? '';
    await waitFor(() => frame().includes('Loading'), 'the loading screen', 5000, frame);
    expect(frame().split('\n')[0]).toBe('kafka-ts lag 127.0.0.1:9092 · every 2s, window 30s');
  });

  it('opens the initial group directly, and waits for a group that does not exist yet', async () => {
    const { frame } = mount({ initialGroup: 'payments' });
    await waitFor(() => frame().includes("Consumer group 'payments' does not exist (yet). Waiting for it…"), 'the waiting message');
  });
});

describe('the first window', () => {
  // Three seconds into a 30-second window: `billing` is behind, `etl` stopped 18 minutes ago.
  const early = () =>
    reportOf(3, 30_000, (at, i) => [
      {
        group: 'billing',
        state: 'Stable',
        members: 1,
        partitions: [{ topic: 'orders', partition: 0, committed: 100 + i * 5, logEnd: 200 + i * 10, owner: { memberId: 'm-0', clientId: 'billing-app', host: '/127.0.0.1' }, committedTimestamp: at - 2000 }],
      },
      { group: 'etl', state: 'Empty', members: 0, partitions: [{ topic: 'orders', partition: 0, committed: 1000, logEnd: 21_600, owner: null, committedTimestamp: T0 - 18 * 60_000 }] },
    ]);

  it('says a group is warming, with how much of the window it has seen, and a stopped group ERR STOP at once; never OK', async () => {
    const data = early();
    const { frame, press } = mount({ load: async () => data });
    await waitFor(() => frame().includes('billing'), 'the overview');
    const lines = frame().split('\n');
    expect(lines[2]).toMatch(/^› etl\s+Empty\s+0\s+20,600\s+18m02s\s+.*ERR STOP\b/);
    expect(lines[3]).toMatch(/^  billing\s+Stable\s+1\s+110\s+2s\s+.*warming 2\/30s$/);
    expect(frame()).not.toMatch(/\bOK\b/);
    await press(DOWN, (f) => f.includes('› billing'), 'the selection to move');
    await press(ENTER, (f) => f.includes('orders-0'), 'the group view');
    expect(frame().split('\n')[1]).toBe('billing Stable · 1 member · warming 2/30s · lag 110 · time lag 2s · drain growing');
    expect(frame()).toMatch(/^  orders-0\s+110\s+110\s+2s\s+10\s+5\.0\s+growing\s+warming 2\/30s\s+m-0 \/127\.0\.0\.1$/m);
  });

  it('keeps the whole warming status at 80 columns, where the rates give way', async () => {
    const data = early();
    const { app, frame } = mount({ load: async () => data });
    await waitFor(() => frame().includes('billing'), 'the overview', 5000, frame);
    await resize(app, 80, () => !frame().includes('OUT/S'), 'the 80-column overview');
    for (const line of frame().split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    expect(frame()).toMatch(/^  billing\s+Stable\s+1\s+110\s+2s\s+growing\s+warming 2\/30s$/m);
  });
});

describe('sparklines', () => {
  it('share one zero-based scale, so a steady small lag beside a large one stays low', async () => {
    const data = reportOf(12, 10_000, (at, i) => [
      { group: 'big', state: 'Stable', members: 1, partitions: [{ topic: 'a', partition: 0, committed: 0, logEnd: 100 + i * 2000, owner: null, committedTimestamp: at }] },
      { group: 'small', state: 'Stable', members: 1, partitions: [{ topic: 'b', partition: 0, committed: 10 * i, logEnd: 10 * i + 3, owner: null, committedTimestamp: at }] },
    ]);
    const { frame } = mount({ load: async () => data });
    await waitFor(() => frame().includes('small'), 'the overview');
    const small = frame().split('\n').find((l) => l.includes('small'))!;
    const big = frame().split('\n').find((l) => l.includes('big'))!;
    expect(small).toMatch(/ ▂{12}$/);
    expect(big).toMatch(/█$/);
  });
});

describe('who consumes a partition', () => {
  it('shows member id and host, cutting the member id rather than the host at 80 columns, and - without an owner', async () => {
    const memberId = 'billing-app-1-8d3c6f0e-1b2a-4c5d-9e8f-0a1b2c3d4e5f';
    const data = reportOf(3, 10_000, (at) => [
      {
        group: 'billing',
        state: 'Stable',
        members: 1,
        partitions: [
          { topic: 'orders', partition: 0, committed: 10, logEnd: 10, owner: { memberId, clientId: 'billing-app', host: '/10.20.30.40' }, committedTimestamp: at },
          { topic: 'orders', partition: 1, committed: 10, logEnd: 10, owner: null, committedTimestamp: at },
        ],
      },
    ]);
    const { app, frame } = mount({ load: async () => data, initialGroup: 'billing' });
    await waitFor(() => frame().includes('orders-1'), 'the group view');
    await resize(app, 200, () => frame().includes(`${memberId} /10.20.30.40`), 'the whole member id');
    await resize(app, 80, () => !frame().includes(memberId), 'the 80-column view');
    for (const line of frame().split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    const rows = frame().split('\n').filter((l) => l.includes('orders-'));
    expect(frame()).toContain('CONSUMER-ID/HOST');
    expect(rows[0]).toMatch(/ billing-\S*… \/10\.20\.30\.40$/);
    expect(rows[1]).toMatch(/IDLE\s+-$/);
  });
});

describe('groups named but missing, partitions not measured', () => {
  it('says under the table which named groups do not exist, while showing those that do', async () => {
    const data = { ...report(['billing']), missing: ['nosuch'] };
    const { frame } = mount({ load: async () => data });
    await waitFor(() => frame().includes('billing') && frame().includes('nosuch'), 'billing and the missing group', 5000, frame);
    expect(frame()).toMatch(/^Consumer group 'nosuch' does not exist \(yet\)\. Waiting for it…$/m);
  });

  it("says in a group's summary which partitions its lag leaves out, shown as - with their status", async () => {
    const data = reportOf(3, 10_000, (at) => [
      {
        group: 'js',
        state: 'Stable',
        members: 1,
        partitions: [
          { topic: 't', partition: 0, committed: 448, logEnd: 500, owner: null, committedTimestamp: at },
          { topic: 't', partition: 1, committed: null, logEnd: 1400, owner: null, committedTimestamp: null },
          { topic: 't', partition: 2, committed: 7, logEnd: null, owner: null, committedTimestamp: null },
        ],
      },
    ]);
    const { app, frame } = mount({ load: async () => data, initialGroup: 'js' });
    await waitFor(() => frame().includes('t-2'), 'the group view', 5000, frame);
    await resize(app, 160, () => frame().includes('LOG-END'), 'the wide group view');
    expect(frame()).toContain('js Stable · 1 member · ERR UNAVAILABLE · lag 52* · time lag');
    expect(frame()).toMatch(/\(52 now\) \*2 partitions not counted: 1 without a committed offset, 1 without a leader \(log end unknown\)$/m);
    expect(frame()).toMatch(/^  t-2\s+7\s+-\s+-\s+\?\s+.*ERR UNAVAILABLE/m);
    expect(frame()).toMatch(/^  t-1\s+-\s+1,400\s+-\s+\?\s+.*WARN NO_OFFSET/m);
  });
});

describe('empty states and failures', () => {
  it('explains an empty cluster and an unmatched filter', async () => {
    const empty = report([]);
    const { frame, press } = mount({ load: async () => empty });
    await waitFor(() => frame().includes('No consumer groups yet.'), 'the empty message');
    await press('/', (f) => f.includes('filter: ▏'), 'the filter prompt');
    await press('zz\r', (f) => f.includes('No consumer group matches "zz".') && f.includes('/ filter:zz'), 'the no-match message');
  });

  it('shows a clear screen while the broker is unreachable and recovers when it returns', async () => {
    let up = false;
    const data = report();
    const { frame } = mount({
      load: async () => {
        if (!up) throw new Error('connect ECONNREFUSED 127.0.0.1:9092');
        return data;
      },
    });
    await waitFor(() => frame().includes('Cannot reach the broker (127.0.0.1:9092)'), 'the unreachable screen');
    expect(frame()).toContain('connect ECONNREFUSED 127.0.0.1:9092');
    expect(frame()).toMatch(/Retrying every 20ms · unreachable since \d\d:\d\d:\d\d/);
    expect(frame()).not.toContain('GROUP');
    up = true;
    await waitFor(() => frame().includes('billing') && !frame().includes('Cannot reach'), 'recovery');
  });
});

describe('terminal size and colour', () => {
  it('fits 60 columns by dropping the least important columns, and redraws on resize', async () => {
    const { app, frame } = mount();
    await waitFor(() => frame().includes('HISTORY'), 'the wide overview');
    Object.defineProperty(app.stdout, 'columns', { value: 60, configurable: true });
    app.stdout.emit('resize');
    await waitFor(() => !frame().includes('HISTORY'), 'the narrow overview');
    for (const line of frame().split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
    expect(frame()).toMatch(/GROUP\s+LAG\s+TIME-LAG\s+DRAIN\s+STATUS/);
    expect(frame()).toMatch(/billing\s+468\s+4s\s+growing\s+WARN TREND/);
  });

  it('colours statuses through chalk, and prints no escape codes when colour is off', async () => {
    const coloured = mount({ colors: new Chalk({ level: 1 }) });
    await waitFor(() => coloured.frame().includes('billing'), 'the coloured overview');
    expect(coloured.frame()).toContain('\u001B[33mWARN TREND');
    cleanup();
    const { frame } = mount();
    await waitFor(() => frame().includes('billing'), 'the plain overview');
    expect(frame()).not.toMatch(/\u001B\[/);
  });
});
