/**
 * Each listener's security, worked out once at start-up from `listeners`,
 * `listener.security.protocol.map` and the ssl.* / sasl.* keys (listener-prefixed or not): TLS
 * server options for SSL and SASL_SSL, SASL settings for SASL_PLAINTEXT and SASL_SSL. A listener
 * that cannot work (no key, a JKS store, GSSAPI, PLAIN without users) stops the start with a
 * ConfigError naming the setting.
 */
import type { Logger } from '../../util/logger.js';
import type { BrokerConfig, SecurityProtocol } from '../config.js';
import type { ClusterMetadata } from '../metadata/cluster-metadata.js';
import { listenerProps } from './listener-config.js';
import { saslSettings, type SaslSettings } from './sasl-settings.js';
import { serverTls, type ServerTls } from './tls-config.js';

export interface ListenerSecurity {
  readonly name: string;
  readonly protocol: SecurityProtocol;
  readonly tls?: ServerTls;
  readonly sasl?: SaslSettings;
}

export function listenerSecurity(config: BrokerConfig, name: string, metadata: ClusterMetadata, log: Logger): ListenerSecurity {
  const protocol = config.listenerSecurityProtocolMap[name]!;
  const p = listenerProps(config, name);
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL' ? serverTls(p, protocol === 'SASL_SSL') : undefined;
  const sasl =
    protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL'
      ? saslSettings(config, p, (user, mechanism) => metadata.scramCredentials(user).find((c) => c.mechanism === mechanism), log)
      : undefined;
  return { name, protocol, tls, sasl };
}

/** Every configured listener's security, keyed by listener name (validates all of them). */
export function allListenerSecurity(config: BrokerConfig, metadata: ClusterMetadata, log: Logger): Map<string, ListenerSecurity> {
  return new Map(config.listeners.map((l) => [l.name, listenerSecurity(config, l.name, metadata, log)]));
}
