/**
 * Client properties end to end: a properties file that is not text or that Java's parser would
 * reject, and a value of each type that Kafka would refuse, are one line on stderr and exit 2
 * before anything is sent; an unknown key warns as Kafka's clients log it; partitioner.class
 * picks Kafka's RoundRobinPartitioner (kcat reads the spread back).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { kcat } from '../helpers/real-clients.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-client-config-'));
  ({ bootstrap } = await startDaemon(home));
});
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

const file = (name: string, content: string | Buffer) => {
  const p = join(home, name);
  writeFileSync(p, content);
  return p;
};

/** The command fails with exit 2 and exactly one line on stderr, containing `text`. */
async function refused(args: string[], text: string) {
  const r = await kafkaTs(args, { home, input: 'a\n' });
  expect({ exitCode: r.exitCode, lines: r.stderr.trimEnd().split('\n').length }, `${args.join(' ')}\n${r.stderr}`).toEqual({ exitCode: 2, lines: 1 });
  expect(r.stderr).toContain(text);
  expect(r.stdout).toBe('');
}

describe('client properties on the command line', () => {
  it('a properties file that is not text, or has a malformed \\uXXXX escape, is refused', async () => {
    const bin = file('random.bin', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10, 0x00]));
    await refused(['console-producer', '--bootstrap-server', bootstrap, '--topic', 't', '--producer.config', bin], `Properties file ${bin} is not text (a NUL byte at offset 4)`);
    const latin = file('latin1.properties', Buffer.from([0x61, 0x3d, 0xe9, 0x0a]));
    await refused(['console-consumer', '--bootstrap-server', bootstrap, '--topic', 't', '--consumer.config', latin], `Properties file ${latin} is not text (not valid UTF-8)`);
    const esc = file('escape.properties', '# fine: \\uZZZZ in a comment\nclient.id=a\\u12G4\n');
    await refused(['topics', '--bootstrap-server', bootstrap, '--list', '--command-config', esc], `Properties file ${esc}, line 2: Malformed \\uxxxx encoding.`);
  });

  it.each([
    ['int', 'batch.size=abc', 'Invalid value abc for configuration batch.size: Not a number of type INT'],
    ['long', 'buffer.memory=1.5', 'Invalid value 1.5 for configuration buffer.memory: Not a number of type LONG'],
    ['duration', 'linger.ms=5s', 'Invalid value 5s for configuration linger.ms: Not a number of type LONG'],
    ['boolean', 'enable.idempotence=yes', 'Invalid value yes for configuration enable.idempotence: Expected value to be either true or false'],
    ['enum', 'acks=2', 'Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1'],
    ['class', 'partitioner.class=com.example.Nope', 'custom partitioners are Java classes; kafka-ts supports org.apache.kafka.clients.producer.RoundRobinPartitioner'],
    ['list', 'interceptor.classes=com.example.Audit', 'producer interceptors (interceptor.classes) are Java classes'],
    ['out of range', 'max.in.flight.requests.per.connection=0', 'Invalid value 0 for configuration max.in.flight.requests.per.connection: Value must be at least 1'],
  ])('console-producer: an invalid %s value is one line, exit 2', async (_type, pair, text) => {
    await refused(['console-producer', '--bootstrap-server', bootstrap, '--topic', 't', '--producer-property', pair], text);
  });

  it.each([
    ['double', 'sasl.login.refresh.window.factor=abc', 'Invalid value abc for configuration sasl.login.refresh.window.factor: Not a number of type DOUBLE'],
    ['list of classes', 'partition.assignment.strategy=range,com.example.Mine', 'custom assignors are Java classes'],
    ['enum', 'isolation.level=serializable', 'Invalid value serializable for configuration isolation.level: String must be one of: read_committed, read_uncommitted'],
    ['out of range', 'max.poll.records=0', 'Invalid value 0 for configuration max.poll.records: Value must be at least 1'],
  ])('console-consumer: an invalid %s value is one line, exit 2', async (_type, pair, text) => {
    await refused(['console-consumer', '--bootstrap-server', bootstrap, '--topic', 't', '--consumer-property', pair], text);
  });

  it('an unknown key warns with Kafka\'s text and the command goes on; a no-effect key says nothing', async () => {
    expect((await kafkaTs(['topics', '--create', '--topic', 'warned', '--partitions', '1', '--bootstrap-server', bootstrap], { home })).exitCode).toBe(0);
    const r = await kafkaTs(['console-producer', '--bootstrap-server', bootstrap, '--topic', 'warned', '--producer-property', 'no.such.key=1', '--producer-property', 'send.buffer.bytes=65536'], { home, input: 'a\n' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("WARN The configuration 'no.such.key' was supplied but isn't a known config. (org.apache.kafka.clients.producer.ProducerConfig)");
    expect(r.stderr).not.toContain('send.buffer.bytes');
  });

  it('sasl.* and ssl.* settings the security.protocol does not use are warned about (a forgotten SASL_SSL connected unauthenticated in silence)', async () => {
    const config = file('forgot-protocol.properties', 'sasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";\nssl.truststore.location=/nowhere/ca.pem\n');
    const r = await kafkaTs(['topics', '--list', '--bootstrap-server', bootstrap, '--command-config', config], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'kafka-ts: warning: sasl.jaas.config, sasl.mechanism have no effect with security.protocol=PLAINTEXT (set security.protocol=SASL_PLAINTEXT or SASL_SSL to use them)',
      'kafka-ts: warning: ssl.truststore.location has no effect with security.protocol=PLAINTEXT (set security.protocol=SSL or SASL_SSL to use it)',
    ]);
  });

  it('enable.ssl.certificate.verification=false is warned about, once', async () => {
    const config = file('no-verify.properties', 'security.protocol=SSL\nenable.ssl.certificate.verification=false\n');
    // The plaintext port refuses TLS; the warning comes before any connection.
    const r = await kafkaTs(['topics', '--list', '--bootstrap-server', bootstrap, '--command-config', config], { home });
    expect(r.stderr.split('\n').filter((l) => l.includes('enable.ssl.certificate.verification')), r.stderr).toEqual([
      "kafka-ts: warning: enable.ssl.certificate.verification=false: the broker's certificate is not verified (any server, or anyone in between, is accepted)",
    ]);
  });

  it('partitioner.class=RoundRobinPartitioner: 3,000 unkeyed lines land 1,000/1,000/1,000 (kcat reads them there)', async () => {
    expect((await kafkaTs(['topics', '--create', '--topic', 'rr', '--partitions', '3', '--bootstrap-server', bootstrap], { home })).exitCode).toBe(0);
    const lines = Array.from({ length: 3000 }, (_, i) => `line-${i}`).join('\n') + '\n';
    const r = await kafkaTs(['console-producer', '--bootstrap-server', bootstrap, '--topic', 'rr', '--producer-property', 'partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner'], { home, input: lines });
    expect(r.exitCode, r.stderr).toBe(0);
    const k = await kcat(['-b', bootstrap, '-C', '-t', 'rr', '-o', 'beginning', '-e', '-q', '-f', '%p\n']);
    const counts = [0, 0, 0];
    for (const p of k.stdout.trim().split('\n')) counts[Number(p)]!++;
    expect(counts).toEqual([1000, 1000, 1000]);
  });

  it("auto.offset.reset=none with no committed offset fails with Kafka's NoOffsetForPartitionException text", async () => {
    expect((await kafkaTs(['topics', '--create', '--topic', 'no-reset', '--partitions', '2', '--bootstrap-server', bootstrap], { home })).exitCode).toBe(0);
    const r = await kafkaTs(['console-consumer', '--bootstrap-server', bootstrap, '--topic', 'no-reset', '--group', 'fresh', '--consumer-property', 'auto.offset.reset=none', '--timeout-ms', '10000'], { home });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain('Undefined offset with no reset policy for partitions: [no-reset-0, no-reset-1]');
  });

  it('UniformStickyPartitioner is accepted with Kafka\'s deprecation warning', async () => {
    const r = await kafkaTs(['console-producer', '--bootstrap-server', bootstrap, '--topic', 'rr', '--producer-property', 'partitioner.class=org.apache.kafka.clients.producer.UniformStickyPartitioner'], { home, input: 'k\n' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("UniformStickyPartitioner is deprecated.  Please clear partitioner.class configuration setting and set partitioner.ignore.keys to 'true' instead to get the uniform sticky partitioning behavior");
  });
});
