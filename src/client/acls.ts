/**
 * ACL administration over the Kafka protocol (DescribeAcls, CreateAcls, DeleteAcls), as Kafka's
 * Admin.describeAcls / createAcls / deleteAcls. Works against the kafka-ts daemon and any Kafka
 * cluster with an authorizer; a cluster without one answers SECURITY_DISABLED.
 */
import { CreateAcls, DeleteAcls, DescribeAcls } from '../protocol/apis/index.js';
import type { AclBinding, AclFilter } from '../protocol/acls.js';
import { KafkaProtocolError } from '../protocol/errors.js';
import type { KafkaClient } from './client.js';

export type { AclBinding, AclFilter } from '../protocol/acls.js';

/** Every ACL matching the filter. */
export async function describeAcls(client: KafkaClient, filter: AclFilter): Promise<AclBinding[]> {
  const { body } = await client.send('any', DescribeAcls, {
    resourceTypeFilter: filter.resourceType,
    resourceNameFilter: filter.resourceName,
    patternTypeFilter: filter.patternType,
    principalFilter: filter.principal,
    hostFilter: filter.host,
    operation: filter.operation,
    permissionType: filter.permissionType,
  });
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode, body.errorMessage);
  return body.resources.flatMap((r) =>
    r.acls.map((a) => ({ resourceType: r.resourceType, resourceName: r.resourceName, patternType: r.patternType ?? 3, principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType })),
  );
}

/** Creates the ACLs; the first refused one throws (its Kafka error). */
export async function createAcls(client: KafkaClient, bindings: AclBinding[]): Promise<void> {
  if (bindings.length === 0) return;
  const { body } = await client.send('controller', CreateAcls, {
    creations: bindings.map((b) => ({
      resourceType: b.resourceType,
      resourceName: b.resourceName,
      resourcePatternType: b.patternType,
      principal: b.principal,
      host: b.host,
      operation: b.operation,
      permissionType: b.permissionType,
    })),
  });
  const failed = body.results.find((r) => r.errorCode);
  if (failed) throw new KafkaProtocolError(failed.errorCode, failed.errorMessage);
}

/** Deletes every ACL matching any of the filters; returns the deleted ones. */
export async function deleteAcls(client: KafkaClient, filters: AclFilter[]): Promise<AclBinding[]> {
  if (filters.length === 0) return [];
  const { body } = await client.send('controller', DeleteAcls, {
    filters: filters.map((f) => ({
      resourceTypeFilter: f.resourceType,
      resourceNameFilter: f.resourceName,
      patternTypeFilter: f.patternType,
      principalFilter: f.principal,
      hostFilter: f.host,
      operation: f.operation,
      permissionType: f.permissionType,
    })),
  });
  const out: AclBinding[] = [];
  for (const r of body.filterResults) {
    if (r.errorCode) throw new KafkaProtocolError(r.errorCode, r.errorMessage);
    for (const m of r.matchingAcls) {
      if (m.errorCode) throw new KafkaProtocolError(m.errorCode, m.errorMessage);
      out.push({ resourceType: m.resourceType, resourceName: m.resourceName, patternType: m.patternType ?? 3, principal: m.principal, host: m.host, operation: m.operation, permissionType: m.permissionType });
    }
  }
  return out;
}
