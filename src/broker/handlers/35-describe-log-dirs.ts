/**
 * DescribeLogDirs (35), v0-4. This broker's log directory (kafka-ts brokers have one each) with
 * the size of every replica it hosts and how far each is behind its leader's log end; reassignment
 * progress is read from these sizes. v4 adds the directory's total and usable bytes. Needs
 * DESCRIBE on the cluster (else CLUSTER_AUTHORIZATION_FAILED from v3, an empty answer before).
 * A log dir taken offline by an I/O error is answered as Kafka answers it: KAFKA_STORAGE_ERROR,
 * no topics, sizes unknown (-1).
 */
import { statfsSync } from 'node:fs';
import { DescribeLogDirs, type DescribeLogDirsResponse } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOp, clusterAllowed } from '../security/authorizer.js';

export default defineHandler({
  api: DescribeLogDirs,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    if (!clusterAllowed(ctx, AclOp.DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    const { partitions, cluster } = ctx;
    // An offline log dir (an I/O error took it offline) is listed with its error and nothing in it.
    if (partitions.logDirState.offline) {
      return { throttleTimeMs: 0, errorCode: 0, results: [{ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: partitions.logDir, topics: [], totalBytes: -1, usableBytes: -1 }] };
    }
    const wanted = req.topics ? new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)])) : null;
    const byTopic = new Map<string, DescribeLogDirsResponse['results'][number]['topics'][number]['partitions']>();
    for (const r of partitions.replicas.values()) {
      if (wanted && !wanted.get(r.topic)?.has(r.partition)) continue;
      const s = cluster.metadata.topic(r.topic)?.partitions[r.partition];
      const leader = s && s.leader >= 0 ? cluster.brokers().find((b) => b.id === s.leader)?.replica(r.topic, r.partition) : undefined;
      const lag = leader ? Math.max(0, leader.logEndOffset() - r.logEndOffset()) : 0;
      byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), { partitionIndex: r.partition, partitionSize: r.log.sizeInBytes(), offsetLag: lag, isFutureKey: false }]);
    }
    let totalBytes = -1;
    let usableBytes = -1;
    try {
      const fs = statfsSync(partitions.logDir);
      totalBytes = Number(fs.blocks) * Number(fs.bsize);
      usableBytes = Number(fs.bavail) * Number(fs.bsize);
    } catch {
      /* sizes stay unknown (-1) */
    }
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      results: [
        {
          errorCode: 0,
          logDir: partitions.logDir,
          topics: [...byTopic].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex) })),
          totalBytes,
          usableBytes,
        },
      ],
    };
  },
});
