// ESLint: the layer rules and import cycles (CONTRIBUTING.md explains the layers), plus a few
// correctness rules. Formatting is not linted.
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The layers, top to bottom. A module may import from its own layer and the layers below it,
 * never from a layer above. `src/util` and `src/version.ts` are the floor: every layer may
 * import them, and they import no layer.
 */
const LAYERS = [
  ['bin'],
  ['commands'],
  ['src/cli'],
  // src/streams is a library on the client (Kafka Streams' model); commands run it through src/tools.
  ['src/tools', 'src/lag', 'src/tui', 'src/streams'],
  ['src/client', 'src/broker'],
  ['src/storage', 'src/transport'],
  ['src/protocol'],
  // Schemas (Avro, JSON Schema, Protobuf): pure, below everything that uses them (broker, tools).
  ['src/schema'],
];
const FLOOR = ['src/util', 'src/version.ts'];

const dirs = (layers) => layers.flat().map((d) => `./${d}`);

const layerZones = LAYERS.flatMap((layer, i) => {
  const above = dirs(LAYERS.slice(0, i));
  if (above.length === 0) return [];
  // src/cli/main.ts is the composition root: it alone loads the command registry
  // (commands/index.ts), which lists every command for --help, the man pages and completion,
  // and the short commands, which the CLI's first bundle carries.
  if (layer.includes('src/cli')) {
    return [
      { target: ['./src/cli/!(main).{ts,tsx}', './src/cli/*/**'], from: above, message: 'src/cli must not import from commands/ or bin/ (see CONTRIBUTING.md)' },
      { target: './src/cli/main.ts', from: above.filter((d) => d !== './commands'), message: 'src/cli/main.ts may import upward only from commands/' },
    ];
  }
  return layer.map((dir) => ({
    target: `./${dir}`,
    from: above,
    message: `${dir} must not import from a layer above it (the layers are in CONTRIBUTING.md)`,
  }));
});
/**
 * The broker and the client are side by side and independent: each speaks the protocol, neither
 * imports the other. Commands and tools reach the broker over the wire only; of src/cli, the
 * daemon's entry (server-run.ts) and its paths (local-daemon.ts) load broker modules.
 */
const apartZones = [
  { target: './src/client', from: './src/broker', message: 'the client must not import the broker: both speak src/protocol' },
  { target: './src/broker', from: './src/client', message: 'the broker must not import the client: both speak src/protocol' },
  ...['commands', 'src/tools', 'src/lag', 'src/tui', 'src/streams'].map((dir) => ({
    target: `./${dir}`,
    from: './src/broker',
    message: `${dir} reaches the broker over the wire, not by importing it (shared definitions belong in src/protocol or src/util)`,
  })),
];
const floorZones = FLOOR.map((target) => ({
  target: `./${target}`,
  from: dirs(LAYERS),
  message: `${target} is the bottom layer: it must not import from any other layer`,
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'man/**', 'bench/results/**', 'test/fixtures/**'] },
  {
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    // typescript-eslint's plugin is registered so that its rule names resolve in disable comments.
    plugins: { 'import-x': importX, '@typescript-eslint': tseslint.plugin },
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' },
    settings: {
      // Without the TypeScript extensions and parser, import-x would not follow imports into .ts
      // files, and no-cycle would see no cycles at all.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    // The sources carry a few disable comments for typescript-eslint rules this config leaves off.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: [...layerZones, ...apartZones, ...floorZones] }],
      // A handful of correctness rules.
      'no-debugger': 'error',
      'no-dupe-keys': 'error',
      'no-duplicate-case': 'error',
      'no-self-assign': 'error',
      'no-self-compare': 'error',
      'no-unreachable': 'error',
      'no-unsafe-finally': 'error',
      'no-unsafe-negation': 'error',
      'use-isnan': 'error',
      'valid-typeof': 'error',
      'no-constant-binary-expression': 'error',
      'no-dupe-else-if': 'error',
      'no-sparse-arrays': 'error',
      'no-async-promise-executor': 'error',
    },
  },
  {
    // A command file is wiring (options, actions, docs); past 150 lines it is doing a tool's work.
    // Long option tables go in src/cli/flags/<name>.ts, long man prose in src/cli/manuals/<name>.ts.
    files: ['commands/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 150, skipBlankLines: false, skipComments: false }] },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
