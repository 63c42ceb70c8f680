/**
 * librdkafka (kcat) in read_committed against a partition with transactions written by raw
 * requests (a transactional batch, then WriteTxnMarkers as a coordinator sends them): it stops at
 * the last stable offset while a transaction is open, continues after the COMMIT marker, and never
 * shows an aborted transaction's records, which read_uncommitted shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { Admin } from '../../src/client/admin.js';
import type { KafkaClient } from '../../src/client/client.js';
import { Produce, WriteTxnMarkers } from '../../src/protocol/apis/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { kcat, requireKcat } from '../helpers/real-clients.js';

let broker: TestBroker;
let client: KafkaClient;

beforeAll(async () => {
  requireKcat();
  // Transactions written by hand (raw batches, WriteTxnMarkers), without a coordinator: unverified (KIP-890 off).
  broker = await startBroker({ properties: { 'transaction.partition.verification.enable': 'false' } });
  client = broker.client();
  await new Admin(client).createTopics([{ name: 'kc', partitions: 1, replicationFactor: 1 }]);
});
afterAll(async () => broker.close());

async function produce(values: string[], txn?: { producerId: number; seq: number }): Promise<void> {
  const records = encodeBatch(
    values.map((v) => ({ value: Buffer.from(v) })),
    txn ? { producerId: txn.producerId, producerEpoch: 0, baseSequence: txn.seq, transactional: true } : {},
  );
  const { body } = await client.send<{ responses: { partitionResponses: { errorCode: number }[] }[] }>('any', Produce, {
    transactionalId: txn ? 'kc-app' : null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: 'kc', partitionData: [{ index: 0, records }] }],
  });
  expect(body.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
}

async function endTxn(producerId: number, commit: boolean): Promise<void> {
  const { body } = await client.send<{ markers: { topics: { partitions: { errorCode: number }[] }[] }[] }>('any', WriteTxnMarkers, {
    markers: [{ producerId, producerEpoch: 0, transactionResult: commit, topics: [{ name: 'kc', partitionIndexes: [0] }], coordinatorEpoch: 0 }],
  });
  expect(body.markers[0]!.topics[0]!.partitions[0]!.errorCode).toBe(0);
}

const readTo = async (isolation: string): Promise<string[]> => {
  const r = await kcat(['-b', broker.bootstrap, '-C', '-t', 'kc', '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', `isolation.level=${isolation}`], { timeout: 30_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
};

describe('kcat -X isolation.level=read_committed', () => {
  it('stops at the LSO while a transaction is open, continues after commit, and skips aborted records', async () => {
    await produce(['a']);
    await produce(['b1', 'b2'], { producerId: 9000, seq: 0 });
    await produce(['c']);
    // -e: librdkafka's end in read_committed is the last stable offset.
    expect(await readTo('read_committed')).toEqual(['a']);
    expect(await readTo('read_uncommitted')).toEqual(['a', 'b1', 'b2', 'c']);

    // A consumer that keeps reading: parked at the LSO until the marker.
    const live = spawn('/usr/bin/kcat', ['-b', broker.bootstrap, '-C', '-t', 'kc', '-o', 'beginning', '-c', '4', '-u', '-q', '-f', '%s\n', '-X', 'isolation.level=read_committed']);
    let out = '';
    live.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => live.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!out.includes('a\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(out).toBe('a\n');
      // It stays at the LSO: a few of its fetch rounds pass with nothing more.
      await new Promise((r) => setTimeout(r, 1500));
      expect(out).toBe('a\n');
      await endTxn(9000, true);
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);
      expect(code, `kcat printed: ${JSON.stringify(out)}`).toBe(0);
      expect(out.split('\n').filter(Boolean)).toEqual(['a', 'b1', 'b2', 'c']);
    } finally {
      live.kill('SIGKILL');
    }

    // An aborted transaction between committed records: read_committed never shows it.
    await produce(['d1', 'd2'], { producerId: 9001, seq: 0 });
    await produce(['e']);
    await endTxn(9001, false);
    await produce(['f']);
    expect(await readTo('read_committed')).toEqual(['a', 'b1', 'b2', 'c', 'e', 'f']);
    expect(await readTo('read_uncommitted')).toEqual(['a', 'b1', 'b2', 'c', 'd1', 'd2', 'e', 'f']);
  });
});
