/**
 * The console producer's default line format is encoded straight from each stdin chunk by the
 * lines' offsets (LineSplitter.scan, Producer.appendValues). These tests run the whole tool
 * against a fake broker and compare what that path sends with what the per-line path sends
 * (forced here by a null.marker no line equals, which leaves every record as it was): the same
 * values in the same order, the same counts and the same warnings, however stdin is chunked.
 */
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterInfo, KafkaClient } from '../../src/client/client.js';
import { decodeBatchRecords } from '../../src/protocol/record-batch.js';
import type { PartitionerOptions } from '../../src/client/producer/partitioners.js';
import { runConsoleProducer, type ProduceSummary } from '../../src/tools/console-producer.js';
import { FileInput, LineSplitter, readerConfig } from '../../src/tools/line-reader.js';
import { tempDir } from '../helpers/tmp.js';

/** Answers every Produce at once and keeps the records it was sent, per partition. */
class FakeBroker {
  readonly cluster: ClusterInfo;
  readonly partitions: { key: string | null; value: string | null; headers: number }[][];
  /** The size of every batch received, in order. */
  readonly batchSizes: number[] = [];

  private readonly topic;

  /** `late`: the topic is known only once metadata is asked for (records wait for it meanwhile). */
  constructor(partitions: number, late = false) {
    this.partitions = Array.from({ length: partitions }, () => []);
    const parts = this.partitions.map((_, p) => ({ partition: p, errorCode: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1], offline: [] }));
    this.topic = { name: 't', id: Buffer.alloc(16), internal: false, errorCode: 0, partitions: parts };
    this.cluster = { clusterId: 'c', controllerId: 1, brokers: new Map(), topics: new Map(late ? [] : [['t', this.topic]]) };
  }

  async refreshMetadata(): Promise<ClusterInfo> {
    // Answered after some turns of the event loop (the input goes on meanwhile), as a broker's would be.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    this.cluster.topics.set('t', this.topic);
    return this.cluster;
  }

  async send(_node: number | 'any', api: { name: string }, body: any): Promise<{ body: unknown }> {
    if (api.name === 'InitProducerId') return { body: { errorCode: 0, producerId: 9, producerEpoch: 0 } };
    const responses = body.topicData.map((t: any) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p: { index: number; records: Buffer }) => {
        const log = this.partitions[p.index]!;
        const baseOffset = log.length;
        this.batchSizes.push(p.records.length);
        for (const r of decodeBatchRecords(p.records)) log.push({ key: r.key?.toString('latin1') ?? null, value: r.value?.toString('latin1') ?? null, headers: r.headers.length });
        return { index: p.index, errorCode: 0, baseOffset, logAppendTimeMs: -1, errorMessage: null };
      }),
    }));
    return { body: { responses } };
  }
}

interface Run {
  summary: ProduceSummary;
  warnings: string[];
  partitions: FakeBroker['partitions'];
  batchSizes: number[];
}

/** Runs the tool on `chunks`; `perLine` forces the per-line path (a null.marker no line equals). */
async function produce(
  chunks: Buffer[] | (() => FileInput),
  opts: { perLine?: boolean; partitions?: number; maxRequestSize?: number; bufferMemory?: number; lateMetadata?: boolean; batchSize?: number; partitioner?: PartitionerOptions; lingerMs?: number } = {},
): Promise<Run> {
  const broker = new FakeBroker(opts.partitions ?? 1, opts.lateMetadata);
  const warnings: string[] = [];
  const summary = await runConsoleProducer(
    broker as unknown as KafkaClient,
    {
      topic: 't',
      input: readerConfig(opts.perLine ? { 'null.marker': '\u0000no line is this\u0000' } : {}),
      sync: false,
      prompt: false,
      bufferMemory: opts.bufferMemory,
      producer: { batchSize: opts.batchSize ?? 300, lingerMs: opts.lingerMs ?? 0, maxRequestSize: opts.maxRequestSize, idempotent: true, partitioner: opts.partitioner ?? { batchSize: 200 } },
    },
    {
      stdin:
        typeof chunks === 'function'
          ? chunks()
          : (async function* () {
              yield* chunks;
            })(),
      prompt: () => {},
      warn: (l) => warnings.push(l),
      interrupted: new Promise(() => {}),
    },
  );
  return { summary, warnings, partitions: broker.partitions, batchSizes: broker.batchSizes };
}

/** Both paths on the same chunks: identical records, counts and warnings; returns the default path's run. */
async function same(chunks: Buffer[] | (() => FileInput), opts: Parameters<typeof produce>[1] = {}): Promise<Run> {
  const fast = await produce(chunks, opts);
  const perLine = await produce(chunks, { ...opts, perLine: true });
  expect(fast.summary).toEqual(perLine.summary);
  expect(fast.warnings).toEqual(perLine.warnings);
  // With several partitions the sticky partitioner picks at random: compare the records in order.
  const all = (r: Run) => r.partitions.flat();
  if ((opts.partitions ?? 1) === 1) expect(fast.partitions).toEqual(perLine.partitions);
  else expect(all(fast).map((r) => r.value).sort()).toEqual(all(perLine).map((r) => r.value).sort());
  return fast;
}

const values = (r: Run) => r.partitions[0]!.map((x) => x.value);
const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('console-producer default format from chunk offsets', () => {
  const text = 'ab\r\ncd\n\nef\rgh\r\r\n\nij klm\nno';
  const expected = ['ab', 'cd', '', 'ef', 'gh', '', '', 'ij klm', 'no'];

  it('sends every line of a single chunk, empty lines included, and a last line without a newline', async () => {
    const r = await same([bytes(text)]);
    expect(values(r)).toEqual(expected);
    expect(r.summary).toMatchObject({ lines: expected.length, sent: expected.length, failed: 0 });
    expect(r.partitions[0]!.every((x) => x.key === null && x.headers === 0)).toBe(true);
  });

  it('gives the same records with a chunk boundary at every position, and at every pair of positions', async () => {
    const b = bytes(text);
    for (let i = 0; i <= b.length; i++) expect(values(await same([b.subarray(0, i), b.subarray(i)]))).toEqual(expected);
    for (let i = 1; i < b.length; i++) {
      for (let j = i + 1; j < b.length; j++) expect(values(await same([b.subarray(0, i), b.subarray(i, j), b.subarray(j)]))).toEqual(expected);
    }
  });

  it('splits one byte a chunk as the whole text, with \\r\\n split across chunks', async () => {
    const b = bytes(text);
    const r = await same([...b].map((x) => Buffer.from([x])));
    expect(values(r)).toEqual(expected);
  });

  it('keeps very long lines whole across many chunks, and bytes that are not UTF-8', async () => {
    const long = 'x'.repeat(200_000);
    const binary = '\u00ff\u00fe\u0000\u0080';
    const b = bytes(`a\n${long}\n${binary}\n${long}y`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < b.length; i += 7919) chunks.push(b.subarray(i, i + 7919));
    const r = await same(chunks);
    expect(values(r)).toEqual(['a', long, binary, `${long}y`]);
  });

  it('sends many lines, short and long, over several batches and partitions as the per-line path does', async () => {
    // Values short and long (copied by DataViews, and by Buffer#copy).
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'z'.repeat((i * 37) % 1100)}`);
    const b = bytes(lines.join('\n') + '\n');
    const chunks = [b.subarray(0, 10_001), b.subarray(10_001, 700_000), b.subarray(700_000)];
    expect(values(await same(chunks))).toEqual(lines);
    const r = await same(chunks, { partitions: 3 });
    expect(r.summary.sent).toBe(3000);
    // Each partition keeps the input's order.
    for (const p of r.partitions) {
      const order = p.map((x) => lines.indexOf(x.value!));
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
  });

  it('refuses a line over max.request.size with the same warning, and sends the lines around it', async () => {
    const r = await same([bytes(`a\n${'y'.repeat(500)}\nb\n`)], { maxRequestSize: 200 });
    expect(values(r)).toEqual(['a', 'b']);
    expect(r.summary).toMatchObject({ lines: 3, sent: 2, failed: 1 });
    expect(r.warnings).toEqual([expect.stringContaining('record of 500 bytes exceeds max.request.size=200')]);
  });

  it('waits for room in a small buffer.memory and sends every line', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => `v${i}`);
    const r = await same([bytes(lines.join('\n'))], { bufferMemory: 40 });
    expect(values(r)).toEqual(lines);
  });
});

describe('console-producer default format from a file read into one buffer', () => {
  it('copies what it keeps of a chunk (a line it begins, records waiting for room or metadata)', async () => {
    const tmp = tempDir();
    const file = join(tmp.dir, 'lines.txt');
    const lines = Array.from({ length: 400 }, (_, i) => `${i}:${'w'.repeat((i * 13) % 90)}`);
    writeFileSync(file, lines.join('\r\n'));
    try {
      for (const chunkSize of [1, 7, 64, 1000]) {
        // 100 bytes: room for one or two of these lines (a record larger than buffer.memory is refused, as Kafka's).
        for (const [bufferMemory, lateMetadata] of [[undefined, false], [100, false], [undefined, true], [100, true]] as const) {
          const fds: number[] = [];
          const input = () => new FileInput(fds[fds.push(openSync(file, 'r')) - 1]!, readSync, chunkSize);
          const r = await same(input, { bufferMemory, lateMetadata });
          fds.forEach((fd) => closeSync(fd));
          expect(values(r)).toEqual(lines);
        }
      }
    } finally {
      tmp.cleanup();
    }
  });
});

describe('console-producer batches spread over partitions', () => {
  it('keeps at most half the read-ahead (2 MB) in open batches, so batches go out while the input is read', async () => {
    // 6.3 MB of 100-byte lines dealt round-robin over 6 partitions, 1 MB batches: every batch grows
    // at the same pace and none fills before 6 MB. Held open until the read-ahead (4 MB) stopped
    // the input, each was ~680 KB when all went at once; bounded, ~340 KB.
    const line = 'x'.repeat(99) + '\n';
    const chunk = Buffer.from(line.repeat(655));
    const chunks = 96;
    const r = await produce(
      Array.from({ length: chunks }, () => chunk),
      { partitions: 6, batchSize: 1_000_000, partitioner: { kind: 'round-robin' } },
    );
    expect(r.summary).toMatchObject({ sent: chunks * 655, failed: 0 });
    expect(r.partitions.map((p) => p.length)).toEqual(Array(6).fill((chunks * 655) / 6));
    expect(Math.max(...r.batchSizes)).toBeLessThan(400_000);
  });

  it('leaves batches that fill under the bound as large as batch.size makes them', async () => {
    // 16 KB batches over 6 partitions (lingering long): together far under 2 MB, so each is sealed
    // when full, as in Kafka (bounded by the batch size instead, they were sealed at ~2.7 KB).
    const line = 'x'.repeat(99) + '\n';
    const r = await produce([Buffer.from(line.repeat(6000))], { partitions: 6, batchSize: 16384, lingerMs: 60_000, partitioner: { kind: 'round-robin' } });
    const full = r.batchSizes.filter((b) => b > 16384 - 200);
    expect(full.length, String(r.batchSizes)).toBeGreaterThanOrEqual(30);
  });
});

describe('LineSplitter.scan', () => {
  it('gives as offsets the lines push gives as Buffers, for every split of the input', () => {
    const b = Buffer.from('ab\r\ncd\n\nef\rgh\r\r\n\nij');
    for (let i = 0; i <= b.length; i++) {
      const scanned: string[] = [];
      const s = new LineSplitter();
      for (const c of [b.subarray(0, i), b.subarray(i)]) {
        const o = s.scan(c);
        if (o.head) scanned.push(o.head.toString());
        for (let k = 0; k < o.count; k++) scanned.push(c.toString('latin1', o.starts[k], o.ends[k]));
      }
      const last = s.end();
      if (last) scanned.push(last.toString());
      expect(scanned).toEqual(['ab', 'cd', '', 'ef', 'gh', '', '', 'ij']);
    }
  });

  it('grows its offset arrays for a chunk of more lines than they hold', () => {
    const s = new LineSplitter();
    const o = s.scan(Buffer.from('\n'.repeat(5000)));
    expect(o.count).toBe(5000);
    expect(o.ends[4999]).toBe(4999);
  });
});
