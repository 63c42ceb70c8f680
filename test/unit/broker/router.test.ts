/**
 * The router's answers to bad requests and failing handlers: a handler that throws gets
 * UNKNOWN_SERVER_ERROR in every error code of its API's response (items echoed from the request),
 * one ERROR line is logged and the connection keeps serving; Produce with acks=0 and unknown API
 * keys still close the connection, as in Kafka.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineHandler, type Handler } from '../../../src/broker/handler.js';
import { CloseConnection, Router } from '../../../src/broker/router.js';
import type { BrokerServices } from '../../../src/broker/services.js';
import { CreateTopics, Metadata, Produce, type CreateTopicsResponse, type MetadataResponse, type ProduceResponse } from '../../../src/protocol/apis/index.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { decodeResponse, encodeRequest } from '../../../src/protocol/messages.js';
import type { ApiDef } from '../../../src/protocol/schema.js';
import { KafkaConnection } from '../../../src/transport/client-connection.js';
import { type ConnectionInfo, KafkaServer } from '../../../src/transport/server.js';
import { type Logger, silentLogger } from '../../../src/util/logger.js';

function recordingLogger() {
  const lines: string[] = [];
  const log: Logger = {
    ...silentLogger,
    debug: (m) => lines.push(`DEBUG ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
    child: () => log,
  };
  return { log, lines };
}

/** Fails on its first call, answers an empty Metadata after that. */
function flakyMetadata(): Handler {
  let calls = 0;
  return defineHandler({
    api: Metadata,
    minVersion: 0,
    maxVersion: 12,
    handle() {
      if (calls++ === 0) throw new TypeError('boom');
      return { brokers: [], clusterId: 'c', controllerId: 1, topics: [] };
    },
  });
}

const failing = (api: ApiDef): Handler =>
  defineHandler({
    api,
    minVersion: api.versions[0],
    maxVersion: Math.min(api.versions[1], 9),
    handle() {
      throw new Error(`${api.name} exploded`);
    },
  });

/** These handlers reach no service. */
const noServices = {} as BrokerServices;

/** A plaintext connection as the transport describes it (these handlers read only its address). */
const conn = { clientHost: '/127.0.0.1', listener: 'PLAINTEXT', principal: 'User:ANONYMOUS', closed: new Promise<void>(() => {}) } as ConnectionInfo;

async function call(router: Router, api: ApiDef, version: number, body: object, correlationId = 7) {
  const frame = Buffer.concat(encodeRequest(api, version, correlationId, 'test-client', body)).subarray(4);
  const out = await router.handle(frame, conn, noServices);
  return out && decodeResponse(api, version, Buffer.concat(out).subarray(4));
}

describe('Router', () => {
  it('answers a throwing handler with UNKNOWN_SERVER_ERROR and logs one ERROR line naming API and client', async () => {
    const { log, lines } = recordingLogger();
    const router = new Router([flakyMetadata()], log);
    const failed = await call(router, Metadata, 9, { topics: [{ name: 'a' }, { name: 'b' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(failed!.correlationId).toBe(7);
    const body = failed!.body as MetadataResponse;
    expect(body.topics.map((t) => [t.name, t.errorCode])).toEqual([['a', ErrorCode.UNKNOWN_SERVER_ERROR], ['b', ErrorCode.UNKNOWN_SERVER_ERROR]]);
    const errors = lines.filter((l) => l.startsWith('ERROR'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Metadata v9 .*client test-client at \/127\.0\.0\.1.*boom/);
    expect(lines.some((l) => l.startsWith('DEBUG') && l.includes('TypeError: boom'))).toBe(true);

    const next = await call(router, Metadata, 9, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, 8);
    expect(next).toMatchObject({ correlationId: 8, body: { clusterId: 'c' } });
  });

  it('fills per-partition error codes when the API has no top-level one (Produce)', async () => {
    const router = new Router([failing(Produce)]);
    const req = { transactionalId: null, acks: 1, timeoutMs: 100, topicData: [{ name: 't', partitionData: [{ index: 0, records: null }, { index: 3, records: null }] }] };
    const res = (await call(router, Produce, 8, req))!.body as ProduceResponse;
    expect(res.responses).toEqual([
      expect.objectContaining({
        name: 't',
        partitionResponses: [
          expect.objectContaining({ index: 0, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, baseOffset: 0 }),
          expect.objectContaining({ index: 3, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR }),
        ],
      }),
    ]);
  });

  it('echoes the request items of other APIs too (CreateTopics)', async () => {
    const router = new Router([failing(CreateTopics)]);
    const req = { topics: [{ name: 'x', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 100, validateOnly: false };
    const res = (await call(router, CreateTopics, 5, req))!.body as CreateTopicsResponse;
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([['x', ErrorCode.UNKNOWN_SERVER_ERROR]]);
  });

  it('closes the connection for a failing Produce with acks=0 (no response to carry the error)', async () => {
    const router = new Router([failing(Produce)]);
    const req = { transactionalId: null, acks: 0, timeoutMs: 100, topicData: [] };
    await expect(call(router, Produce, 8, req)).rejects.toBeInstanceOf(CloseConnection);
  });

  it('still closes the connection for an unknown API key', async () => {
    const router = new Router([flakyMetadata()]);
    await expect(call(router, Produce, 8, { acks: 1, timeoutMs: 1, topicData: [] })).rejects.toBeInstanceOf(CloseConnection);
  });
});

describe('Router behind a KafkaServer', () => {
  let server: KafkaServer | null = null;
  let client: KafkaConnection | null = null;
  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  it('keeps the connection open after a handler fails and answers the next request on it', async () => {
    const router = new Router([flakyMetadata()]);
    server = new KafkaServer({ maxFrameSize: 1 << 20, log: silentLogger, process: (frame, info) => router.handle(frame, info, noServices) });
    const port = await server.listenTcp('127.0.0.1', 0);
    client = await KafkaConnection.connect({ host: '127.0.0.1', port }, { clientId: 't', connectTimeoutMs: 2000, requestTimeoutMs: 2000 });
    const body = { topics: [{ name: 'a' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false };
    const first = await client.send<MetadataResponse>(Metadata, 9, body);
    expect(first.topics[0]).toMatchObject({ name: 'a', errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
    const second = await client.send<MetadataResponse>(Metadata, 9, body);
    expect(second.clusterId).toBe('c');
    expect(client.closed).toBe(false);
  });

  it('closes the connection on a CloseConnection from the router, logged as a warning rather than an error', async () => {
    const lines: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`), child: () => log };
    const router = new Router([flakyMetadata()]);
    server = new KafkaServer({ maxFrameSize: 1 << 20, log, process: (frame, info) => router.handle(frame, info, noServices) });
    const port = await server.listenTcp('127.0.0.1', 0);
    client = await KafkaConnection.connect({ host: '127.0.0.1', port }, { clientId: 't', connectTimeoutMs: 2000, requestTimeoutMs: 2000 });
    await expect(client.send(Produce, 8, { acks: 1, timeoutMs: 1, topicData: [] })).rejects.toThrow();
    expect(lines).toEqual([expect.stringMatching(/^WARN Closing connection from \/127\.0\.0\.1: unknown API key 0$/)]);
  });
});
