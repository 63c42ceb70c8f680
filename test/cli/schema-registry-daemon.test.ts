/**
 * The registry in the real daemon: `server start --schema-registry-port` / `--no-schema-registry`,
 * `server status` (text and JSON) listing its URL, schemas and ids surviving a SIGKILL and
 * restart, and with `--brokers 3` surviving `server stop-broker` of the `_schemas` leader; the
 * records show in `console-consumer --topic _schemas`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function home(): string {
  const t = tempDir('kts-sr-');
  cleanups.push(t.cleanup);
  cleanups.push(() => stopDaemon(t.dir));
  return t.dir;
}

const CT = { 'Content-Type': 'application/vnd.schemaregistry.v1+json' };
const USER = (extra: object[] = []) => JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'id', type: 'long' }, ...extra] });

async function register(url: string, subject: string, schema: string): Promise<unknown> {
  const r = await fetch(`${url}/subjects/${subject}/versions`, { method: 'POST', headers: CT, body: JSON.stringify({ schema }) });
  return r.json();
}
const get = async (url: string, path: string) => (await fetch(`${url}${path}`)).json();

async function registryUrl(dir: string): Promise<string> {
  const r = await kafkaTs(['server', 'status', '--output', 'json'], { home: dir });
  return (JSON.parse(r.stdout) as { schemaRegistry: string }).schemaRegistry;
}

describe('schema registry in the daemon', () => {
  it('is listed by status, keeps schemas and ids across SIGKILL, and is off with --no-schema-registry', async () => {
    const dir = home();
    const { status } = await startDaemon(dir);
    const url = status.schemaRegistry as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const text = await kafkaTs(['server', 'status'], { home: dir });
    expect(text.stdout).toContain(`  registry:    ${url} (schema registry)\n`);
    expect(await register(url, 'users-value', USER())).toEqual({ id: 1 });
    expect(await register(url, 'users-value', USER([{ name: 'n', type: 'int', default: 0 }]))).toEqual({ id: 2 });
    const consumed = await kafkaTs(['console-consumer', '--topic', '_schemas', '--from-beginning', '--max-messages', '2', '--property', 'print.key=true', '--timeout-ms', '20000'], { home: dir });
    expect(consumed.stdout).toContain('{"keytype":"SCHEMA","subject":"users-value","version":2,"magic":1}\t{"subject":"users-value","version":2,"id":2,');

    // Bad requests get Confluent's answers; the daemon goes on serving (the integration test has the full list).
    const bad = [
      await fetch(`${url}/subjects/x/versions`, { method: 'POST', headers: CT, body: '{"schema":' }),
      await fetch(`${url}/subjects/x/versions`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }),
      await fetch(`${url}/subjects/x/versions`, { method: 'POST', headers: CT, body: JSON.stringify({ schema: 'x'.repeat(9 << 20) }) }).catch(() => null),
      await fetch(`${url}/subjects/x/versions`, { method: 'POST', headers: CT, body: JSON.stringify({ schemaType: 'PROTOBUF', schema: 'message {' }) }),
      await fetch(`${url}/schemas/ids/999`),
    ];
    expect(bad.map((r) => r?.status)).toEqual([400, 415, 413, 422, 404]);
    expect((await kafkaTs(['server', 'status'], { home: dir })).exitCode).toBe(0);
    expect(await get(url, '/subjects')).toEqual(['users-value']);

    process.kill(Number(readFileSync(join(dir, 'kafka-ts.pid'), 'utf8')), 'SIGKILL');
    const again = await startDaemon(dir);
    const url2 = again.status.schemaRegistry as string;
    expect(await get(url2, '/subjects/users-value/versions')).toEqual([1, 2]);
    expect(await get(url2, '/schemas/ids/2')).toEqual({ schema: USER([{ name: 'n', type: 'int', default: 0 }]) });
    expect(await register(url2, 'other', USER([{ name: 'x', type: 'string' }]))).toEqual({ id: 3 });
    await stopDaemon(dir);

    const off = await startDaemon(dir, ['--no-schema-registry']);
    expect(off.status.schemaRegistry).toBeNull();
    expect((await kafkaTs(['server', 'status'], { home: dir })).stdout).not.toContain('registry:');
  });

  it('a taken registry port fails an explicit start with a hint', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const port = (blocker.address() as { port: number }).port;
    const dir = home();
    const r = await kafkaTs(['server', 'start', '--port', '0', '--schema-registry-port', String(port)], { home: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`The schema registry's port ${port} is already in use`);
  });

  it('with --port 0 takes a free port too, unless its port is chosen', async () => {
    const dir = home();
    const r = await kafkaTs(['server', 'start', '--port', '0', '--data-dir', dir, '--output', 'json'], { home: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const url = (JSON.parse(r.stdout) as { schemaRegistry: string }).schemaRegistry;
    // It was on 8081 (or, with 8081 taken, took a free one after trying it and saying so).
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url.endsWith(':8081')).toBe(false);
    expect(readFileSync(join(dir, 'server.log'), 'utf8')).not.toContain('Port 8081 is in use');
    expect((await kafkaTs(['server', 'status'], { home: dir })).stdout).toContain(`  registry:    ${url} (schema registry)\n`);
    expect(await registryUrl(dir)).toBe(url);
    expect(await get(url, '/subjects')).toEqual([]);
    await stopDaemon(dir);
    // A port chosen in server.properties stands (a taken one fails the start: it was chosen).
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', () => res()));
    cleanups.push(() => new Promise<void>((res) => blocker.close(() => res())));
    const port = (blocker.address() as { port: number }).port;
    writeFileSync(join(dir, 'server.properties'), `kafka-ts.schema.registry.listener=127.0.0.1:${port}\n`);
    const chosen = await kafkaTs(['server', 'start', '--port', '0', '--data-dir', dir], { home: dir });
    expect(chosen.exitCode).toBe(1);
    expect(chosen.stderr).toContain(`The schema registry's port ${port} is already in use`);
  });

  it('an auto-started daemon takes a free port when 8081 is taken', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    const bound = await new Promise<boolean>((r) => {
      blocker.once('error', () => r(false));
      blocker.listen({ port: 8081, host: '127.0.0.1', exclusive: true }, () => r(true));
    });
    if (bound) cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const dir = home();
    // The brokers' port from the data directory's server.properties (--port 0, as when 9092 is
    // taken, would give the registry a free port from the start).
    writeFileSync(join(dir, 'server.properties'), 'port=0\n');
    // A command that needs the daemon starts it with the defaults (no --schema-registry-port).
    const listed = await kafkaTs(['topics', '--list'], { home: dir });
    expect(listed.exitCode, listed.stderr).toBe(0);
    const url = await registryUrl(dir);
    // Whoever holds 8081 (this test, or another process), the daemon did not fail and serves elsewhere.
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url.endsWith(':8081')).toBe(false);
    if (bound) expect(readFileSync(join(dir, 'server.log'), 'utf8')).toContain('Port 8081 is in use: the schema registry listens on');
    expect(await get(url, '/subjects')).toEqual([]);
  });

  it('with three brokers, keeps serving when the _schemas leader is stopped', async () => {
    const dir = home();
    const { status } = await startDaemon(dir, ['--brokers', '3']);
    const url = status.schemaRegistry as string;
    expect(await register(url, 's', USER())).toEqual({ id: 1 });
    const described = await kafkaTs(['topics', '--describe', '--topic', '_schemas', '--output', 'json'], { home: dir });
    const leader = (JSON.parse(described.stdout) as { topics: { partitions: { leader: number; replicas: number[] }[] }[] }).topics[0]!.partitions[0]!;
    expect(leader.replicas).toHaveLength(3);
    const stopped = await kafkaTs(['server', 'stop-broker', String(leader.leader)], { home: dir });
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect(await register(url, 's', USER([{ name: 'n', type: 'int', default: 0 }]))).toEqual({ id: 2 });
    expect(await get(url, '/schemas/ids/1')).toEqual({ schema: USER() });
    // A restart with the broker still gone from the picture: state comes back from the survivors' logs.
    process.kill(Number(readFileSync(join(dir, 'kafka-ts.pid'), 'utf8')), 'SIGKILL');
    await startDaemon(dir, ['--brokers', '3']);
    expect(await get(await registryUrl(dir), '/subjects/s/versions')).toEqual([1, 2]);
  });
});
