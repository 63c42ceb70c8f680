/**
 * Smoke tests of the broker's SASL/TLS server with unmodified clients other than kcat: kafkajs
 * (SaslAuthenticate) and kafka-python 2.0.2 (SaslHandshake v0 and the legacy raw-token framing).
 * The full matrix of clients, mechanisms and refusals is in test/interop.
 */
import { execa } from 'execa';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialFor } from '../../src/util/scram.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { PYTHON, requirePython } from '../helpers/real-clients.js';
import { tempDir } from '../helpers/tmp.js';

const PY = `
import sys, json
from kafka import KafkaProducer, KafkaConsumer
cfg = json.loads(sys.argv[1]); topic = sys.argv[2]
p = KafkaProducer(**cfg)
for i in range(3): p.send(topic, ('v%d' % i).encode())
p.flush(); p.close()
c = KafkaConsumer(topic, group_id='py-' + topic, auto_offset_reset='earliest', consumer_timeout_ms=30000, **cfg)
seen = []
for m in c:
    seen.append(m.value.decode())
    if len(seen) == 3: break
print(json.dumps(sorted(seen))); c.close()
`;

const KAFKAJS = `
const { Kafka, logLevel } = require('kafkajs');
const [brokers, mechanism, username, password, ca, topic] = process.argv.slice(1);
(async () => {
  const kafka = new Kafka({ brokers: [brokers], clientId: 'sec', logLevel: logLevel.NOTHING, ssl: { ca: [require('fs').readFileSync(ca)], servername: 'localhost' }, sasl: { mechanism, username, password } });
  const p = kafka.producer(); await p.connect();
  await p.send({ topic, messages: [{ value: 'x1' }, { value: 'x2' }] }); await p.disconnect();
  const c = kafka.consumer({ groupId: 'js-' + topic }); await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  const seen = [];
  let timer;
  await new Promise((resolve, reject) => { c.run({ eachMessage: async ({ message }) => { seen.push(message.value.toString()); if (seen.length === 2) resolve(); } }).catch(reject); timer = setTimeout(() => reject(new Error('timeout, saw ' + seen)), 30000); });
  clearTimeout(timer);
  await c.disconnect(); console.log(JSON.stringify(seen.sort()));
})().catch((e) => { console.error(e.type || e.name, e.message); process.exit(1); });
`;

describe('broker security with kafkajs and kafka-python', () => {
  const tmp = tempDir('kafka-ts-sec3-');
  let certs: TestCerts;
  let b: TestBroker;
  const port = (name: string) => b.cluster.boundPort(1, name);

  beforeAll(async () => {
    await requirePython('kafka');
    certs = await makeCerts(join(tmp.dir, 'certs'));
    b = await startBroker({
      properties: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
        'ssl.keystore.location': certs.serverKeystore,
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
        'listener.name.sasl_ssl.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
      },
    });
    const creds = (['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const).map((m) => {
      const c = credentialFor(m, 'carol-secret', 4096);
      return { mechanism: m, iterations: 4096, salt: c.salt.toString('base64'), storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64') };
    });
    b.cluster.metadata.setScramCredentials('carol', creds);
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    tmp.cleanup();
  });

  it('kafka-python 2.0.2: PLAIN over SASL_PLAINTEXT and SCRAM-SHA-512 over SASL_SSL (legacy framing); a wrong password fails', async () => {
    const cases: [string, object][] = [
      ['py-plain', { bootstrap_servers: `127.0.0.1:${port('SASL_PLAINTEXT')}`, security_protocol: 'SASL_PLAINTEXT', sasl_mechanism: 'PLAIN', sasl_plain_username: 'alice', sasl_plain_password: 'alice-secret' }],
      ['py-scram', { bootstrap_servers: `localhost:${port('SASL_SSL')}`, security_protocol: 'SASL_SSL', sasl_mechanism: 'SCRAM-SHA-512', sasl_plain_username: 'carol', sasl_plain_password: 'carol-secret', ssl_cafile: certs.caCert }],
    ];
    for (const [topic, cfg] of cases) {
      const r = await execa(PYTHON, ['-c', PY, JSON.stringify(cfg), topic], { reject: false, timeout: 90_000 });
      expect(r.exitCode, `${topic}: ${r.stderr.slice(-2000)}`).toBe(0);
      expect(JSON.parse(r.stdout.trim())).toEqual(['v0', 'v1', 'v2']);
    }
    const bad = { bootstrap_servers: `127.0.0.1:${port('SASL_PLAINTEXT')}`, security_protocol: 'SASL_PLAINTEXT', sasl_mechanism: 'PLAIN', sasl_plain_username: 'alice', sasl_plain_password: 'wrong', api_version_auto_timeout_ms: 5000 };
    const r = await execa(PYTHON, ['-c', PY, JSON.stringify(bad), 'py-bad'], { reject: false, timeout: 90_000 });
    expect(r.exitCode).not.toBe(0);
  });

  it('kafkajs 2.2.4: SCRAM-SHA-256 and PLAIN over SASL_SSL, producing and consuming in a group; a wrong password fails', async () => {
    for (const [mechanism, user, pw] of [['scram-sha-256', 'carol', 'carol-secret'], ['plain', 'alice', 'alice-secret']]) {
      const topic = `js-${mechanism}`;
      const r = await execa(process.execPath, ['-e', KAFKAJS, `localhost:${port('SASL_SSL')}`, mechanism!, user!, pw!, certs.caCert, topic], { reject: false, timeout: 90_000 });
      expect(r.exitCode, `${mechanism}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout.trim())).toEqual(['x1', 'x2']);
    }
    const bad = await execa(process.execPath, ['-e', KAFKAJS, `localhost:${port('SASL_SSL')}`, 'scram-sha-256', 'carol', 'wrong', certs.caCert, 'js-bad'], { reject: false, timeout: 90_000 });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/SASL_AUTHENTICATION_FAILED|Authentication failed/);
  });
});
