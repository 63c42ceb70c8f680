/**
 * CreatePartitions (37), v0-3. Raises a topic's partition count, with optional explicit replica
 * assignments for the new partitions. Handled by the controller only.
 * Errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS, INVALID_REPLICA_ASSIGNMENT,
 * INVALID_REPLICATION_FACTOR, INVALID_REQUEST (duplicate topics), POLICY_VIOLATION (more new
 * partitions than kafka-ts.max.partitions.per.request or kafka-ts.max.partitions allow, refused
 * before any is placed), NOT_CONTROLLER, TOPIC_AUTHORIZATION_FAILED (no ALTER on the topic).
 */
import { CreatePartitions } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  async handle(req, ctx) {
    const { cluster, controller } = ctx;
    const names = req.topics.map((t) => t.name);
    const results = [];
    // One topic at a time: each is answered once its new partitions' logs exist.
    for (const t of req.topics) results.push(await raise(t));
    return { throttleTimeMs: 0, results };

    async function raise(t: (typeof req.topics)[number]) {
      if (cluster.controllerId !== cluster.id) {
        return { name: t.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.' };
      }
      if (names.indexOf(t.name) !== names.lastIndexOf(t.name)) {
        return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' };
      }
      if (!allowed(ctx, AclOp.ALTER, ResourceType.TOPIC, t.name)) return { name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' };
      const e = await controller.createPartitionsWithLogs(t.name, t.count, t.assignments?.map((a) => a.brokerIds) ?? null, req.validateOnly);
      return { name: t.name, errorCode: e.code, errorMessage: e.message };
    }
  },
});
