/**
 * A broker that dies after a request was written to it and before it answered: the request may
 * have been applied, so the client reports the lost connection ("closed before it answered ...
 * may or may not have been applied"), not what a retry met next ("could not connect: connection
 * refused", which says the request never went). The broker "dies" behind a proxy: the proxy lets
 * CreateTopics through, keeps its answer, and then closes every connection and stops listening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient, type ApiVersionTable, type KnownApiVersions } from '../../src/client/client.js';
import { describeAddress, type BrokerAddress } from '../../src/transport/client-connection.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { kafkaTs } from '../helpers/cli.js';
import { KafkaProxy, requestApiKey, requestCorrelationId, responseCorrelationId } from '../helpers/kafka-proxy.js';
import { tempDir } from '../helpers/tmp.js';

const CREATE_TOPICS = 19;

/** Passes everything on until a CreateTopics answer comes back: that one is kept, and the "broker" goes away. */
class DyingProxy extends KafkaProxy {
  died = false;
  constructor() {
    super(() => {
      const creates = new Set<number>();
      return {
        request: (frame) => {
          if (requestApiKey(frame) === CREATE_TOPICS) creates.add(requestCorrelationId(frame));
        },
        response: (frame) => {
          if (!creates.has(responseCorrelationId(frame))) return true;
          this.died = true;
          void this.close();
          return false;
        },
      };
    });
  }
}

let broker: TestBroker;
let home: string;
let cleanup: () => void;

/** A broker advertising `proxy`, so that every connection of a client goes through it. */
async function behind(proxy: KafkaProxy): Promise<{ port: number; close: () => Promise<void> }> {
  const port = await proxy.listen();
  broker = await startBroker({ properties: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}` } });
  proxy.target = broker.cluster.boundPort(broker.cluster.brokers()[0]!.id);
  return { port, close: () => broker.close() };
}

beforeAll(() => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-connection-lost-'));
});
afterAll(() => cleanup?.());

describe('a connection lost after the request was written', () => {
  it('topics --create: the loss is reported (the request may have been applied), exit 3, not "could not connect"', async () => {
    const proxy = new DyingProxy();
    const b = await behind(proxy);
    try {
      const props = join(home, 'short.properties');
      writeFileSync(props, 'default.api.timeout.ms=1500\n');
      const r = await kafkaTs(['topics', '--create', '--topic', 'lost', '--partitions', '3', '--bootstrap-server', `127.0.0.1:${b.port}`, '--command-config', props], { home });
      expect(proxy.died).toBe(true);
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr.trim().split('\n').at(-1)).toBe(
        `kafka-ts topics: error: The connection to 127.0.0.1:${b.port} closed before it answered the CreateTopics request: the request may or may not have been applied (check its effect before retrying: is the broker still running?)`,
      );
      // It was applied: the broker created the topic.
      const direct = new KafkaClient({ bootstrap: [{ host: '127.0.0.1', port: proxy.target }], clientId: 'check' });
      try {
        expect((await new Admin(direct).listTopics()).map((t) => t.name)).toContain('lost');
      } finally {
        await direct.close();
      }
    } finally {
      await proxy.close().catch(() => undefined);
      await b.close();
    }
  });

  it('with API versions taken on trust (the local daemon), the retry that meets "connection refused" does not hide the loss', async () => {
    const proxy = new DyingProxy();
    const b = await behind(proxy);
    const known = new Map<string, ApiVersionTable>();
    const store: KnownApiVersions = {
      get: (a: BrokerAddress) => known.get(describeAddress(a)),
      set: (a: BrokerAddress, v: ApiVersionTable) => void known.set(describeAddress(a), v),
      forget: (a: BrokerAddress) => void known.delete(describeAddress(a)),
    };
    const options = { bootstrap: [{ host: '127.0.0.1', port: b.port }], clientId: 'lost', connectTimeoutMs: 1000, requestTimeoutMs: 5000, knownApiVersions: store };
    const first = new KafkaClient(options);
    const second = new KafkaClient(options);
    try {
      // A first client negotiates: the second takes its versions on trust.
      await first.connect();
      await first.close();
      expect(known.size).toBeGreaterThan(0);
      await second.connect();
      const err = await new Admin(second).createTopics([{ name: 'lost-trusted', partitions: 1, replicationFactor: 1 }]).then(
        () => null,
        (e: Error & { kind?: string }) => e,
      );
      expect(proxy.died).toBe(true);
      expect(err?.message).toBe(`The connection to 127.0.0.1:${b.port} closed before it answered the CreateTopics request: the request may or may not have been applied`);
      expect(err?.kind).toBe('unreachable');
    } finally {
      await second.close();
      await proxy.close().catch(() => undefined);
      await b.close();
    }
  });
});
