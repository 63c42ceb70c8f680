/**
 * The commands that took client properties without checking them (cluster, lag, context,
 * e2e-latency, streams-application-reset, schema-registry) now check them against the catalogue
 * of the clients they feed: an unknown key warns and the command goes on, an invalid value is one
 * line on stderr and exit 2, before anything is sent or stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-client-config-commands-'));
  ({ bootstrap } = await startDaemon(home));
});
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

let n = 0;
const file = (content: string) => {
  const p = join(home, `c${++n}.properties`);
  writeFileSync(p, content);
  return p;
};

/** The command fails with exit 2 and exactly one line on stderr, containing `text`. */
async function refused(args: string[], text: string) {
  const r = await kafkaTs(args, { home });
  expect({ exitCode: r.exitCode, lines: r.stderr.trimEnd().split('\n').length }, `${args.join(' ')}\n${r.stderr}`).toEqual({ exitCode: 2, lines: 1 });
  expect(r.stderr).toContain(text);
  expect(r.stdout).toBe('');
}

const unknown = (key: string, cls: string) => `WARN The configuration '${key}' was supplied but isn't a known config. (${cls})`;

describe('client properties of the commands that did not check them', () => {
  it('cluster: an unknown key warns and the cluster id prints; an invalid value is exit 2', async () => {
    const r = await kafkaTs(['cluster', 'cluster-id', '--bootstrap-server', bootstrap, '--command-config', file('no.such.key=1\nsend.buffer.bytes=65536\n')], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Cluster ID: \S+/);
    expect(r.stderr.trim()).toBe(unknown('no.such.key', 'org.apache.kafka.clients.admin.AdminClientConfig'));
    await refused(['cluster', 'cluster-id', '--bootstrap-server', bootstrap, '--config', file('request.timeout.ms=abc\n')], 'Invalid value abc for configuration request.timeout.ms: Not a number of type INT');
  });

  it('context add: a key no client knows warns; an invalid producer or consumer value is exit 2 and no context is added', async () => {
    const ok = await kafkaTs(['context', 'add', 'good', '--bootstrap-server', bootstrap, '--property', 'acks=1', '--property', 'group.id=g', '--property', 'schema.registry.url=http://localhost:8081', '--property', 'no.such.key=1'], { home });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr.trim()).toBe(unknown('no.such.key', 'org.apache.kafka.clients.admin.AdminClientConfig'));
    await refused(['context', 'add', 'bad', '--bootstrap-server', bootstrap, '--property', 'acks=2'], 'Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1');
    await refused(['context', 'add', 'bad', '--bootstrap-server', bootstrap, '--command-config', file('max.poll.records=0\n')], 'Invalid value 0 for configuration max.poll.records: Value must be at least 1');
    const list = await kafkaTs(['context', 'list', '--output', 'json'], { home });
    expect(list.stdout).toContain('good');
    expect(list.stdout).not.toContain('bad');
  });

  it('e2e-latency, streams-application-reset, lag: an invalid value is exit 2', async () => {
    await refused(['e2e-latency', bootstrap, 'e2e', '10', '1', '100', file('fetch.max.wait.ms=-1\n')], 'Invalid value -1 for configuration fetch.max.wait.ms: Value must be at least 0');
    await refused(['streams-application-reset', '--bootstrap-server', bootstrap, '--application-id', 'app', '--command-config', file('isolation.level=serializable\n')], 'Invalid value serializable for configuration isolation.level');
    await refused(['lag', 'g', '--once', '--bootstrap-server', bootstrap, '--command-config', file('retry.backoff.ms=x\n')], 'Invalid value x for configuration retry.backoff.ms: Not a number of type LONG');
  });

  it('schema-registry: registry and Kafka client keys pass, a key neither knows warns', async () => {
    const r = await kafkaTs(['schema-registry', 'types', '--command-config', file('basic.auth.credentials.source=USER_INFO\nbootstrap.servers=x:9092\nno.such.key=1\n')], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("WARN The configuration 'no.such.key' was supplied but isn't a known config. (schema registry client)");
    expect(r.stderr).not.toContain('basic.auth');
    expect(r.stderr).not.toContain('bootstrap.servers');
  });
});
