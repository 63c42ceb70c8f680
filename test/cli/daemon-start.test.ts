/**
 * Starting the local daemon from scripts (execa against the built binary, each test in its own
 * data directory): commands racing to auto-start it, the settings an auto-started daemon uses,
 * $KAFKA_BOOTSTRAP_SERVERS, start-up failures that must be immediate and clear, and the demo.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';

const homes: { dir: string; cleanup: () => void }[] = [];
/**
 * A fresh data dir. `anyPort` gives it a server.properties with a free-port listener, so that a
 * daemon started there on demand stays off 9092 (the tests about which port is used leave it out).
 */
function newHome(opts: { anyPort?: boolean } = {}): string {
  const t = tempDir('kafka-ts-start-');
  homes.push(t);
  if (opts.anyPort) writeFileSync(join(t.dir, 'server.properties'), 'listeners=PLAINTEXT://127.0.0.1:0\n');
  return t.dir;
}
afterEach(async () => {
  for (const h of homes.splice(0)) {
    await stopDaemon(h.dir);
    // Also daemons in directories below it (the demo's), should a demo have left one.
    for (const pid of daemonPids(h.dir, { below: true })) process.kill(pid, 'SIGKILL');
    h.cleanup();
  }
});

/** Pids of daemon processes serving `home` (the launcher runs `server start --foreground --data-dir home`), or a directory below it. */
function daemonPids(home: string, opts: { below?: boolean } = {}): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const at = `server\0start\0--foreground\0--data-dir\0${home}`;
    if (cmdline.includes(`${at}\0`) || (opts.below && cmdline.includes(`${at}/`))) pids.push(Number(entry));
  }
  return pids;
}

/** A TCP port nobody listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function status(home: string): Promise<{ running: boolean; pid: number; listeners: string[] }> {
  const r = await kafkaTs(['server', 'status', '--output', 'json'], { home });
  return JSON.parse(r.stdout) as { running: boolean; pid: number; listeners: string[] };
}

const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

describe('auto-start from scripts', () => {
  it('8 commands started together on an empty data dir all succeed, and exactly one daemon runs', async () => {
    // The test is about the race, not the port: a free-port listener keeps it off 9092 (the data
    // dir holds only that server.properties, so it is otherwise empty).
    const home = newHome({ anyPort: true });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => kafkaTs(['topics', 'create', `t${i}`], { home })));
    for (const r of results) expect(r.exitCode, show(r)).toBe(0);
    // Exactly one command started it (and said so); the others joined.
    expect(results.filter((r) => r.stderr.includes('started the local broker')).length, results.map(show).join('\n---\n')).toBe(1);
    const s = await status(home);
    expect(s.running).toBe(true);
    expect(daemonPids(home)).toEqual([s.pid]);
    const list = await kafkaTs(['topics', 'list'], { home });
    expect(list.stdout.split('\n').filter((l) => /^t\d$/.test(l)).sort()).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7']);
    expect(existsSync(join(home, 'start.lock'))).toBe(false);
  });

  it('a start lock left by a killed command is taken over', async () => {
    const home = newHome({ anyPort: true });
    const gone = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(join(home, 'start.lock'), `${gone.stdout}\n`);
    const r = await kafkaTs(['topics', 'list'], { home });
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stderr).toContain('started the local broker');
    expect(existsSync(join(home, 'start.lock'))).toBe(false);
  });

  it('an empty start lock (its starter killed, or its disk full, before it wrote its pid) is taken over once it has stayed empty a while', async () => {
    const home = newHome({ anyPort: true });
    const lock = join(home, 'start.lock');
    writeFileSync(lock, '');
    const tenSecondsAgo = new Date(Date.now() - 10_000);
    utimesSync(lock, tenSecondsAgo, tenSecondsAgo);
    const r = await kafkaTs(['topics', 'list'], { home });
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stderr).toContain('started the local broker');
    expect(existsSync(lock)).toBe(false);
  });

  it('a command waits for a daemon that is starting without the start lock (a foreground start) instead of failing', async () => {
    const home = newHome({ anyPort: true });
    const pidFile = join(home, 'kafka-ts.pid');
    // Stands for a daemon still starting: it holds the pid file and never answers. It gives up
    // (exit 0) only once it has seen the command wait for it: a waiting command takes and
    // releases start.lock on every look (src/cli/local-daemon.ts, startOrJoin), so a second look
    // means the first one found it starting. Without that within 30 s it gives up with exit 3.
    const script = `
      const fs = require('fs');
      fs.writeFileSync(${JSON.stringify(pidFile)}, process.pid + '\\n');
      let lockEvents = 0;
      const giveUp = (code) => { fs.unlinkSync(${JSON.stringify(pidFile)}); process.exit(code); };
      fs.watch(${JSON.stringify(home)}, (type, name) => { if (name === 'start.lock' && type === 'rename' && ++lockEvents >= 4) giveUp(0); });
      setTimeout(() => giveUp(3), 30000);
      process.stdout.write('ready');`;
    const fake = execa(process.execPath, ['-e', script, 'kafka-ts'], { reject: false });
    await new Promise<void>((resolve) => fake.stdout!.once('data', () => resolve()));
    const r = await kafkaTs(['topics', 'list'], { home });
    expect((await fake).exitCode, 'the command did not wait for the starting daemon').toBe(0);
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stderr).toContain('started the local broker');
  });

  it('a command that starts the daemon uses the port of the last explicit server start', async () => {
    const home = newHome();
    const port = await freePort();
    const first = await kafkaTs(['server', 'start', '--port', String(port)], { home });
    expect(first.exitCode, show(first)).toBe(0);
    await stopDaemon(home);
    const r = await kafkaTs(['topics', 'create', 'orders'], { home });
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stderr).toContain(`listening on 127.0.0.1:${port}`);
    expect((await status(home)).listeners).toContain(`PLAINTEXT://127.0.0.1:${port}`);
  });

  it('an explicit start without --brokers starts as many brokers as the data dir was last started with, and says so; a running daemon is named', async () => {
    const home = newHome({ anyPort: true });
    const brokersOf = async () => (await status(home)).brokers.map((b: { id: number }) => b.id);
    expect((await kafkaTs(['server', 'start', '--brokers', '2', '--port', '0', '--no-schema-registry'], { home })).exitCode).toBe(0);
    await stopDaemon(home);
    const again = await kafkaTs(['server', 'start', '--port', '0', '--no-schema-registry'], { home });
    expect({ exitCode: again.exitCode, stderr: again.stderr }).toEqual({ exitCode: 0, stderr: expect.stringContaining('Starting 2 brokers, as this data directory was last started with (--brokers 2); --brokers 1 starts one.') });
    expect(await brokersOf()).toEqual([1, 2]);
    const running = await kafkaTs(['server', 'start', '--port', '0'], { home });
    expect({ exitCode: running.exitCode, stderr: running.stderr }).toEqual({ exitCode: 1, stderr: expect.stringMatching(/^kafka-ts server: error: A kafka-ts daemon \(pid \d+\) is already running with data dir .*; 'kafka-ts server stop' stops it, to start it again with other settings\.\n$/) });
    await stopDaemon(home);
    // JSON: stdout stays the one document, the note goes to stderr.
    const json = await kafkaTs(['server', 'start', '--port', '0', '--no-schema-registry', '--output', 'json'], { home });
    expect({ exitCode: json.exitCode, brokers: JSON.parse(json.stdout).brokers.length, stderr: json.stderr }).toEqual({ exitCode: 0, brokers: 2, stderr: expect.stringContaining('Starting 2 brokers') });
    await stopDaemon(home);
    // server-start (kafka-server-start.sh) is configured by its properties alone: one broker here.
    writeFileSync(join(home, 'sp.properties'), 'port=0\nkafka-ts.schema.registry.enable=false\n');
    expect((await kafkaTs(['server-start', '-daemon', join(home, 'sp.properties')], { home })).exitCode).toBe(0);
    expect(await brokersOf()).toEqual([1]);
    await stopDaemon(home);
    const one = await kafkaTs(['server', 'start', '--brokers', '1', '--port', '0', '--no-schema-registry'], { home });
    expect({ exitCode: one.exitCode, note: one.stderr.includes('Starting') }).toEqual({ exitCode: 0, note: false });
    expect(await brokersOf()).toEqual([1]);
  });

  it.each([
    ['listeners', (port: number) => `listeners=PLAINTEXT://127.0.0.1:${port}`],
    ['port', (port: number) => `port=${port}`],
  ])('without an explicit start, server.properties in the data dir decides the port (%s)', async (_key, line) => {
    const home = newHome();
    const port = await freePort();
    writeFileSync(join(home, 'server.properties'), `${line(port)}\n`);
    const r = await kafkaTs(['topics', 'list'], { home });
    expect(r.exitCode, show(r)).toBe(0);
    expect((await status(home)).listeners).toContain(`PLAINTEXT://127.0.0.1:${port}`);
  });

  it('KAFKA_BOOTSTRAP_SERVERS names the cluster when --bootstrap-server is not given; the flag wins over it', async () => {
    const cluster = newHome();
    const { bootstrap } = await startDaemon(cluster);
    const elsewhere = newHome({ anyPort: true });
    const viaEnv = await kafkaTs(['topics', 'create', 'from-env'], { home: elsewhere, env: { KAFKA_BOOTSTRAP_SERVERS: bootstrap } });
    expect(viaEnv.exitCode, show(viaEnv)).toBe(0);
    // No daemon was started in the command's own data dir.
    expect(existsSync(join(elsewhere, 'kafka.sock'))).toBe(false);
    expect(daemonPids(elsewhere)).toEqual([]);
    const flagWins = await kafkaTs(['topics', 'list', '--bootstrap-server', bootstrap], { home: elsewhere, env: { KAFKA_BOOTSTRAP_SERVERS: 'nowhere:1' } });
    expect(flagWins.exitCode, show(flagWins)).toBe(0);
    expect(flagWins.stdout).toContain('from-env');
    const bad = await kafkaTs(['topics', 'list'], { home: elsewhere, env: { KAFKA_BOOTSTRAP_SERVERS: 'no port here' } });
    expect(bad.exitCode, show(bad)).toBe(2);
    expect(bad.stderr).toContain('KAFKA_BOOTSTRAP_SERVERS');
  });

  it('resetting a group that does not exist exits 4 and says so', async () => {
    const home = newHome({ anyPort: true });
    const r = await kafkaTs(['consumer-groups', '--reset-offsets', '--group', 'nobody', '--all-topics', '--to-earliest', '--execute'], { home });
    expect(r.exitCode, show(r)).toBe(4);
    expect(r.stdout).toContain("Error: Consumer group 'nobody' does not exist.");
    expect(r.stdout).not.toContain('NEW-OFFSET');
  });
});

describe('daemon start-up failures', () => {
  it('an uncreatable log.dirs fails at once, naming the path and the reason, and leaves no daemon', async () => {
    const home = newHome();
    const started = Date.now();
    const r = await kafkaTs(['server', 'start', '--port', '0', '--override', 'log.dirs=/proc/nope'], { home, timeout: 30_000 });
    const took = Date.now() - started;
    expect(r.exitCode, show(r)).toBe(1);
    expect(r.stderr).toContain('/proc/nope');
    expect(r.stderr).toMatch(/no such file or directory \(ENOENT\)/);
    expect(r.stderr).not.toContain('unexpected error');
    expect(took, show(r)).toBeLessThan(15_000);
    expect(daemonPids(home)).toEqual([]);
  });

  it('a keystore the listeners cannot read is a usage error (exit 2) naming the setting, as an invalid value is, and leaves no daemon', async () => {
    const home = newHome();
    const args = ['server', 'start', '--override', 'listeners=SSL://127.0.0.1:0', '--override', 'ssl.keystore.location=/nowhere/broker.pem', '--no-schema-registry'];
    for (const extra of [[], ['--foreground']]) {
      const r = await kafkaTs([...args, ...extra], { home, timeout: 30_000 });
      expect(r.exitCode, show(r)).toBe(2);
      expect(r.stderr.trim(), show(r)).toBe('kafka-ts server: usage error: Cannot read ssl.keystore.location /nowhere/broker.pem: no such file');
      expect(daemonPids(home)).toEqual([]);
    }
  });

  it('a daemon killed by a signal during start-up is reported with the signal, not "status null"', async () => {
    const home = newHome();
    // Preloaded into every node process of the command; only the daemon (KAFKA_TS_DAEMON=1) kills itself.
    const preload = join(home, 'die.cjs');
    writeFileSync(preload, "if (process.env.KAFKA_TS_DAEMON === '1') process.kill(process.pid, 'SIGKILL');\n");
    const r = await kafkaTs(['server', 'start', '--port', '0', '--no-schema-registry'], { home, env: { NODE_OPTIONS: `--require ${preload}` } });
    expect(r.exitCode, show(r)).toBe(1);
    expect(r.stderr, show(r)).toContain('kafka-ts server: error: The daemon was killed by SIGKILL during start-up; see ');
    expect(r.stderr).not.toContain('status null');
    expect(daemonPids(home)).toEqual([]);
  });

  it('a file named data in the data dir is reported as not a directory', async () => {
    const home = newHome();
    writeFileSync(join(home, 'data'), '');
    const r = await kafkaTs(['server', 'start', '--port', '0'], { home });
    expect(r.exitCode, show(r)).toBe(1);
    expect(r.stderr).toContain(`${join(home, 'data')} is not a directory`);
    expect(r.stderr).not.toContain('EEXIST');
  });

  it("the port-in-use hint of an auto-start names 'server start --port', not the command's own options", async () => {
    const home = newHome();
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (taken.address() as net.AddressInfo).port;
      writeFileSync(join(home, 'server.properties'), `listeners=PLAINTEXT://127.0.0.1:${port}\n`);
      const r = await kafkaTs(['topics', 'create', 'orders'], { home });
      expect(r.exitCode, show(r)).toBe(1);
      expect(r.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr).toContain("'kafka-ts server start --port N'");
      expect(r.stderr).not.toMatch(/with --port N/);
    } finally {
      taken.close();
    }
  });

  it('server-start reports configuration errors and start-up failures as such, not as unexpected errors', async () => {
    const home = newHome();
    const bad = join(home, 'bad.properties');
    writeFileSync(bad, 'listeners=PLAINTEXT://127.0.0.1:0\nnum.partitions=many\n');
    const config = await kafkaTs(['server-start', bad, '--data-dir', home], { home });
    expect(config.exitCode, show(config)).toBe(2);
    expect(config.stderr).toBe('kafka-ts server-start: usage error: Invalid value many for configuration num.partitions: Not a number of type INT\n');
    const good = join(home, 'good.properties');
    writeFileSync(good, 'listeners=PLAINTEXT://127.0.0.1:0\n');
    const dirs = await kafkaTs(['server-start', good, '--override', 'log.dirs=/proc/nope', '--data-dir', home], { home, timeout: 30_000 });
    expect(dirs.exitCode, show(dirs)).toBe(1);
    expect(dirs.stderr).toMatch(/^kafka-ts server-start: error: Cannot create directory \/proc\/nope: /);
  });

  it('a missing --config file is a usage error before any daemon is started', async () => {
    const home = newHome();
    const missing = join(home, 'nope.properties');
    for (const args of [['server', 'start', '--port', '0', '--config', missing], ['server-start', '-daemon', missing]]) {
      const r = await kafkaTs(args, { home });
      expect(r.exitCode, show(r)).toBe(2);
      expect(r.stderr.trim().split('\n'), show(r)).toEqual([`kafka-ts ${args[0]}: usage error: Cannot read properties file ${missing}: no such file`]);
    }
    expect(existsSync(join(home, 'server.log'))).toBe(false);
  });

  it('a daemon started on demand says so when the properties file it was last started with is gone', async () => {
    const home = newHome();
    const file = join(home, 'mine.properties');
    writeFileSync(file, 'listeners=PLAINTEXT://127.0.0.1:0\n');
    const first = await kafkaTs(['server-start', '-daemon', file], { home });
    expect(first.exitCode, show(first)).toBe(0);
    await stopDaemon(home);
    rmSync(file);
    const r = await kafkaTs(['topics', 'list'], { home });
    expect(r.exitCode, show(r)).toBe(1);
    expect(r.stderr).toContain(`properties file ${file}, which is gone`);
  });
});

describe('a daemon that does not answer', () => {
  it('server status says it runs but did not answer (exit 3), not that it is not running', async () => {
    const home = newHome();
    const { status: started } = await startDaemon(home, ['--no-schema-registry']);
    const pid = started.pid as number;
    // Stopped by a signal: its control socket takes the connection but nothing answers, as when
    // the daemon is busy for seconds.
    process.kill(pid, 'SIGSTOP');
    try {
      const text = await kafkaTs(['server', 'status'], { home });
      expect(text.exitCode, show(text)).toBe(3);
      expect(text.stdout).toBe(`kafka-ts broker (pid ${pid}) is running but did not answer within 3 s (data dir ${home}); see ${join(home, 'server.log')}\n`);
      const json = await kafkaTs(['server', 'status', '--output', 'json'], { home });
      expect(json.exitCode, show(json)).toBe(3);
      expect(JSON.parse(json.stdout)).toEqual({ running: true, responding: false, pid, dataDir: home });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect((await status(home)).running).toBe(true);
  });
});

describe('the control socket', () => {
  it('closes a connection whose request line runs past 64 KiB, and keeps answering', async () => {
    const home = newHome();
    await startDaemon(home, ['--no-schema-registry']);
    const closed = await new Promise<{ written: number }>((resolve, reject) => {
      const s = net.connect(join(home, 'control.sock'));
      let written = 0;
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      // Bytes without a newline until the daemon closes the connection (it once kept them all).
      const pump = () => {
        while (written < 64 * 1024 * 1024 && s.write(chunk)) written += chunk.length;
        if (written >= 64 * 1024 * 1024) reject(new Error(`the daemon took ${written} bytes without closing`));
      };
      s.on('connect', pump);
      s.on('drain', pump);
      s.on('error', () => resolve({ written }));
      s.on('close', () => resolve({ written }));
    });
    expect(closed.written).toBeLessThan(64 * 1024 * 1024);
    expect((await status(home)).running).toBe(true);
  });
});

describe('bad input to the commands the scripts run', () => {
  it('--producer-property linger.ms=abc names linger.ms', async () => {
    const home = newHome({ anyPort: true });
    const r = await kafkaTs(['console-producer', '--topic', 'orders', '--producer-property', 'linger.ms=abc'], { home, input: 'x\n' });
    expect(r.exitCode, show(r)).toBe(2);
    expect(r.stderr).toContain('Invalid value abc for configuration linger.ms');
  });

  it('--describe --state names the coordinator by its TCP listener (host:port (id)), as Kafka does, not by the Unix socket', async () => {
    const home = newHome({ anyPort: true });
    const produce = await kafkaTs(['console-producer', '--topic', 'orders'], { home, input: 'a\n' });
    expect(produce.exitCode, show(produce)).toBe(0);
    const consume = await kafkaTs(['console-consumer', '--topic', 'orders', '--group', 'billing', '--from-beginning', '--max-messages', '1'], { home });
    expect(consume.exitCode, show(consume)).toBe(0);
    const status = JSON.parse((await kafkaTs(['server', 'status', '--output', 'json'], { home })).stdout) as { listeners: string[] };
    const port = Number(status.listeners.find((l) => l.startsWith('PLAINTEXT://'))!.split(':').pop());
    const r = await kafkaTs(['consumer-groups', '--describe', '--group', 'billing', '--state'], { home });
    expect(r.exitCode, show(r)).toBe(0);
    const [header, row] = r.stdout.split('\n').filter((l) => l.trim() !== '');
    expect(row, r.stdout).toContain(`127.0.0.1:${port}  (1)`);
    expect(r.stdout).not.toContain('unix://');
    // Each value starts where its header does.
    for (const [title, value] of [['COORDINATOR (ID)', '127.0.0.1:'], ['STATE', 'Empty'], ['#MEMBERS', '0']] as const) {
      expect(row!.indexOf(value, title === '#MEMBERS' ? header!.indexOf(title) : 0), `${title}\n${r.stdout}`).toBe(header!.indexOf(title));
    }
    const json = await kafkaTs(['consumer-groups', '--describe', '--group', 'billing', '--state', '--output', 'json'], { home });
    expect(JSON.parse(json.stdout).groups[0].coordinator, json.stdout).toEqual({ nodeId: 1, host: '127.0.0.1', port });
  });
});

describe('npm run demo', () => {
  const demo = fileURLToPath(new URL('../../scripts/demo.sh', import.meta.url));
  // Without KAFKA_BOOTSTRAP_SERVERS from the caller's shell (undefined removes it), which would
  // send the demo's commands to another cluster.
  const DEMO_ENV = (tmp: string) => ({ TMPDIR: tmp, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: undefined });

  it('runs twice in a row and leaves no broker and no data behind', async () => {
    const tmp = newHome();
    for (const run of [1, 2]) {
      const r = await execa('sh', [demo], { reject: false, env: DEMO_ENV(tmp), timeout: 60_000 });
      expect(r.exitCode, `run ${run}\n${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('carol');
      expect(readdirSync(tmp), `run ${run}`).toEqual([]);
    }
  });

  it('cleans up after itself when interrupted', async () => {
    const tmp = newHome();
    const proc = execa('sh', [demo], { reject: false, env: DEMO_ENV(tmp), timeout: 60_000 });
    let seen = '';
    await new Promise<void>((resolve) => {
      proc.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('Created topic orders')) resolve();
      });
      void proc.then(() => resolve());
    });
    expect(seen).toContain('Created topic orders');
    const [dataDir] = readdirSync(tmp);
    proc.kill('SIGTERM');
    const r = await proc;
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).not.toBe(0);
    expect(readdirSync(tmp), r.stdout).toEqual([]);
    expect(daemonPids(join(tmp, dataDir!))).toEqual([]);
  });
});
