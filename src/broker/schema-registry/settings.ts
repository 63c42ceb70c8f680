/**
 * The registry's settings, from the daemon's properties:
 *   kafka-ts.schema.registry.enable             true (default) or false (`server start --no-schema-registry`)
 *   kafka-ts.schema.registry.listener           host:port, default 127.0.0.1:8081 (`--schema-registry-port N`; 0 = a free port)
 *   kafka-ts.schema.registry.max.request.bytes  largest request body, default 8388608 (8 MiB)
 * Without an explicit listener, a taken port 8081 makes the daemon take a free one (and say so).
 */
export interface RegistrySettings {
  enabled: boolean;
  host: string;
  port: number;
  /** Whether the listener was configured (a taken configured port fails the start). */
  explicitPort: boolean;
  maxRequestBytes: number;
}

export const DEFAULT_REGISTRY_PORT = 8081;
export const ENABLE_KEY = 'kafka-ts.schema.registry.enable';
export const LISTENER_KEY = 'kafka-ts.schema.registry.listener';
export const MAX_REQUEST_KEY = 'kafka-ts.schema.registry.max.request.bytes';

/** Reads and checks the settings; throws Error with a message naming the key. */
export function registrySettings(props: Record<string, string | undefined>): RegistrySettings {
  const enable = (props[ENABLE_KEY] ?? 'true').trim().toLowerCase();
  if (enable !== 'true' && enable !== 'false') throw new Error(`Invalid value ${props[ENABLE_KEY]} for configuration ${ENABLE_KEY}: expected true or false`);
  const listener = props[LISTENER_KEY]?.trim();
  let host = '127.0.0.1';
  let port = DEFAULT_REGISTRY_PORT;
  if (listener) {
    const m = /^(?:https?:\/\/)?(\[[^\]]+\]|[^:/]*):(\d+)\/?$/.exec(listener);
    if (!m || Number(m[2]) > 65535) throw new Error(`Invalid value ${listener} for configuration ${LISTENER_KEY}: expected host:port (port 0 picks a free one)`);
    host = m[1]!.replace(/^\[|\]$/g, '') || '127.0.0.1';
    port = Number(m[2]);
  }
  const maxRaw = props[MAX_REQUEST_KEY]?.trim();
  const maxRequestBytes = maxRaw === undefined ? 8 << 20 : Number(maxRaw);
  if (!Number.isInteger(maxRequestBytes) || maxRequestBytes < 1024) throw new Error(`Invalid value ${maxRaw} for configuration ${MAX_REQUEST_KEY}: expected an integer of at least 1024`);
  return { enabled: enable === 'true', host, port, explicitPort: listener !== undefined && listener !== '', maxRequestBytes };
}
