/**
 * Admin requests answered as Apache Kafka answers them, found by a trial with real clients:
 * IncrementalAlterConfigs / AlterConfigs preprocessing (duplicate keys, null values), APPEND and
 * SUBTRACT on configs that are not lists, custom broker config names, DescribeConfigs with an
 * empty key list, ListOffsets' current leader epoch, AlterUserScramCredentials naming a user twice,
 * OffsetDelete of partitions that do not exist. Each expectation cites the Kafka code it follows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlterConfigs, AlterUserScramCredentials, DescribeConfigs, DescribeUserScramCredentials, IncrementalAlterConfigs, ListOffsets, OffsetDelete } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ConfigSource } from '../../src/protocol/topic-configs.js';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { createLogger } from '../../src/util/logger.js';
import { saltedPassword } from '../../src/util/scram.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { RawConn } from '../helpers/raw-kafka.js';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;
const TOPIC = 2;
const BROKER = 4;

let broker: TestBroker;
let c: RawConn;
const logLines: string[] = [];

beforeAll(async () => {
  broker = await startBroker({ log: createLogger((l) => logLines.push(l), 'test', 'INFO') });
  c = await RawConn.tcp(Number(broker.bootstrap.split(':').pop()));
  await new Admin(broker.client()).createTopics([{ name: 'parity', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'delete' } }]);
});
afterAll(async () => {
  c.close();
  await broker.close();
});

type Op = [name: string, op: number, value: string | null];
async function incremental(resourceType: number, resourceName: string, ops: Op[]) {
  const r = await c.request(IncrementalAlterConfigs, 1, { resources: [{ resourceType, resourceName, configs: ops.map(([name, configOperation, value]) => ({ name, configOperation, value })) }], validateOnly: false });
  const res = r!.responses[0]!;
  return { code: res.errorCode, message: res.errorMessage };
}
async function legacy(resourceType: number, resourceName: string, configs: [string, string | null][]) {
  const r = await c.request(AlterConfigs, 1, { resources: [{ resourceType, resourceName, configs: configs.map(([name, value]) => ({ name, value })) }], validateOnly: false });
  const res = r!.responses[0]!;
  return { code: res.errorCode, message: res.errorMessage };
}
async function describeConfigs(resourceType: number, resourceName: string, configurationKeys: string[] | null, includeSynonyms = false) {
  const r = await c.request(DescribeConfigs, 4, { resources: [{ resourceType, resourceName, configurationKeys }], includeSynonyms, includeDocumentation: false });
  return r!.results[0]!;
}
const topicValue = async (name: string) => (await describeConfigs(TOPIC, 'parity', [name])).configs[0]?.value;

describe('IncrementalAlterConfigs and AlterConfigs preprocessing (Kafka ConfigAdminManager.preprocess)', () => {
  it('refuses a config named twice in one resource with INVALID_REQUEST, changing nothing', async () => {
    const dup = { code: ErrorCode.INVALID_REQUEST, message: 'Error due to duplicate config keys' };
    expect(await incremental(TOPIC, 'parity', [['retention.ms', SET, '1000'], ['retention.ms', SET, '2000']])).toEqual(dup);
    expect(await incremental(TOPIC, 'parity', [['retention.ms', SET, '1000'], ['retention.ms', DELETE, null]])).toEqual(dup);
    expect(await incremental(BROKER, '1', [['log.cleaner.threads', SET, '2'], ['log.cleaner.threads', SET, '3']])).toEqual(dup);
    expect(await legacy(TOPIC, 'parity', [['retention.ms', '1000'], ['retention.ms', '2000']])).toEqual(dup);
    expect(await topicValue('retention.ms')).toBe('604800000');
  });

  it('refuses a missing value in Kafka words: "Null value not supported for : <names>"', async () => {
    expect(await incremental(TOPIC, 'parity', [['retention.ms', SET, null]])).toEqual({ code: ErrorCode.INVALID_REQUEST, message: 'Null value not supported for : retention.ms' });
    expect(await incremental(TOPIC, 'parity', [['cleanup.policy', APPEND, null], ['retention.ms', SET, null]])).toEqual({ code: ErrorCode.INVALID_REQUEST, message: 'Null value not supported for : cleanup.policy, retention.ms' });
    // DELETE needs no value.
    expect(await incremental(TOPIC, 'parity', [['retention.ms', DELETE, null]])).toEqual({ code: 0, message: null });
  });
});

describe('preprocessing comes before authorization (Kafka: ConfigAdminManager.preprocess, then the ACL checks)', () => {
  it('a principal without ALTER_CONFIGS gets the malformed request error, and the denial only for a well-formed one', async () => {
    const secured = await startBroker({ properties: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'allow.everyone.if.no.acl.found': 'false' } });
    // Over TCP without credentials: User:ANONYMOUS, with no ACL.
    const anon = await RawConn.tcp(Number(secured.bootstrap.split(':').pop()));
    try {
      type Resource = { resourceType: number; resourceName: string; ops: Op[] };
      const send = async (resources: Resource[], legacyApi = false) => {
        const r = legacyApi
          ? await anon.request(AlterConfigs, 1, { resources: resources.map((x) => ({ resourceType: x.resourceType, resourceName: x.resourceName, configs: x.ops.map(([name, , value]) => ({ name, value })) })), validateOnly: false })
          : await anon.request(IncrementalAlterConfigs, 1, { resources: resources.map((x) => ({ resourceType: x.resourceType, resourceName: x.resourceName, configs: x.ops.map(([name, configOperation, value]) => ({ name, configOperation, value })) })), validateOnly: false });
        return r!.responses.map((x) => ({ code: x.errorCode, message: x.errorMessage }));
      };
      const dup = { code: ErrorCode.INVALID_REQUEST, message: 'Error due to duplicate config keys' };
      const twice: Op[] = [['retention.ms', SET, '1'], ['retention.ms', SET, '2']];
      for (const legacyApi of [false, true]) {
        expect(await send([{ resourceType: TOPIC, resourceName: 'parity', ops: twice }], legacyApi)).toEqual([dup]);
        expect(await send([{ resourceType: BROKER, resourceName: '1', ops: [['log.cleaner.threads', SET, '2'], ['log.cleaner.threads', SET, '3']] }], legacyApi)).toEqual([dup]);
        expect(await send([{ resourceType: TOPIC, resourceName: 'parity', ops: [['retention.ms', SET, null]] }], legacyApi)).toEqual([{ code: ErrorCode.INVALID_REQUEST, message: 'Null value not supported for : retention.ms' }]);
        // A resource named twice: both refused, before their configs are looked at.
        const once = { code: ErrorCode.INVALID_REQUEST, message: 'Each resource must appear at most once.' };
        expect(await send([{ resourceType: TOPIC, resourceName: 'parity', ops: [['retention.ms', SET, '1']] }, { resourceType: TOPIC, resourceName: 'parity', ops: twice }], legacyApi)).toEqual([once, once]);
        // Well formed: the denial.
        expect(await send([{ resourceType: TOPIC, resourceName: 'parity', ops: [['retention.ms', SET, '1']] }], legacyApi)).toEqual([{ code: ErrorCode.TOPIC_AUTHORIZATION_FAILED, message: expect.any(String) }]);
        expect(await send([{ resourceType: BROKER, resourceName: '1', ops: [['log.cleaner.threads', SET, '2']] }], legacyApi)).toEqual([{ code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, message: expect.any(String) }]);
      }
      // AlterConfigs knows only TOPIC and BROKER resources (not BROKER_LOGGER, GROUP, ...): said before the ACL check too.
      expect(await send([{ resourceType: 8, resourceName: '1', ops: [['kafka', SET, 'INFO']] }], true)).toEqual([{ code: ErrorCode.INVALID_REQUEST, message: 'Unknown resource type 8' }]);
      expect(await send([{ resourceType: 32, resourceName: 'g', ops: [['consumer.session.timeout.ms', SET, '50000']] }], true)).toEqual([{ code: ErrorCode.INVALID_REQUEST, message: 'Unknown resource type 32' }]);
    } finally {
      anon.close();
      await secured.close();
    }
  });
});

describe('APPEND and SUBTRACT', () => {
  it('on a topic config that is not a list: INVALID_CONFIG from the controller (ConfigurationControlManager)', async () => {
    expect(await incremental(TOPIC, 'parity', [['retention.ms', APPEND, '5']])).toEqual({ code: ErrorCode.INVALID_CONFIG, message: "Can't APPEND to key retention.ms because its type is not LIST." });
    expect(await incremental(TOPIC, 'parity', [['retention.ms', SUBTRACT, '5']])).toEqual({ code: ErrorCode.INVALID_CONFIG, message: "Can't SUBTRACT to key retention.ms because its type is not LIST." });
    expect(await topicValue('retention.ms')).toBe('604800000');
  });

  it('on a broker config that is not a list: INVALID_REQUEST (ConfigAdminManager.prepareIncrementalConfigs)', async () => {
    expect(await incremental(BROKER, '1', [['log.cleaner.threads', APPEND, '1']])).toEqual({ code: ErrorCode.INVALID_REQUEST, message: 'Config value append is not allowed for config key: log.cleaner.threads' });
    expect(await incremental(BROKER, '1', [['log.cleaner.threads', SUBTRACT, '1']])).toEqual({ code: ErrorCode.INVALID_REQUEST, message: 'Config value subtract is not allowed for config key: log.cleaner.threads' });
    expect(await incremental(BROKER, '', [['log.cleaner.threads', APPEND, '1']])).toEqual({ code: ErrorCode.INVALID_REQUEST, message: 'Config value append is not allowed for config key: log.cleaner.threads' });
  });

  it('on a broker list config: starts from Kafka default when the resource has no value', async () => {
    expect(await incremental(BROKER, '', [['log.cleanup.policy', APPEND, 'compact']])).toEqual({ code: 0, message: null });
    expect((await describeConfigs(BROKER, '', ['log.cleanup.policy'])).configs[0]?.value).toBe('delete,compact');
    expect(await incremental(BROKER, '', [['log.cleanup.policy', DELETE, null]])).toEqual({ code: 0, message: null });
  });
});

describe('list config validation (Kafka ConfigDef.ValidList)', () => {
  it('names the element not allowed, listing the allowed ones in Kafka order (compact, delete)', async () => {
    expect(await incremental(TOPIC, 'parity', [['cleanup.policy', APPEND, 'bogus']])).toEqual({ code: ErrorCode.INVALID_CONFIG, message: 'Invalid value bogus for configuration cleanup.policy: String must be one of: compact, delete' });
    expect(await legacy(TOPIC, 'parity', [['cleanup.policy', 'delete,shred']])).toEqual({ code: ErrorCode.INVALID_CONFIG, message: 'Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete' });
    expect(await incremental(BROKER, '', [['log.cleanup.policy', SET, 'compact,shred']])).toEqual({ code: ErrorCode.INVALID_REQUEST, message: 'Invalid value shred for configuration log.cleanup.policy: String must be one of: compact, delete' });
    expect(await incremental(TOPIC, 'parity', [['cleanup.policy', APPEND, 'compact']])).toEqual({ code: 0, message: null });
    expect(await topicValue('cleanup.policy')).toBe('delete,compact');
  });
});

describe('an empty cleanup.policy (Kafka 4.2, KAFKA-19112: neither delete nor compact, records kept for ever)', () => {
  it('SUBTRACT of its last value leaves it empty, and then neither retention nor the cleaner removes a record', async () => {
    const admin = new Admin(broker.client());
    const small = { 'retention.ms': '60000', 'segment.bytes': '1024', 'min.cleanable.dirty.ratio': '0.01' };
    await admin.createTopics([
      { name: 'forever', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'delete,compact', ...small } },
      { name: 'expiring', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'delete', ...small } },
    ]);
    const opsOn = async (name: string, ops: Op[]) => {
      const r = await c.request(IncrementalAlterConfigs, 1, { resources: [{ resourceType: TOPIC, resourceName: name, configs: ops.map(([n, configOperation, value]) => ({ name: n, configOperation, value })) }], validateOnly: false });
      return { code: r!.responses[0]!.errorCode, message: r!.responses[0]!.errorMessage };
    };
    expect(await opsOn('forever', [['cleanup.policy', SUBTRACT, 'delete']])).toEqual({ code: 0, message: null });
    expect(await opsOn('forever', [['cleanup.policy', SUBTRACT, 'compact']])).toEqual({ code: 0, message: null });
    const described = (await describeConfigs(TOPIC, 'forever', ['cleanup.policy'])).configs[0]!;
    expect({ value: described.value, source: described.configSource }).toEqual({ value: '', source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    // Set empty in AlterConfigs too, and APPEND starts again from the empty list.
    expect(await legacy(TOPIC, 'parity', [['cleanup.policy', '']])).toEqual({ code: 0, message: null });
    expect(await incremental(TOPIC, 'parity', [['cleanup.policy', APPEND, 'delete']])).toEqual({ code: 0, message: null });
    expect(await topicValue('cleanup.policy')).toBe('delete');

    // Records an hour old, with keys written over: 'expiring' loses them to retention; 'forever' keeps every one.
    const p = new Producer(broker.client(), { lingerMs: 0 });
    for (const topic of ['forever', 'expiring']) for (let i = 0; i < 40; i++) await p.send({ topic, key: Buffer.from(`k${i % 2}`), value: Buffer.alloc(100, 97), timestamp: Date.now() - 3_600_000 });
    await p.close();
    const node = broker.cluster.brokers()[0]!;
    await node.applyRetention();
    await node.compactLogs();
    const earliest = async (topic: string) => (await admin.listOffsets([{ topic, partition: 0, timestamp: -2 }]))[0]!.offset;
    expect({ forever: await earliest('forever'), expiring: await earliest('expiring') }).toEqual({ forever: 0, expiring: 40 });
    // Every record is still there (the cleaner kept each key's older records too).
    const fetcher = new Fetcher(broker.client(), {});
    await fetcher.assign([{ topic: 'forever', partition: 0, start: 'earliest', stopAt: 40 }]);
    let read = 0;
    const deadline = Date.now() + 20_000;
    while (!fetcher.allAtEnd() && Date.now() < deadline) read += (await fetcher.poll({ maxWaitMs: 100 })).reduce((n, ch) => n + ch.records.length, 0);
    fetcher.close();
    expect(read).toBe(40);
  });
});

describe('custom broker config names (Kafka: only known static names are refused)', () => {
  it('are accepted per broker and as the cluster default, logged as having no effect, and described as Kafka describes them', async () => {
    expect(await incremental(BROKER, '1', [['my.custom.cfg', SET, '5']])).toEqual({ code: 0, message: null });
    expect(await incremental(BROKER, '', [['my.custom.cfg', SET, '6'], ['my.default.only', SET, 'x']])).toEqual({ code: 0, message: null });
    expect(await legacy(BROKER, '1', [['my.custom.cfg', '5'], ['my.legacy.cfg', 'y']])).toEqual({ code: 0, message: null });
    expect(logLines.some((l) => / WARN .*my\.custom\.cfg of broker 1 is not known to Kafka or kafka-ts: .*no effect/.test(l))).toBe(true);
    expect(logLines.some((l) => / WARN .*my\.custom\.cfg, my\.default\.only of the cluster-wide default are not known/.test(l))).toBe(true);
    // Known static names are still refused.
    expect(await incremental(BROKER, '1', [['num.partitions', SET, '3'], ['my.custom.cfg', SET, '1']])).toEqual({ code: ErrorCode.INVALID_REQUEST, message: 'Cannot update these configs dynamically: Set(num.partitions)' });

    // ConfigHelper.createBrokerConfigEntry: no type known, so sensitive (value hidden), UNKNOWN type, read-only.
    const own = await describeConfigs(BROKER, '1', ['my.custom.cfg', 'my.default.only', 'my.legacy.cfg'], true);
    expect(own.errorCode).toBe(0);
    expect(own.configs.map((e) => [e.name, e.value, e.configSource, e.isSensitive, e.readOnly, e.configType])).toEqual([
      ['my.custom.cfg', null, ConfigSource.DYNAMIC_BROKER_CONFIG, true, true, 0],
      ['my.default.only', null, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, true, true, 0],
      ['my.legacy.cfg', null, ConfigSource.DYNAMIC_BROKER_CONFIG, true, true, 0],
    ]);
    expect(own.configs[0]!.synonyms).toEqual([
      { name: 'my.custom.cfg', value: null, source: ConfigSource.DYNAMIC_BROKER_CONFIG },
      { name: 'my.custom.cfg', value: null, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
    ]);
    const defaults = await describeConfigs(BROKER, '', null);
    expect(defaults.configs.filter((e) => e.name.startsWith('my.')).map((e) => [e.name, e.value, e.configSource, e.isSensitive])).toEqual([
      ['my.custom.cfg', null, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, true],
      ['my.default.only', null, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, true],
    ]);
    // And they go as they came.
    expect(await incremental(BROKER, '1', [['my.custom.cfg', DELETE, null], ['my.legacy.cfg', DELETE, null]])).toEqual({ code: 0, message: null });
    expect(await incremental(BROKER, '', [['my.custom.cfg', DELETE, null], ['my.default.only', DELETE, null]])).toEqual({ code: 0, message: null });
    expect((await describeConfigs(BROKER, '1', null)).configs.filter((e) => e.name.startsWith('my.'))).toEqual([]);
  });
});

describe('DescribeConfigs', () => {
  it('takes an empty configuration_keys list as null: every config (ConfigHelperUtils)', async () => {
    for (const [type, name] of [
      [TOPIC, 'parity'],
      [BROKER, '1'],
    ] as const) {
      const all = await describeConfigs(type, name, null);
      const empty = await describeConfigs(type, name, []);
      expect(all.configs.length).toBeGreaterThan(10);
      expect(empty.configs).toEqual(all.configs);
    }
  });
});

describe('ListOffsets current_leader_epoch (Kafka Partition.checkCurrentLeaderEpoch)', () => {
  it('answers FENCED_LEADER_EPOCH for an older epoch, UNKNOWN_LEADER_EPOCH for a newer one, and checks nothing for -1 or before v4', async () => {
    // A new leader epoch for the partition (the same leader), as an election would give it.
    broker.cluster.metadata.updatePartitions('parity', (t) => {
      t.partitions[0]!.leaderEpoch++;
      t.partitions[0]!.partitionEpoch++;
      return [0];
    });
    const epoch = broker.cluster.metadata.topic('parity')!.partitions[0]!.leaderEpoch;
    expect(epoch).toBeGreaterThan(0);
    const list = async (version: number, currentLeaderEpoch: number) => {
      const r = await c.request(ListOffsets, version, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'parity', partitions: [{ partitionIndex: 0, currentLeaderEpoch, timestamp: -1, maxNumOffsets: 1 }] }], timeoutMs: 1000 });
      return r!.topics[0]!.partitions[0]!;
    };
    for (const v of [4, 7, 10]) {
      expect((await list(v, epoch - 1)).errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
      expect((await list(v, epoch + 1)).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
      expect(await list(v, epoch)).toMatchObject({ errorCode: 0, leaderEpoch: epoch, offset: 0 });
      expect(await list(v, -1)).toMatchObject({ errorCode: 0, leaderEpoch: epoch, offset: 0 });
    }
    // v3 has no such field: nothing to check.
    expect((await list(3, epoch + 1)).errorCode).toBe(0);
  });
});

describe('AlterUserScramCredentials (Kafka KRaft ScramControlManager.alterCredentials)', () => {
  const salt = Buffer.from('0123456789abcdef');
  const up = (name: string, mechanism: 1 | 2, iterations = 4096) => ({ name, mechanism, iterations, salt, saltedPassword: saltedPassword(mechanism === 1 ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512', 'pw', salt, Math.min(Math.max(iterations, 1), 4096)) });
  const byUser = (r: { results: { user: string; errorCode: number; errorMessage: string | null }[] }) => Object.fromEntries(r.results.map((x) => [x.user, [x.errorCode, x.errorMessage]]));
  const twice = [ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request'];

  it('fails a user named twice, whatever the mechanisms, and applies none of its operations', async () => {
    const made = await c.request(AlterUserScramCredentials, 0, { deletions: [], upsertions: [up('bob', 1), up('bob2', 2)] });
    expect(byUser(made!)).toEqual({ bob: [0, null], bob2: [0, null] });
    const second = await c.request(AlterUserScramCredentials, 0, { deletions: [], upsertions: [up('bob', 2), up('bob2', 1)] });
    expect(byUser(second!)).toEqual({ bob: [0, null], bob2: [0, null] });

    const r = await c.request(AlterUserScramCredentials, 0, {
      // bob: two deletions of different mechanisms; bob2: a deletion and an upsertion; carl: two upsertions.
      deletions: [
        { name: 'bob', mechanism: 1 },
        { name: 'bob', mechanism: 2 },
        { name: 'bob2', mechanism: 1 },
      ],
      upsertions: [up('bob2', 2), up('carl', 1), up('carl', 2), up('dora', 1)],
    });
    expect(byUser(r!)).toEqual({ bob: twice, bob2: twice, carl: twice, dora: [0, null] });
    const d = await c.request(DescribeUserScramCredentials, 0, { users: null });
    expect(Object.fromEntries(d!.results.map((x) => [x.user, x.credentialInfos.map((i) => i.mechanism).sort()]))).toEqual({ bob: [1, 2], bob2: [1, 2], dora: [1] });
  });

  it('refuses iteration counts with Kafka texts', async () => {
    const r = await c.request(AlterUserScramCredentials, 0, { deletions: [], upsertions: [up('few', 1, 100), up('many', 2, 20000)] });
    expect(byUser(r!)).toEqual({ few: [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'], many: [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations'] });
  });
});

describe('OffsetDelete (Kafka KafkaApis.handleOffsetDeleteRequest)', () => {
  it('answers UNKNOWN_TOPIC_OR_PARTITION for a partition the metadata does not have', async () => {
    const client = broker.client();
    const committed = await new GroupAdmin(client).commitOffsets('g-parity', [{ topic: 'parity', partition: 0, offset: 1 }]);
    expect(committed.map((p) => p.error)).toEqual([null]);
    const r = await client.send<{ errorCode: number; topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }>('any', OffsetDelete, {
      groupId: 'g-parity',
      topics: [
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0 }] },
        { name: 'parity', partitions: [{ partitionIndex: 7 }, { partitionIndex: 0 }] },
      ],
    });
    expect(r.body).toMatchObject({
      errorCode: 0,
      topics: [
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
        {
          name: 'parity',
          partitions: [
            { partitionIndex: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
            { partitionIndex: 0, errorCode: 0 },
          ],
        },
      ],
    });
  });
});
