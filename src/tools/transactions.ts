/**
 * kafka-ts transactions (kafka-transactions.sh): the work of each action and Kafka's layouts
 * (TransactionsCommand: a table whose cells are padded to the column's width, each followed by a
 * tab). Returns views; never prints or exits.
 */
import type { KafkaClient } from '../client/client.js';
import type { PartitionProducers, ProducerState, TransactionDescription, TransactionListing } from '../client/transactions-admin.js';
import { ErrorCode, KafkaProtocolError } from '../protocol/errors.js';
import { FailedError, KafkaTsError, NotFoundError, isKafkaTsError } from '../util/errors.js';

export interface Rendering {
  data: unknown;
  text(): string[];
  warnings?(): string[];
}

/** Kafka's ToolsUtils.prettyPrintTable: every cell padded to its column's width, then a tab. */
export function prettyTable(headers: readonly string[], rows: readonly string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [headers, ...rows].map((row) => row.map((c, i) => `${c.padEnd(widths[i]!)}\t`).join(''));
}

const tp = (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`;

/**
 * A failure as kafka-transactions.sh reports it ("<what>: <cause>."), keeping the cause's kind
 * (exit status): not found, denied, unreachable... TRANSACTIONAL_ID_NOT_FOUND and
 * UNKNOWN_TOPIC_OR_PARTITION become NotFound (4).
 */
export function failure(what: string, e: unknown): Error {
  if (!isKafkaTsError(e)) return e as Error;
  const cause = e.message.replace(/\.$/, '');
  if (e instanceof KafkaProtocolError && (e.code === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND || e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)) {
    return new NotFoundError(`${what}: ${cause}`, { hint: e.hint, cause: e });
  }
  if (e.kind === 'protocol') return new FailedError(`${what}: ${cause}`, { hint: e.hint, cause: e });
  // Keep the kind (denied, unreachable, auth, ...): only the message gains the context.
  return new KafkaTsError(e.kind, `${what}: ${cause}`, { hint: e.hint, cause: e });
}

async function step<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw failure(what, e);
  }
}

// ---- list --------------------------------------------------------------------------------------

export const LIST_HEADERS = ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'];

export function listView(listings: TransactionListing[], unknownStates: string[] = []): Rendering {
  return {
    data: { transactions: listings.map((l) => ({ transactionalId: l.transactionalId, coordinator: l.coordinatorId, producerId: l.producerId, state: l.state })), unknownStates },
    text: () => prettyTable(LIST_HEADERS, listings.map((l) => [l.transactionalId, String(l.coordinatorId), String(l.producerId), l.state])),
    warnings: () => unknownStates.map((s) => `Unknown transaction state filter: ${s}`),
  };
}

export async function list(client: KafkaClient, filters: { states?: string[]; producerIds?: number[]; durationMs?: number }): Promise<Rendering> {
  const { listTransactions } = await import('../client/transactions-admin.js');
  const r = await step('Failed to list transactions', () => listTransactions(client, filters));
  return listView(r.listings, r.unknownStates);
}

// ---- describe ----------------------------------------------------------------------------------

export const DESCRIBE_HEADERS = [
  'CoordinatorId',
  'TransactionalId',
  'ProducerId',
  'ProducerEpoch',
  'TransactionState',
  'TransactionTimeoutMs',
  'CurrentTransactionStartTimeMs',
  'TransactionDurationMs',
  'TopicPartitions',
];

export function describeView(d: TransactionDescription, now = Date.now()): Rendering {
  const open = d.transactionStartTimeMs >= 0;
  const durationMs = open ? now - d.transactionStartTimeMs : null;
  return {
    data: {
      coordinatorId: d.coordinatorId,
      transactionalId: d.transactionalId,
      producerId: d.producerId,
      producerEpoch: d.producerEpoch,
      state: d.state,
      transactionTimeoutMs: d.transactionTimeoutMs,
      currentTransactionStartTimeMs: open ? d.transactionStartTimeMs : null,
      transactionDurationMs: durationMs,
      topicPartitions: d.topicPartitions,
    },
    text: () =>
      prettyTable(DESCRIBE_HEADERS, [
        [
          String(d.coordinatorId),
          d.transactionalId,
          String(d.producerId),
          String(d.producerEpoch),
          d.state,
          String(d.transactionTimeoutMs),
          open ? String(d.transactionStartTimeMs) : 'None',
          durationMs === null ? 'None' : String(durationMs),
          d.topicPartitions.map(tp).join(','),
        ],
      ]),
  };
}

export async function describe(client: KafkaClient, transactionalId: string): Promise<Rendering> {
  const { describeTransaction } = await import('../client/transactions-admin.js');
  const d = await step(`Failed to describe transaction state of transactional-id \`${transactionalId}\``, () => describeTransaction(client, transactionalId));
  return describeView(d);
}

// ---- describe-producers ------------------------------------------------------------------------

export const PRODUCER_HEADERS = ['ProducerId', 'ProducerEpoch', 'LatestCoordinatorEpoch', 'LastSequence', 'LastTimestamp', 'CurrentTransactionStartOffset'];

const producerJson = (s: ProducerState) => ({
  producerId: s.producerId,
  producerEpoch: s.producerEpoch,
  latestCoordinatorEpoch: s.coordinatorEpoch,
  lastSequence: s.lastSequence,
  lastTimestamp: s.lastTimestamp,
  currentTransactionStartOffset: s.currentTransactionStartOffset >= 0 ? s.currentTransactionStartOffset : null,
});

export function producersView(r: PartitionProducers): Rendering {
  return {
    data: { topic: r.topic, partition: r.partition, brokerId: r.brokerId, producers: r.activeProducers.map(producerJson) },
    text: () =>
      prettyTable(
        PRODUCER_HEADERS,
        r.activeProducers.map((s) => [
          String(s.producerId),
          String(s.producerEpoch),
          String(s.coordinatorEpoch),
          String(s.lastSequence),
          String(s.lastTimestamp),
          s.currentTransactionStartOffset >= 0 ? String(s.currentTransactionStartOffset) : 'None',
        ]),
      ),
  };
}

async function producersOf(client: KafkaClient, topic: string, partition: number, brokerId: number | undefined): Promise<PartitionProducers> {
  const { describeProducers } = await import('../client/transactions-admin.js');
  const what = `Failed to describe producers for partition ${topic}-${partition} on ${brokerId === undefined ? 'leader' : `broker ${brokerId}`}`;
  const [r] = await step(what, () => describeProducers(client, [{ topic, partition }], brokerId));
  if (!r) throw new FailedError(`${what}: no answer for the partition`);
  if (r.error) throw failure(what, r.error);
  return r;
}

export async function describeProducersAction(client: KafkaClient, topic: string, partition: number, brokerId?: number): Promise<Rendering> {
  return producersView(await producersOf(client, topic, partition, brokerId));
}

// ---- abort -------------------------------------------------------------------------------------

export interface AbortTarget {
  topic: string;
  partition: number;
  startOffset?: number;
  producerId?: number;
  producerEpoch?: number;
  coordinatorEpoch?: number;
}

export async function abort(client: KafkaClient, t: AbortTarget): Promise<Rendering> {
  const { abortTransaction } = await import('../client/transactions-admin.js');
  let spec: { topic: string; partition: number; producerId: number; producerEpoch: number; coordinatorEpoch: number };
  if (t.startOffset !== undefined) {
    const r = await producersOf(client, t.topic, t.partition, undefined).catch((e: unknown) => {
      throw failure(`Failed to validate producer state for partition ${t.topic}-${t.partition}`, (e as Error & { cause?: unknown }).cause ?? e);
    });
    const found = r.activeProducers.find((s) => s.currentTransactionStartOffset === t.startOffset);
    if (!found) throw new NotFoundError(`Could not find any open transactions starting at offset ${t.startOffset} on partition ${t.topic}-${t.partition}`);
    spec = { topic: t.topic, partition: t.partition, producerId: found.producerId, producerEpoch: found.producerEpoch, coordinatorEpoch: Math.max(0, found.coordinatorEpoch) };
  } else {
    // A coordinator epoch of -1 (no marker seen yet): 0, which is at most any leader epoch (as Kafka).
    spec = { topic: t.topic, partition: t.partition, producerId: t.producerId!, producerEpoch: t.producerEpoch!, coordinatorEpoch: Math.max(0, t.coordinatorEpoch!) };
  }
  const s = spec;
  const label = `AbortTransactionSpec(topicPartition=${s.topic}-${s.partition}, producerId=${s.producerId}, producerEpoch=${s.producerEpoch}, coordinatorEpoch=${s.coordinatorEpoch})`;
  await step(`Failed to abort transaction ${label}`, () => abortTransaction(client, s));
  // kafka-transactions.sh abort prints nothing when it succeeds.
  return { data: { aborted: s }, text: () => [] };
}

// ---- force-terminate ---------------------------------------------------------------------------

export async function forceTerminate(client: KafkaClient, transactionalId: string): Promise<Rendering> {
  const { fenceTransactionalId } = await import('../client/transactions-admin.js');
  const r = await step(`Failed to force-terminate transactional-id \`${transactionalId}\``, () => fenceTransactionalId(client, transactionalId));
  return { data: { transactionalId, producerId: r.producerId, producerEpoch: r.producerEpoch, coordinatorId: r.coordinatorId }, text: () => [] };
}

// ---- find-hanging ------------------------------------------------------------------------------

export const HANGING_HEADERS = ['Topic', 'Partition', 'ProducerId', 'ProducerEpoch', 'CoordinatorEpoch', 'StartOffset', 'LastTimestamp', 'Duration(min)'];

export interface OpenTransaction {
  topic: string;
  partition: number;
  producer: ProducerState;
}

export function hangingView(open: OpenTransaction[], now = Date.now()): Rendering {
  const rows = open.map((o) => ({
    topic: o.topic,
    partition: o.partition,
    producerId: o.producer.producerId,
    producerEpoch: o.producer.producerEpoch,
    coordinatorEpoch: o.producer.coordinatorEpoch,
    startOffset: o.producer.currentTransactionStartOffset,
    lastTimestamp: o.producer.lastTimestamp,
    durationMinutes: Math.floor((now - o.producer.lastTimestamp) / 60_000),
  }));
  return {
    data: { hanging: rows },
    text: () =>
      prettyTable(
        HANGING_HEADERS,
        rows.map((r) => [r.topic, String(r.partition), String(r.producerId), String(r.producerEpoch), String(r.coordinatorEpoch), String(r.startOffset), String(r.lastTimestamp), String(r.durationMinutes)]),
      ),
  };
}

/**
 * Kafka's find-hanging: the open transactions (on the partitions of --topic, or on those with a
 * replica on --broker-id) older than the maximum transaction timeout whose producer id no
 * coordinator knows, or whose coordinator does not list the partition in the transaction.
 */
export async function findHanging(
  client: KafkaClient,
  o: { brokerId?: number; topic?: string; partition?: number; maxTransactionTimeoutMinutes: number },
  now = () => Date.now(),
): Promise<Rendering> {
  const ta = await import('../client/transactions-admin.js');
  const { Admin } = await import('../client/admin.js');
  const admin = new Admin(client);
  // A broker that is not in the cluster holds nothing: an empty report would read as "none hanging".
  if (o.brokerId !== undefined) {
    const brokers = (await step('Failed to describe the cluster', () => admin.describeCluster())).brokers.map((b) => b.nodeId);
    if (!brokers.includes(o.brokerId)) throw new NotFoundError(`Broker ${o.brokerId} is not in the cluster or not running (live brokers: ${brokers.sort((a, b) => a - b).join(', ')})`);
  }
  let partitions: { topic: string; partition: number }[];
  if (o.topic !== undefined && o.partition !== undefined) {
    partitions = [{ topic: o.topic, partition: o.partition }];
  } else {
    const topics = o.topic !== undefined ? [o.topic] : (await step('Failed to list topics', () => admin.listTopics())).map((t) => t.name);
    const described = await step(`Failed to describe ${topics.length} topics`, () => admin.describeTopics(topics));
    if (o.topic !== undefined && described.length === 0) throw new NotFoundError(`Failed to describe 1 topics: Topic '${o.topic}' does not exist`);
    partitions = described.flatMap((t) => t.partitions.filter((p) => o.brokerId === undefined || p.replicas.includes(o.brokerId)).map((p) => ({ topic: t.name, partition: p.partition })));
  }
  const maxMs = o.maxTransactionTimeoutMinutes * 60_000;
  const candidates: OpenTransaction[] = [];
  const BATCH = 500;
  for (let i = 0; i < partitions.length; i += BATCH) {
    const batch = partitions.slice(i, i + BATCH);
    const results = await step(`Failed to describe producers for ${batch.length} partitions on broker ${o.brokerId ?? 'Optional.empty'}`, () => ta.describeProducers(client, batch, o.brokerId));
    const at = now();
    for (const r of results) {
      // A partition the broker does not lead or host is skipped, as its producers live elsewhere;
      // one named with --partition that does not exist fails, as in Kafka (not "none hanging").
      if (r.error) {
        const named = o.partition !== undefined && r.error.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (!named && (r.error.code === ErrorCode.NOT_LEADER_OR_FOLLOWER || r.error.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)) continue;
        throw failure(`Failed to describe producers for ${batch.length} partitions on broker ${o.brokerId ?? 'Optional.empty'}`, r.error);
      }
      for (const p of r.activeProducers) {
        if (p.currentTransactionStartOffset >= 0 && at - p.lastTimestamp > maxMs) candidates.push({ topic: r.topic, partition: r.partition, producer: p });
      }
    }
  }
  if (candidates.length === 0) return hangingView([], now());
  const producerIds = [...new Set(candidates.map((c) => c.producer.producerId))];
  const { listings } = await step(`Failed to list transactions for ${producerIds.length} producers`, () => ta.listTransactions(client, { producerIds }));
  const idOf = new Map<number, string>();
  for (const l of listings) if (producerIds.includes(l.producerId)) idOf.set(l.producerId, l.transactionalId);
  const descriptions = new Map<string, TransactionDescription | null>();
  for (const id of new Set(idOf.values())) {
    try {
      descriptions.set(id, await ta.describeTransaction(client, id));
    } catch (e) {
      if (e instanceof KafkaProtocolError && e.code === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND) descriptions.set(id, null);
      else throw failure(`Failed to describe ${idOf.size} transactions`, e);
    }
  }
  const hanging = candidates.filter((c) => {
    const id = idOf.get(c.producer.producerId);
    const d = id === undefined ? null : descriptions.get(id);
    // The coordinator still expects to write a marker to a partition it lists: not hanging.
    return !d || !d.topicPartitions.some((p) => p.topic === c.topic && p.partition === c.partition);
  });
  return hangingView(hanging, now());
}
