/**
 * Replication with real clients against a daemon running three logical brokers: kcat producing
 * with acks=all while a broker stops and restarts, NOT_ENOUGH_REPLICAS with two brokers down, and
 * librdkafka (confluent-kafka) and kafkajs producing and consuming across a leader change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { kcat, PYTHON, requireKcat, requirePython } from '../helpers/real-clients.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';

const FAILOVER_PY = fileURLToPath(new URL('./clients/failover.py', import.meta.url));
const FAILOVER_JS = fileURLToPath(new URL('./clients/failover-kafkajs.cjs', import.meta.url));

let home: string;
let cleanup: () => void;
let bootstrap: string;
let client: KafkaClient;
const kt = (...args: string[]) => kafkaTs(args, { home });

beforeAll(async () => {
  requireKcat();
  await requirePython('confluent_kafka');
  ({ dir: home, cleanup } = tempDir('kafka-ts-replication-'));
  const { status } = await startDaemon(home, ['--brokers', '3', '--override', 'auto.leader.rebalance.enable=false']);
  // Every broker as bootstrap, as with a real cluster: any of them may be the one stopped.
  bootstrap = (status.listeners as string[]).filter((l) => l.startsWith('PLAINTEXT://')).map((l) => l.slice('PLAINTEXT://'.length)).join(',');
  client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'replication-interop' });
});

afterAll(async () => {
  await client?.close();
  await stopDaemon(home);
  cleanup();
});

async function partitionState(topic: string, partition = 0) {
  const md = await client.refreshMetadata([topic]);
  return md.topics.get(topic)!.partitions.find((p) => p.partition === partition)!;
}

async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stopBroker = async (id: number) => expect((await kt('server', 'stop-broker', String(id))).exitCode).toBe(0);
const startBroker = async (id: number) => expect((await kt('server', 'start-broker', String(id))).exitCode).toBe(0);

/** Reads a topic to its end with kcat: partition, offset and value of every record. */
async function readAll(topic: string): Promise<{ p: number; o: number; v: string }[]> {
  const r = await kcat(['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %o %s\n', '-X', 'fetch.wait.max.ms=10']);
  expect(r.exitCode).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [p, o, v] = l.split(' ');
      return { p: Number(p), o: Number(o), v: v! };
    });
}

const firstOffsets = (records: { p: number; o: number }[]) => {
  const first: Record<number, number> = {};
  for (const r of records) first[r.p] = Math.min(first[r.p] ?? Infinity, r.o);
  return first;
};

/** Every offset of every partition read exactly once, with no gaps. */
function expectContiguous(records: { p: number; o: number }[]) {
  const byPartition = new Map<number, number[]>();
  for (const r of records) byPartition.set(r.p, [...(byPartition.get(r.p) ?? []), r.o]);
  for (const offsets of byPartition.values()) expect(offsets).toEqual(offsets.map((_, i) => offsets[0]! + i));
}

describe('kcat with acks=all', () => {
  for (const idempotent of [false, true]) {
  const topic = idempotent ? 'safe-once' : 'safe';
  const what = idempotent ? 'with enable.idempotence writes every record exactly once' : 'loses no acknowledged record';
  it(`${what} while the leader stops and comes back`, async () => {
    expect((await kt('topics', 'create', topic, '-p', '3', '-r', '3', '-c', 'min.insync.replicas=2')).exitCode).toBe(0);
    const leader = (await partitionState(topic)).leader;
    const extra = idempotent ? ['-X', 'enable.idempotence=true'] : [];
    const producer = execa('/usr/bin/kcat', ['-b', bootstrap, '-P', '-t', topic, '-X', 'acks=all', '-X', 'message.timeout.ms=60000', '-X', 'linger.ms=5', ...extra], { reject: false, stdin: 'pipe' });
    const write = (from: number, to: number) =>
      new Promise<void>((resolve) => producer.stdin!.write(Array.from({ length: to - from }, (_, i) => `${from + i}\n`).join(''), () => resolve()));
    await write(0, 3000);
    await stopBroker(leader);
    await waitUntil('a new leader', async () => (await partitionState(topic)).leader !== leader);
    await write(3000, 6000);
    await startBroker(leader);
    await write(6000, 9000);
    producer.stdin!.end();
    const done = await producer;
    // Connection errors to the stopped broker are logged; a failed delivery would be reported as such.
    expect(done.stderr).not.toMatch(/Delivery failed/);
    expect(done.exitCode).toBe(0);

    await waitUntil('all replicas back in sync', async () => {
      const md = await client.refreshMetadata([topic]);
      return md.topics.get(topic)!.partitions.every((p) => p.isr.length === 3);
    });
    // A new leader's high watermark catches up only when its followers fetch from it (as in
    // Kafka), so for a moment after the failover a reader can stop short of acknowledged records.
    // Read until every record is visible; a record that never shows up fails below.
    let records = await readAll(topic);
    for (const deadline = Date.now() + 30_000; new Set(records.map((r) => r.v)).size < 9000 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 200));
      records = await readAll(topic);
    }
    const values = new Set(records.map((r) => Number(r.v)));
    const missing = Array.from({ length: 9000 }, (_, i) => i).filter((i) => !values.has(i));
    if (missing.length > 0 || (idempotent && records.length !== 9000)) {
      // Everything needed to tell a lost write from a log that starts late or a duplicate.
      const described = await kt('topics', 'describe', topic);
      const offsets = await kcat(['-b', bootstrap, '-Q', ...[0, 1, 2].flatMap((p) => ['-t', `${topic}:${p}:-2`])]);
      const log = readFileSync(join(home, 'server.log'), 'utf8').split('\n').slice(-60).join('\n');
      throw new Error(
        `${missing.length} records missing (first: ${missing.slice(0, 10).join(', ')}), ${records.length} read; first offsets by partition: ${JSON.stringify(firstOffsets(records))}\n` +
          `leader stopped: ${leader}\n${described.stdout}\nlog start offsets:\n${offsets.stdout}${offsets.stderr}\nkcat stderr:\n${done.stderr.slice(-3000)}\nserver.log tail:\n${log}`,
      );
    }
    expectContiguous(records);
    // Retries after the leader change are answered as duplicates, never written twice.
    if (idempotent) expect(records).toHaveLength(9000);
  });
  }

  it('gets NOT_ENOUGH_REPLICAS with two of three brokers down, and keeps everything acknowledged before', async () => {
    expect((await kt('topics', 'create', 'strict', '-p', '1', '-r', '3', '-c', 'min.insync.replicas=2')).exitCode).toBe(0);
    const ok = await kcat(['-b', bootstrap, '-P', '-t', 'strict', '-X', 'acks=all'], { input: Array.from({ length: 1000 }, (_, i) => `${i}\n`).join('') });
    expect(ok.exitCode).toBe(0);
    const s = await partitionState('strict');
    const followers = s.replicas.filter((r) => r !== s.leader);
    for (const f of followers) await stopBroker(f);
    try {
      // Without retries the broker's answer reaches kcat as is (with retries it would time out).
      const refused = await kcat(['-b', bootstrap, '-P', '-t', 'strict', '-X', 'acks=all', '-X', 'message.send.max.retries=0'], { input: 'refused-1\nrefused-2\n' });
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toMatch(/Delivery failed for message: Broker: Not enough in-sync replicas/);
    } finally {
      for (const f of followers) await startBroker(f);
    }
    await waitUntil('the ISR to recover', async () => (await partitionState('strict')).isr.length === 3);
    const records = await readAll('strict');
    expectContiguous(records);
    expect(records.map((r) => r.v)).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
  });
});

/** Runs a failover client; resolves its progress events and final report. */
function failoverClient(cmd: string, args: string[]) {
  const proc: ResultPromise = execa(cmd, args, { reject: false, stdin: 'pipe' });
  let progress = { acked: 0, consumed: 0, errors: 0 };
  let final: { acked: number[]; consumed: number[]; errors: string[] } | null = null;
  let buffered = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    let i: number;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line);
      if (msg.done) final = msg;
      else progress = msg;
    }
  });
  return {
    progress: () => progress,
    async until(what: string, cond: (p: typeof progress) => boolean, timeoutMs = 90_000) {
      await waitUntil(what, async () => {
        if (proc.exitCode !== null && proc.exitCode !== undefined) throw new Error(`client exited early: ${String((await proc).stderr)}`);
        return cond(progress);
      }, timeoutMs);
    },
    async finish() {
      proc.stdin!.end('stop\n');
      const r = await proc;
      if (!final) throw new Error(`client failed: ${String(r.stderr)}`);
      return final as { acked: number[]; consumed: number[]; errors: string[] };
    },
  };
}

describe('clients across a leader change', () => {
  for (const [name, cmd, script, mode] of [
    ['confluent-kafka (librdkafka)', PYTHON, FAILOVER_PY, 'plain'],
    ['kafkajs', process.execPath, FAILOVER_JS, 'plain'],
    ['confluent-kafka (librdkafka), idempotent,', PYTHON, FAILOVER_PY, 'idempotent'],
    ['kafkajs, idempotent,', process.execPath, FAILOVER_JS, 'idempotent'],
  ] as const) {
    it(`${name} keeps producing and consuming while the leader stops and returns`, { timeout: 240_000 }, async () => {
      const topic = `failover-${name.split(/[ ,]/)[0]}-${mode}`;
      expect((await kt('topics', 'create', topic, '-p', '1', '-r', '3', '-c', 'min.insync.replicas=2')).exitCode).toBe(0);
      const c = failoverClient(cmd, [script, bootstrap, topic, mode]);
      await c.until('records flowing', (p) => p.acked >= 300 && p.consumed >= 300);
      const leader = (await partitionState(topic)).leader;
      await stopBroker(leader);
      const before = c.progress();
      await c.until('records flowing through the new leader', (p) => p.acked >= before.acked + 300 && p.consumed >= before.consumed + 300);
      expect((await partitionState(topic)).leader).not.toBe(leader);
      await startBroker(leader);
      const back = c.progress();
      await c.until('records flowing after the return', (p) => p.acked >= back.acked + 300);
      const report = await c.finish();
      const consumed = new Set(report.consumed);
      const lost = report.acked.filter((v) => !consumed.has(v));
      expect(lost).toEqual([]);
      expect(report.acked.length).toBeGreaterThan(900);
      if (mode === 'idempotent') {
        // Every value the topic holds, once: retries across the leader change were not rewritten.
        const stored = (await readAll(topic)).map((r) => r.v);
        expect(stored.length - new Set(stored).size).toBe(0);
      }
    });
  }
});
