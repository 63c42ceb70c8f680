// The daemon's schema registry (issue 18): registrations per second (distinct Avro schemas, each
// a new id written to _schemas with acks=all) and lookups per second by id (GET /schemas/ids/N,
// answered from the registry's memory), both over keep-alive HTTP with CONCURRENCY requests in
// flight. The peer is the HTTP floor: a bare node:http server answering the same JSON body in
// the same run, with the same client. Also the cached path of a real client: decode() of
// @kafkajs/confluent-schema-registry (ids cached after the first fetch).
import http from 'node:http';
import { createRequire } from 'node:module';
import { ROOT, SCALE, fmt, startDaemon, table } from './lib.js';

const CONCURRENCY = 8;
const require = createRequire(`${ROOT}/package.json`);

async function pool(n, fn) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  return (performance.now() - start) / 1000;
}

const schemaFor = (i) => JSON.stringify({ type: 'record', name: `R${i}`, namespace: 'bench', fields: [{ name: 'id', type: 'long' }, { name: `f${i}`, type: 'string', default: '' }] });

export async function run() {
  const daemon = startDaemon(['--schema-registry-port', '0']);
  const floor = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ schema: schemaFor(1) });
      res.writeHead(200, { 'Content-Type': 'application/vnd.schemaregistry.v1+json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  try {
    const { execFileSync } = await import('node:child_process');
    const status = JSON.parse(execFileSync(process.execPath, [`${ROOT}/bin/kafka-ts.cjs`, 'server', 'status', '--output', 'json'], { env: { ...process.env, KAFKA_TS_HOME: daemon.home } }).toString());
    const url = status.schemaRegistry;
    await new Promise((r) => floor.listen(0, '127.0.0.1', r));
    const floorUrl = `http://127.0.0.1:${floor.address().port}`;
    const headers = { 'Content-Type': 'application/vnd.schemaregistry.v1+json' };

    const registrations = Math.max(50, Math.round(2000 * SCALE));
    const regSeconds = await pool(registrations, async (i) => {
      const r = await fetch(`${url}/subjects/bench-${i}/versions`, { method: 'POST', headers, body: JSON.stringify({ schema: schemaFor(i) }) });
      if (r.status !== 200) throw new Error(`register ${i}: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    });
    const floorPostSeconds = await pool(registrations, async (i) => {
      const r = await fetch(`${floorUrl}/subjects/bench-${i}/versions`, { method: 'POST', headers, body: JSON.stringify({ schema: schemaFor(i) }) });
      await r.arrayBuffer();
    });

    const lookups = Math.max(500, Math.round(50_000 * SCALE));
    const lookupSeconds = await pool(lookups, async (i) => {
      const r = await fetch(`${url}/schemas/ids/${(i % registrations) + 1}`);
      if (r.status !== 200) throw new Error(`lookup: ${r.status}`);
      await r.arrayBuffer();
    });
    const floorGetSeconds = await pool(lookups, async (i) => {
      const r = await fetch(`${floorUrl}/schemas/ids/${(i % registrations) + 1}`);
      await r.arrayBuffer();
    });

    // A real client's cached path: decode() fetches each id once, then answers from its cache.
    const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');
    const client = new SchemaRegistry({ host: url });
    const ids = Math.min(registrations, 100);
    const encoded = [];
    for (let id = 1; id <= ids; id++) encoded.push(await client.encode(id, { id: id, [`f${id - 1}`]: 'x' }).catch(() => null));
    const payloads = encoded.filter(Boolean);
    const decodes = Math.max(1000, Math.round(200_000 * SCALE));
    const t0 = performance.now();
    for (let i = 0; i < decodes; i++) await client.decode(payloads[i % payloads.length]);
    const decodeSeconds = (performance.now() - t0) / 1000;

    const rows = [
      { benchmark: `register ${fmt(registrations)} Avro schemas (new ids, acks=all)`, 'kafka-ts': `${fmt(registrations / regSeconds)}/s`, peer: `bare node:http POST ${fmt(registrations / floorPostSeconds)}/s`, ratio: `${(floorPostSeconds / regSeconds).toFixed(2)}x`, target: 'report' },
      { benchmark: `GET /schemas/ids/N x ${fmt(lookups)}`, 'kafka-ts': `${fmt(lookups / lookupSeconds)}/s`, peer: `bare node:http GET ${fmt(lookups / floorGetSeconds)}/s`, ratio: `${(floorGetSeconds / lookupSeconds).toFixed(2)}x`, target: 'report' },
      { benchmark: `kafkajs registry client decode() x ${fmt(decodes)} (ids cached)`, 'kafka-ts': `${fmt(decodes / decodeSeconds)}/s`, peer: '-', ratio: '-', target: 'report' },
    ];
    table(rows);
    return {
      concurrency: CONCURRENCY,
      registrations,
      registrationsPerSecond: registrations / regSeconds,
      floorPostsPerSecond: registrations / floorPostSeconds,
      lookups,
      lookupsPerSecond: lookups / lookupSeconds,
      floorGetsPerSecond: lookups / floorGetSeconds,
      cachedDecodesPerSecond: decodes / decodeSeconds,
    };
  } finally {
    floor.close();
    daemon.stop();
  }
}
