/**
 * KIP-226 for TLS stores: a broker's listener-prefixed keystore and truststore settings
 * (`listener.name.<l>.ssl.keystore.location`, `.ssl.keystore.type`, `.ssl.truststore.location`,
 * `.ssl.truststore.type`) may be changed at run time per broker (`configs --alter --entity-type
 * brokers --entity-name ID`). They are kept with the broker's other dynamic configs in the cluster
 * metadata, laid over server.properties when the listener's TLS settings are worked out (at start
 * and at each change), and a listener takes a new store for new connections without a restart.
 */
import type { BrokerConfig } from '../config.js';
import { listenerProps, type ListenerProps } from './listener-config.js';
import { serverTls, type ServerTls } from './tls-config.js';

import { DYNAMIC_TLS_KEY, isDynamicTlsKey } from '../metadata/broker-configs.js';

export { isDynamicTlsKey };

/** The keystore/truststore keys among a broker's dynamic configs. */
export function dynamicTlsConfigs(configs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(configs).filter(([k]) => isDynamicTlsKey(k)));
}

/** The listener names (lowercase, as in the keys) the keys name. */
export const dynamicTlsListeners = (configs: Record<string, string>): string[] => [...new Set(Object.keys(configs).map((k) => DYNAMIC_TLS_KEY.exec(k)?.[1]?.toLowerCase()).filter((n): n is string => !!n))];

/**
 * A TLS listener's settings with a broker's dynamic keystore/truststore configs laid over the static
 * ones; a ConfigError naming the setting when the store cannot be used (as at start).
 */
export function listenerTlsWith(config: BrokerConfig, listener: string, sasl: boolean, dynamic: Record<string, string>): ServerTls {
  return serverTls(listenerPropsWith(config, listener, dynamic), sasl);
}

/** A listener's settings with a broker's dynamic keystore/truststore configs laid over the static ones. */
export function listenerPropsWith(config: BrokerConfig, listener: string, dynamic: Record<string, string>): ListenerProps {
  return listenerProps({ ...config, explicit: { ...config.explicit, ...dynamicTlsConfigs(dynamic) } }, listener);
}
