/**
 * Java .properties files (--command-config, --producer.config, --consumer.config, …) and inline
 * `key=value` pairs (--property, --producer-property, …), parsed as Kafka's tools parse them.
 */
import { parseProperties } from '../util/properties.js';
import { UsageError } from './errors.js';
import { readOptionFile } from '../util/files.js';
import type { ClientSurface } from '../client/config/index.js';
import type { ConfigValues } from '../util/config-catalogue.js';

export { parseProperties };

export function readPropertiesFile(path: string): Record<string, string> {
  return parseProperties(propertiesText(path, readOptionFile(path, 'properties file')));
}

/**
 * A properties file's text, refused when it is not text: NUL bytes or bytes that are not UTF-8
 * (Java reads ISO-8859-1 and would take anything; a binary file given by mistake should not pass),
 * or a line Java's Properties.load rejects (a malformed \uXXXX escape, its one refusal).
 */
export function propertiesText(path: string, bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new UsageError(`Properties file ${path} is not text (a NUL byte at offset ${nul})`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`Properties file ${path} is not text (not valid UTF-8)`);
  }
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line.startsWith('#') || line.startsWith('!')) continue;
    if (/(?:^|[^\\])(?:\\\\)*\\u(?![0-9a-fA-F]{4})/.test(line)) throw new UsageError(`Properties file ${path}, line ${i + 1}: Malformed \\uxxxx encoding.`);
  }
  return text;
}

const CONFIG_CLASS: Record<ClientSurface, string> = {
  producer: 'org.apache.kafka.clients.producer.ProducerConfig',
  consumer: 'org.apache.kafka.clients.consumer.ConsumerConfig',
  admin: 'org.apache.kafka.clients.admin.AdminClientConfig',
};

/**
 * Checks client properties against the surface's catalogue (src/client/config), once per command:
 * unknown keys warn as Kafka's clients log it, an invalid value or an unsupported key or value is
 * a UsageError (exit 2) with Kafka's text. `own` names keys the command reads itself (they
 * neither warn nor are checked). Returns the parsed values with Kafka's defaults behind them.
 */
export async function checkClientConfig(surface: ClientSurface, props: Readonly<Record<string, string>>, warn: (line: string) => void, own: (key: string) => boolean = () => false): Promise<ConfigValues> {
  const [{ CLIENT_CATALOGUES, isConfigProviderKey }, { checkProperties, ConfigValues, unknownConfig }] = await Promise.all([import('../client/config/index.js'), import('../util/config-catalogue.js')]);
  const cat = CLIENT_CATALOGUES[surface];
  // A value with a config provider reference (${env:X}) is resolved later (src/cli/context.ts):
  // only its key is checked here, as Kafka checks values after resolving them.
  const plain: Record<string, string> = {};
  const known = (k: string) => own(k) || isConfigProviderKey(k);
  const referenced: string[] = [];
  for (const [k, v] of Object.entries(props)) {
    if (/\$\{[^}]*\}/.test(v)) referenced.push(k);
    else plain[k] = v;
  }
  const r = checkProperties(cat, plain, known);
  for (const k of referenced) if (!cat.byName.has(k) && !known(k)) r.warnings.push(unknownConfig(k));
  if (r.errors.length > 0) throw new UsageError(r.errors[0]!);
  for (const w of r.warnings) warn(`WARN ${w} (${CONFIG_CLASS[surface]})`);
  return new ConfigValues(cat, r.values);
}

/**
 * Checks properties that reach several client surfaces (a context's properties, e2e-latency's file
 * for its producer and its consumer, the streams reset tool's admin and consumer): a key warns
 * once, and only when none of the surfaces knows it; its value is checked by every surface that
 * knows it (so an invalid value is exit 2 whichever surface it belongs to).
 */
export async function checkClientConfigs(surfaces: readonly [ClientSurface, ...ClientSurface[]], props: Readonly<Record<string, string>>, warn: (line: string) => void, own: (key: string) => boolean = () => false): Promise<ConfigValues[]> {
  const { CLIENT_CATALOGUES } = await import('../client/config/index.js');
  const knows = (s: ClientSurface, k: string) => CLIENT_CATALOGUES[s].byName.has(k);
  const [first, ...rest] = surfaces;
  const out = [await checkClientConfig(first, props, warn, (k) => own(k) || rest.some((s) => knows(s, k)))];
  for (const s of rest) out.push(await checkClientConfig(s, props, warn, (k) => own(k) || !knows(s, k)));
  return out;
}

/**
 * Schema registry client keys (Confluent's names: schema.registry.url, basic.auth.user.info,
 * bearer.auth.token, auto.register.schemas, ...): not Kafka client configs, read by the registry
 * client (src/tools/schema-formats/config.ts), so the Kafka client checks leave them alone.
 */
export const isRegistryKey = (key: string): boolean =>
  /^(schema\.registry\.|basic\.auth\.|bearer\.auth\.)/.test(key) || key === 'auto.register.schemas' || key === 'use.latest.version';

/**
 * The schema-registry command's properties file: registry keys (isRegistryKey) are the registry
 * client's, which checks their values; the file is often the one the Kafka clients read too, so a
 * Kafka client key passes without its value being checked (no Kafka client reads it here), and
 * only a key neither knows warns.
 */
export async function warnUnknownRegistryKeys(props: Readonly<Record<string, string>>, warn: (line: string) => void): Promise<void> {
  const [{ CLIENT_CATALOGUES, isConfigProviderKey }, { unknownConfig }] = await Promise.all([import('../client/config/index.js'), import('../util/config-catalogue.js')]);
  for (const k of Object.keys(props)) {
    if (isRegistryKey(k) || isConfigProviderKey(k) || Object.values(CLIENT_CATALOGUES).some((c) => c.byName.has(k))) continue;
    warn(`WARN ${unknownConfig(k)} (schema registry client)`);
  }
}

/**
 * A console tool's --property keys that nothing reads (a typo such as parse.kye): Kafka's tools
 * ignore them in silence; here each is warned about as Kafka warns about an unknown client config.
 */
export async function warnUnknownPropertyKeys(props: Readonly<Record<string, string>>, known: (key: string) => boolean, reader: string, warn: (line: string) => void): Promise<void> {
  const unknown = Object.keys(props).filter((k) => !known(k));
  if (unknown.length === 0) return;
  const { unknownConfig } = await import('../util/config-catalogue.js');
  for (const k of unknown) warn(`WARN ${unknownConfig(k)} (${reader}; it has no effect)`);
}

/** Inline `key=value` pairs: split at the first '=', no escape processing (Kafka's rule). */
export function parseInlinePairs(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const i = p.indexOf('=');
    if (i < 0) out[p] = '';
    else out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

/**
 * A tool's client properties from its file flags (Kafka 4.2's --command-config beside the older
 * --producer.config, --consumer.config, --admin.config: one of them at most) and its inline
 * flags (--command-property beside --producer-property, --consumer-property; later ones win).
 * `file` and `inline` are kept apart for Kafka's checks that name where a value came from.
 */
export function readClientProperties(
  files: readonly [flag: string, path: string | undefined][],
  inline: readonly (readonly string[] | undefined)[],
): { file: Record<string, string>; inline: Record<string, string>; all: Record<string, string> } {
  const given = files.filter(([, p]) => p !== undefined);
  if (given.length > 1) throw new UsageError(`Options ${given.map(([f]) => f).join(' and ')} name the same properties file; give one of them`);
  const file = given.length === 1 ? readPropertiesFile(given[0]![1]!) : {};
  const pairs = Object.assign({}, ...inline.map((i) => parseInlinePairs(i))) as Record<string, string>;
  return { file, inline: pairs, all: { ...file, ...pairs } };
}
