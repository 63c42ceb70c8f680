import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

// The lint is only a guard rail if it still sees what it is for: a misconfigured import plugin
// reports nothing at all (no-cycle silently skips .ts files it was not told to parse), so these
// lint made-up sources placed in the real tree against the real config.
const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

describe('eslint.config.js', () => {
  it('rejects an import from a higher layer', async () => {
    expect(await ruleIds('src/protocol/zz-upward.ts', "import { DEFAULT_PORT } from '../broker/daemon-paths.js';\nexport const p = DEFAULT_PORT;\n")).toEqual(['import-x/no-restricted-paths']);
    expect(await ruleIds('src/tools/zz-upward.ts', "import { parseInlinePairs } from '../cli/properties.js';\nexport const p = parseInlinePairs;\n")).toEqual(['import-x/no-restricted-paths']);
    expect(await ruleIds('src/util/zz-upward.ts', "import type { CLIENT_VERSIONS } from '../client/versions.js';\nexport type V = typeof CLIENT_VERSIONS;\n")).toEqual(['import-x/no-restricted-paths']);
  });

  it('rejects an upward dynamic import', async () => {
    expect(await ruleIds('src/storage/zz-upward.ts', "export const load = () => import('../broker/daemon-paths.js');\n")).toEqual(['import-x/no-restricted-paths']);
  });

  it('keeps the client and the broker apart, and the commands off the broker', async () => {
    expect(await ruleIds('src/client/zz-apart.ts', "import { DEFAULT_PORT } from '../broker/daemon-paths.js';\nexport const p = DEFAULT_PORT;\n")).toEqual(['import-x/no-restricted-paths']);
    expect(await ruleIds('commands/zz-apart.ts', "import { DEFAULT_PORT } from '../src/broker/daemon-paths.js';\nexport const p = DEFAULT_PORT;\n")).toEqual(['import-x/no-restricted-paths']);
  });

  it('accepts imports downward, sideways and from the floor', async () => {
    expect(await ruleIds('src/broker/zz-down.ts', "import { Reader } from '../protocol/primitives.js';\nimport { DEFAULT_PORT } from './daemon-paths.js';\nexport const x = [Reader, DEFAULT_PORT];\n")).toEqual([]);
    expect(await ruleIds('src/protocol/zz-floor.ts', "import { VERSION } from '../version.js';\nexport const v = VERSION;\n")).toEqual([]);
  });

  it('keeps command files at 150 lines at most', async () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `export const x${i} = ${i};\n`).join('');
    expect(await ruleIds('commands/zz-long.ts', lines(150))).toEqual([]);
    expect(await ruleIds('commands/zz-long.ts', lines(151))).toEqual(['max-lines']);
  });

  it('finds an import cycle through the files on disk', async () => {
    // schema.ts imports primitives.ts; primitives.ts importing schema.ts closes the loop.
    const ids = await ruleIds('src/protocol/primitives.ts', "import { MAX_VERSION } from './schema.js';\nexport const m = MAX_VERSION;\n");
    expect(ids).toContain('import-x/no-cycle');
  });
});
