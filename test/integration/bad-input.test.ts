import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Admin, OffsetSpec } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { ApiVersions, Produce } from '../../src/protocol/apis/index.js';
import { BATCH_HEADER_SIZE, encodeBatch, rewriteCrc } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeRequest, decodeResponse } from '../../src/protocol/messages.js';
import { Writer } from '../../src/protocol/primitives.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let broker: TestBroker;
let host: string;
let port: number;

beforeAll(async () => {
  broker = await startBroker();
  [host, port] = [broker.bootstrap.split(':')[0]!, Number(broker.bootstrap.split(':')[1])];
  const c = broker.client();
  await new Admin(c).createTopics([{ name: 'safe', partitions: 1, replicationFactor: 1 }]);
  const p = new Producer(c, { lingerMs: 0 });
  for (let i = 0; i < 10; i++) await p.send({ topic: 'safe', value: Buffer.from(`keep-${i}`) });
});
afterAll(async () => broker.close());

/** A raw socket to the broker that collects response frames and notices when it is closed. */
class RawConnection {
  private readonly socket: net.Socket;
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  readonly frames: Buffer[] = [];
  closed = false;
  readonly ready: Promise<void>;

  constructor() {
    this.socket = net.connect(port, host);
    this.ready = new Promise((r) => this.socket.once('connect', () => r()));
    this.socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const size = this.buf.readInt32BE(0);
        this.frames.push(this.buf.subarray(4, 4 + size));
        this.buf = this.buf.subarray(4 + size);
      }
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on('error', () => undefined);
  }

  private wake() {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  async send(bytes: Buffer) {
    await this.ready;
    this.socket.write(bytes);
  }

  /** Resolves once `n` response frames arrived, or the broker closed the connection. */
  async until(n: number): Promise<void> {
    while (this.frames.length < n && !this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }

  destroy() {
    this.socket.destroy();
  }
}

/** Sends bytes the broker must reject by closing the connection; resolves when it does. */
async function expectClosed(bytes: Buffer) {
  const c = new RawConnection();
  await c.send(bytes);
  await c.until(Number.POSITIVE_INFINITY);
  expect(c.closed).toBe(true);
  expect(c.frames).toEqual([]);
}

/** Builds a request frame for an arbitrary key/version with an empty body. */
function frame(apiKey: number, version: number, body = Buffer.alloc(0)): Buffer {
  const w = new Writer();
  w.int16(apiKey).int16(version).int32(7).string('bad-client');
  w.raw(body);
  const payload = w.toBuffer();
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

async function brokerStillServesAndKeptData() {
  const f = new Fetcher(broker.client('checker'), { maxWaitMs: 100 });
  await f.assign([{ topic: 'safe', partition: 0, start: 'earliest' }]);
  const values: string[] = [];
  while (values.length < 10) for (const ch of await f.poll()) values.push(...ch.records.map((r) => r.value!.toString()));
  expect(values).toEqual(Array.from({ length: 10 }, (_, i) => `keep-${i}`));
}

describe('the broker under bad input', () => {
  it('closes a connection that sends a 2 GB length prefix, without buffering it', async () => {
    await expectClosed(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]));
    await brokerStillServesAndKeptData();
  });

  it('closes a connection that sends a negative length prefix', async () => {
    await expectClosed(Buffer.from([0xff, 0xff, 0xff, 0xf0]));
  });

  it('closes a connection that sends garbage', async () => {
    await expectClosed(Buffer.from([0, 0, 0, 12, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6]));
    await brokerStillServesAndKeptData();
  });

  it('waits for the rest of a truncated frame and keeps serving others meanwhile', async () => {
    const full = frame(18, 0);
    const c = new RawConnection();
    await c.send(full.subarray(0, full.length - 3));
    await brokerStillServesAndKeptData();
    expect(c.frames).toEqual([]);
    await c.send(full.subarray(full.length - 3));
    await c.until(1);
    expect(c.closed).toBe(false);
    expect(c.frames[0]!.readInt32BE(0)).toBe(7);
    c.destroy();
  });

  it('closes on an unknown API key and on an unsupported version of a known API', async () => {
    await expectClosed(frame(9999, 0));
    await expectClosed(frame(1, 99));
    await brokerStillServesAndKeptData();
  });

  it('answers an unsupported ApiVersions version with UNSUPPORTED_VERSION and its own range (v0 body)', async () => {
    const c = new RawConnection();
    await c.send(frame(18, 99));
    await c.until(1);
    const { correlationId, body } = decodeResponse(ApiVersions, 0, c.frames[0]!);
    expect(correlationId).toBe(7);
    expect(body.errorCode).toBe(35);
    expect(body.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 3 }]);
    c.destroy();
  });

  it('closes on a body that does not decode (Metadata v1 with a truncated topic list)', async () => {
    await expectClosed(frame(3, 1, Buffer.from([0, 0, 0, 5, 0, 3, 0x61])));
    await brokerStillServesAndKeptData();
  });

  it('processes pipelined requests in order on one connection', async () => {
    const c = new RawConnection();
    await c.send(Buffer.concat(Array.from({ length: 20 }, (_, i) => Buffer.concat(encodeRequest(ApiVersions, 0, 1000 + i, 'pipe', {})))));
    await c.until(20);
    expect(c.frames.map((f) => f.readInt32BE(0))).toEqual(Array.from({ length: 20 }, (_, i) => 1000 + i));
    c.destroy();
  });

  it('refuses a batch whose records do not parse (INVALID_RECORD, not retried), so ListOffsets by time keeps working', async () => {
    const c = broker.client();
    await new Admin(c).createTopics([{ name: 'odd', partitions: 1, replicationFactor: 1 }]);
    await new Producer(c, { lingerMs: 0 }).send({ topic: 'odd', key: Buffer.from('k'), value: Buffer.from('good'), timestamp: 5000 });
    // Valid CRCs over records that do not parse, as a buggy client could send them.
    const bad = (change: (b: Buffer) => unknown) => {
      const b = encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('hello-world-value'), timestamp: 6000 }]);
      change(b);
      rewriteCrc(b);
      return b;
    };
    const variants = {
      garbage: bad((b) => b.fill(0x7f, BATCH_HEADER_SIZE + 1)),
      gzipFlag: bad((b) => b.writeInt16BE(1, 21)),
      count: bad((b) => (b.writeInt32BE(2, 57), b.writeInt32BE(1, 23))),
    };
    for (const [name, records] of Object.entries(variants)) {
      const { body } = await c.send<{ responses: { partitionResponses: { errorCode: number }[] }[] }>('any', Produce, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 5000,
        topicData: [{ name: 'odd', partitionData: [{ index: 0, records }] }],
      });
      expect(body.responses[0]!.partitionResponses[0]!.errorCode, name).toBe(ErrorCode.INVALID_RECORD);
    }
    const admin = new Admin(c);
    expect((await admin.listOffsets([{ topic: 'odd', partition: 0, timestamp: 1000 }]))[0]).toMatchObject({ offset: 0, timestamp: 5000 });
    expect((await admin.listOffsets([{ topic: 'odd', partition: 0, timestamp: OffsetSpec.latest }]))[0]!.offset).toBe(1);
  });

  it('has lost nothing after all of the above', async () => {
    await brokerStillServesAndKeptData();
    const end = await new Admin(broker.client()).listOffsets([{ topic: 'safe', partition: 0, timestamp: OffsetSpec.latest }]);
    expect(end[0]!.offset).toBe(10);
  });
});
