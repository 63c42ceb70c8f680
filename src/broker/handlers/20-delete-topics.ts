/**
 * DeleteTopics (20), v0-6 (v6 names topics by id). Handled by the controller only.
 * Errors: UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, INVALID_TOPIC_EXCEPTION (internal
 * topics), TOPIC_DELETION_DISABLED, NOT_CONTROLLER, TOPIC_AUTHORIZATION_FAILED (no DELETE).
 */
import { DeleteTopics } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID, isZeroUuid } from '../../util/ids.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: DeleteTopics,
  minVersion: 0,
  maxVersion: 6,
  handle(req, ctx) {
    const { cluster, controller, apiVersion: v } = ctx;
    const wanted = v >= 6 ? (req.topics ?? []) : (req.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID }));
    const responses = wanted.map((t) => {
      const byId = t.topicId && !isZeroUuid(t.topicId) ? cluster.metadata.topicById(t.topicId) : undefined;
      const name = t.name ?? byId?.name ?? null;
      const topicId = byId?.id ?? (name ? cluster.metadata.topic(name)?.id : undefined) ?? ZERO_UUID;
      if (cluster.controllerId !== cluster.id) {
        return { name, topicId, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.' };
      }
      if (name === null) return { name, topicId: t.topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.' };
      if (!allowed(ctx, AclOp.DELETE, ResourceType.TOPIC, name)) return { name, topicId, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' };
      const e = controller.deleteTopic(name);
      return { name, topicId, errorCode: e.code, errorMessage: e.message };
    });
    return { throttleTimeMs: 0, responses };
  },
});
