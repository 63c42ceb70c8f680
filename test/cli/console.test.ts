/**
 * console-producer and console-consumer end to end (execa), cross-checked with kcat and kafkajs's
 * Java-compatible partitioner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { tempDir } from '../helpers/tmp.js';
import { BIN, kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';
import { kcat } from '../helpers/real-clients.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (args: string[], input?: string | Buffer): Promise<RunResult> => kafkaTs(args, { home, input });
const produce = (topic: string, input: string | Buffer, ...args: string[]) => kt(['console-producer', '--topic', topic, ...args], input);
const consume = (topic: string, ...args: string[]) => kt(['console-consumer', '--topic', topic, '--from-beginning', '-e', ...args]);
const create = (topic: string, partitions = 1, ...args: string[]) => kt(['topics', 'create', topic, '-p', String(partitions), ...args]);

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-console-'));
  ({ bootstrap } = await startDaemon(home));
});
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

describe('console-producer', () => {
  it('produces one record per line (empty lines too) and prints a summary on stderr', async () => {
    await create('lines');
    const r = await produce('lines', 'a\nb\r\n\nc');
    expect(r).toEqual({ stdout: '', stderr: 'kafka-ts console-producer: sent 4 records to topic lines\n', exitCode: 0 });
    expect((await consume('lines')).stdout).toBe('a\nb\n\nc\n');
  });

  it('batches piped input that ends before the topic\'s metadata arrives (it wrote one batch per record)', async () => {
    await create('piped');
    expect((await produce('piped', Array.from({ length: 1000 }, (_, i) => String(i)).join('\n'))).exitCode).toBe(0);
    const dump = await kt(['dump-log', '--files', join(home, 'data', 'piped-0', '00000000000000000000.log')]);
    const batches = dump.stdout.split('\n').filter((l) => l.startsWith('baseOffset:')).length;
    expect(batches, dump.stdout.slice(0, 400)).toBeGreaterThan(0);
    expect(batches).toBeLessThanOrEqual(3);
    expect((await consume('piped')).stdout.split('\n').length - 1).toBe(1000);
  });

  it('sends each record in a batch of its own with batch.size 0 (Kafka: atLeast(0), no batching), in order', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `r${i}`);
    for (const [topic, ...args] of [['nobatch-flag', '--batch-size', '0'], ['nobatch-prop', '--producer-property', 'batch.size=0'], ['nobatch-mem', '--max-partition-memory-bytes', '0']]) {
      await create(topic!);
      expect(await produce(topic!, lines.join('\n'), ...args)).toEqual({ stdout: '', stderr: `kafka-ts console-producer: sent 40 records to topic ${topic}\n`, exitCode: 0 });
      const dump = await kt(['dump-log', '--files', join(home, 'data', `${topic}-0`, '00000000000000000000.log')]);
      const counts = dump.stdout.split('\n').filter((l) => l.startsWith('baseOffset:')).map((l) => / count: (\d+)/.exec(l)?.[1]);
      expect(counts, dump.stdout.slice(0, 400)).toEqual(lines.map(() => '1'));
      expect((await consume(topic!)).stdout).toBe(`${lines.join('\n')}\n`);
    }
  });

  it('parses keys and headers with the line reader properties', async () => {
    await create('keyed');
    const input = 'h1:x,h2:y|k1::v1\nNULL|k2::NULL\nh3:NULL|NULL::v3\n';
    const r = await produce('keyed', input, '--property', 'parse.key=true', '--property', 'key.separator=::', '--property', 'parse.headers=true', '--property', 'headers.delimiter=|', '--property', 'null.marker=NULL');
    expect(r.exitCode).toBe(0);
    const out = await consume('keyed', '--property', 'print.key=true', '--property', 'print.headers=true', '--property', 'key.separator=|');
    expect(out.stdout).toBe('h1:x,h2:y|k1|v1\nNO_HEADERS|k2|null\nh3:null|null|v3\n');
  });

  it('stops at a line without the key separator, delivers what came before, and exits 1', async () => {
    await create('bad-lines');
    const r = await produce('bad-lines', 'k1\tv1\nno separator here\nk3\tv3\n', '--property', 'parse.key=true');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("No key separator found on line number 2: 'no separator here'");
    expect(r.stderr).toContain('sent 1 record to topic bad-lines');
    expect((await consume('bad-lines')).stdout).toBe('v1\n');
    const tolerant = await produce('bad-lines', 'no separator\n', '--property', 'parse.key=true', '--property', 'ignore.error=true');
    expect(tolerant.exitCode).toBe(0);
  });

  it('compresses with --compression-codec (alone: gzip) and honours --request-required-acks and --sync', async () => {
    await create('gz');
    expect((await produce('gz', 'one\ntwo\n', '--compression-codec')).exitCode).toBe(0);
    expect(readFileSync(join(home, 'data', 'gz-0', '00000000000000000000.log')).readInt16BE(21) & 7).toBe(1);
    await create('acks');
    expect((await produce('acks', 'x\n', '--request-required-acks', '0')).exitCode).toBe(0);
    expect((await produce('acks', 'y\nz\n', '--request-required-acks', 'all', '--sync')).exitCode).toBe(0);
    expect((await consume('acks')).stdout).toBe('x\ny\nz\n');
    expect((await produce('acks', 'x\n', '--compression-codec', 'brotli')).exitCode).toBe(2);
  });

  it('numbers its batches as an idempotent producer by default, as Kafka 3\'s does; plain batches with acks 0/1 or enable.idempotence=false', async () => {
    /** Producer id, epoch, base sequence and record count of each batch stored in a topic. */
    const storedBatches = (topic: string) => {
      const log = readFileSync(join(home, 'data', `${topic}-0`, '00000000000000000000.log'));
      const batches: { pid: bigint; epoch: number; seq: number; count: number }[] = [];
      for (let at = 0; at + 61 <= log.length; at += 12 + log.readInt32BE(at + 8)) {
        batches.push({ pid: log.readBigInt64BE(at + 43), epoch: log.readInt16BE(at + 51), seq: log.readInt32BE(at + 53), count: log.readInt32BE(at + 57) });
      }
      return batches;
    };
    await create('once');
    const lines = Array.from({ length: 2000 }, (_, i) => `line-${i}`).join('\n');
    const r = await produce('once', lines, '--batch-size', '2000');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/without idempotence/);
    // Every stored batch carries the producer id, epoch 0 and the next sequence number.
    const batches = storedBatches('once');
    expect(batches.length).toBeGreaterThan(1);
    expect(new Set(batches.map((b) => b.pid)).size).toBe(1);
    expect(batches[0]!.pid >= 0n && batches.every((b) => b.epoch === 0)).toBe(true);
    let next = 0;
    for (const b of batches) {
      expect(b.seq).toBe(next);
      next += b.count;
    }
    expect(next).toBe(2000);
    expect((await consume('once')).stdout).toBe(`${lines}\n`);

    for (const [topic, args] of [
      ['plain-acks1', ['--request-required-acks', '1']],
      ['plain-off', ['--producer-property', 'enable.idempotence=false']],
      ['plain-noretry', ['--message-send-max-retries', '0']],
    ] as const) {
      await create(topic);
      expect((await produce(topic, 'a\nb\n', ...args)).exitCode).toBe(0);
      const plain = storedBatches(topic);
      expect(plain.reduce((n, b) => n + b.count, 0)).toBe(2);
      expect(plain.every((b) => b.pid === -1n && b.seq === -1)).toBe(true);
    }

    for (const [args, message] of [
      [['--request-required-acks', '1'], /enable.idempotence=true needs acks=all/],
      [['--message-send-max-retries', '0'], /enable.idempotence=true needs retries above 0/],
    ] as const) {
      const refused = await produce('once', 'x\n', '--producer-property', 'enable.idempotence=true', ...args);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toMatch(message);
    }
    const bad = await produce('once', 'x\n', '--producer-property', 'enable.idempotence=yes');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/Invalid value yes for configuration enable.idempotence/);
    expect((await consume('once')).stdout).toBe(`${lines}\n`);
  });

  describe('one 2 MB line among 5,000 small ones', () => {
    const small = Array.from({ length: 5000 }, (_, i) => `small-${i}`);
    const input = `${[...small.slice(0, 2500), 'x'.repeat(2 * 1024 * 1024), ...small.slice(2500)].join('\n')}\n`;
    /** What console-producer prints when only the big record failed. */
    const onlyBigFailed = (topic: string, reason: string) =>
      `Error when sending 1 message to topic ${topic} partition 0 with error: record of 2,097,152 bytes exceeds ${reason}\n` +
      `kafka-ts console-producer: sent 5000 of 5001 records to topic ${topic}; 1 failed\n`;

    for (const [topic, args] of [
      ['big-idempotent', []],
      ['big-plain', ['--producer-property', 'enable.idempotence=false']],
      // The big record shares a batch with small ones: the batch is split until it stands alone.
      ['big-split', ['--batch-size', '10000000']],
    ] as const) {
      it(`the broker refuses only the big record, naming the limit (${args.join(' ') || 'idempotent by default'})`, async () => {
        await create(topic);
        const r = await produce(topic, input, ...args);
        expect(r.stderr).toBe(onlyBigFailed(topic, `max.message.bytes=1048588 of topic ${topic}; raise it with configs or split the record`));
        expect(r.exitCode).toBe(1);
        expect((await consume(topic)).stdout).toBe(`${small.join('\n')}\n`);
      });
    }

    it('refuses a record over max.request.size itself, before it takes a sequence number', async () => {
      await create('big-request');
      const r = await produce('big-request', input, '--producer-property', 'max.request.size=1048576');
      expect(r.stderr).toBe(onlyBigFailed('big-request', 'max.request.size=1048576 of the producer; raise it or split the record'));
      expect(r.exitCode).toBe(1);
      expect((await consume('big-request')).stdout).toBe(`${small.join('\n')}\n`);
      const bad = await produce('big-request', 'x\n', '--producer-property', 'max.request.size=lots');
      expect(bad).toMatchObject({ exitCode: 2, stderr: "kafka-ts console-producer: usage error: Invalid value lots for configuration max.request.size: Not a number of type INT\n" });
    });

    it('stores the big record too once the topic\'s max.message.bytes is raised', async () => {
      await create('big-allowed', 1, '--config', 'max.message.bytes=3000000');
      const r = await produce('big-allowed', input);
      expect(r).toMatchObject({ exitCode: 0, stderr: 'kafka-ts console-producer: sent 5001 records to topic big-allowed\n' });
    });
  });

  it('puts keyed records on the partition Kafka\'s Java partitioner picks, and kcat reads them there', async () => {
    await create('partitioned', 5);
    const keys = Array.from({ length: 50 }, (_, i) => `customer-${i}`);
    await produce('partitioned', keys.map((k) => `${k}\tvalue`).join('\n'), '--property', 'parse.key=true');
    const require = createRequire(import.meta.url);
    const { Partitioners } = require('kafkajs') as { Partitioners: { DefaultPartitioner: () => (a: object) => number } };
    const java = Partitioners.DefaultPartitioner();
    const r = await kcat(['-b', bootstrap, '-C', '-t', 'partitioned', '-o', 'beginning', '-e', '-q', '-f', '%p %k\n']);
    const got = new Map(r.stdout.trim().split('\n').map((l) => [l.split(' ')[1]!, Number(l.split(' ')[0])]));
    for (const k of keys) {
      expect(got.get(k)).toBe(java({ topic: 'partitioned', partitionMetadata: [0, 1, 2, 3, 4].map((p) => ({ partitionId: p, leader: 1 })), message: { key: k } }));
    }
  });

  it('reads the JSON envelope, lossless for binary data, headers and timestamps', async () => {
    await create('json-in');
    const lines = [
      { key: 'k', value: 'text', headers: [{ key: 'h', value: 'v' }, { key: 'h', value: null }], timestamp: 1700000000000 },
      { key: null, value: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'), valueEncoding: 'base64', headers: [], partition: 0 },
    ];
    expect((await produce('json-in', lines.map((l) => JSON.stringify(l)).join('\n'), '--input', 'json')).exitCode).toBe(0);
    const out = (await consume('json-in', '--output', 'json')).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out[0]).toMatchObject({ topic: 'json-in', partition: 0, offset: 0, key: 'k', value: 'text', timestamp: 1700000000000, timestampType: 'CreateTime', headers: [{ key: 'h', value: 'v' }, { key: 'h', value: null }] });
    expect(out[1]).toMatchObject({ key: null, value: '/wD+', valueEncoding: 'base64' });
    const bad = await produce('json-in', '{"value": "ok"}\n{not json}\n', '--input', 'json');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('line 2: invalid JSON');
    // Node's base64 decoder skips characters that are not base64: they are refused, not stored as nothing.
    for (const [line, message] of [
      ['{"value":"YWJj!!","valueEncoding":"base64"}', 'line 1: "value" is not valid base64'],
      ['{"key":"###","keyEncoding":"base64","value":"v"}', 'line 1: "key" is not valid base64'],
      ['{"value":"ts","timestamp":-5}', 'line 1: Invalid timestamp: -5. Timestamp should always be non-negative or null.'],
      ['{"value":"ts","timestamp":99999999999999999}', 'line 1: "timestamp" must be an integer (milliseconds)'],
    ]) {
      const r = await produce('json-in', `${line}\n`, '--input', 'json');
      expect({ line, exitCode: r.exitCode, sent: /sent 0 records/.test(r.stderr), message: r.stderr.includes(message!) }, r.stderr).toEqual({ line, exitCode: 1, sent: true, message: true });
    }
    // Unpadded, wrapped and URL-safe base64 are base64; -1 is no timestamp.
    const lenient = ['{"value":"YWJj","valueEncoding":"base64"}', '{"value":"YWI","valueEncoding":"base64"}', '{"value":"YW\\nJj","valueEncoding":"base64"}', '{"value":"-_8=","valueEncoding":"base64"}', '{"value":"t","timestamp":-1}'];
    expect((await produce('json-in', `${lenient.join('\n')}\n`, '--input', 'json')).exitCode).toBe(0);
  });

  it('rejects bad usage with exit 2', async () => {
    expect((await kt(['console-producer'], 'x')).exitCode).toBe(2);
    const r = await kt(['console-producer', '--topic', 't', '--property', 'parse.headers=true', '--property', 'headers.delimiter=,', '--property', 'headers.separator=,'], 'x');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('headers.delimiter and headers.separator may not be equal');
    // Kafka takes anything but "true" as false: parse.key=yes would send the key inside the value.
    expect(await kt(['console-producer', '--topic', 't', '--property', 'parse.key=yes'], 'k\tv')).toEqual({ stdout: '', stderr: 'kafka-ts console-producer: usage error: Invalid value yes for parse.key: expected true or false\n', exitCode: 2 });
    expect(await kt(['console-producer', '--topic', 't', '--request-timeout-ms', '0'], 'x')).toEqual({ stdout: '', stderr: 'kafka-ts console-producer: usage error: Option request-timeout-ms must be at least 1 (got 0)\n', exitCode: 2 });
    expect(await kt(['console-consumer', '--topic', 't', '--property', 'print.key=1'])).toEqual({ stdout: '', stderr: 'kafka-ts console-consumer: usage error: Invalid value 1 for print.key: expected true or false\n', exitCode: 2 });
  });

  it("takes a boolean --property without a value as Kafka's parseKeyValueArgs and readers do (empty, so false), saying so", async () => {
    await create('no-value');
    const warning = (key: string) => `WARN ${key} has no value: taken as false, as Kafka's console tools take it (${key}=true or ${key}=false)\n`;
    // No key parsed: the tab stays in the value.
    expect(await produce('no-value', 'k\tv\n', '--property', 'parse.key')).toEqual({ stdout: '', stderr: `${warning('parse.key')}kafka-ts console-producer: sent 1 record to topic no-value\n`, exitCode: 0 });
    expect(await consume('no-value', '--property', 'print.key=', '--property', 'print.offset=true')).toEqual({ stdout: 'Offset:0\tk\tv\n', stderr: `${warning('print.key')}Processed a total of 1 messages\n`, exitCode: 0 });
    // False whatever the default: print.value (default true) prints no value.
    expect(await consume('no-value', '--property', 'print.value', '--property', 'print.offset=true')).toEqual({ stdout: 'Offset:0\n', stderr: `${warning('print.value')}Processed a total of 1 messages\n`, exitCode: 0 });
  });

  it('warns about a --property key nothing reads (a typo), as Kafka warns about an unknown client config', async () => {
    await create('typo');
    const p = await produce('typo', 'k\tv\n', '--property', 'parse.kye=true');
    expect(p).toEqual({
      stdout: '',
      stderr: "WARN The configuration 'parse.kye' was supplied but isn't a known config. (line reader; it has no effect)\nkafka-ts console-producer: sent 1 record to topic typo\n",
      exitCode: 0,
    });
    const c = await consume('typo', '--property', 'print.kye=true', '--property', 'print.key=true');
    expect(c).toEqual({
      stdout: 'null\tk\tv\n',
      stderr: "WARN The configuration 'print.kye' was supplied but isn't a known config. (message formatter; it has no effect)\nProcessed a total of 1 messages\n",
      exitCode: 0,
    });
  });

  it('exits 130 on Ctrl-C and 143 on SIGTERM with stdin still open, delivering what was read, without "Premature close"', async () => {
    await create('interrupted');
    for (const [signal, code, n] of [['SIGINT', 130, 1], ['SIGTERM', 143, 2]] as const) {
      // KAFKA_BOOTSTRAP_SERVERS: undefined keeps the caller's shell variable out (helpers/cli.ts clears it too).
      const child = execa(process.execPath, [BIN, 'console-producer', '--topic', 'interrupted'], { env: { KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: undefined }, reject: false, stdin: 'pipe' });
      child.stdin!.write(`${signal}\n`);
      // Once its line is in the topic the producer is reading stdin (its handlers are in place).
      const deadline = Date.now() + 30_000;
      let seen = '';
      while (!(seen = (await consume('interrupted')).stdout).includes(`${signal}\n`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(seen).toContain(`${signal}\n`);
      child.kill(signal);
      const r = await child;
      expect({ signal, exitCode: r.exitCode, stderr: r.stderr }).toEqual({ signal, exitCode: code, stderr: 'kafka-ts console-producer: sent 1 record to topic interrupted' });
      expect((await consume('interrupted')).stdout.split('\n').length - 1).toBe(n);
    }
  });

  it('fails within --max-block-ms when the topic cannot be created, and reports it', async () => {
    const t = tempDir('kafka-ts-noauto-');
    try {
      const { bootstrap: noAuto } = await startDaemon(t.dir, ['--override', 'auto.create.topics.enable=false']);
      const r = await kafkaTs(['console-producer', '--bootstrap-server', noAuto, '--topic', 'absent', '--max-block-ms', '1000'], { home: t.dir, input: 'a\nb\n' });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('Topic absent not present in metadata after 1000 ms.');
      expect(r.stderr).toContain('sent 0 of 2 records to topic absent; 2 failed');
    } finally {
      await stopDaemon(t.dir);
      t.cleanup();
    }
  });

  it('says at once that it keeps trying an unreachable broker for --max-block-ms, then exits 3', async () => {
    const r = await kafkaTs(['console-producer', '--bootstrap-server', '127.0.0.1:1', '--topic', 't', '--max-block-ms', '3000'], { home, input: 'a\n' });
    expect(r.exitCode).toBe(3);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('kafka-ts: warning: Could not connect to 127.0.0.1:1: connection refused; retrying for up to 3000 ms (max.block.ms)');
    expect(lines.at(-1)).toMatch(/^kafka-ts console-producer: error: Could not connect to 127\.0\.0\.1:1/);
    // The summary line comes before it, as after any run; JSON mode prints the summary with the error.
    expect(lines.at(-2)).toBe('kafka-ts console-producer: sent 0 records to topic t');
    const json = await kafkaTs(['console-producer', '--bootstrap-server', '127.0.0.1:1', '--topic', 't', '--max-block-ms', '1000', '--output', 'json'], { home, input: 'a\n' });
    expect(json.exitCode).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({
      topic: 't', sent: 0, failed: 0, inputError: null, interrupted: false,
      error: { code: 3, kind: 'unreachable', message: 'Could not connect to 127.0.0.1:1: connection refused (is the broker running? see --bootstrap-server)' },
    });
    expect(json.stderr.trimEnd().split('\n').slice(-2)).toEqual(['kafka-ts console-producer: sent 0 records to topic t', 'kafka-ts console-producer: error: Could not connect to 127.0.0.1:1: connection refused (is the broker running? see --bootstrap-server)']);
  });
});

describe('console-consumer', () => {
  it("checks each batch's CRC with check.crcs=true: a batch corrupted on disk fails with Kafka's message and exit 1; unchecked, it prints as stored", async () => {
    await create('rot');
    expect((await produce('rot', 'first\nsecond\n')).exitCode).toBe(0);
    expect((await produce('rot', 'third\n')).exitCode).toBe(0);
    // Bit rot in the second batch's value, in the segment file under the running daemon.
    const file = join(home, 'data', 'rot-0', '00000000000000000000.log');
    const at = readFileSync(file).indexOf('third');
    expect(at).toBeGreaterThan(0);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from('D'), 0, 1, at + 4);
    closeSync(fd);
    const unchecked = await consume('rot');
    expect(unchecked.exitCode, unchecked.stderr).toBe(0);
    expect(unchecked.stdout).toBe('first\nsecond\nthirD\n');
    const checked = await consume('rot', '--consumer-property', 'check.crcs=true');
    expect(checked.exitCode, checked.stderr).toBe(1);
    expect(checked.stderr).toMatch(/Record batch for partition rot-0 at offset 2 is invalid, cause: Record is corrupt \(stored crc = \d+, computed crc = \d+\)/);
    expect(checked.stdout).not.toContain('thirD');
    // An intact topic reads the same with the check.
    await create('intact');
    expect((await produce('intact', 'a\nb\n')).exitCode).toBe(0);
    const ok = await consume('intact', '--consumer-property', 'check.crcs=true');
    expect([ok.exitCode, ok.stdout, ok.stderr]).toEqual([0, 'a\nb\n', 'Processed a total of 2 messages\n']);
  });

  beforeAll(async () => {
    await create('fmt', 2);
    const lines = Array.from({ length: 6 }, (_, i) => `k${i}\tv${i}`).join('\n');
    await produce('fmt', lines, '--property', 'parse.key=true');
  });

  it('prints every formatter field in Kafka\'s order with its separators', async () => {
    const r = await kt(['console-consumer', '--topic', 'fmt', '--partition', '0', '--offset', 'earliest', '-e', '--property', 'print.timestamp=true', '--property', 'print.partition=true', '--property', 'print.offset=true', '--property', 'print.headers=true', '--property', 'print.key=true']);
    const first = r.stdout.split('\n')[0]!;
    expect(first).toMatch(/^CreateTime:\d{13}\tPartition:0\tOffset:0\tNO_HEADERS\tk\d\tv\d$/);
    expect(r.stderr).toMatch(/Processed a total of \d+ messages\n$/);
    const custom = await kt(['console-consumer', '--topic', 'fmt', '--partition', '1', '--offset', '0', '-e', '--property', 'print.key=true', '--property', 'key.separator=|', '--property', 'line.separator=;', '--property', 'print.value=false']);
    expect(custom.stdout).toMatch(/^(k\d;)+$/);
    const nothing = await kt(['console-consumer', '--topic', 'fmt', '--from-beginning', '-e', '--property', 'print.value=false']);
    expect(nothing.stdout).toBe('');
    expect(nothing.stderr).toBe('Processed a total of 6 messages\n');
  });

  it("prints Epoch:NOT_PRESENT for print.epoch, as Kafka's console consumer does (it strips each record's leader epoch), from batches and from record objects", async () => {
    const epoch = ['--property', 'print.epoch=true', '--property', 'print.delivery=true', '--property', 'print.offset=true'];
    const fromBatches = await kt(['console-consumer', '--topic', 'fmt', '--partition', '0', '--offset', '0:1', ...epoch]);
    expect(fromBatches.stdout).toMatch(/^Offset:0\tDelivery:NOT_PRESENT\tEpoch:NOT_PRESENT\tv\d\n$/);
    // A deserializer prints from record objects.
    const fromObjects = await kt(['console-consumer', '--topic', 'fmt', '--partition', '0', '--offset', '0:1', ...epoch, '--property', 'print.key=true', '--property', 'key.deserializer=org.apache.kafka.common.serialization.UUIDDeserializer']);
    expect(fromObjects.stdout).toMatch(/^Offset:0\tDelivery:NOT_PRESENT\tEpoch:NOT_PRESENT\tk\d\tv\d\n$/);
  });

  it('prints what kcat wrote exactly as kcat -f prints it', async () => {
    await create('from-kcat', 3);
    const lines = Array.from({ length: 30 }, (_, i) => `key-${i}\tval-${i}`).join('\n');
    await kcat(['-b', bootstrap, '-P', '-t', 'from-kcat', '-K', '\t'], { input: lines });
    const fmt = 'CreateTime:%T\tPartition:%p\tOffset:%o\t%k\t%s\n';
    const theirs = (await kcat(['-b', bootstrap, '-C', '-t', 'from-kcat', '-o', 'beginning', '-e', '-q', '-f', fmt])).stdout;
    const ours = (await consume('from-kcat', '--property', 'print.timestamp=true', '--property', 'print.partition=true', '--property', 'print.offset=true', '--property', 'print.key=true')).stdout;
    const sort = (s: string) => s.trim().split('\n').sort();
    expect(sort(ours)).toEqual(sort(theirs));
    expect(ours.trim().split('\n')).toHaveLength(30);
  });

  it('stops after --max-messages and after --timeout-ms of silence', async () => {
    const r = await kt(['console-consumer', '--topic', 'fmt', '--from-beginning', '--max-messages', '3']);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(r.stderr).toBe('Processed a total of 3 messages\n');
    expect(r.exitCode).toBe(0);
    await create('silent');
    const started = Date.now();
    const t = await kt(['console-consumer', '--topic', 'silent', '--timeout-ms', '1000']);
    expect(t).toEqual({ stdout: '', stderr: 'Processed a total of 0 messages\n', exitCode: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('does not count time blocked on a slow reader as --timeout-ms of silence', async () => {
    await create('slow-reader');
    const lines = Array.from({ length: 200_000 }, (_, i) => String(i));
    expect((await produce('slow-reader', lines.join('\n'))).exitCode).toBe(0);
    const proc = spawn(process.execPath, [BIN, 'console-consumer', '--topic', 'slow-reader', '--from-beginning', '--timeout-ms', '1000'], { env: { ...process.env, KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: undefined } });
    // The reader stalls for three times --timeout-ms while records are still waiting to be printed.
    proc.stdout.pause();
    await new Promise((r) => setTimeout(r, 3000));
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout.resume();
    const code = await new Promise((r) => proc.on('close', r));
    expect(err).toBe('Processed a total of 200000 messages\n');
    expect(out.split('\n').length - 1).toBe(200_000);
    expect(code).toBe(0);
  });

  it('understands the offset grammar', async () => {
    const values = async (...args: string[]) => (await kt(['console-consumer', '--topic', 'lines', ...args])).stdout.split('\n').filter((l, i, a) => i < a.length - 1);
    expect(await values('--offset', '-2', '-e')).toEqual(['', 'c']);
    expect(await values('--offset', '+1:3')).toEqual(['b', '']);
    expect(await values('--partition', '0', '--offset', '2', '-e')).toEqual(['', 'c']);
    expect(await values('--offset', '@0', '-e')).toEqual(['a', 'b', '', 'c']);
    expect(await values('--offset', '@-1h:end')).toEqual(['a', 'b', '', 'c']);
    expect(await values('--offset', `@${Date.now() + 3_600_000}`, '-e')).toEqual([]);
    // Past the end: reset by auto.offset.reset, and said on stderr (not an empty topic in silence).
    expect(await kt(['console-consumer', '--topic', 'lines', '--offset', '100', '-e'])).toEqual({
      stdout: '',
      stderr: 'Offset 100 is out of range for lines-0: resetting to the latest offset 4 (auto.offset.reset=latest)\nProcessed a total of 0 messages\n',
      exitCode: 0,
    });
    const bad = await kt(['console-consumer', '--topic', 'lines', '--offset', 'yesterday']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("The provided offset value 'yesterday' is incorrect.");
  });

  it('round-trips a topic through --output json | --input json: keys, binary values, headers, timestamps', async () => {
    await create('rt-source');
    await create('rt-copy');
    const src = [
      { key: 'a', value: 'plain', headers: [{ key: 'x', value: '1' }], timestamp: 1600000000000 },
      { key: Buffer.from([0xc3, 0x28]).toString('base64'), keyEncoding: 'base64', value: Buffer.from([0, 1, 2, 255]).toString('base64'), valueEncoding: 'base64', headers: [{ key: 'bin', value: Buffer.from([0x80]).toString('base64'), valueEncoding: 'base64' }], timestamp: 1600000000001 },
      { key: null, value: null, headers: [], timestamp: 1600000000002 },
    ];
    await produce('rt-source', src.map((s) => JSON.stringify(s)).join('\n'), '--input', 'json');
    const dump = await consume('rt-source', '--output', 'json');
    const load = await produce('rt-copy', dump.stdout, '--input', 'json');
    expect(load.exitCode).toBe(0);
    const again = await consume('rt-copy', '--output', 'json');
    const strip = (s: string) => s.trim().split('\n').map((l) => ({ ...JSON.parse(l), topic: undefined }));
    expect(strip(again.stdout)).toEqual(strip(dump.stdout));
    expect(strip(dump.stdout).map((r) => [r.key, r.value])).toEqual([
      ['a', 'plain'],
      ['wyg=', 'AAEC/w=='],
      [null, null],
    ]);
  });

  it('applies deserializers to --output json (a long as a number with all its digits) and refuses the text layout\'s options (exit 2)', async () => {
    await create('json-typed');
    const long = Buffer.alloc(8);
    long.writeBigInt64BE(9007199254740993n);
    const int = Buffer.alloc(4);
    int.writeInt32BE(-7);
    const b64 = (b: Buffer) => b.toString('base64');
    const input = [{ key: b64(long), keyEncoding: 'base64', value: b64(int), valueEncoding: 'base64' }, { key: null, value: null }];
    expect((await produce('json-typed', input.map((l) => JSON.stringify(l)).join('\n'), '--input', 'json')).exitCode).toBe(0);
    const typed = ['--output', 'json', '--key-deserializer', 'org.apache.kafka.common.serialization.LongDeserializer', '--property', 'value.deserializer=org.apache.kafka.common.serialization.IntegerDeserializer'];
    // Without --group records print from fetched batches, with it from record objects: both apply them.
    for (const extra of [[], ['--group', 'json-typed-g']]) {
      const r = await consume('json-typed', ...typed, ...extra);
      expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: 'Processed a total of 2 messages\n' });
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/,"timestampType":"CreateTime","key":9007199254740993,"value":-7,"headers":\[\]\}$/);
      expect(JSON.parse(lines[1]!)).toMatchObject({ key: null, value: null });
    }
    const refused = (detail: string) => {
      const message = `Option ${detail} cannot be used with --output json (it shapes the text formatter's lines; each JSON object has every field of the record, null as null)`;
      return { stdout: `${JSON.stringify({ error: { code: 2, kind: 'usage', message } })}\n`, stderr: `kafka-ts console-consumer: usage error: ${message}\n`, exitCode: 2 };
    };
    expect(await consume('json-typed', ...typed, '--formatter', 'org.apache.kafka.tools.consumer.NoOpMessageFormatter')).toEqual(refused('formatter'));
    for (const p of ['print.key=true', 'print.value=false', 'null.literal=X', 'key.separator=:', 'line.separator=;', 'headers.separator=|']) {
      expect(await consume('json-typed', ...typed, '--property', p)).toEqual(refused(`property ${p.split('=')[0]}`));
    }
    const file = join(home, 'json-formatter.properties');
    writeFileSync(file, 'print.offset=true\n');
    expect(await consume('json-typed', '--output', 'json', '--formatter-config', file)).toEqual(refused(`formatter-config: print.offset (in ${file})`));
    // The text output takes them all, as before.
    const text = await consume('json-typed', '--key-deserializer', 'org.apache.kafka.common.serialization.LongDeserializer', '--property', 'print.key=true', '--property', 'null.literal=X', '--property', 'value.deserializer=org.apache.kafka.common.serialization.IntegerDeserializer');
    expect(text).toEqual({ stdout: '9007199254740993\t-7\nX\tX\n', stderr: 'Processed a total of 2 messages\n', exitCode: 0 });
  });

  it('warns of each text-reader property given with --input json, which has no effect there', async () => {
    await create('json-props');
    const r = await produce('json-props', JSON.stringify({ key: 'k', value: 'v', headers: [] }), '--input', 'json', '--property', 'parse.key=true', '--property', 'key.separator=:');
    expect(r.exitCode).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('no effect with --input json'))).toEqual([
      "WARN parse.key has no effect with --input json (each line's JSON gives the key, value and headers)",
      "WARN key.separator has no effect with --input json (each line's JSON gives the key, value and headers)",
    ]);
  });

  it('warns, as Kafka 3.8+ does, when a formatter is named by its old class name', async () => {
    await create('old-formatter');
    await produce('old-formatter', 'a\nb');
    const old = await consume('old-formatter', '--formatter', 'kafka.tools.DefaultMessageFormatter');
    expect(old).toEqual({
      stdout: 'a\nb\n',
      stderr: 'WARNING: kafka.tools.DefaultMessageFormatter is deprecated and will be removed in the next major release. Please use org.apache.kafka.tools.consumer.DefaultMessageFormatter instead\nProcessed a total of 2 messages\n',
      exitCode: 0,
    });
    expect(await consume('old-formatter', '--formatter', 'org.apache.kafka.tools.consumer.DefaultMessageFormatter')).toEqual({ stdout: 'a\nb\n', stderr: 'Processed a total of 2 messages\n', exitCode: 0 });
  });

  it('reports unknown topics (exit 4) and bad usage (exit 2)', async () => {
    const r = await kt(['console-consumer', '--topic', 'nope', '-e']);
    expect(r).toMatchObject({ exitCode: 4, stdout: '' });
    expect(r.stderr).toContain("Topic 'nope' does not exist");
    expect((await kt(['console-consumer'])).stderr).toContain('Exactly one of --include/--topic is required.');
    expect((await kt(['console-consumer', '--include', 'x', '--partition', '0'])).stderr).toContain('The topic is required when partition is specified.');
    expect((await kt(['console-consumer', '--topic', 'fmt', '--property', 'key.deserializer=com.example.Mystery'])).exitCode).toBe(2);
    // Java ints in Kafka: a larger value cannot be parsed (it used to wrap or be taken as given).
    for (const [option, value] of [['--max-messages', '3000000000'], ['--partition', '2147483648'], ['--timeout-ms', '9999999999']]) {
      expect(await kt(['console-consumer', '--topic', 'fmt', option!, value!])).toEqual({ stdout: '', stderr: `kafka-ts console-consumer: usage error: Cannot parse argument '${value}' of option ${option!.slice(2)}\n`, exitCode: 2 });
    }
    expect(await kt(['console-consumer', '--topic', 'fmt', '--offset', '10:5'])).toMatchObject({ stdout: '', exitCode: 2 });
    // auto.offset.reset=none and nowhere to start: Kafka's message, as with --group.
    const none = await kt(['console-consumer', '--topic', 'lines', '--consumer-property', 'auto.offset.reset=none', '-e']);
    expect({ exitCode: none.exitCode, stdout: none.stdout }).toEqual({ exitCode: 1, stdout: '' });
    expect(none.stderr).toContain('Undefined offset with no reset policy for partitions: [lines-0]');
    expect((await kt(['console-consumer', '--topic', 'lines', '--consumer-property', 'auto.offset.reset=none', '--from-beginning', '-e'])).exitCode).toBe(2);
    expect((await kt(['console-consumer', '--topic', 'lines', '--offset', '', '-e'])).exitCode).toBe(2);
    expect(await kt(['console-consumer', '--topic', 'fmt', '--group', ''])).toEqual({ stdout: '', stderr: 'kafka-ts console-consumer: usage error: Invalid value for group.id: a consumer group id must not be empty\n', exitCode: 2 });
  });

  it('with --group, --offset earliest|latest is where a group without commits starts; other values and conflicts are refused', async () => {
    // A new group starting at latest would print nothing before -e ends it.
    const fromEarliest = await kt(['console-consumer', '--topic', 'fmt', '--group', 'offset-earliest', '--offset', 'earliest', '-e']);
    expect(fromEarliest.exitCode, fromEarliest.stderr).toBe(0);
    expect(fromEarliest.stdout.trim().split('\n').sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5']);
    // The group has committed offsets now: it resumes from them (nothing new), whatever --offset says.
    expect((await kt(['console-consumer', '--topic', 'fmt', '--group', 'offset-earliest', '--offset', 'earliest', '-e'])).stdout).toBe('');
    expect((await kt(['console-consumer', '--topic', 'fmt', '--group', 'offset-latest', '--offset', 'latest', '-e'])).stdout).toBe('');
    const refused = [
      [['--offset', '3'], '--offset 3 cannot be used with --group'],
      [['--offset', '-2'], '--offset -2 cannot be used with --group'],
      [['--offset', 'latest', '--from-beginning'], 'Options from-beginning and offset cannot be specified together.'],
      [['--offset', 'latest', '--consumer-property', 'auto.offset.reset=earliest'], "Can't simultaneously specify --offset latest and 'auto.offset.reset=earliest'"],
    ] as const;
    for (const [args, message] of refused) {
      const r = await kt(['console-consumer', '--topic', 'fmt', '--group', 'offset-refused', ...args, '-e']);
      expect({ args, exitCode: r.exitCode, stdout: r.stdout }).toEqual({ args, exitCode: 2, stdout: '' });
      expect(r.stderr).toContain(message);
    }
  });

  it('consumes every topic matching --include', async () => {
    const r = await kt(['console-consumer', '--include', 'rt-.*', '--from-beginning', '-e']);
    expect(r.stderr).toBe('Processed a total of 6 messages\n');
  });

  it('ends quietly with exit 0 when the reader closes the pipe (| head)', async () => {
    await create('many');
    await produce('many', Array.from({ length: 20000 }, (_, i) => `line ${i}`).join('\n'));
    const r = await execa('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" console-consumer --topic many --from-beginning | head -n 3`], {
      env: { KAFKA_TS_HOME: home, KAFKA_BOOTSTRAP_SERVERS: undefined },
      reject: false,
    });
    expect(r.stdout).toBe('line 0\nline 1\nline 2');
    expect(r.exitCode).toBe(0);
  });

  it('stops at once, silently and with exit 0, when | head closes the pipe on a large topic', async () => {
    // 200,000 records of 100 bytes: about 20 fetches of 1 MB to read it all. Many writes of 256 KB
    // meet the closed pipe (the first made the process crash with the bundle source on stderr).
    const total = 200_000;
    await create('huge');
    const value = 'v'.repeat(92);
    expect((await produce('huge', Array.from({ length: total }, (_, i) => `${String(i).padStart(7, '0')}${value}`).join('\n'))).exitCode).toBe(0);
    const run = (extra: string) =>
      execa('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" console-consumer --topic huge --from-beginning ${extra} | head -n 1`], {
        env: { KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: undefined },
        reject: false,
      });
    // Without -e it would wait for more records forever if the closed pipe did not stop it.
    for (const r of [await run('-e'), await run('--group head-reader')]) {
      expect({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode }).toEqual({ stdout: `0000000${value}`, stderr: '', exitCode: 0 });
    }
    // The group commits what it read before stopping: far from the whole topic.
    const described = await kt(['consumer-groups', '--describe', '--group', 'head-reader']);
    const row = described.stdout.split('\n').find((l) => /^head-reader\s+huge\s+0\s/.test(l));
    const readUpTo = Number(row?.split(/\s+/)[3]);
    expect(readUpTo, described.stdout).toBeLessThan(total / 2);
  });

  it('fails with exit 1 when stdout cannot be written (a full disk: /dev/full), committing nothing unwritten', async () => {
    const toFull = async (args: string[]) => {
      const r = await execa('bash', ['-c', `"${process.execPath}" "${BIN}" ${args.join(' ')} > /dev/full`], { env: { KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: undefined }, reject: false });
      return { stderr: r.stderr, exitCode: r.exitCode };
    };
    const reason = 'error: Cannot write to standard output: No space left on device (ENOSPC); the output is incomplete.';
    // All of it fits the output buffer: the failure shows when the command ends.
    expect(await toFull(['topics', 'list'])).toMatchObject({ stderr: `kafka-ts topics: ${reason}`, exitCode: 1 });
    expect(await toFull(['topics', 'list', '--output', 'json'])).toMatchObject({ stderr: `kafka-ts topics: ${reason}`, exitCode: 1 });
    // Help and version text too (help --help crashed on it, --help ended with exit 0).
    for (const args of [['--help'], ['help', '--help'], ['--version'], ['topics', '--help']]) expect(await toFull(args), args.join(' ')).toMatchObject({ stderr: `kafka-ts: ${reason}`, exitCode: 1 });
    // Many buffers' worth (2 MB): it shows while consuming, once.
    await create('full-disk');
    expect((await produce('full-disk', Array.from({ length: 20_000 }, (_, i) => `${String(i).padStart(7, '0')}${'v'.repeat(92)}`).join('\n'))).exitCode).toBe(0);
    const r = await toFull(['console-consumer', '--topic', 'full-disk', '--from-beginning', '-e', '--group', 'full-disk']);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr.split(reason).length, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^Processed a total of \d+ messages\n/);
    const described = await kt(['consumer-groups', '--describe', '--group', 'full-disk', '--output', 'json']);
    const offsets = (JSON.parse(described.stdout) as { groups: { offsets: { currentOffset: number | null }[] }[] }).groups[0]?.offsets ?? [];
    for (const o of offsets) expect(o.currentOffset ?? 0, described.stdout).toBe(0);
  });

  it('does not commit records its group consumer could not write to a closed pipe', async () => {
    // Records of 10 KiB: one fetch holds about a hundred, the pipe and the reader's buffer a dozen.
    await create('unwritten');
    const total = 2000;
    const line = (i: number) => `${String(i).padStart(5, '0')}${'x'.repeat(10 * 1024)}`;
    expect((await produce('unwritten', Array.from({ length: total }, (_, i) => line(i)).join('\n'))).exitCode).toBe(0);
    const proc = spawn(process.execPath, [BIN, 'console-consumer', '--topic', 'unwritten', '--group', 'pipe-closer', '--from-beginning'], { env: { ...process.env, KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: undefined } });
    const exited = new Promise<number | null>((r) => proc.on('close', r));
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // The reader takes 1,000 whole lines and goes away while the consumer is still writing.
    let partial = '';
    let received = 0;
    await new Promise<void>((resolve) => {
      proc.on('close', () => resolve());
      proc.stdout.on('data', (d: Buffer) => {
        const lines = (partial + d.toString()).split('\n');
        partial = lines.pop()!;
        received += lines.length;
        if (received >= 1000) {
          proc.stdout.destroy();
          resolve();
        }
      });
    });
    expect(received, err).toBeGreaterThanOrEqual(1000);
    expect({ code: await exited, err }).toEqual({ code: 0, err: '' });
    // The group resumes after the last record that left the process: at most what the socket
    // (a socketpair: ~208 KiB, some twenty records) held when the reader went away beyond what
    // it took. Records fetched, formatted and never written are not committed (without that,
    // it resumed some 300 records later). At least once: it resumes no earlier than the first
    // record of the write the reader took part of, one poll (max.poll.records 500) at most.
    const rest = (await kt(['console-consumer', '--topic', 'unwritten', '--group', 'pipe-closer', '-e'])).stdout.split('\n').filter(Boolean).map((l) => Number(l.slice(0, 5)));
    const resumedAt = rest[0]!;
    expect(rest).toEqual(Array.from({ length: total - resumedAt }, (_, i) => resumedAt + i));
    expect(resumedAt - received, `received ${received}, resumed at ${resumedAt}`).toBeLessThanOrEqual(30);
    expect(resumedAt, `received ${received}, resumed at ${resumedAt}`).toBeGreaterThanOrEqual(received - 500);
  });

  it('exits 130 on Ctrl-C after printing its count', async () => {
    const child = execa(process.execPath, [BIN, 'console-consumer', '--topic', 'many', '--from-beginning'], { env: { KAFKA_TS_HOME: home, KAFKA_BOOTSTRAP_SERVERS: undefined }, reject: false });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toMatch(/Processed a total of \d+ messages/);
  });

  it('says it is stopping when Ctrl-C finds the broker gone (it waited silently for its timeouts), and a second Ctrl-C quits', async () => {
    const t = tempDir('kafka-ts-gone-');
    try {
      const { bootstrap: gone } = await startDaemon(t.dir);
      expect((await kafkaTs(['console-producer', '--bootstrap-server', gone, '--topic', 'g'], { home: t.dir, input: 'one\n' })).exitCode).toBe(0);
      const child = execa(process.execPath, [BIN, 'console-consumer', '--bootstrap-server', gone, '--topic', 'g', '--group', 'stopper', '--from-beginning'], { env: { KAFKA_TS_HOME: t.dir, KAFKA_BOOTSTRAP_SERVERS: undefined }, reject: false });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      await stopDaemon(t.dir);
      child.kill('SIGINT');
      const deadline = Date.now() + 20_000;
      while (!stderr.includes('Stopping:') && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toContain('Stopping: committing offsets and leaving group stopper once the broker answers (Ctrl-C again to quit without waiting)');
      child.kill('SIGINT');
      // Ended by the signal itself (the shell's 130).
      const r = await child;
      expect({ exitCode: r.exitCode ?? null, signal: r.signal ?? null }).toEqual({ exitCode: null, signal: 'SIGINT' });
    } finally {
      await stopDaemon(t.dir);
      t.cleanup();
    }
  });

  it('exits 143 on SIGTERM after printing its count', async () => {
    await create('terminated');
    await produce('terminated', 'one\n');
    const child = execa(process.execPath, [BIN, 'console-consumer', '--topic', 'terminated', '--from-beginning'], { env: { KAFKA_TS_HOME: home, KAFKA_BOOTSTRAP_SERVERS: undefined }, reject: false });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGTERM');
    const r = await child;
    expect({ exitCode: r.exitCode, signal: r.signal, stderr: r.stderr }).toEqual({ exitCode: 143, signal: undefined, stderr: 'Processed a total of 1 messages' });
  });

  it('says its count and exits as a stop does when stopped before it ever reached a broker (it was killed by the signal, silently)', async () => {
    // A port that refuses connections: taken from the system, then given back.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
      // default.api.timeout.ms: still retrying, whatever the machine's speed, when the signal comes.
      const args = ['console-consumer', '--bootstrap-server', `127.0.0.1:${port}`, '--topic', 't', '--enable-systest-events', '--consumer-property', 'default.api.timeout.ms=120000'];
      const child = execa(process.execPath, [BIN, ...args], { env: { KAFKA_TS_HOME: home, KAFKA_BOOTSTRAP_SERVERS: undefined }, reject: false, timeout: 60_000 });
      await new Promise<void>((resolve) => {
        let seen = '';
        child.stderr!.on('data', (d: Buffer) => {
          seen += d.toString();
          if (seen.includes('retrying for up to 120000 ms')) resolve();
        });
        void child.then(() => resolve());
      });
      child.kill(signal);
      const r = await child;
      expect({ exitCode: r.exitCode, signal: r.signal, stdout: r.stdout, last: r.stderr.split('\n').pop() }).toEqual({ exitCode: code, signal: undefined, stdout: 'shutdown_complete', last: 'Processed a total of 0 messages' });
    }
  });

  it('says its count after an error that ends it too (Kafka: in a finally block), in JSON mode on stderr', async () => {
    for (const json of [false, true]) {
      const topic = `recreated-${json ? 'json' : 'text'}`;
      await create(topic);
      await produce(topic, 'a\nb\nc\n');
      // Reading from offset 0 with no reset policy: once the topic is made anew (empty) the position 3 is out of range.
      const args = ['console-consumer', '--topic', topic, '--partition', '0', '--offset', '0', '--consumer-property', 'auto.offset.reset=none', ...(json ? ['--output', 'json'] : [])];
      const child = execa(process.execPath, [BIN, ...args], { env: { KAFKA_TS_HOME: home, KAFKA_BOOTSTRAP_SERVERS: undefined }, reject: false, stripFinalNewline: false, timeout: 60_000 });
      await new Promise<void>((resolve) => {
        let seen = '';
        child.stdout!.on('data', (d: Buffer) => {
          seen += d.toString();
          if (seen.split('\n').length > 3) resolve();
        });
        void child.finally(() => resolve());
      });
      expect((await kt(['topics', 'delete', topic])).exitCode).toBe(0);
      expect((await create(topic)).exitCode).toBe(0);
      const r = await child;
      expect({ exitCode: r.exitCode, lines: String(r.stdout).split('\n').filter(Boolean).length }).toEqual({ exitCode: 1, lines: json ? 4 : 3 });
      expect(String(r.stderr)).toMatch(/^Processed a total of 3 messages\nkafka-ts console-consumer: error: [^\n]+\n$/);
      if (json) expect(JSON.parse(String(r.stdout).trimEnd().split('\n').at(-1)!)).toMatchObject({ error: { code: 1 } });
    }
  });

  it('works over TCP as over the Unix socket', async () => {
    const viaTcp = await kt(['console-consumer', '--bootstrap-server', bootstrap, '--topic', 'lines', '--from-beginning', '-e']);
    expect(viaTcp.stdout).toBe((await consume('lines')).stdout);
  });
});
