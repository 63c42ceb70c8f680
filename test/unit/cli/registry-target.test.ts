/**
 * How a command finds its schema registry: without one, the refusal names the option that
 * command takes (the console tools have no --schema-registry-url; `schema-registry` has).
 */
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../../src/cli/context.js';
import { COMMAND_REGISTRY_HOW, registryTarget } from '../../../src/cli/flags/schema-registry.js';

const remote = { bootstrapFor: () => '127.0.0.1:1' } as unknown as CliContext;

describe('registryTarget without a registry', () => {
  it('names --property schema.registry.url for the console tools, not an option they lack', async () => {
    const e = (await registryTarget(remote, '127.0.0.1:1', {}).catch((x: Error) => x)) as Error;
    expect(e.message).toMatch(/^No schema registry given: set --property schema\.registry\.url=http:\/\/host:8081;/);
    expect(e.message).not.toMatch(/--schema-registry-url/);
  });

  it('names --schema-registry-url for schema-registry, which has it', async () => {
    const e = (await registryTarget(remote, '127.0.0.1:1', {}, {}, COMMAND_REGISTRY_HOW).catch((x: Error) => x)) as Error;
    expect(e.message).toContain('--schema-registry-url http://host:8081');
  });
});
