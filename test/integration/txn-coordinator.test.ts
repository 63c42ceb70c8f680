/**
 * The transaction coordinator at the protocol level (raw requests): FindCoordinator key type 1,
 * InitProducerId with a transactional id, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, the
 * markers it sends (WriteTxnMarkers to each partition leader, retried), fencing, Kafka's error
 * codes for bad input, proactive abort of timed-out transactions, the __transaction_state records,
 * and a coordinator move (3 brokers) completing a PrepareCommit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaCluster } from '../../src/broker/cluster.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { defineHandler, type AnyHandler, type RequestContext } from '../../src/broker/handler.js';
import { HANDLERS } from '../../src/broker/handlers/index.js';
import type { Broker } from '../../src/broker/broker.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Admin } from '../../src/client/admin.js';
import { AddOffsetsToTxn, AddPartitionsToTxn, EndTxn, FindCoordinator, InitProducerId, WriteTxnMarkers, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from '../../src/protocol/apis/index.js';
import { AclOp, PatternType, Permission, ResourceType } from '../../src/protocol/acls.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeBatchRecords } from '../../src/protocol/record-batch.js';
import { decodeTransactionLogRecord } from '../../src/protocol/transaction-log.js';
import { readBatches } from '../../src/storage/log-store.js';
import { offsetsPartitionFor } from '../../src/util/java-hash.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { RawConn } from '../helpers/raw-kafka.js';
import type { ApiDef } from '../../src/protocol/schema.js';

/**
 * WriteTxnMarkers as the partition leaders see it: every request is recorded; `failNext` makes
 * the next requests fail (NOT_LEADER_OR_FOLLOWER) so the coordinator has to retry. Wraps the
 * broker's own handler when it has one (the log side), else answers NONE.
 */
class MarkerTap {
  seen: { broker: number; req: WriteTxnMarkersRequest['markers'][number] }[] = [];
  failNext = 0;
  failAll = false;

  install(cluster: KafkaCluster): void {
    const handlers = (cluster.router as unknown as { handlers: Map<number, AnyHandler> }).handlers;
    const real = handlers.get(WriteTxnMarkers.key);
    handlers.set(WriteTxnMarkers.key, this.handler(real) as unknown as AnyHandler);
  }

  handler(real?: AnyHandler) {
    return defineHandler({
      api: WriteTxnMarkers,
      minVersion: 0,
      maxVersion: 1,
      handle: async (req, ctx: RequestContext): Promise<WriteTxnMarkersResponse> => {
        for (const m of req.markers) this.seen.push({ broker: ctx.cluster.id, req: m });
        const fail = this.failAll || this.failNext-- > 0;
        if (!fail && real) return (await real.handle(req, ctx)) as WriteTxnMarkersResponse;
        const code = fail ? ErrorCode.NOT_LEADER_OR_FOLLOWER : 0;
        return { markers: req.markers.map((m) => ({ producerId: m.producerId, topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, errorCode: code })) })) })) };
      },
    });
  }
}

async function startCluster(props: Record<string, string>, tap: MarkerTap, dir?: string) {
  const t = dir ? { dir, cleanup: () => {} } : tempDir();
  const { config } = buildBrokerConfig(t.dir, {
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'offsets.topic.num.partitions': '4',
    'transaction.state.log.num.partitions': '3',
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': '100',
    ...props,
  });
  const has27 = HANDLERS.some((h) => h.api.key === WriteTxnMarkers.key);
  const cluster = await KafkaCluster.start({ config, log: silentLogger, extraHandlers: has27 ? [] : [tap.handler() as unknown as AnyHandler] });
  if (has27) tap.install(cluster);
  const client = new KafkaClient({ bootstrap: parseBootstrap(cluster.bootstrap), clientId: 'txn-test', connectTimeoutMs: 5000, requestTimeoutMs: 10_000 });
  return {
    cluster,
    client,
    dir: t.dir,
    async close(keep = false) {
      for (const c of conns.values()) c.close();
      conns.clear();
      await client.close();
      await cluster.close();
      if (!keep) t.cleanup();
    },
  };
}

async function waitFor<T>(what: string, probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Env = Awaited<ReturnType<typeof startCluster>>;

/** Raw requests at exact versions (one connection per broker): what real clients send. */
const conns = new Map<string, RawConn>();
async function conn(env: Env, target: number | 'any'): Promise<RawConn> {
  const id = target === 'any' ? env.cluster.brokers().find((b) => env.cluster.isLive(b.id))!.id : target;
  const port = env.cluster.boundPort(id);
  const k = `${id}:${port}`;
  let c = conns.get(k);
  if (!c || c.closed) conns.set(k, (c = await RawConn.tcp(port)));
  return c;
}

async function send<Req, Res>(env: Env, target: number | 'any', def: ApiDef<unknown, Res, Req, unknown>, version: number, body: Req): Promise<Res> {
  const r = await (await conn(env, target)).request(def, version, body);
  if (!r) throw new Error(`broker closed the connection on ${def.name} v${version}`);
  return r;
}

function api(env: Env, target: number | 'any' = 'any') {
  return {
    find: (key: string, keyType = 1, version = 3) => send(env, target, FindCoordinator, version, { key, keyType, coordinatorKeys: [key] }),
    init: (transactionalId: string | null, transactionTimeoutMs = 60_000, version = 4, producerId = -1, producerEpoch = -1) =>
      send(env, target, InitProducerId, version, { transactionalId, transactionTimeoutMs, producerId, producerEpoch }),
    add: (transactionalId: string, producerId: number, producerEpoch: number, topics: { name: string; partitions: number[] }[], version = 3) =>
      send(env, target, AddPartitionsToTxn, version, { v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: topics }).then((r) =>
        r.resultsByTopicV3AndBelow!.flatMap((t) => t.resultsByPartition.map((p) => ({ topic: t.name, partition: p.partitionIndex, error: p.partitionErrorCode }))),
      ),
    addOffsets: (transactionalId: string, producerId: number, producerEpoch: number, groupId: string, version = 3) =>
      send(env, target, AddOffsetsToTxn, version, { transactionalId, producerId, producerEpoch, groupId }).then((r) => r.errorCode),
    end: (transactionalId: string, producerId: number, producerEpoch: number, committed: boolean, version = 3) =>
      send(env, target, EndTxn, version, { transactionalId, producerId, producerEpoch, committed }).then((r) => r.errorCode),
  };
}

const coordinatorOf = (cluster: KafkaCluster, id: string): Broker => {
  const t = cluster.metadata.topic('__transaction_state')!;
  const leader = t.partitions[offsetsPartitionFor(id, t.partitions.length)]!.leader;
  return cluster.brokers().find((b) => b.id === leader)!;
};

/** InitProducerId, retried while the coordinator answers a retriable error (as clients do). */
async function initUntilDone(env: Env, id: string, timeoutMs = 60_000, target: number | 'any' = 'any') {
  return waitFor(`InitProducerId(${id})`, () => api(env, target).init(id, timeoutMs), (r) => r.errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS && r.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
}

describe('a single broker', () => {
  const tap = new MarkerTap();
  let env: Env;
  beforeAll(async () => {
    env = await startCluster({}, tap);
    await new Admin(env.client).createTopics([{ name: 'events', partitions: 3, replicationFactor: 1 }]);
  });
  afterAll(async () => env.close());

  it('FindCoordinator key type 1 creates __transaction_state and names its partition leader', async () => {
    expect(env.cluster.metadata.topic('__transaction_state')).toBeUndefined();
    const r = await api(env).find('tx-find');
    expect(r.errorCode).toBe(0);
    const t = env.cluster.metadata.topic('__transaction_state')!;
    expect(t.partitions.length).toBe(3);
    expect(t.internal).toBe(true);
    expect(t.configs['cleanup.policy']).toBe('compact');
    expect(r.nodeId).toBe(env.cluster.brokers()[0]!.id);
    const v4 = await send(env, 'any', FindCoordinator, 4, { key: '', keyType: 1, coordinatorKeys: ['a', 'b'] });
    expect(v4.coordinators!.map((c) => [c.key, c.errorCode])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
    expect((await api(env).find('x', 2)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('runs the whole state machine: Empty, Ongoing, PrepareCommit, markers, CompleteCommit; then an aborted one', async () => {
    const a = api(env);
    const init = await initUntilDone(env, 'tx-full', 30_000);
    expect(init).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    const { producerId: pid, producerEpoch: epoch } = init;
    const coord = coordinatorOf(env.cluster, 'tx-full').transactions;
    expect(coord.describe('tx-full')).toMatchObject({ errorCode: 0, state: 'Empty', timeoutMs: 30_000, producerId: pid, producerEpoch: 0, partitions: [] });

    expect((await a.add('tx-full', pid, epoch, [{ name: 'events', partitions: [0, 1] }])).map((p) => p.error)).toEqual([0, 0]);
    expect((await a.add('tx-full', pid, epoch, [{ name: 'events', partitions: [2] }])).map((p) => p.error)).toEqual([0]);
    expect(await a.addOffsets('tx-full', pid, epoch, 'g-full')).toBe(0);
    const offsetsPartition = offsetsPartitionFor('g-full', 4);
    const d = coord.describe('tx-full');
    expect(d.state).toBe('Ongoing');
    expect(d.startTimeMs).toBeGreaterThan(0);
    expect(d.partitions).toEqual(
      expect.arrayContaining([
        { topic: 'events', partitions: [0, 1, 2] },
        { topic: '__consumer_offsets', partitions: [offsetsPartition] },
      ]),
    );
    expect(coord.list({ states: ['Ongoing'] }).transactions).toContainEqual({ transactionalId: 'tx-full', producerId: pid, state: 'Ongoing' });

    tap.seen = [];
    expect(await a.end('tx-full', pid, epoch, true)).toBe(0);
    await waitFor('CompleteCommit', () => coord.describe('tx-full').state, (s) => s === 'CompleteCommit');
    const markers = tap.seen.filter((m) => m.req.producerId === pid);
    expect(markers.every((m) => m.req.transactionResult === true && m.req.producerEpoch === epoch)).toBe(true);
    const marked = markers.flatMap((m) => m.req.topics.flatMap((t) => t.partitionIndexes.map((p) => `${t.name}-${p}`)));
    expect(new Set(marked)).toEqual(new Set(['events-0', 'events-1', 'events-2', `__consumer_offsets-${offsetsPartition}`]));
    expect(coord.describe('tx-full').partitions).toEqual([]);

    // A retried EndTxn(commit) succeeds; an abort now is an invalid transition.
    expect(await a.end('tx-full', pid, epoch, true)).toBe(0);
    expect(await a.end('tx-full', pid, epoch, false)).toBe(ErrorCode.INVALID_TXN_STATE);

    // The next transaction is aborted.
    expect((await a.add('tx-full', pid, epoch, [{ name: 'events', partitions: [1] }])).map((p) => p.error)).toEqual([0]);
    tap.seen = [];
    expect(await a.end('tx-full', pid, epoch, false)).toBe(0);
    await waitFor('CompleteAbort', () => coord.describe('tx-full').state, (s) => s === 'CompleteAbort');
    expect(tap.seen.map((m) => [m.req.transactionResult, m.req.topics])).toEqual([[false, [{ name: 'events', partitionIndexes: [1] }]]]);

    // What __transaction_state holds, in Kafka's record format.
    const p = offsetsPartitionFor('tx-full', 3);
    const replica = coordinatorOf(env.cluster, 'tx-full').replica('__transaction_state', p)!;
    const states: string[] = [];
    for (const b of readBatches(replica.log, 0, replica.logEndOffset())) {
      for (const r of decodeBatchRecords(b)) {
        const rec = decodeTransactionLogRecord(r.key!, r.value);
        if (rec?.transactionalId === 'tx-full') states.push(rec.value!.state);
      }
    }
    expect(states).toEqual(['Empty', 'Ongoing', 'Ongoing', 'Ongoing', 'PrepareCommit', 'CompleteCommit', 'Ongoing', 'PrepareAbort', 'CompleteAbort']);
  });

  it("answers bad input with Kafka's error codes and changes nothing", async () => {
    const a = api(env);
    // EndTxn / AddPartitionsToTxn / AddOffsetsToTxn without InitProducerId: an unknown transactional id.
    expect(await a.end('tx-never', 1234, 0, true)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect((await a.add('tx-never', 1234, 0, [{ name: 'events', partitions: [0] }]))[0]!.error).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(await a.addOffsets('tx-never', 1234, 0, 'g')).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(coordinatorOf(env.cluster, 'tx-never').transactions.describe('tx-never').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);

    const { producerId: pid, producerEpoch: epoch } = await initUntilDone(env, 'tx-bad');
    const coord = coordinatorOf(env.cluster, 'tx-bad').transactions;
    // EndTxn with nothing begun.
    expect(await a.end('tx-bad', pid, epoch, true)).toBe(ErrorCode.INVALID_TXN_STATE);
    // A stale epoch (PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before), a wrong producer id.
    expect((await a.add('tx-bad', pid, epoch - 1, [{ name: 'events', partitions: [0] }]))[0]!.error).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await a.add('tx-bad', pid, epoch - 1, [{ name: 'events', partitions: [0] }], 1))[0]!.error).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect((await a.add('tx-bad', pid + 1, epoch, [{ name: 'events', partitions: [0] }]))[0]!.error).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(await a.end('tx-bad', pid, epoch + 1, true)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await a.end('tx-bad', pid, epoch + 1, true, 1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    // Unknown partitions and internal topics fail the request; the rest is not attempted.
    expect(await a.add('tx-bad', pid, epoch, [{ name: 'events', partitions: [0, 7] }, { name: 'nope', partitions: [0] }])).toEqual([
      { topic: 'events', partition: 0, error: ErrorCode.OPERATION_NOT_ATTEMPTED },
      { topic: 'events', partition: 7, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
      { topic: 'nope', partition: 0, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    expect((await a.add('tx-bad', pid, epoch, [{ name: '__consumer_offsets', partitions: [0] }]))[0]!.error).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    // Timeouts above transaction.max.timeout.ms, an empty id, half a KIP-360 pair.
    expect((await a.init('tx-bad', 900_001)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await a.init('tx-bad', 0)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    expect((await a.init('')).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect((await a.init('tx-bad', 60_000, 4, pid, -1)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(coord.describe('tx-bad')).toMatchObject({ state: 'Empty', producerId: pid, producerEpoch: epoch, partitions: [] });
  });

  it('fences an older instance: its ongoing transaction is aborted with a bumped epoch', async () => {
    const a = api(env);
    const first = await initUntilDone(env, 'tx-fence');
    expect((await a.add('tx-fence', first.producerId, first.producerEpoch, [{ name: 'events', partitions: [0] }])).map((p) => p.error)).toEqual([0]);
    tap.seen = [];
    // The new instance: the first InitProducerId aborts the ongoing transaction and asks it to retry.
    const r1 = await a.init('tx-fence');
    expect(r1.errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    const second = await initUntilDone(env, 'tx-fence');
    expect(second).toMatchObject({ errorCode: 0, producerId: first.producerId, producerEpoch: first.producerEpoch + 2 });
    expect(tap.seen.map((m) => [m.req.transactionResult, m.req.producerEpoch])).toEqual([[false, first.producerEpoch + 1]]);
    // The old instance is fenced whatever it does.
    expect(await a.end('tx-fence', first.producerId, first.producerEpoch, true)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await a.end('tx-fence', first.producerId, first.producerEpoch, true, 0)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect((await a.add('tx-fence', first.producerId, first.producerEpoch, [{ name: 'events', partitions: [0] }]))[0]!.error).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await a.init('tx-fence', 60_000, 4, first.producerId, first.producerEpoch)).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect((await a.init('tx-fence', 60_000, 3, first.producerId, first.producerEpoch)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    // KIP-360: the current instance bumps its own epoch, and a retry of that bump gets the same epoch.
    const bumped = await a.init('tx-fence', 60_000, 4, second.producerId, second.producerEpoch);
    expect(bumped).toMatchObject({ errorCode: 0, producerId: second.producerId, producerEpoch: second.producerEpoch + 1 });
    const retried = await a.init('tx-fence', 60_000, 4, second.producerId, second.producerEpoch);
    expect(retried).toMatchObject({ errorCode: 0, producerEpoch: second.producerEpoch + 1 });
  });

  it('aborts a transaction that outlives its timeout, fencing its producer', async () => {
    const a = api(env);
    const p = await initUntilDone(env, 'tx-timeout', 300);
    tap.seen = [];
    expect((await a.add('tx-timeout', p.producerId, p.producerEpoch, [{ name: 'events', partitions: [2] }])).map((x) => x.error)).toEqual([0]);
    const coord = coordinatorOf(env.cluster, 'tx-timeout').transactions;
    const d = await waitFor('the timed-out transaction to be aborted', () => coord.describe('tx-timeout'), (x) => x.state === 'CompleteAbort');
    expect(d.producerEpoch).toBe(p.producerEpoch + 1);
    expect(tap.seen.map((m) => [m.req.transactionResult, m.req.producerEpoch, m.req.topics])).toEqual([[false, p.producerEpoch + 1, [{ name: 'events', partitionIndexes: [2] }]]]);
    expect(await a.end('tx-timeout', p.producerId, p.producerEpoch, true)).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('retries markers until the leader acknowledges them', async () => {
    const a = api(env);
    const p = await initUntilDone(env, 'tx-retry');
    await a.add('tx-retry', p.producerId, p.producerEpoch, [{ name: 'events', partitions: [0, 1] }]);
    tap.seen = [];
    tap.failNext = 3;
    expect(await a.end('tx-retry', p.producerId, p.producerEpoch, true)).toBe(0);
    const coord = coordinatorOf(env.cluster, 'tx-retry').transactions;
    // Until the markers are in, the transaction is PrepareCommit: the producer's next steps wait.
    expect((await a.add('tx-retry', p.producerId, p.producerEpoch, [{ name: 'events', partitions: [0] }]))[0]!.error).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    await waitFor('CompleteCommit after retries', () => coord.describe('tx-retry').state, (s) => s === 'CompleteCommit');
    expect(tap.seen.length).toBeGreaterThanOrEqual(4);
  });

  it('lets the next transaction add partitions as soon as the previous one\'s markers are in (no CONCURRENT_TRANSACTIONS round trips)', async () => {
    const a = api(env);
    const p = await initUntilDone(env, 'tx-next');
    const coord = coordinatorOf(env.cluster, 'tx-next').transactions;
    for (let i = 0; i < 5; i++) {
      expect((await a.add('tx-next', p.producerId, p.producerEpoch, [{ name: 'events', partitions: [i % 2] }]))[0]!.error).toBe(0);
      expect(await a.end('tx-next', p.producerId, p.producerEpoch, i % 2 === 0)).toBe(0);
    }
    // The last EndTxn was answered at PrepareCommit; the next AddPartitionsToTxn waits for its markers.
    expect((await a.add('tx-next', p.producerId, p.producerEpoch, [{ name: 'events', partitions: [1] }]))[0]!.error).toBe(0);
    expect(coord.describe('tx-next')).toMatchObject({ state: 'Ongoing', partitions: [{ topic: 'events', partitions: [1] }] });
  });
});

describe('loading and epoch exhaustion', () => {
  it('answers COORDINATOR_LOAD_IN_PROGRESS while a partition loads, then serves it', async () => {
    const env = await startCluster({}, new MarkerTap());
    try {
      env.cluster.controller.ensureTransactionStateTopic();
      const coord = coordinatorOf(env.cluster, 'tx-load').transactions;
      // The topic was just created: its partitions load on the next turn of the event loop.
      expect(coord.coordinatorError('tx-load')).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      expect(coord.describe('tx-load').errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      expect(coord.list({}).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      await new Promise((r) => setImmediate(r));
      expect(coord.coordinatorError('tx-load')).toBe(0);
      expect(coord.list({ states: ['Bogus'] })).toEqual({ errorCode: 0, unknownStateFilters: ['Bogus'], transactions: [] });
    } finally {
      await env.close();
    }
  });

  it('moves to a new producer id once the epoch is exhausted (KIP-360)', async () => {
    const env = await startCluster({}, new MarkerTap());
    try {
      await waitFor('a coordinator', () => api(env).find('tx-exhaust'), (r) => r.errorCode === 0);
      const p = await initUntilDone(env, 'tx-exhaust');
      const md = coordinatorOf(env.cluster, 'tx-exhaust').transactions.txns.get('tx-exhaust')!;
      md.producerEpoch = 32766; // as if the producer had been restarted 32766 times
      const r = await api(env).init('tx-exhaust');
      expect(r.errorCode).toBe(0);
      expect(r.producerId).not.toBe(p.producerId);
      expect(r.producerEpoch).toBe(0);
    } finally {
      await env.close();
    }
  });
});

describe('three brokers', () => {
  const tap = new MarkerTap();
  let env: Env;
  beforeAll(async () => {
    env = await startCluster({ 'kafka-ts.brokers': '3', 'transaction.state.log.num.partitions': '1', 'replica.fetch.wait.max.ms': '50' }, tap);
    await new Admin(env.client).createTopics([{ name: 'orders', partitions: 3, replicationFactor: 3 }]);
  });
  afterAll(async () => env.close());

  it('a new coordinator loads the state and completes a PrepareCommit after the old one stops', async () => {
    const found = await waitFor('a coordinator', () => api(env).find('tx-move'), (r) => r.errorCode === 0);
    expect(env.cluster.metadata.topic('__transaction_state')!.partitions[0]!.replicas.length).toBe(3);
    const first = found.nodeId;
    const other = env.cluster.brokers().find((b) => b.id !== first)!.id;
    expect((await api(env, other).init('tx-move')).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(await api(env, other).end('tx-move', 1, 0, true)).toBe(ErrorCode.NOT_COORDINATOR);
    const a = api(env, first);
    const p = await initUntilDone(env, 'tx-move', 60_000, first);
    expect(p.errorCode).toBe(0);
    await a.add('tx-move', p.producerId, p.producerEpoch, [{ name: 'orders', partitions: [0, 1, 2] }]);
    tap.failAll = true; // the markers cannot be written: the commit stays prepared
    expect(await a.end('tx-move', p.producerId, p.producerEpoch, true)).toBe(0);
    const old = env.cluster.brokers().find((b) => b.id === first)!;
    expect(old.transactions.describe('tx-move').state).toBe('PrepareCommit');
    const epochBefore = env.cluster.metadata.topic('__transaction_state')!.partitions[0]!.leaderEpoch;

    await env.cluster.stopBroker(first);
    tap.seen = [];
    tap.failAll = false;
    const moved = await waitFor('the coordinator to move', () => api(env).find('tx-move'), (r) => r.errorCode === 0 && r.nodeId !== first);
    const coord = env.cluster.brokers().find((b) => b.id === moved.nodeId)!.transactions;
    const d = await waitFor('the new coordinator to complete the commit', () => coord.describe('tx-move'), (x) => x.state === 'CompleteCommit');
    expect(d).toMatchObject({ producerId: p.producerId, producerEpoch: p.producerEpoch });
    const done = tap.seen.filter((m) => m.req.producerId === p.producerId);
    expect(done.every((m) => m.req.transactionResult && m.req.coordinatorEpoch > epochBefore - 1)).toBe(true);
    expect(new Set(done.flatMap((m) => m.req.topics.flatMap((t) => t.partitionIndexes.map((x) => `${t.name}-${x}`))))).toEqual(new Set(['orders-0', 'orders-1', 'orders-2']));
    // The producer carries on with the new coordinator.
    const b = api(env, moved.nodeId);
    expect((await b.add('tx-move', p.producerId, p.producerEpoch, [{ name: 'orders', partitions: [0] }])).map((x) => x.error)).toEqual([0]);
    expect(await b.end('tx-move', p.producerId, p.producerEpoch, false)).toBe(0);
  });
});

describe('restarts, expiration and ACLs', () => {
  it('reloads __transaction_state after a restart: state kept, an ongoing transaction still times out', async () => {
    const tap = new MarkerTap();
    let env = await startCluster({}, tap);
    const dir = env.dir;
    try {
      await new Admin(env.client).createTopics([{ name: 'events', partitions: 1, replicationFactor: 1 }]);
      await waitFor('a coordinator', () => api(env).find('tx-restart'), (r) => r.errorCode === 0);
      const p = await initUntilDone(env, 'tx-restart', 1500);
      expect((await api(env).add('tx-restart', p.producerId, p.producerEpoch, [{ name: 'events', partitions: [0] }]))[0]!.error).toBe(0);
      await env.close(true);
      env = await startCluster({}, tap, dir);
      const coord = coordinatorOf(env.cluster, 'tx-restart').transactions;
      const loaded = await waitFor('the state to load', () => coord.describe('tx-restart'), (d) => d.errorCode === 0);
      expect(loaded).toMatchObject({ state: 'Ongoing', producerId: p.producerId, producerEpoch: p.producerEpoch, timeoutMs: 1500, partitions: [{ topic: 'events', partitions: [0] }] });
      await waitFor('the timeout abort after the restart', () => coord.describe('tx-restart').state, (s) => s === 'CompleteAbort');
      // A new instance of the producer gets the next epoch after the fence.
      const again = await initUntilDone(env, 'tx-restart');
      expect(again).toMatchObject({ errorCode: 0, producerId: p.producerId, producerEpoch: p.producerEpoch + 2 });
    } finally {
      await env.close();
    }
  });

  it('forgets transactional ids idle for longer than transactional.id.expiration.ms', async () => {
    const env = await startCluster({ 'transactional.id.expiration.ms': '200', 'transaction.remove.expired.transaction.cleanup.interval.ms': '100' }, new MarkerTap());
    try {
      await waitFor('a coordinator', () => api(env).find('tx-expire'), (r) => r.errorCode === 0);
      const p = await initUntilDone(env, 'tx-expire');
      const coord = coordinatorOf(env.cluster, 'tx-expire').transactions;
      await waitFor('the id to expire', () => coord.describe('tx-expire').errorCode, (e) => e === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
      expect(await api(env).end('tx-expire', p.producerId, p.producerEpoch, true)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
      // A tombstone was written, so a reload does not bring it back.
      const replica = coordinatorOf(env.cluster, 'tx-expire').replica('__transaction_state', offsetsPartitionFor('tx-expire', 3))!;
      const last = [...readBatches(replica.log, 0, replica.logEndOffset())].flatMap((b) => decodeBatchRecords(b)).at(-1)!;
      expect(decodeTransactionLogRecord(last.key!, last.value)).toEqual({ transactionalId: 'tx-expire', value: null });
    } finally {
      await env.close();
    }
  });

  it('needs DESCRIBE on the transactional id to find its coordinator and WRITE to use it', async () => {
    const tap = new MarkerTap();
    const env = await startCluster({ 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'allow.everyone.if.no.acl.found': 'false' }, tap);
    try {
      const a = api(env);
      expect((await a.find('tx-acl')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      expect((await a.init('tx-acl')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      expect(await a.end('tx-acl', 1, 0, true)).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      const allow = (resourceType: number, resourceName: string, operation: number) => ({ resourceType, resourceName, patternType: PatternType.LITERAL, principal: 'User:ANONYMOUS', host: '*', operation, permissionType: Permission.ALLOW });
      env.cluster.metadata.setAcls([allow(ResourceType.TRANSACTIONAL_ID, 'tx-acl', AclOp.DESCRIBE)]);
      expect((await a.find('tx-acl')).errorCode).toBe(0);
      expect((await a.init('tx-acl')).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      env.cluster.metadata.setAcls([allow(ResourceType.TRANSACTIONAL_ID, 'tx-acl', AclOp.WRITE), allow(ResourceType.TOPIC, 'events', AclOp.WRITE)]);
      env.cluster.controller.createTopic({ name: 'events', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }, false);
      const p = await initUntilDone(env, 'tx-acl');
      expect(p.errorCode).toBe(0);
      expect(await a.add('tx-acl', p.producerId, p.producerEpoch, [{ name: 'events', partitions: [0] }, { name: 'secret', partitions: [0] }])).toEqual([
        { topic: 'events', partition: 0, error: ErrorCode.OPERATION_NOT_ATTEMPTED },
        { topic: 'secret', partition: 0, error: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
      ]);
      expect((await a.add('tx-acl', p.producerId, p.producerEpoch, [{ name: 'events', partitions: [0] }]))[0]!.error).toBe(0);
      expect(await a.addOffsets('tx-acl', p.producerId, p.producerEpoch, 'g-acl')).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
      // The markers travel over the broker's own socket (a super user), whatever the client may do.
      expect(await a.end('tx-acl', p.producerId, p.producerEpoch, true)).toBe(0);
      const coord = coordinatorOf(env.cluster, 'tx-acl').transactions;
      await waitFor('CompleteCommit', () => coord.describe('tx-acl').state, (s) => s === 'CompleteCommit');
    } finally {
      await env.close();
    }
  });
});
