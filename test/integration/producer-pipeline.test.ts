/**
 * The producer pipeline on a real broker, through a TCP proxy the test controls: the broker
 * advertises the proxy, so every connection of the producer goes through it. The proxy holds back
 * the broker's answers until five Produce requests are in flight on a connection, then closes it:
 * the broker has written those batches, the producer never heard. The idempotent producer must
 * re-send them in order and the broker answer them as duplicates: every record is in the log once,
 * in the order it was sent. Done twice in one run; then the log is read back record by record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';
import { decodeBatchRecords } from '../../src/protocol/record-batch.js';
import { readBatches } from '../../src/storage/log-store.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { KafkaProxy, requestApiKey, requestCorrelationId, responseCorrelationId } from '../helpers/kafka-proxy.js';

/**
 * Drops a connection with Produce requests in flight: once armed by `dropAfterProduces(n)`, the
 * next connection to carry a Produce request has its answers held back, and is closed when n
 * Produce requests are unanswered on it (those sent before it was armed count too: a producer at
 * its in-flight limit sends no more until an answer comes). A producer re-sending a batch sends
 * it alone, so a link held then may never reach n: after HOLD_LIMIT_MS it is closed all the
 * same, uncounted, and the next connection is held instead.
 */
const HOLD_LIMIT_MS = 2000;

class DroppingProxy extends KafkaProxy {
  /** Requests to hold: while > 0, the next connection to carry Produce requests is held and dropped after this many. */
  private holdFor = 0;
  /** Connections dropped with holdFor requests unanswered. */
  drops = 0;

  constructor() {
    super((link) => {
      const unanswered = new Set<number>();
      let holding = false;
      let dropped = false;
      return {
        request: (frame) => {
          if (requestApiKey(frame) !== 0 /* Produce */ || dropped) return;
          unanswered.add(requestCorrelationId(frame));
          if (!holding && this.holdFor > 0) {
            holding = true;
            setTimeout(() => dropped || link.close(), HOLD_LIMIT_MS).unref();
          }
          if (holding && this.holdFor > 0 && unanswered.size >= this.holdFor) {
            dropped = true;
            this.holdFor = 0;
            this.drops++;
            // Let the broker take the last request in before the connection goes.
            setTimeout(link.close, 50);
          }
        },
        response: (frame) => {
          if (holding) return false;
          unanswered.delete(responseCorrelationId(frame));
        },
      };
    });
  }

  dropAfterProduces(n: number) {
    this.holdFor = n;
  }

  get armed() {
    return this.holdFor > 0;
  }
}

let broker: TestBroker;
const proxy = new DroppingProxy();

beforeAll(async () => {
  const port = await proxy.listen();
  broker = await startBroker({ properties: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}` } });
  proxy.target = broker.cluster.boundPort(broker.cluster.brokers()[0]!.id);
  await new Admin(broker.client()).createTopics([{ name: 'pipe', partitions: 1, replicationFactor: 1 }]);
});
afterAll(async () => {
  await broker?.close();
  await proxy.close();
});

const logEnd = () => broker.cluster.brokers()[0]!.replica('pipe', 0)!.logEndOffset();

describe('idempotent producer, five batches in flight, connection dropped', () => {
  it('writes every record once, in order', async () => {
    const client = new KafkaClient({ bootstrap: parseBootstrap(broker.bootstrap), clientId: 'pipe', connectTimeoutMs: 5000, requestTimeoutMs: 10_000 });
    const producer = new Producer(client, { idempotent: true, acks: -1, batchSize: 4096, lingerMs: 0, maxInFlightPerBroker: 5, retryBackoffMs: 20 });
    const total = 30_000;
    const failures: string[] = [];
    const pad = 'x'.repeat(80);
    let i = 0;
    const drops = [3000, 15_000];
    // Appends in slices, so the sender runs meanwhile; the proxy is armed as the log passes each mark.
    while (i < total) {
      for (const end = Math.min(total, i + 500); i < end; i++) {
        producer.append({ topic: 'pipe', value: Buffer.from(`${i} ${pad}`) }, (e) => e && failures.push(`${i}: ${e.message}`));
      }
      if (drops.length > 0 && logEnd() >= drops[0]! && !proxy.armed) {
        drops.shift();
        proxy.dropAfterProduces(5);
      }
      if (producer.outstanding > 5000) await producer.waitForRoom(2500);
      else await new Promise((r) => setImmediate(r));
    }
    await producer.close();
    await client.close();
    expect(failures).toEqual([]);
    expect(proxy.drops, 'the proxy dropped a connection with five produce requests in flight').toBeGreaterThanOrEqual(1);

    const log = broker.cluster.brokers()[0]!.replica('pipe', 0)!.log;
    const seen: number[] = [];
    for (const batch of readBatches(log, 0, log.logEndOffset())) for (const r of decodeBatchRecords(batch)) seen.push(Number(r.value!.toString().split(' ')[0]));
    const firstWrong = seen.findIndex((v, k) => v !== k);
    expect(firstWrong, `records out of order or duplicated near offset ${firstWrong}: ${seen.slice(Math.max(0, firstWrong - 3), firstWrong + 3).join(',')}`).toBe(-1);
    expect(seen.length).toBe(total);
  }, 40_000);
});
