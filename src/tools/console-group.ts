/**
 * console-consumer --group: joins the group with Kafka's consumer properties, prints through the
 * same loop as the assign mode, and on the way out moves positions back over records it fetched
 * but did not print, commits (auto-commit) and leaves the group.
 */
import type { KafkaClient } from '../client/client.js';
import type { ConsumedRecord, FetcherOptions } from '../client/consumer/fetcher.js';
import { CLOSE_TIMEOUT_MS, GroupConsumer } from '../client/consumer/group-consumer.js';
import { assignorByName, type Assignor } from '../client/consumer/assignors.js';
import { ASSIGNOR_CLASSES } from '../client/config/consumer.js';
import { UsageError } from '../util/errors.js';
import { noneConsumed, printLoop, type ConsumeOptions, type ConsumeResult, type ConsumerIO } from './console-consumer.js';
import type { OffsetSpec } from './offset-spec.js';

function intProp(props: Record<string, string>, key: string, def: number): number {
  const v = props[key];
  if (v === undefined) return def;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`Invalid value ${v} for configuration ${key}: Not a number of type INT`);
  return Number(v);
}

const SUPPORTED_ASSIGNORS = `${Object.keys(ASSIGNOR_CLASSES).filter((c) => c.startsWith('org.')).join(', ')} (or librdkafka's names ${[...new Set(Object.values(ASSIGNOR_CLASSES))].join(', ')})`;

/**
 * partition.assignment.strategy as Kafka takes it: a list of Kafka's assignor class names (full, or
 * the simple class name) or librdkafka's protocol names, in order of preference; the group picks
 * the first protocol every member supports, so `RangeAssignor,CooperativeStickyAssignor` is the
 * first step of an upgrade to cooperative rebalancing (KIP-429). Any other class is refused.
 */
export function assignorsFor(value: string | undefined): Assignor[] {
  const key = 'partition.assignment.strategy';
  const names = (value ?? 'range,cooperative-sticky').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`Invalid value ${value} for configuration ${key}: at least one assignor is needed; kafka-ts supports ${SUPPORTED_ASSIGNORS}`);
  const seen = new Set<string>();
  return names.map((n) => {
    const protocol = Object.hasOwn(ASSIGNOR_CLASSES, n) ? ASSIGNOR_CLASSES[n] : undefined;
    const a = protocol === undefined ? null : assignorByName(protocol);
    if (!a) {
      const why = n.includes('.') ? `custom assignors are Java classes (class ${n} cannot be loaded)` : `unknown assignor ${n}`;
      throw new UsageError(`Invalid value ${value} for configuration ${key}: ${why}; kafka-ts supports ${SUPPORTED_ASSIGNORS}`);
    }
    if (seen.has(a.name)) throw new UsageError(`Invalid value ${value} for configuration ${key}: the assignor ${a.name} is listed twice`);
    seen.add(a.name);
    return a;
  });
}

export function groupOptions(props: Record<string, string>): {
  assignors: Assignor[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  autoCommit: boolean;
  autoCommitIntervalMs: number;
  groupInstanceId: string | null;
  metadataMaxAgeMs: number;
  allowAutoTopicCreation: boolean;
} {
  return {
    assignors: assignorsFor(props['partition.assignment.strategy']),
    sessionTimeoutMs: intProp(props, 'session.timeout.ms', 45_000),
    rebalanceTimeoutMs: intProp(props, 'max.poll.interval.ms', 300_000),
    heartbeatIntervalMs: intProp(props, 'heartbeat.interval.ms', 3000),
    autoCommit: (props['enable.auto.commit'] ?? 'true').trim().toLowerCase() === 'true',
    autoCommitIntervalMs: intProp(props, 'auto.commit.interval.ms', 5000),
    groupInstanceId: props['group.instance.id'] ?? null,
    metadataMaxAgeMs: intProp(props, 'metadata.max.age.ms', 300_000),
    // Kafka's consumer default: subscribing to a missing topic asks the broker to create it.
    allowAutoTopicCreation: (props['allow.auto.create.topics'] ?? 'true').trim().toLowerCase() === 'true',
  };
}

const STOPPED: unique symbol = Symbol('stopped');

/** Moves each partition of `unprinted` back to its first record there. */
function seekToFirstUnprinted(consumer: GroupConsumer, unprinted: ConsumedRecord[]): void {
  const first = new Map<string, ConsumedRecord>();
  for (const r of unprinted) {
    const k = `${r.topic}\0${r.partition}`;
    const seen = first.get(k);
    if (!seen || r.offset < seen.offset) first.set(k, r);
  }
  for (const r of first.values()) consumer.seek(r.topic, r.partition, r.offset);
}

export async function consumeWithGroup(
  client: KafkaClient,
  groupId: string,
  topics: string[],
  include: string | null,
  spec: OffsetSpec,
  props: Record<string, string>,
  fetcherOptions: FetcherOptions,
  opts: ConsumeOptions,
  io: ConsumerIO,
  /** Said once when the member starts waiting for its topics (none exists yet). */
  waitingNotice?: string,
): Promise<ConsumeResult> {
  // The command refuses these first (groupOffsetReset); a guard for other callers.
  if ((spec.start.kind !== 'earliest' && spec.start.kind !== 'latest') || (spec.end !== null && spec.end.kind !== 'end')) {
    throw new UsageError("--offset cannot be used with --group except as earliest or latest (and END only as end): the group's committed offsets decide where it starts");
  }
  const consumer = new GroupConsumer(client, {
    ...fetcherOptions,
    ...groupOptions(props),
    groupId,
    autoOffsetReset: fetcherOptions.autoOffsetReset,
    ...(waitingNotice !== undefined && { onWaitingForTopics: () => io.warn(waitingNotice) }),
  });
  consumer.subscribe(include !== null ? new RegExp(`^(?:${include})$`) : topics);
  // Ctrl-C finishes the poll under way, commits and leaves the group: with the broker gone that
  // waits for the broker (as Kafka's consumer's close does, up to 30 s). Say so after a second rather
  // than look hung.
  let slowStop: NodeJS.Timeout | undefined;
  let finished = false;
  const stopping = () => {
    if (slowStop || finished) return;
    slowStop = setTimeout(() => io.warn(`Stopping: committing offsets and leaving group ${groupId} once the broker answers (Ctrl-C again to quit without waiting)`), 1000);
  };
  void io.interrupted.then(stopping);
  // Told to stop, a poll under way is left behind (with the broker gone it would retry until its
  // deadlines) and abandoned: its records, never printed, move no position the close commits.
  const stopped = io.interrupted.then((): typeof STOPPED => {
    consumer.abandonPoll();
    return STOPPED;
  });
  const result = io.result ?? noneConsumed();
  try {
    await printLoop(
      async (waitMs) => {
        const polled = await Promise.race([consumer.poll(waitMs), stopped]);
        if (polled === STOPPED) return { records: [], done: true };
        const records = polled;
        // -e with a group: done once caught up on everything currently assigned; a member assigned
        // nothing has nothing to read once its assignment is settled (more members than partitions).
        const done = spec.end !== null && records.length === 0 && (consumer.assignment().length > 0 ? consumer.caughtUp() : consumer.settled());
        return { records, done };
      },
      opts,
      io,
      result,
    );
  } finally {
    try {
      // Back to the first record of each partition that was fetched but not printed (or never
      // written), however the loop ended (an error too): the commit on close covers only what
      // reached the output.
      seekToFirstUnprinted(consumer, result.unprinted);
      const closed = await consumer.close();
      if (closed.commit === 'timed-out') io.warn(`Stopped without confirming the commit of group ${groupId}'s offsets: the broker did not answer within ${CLOSE_TIMEOUT_MS / 1000} s (unless it landed, the group reads again from its last commit)`);
      else if (closed.commit === 'failed') io.warn(`Could not commit the offsets of group ${groupId}: ${closed.error.message} (the group reads again from its last commit)`);
    } finally {
      clearTimeout(slowStop);
      finished = true;
    }
  }
  return result;
}
