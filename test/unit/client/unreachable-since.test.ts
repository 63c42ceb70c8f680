/**
 * KafkaClient.unreachableSince: since when requests have failed on their connections with no
 * answer since (0 while they are answered). A streams stop gives up its final commit only then,
 * never while a slow broker is still answering.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaClient } from '../../../src/client/client.js';
import { ApiVersions } from '../../../src/protocol/apis/index.js';
import { encodeResponse } from '../../../src/protocol/messages.js';

const sockets = new Set<Socket>();
let server: Server | null = null;

/** A peer that answers every request as ApiVersions v3. */
async function listen(port = 0): Promise<number> {
  server = createServer((c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
    c.on('data', (d: Buffer) => {
      const correlationId = d.readInt32BE(8);
      const body = { errorCode: 0, apiKeys: [{ apiKey: ApiVersions.key, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 };
      c.write(Buffer.concat(encodeResponse(ApiVersions, 3, correlationId, body as never)));
    });
  });
  await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function stop(): Promise<void> {
  for (const s of sockets) s.destroy();
  if (server?.listening) await new Promise((r) => server!.close(r));
  server = null;
}

afterEach(stop);

describe('KafkaClient.unreachableSince', () => {
  it('is 0 while requests are answered, set when they fail on the connection, and 0 again once one is answered', async () => {
    const port = await listen();
    const client = new KafkaClient({ bootstrap: [{ host: '127.0.0.1', port }], connectTimeoutMs: 300, retryBackoffMs: 20 });
    const ask = () => client.send('any', ApiVersions, { clientSoftwareName: 'test', clientSoftwareVersion: '0' });
    try {
      await ask();
      expect(client.unreachableSince()).toBe(0);
      await stop();
      const before = Date.now();
      await expect(ask()).rejects.toThrow();
      const since = client.unreachableSince();
      expect(since).toBeGreaterThanOrEqual(before);
      await expect(ask()).rejects.toThrow();
      expect(client.unreachableSince(), 'the first failure is kept').toBe(since);
      await listen(port);
      await ask();
      expect(client.unreachableSince()).toBe(0);
    } finally {
      await client.close();
    }
  });
});
