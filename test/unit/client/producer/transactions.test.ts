import { describe, expect, it } from 'vitest';
import { Idempotence } from '../../../../src/client/producer/idempotence.js';
import { TransactionManager } from '../../../../src/client/producer/transactions.js';
import type { KafkaClient } from '../../../../src/client/client.js';
import { ErrorCode, KafkaProtocolError } from '../../../../src/protocol/errors.js';

type Reply = Record<string, unknown>;

/** A client answering each API from a script (a queue of replies per API name); records what was sent. */
function scriptedClient(script: Record<string, Reply[]>) {
  const sent: { api: string; target: number | string; body: unknown }[] = [];
  const client = {
    cluster: { brokers: new Map([[1, { nodeId: 1, host: 'h', port: 1 }]]) },
    connectTimeoutMs: 1000,
    refreshMetadata: async () => ({}),
    send: async (target: number | string, api: { name: string }, build: unknown) => {
      const body = typeof build === 'function' ? (build as (v: number) => unknown)(3) : build;
      sent.push({ api: api.name, target, body });
      const q = script[api.name];
      if (!q || q.length === 0) throw new Error(`unexpected ${api.name}`);
      return { body: q.length > 1 ? q.shift() : q[0], version: 3 };
    },
  };
  return { client: client as unknown as KafkaClient, sent };
}

const found = { errorCode: 0, nodeId: 1, host: 'h', port: 1, errorMessage: null };
const manager = (client: KafkaClient, idem = new Idempotence(true)) => new TransactionManager(client, 'tx', 60_000, idem, 5_000, 1, () => undefined);

describe('initTransactions', () => {
  it('finds the coordinator with key type 1, retries while it loads or is busy, and takes the id and epoch', async () => {
    const { client, sent } = scriptedClient({
      FindCoordinator: [found],
      InitProducerId: [{ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS }, { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS }, { errorCode: 0, producerId: 42, producerEpoch: 3 }],
    });
    const idem = new Idempotence(true);
    const tm = manager(client, idem);
    await tm.init();
    expect(tm.state).toBe('READY');
    expect([idem.producerId, idem.producerEpoch]).toEqual([42, 3]);
    expect(sent[0]).toMatchObject({ api: 'FindCoordinator', body: { key: 'tx', keyType: 1 } });
    expect(sent.filter((s) => s.api === 'InitProducerId')).toHaveLength(3);
    expect(sent[1]!.body).toMatchObject({ transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  });

  it('looks the coordinator up again after NOT_COORDINATOR', async () => {
    const { client, sent } = scriptedClient({ FindCoordinator: [found], InitProducerId: [{ errorCode: ErrorCode.NOT_COORDINATOR }, { errorCode: 0, producerId: 1, producerEpoch: 0 }] });
    await manager(client).init();
    expect(sent.map((s) => s.api)).toEqual(['FindCoordinator', 'InitProducerId', 'FindCoordinator', 'InitProducerId']);
  });

  it('a fenced or unauthorized producer is fatal: every later call fails with the same error', async () => {
    const { client } = scriptedClient({ FindCoordinator: [found], InitProducerId: [{ errorCode: ErrorCode.PRODUCER_FENCED }] });
    const tm = manager(client);
    const e = await tm.init().catch((x: KafkaProtocolError) => x);
    expect(e).toMatchObject({ errorName: 'PRODUCER_FENCED', message: 'There is a newer producer with the same transactionalId which fences the current one.' });
    expect(tm.state).toBe('FATAL_ERROR');
    expect(() => tm.begin()).toThrow(e as Error);
    expect(() => tm.checkAbort()).toThrow(e as Error);
  });
});

describe('transaction states', () => {
  async function ready() {
    const s = scriptedClient({
      FindCoordinator: [found],
      InitProducerId: [{ errorCode: 0, producerId: 5, producerEpoch: 0 }],
      AddPartitionsToTxn: [{ resultsByTopicV3AndBelow: [{ name: 't', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 0 }] }] }],
      EndTxn: [{ errorCode: 0 }],
    });
    const tm = manager(s.client);
    await tm.init();
    return { tm, ...s };
  }

  it('refuses a send before initTransactions and outside a transaction, with Kafka\'s messages', async () => {
    const { client } = scriptedClient({});
    expect(() => manager(client).checkSend()).toThrow("Cannot perform a 'send' before completing a call to initTransactions when transactions are enabled.");
    const { tm } = await ready();
    expect(() => tm.checkSend()).toThrow(/begin a transaction first/);
    expect(() => tm.checkCommit()).toThrow('Invalid transition attempted from state READY to state COMMITTING_TRANSACTION');
  });

  it('adds the waiting partitions in one AddPartitionsToTxn, and ends only a transaction that has something in it', async () => {
    const { tm, sent } = await ready();
    tm.begin();
    await tm.end(true, false);
    expect(sent.some((s) => s.api === 'EndTxn')).toBe(false);
    tm.begin();
    tm.addPartition('t', 0);
    tm.addPartition('t', 1);
    tm.sendPartitionAdds();
    await new Promise((r) => setTimeout(r, 10));
    expect(tm.isPartitionAdded('t', 0)).toBe(true);
    const adds = sent.filter((s) => s.api === 'AddPartitionsToTxn');
    expect(adds).toHaveLength(1);
    expect(adds[0]!.body).toMatchObject({ v3AndBelowTransactionalId: 'tx', v3AndBelowProducerId: 5, v3AndBelowTopics: [{ name: 't', partitions: [0, 1] }] });
    await tm.end(true, false);
    expect(sent.filter((s) => s.api === 'EndTxn')[0]!.body).toMatchObject({ transactionalId: 'tx', producerId: 5, producerEpoch: 0, committed: true });
    expect(tm.state).toBe('READY');
    expect(tm.isPartitionAdded('t', 0)).toBe(false);
  });

  it('a failed send makes the transaction abortable: commit fails, abort works', async () => {
    const { tm } = await ready();
    tm.begin();
    tm.addPartition('t', 0);
    tm.sendPartitionAdds();
    await new Promise((r) => setTimeout(r, 10));
    tm.failed(new KafkaProtocolError(ErrorCode.NOT_ENOUGH_REPLICAS));
    expect(tm.state).toBe('ABORTABLE_ERROR');
    expect(() => tm.checkCommit()).toThrow(/Cannot execute transactional method because we are in an error state/);
    tm.checkAbort();
    await tm.end(false, false);
    expect(tm.state).toBe('READY');
  });

  it('an old epoch on a send means fenced', async () => {
    const { tm } = await ready();
    tm.begin();
    tm.failed(new KafkaProtocolError(ErrorCode.INVALID_PRODUCER_EPOCH));
    expect(tm.state).toBe('FATAL_ERROR');
    expect(tm.lastError).toMatchObject({ errorName: 'PRODUCER_FENCED' });
  });
});
