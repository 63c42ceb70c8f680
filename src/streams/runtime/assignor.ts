/**
 * The Streams-aware assignor (protocol name `stream`, as Kafka Streams'): it assigns tasks, not
 * partitions. A task is a (sub-topology, partition) pair; all its source partitions go to one
 * member. Counts are balanced (no member has two more tasks than another), and a task stays with
 * the member that ran it in the previous generation, else goes preferably to a member that has
 * its state on disk — both told by the subscription's user data.
 *
 * User data (JSON): subscription `{ v: 1, process, prev: ["0_1", ...], state: ["0_2", ...] }`;
 * assignment `{ v: 1, tasks: ["0_1", ...] }`.
 */
import type { Assignment, Assignor, MemberSubscription } from '../../client/consumer/assignors.js';
import type { TaskId } from '../api.js';
import { taskIdString } from '../api.js';

export interface TaskSources {
  id: TaskId;
  /** Real topic names (internal ones prefixed) and the partition. */
  partitions: { topic: string; partition: number }[];
}

/** Sub-topology id → its source topics (real names). */
export type SourcesBySubtopology = Map<number, string[]>;

/** The tasks of a topology given partition counts: one per partition of the sub-topology's widest source. */
export function tasksOf(sources: SourcesBySubtopology, partitionsPerTopic: Map<string, number>): TaskSources[] {
  const out: TaskSources[] = [];
  for (const [subtopology, topics] of [...sources].sort((a, b) => a[0] - b[0])) {
    const n = Math.max(0, ...topics.map((t) => partitionsPerTopic.get(t) ?? 0));
    for (let p = 0; p < n; p++) {
      out.push({ id: { subtopology, partition: p }, partitions: topics.filter((t) => p < (partitionsPerTopic.get(t) ?? 0)).map((topic) => ({ topic, partition: p })) });
    }
  }
  return out;
}

export interface StreamsUserData {
  process: string;
  prev: string[];
  state: string[];
}

function parseUserData(b: Buffer | null | undefined): StreamsUserData {
  try {
    if (b && b.length > 0) {
      const j = JSON.parse(b.toString('utf8')) as Partial<StreamsUserData>;
      return { process: String(j.process ?? ''), prev: Array.isArray(j.prev) ? j.prev.map(String) : [], state: Array.isArray(j.state) ? j.state.map(String) : [] };
    }
  } catch {
    /* a member of another kind: no history */
  }
  return { process: '', prev: [], state: [] };
}

/** Balanced, sticky task assignment; members sorted by id for determinism. */
export function assignTasks(taskIds: string[], members: { id: string; prev: string[]; state: string[] }[]): Map<string, string[]> {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out = new Map(sorted.map((m) => [m.id, [] as string[]]));
  if (sorted.length === 0) return out;
  const max = Math.ceil(taskIds.length / sorted.length);
  const valid = new Set(taskIds);
  const taken = new Set<string>();
  // 1. previous owners keep their tasks up to the fair share.
  for (const m of sorted) {
    for (const t of m.prev) {
      if (!valid.has(t) || taken.has(t) || out.get(m.id)!.length >= max) continue;
      out.get(m.id)!.push(t);
      taken.add(t);
    }
  }
  // 2. the rest: a member with the task's state on disk if it has room, else the least loaded.
  for (const t of taskIds) {
    if (taken.has(t)) continue;
    let best = sorted.find((m) => m.state.includes(t) && out.get(m.id)!.length < max);
    if (!best) for (const m of sorted) if (!best || out.get(m.id)!.length < out.get(best.id)!.length) best = m;
    out.get(best!.id)!.push(t);
    taken.add(t);
  }
  // 3. balance: move from the richest to the poorest while they differ by two or more.
  for (;;) {
    const byLoad = [...sorted].sort((a, b) => out.get(b.id)!.length - out.get(a.id)!.length);
    const rich = out.get(byLoad[0]!.id)!;
    const poor = out.get(byLoad[byLoad.length - 1]!.id)!;
    if (rich.length - poor.length <= 1) break;
    poor.push(rich.pop()!);
  }
  return out;
}

/**
 * The assignor for one instance. `sources` maps sub-topologies to their real source topic names;
 * `userData` says what this member ran and has on disk.
 */
export function streamsAssignor(sources: SourcesBySubtopology, userData: () => StreamsUserData): Assignor & { lastTasks: string[] } {
  const self = {
    name: 'stream',
    protocol: 'eager' as const,
    lastTasks: [] as string[],
    subscriptionUserData: () => Buffer.from(JSON.stringify({ v: 1, ...userData() })),
    assign(members: MemberSubscription[], partitionsPerTopic: Map<string, number>): Assignment {
      const tasks = tasksOf(sources, partitionsPerTopic);
      const byId = new Map(tasks.map((t) => [taskIdString(t.id), t]));
      const plan = assignTasks(
        tasks.map((t) => taskIdString(t.id)),
        members.map((m) => ({ id: m.memberId, ...parseUserData(m.userData) })),
      );
      const out: Assignment = new Map();
      out.userData = new Map();
      for (const m of members) {
        const topics = new Map<string, number[]>();
        const mine = plan.get(m.memberId) ?? [];
        for (const id of mine) for (const p of byId.get(id)!.partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
        for (const ps of topics.values()) ps.sort((a, b) => a - b);
        out.set(m.memberId, topics);
        out.userData.set(m.memberId, Buffer.from(JSON.stringify({ v: 1, tasks: mine })));
      }
      return out;
    },
  };
  return self;
}
