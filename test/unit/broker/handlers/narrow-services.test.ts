/**
 * Handlers reach the broker only through the narrow services in their RequestContext
 * (src/broker/services.ts): each one here runs against a small fake of the service it needs and
 * nothing else, no Broker, no cluster, no disk.
 */
import { describe, expect, it } from 'vitest';
import createPartitions from '../../../../src/broker/handlers/37-create-partitions.js';
import deleteRecords from '../../../../src/broker/handlers/21-delete-records.js';
import heartbeat from '../../../../src/broker/handlers/12-heartbeat.js';
import type { ClusterService, ControllerService, GroupService, PartitionService } from '../../../../src/broker/services.js';
import { changeConfigs, RESOURCE_BROKER, RESOURCE_TOPIC, OP_SET } from '../../../../src/broker/config-changes.js';
import type { PartitionReplica } from '../../../../src/broker/replica.js';
import { ErrorCode } from '../../../../src/protocol/errors.js';
import { contextWith } from '../../../helpers/handler-context.js';

describe('Heartbeat against a fake GroupService', () => {
  it('passes the member to the group service and answers its error code', () => {
    const calls: unknown[][] = [];
    const groups = { heartbeat: (...args: unknown[]) => (calls.push(args), ErrorCode.REBALANCE_IN_PROGRESS) } as unknown as GroupService;
    const res = heartbeat.handle({ groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: null }, contextWith({ groups }));
    expect(res).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.REBALANCE_IN_PROGRESS });
    expect(calls).toEqual([['g', 3, 'm-1', null]]);
  });
});

describe('CreatePartitions against a fake cluster and controller', () => {
  const request = { topics: [{ name: 't', count: 4, assignments: null }], timeoutMs: 1000, validateOnly: false };

  it('answers NOT_CONTROLLER without reaching the controller on a broker that is not the controller', async () => {
    const cluster = { id: 1, controllerId: 2 } as ClusterService;
    const res = await createPartitions.handle(request, contextWith({ cluster }));
    expect(res?.results).toEqual([{ name: 't', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.' }]);
  });

  it('asks the controller on the controller broker and answers its outcome', async () => {
    const cluster = { id: 1, controllerId: 1 } as ClusterService;
    const calls: unknown[][] = [];
    const controller = {
      createPartitionsWithLogs: async (...args: unknown[]) => (calls.push(args), { code: ErrorCode.INVALID_PARTITIONS, message: 'no' }),
    } as unknown as ControllerService;
    const res = await createPartitions.handle(request, contextWith({ cluster, controller }));
    expect(res?.results).toEqual([{ name: 't', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'no' }]);
    expect(calls).toEqual([['t', 4, null, false]]);
  });
});

describe('DeleteRecords against a fake PartitionService', () => {
  function partitionsWith(replica: { highWatermark: number; start: number }, cleanupPolicy = 'delete') {
    const fake = {
      highWatermark: replica.highWatermark,
      logStartOffset: () => replica.start,
      log: { deleteRecordsBefore: (offset: number) => (replica.start = offset) },
      // No followers: the low watermark is the leader's own log start.
      lowWatermark: () => replica.start,
      notify: () => {},
    } as unknown as PartitionReplica;
    const topic = { name: 'mine' };
    return {
      leaderFor: (name: string) => (name === 'mine' ? { replica: fake, state: { leader: 1, replicas: [1], addingReplicas: [] }, topic } : { error: ErrorCode.NOT_LEADER_OR_FOLLOWER }),
      topicConfig: (t: unknown, name: string) => (t === topic && name === 'cleanup.policy' ? cleanupPolicy : ''),
    } as unknown as PartitionService;
  }
  const request = (topic: string, offset: number) => ({ topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset }] }], timeoutMs: 1000 });

  it('moves the log start to the offset asked for (-1: the high watermark)', async () => {
    const replica = { highWatermark: 10, start: 0 };
    const res = await deleteRecords.handle(request('mine', -1), contextWith({ partitions: partitionsWith(replica) }));
    expect(res?.topics[0]!.partitions).toEqual([{ partitionIndex: 0, lowWatermark: 10, errorCode: 0 }]);
    expect(replica.start).toBe(10);
  });

  it('refuses offsets past the high watermark and partitions led elsewhere', async () => {
    const replica = { highWatermark: 10, start: 0 };
    const partitions = partitionsWith(replica);
    const past = await deleteRecords.handle(request('mine', 11), contextWith({ partitions }));
    expect(past?.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const elsewhere = await deleteRecords.handle(request('theirs', 5), contextWith({ partitions }));
    expect(elsewhere?.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(replica.start).toBe(0);
  });

  it('refuses a compact-only topic (POLICY_VIOLATION) and takes compact,delete', async () => {
    const replica = { highWatermark: 10, start: 0 };
    const compact = await deleteRecords.handle(request('mine', 5), contextWith({ partitions: partitionsWith(replica, 'compact') }));
    expect(compact?.topics[0]!.partitions).toEqual([{ partitionIndex: 0, lowWatermark: -1, errorCode: ErrorCode.POLICY_VIOLATION }]);
    expect(replica.start).toBe(0);
    const both = await deleteRecords.handle(request('mine', 5), contextWith({ partitions: partitionsWith(replica, 'compact, delete') }));
    expect(both?.topics[0]!.partitions).toEqual([{ partitionIndex: 0, lowWatermark: 5, errorCode: 0 }]);
  });
});

describe('changeConfigs against a fake cluster and controller', () => {
  const topic = { name: 't', configs: { 'retention.ms': '1000' } };
  const cluster = {
    id: 1,
    metadata: { topic: (name: string) => (name === 't' ? topic : undefined), brokerConfigs: {} },
    brokers: () => [{ id: 1 }],
    topicConfig: () => '',
  } as unknown as ClusterService;

  it('hands a topic’s validated configs to the controller', () => {
    const altered: unknown[][] = [];
    const controller = { alterTopicConfigs: (...args: unknown[]) => (altered.push(args), { code: 0, message: null }) } as unknown as ControllerService;
    const e = changeConfigs(cluster, controller, RESOURCE_TOPIC, 't', [{ name: 'cleanup.policy', op: OP_SET, value: 'compact' }], false, true);
    expect(e).toEqual({ code: 0, message: null });
    expect(altered).toEqual([['t', { 'retention.ms': '1000', 'cleanup.policy': 'compact' }, true]]);
  });

  it('rejects unknown topics and brokers and static broker configs without reaching the controller', () => {
    const controller = {} as ControllerService;
    expect(changeConfigs(cluster, controller, RESOURCE_TOPIC, 'nope', [], false, false).code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(changeConfigs(cluster, controller, RESOURCE_BROKER, '7', [], false, false).code).toBe(ErrorCode.INVALID_REQUEST);
    expect(changeConfigs(cluster, controller, RESOURCE_BROKER, '1', [{ name: 'num.partitions', op: OP_SET, value: '3' }], false, false)).toEqual({ code: ErrorCode.INVALID_REQUEST, message: 'Cannot update these configs dynamically: Set(num.partitions)' });
  });
});
