/**
 * kafka-ts streams as a new user meets it, end to end through the binary: an app file with a
 * syntax error is one line naming file:line:column (as node itself prints it), without a broker;
 * app code that throws outside a processor call (a timer) is the app's error, naming the file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('streams run/describe of an app file with a syntax error', () => {
  it('names the file, line and column: exit 2, one line', async () => {
    const home = tempDir();
    try {
      const app = join(home.dir, 'syntax.mjs');
      writeFileSync(app, 'export default (builder) => {\n  builder.stream("in1").filter((k, v) => v.length > ).to("in1_filter");\n};\n');
      const r = await kafkaTs(['streams', 'describe', app], { home: home.dir });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toBe(`kafka-ts streams: usage error: syntax.mjs failed to load: ${app}:2:53: SyntaxError: Unexpected token ')'\n`);
    } finally {
      home.cleanup();
    }
  });
});

describe('streams run of an app whose code throws in a timer', () => {
  it("fails the application with the app's error naming the file (exit 1), not an internal error", async () => {
    const home = tempDir();
    try {
      await startDaemon(home.dir, ['--no-schema-registry']);
      const kt = (args: string[], input?: string) => kafkaTs(args, { home: home.dir, ...(input !== undefined && { input }) });
      expect((await kt(['topics', '--create', '--topic', 'in1'])).exitCode).toBe(0);
      expect((await kt(['console-producer', '--topic', 'in1'], 'hello\n')).exitCode).toBe(0);
      const app = join(home.dir, 'asyncthrow.mjs');
      writeFileSync(app, "export default async (builder) => {\n  builder.stream('in1').foreach(() => { setTimeout(() => { throw new Error('async boom'); }, 0); });\n};\n");
      const r = await kafkaTs(['streams', 'run', app, '--state-dir', join(home.dir, 'state'), '--until-idle', '10s'], { home: home.dir, timeout: 60_000 });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe(`kafka-ts streams: error: Exception caught in ${app} outside a processor call (a timer or an unawaited promise): async boom\n`);
    } finally {
      await stopDaemon(home.dir);
      home.cleanup();
    }
  }, 90_000);
});
