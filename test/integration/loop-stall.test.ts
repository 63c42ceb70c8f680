/**
 * The daemon's latency under load (issue 14): one connection's queue of heavy requests does not
 * hold other connections' requests (fetch reads are budgeted per turn of the event loop and busy
 * connections take turns), while each connection's answers stay in request order; host names in
 * max.connections.per.ip.overrides resolved at start; kafka-ts.* broker settings in
 * DescribeConfigs; the daemon's malloc environment. Sanity checks only: no timing is asserted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lookup } from 'node:dns/promises';
import { hostname, tmpdir } from 'node:os';
import { Admin } from '../../src/client/admin.js';
import { DEFAULT_DAEMON_HEAP_MB, daemonEnv, daemonHeapMb, daemonNodeOptions, startupExitMessage } from '../../src/cli/local-daemon.js';
import { execa } from 'execa';
import { ApiVersions, Fetch, Produce } from '../../src/protocol/apis/index.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/messages.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { KafkaServer } from '../../src/transport/server.js';
import { createLogger } from '../../src/util/logger.js';
import { startBroker } from '../helpers/broker.js';
import { FrameConn } from '../helpers/frame-conn.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(what: string, cond: () => boolean, seen: () => unknown = () => '', ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; saw ${JSON.stringify(seen())}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('one connection’s heavy requests', () => {
  it('do not hold another connection’s ApiVersions, and are answered in order', async () => {
    const b = await startBroker();
    cleanups.push(() => b.close());
    const admin = new Admin(b.client());
    await admin.createTopics([{ name: 'heavy', partitions: 1, replicationFactor: 1 }]);
    const port = Number(b.bootstrap.split(':')[1]);
    // 4 MiB on disk in 256 KiB batches.
    const producer = await FrameConn.open({ port });
    cleanups.push(() => void producer.socket.destroy());
    const value = Buffer.alloc(32 * 1024, 'v');
    for (let i = 0; i < 16; i++) {
      const records = encodeBatch(Array.from({ length: 8 }, () => ({ value })));
      const body = { transactionalId: null, acks: 1, timeoutMs: 10_000, topicData: [{ name: 'heavy', partitionData: [{ index: 0, records }] }] };
      producer.socket.write(Buffer.concat(encodeRequest(Produce, 3, i + 1, 'stall-test', body)));
    }
    await until('16 produce answers', () => producer.frames.length === 16, () => producer.frames.length);
    for (const f of producer.frames) expect(decodeResponse(Produce, 3, f).body.responses[0].partitionResponses[0].errorCode).toBe(0);

    // 40 pipelined fetches of 1 MiB each on one connection, then ApiVersions on another.
    const heavy = await FrameConn.open({ port });
    const light = await FrameConn.open({ port });
    cleanups.push(() => void heavy.socket.destroy(), () => void light.socket.destroy());
    const fetches = 40;
    const frames: Buffer[] = [];
    for (let i = 0; i < fetches; i++) {
      const body = { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, topics: [{ topic: 'heavy', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] };
      frames.push(...encodeRequest(Fetch, 4, i + 1, 'stall-heavy', body));
    }
    heavy.socket.write(Buffer.concat(frames));
    light.socket.write(Buffer.concat(encodeRequest(ApiVersions, 0, 1, 'stall-light', {})));
    let heavyAnsweredWhenLightWas = -1;
    await until('the ApiVersions answer', () => light.frames.length === 1 || light.closed, () => ({ heavy: heavy.frames.length }));
    heavyAnsweredWhenLightWas = heavy.frames.length;
    await until(`${fetches} fetch answers`, () => heavy.frames.length === fetches || heavy.closed, () => heavy.frames.length);
    // The fetches are read about 2 MiB per turn of the event loop: the ApiVersions came first.
    expect(heavyAnsweredWhenLightWas, 'fetch answers sent before the other connection’s ApiVersions').toBeLessThan(fetches);
    const corr = heavy.frames.map((f) => f.readInt32BE(0));
    expect(corr).toEqual(Array.from({ length: fetches }, (_, i) => i + 1));
    for (const f of heavy.frames) {
      const p = decodeResponse(Fetch, 4, f).body.responses[0].partitions[0];
      expect(p.errorCode).toBe(0);
      expect(p.records?.length ?? 0).toBeGreaterThan(0);
    }
  }, 40_000);
});

describe('max.connections.per.ip.overrides host names', () => {
  it('are resolved before listening: every address of the name gets its count; an unknown name is one WARN line', async () => {
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    const v4 = addresses.find((a) => a.family === 4 && a.address !== '0.0.0.0')?.address;
    const lines: string[] = [];
    const log = createLogger((l) => lines.push(l), 'test', 'INFO');
    const server = new KafkaServer({
      maxFrameSize: 1 << 20,
      maxConnectionsPerIp: 100,
      maxConnectionsPerIpOverrides: { ...(v4 && name !== 'localhost' ? { [name]: 1 } : {}), 'no-such-host.invalid': 2 },
      log,
      process: async () => null,
    });
    cleanups.push(() => server.close());
    const port = await server.listenTcp('0.0.0.0', 0);
    const warn = lines.filter((l) => l.includes('no-such-host.invalid'));
    expect(warn, lines.join('')).toHaveLength(1);
    expect(warn[0]).toMatch(/WARN.*Could not resolve host no-such-host.invalid of max.connections.per.ip.overrides/);
    if (!v4 || name === 'localhost') return; // this machine's name does not resolve to an IPv4 address we can reach
    const first = await FrameConn.open({ port, host: v4 });
    cleanups.push(() => void first.socket.destroy());
    const second = await FrameConn.open({ port, host: v4 });
    cleanups.push(() => void second.socket.destroy());
    await until(`the second connection from ${v4} (${name}) closed by the override of 1`, () => second.closed);
    expect(first.closed).toBe(false);
  });
});

describe('kafka-ts.* broker settings', () => {
  it('are listed by DescribeConfigs for the broker, with their values and sources', async () => {
    const b = await startBroker({ properties: { 'kafka-ts.max.open.files': '512' } });
    cleanups.push(() => b.close());
    const id = '1';
    const entries = (await new Admin(b.client()).describeConfigs([{ type: 4, name: id }])).get(`4:${id}`)!;
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('kafka-ts.max.open.files')).toMatchObject({ value: '512', source: 4 });
    expect(byName.get('kafka-ts.queued.max.response.bytes')).toMatchObject({ value: String(64 << 20), source: 5 });
    expect(byName.get('kafka-ts.max.partitions.per.request')).toMatchObject({ value: '10000', source: 5 });
    for (const k of ['kafka-ts.brokers', 'kafka-ts.max.partitions', 'kafka-ts.schema.registry.enable']) expect(byName.has(k), k).toBe(true);
  });
});

describe('the daemon’s environment', () => {
  it('sets glibc malloc tuning unless the user did', () => {
    const env = daemonEnv({ PATH: '/bin', MALLOC_ARENA_MAX: '4' });
    expect(env).toMatchObject({ PATH: '/bin', MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '131072', KAFKA_TS_DAEMON: '1' });
    expect(env.MALLOC_TRIM_THRESHOLD_).toBeDefined();
  });

  it('caps the V8 heap, from KAFKA_HEAP_OPTS as Kafka\'s scripts take it, refusing what it cannot apply', () => {
    expect(daemonNodeOptions({})).toEqual([`--max-old-space-size=${DEFAULT_DAEMON_HEAP_MB}`]);
    expect(daemonNodeOptions({ KAFKA_HEAP_OPTS: '-Xmx1G -Xms1G' })).toEqual(['--max-old-space-size=1024']);
    expect(daemonNodeOptions({ KAFKA_HEAP_OPTS: ' -Xms64m  -Xmx512m ' })).toEqual(['--max-old-space-size=512']);
    expect(daemonNodeOptions({ KAFKA_HEAP_OPTS: '-Xmx786432k' })).toEqual(['--max-old-space-size=768']);
    expect(() => daemonNodeOptions({ KAFKA_HEAP_OPTS: '-Xmx1G -XX:+UseG1GC' })).toThrow(/KAFKA_HEAP_OPTS: '-XX:\+UseG1GC' cannot be applied to the kafka-ts daemon; only -Xmx<size>/);
    expect(() => daemonNodeOptions({ KAFKA_HEAP_OPTS: '-Xmx32m' })).toThrow(/below the daemon's least heap of 64 MB/);
  });

  it('a daemon out of heap at start-up is told as such, with what to do, not as the native stack trace V8 writes last', async () => {
    // What a Node process out of heap writes (the daemon's stderr goes to server.log).
    // In a temporary directory: an aborting process may leave a core file where it runs.
    const oom = await execa(process.execPath, ['--max-old-space-size=16', '-e', 'const a = []; for (;;) a.push(new Array(1e5).fill(1));'], { reject: false, cwd: tmpdir() });
    expect(oom.stderr).toContain('JavaScript heap out of memory');
    expect(startupExitMessage(`earlier line\n${oom.stderr}`, 'was killed by SIGABRT', '/h/server.log', daemonHeapMb({ KAFKA_HEAP_OPTS: '-Xmx512m' }))).toBe(
      'The daemon ran out of memory during start-up: what it loads needs more than its 512 MB heap. Run the command again with a larger one in the environment, e.g. KAFKA_HEAP_OPTS=-Xmx1G (see /h/server.log)',
    );
    expect(startupExitMessage(oom.stderr, 'was killed by SIGABRT', '/h/server.log', 1024)).toContain('more than its 1024 MB heap. Run the command again with a larger one in the environment, e.g. KAFKA_HEAP_OPTS=-Xmx2G ');
    expect(startupExitMessage('a\nb\nc\nd\ne\nf\n', 'exited (status 1)', '/h/server.log', 256)).toBe('The daemon exited (status 1) during start-up; see /h/server.log:\nb\nc\nd\ne\nf');
  });
});
