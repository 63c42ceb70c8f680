#!/usr/bin/env node
// Protocol fuzzer for the broker daemon (issue 14): `npm run fuzz -- --frames N [--seed S] [--brokers 1|3]`.
//
// Starts the real daemon (KAFKA_TS_HOME in a temp dir, port 0), writes known records to a guard
// topic, then sends N request frames over many connections (reconnecting whenever the broker
// closes one): the golden frames real clients sent (test/fixtures/golden) mutated by bit flips,
// truncation, overwritten length fields / array counts / null markers (int16, int32, varint),
// random api keys and versions, splices of two frames, wrong size prefixes; requests of every API
// the broker offers generated from its schema (any version, odd values: -1, 0, 2^31-1, empty and
// odd names, corrupt record batches), some mutated too; and wholly random frames. Meanwhile a side connection asks ApiVersions every 100 ms and must be answered within
// --deadline-ms, and the daemon's pid must stay alive. At the end: 0 ERROR lines in server.log
// (WARN lines for closed connections are counted), and the guard topic reads back exactly as
// written. Frame i depends only on (seed, i), so a run is reproducible; `--show I` prints frame I.
// Frames that contain the guard topic's name or id are never sent (the fuzzer must not delete or
// alter the data it checks); generated requests name other topics and only topic-level configs.
// A failed run keeps its directory (server.log, the last frames of each connection); --from and
// --frames replay a slice of a seed. Exit status 0 when every check passed, 1 otherwise.
import net from 'node:net';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, alive, ownDaemon, loadClient, makeRng, parseArgs, readAll, scanLog, startDaemon, stopDaemon, tempHome, waitFor } from './daemon-harness.mjs';

const opts = parseArgs(process.argv.slice(2), {
  frames: 20_000,
  seed: 1,
  brokers: 1,
  connections: 16,
  'frames-per-connection': 64,
  'deadline-ms': 5000,
  json: false,
  keep: false,
  'dry-run': false,
  show: -1,
  /** First frame index: with --frames, replays frames from..frames-1 of the seed (to narrow a failure down). */
  from: 0,
  /**
   * kafka-ts.max.partitions.per.request for the daemon (0: its default, 10,000). Creating a
   * partition is synchronous file I/O (1-2 ms each here), so a fuzzed CreateTopics of thousands
   * stalls every connection for seconds and would read as a hang; that cost is measured apart.
   */
  'max-partitions-per-request': 200,
  /** host:port[,…] of a broker already running (a debugging aid): no daemon is started, no pid or log checked. */
  bootstrap: '',
});
if (![1, 3].includes(opts.brokers)) throw new Error('--brokers must be 1 or 3');

const GUARD = 'kafka-ts-fuzz-guard';
const GUARD_PARTITIONS = 3;
const GUARD_RECORDS = 600;

// ---- frame generation -------------------------------------------------------------------------
const goldenDir = join(ROOT, 'test', 'fixtures', 'golden');
const GOLDEN = readdirSync(goldenDir)
  .filter((f) => f.endsWith('.bin'))
  .sort()
  .map((f) => ({ name: f, bytes: readFileSync(join(goldenDir, f)) }));
const INT16 = [-1, 0, 1, 2, 0x7fff, -0x8000, 0x100, 0xff];
const INT32 = [-1, 0, 1, 2, 0x7fffffff, -0x80000000, 0x10000, 0xffff, 1 << 24, 1000];
const BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe];
/** Unsigned varints: 0 is null for compact strings/arrays, the long ones overflow 32 bits. */
const VARINTS = [[0x00], [0x01], [0x7f], [0xff, 0xff, 0xff, 0xff, 0x0f], [0xff, 0xff, 0xff, 0xff, 0x7f], [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]];

function mutate(rng, buf) {
  const b = Buffer.from(buf);
  const at = () => rng.int(Math.max(1, b.length));
  switch (rng.int(10)) {
    case 0: {
      // bit flips
      for (let k = 1 + rng.int(8); k > 0 && b.length; k--) b[at()] ^= 1 << rng.int(8);
      return b;
    }
    case 1: // interesting bytes
      for (let k = 1 + rng.int(4); k > 0 && b.length; k--) b[at()] = rng.pick(BYTES);
      return b;
    case 2: // truncation (the size prefix follows)
      return b.subarray(0, rng.int(b.length + 1));
    case 3: {
      // int16 overwrite: array counts of old versions are int32, string lengths and null markers int16
      if (b.length < 2) return b;
      b.writeInt16BE(rng.chance(0.8) ? rng.pick(INT16) : rng.int(0x10000) - 0x8000, rng.int(b.length - 1));
      return b;
    }
    case 4: {
      // int32 overwrite: array counts, byte lengths, record batch lengths
      if (b.length < 4) return b;
      b.writeInt32BE(rng.chance(0.8) ? rng.pick(INT32) : (rng.int(0x100000000) | 0), rng.int(b.length - 3));
      return b;
    }
    case 5: {
      // varint splice: compact lengths and tagged fields of flexible versions
      const p = at();
      return Buffer.concat([b.subarray(0, p), Buffer.from(rng.pick(VARINTS)), b.subarray(p + (rng.chance(0.5) ? 1 : 0))]);
    }
    case 6: {
      // another api key and/or version on the same body
      if (b.length < 4) return b;
      if (rng.chance(0.6)) b.writeInt16BE(rng.chance(0.9) ? rng.int(75) : rng.pick([-1, 1000, 0x7fff]), 0);
      b.writeInt16BE(rng.chance(0.9) ? rng.int(18) : rng.pick([-1, 100, 0x7fff]), 2);
      return b;
    }
    case 7: // splice with another golden frame
      return Buffer.concat([b.subarray(0, at()), rng.pick(GOLDEN).bytes.subarray(rng.int(40))]);
    case 8: {
      // insert or delete a run of bytes
      const p = at();
      if (rng.chance(0.5)) return Buffer.concat([b.subarray(0, p), b.subarray(p + 1 + rng.int(8))]);
      const junk = Buffer.alloc(1 + rng.int(16));
      for (let k = 0; k < junk.length; k++) junk[k] = rng.int(256);
      return Buffer.concat([b.subarray(0, p), junk, b.subarray(p)]);
    }
    default: // append garbage
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + rng.int(32) }, () => rng.int(256)))]);
  }
}

// Structurally valid requests of every API the broker offers, any version, odd values: they
// reach the handlers (a mutated golden frame mostly stops in the decoder).
const { API_BY_KEY } = await import('../dist/src/protocol/apis/index.js');
const { encodeRequest } = await import('../dist/src/protocol/messages.js');
const { encodeBatch } = await import('../dist/src/protocol/record-batch.js');
const APIS = [...API_BY_KEY.values()];
// Topic names the generated requests use: never the guard topic. Config names are topic-level
// ones only, so a request altering a broker resource cannot shorten the guard topic's retention.
const NAMES = ['fuzz-a', 'fuzz-b', 'fuzz-c', 'golden', '', '.', '..', 'x'.repeat(250), '__consumer_offsets', 'g1', 'orders'];
const CONFIGS = ['retention.ms', 'segment.bytes', 'cleanup.policy', 'min.insync.replicas', 'max.message.bytes', 'compression.type', 'segment.ms', 'unclean.leader.election.enable', 'nope.unknown'];
const VALUES = ['1', '0', '-1', 'compact', 'delete', 'true', '', '9999999999999999999', 'zstd', 'abc'];
const NUMS = [-1, 0, 1, 2, 3, 100, 0x7fffffff, -0x80000000, 60000];

function genValue(rng, f, version) {
  const nullable = f.nullable && version >= f.nullable[0] && version <= f.nullable[1];
  if (nullable && rng.chance(0.1)) return null;
  const lower = f.name.toLowerCase();
  switch (f.type) {
    case 'bool':
      return rng.chance(0.5);
    case 'int8':
      return rng.pick([-1, 0, 1, 2, 3, 4, 127, -128]);
    case 'int16':
      return rng.chance(0.7) ? rng.pick([-1, 0, 1, 2, 3, 4, 32767, -32768]) : rng.int(65536) - 32768;
    case 'uint16':
      return rng.int(65536);
    case 'int32':
    case 'uint32':
      return f.type === 'uint32' ? rng.int(0x100000000) : rng.chance(0.8) ? rng.pick(NUMS) : rng.int(0x100000000) | 0;
    case 'int64':
      return rng.pick([-2, -1, 0, 1, 5, 1000, 1_700_000_000_000, 2 ** 53 - 1, -(2 ** 53)]);
    case 'float64':
      return rng.pick([0, 1.5, -1, NaN, Infinity]);
    case 'uuid': {
      const u = Buffer.alloc(16);
      if (rng.chance(0.7)) for (let k = 0; k < 16; k++) u[k] = rng.int(256);
      return u;
    }
    case 'string':
      if (lower.includes('value')) return rng.pick(VALUES);
      if (lower === 'name' && rng.chance(0.3)) return rng.pick(CONFIGS);
      return rng.chance(0.9) ? rng.pick(NAMES) : Buffer.from(Array.from({ length: rng.int(12) }, () => rng.int(256))).toString('latin1');
    case 'bytes':
      return Buffer.from(Array.from({ length: rng.int(20) }, () => rng.int(256)));
    case 'records': {
      if (rng.chance(0.2)) return Buffer.from(Array.from({ length: rng.int(80) }, () => rng.int(256)));
      const n = 1 + rng.int(3);
      const batch = encodeBatch(
        Array.from({ length: n }, (_, k) => ({ key: rng.chance(0.5) ? null : Buffer.from(`k${k}`), value: rng.chance(0.1) ? null : Buffer.alloc(rng.int(100), 0x61) })),
        { compression: rng.chance(0.8) ? 0 : rng.pick([1, 2, 3, 4]), producerId: rng.chance(0.7) ? -1 : rng.int(50), producerEpoch: rng.int(3) - 1, baseSequence: rng.chance(0.5) ? -1 : rng.int(100), now: 1_700_000_000_000 },
      );
      if (rng.chance(0.3)) batch[rng.int(batch.length)] ^= 1 << rng.int(8);
      return batch;
    }
    case 'array': {
      const n = rng.chance(0.85) ? rng.int(3) : rng.int(6);
      return Array.from({ length: n }, () => (f.fields ? genStruct(rng, f.fields, version) : genValue(rng, { name: f.name, type: f.items }, version)));
    }
    case 'struct':
      return genStruct(rng, f.fields ?? [], version);
    default:
      return null;
  }
}

function genStruct(rng, fields, version) {
  const o = {};
  for (const f of fields) if (version >= f.versions[0] && version <= f.versions[1]) o[f.name] = genValue(rng, f, version);
  return o;
}

function generatedFrame(rng) {
  const api = rng.pick(APIS);
  const version = api.versions[0] + rng.int(api.versions[1] - api.versions[0] + 1);
  try {
    const body = genStruct(rng, api.request, version);
    return { payload: Buffer.concat(encodeRequest(api, version, rng.int(0x7fffffff), rng.chance(0.9) ? 'fuzz' : null, body)).subarray(4), how: `${api.name} v${version}` };
  } catch (e) {
    return { payload: randomFrame(rng), how: `random (${api.name} v${version} did not encode: ${e.message})` };
  }
}

function randomFrame(rng) {
  const body = Buffer.alloc(rng.int(rng.chance(0.9) ? 64 : 600));
  for (let k = 0; k < body.length; k++) body[k] = rng.chance(0.3) ? rng.pick(BYTES) : rng.int(256);
  const head = Buffer.alloc(8);
  head.writeInt16BE(rng.chance(0.9) ? rng.int(75) : rng.int(0x10000) - 0x8000, 0);
  head.writeInt16BE(rng.chance(0.9) ? rng.int(18) : rng.int(0x10000) - 0x8000, 2);
  head.writeInt32BE(rng.int(0x100000000) | 0, 4);
  return Buffer.concat([head, body]);
}

/**
 * Frame `i` of the run with this seed: the bytes on the wire (size prefix included), whether
 * its size prefix lies (the connection is given up after it), and what was done to it.
 */
function makeFrame(seed, i) {
  const rng = makeRng(seed, i);
  let payload;
  let how;
  const kind = rng();
  if (kind < 0.06) {
    payload = randomFrame(rng);
    how = 'random';
  } else if (kind < 0.5) {
    ({ payload, how } = generatedFrame(rng));
    if (rng.chance(0.4)) {
      payload = mutate(rng, payload);
      how += ' x1';
    }
  } else {
    const g = rng.pick(GOLDEN);
    payload = g.bytes;
    const n = rng.chance(0.05) ? 0 : 1 + rng.int(rng.chance(0.7) ? 1 : 3);
    for (let k = 0; k < n; k++) payload = mutate(rng, payload);
    how = `${g.name} x${n}`;
  }
  let size = payload.length;
  let lies = false;
  if (rng.chance(0.03)) {
    lies = true;
    size = rng.pick([-1, -0x80000000, 0, 1, 3, payload.length - 1, payload.length + 1, payload.length + 64, 0x7fffffff, 104857601, rng.int(1 << 20)]);
    how += ` size=${size}`;
  }
  const frame = Buffer.alloc(4 + payload.length);
  frame.writeInt32BE(size | 0, 0);
  payload.copy(frame, 4);
  return { frame, lies, how };
}

if (opts.show >= 0) {
  const { frame, how } = makeFrame(opts.seed, opts.show);
  console.log(`frame ${opts.show} (seed ${opts.seed}): ${how}\n${frame.toString('hex')}`);
  process.exit(0);
}

// The guard topic's name never goes out in a fuzz frame (checked on the bytes; its id below).
const guardBytes = [Buffer.from(GUARD), Buffer.from('fuzz-guard')];
let guardId = null;
const touchesGuard = (frame) => guardBytes.some((g) => frame.includes(g)) || (guardId !== null && frame.includes(guardId));

if (opts['dry-run']) {
  const h = createHash('sha256');
  let skipped = 0;
  for (let i = opts.from; i < opts.frames; i++) {
    const { frame } = makeFrame(opts.seed, i);
    if (touchesGuard(frame)) skipped++;
    else h.update(frame);
  }
  console.log(JSON.stringify({ frames: opts.frames, seed: opts.seed, skipped, sha256: h.digest('hex') }));
  process.exit(0);
}

// ---- run ------------------------------------------------------------------------------------
const lib = await loadClient();
const { home, cleanup } = tempHome('kafka-ts-fuzz-');
const failures = [];
const stats = { sent: 0, skipped: 0, connections: 0, closedByBroker: 0, closedByUs: 0, answers: 0, connectErrors: 0, probes: 0, probeMaxMs: 0, slowProbes: [], housekeeping: 0, fuzzTopicsDeleted: 0 };
let daemon;
let stopping = false;
const lastFrames = new Map(); // connection -> indices of its recent frames, for a crash report

function fail(msg) {
  if (!failures.includes(msg)) failures.push(msg);
  stopping = true;
}

async function main() {
  if (opts.bootstrap) daemon = { pid: process.pid, bootstrap: opts.bootstrap, first: opts.bootstrap.split(',')[0], attached: true };
  else {
    const overrides = opts['max-partitions-per-request'] > 0 ? { 'kafka-ts.max.partitions.per.request': String(opts['max-partitions-per-request']) } : {};
    daemon = await startDaemon(home, { brokers: opts.brokers, overrides });
    ownDaemon(daemon.pid);
  }
  const [host, portStr] = daemon.first.split(':');
  const port = Number(portStr);
  const targets = daemon.bootstrap.split(',').map((hp) => [hp.slice(0, hp.lastIndexOf(':')), Number(hp.slice(hp.lastIndexOf(':') + 1))]);
  const client = new lib.KafkaClient({ bootstrap: lib.parseBootstrap(daemon.bootstrap), connectTimeoutMs: 5000, requestTimeoutMs: 30_000 });
  const admin = new lib.Admin(client);

  // Known data before, checked after.
  const [created] = await admin.createTopics([{ name: GUARD, partitions: GUARD_PARTITIONS, replicationFactor: opts.brokers }]);
  if (created.error) throw new Error(`could not create ${GUARD}: ${created.error.message}`);
  const producer = new lib.Producer(client, { acks: -1, lingerMs: 2 });
  const written = Array.from({ length: GUARD_RECORDS }, (_, k) => ({ partition: k % GUARD_PARTITIONS, value: `guard-${k}` }));
  await Promise.all(written.map((w) => producer.send({ topic: GUARD, partition: w.partition, value: Buffer.from(w.value) })));
  const before = await readAll(lib, client, GUARD, GUARD_PARTITIONS);
  guardId = (await admin.describeTopics([GUARD]))[0].id;

  // Watchdogs: the pid, and ApiVersions answered on a side connection within the deadline.
  const start = Date.now();
  const pidTimer = setInterval(() => {
    if (!alive(daemon.pid)) fail(`the daemon (pid ${daemon.pid}) died`);
  }, 100);
  const prober = probeLoop(host, port);

  let next = opts.from;
  const workers = Array.from({ length: opts.connections }, (_, w) =>
    (async () => {
      // Connections spread over every broker's listener (3 brokers: 3 ports of one process).
      const [h, p] = targets[w % targets.length];
      while (!stopping && next < opts.frames) await oneConnection(w, h, p, () => (next < opts.frames ? next++ : -1));
    })(),
  );
  const house = housekeepingLoop(admin, () => next);
  await Promise.all(workers);
  const elapsed = (Date.now() - start) / 1000;
  stopping = true;
  clearInterval(pidTimer);
  await prober;
  await house;
  if (!alive(daemon.pid)) fail(`the daemon (pid ${daemon.pid}) died`);

  // Data intact: same records, same offsets, and nothing more.
  if (alive(daemon.pid)) {
    const after = await readAll(lib, client, GUARD, GUARD_PARTITIONS).catch((e) => fail(`reading ${GUARD} back failed: ${e.message}`));
    if (after) {
      const key = (r) => `${r.partition}:${r.offset}:${r.value}`;
      const a = after.map(key).sort();
      const b = before.map(key).sort();
      if (before.length !== GUARD_RECORDS) fail(`only ${before.length} of ${GUARD_RECORDS} guard records read before fuzzing`);
      if (a.length !== b.length || a.some((x, k) => x !== b[k])) fail(`${GUARD} changed: ${b.length} records before, ${a.length} after`);
      stats.guardRecords = after.length;
    }
  }
  await client.close();
  const log = scanLog(home);
  if (log.errors > 0) fail(`${log.errors} ERROR lines in server.log, first: ${log.firstErrors[0]}`);
  const closedWarns = log.warnLines.filter((l) => /[Cc]losing|closed|disconnect/.test(l)).length;
  return { elapsed, log, closedWarns };
}

function probeLoop(host, port) {
  return (async () => {
    let corr = 1;
    while (!stopping) {
      const t0 = Date.now();
      const ok = await new Promise((resolve) => {
        const s = net.connect(port, host);
        let buf = Buffer.alloc(0);
        const timer = setTimeout(() => {
          s.destroy();
          resolve(false);
        }, opts['deadline-ms']);
        s.on('error', () => undefined);
        s.on('connect', () => {
          const id = Buffer.from('fuzz-probe');
          const req = Buffer.alloc(4 + 2 + 2 + 4 + 2 + id.length);
          req.writeInt32BE(req.length - 4, 0);
          req.writeInt16BE(18, 4);
          req.writeInt16BE(0, 6);
          req.writeInt32BE(corr, 8);
          req.writeInt16BE(id.length, 12);
          id.copy(req, 14);
          s.write(req);
        });
        s.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          if (buf.length >= 10 && buf.length >= 4 + buf.readInt32BE(0)) {
            clearTimeout(timer);
            s.destroy();
            resolve(buf.readInt32BE(4) === corr && buf.readInt16BE(8) === 0);
          }
        });
        s.on('close', () => {
          clearTimeout(timer);
          resolve(false);
        });
      });
      const ms = Date.now() - t0;
      corr++;
      stats.probes++;
      stats.probeMaxMs = Math.max(stats.probeMaxMs, ms);
      if (ms > 1000 && stats.slowProbes.length < 5) stats.slowProbes.push(`${new Date(t0).toISOString()} ${ms} ms, in flight: ${[...lastFrames.values()].map((f) => f.at(-1)).join(' ')}`);
      if (!ok) fail(`ApiVersions on a side connection got no answer within ${opts['deadline-ms']} ms (probe ${stats.probes}, after ${stats.sent} frames)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
}

/** Keeps the broker's topic count bounded: mutated CreateTopics frames create random topics. */
function housekeepingLoop(admin, progress) {
  return (async () => {
    let last = 0;
    while (!stopping) {
      await new Promise((r) => setTimeout(r, 250));
      if (progress() - last < 5000) continue;
      last = progress();
      try {
        const topics = (await admin.listTopics()).filter((t) => !t.internal && t.name !== GUARD).map((t) => t.name);
        if (topics.length > 50) {
          stats.housekeeping++;
          for (let k = 0; k < topics.length; k += 100) await admin.deleteTopics(topics.slice(k, k + 100));
          stats.fuzzTopicsDeleted += topics.length;
        }
      } catch (e) {
        if (!stopping) fail(`housekeeping (list/delete topics) failed: ${e.message}`);
      }
    }
  })();
}

/** One connection: frames one after another, each waiting briefly for an answer or the close. */
function oneConnection(w, host, port, take) {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    let closed = false;
    let weClosed = false;
    let wake = null;
    let pending = Buffer.alloc(0);
    const recent = [];
    lastFrames.set(w, recent);
    stats.connections++;
    const poke = () => {
      const f = wake;
      wake = null;
      f?.();
    };
    s.setNoDelay(true);
    s.on('error', (e) => {
      if (!s.connecting) return;
      stats.connectErrors++;
      if (stats.connectErrors > 50) fail(`could not connect to ${host}:${port}: ${e.message}`);
    });
    s.on('data', (d) => {
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        stats.answers++;
        pending = pending.subarray(4 + pending.readInt32BE(0));
      }
      poke();
    });
    s.on('close', () => {
      closed = true;
      if (weClosed) stats.closedByUs++;
      else stats.closedByBroker++;
      poke();
      resolve();
    });
    const waitEvent = (ms) =>
      new Promise((r) => {
        const t = setTimeout(() => {
          wake = null;
          r();
        }, ms);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
    s.on('connect', async () => {
      for (let k = 0; k < opts['frames-per-connection'] && !closed && !stopping; k++) {
        const i = take();
        if (i < 0) break;
        const { frame, lies } = makeFrame(opts.seed, i);
        if (touchesGuard(frame)) {
          stats.skipped++;
          continue;
        }
        recent.push(i);
        if (recent.length > 8) recent.shift();
        stats.sent++;
        const answersBefore = stats.answers;
        s.write(frame);
        // An answer or the close usually comes at once; Produce acks=0 and a waiting Fetch do not answer.
        await waitEvent(lies ? 150 : 25);
        if (!closed && stats.answers === answersBefore && !lies) await waitEvent(25);
        if (lies) break;
      }
      if (!closed) {
        weClosed = true;
        s.destroy();
      }
    });
  });
}

let result;
let exitCode = 0;
try {
  result = await main();
} catch (e) {
  fail(`run failed: ${e.message}`);
} finally {
  if (daemon && !daemon.attached && alive(daemon.pid)) await stopDaemon(home);
  if (failures.length && daemon) {
    const file = join(home, 'fuzz-last-frames.json');
    writeFileSync(file, JSON.stringify(Object.fromEntries([...lastFrames].map(([w, f]) => [w, f])), null, 1));
    console.error(`kept ${home} (server.log, fuzz-last-frames.json: reproduce one with --seed ${opts.seed} --show I)`);
  } else if (!opts.keep) cleanup();
}
if (failures.length) exitCode = 1;
const summary = {
  ok: failures.length === 0,
  seed: opts.seed,
  brokers: opts.brokers,
  frames: stats.sent,
  skipped: stats.skipped,
  seconds: result ? Number(result.elapsed.toFixed(1)) : null,
  framesPerSecond: result ? Math.round(stats.sent / result.elapsed) : null,
  connections: stats.connections,
  closedByBroker: stats.closedByBroker,
  closedByUs: stats.closedByUs,
  answers: stats.answers,
  probes: stats.probes,
  probeMaxMs: stats.probeMaxMs,
  slowProbes: stats.slowProbes,
  errorLines: result?.log.errors ?? null,
  warnLines: result?.log.warns ?? null,
  closedConnectionWarns: result?.closedWarns ?? null,
  guardRecords: stats.guardRecords ?? null,
  fuzzTopicsDeleted: stats.fuzzTopicsDeleted,
  failures,
};
if (opts.json) console.log(JSON.stringify(summary));
else {
  console.log(`fuzz: seed ${summary.seed}, ${summary.brokers} broker(s), kafka-ts.max.partitions.per.request ${opts['max-partitions-per-request'] || 'default'}: ${summary.frames} frames in ${summary.seconds} s (${summary.framesPerSecond} frames/s), ${summary.skipped} skipped (guard topic)`);
  console.log(`  connections ${summary.connections}: closed by the broker ${summary.closedByBroker}, by the fuzzer ${summary.closedByUs}; answers ${summary.answers}`);
  console.log(`  ApiVersions probes ${summary.probes}, slowest ${summary.probeMaxMs} ms; server.log: ${summary.errorLines} ERROR, ${summary.warnLines} WARN (${summary.closedConnectionWarns} about closed connections)`);
  console.log(`  guard topic: ${summary.guardRecords} records intact; fuzz-created topics deleted in housekeeping: ${summary.fuzzTopicsDeleted}`);
  for (const p of summary.slowProbes) console.log(`  slow probe: ${p}`);
  for (const f of failures) console.log(`  FAILED: ${f}`);
  console.log(failures.length ? 'fuzz: FAILED' : 'fuzz: OK');
}
process.exit(exitCode);
