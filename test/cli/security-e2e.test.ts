/**
 * Issue 13 "Must show", through the built CLI: a three-broker daemon with SASL_SSL (PLAIN +
 * SCRAM), SSL (mutual TLS required) and SASL_PLAINTEXT listeners; alice's SCRAM credential made
 * with `configs --entity-type users` over the local socket; a context `prod` made from a
 * --command-config file whose password is `${env:ALICE_PW}`; then every command through that
 * context over SASL_SSL. Also: wrong password and untrusted CA (exit 7), mTLS and SASL_PLAINTEXT
 * contexts, and no secret in `context show` or `--help`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { kafkaTs, stopDaemon, type RunResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const PW = 'alice-Pa55-word';
const PLAIN_PW = 'bob-plain-secret';
const STANDARD = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
const RUN_TIMEOUT = 30_000;
let daemonHome: string;
let home: string;
let certs: TestCerts;
let listeners: string[];
const cleanups: (() => void)[] = [];

/** A kafka-ts run in the client's home (its own context store), with ALICE_PW set unless overridden. */
const kt = (args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<RunResult> =>
  kafkaTs(args, { home, env: { ALICE_PW: PW, ...opts.env }, input: opts.input, timeout: RUN_TIMEOUT });
/** A run against the daemon's own home: the local Unix socket, a super user. */
const local = (args: string[]): Promise<RunResult> => kafkaTs(args, { home: daemonHome, timeout: RUN_TIMEOUT });
const addr = (protocol: string): string => listeners.find((l) => l.startsWith(`${protocol}://`))!.slice(protocol.length + 3);
const show = (r: RunResult): string => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** Polls `check` until it returns true or the deadline passes; the failure says what was last seen. */
async function waitFor(what: string, check: () => Promise<[boolean, string]>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  let seen = '';
  for (;;) {
    const [ok, s] = await check();
    if (ok) return;
    seen = s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen:\n${seen}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function props(name: string, lines: string[]): string {
  const file = join(home, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

beforeAll(async () => {
  const d = tempDir('kafka-ts-cli-sece2e-daemon-');
  const c = tempDir('kafka-ts-cli-sece2e-');
  cleanups.push(d.cleanup, c.cleanup);
  daemonHome = d.dir;
  home = c.dir;
  certs = await makeCerts(join(home, 'certs'));
  const started = await kafkaTs(
    [
      'server', 'start', '--port', '0', '--data-dir', daemonHome, '--output', 'json', '--brokers', '3',
      '--override', 'listeners=PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      '--override', `ssl.keystore.location=${certs.serverKeystore}`,
      '--override', `ssl.truststore.location=${certs.caCert}`,
      '--override', 'listener.name.ssl.ssl.client.auth=required',
      '--override', 'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      '--override', 'listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512',
      '--override', `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_bob="${PLAIN_PW}";`,
      // The authorizer is on (so `acls --list` has something to answer) but open where no ACL applies.
      '--override', `authorizer.class.name=${STANDARD}`,
      '--override', 'allow.everyone.if.no.acl.found=true',
      '--override', 'group.initial.rebalance.delay.ms=0',
    ],
    { home: daemonHome, timeout: 60_000 },
  );
  expect(started.exitCode, show(started)).toBe(0);
  listeners = (JSON.parse(started.stdout) as { listeners: string[] }).listeners;
  const user = await local(['configs', '--entity-type', 'users', '--entity-name', 'alice', '--alter', '--add-config', `SCRAM-SHA-256=[iterations=8192,password=${PW}],SCRAM-SHA-512=[password=${PW}]`]);
  expect(user, show(user)).toMatchObject({ stdout: 'Completed updating config for user alice.\n', exitCode: 0 });

  const file = props('client.properties', [
    'security.protocol=SASL_SSL',
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${certs.caCert}`,
    'sasl.mechanism=SCRAM-SHA-256',
    'config.providers=env',
    'config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider',
    'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${env:ALICE_PW}";',
  ]);
  const add = await kt(['context', 'add', 'prod', '--bootstrap-server', addr('SASL_SSL'), '--command-config', file]);
  expect(add, show(add)).toMatchObject({ stdout: `Added context prod (${addr('SASL_SSL')}).\n`, exitCode: 0 });
  const use = await kt(['context', 'use', 'prod']);
  expect(use, show(use)).toMatchObject({ stdout: 'Switched to context prod.\n', exitCode: 0 });
}, 120_000);

afterAll(async () => {
  if (daemonHome) await stopDaemon(daemonHome);
  cleanups.forEach((c) => c());
});

describe('every command through a SASL_SSL context whose password is ${env:ALICE_PW}', () => {
  it('topics: create, list, describe, alter partitions', async () => {
    expect(await kt(['topics', '--create', '--topic', 'orders', '--partitions', '2', '--replication-factor', '2'])).toMatchObject({ stdout: 'Created topic orders.\n', exitCode: 0 });
    const list = await kt(['topics', '--list']);
    expect(list.exitCode, show(list)).toBe(0);
    expect(list.stdout.split('\n')).toContain('orders');
    const altered = await kt(['topics', '--alter', '--topic', 'orders', '--partitions', '3']);
    expect(altered.exitCode, show(altered)).toBe(0);
    const described = await kt(['topics', '--describe', '--topic', 'orders']);
    expect(described.exitCode, show(described)).toBe(0);
    expect(described.stdout).toMatch(/^Topic: orders\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 2\t/);
    expect(described.stdout.split('\n').filter((l) => l.startsWith('\tTopic: orders\tPartition:'))).toHaveLength(3);
  });

  it('console-producer and console-consumer in a group', async () => {
    const produced = await kt(['console-producer', '--topic', 'orders', '--property', 'parse.key=true', '--property', 'key.separator=:'], { input: 'k1:one\nk2:two\nk3:three\n' });
    expect(produced.exitCode, show(produced)).toBe(0);
    const consumed = await kt(['console-consumer', '--topic', 'orders', '--group', 'billing', '--from-beginning', '--max-messages', '3', '--timeout-ms', '20000']);
    expect(consumed.exitCode, show(consumed)).toBe(0);
    expect(consumed.stdout.split('\n').filter(Boolean).sort()).toEqual(['one', 'three', 'two']);
    expect(consumed.stderr).toContain('Processed a total of 3 messages');
  });

  it('consumer-groups list, describe and reset-offsets --execute; lag --once', async () => {
    const list = await kt(['consumer-groups', '--list']);
    expect(list.exitCode, show(list)).toBe(0);
    expect(list.stdout.split('\n')).toContain('billing');
    const described = await kt(['consumer-groups', '--describe', '--group', 'billing']);
    expect(described.exitCode, show(described)).toBe(0);
    const rows = described.stdout.split('\n').filter((l) => l.startsWith('billing '));
    expect(rows).toHaveLength(3);
    const committed = rows.map((l) => l.split(/\s+/)).reduce((n, cols) => n + Number(cols[3]), 0);
    expect(committed).toBe(3);
    const reset = await kt(['consumer-groups', '--group', 'billing', '--reset-offsets', '--to-earliest', '--topic', 'orders', '--execute']);
    expect(reset.exitCode, show(reset)).toBe(0);
    expect(reset.stdout).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+NEW-OFFSET/);
    expect(reset.stdout.split('\n').filter((l) => l.startsWith('billing ')).map((l) => l.split(/\s+/)[3])).toEqual(['0', '0', '0']);
    const lag = await kt(['lag', 'billing', '--once', '-o', 'json']);
    expect(lag.exitCode, show(lag)).toBe(0);
    expect(lag.stdout).toContain('billing');
    const doc = JSON.parse(lag.stdout) as { groups: { group: string; totalLag: number }[]; missing: string[] };
    expect(doc.groups.map((g) => [g.group, g.totalLag])).toEqual([['billing', 3]]);
    expect(doc.missing).toEqual([]);
  });

  it('reassign-partitions generate, execute and verify; leader-election', async () => {
    const move = join(home, 'move.json');
    writeFileSync(move, JSON.stringify({ version: 1, topics: [{ topic: 'orders' }] }));
    const gen = await kt(['reassign-partitions', '--generate', '--topics-to-move-json-file', move, '--broker-list', '1,2,3']);
    expect(gen.exitCode, show(gen)).toBe(0);
    expect(gen.stdout).toContain('Proposed partition reassignment configuration');
    const current = JSON.parse(gen.stdout.split('\n')[1]!) as { partitions: { partition: number; replicas: number[] }[] };
    const p0 = current.partitions.find((p) => p.partition === 0)!;
    // Move partition 0 to the two brokers it is not (all) on, leader first: a real data move.
    const target = [1, 2, 3].filter((b) => b !== p0.replicas[0]).slice(0, 2);
    const plan = join(home, 'plan.json');
    writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'orders', partition: 0, replicas: target }] }));
    const exec = await kt(['reassign-partitions', '--execute', '--reassignment-json-file', plan]);
    expect(exec.exitCode, show(exec)).toBe(0);
    expect(exec.stdout).toContain('Successfully started partition reassignment for orders-0');
    await waitFor('the reassignment of orders-0 to complete', async () => {
      const v = await kt(['reassign-partitions', '--verify', '--reassignment-json-file', plan]);
      return [v.exitCode === 0 && v.stdout.includes('Reassignment of partition orders-0 is completed'), show(v)];
    });
    const described = await kt(['topics', '--describe', '--topic', 'orders']);
    expect(described.stdout).toContain(`\tPartition: 0\tLeader: ${target[0]}\tReplicas: ${target.join(',')}\t`);
    const elect = await kt(['leader-election', '--election-type', 'preferred', '--topic', 'orders', '--partition', '0']);
    expect(elect, show(elect)).toMatchObject({ exitCode: 0, stdout: 'Valid replica already elected for partitions orders-0\n' });
    const all = await kt(['leader-election', '--election-type', 'preferred', '--all-topic-partitions']);
    expect(all.exitCode, show(all)).toBe(0);
  });

  it('acls add and list; configs describes users', async () => {
    const add = await kt(['acls', '--add', '--allow-principal', 'User:bob', '--operation', 'Read', '--topic', 'orders']);
    expect(add.exitCode, show(add)).toBe(0);
    const list = await kt(['acls', '--list']);
    expect(list.exitCode, show(list)).toBe(0);
    expect(list.stdout).toContain('Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: ');
    expect(list.stdout).toContain('(principal=User:bob, host=*, operation=READ, permissionType=ALLOW)');
    const users = await kt(['configs', '--describe', '--entity-type', 'users', '--entity-name', 'alice']);
    expect(users, show(users)).toMatchObject({ exitCode: 0, stdout: "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n" });
    const removed = await kt(['acls', '--remove', '--force', '--allow-principal', 'User:bob', '--operation', 'Read', '--topic', 'orders']);
    expect(removed.exitCode, show(removed)).toBe(0);
  });

  it('topics --delete', async () => {
    const del = await kt(['topics', '--delete', '--topic', 'orders']);
    expect(del.exitCode, show(del)).toBe(0);
    await waitFor('orders to leave the topic list', async () => {
      const l = await kt(['topics', '--list']);
      return [l.exitCode === 0 && !l.stdout.split('\n').includes('orders'), show(l)];
    });
  });
});

describe('refusals and secrets', () => {
  it('a wrong password is exit 7 with one line naming the user and mechanism, and never printed', async () => {
    const r = await kt(['topics', '--list'], { env: { ALICE_PW: 'not-her-password' } });
    expect(r.exitCode, show(r)).toBe(7);
    expect(r.stderr).toContain('authentication failed for user alice (SASL SCRAM-SHA-256)');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toContain('not-her-password');
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a context trusting another CA is exit 7 naming the certificate problem', async () => {
    const file = props('other-ca.properties', [
      'security.protocol=SASL_SSL',
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${certs.otherCaCert}`,
      'sasl.mechanism=SCRAM-SHA-256',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${env:ALICE_PW}";',
    ]);
    expect((await kt(['context', 'add', 'untrusted', '--bootstrap-server', addr('SASL_SSL'), '--command-config', file])).exitCode).toBe(0);
    const r = await kt(['topics', '--list', '--context', 'untrusted']);
    expect(r.exitCode, show(r)).toBe(7);
    expect(r.stderr).toMatch(/not trusted/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toContain(PW);
  });

  it('the mTLS listener with a client certificate, and SCRAM-SHA-512 over SASL_PLAINTEXT, through contexts', async () => {
    const keystore = join(home, 'client-keystore.pem');
    writeFileSync(keystore, readFileSync(certs.clientKey, 'utf8') + readFileSync(certs.clientCert, 'utf8'));
    const mtls = await kt([
      'context', 'add', 'mtls', '--bootstrap-server', addr('SSL'),
      '--property', 'security.protocol=SSL', '--property', `ssl.truststore.location=${certs.caCert}`, '--property', 'ssl.keystore.type=PEM',
      '--property', `ssl.keystore.location=${keystore}`,
    ]);
    expect(mtls.exitCode, show(mtls)).toBe(0);
    const created = await kt(['topics', '--create', '--topic', 'via-mtls', '--context', 'mtls']);
    expect(created, show(created)).toMatchObject({ stdout: 'Created topic via-mtls.\n', exitCode: 0 });
    // Without a client certificate the SSL listener (client auth required) refuses the handshake.
    const noCert = await kt(['topics', '--list', '--bootstrap-server', addr('SSL'), '--command-config', props('nocert.properties', ['security.protocol=SSL', `ssl.truststore.location=${certs.caCert}`])]);
    expect(noCert.exitCode, show(noCert)).toBe(7);
    const sasl = await kt([
      'context', 'add', 'scram512', '--bootstrap-server', addr('SASL_PLAINTEXT'),
      '--property', 'security.protocol=SASL_PLAINTEXT', '--property', 'sasl.mechanism=SCRAM-SHA-512',
      '--property', 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${env:ALICE_PW}";',
    ]);
    expect(sasl.exitCode, show(sasl)).toBe(0);
    const list = await kafkaTs(['topics', '--list'], { home, env: { ALICE_PW: PW, KAFKA_TS_CONTEXT: 'scram512' }, timeout: RUN_TIMEOUT });
    expect(list.exitCode, show(list)).toBe(0);
    expect(list.stdout.split('\n')).toContain('via-mtls');
    // PLAIN (bob, from the listener's JAAS users) over SASL_SSL.
    const plain = await kt(['topics', '--list', '--bootstrap-server', addr('SASL_SSL'), '--command-config', props('plain.properties', [
      'security.protocol=SASL_SSL', `ssl.truststore.location=${certs.caCert}`, 'sasl.mechanism=PLAIN', 'sasl.username=bob', `sasl.password=${PLAIN_PW}`,
    ])]);
    expect(plain.exitCode, show(plain)).toBe(0);
    expect(plain.stdout.split('\n')).toContain('via-mtls');
  });

  it("the same file through each tool's own flag, without a context (config.providers=env)", async () => {
    const file = join(home, 'client.properties');
    const bs = ['--bootstrap-server', addr('SASL_SSL')];
    const r = await kt(['topics', '--list', ...bs, '--command-config', file]);
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stdout.split('\n')).toContain('via-mtls');
    const produced = await kt(['console-producer', ...bs, '--topic', 'via-mtls', '--producer.config', file], { input: 'p1\n' });
    expect(produced.exitCode, show(produced)).toBe(0);
    const consumed = await kt(['console-consumer', ...bs, '--topic', 'via-mtls', '--consumer.config', file, '--from-beginning', '--max-messages', '1', '--timeout-ms', '20000']);
    expect(consumed, show(consumed)).toMatchObject({ exitCode: 0, stdout: 'p1\n' });
    const elect = await kt(['leader-election', ...bs, '--admin.config', file, '--election-type', 'preferred', '--topic', 'via-mtls', '--partition', '0']);
    expect(elect, show(elect)).toMatchObject({ exitCode: 0, stdout: 'Valid replica already elected for partitions via-mtls-0\n' });
  });

  it('mismatched security settings are one line each, exit 7, quickly and without a stack trace', async () => {
    const cases: [string, string[], string][] = [
      ['TLS to a plaintext port', [addr('PLAINTEXT'), 'security.protocol=SSL', `ssl.truststore.location=${certs.caCert}`], 'does not speak TLS'],
      ['plaintext to a TLS port', [addr('SASL_SSL')], 'looks like a TLS listener'],
      ['plaintext to a SASL port', [addr('SASL_PLAINTEXT')], 'set security.protocol=SASL_PLAINTEXT or SASL_SSL'],
      ['SASL to a PLAINTEXT port', [addr('PLAINTEXT'), 'security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-256', 'sasl.username=alice', `sasl.password=${PW}`], 'does not expect SASL'],
      ['a mechanism the listener does not enable', [addr('SASL_PLAINTEXT'), 'security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=PLAIN', 'sasl.username=bob', `sasl.password=${PLAIN_PW}`],
        'does not enable SASL mechanism PLAIN; it enables: SCRAM-SHA-256, SCRAM-SHA-512'],
      ['an unknown user', [addr('SASL_PLAINTEXT'), 'security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-512', 'sasl.username=mallory', 'sasl.password=guess-Xy9'], 'authentication failed for user mallory (SASL SCRAM-SHA-512)'],
      ['a wrong PLAIN password', [addr('SASL_SSL'), 'security.protocol=SASL_SSL', `ssl.truststore.location=${certs.caCert}`, 'sasl.mechanism=PLAIN', 'sasl.username=bob', 'sasl.password=guess-Xy9'], 'authentication failed for user bob (SASL PLAIN)'],
    ];
    for (const [what, [bs, ...lines], message] of cases) {
      const began = Date.now();
      const r = await kt(['topics', '--list', '--bootstrap-server', bs!, '--command-config', props('case.properties', lines)]);
      expect({ what, exitCode: r.exitCode, out: r.stdout + r.stderr }).toEqual({ what, exitCode: 7, out: expect.stringContaining(message) as string });
      expect({ what, lines: r.stderr.trim().split('\n').length, fastMs: Date.now() - began < 15_000 }).toEqual({ what, lines: 1, fastMs: true });
      expect(r.stderr).not.toContain(PLAIN_PW);
      expect(r.stderr).not.toContain(PW);
      expect(r.stderr).not.toContain('guess-Xy9');
    }
  });

  it('context show masks a literal password; --help shows no secret', async () => {
    const add = await kt([
      'context', 'add', 'literal', '--bootstrap-server', addr('SASL_SSL'), '--property', 'security.protocol=SASL_SSL',
      '--property', 'sasl.mechanism=SCRAM-SHA-256', '--property', `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${PW}";`,
      '--property', `ssl.key.password=${PW}`, '--property', `sasl.password=${PW}`,
    ]);
    expect(add.exitCode, show(add)).toBe(0);
    expect(add.stdout + add.stderr).not.toContain(PW);
    for (const args of [['context', 'show', 'literal'], ['context', 'show', 'literal', '-o', 'json'], ['context', 'show', 'prod'], ['context', 'list'], ['context', 'show', 'prod', '-o', 'json']]) {
      const r = await kt(args);
      expect(r.exitCode, show(r)).toBe(0);
      expect({ args, leaked: (r.stdout + r.stderr).includes(PW) }).toEqual({ args, leaked: false });
    }
    const prod = await kt(['context', 'show', 'prod']);
    expect(prod.stdout).toContain('username="alice"');
    for (const cmd of ['topics', 'console-producer', 'console-consumer', 'consumer-groups', 'lag', 'reassign-partitions', 'leader-election', 'acls', 'configs', 'context']) {
      const r = await kt([cmd, '--help']);
      expect({ cmd, exitCode: r.exitCode }).toEqual({ cmd, exitCode: 0 });
      expect({ cmd, leaked: (r.stdout + r.stderr).includes(PW) }).toEqual({ cmd, leaked: false });
    }
  });
});

describe('the daemon log', () => {
  it('records the failed logins without any password', async () => {
    const log = readFileSync(join(daemonHome, 'server.log'), 'utf8');
    expect(log).toContain('Failed authentication');
    expect(log).toContain('user "alice"');
    for (const secret of [PW, PLAIN_PW, 'not-her-password', 'guess-Xy9']) expect({ secret, inLog: log.includes(secret) }).toEqual({ secret, inLog: false });
  });
});
