/** The man page of kafka-ts transactions (kafka-ts-transactions(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'list, describe and repair transactions (kafka-transactions.sh)',
  synopsis: [
    'list [--state STATES] [--producer-id IDS] [--duration-filter MS]',
    'describe --transactional-id ID',
    'describe-producers --topic TOPIC --partition N [--broker-id ID]',
    'abort --topic TOPIC --partition N (--start-offset OFFSET | --producer-id ID --producer-epoch E --coordinator-epoch C)',
    'find-hanging (--broker-id ID | --topic TOPIC [--partition N]) [--max-transaction-timeout MINUTES]',
    'force-terminate --transactional-id ID',
  ],
  description: [
    "The actions of kafka-transactions.sh, with its table layouts (each cell padded to its column's width and followed by a tab). list asks every broker (ListTransactions) for the transactions it coordinates and prints TransactionalId, Coordinator, ProducerId, TransactionState; --state (kafka-ts: comma-separated Kafka state names such as Ongoing,PrepareCommit, in any case; any other name is a usage error, exit 2), --producer-id (comma-separated) and --duration-filter (only transactions running longer than that many milliseconds) narrow it. describe asks the transactional id's coordinator (FindCoordinator, DescribeTransactions) and prints CoordinatorId, TransactionalId, ProducerId, ProducerEpoch, TransactionState, TransactionTimeoutMs, CurrentTransactionStartTimeMs and TransactionDurationMs (the time since that start; both None only when the coordinator has no start time, as for a transactional id in state Empty that has not begun a transaction; a completed transaction, CompleteCommit or CompleteAbort, keeps its start time, so a duration is printed for it and keeps growing, as Kafka prints it) and TopicPartitions (topic-partition, comma-separated).",
    'describe-producers prints the active producers of a partition as its leader (or, with --broker-id, that replica) keeps them (DescribeProducers): ProducerId, ProducerEpoch, LatestCoordinatorEpoch (-1 before any marker), LastSequence, LastTimestamp and CurrentTransactionStartOffset (None without an open transaction).',
    "find-hanging looks for hanging transactions: open transactions (on the partitions of --topic, or on those with a replica on --broker-id) whose producer wrote last more than --max-transaction-timeout minutes ago (15 by default, the broker's transaction.max.timeout.ms) and whose coordinator either does not know the producer id or does not list the partition in the transaction, so no marker will ever end them; they hold back the last stable offset and every read_committed consumer. It prints Topic, Partition, ProducerId, ProducerEpoch, CoordinatorEpoch, StartOffset, LastTimestamp, Duration(min). abort ends one by writing an abort marker to the partition (WriteTxnMarkers to its leader, which needs ClusterAction on the cluster): identified by --start-offset (the StartOffset shown), or by producer id, epoch and coordinator epoch. It prints nothing on success, as Kafka.",
    'force-terminate fences a transactional id as Kafka\'s Admin.forceTerminateTransaction does: InitProducerId at its coordinator bumps the producer epoch, which aborts its open transaction; the producer still using the old epoch gets PRODUCER_FENCED. It prints nothing on success. Kafka 4.1\'s spelling, forceTerminateTransaction --transactionalId ID, is accepted too.',
    'With --output json: list {"transactions":[{"transactionalId","coordinator","producerId","state"}],"unknownStates":[]}; describe one object with the table\'s fields (times null when no transaction is open, topicPartitions as [{"topic","partition"}]); describe-producers {"topic","partition","brokerId","producers":[…]}; find-hanging {"hanging":[…]}; abort {"aborted":{…}}; force-terminate the new producer id and epoch.',
  ],
  examples: [
    ['Every open transaction', 'kafka-ts transactions list --state Ongoing'],
    ['The state of one transactional id', 'kafka-ts transactions describe --transactional-id payments-1'],
    ['Find and abort a hanging transaction', 'kafka-ts transactions find-hanging --broker-id 0 && kafka-ts transactions abort --topic orders --partition 0 --start-offset 42'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'AuthFailed', 'Denied'],
  exitNotes: [
    '4 for a transactional id its coordinator does not know (TRANSACTIONAL_ID_NOT_FOUND), an unknown topic or partition, a --broker-id not in the cluster (find-hanging), or abort --start-offset with no open transaction starting there; 1 for other refusals (NOT_LEADER_OR_FOLLOWER from describe-producers --broker-id of a replica that is not the leader when it has no producer state, a stale epoch); 8 when the ACLs refuse (Describe on the transactional id or topic; ClusterAction for abort).',
  ],
  differences: [
    'kafka-transactions.sh exits 1 for every failure and argparse usage errors; kafka-ts uses its exit statuses (2 usage, 4 not found, 8 denied). list --state and --producer-id are kafka-ts additions (the request fields Kafka\'s Admin offers). --transactional-id-pattern (ListTransactions v2, Kafka 4.1) is not offered. find-hanging skips a partition the asked broker does not host (NOT_LEADER_OR_FOLLOWER) instead of failing the whole search.',
  ],
};
