/**
 * How the broker reads its security settings: config providers (KIP-421) resolved in broker
 * properties, super.users entries checked as Kafka's authorizer checks them, listener-prefixed keys
 * that name no listener (or name it in upper case) refused, and DescribeConfigs of a broker listing
 * the security settings with Kafka's sensitivity, never a secret.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBrokerConfig } from '../../../src/broker/config.js';
import { resolveBrokerConfigs, validateBrokerConfigs } from '../../../src/broker/metadata/broker-configs.js';
import { ConfigSource } from '../../../src/protocol/topic-configs.js';

const dir = mkdtempSync(join(tmpdir(), 'kafka-ts-secconf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const secrets = join(dir, 's.properties');
writeFileSync(secrets, 'pw=alice-secret\nkeypw=k3y\n');

const FILE = { 'config.providers': 'file', 'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider' };
const SASL = { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN' };
const JAAS_KEY = 'listener.name.sasl_plaintext.plain.sasl.jaas.config';
const jaas = (pw: string) => `org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="${pw}";`;
const build = (props: Record<string, string>, env: NodeJS.ProcessEnv = {}) => buildBrokerConfig('/tmp/unused', props, { env });

describe('config providers in broker properties (KIP-421)', () => {
  it('resolve ${file:path:key} in any value; the provider keys are consumed, not warned about', () => {
    const ref = `\${file:${secrets}:pw}`;
    const { config, warnings } = build({ ...FILE, ...SASL, [JAAS_KEY]: jaas(ref) });
    expect(config.explicit[JAAS_KEY]).toBe(jaas('alice-secret'));
    expect(config.providerReferences[JAAS_KEY]).toBe(jaas(ref));
    expect(config.explicit['config.providers.file.class']).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('env and dir too; a reference to a provider not listed stays as written, as in Kafka', () => {
    const { config } = build({ 'config.providers': 'env', 'config.providers.env.class': 'EnvVarConfigProvider', 'ssl.key.password': '${env:KEY_PW}', 'ssl.truststore.password': '${file:/x:y}' }, { KEY_PW: 'from-env' });
    expect(config.explicit['ssl.key.password']).toBe('from-env');
    expect(config.explicit['ssl.truststore.password']).toBe('${file:/x:y}');
  });

  it('a reference that cannot be resolved stops the start naming the key and the reference, never a value', () => {
    expect(() => build({ ...FILE, ...SASL, [JAAS_KEY]: jaas(`\${file:${secrets}:nokey}`) })).toThrow(`${JAAS_KEY}: \${file:${secrets}:nokey}: ${secrets} has no key nokey`);
    expect(() => build({ ...FILE, 'ssl.key.password': `\${file:${dir}/missing.properties:pw}` })).toThrow(/^ssl\.key\.password: .*missing\.properties: no such file$/);
    expect(() => build({ ...FILE, 'ssl.key.password': `\${file:${dir}/missing.properties:pw}` })).toThrow(expect.objectContaining({ name: 'ConfigError', kind: 'usage' }));
  });

  it('an unsupported provider class stops the start, referenced or not', () => {
    expect(() => build({ 'config.providers': 'vault', 'config.providers.vault.class': 'com.example.VaultConfigProvider' })).toThrow(/^config\.providers\.vault\.class: unsupported config provider com\.example\.VaultConfigProvider/);
    expect(() => build({ 'config.providers': 'file' })).toThrow(/config\.providers lists 'file' but config\.providers\.file\.class is not set/);
  });
});

describe('super.users', () => {
  const ON = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' };
  it("an entry without a principal type is refused with Kafka's text (the admin would be denied)", () => {
    expect(() => build({ ...ON, 'super.users': 'admin' })).toThrow('Invalid value admin for configuration super.users: expected a string in format principalType:principalName but got admin (write User:admin)');
    expect(() => build({ ...ON, 'super.users': 'User:alice; bob' })).toThrow(/but got bob/);
    expect(() => build({ 'super.users': 'User:' })).toThrow(/but got User:/);
  });

  it('cannot be changed at run time (so no unchecked value gets in that way)', () => {
    expect(validateBrokerConfigs({ 'super.users': 'admin' })).toBe('Cannot update these configs dynamically: Set(super.users)');
  });

  it('principalType:principalName entries are accepted', () => {
    expect(build({ ...ON, 'super.users': 'User:alice; User:CN=admin,OU=ops' }).config.superUsers).toEqual(['User:alice', 'User:CN=admin,OU=ops']);
  });
});

describe('listener-prefixed keys', () => {
  const MTLS = { listeners: 'MTLS://127.0.0.1:0', 'listener.security.protocol.map': 'MTLS:SSL' };
  it('a listener name not in lower case is refused, saying what to write', () => {
    expect(() => build({ ...MTLS, 'listener.name.MTLS.ssl.client.auth': 'required' })).toThrow(
      'listener.name.MTLS.ssl.client.auth: listener names in config keys are lower case: listener.name.mtls.ssl.client.auth',
    );
    expect(build({ ...MTLS, 'listener.name.mtls.ssl.client.auth': 'required' }).config.explicit['listener.name.mtls.ssl.client.auth']).toBe('required');
  });

  it('a listener that does not exist is refused; controller.listener.names count as listeners', () => {
    expect(() => build({ ...MTLS, 'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'PLAIN' })).toThrow(/^listener\.name\.sasl_ssl\.sasl\.enabled\.mechanisms: there is no listener SASL_SSL in listeners \(MTLS\)/);
    expect(() => build({ 'listener.name.ssl': 'x' })).toThrow(/expected listener\.name\.<listener>\.<setting>/);
    expect(() => build({ 'controller.listener.names': 'CONTROLLER', 'listener.name.controller.ssl.client.auth': 'none' })).not.toThrow();
  });

  it("a TLS setting of a listener without TLS, or SASL of one without SASL, is refused (it would do nothing)", () => {
    expect(() => build({ 'listener.name.plaintext.ssl.client.auth': 'required' })).toThrow(
      'listener.name.plaintext.ssl.client.auth: listener PLAINTEXT is PLAINTEXT (listener.security.protocol.map), which uses no ssl.* settings',
    );
    expect(() => build({ ...MTLS, 'listener.name.mtls.plain.sasl.jaas.config': 'x' })).toThrow(/^listener\.name\.mtls\.plain\.sasl\.jaas\.config: listener MTLS is SSL .*no sasl\.\* settings$/);
    expect(() => build({ listeners: 'SASL_SSL://127.0.0.1:0', 'listener.name.sasl_ssl.ssl.client.auth': 'required', 'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'PLAIN' })).not.toThrow();
  });

  it('a setting no listener reads is warned about, as an unknown key is', () => {
    const { warnings } = build({ listeners: 'SASL_SSL://127.0.0.1:0', 'listener.name.sasl_ssl.ssl.client.auht': 'required', 'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': 'x' });
    expect(warnings.map((w) => w.message)).toEqual(["The configuration 'listener.name.sasl_ssl.ssl.client.auht' was supplied but isn't a known config."]);
  });
});

describe('DescribeConfigs of a broker: security settings', () => {
  const { config } = build({
    ...FILE,
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    'ssl.keystore.location': '/etc/server.pem',
    'ssl.key.password': `\${file:${secrets}:keypw}`,
    'ssl.keystore.type': 'PEM',
    'listener.name.sasl_ssl.plain.sasl.jaas.config': jaas('alice-secret'),
    'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'PLAIN',
    'super.users': 'User:admin',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  });
  const all = resolveBrokerConfigs(config, { id: 1, logDir: '/data' }, {}, {});
  const get = (n: string) => all.find((e) => e.name === n);

  it('lists them as static broker configs, with values as set', () => {
    for (const [name, value] of [
      ['listeners', 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0'],
      ['ssl.keystore.location', '/etc/server.pem'],
      ['super.users', 'User:admin'],
      ['authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'],
      ['listener.name.sasl_ssl.sasl.enabled.mechanisms', 'PLAIN'],
      ['config.providers', 'file'],
    ]) {
      expect(get(name!), name).toMatchObject({ value, source: ConfigSource.STATIC_BROKER_CONFIG });
      expect(get(name!)!.sensitive, name).toBe(false);
    }
    expect(get('ssl.client.auth')).toMatchObject({ value: 'none', source: ConfigSource.DEFAULT_CONFIG, sensitive: false });
  });

  it('passwords, JAAS configs and keys are sensitive; a resolved secret is never in the description', () => {
    for (const name of ['ssl.key.password', 'listener.name.sasl_ssl.plain.sasl.jaas.config', 'sasl.jaas.config', 'ssl.keystore.key']) expect(get(name)?.sensitive, name).toBe(true);
    const text = JSON.stringify(all);
    expect(text).not.toContain('k3y');
    expect(get('ssl.key.password')!.value).toBe(`\${file:${secrets}:keypw}`);
  });
});
