#!/usr/bin/env node
// kafka-ts command-line entry point: runs the bundled CLI and exits with its status.
// Stack traces (--debug, KAFKA_TS_DEBUG) name the TypeScript sources: the source map is loaded
// only then, before the bundle, as Node maps only code loaded after it is enabled.
'use strict';
const debug = process.env.KAFKA_TS_DEBUG ? process.env.KAFKA_TS_DEBUG !== '0' : process.argv.includes('--debug');
if (debug) process.setSourceMapsEnabled(true);
const bundle = require('node:path').join(__dirname, '..', 'dist', 'kafka-ts.cjs');
const { cli, save } = debug ? { cli: require(bundle) } : load(bundle);
cli.main(process.argv.slice(2)).then((code) => {
  if (save) save();
  process.exit(code);
});

/**
 * Loads the bundle with a V8 code cache: compiling the bundle is a large part of a short
 * command's start-up, and the cache holds the functions that ran, compiled. The cache is a file
 * in $KAFKA_TS_CODE_CACHE (a directory; 0 turns it off), else $XDG_CACHE_HOME/kafka-ts or
 * ~/.cache/kafka-ts, one per installation and Node version. It is used only for the same bundle
 * file: its header names the bundle's device, inode, size, mtime and ctime (a rewrite changes the
 * ctime, which no tool sets back), and V8 checks its own version, flags and the source length.
 * Anything else (no cache, stale, rejected, unwritable) loads the bundle without one and, when
 * the command is done, writes a fresh one. The cache holds what the commands that wrote it ran;
 * a command line of another shape adds its functions (see commandShape).
 */
function load(file) {
  const vm = require('node:vm');
  const fs = require('node:fs');
  const path = require('node:path');
  const dir = codeCacheDir();
  if (!dir) return { cli: require(file) };
  let source, stat;
  try {
    source = fs.readFileSync(file, 'utf8');
    stat = fs.statSync(file, { bigint: true });
  } catch {
    return { cli: require(file) };
  }
  const key = `kafka-ts code cache 1 ${process.version} ${process.arch} ${file} ${stat.dev} ${stat.ino} ${stat.size} ${stat.mtimeNs} ${stat.ctimeNs}\n`;
  // One file per installation and Node version (a short hash of both in the name).
  let h = 0;
  for (const c of `${file} ${process.version} ${process.arch}`) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  const cacheFile = path.join(dir, `cli-${(h >>> 0).toString(16)}.v8cache`);
  // After the key, the command-line shapes whose functions the cache holds, tab-separated.
  let cachedData;
  let covered = [];
  try {
    const data = fs.readFileSync(cacheFile);
    const header = Buffer.byteLength(key);
    const nl = data.indexOf(10, header);
    if (nl > 0 && data.toString('utf8', 0, header) === key) {
      covered = data.toString('utf8', header, nl).split('\t').filter(Boolean);
      cachedData = data.subarray(nl + 1);
    }
  } catch {
    /* no cache yet */
  }
  // The bundle's import() calls come here (see routeImports in scripts/bundle.mjs): relative
  // ones name files beside the bundle; packages resolve from the same node_modules as from dist/.
  const { pathToFileURL } = require('node:url');
  const importHook = (specifier) => import(specifier.startsWith('.') ? pathToFileURL(path.join(path.dirname(file), specifier)).href : specifier);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __kafkaTsImportHook) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const mod = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, lazyBuiltins(require('node:module').createRequire(file)), mod, file, path.dirname(file), importHook);
  mod.loaded = true;
  if (cachedData === undefined || script.cachedDataRejected === true) covered = [];
  // A command line of a new shape (another command, action or option set) compiled functions
  // the cache lacks: the cache is written again after it, holding those too (up to 64 shapes).
  const shape = commandShape(process.argv.slice(2));
  const save = !covered.includes(shape) && covered.length < 64;
  return {
    cli: mod.exports,
    // After the command: the cache then holds the functions it compiled.
    save: save
      ? () => {
          const tmp = `${cacheFile}.${process.pid}.tmp`;
          try {
            fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
            fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${key}${[...covered, shape].join('\t')}\n`), script.createCachedData()]), { mode: 0o600 });
            fs.renameSync(tmp, cacheFile);
          } catch {
            try {
              fs.unlinkSync(tmp);
            } catch {
              /* never written */
            }
          }
        }
      : undefined,
  };
}

/**
 * Node built-ins the bundle's modules import at load but a short command never uses: the bundle
 * gets a stand-in that loads the module on first use. esbuild compiles a named import
 * (`import { randomBytes } from 'node:crypto'`) to a property read at the call, so the load
 * waits until then; a default or namespace import copies every property at once (ownKeys),
 * which loads the module as before.
 */
function lazyBuiltins(req) {
  const LAZY_BUILTINS = new Set(['node:crypto', 'node:zlib', 'node:readline/promises', 'node:fs/promises']);
  const wrapped = (id) => {
    if (!LAZY_BUILTINS.has(id)) return req(id);
    let m;
    const load = () => (m ??= req(id));
    return new Proxy(
      {},
      {
        get: (_, key) => load()[key],
        has: (_, key) => key in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_, key) => {
          const d = Reflect.getOwnPropertyDescriptor(load(), key);
          return d && { ...d, configurable: true };
        },
      },
    );
  };
  return Object.assign(wrapped, { resolve: req.resolve, cache: req.cache, main: req.main });
}

/** A command line without its values: `topics --describe --topic`, `topics list`. */
function commandShape(args) {
  const words = [];
  let positional = 0;
  args.forEach((a, i) => {
    if (a.startsWith('-')) words.push(a.split('=')[0]);
    else if (positional < 2 && !(i > 0 && args[i - 1].startsWith('--') && !args[i - 1].includes('='))) {
      positional++;
      words.push(a);
    }
  });
  return words.join(' ').replace(/[\t\n]/g, ' ');
}

function codeCacheDir() {
  const env = process.env;
  if (env.KAFKA_TS_CODE_CACHE !== undefined) return env.KAFKA_TS_CODE_CACHE === '0' || env.KAFKA_TS_CODE_CACHE === '' ? null : env.KAFKA_TS_CODE_CACHE;
  const path = require('node:path');
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'kafka-ts');
  const home = env.HOME || require('node:os').homedir();
  return home ? path.join(home, '.cache', 'kafka-ts') : null;
}
