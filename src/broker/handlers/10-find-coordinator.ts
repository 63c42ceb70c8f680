/**
 * FindCoordinator (10), v0-4 (v4 batches keys). A group's coordinator is the broker leading its
 * partition of __consumer_offsets; a transactional id's (key type 1) the one leading its
 * partition of __transaction_state, which the first such lookup creates (as Kafka does).
 * Errors: COORDINATOR_NOT_AVAILABLE (no live leader yet), INVALID_REQUEST (unknown key type),
 * GROUP_AUTHORIZATION_FAILED / TRANSACTIONAL_ID_AUTHORIZATION_FAILED (no DESCRIBE on the key).
 */
import { FindCoordinator, type FindCoordinatorResponse } from '../../protocol/apis/index.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { offsetsPartitionFor } from '../../util/java-hash.js';
import { OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from '../controller.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

type Coordinator = NonNullable<FindCoordinatorResponse['coordinators']>[number];

export function findGroupCoordinator(ctx: RequestContext, key: string, keyType: number): Coordinator {
  const fail = (code: number, message?: string): Coordinator => ({
    key,
    nodeId: -1,
    host: '',
    port: -1,
    errorCode: code,
    errorMessage: message ?? errorInfo(code).message,
  });
  if (keyType !== 0 && keyType !== 1) return fail(ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${keyType}.`);
  const txn = keyType === 1;
  if (txn && !allowed(ctx, AclOp.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  if (!txn && !allowed(ctx, AclOp.DESCRIBE, ResourceType.GROUP, key)) return fail(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const cluster = ctx.cluster;
  if (txn) ctx.controller.ensureTransactionStateTopic();
  const topic = cluster.metadata.topic(txn ? TRANSACTION_STATE_TOPIC : OFFSETS_TOPIC);
  if (!topic) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const leader = topic.partitions[offsetsPartitionFor(key, topic.partitions.length)]!.leader;
  const node = cluster.brokers().find((b) => b.id === leader);
  if (!node || !cluster.isLive(leader)) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const ep = node.endpoints.get(ctx.listener)!;
  return { key, nodeId: leader, host: ep.host, port: ep.port, errorCode: 0, errorMessage: null };
}

export default defineHandler({
  api: FindCoordinator,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const keyType = req.keyType ?? 0;
    if (ctx.apiVersion >= 4) {
      return { throttleTimeMs: 0, coordinators: (req.coordinatorKeys ?? []).map((k) => findGroupCoordinator(ctx, k, keyType)) };
    }
    const c = findGroupCoordinator(ctx, req.key ?? '', keyType);
    return { throttleTimeMs: 0, errorCode: c.errorCode, errorMessage: c.errorMessage, nodeId: c.nodeId, host: c.host, port: c.port };
  },
});
