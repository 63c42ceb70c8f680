/**
 * SASL settings from Kafka's client properties: `sasl.mechanism` (librdkafka: `sasl.mechanisms`),
 * credentials from `sasl.jaas.config` as Java clients write it, or librdkafka's `sasl.username` /
 * `sasl.password`, and the OAUTHBEARER token sources (see oauth.ts).
 */
import { JaasSyntaxError, LOGIN_MODULES, parseJaasConfig, type JaasEntry } from '../../util/jaas.js';
import { UsageError } from '../../util/errors.js';
import { clientCredentialsToken, fileToken, staticToken, unsecuredToken, type TokenSource } from './oauth.js';

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];

export interface SaslSettings {
  mechanism: SaslMechanism;
  /** PLAIN and SCRAM: the user name (shown in errors). */
  username?: string;
  /** PLAIN and SCRAM: the password, behind a function so that it never shows in a dump of the settings. */
  password?: () => string;
  /** OAUTHBEARER: where tokens come from. */
  tokens?: TokenSource;
  /** OAUTHBEARER: SASL extensions (`extension_<name>` JAAS options, KIP-342). */
  extensions?: Record<string, string>;
  /** Who is authenticating, for messages: "user alice" or the token's source. */
  who: string;
}

type Props = Record<string, string>;

const familyOf = (m: SaslMechanism): keyof typeof LOGIN_MODULES => (m === 'PLAIN' ? 'PLAIN' : m === 'OAUTHBEARER' ? 'OAUTHBEARER' : 'SCRAM');
const shortName = (cls: string) => cls.slice(cls.lastIndexOf('.') + 1);

function parseMechanism(props: Props): SaslMechanism {
  const key = props['sasl.mechanism'] !== undefined ? 'sasl.mechanism' : props['sasl.mechanisms'] !== undefined ? 'sasl.mechanisms' : null;
  const raw = (key ? props[key]! : 'GSSAPI').trim();
  const m = raw.toUpperCase();
  if (m === 'GSSAPI') {
    throw new UsageError(
      `${key ?? 'sasl.mechanism'}${key ? `=${raw}` : ' is not set, so it is Kafka\'s default GSSAPI'}: GSSAPI (Kerberos) is not supported by kafka-ts; set sasl.mechanism to ${SASL_MECHANISMS.join(', ')}`,
    );
  }
  if (!(SASL_MECHANISMS as readonly string[]).includes(m)) throw new UsageError(`${key}=${raw} is not supported; use one of ${SASL_MECHANISMS.join(', ')}`);
  return m as SaslMechanism;
}

function parseJaas(props: Props, mechanism: SaslMechanism): JaasEntry | null {
  const text = props['sasl.jaas.config'];
  if (text === undefined || text.trim() === '') return null;
  let entry: JaasEntry;
  try {
    entry = parseJaasConfig(text);
  } catch (e) {
    if (e instanceof JaasSyntaxError) throw new UsageError(e.message);
    throw e;
  }
  const family = familyOf(mechanism);
  const expected = LOGIN_MODULES[family];
  if (entry.loginModule !== expected) {
    const known = Object.entries(LOGIN_MODULES).find(([, cls]) => cls === entry.loginModule);
    if (!known) {
      throw new UsageError(`sasl.jaas.config: login module ${entry.loginModule} is not supported; for sasl.mechanism=${mechanism} use ${expected}`);
    }
    const fits = known[0] === 'SCRAM' ? 'SCRAM-SHA-256 or SCRAM-SHA-512' : known[0];
    throw new UsageError(`sasl.jaas.config uses ${shortName(entry.loginModule)}, which does not go with sasl.mechanism=${mechanism}: use ${expected}, or set sasl.mechanism=${fits}`);
  }
  return entry;
}

function userPassword(props: Props, mechanism: SaslMechanism, jaas: JaasEntry | null): Pick<SaslSettings, 'username' | 'password' | 'who'> {
  const username = jaas?.options['username'] ?? props['sasl.username'];
  const password = jaas?.options['password'] ?? props['sasl.password'];
  if (username === undefined || password === undefined) {
    const module = LOGIN_MODULES[familyOf(mechanism)];
    throw new UsageError(
      `SASL ${mechanism} needs a user name and a password: set sasl.jaas.config=${module} required username="…" password="…"; (or sasl.username and sasl.password)`,
    );
  }
  if (username === '') throw new UsageError(`SASL ${mechanism}: the user name is empty`);
  return { username, password: () => password, who: `user ${username}` };
}

function oauthTokens(props: Props, jaas: JaasEntry | null): TokenSource {
  const o = jaas?.options ?? {};
  if (props['sasl.oauthbearer.token'] !== undefined) return staticToken(props['sasl.oauthbearer.token']);
  if (props['sasl.oauthbearer.token.file'] !== undefined) return fileToken(props['sasl.oauthbearer.token.file'].trim());
  // kafka-ts's JAAS option (Java's login module ignores options it does not know).
  if (o['tokenFile'] !== undefined) return fileToken(o['tokenFile'], 'sasl.jaas.config tokenFile');
  const url = props['sasl.oauthbearer.token.endpoint.url']?.trim();
  if (url) {
    // Kafka (KIP-768): a file: URL names a file holding the token.
    if (url.startsWith('file:')) return fileToken(decodeURIComponent(new URL(url).pathname), 'sasl.oauthbearer.token.endpoint.url');
    if (!/^https?:\/\//i.test(url)) throw new UsageError('sasl.oauthbearer.token.endpoint.url must be an http(s):// or file: URL');
    const clientId = o['clientId'] ?? props['sasl.oauthbearer.client.id'];
    const clientSecret = o['clientSecret'] ?? props['sasl.oauthbearer.client.secret'];
    if (!clientId || clientSecret === undefined) {
      throw new UsageError(
        `sasl.oauthbearer.token.endpoint.url needs a client id and secret: set sasl.jaas.config=${LOGIN_MODULES.OAUTHBEARER} required clientId="…" clientSecret="…"; (or sasl.oauthbearer.client.id and sasl.oauthbearer.client.secret)`,
      );
    }
    const scope = o['scope'] ?? props['sasl.oauthbearer.scope'];
    const timeout = Number(props['sasl.login.read.timeout.ms'] ?? props['sasl.login.connect.timeout.ms'] ?? 10_000);
    return clientCredentialsToken({ url, clientId, clientSecret, ...(scope ? { scope } : {}), timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 10_000 });
  }
  if (o['unsecuredLoginStringClaim_sub'] !== undefined) return unsecuredToken(o);
  throw new UsageError(
    'SASL OAUTHBEARER needs a token: set sasl.oauthbearer.token (the token), sasl.oauthbearer.token.file (a file holding it; or tokenFile="…" in sasl.jaas.config), or sasl.oauthbearer.token.endpoint.url with a client id and secret (client credentials)',
  );
}

/** Reads and checks the SASL settings; every problem is a UsageError naming the property. */
export function saslSettings(props: Props): SaslSettings {
  const mechanism = parseMechanism(props);
  const jaas = parseJaas(props, mechanism);
  if (mechanism !== 'OAUTHBEARER') return { mechanism, ...userPassword(props, mechanism, jaas) };
  const tokens = oauthTokens(props, jaas);
  const extensions: Record<string, string> = {};
  for (const [k, v] of Object.entries(jaas?.options ?? {})) if (k.startsWith('extension_')) extensions[k.slice('extension_'.length)] = v;
  return { mechanism, tokens, extensions, who: tokens.description };
}
