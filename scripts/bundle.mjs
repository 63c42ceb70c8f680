#!/usr/bin/env node
// Bundles the CLI into CommonJS files for fast start-up: a single file skips ES-module
// resolution and loading, and esbuild wraps each module so that code behind a lazy import() is
// parsed but not run until needed.
//   dist/kafka-ts.cjs         the CLI (what bin/kafka-ts.cjs runs)
//   dist/kafka-ts-daemon.cjs  the broker daemon, loaded only by `server start --foreground`
//   dist/kafka-ts-tui.mjs     the Ink lag watcher, an ES module because Ink is one (Node 20
//                             cannot require() it); the CLI import()s it when the TUI opens
// Native codecs, Ink/React, conf (ES modules) and cli-table3 stay external: they are loaded on
// first use instead of being parsed at every start.
import { build } from 'esbuild';

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['snappy', 'lz4-napi', 'zstd-napi', '@node-rs/crc32', 'ink', 'react', 'react/jsx-runtime', 'ink-testing-library', 'conf', 'cli-table3'],
  // import.meta.url has no meaning in CommonJS; give modules the bundle's own URL instead.
  define: { 'import.meta.url': '__kafkaTsModuleUrl' },
  banner: { js: "const __kafkaTsModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
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

/** Sends the CLI's import of the daemon runner to the separate daemon bundle. */
const daemonApart = {
  name: 'daemon-apart',
  setup(b) {
    b.onResolve({ filter: /server-run\.js$/ }, () => ({ path: './kafka-ts-daemon.cjs', external: true }));
  },
};

/** Sends the CLI's import of the TUI to the separate ES-module bundle. */
const tuiApart = {
  name: 'tui-apart',
  setup(b) {
    b.onResolve({ filter: /tui\/run\.js$/ }, () => ({ path: './kafka-ts-tui.mjs', external: true }));
  },
};

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

await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/kafka-ts.cjs', plugins: [daemonApart, tuiApart, lazyChildProcess] });
await build({ ...common, entryPoints: ['src/cli/server-run.ts'], outfile: 'dist/kafka-ts-daemon.cjs' });
await build({
  ...common,
  format: 'esm',
  entryPoints: ['src/tui/run.tsx'],
  outfile: 'dist/kafka-ts-tui.mjs',
  // An ES module has its own import.meta.url.
  define: {},
  banner: {},
});
