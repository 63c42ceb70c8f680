#!/usr/bin/env node
// Bundles the CLI into CommonJS files for fast start-up: a single file skips ES-module
// resolution and loading, and esbuild wraps each module so that code behind a lazy import() is
// parsed but not run until needed.
//   dist/kafka-ts-launch.cjs  what bin/kafka-ts.cjs runs: loads the CLI with its code cache
//   dist/kafka-ts.cjs         the CLI: main and the short commands (SHORT_COMMANDS in src/cli/main.ts)
//   dist/kafka-ts-commands.cjs  every command (commands/index.ts), loaded for the others; it
//                             shares the first bundle's modules (see shareCore)
//   dist/kafka-ts-daemon.cjs  the broker daemon, loaded only by `server start --foreground`
//   dist/kafka-ts-tui.mjs     the Ink lag watcher, an ES module because Ink is one (Node 20
//                             cannot require() it); the CLI import()s it when the TUI opens
// Native codecs, Ink/React, conf (ES modules), cli-table3 and the schema libraries (avsc,
// protobufjs, ajv) stay external: they are loaded on first use instead of being parsed at
// every start.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['snappy', 'lz4-napi', 'zstd-napi', '@node-rs/crc32', 'ink', 'react', 'react/jsx-runtime', 'ink-testing-library', 'conf', 'cli-table3', 'avsc', 'protobufjs', 'ajv'],
  // import.meta.url has no meaning in CommonJS; give modules the bundle's own URL instead, made
  // when read (few modules read it, and seldom at load: ~0.3 ms off every start).
  define: { 'import.meta.url': '__kafkaTsModule.url' },
  banner: { js: "const __kafkaTsModule = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
  jsx: 'automatic',
  // Less to parse at every start. Identifiers are not minified, so stack traces stay readable;
  // keepNames is left off: it wraps every closure in a defineProperty call, which costs a lot
  // on per-record paths, and error classes carry their names explicitly.
  minifyWhitespace: true,
  minifySyntax: true,
  // Stack traces (printed with --debug) are mapped back to the TypeScript sources; Node reads
  // the map only when bin/kafka-ts.cjs enables source maps, so normal start-up does not pay.
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
};

/**
 * The bundles, each named by its entry point. The CLI loads the others with a lazy import()
 * of their entry module; `apart` turns exactly those imports into a require()/import() of the
 * other bundle, so each is built once and loaded only when needed.
 */
const CLI = { entry: 'src/cli/main.ts', outfile: 'dist/kafka-ts.cjs' };
const COMMANDS = { entry: 'commands/index.ts', outfile: 'dist/kafka-ts-commands.cjs' };
const ENTRIES = [
  CLI,
  COMMANDS,
  { entry: 'src/cli/server-run.ts', outfile: 'dist/kafka-ts-daemon.cjs' },
  { entry: 'src/tui/run.tsx', outfile: 'dist/kafka-ts-tui.mjs', esm: true },
];

/**
 * Makes an import of another bundle's entry module external, pointing at that bundle; `loaded`
 * collects the entries so imported.
 */
function apart(self, loaded) {
  // Sources import each other by the compiled name: './server-run.js' for server-run.ts.
  const others = new Map(ENTRIES.filter((e) => e !== self).map((e) => [resolve(e.entry).replace(/\.tsx?$/, '.js'), e]));
  return {
    name: 'apart',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        const other = others.get(resolve(args.resolveDir, args.path));
        if (!other) return undefined;
        loaded.add(other);
        return { path: `./${basename(other.outfile)}`, external: true };
      });
    },
  };
}

/**
 * commander loads node:child_process up front for executable subcommands, which kafka-ts does
 * not use; a lazy stand-in saves that module's start-up cost on every command.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes('node_modules/commander') ? { path: 'lazy-child-process', namespace: 'kafka-ts' } : undefined,
    );
    b.onLoad({ filter: /^lazy-child-process$/, namespace: 'kafka-ts' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

/**
 * src/cli/launch.ts runs the CLI bundle from a V8 code cache (vm.Script), and on Node 20 a
 * function compiled after the cache was read has no import() callback
 * (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING). So the CLI bundle's import("x") calls go through
 * __kimp("x"): the loader passes an import() of its own as __kafkaTsImportHook; loaded with a
 * plain require() (--debug, gen-man) the bundle uses import() itself. The name has import's six
 * letters, so the source map's columns stay right.
 */
const IMPORT_HOOK_BANNER = 'const __kimp=typeof __kafkaTsImportHook==="function"?__kafkaTsImportHook:(s)=>import(s);';
function routeImports(outfile) {
  const text = readFileSync(outfile, 'utf8');
  // src/cli/launch.ts reads the CLI's bundles as latin1, which is their text only while they are
  // ASCII (esbuild's default charset).
  if (/[^\0-\x7f]/.test(text)) throw new Error(`${outfile}: not ASCII, but src/cli/launch.ts reads it as latin1`);
  const routed = text.replace(/(?<![\w$.])import\("/g, '__kimp("');
  const left = routed.split(IMPORT_HOOK_BANNER).join('').match(/(?<![\w$.])import\(/g);
  if (left) throw new Error(`${outfile}: ${left.length} import() call(s) without a string literal; bin/kafka-ts.cjs cannot route them (see routeImports in scripts/bundle.mjs)`);
  writeFileSync(outfile, routed);
}

/**
 * The CLI is two bundles that are one program: the first (dist/kafka-ts.cjs) holds what the
 * short commands run (SHORT_COMMANDS in src/cli/main.ts, issue 17: less to read and deserialise at every
 * start); the full command list (commands/index.ts) is dist/kafka-ts-commands.cjs, loaded by
 * src/cli/main.ts for any other command line. The second must not have copies of the first's
 * modules (one error class family for instanceof, one daemon connection state): each import it
 * makes of a module the first bundle holds becomes a lookup in the first bundle's registry of
 * its modules, `globalThis[Symbol.for('kafka-ts.core')](path)`, which returns that module's
 * exports (initialising it on first use, as an import would).
 */
const CORE_REGISTRY = 'kafka-ts.core';
function shareCore(coreInputs, used) {
  return {
    name: 'share-core',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData?.shareCore) return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { shareCore: true } });
        if (r.errors.length || r.external || r.namespace !== 'file') return undefined;
        const path = relative(process.cwd(), r.path).split(sep).join('/');
        if (!coreInputs.has(path)) return undefined;
        used.add(path);
        // A CommonJS stand-in, whatever the module's own kind (commander's ESM wrapper is .mjs).
        return { path: `${path}.cjs`, namespace: 'kafka-ts-core' };
      });
      b.onLoad({ filter: /.*/, namespace: 'kafka-ts-core' }, (args) => ({
        contents: `module.exports = globalThis[Symbol.for(${JSON.stringify(CORE_REGISTRY)})](${JSON.stringify(args.path.slice(0, -'.cjs'.length))});`,
        loader: 'js',
      }));
    },
  };
}

/**
 * esbuild gives a default import of a CommonJS module Node's meaning when the importer is an ES
 * module by Node's rules (package.json has "type": "module"): the whole module.exports, marked
 * by __toESM(require_x(), 1). The stand-ins return ES modules' exports (`__esModule`, with a
 * `default`), so their imports drop that mark: `, 0` has the same length, the source map stays.
 */
function esModuleStandIns(outfile) {
  const text = readFileSync(outfile, 'utf8');
  const names = [...text.matchAll(/(require_[\w$]+)=__commonJS\(\{"kafka-ts-core:/g)].map((m) => m[1]);
  let count = 0;
  const fixed = text.replace(/__toESM\((require_[\w$]+)\(\),1\)/g, (all, name) => (names.includes(name) ? (count++, `__toESM(${name}(),0)`) : all));
  if (names.length && !count) throw new Error(`${outfile}: no import of the first bundle's modules found to fix (see esModuleStandIns in scripts/bundle.mjs)`);
  // Every use of a stand-in must now be one of the two shapes this knows: a plain require, or
  // __toESM(..., 0). Anything else (esbuild printing it differently) would slip through unfixed.
  for (const name of names) {
    const uses = fixed.split(`${name}()`).length - 1;
    const known = fixed.split(`__toESM(${name}(),0)`).length - 1 + (fixed.split(`=${name}()`).length - 1) + (fixed.split(`,${name}()`).length - 1);
    if (uses !== known) throw new Error(`${outfile}: ${uses - known} use(s) of ${name} in a shape esModuleStandIns does not know (see scripts/bundle.mjs)`);
  }
  writeFileSync(outfile, fixed);
}

/** The first bundle's entry: main.ts, and the registry of the modules the second one imports. */
function coreEntry(used) {
  const table = [...used].sort().map((p) => `${JSON.stringify(p)}: () => require(${JSON.stringify(`./${p}`)})`);
  return {
    contents: [
      'export * from "./src/cli/main.ts";',
      `const modules = {${table.join(', ')}}, done = new Map();`,
      `globalThis[Symbol.for(${JSON.stringify(CORE_REGISTRY)})] = (p) => { let m = done.get(p); if (m === undefined) done.set(p, (m = modules[p]())); return m; };`,
    ].join('\n'),
    resolveDir: process.cwd(),
    sourcefile: 'kafka-ts-cli-entry.js',
    loader: 'js',
  };
}

const cjsCli = { ...common, banner: { js: `${common.banner.js}${IMPORT_HOOK_BANNER}` } };
// Imports of the other bundles, over the CLI's two: each must be imported by its entry module.
const loaded = new Set();
// The first bundle once to learn its modules, the second importing those from it, then the
// first again with the registry of what the second imports (the same modules: require() of a
// module already bundled adds none).
const core = await build({ ...cjsCli, entryPoints: [CLI.entry], outfile: CLI.outfile, plugins: [apart(CLI, new Set()), lazyChildProcess], metafile: true, write: false });
const coreInputs = new Set(Object.keys(core.metafile.inputs));
const used = new Set();
await build({ ...cjsCli, entryPoints: [COMMANDS.entry], outfile: COMMANDS.outfile, plugins: [apart(COMMANDS, loaded), shareCore(coreInputs, used), lazyChildProcess] });
routeImports(COMMANDS.outfile);
esModuleStandIns(COMMANDS.outfile);
const again = await build({ ...cjsCli, stdin: coreEntry(used), outfile: CLI.outfile, plugins: [apart(CLI, loaded), lazyChildProcess], metafile: true });
routeImports(CLI.outfile);
const grown = Object.keys(again.metafile.inputs).filter((p) => !coreInputs.has(p) && p !== 'kafka-ts-cli-entry.js');
if (grown.length) throw new Error(`the registry added modules to the first bundle: ${grown.join(', ')}`);

for (const self of ENTRIES.filter((e) => e !== CLI && e !== COMMANDS)) {
  const plugins = [apart(self, new Set())];
  if (self.esm) {
    // An ES module has its own import.meta.url.
    await build({ ...common, format: 'esm', entryPoints: [self.entry], outfile: self.outfile, plugins, define: {}, banner: {} });
  } else {
    await build({ ...common, entryPoints: [self.entry], outfile: self.outfile, plugins });
  }
}
// A bundle the CLI stopped importing by its entry module would be inlined into the CLI,
// unnoticed, and parsed at every start.
const missed = ENTRIES.filter((e) => e !== CLI && !loaded.has(e));
if (missed.length) throw new Error(`the CLI does not import ${missed.map((e) => e.entry).join(', ')}: update ENTRIES in scripts/bundle.mjs`);

// The launcher stands alone (node built-ins only): bin/kafka-ts.cjs loads it before the CLI.
// It has no import.meta.url (the banner's file URL costs ~0.3 ms at every start).
await build({ ...common, entryPoints: ['src/cli/launch.ts'], outfile: 'dist/kafka-ts-launch.cjs', sourcemap: false, define: {}, banner: {} });
// esbuild would leave an import.meta there undefined, with a warning only: the launcher would fail at run time.
if (readFileSync('dist/kafka-ts-launch.cjs', 'utf8').includes('import.meta')) throw new Error('src/cli/launch.ts uses import.meta, which its bundle has not (see the launcher build in scripts/bundle.mjs)');
