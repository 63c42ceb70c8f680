/**
 * What makes short commands start fast must never change what they do: the V8 code cache of the
 * CLI bundle (src/cli/launch.ts, run by bin/kafka-ts.cjs) is used only for the bundle file it was made from, and the local
 * daemon's remembered API versions (api-versions.json in the data dir) only for the daemon
 * process that answered them; anything else is negotiated again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the code cache of the CLI bundle', () => {
  let t: { dir: string; cleanup: () => void };
  let bin: string;
  let bundle: string;
  let cacheDir: string;
  beforeAll(() => {
    // A copy of the installation, so that its bundle can be changed.
    t = tempDir('kafka-ts-codecache-');
    mkdirSync(join(t.dir, 'pkg', 'bin'), { recursive: true });
    mkdirSync(join(t.dir, 'pkg', 'dist'), { recursive: true });
    bin = join(t.dir, 'pkg', 'bin', 'kafka-ts.cjs');
    bundle = join(t.dir, 'pkg', 'dist', 'kafka-ts.cjs');
    copyFileSync(join(ROOT, 'bin', 'kafka-ts.cjs'), bin);
    copyFileSync(join(ROOT, 'dist', 'kafka-ts.cjs'), bundle);
    for (const f of ['kafka-ts-launch.cjs', 'kafka-ts-commands.cjs']) copyFileSync(join(ROOT, 'dist', f), join(t.dir, 'pkg', 'dist', f));
    cacheDir = join(t.dir, 'cache');
  });
  afterAll(() => t.cleanup());

  const run = (args: string[], env: Record<string, string> = {}) =>
    execa(process.execPath, [bin, ...args], { reject: false, env: { KAFKA_TS_CODE_CACHE: cacheDir, KAFKA_TS_DEBUG: '', NO_COLOR: '1', ...env } });
  const cacheFiles = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.v8cache')) : []);

  it('is written by the first command, then used as it is', async () => {
    const first = await run(['topics', '--help']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain('print the version and exit');
    // A short command runs from the first bundle alone: one cache, that command's.
    const files = cacheFiles();
    expect(files).toEqual([expect.stringMatching(/-topics\.v8cache$/)]);
    const file = join(cacheDir, files[0]!);
    const before = statSync(file, { bigint: true }).mtimeNs;
    const second = await run(['topics', '--help']);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    // Accepted by V8 and covering this command line: not written again.
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(before);
    // Another command line of the same command adds its functions: written again, and still right.
    const list = await run(['topics', '--list', '--bootstrap-server', 'localhost:1', '--help']);
    expect(list.stdout).toBe(first.stdout);
    expect(readFileSync(file).toString('latin1', 0, 4096)).toContain('topics --help\ttopics --list --bootstrap-server --help');
    // V8's data starts 8-byte aligned after the two header lines (V8 copies unaligned cached data).
    const data = readFileSync(file);
    const dataAt = data.indexOf(10, data.indexOf(10) + 1) + 1;
    expect(dataAt % 8, `V8 data at byte ${dataAt}`).toBe(0);
  });

  it('is one per command and bundle: a command of the full list loads the second bundle, with its own cache', async () => {
    const version = await run(['--version']);
    expect(version.exitCode, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await run(['server', '--help']);
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain('print the version and exit');
    // The first bundle and the commands bundle, for `--version` (no command: "-") and `server`.
    const mine = cacheFiles().filter((f) => /-(-|server)\.v8cache$/.test(f));
    expect(mine).toHaveLength(4);
    const again = await run(['server', '--help']);
    expect(again.stdout).toBe(help.stdout);
    // A command line that does not parse writes none (a mistyped command would leave its own).
    const typo = await run(['topcs', '--list']);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('Did you mean topics?');
    expect(cacheFiles().filter((f) => f.includes('topcs'))).toEqual([]);
  });

  it('is ignored once the bundle changes, even at the same length and mtime', async () => {
    await run(['topics', '--help']);
    const old = statSync(bundle);
    // The same number of bytes, the old mtime back: only the content (and ctime) differ.
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replaceAll('print the version and exit', 'PRINT THE VERSION AND EXIT'));
    utimesSync(bundle, old.atime, old.mtime);
    expect(statSync(bundle).size).toBe(old.size);
    const r = await run(['topics', '--help']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('PRINT THE VERSION AND EXIT');
    expect(r.stdout).not.toContain('print the version and exit');
  });

  it("of an installation whose bundle is gone and that nothing wrote for a week are removed when a cache is written; the others stay", async () => {
    const dir = join(t.dir, 'prune');
    mkdirSync(dir);
    const key = (bundlePath: string, node: string) => `kafka-ts code cache 1 ${node} ${process.arch} ${bundlePath} 2049 1234 590000 1700000000000000000 1700000000000000000\n\n`;
    const gone = join(t.dir, 'gone checkout', 'dist', 'kafka-ts.cjs');
    const days = (n: number) => new Date(Date.now() - n * 24 * 3600 * 1000);
    const write = (name: string, text: string, age?: number) => {
      writeFileSync(join(dir, name), text);
      if (age !== undefined) utimesSync(join(dir, name), days(age), days(age));
    };
    write('cli-deadbeef-topics.v8cache', key(gone, process.version) + 'x'.repeat(1000), 8);
    write('cli-deadbeef--.v8cache', key(gone, process.version) + 'x'.repeat(1000), 9);
    // Gone too, but one of its files was written this week (a host that sees another path).
    write('cli-feedf00d-topics.v8cache', key(`${gone}2`, process.version), 8);
    write('cli-feedf00d--.v8cache', key(`${gone}2`, process.version), 2);
    // Another Node version of an installation that is still there, a file of another format, and not a cache.
    write('cli-0badcafe-topics.v8cache', key(bundle, 'v18.0.0'), 30);
    write('cli-0123abcd-topics.v8cache', 'kafka-ts code cache 9 something else\n', 30);
    write('notes.txt', 'mine', 30);
    // A write that never finished: old goes, recent stays.
    write('cli-0badcafe-topics.v8cache.123.tmp', 'partial', 2);
    write('cli-0badcafe-acls.v8cache.124.tmp', 'partial');
    const r = await run(['topics', '--help'], { KAFKA_TS_CODE_CACHE: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const left = readdirSync(dir).sort();
    for (const f of ['cli-deadbeef-topics.v8cache', 'cli-deadbeef--.v8cache', 'cli-0badcafe-topics.v8cache.123.tmp']) expect(left).not.toContain(f);
    expect(left).toEqual(
      expect.arrayContaining(['cli-feedf00d-topics.v8cache', 'cli-feedf00d--.v8cache', 'cli-0badcafe-topics.v8cache', 'cli-0123abcd-topics.v8cache', 'notes.txt', 'cli-0badcafe-acls.v8cache.124.tmp']),
    );
    // The cache this run wrote (the copied installation's own).
    expect(left.filter((f) => f.endsWith('-topics.v8cache'))).toHaveLength(4);
  });

  it('is neither read nor written with KAFKA_TS_CODE_CACHE=0, and a damaged one is replaced', async () => {
    const off = join(t.dir, 'off');
    const r = await run(['--version'], { KAFKA_TS_CODE_CACHE: '0', XDG_CACHE_HOME: off, HOME: off });
    expect(r.exitCode).toBe(0);
    expect(existsSync(off)).toBe(false);
    // The first bundle's cache for `--version` (its header names the bundle).
    const file = cacheFiles()
      .map((f) => join(cacheDir, f))
      .find((f) => f.endsWith('--.v8cache') && readFileSync(f).toString('latin1', 0, 4096).includes(`${bundle} `))!;
    writeFileSync(file, 'not a cache');
    const again = await run(['--version']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(readFileSync(file).length).toBeGreaterThan(1000);
  });
});

describe('the two bundles of the CLI', () => {
  const sources = (bundle: string) => (JSON.parse(readFileSync(join(ROOT, 'dist', `${bundle}.map`), 'utf8')) as { sources: string[] }).sources;

  it('share no module: the full command list takes what the first bundle holds from it', () => {
    const first = sources('kafka-ts.cjs');
    const second = sources('kafka-ts-commands.cjs');
    expect(second.filter((s) => first.includes(s))).toEqual([]);
    // The first bundle carries the short commands only (SHORT_COMMANDS in src/cli/main.ts).
    expect(first.filter((s) => s.includes('commands/')).sort()).toEqual(
      ['acls', 'broker-api-versions', 'cluster', 'configs', 'consumer-groups', 'delete-records', 'features', 'get-offsets', 'leader-election', 'log-dirs', 'metadata-quorum', 'topics'].map((c) => `../commands/${c}.ts`),
    );
    expect(second).toContain('../commands/completion.ts');
  });

  it("are one program: a command of the second throws the first's errors, mapped to the TypeScript sources under --debug", async () => {
    const run = (args: string[]) => execa(process.execPath, [join(ROOT, 'bin', 'kafka-ts.cjs'), ...args], { reject: false, env: { KAFKA_TS_DEBUG: '', NO_COLOR: '1' } });
    // A UsageError from commands/completion.ts is known to src/cli/run.ts as one (exit 2, one line).
    const plain = await run(['completion', 'fish']);
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toBe("kafka-ts completion: usage error: unknown shell 'fish' (expected bash or zsh)");
    const debug = await run(['--debug', 'completion', 'fish']);
    expect(debug.exitCode).toBe(2);
    expect(debug.stderr).toMatch(/\n {4}at .*commands\/completion\.ts:\d+:\d+/);
    expect(debug.stderr).not.toContain('.cjs');
  });
});

describe('the daemon bundle', () => {
  it('is loaded by require(), without scanning its source for export names as import() of a .cjs file does', async () => {
    const t = tempDir('kafka-ts-daemon-load-');
    try {
      // The built-in modules the daemon process loaded, written at its exit by a preload.
      const preload = join(t.dir, 'loaded-modules.cjs');
      const out = join(t.dir, 'daemon-modules.txt');
      writeFileSync(preload, `if (process.env.KAFKA_TS_DAEMON) process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));\n`);
      const env = { NODE_OPTIONS: `--require ${preload}` };
      const started = await kafkaTs(['server', 'start', '--port', '0', '--no-schema-registry'], { home: t.dir, env });
      expect(started.exitCode, started.stderr).toBe(0);
      expect((await kafkaTs(['server', 'stop'], { home: t.dir })).exitCode).toBe(0);
      const loaded = readFileSync(out, 'utf8').split('\n');
      expect(loaded).toContain('NativeModule net');
      expect(loaded.filter((m) => m.includes('cjs-module-lexer'))).toEqual([]);
    } finally {
      await stopDaemon(t.dir);
      t.cleanup();
    }
  }, 60_000);
});

describe("the local daemon's remembered API versions", () => {
  let t: { dir: string; cleanup: () => void };
  beforeAll(async () => {
    t = tempDir('kafka-ts-apiversions-');
    await startDaemon(t.dir);
  }, 60_000);
  afterAll(async () => {
    await stopDaemon(t.dir);
    t.cleanup();
  });

  const file = () => join(t.dir, 'api-versions.json');
  type Entries = Record<string, { socket: string; versions: [number, number, number][] }>;
  const entries = (): Entries => JSON.parse(readFileSync(file(), 'utf8')) as Entries;
  const socket = () => join(t.dir, 'kafka.sock');
  const list = async () => {
    const r = await kafkaTs(['topics', '--list'], { home: t.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    return r;
  };

  it('are what the first command negotiated, for this socket', async () => {
    await kafkaTs(['topics', '--create', '--topic', 'remembered'], { home: t.dir });
    await list();
    const e = entries()[socket()]!;
    expect(e.versions.find(([k]) => k === 3)).toBeDefined(); // Metadata
    expect(e.versions.find(([k]) => k === 18)).toBeDefined(); // ApiVersions
    expect((await list()).stdout).toContain('remembered');
  });

  it('of another daemon (another socket file) are not used: negotiated again', async () => {
    const e = entries();
    // What a daemon of another version, since replaced, might have answered: no Metadata.
    e[socket()] = { socket: '1:2:3:4', versions: [[18, 0, 3]] };
    writeFileSync(file(), JSON.stringify(e));
    expect((await list()).stdout).toContain('remembered');
    const now = entries()[socket()]!;
    expect(now.socket).not.toBe('1:2:3:4');
    expect(now.versions.find(([k]) => k === 3)).toBeDefined();
  });

  it('that turn out wrong for this socket are forgotten and negotiated', async () => {
    const e = entries();
    e[socket()] = { socket: e[socket()]!.socket, versions: [[18, 0, 3]] };
    writeFileSync(file(), JSON.stringify(e));
    expect((await list()).stdout).toContain('remembered');
    expect(entries()[socket()]!.versions.find(([k]) => k === 3)).toBeDefined();
  });

  it('leave a short command on the Unix socket without TLS, crypto or os: those modules load on first use', async () => {
    // The built-in modules the process loaded, written at its exit by a preload.
    const preload = join(t.dir, 'loaded-modules.cjs');
    const out = join(t.dir, 'loaded-modules.txt');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));\n`);
    for (const args of [['topics', '--list'], ['topics', '--describe', '--topic', 'remembered'], ['consumer-groups', '--list'], ['cluster', 'cluster-id']]) {
      const r = await kafkaTs(args, { home: t.dir, env: { NODE_OPTIONS: `--require ${preload}` } });
      expect(r.exitCode, r.stderr).toBe(0);
      const loaded = readFileSync(out, 'utf8').split('\n');
      expect(loaded, args.join(' ')).toContain('NativeModule net');
      expect(loaded.filter((m) => /^NativeModule (tls|_tls_wrap|crypto|os)$/.test(m)), args.join(' ')).toEqual([]);
    }
  });

  it('of a restarted daemon are negotiated again', async () => {
    const before = entries()[socket()]!.socket;
    await stopDaemon(t.dir);
    await startDaemon(t.dir);
    expect((await list()).stdout).toContain('remembered');
    expect(entries()[socket()]!.socket).not.toBe(before);
  }, 60_000);
});
