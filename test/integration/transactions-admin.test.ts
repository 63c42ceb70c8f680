/**
 * The transaction admin APIs on an in-process broker with the authorizer on
 * (allow.everyone.if.no.acl.found=false): DescribeProducers needs READ on the topic, abort
 * (WriteTxnMarkers) CLUSTER_ACTION, DescribeTransactions DESCRIBE on the transactional id, and
 * ListTransactions lists only the ids the principal may describe; the tools turn refusals into
 * denials (exit 8). A TCP client is User:ANONYMOUS; the Unix socket is the local super user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { KafkaCluster } from '../../src/broker/cluster.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { createAcls } from '../../src/client/acls.js';
import { describeProducers, listTransactions } from '../../src/client/transactions-admin.js';
import { Admin } from '../../src/client/admin.js';
import { AddPartitionsToTxn, DescribeTransactions, FindCoordinator, InitProducerId, ListTransactions, Produce } from '../../src/protocol/apis/index.js';
import { AclOp, PatternType, Permission, ResourceType } from '../../src/protocol/acls.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { abort, describeProducersAction, findHanging } from '../../src/tools/transactions.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { RawConn } from '../helpers/raw-kafka.js';

const ANON = 'User:ANONYMOUS';
let dir: string;
let cleanup: () => void;
let cluster: KafkaCluster;
let tcp: KafkaClient;
let local: KafkaClient;
let orphan: { producerId: number; epoch: number; offset: number };

const allow = (resourceType: number, resourceName: string, operation: number) =>
  createAcls(local, [{ resourceType, resourceName, patternType: PatternType.LITERAL, principal: ANON, host: '*', operation, permissionType: Permission.ALLOW }]);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('kafka-ts-txn-admin-'));
  const { config } = buildBrokerConfig(dir, {
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'offsets.topic.num.partitions': '2',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found': 'false',
    'transaction.state.log.num.partitions': '2',
    // The orphan transaction below is written without its coordinator knowing (KIP-890 off).
    'transaction.partition.verification.enable': 'false',
  });
  cluster = await KafkaCluster.start({ config, log: silentLogger, socketDir: dir });
  const opts = { connectTimeoutMs: 5000, requestTimeoutMs: 10_000 };
  tcp = new KafkaClient({ bootstrap: parseBootstrap(cluster.bootstrap), clientId: 'anon', ...opts });
  local = new KafkaClient({ bootstrap: parseBootstrap(`unix://${join(dir, 'kafka.sock')}`), clientId: 'admin', ...opts });
  const created = await new Admin(local).createTopics([{ name: 'secret', partitions: 1, replicationFactor: 1 }]);
  expect(created.every((r) => r.error === null), JSON.stringify(created)).toBe(true);
  // An open transaction of a producer id no coordinator knows (written by the super user).
  const { body: init } = await local.send('any', InitProducerId, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  expect(init.errorCode).toBe(0);
  const { body } = await local.send('any', Produce, {
    transactionalId: 'orphan',
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: 'secret', partitionData: [{ index: 0, records: encodeBatch([{ value: Buffer.from('x') }], { producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: 0, transactional: true }) }] }],
  });
  const pr = body.responses[0]!.partitionResponses[0]!;
  expect(pr.errorCode).toBe(0);
  orphan = { producerId: init.producerId, epoch: init.producerEpoch, offset: pr.baseOffset };
}, 30_000);

afterAll(async () => {
  await tcp?.close();
  await local?.close();
  await cluster?.close();
  cleanup();
});

describe('transaction admin ACLs', () => {
  it('DescribeProducers: TOPIC_AUTHORIZATION_FAILED without READ on the topic (describe-producers exits 8)', async () => {
    await allow(ResourceType.TOPIC, 'secret', AclOp.DESCRIBE);
    const [r] = await describeProducers(tcp, [{ topic: 'secret', partition: 0 }]);
    expect(r!.error?.code).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    // The line names what is missing: READ (the principal may describe the topic).
    await expect(describeProducersAction(tcp, 'secret', 0)).rejects.toMatchObject({ kind: 'denied', message: expect.stringContaining('not authorized to read topic secret') });
    await allow(ResourceType.TOPIC, 'secret', AclOp.READ);
    const [ok] = await describeProducers(tcp, [{ topic: 'secret', partition: 0 }]);
    expect(ok!.error).toBeNull();
    expect(ok!.activeProducers).toEqual([expect.objectContaining({ producerId: orphan.producerId, currentTransactionStartOffset: orphan.offset, coordinatorEpoch: -1 })]);
  });

  it('DescribeProducers of a partition the cluster does not have: UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const { body } = await local.send('any', (await import('../../src/protocol/apis/index.js')).DescribeProducers, { topics: [{ name: 'secret', partitionIndexes: [7] }, { name: 'nope', partitionIndexes: [0] }] });
    expect(body.topics.map((t) => t.partitions[0]!.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });

  it('DescribeTransactions: TRANSACTIONAL_ID_AUTHORIZATION_FAILED without DESCRIBE on the id', async () => {
    const { body } = await tcp.send('any', DescribeTransactions, { transactionalIds: ['pay-1'] });
    expect(body.transactionStates[0]).toMatchObject({ transactionalId: 'pay-1', errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED });
  });

  it('ListTransactions: unknown state filters are returned; nothing the principal may not describe', async () => {
    const { body } = await tcp.send('any', ListTransactions, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1 });
    expect(body).toMatchObject({ errorCode: 0, unknownStateFilters: ['Bogus'], transactionStates: [] });
    const all = await listTransactions(tcp);
    expect(all.listings).toEqual([]);
  });

  it('ListTransactions and DescribeTransactions show an open transaction only to who may DESCRIBE it, without the topics it may not', async () => {
    // The super user opens a transaction of pay-1 on secret-0 and other-0.
    await new Admin(local).createTopics([{ name: 'other', partitions: 1, replicationFactor: 1 }]);
    const deadline = Date.now() + 15_000;
    let init = { errorCode: -1, producerId: -1, producerEpoch: -1 };
    while (Date.now() < deadline) {
      const { body: fc } = await local.send('any', FindCoordinator, { key: 'pay-1', keyType: 1 });
      if (fc.errorCode === 0) {
        ({ body: init } = await local.send(fc.nodeId!, InitProducerId, { transactionalId: 'pay-1', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }));
        if (init.errorCode === 0) break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(init.errorCode).toBe(0);
    const raw = await RawConn.unix(join(dir, 'kafka.sock'));
    const added = await raw.request(AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: 'pay-1',
      v3AndBelowProducerId: init.producerId,
      v3AndBelowProducerEpoch: init.producerEpoch,
      v3AndBelowTopics: [{ name: 'secret', partitions: [0] }, { name: 'other', partitions: [0] }],
    });
    raw.close();
    expect(JSON.stringify(added)).not.toMatch(/rrorCode":[1-9]/i);

    expect((await listTransactions(tcp)).listings).toEqual([]);
    await allow(ResourceType.TRANSACTIONAL_ID, 'pay-1', AclOp.DESCRIBE);
    expect((await listTransactions(tcp, { states: ['Ongoing'] })).listings).toEqual([{ transactionalId: 'pay-1', producerId: init.producerId, state: 'Ongoing', coordinatorId: expect.any(Number) }]);
    expect((await listTransactions(tcp, { producerIds: [init.producerId + 1] })).listings).toEqual([]);
    expect((await listTransactions(tcp, { durationMs: 3_600_000 })).listings).toEqual([]);
    // ANONYMOUS may DESCRIBE topic secret (above) but not other.
    const { body } = await tcp.send('any', DescribeTransactions, { transactionalIds: ['pay-1'] });
    expect(body.transactionStates[0]).toMatchObject({ errorCode: 0, transactionState: 'Ongoing', producerId: init.producerId, topics: [{ topic: 'secret', partitions: [0] }] });
  });

  it('find-hanging finds the orphan; abort without CLUSTER_ACTION is denied and changes nothing; with it, ends it', async () => {
    const found = await findHanging(tcp, { topic: 'secret', maxTransactionTimeoutMinutes: 0 });
    expect((found.data as { hanging: unknown[] }).hanging).toEqual([expect.objectContaining({ topic: 'secret', partition: 0, producerId: orphan.producerId, startOffset: orphan.offset })]);
    await expect(abort(tcp, { topic: 'secret', partition: 0, startOffset: orphan.offset })).rejects.toMatchObject({ kind: 'denied', message: expect.stringMatching(/^Failed to abort transaction AbortTransactionSpec\(topicPartition=secret-0, producerId=\d+, producerEpoch=\d+, coordinatorEpoch=0\): not authorized/) });
    const [still] = await describeProducers(tcp, [{ topic: 'secret', partition: 0 }]);
    expect(still!.activeProducers[0]!.currentTransactionStartOffset).toBe(orphan.offset);
    await allow(ResourceType.CLUSTER, 'kafka-cluster', AclOp.CLUSTER_ACTION);
    await abort(tcp, { topic: 'secret', partition: 0, startOffset: orphan.offset });
    const [after] = await describeProducers(tcp, [{ topic: 'secret', partition: 0 }]);
    expect(after!.activeProducers[0]!.currentTransactionStartOffset).toBe(-1);
  });
});
