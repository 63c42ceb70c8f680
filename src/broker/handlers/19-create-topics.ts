/**
 * CreateTopics (19), v0-7. -1 partitions or replication factor mean the broker defaults in every
 * version (kafkajs sends -1/-1). validate_only (v1+) checks without creating. Handled by the
 * controller only.
 * Errors: TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
 * INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG (also a null config value),
 * INVALID_REQUEST
 * (duplicate names, counts plus assignment), POLICY_VIOLATION (more partitions in the request
 * than kafka-ts.max.partitions.per.request, for every topic, as Kafka; or more than
 * kafka-ts.max.partitions in the daemon), NOT_CONTROLLER, TOPIC_AUTHORIZATION_FAILED (no CREATE on
 * the cluster or the topic).
 */
import { CreateTopics } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../util/ids.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed, clusterAllowed } from '../security/authorizer.js';
import { dynamicValuesFor, resolveTopicConfigs } from '../metadata/topic-configs.js';
import { validateTopicName } from '../controller.js';
import { turnTaker } from '../../util/slices.js';

/** The longest stretch of topic creation between two yields to the event loop. */
const YIELD_AFTER_MS = 10;

export default defineHandler({
  api: CreateTopics,
  minVersion: 0,
  maxVersion: 7,
  async handle(req, ctx) {
    const { cluster, controller } = ctx;
    const names = req.topics.map((t) => t.name);
    const duplicated = new Set(names.filter((n, i) => names.indexOf(n) !== i));
    // Sized before anything is allocated: over the cap, the whole request fails.
    const tooMany = controller.checkPartitionsPerRequest(req.topics);
    const mayCreateAll = clusterAllowed(ctx, AclOp.CREATE);
    // Thousands of topics in one request must not hold the event loop: it yields every
    // YIELD_AFTER_MS (each topic is created whole, its record and its logs, before a yield).
    const turn = turnTaker(YIELD_AFTER_MS);
    const topics = [];
    for (const t of req.topics) {
      await turn();
      topics.push(await createOne(t));
    }
    return { throttleTimeMs: 0, topics };

    async function createOne(t: (typeof req.topics)[number]) {
      const fail = (code: number, message: string | null) => ({
        name: t.name,
        topicId: ZERO_UUID,
        errorCode: code,
        errorMessage: message,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      });
      if (cluster.controllerId !== cluster.id) return fail(ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.');
      if (tooMany.code) return fail(tooMany.code, tooMany.message);
      if (duplicated.has(t.name)) return fail(ErrorCode.INVALID_REQUEST, `Create topics request from client contains duplicate topic name: ${t.name}`);
      if (!mayCreateAll && !allowed(ctx, AclOp.CREATE, ResourceType.TOPIC, t.name)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
      // Kafka's ReplicationControlManager (computeConfigChanges): once the name is valid and free,
      // a config sent with a null value fails the topic, naming every such config.
      const nullConfigs = t.configs.filter((c) => c.value === null).map((c) => c.name);
      if (nullConfigs.length > 0 && !validateTopicName(t.name).code && !cluster.metadata.topic(t.name)) {
        return fail(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${nullConfigs.join(',')}`);
      }
      const r = await controller.createTopicWithLogs(t, !!req.validateOnly);
      if (r.error.code) return fail(r.error.code, r.error.message);
      const overrides = Object.fromEntries(t.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value!]));
      return {
        name: t.name,
        topicId: r.topic?.id ?? ZERO_UUID,
        errorCode: 0,
        errorMessage: null,
        numPartitions: r.partitions,
        replicationFactor: r.replicationFactor,
        configs: resolveTopicConfigs(overrides, cluster.config, dynamicValuesFor(cluster.metadata.brokerConfigs, cluster.id)).map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: false,
          configSource: c.source,
          isSensitive: false,
        })),
      };
    }
  },
});
