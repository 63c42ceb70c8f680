/**
 * Security settings that are accepted but deserve a word at start (`server start` against the
 * built binary): each says so once in server.log and on the starting command's stderr.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, stopDaemon, type RunResult } from '../helpers/cli.js';

const homes: { dir: string; cleanup: () => void }[] = [];
afterEach(async () => {
  for (const h of homes.splice(0)) {
    await stopDaemon(h.dir);
    h.cleanup();
  }
});

const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** `server start` on a fresh data dir with these overrides: its result and server.log's WARN lines. */
async function start(overrides: string[]): Promise<{ r: RunResult; warns: string[] }> {
  const t = tempDir('kafka-ts-sec-start-');
  homes.push(t);
  const r = await kafkaTs(['server', 'start', '--port', '0', '--no-schema-registry', '--data-dir', t.dir, ...overrides.flatMap((o) => ['--override', o])], { home: t.dir });
  expect(r.exitCode, show(r)).toBe(0);
  const warns = readFileSync(join(t.dir, 'server.log'), 'utf8').split('\n').filter((l) => / WARN /.test(l));
  return { r, warns };
}

describe('security warnings at start', () => {
  it("authorizer.class.name=kafka.security.authorizer.AclAuthorizer starts, saying it is served by the StandardAuthorizer-compatible authorizer", async () => {
    const { r, warns } = await start(['authorizer.class.name=kafka.security.authorizer.AclAuthorizer']);
    const line = "authorizer.class.name=kafka.security.authorizer.AclAuthorizer is served by kafka-ts's built-in StandardAuthorizer-compatible authorizer";
    expect(warns.filter((l) => l.includes(line)), warns.join('\n')).toHaveLength(1);
    expect(r.stderr.split('\n').filter((l) => l.includes(line)), show(r)).toEqual([expect.stringMatching(/^WARN /)]);
  });

  it('StandardAuthorizer starts without that line', async () => {
    const { r, warns } = await start(['authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer']);
    expect(warns.filter((l) => l.includes('authorizer.class.name'))).toEqual([]);
    expect(r.stderr).not.toContain('authorizer.class.name');
  });

  it('OAUTHBEARER (the unsecured validator) is warned about once, naming the listeners that accept it', async () => {
    const { r, warns } = await start([
      'listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,PLAINONLY://127.0.0.1:0',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,PLAINONLY:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms=SCRAM-SHA-256,OAUTHBEARER',
      'listener.name.plainonly.sasl.enabled.mechanisms=PLAIN',
      'listener.name.plainonly.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-pw";',
    ]);
    const line = "Listener SASL_PLAINTEXT accepts OAUTHBEARER with Kafka's unsecured validator: tokens are not verified";
    expect(warns.filter((l) => l.includes('OAUTHBEARER')), warns.join('\n')).toEqual([expect.stringContaining(line)]);
    expect(r.stderr.split('\n').filter((l) => l.includes('OAUTHBEARER')), show(r)).toEqual([expect.stringMatching(new RegExp(`^WARN ${line}`))]);
  });
});
