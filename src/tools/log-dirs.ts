/**
 * kafka-ts log-dirs (kafka-log-dirs.sh): every chosen broker describes its own log directories
 * (DescribeLogDirs sent to that broker); Kafka's three lines, the last one the JSON document.
 */
import type { Admin } from '../client/admin.js';
import type { KafkaClient } from '../client/client.js';
import { describeLogDirs } from '../client/broker-info.js';
import { NotFoundError, UsageError } from '../util/errors.js';
import { exceptionClass } from './kafka-exceptions.js';

/** A comma-separated list option (--topic-list, --broker-list); empty entries dropped. */
export const listOf = (v: string | undefined): string[] => (v === undefined ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== ''));

export function parseBrokerList(v: string | undefined): number[] {
  const ids = listOf(v);
  for (const id of ids) if (!/^-?\d+$/.test(id)) throw new UsageError(`Cannot parse argument '${v}' of option broker-list`);
  return ids.map(Number);
}

export interface LogDirsDocument {
  brokers: {
    broker: number;
    logDirs: { partitions: { partition: string; size: number; offsetLag: number; isFuture: boolean }[]; error: string | null; logDir: string }[];
  }[];
  version: 1;
}

/** Kafka's document for the brokers asked (all when `brokerIds` is empty), replicas of `topics` only (all when empty). */
export async function describeLogDirsOf(admin: Admin, client: KafkaClient, brokerIds: number[], topics: string[]): Promise<{ brokers: number[]; doc: LogDirsDocument }> {
  const cluster = (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  // Kafka holds --broker-list in a set of integers, which it prints (and asks) in ascending order, each once.
  const asked = [...new Set(brokerIds)].sort((a, b) => a - b);
  const missing = asked.filter((id) => !cluster.includes(id));
  if (missing.length) throw new NotFoundError(`The given brokers do not exist from --broker-list: ${missing.join(',')}. Current existent brokers: ${cluster.join(',')}`);
  const ids = asked.length ? asked : cluster;
  const wanted = new Set(topics);
  const brokers = await Promise.all(
    ids.map(async (broker) => ({
      broker,
      logDirs: (await describeLogDirs(client, broker, null)).map((d) => ({
        partitions: d.replicas
          .filter((r) => wanted.size === 0 || wanted.has(r.topic))
          .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
          .map((r) => ({ partition: `${r.topic}-${r.partition}`, size: r.size, offsetLag: r.offsetLag, isFuture: r.isFuture })),
        error: d.error ? exceptionClass(d.error.errorName) : null,
        logDir: d.logDir,
      })),
    })),
  );
  return { brokers: ids, doc: { brokers, version: 1 } };
}


export function logDirsView(r: { brokers: number[]; doc: LogDirsDocument }) {
  return {
    data: r.doc,
    text: () => ['Querying brokers for log directories information', `Received log directory information from brokers ${r.brokers.join(',')}`, JSON.stringify(r.doc)],
  };
}
