/**
 * KafkaClient.send tags a ConnectionError as requestNotSent only when no connection could be had
 * for the request, so that a producer does not spend a retry on it (sender.ts); a copy, so that
 * others waiting on the same failed connection are not told the same about their requests.
 */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { KafkaClient } from '../../../src/client/client.js';
import { ApiVersions, Metadata } from '../../../src/protocol/apis/index.js';
import { encodeResponse } from '../../../src/protocol/messages.js';
import { ConnectionError } from '../../../src/transport/client-connection.js';

/** What a Metadata request to 127.0.0.1:`port` fails with (null if it succeeds). */
async function metadataError(port: number): Promise<unknown> {
  const client = new KafkaClient({ bootstrap: [{ host: '127.0.0.1', port }], connectTimeoutMs: 300, retryBackoffMs: 20 });
  try {
    return await client.send('any', Metadata, { topics: [] }).then(
      () => null,
      (err: unknown) => err,
    );
  } finally {
    await client.close();
  }
}

describe('requestNotSent', () => {
  it('is set when the broker refuses the connection (the request never left)', async () => {
    // A port that was free a moment ago: connecting to it is refused.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const e = await metadataError(port);
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as ConnectionError).requestNotSent).toBe(true);
  });

  it('is not set for a request written to a connection that then broke', async () => {
    // A peer that answers ApiVersions, then takes the next request, hangs up without answering
    // and is gone: the client's next attempt finds no connection, but the request had left.
    const server = createServer((c) => {
      let requests = 0;
      c.on('data', (d: Buffer) => {
        if (++requests > 1) {
          server.close();
          return void c.destroy();
        }
        const correlationId = d.readInt32BE(8);
        const body = { errorCode: 0, apiKeys: [{ apiKey: ApiVersions.key, minVersion: 0, maxVersion: 3 }, { apiKey: Metadata.key, minVersion: 0, maxVersion: 12 }], throttleTimeMs: 0 };
        c.write(Buffer.concat(encodeResponse(ApiVersions, 3, correlationId, body as never)));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const e = await metadataError(port);
      expect(e).toBeInstanceOf(ConnectionError);
      expect((e as ConnectionError).requestNotSent).toBe(false);
    } finally {
      if (server.listening) await new Promise((r) => server.close(r));
    }
  });
});
