/**
 * dump-log's reading and Kafka's layouts, on segments written by the real disk store in a temp
 * dir: batch, record, index and time-index lines golden-checked against DumpLogSegments' formats
 * (kafka-cli-reference §12), then damage: a flipped byte, a bad magic byte, a truncated tail, a
 * corrupted and a truncated index, each reported where and what while the walk goes on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskLogStore } from '../../../src/storage/disk/disk-store.js';
import { DEFAULT_LOG_CONFIG } from '../../../src/storage/log-store.js';
import { encodeBatch, rewriteCrc } from '../../../src/protocol/record-batch.js';
import { groupKey, groupValue, offsetKey, offsetValue } from '../../../src/protocol/consumer-offsets.js';
import { encodeAssignment, encodeSubscription } from '../../../src/protocol/consumer-protocol.js';
import { dumpFiles, payloadParser, type DumpEvent, type DumpLogOptions } from '../../../src/tools/dump-log.js';
import { DumpSummary, JsonCollector, eventText } from '../../../src/tools/dump-log-format.js';
import { crc32c } from '../../../src/protocol/crc32c.js';
import { tempDir } from '../../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const T0 = 1700000000000;
const base: DumpLogOptions = {
  printData: false,
  deepIteration: false,
  verifyIndexOnly: false,
  indexSanityCheck: false,
  maxMessageSize: 5 * 1024 * 1024,
  maxBytes: 2147483647,
  skipRecordMetadata: false,
  parser: payloadParser(false, 'string', 'string'),
};

/** A partition with three batches (an index entry after each), closed cleanly; returns its segment paths. */
function segment(batches: Buffer[] = defaultBatches()) {
  const t = tempDir('kafka-ts-dumplog-');
  cleanups.push(t.cleanup);
  const store = new DiskLogStore(t.dir);
  const log = store.open('t', 0, { ...DEFAULT_LOG_CONFIG, indexIntervalBytes: 1 });
  for (const b of batches) log.append(b, 0);
  store.close(true);
  const p = (s: string) => join(t.dir, 't-0', `00000000000000000000${s}`);
  return { log: p('.log'), index: p('.index'), timeindex: p('.timeindex') };
}

function defaultBatches(): Buffer[] {
  return [
    encodeBatch([{ key: Buffer.from('k1'), value: Buffer.from('hello'), timestamp: T0 }, { key: null, value: Buffer.from('world'), timestamp: T0 + 1, headers: [{ key: 'h1', value: Buffer.from('x') }, { key: 'h2', value: null }] }]),
    encodeBatch([{ key: Buffer.from('k3'), value: null, timestamp: T0 + 5 }], { producerId: 7, producerEpoch: 1, baseSequence: 10 }),
    encodeBatch([{ key: Buffer.from('k4'), value: Buffer.from('{"a": 1}'), timestamp: T0 + 9 }], { compression: 1 }),
  ];
}

function run(files: string[], o: Partial<DumpLogOptions> = {}) {
  const opts = { ...base, ...o };
  const events: DumpEvent[] = [...dumpFiles(files, opts)];
  const summary = new DumpSummary();
  for (const e of events) summary.add(e);
  return { events, out: events.flatMap((e) => eventText(e, opts)), err: summary.stderrLines(), damaged: summary.damaged };
}

const crcOf = (out: string[], i: number) => /crc: (\d+)/.exec(out[i]!)![1];

describe('dump-log: .log layouts', () => {
  it("prints Kafka's batch lines (shallow)", () => {
    const seg = segment();
    const { out, err, damaged } = run([seg.log]);
    expect(out).toEqual([
      `Dumping ${seg.log}`,
      'Log starting offset: 0',
      `baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: ${T0 + 1} size: 96 magic: 2 compresscodec: none crc: ${crcOf(out, 2)} isvalid: true`,
      `baseOffset: 2 lastOffset: 2 count: 1 baseSequence: 10 lastSequence: 10 producerId: 7 producerEpoch: 1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 96 CreateTime: ${T0 + 5} size: 70 magic: 2 compresscodec: none crc: ${crcOf(out, 3)} isvalid: true`,
      expect.stringMatching(new RegExp(`^baseOffset: 3 lastOffset: 3 count: 1 .* position: 166 CreateTime: ${T0 + 9} size: \\d+ magic: 2 compresscodec: gzip crc: \\d+ isvalid: true$`)),
    ]);
    expect(err).toEqual([]);
    expect(damaged).toBe(false);
  });

  it('prints records with --deep-iteration, keys and payloads with --print-data-log, only data with --skip-record-metadata', () => {
    const seg = segment();
    const deep = run([seg.log], { deepIteration: true }).out.filter((l) => l.startsWith('|'));
    expect(deep).toEqual([
      `| offset: 0 CreateTime: ${T0} keySize: 2 valueSize: 5 sequence: -1 headerKeys: []`,
      `| offset: 1 CreateTime: ${T0 + 1} keySize: -1 valueSize: 5 sequence: -1 headerKeys: [h1,h2]`,
      `| offset: 2 CreateTime: ${T0 + 5} keySize: 2 valueSize: -1 sequence: 10 headerKeys: []`,
      `| offset: 3 CreateTime: ${T0 + 9} keySize: 2 valueSize: 8 sequence: -1 headerKeys: []`,
    ]);
    const data = run([seg.log], { printData: true, deepIteration: true }).out.filter((l) => l.startsWith('|'));
    expect(data[0]).toBe(`| offset: 0 CreateTime: ${T0} keySize: 2 valueSize: 5 sequence: -1 headerKeys: [] key: k1 payload: hello`);
    expect(data[1]).toBe(`| offset: 1 CreateTime: ${T0 + 1} keySize: -1 valueSize: 5 sequence: -1 headerKeys: [h1,h2] payload: world`);
    expect(data[2]).toBe(`| offset: 2 CreateTime: ${T0 + 5} keySize: 2 valueSize: -1 sequence: 10 headerKeys: [] key: k3`);
    const skip = run([seg.log], { printData: true, deepIteration: true, skipRecordMetadata: true }).out.filter((l) => l.startsWith('|') || l.startsWith(' '));
    expect(skip).toEqual(['| key: k1 payload: hello', ' payload: world', '| key: k3', '| key: k4 payload: {"a": 1}']);
    const hex = run([seg.log], { printData: true, deepIteration: true, parser: payloadParser(false, 'hex', 'json') }).out.filter((l) => l.startsWith('|'));
    expect(hex[3]).toMatch(/ key: 6b34 payload: \{"a":1\}$/);
  });

  it('--max-bytes stops before the first batch that does not end within the limit (no trailing-bytes line)', () => {
    const seg = segment();
    const { out } = run([seg.log], { maxBytes: 165 });
    expect(out.filter((l) => l.startsWith('baseOffset'))).toHaveLength(1);
    expect(out.join('\n')).not.toContain('invalid bytes');
  });

  it('prints 64-bit fields past 2^53 exactly, as Kafka prints the long: base and record offsets, timestamps, producer id (they were rounded)', () => {
    // A crafted batch: two records (timestamp deltas 0 and 5), its header's longs set past 2^53.
    const batch = encodeBatch([{ key: null, value: Buffer.from('a'), timestamp: 0 }, { key: null, value: Buffer.from('b'), timestamp: 5 }], { producerId: 1, producerEpoch: 0, baseSequence: 0 });
    batch.writeBigInt64BE(9007199254740993n, 0); // baseOffset (not under the CRC)
    batch.writeBigInt64BE(9007199254740993n, 27); // baseTimestamp
    batch.writeBigInt64BE(9007199254740998n, 35); // maxTimestamp
    batch.writeBigInt64BE(9007199254740995n, 43); // producerId
    rewriteCrc(batch);
    const t = tempDir('kafka-ts-dumplog-long-');
    cleanups.push(t.cleanup);
    const log = join(t.dir, '00000000000000000000.log');
    writeFileSync(log, batch);
    const { events, out, err, damaged } = run([log], { deepIteration: true });
    expect(out.slice(2)).toEqual([
      expect.stringMatching(/^baseOffset: 9007199254740993 lastOffset: 9007199254740994 count: 2 baseSequence: 0 lastSequence: 1 producerId: 9007199254740995 .* CreateTime: 9007199254740998 size: \d+ .* isvalid: true$/),
      '| offset: 9007199254740993 CreateTime: 9007199254740993 keySize: -1 valueSize: 1 sequence: 0 headerKeys: []',
      '| offset: 9007199254740994 CreateTime: 9007199254740998 keySize: -1 valueSize: 1 sequence: 1 headerKeys: []',
    ]);
    // Consecutive, exactly: no "Non-consecutive offsets" finding from rounded offsets.
    expect(err).toEqual([]);
    expect(damaged).toBe(false);
    // JSON: the same values, as bigints (printed with every digit).
    const json = new JsonCollector();
    for (const e of events) json.add(e);
    expect(json.files[0]!.batches![0]).toMatchObject({ baseOffset: 9007199254740993n, lastOffset: 9007199254740994n, maxTimestamp: 9007199254740998n, producerId: 9007199254740995n });
    expect(json.files[0]!.batches![0]!.records!.map((r) => [r.offset, r.timestamp])).toEqual([
      [9007199254740993n, 9007199254740993n],
      [9007199254740994n, 9007199254740998n],
    ]);
  });

  it("--max-bytes given, even past the end of the file, prints no 'Found N invalid bytes' line, as Kafka prints it only without a limit (Integer.MAX_VALUE)", () => {
    const seg = segment();
    const whole = readFileSync(seg.log);
    writeFileSync(seg.log, Buffer.concat([whole, Buffer.from('garbagegarbage')]));
    const size = whole.length + 14;
    for (const maxBytes of [size, size + 1000, 2147483646]) {
      const r = run([seg.log], { maxBytes });
      expect(r.out.filter((l) => l.startsWith('baseOffset')), `--max-bytes ${maxBytes}`).toHaveLength(3);
      expect(r.out.join('\n'), `--max-bytes ${maxBytes}`).not.toContain('invalid bytes');
      expect(r.damaged).toBe(false);
    }
    // Kafka's default, given or not: the line.
    expect(run([seg.log], { maxBytes: 2147483647 }).out.at(-1)).toBe('Found 14 invalid bytes at the end of 00000000000000000000.log');
  });

  it('decodes __consumer_offsets records with --offsets-decoder', () => {
    const sub = encodeSubscription({ topics: ['orders'], userData: null, ownedPartitions: [] } as never, 1);
    const asg = encodeAssignment({ assignedPartitions: [{ topic: 'orders', partitions: [0, 1] }], userData: null });
    const g = groupValue({ protocolType: 'consumer', generation: 3, protocol: 'range', leader: 'm1', currentStateTimestamp: T0, members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1', rebalanceTimeout: 300000, sessionTimeout: 45000, subscription: sub, assignment: asg }] } as never);
    const seg = segment([
      encodeBatch([{ key: offsetKey('g1', 'orders', 0), value: offsetValue({ offset: 42, leaderEpoch: 0, metadata: '', commitTimestamp: T0, expireTimestamp: -1 }), timestamp: T0 }]),
      encodeBatch([{ key: groupKey('g1'), value: g, timestamp: T0 }, { key: offsetKey('g1', 'orders', 1), value: null, timestamp: T0 }]),
    ]);
    const out = run([seg.log], { printData: true, deepIteration: true, parser: payloadParser('offsets', 'string', 'string') }).out.filter((l) => l.startsWith('|'));
    expect(out[0]).toBe(
      `| offset: 0 CreateTime: ${T0} keySize: ${offsetKey('g1', 'orders', 0).length} valueSize: ${offsetValue({ offset: 42, leaderEpoch: 0, metadata: '', commitTimestamp: T0, expireTimestamp: -1 }).length} sequence: -1 headerKeys: [] ` +
        `key: {"type":"1","data":{"group":"g1","topic":"orders","partition":0}} payload: {"version":"3","data":{"offset":42,"leaderEpoch":0,"metadata":"","commitTimestamp":${T0}}}`,
    );
    expect(out[1]).toContain(' key: {"type":"2","data":{"group":"g1"}} payload: {"version":"1","data":{"protocolType":"consumer","generation":3,"protocol":"range","leader":"m1","members":[{"memberId":"m1","clientId":"c","clientHost":"/127.0.0.1","rebalanceTimeout":300000,"sessionTimeout":45000,');
    expect(out[1]).toContain('"subscription":{"topics":["orders"],"userData":null,"ownedPartitions":[]}');
    expect(out[1]).toContain('"assignment":{"assignedPartitions":[{"topic":"orders","partitions":[0,1]}]');
    expect(out[2]).toMatch(/ key: \{"type":"1","data":\{"group":"g1","topic":"orders","partition":1\}\} payload: <DELETE>$/);
  });
});

describe('dump-log: indexes', () => {
  it('prints index and time-index entries, verified against the log', () => {
    const seg = segment();
    const idx = run([seg.index]);
    expect(idx.out).toEqual([`Dumping ${seg.index}`, 'offset: 1 position: 0', 'offset: 2 position: 96', 'offset: 3 position: 166']);
    expect(idx.err).toEqual([]);
    const time = run([seg.timeindex]);
    expect(time.out).toEqual([`Dumping ${seg.timeindex}`, `timestamp: ${T0 + 1} offset: 1`, `timestamp: ${T0 + 5} offset: 2`, `timestamp: ${T0 + 9} offset: 3`]);
    expect(time.err).toEqual([]);
    expect(run([seg.index, seg.timeindex], { verifyIndexOnly: true }).out).toEqual([`Dumping ${seg.index}`, `Dumping ${seg.timeindex}`]);
    expect(run([seg.index, seg.timeindex], { indexSanityCheck: true }).out).toEqual([`Dumping ${seg.index}`, `${seg.index} passed sanity check.`, `Dumping ${seg.timeindex}`, `${seg.timeindex} passed sanity check.`]);
  });

  it('reports index entries that do not match the log, and a truncated index', () => {
    const seg = segment();
    const buf = readFileSync(seg.index);
    buf.writeInt32BE(0, 12); // entry 1 (offset 2) now points at position 0, where offset 1 ends
    writeFileSync(seg.index, buf);
    const r = run([seg.index], { verifyIndexOnly: true });
    expect(r.out).toEqual([`Dumping ${seg.index}`]);
    expect(r.err).toEqual([`Mismatches in :${seg.index}`, '  Index offset: 2, log offset: 1']);
    expect(r.damaged).toBe(true);
    truncateSync(seg.index, 20);
    const t = run([seg.index]);
    expect(t.out).toEqual([`Dumping ${seg.index}`, 'offset: 1 position: 0', 'offset: 2 position: 0']);
    expect(t.err).toContain(`${seg.index}: truncated index: 4 bytes at the end are not a whole entry (an entry is 8 bytes)`);
    const tb = readFileSync(seg.timeindex);
    tb.writeUInt32BE((T0 + 2) % 4294967296 >>> 0, 16); // entry 1: timestamp T0+5 -> T0+2
    writeFileSync(seg.timeindex, tb);
    expect(run([seg.timeindex], { verifyIndexOnly: true }).err).toEqual([`Found timestamp mismatch in :${seg.timeindex}`, `  Index timestamp: ${T0 + 2}, log timestamp: ${T0 + 5}`]);
  });

  it('says an empty index is empty', () => {
    const seg = segment();
    writeFileSync(seg.index, Buffer.alloc(0));
    expect(run([seg.index]).out).toEqual([`Dumping ${seg.index}`, `${seg.index} is empty.`]);
  });
});

describe('dump-log: damage is located and the walk goes on', () => {
  it('flags a flipped byte as isvalid: false with the CRCs, and prints the batches after it', () => {
    const seg = segment();
    const buf = readFileSync(seg.log);
    buf[96 + 65] ^= 0xff; // inside the second batch's records
    writeFileSync(seg.log, buf);
    const r = run([seg.log], { deepIteration: true });
    const batches = r.out.filter((l) => l.startsWith('baseOffset'));
    expect(batches.map((l) => /isvalid: (\w+)/.exec(l)![1])).toEqual(['true', 'false', 'true']);
    expect(r.out.filter((l) => l.startsWith('| offset: 3'))).toHaveLength(1);
    expect(r.err.some((l) => new RegExp(`^${seg.log}: position 96: CRC mismatch: stored \\d+, computed \\d+$`).test(l))).toBe(true);
    expect(r.damaged).toBe(true);
  });

  it('skips a header with a bad magic byte to the next valid batch', () => {
    const seg = segment();
    const buf = readFileSync(seg.log);
    buf[96 + 16] = 7;
    writeFileSync(seg.log, buf);
    const r = run([seg.log]);
    expect(r.out.filter((l) => l.startsWith('baseOffset')).map((l) => /^baseOffset: (\d+)/.exec(l)![1])).toEqual(['0', '3']);
    expect(r.err).toContain(`${seg.log}: position 96: bad magic 7; skipped 70 bytes to the next valid batch at position 166`);
  });

  it("prints Kafka's 'Found N invalid bytes' for bytes after the last batch that are no batch, on stdout and not as damage (it said 'bad batch length', exit 1)", () => {
    const seg = segment();
    const whole = readFileSync(seg.log);
    // Fewer bytes than a batch header (printf garbagegarbage >> the segment).
    writeFileSync(seg.log, Buffer.concat([whole, Buffer.from('garbagegarbage')]));
    let r = run([seg.log]);
    expect(r.out.filter((l) => l.startsWith('baseOffset'))).toHaveLength(3);
    expect(r.out.at(-1)).toBe('Found 14 invalid bytes at the end of 00000000000000000000.log');
    expect(r.err).toEqual([]);
    expect(r.damaged).toBe(false);
    // A header whose length runs past the end of the file, and nothing valid after it.
    writeFileSync(seg.log, Buffer.concat([whole, Buffer.from('garbage'.repeat(20))]));
    r = run([seg.log]);
    expect(r.out.at(-1)).toBe('Found 140 invalid bytes at the end of 00000000000000000000.log');
    expect(r.err).toEqual([]);
    // The same bytes in the middle, before a valid batch, are damage as before.
    writeFileSync(seg.log, Buffer.concat([whole.subarray(0, 96), Buffer.from('garbagegarbage'), whole.subarray(96)]));
    r = run([seg.log]);
    expect(r.err).toEqual([`${seg.log}: position 96: bad batch length 1634886241 (a batch is 61 bytes or more); skipped 14 bytes to the next valid batch at position 110`]);
    expect(r.damaged).toBe(true);
  });

  it('reports a batch cut short at the end of the file', () => {
    const seg = segment();
    const size = readFileSync(seg.log).length;
    truncateSync(seg.log, size - 5);
    const r = run([seg.log]);
    expect(r.out.at(-1)).toBe(`Found ${size - 5 - 166} invalid bytes at the end of 00000000000000000000.log`);
    expect(r.err).toEqual([`${seg.log}: position 166: truncated batch: it declares ${size - 166} bytes, ${size - 5 - 166} remain`]);
  });
});

describe('dump-log: --cluster-metadata-decoder', () => {
  const frame = (record: object) => {
    const payload = Buffer.from(JSON.stringify(record));
    const head = Buffer.alloc(8);
    head.writeUInt32BE(payload.length, 0);
    head.writeUInt32BE(crc32c(payload), 4);
    return Buffer.concat([head, payload]);
  };

  it("prints kafka-ts's metadata log records, and skips a damaged one to the next", () => {
    const t = tempDir('kafka-ts-dumplog-meta-');
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'metadata.log');
    const a = frame({ o: 0, type: 'cluster', clusterId: 'abc' });
    const b = frame({ o: 1, type: 'topic', topic: { name: 't' } });
    const c = frame({ o: 2, type: 'delete-topic', name: 't' });
    writeFileSync(file, Buffer.concat([a, b, c]));
    const opts = { printData: true, deepIteration: true, parser: payloadParser('cluster-metadata', 'string', 'string') };
    const good = run([file], opts);
    expect(good.out).toEqual([
      `Dumping ${file}`,
      `| offset: 0 position: 0 size: ${a.length} crc: ${a.readUInt32BE(4)} isvalid: true payload: {"type":"cluster","data":{"clusterId":"abc"}}`,
      `| offset: 1 position: ${a.length} size: ${b.length} crc: ${b.readUInt32BE(4)} isvalid: true payload: {"type":"topic","data":{"topic":{"name":"t"}}}`,
      `| offset: 2 position: ${a.length + b.length} size: ${c.length} crc: ${c.readUInt32BE(4)} isvalid: true payload: {"type":"delete-topic","data":{"name":"t"}}`,
    ]);
    expect(good.damaged).toBe(false);
    const bad = Buffer.concat([a, b, c]);
    bad[a.length + 12] ^= 0x01;
    writeFileSync(file, bad);
    const r = run([file], opts);
    expect(r.out.map((l) => /^\| offset: (\d+)/.exec(l)?.[1]).filter(Boolean)).toEqual(['0', '2']);
    expect(r.err).toEqual([expect.stringMatching(new RegExp(`^${file}: position ${a.length}: CRC mismatch: stored \\d+, computed \\d+; skipped ${b.length} bytes to the next valid record at position ${a.length + b.length}$`))]);
  });

  it("recognises kafka-ts's metadata log without the decoder, as Kafka dumps __cluster_metadata: records without payloads, payloads with --print-data-log (it said 'bad batch length', exit 1)", () => {
    const t = tempDir('kafka-ts-dumplog-meta-');
    cleanups.push(t.cleanup);
    const a = frame({ o: 0, type: 'cluster', clusterId: 'abc' });
    const b = frame({ o: 1, type: 'topic', topic: { name: 't' } });
    // By its content, under any name (a copy), and by the daemon's names.
    for (const name of ['copy-of-metadata.log', 'metadata.prev.log']) {
      const file = join(t.dir, name);
      writeFileSync(file, Buffer.concat([a, b]));
      const r = run([file]);
      expect(r.out).toEqual([`Dumping ${file}`, `| offset: 0 position: 0 size: ${a.length} crc: ${a.readUInt32BE(4)} isvalid: true`, `| offset: 1 position: ${a.length} size: ${b.length} crc: ${b.readUInt32BE(4)} isvalid: true`]);
      expect(r.err).toEqual([]);
      expect(r.damaged).toBe(false);
      expect(run([file], { printData: true, deepIteration: true }).out[1]).toBe(`| offset: 0 position: 0 size: ${a.length} crc: ${a.readUInt32BE(4)} isvalid: true payload: {"type":"cluster","data":{"clusterId":"abc"}}`);
    }
  });

  it("recognises a metadata log whose first record is damaged by the intact ones after it, and reports the damage (a copy was dumped as a partition segment, 'Found N invalid bytes', exit 0; metadata.log alone said 'not a kafka-ts metadata log')", () => {
    const t = tempDir('kafka-ts-dumplog-meta-');
    cleanups.push(t.cleanup);
    const a = frame({ o: 0, type: 'cluster', clusterId: 'abc' });
    const b = frame({ o: 1, type: 'topic', topic: { name: 't' } });
    const c = frame({ o: 2, type: 'delete-topic', name: 't' });
    // A flipped payload byte (CRC mismatch) and a damaged length (running past the end).
    for (const [at, flip, what] of [[12, 0x01, 'CRC mismatch: stored \\d+, computed \\d+'], [2, 0x7f, 'truncated record: it declares \\d+ bytes, \\d+ remain']] as const) {
      const bad = Buffer.concat([a, b, c]);
      bad[at] ^= flip;
      const file = join(t.dir, `copy-${at}.log`);
      writeFileSync(file, bad);
      const r = run([file]);
      expect(r.events[0]).toEqual({ type: 'file', file, kind: 'metadata' });
      expect(r.out).toEqual([`Dumping ${file}`, `| offset: 1 position: ${a.length} size: ${b.length} crc: ${b.readUInt32BE(4)} isvalid: true`, `| offset: 2 position: ${a.length + b.length} size: ${c.length} crc: ${c.readUInt32BE(4)} isvalid: true`]);
      expect(r.err).toEqual([expect.stringMatching(new RegExp(`^${file}: position 0: ${what}; skipped ${a.length} bytes to the next valid record at position ${a.length}$`))]);
      expect(r.damaged).toBe(true);
    }
    // Its only record damaged inside (its length intact): the damage, not "not a metadata log".
    const one = Buffer.from(a);
    one[12] ^= 0x01;
    const file = join(t.dir, 'metadata.log');
    writeFileSync(file, one);
    expect(run([file]).err).toEqual([expect.stringMatching(new RegExp(`^${file}: position 0: CRC mismatch: stored \\d+, computed \\d+; no valid record follows \\(${a.length} bytes\\)$`))]);
    // Nothing in it a record: that is still said.
    writeFileSync(file, Buffer.alloc(40));
    expect(run([file]).err).toEqual([`${file}: position 0: not a kafka-ts metadata log (empty record); no valid record follows (40 bytes)`]);
  });

  it('a partition segment whose first batch is damaged is still dumped as a segment', () => {
    const seg = segment();
    const buf = readFileSync(seg.log);
    buf[16] = 7;
    writeFileSync(seg.log, buf);
    const r = run([seg.log]);
    expect(r.events[0]).toMatchObject({ type: 'file', kind: 'log' });
    expect(r.err).toEqual([`${seg.log}: position 0: bad magic 7; skipped 96 bytes to the next valid batch at position 96`]);
  });

  it('on a partition segment dumps its batches and records as text, with one stderr line saying what the file is (it said "not a kafka-ts metadata log", exit 1)', () => {
    const seg = segment();
    const opts = { printData: true, deepIteration: true, parser: payloadParser('cluster-metadata', 'string', 'string') };
    const events = [...dumpFiles([seg.log], { ...base, ...opts })];
    const r = run([seg.log], opts);
    expect(r.out.slice(0, 2)).toEqual([`Dumping ${seg.log}`, 'Log starting offset: 0']);
    expect(r.out.filter((l) => l.startsWith('baseOffset'))).toHaveLength(3);
    expect(r.out.filter((l) => l.startsWith('| offset:'))[0]).toMatch(/ key: k1 payload: hello$/);
    expect(r.damaged).toBe(false);
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message)).toEqual([
      `${seg.log} is a partition segment (record batches), not kafka-ts's cluster metadata log: --cluster-metadata-decoder reads meta/metadata.log under the daemon's data directory; this file's records are printed as text`,
    ]);
  });
});
