/**
 * Named cluster contexts (`kafka-ts context …`, `--context NAME`, $KAFKA_TS_CONTEXT): a bootstrap
 * address and client properties under a name, kept in contexts.json in the kafka-ts
 * config directory ($KAFKA_TS_CONFIG_DIR, else $XDG_CONFIG_HOME/kafka-ts, else
 * ~/.config/kafka-ts), file mode 0600 (it may hold passwords; `${env:NAME}` references keep them
 * out of it).
 *
 * Reading, which every command does when no --bootstrap-server is given, parses the JSON file
 * directly; a change (updateContexts) reads and rewrites it under a lock file.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FailedError, NotFoundError, UsageError } from './errors.js';
import { withFileLock, writeFileAtomic } from '../util/locked-file.js';

export interface ContextEntry {
  bootstrapServer: string;
  /** Client properties as given (provider references unresolved). */
  properties: Record<string, string>;
}

export interface ContextsFile {
  current?: string;
  contexts: Record<string, ContextEntry>;
}

export const CONTEXT_ENV = 'KAFKA_TS_CONTEXT';
const FILE = 'contexts';

/** The kafka-ts config directory (shared with the preferences). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAFKA_TS_CONFIG_DIR) return env.KAFKA_TS_CONFIG_DIR;
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.config'), 'kafka-ts');
}

export const contextsPath = (env: NodeJS.ProcessEnv = process.env): string => join(configDir(env), `${FILE}.json`);

/** Reads the contexts file; a missing file is an empty store, a damaged one an error naming it. */
export function readContexts(env: NodeJS.ProcessEnv = process.env): ContextsFile {
  const path = contextsPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
    throw new FailedError(`Cannot read contexts file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const data = JSON.parse(text) as Partial<ContextsFile>;
    const contexts: Record<string, ContextEntry> = {};
    for (const [name, c] of Object.entries(data.contexts ?? {})) {
      if (c && typeof c.bootstrapServer === 'string') contexts[name] = { bootstrapServer: c.bootstrapServer, properties: { ...(c.properties ?? {}) } };
    }
    return { current: typeof data.current === 'string' ? data.current : undefined, contexts };
  } catch {
    throw new FailedError(`Cannot read contexts file ${path}: not valid JSON (fix or remove it)`);
  }
}

/** The named context, or a NotFoundError listing the known ones. */
export function getContext(file: ContextsFile, name: string): ContextEntry {
  const c = Object.hasOwn(file.contexts, name) ? file.contexts[name] : undefined;
  if (c !== undefined) return c;
  const known = Object.keys(file.contexts).sort();
  throw new NotFoundError(`Context '${name}' does not exist (${known.length === 0 ? "no contexts yet: add one with 'kafka-ts context add'" : `known: ${known.join(', ')}`})`);
}

export function validContextName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/.test(name)) {
    throw new UsageError(`Invalid context name '${name}': use letters, digits, '.', '_', '-' and '@' (starting with a letter or digit)`);
  }
  return name;
}

/**
 * Changes the store: reads it, lets `change` edit it and writes it back, all under a lock file
 * (contexts.json.lock, so that concurrent `context add`s do not lose each other's context) and
 * atomically (a reader never sees half a file), private (0600: contexts hold secrets). Returns what `change` returned and the file's path.
 */
export async function updateContexts<T>(env: NodeJS.ProcessEnv, change: (file: ContextsFile) => T): Promise<{ result: T; path: string }> {
  const dir = configDir(env);
  const path = contextsPath(env);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new FailedError(`Cannot write contexts file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return withFileLock(`${path}.lock`, (assertHeld) => {
    const file = readContexts(env);
    const result = change(file);
    const data: Record<string, unknown> = { contexts: file.contexts };
    if (file.current !== undefined) data.current = file.current;
    assertHeld();
    try {
      writeFileAtomic(path, `${JSON.stringify(data, undefined, '\t')}\n`, 0o600);
    } catch (e) {
      throw new FailedError(`Cannot write contexts file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return { result, path };
  });
}

const SECRET_KEY = /password|secret|token|jaas\.config|ssl\.keystore\.key|ssl\.key\.password|credentials|user\.info/i;
export const MASK = '******';

/** Whether a property's value is a secret to be masked when shown. */
export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

/**
 * A property value as `context show` prints it: secrets masked; a JAAS config keeps its login
 * module and username and masks every other option's value. A value that only references a
 * provider (`${env:KAFKA_PASSWORD}`) holds no secret and is shown as written.
 */
export function maskValue(key: string, value: string): string {
  if (!isSecretKey(key)) return value;
  if (/^\s*\$\{[^}]*\}\s*$/.test(value)) return value;
  if (/jaas\.config$/i.test(key)) {
    return value.replace(/(\b[\w.]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;]+)/g, (whole, opt: string, v: string) =>
      /^(username|user|clientId|client_id)$/i.test(opt) || /^"?\$\{[^}]*\}"?$/.test(v) ? whole : `${opt}="${MASK}"`,
    );
  }
  return MASK;
}

export function maskProperties(props: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) out[k] = maskValue(k, v);
  return out;
}
