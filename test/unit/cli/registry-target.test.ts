/**
 * How a command finds its schema registry: without one, the refusal names the option that
 * command takes (the console tools have no --schema-registry-url; `schema-registry` has).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliContext } from '../../../src/cli/context.js';
import { COMMAND_REGISTRY_HOW, registryTarget } from '../../../src/cli/flags/schema-registry.js';

// A real context on a cluster named by --bootstrap-server, with no context store of its own.
const remote = new CliContext({ KAFKA_TS_CONTEXT: '', KAFKA_BOOTSTRAP_SERVERS: '', KAFKA_TS_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'kafka-ts-registry-target-')) });

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
