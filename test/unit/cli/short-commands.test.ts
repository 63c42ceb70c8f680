import { describe, expect, it } from 'vitest';
import { commandsFor } from '../../../src/cli/main.js';
import { COMMANDS } from '../../../commands/index.js';

describe('commandsFor (the commands a command line loads)', () => {
  const SHORT = ['topics', 'consumer-groups', 'configs', 'get-offsets', 'cluster', 'broker-api-versions', 'acls', 'features', 'log-dirs', 'delete-records', 'metadata-quorum', 'leader-election'];

  it('loads only the command a short command line names, the same spec the full list holds', async () => {
    for (const name of SHORT) {
      const specs = await commandsFor([name, '--help']);
      expect(specs.map((s) => s.name)).toEqual([name]);
      expect(COMMANDS).toContain(specs[0]);
    }
  });

  it('loads the full list for any other command line', async () => {
    for (const argv of [[], ['--help'], ['console-producer'], ['topic'], ['toString'], ['__proto__']]) expect(await commandsFor(argv)).toBe(COMMANDS);
  });
});
