import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../commands/index.js';
import { kafkaTs } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('documentation generated from the command definitions', () => {
  it('has an up-to-date man page for every command', async () => {
    for (const c of COMMANDS) expect(existsSync(`${root}/man/kafka-ts-${c.name}.1`)).toBe(true);
    const r = await execa(process.execPath, ['scripts/gen-man.mjs', '--check'], { cwd: root, reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('documents every option of a command in its man page', () => {
    const topics = readFileSync(`${root}/man/kafka-ts-topics.1`, 'utf8');
    for (const flag of ['\\-\\-create', '\\-\\-at\\-min\\-isr\\-partitions', '\\-\\-topics\\-with\\-overrides', '\\-\\-exclude\\-internal']) expect(topics).toContain(flag);
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
