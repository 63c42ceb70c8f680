/**
 * ACL enforcement end to end on in-process brokers with the authorizer on and
 * allow.everyone.if.no.acl.found=false: a TCP client (User:ANONYMOUS) is refused with Kafka's
 * error codes until ACLs are added over the Unix socket (the LOCAL listener, a super user);
 * --producer grants produce but not consume, --consumer consume and commit; deny beats allow;
 * prefixed patterns; invalid ACLs; ACLs survive a restart and follow a controller change with
 * three brokers (whose followers replicate over the LOCAL sockets).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { KafkaCluster } from '../../src/broker/cluster.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { createAcls, describeAcls } from '../../src/client/acls.js';
import { CreateAcls, DeleteAcls, DescribeGroups, Fetch, FindCoordinator, InitProducerId, ListGroups, Metadata, OffsetCommit, Produce } from '../../src/protocol/apis/index.js';
import { AclOp, PatternType, Permission, ResourceType } from '../../src/protocol/acls.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { addAcls, removeAcls, resourceToAcls } from '../../src/tools/acls.js';
import { deleteRecords, deleteView } from '../../src/tools/delete-records.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { startBroker } from '../helpers/broker.js';

const AUTHZ = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'allow.everyone.if.no.acl.found': 'false' };
const ANON = 'User:ANONYMOUS';

interface Running {
  cluster: KafkaCluster;
  /** Over TCP: User:ANONYMOUS. */
  tcp: KafkaClient;
  /** Over the Unix socket: the local user, a super user. */
  local: KafkaClient;
  close(): Promise<void>;
}

async function start(dir: string, extra: Record<string, string> = {}): Promise<Running> {
  const { config } = buildBrokerConfig(dir, { listeners: 'PLAINTEXT://127.0.0.1:0', 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '2', ...AUTHZ, ...extra });
  const cluster = await KafkaCluster.start({ config, log: silentLogger, socketDir: dir });
  const opts = { connectTimeoutMs: 5000, requestTimeoutMs: 10_000 };
  const tcp = new KafkaClient({ bootstrap: parseBootstrap(cluster.bootstrap), clientId: 'anon', ...opts });
  const local = new KafkaClient({ bootstrap: parseBootstrap(`unix://${join(dir, 'kafka.sock')}`), clientId: 'admin', ...opts });
  return {
    cluster,
    tcp,
    local,
    async close() {
      await tcp.close();
      await local.close();
      await cluster.close();
    },
  };
}

async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await cond()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

async function produce(c: KafkaClient, topic: string, value: string, node: number | 'any' = 'any'): Promise<number> {
  const { body } = await c.send(node, Produce, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeBatch([{ value: Buffer.from(value) }]) }] }],
  });
  return body.responses[0]!.partitionResponses[0]!.errorCode;
}

async function fetchCode(c: KafkaClient, topic: string, node: number | 'any' = 'any'): Promise<number> {
  const { body } = await c.send(node, Fetch, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
  } as never);
  return body.responses[0]!.partitions[0]!.errorCode;
}

async function commitCode(c: KafkaClient, group: string, topic: string): Promise<number> {
  const { body } = await c.send('any', OffsetCommit, {
    groupId: group,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
  } as never);
  return body.topics[0]!.partitions[0]!.errorCode;
}

async function metadataCode(c: KafkaClient, topic: string): Promise<number> {
  const { body } = await c.send('any', Metadata, { topics: [{ name: topic, topicId: Buffer.alloc(16) }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: true } as never);
  return body.topics[0]!.errorCode;
}

const spec = (o: Partial<Parameters<typeof resourceToAcls>[0]>) => ({ resourcePatternType: 'literal', ...o });

describe('ACLs on one broker', () => {
  const t = tempDir('kafka-ts-acls-');
  let r: Running;
  beforeAll(async () => {
    r = await start(t.dir);
    const [res] = await new Admin(r.local).createTopics([{ name: 'orders', partitions: 1, replicationFactor: 1 }, { name: 'other', partitions: 1, replicationFactor: 1 }]);
    expect(res!.error).toBeNull();
  });
  afterAll(async () => {
    await r.close();
    t.cleanup();
  });

  it('refuses an anonymous TCP client everything without ACLs, with Kafka error codes', async () => {
    expect(await metadataCode(r.tcp, 'orders')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const all = await r.tcp.refreshMetadata(null);
    expect([...all.topics.keys()]).toEqual([]);
    expect(await produce(r.tcp, 'orders', 'x')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(await fetchCode(r.tcp, 'orders')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(await commitCode(r.tcp, 'g', 'orders')).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const fc = await r.tcp.send('any', FindCoordinator, (v) => (v >= 4 ? { keyType: 0, coordinatorKeys: ['g'] } : { key: 'g', keyType: 0 }));
    expect(fc.body.coordinators?.[0]?.errorCode ?? fc.body.errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const init = await r.tcp.send('any', InitProducerId, { transactionalId: null, transactionTimeoutMs: -1, producerId: -1, producerEpoch: -1 });
    expect(init.body.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const [created] = await new Admin(r.tcp).createTopics([{ name: 'anon-topic', partitions: 1, replicationFactor: 1 }]);
    expect(created!.error!.code).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    await expect(describeAcls(r.tcp, { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: AclOp.ANY, permissionType: Permission.ANY })).rejects.toMatchObject({ kind: 'denied', code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
    await expect(createAcls(r.tcp, [{ resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.LITERAL, principal: ANON, host: '*', operation: AclOp.ALL, permissionType: Permission.ALLOW }])).rejects.toMatchObject({ code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
    // delete-records of a topic the principal may not describe: denied (exit 8), not "missing".
    const [deleted] = await deleteRecords(new Admin(r.tcp), [{ topic: 'orders', partition: 0, offset: 0 }]);
    expect(deleted!.error!.code).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(deleteView([deleted!]).exit).toBe('Denied');
    // The super user on the Unix socket sees and may do everything.
    expect(await produce(r.local, 'orders', 'from-local')).toBe(0);
  });

  it('--producer lets the principal produce but not consume; --consumer --group lets it consume and commit', async () => {
    await addAcls(r.local, spec({ allowPrincipal: [ANON], producer: true, topic: ['orders'] }));
    expect(await metadataCode(r.tcp, 'orders')).toBe(0);
    expect(await produce(r.tcp, 'orders', 'anon')).toBe(0);
    expect(await fetchCode(r.tcp, 'orders')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    // Write on some topic is enough for an idempotent producer id, as in Kafka.
    expect((await r.tcp.send('any', InitProducerId, { transactionalId: null, transactionTimeoutMs: -1, producerId: -1, producerEpoch: -1 })).body.errorCode).toBe(0);
    // Other topics stay out of "all topics".
    expect([...(await r.tcp.refreshMetadata(null)).topics.keys()]).toEqual(['orders']);

    await addAcls(r.local, spec({ allowPrincipal: [ANON], consumer: true, topic: ['orders'], group: ['g'] }));
    expect(await fetchCode(r.tcp, 'orders')).toBe(0);
    expect(await commitCode(r.tcp, 'g', 'orders')).toBe(0);
    expect(await commitCode(r.tcp, 'other-group', 'orders')).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    expect(await commitCode(r.tcp, 'g', 'other')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const listed = await r.tcp.send('any', ListGroups, { statesFilter: [], typesFilter: [] });
    // Only the groups the principal may DESCRIBE (READ implies it) are listed without DESCRIBE on the cluster.
    expect(listed.body.groups.map((g) => g.groupId)).toEqual(['g']);
    const described = await r.tcp.send('any', DescribeGroups, { groups: ['g', 'nope'], includeAuthorizedOperations: true });
    expect(described.body.groups.map((g) => g.errorCode)).toEqual([0, ErrorCode.GROUP_AUTHORIZATION_FAILED]);
    expect(described.body.groups[0]!.authorizedOperations).toBe((1 << AclOp.READ) | (1 << AclOp.DESCRIBE));
  });

  it('lets a DENY win over an ALLOW, and removing it restores access', async () => {
    await addAcls(r.local, spec({ denyPrincipal: [ANON], operation: ['Read'], topic: ['orders'] }));
    expect(await fetchCode(r.tcp, 'orders')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(await produce(r.tcp, 'orders', 'still-writes')).toBe(0);
    const [plan] = resourceToAcls(spec({ denyPrincipal: [ANON], operation: ['Read'], topic: ['orders'] }));
    const removed = await removeAcls(r.local, plan!);
    expect(removed).toHaveLength(1);
    expect(await fetchCode(r.tcp, 'orders')).toBe(0);
  });

  it('applies prefixed patterns to every topic with the prefix', async () => {
    await new Admin(r.local).createTopics([{ name: 'logs.app', partitions: 1, replicationFactor: 1 }, { name: 'logx', partitions: 1, replicationFactor: 1 }]);
    await addAcls(r.local, spec({ allowPrincipal: [ANON], operation: ['Write'], topic: ['logs.'], resourcePatternType: 'prefixed' }));
    expect(await produce(r.tcp, 'logs.app', 'p')).toBe(0);
    expect(await produce(r.tcp, 'logx', 'p')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const match = await describeAcls(r.local, { resourceType: ResourceType.TOPIC, resourceName: 'logs.app', patternType: PatternType.MATCH, principal: null, host: null, operation: AclOp.ANY, permissionType: Permission.ANY });
    expect(match.map((b) => [b.resourceName, b.patternType])).toEqual([['logs.', PatternType.PREFIXED]]);
  });

  it('refuses indefinite ACLs with INVALID_REQUEST', async () => {
    const { body } = await r.local.send('controller', CreateAcls, {
      creations: [
        { resourceType: ResourceType.TOPIC, resourceName: 'x', resourcePatternType: PatternType.MATCH, principal: ANON, host: '*', operation: AclOp.READ, permissionType: Permission.ALLOW },
        { resourceType: ResourceType.TOPIC, resourceName: 'x', resourcePatternType: PatternType.LITERAL, principal: ANON, host: '*', operation: AclOp.ANY, permissionType: Permission.ALLOW },
      ],
    });
    expect(body.results.map((x) => x.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
  });

  it('DeleteAcls lists each removed ACL once, under the first filter that matched it', async () => {
    const on = (operation: number) => ({ resourceType: ResourceType.TOPIC, resourceName: 'dup', patternType: PatternType.LITERAL, principal: 'User:dup', host: '*', operation, permissionType: Permission.ALLOW });
    await createAcls(r.local, [on(AclOp.READ), on(AclOp.WRITE), on(AclOp.DESCRIBE)]);
    const filter = (operation: number) => ({ resourceTypeFilter: ResourceType.TOPIC, resourceNameFilter: 'dup', patternTypeFilter: PatternType.ANY, principalFilter: null, hostFilter: null, operation, permissionType: Permission.ANY });
    // READ only, then everything on 'dup' twice: the second takes what READ left, the third nothing.
    const { body } = await r.local.send('controller', DeleteAcls, { filters: [filter(AclOp.READ), filter(AclOp.ANY), filter(AclOp.ANY)] });
    const listed = body.filterResults.map((f) => f.matchingAcls.map((m) => m.operation));
    expect(listed, JSON.stringify(listed)).toEqual([[AclOp.READ], [AclOp.WRITE, AclOp.DESCRIBE], []]);
    expect(body.filterResults.map((f) => f.errorCode)).toEqual([0, 0, 0]);
    const left = await describeAcls(r.local, { resourceType: ResourceType.TOPIC, resourceName: 'dup', patternType: PatternType.ANY, principal: null, host: null, operation: AclOp.ANY, permissionType: Permission.ANY });
    expect(left).toEqual([]);
  });
});

describe('ACL persistence and controller changes', () => {
  it('survive a restart from disk', async () => {
    const t = tempDir('kafka-ts-acls-restart-');
    try {
      let r = await start(t.dir);
      await new Admin(r.local).createTopics([{ name: 'kept', partitions: 1, replicationFactor: 1 }]);
      await addAcls(r.local, spec({ allowPrincipal: [ANON], producer: true, topic: ['kept'] }));
      await r.close();
      r = await start(t.dir);
      try {
        expect(await produce(r.tcp, 'kept', 'after-restart')).toBe(0);
        expect(await fetchCode(r.tcp, 'kept')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      } finally {
        await r.close();
      }
    } finally {
      t.cleanup();
    }
  });

  it('follow a controller change with three brokers', async () => {
    const t = tempDir('kafka-ts-acls-3-');
    const r = await start(t.dir, { 'kafka-ts.brokers': '3' });
    try {
      const admin = new Admin(r.local);
      const [res] = await admin.createTopics([{ name: 'r3', partitions: 1, replicationFactor: 3 }]);
      expect(res!.error).toBeNull();
      await addAcls(r.local, spec({ allowPrincipal: [ANON], producer: true, topic: ['r3'] }));
      // acks=all succeeds: the followers (on the LOCAL sockets) pass the CLUSTER_ACTION check.
      await r.local.refreshMetadata(['r3']);
      const leader = await r.local.leaderFor('r3', 0);
      await r.tcp.refreshMetadata([]);
      expect(await produce(r.tcp, 'r3', 'one', leader)).toBe(0);

      const controller = r.cluster.controllerId;
      await r.cluster.stopBroker(controller);
      await waitUntil('a new controller', () => r.cluster.controllerId !== controller && r.cluster.controllerId > 0);
      // The new controller has the same ACLs and takes new ones.
      await addAcls(r.local, spec({ allowPrincipal: [ANON], consumer: true, topic: ['r3'], group: ['g3'] }));
      let code = -1;
      await waitUntil('anonymous produce and fetch at the new leader', async () => {
        await r.tcp.refreshMetadata([]);
        await r.local.refreshMetadata(['r3']);
        const now = await r.local.leaderFor('r3', 0);
        code = await produce(r.tcp, 'r3', 'two', now);
        return code === 0 && (await fetchCode(r.tcp, 'r3', now)) === 0;
      });
      expect(code).toBe(0);
    } finally {
      await r.close();
      t.cleanup();
    }
  });
});

describe('without an authorizer', () => {
  it('allows everything and answers the ACL APIs with SECURITY_DISABLED, as Kafka', async () => {
    const b = await startBroker();
    try {
      const c = b.client();
      await new Admin(c).createTopics([{ name: 'open', partitions: 1, replicationFactor: 1 }]);
      expect(await produce(c, 'open', 'x')).toBe(0);
      expect(await fetchCode(c, 'open')).toBe(0);
      await expect(describeAcls(c, { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: AclOp.ANY, permissionType: Permission.ANY })).rejects.toMatchObject({
        code: ErrorCode.SECURITY_DISABLED,
        message: 'No Authorizer is configured on the broker',
      });
      await expect(createAcls(c, [{ resourceType: ResourceType.TOPIC, resourceName: 'open', patternType: PatternType.LITERAL, principal: ANON, host: '*', operation: AclOp.READ, permissionType: Permission.ALLOW }])).rejects.toMatchObject({ code: ErrorCode.SECURITY_DISABLED });
    } finally {
      await b.close();
    }
  });
});
