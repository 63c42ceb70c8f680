/**
 * ElectLeaders (43), v0-2. Preferred (type 0) or unclean (type 1, v1+) leader election for the
 * listed partitions, or for every partition when the list is null. Handled by the controller.
 * Errors per partition: UNKNOWN_TOPIC_OR_PARTITION, ELECTION_NOT_NEEDED,
 * PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE; top level NOT_CONTROLLER,
 * CLUSTER_AUTHORIZATION_FAILED (no ALTER on the cluster).
 */
import { ElectLeaders } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, clusterAllowed } from '../security/authorizer.js';

export default defineHandler({
  api: ElectLeaders,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const { cluster, controller } = ctx;
    if (!clusterAllowed(ctx, AclOp.ALTER)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, replicaElectionResults: [] };
    if (cluster.controllerId !== cluster.id) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, replicaElectionResults: [] };
    }
    const type = (req.electionType ?? 0) === 1 ? 'unclean' : 'preferred';
    const wanted = req.topicPartitions?.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))) ?? null;
    const results = controller.replication.electLeaders(type, wanted);
    const byTopic = new Map<string, { partitionId: number; errorCode: number; errorMessage: string | null }[]>();
    for (const r of results) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), { partitionId: r.partition, errorCode: r.error.code, errorMessage: r.error.message }]);
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      replicaElectionResults: [...byTopic].map(([topic, partitionResult]) => ({ topic, partitionResult })),
    };
  },
});
