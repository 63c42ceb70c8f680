/**
 * The Streams library as a package export: `import { StreamsBuilder, TopologyTestDriver } from
 * 'kafka-ts/streams'` from an app's own directory (kafka-ts linked into its node_modules, as an
 * npm install or `npm link` puts it) runs a topology in the test driver, and TypeScript finds the
 * declarations through package.json's exports (built by `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let app: { dir: string; cleanup: () => void };

beforeAll(() => {
  app = tempDir('kafka-ts-streams-package-');
  mkdirSync(join(app.dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(root, join(app.dir, 'node_modules', 'kafka-ts'), 'dir');
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(app.dir, 'node_modules', '@types', 'node'), 'dir');
  writeFileSync(join(app.dir, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
});
afterAll(() => app?.cleanup());

describe("import from 'kafka-ts/streams'", () => {
  it('runs a topology in TopologyTestDriver from an ES module', () => {
    writeFileSync(
      join(app.dir, 'upper.test.mjs'),
      `import { StreamsBuilder, TopologyTestDriver, Serdes, Produced } from 'kafka-ts/streams';
const b = new StreamsBuilder();
b.stream('in').mapValues((v) => v.toUpperCase()).to('out', Produced.with(Serdes.String(), Serdes.String()));
const driver = new TopologyTestDriver(b.build());
driver.createInputTopic('in').pipeInput('k', 'hello');
console.log(JSON.stringify(driver.createOutputTopic('out').readKeyValuesToList()));
driver.close();
`,
    );
    const r = spawnSync(process.execPath, ['upper.test.mjs'], { cwd: app.dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ key: 'k', value: 'HELLO' }]);
  });

  it('has TypeScript declarations (resolved through the exports map)', () => {
    writeFileSync(
      join(app.dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, files: ['app.ts'] }),
    );
    writeFileSync(
      join(app.dir, 'app.ts'),
      `import { StreamsBuilder, TopologyTestDriver, Window, Windowed, type KStream } from 'kafka-ts/streams';
const b = new StreamsBuilder();
const s: KStream<string, string> = b.stream<string, string>('in');
s.to('out');
const driver = new TopologyTestDriver(b.build());
const n: number = driver.createOutputTopic<string, string>('out').readKeyValuesToList().length;
const w = new Windowed('k', new Window(0, 60_000));
const start: number = w.window.start;
// @ts-expect-error Windowed's key is a property (Kafka's key() is a method)
w.key();
// @ts-expect-error no such method: the declarations are real, not any
b.noSuchMethod();
export { n, start };
`,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app.dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
