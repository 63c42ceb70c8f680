/** Every kafka-ts subcommand, in the order `kafka-ts --help` lists them. */
import type { CommandSpec } from '../src/cli/command.js';
import topics from './topics.js';
import consoleProducer from './console-producer.js';
import consoleConsumer from './console-consumer.js';
import consumerGroups from './consumer-groups.js';
import lag from './lag.js';
import reassignPartitions from './reassign-partitions.js';
import leaderElection from './leader-election.js';
import acls from './acls.js';
import configs from './configs.js';
import getOffsets from './get-offsets.js';
import deleteRecords from './delete-records.js';
import logDirs from './log-dirs.js';
import dumpLog from './dump-log.js';
import brokerApiVersions from './broker-api-versions.js';
import producerPerfTest from './producer-perf-test.js';
import consumerPerfTest from './consumer-perf-test.js';
import e2eLatency from './e2e-latency.js';
import transactions from './transactions.js';
import streamsApplicationReset from './streams-application-reset.js';
import streams from './streams.js';
import cluster from './cluster.js';
import features from './features.js';
import metadataQuorum from './metadata-quorum.js';
import schemaRegistry from './schema-registry.js';
import context from './context.js';
import server from './server.js';
import serverStart from './server-start.js';
import completion from './completion.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandSpec<any>[] = [topics, consoleProducer, consoleConsumer, consumerGroups, lag, reassignPartitions, leaderElection, acls, configs, getOffsets, deleteRecords, logDirs, dumpLog, brokerApiVersions, producerPerfTest, consumerPerfTest, e2eLatency, transactions, streamsApplicationReset, streams, cluster, features, metadataQuorum, schemaRegistry, context, server, serverStart, completion];
