/**
 * `kafka-ts streams run FILE`: loads a program that defines a topology.
 *
 * The contract (documented in the man page): the file's default export is either
 *   - a function `(builder, streams) => ...` receiving a fresh StreamsBuilder and the Streams
 *     library (Serdes, Topology, Stores, TimeWindows, ...); it builds on the builder, or returns a
 *     Topology it made with `new streams.Topology()` (Processor API); it may be async; or
 *   - a Topology made with the same library (only reachable through the function form, so rare).
 * `export const config = { 'application.id': ..., ... }` adds Kafka Streams properties (the
 * command line's win). `.js`/`.mjs`/`.cjs` files are imported as they are; `.ts`/`.mts` files
 * have their types stripped by TypeScript's transpileModule when the `typescript` package
 * resolves (from the file's directory or kafka-ts's own), else they are refused with a message
 * saying to compile them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NotFoundError, UsageError } from '../util/errors.js';
import { StreamsBuilder, Topology } from '../streams/index.js';
import { serdeOf, streamsLibrary, type BuiltRequest, type TopologyRequest } from './streams.js';

const firstLine = (e: unknown): string => {
  const msg = e instanceof Error ? `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(e);
  return msg.split('\n')[0]!;
};

/**
 * Where a SyntaxError is, as `file:line[:column]`: from the error's stack when Node put the place
 * there (its first line), else from `node --check FILE` (its first line names the file and line,
 * a caret under the code the column). Null when neither says.
 */
function syntaxLocation(e: unknown, file: string): string | null {
  if (!(e instanceof SyntaxError)) return null;
  const first = /^(?:file:\/\/)?(\/[^\n]*?:\d+(?::\d+)?)\s*$/m.exec((e.stack ?? '').split('\n')[0] ?? '');
  if (first) return decodeURIComponent(first[1]!);
  if (!/\.(m?js|cjs)$/i.test(file)) return null;
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  const lines = (r.stderr ?? '').split('\n');
  const at = /^(?:file:\/\/)?(.*):(\d+)$/.exec(lines[0] ?? '');
  if (!at) return null;
  const caret = (lines[2] ?? '').indexOf('^');
  return `${decodeURIComponent(at[1]!)}:${at[2]}${caret >= 0 ? `:${caret + 1}` : ''}`;
}

interface TypeScriptLike {
  transpileModule(input: string, options: { compilerOptions: Record<string, unknown>; fileName?: string }): { outputText: string };
  ModuleKind: { ESNext: number };
  ScriptTarget: { ES2022: number };
}

function loadTypeScript(file: string): TypeScriptLike | null {
  for (const from of [join(dirname(file), 'noop.js'), import.meta.url]) {
    try {
      return createRequire(from)('typescript') as TypeScriptLike;
    } catch {
      // next place
    }
  }
  return null;
}

/**
 * import() of a file URL. The CLI bundle routes import("…") calls through its loader's hook
 * (scripts/bundle.mjs routeImports), which only recognises a call starting with a string literal,
 * hence the empty string in front.
 */
const importUrl = (href: string): Promise<Record<string, unknown>> => import('' + href) as Promise<Record<string, unknown>>;

/** Imports the file (a .ts one through a transpiled sibling that is removed right after). */
async function importApp(file: string): Promise<Record<string, unknown>> {
  const ext = extname(file).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
    const ts = loadTypeScript(file);
    if (!ts) throw new UsageError(`${basename(file)}: TypeScript files need the typescript package (npm i -D typescript), or compile it to .js first (tsc ${basename(file)})`);
    const out = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
    }).outputText;
    // Next to the original so that its relative imports resolve; a private directory would not.
    const js = join(dirname(file), `.${basename(file, ext)}.kafka-ts-${process.pid}-${Date.now()}.mjs`);
    try {
      writeFileSync(js, out);
    } catch (e) {
      throw new UsageError(`${basename(file)}: cannot write its compiled JavaScript beside it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); compile it to .js first`);
    }
    try {
      return await importUrl(pathToFileURL(js).href);
    } finally {
      rmSync(js, { force: true });
    }
  }
  if (ext !== '.js' && ext !== '.mjs' && ext !== '.cjs') throw new UsageError(`${basename(file)}: streams run takes a .js, .mjs, .cjs or .ts file`);
  return await importUrl(pathToFileURL(file).href);
}

/** Loads an app file and builds its topology; every failure is one line (exit 2, 4 when missing). */
export async function appTopology(path: string, serdes?: (appConfig: Record<string, string>) => Pick<TopologyRequest, 'keySerde' | 'valueSerde' | 'registry'>): Promise<BuiltRequest> {
  const file = resolve(path);
  if (!existsSync(file)) throw new NotFoundError(`${path}: no such file`);
  const name = basename(file);
  let mod: Record<string, unknown>;
  try {
    mod = await importApp(file);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const where = syntaxLocation(e, file);
    throw new UsageError(`${name} failed to load: ${where ? `${where}: ` : ''}${firstLine(e)}`);
  }
  // A CommonJS module's exports arrive as `default`.
  let exported = mod.default ?? mod.topology;
  if (exported && typeof exported === 'object' && !(exported instanceof Topology) && 'default' in exported) exported = (exported as { default: unknown }).default;
  const cjs = mod.default && typeof mod.default === 'object' ? (mod.default as Record<string, unknown>) : {};
  const config = (mod.config ?? cjs.config ?? {}) as Record<string, unknown>;
  if (typeof config !== 'object' || config === null) throw new UsageError(`${name}: export const config must be an object of Kafka Streams properties`);
  const appConfig: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (v !== undefined && v !== null) appConfig[k] = String(v);
  // default.key.serde / default.value.serde: the DSL's defaults (the Processor API's sources and sinks name their own).
  const s = serdes?.(appConfig) ?? {};
  const notString = (n: string | undefined) => n !== undefined && n.toLowerCase() !== 'string';
  const defaults = { ...(s.keySerde !== undefined && { defaultKeySerde: serdeOf(s.keySerde, '--key-serde', s.registry) }), ...(s.valueSerde !== undefined && { defaultValueSerde: serdeOf(s.valueSerde, '--value-serde', s.registry) }) };
  let topology: Topology;
  let usedBuilder = false;
  if (exported instanceof Topology) topology = exported;
  else if (typeof exported === 'function') {
    const builder = new StreamsBuilder(defaults);
    let result: unknown;
    try {
      result = await (exported as (b: StreamsBuilder, lib: typeof streamsLibrary) => unknown)(builder, streamsLibrary);
    } catch (e) {
      throw new UsageError(`${name} failed to build its topology: ${firstLine(e)}`);
    }
    usedBuilder = result === undefined || result === builder || result === builder.build();
    if (result instanceof Topology) topology = result;
    else if (result === undefined || result === builder) topology = builder.build();
    else if (result instanceof StreamsBuilder) topology = result.build();
    else throw new UsageError(`${name}: the default export returned ${typeof result}; return nothing (build on the builder) or a Topology`);
  } else {
    throw new UsageError(`${name} exports no topology: export default (builder, streams) => { builder.stream('in').to('out'); }`);
  }
  if (!usedBuilder && (notString(s.keySerde) || notString(s.valueSerde))) {
    throw new UsageError(`${name}: default.key.serde / default.value.serde apply to the StreamsBuilder given to the default export; a Topology made otherwise names its serdes itself (Consumed.with, addSource's deserializers)`);
  }
  const stem = basename(file, extname(file)).replace(/[^a-zA-Z0-9._-]/g, '_');
  return { topology, defaultApplicationId: `kafka-ts-streams-${stem}`, appConfig };
}
