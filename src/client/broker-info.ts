/**
 * Per-broker questions the admin tools ask: a broker's log directories (DescribeLogDirs, for
 * kafka-ts log-dirs) and the API versions it advertises (ApiVersions, for broker-api-versions).
 * Each request goes to the broker named, so every broker answers for itself.
 */
import { ApiVersions, DescribeLogDirs } from '../protocol/apis/index.js';
import { KafkaProtocolError } from '../protocol/errors.js';
import type { KafkaClient } from './client.js';

export interface LogDirReplica {
  topic: string;
  partition: number;
  size: number;
  offsetLag: number;
  isFuture: boolean;
}

export interface LogDirDescription {
  logDir: string;
  error: KafkaProtocolError | null;
  totalBytes: number;
  usableBytes: number;
  replicas: LogDirReplica[];
}

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** One broker's log directories with the size and lag of each replica; `topics` null asks for every replica. */
export async function describeLogDirs(client: KafkaClient, brokerId: number, topics: { topic: string; partitions: number[] }[] | null): Promise<LogDirDescription[]> {
  const { body } = await client.send(brokerId, DescribeLogDirs, { topics });
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode);
  return body.results.map((d) => ({
    logDir: d.logDir,
    error: d.errorCode ? new KafkaProtocolError(d.errorCode) : null,
    totalBytes: d.totalBytes ?? -1,
    usableBytes: d.usableBytes ?? -1,
    replicas: d.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, size: p.partitionSize, offsetLag: p.offsetLag, isFuture: p.isFutureKey }))),
  }));
}

/** The API version ranges one broker advertises. */
export async function brokerApiVersions(client: KafkaClient, brokerId: number): Promise<ApiVersionRange[]> {
  const { body } = await client.send(brokerId, ApiVersions, (v) => (v >= 3 ? { clientSoftwareName: 'kafka-ts', clientSoftwareVersion: '0.1.0' } : {}));
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode);
  return body.apiKeys.map((k) => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion }));
}
