/**
 * Response write coalescing (issue 17): the answers of requests pipelined on one connection and
 * handled in the same turn of the event loop leave in one socket write (the socket is corked
 * until the turn's ticks are done), in request order; an answer is never held back behind a
 * request that waits (a parked fetch), and back-pressure still applies.
 */
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaServer, type FrameProcessor } from '../../src/transport/server.js';
import { silentLogger } from '../../src/util/logger.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A request frame: size, api key, version, correlation id (the processor only reads the id). */
function request(correlationId: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeInt32BE(8, 0);
  b.writeInt16BE(18, 4);
  b.writeInt16BE(0, 6);
  b.writeInt32BE(correlationId, 8);
  return b;
}

/** Echoes the correlation id; `hold(id)` may return a promise the answer waits for. */
function echo(hold: (id: number) => Promise<void> | null = () => null, size = 4): FrameProcessor {
  return async (frame) => {
    const id = frame.readInt32BE(frame.length - 4);
    const wait = hold(id);
    if (wait) await wait;
    const out = Buffer.alloc(4 + size);
    out.writeInt32BE(size, 0);
    out.writeInt32BE(id, 4);
    return [out];
  };
}

/** Counts writes made by server-side sockets (accepted ones have `server` set). */
function countServerWrites(): { writes: () => number } {
  const proto = net.Socket.prototype as unknown as Record<'_write' | '_writev', (...a: unknown[]) => unknown>;
  const orig = { write: proto._write, writev: proto._writev };
  let n = 0;
  proto._write = function (this: net.Socket & { server?: unknown }, ...a: unknown[]) {
    if (this.server) n++;
    return orig.write.apply(this, a);
  };
  proto._writev = function (this: net.Socket & { server?: unknown }, ...a: unknown[]) {
    if (this.server) n++;
    return orig.writev.apply(this, a);
  };
  cleanups.push(() => {
    proto._write = orig.write;
    proto._writev = orig.writev;
  });
  return { writes: () => n };
}

async function serve(process: FrameProcessor): Promise<number> {
  const server = new KafkaServer({ maxFrameSize: 1 << 20, log: silentLogger, process });
  const port = await server.listenTcp('127.0.0.1', 0);
  cleanups.push(() => server.close());
  return port;
}

/** Connects; collects the correlation ids of the answers in arrival order. */
async function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  cleanups.push(() => void socket.destroy());
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  const ids: number[] = [];
  let pending = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    pending = Buffer.concat([pending, d]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = pending.readInt32BE(0);
      ids.push(pending.readInt32BE(4));
      pending = pending.subarray(4 + size);
    }
  });
  const until = async (what: string, cond: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; answers so far: ${ids.join(',')}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  return { socket, ids, until };
}

describe('response write coalescing', () => {
  it('answers 50 pipelined requests in order, in far fewer socket writes than answers', async () => {
    const port = await serve(echo());
    const c = await connect(port);
    const writes = countServerWrites();
    c.socket.write(Buffer.concat(Array.from({ length: 50 }, (_, i) => request(i))));
    await c.until('50 answers', () => c.ids.length === 50);
    expect(c.ids).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // One write per turn of the event loop (the requests may arrive in more than one read).
    expect(writes.writes()).toBeGreaterThan(0);
    expect(writes.writes(), `server-side socket writes for 50 answers: ${writes.writes()}`).toBeLessThan(10);
  });

  it('sends the answers before a waiting request at once, not when it completes', async () => {
    let release!: () => void;
    const parked = new Promise<void>((r) => (release = r));
    const port = await serve(echo((id) => (id === 3 ? parked : null)));
    const c = await connect(port);
    c.socket.write(Buffer.concat([0, 1, 2, 3, 4].map(request)));
    await c.until('the answers before the parked request', () => c.ids.length === 3);
    expect(c.ids).toEqual([0, 1, 2]);
    release();
    await c.until('every answer', () => c.ids.length === 5);
    expect(c.ids).toEqual([0, 1, 2, 3, 4]);
  });

  it('still waits for a slow reader (back-pressure) and delivers every large answer', async () => {
    const port = await serve(echo(() => null, 1 << 20));
    const c = await connect(port);
    c.socket.pause();
    c.socket.write(Buffer.concat(Array.from({ length: 20 }, (_, i) => request(i))));
    await new Promise((r) => setTimeout(r, 200));
    c.socket.resume();
    await c.until('20 answers of 1 MiB', () => c.ids.length === 20, 30_000);
    expect(c.ids).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
