/**
 * What bin/kafka-ts.cjs runs: loads the CLI bundle, runs `main`, and exits with its status. Built
 * on its own as dist/kafka-ts-launch.cjs (scripts/bundle.mjs) and kept free of the rest of src/,
 * so that it costs next to nothing to load.
 *
 * The bundle is loaded with a V8 code cache: compiling it is a large part of a short command's
 * start-up, and the cache holds the functions that ran, compiled. The cache is a file in
 * $KAFKA_TS_CODE_CACHE (a directory; 0 turns it off), else $XDG_CACHE_HOME/kafka-ts or
 * ~/.cache/kafka-ts, one per installation, Node version and command (the first argument), and
 * one for the full command list's bundle (dist/kafka-ts-commands.cjs, which the CLI imports for
 * commands other than the short ones: CACHED_IMPORTS). It is used only for the same bundle
 * file: its header names the bundle's device, inode, size, mtime and ctime (a rewrite changes the
 * ctime, which no tool sets back), and V8 checks its own version, flags and the source length.
 * Anything else (no cache, stale, rejected, unwritable) loads the bundle without one and, when the
 * command is done, writes a fresh one. The cache holds what the commands that wrote it ran; a
 * command line of another shape adds its functions (see commandShape). Writing one also removes
 * the caches of installations whose bundle is gone and that nothing wrote for a week (pruneOrphans).
 *
 * Stack traces (--debug, KAFKA_TS_DEBUG) name the TypeScript sources: the source map is enabled
 * before the bundle loads (Node maps only code loaded after that), and the bundle is then loaded
 * with a plain require().
 */
import { createRequire } from 'node:module';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeFileSync, type BigIntStats } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

interface CliBundle {
  main(args: string[]): Promise<number>;
}

type Require = NodeJS.Require;

/**
 * Bundles beside the CLI bundle that its import() calls load through the code cache too: the
 * full command list (scripts/bundle.mjs). The daemon and TUI bundles load without one (the
 * daemon by require(), the TUI's ES module by import()): the daemon runs until a signal, never
 * reaching the point where a cache is written.
 */
const CACHED_IMPORTS = new Set(['./kafka-ts-commands.cjs']);

/** The first words of a cache file's key (load); a new cache format changes the number. */
const KEY_HEAD = 'kafka-ts code cache 1';

/** The usage-error exit status (src/cli/errors.ts, which this stand-alone file cannot import). */
const USAGE_EXIT = 2;
/** The status of a command that stopped on SIGHUP (src/cli/errors.ts: HungUp). */
const HUNG_UP_EXIT = 129;

export function launch(bundle: string): void {
  const debug = process.env.KAFKA_TS_DEBUG ? process.env.KAFKA_TS_DEBUG !== '0' : process.argv.includes('--debug');
  if (debug) process.setSourceMapsEnabled(true);
  // Requires resolve from the bundle's directory (this file is beside it); no import.meta.url:
  // its file URL costs a module and a conversion at every start (scripts/bundle.mjs).
  const req = createRequire(bundle);
  const dir = debug ? null : codeCacheDir(req);
  const saves: (() => void)[] = [];
  const cli = (dir ? load(bundle, dir, saves) : req(bundle)) as CliBundle;
  void cli.main(process.argv.slice(2)).then((code) => {
    // Not after a usage error (exit 2): caches are per command, and a mistyped one would leave
    // a cache file of its own behind.
    if (code !== USAGE_EXIT) for (const save of saves) save();
    // Stopped on SIGHUP: end by the signal itself (its default action), which a shell reports as
    // 129 all the same. exit() would first reset the terminal's modes, which fails on a terminal
    // that hung up, and Node then aborts (an assertion, SIGABRT, a native stack trace).
    if (code === HUNG_UP_EXIT) {
      process.removeAllListeners('SIGHUP');
      process.kill(process.pid, 'SIGHUP');
    }
    process.exit(code);
  });
}

/**
 * Runs a bundle from its code cache (made anew after the command when missing, stale or short
 * of this command line's functions: `saves` collects those writes); its exports.
 */
function load(file: string, dir: string, saves: (() => void)[]): unknown {
  let source: string;
  let stat: BigIntStats;
  let spare: Buffer;
  try {
    ({ source, stat, buffer: spare } = readWrapped(file));
  } catch {
    return createRequire(file)(file);
  }
  const key = `${KEY_HEAD} ${process.version} ${process.arch} ${file} ${stat.dev} ${stat.ino} ${stat.size} ${stat.mtimeNs} ${stat.ctimeNs}\n`;
  // One file per bundle, installation and Node version (a short hash of all in the name), and
  // per command: a cache holds what the command lines that wrote it ran, and one command's
  // cache stays small, so quick to read and deserialise, however many others have run.
  const args = process.argv.slice(2);
  const command = /^[a-z][a-z-]{0,31}$/.test(args[0] ?? '') ? args[0]! : '-';
  let h = 0;
  for (const c of `${file} ${process.version} ${process.arch}`) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  const cacheFile = join(dir, `cli-${(h >>> 0).toString(16)}-${command}.v8cache`);
  // After the key, the command-line shapes whose functions the cache holds, tab-separated.
  let cachedData: Buffer | undefined;
  let covered: string[] = [];
  try {
    const data = readInto(cacheFile, spare);
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
  // ones name files beside the bundle (CACHED_IMPORTS run as this one, once each); packages
  // resolve from the same node_modules as from dist/.
  const loaded = new Map<string, Promise<unknown>>();
  const importHook = (specifier: string): Promise<unknown> => {
    if (!specifier.startsWith('.')) return import(specifier);
    const path = join(dirname(file), specifier);
    // The daemon's CommonJS bundle by require(): import() of a .cjs file first scans its whole
    // source for export names (cjs-module-lexer, ~85 ms of every daemon start for 650 KB).
    if (!CACHED_IMPORTS.has(specifier)) return specifier.endsWith('.cjs') ? new Promise((resolve) => resolve(createRequire(file)(path))) : import(pathToFileURL(path).href);
    let m = loaded.get(path);
    if (!m) loaded.set(path, (m = new Promise((resolve) => resolve(load(path, dir, saves)))));
    return m;
  };
  const script = new Script(source, { filename: file, cachedData });
  const mod = { exports: {}, filename: file, id: file, loaded: false };
  (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, lazyBuiltins(createRequire(file)), mod, file, dirname(file), importHook);
  mod.loaded = true;
  if (cachedData === undefined || script.cachedDataRejected === true) covered = [];
  // A command line of a new shape (another command, action or option set) compiled functions
  // the cache lacks: the cache is written again after it, holding those too (up to 64 shapes).
  const shape = commandShape(args);
  if (covered.includes(shape) || covered.length >= 64) return mod.exports;
  // After the command: the cache then holds the functions it compiled.
  saves.push(() => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, Buffer.concat([cacheHeader(`${key}${[...covered, shape].join('\t')}`), script.createCachedData()]), { mode: 0o600 });
      renameSync(tmp, cacheFile);
      pruneOrphans(dir);
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        /* never written */
      }
    }
  });
  return mod.exports;
}

/**
 * A cache file's first line: `text`, padded with tabs (empty shapes, skipped when read) so the V8
 * data after it starts 8-byte aligned in the file, and so in the buffer it is read into. V8 copies
 * cached data that is not pointer-aligned before using it: 400 KB of fresh memory, ~100 page
 * faults at every start.
 */
function cacheHeader(text: string): Buffer {
  const length = Buffer.byteLength(text) + 1;
  return Buffer.from(`${text}${'\t'.repeat((8 - (length % 8)) % 8)}\n`);
}

let pruned = false;

/** A set of caches of a missing bundle stays this long after its last write (see pruneOrphans). */
const ORPHAN_AGE_MS = 7 * 24 * 3600 * 1000;
/** A temporary file of a write that never finished (a killed process) goes after this long. */
const TMP_AGE_MS = 24 * 3600 * 1000;

/**
 * Removes the cache files of installations whose bundle file no longer exists (a deleted
 * checkout or CI clone, a cleaned npx directory): each installation and Node version has its own
 * set, about 0.5 MB per command, and nothing else ever removes them. A set goes only when none of
 * its files was written for a week as well: a cache directory shared by hosts or containers that
 * see different paths (an NFS home, a mounted ~/.cache) would otherwise have each side remove
 * the other's caches at every write. Runs once per process and only after writing a cache, which
 * is rare. A file whose first line is not a cache key this launcher knows is left alone.
 */
function pruneOrphans(dir: string): void {
  if (pruned) return;
  pruned = true;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  const age = (file: string): number => {
    try {
      return now - statSync(file).mtimeMs;
    } catch {
      return 0;
    }
  };
  // The name's hash stands for one bundle path and Node version: one file per hash says which.
  const sets = new Map<string, string[]>();
  for (const name of names) {
    if (/^cli-[0-9a-f]+-[a-z-]*\.v8cache\.\d+\.tmp$/.test(name) && age(join(dir, name)) > TMP_AGE_MS) remove(join(dir, name));
    const m = /^(cli-[0-9a-f]+)-[a-z-]*\.v8cache$/.exec(name);
    if (!m) continue;
    const set = sets.get(m[1]!);
    if (set) set.push(name);
    else sets.set(m[1]!, [name]);
  }
  for (const files of sets.values()) {
    const bundle = bundleNamedIn(join(dir, files[0]!));
    if (bundle === null || existsSync(bundle)) continue;
    if (files.some((f) => age(join(dir, f)) <= ORPHAN_AGE_MS)) continue;
    for (const f of files) remove(join(dir, f));
  }
}

function remove(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    /* removed by another process meanwhile */
  }
}

/** The bundle path in a cache file's key (see load), or null when the file has no such key. */
function bundleNamedIn(cacheFile: string): string | null {
  let head: string;
  try {
    const fd = openSync(cacheFile, 'r');
    try {
      const buf = Buffer.alloc(4096);
      head = buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  // The key load() writes: head, Node version, arch, bundle path (may hold spaces), five numbers.
  if (!head.startsWith(`${KEY_HEAD} `)) return null;
  const m = /^\S+ \S+ (.+) \d+ \d+ \d+ \d+ \d+\n/.exec(head.slice(KEY_HEAD.length + 1));
  return m ? m[1]! : null;
}

const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname, __kafkaTsImportHook) {';
const WRAP_TAIL = '\n})';

/**
 * A bundle's source inside the function that load() calls with the module's variables, the
 * file's stat, and the buffer it was read into (free once the source is a string: readInto
 * reuses it). The text is read straight into place and becomes one string: joining the file's
 * text with the wrapper made V8 copy the whole bundle again when compiling (~0.5 ms and young
 * garbage that cost a scavenge, issue 17). The bundles are ASCII (esbuild escapes the rest;
 * scripts/bundle.mjs checks): read as latin1, a plain copy, where UTF-8 would be decoded.
 */
function readWrapped(file: string): { source: string; stat: BigIntStats; buffer: Buffer } {
  const fd = openSync(file, 'r');
  try {
    const stat = fstatSync(fd, { bigint: true });
    const size = Number(stat.size);
    const buf = Buffer.allocUnsafe(WRAP_HEAD.length + size + WRAP_TAIL.length);
    buf.write(WRAP_HEAD, 0, 'latin1');
    readFully(fd, buf.subarray(WRAP_HEAD.length, WRAP_HEAD.length + size), file);
    buf.write(WRAP_TAIL, WRAP_HEAD.length + size, 'latin1');
    return { source: buf.toString('latin1'), stat, buffer: buf };
  } finally {
    closeSync(fd);
  }
}

/**
 * A file's bytes, in `spare` when they fit. Fresh memory costs a page fault per 4 KiB on first
 * touch (~14 µs each on the 2-core test machine): the code cache (~0.5 MB) read into the bundle's
 * spent buffer spares ~125 of them at every start (issue 17).
 */
function readInto(file: string, spare: Buffer): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = size <= spare.length ? spare.subarray(0, size) : Buffer.allocUnsafe(size);
    readFully(fd, buf, file);
    return buf;
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, into: Buffer, file: string): void {
  let at = 0;
  while (at < into.length) {
    const n = readSync(fd, into, at, into.length - at, at);
    if (n === 0) throw new Error(`${file}: shorter than its size`);
    at += n;
  }
}

/**
 * Node built-ins the bundle's modules import at load but a short command never uses: the bundle
 * gets a stand-in that loads the module on first use. esbuild compiles a named import
 * (`import { randomBytes } from 'node:crypto'`) to a property read at the call, so the load
 * waits until then; a default or namespace import copies every property at once (ownKeys),
 * which loads the module as before.
 */
function lazyBuiltins(req: Require): Require {
  const LAZY_BUILTINS = new Set(['node:crypto', 'node:zlib', 'node:readline/promises', 'node:fs/promises', 'node:os', 'node:tls']);
  const wrapped = (id: string): unknown => {
    if (!LAZY_BUILTINS.has(id)) return req(id);
    let m: object | undefined;
    const loaded = (): object => (m ??= req(id) as object);
    return new Proxy(
      {},
      {
        get: (_, key) => (loaded() as Record<string | symbol, unknown>)[key],
        has: (_, key) => key in loaded(),
        ownKeys: () => Reflect.ownKeys(loaded()),
        getOwnPropertyDescriptor: (_, key) => {
          const d = Reflect.getOwnPropertyDescriptor(loaded(), key);
          return d && { ...d, configurable: true };
        },
      },
    );
  };
  return Object.assign(wrapped, { resolve: req.resolve, cache: req.cache, main: req.main, extensions: req.extensions }) as Require;
}

/** A command line without its values: `topics --describe --topic`, `topics list`. */
export function commandShape(args: readonly string[]): string {
  const words: string[] = [];
  let positional = 0;
  args.forEach((a, i) => {
    if (a.startsWith('-')) words.push(a.split('=')[0]!);
    else if (positional < 2 && !(i > 0 && args[i - 1]!.startsWith('--') && !args[i - 1]!.includes('='))) {
      positional++;
      words.push(a);
    }
  });
  return words.join(' ').replace(/[\t\n]/g, ' ');
}

function codeCacheDir(req: Require): string | null {
  const env = process.env;
  if (env.KAFKA_TS_CODE_CACHE !== undefined) return env.KAFKA_TS_CODE_CACHE === '0' || env.KAFKA_TS_CODE_CACHE === '' ? null : env.KAFKA_TS_CODE_CACHE;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'kafka-ts');
  // node:os only when HOME is unset: loading it costs every start.
  const home = env.HOME || (req('node:os') as typeof import('node:os')).homedir();
  return home ? join(home, '.cache', 'kafka-ts') : null;
}
