/**
 * Effects of broker settings that no other test shows (issue 19's catalogue walk names this file
 * for them): socket.request.max.bytes closes a connection sending a larger request,
 * delete.topic.enable=false refuses DeleteTopics, log.cleaner.enable=false leaves a compacted
 * topic alone while an enabled cleaner compacts the same data, and the transaction.state.log.*
 * settings shape __transaction_state, ssl.enabled.protocols=TLSv1.3 refuses a TLSv1.2 client, and
 * leader.imbalance.check.interval.seconds / leader.imbalance.per.broker.percentage decide when
 * leadership goes back to the preferred replica.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { DescribeConfigs, JoinGroup } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeSubscription } from '../../src/protocol/consumer-protocol.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { RawConn } from '../helpers/raw-kafka.js';
import { makeCerts } from '../helpers/certs.js';
import { tempDir } from '../helpers/tmp.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';

const brokers: TestBroker[] = [];
const start = async (properties: Record<string, string>) => {
  const b = await startBroker({ properties });
  brokers.push(b);
  return b;
};
afterAll(async () => {
  for (const b of brokers) await b.close();
});

const port = (b: TestBroker) => Number(b.bootstrap.split(':').at(-1));

async function count(b: TestBroker, topic: string): Promise<number> {
  const f = new Fetcher(b.client('reader'), { maxWaitMs: 50 });
  await f.assign([{ topic, partition: 0, start: 'earliest' }]);
  let n = 0;
  do for (const chunk of await f.poll()) n += chunk.records.length;
  while (!f.allAtEnd());
  return n;
}

describe('broker settings and their effects', () => {
  it('socket.request.max.bytes: a larger request closes the connection; a smaller one is read', async () => {
    const b = await start({ 'socket.request.max.bytes': '1000' });
    const small = await RawConn.tcp(port(b));
    small.write(Buffer.concat([Buffer.from([0, 0, 3, 0xe8]), Buffer.alloc(500)])); // announces 1000 bytes, sends part
    expect(await small.waitClosed(300)).toBe(false);
    small.close();
    const big = await RawConn.tcp(port(b));
    big.write(Buffer.from([0, 0, 3, 0xe9])); // 1001 bytes
    expect(await big.waitClosed(10_000)).toBe(true);
  });

  it('delete.topic.enable=false: DeleteTopics is refused with TOPIC_DELETION_DISABLED, the topic stays', async () => {
    const b = await start({ 'delete.topic.enable': 'false' });
    const admin = new Admin(b.client());
    expect((await admin.createTopics([{ name: 'kept', partitions: 1, replicationFactor: 1 }]))[0]!.error).toBeNull();
    const [r] = await admin.deleteTopics(['kept']);
    expect(r!.error).toMatchObject({ message: expect.stringContaining('Topic deletion is disabled') });
    expect(b.cluster.metadata.topic('kept')).toBeDefined();
  });

  it('log.cleaner.enable=false: the cleaner leaves a compacted topic alone while an enabled one compacts the same data', async () => {
    const props = { 'log.cleaner.backoff.ms': '20' };
    const [on, off] = [await start(props), await start({ ...props, 'log.cleaner.enable': 'false' })];
    for (const b of [on, off]) {
      const c = b.client();
      await new Admin(c).createTopics([{ name: 'table', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': '2048', 'min.cleanable.dirty.ratio': '0.01' } }]);
      const p = new Producer(c, { lingerMs: 0 });
      for (let i = 0; i < 300; i++) await p.send({ topic: 'table', key: Buffer.from(`k${i % 10}`), value: Buffer.from(`v${i}`) });
    }
    const deadline = Date.now() + 20_000;
    let seen = 300;
    while ((seen = await count(on, 'table')) === 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen, 'the enabled cleaner compacted within 20 s').toBeLessThan(300);
    expect(await count(off, 'table')).toBe(300);
  });

  it('a dynamic log.cleaner.backoff.ms (cluster default) takes effect at once over a static one of an hour', async () => {
    const b = await start({ 'log.cleaner.backoff.ms': '3600000' });
    const c = b.client();
    const admin = new Admin(c);
    await admin.createTopics([{ name: 'dyn-table', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': '2048', 'min.cleanable.dirty.ratio': '0.01' } }]);
    const p = new Producer(c, { lingerMs: 0 });
    for (let i = 0; i < 300; i++) await p.send({ topic: 'dyn-table', key: Buffer.from(`k${i % 10}`), value: Buffer.from(`v${i}`) });
    await admin.alterConfigs(4, '', { 'log.cleaner.backoff.ms': '20' });
    const deadline = Date.now() + 20_000;
    let seen = 300;
    while ((seen = await count(b, 'dyn-table')) === 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen, 'compacted within 20 s of the change').toBeLessThan(300);
  });

  it('log.retention.ms: a quiet topic whose records all expired is emptied, its active segment too, and goes on at its end', async () => {
    // The check runs when the test calls it (an hour apart otherwise).
    const b = await start({ 'log.retention.ms': '60000', 'log.retention.check.interval.ms': '3600000' });
    const c = b.client();
    await new Admin(c).createTopics([{ name: 'quiet', partitions: 1, replicationFactor: 1 }]);
    const p = new Producer(c, { lingerMs: 0 });
    for (let i = 0; i < 5; i++) await p.send({ topic: 'quiet', value: Buffer.from(`old-${i}`), timestamp: Date.now() - 3_600_000 });
    const node = b.cluster.brokers()[0]!;
    await node.applyRetention();
    const admin = new Admin(c);
    const offsets = async () => (await Promise.all([-2, -1].map((timestamp) => admin.listOffsets([{ topic: 'quiet', partition: 0, timestamp }])))).map(([o]) => o!.offset);
    expect(await offsets()).toEqual([5, 5]);
    expect((await p.send({ topic: 'quiet', value: Buffer.from('new') })).offset).toBe(5);
    expect(await count(b, 'quiet')).toBe(1);
  });

  it('transaction.state.log.replication.factor, .min.isr, .segment.bytes and .num.partitions shape __transaction_state', async () => {
    const b = await start({
      'kafka-ts.brokers': '3',
      'transaction.state.log.num.partitions': '3',
      'transaction.state.log.replication.factor': '2',
      'transaction.state.log.min.isr': '1',
      'transaction.state.log.segment.bytes': '2000000',
    });
    b.cluster.controller.ensureTransactionStateTopic(); // what the first FindCoordinator(TRANSACTION) does
    const t = b.cluster.metadata.topic('__transaction_state')!;
    expect(t.configs).toMatchObject({ 'min.insync.replicas': '1', 'segment.bytes': '2000000' });
    expect(t.partitions).toHaveLength(3);
    for (const p of t.partitions) expect(p.replicas).toHaveLength(2);
  });

  it('ssl.enabled.protocols=TLSv1.3: a TLSv1.2 client is refused at the handshake, a TLSv1.3 one gets in', async () => {
    const dir = tempDir();
    try {
      const certs = await makeCerts(join(dir.dir, 'certs'));
      const b = await start({
        listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': certs.serverKeystore,
        'ssl.enabled.protocols': 'TLSv1.3',
      });
      const [host, p] = b.cluster.bootstrapFor('SSL').split(':');
      const handshake = (maxVersion: tls.SecureVersion) =>
        new Promise<string>((resolve) => {
          const s = tls.connect({ host, port: Number(p), ca: readFileSync(certs.caCert), servername: 'localhost', maxVersion }, () => {
            resolve(s.getProtocol() ?? 'none');
            s.destroy();
          });
          s.on('error', (e) => resolve(`error: ${e.message}`));
        });
      expect(await handshake('TLSv1.2')).toMatch(/^error: /);
      expect(await handshake('TLSv1.3')).toBe('TLSv1.3');
    } finally {
      dir.cleanup();
    }
  });

  it('leader.imbalance.check.interval.seconds and leader.imbalance.per.broker.percentage: when leadership goes back to the preferred replica', async () => {
    const props = { 'kafka-ts.brokers': '2', 'replica.lag.time.max.ms': '1500', 'replica.fetch.backoff.ms': '100', 'leader.imbalance.check.interval.seconds': '1' };
    const [eager, tolerant] = [await start({ ...props, 'leader.imbalance.per.broker.percentage': '0' }), await start({ ...props, 'leader.imbalance.per.broker.percentage': '100' })];
    const waitFor = async (what: string, ok: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const leaders: number[] = [];
    for (const b of [eager, tolerant]) {
      expect((await new Admin(b.client()).createTopics([{ name: 'lead', partitions: 1, replicationFactor: 2 }]))[0]!.error).toBeNull();
      const state = () => b.cluster.metadata.topic('lead')!.partitions[0]!;
      const preferred = state().replicas[0]!;
      await waitFor('both replicas in sync', () => state().isr.length === 2);
      await b.cluster.stopBroker(preferred);
      await waitFor('leadership to move away', () => state().leader !== preferred);
      await b.cluster.startBroker(preferred);
      await waitFor('the preferred replica back in sync', () => state().isr.includes(preferred));
      if (b === eager) {
        // Checked every second (not Kafka's 300): leadership returns without anyone asking.
        await waitFor('leadership back on the preferred replica', () => state().leader === preferred);
      } else {
        // 100%: one partition of one led elsewhere is not imbalance enough; a check changes nothing.
        b.cluster.controller.replication.rebalanceLeaders();
      }
      leaders.push(state().leader === preferred ? 1 : 0);
    }
    expect(leaders).toEqual([1, 0]);
  });

  it('group.max.size, group.max.session.timeout.ms and offset.metadata.max.bytes bound what the group coordinator accepts', async () => {
    const b = await start({ 'group.max.size': '1', 'group.max.session.timeout.ms': '20000', 'offset.metadata.max.bytes': '10' });
    const c = b.client();
    await new Admin(c).createTopics([{ name: 'g-topic', partitions: 1, replicationFactor: 1 }]);
    const metadata = encodeSubscription({ topics: ['g-topic'], userData: null, ownedPartitions: [], generationId: -1, rackId: null });
    const join = (groupId: string, sessionTimeoutMs: number) =>
      c
        .send<{ errorCode: number }>('any', JoinGroup, { groupId, memberId: '', sessionTimeoutMs, rebalanceTimeoutMs: 10_000, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata }], reason: null }, { maxVersion: 3 })
        .then((r) => r.body.errorCode);
    expect(await join('g-size', 10_000)).toBe(0);
    expect(await join('g-size', 10_000)).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    expect(await join('g-timeout', 20_001)).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(await join('g-timeout', 20_000)).toBe(0);
    const groups = new GroupAdmin(c);
    expect((await groups.commitOffsets('g-meta', [{ topic: 'g-topic', partition: 0, offset: 1, metadata: 'x'.repeat(10) }]))[0]!.error).toBeNull();
    expect((await groups.commitOffsets('g-meta', [{ topic: 'g-topic', partition: 0, offset: 2, metadata: 'x'.repeat(11) }]))[0]!.error!.code).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
  });

  it('kafka-ts.offset.metadata.max.total.bytes caps the committed metadata the daemon keeps, counting what it loads at a restart', async () => {
    const props = { 'kafka-ts.offset.metadata.max.total.bytes': '100' };
    const b = await startBroker({ properties: props });
    let restarted: TestBroker | null = null;
    try {
      await new Admin(b.client()).createTopics([{ name: 'm-topic', partitions: 3, replicationFactor: 1 }]);
      const commit = async (on: TestBroker, group: string, partition: number, metadata: string) =>
        (await new GroupAdmin(on.client()).commitOffsets(group, [{ topic: 'm-topic', partition, offset: 1, metadata }]))[0]!.error?.code ?? 0;
      expect(await commit(b, 'g1', 0, 'x'.repeat(60))).toBe(0);
      expect(await commit(b, 'g2', 0, 'x'.repeat(41))).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
      expect(await commit(b, 'g2', 1, '')).toBe(0);
      await b.close(true);
      restarted = await startBroker({ properties: props, dir: b.dir });
      const loaded = await new GroupAdmin(restarted.client()).fetchOffsets('g1');
      expect(loaded.map((o) => o.metadata), JSON.stringify(loaded)).toEqual(['x'.repeat(60)]);
      expect(await commit(restarted, 'g2', 2, 'x'.repeat(41))).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
      expect(await commit(restarted, 'g2', 2, 'x'.repeat(40))).toBe(0);
    } finally {
      await (restarted ?? b).close();
    }
  });

  it('compression.type: a batch produced with another codec is stored recompressed (topic setting, else the broker default); the rebuilt batch is checked against max.message.bytes (a producer then splits it)', async () => {
    const b = await start({ 'compression.type': 'lz4' });
    const c = b.client();
    const admin = new Admin(c);
    const topics = [
      { name: 'cz-zstd', partitions: 1, replicationFactor: 1, configs: { 'compression.type': 'zstd', 'compression.zstd.level': '19' } },
      { name: 'cz-plain', partitions: 1, replicationFactor: 1, configs: { 'compression.type': 'uncompressed' } },
      { name: 'cz-broker', partitions: 1, replicationFactor: 1 },
      { name: 'cz-producer', partitions: 1, replicationFactor: 1, configs: { 'compression.type': 'producer' } },
      { name: 'cz-small', partitions: 1, replicationFactor: 1, configs: { 'compression.type': 'uncompressed', 'max.message.bytes': '2000' } },
    ];
    for (const r of await admin.createTopics(topics)) expect(r.error).toBeNull();
    const values = ['one', 'two', 'three'].map((v) => Buffer.from(v.repeat(50)));
    const stored = async (topic: string) => {
      const f = new Fetcher(c, { maxWaitMs: 50 });
      await f.assign([{ topic, partition: 0, start: 'earliest' }]);
      const codecs: number[] = [];
      const read: string[] = [];
      do {
        for (const chunk of await f.pollRaw()) {
          for (const { header } of chunk.batches) codecs.push(header.attributes & 7);
        }
      } while (!f.allAtEnd());
      await f.assign([{ topic, partition: 0, start: 'earliest' }]);
      do for (const chunk of await f.poll()) read.push(...chunk.records.map((r) => r.value!.toString()));
      while (!f.allAtEnd());
      return { codecs, read };
    };
    // One gzip batch of three records per topic (sent together, within linger.ms).
    const gzip = new Producer(c, { lingerMs: 50, compression: 1 });
    for (const topic of ['cz-zstd', 'cz-plain', 'cz-broker', 'cz-producer']) await Promise.all(values.map((value) => gzip.send({ topic, partition: 0, key: null, value })));
    const expected = values.map((v) => v.toString());
    expect(await stored('cz-zstd')).toEqual({ codecs: [4], read: expected });
    expect(await stored('cz-plain')).toEqual({ codecs: [0], read: expected });
    expect(await stored('cz-broker')).toEqual({ codecs: [3], read: expected });
    expect(await stored('cz-producer')).toEqual({ codecs: [1], read: expected });
    // The codec's level (compression.zstd.level, compression.gzip.level) applies: the same words stored smaller at a higher level.
    let seed = 12345;
    const vocabulary = Array.from({ length: 500 }, (_, i) => ((i * 2654435761) % 100000).toString(36));
    const words = Buffer.from(Array.from({ length: 20_000 }, () => vocabulary[(seed = (seed * 1103515245 + 12345) % 2147483648) % 500]).join(' '));
    const levels = [
      { name: 'cz-zstd-1', partitions: 1, replicationFactor: 1, configs: { 'compression.type': 'zstd', 'compression.zstd.level': '1' } },
      { name: 'cz-zstd-19', partitions: 1, replicationFactor: 1, configs: { 'compression.type': 'zstd', 'compression.zstd.level': '19' } },
      { name: 'cz-gzip-1', partitions: 1, replicationFactor: 1, configs: { 'compression.type': 'gzip', 'compression.gzip.level': '1' } },
      { name: 'cz-gzip-9', partitions: 1, replicationFactor: 1, configs: { 'compression.type': 'gzip', 'compression.gzip.level': '9' } },
    ];
    for (const r of await admin.createTopics(levels)) expect(r.error).toBeNull();
    const plain = new Producer(c, { lingerMs: 0 });
    const sizes: Record<string, number> = {};
    for (const { name } of levels) {
      await plain.send({ topic: name, partition: 0, key: null, value: words });
      const f = new Fetcher(c, { maxWaitMs: 50 });
      await f.assign([{ topic: name, partition: 0, start: 'earliest' }]);
      sizes[name] = (await f.pollRaw()).flatMap((ch) => ch.batches.map((x) => x.batch.length))[0]!;
    }
    await plain.close();
    expect(sizes['cz-zstd-19']!, JSON.stringify(sizes)).toBeLessThan(sizes['cz-zstd-1']!);
    expect(sizes['cz-gzip-9']!, JSON.stringify(sizes)).toBeLessThan(sizes['cz-gzip-1']!);
    // Three records of 900 bytes of one letter: one gzip batch of a few dozen bytes, 2.7 KB
    // uncompressed: refused (MESSAGE_TOO_LARGE), the producer splits it into smaller batches.
    const letters = Buffer.alloc(900, 97);
    await Promise.all([0, 1, 2].map(() => gzip.send({ topic: 'cz-small', partition: 0, key: null, value: letters })));
    const small = await stored('cz-small');
    expect({ uncompressed: small.codecs.every((codec) => codec === 0), split: small.codecs.length > 1, read: small.read.length }).toEqual({ uncompressed: true, split: true, read: 3 });
    await gzip.close();
  });

  it('message.timestamp.before.max.ms / after.max.ms (KIP-937): a CreateTime record out of [now - before, now + after] is refused with INVALID_TIMESTAMP; LogAppendTime topics are not checked', async () => {
    const b = await start({ 'log.message.timestamp.after.max.ms': '60000' });
    const c = b.client();
    const bounded = { 'message.timestamp.before.max.ms': '3600000' };
    const topics = [
      { name: 'ts-bounded', partitions: 1, replicationFactor: 1, configs: bounded },
      { name: 'ts-append', partitions: 1, replicationFactor: 1, configs: { ...bounded, 'message.timestamp.type': 'LogAppendTime' } },
    ];
    for (const r of await new Admin(c).createTopics(topics)) expect(r.error).toBeNull();
    const p = new Producer(c, { lingerMs: 0 });
    const send = (topic: string, timestamp: number) =>
      p.send({ topic, partition: 0, value: Buffer.from('x'), timestamp }).then(
        () => 'ok',
        (e: Error) => e.message,
      );
    const hour = 3_600_000;
    expect(await send('ts-bounded', Date.now())).toBe('ok');
    expect(await send('ts-bounded', Date.now() - hour + 60_000)).toBe('ok');
    // Too old (the topic's one hour) and too far ahead (the broker's one minute).
    // Kafka's texts: the response's, then the record's own (a record error, Produce v8+).
    const refused = /^One or more records have been rejected due to invalid timestamp: Timestamp \d+ of message with offset 0 is out of range\. The timestamp should be within \[\d+, \d+\]/;
    expect(await send('ts-bounded', Date.now() - 2 * hour)).toMatch(refused);
    expect(await send('ts-bounded', Date.now() + 10 * 60_000)).toMatch(refused);
    expect(await send('ts-append', Date.now() - 2 * hour)).toBe('ok');
    await p.close();
    expect(await count(b, 'ts-bounded')).toBe(2);
  });

  it('DescribeConfigs documents each config when asked (v3+), saying which have no effect here', async () => {
    const b = await start({});
    const c = b.client();
    await new Admin(c).createTopics([{ name: 'doc-topic', partitions: 1, replicationFactor: 1 }]);
    type Res = { results: { configs: { name: string; documentation: string | null }[] }[] };
    const describe = async (resourceType: number, resourceName: string, includeDocumentation: boolean) =>
      (await c.send<Res>('any', DescribeConfigs, { resources: [{ resourceType, resourceName, configurationKeys: null }], includeSynonyms: false, includeDocumentation }, { maxVersion: 4 })).body.results[0]!.configs;
    const topic = new Map((await describe(2, 'doc-topic', true)).map((e) => [e.name, e.documentation]));
    expect(topic.get('retention.ms')).toBe('Age after which old segments go (-1: forever). Broker default: log.retention.ms.');
    expect(topic.get('preallocate')).toMatch(/No effect in kafka-ts: segment files grow as they are written\.$/);
    const broker = new Map((await describe(4, '1', true)).map((e) => [e.name, e.documentation]));
    expect(broker.get('num.network.threads')).toMatch(/No effect in kafka-ts: the daemon is one Node\.js process/);
    expect(broker.get('compression.type')).not.toContain('No effect');
    expect(broker.get('num.partitions')).toBe('Partitions of a topic created without a count.');
    expect((await describe(2, 'doc-topic', false)).every((e) => e.documentation === null)).toBe(true);
  });

  it('replica.fetch.max.bytes and replica.fetch.response.max.bytes: a follower catching up with tiny limits takes a fetch per batch', async () => {
    const fetchesToCatchUp = async (extra: Record<string, string>) => {
      const b = await start({ 'kafka-ts.brokers': '2', 'replica.lag.time.max.ms': '1500', 'replica.fetch.backoff.ms': '50', 'auto.leader.rebalance.enable': 'false', ...extra });
      const c = b.client();
      expect((await new Admin(c).createTopics([{ name: 'catch-up', partitions: 1, replicationFactor: 2 }]))[0]!.error).toBeNull();
      const state = () => b.cluster.metadata.topic('catch-up')!.partitions[0]!;
      const [leader, follower] = [state().leader, state().replicas.find((r) => r !== state().leader)!];
      await b.cluster.stopBroker(follower);
      const p = new Producer(c, { lingerMs: 0, acks: 1 });
      for (let i = 0; i < 20; i++) await p.send({ topic: 'catch-up', value: Buffer.alloc(200, i) });
      const fetches = () => b.cluster.router.metrics.snapshot(String).find((t) => t.apiKey === 1)?.count ?? 0;
      const before = fetches();
      await b.cluster.startBroker(follower);
      const end = b.cluster.broker(leader)!.replica('catch-up', 0)!.logEndOffset();
      const deadline = Date.now() + 20_000;
      while (b.cluster.broker(follower)!.replica('catch-up', 0)?.logEndOffset() !== end) {
        if (Date.now() > deadline) throw new Error('the follower did not catch up within 20 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      return fetches() - before;
    };
    const partitionLimit = await fetchesToCatchUp({ 'replica.fetch.max.bytes': '1' });
    const responseLimit = await fetchesToCatchUp({ 'replica.fetch.response.max.bytes': '1' });
    const normal = await fetchesToCatchUp({});
    const seen = `fetches: replica.fetch.max.bytes=1 ${partitionLimit}, replica.fetch.response.max.bytes=1 ${responseLimit}, defaults ${normal}`;
    // Kafka's rule: at least one batch per fetch however small the limit, so 20 batches take 20 fetches.
    expect(partitionLimit, seen).toBeGreaterThanOrEqual(20);
    expect(responseLimit, seen).toBeGreaterThanOrEqual(20);
    expect(normal, seen).toBeLessThan(10);
  });
});
