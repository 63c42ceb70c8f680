/**
 * KafkaConnection.exclusive, which SASL re-authentication (KIP-368) relies on: requests sent
 * while it runs wait, so that nothing goes between SaslHandshake and SaslAuthenticate on the
 * wire (a Kafka broker closes a connection that does that). A local TCP server records the
 * order in which requests arrive and answers each after a short delay.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiVersions, SaslAuthenticate, SaslHandshake } from '../../../src/protocol/apis/index.js';
import { encodeResponse } from '../../../src/protocol/messages.js';
import { FrameDecoder } from '../../../src/transport/frame-decoder.js';
import { KafkaConnection } from '../../../src/transport/client-connection.js';

const arrived: string[] = [];
let server: net.Server;
let port = 0;

beforeAll(async () => {
  server = net.createServer((s) => {
    const decoder = new FrameDecoder(1 << 20);
    s.on('data', (chunk) => {
      for (const f of decoder.push(chunk)) {
        const key = f.readInt16BE(0);
        const version = f.readInt16BE(2);
        const correlationId = f.readInt32BE(4);
        const name = key === SaslHandshake.key ? 'SaslHandshake' : key === SaslAuthenticate.key ? 'SaslAuthenticate' : 'ApiVersions';
        arrived.push(name);
        const body =
          key === SaslHandshake.key
            ? encodeResponse(SaslHandshake, version, correlationId, { errorCode: 0, mechanisms: ['PLAIN'] })
            : key === SaslAuthenticate.key
              ? encodeResponse(SaslAuthenticate, version, correlationId, { errorCode: 0, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 })
              : encodeResponse(ApiVersions, version, correlationId, { errorCode: 0, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false });
        setTimeout(() => {
          if (!s.destroyed) for (const c of body) s.write(c);
        }, 20);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('KafkaConnection.exclusive', () => {
  it('holds requests sent meanwhile until it ends, then sends them in order', async () => {
    arrived.length = 0;
    const conn = await KafkaConnection.connect({ host: '127.0.0.1', port }, { clientId: 't', connectTimeoutMs: 5000, requestTimeoutMs: 5000 });
    try {
      const before = conn.send(ApiVersions, 0, {});
      let during: Promise<unknown> | null = null;
      const auth = conn.exclusive(async (send) => {
        await send(SaslHandshake, 1, { mechanism: 'PLAIN' });
        // Issued by other code while the exchange is under way: must wait.
        during = Promise.all([conn.send(ApiVersions, 0, {}), conn.send(ApiVersions, 0, {})]);
        await new Promise((r) => setTimeout(r, 30));
        await send(SaslAuthenticate, 2, { authBytes: Buffer.from('\0u\0p') });
        return 'done';
      });
      expect(await auth).toBe('done');
      await before;
      await during;
      expect(arrived).toEqual(['ApiVersions', 'SaslHandshake', 'SaslAuthenticate', 'ApiVersions', 'ApiVersions']);
    } finally {
      conn.close();
    }
  });

  it('releases the hold when the exchange fails', async () => {
    const conn = await KafkaConnection.connect({ host: '127.0.0.1', port }, { clientId: 't', connectTimeoutMs: 5000, requestTimeoutMs: 5000 });
    try {
      await expect(conn.exclusive(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      await expect(conn.send(ApiVersions, 0, {})).resolves.toMatchObject({ errorCode: 0 });
    } finally {
      conn.close();
    }
  });
});
