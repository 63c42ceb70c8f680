/**
 * request.timeout.ms and default.api.timeout.ms against brokers that do not answer: a TCP
 * listener that accepts and never replies, and a proxy to a real broker that swallows one kind of
 * request. The request fails after about request.timeout.ms with a TimeoutException-style message
 * (which request, to which broker, after how long); default.api.timeout.ms bounds the retries of a
 * command's connection. Timings are loose sanity bounds only (the machine is shared and loaded).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaClient } from '../../src/client/client.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { kafkaTs } from '../helpers/cli.js';
import { KafkaProxy, requestApiKey } from '../helpers/kafka-proxy.js';
import { tempDir } from '../helpers/tmp.js';

/** Accepts connections and reads what is sent, never answering. */
function silentListener(): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () =>
      r({
        port: (server.address() as net.AddressInfo).port,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    ),
  );
}

/** Forwards to the broker, except requests whose API key is in `muted`: those are swallowed (never answered). */
class MutingProxy extends KafkaProxy {
  swallowed = 0;

  constructor(muted: ReadonlySet<number>) {
    super(() => ({
      request: (frame) => {
        if (!muted.has(requestApiKey(frame))) return true;
        this.swallowed++;
        return false;
      },
    }));
  }
}

let broker: TestBroker;
let home: string;
let cleanup: () => void;

beforeAll(async () => {
  broker = await startBroker();
  ({ dir: home, cleanup } = tempDir('kafka-ts-client-timeouts-'));
});
afterAll(async () => {
  await broker?.close();
  cleanup?.();
});

describe('request.timeout.ms and default.api.timeout.ms', () => {
  it('a command against a broker that accepts and never answers fails after about request.timeout.ms, within default.api.timeout.ms', async () => {
    const silent = await silentListener();
    try {
      const props = join(home, 'timeouts.properties');
      writeFileSync(props, 'request.timeout.ms=1000\ndefault.api.timeout.ms=2500\n');
      const started = Date.now();
      const r = await kafkaTs(['topics', '--list', '--bootstrap-server', `127.0.0.1:${silent.port}`, '--command-config', props], { home });
      const elapsed = Date.now() - started;
      expect(r.exitCode, r.stderr).toBe(3);
      // Each attempt waits request.timeout.ms; the warning after the first comes only when a
      // second of the deadline is left (not on a machine that stalled meanwhile).
      const lines = r.stderr.trim().split('\n');
      expect(lines.at(-1)).toBe(`kafka-ts topics: error: 127.0.0.1:${silent.port} accepted the connection but did not answer its ApiVersions request within 2500 ms`);
      expect(lines.slice(0, -1).every((l) => l.startsWith(`kafka-ts: warning: 127.0.0.1:${silent.port} accepted the connection but did not answer`)), r.stderr).toBe(true);
      // At least one request timeout; well under the 30 s request.timeout.ms default (loose: a loaded machine).
      expect(elapsed).toBeGreaterThanOrEqual(1000);
      expect(elapsed).toBeLessThan(15_000);
    } finally {
      silent.close();
    }
  });

  it('a request the broker never answers fails after request.timeout.ms with the request, the broker and the timeout named', async () => {
    const port = Number(broker.bootstrap.split(':').pop());
    const proxy = new MutingProxy(new Set([3 /* Metadata */]));
    proxy.target = port;
    const proxyPort = await proxy.listen();
    const client = new KafkaClient({ bootstrap: [{ host: '127.0.0.1', port: proxyPort }], clientId: 'timeouts', requestTimeoutMs: 800, connectTimeoutMs: 5000 });
    try {
      await client.connect();
      const started = Date.now();
      const err = await client.refreshMetadata([]).then(
        () => null,
        (e: Error) => e,
      );
      const elapsed = Date.now() - started;
      expect(err?.message).toBe(`Metadata request to 127.0.0.1:${proxyPort} timed out after 800 ms`);
      expect(proxy.swallowed).toBeGreaterThanOrEqual(1);
      expect(elapsed).toBeGreaterThanOrEqual(750);
      expect(elapsed).toBeLessThan(10_000);
    } finally {
      await client.close();
      await proxy.close();
    }
  });
});
