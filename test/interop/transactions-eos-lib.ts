/**
 * Shared by the exactly-once interop tests: a daemon for the file, instances of the confluent-kafka
 * consume-transform-produce loop (clients/py_txn.py eos), and the exactly-once check of its output.
 */
import { expect } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { PYTHON, parseJsonLines, requirePython } from '../helpers/real-clients.js';

// Unkeyed records stick to one partition per batch (KIP-794), as in Kafka: a small input would
// land in one partition. These tests need every partition used, so records are dealt out in turn.
const SPREAD = ['--producer-property', 'partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner'];

const PY_TXN = fileURLToPath(new URL('./clients/py_txn.py', import.meta.url));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoopNames {
  input: string;
  output: string;
  group: string;
  txn: string;
}

export class EosEnv {
  home = '';
  bootstrap = '';
  daemonPid = 0;
  private cleanup: () => void = () => undefined;
  private readonly running = new Set<ResultPromise>();

  async start(): Promise<void> {
    ({ dir: this.home, cleanup: this.cleanup } = tempDir('kafka-ts-txn-eos-'));
    const { bootstrap, status } = await startDaemon(this.home);
    this.bootstrap = bootstrap;
    this.daemonPid = status.pid as number;
    await requirePython('confluent_kafka');
  }

  async stop(): Promise<void> {
    for (const p of this.running) p.kill('SIGKILL');
    await stopDaemon(this.home);
    this.cleanup();
  }

  /** Creates the input and output topics (3 partitions) and writes values i0..i{total-1} to the input. */
  async topics(names: LoopNames, total: number): Promise<void> {
    expect((await kafkaTs(['topics', 'create', names.input, '-p', '3'], { home: this.home })).exitCode).toBe(0);
    expect((await kafkaTs(['topics', 'create', names.output, '-p', '3'], { home: this.home })).exitCode).toBe(0);
    const input = Array.from({ length: total }, (_, i) => `i${i}`).join('\n');
    const produced = await kafkaTs(['console-producer', '--topic', names.input, ...SPREAD], { home: this.home, input });
    expect(produced.exitCode, produced.stderr).toBe(0);
  }

  /** Starts an instance; resolves `firstCommit` when it has committed its first transaction. */
  instance(names: LoopNames, total: number) {
    const proc = execa(PYTHON, [PY_TXN, 'eos', this.bootstrap, names.input, names.output, names.group, names.txn, String(total), '20', '30'], { reject: false, env: { PYTHONUNBUFFERED: '1' } });
    this.running.add(proc);
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
      this.running.delete(proc);
      return r;
    });
    return { proc, firstCommit, ended, output: () => ({ out, err, committed }) };
  }

  /** The output read in read_committed holds each input value once; the group's offsets are the input's ends. */
  async checkExactlyOnce(input: string, output: string, group: string, total: number, log: string[]) {
    const lines = parseJsonLines<{ p?: number; v?: string; end?: Record<string, number> }>(
      String((await execa(PYTHON, [PY_TXN, 'read', this.bootstrap, output, 'read_committed', '300'], { timeout: 60_000 })).stdout),
    );
    const seen = new Map<string, number>();
    for (const l of lines) if (l.v !== undefined) seen.set(l.v.split('|')[0]!, (seen.get(l.v.split('|')[0]!) ?? 0) + 1);
    const missing = Array.from({ length: total }, (_, i) => `i${i}`).filter((v) => !seen.has(v));
    const twice = [...seen].filter(([, n]) => n > 1);
    expect({ missing: missing.slice(0, 10), missingCount: missing.length, twice: twice.slice(0, 10) }, log.join('\n')).toEqual({ missing: [], missingCount: 0, twice: [] });
    expect(seen.size).toBe(total);
    const ends = await kafkaTs(['get-offsets', '--topic', input, '--output', 'json'], { home: this.home });
    const endOffsets = Object.fromEntries((JSON.parse(ends.stdout) as { offsets: { partition: number; offset: number }[] }).offsets.map((e) => [String(e.partition), e.offset]));
    const committed = JSON.parse(String((await execa(PYTHON, [PY_TXN, 'committed', this.bootstrap, group, input])).stdout)) as Record<string, number>;
    expect(committed).toEqual(endOffsets);
  }
}
