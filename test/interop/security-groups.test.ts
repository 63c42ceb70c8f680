/**
 * Real-client consumer groups across secured listeners: one group whose members arrive on three
 * listeners as three principals (confluent-kafka over mTLS, kafka-python with SCRAM-SHA-512 over
 * SASL_SSL, confluent-kafka with PLAIN over SASL_PLAINTEXT), and groups that keep consuming while
 * the broker's SASL sessions expire (connections.max.reauth.ms): kafkajs re-authenticates
 * (KIP-368); kafka-python does not, is disconnected, reconnects and logs in again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { requirePython } from '../helpers/real-clients.js';
import { untilAll, Worker } from '../helpers/group-workers.js';
import { startSecureBroker, type SecureBroker } from '../helpers/secure-broker.js';
import { expectGroupConsumedAll } from '../helpers/secure-flows.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';
import { createLogger } from '../../src/util/logger.js';

const REAUTH_MS = 1500;
let sb: SecureBroker;
let cleanup: () => void;
const workers: Worker[] = [];
const brokerLog: string[] = [];
const track = (w: Worker) => (workers.push(w), w);

beforeAll(async () => {
  await requirePython('kafka');
  await requirePython('confluent_kafka');
  const t = tempDir('kafka-ts-sec-groups-');
  cleanup = t.cleanup;
  // In process: the re-authentication test reads the broker's DEBUG log.
  sb = await startSecureBroker(t.dir, { properties: { 'connections.max.reauth.ms': String(REAUTH_MS) }, inProcessLog: createLogger((l) => void brokerLog.push(l), 'test', 'DEBUG') });
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await sb?.close();
  cleanup?.();
});

/** Produces values `${from}`..`${to - 1}` over PLAINTEXT with the kafka-ts producer. */
async function produce(topic: string, from: number, to: number): Promise<void> {
  const client = new KafkaClient({ bootstrap: parseBootstrap(sb.address.PLAINTEXT), clientId: 'interop-feeder' });
  try {
    const producer = new Producer(client, { lingerMs: 5 });
    for (let i = from; i < to; i++) producer.append({ topic, key: Buffer.from(`k${i}`), value: Buffer.from(String(i)) });
    await producer.flush();
  } finally {
    await client.close();
  }
}

const assigned = (w: Worker) => w.events.filter((e) => e.e === 'assigned').at(-1)?.partitions ?? [];
const distinct = (w: Worker) => new Set(w.messages().map((m) => m.v)).size;
const range = (n: number) => Array.from({ length: n }, (_, i) => String(i));
const summaries = (ws: Worker[]) => ws.map((w) => w.summary()).join('\n');

describe('consumer groups over secured listeners', () => {
  it('one group, three members on three listeners as three principals, shares six partitions and consumes everything', { timeout: 150_000 }, async () => {
    const topic = 'mixed';
    const group = 'mixed-group';
    await sb.createTopic(topic, 6);
    const member = (name: string, lib: 'confluent-kafka' | 'kafka-python', kind: Parameters<SecureBroker['security']>[0]) => {
      const { address, sec } = sb.security(kind);
      return track(Worker.python(name, lib, address, group, topic, '--security', JSON.stringify(sec)));
    };
    const members = [member('ck-mtls', 'confluent-kafka', 'mtls'), member('kp-scram512', 'kafka-python', 'scram512-ssl'), member('ck-plain', 'confluent-kafka', 'plain-plaintext')];
    await untilAll(members, () => members.every((w) => assigned(w).length === 2), 90_000, 'three members with two partitions each').catch((e: Error) => {
      throw new Error(`${e.message}\n${summaries(members)}`);
    });
    await produce(topic, 0, 3000);
    const all = () => new Set(members.flatMap((w) => w.messages().map((m) => m.v))).size;
    await untilAll(members, () => all() >= 3000, 90_000, 'all 3000 records').catch((e: Error) => {
      throw new Error(`${e.message}\n${summaries(members)}`);
    });
    // Each member prints a record before committing it: wait for the commits of the last records
    // before stopping, or a member leaving (a rebalance) can fail another's commit still in flight.
    const end = await sb.endOffsets(topic, 6);
    const committedUpTo = (p: number) => Math.max(0, ...members.flatMap((w) => w.events.filter((e) => e.e === 'commit' && e.p === p).map((e) => e.o!)));
    await untilAll(members, () => [...end].every(([p, o]) => committedUpTo(p) >= o), 60_000, 'every partition committed to its end').catch((e: Error) => {
      throw new Error(`${e.message}: ends ${JSON.stringify([...end])}\n${summaries(members)}`);
    });
    await Promise.all(members.map((w) => w.stop()));
    for (const w of members) expect(w.messages().length, `${w.name} consumed`).toBeGreaterThan(0);
    await expectGroupConsumedAll(sb, group, topic, 6, range(3000), members.flatMap((w) => w.messages().map((m) => m.v!)));
  });

  // librdkafka 2.0.2 (confluent-kafka, kcat) is left out: it has no re-authentication (KIP-368
  // support came in librdkafka 2.2.0), so every session expiry disconnects it, and its reconnect
  // back-off, growing with each disconnect, soon outlasts session.timeout.ms: the member is evicted
  // and its next commit fails with UNKNOWN_MEMBER_ID. Kafka does the same to it; sessions of
  // minutes, not 1.5 s, are what such clients live with.
  it(`groups keep consuming and committing across SASL session expiry (connections.max.reauth.ms=${REAUTH_MS})`, { timeout: 150_000 }, async () => {
    const topic = 'reauth';
    await sb.createTopic(topic, 3);
    const scram = sb.security('scram256-ssl');
    const plain = sb.security('plain-ssl');
    const members = [
      track(Worker.kafkajs('kafkajs', scram.address, 'reauth-kafkajs', topic, '--security', JSON.stringify(scram.sec))),
      track(Worker.python('kafka-python', 'kafka-python', plain.address, 'reauth-kp', topic, '--security', JSON.stringify(plain.sec))),
    ];
    await untilAll(members, () => members.every((w) => assigned(w).length === 3), 90_000, 'each group member holding the three partitions').catch((e: Error) => {
      throw new Error(`${e.message}\n${summaries(members)}`);
    });
    // Chunks of 100, each once every group has the previous one, for at least four session lifetimes.
    const start = Date.now();
    let produced = 0;
    while (Date.now() - start < 4 * REAUTH_MS || produced < 1000) {
      await produce(topic, produced, produced + 100);
      produced += 100;
      const want = produced;
      await untilAll(members, () => members.every((w) => distinct(w) >= want), 60_000, `every group at ${want} records`).catch((e: Error) => {
        throw new Error(`${e.message}\n${summaries(members)}\nbroker log:\n${brokerLog.slice(-20).join('')}`);
      });
    }
    await Promise.all(members.map((w) => w.stop()));
    await expectGroupConsumedAll(sb, 'reauth-kafkajs', topic, 3, range(produced), members[0]!.messages().map((m) => m.v!));
    await expectGroupConsumedAll(sb, 'reauth-kp', topic, 3, range(produced), members[1]!.messages().map((m) => m.v!));
    // kafkajs re-authenticated on its connections (as bob); kafka-python's (alice's) were closed
    // when their sessions expired, and it logged in again.
    const tail = brokerLog.slice(-10).join('');
    expect(brokerLog.filter((l) => l.includes('re-authenticated') && l.includes('User:bob')).length, tail).toBeGreaterThan(0);
    expect(brokerLog.filter((l) => l.includes('session expired without re-authentication') && l.includes('User:alice')).length, tail).toBeGreaterThan(0);
  });
});
