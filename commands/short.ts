/**
 * The short commands (issue 17): what the CLI's first bundle carries, so that a command line
 * naming one of them starts without loading the other commands (src/cli/main.ts; the rest come
 * from commands/index.ts, bundled apart by scripts/bundle.mjs). Every one is also in the full
 * list, commands/index.ts. The admin commands that share the short ones' client and tools add
 * ~55 KB (about 0.5 ms to every short command) and spare themselves the second bundle (~4 ms);
 * the console, perf, streams, schema-registry, server and TUI commands load it.
 */
import type { CommandSpec } from '../src/cli/command.js';
import topics from './topics.js';
import consumerGroups from './consumer-groups.js';
import configs from './configs.js';
import getOffsets from './get-offsets.js';
import cluster from './cluster.js';
import brokerApiVersions from './broker-api-versions.js';
import acls from './acls.js';
import features from './features.js';
import logDirs from './log-dirs.js';
import deleteRecords from './delete-records.js';
import metadataQuorum from './metadata-quorum.js';
import leaderElection from './leader-election.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SHORT_COMMANDS: CommandSpec<any>[] = [topics, consumerGroups, configs, getOffsets, cluster, brokerApiVersions, acls, features, logDirs, deleteRecords, metadataQuorum, leaderElection];
