#!/usr/bin/env node
// Bundles the CLI into one CommonJS file (dist/kafka-ts.cjs) for fast start-up: a single file
// skips ES-module resolution and loading, and esbuild wraps each module so that code behind a
// lazy import() is parsed but not run until needed. Native codecs and Ink/React stay external
// and are loaded on first use.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/kafka-ts.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['snappy', 'lz4-napi', '@toondepauw/node-zstd', '@node-rs/crc32', 'ink', 'react', 'react/jsx-runtime', 'ink-testing-library'],
  // import.meta.url has no meaning in CommonJS; give modules the bundle's own URL instead.
  define: { 'import.meta.url': '__kafkaTsModuleUrl' },
  banner: { js: "const __kafkaTsModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  jsx: 'automatic',
  logLevel: 'warning',
});
