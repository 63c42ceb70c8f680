/** connections.max.idle.ms (issue 14, point 3): silent and half-sent connections are closed; busy ones are not. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Admin } from '../../src/client/admin.js';
import { ApiVersions, Fetch } from '../../src/protocol/apis/index.js';
import { encodeRequest } from '../../src/protocol/messages.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

const IDLE_MS = 300;
let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker({ properties: { 'connections.max.idle.ms': String(IDLE_MS) } });
});
afterAll(async () => broker.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw connection that records when the broker closed it. */
async function connect() {
  const [host, port] = broker.bootstrap.split(':');
  const socket = net.connect(Number(port), host!);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const state = { closedAfterMs: -1, responses: 0, socket };
  const start = performance.now();
  socket.on('data', () => state.responses++);
  socket.on('error', () => undefined);
  socket.on('close', () => (state.closedAfterMs = performance.now() - start));
  return state;
}

const apiVersions = (correlationId: number) => Buffer.concat(encodeRequest(ApiVersions, 0, correlationId, 'idle-test', {}));

describe('connections.max.idle.ms', () => {
  it('defaults to Kafka\'s 10 minutes and is read from the properties', () => {
    expect(buildBrokerConfig('/tmp/x', {}).config.connectionsMaxIdleMs).toBe(600_000);
    expect(buildBrokerConfig('/tmp/x', { 'connections.max.idle.ms': '250' }).config.connectionsMaxIdleMs).toBe(250);
  });

  it('closes a connection that sends nothing', async () => {
    const c = await connect();
    await sleep(IDLE_MS * 4);
    expect(c.closedAfterMs).toBeGreaterThanOrEqual(IDLE_MS - 50);
  });

  it('closes a connection that stops half-way through a frame', async () => {
    const c = await connect();
    c.socket.write(apiVersions(1).subarray(0, 6));
    await sleep(IDLE_MS * 4);
    expect(c.closedAfterMs).toBeGreaterThan(0);
    expect(c.responses).toBe(0);
  });

  it('keeps a connection that keeps talking, and answers it', async () => {
    const c = await connect();
    for (let i = 0; i < 8; i++) {
      c.socket.write(apiVersions(i));
      await sleep(IDLE_MS / 3);
    }
    expect(c.closedAfterMs).toBe(-1);
    expect(c.responses).toBeGreaterThan(0);
    c.socket.destroy();
  });

  it('does not close a connection waiting on a long-poll fetch longer than the idle time', async () => {
    await new Admin(broker.client()).createTopics([{ name: 'quiet', partitions: 1, replicationFactor: 1 }]);
    const c = await connect();
    const fetch = {
      replicaId: -1,
      maxWaitMs: IDLE_MS * 3,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ topic: 'quiet', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    };
    c.socket.write(Buffer.concat(encodeRequest(Fetch, 4, 1, 'idle-test', fetch)));
    await sleep(IDLE_MS * 3 + 200);
    expect(c.responses).toBeGreaterThan(0);
    expect(c.closedAfterMs).toBe(-1);
    c.socket.destroy();
  });
});
