/**
 * kafka-ts transactions: Kafka's table layouts (TransactionsCommand's headers, cells padded to the
 * column's width and each followed by a tab), the JSON documents, and each action's option rules.
 */
import { describe, expect, it } from 'vitest';
import { planOf } from '../../../src/cli/flags/transactions.js';
import { describeError } from '../../../src/cli/errors.js';
import { describeView, hangingView, listView, prettyTable, producersView } from '../../../src/tools/transactions.js';

describe('transactions layouts', () => {
  it("prettyTable pads each cell to its column's width and ends it with a tab", () => {
    expect(prettyTable(['A', 'Bee'], [['long', 'x']])).toEqual(['A   \tBee\t', 'long\tx  \t']);
  });

  it('list: TransactionalId, Coordinator, ProducerId, TransactionState', () => {
    const v = listView([
      { transactionalId: 'pay-1', coordinatorId: 0, producerId: 1000, state: 'Ongoing' },
      { transactionalId: 'orders', coordinatorId: 2, producerId: 7, state: 'CompleteCommit' },
    ]);
    expect(v.text()).toEqual([
      'TransactionalId\tCoordinator\tProducerId\tTransactionState\t',
      'pay-1          \t0          \t1000      \tOngoing         \t',
      'orders         \t2          \t7         \tCompleteCommit  \t',
    ]);
    expect(v.data).toEqual({
      transactions: [
        { transactionalId: 'pay-1', coordinator: 0, producerId: 1000, state: 'Ongoing' },
        { transactionalId: 'orders', coordinator: 2, producerId: 7, state: 'CompleteCommit' },
      ],
      unknownStates: [],
    });
    expect(listView([], ['Nope']).warnings!()).toEqual(['Unknown transaction state filter: Nope']);
  });

  it('describe: the start time and duration are None without an open transaction', () => {
    const base = { transactionalId: 't', coordinatorId: 1, state: 'Empty', producerId: 5, producerEpoch: 0, transactionTimeoutMs: 60000, transactionStartTimeMs: -1, topicPartitions: [] };
    expect(describeView(base).text()).toEqual([
      'CoordinatorId\tTransactionalId\tProducerId\tProducerEpoch\tTransactionState\tTransactionTimeoutMs\tCurrentTransactionStartTimeMs\tTransactionDurationMs\tTopicPartitions\t',
      '1            \tt              \t5         \t0            \tEmpty           \t60000               \tNone                         \tNone                 \t               \t',
    ]);
    const open = describeView({ ...base, state: 'Ongoing', transactionStartTimeMs: 1000, topicPartitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }] }, 4000);
    expect(open.text()[1]).toContain('\t1000                         \t3000                 \ta-0,a-2        \t');
    expect(open.data).toMatchObject({ state: 'Ongoing', currentTransactionStartTimeMs: 1000, transactionDurationMs: 3000, topicPartitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }] });
    expect(describeView(base).data).toMatchObject({ currentTransactionStartTimeMs: null, transactionDurationMs: null });
  });

  it('describe-producers: None for no open transaction; header only for none', () => {
    const v = producersView({
      topic: 'a',
      partition: 0,
      brokerId: 0,
      error: null,
      activeProducers: [
        { producerId: 1000, producerEpoch: 0, lastSequence: 4, lastTimestamp: 1700000000000, coordinatorEpoch: -1, currentTransactionStartOffset: 0 },
        { producerId: 3, producerEpoch: 1, lastSequence: 9, lastTimestamp: 1700000000001, coordinatorEpoch: 0, currentTransactionStartOffset: -1 },
      ],
    });
    expect(v.text()).toEqual([
      'ProducerId\tProducerEpoch\tLatestCoordinatorEpoch\tLastSequence\tLastTimestamp\tCurrentTransactionStartOffset\t',
      '1000      \t0            \t-1                    \t4           \t1700000000000\t0                            \t',
      '3         \t1            \t0                     \t9           \t1700000000001\tNone                         \t',
    ]);
    expect((v.data as { producers: unknown[] }).producers[1]).toEqual({ producerId: 3, producerEpoch: 1, latestCoordinatorEpoch: 0, lastSequence: 9, lastTimestamp: 1700000000001, currentTransactionStartOffset: null });
    expect(producersView({ topic: 'a', partition: 0, brokerId: 0, error: null, activeProducers: [] }).text()).toHaveLength(1);
  });

  it('find-hanging: duration in whole minutes since the last write', () => {
    const v = hangingView([{ topic: 'a', partition: 1, producer: { producerId: 9, producerEpoch: 0, lastSequence: 0, lastTimestamp: 0, coordinatorEpoch: -1, currentTransactionStartOffset: 12 } }], 125_000);
    expect(v.text()).toEqual([
      'Topic\tPartition\tProducerId\tProducerEpoch\tCoordinatorEpoch\tStartOffset\tLastTimestamp\tDuration(min)\t',
      'a    \t1        \t9         \t0            \t-1              \t12         \t0            \t2            \t',
    ]);
  });
});

describe('transactions options', () => {
  const o = (x: Record<string, string> = {}) => ({ output: 'text' as const, ...x });
  it.each([
    [[], /^invalid choice: 'undefined'/],
    [['frobnicate'], /^invalid choice: 'frobnicate' \(choose from 'list', 'describe'/],
    [['describe'], /^transactions describe: argument --transactional-id is required$/],
    [['describe-producers'], /argument --topic is required/],
    [['list', 'extra'], /^unrecognized arguments: 'extra'$/],
  ] as [string[], RegExp][])('%j is a usage error', (args, message) => {
    expect(() => planOf(o(), args)).toThrow(message);
  });

  it("checks each action's own rules as Kafka does", () => {
    expect(() => planOf(o({ topic: 't', partition: '0' }), ['abort'])).toThrow(/must be identified either with --start-offset/);
    expect(() => planOf(o({ topic: 't', partition: '0', producerId: '1' }), ['abort'])).toThrow('Missing required argument --producer-epoch');
    expect(() => planOf(o({ topic: 't', partition: '0', producerId: '1', producerEpoch: '0' }), ['abort'])).toThrow('Missing required argument --coordinator-epoch');
    expect(() => planOf(o(), ['find-hanging'])).toThrow('The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search');
    expect(() => planOf(o({ brokerId: '0', partition: '1' }), ['find-hanging'])).toThrow('The --partition argument requires --topic to be provided');
    expect(() => planOf(o({ topic: 't', partition: 'x' }), ['describe-producers'])).toThrow("argument --partition: could not convert 'x' to an integer");
    expect(() => planOf(o({ transactionalId: 'x' }), ['list'])).toThrow('transactions list: unrecognized argument --transactional-id');
    expect(planOf(o({ topic: 't', partition: '0', producerId: '1', producerEpoch: '2', coordinatorEpoch: '-1' }), ['abort'])).toEqual({ verb: 'abort', topic: 't', partition: 0, producerId: 1, producerEpoch: 2, coordinatorEpoch: -1 });
    expect(planOf(o({ transactionalId: 'app-1' }), ['forceTerminateTransaction'])).toEqual({ verb: 'force-terminate', transactionalId: 'app-1' });
    expect(planOf(o({ brokerId: '0' }), ['find-hanging'])).toEqual({ verb: 'find-hanging', brokerId: 0, maxTransactionTimeoutMinutes: 15 });
    expect(planOf(o({ state: 'Ongoing,PrepareCommit', producerId: '1,2', durationFilter: '5000' }), ['list'])).toEqual({ verb: 'list', states: ['Ongoing', 'PrepareCommit'], producerIds: [1, 2], durationMs: 5000 });
  });

  it('list --state: an unknown state is a usage error (exit 2), not a warning; names match in any case', () => {
    const refused = (state: string) => {
      try {
        planOf(o({ state }), ['list']);
      } catch (e) {
        return describeError(e);
      }
      throw new Error(`--state ${state} was accepted`);
    };
    expect(refused('Bogus')).toEqual({ line: "argument --state: unknown transaction state 'Bogus' (valid states: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, PrepareEpochFence, Dead)", code: 2 });
    expect(refused('Ongoing,Bogus').line).toMatch(/unknown transaction state 'Bogus'/);
    expect(refused(',').line).toMatch(/^argument --state: expected one or more states/);
    expect(planOf(o({ state: 'ongoing, COMPLETECOMMIT' }), ['list'])).toEqual({ verb: 'list', states: ['Ongoing', 'CompleteCommit'] });
  });
});
