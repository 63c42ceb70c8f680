/** Kafka's config providers: ${env:NAME}, ${file:/path:key}, ${dir:/path:file}; only listed providers resolve. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasProviderReference, resolveConfigProviders } from '../../../src/util/config-providers.js';
import { isKafkaTsError } from '../../../src/util/errors.js';
import { tempDir } from '../../helpers/tmp.js';

const dirs: { cleanup: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

const ENV_CLASS = 'org.apache.kafka.common.config.provider.EnvVarConfigProvider';
const FILE_CLASS = 'org.apache.kafka.common.config.provider.FileConfigProvider';
const DIR_CLASS = 'org.apache.kafka.common.config.provider.DirectoryConfigProvider';
const both = { 'config.providers': 'env,file', 'config.providers.env.class': ENV_CLASS, 'config.providers.file.class': FILE_CLASS };

function errorOf(f: () => unknown): { kind: string; message: string } {
  try {
    f();
  } catch (e) {
    if (!isKafkaTsError(e)) throw e;
    return { kind: e.kind, message: e.message };
  }
  throw new Error('expected an error');
}

describe('resolveConfigProviders', () => {
  it('resolves ${env:NAME} inside a JAAS line and drops the config.providers keys', () => {
    const out = resolveConfigProviders(
      { ...both, 'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${env:KAFKA_PW}";', 'security.protocol': 'SASL_SSL' },
      { env: { KAFKA_PW: 'alice-secret' } },
    );
    expect(out).toEqual({
      'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";',
      'security.protocol': 'SASL_SSL',
    });
  });

  it('resolves ${file:/path:key} from a properties file (read once per file)', () => {
    const t = tempDir();
    dirs.push(t);
    const secrets = join(t.dir, 'secrets.properties');
    writeFileSync(secrets, 'key.password = k3y\nuser.password: p@ss\n');
    const out = resolveConfigProviders({ ...both, 'ssl.key.password': `\${file:${secrets}:key.password}`, 'sasl.password': `\${file:${secrets}:user.password}` });
    expect(out).toEqual({ 'ssl.key.password': 'k3y', 'sasl.password': 'p@ss' });
  });

  it('resolves ${dir:/path:file} to the file content, within allowed.paths', () => {
    const t = tempDir();
    dirs.push(t);
    mkdirSync(join(t.dir, 's'));
    writeFileSync(join(t.dir, 's', 'token'), 'tok-123');
    const props = { 'config.providers': 'dir', 'config.providers.dir.class': DIR_CLASS, 'config.providers.dir.param.allowed.paths': join(t.dir, 's'), token: `\${dir:${join(t.dir, 's')}:token}` };
    expect(resolveConfigProviders(props)).toEqual({ token: 'tok-123' });
    const outside = { ...props, 'config.providers.dir.param.allowed.paths': join(t.dir, 'other') };
    expect(errorOf(() => resolveConfigProviders(outside)).message).toContain('allowed.paths');
  });

  it('leaves references to providers config.providers does not list as written (Kafka)', () => {
    const props = { 'config.providers': 'env', 'config.providers.env.class': ENV_CLASS, a: '${file:/nope:key}', b: '${vault:secret/x:y}', c: '${env:X}' };
    expect(resolveConfigProviders(props, { env: { X: 'x' } })).toEqual({ a: '${file:/nope:key}', b: '${vault:secret/x:y}', c: 'x' });
    // Without config.providers nothing resolves, unless defaults are asked for (contexts).
    expect(resolveConfigProviders({ c: '${env:X}' }, { env: { X: 'x' } })).toEqual({ c: '${env:X}' });
    expect(resolveConfigProviders({ c: '${env:X}' }, { env: { X: 'x' }, defaultProviders: ['env', 'file'] })).toEqual({ c: 'x' });
  });

  it('names the reference, never a value, when a variable, file or key is missing', () => {
    const t = tempDir();
    dirs.push(t);
    const f = join(t.dir, 'creds.properties');
    writeFileSync(f, 'present=the-secret-value\n');
    const missingVar = errorOf(() => resolveConfigProviders({ ...both, p: '${env:NOT_SET_ANYWHERE}' }, { env: {} }));
    expect(missingVar).toEqual({ kind: 'usage', message: '${env:NOT_SET_ANYWHERE}: environment variable NOT_SET_ANYWHERE is not set' });
    const missingFile = errorOf(() => resolveConfigProviders({ ...both, p: `\${file:${join(t.dir, 'nope')}:k}` }));
    expect(missingFile.kind).toBe('usage');
    expect(missingFile.message).toContain('no such file');
    const missingKey = errorOf(() => resolveConfigProviders({ ...both, p: `\${file:${f}:absent}`, q: `\${file:${f}:present}` }));
    expect(missingKey.message).toBe(`\${file:${f}:absent}: ${f} has no key absent`);
    expect(missingKey.message).not.toContain('the-secret-value');
  });

  it('refuses a listed provider without a class, or with a class it does not know', () => {
    expect(errorOf(() => resolveConfigProviders({ 'config.providers': 'env' })).message).toContain('config.providers.env.class is not set');
    expect(errorOf(() => resolveConfigProviders({ 'config.providers': 'v', 'config.providers.v.class': 'com.example.VaultConfigProvider' })).message).toContain(
      'unsupported config provider com.example.VaultConfigProvider',
    );
  });

  it('honours the env provider allowlist.pattern', () => {
    const props = { 'config.providers': 'env', 'config.providers.env.class': ENV_CLASS, 'config.providers.env.param.allowlist.pattern': 'KAFKA_.*', a: '${env:KAFKA_A}', b: '${env:HOME}' };
    expect(errorOf(() => resolveConfigProviders(props, { env: { KAFKA_A: '1', HOME: '/h' } })).message).toContain('allowlist.pattern');
  });

  it('a pattern that is not a regular expression is a usage error naming the key, not an internal error', () => {
    const props = { 'config.providers': 'env', 'config.providers.env.class': ENV_CLASS, 'config.providers.env.param.allowlist.pattern': 'KAFKA_(', a: '${env:KAFKA_A}' };
    expect(errorOf(() => resolveConfigProviders(props, { env: { KAFKA_A: '1' } }))).toEqual({ kind: 'usage', message: expect.stringMatching(/^config\.providers\.env\.param\.allowlist\.pattern: KAFKA_\( is not a valid regular expression \(/) });
  });

  it('hasProviderReference spots references', () => {
    expect(hasProviderReference('password="${env:PW}"')).toBe(true);
    expect(hasProviderReference('plain')).toBe(false);
  });
});
