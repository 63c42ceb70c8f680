import { describe, expect, it } from 'vitest';
import { parseProducerProps, producerSettings, validate } from '../../../src/cli/flags/producer-perf-test.js';
import { settings } from '../../../src/cli/flags/e2e-latency.js';
import { validate as validateConsumerPerf } from '../../../src/cli/flags/consumer-perf-test.js';
import { progressBar } from '../../../src/cli/perf-views.js';
import { compressionByName } from '../../../src/protocol/compression.js';

describe('producer-perf-test options', () => {
  it("splits --producer-props as Kafka does: exactly key=value, 'k=' refused", () => {
    expect(parseProducerProps(['acks=1', 'linger.ms=0'])).toEqual({ acks: '1', 'linger.ms': '0' });
    expect(() => parseProducerProps(['k='])).toThrow('Invalid property: k=');
    expect(() => parseProducerProps(['a=b=c'])).toThrow('Invalid property: a=b=c');
  });

  it("applies the Java producer's defaults and reads known settings; unknown ones get Kafka's warning", () => {
    const s = producerSettings({ 'linger.ms': '0', 'compression.type': 'LZ4', 'client.id': 'me', 'ssl.truststore.location': '/x', frobnicate: '1' }, compressionByName);
    expect(s.producer).toMatchObject({ acks: -1, lingerMs: 0, batchSize: 16384, compression: 3, idempotent: 'if-supported' });
    expect(s.clientId).toBe('me');
    expect(s.bufferMemory).toBe(33554432);
    expect(s.warnings).toEqual(["The configuration 'frobnicate' was supplied but isn't a known config."]);
    expect(() => producerSettings({ 'compression.type': 'brotli' }, compressionByName)).toThrow('for configuration compression.type');
    expect(() => producerSettings({ acks: '0', 'enable.idempotence': 'true' }, compressionByName)).toThrow('enable.idempotence=true needs acks=all');
  });

  it('reads --payload-delimiter \\n as a newline and negative throughput as unthrottled', () => {
    const s = validate({ topic: 't', numRecords: '5', payloadFile: 'f', payloadDelimiter: '\\n', throughput: '-1', output: 'text' });
    expect(s).toMatchObject({ delimiter: '\n', throughput: -1, recordSize: null, payloadFile: 'f' });
  });

  it("refuses a Long beyond Long.MAX and an Integer beyond Integer.MAX as argparse4j does (it ran for ever)", () => {
    const base = { topic: 't', numRecords: '5', recordSize: '10', payloadDelimiter: '\\n', throughput: '-1', output: 'text' as const };
    for (const n of ['9223372036854775808', '99999999999999999999', '-9223372036854775809'])
      expect(() => validate({ ...base, numRecords: n })).toThrow(`argument --num-records: could not convert '${n}' to Long`);
    expect(validate({ ...base, numRecords: '9223372036854775807' }).numRecords).toBe(9223372036854775807);
    expect(() => validate({ ...base, transactionDurationMs: '9223372036854775808' })).toThrow("argument --transaction-duration-ms: could not convert '9223372036854775808' to Long");
    expect(() => validate({ ...base, recordSize: '2147483648' })).toThrow("argument --record-size: could not convert '2147483648' to Integer");
    expect(validate({ ...base, recordSize: '2147483647' }).recordSize).toBe(2147483647);
  });
});

describe('consumer-perf-test options', () => {
  const base = { topic: 't', messages: '10', fetchSize: '1048576', socketBufferSize: '2097152', timeout: '10000', reportingInterval: '5000', dateFormat: 'yyyy-MM-dd HH:mm:ss:SSS', output: 'text' as const };
  it("accepts Kafka 3.x's --threads and --num-fetch-threads with its warning, as ints", () => {
    expect(validateConsumerPerf(base, {}).ignoredOptionsWarning).toBeNull();
    expect(validateConsumerPerf({ ...base, threads: '2' }, {}).ignoredOptionsWarning).toBe('WARNING: option [threads] and [num-fetch-threads] have been deprecated and will be ignored by the test');
    expect(validateConsumerPerf({ ...base, numFetchThreads: '1' }, {}).ignoredOptionsWarning).toMatch(/^WARNING: option \[threads\]/);
    expect(() => validateConsumerPerf({ ...base, threads: 'two' }, {})).toThrow("Cannot parse argument 'two' of option threads");
  });

  it("refuses a Long beyond Long.MAX and an Integer beyond Integer.MAX as joptsimple does", () => {
    const big = '9223372036854775808';
    expect(() => validateConsumerPerf({ ...base, messages: big }, {})).toThrow(`Cannot parse argument '${big}' of option messages`);
    expect(validateConsumerPerf({ ...base, messages: '9223372036854775807' }, {}).messages).toBe(9223372036854775807);
    expect(() => validateConsumerPerf({ ...base, timeout: big }, {})).toThrow(`Cannot parse argument '${big}' of option timeout`);
    expect(() => validateConsumerPerf({ ...base, reportingInterval: big }, {})).toThrow(`Cannot parse argument '${big}' of option reporting-interval`);
    expect(() => validateConsumerPerf({ ...base, fetchSize: '2147483648' }, {})).toThrow("Cannot parse argument '2147483648' of option fetch-size");
    expect(() => validateConsumerPerf({ ...base, socketBufferSize: '2147483648' }, {})).toThrow("Cannot parse argument '2147483648' of option socket-buffer-size");
  });

  it('reads the bare --timeout flag as its default, 10000 ms', () => {
    expect(validateConsumerPerf({ ...base, timeout: true }, {}).timeoutMs).toBe(10_000);
    expect(validateConsumerPerf({ ...base, timeout: '250' }, {}).timeoutMs).toBe(250);
  });
});

describe('e2e-latency arguments', () => {
  it("takes Kafka's five or six positional arguments, or flags, not both", () => {
    expect(settings({ output: 'text' }, ['h:1', 't', '10', 'all', '20', 'p.properties'])).toEqual({ bootstrap: 'h:1', topic: 't', numMessages: 10, acks: -1, messageSize: 20, propertiesFile: 'p.properties' });
    expect(settings({ output: 'text' }, ['h:1', 't', '10', '1', '20', ' '])).toMatchObject({ acks: 1, propertiesFile: undefined });
    expect(settings({ output: 'text', topic: 't', numMessages: '3', producerAcks: '1', messageSize: '0' }, [])).toMatchObject({ topic: 't', numMessages: 3, messageSize: 0 });
    expect(() => settings({ output: 'text', topic: 't' }, ['h:1', 't', '10', '1', '20'])).toThrow('USAGE:');
    expect(() => settings({ output: 'text' }, [])).toThrow('USAGE:');
  });
});

describe('progress bar', () => {
  it('redraws one line in place and clears it before other output', () => {
    const written: string[] = [];
    const stream = { columns: 120, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const bar = progressBar(stream, 'records');
    bar.show(50, 200, 1000);
    expect(written[0]).toMatch(/^\r\[#{10}\.{30}\]  25%  50\/200 records  50 records\/s ETA \S+\x1b\[K$/);
    bar.clear();
    bar.clear();
    expect(written.slice(1)).toEqual(['\r\x1b[K']);
  });
});
