/**
 * The "consumer" embedded protocol: the subscription a member sends in JoinGroup metadata and the
 * assignment the leader returns in SyncGroup, each an int16 version followed by the struct.
 */
import { ConsumerProtocolAssignment, ConsumerProtocolSubscription, type ConsumerProtocolAssignmentData, type ConsumerProtocolSubscriptionData } from './data/index.js';
import { Reader, Writer } from './primitives.js';
import { compileStruct, decodeStruct } from './schema.js';

export type Subscription = ConsumerProtocolSubscriptionData;
export type Assignment = ConsumerProtocolAssignmentData;

export function encodeSubscription(s: Subscription, version = 1): Buffer {
  const w = new Writer(64);
  w.int16(version);
  compileStruct(ConsumerProtocolSubscription.fields, version, false).encode(w, s);
  return w.toBuffer();
}

/** `maxElements`: the most array elements (topics, owned partitions) to decode before throwing (ArrayBudgetExceeded). */
export function decodeSubscription(buf: Buffer, maxElements = Infinity): Subscription {
  const r = new Reader(buf).limitElements(maxElements);
  const version = r.int16();
  // Newer versions only add fields at the end: read what this schema knows.
  const v = Math.min(Math.max(version, 0), ConsumerProtocolSubscription.versions[1]);
  return decodeStruct(ConsumerProtocolSubscription, v, r);
}

export function encodeAssignment(a: Assignment, version = 0): Buffer {
  const w = new Writer(64);
  w.int16(version);
  compileStruct(ConsumerProtocolAssignment.fields, version, false).encode(w, a);
  return w.toBuffer();
}

export function decodeAssignment(buf: Buffer): Assignment {
  if (buf.length === 0) return { assignedPartitions: [], userData: null };
  const r = new Reader(buf);
  const version = r.int16();
  const v = Math.min(Math.max(version, 0), ConsumerProtocolAssignment.versions[1]);
  return decodeStruct(ConsumerProtocolAssignment, v, r);
}
