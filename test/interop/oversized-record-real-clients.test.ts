/**
 * One record too large for the topic among small ones, from the default (idempotent)
 * console-producer, kafkajs (idempotent) and kcat (librdkafka, idempotent, with a client limit
 * above the record's size so the broker decides) into the same topic: each client's big record is
 * refused, and every other record is stored once and readable. librdkafka recovers by bumping its
 * epoch, kafkajs by not counting the refused batch's sequence numbers, kafka-ts by renumbering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { kafkajs, kcat } from '../helpers/real-clients.js';

const TOPIC = 'oversized';
const COUNT = 5000;
const BIG = 'x'.repeat(2 * 1024 * 1024);

let home: string;
let cleanup: () => void;
let bootstrap: string;

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-interop-oversized-'));
  ({ bootstrap } = await startDaemon(home));
  const r = await kafkaTs(['topics', '--create', '--topic', TOPIC, '--bootstrap-server', bootstrap], { home });
  expect(r.exitCode, r.stderr).toBe(0);
});

afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

/** COUNT small lines named after the client, with the big record halfway. */
function linesWithBig(name: string): string {
  const small = Array.from({ length: COUNT }, (_, i) => `${name}-${i}`);
  return `${[...small.slice(0, COUNT / 2), BIG, ...small.slice(COUNT / 2)].join('\n')}\n`;
}

describe('one oversized record among small ones, idempotent producers into one topic', () => {
  it('loses nothing but the oversized records (console-producer, kafkajs, kcat), read back with kcat', async () => {
    const cli = await kafkaTs(['console-producer', '--topic', TOPIC, '--bootstrap-server', bootstrap], { home, input: linesWithBig('console') });
    expect(cli.stderr).toBe(
      `Error when sending 1 message to topic ${TOPIC} partition 0 with error: record of 2,097,152 bytes exceeds max.message.bytes=1048588 of topic ${TOPIC}; raise it with configs or split the record\n` +
        `kafka-ts console-producer: sent ${COUNT} of ${COUNT + 1} records to topic ${TOPIC}; 1 failed\n`,
    );
    expect(cli.exitCode).toBe(1);

    const kj = await kafkajs(['produce-oversized', bootstrap, TOPIC, String(COUNT)]);
    expect(kj.exitCode, kj.stderr).toBe(0);
    expect(JSON.parse(kj.stdout)).toEqual({ acked: COUNT, failed: [expect.stringMatching(/^1 records: KafkaJSProtocolError: .*larger than the max message size/)] });

    const input = join(home, 'kcat-input.txt');
    writeFileSync(input, linesWithBig('kcat'));
    const kc = await kcat(['-b', bootstrap, '-P', '-t', TOPIC, '-X', 'enable.idempotence=true', '-X', 'message.max.bytes=3000000', '-l', input]);
    expect(kc.stderr).toMatch(/Delivery failed for message: Broker: Message size too large/);
    expect(kc.stderr.match(/Delivery failed/g), kc.stderr).toHaveLength(1);

    const read = await kcat(['-b', bootstrap, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
    expect(read.exitCode, read.stderr).toBe(0);
    const values = read.stdout.split('\n').slice(0, -1);
    const expected = ['console', 'kafkajs', 'kcat'].flatMap((name) => Array.from({ length: COUNT }, (_, i) => `${name}-${i}`));
    expect(values.length).toBe(expected.length);
    expect(values.some((v) => v.startsWith('xxx'))).toBe(false);
    // Each client's records in the order it sent them, every one exactly once.
    for (const name of ['console', 'kafkajs', 'kcat']) {
      expect(values.filter((v) => v.startsWith(`${name}-`))).toEqual(expected.filter((v) => v.startsWith(`${name}-`)));
    }
  });
});
