/**
 * kafka-ts streams as a new user meets it, end to end through the binary: an app file with a
 * syntax error is one line naming file:line:column (as node itself prints it), without a broker.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkaTs } from '../helpers/cli.js';
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
