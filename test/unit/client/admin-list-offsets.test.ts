/**
 * Admin.listOffsets with a deadline (consumers starting up): partitions whose leader is moving
 * or not elected yet, or cannot be reached, are asked again with fresh metadata until the
 * deadline, as Kafka's clients retry within default.api.timeout.ms; without one, one attempt.
 */
import { describe, expect, it } from 'vitest';
import { Admin } from '../../../src/client/admin.js';
import type { KafkaClient } from '../../../src/client/client.js';
import { ErrorCode, KafkaProtocolError } from '../../../src/protocol/errors.js';
import { ConnectionError } from '../../../src/transport/client-connection.js';

/** One scripted step of a partition's lookup: a leader error, a ListOffsets error code, a connection failure, or the offset. */
type Step = { noLeader: true } | { code: number } | { unreachable: true } | { offset: number };

/** A client whose leader lookups and ListOffsets answers follow `steps` (the last one repeats). */
function scripted(steps: Step[]) {
  let i = 0;
  const step = () => steps[Math.min(i, steps.length - 1)]!;
  const calls = { metadata: 0, listOffsets: 0 };
  const client = {
    retryBackoffMs: 5,
    connectTimeoutMs: 1000,
    async refreshMetadata() {
      calls.metadata++;
      return { topics: new Map() };
    },
    async leaderFor() {
      const s = step();
      if ('noLeader' in s) {
        i++;
        throw new KafkaProtocolError(ErrorCode.LEADER_NOT_AVAILABLE);
      }
      return 1;
    },
    async send(_leader: number, api: { name: string }, body: { topics: { name: string; partitions: { partitionIndex: number }[] }[] }) {
      expect(api.name).toBe('ListOffsets');
      calls.listOffsets++;
      const s = step();
      i++;
      if ('unreachable' in s) throw new ConnectionError('connect ECONNREFUSED 127.0.0.1:1', '127.0.0.1:1', 'ECONNREFUSED');
      const code = 'code' in s ? s.code : 0;
      const offset = 'offset' in s ? s.offset : -1;
      return { body: { topics: body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code, offset, timestamp: -1 })) })) }, version: 7 };
    },
  };
  return { admin: new Admin(client as unknown as KafkaClient), calls };
}

const one = [{ topic: 't', partition: 0, timestamp: -2 }];
const answer = (r: { offset: number; error: KafkaProtocolError | null }[]) => r.map((x) => ({ offset: x.offset, error: x.error?.code ?? null }));

describe('Admin.listOffsets at start-up', () => {
  it('asks again, with fresh metadata, while the leader is moving or not elected, until it answers', async () => {
    const { admin, calls } = scripted([{ noLeader: true }, { code: ErrorCode.NOT_LEADER_OR_FOLLOWER }, { code: ErrorCode.OFFSET_NOT_AVAILABLE }, { offset: 42 }]);
    expect(answer(await admin.listOffsets(one, 0, Date.now() + 5000))).toEqual([{ offset: 42, error: null }]);
    expect(calls).toEqual({ metadata: 4, listOffsets: 3 });
  });

  it('asks again when the leader cannot be reached', async () => {
    const { admin } = scripted([{ unreachable: true }, { offset: 7 }]);
    expect(answer(await admin.listOffsets(one, 0, Date.now() + 5000))).toEqual([{ offset: 7, error: null }]);
  });

  it('past the deadline, returns the last error (a leader never reached: its connection error)', async () => {
    const moving = scripted([{ code: ErrorCode.NOT_LEADER_OR_FOLLOWER }]);
    expect(answer(await moving.admin.listOffsets(one, 0, Date.now() + 50))).toEqual([{ offset: -1, error: ErrorCode.NOT_LEADER_OR_FOLLOWER }]);
    expect(moving.calls.listOffsets).toBeGreaterThan(1);
    const gone = scripted([{ unreachable: true }]);
    await expect(gone.admin.listOffsets(one, 0, Date.now() + 50)).rejects.toThrow(ConnectionError);
  });

  it('does not retry an error that will not go away, nor without a deadline', async () => {
    const denied = scripted([{ code: ErrorCode.TOPIC_AUTHORIZATION_FAILED }, { offset: 1 }]);
    expect(answer(await denied.admin.listOffsets(one, 0, Date.now() + 5000))).toEqual([{ offset: -1, error: ErrorCode.TOPIC_AUTHORIZATION_FAILED }]);
    const once = scripted([{ code: ErrorCode.NOT_LEADER_OR_FOLLOWER }, { offset: 1 }]);
    expect(answer(await once.admin.listOffsets(one))).toEqual([{ offset: -1, error: ErrorCode.NOT_LEADER_OR_FOLLOWER }]);
    expect(once.calls.listOffsets).toBe(1);
  });
});
