/**
 * A daemon whose only TCP listener is SASL_SSL (SCRAM-SHA-256): its first SCRAM user is created
 * through the daemon's LOCAL Unix socket (a super user there, no TCP plaintext needed), then kcat
 * logs in over TLS, produces and consumes in a group, and the kafka-ts CLI sees the group's
 * commits over the Unix socket, makes a SCRAM-SHA-512 user kcat can log in as (kafka-ts configs)
 * and lists topics over SASL_SSL with a --command-config file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, stopDaemon } from '../helpers/cli.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { createScramUsers } from '../helpers/scram-users.js';
import { kcat, kcatSecurity, requireKcat, type ClientSecurity } from '../helpers/real-clients.js';

let home: string;
let cleanup: () => void;
let certs: TestCerts;
let address: string;
let sec: ClientSecurity;
const kt = (...args: string[]) => kafkaTs(args, { home });

beforeAll(async () => {
  requireKcat();
  ({ dir: home, cleanup } = tempDir('kafka-ts-sec-daemon-'));
  certs = await makeCerts(join(home, 'certs'));
  const r = await kafkaTs(['server', 'start', '--port', '0', '--data-dir', home, '--output', 'json',
    '--override', 'listeners=SASL_SSL://127.0.0.1:0',
    '--override', 'ssl.keystore.type=PEM', '--override', `ssl.keystore.location=${certs.serverKeystore}`,
    '--override', 'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512'], { home });
  if (r.exitCode !== 0) throw new Error(`daemon failed to start: ${r.stderr}${r.stdout}`);
  const listeners = (JSON.parse(r.stdout) as { listeners: string[] }).listeners;
  expect(listeners.filter((l) => !l.startsWith('LOCAL:')).map((l) => l.split('://')[0])).toEqual(['SASL_SSL']);
  address = listeners.find((l) => l.startsWith('SASL_SSL://'))!.slice('SASL_SSL://'.length);
  sec = { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-256', username: 'erin', password: 'erin-scram-pw', ca: certs.caCert };
}, 60_000);

afterAll(async () => {
  if (home) await stopDaemon(home);
  cleanup?.();
});

describe('a SASL_SSL-only daemon', () => {
  it('gets its first SCRAM user through the LOCAL Unix socket; kcat then logs in, produces and consumes in a group', { timeout: 120_000 }, async () => {
    const before = await kcat(['-b', address, ...kcatSecurity(sec), '-L', '-m', '3'], { timeout: 20_000 });
    expect(before.stdout + before.stderr).toMatch(/Authentication failed/);

    await createScramUsers({ path: join(home, 'kafka.sock') }, [{ name: sec.username!, password: sec.password!, mechanism: 'SCRAM-SHA-256' }]);
    const md = await kcat(['-b', address, ...kcatSecurity(sec), '-L'], { timeout: 20_000 });
    expect(md.exitCode, md.stderr).toBe(0);
    // The broker advertises its SASL_SSL endpoint to a client that came in on it.
    expect(md.stdout).toContain(`at ${address}`);

    expect((await kt('topics', 'create', 'daemon-sec', '-p', '2')).exitCode).toBe(0);
    const input = Array.from({ length: 400 }, (_, i) => `k${i}:v${i}\n`).join('');
    const p = await kcat(['-b', address, ...kcatSecurity(sec), '-P', '-t', 'daemon-sec', '-K', ':'], { input, timeout: 60_000 });
    expect(p.exitCode, p.stderr).toBe(0);

    const seen = new Set<string>();
    const member = spawn('/usr/bin/kcat', ['-b', address, ...kcatSecurity(sec), '-G', 'daemon-group', 'daemon-sec', '-o', 'beginning', '-q', '-u', '-f', '%s\n', '-X', 'auto.commit.interval.ms=100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    member.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => (member.kill('SIGKILL'), reject(new Error(`kcat -G read ${seen.size} of 400; stderr:\n${stderr}`))), 60_000);
      member.stdout.on('data', (d: Buffer) => {
        for (const l of d.toString().split('\n')) if (l) seen.add(l);
        if (seen.size >= 400) {
          clearTimeout(t);
          member.kill('SIGTERM');
          member.once('close', () => resolve());
        }
      });
    });
    expect(seen.size).toBe(400);

    // The CLI (over the Unix socket) sees the group's commits: nothing left to consume.
    const d = await kt('consumer-groups', 'describe', 'daemon-group', '--output', 'json');
    expect(d.exitCode, d.stderr).toBe(0);
    const group = JSON.parse(d.stdout).groups[0];
    expect(group.totalLag).toBe(0);
    expect(group.offsets).toHaveLength(2);
  });

  it('a user made with kafka-ts configs --alter --add-config SCRAM-SHA-512=[...] (Kafka\'s syntax) logs in with kcat', { timeout: 60_000 }, async () => {
    const alter = await kt('configs', '--alter', '--entity-type', 'users', '--entity-name', 'grace', '--add-config', 'SCRAM-SHA-512=[iterations=8192,password=grace-pw]');
    expect(alter.exitCode, alter.stderr).toBe(0);
    expect(alter.stdout + alter.stderr).not.toContain('grace-pw');
    const grace: ClientSecurity = { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-512', username: 'grace', password: 'grace-pw', ca: certs.caCert };
    const md = await kcat(['-b', address, ...kcatSecurity(grace), '-L'], { timeout: 20_000 });
    expect(md.exitCode, md.stderr).toBe(0);
    expect(md.stdout).toContain(`at ${address}`);
    const wrong = await kcat(['-b', address, ...kcatSecurity({ ...grace, password: 'not-it' }), '-L', '-m', '3'], { timeout: 20_000 });
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toMatch(/Authentication failed/);
    const described = await kt('configs', '--describe', '--entity-type', 'users', '--entity-name', 'grace');
    expect(described.stdout).toMatch(/SCRAM-SHA-512/);
    expect(described.stdout).toMatch(/8192/);
    expect(described.stdout).not.toContain('grace-pw');
  });

  it('kafka-ts topics --list reaches it over SASL_SSL with a --command-config file; a wrong password exits 7', { timeout: 60_000 }, async () => {
    await createScramUsers({ path: join(home, 'kafka.sock') }, [{ name: 'frank', password: 'frank-pw', mechanism: 'SCRAM-SHA-256' }]);
    expect((await kt('topics', 'create', 'daemon-listed')).exitCode).toBe(0);
    const props = (password: string) => {
      const file = join(home, `client-${password}.properties`);
      writeFileSync(file, [
        'security.protocol=SASL_SSL', 'sasl.mechanism=SCRAM-SHA-256',
        `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="frank" password="${password}";`,
        'ssl.truststore.type=PEM', `ssl.truststore.location=${certs.caCert}`, '',
      ].join('\n'));
      return file;
    };
    const ok = await kt('topics', '--list', '--bootstrap-server', address, '--command-config', props('frank-pw'));
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout.split('\n')).toContain('daemon-listed');
    const bad = await kt('topics', '--list', '--bootstrap-server', address, '--command-config', props('nope'));
    expect(bad.exitCode, bad.stdout + bad.stderr).toBe(7);
    expect(bad.stderr).toMatch(/authentication failed/i);
    expect(bad.stderr).not.toContain('nope');
  });
});
