/** An in-process kafka-ts cluster on a temp dir and a free port, for integration tests. */
import { KafkaCluster } from '../../src/broker/cluster.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { silentLogger, type Logger } from '../../src/util/logger.js';
import { readBatches } from '../../src/storage/log-store.js';
import { tempDir } from './tmp.js';

export interface TestBroker {
  cluster: KafkaCluster;
  bootstrap: string;
  dir: string;
  client(clientId?: string): KafkaClient;
  /** Stops the cluster; with `keepData` the directory stays for a restart. */
  close(keepData?: boolean): Promise<void>;
}

export async function startBroker(
  opts: { properties?: Record<string, string>; inMemory?: boolean; dir?: string; log?: Logger; maxRequestElements?: number } = {},
): Promise<TestBroker> {
  const t = opts.dir ? { dir: opts.dir, cleanup: () => {} } : tempDir();
  const { config } = buildBrokerConfig(t.dir, {
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '4',
    ...opts.properties,
  });
  const cluster = await KafkaCluster.start({ config, log: opts.log ?? silentLogger, inMemory: opts.inMemory, maxRequestElements: opts.maxRequestElements });
  const clients: KafkaClient[] = [];
  return {
    cluster,
    bootstrap: cluster.bootstrap,
    dir: t.dir,
    client(clientId = 'test') {
      const c = new KafkaClient({ bootstrap: parseBootstrap(cluster.bootstrap), clientId, connectTimeoutMs: 5000, requestTimeoutMs: 10_000 });
      clients.push(c);
      return c;
    },
    async close(keepData = false) {
      await Promise.all(clients.map((c) => c.close()));
      await cluster.close();
      if (!keepData) t.cleanup();
    },
  };
}


/** Polls `cond` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every stored byte of broker `id`'s replica of a partition, from its log start to its end. */
export function replicaBytes(cluster: KafkaCluster, id: number, topic: string, partition = 0): Buffer {
  const r = cluster.broker(id)!.replica(topic, partition)!;
  return Buffer.concat([...readBatches(r.log, r.logStartOffset(), r.logEndOffset())]);
}
