/**
 * A broker (the real daemon by default, or in process) with the listeners of issue 13 for the
 * security interop tests: PLAINTEXT (for the harness: topics, SCRAM users, committed offsets),
 * SASL_SSL, SSL with ssl.client.auth=required (mTLS), SASL_PLAINTEXT, and EXPIRED (SSL with an
 * expired certificate), each on a free port, with throw-away
 * certificates (helpers/certs.ts), PLAIN users from the listeners' JAAS config, SCRAM users
 * created over PLAINTEXT (helpers/scram-users.ts) and OAUTHBEARER with Kafka's unsecured validator.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBroker } from './broker.js';
import { kafkaTs, stopDaemon } from './cli.js';
import { makeCerts, type TestCerts } from './certs.js';
import { createScramUsers } from './scram-users.js';
import type { ClientSecurity } from './real-clients.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { Admin } from '../../src/client/admin.js';
import type { Logger } from '../../src/util/logger.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';

/** EXPIRED is an SSL listener whose certificate expired in 2020 (clients must refuse it). */
export type ListenerName = 'PLAINTEXT' | 'SASL_SSL' | 'SSL' | 'SASL_PLAINTEXT' | 'EXPIRED';
const LISTENERS: ListenerName[] = ['PLAINTEXT', 'SASL_SSL', 'SSL', 'SASL_PLAINTEXT', 'EXPIRED'];

/** Test passwords (throw-away, for a broker on a temp dir). */
export const USERS = {
  plain: { name: 'alice', password: 'alice-plain-pw' },
  scram256: { name: 'bob', password: 'bob-scram256-pw' },
  scram512: { name: 'carol', password: 'carol-scram512-pw' },
} as const;

export interface SecureBroker {
  certs: TestCerts;
  /** host:port of each listener. */
  address: Record<ListenerName, string>;
  /** Client settings for a listener; `overrides` replace fields (a wrong password, another CA). */
  security(kind: 'plain-ssl' | 'plain-plaintext' | 'scram256-ssl' | 'scram512-ssl' | 'scram256-plaintext' | 'mtls' | 'expired' | 'oauth-ssl', overrides?: Partial<ClientSecurity>): { address: string; sec: ClientSecurity };
  /** Committed offsets of a group, read over PLAINTEXT: partition -> offset. */
  committed(group: string, topic: string): Promise<Map<number, number>>;
  /** Log end offsets of a topic's partitions, read over PLAINTEXT: partition -> offset. */
  endOffsets(topic: string, partitions: number): Promise<Map<number, number>>;
  /** Creates a topic over PLAINTEXT. */
  createTopic(name: string, partitions: number): Promise<void>;
  close(): Promise<void>;
}

const jaasPlain = () =>
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-pw" ' +
  `user_admin="admin-pw" user_${USERS.plain.name}="${USERS.plain.password}";`;

export interface SecureBrokerOptions {
  /** Broker properties that win over the defaults here (e.g. connections.max.reauth.ms). */
  properties?: Record<string, string>;
  /**
   * Run the cluster in process with this logger (for tests that read the broker's log) instead of
   * the default: the real daemon (`kafka-ts server start --override …`), as users run it.
   */
  inProcessLog?: Logger;
}

/** The daemon's listeners from `server start --output json`: name -> host:port. */
function daemonListeners(json: string): Record<string, string> {
  const listeners = (JSON.parse(json) as { listeners: string[] }).listeners;
  return Object.fromEntries(listeners.map((l) => l.split('://') as [string, string]));
}

export async function startSecureBroker(dir: string, opts: SecureBrokerOptions = {}): Promise<SecureBroker> {
  const certs = await makeCerts(join(dir, 'certs'));
  const expiredKeystore = join(dir, 'certs', 'expired-keystore.pem');
  writeFileSync(expiredKeystore, [certs.expiredServerKey, certs.expiredServerCert, certs.caCert].map((f) => readFileSync(f, 'utf8')).join(''));
  const properties: Record<string, string> = {
    listeners: LISTENERS.map((l) => `${l}://127.0.0.1:0`).join(','),
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': certs.serverKeystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caCert,
    'listener.name.ssl.ssl.client.auth': 'required',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,EXPIRED:SSL',
    'listener.name.expired.ssl.keystore.location': expiredKeystore,
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
    'listener.name.sasl_ssl.plain.sasl.jaas.config': jaasPlain(),
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': jaasPlain(),
    'group.initial.rebalance.delay.ms': '0',
    ...opts.properties,
  };
  let address: Record<ListenerName, string>;
  let stop: () => Promise<void>;
  if (opts.inProcessLog) {
    const broker = await startBroker({ log: opts.inProcessLog, properties });
    address = Object.fromEntries(LISTENERS.map((l) => [l, broker.cluster.bootstrapFor(l)])) as Record<ListenerName, string>;
    stop = () => broker.close();
  } else {
    const home = join(dir, 'daemon');
    mkdirSync(home);
    const overrides = Object.entries(properties).flatMap(([k, v]) => ['--override', `${k}=${v}`]);
    const r = await kafkaTs(['server', 'start', '--port', '0', '--data-dir', home, '--output', 'json', ...overrides], { home });
    if (r.exitCode !== 0) throw new Error(`the daemon did not start: ${r.stderr}${r.stdout}`);
    const found = daemonListeners(r.stdout);
    address = Object.fromEntries(LISTENERS.map((l) => [l, found[l]])) as Record<ListenerName, string>;
    stop = () => stopDaemon(home);
    const missing = LISTENERS.filter((l) => !found[l]);
    if (missing.length) {
      await stop();
      throw new Error(`the daemon shows no ${missing.join(', ')} listener: ${r.stdout}`);
    }
  }
  const admin = new KafkaClient({ bootstrap: parseBootstrap(address.PLAINTEXT), clientId: 'interop-security-admin', connectTimeoutMs: 5000, requestTimeoutMs: 15_000 });
  try {
    await createScramUsers(address.PLAINTEXT, [
      { ...USERS.scram256, mechanism: 'SCRAM-SHA-256' },
      { ...USERS.scram512, mechanism: 'SCRAM-SHA-512' },
    ]);
    return {
      certs,
      address,
      security(kind, overrides = {}) {
        const tls = { ca: certs.caCert };
        const table: Record<typeof kind, { address: string; sec: ClientSecurity }> = {
          'plain-ssl': { address: address.SASL_SSL, sec: { protocol: 'SASL_SSL', mechanism: 'PLAIN', username: USERS.plain.name, password: USERS.plain.password, ...tls } },
          'plain-plaintext': { address: address.SASL_PLAINTEXT, sec: { protocol: 'SASL_PLAINTEXT', mechanism: 'PLAIN', username: USERS.plain.name, password: USERS.plain.password } },
          'scram256-ssl': { address: address.SASL_SSL, sec: { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-256', username: USERS.scram256.name, password: USERS.scram256.password, ...tls } },
          'scram256-plaintext': { address: address.SASL_PLAINTEXT, sec: { protocol: 'SASL_PLAINTEXT', mechanism: 'SCRAM-SHA-256', username: USERS.scram256.name, password: USERS.scram256.password } },
          'scram512-ssl': { address: address.SASL_SSL, sec: { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-512', username: USERS.scram512.name, password: USERS.scram512.password, ...tls } },
          mtls: { address: address.SSL, sec: { protocol: 'SSL', ...tls, cert: certs.clientCert, key: certs.clientKey } },
          expired: { address: address.EXPIRED, sec: { protocol: 'SSL', ...tls } },
          'oauth-ssl': { address: address.SASL_SSL, sec: { protocol: 'SASL_SSL', mechanism: 'OAUTHBEARER', username: 'dave', ...tls } },
        };
        const t = table[kind];
        return { address: t.address, sec: { ...t.sec, ...overrides } };
      },
      async committed(group, topic) {
        const offsets = await new GroupAdmin(admin).fetchOffsets(group);
        return new Map(offsets.filter((o) => o.topic === topic && o.offset >= 0).map((o) => [o.partition, o.offset]));
      },
      async endOffsets(topic, partitions) {
        const res = await new Admin(admin).listOffsets(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, timestamp: -1 })));
        return new Map(res.map((r) => [r.partition, r.offset]));
      },
      async createTopic(name, partitions) {
        const [r] = await new Admin(admin).createTopics([{ name, partitions, replicationFactor: 1 }]);
        if (r?.error) throw new Error(`create ${name}: ${r.error.message}`);
      },
      async close() {
        await admin.close();
        await stop();
      },
    };
  } catch (e) {
    await admin.close();
    await stop();
    throw e;
  }
}
