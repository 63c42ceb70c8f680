/**
 * A schema registry on an in-process broker for integration tests, with a `call` that speaks its
 * REST API; `registries()` tracks the ones a test file starts and closes them after each test.
 */
import { afterEach } from 'vitest';
import { SchemaRegistryService } from '../../src/broker/schema-registry/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from './broker.js';
import { tempDir } from './tmp.js';

const CT = 'application/vnd.schemaregistry.v1+json';

export interface RunningRegistry {
  broker: TestBroker;
  registry: SchemaRegistryService;
  /** A request; a string body is sent as it is, others as JSON; a JSON answer is parsed. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
}

/**
 * start(dir?, properties?) and stop(r) for one test file, and dir() for a data directory that
 * outlives a stop (a restart); all are closed and removed after each test.
 */
export function registries(maxRequestBytes = 1 << 20): {
  start(dir?: string, properties?: Record<string, string>): Promise<RunningRegistry>;
  stop(r: RunningRegistry): Promise<void>;
  dir(): string;
} {
  const running: RunningRegistry[] = [];
  const dirs: (() => void)[] = [];
  const close = async (r: RunningRegistry) => {
    await r.registry.close();
    await r.broker.close(true);
  };
  afterEach(async () => {
    for (const r of running.splice(0)) await close(r);
    for (const d of dirs.splice(0)) d();
  });
  return {
    async start(dir, properties = {}) {
      const t = dir ? { dir } : tempDir();
      if (!dir) dirs.push((t as { cleanup: () => void }).cleanup);
      const broker = await startBroker({ dir: t.dir, properties });
      const registry = await SchemaRegistryService.start({ cluster: broker.cluster, host: '127.0.0.1', port: 0, maxRequestBytes, log: silentLogger });
      const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
        const res = await fetch(`${registry.url}${path}`, {
          method,
          headers: { 'Content-Type': CT, ...headers },
          body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        });
        const text = await res.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* a raw schema */
        }
        return { status: res.status, body: parsed as any };
      };
      const r = { broker, registry, call };
      running.push(r);
      return r;
    },
    dir() {
      const t = tempDir();
      dirs.push(t.cleanup);
      return t.dir;
    },
    async stop(r) {
      running.splice(running.indexOf(r), 1);
      await close(r);
    },
  };
}
