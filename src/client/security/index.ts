/**
 * Client-side connection security from Kafka's client properties (`security.protocol`, `ssl.*`,
 * `sasl.*`): one implementation used by every command and the lag TUI.
 */
import type { ConnectionOptions } from 'node:tls';
import { UsageError } from '../../util/errors.js';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

export interface ClientSecurity {
  protocol: SecurityProtocol;
  /** Options for tls.connect when the protocol is SSL or SASL_SSL. */
  tls?: ConnectionOptions;
}

export const PLAINTEXT: ClientSecurity = { protocol: 'PLAINTEXT' };

/** Reads the security settings from client properties; bad or unsupported values are usage errors. */
export async function clientSecurity(props: Record<string, string> = {}): Promise<ClientSecurity> {
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').trim().toUpperCase();
  if (protocol === 'PLAINTEXT') return PLAINTEXT;
  throw new UsageError(`security.protocol=${protocol} is not supported yet`);
}
