/**
 * Partition assignors, under the protocol names Kafka's Java client and librdkafka use, so
 * kafka-ts members can share a group with theirs:
 *
 *   range              per topic, consecutive partition ranges; the first members get one extra
 *   roundrobin         all partitions in (topic, partition) order dealt out member by member
 *   sticky             balanced, and keeping each member's previous partitions where possible
 *   cooperative-sticky sticky, but a partition moving between members is first only revoked;
 *                      the new owner gets it in the follow-up rebalance (KIP-429)
 */
export interface MemberSubscription {
  memberId: string;
  groupInstanceId: string | null;
  topics: string[];
  /** Partitions the member owned in the previous generation (subscription v1+). */
  owned: Map<string, number[]>;
  generation: number;
  /** The subscription's user data (what the member's assignor put in; Kafka Streams: its tasks). */
  userData?: Buffer | null;
}

/** Partitions by topic, by member id; `userData` optionally carries per-member assignment user data. */
export type Assignment = Map<string, Map<string, number[]>> & { userData?: Map<string, Buffer> };

export interface Assignor {
  readonly name: string;
  readonly protocol: 'eager' | 'cooperative';
  assign(members: MemberSubscription[], partitionsPerTopic: Map<string, number>): Assignment;
  /** User data for this member's subscription (null when absent). */
  subscriptionUserData?(): Buffer | null;
}

const byMemberId = (a: MemberSubscription, b: MemberSubscription) => {
  // Static members sort by instance id, as Kafka's range assignor does, so restarts keep ranges.
  const ka = a.groupInstanceId ?? a.memberId;
  const kb = b.groupInstanceId ?? b.memberId;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

function emptyAssignment(members: MemberSubscription[]): Assignment {
  return new Map(members.map((m) => [m.memberId, new Map<string, number[]>()]));
}

function add(a: Assignment, memberId: string, topic: string, partition: number) {
  const m = a.get(memberId)!;
  const list = m.get(topic);
  if (list) list.push(partition);
  else m.set(topic, [partition]);
}

export const rangeAssignor: Assignor = {
  name: 'range',
  protocol: 'eager',
  assign(members, partitionsPerTopic) {
    const out = emptyAssignment(members);
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    for (const topic of topics) {
      const n = partitionsPerTopic.get(topic);
      if (!n) continue;
      const subscribers = members.filter((m) => m.topics.includes(topic)).sort(byMemberId);
      const per = Math.floor(n / subscribers.length);
      const extra = n % subscribers.length;
      let next = 0;
      subscribers.forEach((m, i) => {
        const count = per + (i < extra ? 1 : 0);
        for (let k = 0; k < count; k++) add(out, m.memberId, topic, next++);
      });
    }
    return out;
  },
};

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  protocol: 'eager',
  assign(members, partitionsPerTopic) {
    const out = emptyAssignment(members);
    const sorted = [...members].sort(byMemberId);
    const topics = [...new Set(members.flatMap((m) => m.topics))].filter((t) => partitionsPerTopic.get(t)).sort();
    let cursor = 0;
    for (const topic of topics) {
      for (let p = 0; p < partitionsPerTopic.get(topic)!; p++) {
        // The next member in the circle that subscribes to this topic.
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[cursor % sorted.length]!;
          cursor++;
          if (m.topics.includes(topic)) {
            add(out, m.memberId, topic, p);
            break;
          }
        }
      }
    }
    return out;
  },
};

/**
 * The sticky assignment: every member keeps the partitions it owned (when still valid and not
 * claimed by a member with a newer generation) up to its fair share; the rest go, one by one, to
 * the eligible member with the fewest partitions.
 */
function stickyAssign(members: MemberSubscription[], partitionsPerTopic: Map<string, number>): Assignment {
  const out = emptyAssignment(members);
  const counts = new Map(members.map((m) => [m.memberId, 0]));
  const all: [string, number][] = [];
  for (const topic of [...new Set(members.flatMap((m) => m.topics))].sort()) {
    const n = partitionsPerTopic.get(topic) ?? 0;
    for (let p = 0; p < n; p++) all.push([topic, p]);
  }
  const eligible = (topic: string) => members.filter((m) => m.topics.includes(topic));
  // Fair share if every member could take every partition; a member never keeps more than that.
  const maxQuota = Math.ceil(all.length / Math.max(1, members.length));
  // Previous owners by partition; a newer generation wins a conflict.
  const owner = new Map<string, MemberSubscription>();
  for (const m of [...members].sort((a, b) => a.generation - b.generation)) {
    for (const [topic, partitions] of m.owned) for (const p of partitions) owner.set(`${topic}\0${p}`, m);
  }
  const unassigned: [string, number][] = [];
  for (const [topic, p] of all) {
    const m = owner.get(`${topic}\0${p}`);
    if (m && m.topics.includes(topic) && counts.get(m.memberId)! < maxQuota) {
      add(out, m.memberId, topic, p);
      counts.set(m.memberId, counts.get(m.memberId)! + 1);
    } else unassigned.push([topic, p]);
  }
  for (const [topic, p] of unassigned) {
    const candidates = eligible(topic);
    if (candidates.length === 0) continue;
    let best = candidates[0]!;
    for (const c of candidates) {
      const cc = counts.get(c.memberId)!;
      const bc = counts.get(best.memberId)!;
      if (cc < bc || (cc === bc && byMemberId(c, best) < 0)) best = c;
    }
    add(out, best.memberId, topic, p);
    counts.set(best.memberId, counts.get(best.memberId)! + 1);
  }
  // Balance: while some member has two more than another, move one partition across.
  for (let moved = true; moved; ) {
    moved = false;
    const sorted = [...members].sort((a, b) => counts.get(b.memberId)! - counts.get(a.memberId)!);
    const rich = sorted[0];
    const poor = sorted[sorted.length - 1];
    if (!rich || !poor || counts.get(rich.memberId)! - counts.get(poor.memberId)! <= 1) break;
    for (const [topic, parts] of out.get(rich.memberId)!) {
      if (!poor.topics.includes(topic) || parts.length === 0) continue;
      const p = parts.pop()!;
      add(out, poor.memberId, topic, p);
      counts.set(rich.memberId, counts.get(rich.memberId)! - 1);
      counts.set(poor.memberId, counts.get(poor.memberId)! + 1);
      moved = true;
      break;
    }
  }
  for (const m of out.values()) for (const parts of m.values()) parts.sort((a, b) => a - b);
  return out;
}

export const stickyAssignor: Assignor = {
  name: 'sticky',
  protocol: 'eager',
  assign: stickyAssign,
};

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  protocol: 'cooperative',
  assign(members, partitionsPerTopic) {
    const out = stickyAssign(members, partitionsPerTopic);
    // A partition still owned by someone else is not handed over in this round: its owner
    // revokes it first, then rejoins, and the next assignment gives it to the new member.
    const ownedBy = new Map<string, string>();
    for (const m of members) for (const [topic, parts] of m.owned) for (const p of parts) ownedBy.set(`${topic}\0${p}`, m.memberId);
    for (const [memberId, topics] of out) {
      for (const [topic, parts] of topics) {
        topics.set(
          topic,
          parts.filter((p) => {
            const prev = ownedBy.get(`${topic}\0${p}`);
            return prev === undefined || prev === memberId;
          }),
        );
      }
    }
    return out;
  },
};

export const ASSIGNORS: Record<string, Assignor> = {
  range: rangeAssignor,
  roundrobin: roundRobinAssignor,
  sticky: stickyAssignor,
  'cooperative-sticky': cooperativeStickyAssignor,
};

/** Accepts Kafka's class names (org.apache.kafka.clients.consumer.RangeAssignor, …) and short names. */
export function assignorByName(name: string): Assignor | null {
  const n = name.trim();
  const short = n.split('.').pop()!;
  const byClass: Record<string, string> = {
    RangeAssignor: 'range',
    RoundRobinAssignor: 'roundrobin',
    StickyAssignor: 'sticky',
    CooperativeStickyAssignor: 'cooperative-sticky',
  };
  return ASSIGNORS[n] ?? ASSIGNORS[byClass[short] ?? ''] ?? null;
}
