/**
 * kafka-ts transactions through the built binary against a daemon with three logical brokers:
 * a kafkajs 2.2.4 transaction seen Ongoing and then CompleteCommit by list and describe, its
 * producer in describe-producers; a hanging transaction made by hand with raw requests
 * (InitProducerId, AddPartitionsToTxn for one partition, transactional Produce to that partition
 * and to one the coordinator was never told about, then the "process" stops) found by find-hanging
 * and ended by abort; Kafka's layouts, --output json, and bad input (one line, documented exit).
 * Hanging transactions can only be made with KIP-890's verification off (as on Kafka before 3.6),
 * so the daemon runs with transaction.partition.verification.enable=false.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';
import { RawConn } from '../helpers/raw-kafka.js';
import { AddPartitionsToTxn, FindCoordinator, InitProducerId, Metadata, Produce } from '../../src/protocol/apis/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs([...args, '--bootstrap-server', bootstrap], { home });
const json = async (...args: string[]): Promise<Record<string, unknown>> => {
  const r = await kt(...args, '--output', 'json');
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};
const rows = (stdout: string) => stdout.trimEnd().split('\n').map((l) => l.split('\t').map((c) => c.trimEnd()));

async function waitUntil<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; last saw ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-transactions-'));
  ({ bootstrap } = await startDaemon(home, ['--brokers', '3', '--override', 'transaction.state.log.num.partitions=6', '--override', 'transaction.partition.verification.enable=false']));
  for (const topic of ['orders', 'stuck']) {
    const r = await kt('topics', '--create', '--topic', topic, '--partitions', '3', '--replication-factor', '2');
    expect(r.exitCode, r.stderr).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

describe('a kafkajs transaction: Ongoing, then CompleteCommit', () => {
  it('list, describe and describe-producers follow it', async () => {
    const kafka = new Kafka({ clientId: 'txn-admin-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ transactionalId: 'pay-1', maxInFlightRequests: 1, idempotent: true, transactionTimeout: 60_000 });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic: 'orders', messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 2 }] });

      const list = await kt('transactions', 'list');
      expect(list.exitCode, list.stderr).toBe(0);
      const listed = rows(list.stdout);
      expect(listed[0]).toEqual(['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState', '']);
      const mine = listed.find((r) => r[0] === 'pay-1');
      expect(mine?.[3], list.stdout).toBe('Ongoing');

      const d = await kt('transactions', 'describe', '--transactional-id', 'pay-1');
      expect(d.exitCode, d.stderr).toBe(0);
      const [head, row] = rows(d.stdout);
      expect(head).toEqual(['CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs', 'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions', '']);
      expect(row![1]).toBe('pay-1');
      expect(row![0]).toBe(mine![1]);
      expect(row![4]).toBe('Ongoing');
      expect(row![5]).toBe('60000');
      expect(Number(row![6])).toBeGreaterThan(0);
      expect(row![8]).toBe('orders-0,orders-2');
      const dj = await json('transactions', 'describe', '--transactional-id', 'pay-1');
      expect(dj).toMatchObject({ transactionalId: 'pay-1', state: 'Ongoing', topicPartitions: [{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 2 }] });

      const p = await kt('transactions', 'describe-producers', '--topic', 'orders', '--partition', '0');
      expect(p.exitCode, p.stderr).toBe(0);
      const prows = rows(p.stdout);
      expect(prows[0]).toEqual(['ProducerId', 'ProducerEpoch', 'LatestCoordinatorEpoch', 'LastSequence', 'LastTimestamp', 'CurrentTransactionStartOffset', '']);
      const prod = prows.find((r) => r[0] === row![2]);
      expect(prod, p.stdout).toBeDefined();
      expect(prod![5]).toBe('0');

      await txn.commit();
      await waitUntil('pay-1 to be CompleteCommit', () => json('transactions', 'describe', '--transactional-id', 'pay-1'), (v) => v.state === 'CompleteCommit');
      const after = await json('transactions', 'list', '--state', 'CompleteCommit');
      expect((after.transactions as { transactionalId: string }[]).map((t) => t.transactionalId)).toContain('pay-1');
      const producers = await json('transactions', 'describe-producers', '--topic', 'orders', '--partition', '0');
      expect((producers.producers as { producerId: number; currentTransactionStartOffset: number | null }[]).find((x) => String(x.producerId) === row![2])).toMatchObject({ currentTransactionStartOffset: null });
    } finally {
      await producer.disconnect();
    }
  }, 60_000);
});

/** A transaction left open by hand on stuck-0 (known to the coordinator) and stuck-1 (not). */
async function hangTransaction(): Promise<{ producerId: number; epoch: number; startOffset: number; replicasOf1: number[] }> {
  const [host, port] = [bootstrap.split(':')[0]!, Number(bootstrap.split(':')[1])];
  const boot = await RawConn.tcp(port, host);
  const fc = (await boot.request(FindCoordinator, 3, { key: 'hang-1', keyType: 1 }))!;
  expect(fc.errorCode).toBe(0);
  const md = (await boot.request(Metadata, 9, { topics: [{ name: 'stuck' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }))!;
  boot.close();
  const portOf = (id: number) => md.brokers.find((b) => b.nodeId === id)!.port;
  const coord = await RawConn.tcp(fc.port!, host);
  const init = (await coord.request(InitProducerId, 4, { transactionalId: 'hang-1', transactionTimeoutMs: 600_000, producerId: -1, producerEpoch: -1 }))!;
  expect(init.errorCode).toBe(0);
  const add = (await coord.request(AddPartitionsToTxn, 3, {
    v3AndBelowTransactionalId: 'hang-1',
    v3AndBelowProducerId: init.producerId,
    v3AndBelowProducerEpoch: init.producerEpoch,
    v3AndBelowTopics: [{ name: 'stuck', partitions: [0] }],
  }))!;
  expect(JSON.stringify(add)).not.toMatch(/rrorCode":[1-9]/i);
  coord.close();
  let startOffset = -1;
  for (const partition of [0, 1]) {
    const leader = md.topics[0]!.partitions.find((p) => p.partitionIndex === partition)!.leaderId;
    const conn = await RawConn.tcp(portOf(leader), host);
    const batch = encodeBatch([{ value: Buffer.from(`hung-${partition}`) }], { producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: 0, transactional: true });
    const r = (await conn.request(Produce, 7, { transactionalId: 'hang-1', acks: -1, timeoutMs: 10_000, topicData: [{ name: 'stuck', partitionData: [{ index: partition, records: batch }] }] }))!;
    const pr = r.responses[0]!.partitionResponses[0]!;
    expect(pr.errorCode).toBe(0);
    if (partition === 1) startOffset = pr.baseOffset;
    conn.close();
  }
  return { producerId: init.producerId, epoch: init.producerEpoch, startOffset, replicasOf1: md.topics[0]!.partitions.find((p) => p.partitionIndex === 1)!.replicaNodes };
}

describe('a hanging transaction made by hand', () => {
  it('find-hanging finds the partition its coordinator does not know; abort ends it', async () => {
    const h = await hangTransaction();
    const p1 = await json('transactions', 'describe-producers', '--topic', 'stuck', '--partition', '1');
    expect(p1.producers).toEqual([expect.objectContaining({ producerId: h.producerId, currentTransactionStartOffset: h.startOffset })]);

    // Written just now: not older than the default 15 minutes.
    const none = await kt('transactions', 'find-hanging', '--topic', 'stuck');
    expect(none.exitCode, none.stderr).toBe(0);
    expect(rows(none.stdout)).toHaveLength(1);

    const found = await waitUntil('stuck-1 to be found hanging', () => kt('transactions', 'find-hanging', '--topic', 'stuck', '--max-transaction-timeout', '0'), (r) => rows(r.stdout).length > 1);
    const hrows = rows(found.stdout);
    expect(hrows[0]).toEqual(['Topic', 'Partition', 'ProducerId', 'ProducerEpoch', 'CoordinatorEpoch', 'StartOffset', 'LastTimestamp', 'Duration(min)', '']);
    // stuck-0 is in the coordinator's transaction (it will write the marker): not hanging.
    expect(hrows.slice(1).map((r) => r.slice(0, 6))).toEqual([['stuck', '1', String(h.producerId), String(h.epoch), '-1', String(h.startOffset)]]);
    // --broker-id: every partition with a replica there, asked of that broker (a follower answers too).
    for (const id of h.replicasOf1) {
      const byBroker = await json('transactions', 'find-hanging', '--broker-id', String(id), '--max-transaction-timeout', '0');
      expect(byBroker.hanging, `broker ${id}`).toEqual([expect.objectContaining({ topic: 'stuck', partition: 1, producerId: h.producerId, startOffset: h.startOffset })]);
    }
    const outsider = [1, 2, 3].find((id) => !h.replicasOf1.includes(id))!;
    const elsewhere = await json('transactions', 'find-hanging', '--broker-id', String(outsider), '--topic', 'stuck', '--partition', '1', '--max-transaction-timeout', '0');
    expect(elsewhere.hanging).toEqual([]);
    // A broker that is not in the cluster is not found, not "nothing hanging".
    const nowhere = await kt('transactions', 'find-hanging', '--broker-id', '7');
    expect({ exitCode: nowhere.exitCode, stdout: nowhere.stdout, stderr: nowhere.stderr }).toEqual({ exitCode: 4, stdout: '', stderr: 'kafka-ts transactions: error: Broker 7 is not in the cluster or not running (live brokers: 1, 2, 3)\n' });

    const bad = await kt('transactions', 'abort', '--topic', 'stuck', '--partition', '1', '--start-offset', String(h.startOffset + 100));
    expect(bad.exitCode).toBe(4);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(`kafka-ts transactions: error: Could not find any open transactions starting at offset ${h.startOffset + 100} on partition stuck-1\n`);

    const aborted = await kt('transactions', 'abort', '--topic', 'stuck', '--partition', '1', '--start-offset', String(h.startOffset));
    expect(aborted.exitCode, aborted.stderr).toBe(0);
    expect(aborted.stdout).toBe('');
    const after = await json('transactions', 'describe-producers', '--topic', 'stuck', '--partition', '1');
    expect(after.producers).toEqual([expect.objectContaining({ producerId: h.producerId, currentTransactionStartOffset: null })]);
    const gone = await kt('transactions', 'find-hanging', '--topic', 'stuck', '--max-transaction-timeout', '0', '--output', 'json');
    expect(JSON.parse(gone.stdout)).toEqual({ hanging: [] });

    // force-terminate fences hang-1: the epoch bump aborts its transaction on stuck-0.
    const ft = await json('transactions', 'force-terminate', '--transactional-id', 'hang-1');
    expect(ft).toMatchObject({ transactionalId: 'hang-1', producerId: h.producerId });
    expect(ft.producerEpoch as number).toBeGreaterThan(h.epoch);
    await waitUntil(
      'stuck-0 to have no open transaction',
      () => json('transactions', 'describe-producers', '--topic', 'stuck', '--partition', '0'),
      (v) => (v.producers as { currentTransactionStartOffset: number | null }[]).every((x) => x.currentTransactionStartOffset === null),
    );
  }, 60_000);
});

describe('an open transaction of a producer id no coordinator knows', () => {
  it('is hanging at once with --max-transaction-timeout 0; abort by producer id, epoch and coordinator epoch ends it', async () => {
    const [host, port] = [bootstrap.split(':')[0]!, Number(bootstrap.split(':')[1])];
    const boot = await RawConn.tcp(port, host);
    const init = (await boot.request(InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }))!;
    expect(init.errorCode).toBe(0);
    const md = (await boot.request(Metadata, 9, { topics: [{ name: 'stuck' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }))!;
    boot.close();
    const leader = md.topics[0]!.partitions.find((p) => p.partitionIndex === 2)!.leaderId;
    const conn = await RawConn.tcp(md.brokers.find((b) => b.nodeId === leader)!.port, host);
    const batch = encodeBatch([{ value: Buffer.from('orphan') }], { producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: 0, transactional: true });
    const r = (await conn.request(Produce, 7, { transactionalId: 'orphan', acks: -1, timeoutMs: 10_000, topicData: [{ name: 'stuck', partitionData: [{ index: 2, records: batch }] }] }))!;
    conn.close();
    const pr = r.responses[0]!.partitionResponses[0]!;
    expect(pr.errorCode).toBe(0);

    const found = await waitUntil(
      'stuck-2 to be found hanging',
      () => json('transactions', 'find-hanging', '--topic', 'stuck', '--partition', '2', '--max-transaction-timeout', '0'),
      (v) => (v.hanging as unknown[]).length > 0,
    );
    expect(found.hanging).toEqual([expect.objectContaining({ topic: 'stuck', partition: 2, producerId: init.producerId, producerEpoch: init.producerEpoch, coordinatorEpoch: -1, startOffset: pr.baseOffset, durationMinutes: 0 })]);

    const a = await kt('transactions', 'abort', '--topic', 'stuck', '--partition', '2', '--producer-id', String(init.producerId), '--producer-epoch', String(init.producerEpoch), '--coordinator-epoch', '-1', '--output', 'json');
    expect(a.exitCode, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toEqual({ aborted: { topic: 'stuck', partition: 2, producerId: init.producerId, producerEpoch: init.producerEpoch, coordinatorEpoch: 0 } });
    const after = await json('transactions', 'describe-producers', '--topic', 'stuck', '--partition', '2');
    expect(after.producers).toEqual([expect.objectContaining({ producerId: init.producerId, currentTransactionStartOffset: null, latestCoordinatorEpoch: 0 })]);
    // The aborted record is invisible to read_committed consumers; the LSO moved past the marker.
    const lso = await kt('get-offsets', '--topic', 'stuck', '--partitions', '2');
    expect(lso.stdout).toBe(`stuck:2:${pr.baseOffset + 2}\n`);
  }, 60_000);
});

describe('bad input: one line, documented exit, nothing on stdout', () => {
  it.each([
    [['transactions', 'describe', '--transactional-id', 'no-such-id'], 4, /^kafka-ts transactions: error: Failed to describe transaction state of transactional-id `no-such-id`: .*\(TRANSACTIONAL_ID_NOT_FOUND\)$/],
    [['transactions', 'describe-producers', '--topic', 'nope', '--partition', '0'], 4, /^kafka-ts transactions: error: Failed to describe producers for partition nope-0 on leader: .*\(UNKNOWN_TOPIC_OR_PARTITION\)$/],
    [['transactions', 'find-hanging', '--topic', 'orders', '--partition', '99'], 4, /^kafka-ts transactions: error: Failed to describe producers for 1 partitions on broker Optional.empty: .*\(UNKNOWN_TOPIC_OR_PARTITION\)$/],
    [['transactions', 'abort', '--topic', 'orders', '--partition', '1', '--start-offset', '0'], 4, /^kafka-ts transactions: error: Could not find any open transactions starting at offset 0 on partition orders-1$/],
    [['transactions', 'find-hanging'], 2, /^kafka-ts transactions: usage error: The `find-hanging` command requires either --topic or --broker-id/],
    [['transactions', 'abort', '--topic', 'orders', '--partition', '0'], 2, /^kafka-ts transactions: usage error: The transaction to abort must be identified either with --start-offset/],
    [['transactions', 'describe'], 2, /^kafka-ts transactions: usage error: transactions describe: argument --transactional-id is required$/],
    [['transactions', 'rollback'], 2, /^kafka-ts transactions: usage error: invalid choice: 'rollback'/],
    [['transactions', 'describe-producers', '--topic', 'orders', '--partition', 'x'], 2, /could not convert 'x' to an integer$/],
  ] as [string[], number, RegExp][])('%j -> exit %i', async (args, code, message) => {
    const r = await kt(...args);
    expect(r.exitCode, r.stderr).toBe(code);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('describe-producers --broker-id of a broker without a replica: NOT_LEADER_OR_FOLLOWER, exit 1', async () => {
    const [host, port] = [bootstrap.split(':')[0]!, Number(bootstrap.split(':')[1])];
    const boot = await RawConn.tcp(port, host);
    const md = (await boot.request(Metadata, 9, { topics: [{ name: 'orders' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }))!;
    boot.close();
    const replicas = md.topics[0]!.partitions.find((p) => p.partitionIndex === 0)!.replicaNodes;
    const outsider = md.brokers.map((b) => b.nodeId).find((id) => !replicas.includes(id))!;
    const r = await kt('transactions', 'describe-producers', '--topic', 'orders', '--partition', '0', '--broker-id', String(outsider));
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^kafka-ts transactions: error: Failed to describe producers for partition orders-0 on broker ${outsider}: .*\\(NOT_LEADER_OR_FOLLOWER\\)\n$`));
    const follower = replicas.find((id) => id !== md.topics[0]!.partitions.find((p) => p.partitionIndex === 0)!.leaderId)!;
    const f = await kt('transactions', 'describe-producers', '--topic', 'orders', '--partition', '0', '--broker-id', String(follower), '--output', 'json');
    expect(f.exitCode, f.stderr).toBe(0);
    expect(JSON.parse(f.stdout)).toMatchObject({ topic: 'orders', partition: 0, brokerId: follower });
  });

  it('--output json: the error is one JSON object (on stdout, as every kafka-ts JSON error)', async () => {
    const r = await kt('transactions', 'describe', '--transactional-id', 'no-such-id', '--output', 'json');
    expect(r.exitCode).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 4, kind: 'not_found', message: expect.stringContaining('TRANSACTIONAL_ID_NOT_FOUND') } });
  });
});
