/**
 * DescribeQuorum (55), v0-2: the metadata quorum of `__cluster_metadata` partition 0, as a KRaft
 * broker forwards it from the controller. The daemon's quorum is described in
 * metadata/quorum.ts: every logical broker is a voter (combined mode), the controller leads.
 * Errors as Kafka: CLUSTER_AUTHORIZATION_FAILED without DESCRIBE on the cluster (top level);
 * UNKNOWN_TOPIC_OR_PARTITION for each partition of a request that is not exactly
 * `__cluster_metadata`-0. No voter directory ids (v2) or controller endpoints: the daemon has
 * neither, and Kafka's tool then prints the voters by id only.
 */
import { DescribeQuorum, type DescribeQuorumRequest, type DescribeQuorumResponse } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, clusterAllowed } from '../security/authorizer.js';

export const METADATA_TOPIC = '__cluster_metadata';
const NO_DIRECTORY = Buffer.alloc(16);

const partitionErrors = (req: DescribeQuorumRequest, errorCode: number): DescribeQuorumResponse['topics'] =>
  req.topics.map((t) => ({
    topicName: t.topicName,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      errorCode,
      errorMessage: null,
      leaderId: -1,
      leaderEpoch: -1,
      highWatermark: -1,
      currentVoters: [],
      observers: [],
    })),
  }));

export default defineHandler({
  api: DescribeQuorum,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    if (!clusterAllowed(ctx, AclOp.DESCRIBE)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, topics: [], nodes: [] };
    const valid = req.topics.length === 1 && req.topics[0]!.topicName === METADATA_TOPIC && req.topics[0]!.partitions.length === 1 && req.topics[0]!.partitions[0]!.partitionIndex === 0;
    if (!valid) return { errorCode: 0, errorMessage: null, topics: partitionErrors(req, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), nodes: [] };
    const q = ctx.cluster.quorum();
    const replica = (r: (typeof q.voters)[number]) => ({ ...r, replicaDirectoryId: NO_DIRECTORY });
    return {
      errorCode: 0,
      errorMessage: null,
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              errorMessage: null,
              leaderId: q.leaderId,
              leaderEpoch: q.leaderEpoch,
              highWatermark: q.highWatermark,
              currentVoters: q.voters.map(replica),
              observers: q.observers.map(replica),
            },
          ],
        },
      ],
      nodes: [],
    };
  },
});
