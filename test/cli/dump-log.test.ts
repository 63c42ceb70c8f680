/**
 * kafka-ts dump-log through the built binary: bad input is one clear line on stderr with a
 * documented exit status and nothing on stdout; damage gives exit 1 with the problem on stderr
 * while everything readable is printed; --output json is one document. No daemon: dump-log is
 * offline. Segments are written by the real disk store in a temp dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskLogStore } from '../../src/storage/disk/disk-store.js';
import { DEFAULT_LOG_CONFIG } from '../../src/storage/log-store.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { transactionLogKey, transactionLogValue } from '../../src/protocol/transaction-log.js';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs } from '../helpers/cli.js';

let dir: string;
let cleanup: () => void;
let seg: string;
const kt = (...args: string[]) => kafkaTs(args, { home: dir });

beforeAll(() => {
  ({ dir, cleanup } = tempDir('kafka-ts-dumplog-cli-'));
  const store = new DiskLogStore(join(dir, 'data'));
  const log = store.open('t', 0, { ...DEFAULT_LOG_CONFIG, indexIntervalBytes: 1 });
  for (let i = 0; i < 3; i++) log.append(encodeBatch([{ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: 1700000000000 + i }]), 0);
  store.close(true);
  seg = join(dir, 'data', 't-0', '00000000000000000000');
});
afterAll(() => cleanup());

describe('dump-log bad input', () => {
  it.each([
    [['dump-log'], 2, 'kafka-ts dump-log: usage error: Missing required argument "[files]"'],
    [['dump-log', '--files', 'nope.log'], 4, 'kafka-ts dump-log: error: nope.log: no such file'],
    [['dump-log', '--remote-log-metadata-decoder', '--files', 'x.log'], 2, 'kafka-ts dump-log: usage error: --remote-log-metadata-decoder: kafka-ts has no tiered storage, so there is no remote log metadata to decode'],
    [['dump-log', '--value-decoder-class', 'com.example.MyDecoder', '--files', 'x.log'], 2, /^kafka-ts dump-log: usage error: --value-decoder-class: unknown decoder 'com.example.MyDecoder' \(expected string, hex/],
    [['dump-log', '--max-bytes', 'lots', '--files', 'x.log'], 2, "kafka-ts dump-log: usage error: Cannot parse argument 'lots' of option --max-bytes"],
  ] as [string[], number, string | RegExp][])('%j -> exit %i', async (args, code, message) => {
    const r = await kafkaTs(args, { home: dir });
    expect(r.exitCode, r.stderr).toBe(code);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    if (typeof message === 'string') expect(lines[0]).toBe(message);
    else expect(lines[0]).toMatch(message);
  });

  it('a directory instead of a segment file: one line, exit 2, nothing printed', async () => {
    const r = await kt('dump-log', '--files', join(dir, 'data', 't-0'));
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`kafka-ts dump-log: usage error: ${join(dir, 'data', 't-0')} is a directory, not a segment file (name its .log, .index or .timeindex files)\n`);
  });

  it("skips an unknown file with Kafka's line, and dumps the rest (exit 0)", async () => {
    const other = join(dir, 'notes.txt');
    writeFileSync(other, 'hello');
    const r = await kt('dump-log', '--files', `${other},${seg}.index`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`Dumping ${other}\nDumping ${seg}.index\noffset: 0 position: 0\noffset: 1 position: 72\noffset: 2 position: 144\n`);
    expect(r.stderr).toBe(`Ignoring unknown file ${other}\n`);
  });

  it('accepts Kafka decoder class names, deprecated ones included', async () => {
    const r = await kt('dump-log', '--key-decoder-class', 'kafka.serializer.StringDecoder', '--value-decoder-class', 'org.apache.kafka.tools.api.DefaultDecoder', '--files', `${seg}.log`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(' key: k0 payload: 7630\n');
  });
});

describe('dump-log --transaction-log-decoder', () => {
  it("prints __transaction_state keys and values as Kafka's JSON, tombstones as <DELETE>", async () => {
    const store = new DiskLogStore(join(dir, 'txn'));
    const log = store.open('__transaction_state', 7, DEFAULT_LOG_CONFIG);
    const value = transactionLogValue({
      producerId: 1000,
      producerEpoch: 2,
      transactionTimeoutMs: 60000,
      transactionStatus: 1,
      transactionPartitions: [{ topic: 'orders', partitionIds: [0, 2] }],
      transactionLastUpdateTimestampMs: 1700000000100,
      transactionStartTimestampMs: 1700000000000,
    });
    log.append(encodeBatch([{ key: transactionLogKey('pay-1'), value, timestamp: 1700000000100 }]), 0);
    log.append(encodeBatch([{ key: transactionLogKey('pay-0'), value: null, timestamp: 1700000000200 }]), 0);
    store.close(true);
    const file = join(dir, 'txn', '__transaction_state-7', '00000000000000000000.log');
    const r = await kt('dump-log', '--transaction-log-decoder', '--files', file);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('| offset'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(
      ' key: {"type":"0","data":{"transactionalId":"pay-1"}} payload: {"version":"0","data":{"producerId":1000,"producerEpoch":2,"transactionTimeoutMs":60000,"transactionStatus":1,"transactionPartitions":[{"topic":"orders","partitionIds":[0,2]}],"transactionLastUpdateTimestampMs":1700000000100,"transactionStartTimestampMs":1700000000000}}',
    );
    expect(lines[1]).toContain(' key: {"type":"0","data":{"transactionalId":"pay-0"}} payload: <DELETE>');
    const j = await kt('dump-log', '--transaction-log-decoder', '--output', 'json', '--files', file);
    expect(j.exitCode, j.stderr).toBe(0);
    expect(j.stdout).toContain('\\"transactionalId\\":\\"pay-1\\"');
  });
});

describe('dump-log damage', () => {
  it('a truncated index: its whole entries printed, one line on stderr, exit 1', async () => {
    const d = join(dir, 'trunc');
    mkdirSync(d);
    for (const s of ['.log', '.index']) writeFileSync(join(d, `00000000000000000000${s}`), readFileSync(`${seg}${s}`));
    truncateSync(join(d, '00000000000000000000.index'), 13);
    const r = await kt('dump-log', '--files', join(d, '00000000000000000000.index'));
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(`Dumping ${join(d, '00000000000000000000.index')}\noffset: 0 position: 0\n`);
    expect(r.stderr).toBe(`${join(d, '00000000000000000000.index')}: truncated index: 5 bytes at the end are not a whole entry (an entry is 8 bytes)\n`);
  });

  it('an index entry pointing outside its log (a negative or too large position) is a mismatch, exit 1', async () => {
    const d = join(dir, 'wild');
    mkdirSync(d);
    writeFileSync(join(d, '00000000000000000000.log'), readFileSync(`${seg}.log`));
    const index = Buffer.alloc(16);
    index.writeInt32BE(0, 0);
    index.writeInt32BE(-628448785, 4);
    index.writeInt32BE(1, 8);
    index.writeInt32BE(999999, 12);
    writeFileSync(join(d, '00000000000000000000.index'), index);
    const r = await kt('dump-log', '--files', join(d, '00000000000000000000.index'));
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toBe(`Dumping ${join(d, '00000000000000000000.index')}\noffset: 0 position: -628448785\noffset: 1 position: 999999\n`);
    expect(r.stderr).toBe(`Mismatches in :${join(d, '00000000000000000000.index')}\n  Index offset: 0, log offset: -1\n  Index offset: 1, log offset: -1\n`);
  });

  it('64-bit values read from corrupt index, time index and log bytes are printed exactly, in text and JSON (they were rounded)', async () => {
    const d = join(dir, 'long');
    mkdirSync(d);
    // A "batch header" whose base offset is past 2^53 (not a double), and a batch length too small to read on.
    const log = Buffer.alloc(61);
    log.writeBigInt64BE(5786637727215227903n, 0);
    writeFileSync(join(d, '00000000000000000000.log'), log);
    writeFileSync(join(d, '00000000000000000000.index'), Buffer.alloc(8));
    const time = Buffer.alloc(12);
    time.writeBigInt64BE(-6557618691043999999n, 0);
    writeFileSync(join(d, '00000000000000000000.timeindex'), time);
    const index = join(d, '00000000000000000000.index');
    const timeindex = join(d, '00000000000000000000.timeindex');
    expect(await kt('dump-log', '--files', index)).toEqual({
      stdout: `Dumping ${index}\noffset: 0 position: 0\n`,
      stderr: `Mismatches in :${index}\n  Index offset: 0, log offset: 5786637727215227903\n`,
      exitCode: 1,
    });
    const t = await kt('dump-log', '--files', timeindex);
    expect(t).toMatchObject({ stdout: `Dumping ${timeindex}\ntimestamp: -6557618691043999999 offset: 0\n`, exitCode: 1 });
    const json = await kt('dump-log', '--files', `${index},${timeindex}`, '--output', 'json');
    expect(json.exitCode, json.stderr).toBe(1);
    // Numbers with every digit (JSON.parse would round them): the document's text is exact.
    expect(json.stdout).toContain('"entries":[{"timestamp":-6557618691043999999,"offset":0}]');
    expect(json.stdout).toContain('"index-mismatch":[{"file":' + JSON.stringify(index) + ',"pairs":[[0,5786637727215227903]]}]');
    expect(JSON.parse(json.stdout)).toMatchObject({ damaged: true });
  });

  it('--output json: one document with the batches, records and the problems found', async () => {
    const d = join(dir, 'flip');
    mkdirSync(d);
    const buf = readFileSync(`${seg}.log`);
    buf[72 + 65] ^= 0x20;
    const copy = join(d, '00000000000000000000.log');
    writeFileSync(copy, buf);
    const r = await kt('dump-log', '--print-data-log', '--output', 'json', copy);
    expect(r.exitCode).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.damaged).toBe(true);
    expect(doc.files).toHaveLength(1);
    expect(doc.files[0]).toMatchObject({ file: copy, kind: 'log', baseOffset: 0 });
    expect(doc.files[0].batches.map((b: { isValid: boolean }) => b.isValid)).toEqual([true, false, true]);
    expect(doc.files[0].batches[0]).toMatchObject({ baseOffset: 0, lastOffset: 0, count: 1, position: 0, size: 72, magic: 2, compressCodec: 'none', timestampType: 'CreateTime', maxTimestamp: 1700000000000, deleteHorizonMs: null });
    expect(doc.files[0].batches[2].records).toEqual([{ offset: 2, timestampType: 'CreateTime', timestamp: 1700000000002, keySize: 2, valueSize: 2, sequence: -1, headerKeys: [], key: 'k2', payload: 'v2' }]);
    // The flipped byte is in the record's key length: the CRC says so, and so does decoding.
    expect(doc.problems).toEqual([
      { file: copy, position: 72, message: expect.stringMatching(/^CRC mismatch: stored \d+, computed \d+$/) },
      { file: copy, position: 72, message: expect.stringMatching(/^records cannot be decoded: /) },
    ]);
  });

  it('trailing bytes after the last batch: Kafka\'s "Found N invalid bytes" on stdout, exit 0', async () => {
    const d = join(dir, 'trailing');
    mkdirSync(d);
    const copy = join(d, '00000000000000000000.log');
    writeFileSync(copy, Buffer.concat([readFileSync(`${seg}.log`), Buffer.from('garbagegarbage')]));
    const r = await kt('dump-log', '--files', copy);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Found 14 invalid bytes at the end of 00000000000000000000.log');
  });

  it("--cluster-metadata-decoder on a partition segment: its batches and records as text, and one stderr line saying what the file is, exit 0", async () => {
    const r = await kt('dump-log', '--cluster-metadata-decoder', '--files', `${seg}.log`);
    expect(r.stderr).toBe(`${seg}.log is a partition segment (record batches), not kafka-ts's cluster metadata log: --cluster-metadata-decoder reads meta/metadata.log under the daemon's data directory; this file's records are printed as text\n`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('| offset: 0 CreateTime: 1700000000000 keySize: 2 valueSize: 2 sequence: -1 headerKeys: [] key: k0 payload: v0\n');
    const json = await kt('dump-log', '--cluster-metadata-decoder', '--output', 'json', `${seg}.log`);
    expect(JSON.parse(json.stdout)).toMatchObject({ damaged: false, warnings: [expect.stringContaining('is a partition segment')] });
  });
});
