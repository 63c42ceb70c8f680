/**
 * The keys every Kafka client takes (CommonClientConfigs, the SSL and SASL configs), once, for the
 * producer, consumer and admin catalogues. Marked after what src/cli/context.ts and
 * src/client/security do with them today. A few librdkafka names that kafka-ts reads as well
 * (sasl.mechanisms, ssl.ca.location, ...) are in here so they do not warn.
 */
import type { ConfigEntry } from '../../util/config-catalogue.js';
import { noEffect, supported } from './entry.js';

const SOCKETS = 'Node.js manages socket buffers itself; kafka-ts does not set SO_SNDBUF/SO_RCVBUF';
const NO_JMX = 'kafka-ts has no JMX metrics; metrics reporters are Java classes and none is loaded';
const JAVA_SECURITY = 'Java security providers and factories have no counterpart in Node.js (node:tls and OpenSSL are used)';
const KERBEROS = 'GSSAPI (Kerberos) is not supported by kafka-ts (see sasl.mechanism)';
const OAUTH_BROKER_SIDE = 'token validation settings: kafka-ts\'s client sends the token it gets and does not validate it';
const RECONNECT = 'kafka-ts reconnects with its own backoff (retry.backoff.ms); this bound is not read';

export const COMMON_CLIENT_CONFIGS: readonly ConfigEntry[] = [
  supported('bootstrap.servers', 'list', [], 'host:port pairs of brokers to make the first connection to'),
  supported('client.id', 'string', '', 'a name sent with every request, for the broker\'s logs and quotas'),
  supported('request.timeout.ms', 'int', 30000, 'how long the client waits for a response before it fails or retries the request', { min: 0, unit: 'ms' }),
  supported('retry.backoff.ms', 'long', 100, 'how long to wait before retrying a failed request', { min: 0, unit: 'ms' }),
  noEffect('retry.backoff.max.ms', 'long', 1000, 'the upper bound of the exponential retry backoff', 'kafka-ts retries at retry.backoff.ms (its metadata waits double up to 1 s)', { min: 0, unit: 'ms' }),
  noEffect('reconnect.backoff.ms', 'long', 50, 'how long to wait before reconnecting to a broker', RECONNECT, { min: 0, unit: 'ms' }),
  noEffect('reconnect.backoff.max.ms', 'long', 1000, 'the upper bound of the reconnect backoff', RECONNECT, { min: 0, unit: 'ms' }),
  noEffect('socket.connection.setup.timeout.ms', 'long', 10000, 'how long a connection may take to be set up', 'the connect timeout follows default.api.timeout.ms (10 s when unset)', { min: 0, unit: 'ms' }),
  noEffect('socket.connection.setup.timeout.max.ms', 'long', 30000, 'the upper bound of the connection setup timeout', 'the connect timeout follows default.api.timeout.ms (10 s when unset)', { min: 0, unit: 'ms' }),
  noEffect('connections.max.idle.ms', 'long', 540000, 'close idle connections after this long', 'a command\'s connections live as long as the command', { unit: 'ms' }),
  noEffect('send.buffer.bytes', 'int', 131072, 'TCP send buffer size (-1: the OS default)', SOCKETS, { min: -1, unit: 'bytes' }),
  noEffect('receive.buffer.bytes', 'int', 65536, 'TCP receive buffer size (-1: the OS default)', SOCKETS, { min: -1, unit: 'bytes' }),
  noEffect('metadata.max.age.ms', 'long', 300000, 'refresh metadata at least this often', 'metadata is refreshed when a request meets a stale leader; commands are short-lived', { min: 0, unit: 'ms' }),
  noEffect('metadata.recovery.strategy', 'enum', 'none', 'what to do when no known broker answers (rebootstrap: start over from bootstrap.servers)', 'kafka-ts keeps the bootstrap addresses and reconnects to them', {
    values: ['none', 'rebootstrap'],
    caseInsensitive: true,
  }),
  noEffect('metadata.recovery.rebootstrap.trigger.ms', 'long', 300000, 'rebootstrap after this long without usable metadata', 'see metadata.recovery.strategy', { min: 0, unit: 'ms' }),
  noEffect('client.dns.lookup', 'enum', 'use_all_dns_ips', 'how a broker\'s host name is resolved', 'Node.js resolves host names (the first address it gets is used)', {
    values: ['use_all_dns_ips', 'resolve_canonical_bootstrap_servers_only'],
  }),
  noEffect('metric.reporters', 'list', [], 'classes to report metrics to', NO_JMX),
  noEffect('metrics.num.samples', 'int', 2, 'samples kept for a metric', NO_JMX, { min: 1 }),
  noEffect('metrics.sample.window.ms', 'long', 30000, 'the window a metric sample covers', NO_JMX, { min: 0, unit: 'ms' }),
  noEffect('metrics.recording.level', 'enum', 'INFO', 'the highest level of metrics recorded', NO_JMX, { values: ['INFO', 'DEBUG', 'TRACE'] }),
  noEffect('auto.include.jmx.reporter', 'boolean', true, 'add the JMX reporter to metric.reporters (deprecated)', NO_JMX),
  noEffect('enable.metrics.push', 'boolean', true, 'push client metrics to the broker (KIP-714)', 'kafka-ts\'s clients collect no metrics to push'),
  supported('security.protocol', 'enum', 'PLAINTEXT', 'how to talk to brokers', { values: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'], caseInsensitive: true }),
  noEffect('security.providers', 'string', null, 'Java security provider creator classes', JAVA_SECURITY),
  // SSL (PEM only: src/client/security/tls.ts).
  noEffect('ssl.protocol', 'string', 'TLSv1.3', 'the TLS protocol of the SSLContext', 'node:tls negotiates the highest version that ssl.enabled.protocols allows'),
  supported('ssl.enabled.protocols', 'list', ['TLSv1.2', 'TLSv1.3'], 'TLS versions to allow'),
  supported('ssl.truststore.type', 'string', 'JKS', 'the truststore format (kafka-ts reads PEM only)'),
  supported('ssl.truststore.location', 'string', null, 'the truststore file (PEM)'),
  noEffect('ssl.truststore.password', 'password', null, 'the truststore password', 'a PEM truststore has no password'),
  supported('ssl.truststore.certificates', 'password', null, 'trusted certificates in PEM, inline'),
  supported('ssl.keystore.type', 'string', 'JKS', 'the keystore format (kafka-ts reads PEM only)'),
  supported('ssl.keystore.location', 'string', null, 'the keystore file (PEM: key and certificate chain)'),
  noEffect('ssl.keystore.password', 'password', null, 'the keystore password', 'a PEM keystore\'s key is decrypted with ssl.key.password'),
  supported('ssl.key.password', 'password', null, 'the password of the private key'),
  supported('ssl.keystore.key', 'password', null, 'the private key in PEM, inline'),
  supported('ssl.keystore.certificate.chain', 'password', null, 'the certificate chain in PEM, inline'),
  supported('ssl.endpoint.identification.algorithm', 'string', 'https', 'https: check the broker\'s host name against its certificate; empty: do not'),
  supported('ssl.cipher.suites', 'list', null, 'cipher suites to allow (IANA names as Kafka, or OpenSSL\'s); unset: OpenSSL\'s defaults'),
  noEffect('ssl.keymanager.algorithm', 'string', 'SunX509', 'the Java key manager algorithm', JAVA_SECURITY),
  noEffect('ssl.trustmanager.algorithm', 'string', 'PKIX', 'the Java trust manager algorithm', JAVA_SECURITY),
  noEffect('ssl.secure.random.implementation', 'string', null, 'the Java SecureRandom implementation', JAVA_SECURITY),
  noEffect('ssl.provider', 'string', null, 'the Java security provider for SSL', JAVA_SECURITY),
  supported('ssl.engine.factory.class', 'class', null, 'the SSL engine factory', {
    classes: { 'org.apache.kafka.common.security.ssl.DefaultSslEngineFactory': 'node:tls' },
    customClass: 'SSL engine factories are Java classes; kafka-ts supports org.apache.kafka.common.security.ssl.DefaultSslEngineFactory (node:tls)',
  }),
  // librdkafka's SSL names, read too.
  supported('ssl.ca.location', 'string', null, 'librdkafka\'s name: the CA certificates file (PEM)'),
  supported('ssl.ca.pem', 'password', null, 'librdkafka\'s name: CA certificates in PEM, inline'),
  supported('ssl.certificate.location', 'string', null, 'librdkafka\'s name: the client certificate file (PEM)'),
  supported('ssl.key.location', 'string', null, 'librdkafka\'s name: the client key file (PEM)'),
  supported('ssl.certificate.pem', 'password', null, 'librdkafka\'s name: the client certificate in PEM, inline'),
  supported('ssl.key.pem', 'password', null, 'librdkafka\'s name: the client key in PEM, inline'),
  supported('enable.ssl.certificate.verification', 'boolean', true, 'librdkafka\'s name: verify the broker\'s certificate'),
  // SASL (src/client/security/sasl-config.ts).
  supported('sasl.mechanism', 'string', 'GSSAPI', 'PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER (GSSAPI is refused)'),
  supported('sasl.mechanisms', 'string', null, 'librdkafka\'s name of sasl.mechanism'),
  supported('sasl.jaas.config', 'password', null, 'the JAAS login module line with the credentials'),
  supported('sasl.username', 'string', null, 'librdkafka\'s name: the SASL user name'),
  supported('sasl.password', 'password', null, 'librdkafka\'s name: the SASL password'),
  supported('sasl.client.callback.handler.class', 'class', null, 'the SASL client callback handler', {
    classes: {},
    customClass: 'SASL callback handlers are Java classes; kafka-ts handles PLAIN, SCRAM and OAUTHBEARER itself',
  }),
  supported('sasl.login.callback.handler.class', 'class', null, 'the SASL login callback handler (OAUTHBEARER: the client-credentials login)', {
    classes: {
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler': 'client-credentials token from sasl.oauthbearer.token.endpoint.url',
      'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler': 'client-credentials token from sasl.oauthbearer.token.endpoint.url',
    },
    customClass: 'SASL login callback handlers are Java classes; kafka-ts supports org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
  }),
  supported('sasl.login.class', 'class', null, 'the SASL login class', {
    classes: {},
    customClass: 'SASL login classes are Java classes; kafka-ts logs in itself from sasl.jaas.config',
  }),
  supported('sasl.login.connect.timeout.ms', 'int', null, 'OAUTHBEARER: the token endpoint\'s connect timeout', { unit: 'ms' }),
  supported('sasl.login.read.timeout.ms', 'int', null, 'OAUTHBEARER: the token endpoint\'s read timeout', { unit: 'ms' }),
  noEffect('sasl.login.retry.backoff.ms', 'long', 100, 'OAUTHBEARER: backoff between token endpoint attempts', 'the token endpoint is asked once per login', { unit: 'ms' }),
  noEffect('sasl.login.retry.backoff.max.ms', 'long', 10000, 'OAUTHBEARER: the upper bound of that backoff', 'the token endpoint is asked once per login', { unit: 'ms' }),
  noEffect('sasl.login.refresh.window.factor', 'double', 0.8, 'refresh a token after this fraction of its lifetime', 'kafka-ts refreshes a token when it nears expiry by its own rule; this setting is not read', { min: 0.5, max: 1.0 }),
  noEffect('sasl.login.refresh.window.jitter', 'double', 0.05, 'random jitter added to the refresh time', 'kafka-ts refreshes a token when it nears expiry by its own rule; this setting is not read', { min: 0, max: 0.25 }),
  noEffect('sasl.login.refresh.min.period.seconds', 'short', 60, 'the least time between token refreshes', 'kafka-ts refreshes a token when it nears expiry by its own rule; this setting is not read', { min: 0, max: 900 }),
  noEffect('sasl.login.refresh.buffer.seconds', 'short', 300, 'refresh this long before a token expires', 'kafka-ts refreshes a token when it nears expiry by its own rule; this setting is not read', { min: 0, max: 3600 }),
  supported('sasl.oauthbearer.token.endpoint.url', 'string', null, 'OAUTHBEARER: the URL to get tokens from (client credentials)'),
  supported('sasl.oauthbearer.token', 'password', null, 'kafka-ts: a static OAUTHBEARER token'),
  supported('sasl.oauthbearer.token.file', 'string', null, 'kafka-ts: a file holding the OAUTHBEARER token'),
  supported('sasl.oauthbearer.client.id', 'string', null, 'librdkafka\'s name: the OAuth client id'),
  supported('sasl.oauthbearer.client.secret', 'password', null, 'librdkafka\'s name: the OAuth client secret'),
  supported('sasl.oauthbearer.scope', 'string', null, 'librdkafka\'s name: the OAuth scope'),
  noEffect('sasl.oauthbearer.scope.claim.name', 'string', 'scope', 'the token claim that holds the scope', OAUTH_BROKER_SIDE),
  noEffect('sasl.oauthbearer.sub.claim.name', 'string', 'sub', 'the token claim that holds the subject', OAUTH_BROKER_SIDE),
  noEffect('sasl.oauthbearer.jwks.endpoint.url', 'string', null, 'where to get the keys that verify tokens', OAUTH_BROKER_SIDE),
  noEffect('sasl.oauthbearer.jwks.endpoint.refresh.ms', 'long', 3600000, 'how often to refresh those keys', OAUTH_BROKER_SIDE, { unit: 'ms' }),
  noEffect('sasl.oauthbearer.jwks.endpoint.retry.backoff.ms', 'long', 100, 'backoff between key fetches', OAUTH_BROKER_SIDE, { unit: 'ms' }),
  noEffect('sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms', 'long', 10000, 'the upper bound of that backoff', OAUTH_BROKER_SIDE, { unit: 'ms' }),
  noEffect('sasl.oauthbearer.clock.skew.seconds', 'int', 30, 'clock skew allowed when checking tokens', OAUTH_BROKER_SIDE),
  noEffect('sasl.oauthbearer.expected.audience', 'list', null, 'audiences a token must name', OAUTH_BROKER_SIDE),
  noEffect('sasl.oauthbearer.expected.issuer', 'string', null, 'the issuer a token must name', OAUTH_BROKER_SIDE),
  noEffect('sasl.oauthbearer.header.urlencode', 'boolean', false, 'URL-encode the client id and secret in the token request', 'kafka-ts sends them as HTTP basic credentials unencoded'),
  noEffect('sasl.kerberos.service.name', 'string', null, 'the Kerberos principal name of the brokers', KERBEROS),
  noEffect('sasl.kerberos.kinit.cmd', 'string', '/usr/bin/kinit', 'the kinit command', KERBEROS),
  noEffect('sasl.kerberos.min.time.before.relogin', 'long', 60000, 'the least time between relogins', KERBEROS, { unit: 'ms' }),
  noEffect('sasl.kerberos.ticket.renew.jitter', 'double', 0.05, 'jitter added to the renewal time', KERBEROS),
  noEffect('sasl.kerberos.ticket.renew.window.factor', 'double', 0.8, 'renew a ticket after this fraction of its lifetime', KERBEROS),
];

/** Keys of Kafka's config providers (handled by src/util/config-providers.ts before the catalogue). */
export const isConfigProviderKey = (key: string): boolean => key === 'config.providers' || key.startsWith('config.providers.');
