/**
 * A SASL listener's settings: the enabled mechanisms (`sasl.enabled.mechanisms`, listener-prefixed
 * or not; Kafka's default is GSSAPI, which kafka-ts refuses), the PLAIN users of the listener's
 * PlainLoginModule JAAS config, the OAUTHBEARER validator options, and how each exchange starts.
 * JAAS config is looked up as Kafka does: listener.name.<l>.<mechanism>.sasl.jaas.config, then
 * listener.name.<l>.sasl.jaas.config, then sasl.jaas.config.
 */
import type { Logger } from '../../util/logger.js';
import { JaasSyntaxError, parseJaasConfig, type JaasEntry } from '../../util/jaas.js';
import { isScramMechanism, SCRAM_MECHANISMS } from '../../util/scram.js';
import { ConfigError, type BrokerConfig } from '../config.js';
import type { ListenerProps } from './listener-config.js';
import type { ServerMechanism } from './mechanisms/mechanism.js';
import { OAuthBearerServer, oauthOptions, type OAuthOptions } from './mechanisms/oauthbearer.js';
import { PlainServer } from './mechanisms/plain.js';
import { ScramServer, type CredentialLookup } from './mechanisms/scram.js';

export const SUPPORTED_MECHANISMS = ['PLAIN', ...SCRAM_MECHANISMS, 'OAUTHBEARER'] as const;

export interface SaslSettings {
  readonly listener: string;
  readonly mechanisms: readonly string[];
  /** connections.max.reauth.ms (0: sessions do not expire). */
  readonly reauthMs: number;
  /** connection.failed.authentication.delay.ms */
  readonly failedDelayMs: number;
  /** sasl.server.max.receive.size: the largest frame accepted before authentication (Kafka: 524288). */
  readonly maxReceiveSize: number;
  /** Where failed logins are logged (one INFO line each, never a secret). */
  readonly log: Logger;
  /** A fresh server-side exchange for an enabled mechanism. */
  start(mechanism: string): ServerMechanism;
}

function jaasFor(config: BrokerConfig, p: ListenerProps, mechanism: string): { entry: JaasEntry; key: string } | undefined {
  const specific = `listener.name.${p.name.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
  const key = config.explicit[specific] !== undefined ? specific : p.source('sasl.jaas.config');
  const text = config.explicit[key];
  if (text === undefined) return undefined;
  try {
    return { entry: parseJaasConfig(text), key };
  } catch (e) {
    if (e instanceof JaasSyntaxError) throw new ConfigError(`${key}: ${e.message.replace(/^sasl\.jaas\.config: /, '')}`);
    throw e;
  }
}

export function saslSettings(config: BrokerConfig, p: ListenerProps, lookup: CredentialLookup, log: Logger): SaslSettings {
  const key = p.source('sasl.enabled.mechanisms');
  const given = p.get('sasl.enabled.mechanisms');
  const mechanisms = (given ?? 'GSSAPI').split(',').map((m) => m.trim().toUpperCase()).filter((m) => m !== '');
  const hint = `set ${key} to some of ${SUPPORTED_MECHANISMS.join(', ')}`;
  if (mechanisms.includes('GSSAPI')) {
    throw new ConfigError(`Listener ${p.name}: GSSAPI (Kerberos) is not supported by kafka-ts${given === undefined ? ` (it is Kafka's default for ${key})` : ''}; ${hint}`);
  }
  const unknown = mechanisms.filter((m) => !(SUPPORTED_MECHANISMS as readonly string[]).includes(m));
  if (unknown.length > 0) throw new ConfigError(`Listener ${p.name}: unsupported SASL mechanism ${unknown.join(', ')} in ${key}; ${hint}`);
  if (mechanisms.length === 0) throw new ConfigError(`Listener ${p.name}: no SASL mechanism enabled; ${hint}`);

  let plainUsers = new Map<string, string>();
  if (mechanisms.includes('PLAIN')) {
    const jaas = jaasFor(config, p, 'PLAIN');
    const where = `listener.name.${p.name.toLowerCase()}.plain.sasl.jaas.config`;
    if (!jaas) throw new ConfigError(`Listener ${p.name} enables PLAIN but has no JAAS config with its users: set ${where}=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="…";`);
    plainUsers = new Map(Object.entries(jaas.entry.options).filter(([k]) => k.startsWith('user_')).map(([k, v]) => [k.slice(5), v]));
    if (plainUsers.size === 0) throw new ConfigError(`${jaas.key}: no users (user_<name>="<password>" options) for PLAIN on listener ${p.name}`);
  }
  let oauth: OAuthOptions = oauthOptions({});
  if (mechanisms.includes('OAUTHBEARER')) oauth = oauthOptions(jaasFor(config, p, 'OAUTHBEARER')?.entry.options ?? {});

  const maxReceive = Number(p.get('sasl.server.max.receive.size') ?? 524288);
  if (!Number.isInteger(maxReceive) || maxReceive < 1) throw new ConfigError(`Invalid value ${p.get('sasl.server.max.receive.size')} for configuration ${p.source('sasl.server.max.receive.size')}: Not a positive number of type INT`);
  return {
    listener: p.name,
    mechanisms,
    reauthMs: config.connectionsMaxReauthMs,
    failedDelayMs: config.connectionFailedAuthenticationDelayMs,
    maxReceiveSize: maxReceive,
    log,
    start(mechanism) {
      if (mechanism === 'PLAIN') return new PlainServer(plainUsers);
      if (mechanism === 'OAUTHBEARER') return new OAuthBearerServer(oauth);
      if (isScramMechanism(mechanism)) return new ScramServer(mechanism, lookup);
      throw new Error(`mechanism ${mechanism} is not enabled`);
    },
  };
}
