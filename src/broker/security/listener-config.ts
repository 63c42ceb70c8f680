/**
 * A listener's security settings, as Kafka reads them: `listener.name.<name lowercase>.<key>`
 * first, then the plain `<key>`. SASL mechanism JAAS configs also come per mechanism:
 * `listener.name.<name>.<mechanism lowercase>.sasl.jaas.config`.
 */
import type { BrokerConfig } from '../config.js';

export interface ListenerProps {
  readonly name: string;
  /** The listener-prefixed value of `key`, else the global one, else undefined. */
  get(key: string): string | undefined;
  /** Which key `get(key)` read (for messages); the global key when neither is set. */
  source(key: string): string;
}

export function listenerProps(config: BrokerConfig, name: string): ListenerProps {
  const prefix = `listener.name.${name.toLowerCase()}.`;
  const props = config.explicit;
  const source = (key: string) => (props[prefix + key] !== undefined ? prefix + key : key);
  return {
    name,
    get: (key) => props[prefix + key] ?? props[key],
    source,
  };
}
