/**
 * A stop (SIGTERM, Ctrl-C, SIGHUP) before the streaming tools have begun their work ends them as
 * a later stop does: their final output (count, summary, total line) and exit 143/130/129. While
 * connecting (a bootstrap address that resets every connection), they were killed by Node's default
 * handler, silently; console-consumer stopped while it looked up its partitions, stop offsets
 * and positions waited for that to end (here: a ListOffsets never answered).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tempDir } from '../helpers/tmp.js';
import { BIN, isolatedContexts } from '../helpers/cli.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { KafkaProxy, requestApiKey } from '../helpers/kafka-proxy.js';
import { Admin } from '../../src/client/admin.js';

let home: string;
let cleanup: () => void;
let refuser: Server;
let refusingPort: number;
let props: string;

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-stop-early-'));
  // An address no connection gets through: a listener on a port of the system's choosing that
  // resets every connection at once, held for the whole file (a port taken and given back, as
  // before, could be bound by another test meanwhile).
  refuser = createServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((r) => refuser.listen(0, '127.0.0.1', r));
  refusingPort = (refuser.address() as AddressInfo).port;
  // Still retrying, whatever the machine's speed, when the signal comes.
  props = join(home, 'client.properties');
  writeFileSync(props, 'default.api.timeout.ms=120000\n');
});
afterAll(async () => {
  await new Promise((r) => refuser.close(r));
  cleanup();
});

function spawn(args: string[]): ResultPromise {
  return execa(process.execPath, [BIN, ...args], {
    env: { KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: '', ...isolatedContexts(home) },
    reject: false,
    stripFinalNewline: false,
    timeout: 60_000,
  });
}

/** Resolves once `seen()` holds, or the process has ended (the assertions on its result then say why). */
function until(proc: ResultPromise, seen: () => boolean, stream: 'stdout' | 'stderr' = 'stderr'): Promise<void> {
  return new Promise<void>((resolve) => {
    proc[stream]!.on('data', () => seen() && resolve());
    void proc.then(() => resolve());
  });
}

/** Stops the command with `signal` once it says it is retrying its connection. */
async function stopWhileConnecting(args: string[], signal: NodeJS.Signals) {
  const child = spawn(args);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await until(child, () => err.includes('retrying for up to'));
  child.kill(signal);
  const r = await child;
  return { exitCode: r.exitCode, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('stopped while connecting', () => {
  const at = () => `127.0.0.1:${refusingPort}`;

  it('producer-perf-test prints its total line (nothing sent) and exits 143', async () => {
    const r = await stopWhileConnecting(['producer-perf-test', '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--producer-props', `bootstrap.servers=${at()}`, 'max.block.ms=120000'], 'SIGTERM');
    expect({ exitCode: r.exitCode, signal: r.signal }).toEqual({ exitCode: 143, signal: undefined });
    expect(r.stdout).toMatch(/^0 records sent, 0\.0 records\/sec \(0\.00 MB\/sec\)/);
  });

  it('producer-perf-test --output json says interrupted', async () => {
    const r = await stopWhileConnecting(['producer-perf-test', '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--producer-props', `bootstrap.servers=${at()}`, 'max.block.ms=120000', '--output', 'json'], 'SIGINT');
    expect({ exitCode: r.exitCode, signal: r.signal }).toEqual({ exitCode: 130, signal: undefined });
    expect(JSON.parse(r.stdout)).toMatchObject({ topic: 't', records: 0, interrupted: true });
  });

  it('consumer-perf-test prints its header and summary (nothing consumed) and exits 130', async () => {
    const r = await stopWhileConnecting(['consumer-perf-test', '--bootstrap-server', at(), '--topic', 't', '--messages', '10', '--command-config', props], 'SIGINT');
    expect({ exitCode: r.exitCode, signal: r.signal }).toEqual({ exitCode: 130, signal: undefined });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^start\.time, end\.time, data\.consumed\.in\.MB/);
    expect(lines[1]!.split(', ').slice(2)).toEqual(['0.0000', '0.0000', '0', '0.0000', '0', expect.stringMatching(/^\d+$/), '0.0000', '0.0000']);
  });

  it('e2e-latency prints its result lines (nothing measured) and ends by SIGHUP (as a later SIGHUP)', async () => {
    const r = await stopWhileConnecting(['e2e-latency', at(), 't', '10', '1', '10', props], 'SIGHUP');
    expect({ exitCode: r.exitCode, signal: r.signal, stdout: r.stdout }).toEqual({ exitCode: undefined, signal: 'SIGHUP', stdout: 'Avg latency: 0.0000 ms\nPercentiles: 50th = 0, 99th = 0, 99.9th = 0\n' });
  });

  it('console-producer prints its summary (0 sent) and exits 143', async () => {
    const r = await stopWhileConnecting(['console-producer', '--bootstrap-server', at(), '--topic', 't', '--max-block-ms', '120000'], 'SIGTERM');
    expect({ exitCode: r.exitCode, signal: r.signal, last: r.stderr.trimEnd().split('\n').pop() }).toEqual({ exitCode: 143, signal: undefined, last: 'kafka-ts console-producer: sent 0 records to topic t' });
  });

  it('console-producer --output json says interrupted', async () => {
    const r = await stopWhileConnecting(['console-producer', '--bootstrap-server', at(), '--topic', 't', '--max-block-ms', '120000', '--output', 'json'], 'SIGTERM');
    expect({ exitCode: r.exitCode, json: JSON.parse(r.stdout) as unknown }).toEqual({ exitCode: 143, json: { topic: 't', sent: 0, failed: 0, inputError: null, interrupted: true } });
  });
});

describe('console-consumer stopped while it looks up where to read', () => {
  let broker: TestBroker;
  let proxy: KafkaProxy;
  let proxyPort: number;
  /** Requests of this API swallowed (ListOffsets: the consumer's setup waits on them). */
  let swallowKey = 2;
  let swallowed = 0;
  let onSwallowed = () => {};

  beforeAll(async () => {
    // Every connection goes through the proxy (the broker advertises it), which never passes a ListOffsets on.
    proxy = new KafkaProxy(() => ({
      request: (f) => {
        if (requestApiKey(f) !== swallowKey) return true;
        swallowed++;
        onSwallowed();
        return false;
      },
    }));
    proxyPort = await proxy.listen();
    broker = await startBroker({ properties: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxyPort}` } });
    proxy.target = broker.cluster.boundPort(broker.cluster.brokers()[0]!.id);
    const admin = new Admin(broker.client());
    const [res] = await admin.createTopics([{ name: 'setup', partitions: 1, replicationFactor: 1 }]);
    expect(res?.error).toBeFalsy();
  });
  afterAll(async () => {
    await proxy?.close();
    await broker?.close();
  });

  for (const [what, offset, signal, code] of [
    ['its start position', 'earliest', 'SIGTERM', 143],
    ['its stop offsets', '0:end', 'SIGINT', 130],
    ['the offsets of a time', '@-1h', 'SIGHUP', undefined],
  ] as const) {
    it(`says its count and ends as a ${signal} stop does, at once, when stopped while looking up ${what}`, async () => {
      const before = swallowed;
      const looking = new Promise<void>((r) => (onSwallowed = () => swallowed > before && r()));
      const args = ['console-consumer', '--bootstrap-server', `127.0.0.1:${proxyPort}`, '--topic', 'setup', '--partition', '0', '--offset', offset, '--enable-systest-events', '--consumer-property', 'default.api.timeout.ms=120000', '--consumer-property', 'request.timeout.ms=120000'];
      const child = spawn(args);
      await Promise.race([looking, child]);
      child.kill(signal);
      const r = await child;
      expect({ exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, stdout: r.stdout, last: String(r.stderr).trimEnd().split('\n').pop() }).toEqual({
        exitCode: code,
        // SIGHUP: the process ends by it once done (sighup.test).
        signal: code === undefined ? signal : undefined,
        timedOut: false,
        stdout: 'shutdown_complete\n',
        last: 'Processed a total of 0 messages',
      });
    });
  }

  it('e2e-latency stopped while its consumer looks up the end of the topic prints its result lines (nothing measured) and exits 143', async () => {
    const before = swallowed;
    const looking = new Promise<void>((r) => (onSwallowed = () => swallowed > before && r()));
    const cfg = join(home, 'e2e.properties');
    writeFileSync(cfg, 'default.api.timeout.ms=120000\nrequest.timeout.ms=120000\n');
    const child = spawn(['e2e-latency', `127.0.0.1:${proxyPort}`, 'setup', '10', '1', '10', cfg]);
    await Promise.race([looking, child]);
    child.kill('SIGTERM');
    const r = await child;
    expect({ exitCode: r.exitCode, timedOut: r.timedOut, stdout: r.stdout }).toEqual({ exitCode: 143, timedOut: false, stdout: 'Avg latency: 0.0000 ms\nPercentiles: 50th = 0, 99th = 0, 99.9th = 0\n' });
  });

  it('consumer-perf-test stopped while it looks up its topic prints its header and summary (nothing consumed) and exits 143', async () => {
    // The lookup is a Metadata request; the connection itself has been made (ApiVersions only).
    swallowKey = 3;
    try {
      const before = swallowed;
      const looking = new Promise<void>((r) => (onSwallowed = () => swallowed > before && r()));
      const cfg = join(home, 'perf.properties');
      writeFileSync(cfg, 'default.api.timeout.ms=120000\nrequest.timeout.ms=120000\n');
      const child = spawn(['consumer-perf-test', '--bootstrap-server', `127.0.0.1:${proxyPort}`, '--topic', 'setup', '--messages', '10', '--command-config', cfg]);
      await Promise.race([looking, child]);
      child.kill('SIGTERM');
      const r = await child;
      expect({ exitCode: r.exitCode, timedOut: r.timedOut }).toEqual({ exitCode: 143, timedOut: false });
      const lines = String(r.stdout).trimEnd().split('\n');
      expect(lines[0]).toMatch(/^start\.time, end\.time, data\.consumed\.in\.MB/);
      expect(lines[1]!.split(', ').slice(2, 5)).toEqual(['0.0000', '0.0000', '0']);
    } finally {
      swallowKey = 2;
    }
  });
});
