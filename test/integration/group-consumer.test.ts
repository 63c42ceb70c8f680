/**
 * GroupConsumer against an in-process broker: new partitions and topics reach a running member
 * (metadata.max.age.ms), and its state stays right through rebalances and failures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import type { KafkaClient } from '../../src/client/client.js';
import { GroupConsumer } from '../../src/client/consumer/group-consumer.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Producer } from '../../src/client/producer/producer.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let broker: TestBroker;
let client: KafkaClient;
let admin: Admin;

beforeAll(async () => {
  broker = await startBroker();
  client = broker.client('group-consumer');
  admin = new Admin(client);
});
afterAll(async () => {
  await broker?.close();
});

async function createTopic(name: string, partitions = 1): Promise<void> {
  const [r] = await admin.createTopics([{ name, partitions, replicationFactor: 1 }]);
  expect(r!.error).toBeNull();
}

/** Produces with a client of its own (its metadata is fresh; the consumer's is its own business). */
async function produce(topic: string, partition: number, ...values: string[]): Promise<void> {
  const p = new Producer(broker.client('producer'), { lingerMs: 0 });
  await Promise.all(values.map((v) => p.send({ topic, partition, value: Buffer.from(v) })));
  await p.close();
}

type Send = (...args: unknown[]) => Promise<unknown>;

/** Puts `wrap` around a client's requests: it gets each request's API name, its arguments and the real send. */
function interceptSend(c: KafkaClient, wrap: (api: string, args: unknown[], send: Send) => Promise<unknown>): void {
  const send = c.send.bind(c) as Send;
  (c as unknown as { send: Send }).send = (...args: unknown[]) => wrap((args[1] as { name: string }).name, args, send);
}

/** Polls until `want` is among what was read (as topic:partition:value), or fails after `ms` saying what was read. */
async function readUntil(c: GroupConsumer, want: string[], ms = 15_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + ms;
  while (!want.every((w) => seen.includes(w))) {
    if (Date.now() > deadline) throw new Error(`wanted ${want.join(' ')}; read ${seen.join(' ') || 'nothing'}, assigned ${c.assignment().map((p) => `${p.topic}-${p.partition}`).join(' ')}`);
    for (const r of await c.poll(100)) seen.push(`${r.topic}:${r.partition}:${r.value!.toString()}`);
  }
  return seen;
}

describe('a running member picks up new partitions and topics (metadata.max.age.ms)', () => {
  it('metadata.max.age.ms: the leader rejoins when a subscribed topic gets partitions, and reads them', async () => {
    await createTopic('grows');
    await produce('grows', 0, 'a');
    const c = new GroupConsumer(client, { groupId: 'grows-g', autoOffsetReset: 'earliest', maxWaitMs: 50, metadataMaxAgeMs: 200 });
    c.subscribe(['grows']);
    try {
      await readUntil(c, ['grows:0:a']);
      expect((await admin.createPartitions('grows', 2, null)).error).toBeNull();
      await produce('grows', 1, 'b');
      await readUntil(c, ['grows:1:b']);
      expect(c.assignment().map((p) => p.partition).sort()).toEqual([0, 1]);
    } finally {
      await c.close();
    }
  });

  it('a pattern subscription rejoins when a new topic matches, and reads it', async () => {
    await createTopic('matched-a');
    await produce('matched-a', 0, 'a');
    const c = new GroupConsumer(client, { groupId: 'matched-g', autoOffsetReset: 'earliest', maxWaitMs: 50, metadataMaxAgeMs: 200 });
    c.subscribe(/^matched-.*$/);
    try {
      await readUntil(c, ['matched-a:0:a']);
      await createTopic('matched-b');
      await produce('matched-b', 0, 'b');
      await readUntil(c, ['matched-b:0:b']);
      expect(c.assignment().map((p) => p.topic).sort()).toEqual(['matched-a', 'matched-b']);
    } finally {
      await c.close();
    }
  });
});

describe('close()', () => {
  it('commits while a rejoin is pending: the broker takes commits of the current generation during PreparingRebalance', async () => {
    await createTopic('pending');
    await produce('pending', 0, 'a', 'b', 'c');
    // Member A's client reports the heartbeat answers it gets.
    const aClient = broker.client('pending-a');
    const heartbeats: number[] = [];
    const send = aClient.send.bind(aClient) as (...args: unknown[]) => Promise<{ body: { errorCode?: number } }>;
    (aClient as unknown as { send: typeof send }).send = async (...args: unknown[]) => {
      const res = await send(...args);
      if ((args[1] as { name: string }).name === 'Heartbeat') heartbeats.push(res.body.errorCode ?? 0);
      return res;
    };
    const a = new GroupConsumer(aClient, { groupId: 'pending-g', autoOffsetReset: 'earliest', maxWaitMs: 50, heartbeatIntervalMs: 100, autoCommitIntervalMs: 600_000 });
    a.subscribe(['pending']);
    const b = new GroupConsumer(broker.client('pending-b'), { groupId: 'pending-g', autoOffsetReset: 'earliest', maxWaitMs: 50, heartbeatIntervalMs: 100 });
    try {
      await readUntil(a, ['pending:0:a', 'pending:0:b', 'pending:0:c']);
      // B joins: the group prepares a rebalance (B's JoinGroup waits for A), and A's heartbeat is told.
      b.subscribe(['pending']);
      const bJoined = b.poll(100);
      const deadline = Date.now() + 15_000;
      while (!heartbeats.includes(ErrorCode.REBALANCE_IN_PROGRESS)) {
        if (Date.now() > deadline) throw new Error(`A was never told of the rebalance; heartbeat answers: ${heartbeats.join(' ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await a.close();
      expect((await new GroupAdmin(client).fetchOffsets('pending-g')).map((o) => o.offset)).toEqual([3]);
      await bJoined;
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('a failed start of assigned partitions', () => {
  it('leaves the member in the group with its partitions, heartbeating, and the next poll starts them', async () => {
    await createTopic('restart');
    await produce('restart', 0, 'a');
    // The member's first OffsetFetch (where its new partition starts) fails.
    const memberClient = broker.client('restart-m');
    const sent: string[] = [];
    let failed = false;
    const send = memberClient.send.bind(memberClient) as (...args: unknown[]) => Promise<unknown>;
    (memberClient as unknown as { send: typeof send }).send = async (...args: unknown[]) => {
      const api = (args[1] as { name: string }).name;
      sent.push(api);
      if (api === 'OffsetFetch' && !failed) {
        failed = true;
        throw new Error('OffsetFetch failed (injected)');
      }
      return send(...args);
    };
    const c = new GroupConsumer(memberClient, { groupId: 'restart-g', autoOffsetReset: 'earliest', maxWaitMs: 50, heartbeatIntervalMs: 100 });
    c.subscribe(['restart']);
    try {
      await expect(c.poll(100)).rejects.toThrow('OffsetFetch failed (injected)');
      expect({ generation: c.generationId >= 0, assigned: c.assignment() }).toEqual({ generation: true, assigned: [{ topic: 'restart', partition: 0 }] });
      // It heartbeats (it would otherwise be dropped from the group after session.timeout.ms).
      const from = sent.length;
      const deadline = Date.now() + 10_000;
      while (!sent.slice(from).includes('Heartbeat')) {
        if (Date.now() > deadline) throw new Error(`no heartbeat after the failed start; sent since: ${sent.slice(from).join(' ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      // The next poll starts the partition and reads it, without joining again.
      const joins = sent.filter((s) => s === 'JoinGroup').length;
      await readUntil(c, ['restart:0:a']);
      expect(sent.filter((s) => s === 'JoinGroup').length).toBe(joins);
    } finally {
      await c.close();
    }
  });
});

describe('close(), bounded in time', () => {
  it('gives up after its timeout (Kafka: 30 s) when the broker does not answer the commit and the leave, and says it did', async () => {
    await createTopic('closing');
    await produce('closing', 0, 'a');
    // A coordinator that stopped answering: the final OffsetCommit and LeaveGroup never come back.
    const memberClient = broker.client('closing-m');
    let hanging = false;
    interceptSend(memberClient, (api, args, send) => (hanging && (api === 'OffsetCommit' || api === 'LeaveGroup') ? new Promise(() => undefined) : send(...args)));
    const c = new GroupConsumer(memberClient, { groupId: 'closing-g', autoOffsetReset: 'earliest', maxWaitMs: 50 });
    c.subscribe(['closing']);
    await readUntil(c, ['closing:0:a']);
    hanging = true;
    const started = Date.now();
    expect(await c.close(500)).toEqual({ commit: 'timed-out' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('with its broker up commits and leaves, and says so', async () => {
    await createTopic('closing-up');
    await produce('closing-up', 0, 'a');
    const c = new GroupConsumer(client, { groupId: 'closing-up-g', autoOffsetReset: 'earliest', maxWaitMs: 50 });
    c.subscribe(['closing-up']);
    await readUntil(c, ['closing-up:0:a']);
    expect(await c.close()).toEqual({ commit: 'done' });
    const committed = await new GroupAdmin(client).fetchOffsets('closing-up-g');
    expect(committed.find((o) => o.topic === 'closing-up' && o.partition === 0)?.offset).toBe(1);
  });
});

describe('abandonPoll() (a consumer told to stop)', () => {
  it('the poll under way returns nothing and moves no position, though its answer brings records: the close commits only what was read', async () => {
    await createTopic('abandoned');
    await produce('abandoned', 0, 'a');
    // The member's next Fetch is held: its answer (with the record already produced) is given to
    // the consumer only when the test says, after the Fetch went out.
    const memberClient = broker.client('abandoned-m');
    let hold: { sent: () => void; release: Promise<void> } | null = null;
    interceptSend(memberClient, async (api, args, send) => {
      const held = api === 'Fetch' ? hold : null;
      if (held) hold = null;
      const answer = await send(...args);
      if (held) {
        held.sent();
        await held.release;
      }
      return answer;
    });
    const c = new GroupConsumer(memberClient, { groupId: 'abandoned-g', autoOffsetReset: 'earliest', maxWaitMs: 50 });
    c.subscribe(['abandoned']);
    await readUntil(c, ['abandoned:0:a']);
    // First as it is (the record comes back: the set-up is what it claims), then abandoned while
    // its answer is held.
    const heldPoll = async (abandon: boolean, value: string) => {
      await produce('abandoned', 0, value);
      let release!: () => void;
      const sent = new Promise<void>((resolve) => (hold = { sent: resolve, release: new Promise<void>((r) => (release = r)) }));
      const pending = c.poll(1_000);
      await sent;
      if (abandon) c.abandonPoll();
      release();
      return (await pending).map((r) => r.value!.toString());
    };
    expect(await heldPoll(false, 'b')).toEqual(['b']);
    expect(await heldPoll(true, 'c')).toEqual([]);
    expect(c.positions().map((p) => [p.partition, p.position])).toEqual([[0, 2]]);
    expect(await c.close()).toEqual({ commit: 'done' });
    // The group goes on from 'c': nothing was skipped.
    const next = new GroupConsumer(client, { groupId: 'abandoned-g', autoOffsetReset: 'earliest', maxWaitMs: 50 });
    next.subscribe(['abandoned']);
    try {
      expect(await readUntil(next, ['abandoned:0:c'])).toEqual(['abandoned:0:c']);
    } finally {
      await next.close();
    }
  });

  it('a final commit the broker refuses is reported by close(), not taken for done', async () => {
    await createTopic('refused');
    await produce('refused', 0, 'a');
    const memberClient = broker.client('refused-m');
    let refuse = false;
    interceptSend(memberClient, (api, args, send) => (refuse && api === 'OffsetCommit' ? Promise.reject(new Error('OffsetCommit refused (injected)')) : send(...args)));
    const c = new GroupConsumer(memberClient, { groupId: 'refused-g', autoOffsetReset: 'earliest', maxWaitMs: 50 });
    c.subscribe(['refused']);
    await readUntil(c, ['refused:0:a']);
    refuse = true;
    const closed = await c.close();
    expect(closed.commit === 'failed' && closed.error.message).toBe('OffsetCommit refused (injected)');
  });
});
