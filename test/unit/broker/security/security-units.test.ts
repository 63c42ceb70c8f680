import { describe, expect, it } from 'vitest';
import { buildBrokerConfig } from '../../../../src/broker/config.js';
import { OAuthBearerServer, oauthOptions } from '../../../../src/broker/security/mechanisms/oauthbearer.js';
import { PlainServer } from '../../../../src/broker/security/mechanisms/plain.js';
import { ScramServer } from '../../../../src/broker/security/mechanisms/scram.js';
import { pemBlocks } from '../../../../src/broker/security/tls-config.js';
import { rfc2253Subject } from '../../../../src/transport/certificate-subject.js';
import { credentialFor } from '../../../../src/util/scram.js';
import { scramClient } from '../../../helpers/raw-kafka.js';

describe('listener configuration', () => {
  it('reads several named listeners, the protocol map and per-listener advertised endpoints', () => {
    const { config, warnings } = buildBrokerConfig('/d', {
      listeners: 'PLAINTEXT://:9092,sasl_ssl://127.0.0.1:9093,INTERNAL://[::1]:9094',
      'listener.security.protocol.map': 'INTERNAL:SASL_PLAINTEXT',
      'advertised.listeners': 'SASL_SSL://broker.example:19093',
      'listener.name.internal.sasl.enabled.mechanisms': 'PLAIN',
      'ssl.keystore.location': '/x.pem',
    });
    expect(warnings).toEqual([]);
    expect(config.listeners).toEqual([
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 },
      { name: 'SASL_SSL', host: '127.0.0.1', port: 9093 },
      { name: 'INTERNAL', host: '::1', port: 9094 },
    ]);
    expect(config.listenerSecurityProtocolMap['INTERNAL']).toBe('SASL_PLAINTEXT');
    expect(config.listenerSecurityProtocolMap['SSL']).toBe('SSL');
    expect(config.advertisedListeners).toEqual({ SASL_SSL: { host: 'broker.example', port: 19093 } });
    expect(config.port).toBe(9092);
  });

  it('keeps the old single-listener forms: no listeners (one PLAINTEXT), host:port without a name, advertised host:port', () => {
    expect(buildBrokerConfig('/d', {}).config.listeners).toEqual([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }]);
    const { config } = buildBrokerConfig('/d', { listeners: '127.0.0.1:0', 'advertised.listeners': 'proxy:7000' });
    expect(config.listeners).toEqual([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }]);
    expect([config.advertisedHost, config.advertisedPort]).toEqual(['proxy', 7000]);
  });

  it('port (server start --port) moves the first listener only, whichever order the keys came in', () => {
    const { config } = buildBrokerConfig('/d', { port: '0', listeners: 'PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9093', 'sasl.enabled.mechanisms': 'PLAIN', 'listener.name.sasl_ssl.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_a="b";', 'listener.name.sasl_ssl.ssl.keystore.location': '/nonexistent' });
    expect(config.listeners.map((l) => `${l.name}:${l.port}`)).toEqual(['PLAINTEXT:0', 'SASL_SSL:9093']);
  });

  it('refuses a repeated name, an unmapped listener and a bad map with Kafka-like messages', () => {
    expect(() => buildBrokerConfig('/d', { listeners: 'PLAINTEXT://:1,PLAINTEXT://:2' })).toThrow(/PLAINTEXT is repeated/);
    expect(() => buildBrokerConfig('/d', { listeners: 'EXT://:1' })).toThrow(/No security protocol defined for listener EXT/);
    expect(() => buildBrokerConfig('/d', { 'listener.security.protocol.map': 'EXT:TLS' })).toThrow(/PROTOCOL one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/);
    expect(() => buildBrokerConfig('/d', { listeners: 'PLAINTEXT://:1', 'advertised.listeners': 'SSL://h:2' })).toThrow(/not in listeners/);
  });
});

describe('TLS helpers', () => {
  it('writes certificate subjects as Java RFC 2253 names: most specific first, escapes kept, OID form for emailAddress', () => {
    expect(rfc2253Subject('C=US\nO=kafka-ts\nOU=test\nCN=client')).toBe('CN=client,OU=test,O=kafka-ts,C=US');
    expect(rfc2253Subject('O=Acme\\, Inc.\nCN=a + UID=7')).toBe('CN=a+UID=7,O=Acme\\, Inc.');
    expect(rfc2253Subject('CN=x\nemailAddress=a@b.c')).toBe('1.2.840.113549.1.9.1=#16056140622e63,CN=x');
  });

  it('re-wraps inline PEM whose line breaks were lost', () => {
    const body = 'QUJD'.repeat(40);
    const [b] = pemBlocks(`-----BEGIN CERTIFICATE-----${body}-----END CERTIFICATE-----`);
    expect(b!.label).toBe('CERTIFICATE');
    expect(b!.pem.split('\n')[1]).toHaveLength(64);
  });
});

describe('SASL mechanisms (server side)', () => {
  it('PLAIN: right password, wrong password, unknown user, mismatched authzid, garbage', () => {
    const users = new Map([['alice', 'pw']]);
    expect(new PlainServer(users).evaluate(Buffer.from('\0alice\0pw'))).toMatchObject({ done: true, user: 'alice' });
    expect(new PlainServer(users).evaluate(Buffer.from('alice\0alice\0pw'))).toMatchObject({ done: true, user: 'alice' });
    for (const t of ['\0alice\0nope', '\0bob\0pw', 'bob\0alice\0pw', 'garbage', '\0\0', '\0alice\0pw\0x']) {
      expect(() => new PlainServer(users).evaluate(Buffer.from(t)), t).toThrow();
    }
  });

  it('SCRAM: accepts librdkafka\'s final nonce (its own nonce prepended), rejects a wrong proof and an unknown user alike', () => {
    const c = credentialFor('SCRAM-SHA-256', 'pw', 4096);
    const stored = { mechanism: 'SCRAM-SHA-256' as const, iterations: 4096, salt: c.salt.toString('base64'), storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64') };
    const lookup = (u: string) => (u === 'carol' ? stored : undefined);
    const run = (user: string, pw: string, mangle = (s: string) => s) => {
      const server = new ScramServer('SCRAM-SHA-256', lookup);
      const client = scramClient('SCRAM-SHA-256', user, pw);
      const sf = server.evaluate(client.first);
      const fin = server.evaluate(Buffer.from(mangle(client.final(sf.challenge).toString())));
      return client.verify(fin.challenge);
    };
    expect(run('carol', 'pw')).toBe(true);
    expect(() => run('carol', 'wrong')).toThrow(/invalid credentials/);
    expect(() => run('nobody', 'pw')).toThrow(/invalid credentials/);
    expect(() => run('carol', 'pw', (s) => s.replace('c=biws', 'c=eSws'))).toThrow(/channel binding/);
  });

  it('OAUTHBEARER: unsecured JWT with sub and exp; required scope; expired, signed or scope-less tokens fail', () => {
    const now = 1_700_000_000_000;
    const jwt = (claims: object, alg = 'none', sig = '') => `${Buffer.from(JSON.stringify({ alg })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    const msg = (t: string) => Buffer.from(`n,,\u0001auth=Bearer ${t}\u0001\u0001`);
    const srv = (o: Record<string, string> = {}) => new OAuthBearerServer(oauthOptions(o), () => now);
    expect(srv().evaluate(msg(jwt({ sub: 'dave', exp: now / 1000 + 60 })))).toMatchObject({ done: true, user: 'dave', credentialLifetimeMs: 60_000 });
    expect(() => srv().evaluate(msg(jwt({ sub: 'dave', exp: now / 1000 - 1 })))).toThrow(/expired/);
    expect(() => srv().evaluate(msg(jwt({ sub: 'dave', exp: now / 1000 + 60 }, 'HS256', 'abc')))).toThrow(/unsecured/);
    expect(() => srv().evaluate(msg(jwt({ exp: now / 1000 + 60 })))).toThrow(/'sub'/);
    expect(() => srv({ unsecuredValidatorRequiredScope: 'kafka' }).evaluate(msg(jwt({ sub: 'd', exp: now / 1000 + 60, scope: 'other' })))).toThrow(/scope/);
    expect(srv({ unsecuredValidatorRequiredScope: 'kafka' }).evaluate(msg(jwt({ sub: 'd', exp: now / 1000 + 60, scope: 'a kafka' }))).done).toBe(true);
    expect(() => srv().evaluate(Buffer.from('n,,\u0001auth=Bearer x\u0001'))).toThrow();
  });
});
