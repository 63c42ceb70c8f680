/** The context store (0600 file), masking of secrets, and which cluster a command picks. */
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir, contextsPath, maskProperties, maskValue, readContexts, updateContexts, type ContextsFile } from '../../../src/cli/contexts.js';

/** Replaces the whole store with `file`, through the one way of changing it. */
const writeContexts = (file: ContextsFile, env: NodeJS.ProcessEnv) => updateContexts(env, (f) => Object.assign(f, file));
import { CliContext } from '../../../src/cli/context.js';
import { isKafkaTsError } from '../../../src/util/errors.js';
import { tempDir } from '../../helpers/tmp.js';

const dirs: { cleanup: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

function store(): NodeJS.ProcessEnv {
  const t = tempDir();
  dirs.push(t);
  return { KAFKA_TS_CONFIG_DIR: join(t.dir, 'config') };
}

const JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";';

async function withContexts(env: NodeJS.ProcessEnv, current?: string) {
  await writeContexts(
    {
      current,
      contexts: {
        prod: { bootstrapServer: 'prod:9093', properties: { 'security.protocol': 'SASL_SSL', 'sasl.jaas.config': JAAS, 'client.id': 'from-prod' } },
        dev: { bootstrapServer: 'dev:9092', properties: { 'sasl.password': '${env:DEV_PW}', 'client.id': 'from-dev' } },
      },
    },
    env,
  );
}

describe('context store', () => {
  it('writes contexts.json in the config directory with mode 0600 and reads it back', async () => {
    const env = store();
    await withContexts(env, 'dev');
    const path = contextsPath(env);
    expect(path).toBe(join(env.KAFKA_TS_CONFIG_DIR!, 'contexts.json'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const file = readContexts(env);
    expect(file.current).toBe('dev');
    expect(Object.keys(file.contexts).sort()).toEqual(['dev', 'prod']);
    expect(file.contexts.prod!.properties['sasl.jaas.config']).toBe(JAAS);
  });

  it('keeps the mode 0600 when a file made by someone else with 0644 is rewritten', async () => {
    const env = store();
    await withContexts(env);
    const path = contextsPath(env);
    chmodSync(path, 0o644);
    await writeContexts({ ...readContexts(env), current: 'prod' }, env);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('uses $XDG_CONFIG_HOME/kafka-ts without KAFKA_TS_CONFIG_DIR', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/kafka-ts');
    expect(configDir({ HOME: '/home/u' })).toBe('/home/u/.config/kafka-ts');
  });

  it('an empty store when there is no file; a damaged file is an error naming it', () => {
    const env = store();
    expect(readContexts(env)).toEqual({ contexts: {} });
    mkdirSync(env.KAFKA_TS_CONFIG_DIR!, { recursive: true });
    writeFileSync(contextsPath(env), '{nope');
    expect(() => readContexts(env)).toThrow(/contexts\.json: not valid JSON/);
  });
});

describe('masking', () => {
  it('masks secret keys and the password inside a JAAS config, keeping module and username', () => {
    expect(maskValue('sasl.jaas.config', JAAS)).toBe('org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="******";');
    const masked = maskProperties({
      'ssl.key.password': 'k',
      'ssl.keystore.key': '-----BEGIN PRIVATE KEY-----',
      'sasl.password': 'p',
      'sasl.oauthbearer.token': 't',
      'sasl.oauthbearer.client.secret': 's',
      'sasl.username': 'alice',
      'security.protocol': 'SASL_SSL',
      'ssl.truststore.location': '/ca.pem',
    });
    expect(masked).toEqual({
      'ssl.key.password': '******',
      'ssl.keystore.key': '******',
      'sasl.password': '******',
      'sasl.oauthbearer.token': '******',
      'sasl.oauthbearer.client.secret': '******',
      'sasl.username': 'alice',
      'security.protocol': 'SASL_SSL',
      'ssl.truststore.location': '/ca.pem',
    });
  });

  it('shows a provider reference as written (it holds no secret)', () => {
    expect(maskValue('sasl.password', '${env:KAFKA_PW}')).toBe('${env:KAFKA_PW}');
    expect(maskValue('sasl.jaas.config', 'x.PlainLoginModule required username="a" password="${env:PW}";')).toBe('x.PlainLoginModule required username="a" password="${env:PW}";');
  });
});

describe('CliContext.select: the precedence of cluster sources', () => {
  const ctxWith = (env: NodeJS.ProcessEnv, contextFlag?: string) => {
    const c = new CliContext(env);
    c.contextName = contextFlag;
    return c;
  };

  it('--bootstrap-server > --context > KAFKA_TS_CONTEXT > KAFKA_BOOTSTRAP_SERVERS > current context > local daemon', async () => {
    const env = store();
    await withContexts(env, 'dev');
    const all = { ...env, KAFKA_TS_CONTEXT: 'prod', KAFKA_BOOTSTRAP_SERVERS: 'envhost:9092' };
    expect(ctxWith(all, 'dev').select('flag:1')).toMatchObject({ bootstrap: 'flag:1', source: 'flag', context: { name: 'dev' } });
    expect(ctxWith(all, 'dev').select()).toMatchObject({ bootstrap: 'dev:9092', source: 'context-flag' });
    expect(ctxWith(all).select()).toMatchObject({ bootstrap: 'prod:9093', source: 'context-env' });
    expect(ctxWith({ ...env, KAFKA_BOOTSTRAP_SERVERS: 'envhost:9092' }).select()).toEqual({ bootstrap: 'envhost:9092', source: 'env' });
    expect(ctxWith(env).select()).toMatchObject({ bootstrap: 'dev:9092', source: 'current-context' });
    // The current context never lends properties to an explicit --bootstrap-server.
    expect(ctxWith(env).select('flag:1')).toEqual({ bootstrap: 'flag:1', context: undefined, source: 'flag' });
    const none = store();
    expect(ctxWith(none).select()).toEqual({ source: 'local' });
    expect(ctxWith(none).targetName()).toBe('local daemon');
    expect(ctxWith(env).targetName()).toBe('dev (dev:9092)');
  });

  it('a context is the base of the client properties; the command overrides; providers resolved', async () => {
    const env = { ...store(), DEV_PW: 'dev-secret' };
    await withContexts(env, 'dev');
    const c = ctxWith(env);
    expect(c.clientProperties(undefined, { 'client.id': 'mine' })).toEqual({ 'sasl.password': 'dev-secret', 'client.id': 'mine' });
    expect(c.clientProperties(undefined)).toEqual({ 'sasl.password': 'dev-secret', 'client.id': 'from-dev' });
    // A command's own file resolves only what its config.providers lists (Kafka's rule).
    expect(c.clientProperties(undefined, { x: '${env:DEV_PW}' }).x).toBe('${env:DEV_PW}');
  });

  it('an unknown context is a not_found error listing the known ones', async () => {
    const env = store();
    await withContexts(env);
    try {
      ctxWith(env, 'nope').select();
      throw new Error('expected an error');
    } catch (e) {
      expect(isKafkaTsError(e) && e.kind).toBe('not_found');
      expect((e as Error).message).toBe("Context 'nope' does not exist (known: dev, prod)");
    }
  });
});
