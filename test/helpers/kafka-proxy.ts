/**
 * A TCP proxy in front of a broker that sees whole Kafka frames: each request going to the broker
 * and each response coming back is handed to the test's rules, which may pass it on or keep it
 * (a request swallowed, an answer held back). Tests point clients at it, or make the broker
 * advertise it so every connection of a client goes through it.
 */
import net from 'node:net';
import { FrameDecoder } from '../../src/transport/frame-decoder.js';

/** One client connection through the proxy. */
export interface ProxyLink {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  /** Closes both sides. */
  close(): void;
}

/** What a test does with the frames of one link (each frame's payload, its size prefix taken off). */
export interface LinkRules {
  /** A request on its way to the broker; false keeps it from the broker. */
  request?(frame: Buffer): boolean | void;
  /** An answer on its way to the client; false keeps it from the client. */
  response?(frame: Buffer): boolean | void;
}

/** A request frame's API key and correlation id; a response frame's correlation id. */
export const requestApiKey = (frame: Buffer): number => frame.readInt16BE(0);
export const requestCorrelationId = (frame: Buffer): number => frame.readInt32BE(4);
export const responseCorrelationId = (frame: Buffer): number => frame.readInt32BE(0);

/** Writes one frame: its size prefix, then the payload. */
function writeFrame(to: net.Socket, payload: Buffer): void {
  if (to.destroyed) return;
  const size = Buffer.allocUnsafe(4);
  size.writeInt32BE(payload.length, 0);
  // One write of both (corked), so Nagle's algorithm cannot hold the payload behind its prefix.
  to.cork();
  to.write(size);
  to.write(payload);
  to.uncork();
}

export class KafkaProxy {
  private readonly server = net.createServer((c) => this.accept(c));
  private readonly links = new Set<ProxyLink>();
  /** The broker's port (may be set after listen(), once the broker is up). */
  target = 0;

  /** `rules` is called once per connection, so per-connection state lives in its closure. */
  constructor(private readonly rules: (link: ProxyLink) => LinkRules = () => ({})) {}

  /** Listens on an ephemeral port of 127.0.0.1; returns it. */
  listen(): Promise<number> {
    return new Promise((r) => this.server.listen(0, '127.0.0.1', () => r((this.server.address() as net.AddressInfo).port)));
  }

  private accept(client: net.Socket) {
    const upstream = net.connect(this.target, '127.0.0.1');
    const link: ProxyLink = {
      client,
      upstream,
      close: () => {
        client.destroy();
        upstream.destroy();
        this.links.delete(link);
      },
    };
    this.links.add(link);
    const rules = this.rules(link);
    // The transport's own splitter (no frame size limit: the broker enforces its own).
    const requests = new FrameDecoder(Number.MAX_SAFE_INTEGER);
    const responses = new FrameDecoder(Number.MAX_SAFE_INTEGER);
    client.on('data', (d: Buffer) => {
      for (const f of requests.push(d)) if (rules.request?.(f) !== false) writeFrame(upstream, f);
    });
    upstream.on('data', (d: Buffer) => {
      for (const f of responses.push(d)) if (rules.response?.(f) !== false) writeFrame(client, f);
    });
    for (const s of [client, upstream]) s.on('error', link.close).on('close', link.close);
  }

  async close(): Promise<void> {
    for (const l of [...this.links]) l.close();
    await new Promise((r) => this.server.close(r));
  }
}
