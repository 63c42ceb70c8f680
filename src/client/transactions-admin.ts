/**
 * Transaction administration over the Kafka protocol, as Kafka's Admin does it: list transactions
 * (ListTransactions to every broker, merged), describe them (DescribeTransactions to each
 * transactional id's coordinator, found with FindCoordinator key type 1), describe the producers
 * of partitions (DescribeProducers to the leader, or to a named replica), abort a hanging
 * transaction (WriteTxnMarkers with an abort marker to the partition's leader) and fence a
 * transactional id (InitProducerId to its coordinator: the epoch bump aborts its open transaction).
 */
import {
  DescribeProducers,
  DescribeTransactions,
  FindCoordinator,
  InitProducerId,
  ListTransactions,
  WriteTxnMarkers,
} from '../protocol/apis/index.js';
import { denialMessage } from '../protocol/acls.js';
import { ErrorCode, KafkaProtocolError } from '../protocol/errors.js';
import type { KafkaClient } from './client.js';

export interface TransactionListing {
  transactionalId: string;
  producerId: number;
  state: string;
  /** The broker (coordinator) that reported it. */
  coordinatorId: number;
}

export interface TransactionDescription {
  transactionalId: string;
  coordinatorId: number;
  state: string;
  producerId: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** -1 when no transaction is open. */
  transactionStartTimeMs: number;
  topicPartitions: { topic: string; partition: number }[];
}

export interface ProducerState {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  /** -1 when the partition has seen no marker of this producer. */
  coordinatorEpoch: number;
  /** -1 when the producer has no open transaction on the partition. */
  currentTransactionStartOffset: number;
}

export interface PartitionProducers {
  topic: string;
  partition: number;
  /** The broker that answered. */
  brokerId: number;
  error: KafkaProtocolError | null;
  activeProducers: ProducerState[];
}

export interface AbortSpec {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const COORDINATOR_ERRORS = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);
const TXN_KEY_TYPE = 1;

const byTopic = (partitions: readonly { topic: string; partition: number }[]): Map<string, number[]> => {
  const m = new Map<string, number[]>();
  for (const p of partitions) m.set(p.topic, [...(m.get(p.topic) ?? []), p.partition]);
  return m;
};

/**
 * Every transaction the brokers coordinate (ListTransactions goes to each broker; each answers for
 * the transactional ids it coordinates and the principal may describe). Filters: states (Kafka's
 * names, e.g. Ongoing), producer ids, and (ListTransactions v1) only transactions running longer
 * than `durationMs`. Sorted by coordinator, then transactional id.
 */
export async function listTransactions(
  client: KafkaClient,
  filters: { states?: string[]; producerIds?: number[]; durationMs?: number } = {},
): Promise<{ listings: TransactionListing[]; unknownStates: string[] }> {
  const md = await client.refreshMetadata([]);
  const listings: TransactionListing[] = [];
  const unknown = new Set<string>();
  const durationMs = filters.durationMs ?? -1;
  for (const nodeId of [...md.brokers.keys()].sort((a, b) => a - b)) {
    if (durationMs >= 0 && !(await client.supports(ListTransactions, 1, nodeId))) {
      throw new KafkaProtocolError(ErrorCode.UNSUPPORTED_VERSION, `Broker ${nodeId} does not support the duration filter of ListTransactions (v1)`);
    }
    const { body } = await client.send(nodeId, ListTransactions, { stateFilters: filters.states ?? [], producerIdFilters: filters.producerIds ?? [], durationFilter: durationMs });
    if (body.errorCode) throw new KafkaProtocolError(body.errorCode, denialMessage(body.errorCode, 'list transactions', null));
    for (const s of body.unknownStateFilters) unknown.add(s);
    for (const t of body.transactionStates) listings.push({ transactionalId: t.transactionalId, producerId: t.producerId, state: t.transactionState, coordinatorId: nodeId });
  }
  listings.sort((a, b) => a.coordinatorId - b.coordinatorId || (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
  return { listings, unknownStates: [...unknown] };
}

/** The broker coordinating `transactionalId` (retrying while it is loading or moving). */
export async function findTransactionCoordinator(client: KafkaClient, transactionalId: string): Promise<number> {
  const deadline = Date.now() + client.connectTimeoutMs;
  for (;;) {
    const { body } = await client.send('any', FindCoordinator, (v) => (v >= 4 ? { keyType: TXN_KEY_TYPE, coordinatorKeys: [transactionalId] } : { key: transactionalId, keyType: TXN_KEY_TYPE }));
    const c = body.coordinators?.[0] ?? { nodeId: body.nodeId ?? -1, errorCode: body.errorCode ?? 0, errorMessage: body.errorMessage ?? null };
    if (!c.errorCode) {
      if (!client.cluster.brokers.has(c.nodeId)) await client.refreshMetadata([]);
      return c.nodeId;
    }
    if (!COORDINATOR_ERRORS.has(c.errorCode) || Date.now() > deadline) {
      throw new KafkaProtocolError(c.errorCode, denialMessage(c.errorCode, `describe transactional id ${transactionalId}`, c.errorMessage));
    }
    await sleep(100);
  }
}

/** Runs `op` against the id's coordinator, finding it again on coordinator errors. */
async function withCoordinator<T>(client: KafkaClient, transactionalId: string, op: (nodeId: number) => Promise<T>, errorOf: (r: T) => number): Promise<{ result: T; nodeId: number }> {
  const deadline = Date.now() + client.connectTimeoutMs;
  for (;;) {
    const nodeId = await findTransactionCoordinator(client, transactionalId);
    const result = await op(nodeId);
    if (!COORDINATOR_ERRORS.has(errorOf(result)) || Date.now() > deadline) return { result, nodeId };
    await sleep(100);
  }
}

/** Describes one transactional id at its coordinator (TRANSACTIONAL_ID_NOT_FOUND when it has none). */
export async function describeTransaction(client: KafkaClient, transactionalId: string): Promise<TransactionDescription> {
  const { result, nodeId } = await withCoordinator(
    client,
    transactionalId,
    (node) => client.send(node, DescribeTransactions, { transactionalIds: [transactionalId] }),
    (r) => r.body.transactionStates[0]?.errorCode ?? 0,
  );
  const s = result.body.transactionStates.find((x) => x.transactionalId === transactionalId) ?? result.body.transactionStates[0];
  if (!s) throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, `The coordinator did not describe transactional id ${transactionalId}`);
  if (s.errorCode) {
    const msg = s.errorCode === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND ? `The transactionalId could not be found: ${transactionalId}` : null;
    throw new KafkaProtocolError(s.errorCode, denialMessage(s.errorCode, `describe transactional id ${transactionalId}`, msg));
  }
  return {
    transactionalId,
    coordinatorId: nodeId,
    state: s.transactionState,
    producerId: s.producerId,
    producerEpoch: s.producerEpoch,
    transactionTimeoutMs: s.transactionTimeoutMs,
    transactionStartTimeMs: s.transactionStartTimeMs,
    topicPartitions: s.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))).sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1)),
  };
}

/**
 * The active producers of partitions, from each partition's leader (or from `brokerId`, any
 * replica). Per-partition errors are returned, not thrown.
 */
export async function describeProducers(client: KafkaClient, partitions: { topic: string; partition: number }[], brokerId?: number): Promise<PartitionProducers[]> {
  const targets = new Map<number, { topic: string; partition: number }[]>();
  const out: PartitionProducers[] = [];
  for (const p of partitions) {
    let node = brokerId;
    if (node === undefined) {
      try {
        node = await client.leaderFor(p.topic, p.partition);
      } catch (e) {
        if (!(e instanceof KafkaProtocolError)) throw e;
        out.push({ ...p, brokerId: -1, error: e, activeProducers: [] });
        continue;
      }
    }
    targets.set(node, [...(targets.get(node) ?? []), p]);
  }
  if (brokerId !== undefined && !client.cluster.brokers.has(brokerId)) await client.refreshMetadata([]);
  for (const [node, ps] of targets) {
    const { body } = await client.send(node, DescribeProducers, { topics: [...byTopic(ps)].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) });
    for (const t of body.topics) {
      for (const p of t.partitions) {
        out.push({
          topic: t.name,
          partition: p.partitionIndex,
          brokerId: node,
          error: p.errorCode ? new KafkaProtocolError(p.errorCode, denialMessage(p.errorCode, `read topic ${t.name}`, p.errorMessage)) : null,
          activeProducers: p.activeProducers.map((a) => ({
            producerId: a.producerId,
            producerEpoch: a.producerEpoch,
            lastSequence: a.lastSequence,
            lastTimestamp: a.lastTimestamp,
            coordinatorEpoch: a.coordinatorEpoch,
            currentTransactionStartOffset: a.currentTxnStartOffset,
          })),
        });
      }
    }
  }
  return out;
}

/**
 * Aborts a transaction on one partition, as Admin.abortTransaction: an abort marker for the
 * producer (id, epoch, coordinator epoch) written by the partition's leader (WriteTxnMarkers;
 * needs CLUSTER_ACTION on the cluster).
 */
export async function abortTransaction(client: KafkaClient, spec: AbortSpec): Promise<void> {
  const leader = await client.leaderFor(spec.topic, spec.partition);
  const { body } = await client.send(leader, WriteTxnMarkers, {
    markers: [
      {
        producerId: spec.producerId,
        producerEpoch: spec.producerEpoch,
        transactionResult: false,
        topics: [{ name: spec.topic, partitionIndexes: [spec.partition] }],
        coordinatorEpoch: spec.coordinatorEpoch,
      },
    ],
  });
  const code = body.markers[0]?.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
  if (code) throw new KafkaProtocolError(code, denialMessage(code, 'write transaction markers (CLUSTER_ACTION on the cluster)', null));
}

/**
 * Fences a transactional id (Admin.fenceProducers / forceTerminateTransaction): InitProducerId at
 * its coordinator bumps the epoch, which aborts the open transaction of the previous epoch. Returns
 * the new producer id and epoch.
 */
export async function fenceTransactionalId(client: KafkaClient, transactionalId: string): Promise<{ producerId: number; producerEpoch: number; coordinatorId: number }> {
  const deadline = Date.now() + client.connectTimeoutMs;
  for (;;) {
    const { result, nodeId } = await withCoordinator(
      client,
      transactionalId,
      // A 1 ms timeout: the fencing producer never writes (as Kafka's FenceProducersHandler).
      (node) => client.send(node, InitProducerId, { transactionalId, transactionTimeoutMs: 1, producerId: -1, producerEpoch: -1 }),
      (r) => r.body.errorCode,
    );
    const code = result.body.errorCode;
    if (!code) return { producerId: result.body.producerId, producerEpoch: result.body.producerEpoch, coordinatorId: nodeId };
    // CONCURRENT_TRANSACTIONS: the coordinator is still completing the aborted transaction.
    if (code !== ErrorCode.CONCURRENT_TRANSACTIONS || Date.now() > deadline) {
      throw new KafkaProtocolError(code, denialMessage(code, `fence transactional id ${transactionalId}`, null));
    }
    await sleep(100);
  }
}
