/**
 * kafka-ts transactions (kafka-transactions.sh): its options, and each action's rules for them
 * (TransactionsCommand's subparsers), checked before anything reaches a broker.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { ConnectionOptionValues } from '../options.js';

export interface TransactionsOptions extends ConnectionOptionValues {
  transactionalId?: string;
  topic?: string;
  partition?: string;
  brokerId?: string;
  startOffset?: string;
  producerId?: string;
  producerEpoch?: string;
  coordinatorEpoch?: string;
  maxTransactionTimeout?: string;
  durationFilter?: string;
  state?: string;
  output: 'text' | 'json';
}

export const VERBS = ['list', 'describe', 'describe-producers', 'abort', 'find-hanging', 'force-terminate'] as const;
export type TransactionsVerb = (typeof VERBS)[number];

/** Kafka's transaction states (TransactionState's names), for --state. */
export const STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'PrepareEpochFence', 'Dead'];

/**
 * --state: Kafka's state names, in any case (the canonical spelling goes to the brokers). An
 * unknown name is a usage error: the brokers would only ignore it (ListTransactions'
 * UnknownStateFilters) and list nothing for it.
 */
export function parseStates(v: string): string[] {
  const names = v.split(',').map((s) => s.trim());
  if (names.every((s) => s === '')) throw new UsageError(`argument --state: expected one or more states (${STATES.join(', ')})`);
  return names
    .filter((s) => s !== '')
    .map((s) => {
      const found = STATES.find((x) => x.toLowerCase() === s.toLowerCase());
      if (!found) throw new UsageError(`argument --state: unknown transaction state '${s}' (valid states: ${STATES.join(', ')})`);
      return found;
    });
}

export function transactionsFlags(cmd: Command): void {
  cmd
    .argument('<verb>', `the action: ${VERBS.join(', ')}`)
    .option('--transactional-id <id>', 'describe, force-terminate: the transactional id')
    .option('--transactionalId <id>', "the same as --transactional-id (Kafka 4.1's spelling for forceTerminateTransaction)")
    .option('--topic <topic>', 'describe-producers, abort: the topic; find-hanging: limit the search to it')
    .option('--partition <n>', 'describe-producers, abort: the partition; find-hanging: with --topic, only this partition')
    .option('--broker-id <id>', 'describe-producers: ask this replica instead of the leader; find-hanging: search the partitions with a replica on it')
    .option('--start-offset <offset>', 'abort: the first offset of the open transaction to abort (brokers 3.0+)')
    .option('--producer-id <id>', 'abort: the producer id (with --producer-epoch and --coordinator-epoch); list: only these producer ids (comma-separated)')
    .option('--producer-epoch <epoch>', 'abort: the producer epoch')
    .option('--coordinator-epoch <epoch>', 'abort: the coordinator epoch (-1 counts as 0)')
    .option('--max-transaction-timeout <minutes>', 'find-hanging: transactions open longer than this are candidates (default 15)')
    .option('--duration-filter <ms>', 'list: only transactions running longer than this (negative: all)')
    .option('--state <states>', `list: only transactions in these states (comma-separated: ${STATES.join(', ')})`);
}

const int = (name: string, v: string, min = -2147483648, max = 2147483647): number => {
  if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`argument --${name}: could not convert '${v}' to an integer`);
  const n = Number(v.trim());
  if (n < min || n > max) throw new UsageError(`argument --${name}: ${v} is out of range (${min} to ${max})`);
  return n;
};
const long = (name: string, v: string) => int(name, v, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

/** Which options each action takes (argparse refuses the others). */
const ALLOWED: Record<TransactionsVerb, (keyof TransactionsOptions)[]> = {
  list: ['durationFilter', 'state', 'producerId'],
  describe: ['transactionalId'],
  'describe-producers': ['topic', 'partition', 'brokerId'],
  abort: ['topic', 'partition', 'startOffset', 'producerId', 'producerEpoch', 'coordinatorEpoch'],
  'find-hanging': ['brokerId', 'maxTransactionTimeout', 'topic', 'partition'],
  'force-terminate': ['transactionalId'],
};
const FLAG: Record<string, string> = {
  transactionalId: 'transactional-id',
  topic: 'topic',
  partition: 'partition',
  brokerId: 'broker-id',
  startOffset: 'start-offset',
  producerId: 'producer-id',
  producerEpoch: 'producer-epoch',
  coordinatorEpoch: 'coordinator-epoch',
  maxTransactionTimeout: 'max-transaction-timeout',
  durationFilter: 'duration-filter',
  state: 'state',
};

export type Plan =
  | { verb: 'list'; states?: string[]; producerIds?: number[]; durationMs?: number }
  | { verb: 'describe'; transactionalId: string }
  | { verb: 'describe-producers'; topic: string; partition: number; brokerId?: number }
  | { verb: 'abort'; topic: string; partition: number; startOffset?: number; producerId?: number; producerEpoch?: number; coordinatorEpoch?: number }
  | { verb: 'find-hanging'; topic?: string; partition?: number; brokerId?: number; maxTransactionTimeoutMinutes: number }
  | { verb: 'force-terminate'; transactionalId: string };

const required = (o: TransactionsOptions, k: keyof TransactionsOptions, verb: string): string => {
  const v = o[k];
  if (v === undefined || v === '') throw new UsageError(`transactions ${verb}: argument --${FLAG[k]} is required`);
  return v as string;
};

/** The action and its parsed arguments; every usage error before connecting. */
export function planOf(o: TransactionsOptions, args: string[]): Plan {
  const [given, ...extra] = args;
  // Kafka 4.1 names the action forceTerminateTransaction (KIP-939).
  const verb = given === 'forceTerminateTransaction' ? 'force-terminate' : given;
  if (!(VERBS as readonly string[]).includes(verb ?? '')) throw new UsageError(`invalid choice: '${verb}' (choose from ${VERBS.map((v) => `'${v}'`).join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unrecognized arguments: '${extra.join(' ')}'`);
  const v = verb as TransactionsVerb;
  for (const k of Object.keys(FLAG) as (keyof TransactionsOptions)[]) {
    if (o[k] !== undefined && !ALLOWED[v].includes(k)) throw new UsageError(`transactions ${v}: unrecognized argument --${FLAG[k]}`);
  }
  switch (v) {
    case 'list': {
      const states = o.state === undefined ? undefined : parseStates(o.state);
      const producerIds = o.producerId?.split(',').map((s) => long('producer-id', s));
      return { verb: v, ...(states && { states }), ...(producerIds && { producerIds }), ...(o.durationFilter !== undefined && { durationMs: long('duration-filter', o.durationFilter) }) };
    }
    case 'describe':
    case 'force-terminate':
      return { verb: v, transactionalId: required(o, 'transactionalId', v) };
    case 'describe-producers':
      return {
        verb: v,
        topic: required(o, 'topic', v),
        partition: int('partition', required(o, 'partition', v), 0),
        ...(o.brokerId !== undefined && { brokerId: int('broker-id', o.brokerId, 0) }),
      };
    case 'abort': {
      const topic = required(o, 'topic', v);
      const partition = int('partition', required(o, 'partition', v), 0);
      if (o.startOffset !== undefined) {
        if (o.producerId !== undefined) throw new UsageError('transactions abort: give either --start-offset or --producer-id with --producer-epoch and --coordinator-epoch, not both');
        return { verb: v, topic, partition, startOffset: long('start-offset', o.startOffset) };
      }
      if (o.producerId === undefined) {
        throw new UsageError('The transaction to abort must be identified either with --start-offset (for brokers on 3.0 or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older brokers)');
      }
      if (o.producerEpoch === undefined) throw new UsageError('Missing required argument --producer-epoch');
      if (o.coordinatorEpoch === undefined) throw new UsageError('Missing required argument --coordinator-epoch');
      return {
        verb: v,
        topic,
        partition,
        producerId: long('producer-id', o.producerId),
        producerEpoch: int('producer-epoch', o.producerEpoch, -32768, 32767),
        coordinatorEpoch: int('coordinator-epoch', o.coordinatorEpoch),
      };
    }
    case 'find-hanging': {
      if (o.topic === undefined && o.brokerId === undefined) throw new UsageError('The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search');
      if (o.partition !== undefined && o.topic === undefined) throw new UsageError('The --partition argument requires --topic to be provided');
      return {
        verb: v,
        ...(o.topic !== undefined && { topic: o.topic }),
        ...(o.partition !== undefined && { partition: int('partition', o.partition, 0) }),
        ...(o.brokerId !== undefined && { brokerId: int('broker-id', o.brokerId, 0) }),
        maxTransactionTimeoutMinutes: o.maxTransactionTimeout === undefined ? 15 : int('max-transaction-timeout', o.maxTransactionTimeout, 0),
      };
    }
  }
}
