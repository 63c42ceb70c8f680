/**
 * The server reads requests on plain sockets straight into buffers of their own (FrameReader
 * through the accepted socket's `onread` fields): requests come out whole and in order however
 * the bytes are split, over TCP and the Unix socket, and a frame over the size limit still closes
 * the connection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Admin } from '../../src/client/admin.js';
import { Fetch, Produce } from '../../src/protocol/apis/index.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/messages.js';
import { decodeBatchRecords, encodeBatch, splitBatches } from '../../src/protocol/record-batch.js';
import { join } from 'node:path';
import { KafkaCluster } from '../../src/broker/cluster.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/tmp.js';
import { FrameConn } from '../helpers/frame-conn.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Writes `bytes` in pieces of the given sizes (cycled), each after the previous one was handed to the OS. */
async function writeInPieces(socket: net.Socket, bytes: Buffer, sizes: number[]): Promise<void> {
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, bytes.length - at);
    await new Promise<void>((r, j) => socket.write(bytes.subarray(at, at + n), (e) => (e ? j(e) : r())));
    at += n;
  }
}

/** A raw connection to the broker, closed after the test. */
async function connect(target: { port: number } | { path: string }): Promise<FrameConn> {
  const conn = await FrameConn.open(target);
  cleanups.push(() => conn.close());
  return conn;
}

/** A broker with a TCP listener and the daemon's Unix socket. */
async function broker(properties: Record<string, string> = {}) {
  const t = tempDir();
  const { config } = buildBrokerConfig(t.dir, { listeners: 'PLAINTEXT://127.0.0.1:0', 'offsets.topic.num.partitions': '1', ...properties });
  const cluster = await KafkaCluster.start({ config, log: silentLogger, inMemory: true, socketDir: t.dir });
  const client = new KafkaClient({ bootstrap: parseBootstrap(cluster.bootstrap), clientId: 'setup', connectTimeoutMs: 5000, requestTimeoutMs: 10_000 });
  cleanups.push(async () => {
    await client.close();
    await cluster.close();
    t.cleanup();
  });
  return { port: Number(cluster.bootstrap.split(':')[1]), path: join(t.dir, 'kafka.sock'), client };
}

describe('requests read straight into their buffers', () => {
  it('come out whole and in order however their bytes are split (TCP and the Unix socket)', async () => {
    const b = await broker({ 'message.max.bytes': String(8 << 20) });
    await new Admin(b.client).createTopics([{ name: 'split', partitions: 1, replicationFactor: 1 }]);
    const targets = [{ port: b.port }, { path: b.path }];
    let produced = 0;
    for (const [t, target] of targets.entries()) {
      // Large produce requests (3 MiB: above the 64 KiB scratch and the 8 MiB-less eager limit
      // alike) between small ones, pipelined on one connection.
      const frames: Buffer[] = [];
      const sizes = [3 << 20, 100, 70_000, 1 << 20, 10];
      sizes.forEach((size, k) => {
        const value = Buffer.alloc(size, 97 + k);
        value.write(`${t}:${k}:`);
        const records = encodeBatch([{ value }]);
        frames.push(...encodeRequest(Produce, 3, k + 1, 'split', { transactionalId: null, acks: 1, timeoutMs: 10_000, topicData: [{ name: 'split', partitionData: [{ index: 0, records }] }] }));
      });
      const conn = await connect(target);
      const got = conn.next(sizes.length);
      // A size prefix split over reads, then uneven pieces.
      await writeInPieces(conn.socket, Buffer.concat(frames), [1, 2, 1, 65_535, 3, 300_000, 1 << 20]);
      const list = await got;
      list.forEach((payload, k) => {
        expect(payload.readInt32BE(0), 'correlation id').toBe(k + 1);
        expect(decodeResponse(Produce, 3, payload).body.responses[0].partitionResponses[0].errorCode).toBe(0);
      });
      produced += sizes.length;
      conn.close();
    }
    // Every record is stored as sent, in order.
    const conn = await connect(targets[0]!);
    const values: Buffer[] = [];
    for (let id = 1; values.length < produced && id < 100; id++) {
      const body = { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 16 << 20, isolationLevel: 0, topics: [{ topic: 'split', partitions: [{ partition: 0, fetchOffset: values.length, partitionMaxBytes: 16 << 20 }] }] };
      conn.send(encodeRequest(Fetch, 4, id, 'check', body));
      const [payload] = await conn.next(1);
      const p = decodeResponse(Fetch, 4, payload!).body.responses[0].partitions[0];
      expect(p.errorCode).toBe(0);
      for (const batch of splitBatches(p.records as Buffer)) for (const r of decodeBatchRecords(batch)) if (r.offset === values.length) values.push(r.value!);
    }
    expect(values.length).toBe(produced);
    values.forEach((v, i) => {
      const t = Math.floor(i / 5);
      const k = i % 5;
      expect(v.subarray(0, 8).toString().startsWith(`${t}:${k}:`), `record ${i}`).toBe(true);
      expect(v.length).toBe([3 << 20, 100, 70_000, 1 << 20, 10][k]);
      expect(v[v.length - 1]).toBe(97 + k);
    });
  }, 60_000);

  it('closes a connection whose size prefix is over socket.request.max.bytes', async () => {
    const b = await broker({ 'socket.request.max.bytes': String(1 << 20) });
    const { socket } = await connect({ port: b.port });
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE((1 << 20) + 1);
    socket.write(prefix.subarray(0, 2));
    await new Promise<void>((r) => socket.write(prefix.subarray(2), () => r()));
    await closed;
  }, 30_000);
});
