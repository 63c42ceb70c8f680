/**
 * The producer pipeline on a real broker, through a TCP proxy the test controls: the broker
 * advertises the proxy, so every connection of the producer goes through it. The proxy holds back
 * the broker's answers until five Produce requests are in flight on a connection, then closes it:
 * the broker has written those batches, the producer never heard. The idempotent producer must
 * re-send them in order and the broker answer them as duplicates: every record is in the log once,
 * in the order it was sent. Done twice in one run; then the log is read back record by record.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';
import { decodeBatchRecords } from '../../src/protocol/record-batch.js';
import { readBatches } from '../../src/storage/log-store.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

/** A proxy to `target`; `dropAfterProduces(n)` closes a connection once n Produce requests went out unanswered. */
class Proxy {
  readonly server = net.createServer((c) => this.accept(c));
  target = 0;
  /** Requests to hold: while > 0, the next connection to carry Produce requests is held and dropped after this many. */
  private holdFor = 0;
  drops = 0;
  private readonly sockets = new Set<net.Socket>();

  listen(): Promise<number> {
    return new Promise((r) => this.server.listen(0, '127.0.0.1', () => r((this.server.address() as net.AddressInfo).port)));
  }

  dropAfterProduces(n: number) {
    this.holdFor = n;
  }

  get armed() {
    return this.holdFor > 0;
  }

  private accept(client: net.Socket) {
    const upstream = net.connect(this.target, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    let held = 0;
    let holding = false;
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('data', (d) => {
      upstream.write(d);
      // Count whole requests by their size prefix; Produce is API key 0.
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 6 && pending.length >= 4 + pending.readInt32BE(0)) {
        const isProduce = pending.readInt16BE(4) === 0;
        pending = pending.subarray(4 + pending.readInt32BE(0));
        if (!isProduce) continue;
        if (!holding && this.holdFor > 0) holding = true;
        if (holding && ++held >= this.holdFor) {
          this.holdFor = 0;
          this.drops++;
          // Let the broker take the last request in before the connection goes.
          setTimeout(close, 50);
          return;
        }
      }
    });
    upstream.on('data', (d) => {
      if (!holding) client.write(d);
    });
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  }

  async close() {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

let broker: TestBroker;
const proxy = new Proxy();

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
