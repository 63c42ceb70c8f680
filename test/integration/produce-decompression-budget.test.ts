/**
 * One Produce request of compression bombs, a batch per partition, against an in-process broker:
 * its partitions are validated at once, and each bomb was made whole at the same time as the
 * others (16 gzip bombs of 100 KB held 16 x 100 MiB, 2.0 GB; lz4's 3.96 GB). The daemon's budget
 * of decompressed bytes now runs them one at a time; every batch is still appended.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { DECOMPRESSION_BUDGET_BYTES, decompressionBudget } from '../../src/broker/append/codec-offload.js';
import { Produce } from '../../src/protocol/apis/index.js';
import { CompressionType } from '../../src/protocol/compression.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let broker: TestBroker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

/** One record of `size` zero bytes: a few hundred KB at most in any codec, `size` once made. */
const bomb = (compression: number, size: number) => encodeBatch([{ key: null, value: Buffer.alloc(size), timestamp: Date.now() }], { compression });

describe('Produce: compression bombs in many partitions of one request', () => {
  it('are decompressed one at a time (the budget held at most one 60 MiB batch), every codec, and all appended', async () => {
    broker = await startBroker({ inMemory: true });
    const client = broker.client();
    const codecs = [CompressionType.gzip, CompressionType.lz4, CompressionType.snappy, CompressionType.zstd];
    const partitions = codecs.length * 2;
    await new Admin(client).createTopics([{ name: 'bomb', partitions, replicationFactor: 1, configs: { 'max.message.bytes': String(8 << 20) } }]);
    // 60 MiB each: two pass the 100 MiB budget, so only one may be made at a time.
    const size = 60 << 20;
    const batches = Array.from({ length: partitions }, (_, i) => bomb(codecs[i % codecs.length]!, size));
    decompressionBudget.resetPeaks();
    const { body } = await client.send(
      'any',
      Produce,
      { transactionalId: null, acks: 1, timeoutMs: 60_000, topicData: [{ name: 'bomb', partitionData: batches.map((records, index) => ({ index, records })) }] },
      { timeoutMs: 120_000 },
    );
    const answers = body.responses[0]!.partitionResponses.map((p) => [p.index, p.errorCode, p.errorMessage]);
    expect(answers).toEqual(Array.from({ length: partitions }, (_, i) => [i, 0, null]));
    expect({ peakRunning: decompressionBudget.peakRunning, peakHeldMiB: decompressionBudget.peakHeld >> 20, heldAfter: decompressionBudget.held }).toEqual({
      peakRunning: 1,
      peakHeldMiB: DECOMPRESSION_BUDGET_BYTES >> 20,
      heldAfter: 0,
    });
  });
});
