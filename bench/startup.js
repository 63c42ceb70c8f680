// Start-up of the short commands (issue 17): the wall time of each against a running daemon,
// beside `node -e 0` and beside a bare Node script doing one ApiVersions round trip on the
// daemon's Unix socket (bench/bare-api-versions.cjs), measured interleaved in the same run:
// ROUNDS rounds of RUNS runs each (after warm-up), the median per round; the table shows the
// median of the rounds and their spread.
//   npm run bench -- startup        (STARTUP_RUNS, STARTUP_ROUNDS to change the counts)
// STARTUP_COMPARE_BIN=/path/to/other/bin/kafka-ts.cjs adds each command run by that build (an
// older checkout, say), interleaved with the rest, for a before/after in the same run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, ROOT, kafkaTs, median, startDaemon, table } from './lib.js';

const RUNS = Number(process.env.STARTUP_RUNS ?? 15);
const ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 3);

/** The short commands; each must exit 0. */
const COMMANDS = [
  ['topics', '--list'],
  ['topics', '--describe', '--topic', 'startup'],
  ['consumer-groups', '--list'],
  ['consumer-groups', '--describe', '--group', 'startup-group'],
  ['get-offsets', '--topic', 'startup'],
  ['configs', '--describe', '--entity-type', 'topics', '--entity-name', 'startup'],
  ['cluster', 'cluster-id'],
];

function once(cmd, args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

export async function run() {
  const daemon = startDaemon();
  const env = { ...process.env, KAFKA_TS_HOME: daemon.home };
  try {
    kafkaTs(['topics', '--create', '--topic', 'startup', '--partitions', '3'], daemon.home);
    kafkaTs(['console-producer', '--topic', 'startup'], daemon.home, { input: 'a\nb\nc\n' });
    kafkaTs(['console-consumer', '--topic', 'startup', '--group', 'startup-group', '--from-beginning', '--max-messages', '3'], daemon.home);
    const peers = [
      { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
      { name: 'bare ApiVersions', cmd: process.execPath, args: [join(ROOT, 'bench', 'bare-api-versions.cjs'), join(daemon.home, 'kafka.sock')] },
    ];
    const all = [...peers, ...COMMANDS.map((c) => ({ name: c.join(' '), cmd: process.execPath, args: [BIN, ...c] }))];
    const other = process.env.STARTUP_COMPARE_BIN;
    if (other) all.push(...COMMANDS.map((c) => ({ name: `${c.join(' ')} [compare]`, cmd: process.execPath, args: [other, ...c] })));
    // Warm-up: the page cache, and a code cache if the CLI keeps one.
    for (let i = 0; i < 3; i++) for (const x of all) once(x.cmd, x.args, env);
    const rounds = all.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      const times = all.map(() => []);
      // Interleaved, so that load from the other processes on the machine hits all alike.
      for (let i = 0; i < RUNS; i++) all.forEach((x, j) => times[j].push(once(x.cmd, x.args, env)));
      times.forEach((t, j) => rounds[j].push(median(t)));
    }
    const node = median(rounds[0]);
    const bare = median(rounds[1]);
    const results = { runs: RUNS, rounds: ROUNDS, nodeMs: node, bareMs: bare, commands: {} };
    const rows = all.map((x, j) => {
      const ms = median(rounds[j]);
      const spread = `${Math.min(...rounds[j]).toFixed(1)}-${Math.max(...rounds[j]).toFixed(1)}`;
      const vsNode = rounds[j].map((v, r) => v / rounds[0][r]);
      const vsBare = rounds[j].map((v, r) => v / rounds[1][r]);
      if (j >= 2) results.commands[x.name] = { ms, roundsMs: rounds[j], vsNode: median(vsNode), vsBare: median(vsBare) };
      return {
        command: x.name,
        'median ms': ms.toFixed(1),
        'rounds ms': spread,
        'vs node -e 0': `${median(vsNode).toFixed(2)}x (${Math.min(...vsNode).toFixed(2)}-${Math.max(...vsNode).toFixed(2)})`,
        'vs bare': `${median(vsBare).toFixed(2)}x (${Math.min(...vsBare).toFixed(2)}-${Math.max(...vsBare).toFixed(2)})`,
        target: j >= 2 ? '<= 1.25x / <= 1.1x' : '',
      };
    });
    table(rows);
    // For the one table of `npm run bench -- speed` (topics --list is measured there already).
    results.rows = Object.entries(results.commands)
      .filter(([name]) => name !== 'topics --list' && !name.endsWith('[compare]'))
      .map(([name, c]) => {
        const vsBare = c.roundsMs.map((v, r) => v / rounds[1][r]);
        return {
          what: `${name} vs bare Unix-socket ApiVersions script (vs node -e 0 ${c.vsNode.toFixed(2)}x)`,
          value: `${c.ms.toFixed(1)} ms`,
          peer: `bare script ${bare.toFixed(1)} ms`,
          ratio: c.vsBare,
          spread: [Math.min(...vsBare), Math.max(...vsBare)],
          target: '<= 1.1x (<= 1.25x)',
          met: c.vsBare <= 1.1 && c.vsNode <= 1.25,
        };
      });
    return results;
  } finally {
    daemon.stop();
  }
}
