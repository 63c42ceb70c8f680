#!/usr/bin/env node
// Records the request frames real Kafka clients send, for the codec's golden tests.
//
//   node scripts/capture-golden.mjs LABEL OUT_DIR -- COMMAND ARGS...
//
// Starts an in-memory kafka-ts broker (from dist/) behind a recording proxy, runs COMMAND with
// every "{}" argument replaced by the proxy's host:port, and writes the first request frame of
// each (api key, version) to OUT_DIR/LABEL-<api key>-v<version>.bin (without the size prefix).
// The broker advertises the proxy's port, so all of the client's connections pass through it.
import net from 'node:net';
import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync, existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { KafkaCluster } from '../dist/src/broker/cluster.js';
import { buildBrokerConfig } from '../dist/src/broker/config.js';

const [label, outDir, sep, cmd, ...args] = process.argv.slice(2);
if (sep !== '--' || !cmd) {
  console.error('usage: capture-golden.mjs LABEL OUT_DIR -- COMMAND ARGS...');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

function frames(onFrame) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      const size = buf.readInt32BE(0);
      onFrame(buf.subarray(4, 4 + size));
      buf = buf.subarray(4 + size);
    }
  };
}

let brokerPort = 0;
const proxy = net.createServer((client) => {
  const upstream = net.connect(brokerPort, '127.0.0.1');
  client.on('data', frames((f) => {
    const file = join(outDir, `${label}-${f.readInt16BE(0)}-v${f.readInt16BE(2)}.bin`);
    if (!existsSync(file)) writeFileSync(file, f);
    const size = Buffer.alloc(4);
    size.writeInt32BE(f.length);
    upstream.write(Buffer.concat([size, f]));
  }));
  upstream.on('data', (d) => client.write(d));
  for (const [a, b] of [[client, upstream], [upstream, client]]) {
    a.on('close', () => b.destroy());
    a.on('error', () => b.destroy());
  }
});
await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
const proxyPort = proxy.address().port;
const { config } = buildBrokerConfig(mkdtempSync(join(tmpdir(), 'golden-')), {
  listeners: 'PLAINTEXT://127.0.0.1:0',
  'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxyPort}`,
  'group.initial.rebalance.delay.ms': '0',
});
const cluster = await KafkaCluster.start({ config, inMemory: true });
brokerPort = cluster.boundPort(cluster.brokers()[0].id);
const bootstrap = `127.0.0.1:${proxyPort}`;
// Asynchronous: the proxy and broker in this process must keep serving while the client runs.
const child = spawn(cmd, args.map((a) => a.replaceAll('{}', bootstrap)), { stdio: 'inherit' });
const status = await new Promise((r) => child.on('exit', (code) => r(code ?? 1)));
await cluster.close();
proxy.close();
process.exit(status);
