/**
 * Every shell example of the README's "Using it" section (and its sub-sections) is run, line by
 * line in order, against a fresh data directory, so that an example that hangs or fails fails
 * the suite. `npx kafka-ts` and `kafka-ts` run the built binary (a `kafka-ts` wrapper first on
 * the PATH); the daemon never takes the default port 9092: a block without `server start` gets a
 * daemon started beforehand with --port 0, and `server start` lines get --port 0 added. Lines
 * marked `(interactive)` run without a terminal, where kafka-ts documents their one-shot mode.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { BIN, kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
/** Each example line may take this long; a hanging example fails with its command. */
const LINE_TIMEOUT_MS = 60_000;

/** The fenced `sh` blocks of the "## Using it" section, with their sub-section titles. */
function usingItBlocks(markdown: string): { title: string; lines: string[] }[] {
  const start = markdown.indexOf('\n## Using it\n');
  if (start < 0) throw new Error('README has no "## Using it" section');
  const next = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  const blocks: { title: string; lines: string[] }[] = [];
  let title = 'Using it';
  let inBlock: string[] | null = null;
  for (const line of section.split('\n')) {
    if (inBlock) {
      if (line.startsWith('```')) {
        blocks.push({ title, lines: inBlock });
        inBlock = null;
      } else if (line.trim() !== '' && !line.trim().startsWith('#')) inBlock.push(line);
    } else if (line.startsWith('### ')) title = line.slice(4);
    else if (line.trim() === '```sh') inBlock = [];
  }
  return blocks;
}

/** Files the examples name as the reader's own input, written into the working directory. */
const INPUTS: Record<string, string> = {
  // A plan for the three-broker example: partition 0 of orders moves its leader to broker 2.
  'plan.json': '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3,1],"log_dirs":["any","any","any"]}]}',
};

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A fresh home and working directory with `kafka-ts` on the PATH. */
function sandbox(): { home: string; env: Record<string, string | undefined> } {
  const { dir, cleanup } = tempDir('kafka-ts-readme-');
  cleanups.push(cleanup);
  const wrapper = join(dir, 'kafka-ts');
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(wrapper, 0o755);
  for (const [name, text] of Object.entries(INPUTS)) writeFileSync(join(dir, name), text);
  // Undefined removes a variable from the inherited environment: KAFKA_BOOTSTRAP_SERVERS from the
  // caller's shell would send the examples to another cluster.
  return { home: dir, env: { KAFKA_TS_HOME: dir, NO_COLOR: '1', PATH: `${dir}:${process.env.PATH}`, KAFKA_BOOTSTRAP_SERVERS: undefined } };
}

/** The line as run: the local binary, and never the default port. */
function adapt(line: string): string {
  return line.replace(/\bnpx kafka-ts\b/g, 'kafka-ts').replace(/\bkafka-ts server start(?=\s|$)(?!.*--port)/, 'kafka-ts server start --port 0');
}

/**
 * Runs one line with sh in its own process group; on timeout the whole group is killed, so a
 * hanging kafka-ts behind a pipe or the shell cannot keep the test waiting.
 */
async function runLine(cmd: string, cwd: string, env: Record<string, string | undefined>): Promise<{ exitCode: number | undefined; timedOut: boolean; stdout: string; stderr: string }> {
  const child = execa('sh', ['-c', cmd], { cwd, env, reject: false, stdin: 'ignore', detached: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, LINE_TIMEOUT_MS);
  const r = await child;
  clearTimeout(timer);
  return { exitCode: r.exitCode, timedOut, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const blocks = usingItBlocks(readFileSync(README, 'utf8'));

describe('installing', () => {
  it('package.json lists every man page, so that a global install links them all', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { man?: string[] };
    const pages = readdirSync(fileURLToPath(new URL('../../man', import.meta.url))).filter((f) => f.endsWith('.1'));
    expect([...(pkg.man ?? [])].sort()).toEqual(pages.map((f) => `./man/${f}`).sort());
  });
});

describe('README "Using it" examples', () => {
  it('has examples to run', () => {
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks[0]!.lines.length).toBeGreaterThan(5);
  });

  for (const [i, block] of blocks.entries()) {
    it(`block ${i + 1} (${block.title}) runs line by line`, async () => {
      const { home, env } = sandbox();
      cleanups.push(() => stopDaemon(home));
      if (!block.lines.some((l) => /kafka-ts server start(?=\s|$)/.test(l))) await startDaemon(home);
      for (const line of block.lines) {
        const cmd = adapt(line);
        const r = await runLine(cmd, home, env);
        const seen = `$ ${cmd}\nexit ${r.exitCode}${r.timedOut ? ` (killed: still running after ${LINE_TIMEOUT_MS} ms)` : ''}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
        expect(r.exitCode, seen).toBe(0);
        if (line.includes('(interactive)')) expect(r.stdout, `${seen}\n(an interactive line must print its one-shot view without a terminal)`).not.toBe('');
      }
      await kafkaTs(['server', 'stop'], { home });
    });
  }
});
