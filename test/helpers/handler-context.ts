/** A handler's RequestContext for unit tests that run one handler against fakes of the services it needs. */
import type { RequestContext } from '../../src/broker/handler.js';
import type { BrokerServices, ClusterService, ControllerService, GroupService, PartitionService } from '../../src/broker/services.js';
import { NO_AUTHORIZER } from '../../src/broker/security/authorizer.js';

/** A context holding only the given services; touching any other one throws. */
export function contextWith(services: Partial<BrokerServices>, apiVersion = 0): RequestContext {
  const absent = (name: string) =>
    new Proxy({}, { get: (_, prop) => { throw new Error(`handler reached ctx.${name}.${String(prop)}`); } });
  return {
    partitions: services.partitions ?? (absent('partitions') as PartitionService),
    groups: services.groups ?? (absent('groups') as GroupService),
    cluster: services.cluster ?? (absent('cluster') as ClusterService),
    controller: services.controller ?? (absent('controller') as ControllerService),
    authorizer: services.authorizer ?? NO_AUTHORIZER,
    apiVersion,
    correlationId: 1,
    clientId: 'test',
    clientHost: '/127.0.0.1',
    listener: 'PLAINTEXT',
    closed: new Promise<void>(() => {}),
    advertisedApis: [],
  };
}

