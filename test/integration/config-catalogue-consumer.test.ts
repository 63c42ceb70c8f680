/**
 * The consumer catalogue's supported keys, each shown to have its effect: consumers built from the
 * checked properties (fetcherOptions from src/client/config/consumer.ts, groupOptions as
 * console-consumer builds them) against an in-process broker, looking at what they read and at
 * the requests they send. EFFECTS names the test of each supported consumer key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '../../src/client/admin.js';
import type { KafkaClient } from '../../src/client/client.js';
import { COMMON_CLIENT_CONFIGS } from '../../src/client/config/common.js';
import { CONSUMER_CATALOGUE, fetcherOptions } from '../../src/client/config/consumer.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { GroupConsumer } from '../../src/client/consumer/group-consumer.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { Producer } from '../../src/client/producer/producer.js';
import { groupOptions } from '../../src/tools/console-group.js';
import { checkProperties, ConfigValues } from '../../src/util/config-catalogue.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

const SELF = 'test/integration/config-catalogue-consumer.test.ts';

/** Supported consumer key (common client keys: config-catalogue.test.ts) → [file, test name]. */
const EFFECTS: Record<string, [string, string]> = {
  'auto.offset.reset': [SELF, "auto.offset.reset: earliest reads what is there, latest only what comes, none fails with Kafka's text"],
  'max.poll.records': [SELF, 'max.poll.records bounds each poll, and every record is still read once'],
  'fetch.min.bytes': [SELF, 'fetch.min.bytes makes the broker wait up to fetch.max.wait.ms'],
  'fetch.max.wait.ms': [SELF, 'fetch.min.bytes makes the broker wait up to fetch.max.wait.ms'],
  'fetch.max.bytes': [SELF, 'max.partition.fetch.bytes and fetch.max.bytes bound a fetch (at least one batch)'],
  'max.partition.fetch.bytes': [SELF, 'max.partition.fetch.bytes and fetch.max.bytes bound a fetch (at least one batch)'],
  'isolation.level': [SELF, 'isolation.level=read_committed hides records of open transactions'],
  'client.rack': [SELF, 'client.rack is sent as the rack id of every fetch'],
  'group.id': [SELF, 'group settings reach JoinGroup and the group'],
  'group.instance.id': [SELF, 'group settings reach JoinGroup and the group'],
  'partition.assignment.strategy': [SELF, 'group settings reach JoinGroup and the group'],
  'session.timeout.ms': [SELF, 'group settings reach JoinGroup and the group'],
  'max.poll.interval.ms': [SELF, 'group settings reach JoinGroup and the group'],
  'heartbeat.interval.ms': [SELF, 'group settings reach JoinGroup and the group'],
  'enable.auto.commit': [SELF, 'enable.auto.commit and auto.commit.interval.ms decide whether positions are committed'],
  'auto.commit.interval.ms': [SELF, 'enable.auto.commit and auto.commit.interval.ms decide whether positions are committed'],
  'default.api.timeout.ms': ['test/integration/client-timeouts.test.ts', 'a command against a broker that accepts and never answers fails after about request.timeout.ms, within default.api.timeout.ms'],
  'check.crcs': ['test/cli/console.test.ts', "checks each batch's CRC with check.crcs=true"],
  'interceptor.classes': ['test/unit/config-catalogue.test.ts', 'interceptor.classes is accepted empty and refused with Java classes'],
  'allow.auto.create.topics': ['test/cli/console-consumer-wait.test.ts', 'allow.auto.create.topics=false does not create the topic; --timeout-ms ends the wait with exit 0'],
};

let broker: TestBroker;
let client: KafkaClient;
let n = 0;

beforeAll(async () => {
  broker = await startBroker();
  client = broker.client('cfg-consumer');
  await client.connect();
});
afterAll(async () => {
  await broker?.close();
});

async function topicWith(records: number, partitions = 1, batchEach = false): Promise<string> {
  const name = `cc-${++n}`;
  const [r] = await new Admin(client).createTopics([{ name, partitions, replicationFactor: 1 }]);
  expect(r!.error).toBeNull();
  await client.refreshMetadata([name]);
  const p = new Producer(client, { lingerMs: batchEach ? 0 : 5 });
  for (let i = 0; i < records; i++) {
    const s = p.send({ topic: name, partition: i % partitions, value: Buffer.from(`r${i}`) });
    if (batchEach) await s;
  }
  await p.close();
  return name;
}

function config(props: Record<string, string>): ConfigValues {
  const r = checkProperties(CONSUMER_CATALOGUE, props);
  expect(r.errors).toEqual([]);
  return new ConfigValues(CONSUMER_CATALOGUE, r.values);
}

/** Records the requests a client sends (API name and body). */
function spy(c: KafkaClient): { name: string; body: Record<string, unknown> }[] {
  const seen: { name: string; body: Record<string, unknown> }[] = [];
  const send = c.send.bind(c) as (...a: unknown[]) => Promise<unknown>;
  (c as unknown as { send: (...a: unknown[]) => Promise<unknown> }).send = (target: unknown, api: unknown, body: unknown, opts: unknown) => {
    seen.push({ name: (api as { name: string }).name, body: body as Record<string, unknown> });
    return send(target, api, body, opts);
  };
  return seen;
}

async function pollUntil(c: GroupConsumer, want: number, deadlineMs = 15_000): Promise<{ values: string[]; sizes: number[] }> {
  const values: string[] = [];
  const sizes: number[] = [];
  const end = Date.now() + deadlineMs;
  while (values.length < want && Date.now() < end) {
    const rs = await c.poll(200);
    if (rs.length) sizes.push(rs.length);
    values.push(...rs.map((r) => r.value!.toString()));
  }
  return { values, sizes };
}

describe('consumer settings have their effect', () => {
  it('EFFECTS names a test for every supported consumer key, in a file that has it', () => {
    const common = new Set(COMMON_CLIENT_CONFIGS.map((e) => e.name));
    const keys = CONSUMER_CATALOGUE.entries.filter((e) => e.support === 'supported' && !common.has(e.name)).map((e) => e.name);
    expect(keys.filter((k) => !(k in EFFECTS))).toEqual([]);
    for (const [key, [file, name]] of Object.entries(EFFECTS)) {
      expect(existsSync(file), `${key}: ${file}`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${key}: "${name}" in ${file}`).toContain(name);
    }
  });

  it("auto.offset.reset: earliest reads what is there, latest only what comes, none fails with Kafka's text", async () => {
    const t = await topicWith(5);
    const make = (reset: string, group: string) => new GroupConsumer(client, { ...fetcherOptions(config({ 'auto.offset.reset': reset })), ...groupOptions({}), groupId: group, maxWaitMs: 100 });
    const early = make('earliest', `${t}-e`);
    early.subscribe([t]);
    expect((await pollUntil(early, 5)).values).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    await early.close();

    const late = make('latest', `${t}-l`);
    late.subscribe([t]);
    const end = Date.now() + 10_000;
    while (late.assignment().length === 0 && Date.now() < end) expect(await late.poll(100)).toEqual([]);
    const p = new Producer(client, {});
    await p.send({ topic: t, value: Buffer.from('new') });
    await p.close();
    expect((await pollUntil(late, 1)).values).toEqual(['new']);
    await late.close();

    const none = make('none', `${t}-n`);
    none.subscribe([t]);
    let error: Error | null = null;
    const until = Date.now() + 10_000;
    while (!error && Date.now() < until) error = await none.poll(100).then(() => null, (e: Error) => e);
    expect(error?.message).toBe(`Undefined offset with no reset policy for partitions: [${t}-0]`);
    await none.close().catch(() => undefined);
  });

  it('max.poll.records bounds each poll, and every record is still read once', async () => {
    const t = await topicWith(50, 2);
    const c = new GroupConsumer(client, { ...fetcherOptions(config({ 'max.poll.records': '7', 'auto.offset.reset': 'earliest' })), ...groupOptions({}), groupId: `${t}-g`, maxWaitMs: 100 });
    c.subscribe([t]);
    const { values, sizes } = await pollUntil(c, 50);
    await c.close();
    expect(Math.max(...sizes)).toBeLessThanOrEqual(7);
    expect(values.length).toBe(50);
    expect(new Set(values).size).toBe(50);
  });

  it('max.poll.records keeps the rest of a fetch for the next polls: nothing is fetched twice, commits stop at what was returned', async () => {
    const t = await topicWith(50, 2);
    const c2 = broker.client('cfg-consumer-held');
    await c2.connect();
    const seen = spy(c2);
    const props = { 'max.poll.records': '7', 'auto.offset.reset': 'earliest', 'enable.auto.commit': 'false' };
    const make = (on: KafkaClient) => new GroupConsumer(on, { ...fetcherOptions(config(props)), ...groupOptions(props), groupId: `${t}-held`, maxWaitMs: 100 });
    const a = make(c2);
    a.subscribe([t]);
    let first: string[] = [];
    for (let i = 0; i < 100 && first.length === 0; i++) first = (await a.poll(200)).map((r) => r.value!.toString());
    expect(first).toHaveLength(7);
    const fetchesAfterFirst = seen.filter((s) => s.name === 'Fetch').length;
    // The other 43 records of that fetch come from the held records: 7 a poll, no Fetch sent.
    const rest: number[] = [];
    for (let i = 0; i < 3; i++) rest.push((await a.poll(200)).length);
    expect(rest).toEqual([7, 7, 7]);
    expect(seen.filter((s) => s.name === 'Fetch').length).toBe(fetchesAfterFirst);
    // Committed: the 28 records returned, not the 50 fetched; the next member reads the other 22 once.
    await a.commit();
    const committed = a.positions().reduce((s, p) => s + p.position, 0);
    expect(committed).toBe(28);
    await a.close();
    const b = make(client);
    b.subscribe([t]);
    const { values, sizes } = await pollUntil(b, 22);
    await b.close();
    await c2.close();
    expect(Math.max(...sizes)).toBeLessThanOrEqual(7);
    expect(values.length).toBe(22);
    expect(new Set([...values, ...first]).size).toBe(22 + 7);
  });

  it('GroupConsumer returns at most 500 records a poll by default, as Kafka', async () => {
    const t = await topicWith(1200);
    const g = new GroupConsumer(client, { ...fetcherOptions(config({ 'auto.offset.reset': 'earliest' })), ...groupOptions({}), groupId: `${t}-default`, maxWaitMs: 100 });
    const bare = new GroupConsumer(client, { groupId: `${t}-bare`, autoOffsetReset: 'earliest', maxWaitMs: 100 });
    for (const c of [g, bare]) {
      c.subscribe([t]);
      const { values, sizes } = await pollUntil(c, 1200);
      await c.close();
      expect(values.length).toBe(1200);
      expect(Math.max(...sizes), sizes.join(',')).toBe(500);
    }
  });

  it('max.partition.fetch.bytes and fetch.max.bytes bound a fetch (at least one batch)', async () => {
    const t = await topicWith(4, 1, true);
    for (const [props, want] of [[{}, 4], [{ 'max.partition.fetch.bytes': '1' }, 1], [{ 'fetch.max.bytes': '1' }, 1]] as const) {
      const f = new Fetcher(client, fetcherOptions(config(props)));
      await f.assign([{ topic: t, partition: 0, start: 'earliest' }]);
      const chunks = await f.poll({ maxWaitMs: 100 });
      expect(chunks.flatMap((c) => c.records).length, JSON.stringify(props)).toBe(want);
    }
  });

  it('check.crcs: a corrupt batch in one partition fails the poll before any partition of the round moves', async () => {
    const t = await topicWith(2, 2, true);
    // Bit rot in partition 1's only batch ("r1"), in its segment file.
    const file = join(broker.dir, 'data', `${t}-1`, '00000000000000000000.log');
    const at = readFileSync(file).indexOf('r1');
    expect(at).toBeGreaterThan(0);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from('X'), 0, 1, at + 1);
    closeSync(fd);
    for (const prefetch of [false, true]) {
      const f = new Fetcher(client, { ...fetcherOptions(config({ 'check.crcs': 'true' })), prefetch });
      await f.assign([0, 1].map((partition) => ({ topic: t, partition, start: 'earliest' as const })));
      await expect(f.pollRaw({ maxWaitMs: 100 }), `prefetch ${prefetch}`).rejects.toThrow(`Record batch for partition ${t}-1 at offset 0 is invalid, cause: Record is corrupt`);
      // Partition 0's record was not returned, so its position has not moved past it either.
      expect(f.assignment().map((a) => [a.partition, a.position])).toEqual([[0, 0], [1, 0]]);
      f.close();
    }
    // Unchecked, both records come back as stored.
    const plain = new Fetcher(client, fetcherOptions(config({})));
    await plain.assign([0, 1].map((partition) => ({ topic: t, partition, start: 'earliest' as const })));
    const values = (await plain.poll({ maxWaitMs: 100 })).flatMap((c) => c.records.map((r) => r.value!.toString())).sort();
    expect(values).toEqual(['r0', 'rX']);
  });

  it('fetch.min.bytes makes the broker wait up to fetch.max.wait.ms', async () => {
    const t = await topicWith(1);
    const timed = async (props: Record<string, string>) => {
      const f = new Fetcher(client, fetcherOptions(config(props)));
      await f.assign([{ topic: t, partition: 0, start: 'earliest' }]);
      const started = Date.now();
      const got = (await f.poll()).flatMap((c) => c.records).length;
      return { got, ms: Date.now() - started };
    };
    const waited = await timed({ 'fetch.min.bytes': '1000000', 'fetch.max.wait.ms': '600' });
    expect(waited.got).toBe(1);
    // Loose bound: the broker held the fetch (a prompt answer takes a few ms).
    expect(waited.ms).toBeGreaterThanOrEqual(400);
    expect((await timed({ 'fetch.min.bytes': '1', 'fetch.max.wait.ms': '5000' })).got).toBe(1);
  });

  it('isolation.level=read_committed hides records of open transactions', async () => {
    const t = await topicWith(0);
    const p = new Producer(client, { transactionalId: `${t}-txn` });
    await p.initTransactions();
    p.beginTransaction();
    await p.send({ topic: t, value: Buffer.from('open') });
    const read = async (level: string) => {
      const f = new Fetcher(client, fetcherOptions(config({ 'isolation.level': level })));
      await f.assign([{ topic: t, partition: 0, start: 'earliest' }]);
      return (await f.poll({ maxWaitMs: 100 })).flatMap((c) => c.records).map((r) => r.value!.toString());
    };
    expect(await read('read_uncommitted')).toEqual(['open']);
    expect(await read('read_committed')).toEqual([]);
    await p.abortTransaction();
    await p.close();
  });

  it('client.rack is sent as the rack id of every fetch', async () => {
    const t = await topicWith(1);
    const c = broker.client('cfg-rack');
    await c.connect();
    const seen = spy(c);
    const f = new Fetcher(c, fetcherOptions(config({ 'client.rack': 'rack-b' })));
    await f.assign([{ topic: t, partition: 0, start: 'earliest' }]);
    await f.poll({ maxWaitMs: 50 });
    const fetches = seen.filter((s) => s.name === 'Fetch');
    expect(fetches.length).toBeGreaterThan(0);
    for (const s of fetches) expect(s.body.rackId).toBe('rack-b');
  });

  it('group settings reach JoinGroup and the group', async () => {
    const t = await topicWith(1);
    const c = broker.client('cfg-group');
    await c.connect();
    const seen = spy(c);
    const props = {
      'group.id': `${t}-static`,
      'group.instance.id': 'member-1',
      'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.RoundRobinAssignor',
      'session.timeout.ms': '7000',
      'max.poll.interval.ms': '9000',
      'heartbeat.interval.ms': '100',
    };
    expect(checkProperties(CONSUMER_CATALOGUE, props).errors).toEqual([]);
    const g = new GroupConsumer(c, { ...fetcherOptions(config(props)), ...groupOptions(props), groupId: props['group.id'], maxWaitMs: 100 });
    g.subscribe([t]);
    const end = Date.now() + 10_000;
    while (g.assignment().length === 0 && Date.now() < end) await g.poll(100);
    const join = seen.find((s) => s.name === 'JoinGroup')!.body;
    expect(join).toMatchObject({ groupId: `${t}-static`, groupInstanceId: 'member-1', sessionTimeoutMs: 7000, rebalanceTimeoutMs: 9000 });
    const [d] = await new GroupAdmin(client).describeGroups([`${t}-static`]);
    expect(d!.protocol).toBe('roundrobin');
    expect(d!.members[0]!.groupInstanceId).toBe('member-1');
    // heartbeat.interval.ms=100: heartbeats keep coming while the member polls.
    const before = seen.filter((s) => s.name === 'Heartbeat').length;
    const until = Date.now() + 10_000;
    while (seen.filter((s) => s.name === 'Heartbeat').length < before + 2 && Date.now() < until) await g.poll(100);
    expect(seen.filter((s) => s.name === 'Heartbeat').length).toBeGreaterThanOrEqual(before + 2);
    await g.close();
  });

  it('enable.auto.commit and auto.commit.interval.ms decide whether positions are committed', async () => {
    const t = await topicWith(3);
    const committed = async (group: string) => (await new GroupAdmin(client).fetchOffsets(group, [{ topic: t, partition: 0 }]))[0]?.offset ?? -1;
    for (const [auto, want] of [['true', 3], ['false', -1]] as const) {
      const props = { 'enable.auto.commit': auto, 'auto.commit.interval.ms': '0', 'auto.offset.reset': 'earliest' };
      const group = `${t}-${auto}`;
      const g = new GroupConsumer(client, { ...fetcherOptions(config(props)), ...groupOptions(props), groupId: group, maxWaitMs: 100 });
      g.subscribe([t]);
      await pollUntil(g, 3);
      // One more poll: with auto-commit every poll commits what the previous ones read.
      await g.poll(50);
      expect(await committed(group), `enable.auto.commit=${auto}`).toBe(want);
      await g.close();
    }
  });
});
