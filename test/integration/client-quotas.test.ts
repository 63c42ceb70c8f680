/**
 * DescribeClientQuotas (48) and AlterClientQuotas (49) on the wire, with Kafka's error codes and
 * messages; quotas kept in the metadata log across a restart; enforcement seen on raw
 * connections: a Produce over producer_byte_rate carries Kafka's throttle_time_ms and the
 * connection answers nothing more until that time has passed; request_percentage throttles too;
 * an ip's connection_creation_rate holds and closes connections over it; precedence of user /
 * client-id / default entities.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlterClientQuotas, DescribeClientQuotas, Produce, type AlterClientQuotasRequest, type DescribeClientQuotasRequest } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { Admin } from '../../src/client/admin.js';
import { alterClientQuotas, describeClientQuotas } from '../../src/client/quotas.js';
import { ClientQuotaManager } from '../../src/broker/quotas/client-quotas.js';
import { ClusterMetadata } from '../../src/broker/metadata/cluster-metadata.js';
import { RawConn } from '../helpers/raw-kafka.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../helpers/tmp.js';

let b: TestBroker;
const dir = tempDir('kafka-ts-client-quotas-');

beforeAll(async () => {
  b = await startBroker({ dir: dir.dir });
  const [r] = await new Admin(b.client()).createTopics([{ name: 't', partitions: 1, replicationFactor: 1 }]);
  expect(r!.error).toBeNull();
});
afterAll(async () => {
  await b.close();
  dir.cleanup();
});

const port = () => Number(b.bootstrap.split(':').pop());
type Entry = AlterClientQuotasRequest['entries'][number];
const entry = (entity: Record<string, string | null>, ops: [string, number, boolean?][]): Entry => ({
  entity: Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName })),
  ops: ops.map(([key, value, remove]) => ({ key, value, remove: !!remove })),
});

describe('AlterClientQuotas / DescribeClientQuotas', () => {
  it("refuses bad entities, keys and values with Kafka's INVALID_REQUEST and messages, changing nothing", async () => {
    const c = await RawConn.tcp(port());
    const cases: [Entry, string][] = [
      [entry({}, [['producer_byte_rate', 1]]), 'Invalid empty client quota entity'],
      [entry({ group: 'g' }, [['producer_byte_rate', 1]]), 'Unhandled client quota entity type: group'],
      [entry({ user: '' }, [['producer_byte_rate', 1]]), 'Empty user not supported'],
      [entry({ ip: '1.2.3.4', user: 'u' }, [['connection_creation_rate', 1]]), 'Invalid empty client quota entity'],
      [entry({ ip: 'not an ip' }, [['connection_creation_rate', 1]]), 'not an ip is not a valid IP or resolvable host.'],
      [entry({ user: 'u' }, [['foo', 1]]), 'Invalid configuration key foo'],
      [entry({ ip: '1.2.3.4' }, [['producer_byte_rate', 1]]), 'Invalid configuration key producer_byte_rate'],
      [entry({ 'client-id': 'c' }, [['producer_byte_rate', 1.5]]), 'Configuration producer_byte_rate must be a Long value'],
      [entry({ 'client-id': 'c' }, [['producer_byte_rate', -1]]), 'Configuration producer_byte_rate must be a non-negative value, but it is -1'],
      [entry({ 'client-id': 'c' }, [['request_percentage', 1], ['request_percentage', 2]]), 'Duplicate quota key request_percentage not updating quota for this entity ClientQuotaEntity(entries={client-id=c})'],
    ];
    for (const [e, message] of cases) {
      const r = await c.request(AlterClientQuotas, 1, { entries: [e], validateOnly: false });
      expect({ e, r: r!.entries[0] }).toEqual({ e, r: { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: message, entity: e.entity } });
    }
    // The same entity twice: the second is refused.
    const dup = await c.request(AlterClientQuotas, 0, { entries: [entry({ user: 'd' }, [['consumer_byte_rate', 5]]), entry({ user: 'd' }, [['producer_byte_rate', 5]])], validateOnly: true });
    expect(dup!.entries.map((e) => e.errorCode)).toEqual([0, ErrorCode.INVALID_REQUEST]);
    const all = await c.request(DescribeClientQuotas, 1, { components: [], strict: false });
    expect(all).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, entries: [] });
    c.close();
  });

  it('describes with exact, default and any-name filters, strict or not; refuses bad filters', async () => {
    const client = b.client('admin');
    await alterClientQuotas(client, { user: 'alice' }, { producer_byte_rate: 1000 });
    await alterClientQuotas(client, { user: 'alice', 'client-id': 'c1' }, { consumer_byte_rate: 2000 });
    await alterClientQuotas(client, { user: null }, { request_percentage: 25.5 });
    await alterClientQuotas(client, { 'client-id': null }, { producer_byte_rate: 3000 });
    await alterClientQuotas(client, { ip: '10.0.0.1' }, { connection_creation_rate: 7 });
    expect(await describeClientQuotas(client, [{ entityType: 'user', match: 'alice' }], true)).toEqual([{ entity: { user: 'alice' }, values: { producer_byte_rate: 1000 } }]);
    expect((await describeClientQuotas(client, [{ entityType: 'user', match: 'alice' }], false)).length).toBe(2);
    expect(await describeClientQuotas(client, [{ entityType: 'user', match: null }], true)).toEqual([{ entity: { user: null }, values: { request_percentage: 25.5 } }]);
    expect(await describeClientQuotas(client, [{ entityType: 'user' }, { entityType: 'client-id' }], true)).toEqual([{ entity: { user: 'alice', 'client-id': 'c1' }, values: { consumer_byte_rate: 2000 } }]);
    expect(await describeClientQuotas(client, [{ entityType: 'ip' }], true)).toEqual([{ entity: { ip: '10.0.0.1' }, values: { connection_creation_rate: 7 } }]);
    // Any name (MATCH_TYPE_SPECIFIED) takes the default entity too, as Kafka's ClientQuotasImage.
    const byName = (a: { entity: Record<string, string | null> }, b: { entity: Record<string, string | null> }) => String(a.entity.user ?? a.entity['client-id']).localeCompare(String(b.entity.user ?? b.entity['client-id']));
    expect((await describeClientQuotas(client, [{ entityType: 'client-id' }], true)).sort(byName)).toEqual([{ entity: { 'client-id': null }, values: { producer_byte_rate: 3000 } }]);
    expect((await describeClientQuotas(client, [{ entityType: 'user' }], true)).sort(byName)).toEqual([
      { entity: { user: 'alice' }, values: { producer_byte_rate: 1000 } },
      { entity: { user: null }, values: { request_percentage: 25.5 } },
    ]);
    expect((await describeClientQuotas(client, [], false)).length).toBe(5);

    const c = await RawConn.tcp(port());
    const bad: [DescribeClientQuotasRequest, number, string][] = [
      [{ components: [{ entityType: 'user', matchType: 0, match: null }], strict: false }, ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_EXACT, but set match string to null.'],
      [{ components: [{ entityType: 'user', matchType: 1, match: 'x' }], strict: false }, ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.'],
      [{ components: [{ entityType: 'user', matchType: 2, match: null }, { entityType: 'user', matchType: 2, match: null }], strict: false }, ErrorCode.INVALID_REQUEST, 'Entity type user cannot appear more than once in the filter.'],
      [{ components: [{ entityType: 'group', matchType: 2, match: null }], strict: false }, ErrorCode.UNSUPPORTED_VERSION, 'Unsupported entity type group'],
      [{ components: [{ entityType: 'ip', matchType: 2, match: null }, { entityType: 'user', matchType: 2, match: null }], strict: false }, ErrorCode.INVALID_REQUEST, 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.'],
    ];
    for (const [req, code, message] of bad) {
      const r = await c.request(DescribeClientQuotas, 1, req);
      expect(r).toEqual({ throttleTimeMs: 0, errorCode: code, errorMessage: message, entries: null });
    }
    c.close();
    // Removing the last key removes the entity.
    await alterClientQuotas(client, { ip: '10.0.0.1' }, { connection_creation_rate: null });
    expect(await describeClientQuotas(client, [{ entityType: 'ip' }], true)).toEqual([]);
    // The defaults would apply to the raw connections below.
    await alterClientQuotas(client, { user: null }, { request_percentage: null });
    await alterClientQuotas(client, { 'client-id': null }, { producer_byte_rate: null });
  });

  it('resolves each quota type in Kafka\'s precedence order', () => {
    const md = ClusterMetadata.open(null);
    const q = new ClientQuotaManager(md);
    expect(q.active).toBe(false);
    md.setClientQuotas({ 'client-id': null }, { consumer_byte_rate: 100 });
    md.setClientQuotas({ 'client-id': 'c' }, { consumer_byte_rate: 200 });
    md.setClientQuotas({ user: null }, { consumer_byte_rate: 300 });
    md.setClientQuotas({ user: null, 'client-id': 'c' }, { consumer_byte_rate: 400 });
    md.setClientQuotas({ user: 'u' }, { consumer_byte_rate: 500 });
    md.setClientQuotas({ user: 'u', 'client-id': null }, { consumer_byte_rate: 600 });
    md.setClientQuotas({ user: 'u', 'client-id': 'c' }, { consumer_byte_rate: 700 });
    expect(q.active).toBe(true);
    const window = (p: string, c: string) => q.maxFetchBytes(p, c) / 10;
    expect(window('User:u', 'c')).toBe(700);
    expect(window('User:u', 'other')).toBe(600);
    md.setClientQuotas({ user: 'u', 'client-id': null }, {});
    expect(window('User:u', 'other')).toBe(500);
    expect(window('User:v', 'c')).toBe(400);
    expect(window('User:v', 'other')).toBe(300);
    md.setClientQuotas({ user: null }, {});
    expect(window('User:v', 'other')).toBe(100);
    expect(window('User:v', 'c')).toBe(400);
    md.setClientQuotas({ user: null, 'client-id': 'c' }, {});
    expect(window('User:v', 'c')).toBe(200);
  });
});

describe('enforcement', () => {
  const produceBody = (bytes: number) => ({
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: encodeBatch([{ value: Buffer.alloc(bytes, 1) }]) }] }],
  });

  it('answers a produce over producer_byte_rate with throttle_time_ms and mutes the connection for that long', async () => {
    // RawConn's client id is raw-test: 10 KB/s lets 100 KB through at once (10 windows), then throttles.
    await alterClientQuotas(b.client('admin'), { 'client-id': 'raw-test' }, { producer_byte_rate: 10_000 });
    const c = await RawConn.tcp(port());
    const first = await c.request(Produce, 9, produceBody(60_000));
    expect(first!.throttleTimeMs).toBe(0);
    const second = await c.request(Produce, 9, produceBody(60_000));
    // Kafka's throttle: (rate - bound) / bound × window span; 120 KB over a ≥10 s span at 10 KB/s.
    expect(second!.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    expect(second!.throttleTimeMs).toBeGreaterThan(1500);
    expect(second!.throttleTimeMs).toBeLessThan(2500);
    // Muted: the next request is answered only once the throttle time has passed.
    const t0 = performance.now();
    const third = await c.request(Produce, 9, produceBody(10), 10_000);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThan(second!.throttleTimeMs - 100);
    expect(third!.throttleTimeMs).toBeGreaterThan(0);
    c.close();
    await alterClientQuotas(b.client('admin'), { 'client-id': 'raw-test' }, { producer_byte_rate: null });
  });

  it('throttles request_percentage (handler time) too, at most one window', async () => {
    await alterClientQuotas(b.client('admin'), { 'client-id': 'raw-test' }, { request_percentage: 0.0001 });
    const c = await RawConn.tcp(port());
    let throttle = 0;
    for (let i = 0; i < 20 && throttle === 0; i++) throttle = (await c.request(Produce, 9, produceBody(100)))!.throttleTimeMs;
    expect(throttle).toBeGreaterThan(0);
    expect(throttle).toBeLessThanOrEqual(1000);
    c.close();
    await alterClientQuotas(b.client('admin'), { 'client-id': 'raw-test' }, { request_percentage: null });
  });

  it("holds a connection over an ip's connection_creation_rate unanswered, then closes it", async () => {
    // Set in the metadata directly: no admin connection from 127.0.0.1 is counted.
    b.cluster.metadata.setClientQuotas({ ip: '127.0.0.1' }, { connection_creation_rate: 0.5 });
    try {
      // 0.5/s over Kafka's 10-window span: 5 connections at once, the 6th exceeds it.
      const ok: RawConn[] = [];
      for (let i = 0; i < 5; i++) ok.push(await RawConn.tcp(port()));
      for (const c of ok) expect((await c.request(DescribeClientQuotas, 0, { components: [], strict: false }))!.errorCode).toBe(0);
      const sixth = await RawConn.tcp(port());
      const t0 = performance.now();
      // (0.6 - 0.5) / 0.5 × 10 s = 2 s held, then closed without an answer.
      expect(await sixth.request(DescribeClientQuotas, 0, { components: [], strict: false }, 10_000)).toBeNull();
      expect(performance.now() - t0).toBeGreaterThan(1500);
      for (const c of ok) c.close();
    } finally {
      b.cluster.metadata.setClientQuotas({ ip: '127.0.0.1' }, {});
    }
  });

  it('keeps quotas in the metadata log over a restart', async () => {
    await alterClientQuotas(b.client('admin'), { user: 'keep', 'client-id': 'me' }, { producer_byte_rate: 4242 });
    await b.close(true);
    b = await startBroker({ dir: dir.dir });
    expect(await describeClientQuotas(b.client('admin'), [{ entityType: 'user', match: 'keep' }, { entityType: 'client-id', match: 'me' }], true)).toEqual([
      { entity: { user: 'keep', 'client-id': 'me' }, values: { producer_byte_rate: 4242 } },
    ]);
  });
});
