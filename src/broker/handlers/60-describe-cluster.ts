/**
 * DescribeCluster (60), v0-1: cluster id, controller and the live brokers (at the addresses of
 * the listener the request came in on). No errors besides UNSUPPORTED_VERSION for endpoint type
 * 2 (controllers), which kafka-ts does not expose separately. As in Kafka, no ACL is needed; the
 * cluster's authorized operations (when asked) are 0 without DESCRIBE on the cluster.
 */
import { DescribeCluster, type DescribeClusterResponse } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { clusterOperationsFor } from '../acl-operations.js';
import { rackOf } from '../replica-selector.js';

export default defineHandler({
  api: DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const { cluster } = ctx;
    const endpointType = req.endpointType ?? 1;
    const base: DescribeClusterResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      endpointType,
      clusterId: cluster.metadata.clusterId,
      controllerId: cluster.controllerId,
      brokers: [],
      clusterAuthorizedOperations: clusterOperationsFor(ctx, !!req.includeClusterAuthorizedOperations),
    };
    if (endpointType !== 1) return { ...base, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: 'Only broker endpoints are available.' };
    base.brokers = cluster
      .brokers()
      .filter((b) => cluster.isLive(b.id))
      .map((b) => {
        const ep = b.endpoints.get(ctx.listener)!;
        return { brokerId: b.id, host: ep.host, port: ep.port, rack: rackOf(cluster.config, b.id) };
      });
    return base;
  },
});
