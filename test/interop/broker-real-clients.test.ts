/**
 * Unmodified real clients against the daemon over TCP: kcat (librdkafka), kafkajs,
 * confluent-kafka-python and kafka-python each write, and read what the others wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { b64, kafkajs, kcat, parseJsonLines, python, requirePython, type PyRecord } from '../helpers/real-clients.js';
import { CompressionType } from '../../src/protocol/compression.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-interop-'));
  ({ bootstrap } = await startDaemon(home));
  await requirePython('kafka');
  await requirePython('confluent_kafka');
});

afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

const createTopic = async (name: string, partitions = 1) => {
  const r = await kafkaTs(['topics', '--create', '--topic', name, '--partitions', String(partitions), '--bootstrap-server', bootstrap], { home });
  expect(r.exitCode, r.stderr + r.stdout).toBe(0);
};

/**
 * Codecs of the stored batches of a partition, read straight from its segment file. librdkafka
 * sends a batch uncompressed when compressing would not make it smaller (a lone small record),
 * so a compressed topic may hold a few uncompressed batches.
 */
function storedCodecs(topic: string, partition = 0): Set<number> {
  const log = readFileSync(join(home, 'data', `${topic}-${partition}`, '00000000000000000000.log'));
  const codecs = new Set<number>();
  for (let at = 0; at + 61 <= log.length; at += 12 + log.readInt32BE(at + 8)) codecs.add(log.readInt16BE(at + 21) & 7);
  return codecs;
}

describe('kcat', () => {
  it('lists the broker and topics with -L', async () => {
    await createTopic('listed', 3);
    const r = await kcat(['-b', bootstrap, '-L']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`broker 1 at ${bootstrap.replace('.', '\\.')} \\(controller\\)`));
    expect(r.stdout).toContain('topic "listed" with 3 partitions:');
    expect(r.stdout).toContain('topic "__consumer_offsets" with 50 partitions:');
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`round-trips 100,000 keyed records with headers byte for byte (${codec})`, async () => {
      const topic = `kcat-${codec}`;
      await createTopic(topic, 1);
      const lines: string[] = [];
      for (let i = 0; i < 100_000; i++) lines.push(`key-${i}\tvalue-${i}-${(i * 7919) % 100003}-\u00e9\u2603`);
      const input = join(home, `${topic}.txt`);
      writeFileSync(input, `${lines.join('\n')}\n`);
      const p = await kcat(['-b', bootstrap, '-P', '-t', topic, '-K', '\t', '-z', codec, '-H', 'h1=v1', '-H', 'trace=abc', '-l', input]);
      expect(p.exitCode, p.stderr).toBe(0);
      const c = await kcat(['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\t%h\n']);
      expect(c.exitCode, c.stderr).toBe(0);
      const expected = `${lines.map((l) => `${l}\th1=v1,trace=abc`).join('\n')}\n`;
      expect(Buffer.from(c.stdout).equals(Buffer.from(expected))).toBe(true);
      const codecs = storedCodecs(topic);
      expect(codecs.has(CompressionType[codec])).toBe(true);
      expect([...codecs].every((c) => c === CompressionType[codec] || c === CompressionType.none)).toBe(true);
    });
  }
});

describe('every client reads what the others wrote', () => {
  const N = 2000;

  it('kafkajs admin: createTopics, deleteTopics, fetchTopicMetadata, fetchTopicOffsets', async () => {
    const r = await kafkajs(['admin', bootstrap, 'from-kafkajs', '3']);
    expect(r.exitCode, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(res).toMatchObject({ created: true, again: false, partitions: [0, 1, 2], doomedListed: false, listed: true });
    expect(res.offsets).toEqual([0, 1, 2].map((partition) => ({ partition, offset: '0', high: '0', low: '0' })));
  });

  it('kafkajs producer (acks -1, gzip)', async () => {
    const r = await kafkajs(['produce', bootstrap, 'from-kafkajs', String(N)]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`acked ${N}`);
    expect([0, 1, 2].some((p) => storedCodecs('from-kafkajs', p).has(CompressionType.gzip))).toBe(true);
  });

  it('confluent-kafka-python and kafka-python producers', async () => {
    await createTopic('from-confluent', 2);
    await createTopic('from-kafkapython', 2);
    const a = await python(['produce', 'confluent-kafka', bootstrap, 'from-confluent', String(N), 'gzip']);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(a.stdout.trim()).toBe(`acked ${N}`);
    const b = await python(['produce', 'kafka-python', bootstrap, 'from-kafkapython', String(N), 'none']);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(b.stdout.trim()).toBe(`acked ${N}`);
  });

  const expectAll = (records: PyRecord[], prefix: string) => {
    expect(records).toHaveLength(N);
    const keys = new Set(records.map((r) => Buffer.from(r.k!, 'base64').toString()));
    for (let i = 0; i < N; i++) expect(keys.has(`${prefix}-key-${i}`)).toBe(true);
    for (const r of records) {
      const i = Number(Buffer.from(r.k!, 'base64').toString().split('-').pop());
      const value = Buffer.from(r.v!, 'base64').toString();
      expect(value.startsWith(`${prefix}-value-${i}-`)).toBe(true);
      expect(r.h).toEqual([
        ['h1', b64('v1')],
        ['src', b64(prefix)],
      ]);
    }
    // Offsets per partition are consecutive from 0.
    const byPartition = new Map<number, number[]>();
    for (const r of records) byPartition.set(r.p, [...(byPartition.get(r.p) ?? []), r.o]);
    for (const offsets of byPartition.values()) expect(offsets).toEqual(offsets.map((_, i) => i));
  };

  it('kafka-python assign() consumer reads kafkajs and confluent-kafka records', async () => {
    const a = await python(['consume', 'kafka-python', bootstrap, 'from-kafkajs', '3', String(N)]);
    expect(a.exitCode, a.stderr).toBe(0);
    expectAll(parseJsonLines<PyRecord>(a.stdout), 'kafkajs');
    const b = await python(['consume', 'kafka-python', bootstrap, 'from-confluent', '2', String(N)]);
    expect(b.exitCode, b.stderr).toBe(0);
    expectAll(parseJsonLines<PyRecord>(b.stdout), 'confluent-kafka');
  });

  it('confluent-kafka assign() consumer reads kafkajs and kafka-python records', async () => {
    const a = await python(['consume', 'confluent-kafka', bootstrap, 'from-kafkajs', '3', String(N)]);
    expect(a.exitCode, a.stderr).toBe(0);
    expectAll(parseJsonLines<PyRecord>(a.stdout), 'kafkajs');
    const b = await python(['consume', 'confluent-kafka', bootstrap, 'from-kafkapython', '2', String(N)]);
    expect(b.exitCode, b.stderr).toBe(0);
    expectAll(parseJsonLines<PyRecord>(b.stdout), 'kafka-python');
  });

  it('kcat reads what kafka-python and confluent-kafka wrote; the Python clients read kcat', async () => {
    for (const [topic, prefix] of [
      ['from-kafkapython', 'kafka-python'],
      ['from-confluent', 'confluent-kafka'],
    ] as const) {
      const c = await kcat(['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k|%h\n']);
      expect(c.exitCode, c.stderr).toBe(0);
      const lines = c.stdout.trim().split('\n');
      expect(lines).toHaveLength(N);
      expect(lines.every((l) => l.startsWith(`${prefix}-key-`) && l.endsWith(`|h1=v1,src=${prefix}`))).toBe(true);
    }
    const r = await python(['consume', 'kafka-python', bootstrap, 'kcat-gzip', '1', '1000']);
    expect(r.exitCode, r.stderr).toBe(0);
    const recs = parseJsonLines<PyRecord>(r.stdout);
    expect(Buffer.from(recs[999]!.k!, 'base64').toString()).toBe('key-999');
    expect(recs[0]!.h).toEqual([
      ['h1', b64('v1')],
      ['trace', b64('abc')],
    ]);
  });
});
