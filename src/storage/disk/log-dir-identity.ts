/**
 * Whose a log directory is: Kafka's meta.properties (version, cluster.id, node.id) in the
 * directory, written when a broker first uses it and checked at every start after. A broker of
 * another cluster refuses the directory, as Kafka's refuses it ("Invalid cluster.id in ..."),
 * instead of taking every partition log in it for a stray one of its own cluster and removing it:
 * a metadata log moved aside (or lost) starts a new, empty cluster, whose brokers would otherwise
 * delete all the data of the old one at their first start.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from './fs-ops.js';
import { join } from 'node:path';
import { KafkaTsError } from '../../util/errors.js';
import { parseProperties } from '../../util/properties.js';

export const META_PROPERTIES = 'meta.properties';

/** A log directory that belongs to another cluster or broker: the broker does not start. */
export class LogDirIdentityError extends KafkaTsError {
  override name = 'LogDirIdentityError';
  constructor(message: string) {
    super('failed', message);
  }
}

export interface LogDirOwner {
  clusterId: string;
  nodeId: number;
  /** The cluster's metadata was made at this start (no metadata log was there before). */
  newCluster: boolean;
  /** How many partition logs the directory holds. */
  partitionLogs: number;
}

/**
 * Checks `dir`'s meta.properties against `owner`, writing it when there is none. A directory
 * without one that already holds partition logs while the cluster is new is refused too: the logs
 * of an older kafka-ts (before meta.properties) whose metadata is gone.
 */
export function claimLogDir(dir: string, owner: LogDirOwner, warn: (line: string) => void): void {
  const file = join(dir, META_PROPERTIES);
  if (!existsSync(file)) {
    if (owner.newCluster && owner.partitionLogs > 0) {
      throw new LogDirIdentityError(
        `The log directory ${dir} holds ${owner.partitionLogs} partition log(s), but the cluster metadata is new (${owner.clusterId}): ` +
          'they are not this cluster\'s, and would be removed as stray logs. Restore the metadata (meta/metadata.log) they belong to, or move the log directory aside to start an empty cluster.',
      );
    }
    const tmp = `${file}.tmp`;
    try {
      writeFileSync(tmp, `#\n#${new Date().toString()}\nversion=1\ncluster.id=${owner.clusterId}\nnode.id=${owner.nodeId}\n`);
      renameSync(tmp, file);
    } catch (e) {
      // The directory's own failures (a full disk) are met and reported by its logs: the claim is
      // a guard, and its absence is what a directory of an older kafka-ts has too.
      warn(`Cannot write ${file} (${(e as Error).message}): the log directory is not marked as cluster ${owner.clusterId}'s`);
    }
    return;
  }
  const props = parseProperties(readFileSync(file, 'utf8'));
  const clusterId = props['cluster.id'];
  if (clusterId !== undefined && clusterId !== owner.clusterId) {
    throw new LogDirIdentityError(
      `Invalid cluster.id in: ${file}. Expected ${owner.clusterId}, but read ${clusterId}. ` +
        `The log directory belongs to another cluster${owner.newCluster ? ' (the cluster metadata is new: was meta/metadata.log moved aside or lost?)' : ''}: restore that cluster's metadata, or move the log directory aside to start an empty one.`,
    );
  }
  const nodeId = props['node.id'];
  if (nodeId !== undefined && Number(nodeId) !== owner.nodeId) {
    throw new LogDirIdentityError(
      `Stored node id ${nodeId} doesn't match previous node id ${owner.nodeId} in ${file}. Was node.id changed in server.properties? Set it back to ${nodeId}, or give this broker a log directory of its own.`,
    );
  }
}
