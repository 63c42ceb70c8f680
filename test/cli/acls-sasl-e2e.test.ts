/**
 * Issue 13 "Must show" for ACLs, through the built CLI and kcat: a three-broker daemon with
 * StandardAuthorizer, allow.everyone.if.no.acl.found=false and a SASL_SSL listener; alice has
 * SCRAM-SHA-256/512 credentials. Without ACLs alice (kafka-ts through a context, and kcat with
 * SCRAM-SHA-512 over TLS) cannot describe, produce, consume or commit; `acls --add --producer`
 * lets her produce only; `--consumer --group g` lets her consume in g; deny beats allow; prefixed
 * patterns work; the ACLs survive a daemon restart and a controller change
 * (`server stop-broker <controller>`). ACLs are added over the local socket (a super user).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { kafkaTs, stopDaemon, type RunResult } from '../helpers/cli.js';
import { kcat } from '../helpers/real-clients.js';
import { tempDir } from '../helpers/tmp.js';

const PW = 'alice-acl-secret';
const STANDARD = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
const RUN_TIMEOUT = 30_000;
let daemonHome: string;
let home: string;
let certs: TestCerts;
/** Every live broker's SASL_SSL address, comma-separated (changes at each start: port 0). */
let bootstrap = '';
const cleanups: (() => void)[] = [];

const show = (r: RunResult): string => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
/** kafka-ts as alice: the `alice` context's properties, at the daemon's current address. */
const asAlice = (args: string[], input?: string): Promise<RunResult> =>
  kafkaTs([...args, '--bootstrap-server', bootstrap], { home, env: { ALICE_PW: PW, KAFKA_TS_CONTEXT: 'alice' }, input, timeout: RUN_TIMEOUT });
/** kafka-ts over the daemon's local socket: a super user. */
const admin = (...args: string[]): Promise<RunResult> => kafkaTs(args, { home: daemonHome, timeout: RUN_TIMEOUT });

const kcatAlice = (): string[] => [
  '-b', bootstrap, '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', 'sasl.username=alice',
  '-X', `sasl.password=${PW}`, '-X', `ssl.ca.location=${certs.caCert}`,
];
const kcatProduce = (topic: string, value: string) =>
  kcat([...kcatAlice(), '-P', '-t', topic, '-X', 'message.timeout.ms=8000'], { input: `${value}\n`, timeout: RUN_TIMEOUT });
const kcatConsume = (topic: string) => kcat([...kcatAlice(), '-C', '-t', topic, '-o', 'beginning', '-e'], { timeout: RUN_TIMEOUT });
const kcatGroup = (group: string, topic: string) =>
  kcat([...kcatAlice(), '-G', group, '-X', 'auto.offset.reset=earliest', '-X', 'enable.partition.eof=true', '-e', '-q', topic], { timeout: RUN_TIMEOUT });
const DENIED = /authoriz/i;

async function start(): Promise<void> {
  const r = await kafkaTs(
    [
      'server', 'start', '--port', '0', '--data-dir', daemonHome, '--output', 'json', '--brokers', '3',
      '--override', 'listeners=SASL_SSL://127.0.0.1:0',
      '--override', `ssl.keystore.location=${certs.serverKeystore}`,
      '--override', 'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512',
      '--override', `authorizer.class.name=${STANDARD}`,
      '--override', 'allow.everyone.if.no.acl.found=false',
      '--override', 'group.initial.rebalance.delay.ms=0',
    ],
    { home: daemonHome, timeout: 60_000 },
  );
  expect(r.exitCode, show(r)).toBe(0);
  await refreshBootstrap();
}

async function refreshBootstrap(): Promise<void> {
  const s = await admin('server', 'status', '-o', 'json');
  const status = JSON.parse(s.stdout) as { brokers: { id: number; live: boolean; listeners: string[] }[] };
  bootstrap = status.brokers
    .filter((b) => b.live)
    .map((b) => b.listeners.find((l) => l.startsWith('SASL_SSL://'))!.slice('SASL_SSL://'.length))
    .join(',');
}

beforeAll(async () => {
  const d = tempDir('kafka-ts-cli-aclsasl-daemon-');
  const c = tempDir('kafka-ts-cli-aclsasl-');
  cleanups.push(d.cleanup, c.cleanup);
  daemonHome = d.dir;
  home = c.dir;
  certs = await makeCerts(join(home, 'certs'));
  await start();
  const user = await admin('configs', '--entity-type', 'users', '--entity-name', 'alice', '--alter', '--add-config', `SCRAM-SHA-256=[iterations=8192,password=${PW}],SCRAM-SHA-512=[password=${PW}]`);
  expect(user.exitCode, show(user)).toBe(0);
  for (const topic of ['orders', 'logs.app', 'secret']) {
    const r = await admin('topics', '--create', '--topic', topic, '--replication-factor', '3');
    expect(r.exitCode, show(r)).toBe(0);
  }
  const file = join(home, 'alice.properties');
  writeFileSync(file, [
    'security.protocol=SASL_SSL',
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${certs.caCert}`,
    'sasl.mechanism=SCRAM-SHA-256',
    'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${env:ALICE_PW}";',
    '',
  ].join('\n'));
  const ctx = await kafkaTs(['context', 'add', 'alice', '--bootstrap-server', bootstrap.split(',')[0]!, '--command-config', file], { home });
  expect(ctx.exitCode, show(ctx)).toBe(0);
}, 120_000);

afterAll(async () => {
  if (daemonHome) await stopDaemon(daemonHome);
  cleanups.forEach((c) => c());
});

describe('ACLs for a SASL user (StandardAuthorizer, allow.everyone.if.no.acl.found=false)', () => {
  it('without ACLs alice cannot describe, produce, consume or commit (kafka-ts: exit 8 naming the resource; kcat: authorization failed)', async () => {
    const list = await asAlice(['topics', '--list']);
    // Metadata leaves out what she may not describe; like Kafka's TopicCommand an empty list is one empty line.
    expect(list, show(list)).toMatchObject({ exitCode: 0, stdout: '\n' });
    const describe = await asAlice(['topics', '--describe', '--topic', 'orders']);
    expect(describe.exitCode, show(describe)).toBe(8);
    expect(describe.stdout + describe.stderr).toContain('not authorized to describe topic orders (TOPIC_AUTHORIZATION_FAILED)');
    const produce = await asAlice(['console-producer', '--topic', 'orders'], 'nope\n');
    expect(produce.exitCode, show(produce)).toBe(8);
    expect(produce.stderr).toContain('not authorized to write to topic orders (TOPIC_AUTHORIZATION_FAILED)');
    const consume = await asAlice(['console-consumer', '--topic', 'orders', '--group', 'g', '--from-beginning', '--max-messages', '1', '--timeout-ms', '5000']);
    expect(consume.exitCode, show(consume)).toBe(8);
    expect(consume.stderr).toMatch(/not authorized to \w+ (topic orders \(TOPIC|group g \(GROUP)_AUTHORIZATION_FAILED\)/);
    const commit = await asAlice(['consumer-groups', '--group', 'g', '--reset-offsets', '--to-earliest', '--topic', 'orders', '--execute']);
    expect(commit.exitCode, show(commit)).toBe(8);
    expect(commit.stderr).toMatch(/not authorized to \w+ (topic orders \(TOPIC|group g \(GROUP)_AUTHORIZATION_FAILED\)/);
    for (const r of [describe, produce, consume, commit]) {
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout + r.stderr).not.toContain(PW);
    }

    const meta = await kcat([...kcatAlice(), '-L', '-t', 'orders'], { timeout: RUN_TIMEOUT });
    expect(meta.stdout + meta.stderr, show(meta)).toMatch(/Topic authorization failed/i);
    const kp = await kcatProduce('orders', 'nope');
    expect(kp.exitCode, show(kp)).not.toBe(0);
    expect(kp.stderr).toMatch(DENIED);
    const kc = await kcatConsume('orders');
    expect(kc.stdout, show(kc)).toBe('');
    expect(kc.stderr).toMatch(DENIED);
    // A group consumer (which would commit) is refused at FindCoordinator.
    const kg = await kcatGroup('g', 'orders');
    expect(kg.exitCode, show(kg)).not.toBe(0);
    expect(kg.stderr).toMatch(/Group authorization failed/i);
  });

  it('after `acls --add --producer --topic orders` kcat as alice produces but cannot consume', async () => {
    const add = await admin('acls', '--add', '--allow-principal', 'User:alice', '--producer', '--topic', 'orders');
    expect(add.exitCode, show(add)).toBe(0);
    const kp = await kcatProduce('orders', 'hello');
    expect(kp.exitCode, show(kp)).toBe(0);
    const kc = await kcatConsume('orders');
    expect(kc.stdout, show(kc)).not.toContain('hello');
    expect(kc.stderr).toMatch(DENIED);
    const consume = await asAlice(['console-consumer', '--topic', 'orders', '--from-beginning', '--max-messages', '1', '--timeout-ms', '5000']);
    expect(consume.exitCode, show(consume)).toBe(8);
    expect(consume.stderr).toContain('User:alice is not authorized to read topic orders (TOPIC_AUTHORIZATION_FAILED)');
    // Describe (implied by Write) without DescribeConfigs: refused as a refused describe is, Kafka's line on stdout.
    const describe = await asAlice(['topics', '--describe', '--topic', 'orders']);
    expect(describe, show(describe)).toMatchObject({
      exitCode: 8,
      stdout: 'Error while executing topic command : User:alice is not authorized to describe the configs of topic orders (TOPIC_AUTHORIZATION_FAILED)\n',
      stderr: '',
    });
  });

  it('after `--consumer --topic orders --group g` she consumes in group g (and commits), not in another group', async () => {
    const add = await admin('acls', '--add', '--allow-principal', 'User:alice', '--consumer', '--topic', 'orders', '--group', 'g');
    expect(add.exitCode, show(add)).toBe(0);
    const read = await kcatGroup('g', 'orders');
    expect(read.stdout, show(read)).toContain('hello');
    const kother = await kcatGroup('other', 'orders');
    expect(kother.stdout, show(kother)).not.toContain('hello');
    expect(kother.stderr).toMatch(/Group authorization failed/i);
    const other = await asAlice(['console-consumer', '--topic', 'orders', '--group', 'other', '--from-beginning', '--max-messages', '1', '--timeout-ms', '5000']);
    expect(other.exitCode, show(other)).toBe(8);
    expect(other.stderr).toContain('group other (GROUP_AUTHORIZATION_FAILED)');
    const reset = await asAlice(['consumer-groups', '--group', 'g', '--reset-offsets', '--to-earliest', '--topic', 'orders', '--execute']);
    expect(reset.exitCode, show(reset)).toBe(0);
    const again = await asAlice(['console-consumer', '--topic', 'orders', '--group', 'g', '--max-messages', '1', '--timeout-ms', '20000']);
    expect(again, show(again)).toMatchObject({ exitCode: 0, stdout: 'hello\n' });

    // Refusals of consumer-groups' other actions are denials (exit 8), in Kafka's words; a topic she
    // may not describe is refused, not reported missing (exit 4).
    expect((await admin('topics', '--create', '--topic', 'payroll')).exitCode).toBe(0);
    const hidden = await asAlice(['consumer-groups', '--group', 'g', '--reset-offsets', '--to-earliest', '--topic', 'payroll', '--execute']);
    expect({ exitCode: hidden.exitCode, stderr: hidden.stderr }, show(hidden)).toEqual({ exitCode: 8, stderr: 'kafka-ts consumer-groups: error: User:alice is not authorized to describe topic payroll (TOPIC_AUTHORIZATION_FAILED)\n' });
    const offsets = await asAlice(['consumer-groups', '--group', 'g', '--delete-offsets', '--topic', 'orders']);
    expect({ exitCode: offsets.exitCode, stdout: offsets.stdout }, show(offsets)).toEqual({ exitCode: 8, stdout: "\nError: Access to 'g' is not authorized.\n" });
    const del = await asAlice(['consumer-groups', '--group', 'g', '--delete', '--output', 'json']);
    expect(del.exitCode, show(del)).toBe(8);
    expect(JSON.parse(del.stdout)).toEqual({ deleted: [], failed: [{ group: 'g', error: 'GROUP_AUTHORIZATION_FAILED', message: 'Group authorization failed.' }] });
    const delText = await asAlice(['consumer-groups', '--group', 'g', '--delete']);
    expect(delText.stdout, show(delText)).toContain("* Group 'g' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupAuthorizationException: Group authorization failed.");
  });

  it('a deny ACL beats the allow', async () => {
    const deny = await admin('acls', '--add', '--deny-principal', 'User:alice', '--operation', 'Write', '--topic', 'orders');
    expect(deny.exitCode, show(deny)).toBe(0);
    const kp = await kcatProduce('orders', 'denied');
    expect(kp.exitCode, show(kp)).not.toBe(0);
    expect(kp.stderr).toMatch(DENIED);
    const produce = await asAlice(['console-producer', '--topic', 'orders'], 'denied\n');
    expect(produce.exitCode, show(produce)).toBe(8);
    expect(produce.stderr).toContain('not authorized to write to topic orders (TOPIC_AUTHORIZATION_FAILED)');
    const removed = await admin('acls', '--remove', '--force', '--deny-principal', 'User:alice', '--operation', 'Write', '--topic', 'orders');
    expect(removed.exitCode, show(removed)).toBe(0);
    const ok = await kcatProduce('orders', 'allowed-again');
    expect(ok.exitCode, show(ok)).toBe(0);
  });

  it('a prefixed pattern covers topics under the prefix only', async () => {
    const add = await admin('acls', '--add', '--allow-principal', 'User:alice', '--producer', '--topic', 'logs.', '--resource-pattern-type', 'prefixed');
    expect(add.exitCode, show(add)).toBe(0);
    const ok = await kcatProduce('logs.app', 'line1');
    expect(ok.exitCode, show(ok)).toBe(0);
    const produce = await asAlice(['console-producer', '--topic', 'logs.app'], 'line2\n');
    expect(produce.exitCode, show(produce)).toBe(0);
    const secret = await asAlice(['console-producer', '--topic', 'secret'], 'x\n');
    expect(secret.exitCode, show(secret)).toBe(8);
    expect(secret.stderr).toContain('topic secret (TOPIC_AUTHORIZATION_FAILED)');
    const list = await asAlice(['topics', '--list']);
    expect(list.stdout.split('\n').filter(Boolean).sort()).toEqual(['logs.app', 'orders']);
    // Growing both (no Alter on either): one line per topic, each naming her, as the one-topic line does.
    const grow = await asAlice(['topics', '--alter', '--topic', 'logs.app|orders', '--partitions', '5']);
    expect({ exitCode: grow.exitCode, stdout: grow.stdout }, show(grow)).toEqual({
      exitCode: 8,
      stdout: ['logs.app', 'orders'].map((t) => `Error while executing topic command : User:alice is not authorized to alter topic ${t} (TOPIC_AUTHORIZATION_FAILED)\n`).join(''),
    });
  });

  it('ACLs survive a daemon restart and follow a controller change (stop-broker <controller>)', async () => {
    await stopDaemon(daemonHome);
    await start();
    const kp = await kcatProduce('orders', 'after-restart');
    expect(kp.exitCode, show(kp)).toBe(0);
    const denied = await asAlice(['console-producer', '--topic', 'secret'], 'x\n');
    expect(denied.exitCode, show(denied)).toBe(8);

    const status = JSON.parse((await admin('server', 'status', '-o', 'json')).stdout) as { controllerId: number };
    const stopped = await admin('server', 'stop-broker', String(status.controllerId));
    expect(stopped.exitCode, show(stopped)).toBe(0);
    await refreshBootstrap();
    expect(bootstrap.split(',')).toHaveLength(2);
    const after = JSON.parse((await admin('server', 'status', '-o', 'json')).stdout) as { controllerId: number };
    expect(after.controllerId).not.toBe(status.controllerId);
    // The new controller has the ACLs and takes new ones: a consumer ACL for the prefix, group g2.
    const add = await admin('acls', '--add', '--allow-principal', 'User:alice', '--consumer', '--topic', 'logs.', '--resource-pattern-type', 'prefixed', '--group', 'g2');
    expect(add.exitCode, show(add)).toBe(0);
    const read = await kcatGroup('g2', 'logs.app');
    expect(read.stdout.split('\n').filter(Boolean).sort(), show(read)).toEqual(['line1', 'line2']);
    const ko = await kcatProduce('orders', 'after-controller-stop');
    expect(ko.exitCode, show(ko)).toBe(0);
    const stillDenied = await kcatProduce('secret', 'x');
    expect(stillDenied.exitCode, show(stillDenied)).not.toBe(0);
    expect(stillDenied.stderr).toMatch(DENIED);
    const reset = await asAlice(['consumer-groups', '--group', 'g', '--reset-offsets', '--to-earliest', '--topic', 'orders', '--execute']);
    expect(reset.exitCode, show(reset)).toBe(0);
    const orders = await asAlice(['console-consumer', '--topic', 'orders', '--group', 'g', '--max-messages', '4', '--timeout-ms', '20000']);
    expect(orders.exitCode, show(orders)).toBe(0);
    expect(orders.stdout.split('\n').filter(Boolean).sort()).toEqual(['after-controller-stop', 'after-restart', 'allowed-again', 'hello']);
  }, 90_000);
});
