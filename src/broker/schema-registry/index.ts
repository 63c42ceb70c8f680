/**
 * The schema registry in the daemon: Confluent Schema Registry's REST API over HTTP, its state
 * stored in the cluster's compacted `_schemas` topic. Started by the daemon after the cluster
 * (tests start one on an in-process cluster the same way).
 */
import type { Logger } from '../../util/logger.js';
import type { KafkaCluster } from '../cluster.js';
import { RegistryHttpServer } from './http.js';
import { ClusterSchemasLog } from './kafka-log.js';
import { SchemaRegistry } from './registry.js';

export { SchemaRegistry } from './registry.js';
export { registrySettings, type RegistrySettings } from './settings.js';

export interface RegistryStartOptions {
  cluster: KafkaCluster;
  host: string;
  /** 0 picks a free port. */
  port: number;
  maxRequestBytes: number;
  log: Logger;
}

export class SchemaRegistryService {
  private constructor(
    readonly registry: SchemaRegistry,
    private readonly http: RegistryHttpServer,
  ) {}

  /** The registry's base URL, e.g. http://127.0.0.1:8081. */
  get url(): string {
    return this.http.url;
  }

  static async start(opts: RegistryStartOptions): Promise<SchemaRegistryService> {
    const store = new ClusterSchemasLog(opts.cluster);
    const registry = await SchemaRegistry.open(store, opts.log);
    const http = await RegistryHttpServer.listen(registry, { host: opts.host, port: opts.port, maxRequestBytes: opts.maxRequestBytes, log: opts.log });
    return new SchemaRegistryService(registry, http);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
