// The one table of issue 17: every figure beside its peer measured in the same run, with the
// target and the ratio, repeated (BENCH_REPEAT, default 3) and reported as the median ratio and its
// spread. Written to bench/results/speed.md and speed.json (run.js writes the JSON).
//
//   npm run bench -- speed
//
// Measured here: console-producer / console-consumer vs kcat (100 B and 1 KiB records, 1 and 6
// partitions, print.key+print.timestamp, --output json); `topics --list` vs `node -e 0` and vs a
// bare Node script doing one ApiVersions round trip on the daemon's Unix socket. Imported when
// present (other suites of issue 17; a missing one is a note in the table): startup.js, latency.js,
// durable.js, and scale.js. Such a suite's run() result may carry `rows` of
// { what, value, peer, ratio, target, met } (as scale.js does); they are added as they are.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BIN, SCALE, fmt, kafkaTs, lineFile, median, requireKcat, startDaemon, table, timed, wall } from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
// BENCH_ONLY=<regexp>: only the figures (and imported suites) whose description matches, e.g.
// BENCH_ONLY=console-consumer npm run bench -- speed.
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;


// One ApiVersions v0 round trip on the daemon's Unix socket, nothing else: the floor of a short
// command that must reach the daemon.
// A Node process that connects to a Unix socket and reads until it has `bytes` bytes, nothing else:
// the floor of any Node consumer receiving that much (Node's start-up and the socket's copies).
const BARE_READER = `let n=0;const want=+process.argv[2];const s=require('net').connect(process.argv[1]);s.on('data',(d)=>{n+=d.length;if(n>=want)s.destroy()});s.on('error',e=>{console.error(e.message);process.exit(1)})`;

/** Serves `bytes` bytes (1 MiB writes, honouring back-pressure) to each connection on a Unix socket; the socket's path and close(). */
async function byteServer(dir, bytes) {
  const chunk = Buffer.alloc(1 << 20, 120);
  const path = join(dir, `bytes-${process.pid}.sock`);
  const server = net.createServer((c) => {
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!c.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void c.once('drain', pump);
      }
    };
    c.on('error', () => {});
    pump();
  });
  await new Promise((resolve) => server.listen(path, resolve));
  return { path, close: () => new Promise((resolve) => server.close(resolve)) };
}

const BARE = `const s=require('net').connect(process.argv[1]);s.on('connect',()=>s.write(Buffer.from('0000000e001200000000000100046261726' + '5','hex')));s.on('data',()=>{s.destroy()});s.on('error',e=>{console.error(e.message);process.exit(1)})`;

/**
 * Figures measured here. Each trial returns { ours, peer } in seconds (or ms); `ratio` turns a
 * trial into the figure's ratio, `met` checks the median ratio against the target.
 */
function figures(d, work) {
  const env = { KAFKA_TS_HOME: d.home };
  const n100 = Math.round(1_000_000 * SCALE);
  const n1k = Math.round(200_000 * SCALE);
  const f100 = lineFile(work, n100, 100);
  const f1k = lineFile(work, n1k, 1024);
  const kcatC = (topic, extra = []) => ['-b', d.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=10', ...extra];
  const ts = (args) => [BIN, ...args];
  let topicSeq = 0;
  const topic = (partitions) => {
    const t = `speed-${topicSeq++}`;
    kafkaTs(['topics', '--create', '--topic', t, '--partitions', String(partitions)], d.home);
    return t;
  };
  const produce = (file, partitions) => async () => {
    const [a, b] = [topic(partitions), topic(partitions)];
    const ours = (await timed(process.execPath, ts(['console-producer', '--topic', a]), { inputFile: file, env })).seconds;
    const peer = (await timed('kcat', ['-b', d.bootstrap, '-P', '-t', b, '-l', file])).seconds;
    return { ours, peer };
  };
  // Consumers read one topic filled once per figure (by kcat).
  const filled = new Map();
  const source = (file, partitions) => {
    const key = `${file}:${partitions}`;
    if (!filled.has(key)) {
      const t = topic(partitions);
      const r = spawnSync('kcat', ['-b', d.bootstrap, '-P', '-t', t, '-l', file]);
      if (r.status !== 0) throw new Error(`kcat -P failed: ${r.stderr}`);
      filled.set(key, t);
    }
    return filled.get(key);
  };
  const consume = (file, partitions, oursExtra = [], kcatExtra = []) => async () => {
    const t = source(file, partitions);
    const ours = (await timed(process.execPath, ts(['console-consumer', '--topic', t, '--from-beginning', '-e', ...oursExtra]), { env })).seconds;
    const peer = (await timed('kcat', kcatC(t, kcatExtra))).seconds;
    return { ours, peer };
  };
  const faster = (target) => ({ ratio: (t) => t.peer / t.ours, met: (r) => r >= target, target: `>= ${target.toFixed(1)}x`, unit: 's' });
  const n = (x) => fmt(x);
  return [
    { what: `console-producer vs kcat -P, ${n(n100)} x 100 B, 1 partition`, peerName: 'kcat -P', run: produce(f100, 1), ...faster(1.0) },
    { what: `console-consumer vs kcat -C -e, ${n(n100)} x 100 B, 1 partition`, peerName: 'kcat -C', run: consume(f100, 1), ...faster(1.0) },
    { what: `console-producer vs kcat -P, ${n(n1k)} x 1 KiB, 1 partition`, peerName: 'kcat -P', run: produce(f1k, 1), ...faster(1.0) },
    { what: `console-consumer vs kcat -C -e, ${n(n1k)} x 1 KiB, 1 partition`, peerName: 'kcat -C', run: consume(f1k, 1), ...faster(1.0) },
    {
      // Not a target: whether one is reachable from Node. kcat reads the topic; a bare Node reader
      // takes the same bytes from a Unix socket that serves them from memory.
      what: `  bound: a bare Node reader of the same bytes over a Unix socket (node start + copies) vs kcat -C -e, ${n(n1k)} x 1 KiB`,
      peerName: 'kcat -C',
      run: async () => {
        const t = source(f1k, 1);
        const server = await byteServer(work, statSync(f1k).size);
        try {
          const ours = (await timed(process.execPath, ['-e', BARE_READER, server.path, String(statSync(f1k).size)], { env })).seconds;
          const peer = (await timed('kcat', kcatC(t))).seconds;
          return { ours, peer };
        } finally {
          await server.close();
        }
      },
      ...faster(1.0),
      target: '(>= 1.0x for the target to be reachable from Node)',
    },
    { what: `console-producer vs kcat -P, ${n(n100)} x 100 B, 6 partitions`, peerName: 'kcat -P', run: produce(f100, 6), ...faster(1.0) },
    { what: `console-consumer vs kcat -C -e, ${n(n100)} x 100 B, 6 partitions`, peerName: 'kcat -C', run: consume(f100, 6), ...faster(1.0) },
    {
      what: `console-consumer print.key+print.timestamp vs kcat -f, ${n(n100)} x 100 B`,
      peerName: 'kcat -f',
      run: consume(f100, 1, ['--property', 'print.key=true', '--property', 'print.timestamp=true'], ['-f', 'CreateTime:%T\t%k\t%s\n']),
      ...faster(0.8),
    },
    { what: `console-consumer --output json vs kcat -J, ${n(n100)} x 100 B`, peerName: 'kcat -J', run: consume(f100, 1, ['--output', 'json'], ['-J']), ...faster(0.8) },
    {
      what: 'topics --list vs node -e 0 (median wall)',
      peerName: 'node -e 0',
      unit: 'ms',
      run: async () => ({ ours: wall(process.execPath, ts(['topics', '--list']), env, 15), peer: wall(process.execPath, ['-e', '0'], env, 15) }),
      ratio: (t) => t.ours / t.peer,
      met: (r) => r <= 1.25,
      target: '<= 1.25x',
    },
    {
      what: 'topics --list vs bare Unix-socket ApiVersions script',
      peerName: 'bare script',
      unit: 'ms',
      run: async () => ({ ours: wall(process.execPath, ts(['topics', '--list']), env, 15), peer: wall(process.execPath, ['-e', BARE, join(d.home, 'kafka.sock')], env, 15) }),
      ratio: (t) => t.ours / t.peer,
      met: (r) => r <= 1.1,
      target: '<= 1.1x',
    },
  ];
}

/** Runs every figure REPEAT times, interleaved, so each trial's pair shares the machine's state. */
async function measure() {
  requireKcat();
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-speed-'));
  const d = startDaemon(['--no-schema-registry']);
  const rows = [];
  try {
    const figs = figures(d, work).filter((f) => !only || only.test(f.what));
    const trials = figs.map(() => []);
    for (let r = 0; r < REPEAT; r++) for (let i = 0; i < figs.length; i++) trials[i].push(await figs[i].run());
    figs.forEach((f, i) => {
      const ratios = trials[i].map(f.ratio);
      const ratio = median(ratios);
      const mid = trials[i][ratios.indexOf(ratio)];
      const show = (v) => (f.unit === 'ms' ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} s`);
      rows.push({ what: f.what, value: show(mid.ours), peer: `${f.peerName} ${show(mid.peer)}`, ratio, spread: [Math.min(...ratios), Math.max(...ratios)], target: f.target, met: f.met(ratio), trials: trials[i] });
    });
  } finally {
    d.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

/** Other issue-17 suites, when their modules exist (the lead merges them). */
const IMPORTED = [
  ['startup', 'startup.js'],
  ['latency', 'latency.js'],
  ['durable', 'durable.js'],
  ['scale', 'scale.js'],
];

export async function run({ previous = {} } = {}) {
  const rows = await measure();
  const notes = [];
  const suites = {};
  for (const [name, file] of IMPORTED) {
    if (only && !only.test(name)) continue;
    if (!existsSync(join(here, file))) {
      notes.push(`${name}: bench/${file} not present, skipped`);
      continue;
    }
    try {
      // A suite that already ran in this `npm run bench` is not run again.
      const result = previous[name] ?? (await (await import(`./${file}`)).run());
      suites[name] = result;
      if (Array.isArray(result?.rows)) rows.push(...result.rows.map((r) => ({ suite: name, ...r })));
      else notes.push(`${name}: no rows in its result (see bench/results/speed.json)`);
    } catch (e) {
      notes.push(`${name}: failed: ${e.message.split('\n')[0]}`);
    }
  }
  const shown = rows.map((r) => ({
    figure: r.what,
    'kafka-ts': r.value,
    peer: r.peer,
    ratio: typeof r.ratio === 'number' ? `${r.ratio.toFixed(2)}x` : '',
    spread: r.spread ? `${r.spread[0].toFixed(2)}-${r.spread[1].toFixed(2)}` : '',
    target: r.target,
    // A row with no target of its own (another client beside a target row) has met undefined.
    met: r.met === undefined ? '-' : r.met ? 'yes' : 'NO',
  }));
  console.log(`\nissue 17: every figure beside its peer, same run; ratio = median of ${REPEAT} trials (spread min-max)`);
  table(shown);
  for (const n of notes) console.log(`note: ${n}`);
  const cols = Object.keys(shown[0]);
  const md = [
    `# kafka-ts speed (issue 17)`,
    '',
    `${new Date().toISOString()}; ${REPEAT} trials per figure, each beside its peer in the same run; BENCH_SCALE=${SCALE}.`,
    '',
    `| ${cols.join(' | ')} |`,
    `| ${cols.map(() => '---').join(' | ')} |`,
    ...shown.map((r) => `| ${cols.map((c) => String(r[c]).replace(/\|/g, '\\|')).join(' | ')} |`),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
  writeFileSync(join(here, 'results', 'speed.md'), md);
  return { repeat: REPEAT, rows, notes, suites };
}
