// The cost of TLS + SASL: one daemon with a PLAINTEXT and a SASL_SSL listener (PLAIN over TLS),
// kcat produce (-P, acks=all) and fetch (-C -e) of the same records through each, and the wall
// time of `kafka-ts topics --list` through each (falls back to kcat -L when the CLI has no client
// TLS/SASL yet, and says so). Certificates are made with openssl in the bench's temp dir.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BIN, fmt, kafkaTs, lineFile, median, requireKcat, SCALE, startDaemon, table, timed } from './lib.js';

const USER = 'bench';
const PASSWORD = 'bench-secret';

/** A throw-away CA and a server certificate for localhost/127.0.0.1, as PEM files in `dir`. */
function makeCerts(dir) {
  const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=bench CA');
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem');
  const keystore = join(dir, 'keystore.pem');
  execFileSync('sh', ['-c', 'cat server.key server.pem ca.pem > keystore.pem'], { cwd: dir });
  return { ca: join(dir, 'ca.pem'), keystore };
}

/**
 * Runs a consumer to completion; returns its wall seconds and the seconds from its first byte of
 * output to its exit (the streaming part: no connection set-up or offset lookup in it).
 */
function streamed(cmd, args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let first = null;
    let err = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', () => (first ??= process.hrtime.bigint()));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const end = process.hrtime.bigint();
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
      resolve({ seconds: Number(end - start) / 1e9, streamSeconds: Number(end - (first ?? start)) / 1e9 });
    });
  });
}

/** Median wall time in ms of `runs` runs (after 2 warm-ups); null with the error if it fails. */
function wall(cmd, args, env = {}, runs = 15) {
  const times = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) return { ms: null, error: (r.stderr || `exit ${r.status}`).trim().split('\n')[0] };
    if (i >= 2) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: median(times) };
}

export async function run() {
  requireKcat();
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-security-'));
  const certs = makeCerts(work);
  const jaas = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${USER}="${PASSWORD}";`;
  const daemon = startDaemon([
    '--override', 'listeners=PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    '--override', 'ssl.keystore.type=PEM',
    '--override', `ssl.keystore.location=${certs.keystore}`,
    '--override', 'sasl.enabled.mechanisms=PLAIN',
    '--override', `listener.name.sasl_ssl.plain.sasl.jaas.config=${jaas}`,
  ]);
  const status = JSON.parse(kafkaTs(['server', 'status', '--data-dir', daemon.home, '--output', 'json'], daemon.home).stdout);
  const secure = status.listeners.find((l) => l.startsWith('SASL_SSL://'))?.slice('SASL_SSL://'.length);
  const plain = daemon.bootstrap;
  const kcatSec = ['-X', 'security.protocol=sasl_ssl', '-X', 'sasl.mechanism=PLAIN', '-X', `sasl.username=${USER}`, '-X', `sasl.password=${PASSWORD}`, '-X', `ssl.ca.location=${certs.ca}`];
  const count = Math.round(500_000 * SCALE);
  const results = {};
  const rows = [];
  try {
    if (!secure) throw new Error(`the daemon shows no SASL_SSL listener: ${status.listeners.join(', ')}`);
    const file = lineFile(work, count, 100);
    const bytes = statSync(file).size;
    const measureOnce = async (name, address, extra) => {
      const topic = `sec-${name}`;
      kafkaTs(['topics', '--create', '--topic', topic, '--partitions', '1', '--bootstrap-server', plain], daemon.home);
      const p = await timed('kcat', ['-b', address, ...extra, '-P', '-t', topic, '-l', file, '-X', 'batch.num.messages=100000', '-X', 'queue.buffering.max.kbytes=1048576']);
      // Short fetch.wait.max.ms: see broker.js (kcat -e learns the end from an empty fetch).
      // librdkafka 2.0.2 sometimes starts its offset lookup before the partition has joined its
      // broker thread and retries it 500 ms later (on either listener, seen with -d fetch); the
      // fetch rate is therefore timed from kcat's first output to its exit, wall time kept too.
      const c = await streamed('kcat', ['-b', address, ...extra, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', 'fetch.message.max.bytes=4194304', '-X', 'fetch.wait.max.ms=10']);
      return { produceSeconds: p.seconds, fetchSeconds: c.streamSeconds, fetchWallSeconds: c.seconds };
    };
    // Runs of half a second are noisy on a shared machine: three rounds, alternating the two
    // listeners, each on a fresh topic; the median of each.
    const runs = { plaintext: [], saslSsl: [] };
    for (let round = 0; round < 3; round++) {
      runs.plaintext.push(await measureOnce(`plaintext-${round}`, plain, []));
      runs.saslSsl.push(await measureOnce(`sasl-ssl-${round}`, secure, kcatSec));
    }
    const summarise = (rs) => {
      const produceSeconds = median(rs.map((r) => r.produceSeconds));
      const fetchSeconds = median(rs.map((r) => r.fetchSeconds));
      const fetchWallSeconds = median(rs.map((r) => r.fetchWallSeconds));
      return { produceSeconds, fetchSeconds, fetchWallSeconds, produceRps: count / produceSeconds, fetchRps: count / fetchSeconds, rounds: rs };
    };
    const base = summarise(runs.plaintext);
    const sec = summarise(runs.saslSsl);
    results.throughput = { records: count, bytes, plaintext: base, saslSsl: sec, produceRatio: sec.produceRps / base.produceRps, fetchRatio: sec.fetchRps / base.fetchRps };
    rows.push(
      { benchmark: `kcat -P ${fmt(count)} x 100 B (median of 3)`, PLAINTEXT: `${fmt(base.produceRps)} rec/s`, SASL_SSL: `${fmt(sec.produceRps)} rec/s`, ratio: `${results.throughput.produceRatio.toFixed(2)}x`, target: '>= 0.6x' },
      { benchmark: `kcat -C -e ${fmt(count)} x 100 B (median of 3, first byte to end)`, PLAINTEXT: `${fmt(base.fetchRps)} rec/s`, SASL_SSL: `${fmt(sec.fetchRps)} rec/s`, ratio: `${results.throughput.fetchRatio.toFixed(2)}x`, target: '>= 0.6x' },
    );

    // topics --list through each listener, both over TCP (not the daemon's Unix socket).
    const props = join(work, 'client.properties');
    writeFileSync(props, [
      'security.protocol=SASL_SSL', 'sasl.mechanism=PLAIN',
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${USER}" password="${PASSWORD}";`,
      'ssl.truststore.type=PEM', `ssl.truststore.location=${certs.ca}`, '',
    ].join('\n'));
    const env = { KAFKA_TS_HOME: daemon.home };
    const cliPlain = wall(process.execPath, [BIN, 'topics', '--list', '--bootstrap-server', plain], env);
    const cliSecure = wall(process.execPath, [BIN, 'topics', '--list', '--bootstrap-server', secure, '--command-config', props], env);
    if (cliPlain.ms !== null && cliSecure.ms !== null) {
      results.topicsList = { tool: 'kafka-ts topics --list', plaintextMs: cliPlain.ms, saslSslMs: cliSecure.ms, ratio: cliSecure.ms / cliPlain.ms };
    } else {
      // The CLI cannot reach SASL_SSL yet: the same round trip (connect, handshake, metadata) with kcat -L.
      const kPlain = wall('kcat', ['-b', plain, '-L']);
      const kSecure = wall('kcat', ['-b', secure, ...kcatSec, '-L']);
      results.topicsList = { tool: 'kcat -L (kafka-ts topics --list over SASL_SSL failed)', cliError: cliSecure.error ?? cliPlain.error, plaintextMs: kPlain.ms, saslSslMs: kSecure.ms, ratio: kSecure.ms / kPlain.ms };
    }
    const t = results.topicsList;
    rows.push({ benchmark: `${t.tool} (median wall)`, PLAINTEXT: `${t.plaintextMs.toFixed(1)} ms`, SASL_SSL: `${t.saslSslMs.toFixed(1)} ms`, ratio: `${t.ratio.toFixed(2)}x`, target: '<= 1.3x' });
  } finally {
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  table(rows);
  if (results.topicsList?.cliError) console.log(`note: kafka-ts over SASL_SSL failed (${results.topicsList.cliError}); measured kcat -L instead`);
  return results;
}
