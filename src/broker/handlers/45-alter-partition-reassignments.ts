/**
 * AlterPartitionReassignments (45), v0. Starts reassignments (replicas given) or cancels them
 * (replicas null). New replicas copy the data from the leader; once they are in sync the old ones
 * are removed. Handled by the controller.
 * Errors per partition: UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT,
 * NO_REASSIGNMENT_IN_PROGRESS; top level NOT_CONTROLLER, CLUSTER_AUTHORIZATION_FAILED (no ALTER on
 * the cluster).
 */
import { AlterPartitionReassignments } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, clusterAllowed } from '../security/authorizer.js';

export default defineHandler({
  api: AlterPartitionReassignments,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const { cluster, controller } = ctx;
    if (!clusterAllowed(ctx, AclOp.ALTER)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', responses: [] };
    if (cluster.controllerId !== cluster.id) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.', responses: [] };
    }
    const control = controller.replication;
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      responses: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const e = control.alterReassignment(t.name, p.partitionIndex, p.replicas);
          return { partitionIndex: p.partitionIndex, errorCode: e.code, errorMessage: e.message };
        }),
      })),
    };
  },
});
