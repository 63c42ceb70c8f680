/**
 * The catalogue engine (src/util/config-catalogue.ts) with Kafka's texts, and a walk over every
 * client catalogue (producer, consumer, admin): no-effect keys are documented and give no warning,
 * unsupported keys and values are refused with their message, unknown keys warn, and every
 * supported common client key has a test of its effect (COMMON_EFFECTS; the surface files keep
 * their own tables).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { makeCerts } from '../helpers/certs.js';
import { tempDir } from '../helpers/tmp.js';
import { CLIENT_CATALOGUES } from '../../src/client/config/index.js';
import { COMMON_CLIENT_CONFIGS } from '../../src/client/config/common.js';
import { checkProperties, defineCatalogue, describeCatalogue, parseConfigValue, type ConfigEntry } from '../../src/util/config-catalogue.js';

const SELF = 'test/unit/config-catalogue.test.ts';

/** Supported common client key → [test file, text the file holds: a test name or the key in a test of its effect]. */
const COMMON_EFFECTS: Record<string, [string, string]> = {
  'bootstrap.servers': ['test/cli/perf.test.ts', 'bootstrap.servers'],
  'client.id': ['test/unit/cli/perf-flags.test.ts', "'client.id': 'me'"],
  'request.timeout.ms': ['test/integration/client-timeouts.test.ts', 'a command against a broker that accepts and never answers fails after about request.timeout.ms, within default.api.timeout.ms'],
  'retry.backoff.ms': ['test/unit/client/producer/sender.test.ts', 'retry.backoff.ms'],
  'metadata.max.age.ms': ['test/integration/group-consumer.test.ts', 'metadata.max.age.ms: the leader rejoins when a subscribed topic gets partitions, and reads them'],
  'security.protocol': ['test/unit/client/security-config.test.ts', 'accepts the four protocols in any case'],
  'ssl.enabled.protocols': ['test/unit/client/security-config.test.ts', 'ssl.enabled.protocols'],
  'ssl.cipher.suites': ['test/integration/tls-settings.test.ts', 'ssl.cipher.suites'],
  'ssl.truststore.type': ['test/unit/client/security-config.test.ts', 'refuses JKS and PKCS12 with the conversion command'],
  'ssl.keystore.type': ['test/unit/client/security-config.test.ts', 'refuses JKS and PKCS12 with the conversion command'],
  'ssl.truststore.location': ['test/integration/client-security-tls.test.ts', 'ssl.truststore'],
  'ssl.truststore.certificates': ['test/integration/client-security-tls.test.ts', 'ssl.truststore.certificates'],
  'ssl.keystore.location': ['test/interop/security-daemon.test.ts', 'ssl.keystore.location'],
  'ssl.key.password': ['test/integration/client-security-tls.test.ts', 'ssl.key.password'],
  'ssl.keystore.key': ['test/integration/client-security-tls.test.ts', 'ssl.keystore.key'],
  'ssl.keystore.certificate.chain': ['test/integration/client-security-tls.test.ts', 'ssl.keystore.certificate.chain'],
  'ssl.endpoint.identification.algorithm': ['test/integration/client-security-tls.test.ts', 'ssl.endpoint.identification.algorithm'],
  'ssl.ca.location': ['test/integration/security-sasl.test.ts', 'ssl.ca.location'],
  'ssl.certificate.location': ['test/integration/security-sasl.test.ts', 'ssl.certificate.location'],
  'ssl.key.location': ['test/integration/security-sasl.test.ts', 'ssl.key.location'],
  'ssl.ca.pem': [SELF, "librdkafka's inline PEM keys become node:tls options"],
  'ssl.certificate.pem': [SELF, "librdkafka's inline PEM keys become node:tls options"],
  'ssl.key.pem': [SELF, "librdkafka's inline PEM keys become node:tls options"],
  'enable.ssl.certificate.verification': ['test/unit/client/security-config.test.ts', 'enable.ssl.certificate.verification'],
  'ssl.engine.factory.class': [SELF, 'class keys take the Java classes kafka-ts implements and refuse others'],
  'sasl.mechanism': ['test/unit/client/security-config.test.ts', 'maps each login module to its mechanisms'],
  'sasl.mechanisms': ['test/unit/client/security-config.test.ts', "takes librdkafka's sasl.mechanisms / sasl.username / sasl.password"],
  'sasl.username': ['test/unit/client/security-config.test.ts', "takes librdkafka's sasl.mechanisms / sasl.username / sasl.password"],
  'sasl.password': ['test/unit/client/security-config.test.ts', "takes librdkafka's sasl.mechanisms / sasl.username / sasl.password"],
  'sasl.jaas.config': ['test/unit/client/security-config.test.ts', 'sasl.jaas.config'],
  'sasl.client.callback.handler.class': [SELF, 'class keys take the Java classes kafka-ts implements and refuse others'],
  'sasl.login.callback.handler.class': [SELF, 'class keys take the Java classes kafka-ts implements and refuse others'],
  'sasl.login.class': [SELF, 'class keys take the Java classes kafka-ts implements and refuse others'],
  'sasl.login.connect.timeout.ms': ['test/unit/client/security-oauth.test.ts', 'an unreachable endpoint is an auth error, promptly'],
  'sasl.login.read.timeout.ms': ['test/unit/client/security-oauth.test.ts', 'an unreachable endpoint is an auth error, promptly'],
  'sasl.oauthbearer.token.endpoint.url': ['test/unit/client/security-oauth.test.ts', 'POSTs grant_type=client_credentials with basic auth and scope'],
  'sasl.oauthbearer.client.id': ['test/unit/client/security-oauth.test.ts', 'sasl.oauthbearer.client.id'],
  'sasl.oauthbearer.client.secret': ['test/unit/client/security-oauth.test.ts', 'sasl.oauthbearer.client.secret'],
  'sasl.oauthbearer.scope': ['test/unit/client/security-oauth.test.ts', 'POSTs grant_type=client_credentials with basic auth and scope'],
  'sasl.oauthbearer.token': ['test/unit/client/security-config.test.ts', 'static token and token file sources'],
  'sasl.oauthbearer.token.file': ['test/unit/client/security-config.test.ts', 'static token and token file sources'],
};

/** Admin-only supported keys. */
const ADMIN_EFFECTS: Record<string, [string, string]> = {
  'default.api.timeout.ms': ['test/integration/client-timeouts.test.ts', 'a command against a broker that accepts and never answers fails after about request.timeout.ms, within default.api.timeout.ms'],
};

/** A valid value for an entry: its default, or one of its type. */
function sample(e: ConfigEntry): string {
  if (e.default !== null) return Array.isArray(e.default) ? e.default.join(',') : String(e.default);
  if (e.values) return e.values[0]!;
  if (e.classes) return Object.keys(e.classes)[0] ?? '';
  switch (e.type) {
    case 'int':
    case 'long':
    case 'short':
      return String(e.min ?? 1);
    case 'double':
      return '0.5';
    case 'boolean':
      return 'false';
    case 'list':
      return '';
    case 'class':
      return 'org.example.Whatever';
    default:
      return 'x';
  }
}

describe('the catalogue engine', () => {
  const cat = defineCatalogue('t', [
    { name: 'i', type: 'int', default: 1, doc: '', support: 'supported', min: 0 },
    { name: 'l', type: 'long', default: 1, doc: '', support: 'supported', min: 0, max: 10 },
    { name: 'd', type: 'double', default: 1, doc: '', support: 'supported' },
    { name: 'b', type: 'boolean', default: true, doc: '', support: 'supported' },
    { name: 'li', type: 'list', default: [], doc: '', support: 'supported', values: ['a', 'b'] },
    { name: 'e', type: 'enum', default: 'x', doc: '', support: 'supported', values: ['x', 'y'] },
    { name: 'c', type: 'class', default: null, doc: '', support: 'supported', classes: { 'org.K': 'k' }, customClass: 'custom things are Java classes; kafka-ts supports org.K' },
    { name: 'n', type: 'string', default: null, doc: '', support: 'no-effect', note: 'why' },
    { name: 'u', type: 'string', default: null, doc: '', support: 'unsupported', note: 'u is not supported here' },
  ]);
  const errorOf = (k: string, v: string) => checkProperties(cat, { [k]: v }).errors[0];

  it("parses as Kafka's ConfigDef does, trimming numbers and booleans, splitting lists", () => {
    const e = (n: string) => cat.byName.get(n)!;
    expect(parseConfigValue(e('i'), ' 42 ')).toBe(42);
    expect(parseConfigValue(e('b'), ' TRUE ')).toBe(true);
    expect(parseConfigValue(e('d'), '1e3')).toBe(1000);
    expect(parseConfigValue(e('li'), ' a , b ')).toEqual(['a', 'b']);
    expect(parseConfigValue(e('li'), '')).toEqual([]);
  });

  it("refuses invalid values with Kafka's ConfigException text for every type, and out-of-range values", () => {
    expect(errorOf('i', 'x')).toBe('Invalid value x for configuration i: Not a number of type INT');
    expect(errorOf('i', '2147483648')).toBe('Invalid value 2147483648 for configuration i: Not a number of type INT');
    expect(errorOf('l', '5s')).toBe('Invalid value 5s for configuration l: Not a number of type LONG');
    expect(errorOf('d', 'abc')).toBe('Invalid value abc for configuration d: Not a number of type DOUBLE');
    expect(errorOf('b', 'yes')).toBe('Invalid value yes for configuration b: Expected value to be either true or false');
    expect(errorOf('li', 'a,c')).toBe('Invalid value c for configuration li: String must be one of: a, b');
    expect(errorOf('e', 'z')).toBe('Invalid value z for configuration e: String must be one of: x, y');
    expect(errorOf('c', 'not a class!')).toBe('Invalid value not a class! for configuration c: Class not a class! could not be found.');
    expect(errorOf('c', 'com.example.Nope')).toBe('Invalid value com.example.Nope for configuration c: custom things are Java classes; kafka-ts supports org.K');
    expect(errorOf('i', '-1')).toBe('Invalid value -1 for configuration i: Value must be at least 0');
    expect(errorOf('l', '11')).toBe('Invalid value 11 for configuration l: Value must be no more than 10');
  });

  it('unknown keys warn, no-effect keys are silent, unsupported keys are refused with their message', () => {
    const r = checkProperties(cat, { frob: '1', n: 'v', u: 'v' });
    expect(r.warnings).toEqual(["The configuration 'frob' was supplied but isn't a known config."]);
    expect(r.errors).toEqual(['u is not supported here']);
  });
});

describe.each(Object.entries(CLIENT_CATALOGUES))('the %s catalogue', (surface, cat) => {
  it('documents every key; no-effect keys say why, unsupported ones say what', () => {
    for (const row of describeCatalogue(cat)) {
      expect(row.doc, row.name).not.toBe('');
      if (row.support !== 'supported') expect(row.note, row.name).toBeTruthy();
    }
  });

  it('every no-effect key, set to a valid value, gives no warning and no error', () => {
    for (const e of cat.entries.filter((x) => x.support === 'no-effect')) {
      const r = checkProperties(cat, { [e.name]: sample(e) });
      expect(r, `${e.name}=${sample(e)}`).toMatchObject({ warnings: [], errors: [] });
    }
  });

  it('every supported key takes its default without a word', () => {
    for (const e of cat.entries.filter((x) => x.support === 'supported')) {
      const r = checkProperties(cat, { [e.name]: sample(e) });
      expect(r, `${e.name}=${sample(e)}`).toMatchObject({ warnings: [], errors: [] });
    }
  });

  it('every unsupported key is refused with its message; an unknown key warns', () => {
    for (const e of cat.entries.filter((x) => x.support === 'unsupported')) {
      expect(checkProperties(cat, { [e.name]: sample(e) }).errors).toEqual([e.note]);
    }
    expect(checkProperties(cat, { 'no.such.key': '1' }).warnings).toEqual(["The configuration 'no.such.key' was supplied but isn't a known config."]);
  });

  it('every supported common key has a test of its effect', () => {
    const table = { ...COMMON_EFFECTS, ...(surface === 'admin' ? ADMIN_EFFECTS : {}) };
    const common = new Set(COMMON_CLIENT_CONFIGS.map((e) => e.name));
    const keys = cat.entries.filter((e) => e.support === 'supported' && (common.has(e.name) || surface === 'admin')).map((e) => e.name);
    expect(keys.filter((k) => !(k in table))).toEqual([]);
    for (const k of keys) {
      const [file, text] = table[k]!;
      expect(existsSync(file), `${k}: ${file}`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${k}: "${text}" in ${file}`).toContain(text);
    }
  });
});

describe('keys whose effect is shown here', () => {
  it('interceptor.classes is accepted empty and refused with Java classes', () => {
    for (const surface of ['producer', 'consumer'] as const) {
      const cat = CLIENT_CATALOGUES[surface];
      expect(checkProperties(cat, { 'interceptor.classes': '' }).errors).toEqual([]);
      expect(checkProperties(cat, { 'interceptor.classes': 'com.example.Audit' }).errors[0]).toMatch(/^\w+ interceptors \(interceptor.classes\) are Java classes; kafka-ts cannot load com.example.Audit/);
    }
  });

  it('class keys take the Java classes kafka-ts implements and refuse others', () => {
    const cat = CLIENT_CATALOGUES.producer;
    expect(checkProperties(cat, { 'ssl.engine.factory.class': 'org.apache.kafka.common.security.ssl.DefaultSslEngineFactory' }).errors).toEqual([]);
    expect(checkProperties(cat, { 'sasl.login.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler' }).errors).toEqual([]);
    for (const k of ['ssl.engine.factory.class', 'sasl.client.callback.handler.class', 'sasl.login.callback.handler.class', 'sasl.login.class']) {
      expect(checkProperties(cat, { [k]: 'com.example.Mine' }).errors[0], k).toMatch(new RegExp(`^Invalid value com.example.Mine for configuration ${k.replace(/\./g, '\\.')}: .* are Java classes; kafka-ts`));
    }
    const p = checkProperties(cat, { 'partitioner.class': 'com.example.Nope' });
    expect(p.errors[0]).toContain('custom partitioners are Java classes; kafka-ts supports org.apache.kafka.clients.producer.RoundRobinPartitioner');
    const u = checkProperties(cat, { 'partitioner.class': 'org.apache.kafka.clients.producer.UniformStickyPartitioner' });
    expect(u.errors).toEqual([]);
    expect(u.warnings[0]).toMatch(/^UniformStickyPartitioner is deprecated\. {2}Please clear partitioner\.class configuration setting and set partitioner\.ignore\.keys to 'true'/);
    const a = checkProperties(CLIENT_CATALOGUES.consumer, { 'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.RangeAssignor, com.example.MyAssignor' });
    expect(a.errors[0]).toContain('custom assignors are Java classes');
  });

  it("librdkafka's inline PEM keys become node:tls options", async () => {
    const { tlsOptions } = await import('../../src/client/security/tls.js');
    const t = tempDir();
    try {
      const certs = await makeCerts(t.dir);
      const read = (p: string) => readFileSync(p, 'utf8');
      const opts = await tlsOptions({ 'ssl.ca.pem': read(certs.caCert), 'ssl.certificate.pem': read(certs.clientCert), 'ssl.key.pem': read(certs.clientKey) });
      expect(String(opts.ca)).toContain(read(certs.caCert).trim().split('\n')[1]);
      expect(String(opts.cert)).toContain(read(certs.clientCert).trim().split('\n')[1]);
      expect(String(opts.key)).toContain('PRIVATE KEY');
    } finally {
      t.cleanup();
    }
  });

  it('request.timeout.ms, retry.backoff.ms and default.api.timeout.ms reach the client', () => {
    const src = readFileSync('src/cli/context.ts', 'utf8');
    // The client is built from these three keys (src/cli/context.ts client()).
    for (const k of ["clientTimeoutMs(p, 'request.timeout.ms'", "clientTimeoutMs(p, 'default.api.timeout.ms'", "clientTimeoutMs(p, 'retry.backoff.ms'"]) expect(src).toContain(k);
  });
});
