/**
 * The short commands (issue 17): what the CLI's first bundle carries, so that a command line
 * naming one of them starts without loading the other commands (src/cli/main.ts; the rest come
 * from commands/index.ts, bundled apart by scripts/bundle.mjs). Every one is also in the full
 * list, commands/index.ts.
 */
import type { CommandSpec } from '../src/cli/command.js';
import topics from './topics.js';
import consumerGroups from './consumer-groups.js';
import configs from './configs.js';
import getOffsets from './get-offsets.js';
import cluster from './cluster.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SHORT_COMMANDS: CommandSpec<any>[] = [topics, consumerGroups, configs, getOffsets, cluster];
