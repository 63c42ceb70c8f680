/**
 * What `kafka-ts context` does: add, use, list, show, remove and current over the context store
 * (contexts.ts). Each action returns a view; secrets are masked in every one of them.
 */
import { NotFoundError, UsageError } from './errors.js';
import { contextsPath, getContext, isSecretKey, maskProperties, readContexts, updateContexts, validContextName, type ContextEntry } from './contexts.js';
import { hasProviderReference, isProviderKey } from '../util/config-providers.js';
import { view, type View } from './view.js';

export interface ContextAddOptions {
  bootstrapServer?: string;
  properties: Record<string, string>;
  force?: boolean;
  use?: boolean;
}

const columns = (rows: string[][]): string[] => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('   ').trimEnd());
};

/** Secrets given in clear (not as a provider reference): the keys, for a warning. */
export const clearSecrets = (props: Record<string, string>): string[] =>
  Object.entries(props)
    .filter(([k, v]) => isSecretKey(k) && !isProviderKey(k) && !hasProviderReference(v) && v !== '')
    .map(([k]) => k);

export async function addContext(env: NodeJS.ProcessEnv, name: string, o: ContextAddOptions): Promise<View> {
  validContextName(name);
  // A client properties file may name the cluster itself (Confluent Cloud's client.properties does).
  const properties = { ...o.properties };
  const fromFile = properties['bootstrap.servers'];
  delete properties['bootstrap.servers'];
  const bootstrapServer = o.bootstrapServer ?? fromFile;
  if (bootstrapServer === undefined || bootstrapServer.trim() === '') throw new UsageError('Missing required argument "[bootstrap-server]"');
  const { parseBootstrap } = await import('../client/client.js');
  try {
    parseBootstrap(bootstrapServer);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let replaced = false;
  const { result: file, path } = await updateContexts(env, (file) => {
    if (Object.hasOwn(file.contexts, name) && !o.force) throw new UsageError(`Context '${name}' already exists (--force replaces it)`);
    replaced = Object.hasOwn(file.contexts, name);
    file.contexts[name] = { bootstrapServer, properties };
    if (o.use) file.current = name;
    return file;
  });
  const clear = clearSecrets(properties);
  return {
    data: { context: name, bootstrapServer, replaced, current: file.current === name, path },
    text: () => [`${replaced ? 'Replaced' : 'Added'} context ${name} (${bootstrapServer})${o.use ? '; it is now the current context' : ''}.`],
    warnings: () =>
      clear.length === 0 ? [] : [`kafka-ts context: warning: ${clear.join(', ')} stored in clear in ${path} (mode 0600); a \${env:NAME} reference keeps a secret out of the file`],
  };
}

export async function useContext(env: NodeJS.ProcessEnv, name: string | undefined, none: boolean): Promise<View> {
  if (none) {
    if (name !== undefined) throw new UsageError('--none takes no context name');
    await updateContexts(env, (file) => void (file.current = undefined));
    return view({ current: null }, () => ['No current context: commands use $KAFKA_BOOTSTRAP_SERVERS, else the local daemon.']);
  }
  if (name === undefined) throw new UsageError('Missing context name (or --none to stop using one)');
  await updateContexts(env, (file) => {
    getContext(file, name);
    file.current = name;
  });
  return view({ current: name }, () => [`Switched to context ${name}.`]);
}

export function listContexts(env: NodeJS.ProcessEnv): View {
  const file = readContexts(env);
  const names = Object.keys(file.contexts).sort();
  const data = { current: file.current ?? null, contexts: names.map((n) => ({ name: n, bootstrapServer: file.contexts[n]!.bootstrapServer, current: n === file.current })) };
  return {
    data,
    text: () => (data.contexts.length === 0 ? [] : columns([['CURRENT', 'NAME', 'BOOTSTRAP SERVERS'], ...data.contexts.map((c) => [c.current ? '*' : '', c.name, c.bootstrapServer])])),
    warnings: () => (data.contexts.length === 0 ? [`No contexts in ${contextsPath(env)}; add one with: kafka-ts context add NAME --bootstrap-server HOST:PORT`] : []),
  };
}

export function showContext(env: NodeJS.ProcessEnv, name: string | undefined): View {
  const file = readContexts(env);
  const chosen = name ?? file.current;
  if (chosen === undefined) throw new NotFoundError('No current context (name one, or pick one with kafka-ts context use NAME)');
  const c: ContextEntry = getContext(file, chosen);
  const properties = maskProperties(c.properties);
  const data = { name: chosen, current: chosen === file.current, bootstrapServer: c.bootstrapServer, properties };
  return view(data, (d) => [
    `name: ${d.name}${d.current ? ' (current)' : ''}`,
    `bootstrap servers: ${d.bootstrapServer}`,
    ...(Object.keys(d.properties).length === 0 ? ['properties: (none)'] : ['properties:', ...Object.keys(d.properties).sort().map((k) => `  ${k}=${d.properties[k]}`)]),
  ]);
}

export async function removeContext(env: NodeJS.ProcessEnv, name: string): Promise<View> {
  const { result: wasCurrent } = await updateContexts(env, (file) => {
    getContext(file, name);
    delete file.contexts[name];
    const current = file.current === name;
    if (current) file.current = undefined;
    return current;
  });
  return view({ removed: name, wasCurrent }, () => [`Removed context ${name}.${wasCurrent ? ' There is no current context now.' : ''}`]);
}

export function currentContext(env: NodeJS.ProcessEnv): View {
  const file = readContexts(env);
  if (file.current === undefined) throw new NotFoundError('No current context');
  return view({ current: file.current }, (d) => [d.current]);
}
