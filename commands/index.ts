/** Every kafka-ts subcommand, in the order `kafka-ts --help` lists them. */
import type { CommandSpec } from '../src/cli/command.js';
import topics from './topics.js';
import server from './server.js';
import serverStart from './server-start.js';
import consoleProducer from './console-producer.js';
import consoleConsumer from './console-consumer.js';
import consumerGroups from './consumer-groups.js';
import lag from './lag.js';
import reassignPartitions from './reassign-partitions.js';
import leaderElection from './leader-election.js';
import acls from './acls.js';
import completion from './completion.js';
import context from './context.js';
import configs from './configs.js';
import schemaRegistry from './schema-registry.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandSpec<any>[] = [topics, consoleProducer, consoleConsumer, consumerGroups, lag, reassignPartitions, leaderElection, acls, configs, schemaRegistry, context, server, serverStart, completion];
