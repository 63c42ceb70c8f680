/**
 * ListPartitionReassignments (46), v0. The ongoing reassignments (all, or of the listed
 * partitions) with their full replica set and the replicas being added and removed. Needs DESCRIBE
 * on the cluster (else CLUSTER_AUTHORIZATION_FAILED).
 */
import { ListPartitionReassignments, type ListPartitionReassignmentsResponse } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, clusterAllowed } from '../security/authorizer.js';

export default defineHandler({
  api: ListPartitionReassignments,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const { cluster, controller } = ctx;
    if (!clusterAllowed(ctx, AclOp.DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', topics: [] };
    if (cluster.controllerId !== cluster.id) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.', topics: [] };
    }
    const only = req.topics?.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition }))) ?? null;
    const ongoing = controller.replication.listReassignments(only);
    const byTopic = new Map<string, ListPartitionReassignmentsResponse['topics'][number]['partitions']>();
    for (const r of ongoing) {
      byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), { partitionIndex: r.partition, replicas: r.replicas, addingReplicas: r.adding, removingReplicas: r.removing }]);
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
  },
});
