/**
 * One classic consumer group: members, generation, chosen protocol, leader, and the parked
 * JoinGroup/SyncGroup responses. The transitions live in GroupStateMachine and are checked against
 * the table in group-state.ts; this is the state they work on. Committed offsets live in the
 * OffsetStore.
 */
import { IllegalGroupTransition, canTransition, type GroupState } from './group-state.js';

export type { GroupState } from './group-state.js';

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  skipAssignment: boolean;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  assignment: Buffer;
  /** A parked JoinGroup waiting for the join phase to complete. */
  awaitingJoin: ((r: JoinResult) => void) | null;
  /** A parked SyncGroup waiting for the leader's assignment. */
  awaitingSync: ((r: SyncResult) => void) | null;
  sessionTimer: NodeJS.Timeout | null;
  /** JoinGroup version of the member's last join (skip_assignment needs v9). */
  joinVersion: number;
}

export class ClassicGroup {
  state: GroupState = 'Empty';
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their expiry timers. */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  /** group.instance.id -> member id. */
  readonly staticMembers = new Map<string, string>();
  /**
   * Offset commits (plain or transactional) whose write is under way: the group has offsets
   * coming, so the retention check must not remove it meanwhile (Kafka's pendingOffsetCommits).
   */
  commitsInFlight = 0;
  joinTimer: NodeJS.Timeout | null = null;
  syncTimer: NodeJS.Timeout | null = null;
  /** When the current join phase must end at the latest (initial delay bound). */
  joinDeadline = 0;
  stateTimestamp = Date.now();
  /** Since when the group has had no members (offset retention). */
  emptySince: number = Date.now();

  constructor(readonly groupId: string) {}

  /** Moves to another state; a move the transition table does not allow is a bug and throws. */
  transition(to: GroupState) {
    if (!canTransition(this.state, to)) throw new IllegalGroupTransition(this.groupId, this.state, to);
    this.enter(to);
  }

  /** Takes the state a group was restored in from __consumer_offsets (no transition happened). */
  restore(state: GroupState) {
    this.enter(state);
  }

  private enter(to: GroupState) {
    this.state = to;
    this.stateTimestamp = Date.now();
    if (to === 'Empty') this.emptySince = Date.now();
  }

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  hasAllMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (!m.awaitingJoin) return false;
    return true;
  }

  /** The longest rebalance timeout among members (Kafka waits that long for joins). */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Protocols every member supports, in the first member's order of preference. */
  candidateProtocols(): string[] {
    const members = [...this.members.values()];
    if (members.length === 0) return [];
    return members[0]!.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /** Would a member with these protocols share at least one protocol with everyone else? */
  supportsProtocols(protocolType: string, protocols: Protocol[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    return this.candidateProtocols().some((c) => protocols.some((p) => p.name === c));
  }

  /** Kafka's vote: each member votes for its most preferred candidate; the most votes win. */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => votes.has(p.name))!;
      votes.set(choice.name, votes.get(choice.name)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  metadataFor(m: Member, protocol: string): Buffer {
    return m.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  clearJoinTimer() {
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.joinTimer = null;
  }

  clearSyncTimer() {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
  }

  /** Stops every timer (group deleted or coordinator moving away). */
  shutdown() {
    this.clearJoinTimer();
    this.clearSyncTimer();
    for (const m of this.members.values()) if (m.sessionTimer) clearTimeout(m.sessionTimer);
    for (const t of this.pendingMembers.values()) clearTimeout(t);
  }
}
