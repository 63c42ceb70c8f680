/**
 * Transactions with unmodified real clients and kafka-ts's own producer against the daemon:
 * kafkajs commits one transaction (3 partitions plus consumed offsets) and aborts another;
 * confluent-kafka readers in read_committed see exactly the committed records and the group's
 * committed offsets, in read_uncommitted both; a second producer with the same transactional id
 * fences the first (as each client reports it); kafka-ts console-producer --transactional-id and
 * producer-perf-test --transactional-id write records read_committed readers see only once
 * committed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, spawnKafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { PYTHON, kcat, parseJsonLines, requirePython } from '../helpers/real-clients.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';

const PY_TXN = fileURLToPath(new URL('./clients/py_txn.py', import.meta.url));
const KJS_TXN = fileURLToPath(new URL('./clients/kafkajs-txn.cjs', import.meta.url));

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (...args: string[]) => kafkaTs(args, { home });

async function run(cmd: string, args: string[], timeout = 60_000) {
  const r = await execa(cmd, args, { reject: false, timeout });
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.exitCode}:\n${String(r.stderr)}\n${String(r.stdout)}`);
  return String(r.stdout);
}

interface Read {
  p: number;
  o: number;
  v: string;
}

/** Every record of `topic` as a confluent-kafka consumer in `isolation` sees it (to the end of each partition). */
async function pyRead(topic: string, isolation: 'read_committed' | 'read_uncommitted', idleMs = 300): Promise<{ records: Read[]; end: Record<string, number> }> {
  const lines = parseJsonLines<Read & { end?: Record<string, number> }>(await run(PYTHON, [PY_TXN, 'read', bootstrap, topic, isolation, String(idleMs)]));
  return { records: lines.filter((l) => !l.end), end: lines.find((l) => l.end)!.end! };
}

const committedOffsets = async (group: string, topic: string) => JSON.parse(await run(PYTHON, [PY_TXN, 'committed', bootstrap, group, topic])) as Record<string, number>;

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await probe();
  }
  return last;
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-txn-interop-'));
  ({ bootstrap } = await startDaemon(home));
  await requirePython('confluent_kafka');
}, 60_000);

afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

describe('kafkajs 2.2.4 transactions, read by confluent-kafka', () => {
  it('a committed transaction (3 partitions + sendOffsets) is seen in read_committed, the aborted one only in read_uncommitted', { timeout: 60_000 }, async () => {
    expect((await kt('topics', 'create', 'kjs-txn', '-p', '3')).exitCode).toBe(0);
    expect((await kt('topics', 'create', 'kjs-src', '-p', '1')).exitCode).toBe(0);
    const sent = JSON.parse(await run(process.execPath, [KJS_TXN, 'commit-abort', bootstrap, 'kjs-txn', 'kjs-group', 'kjs-src', 'kjs-txn-id'])) as { committed: string[]; aborted: string[] };
    expect(sent.committed).toHaveLength(9);

    const committed = await pyRead('kjs-txn', 'read_committed');
    expect(committed.records.map((r) => r.v).sort()).toEqual([...sent.committed].sort());
    // Per partition in the order sent.
    for (let p = 0; p < 3; p++) expect(committed.records.filter((r) => r.p === p).map((r) => r.v)).toEqual([0, 1, 2].map((i) => `c-${p}-${i}`));

    const all = await pyRead('kjs-txn', 'read_uncommitted');
    expect(all.records.map((r) => r.v).sort()).toEqual([...sent.committed, ...sent.aborted].sort());
    // Both readers end at the same place: past the abort markers.
    expect(committed.end).toEqual(all.end);

    // The committed transaction's offsets count; the aborted one's (9) never do.
    expect(await committedOffsets('kjs-group', 'kjs-src')).toEqual({ '0': 5 });
  });
});

describe('fencing', () => {
  it('confluent-kafka: a second producer with the same transactional id fences the first (fatal _FENCED)', { timeout: 60_000 }, async () => {
    expect((await kt('topics', 'create', 'fence-py', '-p', '1')).exitCode).toBe(0);
    const r = JSON.parse(await run(PYTHON, [PY_TXN, 'fence', bootstrap, 'fence-py', 'py-fence-id'])) as { a_error: string | null; fatal: boolean; code: string; b_committed: boolean };
    expect(r.b_committed).toBe(true);
    expect(r.a_error, JSON.stringify(r)).not.toBeNull();
    expect(r.fatal).toBe(true);
    expect(r.code).toMatch(/FENCED/);
    const seen = await pyRead('fence-py', 'read_committed');
    expect(seen.records.map((x) => x.v)).toEqual(['from-b']);
  });

  it('kafkajs: the fenced producer gets PRODUCER_FENCED or INVALID_PRODUCER_EPOCH', { timeout: 60_000 }, async () => {
    expect((await kt('topics', 'create', 'fence-kjs', '-p', '1')).exitCode).toBe(0);
    const err = JSON.parse(await run(process.execPath, [KJS_TXN, 'fence', bootstrap, 'fence-kjs', 'kjs-fence-id'])) as { type: string; message: string } | null;
    expect(err, 'commit of the fenced producer succeeded').not.toBeNull();
    expect(err!.type).toMatch(/PRODUCER_FENCED|INVALID_PRODUCER_EPOCH/);
    const seen = await pyRead('fence-kjs', 'read_committed');
    expect(seen.records.map((x) => x.v)).toEqual(['from-b']);
  });
});

describe('kafka-ts transactional producers', () => {
  it('the library producer: sendOffsetsToTransaction commits with the transaction, an abort hides records and offsets, a second instance fences the first', { timeout: 60_000 }, async () => {
    expect((await kt('topics', 'create', 'lib-txn', '-p', '3')).exitCode).toBe(0);
    expect((await kt('topics', 'create', 'lib-src', '-p', '1')).exitCode).toBe(0);
    const clients = [0, 1].map(() => new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'lib-txn' }));
    try {
      const a = new Producer(clients[0]!, { transactionalId: 'lib-txn-id', lingerMs: 2 });
      await a.initTransactions();
      a.beginTransaction();
      for (let i = 0; i < 30; i++) a.append({ topic: 'lib-txn', partition: i % 3, value: Buffer.from(`c${i}`) });
      await a.sendOffsetsToTransaction([{ topic: 'lib-src', partition: 0, offset: 7 }], 'lib-group');
      await a.commitTransaction();
      a.beginTransaction();
      for (let i = 0; i < 30; i++) a.append({ topic: 'lib-txn', partition: i % 3, value: Buffer.from(`a${i}`) });
      await a.sendOffsetsToTransaction([{ topic: 'lib-src', partition: 0, offset: 11 }], 'lib-group');
      await a.flush();
      await a.abortTransaction();
      const seen = await pyRead('lib-txn', 'read_committed');
      expect(seen.records.map((r) => r.v).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `c${i}`).sort());
      expect((await pyRead('lib-txn', 'read_uncommitted')).records).toHaveLength(60);
      expect(await committedOffsets('lib-group', 'lib-src')).toEqual({ '0': 7 });

      // A second instance fences the first: its next send and its commit fail with PRODUCER_FENCED.
      a.beginTransaction();
      await a.send({ topic: 'lib-txn', partition: 0, value: Buffer.from('fenced') });
      const b = new Producer(clients[1]!, { transactionalId: 'lib-txn-id', lingerMs: 2 });
      await b.initTransactions();
      const sendErr = await a.send({ topic: 'lib-txn', partition: 1, value: Buffer.from('late') }).then(() => null, (e: Error) => e);
      const commitErr = await a.commitTransaction().then(() => null, (e: Error) => e);
      expect(sendErr ?? commitErr, 'the fenced producer went on').not.toBeNull();
      expect((commitErr as { errorName?: string }).errorName).toBe('PRODUCER_FENCED');
      expect(commitErr!.message).toBe('There is a newer producer with the same transactionalId which fences the current one.');
      b.beginTransaction();
      await b.send({ topic: 'lib-txn', partition: 2, value: Buffer.from('from-b') });
      await b.commitTransaction();
      const after = (await pyRead('lib-txn', 'read_committed')).records.map((r) => r.v);
      expect(after).toContain('from-b');
      expect(after).not.toContain('fenced');
      expect(after).not.toContain('late');
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('console-producer --transactional-id: read_committed sees the records only after the commit at end of input', { timeout: 60_000 }, async () => {
    expect((await kt('topics', 'create', 'cp-txn', '-p', '2')).exitCode).toBe(0);
    const proc = spawnKafkaTs(['console-producer', '--topic', 'cp-txn', '--transactional-id', 'cp-txn-id', '--timeout', '10'], home);
    const lines = Array.from({ length: 50 }, (_, i) => `r${i}`);
    proc.stdin!.write(lines.join('\n') + '\n');
    // Written (read_uncommitted sees them) but not committed (read_committed sees none).
    await until('the 50 records in read_uncommitted', () => pyRead('cp-txn', 'read_uncommitted', 100), (r) => r.records.length === 50);
    expect((await pyRead('cp-txn', 'read_committed', 100)).records).toEqual([]);
    // kafka-ts's own reader agrees.
    const own = await kafkaTs(['console-consumer', '--topic', 'cp-txn', '--from-beginning', '--isolation-level', 'read_committed', '-e'], { home });
    expect(own.exitCode, own.stderr).toBe(0);
    expect(own.stdout).toBe('');
    proc.stdin!.end();
    const r = await proc;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toContain('1 transaction committed (50 records), 0 aborted');
    const after = await pyRead('cp-txn', 'read_committed');
    expect(after.records.map((x) => x.v).sort()).toEqual([...lines].sort());
    const mine = await kafkaTs(['console-consumer', '--topic', 'cp-txn', '--from-beginning', '--consumer-property', 'isolation.level=read_committed', '-e'], { home });
    expect(mine.stdout.trim().split('\n').sort()).toEqual([...lines].sort());
  });

  it('kcat -X isolation.level=read_committed stops at the LSO while a transaction is open and continues after the commit', { timeout: 60_000 }, async () => {
    expect((await kt('topics', 'create', 'kcat-lso', '-p', '1')).exitCode).toBe(0);
    const client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'kcat-lso' });
    try {
      const plain = new Producer(client, { lingerMs: 1 });
      await plain.send({ topic: 'kcat-lso', value: Buffer.from('before') });
      const p = new Producer(client, { transactionalId: 'kcat-lso-id', lingerMs: 1 });
      await p.initTransactions();
      p.beginTransaction();
      await p.send({ topic: 'kcat-lso', value: Buffer.from('in-txn') });
      await plain.send({ topic: 'kcat-lso', value: Buffer.from('after-open') });
      const read = (isolation: string, extra: string[] = []) => kcat(['-C', '-b', bootstrap, '-t', 'kcat-lso', '-o', 'beginning', '-q', '-f', '%s\n', '-X', `isolation.level=${isolation}`, ...extra], { timeout: 30_000 });
      // -e ends at the LSO: the record before the transaction only.
      expect((await read('read_committed', ['-e'])).stdout).toBe('before\n');
      expect((await read('read_uncommitted', ['-e'])).stdout).toBe('before\nin-txn\nafter-open\n');
      // A kcat waiting in read_committed gets the rest once the transaction commits.
      const waiting = read('read_committed', ['-c', '3']);
      await new Promise((r) => setTimeout(r, 500));
      await p.commitTransaction();
      expect((await waiting).stdout).toBe('before\nin-txn\nafter-open\n');
    } finally {
      await client.close();
    }
  });

  it('refuses bad transaction options with one line and exit 2, sending nothing', async () => {
    for (const [args, message] of [
      [['--transaction-size', '5'], '--transaction-size needs --transactional-id'],
      [['--transactional-id', 'x', '--transaction-size', 'many'], 'Invalid value many for --transaction-size'],
      [['--transactional-id', 'x', '--request-required-acks', '1'], 'Must set acks to all in order to use the transactional producer.'],
    ] as const) {
      const r = await kafkaTs(['console-producer', '--topic', 'never-created', ...args], { home, input: 'a\n' });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await kt('topics', 'describe', 'never-created')).exitCode).not.toBe(0);
  });

  it('console-producer --producer-property transactional.id with --transaction-size commits every N records; a bad line aborts the open transaction', { timeout: 60_000 }, async () => {
    expect((await kt('topics', 'create', 'cp-size', '-p', '1')).exitCode).toBe(0);
    const input = ['k1:a', 'k2:b', 'k3:c', 'k4:d', 'k5:e', 'no-separator', 'k7:g'].join('\n') + '\n';
    const r = await kafkaTs(['console-producer', '--topic', 'cp-size', '--producer-property', 'transactional.id=cp-size-id', '--transaction-size', '2', '--property', 'parse.key=true', '--property', 'key.separator=:', '--output', 'json'], { home, input });
    expect(r.exitCode, r.stderr).toBe(1);
    const summary = JSON.parse(r.stdout) as { transactions: { committed: number; aborted: number; committedRecords: number } };
    expect(summary.transactions).toEqual({ committed: 2, aborted: 1, committedRecords: 4 });
    const seen = await pyRead('cp-size', 'read_committed');
    expect(seen.records.map((x) => x.v)).toEqual(['a', 'b', 'c', 'd']);
    // 'e' was in the aborted transaction: dropped before it was sent, or written and aborted.
    const all = (await pyRead('cp-size', 'read_uncommitted')).records.map((x) => x.v);
    expect(all.slice(0, 4)).toEqual(['a', 'b', 'c', 'd']);
    expect(all.slice(4)).toEqual(all.length > 4 ? ['e'] : []);
  });

  it('producer-perf-test --transactional-id commits every --transaction-duration-ms; every record is committed', { timeout: 60_000 }, async () => {
    expect((await kt('topics', 'create', 'perf-txn', '-p', '3')).exitCode).toBe(0);
    const r = await kafkaTs(
      ['producer-perf-test', '--topic', 'perf-txn', '--num-records', '3000', '--record-size', '50', '--throughput', '-1', '--producer-props', 'linger.ms=5', '--transactional-id', 'perf-txn-id', '--transaction-duration-ms', '100', '--output', 'json'],
      { home },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { records: number }).records).toBe(3000);
    expect((await pyRead('perf-txn', 'read_committed')).records).toHaveLength(3000);
  });
});
