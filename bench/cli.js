// The CLI side by side with kcat on the same daemon in the same run: console-producer reading
// 1,000,000 lines of 100 bytes vs kcat -P; console-consumer to /dev/null vs kcat -C -e; and the
// wall time of `topics --list` against a running daemon vs `node -e 0`.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BIN, SCALE, fmt, kafkaTs, lineFile, requireKcat, startDaemon, table, timed, wall } from './lib.js';



export async function run() {
  requireKcat();
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-cli-'));
  const daemon = startDaemon();
  const env = { KAFKA_TS_HOME: daemon.home };
  const count = Math.round(1_000_000 * SCALE);
  const results = {};
  try {
    const file = lineFile(work, count, 100);
    for (const t of ['cli-ours', 'cli-kcat']) kafkaTs(['topics', '--create', '--topic', t, '--partitions', '1'], daemon.home);

    const ours = await timed(process.execPath, [BIN, 'console-producer', '--topic', 'cli-ours'], { inputFile: file, env });
    const kcatP = await timed('kcat', ['-b', daemon.bootstrap, '-P', '-t', 'cli-kcat', '-l', file]);
    // Both read the same topic; kcat's end-of-partition poll is shortened (see broker.js).
    const oursC = await timed(process.execPath, [BIN, 'console-consumer', '--topic', 'cli-ours', '--from-beginning', '-e'], { env });
    const kcatC = await timed('kcat', ['-b', daemon.bootstrap, '-C', '-t', 'cli-ours', '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=10']);
    const list = wall(process.execPath, [BIN, 'topics', '--list'], env, 25);
    const node = wall(process.execPath, ['-e', '0'], env, 25);

    results.produce = { records: count, kafkaTsSeconds: ours.seconds, kcatSeconds: kcatP.seconds, ratio: kcatP.seconds / ours.seconds };
    results.consume = { records: count, kafkaTsSeconds: oursC.seconds, kcatSeconds: kcatC.seconds, ratio: kcatC.seconds / oursC.seconds };
    results.startup = { topicsListMs: list, nodeMs: node, ratio: list / node };
    table([
      { benchmark: `produce ${fmt(count)} x 100 B from stdin`, 'kafka-ts': `${fmt(count / ours.seconds)} rec/s`, peer: `kcat -P ${fmt(count / kcatP.seconds)} rec/s`, ratio: `${(kcatP.seconds / ours.seconds).toFixed(2)}x`, target: '>= 0.5x' },
      { benchmark: `consume ${fmt(count)} to /dev/null`, 'kafka-ts': `${fmt(count / oursC.seconds)} rec/s`, peer: `kcat -C -e ${fmt(count / kcatC.seconds)} rec/s`, ratio: `${(kcatC.seconds / oursC.seconds).toFixed(2)}x`, target: '>= 0.5x' },
      { benchmark: 'topics --list (median wall time)', 'kafka-ts': `${list.toFixed(1)} ms`, peer: `node -e 0 ${node.toFixed(1)} ms`, ratio: `${(list / node).toFixed(2)}x node`, target: '<= 1.5x' },
    ]);
  } finally {
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
