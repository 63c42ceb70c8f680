/**
 * Where the daemon's settings come from, end to end with the built binary: config providers
 * (KIP-421) resolved in server.properties (the secret works, the reference does not, and the
 * secret is never printed), --config replacing the data directory's server.properties (server
 * start, server-start -daemon), and the security settings start refuses with exit 2 and one line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTs, stopDaemon, type RunResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
const SECRET = 'alice-s3cret';
const JAAS_KEY = 'listener.name.sasl_plaintext.plain.sasl.jaas.config';

let root: string;
let cleanup: () => void;
beforeAll(() => ({ dir: root, cleanup } = tempDir()));
afterAll(() => cleanup());

/** A data dir whose server.properties has a SASL_PLAINTEXT listener whose PLAIN user's password comes from a file provider. */
function saslHome(name: string): { home: string; secrets: string } {
  const home = join(root, name);
  mkdirSync(home, { recursive: true });
  const secrets = join(home, 's.properties');
  writeFileSync(secrets, `pw=${SECRET}\n`);
  writeFileSync(
    join(home, 'server.properties'),
    [
      'config.providers=file',
      'config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider',
      'listeners=SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms=PLAIN',
      'num.partitions=7',
      `${JAAS_KEY}=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="\${file:${secrets}:pw}";`,
      '',
    ].join('\n'),
  );
  return { home, secrets };
}

const start = (home: string, ...extra: string[]) => kafkaTs(['server', 'start', '--port', '0', '--schema-registry-port', '0', ...extra], { home });

describe('config providers in server.properties', () => {
  it("the provider's secret is the password, the reference text is not, and the secret is never printed", async () => {
    const { home, secrets } = saslHome('providers');
    const r = await start(home, '--output', 'json');
    expect(r.exitCode, show(r)).toBe(0);
    try {
      const listener = (JSON.parse(r.stdout) as { listeners: string[] }).listeners.find((l) => l.startsWith('SASL_PLAINTEXT://'))!.slice('SASL_PLAINTEXT://'.length);
      const login = async (password: string) => {
        const file = join(home, 'client.properties');
        writeFileSync(file, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${password}";\n`);
        return kafkaTs(['cluster', 'cluster-id', '--bootstrap-server', listener, '--command-config', file], { home });
      };
      expect((await login(SECRET)).exitCode).toBe(0);
      expect((await login(`\${file:${secrets}:pw}`)).exitCode).toBe(7);
      const d = await kafkaTs(['configs', '--describe', '--entity-type', 'brokers', '--entity-name', '1', '--all'], { home });
      expect(d.exitCode, show(d)).toBe(0);
      expect(d.stdout).toContain(`  ${JAAS_KEY}=null sensitive=true synonyms={STATIC_BROKER_CONFIG:${JAAS_KEY}=null}\n`);
      expect(d.stdout).toContain('  config.providers=file sensitive=false synonyms={STATIC_BROKER_CONFIG:config.providers=file}\n');
      const status = await kafkaTs(['server', 'status', '--output', 'json'], { home });
      for (const text of [d.stdout, status.stdout, readFileSync(join(home, 'server.log'), 'utf8')]) expect(text).not.toContain(SECRET);
      expect(readFileSync(join(home, 'server.log'), 'utf8')).not.toContain("isn't a known config");
    } finally {
      await stopDaemon(home);
    }
  });

  it('a reference the provider cannot resolve stops the start: exit 2, one line naming the key', async () => {
    const { home, secrets } = saslHome('unresolved');
    const r = await start(home, '--override', `${JAAS_KEY}=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="\${file:${secrets}:nokey}";`);
    if (r.exitCode === 0) await stopDaemon(home);
    expect(r, show(r)).toEqual({ stdout: '', stderr: `kafka-ts server: usage error: ${JAAS_KEY}: \${file:${secrets}:nokey}: ${secrets} has no key nokey\n`, exitCode: 2 });
  });
});

describe('--override', () => {
  it("reaches a background daemon through its environment, never its command line (visible to every user in ps)", async () => {
    const home = join(root, 'override-argv');
    mkdirSync(home, { recursive: true });
    const jaas = `org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="${SECRET}";`;
    const r = await start(home, '--override', 'listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0', '--override', 'sasl.enabled.mechanisms=PLAIN', '--override', `${JAAS_KEY}=${jaas}`, '--override', 'num.partitions=5', '--output', 'json');
    expect(r.exitCode, show(r)).toBe(0);
    try {
      const status = JSON.parse(r.stdout) as { pid: number; listeners: string[] };
      const argv = readFileSync(`/proc/${status.pid}/cmdline`, 'utf8').split('\0');
      expect(argv).toContain('--foreground');
      expect(argv.join(' ')).not.toContain(SECRET);
      expect(argv).not.toContain('--override');
      // The overrides took effect: the PLAIN user logs in with the secret, the partition count is 5.
      const listener = status.listeners.find((l) => l.startsWith('SASL_PLAINTEXT://'))!.slice('SASL_PLAINTEXT://'.length);
      const file = join(home, 'client.properties');
      writeFileSync(file, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${SECRET}";\n`);
      expect(await kafkaTs(['cluster', 'cluster-id', '--bootstrap-server', listener, '--command-config', file], { home })).toMatchObject({ exitCode: 0 });
      const d = await kafkaTs(['configs', '--describe', '--entity-type', 'brokers', '--entity-name', '1', '--all'], { home });
      expect(d.stdout).toContain('  num.partitions=5 sensitive=false');
    } finally {
      await stopDaemon(home);
    }
  });
});

describe('--config replaces the data directory server.properties', () => {
  it.each([['server start --config'], ['server-start -daemon']])('%s reads only the named file', async (how) => {
    const { home } = saslHome(how.replace(/\W/g, ''));
    const empty = join(home, 'empty.properties');
    // Nothing of the data dir's SASL setup; a port of its own (9092 may be taken by another run).
    writeFileSync(empty, 'listeners=PLAINTEXT://127.0.0.1:0\nkafka-ts.schema.registry.enable=false\n');
    const r = how === 'server start --config' ? await start(home, '--config', empty, '--output', 'json') : await kafkaTs(['server-start', '-daemon', empty, '--output', 'json'], { home });
    expect(r.exitCode, show(r)).toBe(0);
    // The data directory's own file is named as not read (it was merged before: its settings would go without a word).
    if (how === 'server start --config') expect(r.stderr).toContain(`${join(home, 'server.properties')} is not read: --config ${empty} is the one properties file of this start`);
    try {
      expect((JSON.parse(r.stdout) as { listeners: string[] }).listeners.filter((l) => !l.startsWith('LOCAL')).map((l) => l.replace(/:\d+$/, ''))).toEqual(['PLAINTEXT://127.0.0.1']);
      const d = await kafkaTs(['configs', '--describe', '--entity-type', 'brokers', '--entity-name', '1', '--all'], { home });
      expect(d.stdout).toContain('  num.partitions=1 sensitive=false');
    } finally {
      await stopDaemon(home);
    }
  });
});

describe('a key no broker knows', () => {
  it('is named on the starting command\'s stderr, not only in server.log', async () => {
    const home = join(root, 'typo');
    const r = await start(home, '--override', 'ssl.keystore.locaton=/etc/server.pem', '--output', 'json');
    expect(r.exitCode, show(r)).toBe(0);
    await stopDaemon(home);
    expect(r.stderr).toBe("WARN The configuration 'ssl.keystore.locaton' was supplied but isn't a known config. (kafka.server.KafkaConfig)\n");
  });
});

describe('security settings start refuses (exit 2, one line, nothing started)', () => {
  it.each([
    [['--override', 'super.users=admin', '--override', 'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer'], 'Invalid value admin for configuration super.users: expected a string in format principalType:principalName but got admin (write User:admin)'],
    [
      ['--override', 'listeners=MTLS://127.0.0.1:0', '--override', 'listener.security.protocol.map=MTLS:SSL', '--override', 'listener.name.MTLS.ssl.client.auth=required'],
      'listener.name.MTLS.ssl.client.auth: listener names in config keys are lower case: listener.name.mtls.ssl.client.auth',
    ],
    [['--override', 'listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN'], "listener.name.sasl_ssl.sasl.enabled.mechanisms: there is no listener SASL_SSL in listeners (PLAINTEXT); a listener's own settings are listener.name.<its name in lower case>.<setting>"],
  ])('%j', async (args, message) => {
    const home = join(root, `refused-${message.slice(0, 20).replace(/\W/g, '')}`);
    const r = await start(home, ...args);
    if (r.exitCode === 0) await stopDaemon(home); // a daemon that should not have started
    expect(r, show(r)).toEqual({ stdout: '', stderr: `kafka-ts server: usage error: ${message}\n`, exitCode: 2 });
  });
});
