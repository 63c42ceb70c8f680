import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clientSecurity, securityProtocol } from '../../../src/client/security/index.js';
import { saslSettings } from '../../../src/client/security/sasl-config.js';
import { UsageError } from '../../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'kafka-ts-sec-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule';
const OAUTH = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';

async function usage(props: Record<string, string>): Promise<string> {
  try {
    await clientSecurity(props);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('security.protocol', () => {
  it('accepts the four protocols in any case and names the key and values otherwise', async () => {
    expect(securityProtocol({})).toBe('PLAINTEXT');
    expect(securityProtocol({ 'security.protocol': ' sasl_ssl ' })).toBe('SASL_SSL');
    expect(securityProtocol({ 'security.protocol': 'Ssl' })).toBe('SSL');
    expect(await usage({ 'security.protocol': 'TLS' })).toBe('security.protocol=TLS is not valid; use one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL');
    expect((await clientSecurity({})).protocol).toBe('PLAINTEXT');
    const ssl = await clientSecurity({ 'security.protocol': 'SSL' });
    expect(ssl.tls).toMatchObject({ rejectUnauthorized: true });
    expect(ssl.tls?.ca).toBeUndefined(); // the system CAs
    expect(ssl.tls?.checkServerIdentity).toBeUndefined(); // hostname verification on
    expect((await clientSecurity({ 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': '' })).tls?.checkServerIdentity).toBeTypeOf('function');
  });
});

describe('SASL settings', () => {
  const sasl = (p: Record<string, string>) => clientSecurity({ 'security.protocol': 'SASL_PLAINTEXT', ...p });

  it('maps each login module to its mechanisms', async () => {
    const plain = (await sasl({ 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': `${PLAIN} required username="alice" password="a;b \\"c\\"";` })).sasl!;
    expect(plain).toMatchObject({ mechanism: 'PLAIN', username: 'alice', who: 'user alice' });
    expect(plain.password!()).toBe('a;b "c"');
    for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
      const s = (await sasl({ 'sasl.mechanism': m, 'sasl.jaas.config': `${SCRAM} required username="bob" password="pw";` })).sasl!;
      expect(s).toMatchObject({ mechanism: m, username: 'bob' });
    }
    const o = (await sasl({ 'sasl.mechanism': 'OAUTHBEARER', 'sasl.jaas.config': `${OAUTH} required unsecuredLoginStringClaim_sub="carol" extension_traceId="t1";` })).sasl!;
    expect(o.mechanism).toBe('OAUTHBEARER');
    expect(o.extensions).toEqual({ traceId: 't1' });
    const jwt = await o.tokens!.token();
    const [h, p, sig] = jwt.split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ alg: 'none' });
    expect(JSON.parse(Buffer.from(p!, 'base64url').toString())).toMatchObject({ sub: 'carol' });
    expect(sig).toBe('');
  });

  it('refuses a login module that does not go with the mechanism, or an unknown one', async () => {
    expect(await usage({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.jaas.config': `${PLAIN} required username="a" password="secret1";` })).toBe(
      `sasl.jaas.config uses PlainLoginModule, which does not go with sasl.mechanism=SCRAM-SHA-256: use ${SCRAM}, or set sasl.mechanism=PLAIN`,
    );
    expect(await usage({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': `${SCRAM} required username="a" password="secret1";` })).toContain(
      'or set sasl.mechanism=SCRAM-SHA-256 or SCRAM-SHA-512',
    );
    expect(await usage({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': 'com.example.Custom required a="secret1";' })).toBe(
      `sasl.jaas.config: login module com.example.Custom is not supported; for sasl.mechanism=PLAIN use ${PLAIN}`,
    );
    expect(await usage({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': `${PLAIN} required username="a" password="secret1"` })).toBe("sasl.jaas.config: missing ';' at the end");
  });

  it('GSSAPI (Kafka default) and unknown mechanisms are usage errors', async () => {
    expect(await usage({ 'security.protocol': 'SASL_SSL', 'sasl.jaas.config': `${PLAIN} required username="a" password="b";` })).toMatch(
      /^sasl\.mechanism is not set, so it is Kafka's default GSSAPI: GSSAPI \(Kerberos\) is not supported by kafka-ts; set sasl\.mechanism to PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER$/,
    );
    expect(await usage({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'GSSAPI' })).toContain('GSSAPI (Kerberos) is not supported');
    expect(await usage({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'DIGEST-MD5' })).toBe('sasl.mechanism=DIGEST-MD5 is not supported; use one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER');
  });

  it("takes librdkafka's sasl.mechanisms / sasl.username / sasl.password", () => {
    const s = saslSettings({ 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'dave', 'sasl.password': 'pw' });
    expect(s).toMatchObject({ mechanism: 'SCRAM-SHA-512', username: 'dave' });
    expect(s.password!()).toBe('pw');
  });

  it('says what is missing, never echoing a secret', async () => {
    expect(await usage({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'a' })).toBe(
      `SASL PLAIN needs a user name and a password: set sasl.jaas.config=${PLAIN} required username="…" password="…"; (or sasl.username and sasl.password)`,
    );
    expect(await usage({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER' })).toMatch(/^SASL OAUTHBEARER needs a token: set sasl\.oauthbearer\.token/);
    expect(
      await usage({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.token.endpoint.url': 'https://idp.example/token', 'sasl.oauthbearer.client.secret': 'topsecret' }),
    ).toMatch(/needs a client id and secret/);
    const bad = await usage({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.jaas.config': `${PLAIN} required username="a" password="topsecret";` });
    expect(bad).not.toContain('topsecret');
    // The password sits behind a function: a dump of the settings does not show it.
    const s = await clientSecurity({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'a', 'sasl.password': 'topsecret' });
    expect(JSON.stringify(s.sasl)).not.toContain('topsecret');
  });

  it('static token and token file sources', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'eyJ.file.token\n');
    const st = (await sasl({ 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.token': 'eyJ.static.token' })).sasl!;
    expect(await st.tokens!.token()).toBe('eyJ.static.token');
    const ft = (await sasl({ 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.token.file': file })).sasl!;
    expect(await ft.tokens!.token()).toBe('eyJ.file.token');
    const jaas = (await sasl({ 'sasl.mechanism': 'OAUTHBEARER', 'sasl.jaas.config': `${OAUTH} required tokenFile="${file}";` })).sasl!;
    expect(await jaas.tokens!.token()).toBe('eyJ.file.token');
    const url = (await sasl({ 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.token.endpoint.url': `file://${file}` })).sasl!;
    expect(await url.tokens!.token()).toBe('eyJ.file.token');
    const missing = (await sasl({ 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.token.file': join(dir, 'nope') })).sasl!;
    await expect(missing.tokens!.token()).rejects.toThrow(`sasl.oauthbearer.token.file: cannot read ${join(dir, 'nope')} (ENOENT)`);
  });
});

describe('TLS settings', () => {
  it('refuses JKS and PKCS12 with the conversion command', async () => {
    const jks = await usage({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'JKS', 'ssl.truststore.location': '/etc/kafka/truststore.jks' });
    expect(jks).toContain('kafka-ts reads PEM stores only, not JKS');
    expect(jks).toContain('keytool -importkeystore -srckeystore /etc/kafka/truststore.jks -destkeystore /etc/kafka/truststore.p12 -deststoretype PKCS12');
    expect(jks).toContain('openssl pkcs12 -in /etc/kafka/truststore.p12 -out /etc/kafka/truststore.pem -nodes');
    expect(jks).toContain('ssl.truststore.type=PEM and ssl.truststore.location=/etc/kafka/truststore.pem');
    // A JKS store named .pem: the commands must not write over it.
    const named = await usage({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'JKS', 'ssl.truststore.location': '/etc/kafka/ca.pem' });
    expect(named).toContain('openssl pkcs12 -in /etc/kafka/ca.p12 -out /etc/kafka/ca-converted.pem -nodes');
    expect(named).toContain('ssl.truststore.location=/etc/kafka/ca-converted.pem');
    // Nor over files that exist: a PEM the user has beside the store, a .p12 keytool made before.
    for (const f of ['client.jks', 'client.p12', 'client.pem', 'client-converted.pem']) writeFileSync(join(dir, f), 'x');
    const beside = await usage({ 'security.protocol': 'SSL', 'ssl.keystore.type': 'JKS', 'ssl.keystore.location': join(dir, 'client.jks') });
    expect(beside).toContain(`-destkeystore ${join(dir, 'client-converted.p12')} -deststoretype PKCS12 && openssl pkcs12 -in ${join(dir, 'client-converted.p12')} -out ${join(dir, 'client-converted-2.pem')} -nodes`);
    // Kafka's default store type is JKS: a .jks/.p12 file without a type is refused too.
    const p12 = await usage({ 'security.protocol': 'SSL', 'ssl.keystore.location': '/k/client.p12' });
    expect(p12).toContain('not PKCS12; convert it with: openssl pkcs12 -in /k/client.p12 -out /k/client.pem -nodes');
    expect(await usage({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'BKS' })).toBe('ssl.truststore.type=BKS is not supported; kafka-ts reads PEM (set ssl.truststore.type=PEM)');
  });

  it('names unreadable or wrong files and bad settings', async () => {
    expect(await usage({ 'security.protocol': 'SSL', 'ssl.truststore.location': join(dir, 'none.pem') })).toBe(`ssl.truststore.location: cannot read ${join(dir, 'none.pem')} (no such file)`);
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(await usage({ 'security.protocol': 'SSL', 'ssl.truststore.location': notPem })).toContain('holds no PEM certificate');
    expect(await usage({ 'security.protocol': 'SSL', 'ssl.keystore.location': notPem })).toContain('must hold the private key and the certificate chain in PEM');
    expect(await usage({ 'security.protocol': 'SSL', 'ssl.keystore.key': 'x' })).toContain('ssl.keystore.certificate.chain and ssl.keystore.key go together');
    expect(await usage({ 'security.protocol': 'SSL', 'ssl.keystore.key': '/k/client.key', 'ssl.keystore.certificate.chain': '/k/client.pem' })).toBe(
      'ssl.keystore.certificate.chain holds the PEM text itself, not a file name; for files use ssl.keystore.location (key and chain in one PEM file)',
    );
    expect(await usage({ 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': 'ldap' })).toContain('ssl.endpoint.identification.algorithm=ldap is not supported');
    expect(await usage({ 'security.protocol': 'SSL', 'enable.ssl.certificate.verification': 'maybe' })).toContain('enable.ssl.certificate.verification must be true or false');
    expect((await clientSecurity({ 'security.protocol': 'SSL', 'enable.ssl.certificate.verification': 'false' })).tls?.rejectUnauthorized).toBe(false);
    // Kafka's and librdkafka's names for the trusted CAs together: which one wins would be a guess.
    expect(await usage({ 'security.protocol': 'SSL', 'ssl.truststore.location': '/a/ca.pem', 'ssl.ca.location': '/b/ca.pem' })).toBe(
      "ssl.truststore.location and ssl.ca.location both name the trusted CA certificates (Kafka's and librdkafka's names for one setting); set only one",
    );
    expect(await usage({ 'security.protocol': 'SSL', 'ssl.truststore.certificates': '-----BEGIN CERTIFICATE-----', 'ssl.ca.pem': '-----BEGIN CERTIFICATE-----' })).toContain('ssl.truststore.certificates and ssl.ca.pem both name the trusted CA certificates');
    expect((await clientSecurity({ 'security.protocol': 'SSL', 'ssl.enabled.protocols': 'TLSv1.3' })).tls).toMatchObject({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    expect((await clientSecurity({ 'security.protocol': 'SSL', 'ssl.enabled.protocols': 'TLSv1.2, TLSv1.3' })).tls).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(await usage({ 'security.protocol': 'SSL', 'ssl.enabled.protocols': 'SSLv3' })).toBe('ssl.enabled.protocols=SSLv3: SSLv3 is not a TLS version kafka-ts can use (TLSv1.2, TLSv1.3)');
  });
});
