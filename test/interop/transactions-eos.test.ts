/**
 * Exactly once with librdkafka: a confluent-kafka consume-transform-produce loop
 * (send_offsets_to_transaction, read_committed input, static group member) is SIGKILLed at random
 * points and restarted; each new instance fences the one before it and the coordinator aborts the
 * killed instance's open transaction. At the end the output topic read in read_committed holds
 * each input record exactly once, and the group's committed offsets are the input's end offsets.
 *
 * TXN_EOS_CYCLES sets the number of kills (default 20; more by hand:
 * TXN_EOS_CYCLES=50 npx vitest run test/interop/transactions-eos.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { PYTHON, parseJsonLines, requirePython } from '../helpers/real-clients.js';

const PY_TXN = fileURLToPath(new URL('./clients/py_txn.py', import.meta.url));
const CYCLES = Number(process.env.TXN_EOS_CYCLES ?? 20);
const TOTAL = 1000 + CYCLES * 150;

let home: string;
let cleanup: () => void;
let bootstrap: string;
const running = new Set<ResultPromise>();

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-txn-eos-'));
  ({ bootstrap } = await startDaemon(home));
  await requirePython('confluent_kafka');
}, 60_000);

afterAll(async () => {
  for (const p of running) p.kill('SIGKILL');
  await stopDaemon(home);
  cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts an instance; resolves `firstCommit` when it has committed its first transaction. */
function instance() {
  const proc = execa(PYTHON, [PY_TXN, 'eos', bootstrap, 'eos-in', 'eos-out', 'eos-group', 'eos-txn-id', String(TOTAL), '20', '30'], { reject: false, env: { PYTHONUNBUFFERED: '1' } });
  running.add(proc);
  let out = '';
  let err = '';
  let committed = 0;
  const firstCommit = new Promise<void>((resolve) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /committed (\d+)\n(?![\s\S]*committed)/.exec(out);
      if (m) committed = Number(m[1]);
      if (committed > 0) resolve();
    });
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    void proc.then(() => resolve());
  });
  const ended = proc.then((r) => {
    running.delete(proc);
    return r;
  });
  return { proc, firstCommit, ended, output: () => ({ out, err, committed }) };
}

describe('confluent-kafka consume-transform-produce, SIGKILLed and restarted', () => {
  it(`${CYCLES} kills: each input record is in the read_committed output exactly once; group offsets match`, { timeout: 55_000 + CYCLES * 2500 }, async () => {
    expect((await kafkaTs(['topics', 'create', 'eos-in', '-p', '3'], { home })).exitCode).toBe(0);
    expect((await kafkaTs(['topics', 'create', 'eos-out', '-p', '3'], { home })).exitCode).toBe(0);
    const input = Array.from({ length: TOTAL }, (_, i) => `i${i}`).join('\n');
    const produced = await kafkaTs(['console-producer', '--topic', 'eos-in'], { home, input });
    expect(produced.exitCode, produced.stderr).toBe(0);

    const log: string[] = [];
    let finished = false;
    for (let cycle = 0; cycle < CYCLES && !finished; cycle++) {
      const inst = instance();
      // A random point: before the first commit (as it starts), or some time into the loop.
      if (Math.random() < 0.25) await Promise.race([sleep(Math.random() * 1500), inst.ended]);
      else {
        await Promise.race([inst.firstCommit, sleep(20_000)]);
        await Promise.race([sleep(Math.random() * 400), inst.ended]);
      }
      inst.proc.kill('SIGKILL');
      const r = await inst.ended;
      const o = inst.output();
      log.push(`cycle ${cycle}: committed ${o.committed} before ${r.signal ?? `exit ${r.exitCode}`}`);
      if (r.exitCode === 0) finished = true;
      else if (r.signal !== 'SIGKILL') throw new Error(`instance ${cycle} failed (${r.exitCode}):\n${o.err}\n${log.join('\n')}`);
    }
    // The last instance runs to the end of the input.
    if (!finished) {
      const last = instance();
      const r = await Promise.race([last.ended, sleep(45_000).then(() => null)]);
      if (!r || r.exitCode !== 0) throw new Error(`the final instance did not finish: ${JSON.stringify(last.output()).slice(-2000)}\n${log.join('\n')}`);
    }

    const lines = parseJsonLines<{ p?: number; v?: string; end?: Record<string, number> }>(
      String((await execa(PYTHON, [PY_TXN, 'read', bootstrap, 'eos-out', 'read_committed', '300'], { timeout: 60_000 })).stdout),
    );
    const seen = new Map<string, number>();
    for (const l of lines) if (l.v !== undefined) seen.set(l.v.split('|')[0]!, (seen.get(l.v.split('|')[0]!) ?? 0) + 1);
    const missing = Array.from({ length: TOTAL }, (_, i) => `i${i}`).filter((v) => !seen.has(v));
    const twice = [...seen].filter(([, n]) => n > 1);
    expect({ missing: missing.slice(0, 10), missingCount: missing.length, twice: twice.slice(0, 10) }, log.join('\n')).toEqual({ missing: [], missingCount: 0, twice: [] });
    expect(seen.size).toBe(TOTAL);

    const ends = await kafkaTs(['get-offsets', '--topic', 'eos-in', '--output', 'json'], { home });
    const endOffsets = Object.fromEntries((JSON.parse(ends.stdout) as { offsets: { partition: number; offset: number }[] }).offsets.map((e) => [String(e.partition), e.offset]));
    const committed = JSON.parse(String((await execa(PYTHON, [PY_TXN, 'committed', bootstrap, 'eos-group', 'eos-in'])).stdout)) as Record<string, number>;
    expect(committed).toEqual(endOffsets);
    console.log(`transactions-eos: ${log.length} cycles\n${log.join('\n')}`);
  });
});
