/**
 * Kafka's config providers (KIP-297, KIP-421): secrets kept out of properties files.
 *
 *   config.providers=env,file
 *   config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
 *   config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
 *   sasl.jaas.config=… password="${env:KAFKA_PASSWORD}";
 *   ssl.key.password=${file:/run/secrets/kafka.properties:key.password}
 *
 * A reference is `${provider:[path:]key}`. As in Kafka, only the providers that
 * `config.providers` lists (with their class) are resolved; a reference to any other provider is
 * left as written. Unlike Kafka, a reference a listed provider cannot resolve (no such variable,
 * file or key) is an error that names the reference, never a value. The `config.providers*` keys
 * are consumed here and not passed on as client properties.
 *
 * Supported classes: EnvVarConfigProvider (`${env:NAME}`; param `allowlist.pattern`),
 * FileConfigProvider (`${file:/path:key}`, a key of a properties file; param `allowed.paths`) and
 * DirectoryConfigProvider (`${dir:/path:file}`, a file's content; param `allowed.paths`).
 * Imports only Node built-ins and this floor, so every layer may use it.
 */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath, sep } from 'node:path';
import { UsageError } from './errors.js';
import { parseProperties } from './properties.js';

const PKG = 'org.apache.kafka.common.config.provider.';
export const PROVIDER_CLASSES = {
  env: `${PKG}EnvVarConfigProvider`,
  file: `${PKG}FileConfigProvider`,
  dir: `${PKG}DirectoryConfigProvider`,
} as const;
type Kind = keyof typeof PROVIDER_CLASSES;

/** Kafka's variable pattern: ${provider:[path:]key}. */
const VARIABLE = /\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}/g;

export interface ProviderEnv {
  env?: NodeJS.ProcessEnv;
  /** Reads a file as UTF-8 (tests may replace it). */
  readFile?: (path: string) => string;
}

export interface ResolveOptions extends ProviderEnv {
  /**
   * Providers assumed when the properties do not set `config.providers` (contexts resolve
   * `env` and `file` by default). Kafka's own files assume none.
   */
  defaultProviders?: readonly Kind[];
}

interface Provider {
  name: string;
  kind: Kind;
  params: Record<string, string>;
}

/** Whether a key is one of the config.providers settings (consumed, never passed on). */
export const isProviderKey = (key: string): boolean => key === 'config.providers' || key.startsWith('config.providers.');

function providersOf(props: Record<string, string>, defaults: readonly Kind[]): Map<string, Provider> {
  const out = new Map<string, Provider>();
  const listed = props['config.providers'];
  if (listed === undefined) {
    for (const kind of defaults) out.set(kind, { name: kind, kind, params: {} });
    return out;
  }
  for (const raw of listed.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    const cls = props[`config.providers.${name}.class`]?.trim();
    if (cls === undefined || cls === '') {
      throw new UsageError(`config.providers lists '${name}' but config.providers.${name}.class is not set (supported: ${Object.values(PROVIDER_CLASSES).join(', ')})`);
    }
    const kind = (Object.keys(PROVIDER_CLASSES) as Kind[]).find((k) => PROVIDER_CLASSES[k] === cls || PROVIDER_CLASSES[k].endsWith(`.${cls}`));
    if (kind === undefined) throw new UsageError(`config.providers.${name}.class: unsupported config provider ${cls} (supported: ${Object.values(PROVIDER_CLASSES).join(', ')})`);
    const params: Record<string, string> = {};
    const prefix = `config.providers.${name}.param.`;
    for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix)) params[k.slice(prefix.length)] = v;
    out.set(name, { name, kind, params });
  }
  return out;
}

function allowedPath(p: Provider, path: string, ref: string): void {
  const allowed = p.params['allowed.paths'];
  if (allowed === undefined || allowed.trim() === '') return;
  const abs = resolvePath(path);
  const ok = allowed
    .split(',')
    .map((a) => resolvePath(a.trim()))
    .some((a) => abs === a || abs.startsWith(a.endsWith(sep) ? a : a + sep));
  if (!ok) throw new UsageError(`${ref}: ${path} is not under config.providers.${p.name}.param.allowed.paths`);
}

function readOrFail(read: (path: string) => string, path: string, ref: string): string {
  try {
    return read(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${ref}: cannot read ${path}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
  }
}

/** An env provider's allowlist.pattern (Java's regex syntax, as far as JavaScript shares it); a bad one is a usage error naming the key. */
function allowlist(pattern: string, name: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new UsageError(`config.providers.${name}.param.allowlist.pattern: ${pattern} is not a valid regular expression (${(e as Error).message.replace(/^Invalid regular expression: /, '')})`);
  }
}

/**
 * Resolves the provider references in every value; returns the properties without the
 * config.providers keys. Errors name the reference (`${env:NAME}`), never a value.
 */
export function resolveConfigProviders(props: Record<string, string>, opts: ResolveOptions = {}): Record<string, string> {
  const env = opts.env ?? process.env;
  const read = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const providers = providersOf(props, opts.defaultProviders ?? []);
  const files = new Map<string, Record<string, string>>();
  const lookup = (ref: string, name: string, path: string | undefined, key: string): string | undefined => {
    const p = providers.get(name);
    if (p === undefined) return undefined; // not a listed provider: left as written, as Kafka does
    switch (p.kind) {
      case 'env': {
        if (path !== undefined && path !== '') throw new UsageError(`${ref}: the env provider takes no path (write \${${name}:NAME})`);
        const pattern = p.params['allowlist.pattern'];
        if (pattern !== undefined && !allowlist(pattern, name).test(key)) throw new UsageError(`${ref}: ${key} does not match config.providers.${name}.param.allowlist.pattern`);
        const v = env[key];
        if (v === undefined) throw new UsageError(`${ref}: environment variable ${key} is not set`);
        return v;
      }
      case 'file': {
        if (path === undefined || path === '') throw new UsageError(`${ref}: the file provider needs a path (write \${${name}:/path/to/file.properties:key})`);
        allowedPath(p, path, ref);
        let parsed = files.get(path);
        if (parsed === undefined) files.set(path, (parsed = parseProperties(readOrFail(read, path, ref))));
        const v = parsed[key];
        if (v === undefined) throw new UsageError(`${ref}: ${path} has no key ${key}`);
        return v;
      }
      case 'dir': {
        if (path === undefined || path === '') throw new UsageError(`${ref}: the directory provider needs a path (write \${${name}:/path/to/dir:file})`);
        allowedPath(p, path, ref);
        if (key.includes('/') || key === '..' || key === '.') throw new UsageError(`${ref}: ${key} is not a file name`);
        return readOrFail(read, `${path.replace(/\/+$/, '')}/${key}`, ref);
      }
    }
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (isProviderKey(k)) continue;
    out[k] = v.replace(VARIABLE, (whole: string, name: string, path: string | undefined, key: string) => lookup(whole, name, path, key) ?? whole);
  }
  return out;
}

/** Whether a value holds a provider reference (such values are shown as written, never resolved). */
export const hasProviderReference = (value: string): boolean => new RegExp(VARIABLE.source).test(value);
