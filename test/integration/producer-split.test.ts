/**
 * A batch the broker refuses as larger than the topic's max.message.bytes is split and sent again,
 * down to the lone record that is too large itself: that record fails, every other record is
 * delivered, in order. Through the built console-producer (idempotent by default, several batches
 * of the partition in flight, so several come back too large together) against an in-process broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { kafkaTs } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

let broker: TestBroker;
const home = tempDir('kafka-ts-split-');

beforeAll(async () => {
  broker = await startBroker();
  const [created] = await new Admin(broker.client()).createTopics([{ name: 'small', partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': '2000' } }]);
  expect(created!.error).toBeNull();
});
afterAll(async () => {
  await broker?.close();
  home.cleanup();
});

describe('console-producer into a topic with a small max.message.bytes', () => {
  it('fails only the record that is too large; every other record is written, in order', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => (i === 1500 ? 'Y'.repeat(5000) : String(i).padStart(4, '0')));
    const produced = await kafkaTs(['console-producer', '--bootstrap-server', broker.bootstrap, '--topic', 'small', '--batch-size', '16384'], {
      home: home.dir,
      input: lines.join('\n') + '\n',
    });
    expect(produced.exitCode, produced.stderr).toBe(1);
    expect(produced.stderr).toContain('record of 5,000 bytes exceeds max.message.bytes');
    expect(produced.stderr).toContain('sent 2999 of 3000');
    const expected = lines.filter((_, i) => i !== 1500);
    const read = await kafkaTs(
      ['console-consumer', '--bootstrap-server', broker.bootstrap, '--topic', 'small', '--from-beginning', '--max-messages', String(expected.length), '--timeout-ms', '10000'],
      { home: home.dir },
    );
    expect(read.stdout.split('\n').filter((l) => l !== '')).toEqual(expected);
  });

  it('--sync stops reading at the record that fails, and says so', async () => {
    const [created] = await new Admin(broker.client()).createTopics([{ name: 'small-sync', partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': '2000' } }]);
    expect(created!.error).toBeNull();
    const produced = await kafkaTs(['console-producer', '--bootstrap-server', broker.bootstrap, '--topic', 'small-sync', '--sync'], {
      home: home.dir,
      input: `one\n${'Y'.repeat(5000)}\nthree\n`,
    });
    expect(produced.exitCode, produced.stderr).toBe(1);
    expect(produced.stderr).toContain('record of 5,000 bytes exceeds max.message.bytes');
    expect(produced.stderr).toContain('kafka-ts console-producer: stopped reading at line 2 (--sync): record of 5,000 bytes');
    expect(produced.stderr).toContain('sent 1 of 2 records');
  });
});
