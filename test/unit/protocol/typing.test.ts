/**
 * The schemas carry their body types: typing/pairing.ts pairs APIs with the wrong request and
 * response types on lines marked @ts-expect-error, which tsc rejects if any of them compiles.
 * (Vitest does not type-check test files, so this runs tsc on the fixture.)
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = fileURLToPath(new URL('./typing/tsconfig.json', import.meta.url));

describe('schema typing', () => {
  it('infers body types from the ApiDef and rejects a schema paired with the wrong types', () => {
    const run = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
