import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { COMMANDS } from '../../commands/index.js';
import { collect } from '../../src/cli/command.js';
import { buildProgram } from '../../src/cli/main.js';
import { manPage } from '../../src/cli/docs.js';
import { EXIT_STATUS } from '../../src/cli/errors.js';
import { kafkaTs } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('documentation generated from the command definitions', () => {
  it('has an up-to-date man page for every command', async () => {
    for (const c of COMMANDS) expect(existsSync(`${root}/man/kafka-ts-${c.name}.1`)).toBe(true);
    // SOURCE_DATE_EPOCH from the caller's shell would date the pages differently from the committed ones.
    const r = await execa(process.execPath, ['scripts/gen-man.mjs', '--check'], { cwd: root, reject: false, env: { SOURCE_DATE_EPOCH: undefined } });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('documents every option of a command in its man page', () => {
    const topics = readFileSync(`${root}/man/kafka-ts-topics.1`, 'utf8');
    for (const flag of ['\\-\\-create', '\\-\\-at\\-min\\-isr\\-partitions', '\\-\\-topics\\-with\\-overrides', '\\-\\-exclude\\-internal']) expect(topics).toContain(flag);
  });

  it("lists in each man page's EXIT STATUS the codes that command can return, with their meanings from the one table", () => {
    const program = buildProgram(() => undefined, COMMANDS);
    const exitStatus = (name: string) => {
      const spec = COMMANDS.find((c) => c.name === name)!;
      const page = manPage({ spec, cmd: program.commands.find((c) => c.name() === name)!, version: '0', date: 'd' });
      const section = page.slice(page.indexOf('.SH EXIT STATUS\n'), page.indexOf('.SH SEE ALSO'));
      return [...section.matchAll(/^\.B (\d+)\n(.*)$/gm)].map((m) => [Number(m[1]), m[2]]);
    };
    const codes = (name: string) => exitStatus(name).map(([code]) => code);
    expect(codes('console-consumer')).toEqual([0, 1, 2, 3, 4, 7, 8, 129, 130, 143]);
    expect(codes('console-producer')).toEqual([0, 1, 2, 3, 4, 7, 8, 12, 129, 130, 143]);
    expect(codes('schema-registry')).toEqual([0, 1, 2, 3, 4, 7, 8, 12]);
    expect(codes('topics')).toEqual([0, 1, 2, 3, 4, 7, 8]);
    expect(codes('lag')).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 10, 11]);
    expect(codes('consumer-groups')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(codes('leader-election')).toEqual([0, 1, 2, 3, 4, 7, 8]);
    expect(codes('configs')).toEqual([0, 1, 2, 3, 4, 7, 8]);
    expect(codes('dump-log')).toEqual([0, 1, 2, 4]);
    expect(codes('server')).toEqual([0, 1, 2, 3, 4, 6, 129]);
    expect(codes('completion')).toEqual([0, 2]);
    expect(codes('cluster')).toEqual([0, 1, 2, 3, 7, 8]);
    expect(codes('features')).toEqual([0, 2, 3, 7, 8]);
    expect(codes('metadata-quorum')).toEqual([0, 1, 2, 3, 7, 8]);
    expect(codes('streams-application-reset')).toEqual([0, 1, 2, 3, 4, 5, 7, 8]);
    expect(codes('streams')).toEqual([0, 1, 2, 3, 4, 7, 8, 129]);
    expect(codes('get-offsets')).toEqual([0, 1, 2, 3, 4, 7, 8]);
    expect(codes('delete-records')).toEqual([0, 1, 2, 3, 4, 7, 8]);
    expect(codes('log-dirs')).toEqual([0, 1, 2, 3, 4, 7, 8]);
    expect(codes('broker-api-versions')).toEqual([0, 1, 2, 3, 7, 8]);
    expect(codes('transactions')).toEqual([0, 1, 2, 3, 4, 7, 8]);
    expect(codes('producer-perf-test')).toEqual([0, 1, 2, 3, 7, 8, 129, 130, 143]);
    expect(codes('consumer-perf-test')).toEqual([0, 1, 2, 3, 4, 7, 8, 129, 130, 143]);
    expect(codes('e2e-latency')).toEqual([0, 1, 2, 3, 7, 8, 129, 130, 143]);
    for (const c of COMMANDS) {
      for (const [code, meaning] of exitStatus(c.name)) {
        const entry = Object.values(EXIT_STATUS).find((e) => e.code === code)!;
        expect({ command: c.name, code, meaning }).toEqual({ command: c.name, code, meaning: entry.meaning.replace(/-/g, '\\-') });
      }
    }
  });

  it('says in --help that a repeatable option is repeatable (README: every option that collects its values)', async () => {
    const program = buildProgram(() => undefined, COMMANDS);
    const unsaid: string[] = [];
    const walk = (c: Command, path: string) => {
      for (const o of c.options) if (o.parseArg === collect && !/repeatable/.test(o.description)) unsaid.push(`${path} ${o.long}`);
      for (const sub of c.commands) walk(sub, `${path} ${sub.name()}`);
    };
    walk(program, 'kafka-ts');
    expect(unsaid).toEqual([]);
    const t = tempDir();
    try {
      const help = await kafkaTs(['configs', '--help'], { home: t.dir });
      expect(help).toMatchObject({ exitCode: 0, stderr: '' });
      // Each option's text runs from its flag to the next option's.
      const text = (flag: string) => help.stdout.slice(help.stdout.indexOf(flag)).split(/\n {2}-/)[0]!;
      expect(text('--entity-type <type>')).toMatch(/repeatable/);
      expect(text('--entity-name <name>')).toMatch(/repeatable/);
    } finally {
      t.cleanup();
    }
  });

  it("describes transactions' TransactionDurationMs as printed: a value for a completed transaction too", () => {
    const page = readFileSync(`${root}/man/kafka-ts-transactions.1`, 'utf8');
    expect(page).not.toContain('None when no transaction is open');
    expect(page).toMatch(/CompleteCommit/);
  });

  it('prints bash and zsh completion covering subcommands and options', async () => {
    const t = tempDir();
    try {
      const bash = await kafkaTs(['completion', 'bash'], { home: t.dir });
      expect(bash.exitCode).toBe(0);
      expect(bash.stdout).toContain('complete -o default -F _kafka_ts kafka-ts');
      expect(bash.stdout).toMatch(/console-consumer\) opts=".*--from-beginning/);
      const zsh = await kafkaTs(['completion', 'zsh'], { home: t.dir });
      expect(zsh.stdout.startsWith('#compdef kafka-ts')).toBe(true);
      expect(zsh.stdout).toContain("'--under-replicated-partitions[");
      const check = await execa('bash', ['-n'], { input: bash.stdout, reject: false });
      expect(check.exitCode).toBe(0);
      expect((await kafkaTs(['completion', 'fish'], { home: t.dir })).exitCode).toBe(2);
      // The verb after a command in verb style, then its options (it completed only options).
      const complete = async (...words: string[]): Promise<string[]> => {
        const script = `${bash.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _kafka_ts; printf '%s\\n' "\${COMPREPLY[@]}"`;
        return (await execa('bash', ['-c', script])).stdout.split('\n').filter(Boolean);
      };
      expect(await complete('kafka-ts', 'topics', '')).toEqual(expect.arrayContaining(['create', 'list', 'describe', 'alter', 'delete', '--topic', '--bootstrap-server']));
      expect(await complete('kafka-ts', 'topics', 'de')).toEqual(['delete', 'describe']);
      expect(await complete('kafka-ts', 'server', 'st')).toEqual(['start', 'stop', 'status', 'stop-broker', 'start-broker']);
      expect(await complete('kafka-ts', 'topics', 'create', 'cr')).toEqual([]);
      expect(await complete('kafka-ts', 'console-consumer', '')).not.toContain('create');
      expect(zsh.stdout).toContain("topics) _arguments ");
      expect(zsh.stdout).toContain("'1:verb:(create alter delete list describe)'");
    } finally {
      t.cleanup();
    }
  });

  it('answers --help and --version with exit 0', async () => {
    const t = tempDir();
    try {
      const help = await kafkaTs(['--help'], { home: t.dir });
      expect(help.exitCode).toBe(0);
      for (const c of COMMANDS) expect(help.stdout).toContain(c.name);
      for (const c of COMMANDS) {
        const own = await kafkaTs([c.name, '--help'], { home: t.dir });
        expect({ command: c.name, exitCode: own.exitCode, start: own.stdout.slice(0, 17 + c.name.length) }).toEqual({ command: c.name, exitCode: 0, start: `Usage: kafka-ts ${c.name} ` });
      }
      const v = await kafkaTs(['--version'], { home: t.dir });
      expect(v).toEqual({ stdout: '0.1.0\n', stderr: '', exitCode: 0 });
      expect((await kafkaTs([], { home: t.dir })).exitCode).toBe(2);
    } finally {
      t.cleanup();
    }
  });
});
