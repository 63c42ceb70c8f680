/**
 * kafka-ts console-consumer: its options, and the group id they name.
 */
import { UsageError } from '../errors.js';
import type { OffsetSpec } from '../../tools/offset-spec.js';

export interface ConsoleConsumerOptions {
  bootstrapServer?: string;
  topic?: string;
  include?: string;
  whitelist?: string;
  partition?: string;
  offset?: string;
  fromBeginning?: boolean;
  exitAtEnd?: boolean;
  group?: string;
  maxMessages?: string;
  timeoutMs?: string;
  skipMessageOnError?: boolean;
  isolationLevel?: string;
  formatter?: string;
  property?: string[];
  formatterConfig?: string;
  keyDeserializer?: string;
  valueDeserializer?: string;
  consumerProperty?: string[];
  'consumer.config'?: string;
  commandConfig?: string;
  commandProperty?: string[];
  formatterProperty?: string[];
  context?: string;
  enableSystestEvents?: boolean;
  keyFormat?: string;
  valueFormat?: string;
  output: 'text' | 'json';
}

/**
 * The group id from --group, an inline consumer property or the consumer config file: they must
 * agree (Kafka's message), and an empty one is refused before connecting (the broker would
 * answer INVALID_GROUP_ID).
 */
export function groupIdOf(option: string | undefined, inline: Record<string, string>, file: Record<string, string>): string | undefined {
  const ids = [...new Set([option, inline['group.id'], file['group.id']].filter((g): g is string => g !== undefined))];
  if (ids.length > 1) {
    throw new UsageError(
      `The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: ${ids.map((g) => `'${g}'`).join(', ')}`,
    );
  }
  if (ids[0] === '') throw new UsageError('Invalid value for group.id: a consumer group id must not be empty');
  return ids[0];
}

/**
 * What --offset means with --group: the committed offsets decide where a group starts, so only
 * earliest or latest are taken, as where a group without commits starts (its auto.offset.reset,
 * as --from-beginning is). A group stops only at the end of the log (-e, or END given as end): an
 * END offset or time would be one stop for partitions that each resume from their own commit,
 * and member by member as partitions move between them, so it is refused rather than ignored.
 */
export function groupOffsetReset(text: string, spec: OffsetSpec, reset: string | undefined): 'earliest' | 'latest' {
  if (spec.start.kind !== 'earliest' && spec.start.kind !== 'latest') {
    throw new UsageError(`--offset ${text} cannot be used with --group: a group starts from its committed offsets (only earliest or latest, for a group without any, are accepted)`);
  }
  if (spec.end !== null && spec.end.kind !== 'end') {
    throw new UsageError(`--offset ${text} cannot be used with --group: a group stops only at the end of the log (-e, or ${spec.start.kind}:end); an END offset or time needs a read without --group`);
  }
  if (reset !== undefined && reset !== spec.start.kind) {
    throw new UsageError(`Can't simultaneously specify --offset ${text} and 'auto.offset.reset=${reset}', please remove one option`);
  }
  return spec.start.kind;
}

/** --include as a regular expression matching whole topic names (checked before connecting). */
export function includePattern(include: string | undefined): RegExp | undefined {
  if (include === undefined) return undefined;
  try {
    return new RegExp(`^(?:${include})$`);
  } catch {
    throw new UsageError(`${include} is an invalid regex.`);
  }
}

/** How records are printed: JSON with --output json, else the --formatter named (by class name, full or simple), else Kafka's default. */
export function outputFormat<K extends string>(o: Pick<ConsoleConsumerOptions, 'formatter' | 'output'>, formatters: Record<K, readonly string[]>): K | 'default' | 'json' {
  if (o.output === 'json') return 'json';
  if (o.formatter === undefined) return 'default';
  const kind = (Object.keys(formatters) as K[]).find((k) => formatters[k].includes(o.formatter!) || o.formatter === formatters[k][0]!.split('.').pop());
  if (!kind) throw new UsageError(`Unsupported formatter ${o.formatter} (supported: DefaultMessageFormatter, LoggingMessageFormatter, NoOpMessageFormatter)`);
  return kind;
}

/** Kafka 3.8+'s WARNING for a formatter named by its old class name (removed in Kafka 4), or null. */
export function formatterDeprecation(formatter: string | undefined): string | null {
  if (!formatter?.startsWith('kafka.tools.')) return null;
  return `WARNING: ${formatter} is deprecated and will be removed in the next major release. Please use org.apache.kafka.tools.consumer.${formatter.slice('kafka.tools.'.length)} instead`;
}

/**
 * How a subscribing read waits for topics that do not exist yet: --topic's name is asked for with
 * auto-creation when allow.auto.create.topics allows it (Kafka's consumer default; the broker
 * creates it when its auto.create.topics.enable is on), and the line said once while it waits.
 */
export function waitingFor(topic: string | undefined, include: string | undefined, autoCreate: boolean): { names?: string[]; autoCreate: boolean; waitingNotice: string } {
  if (topic !== undefined) return { names: [topic], autoCreate, waitingNotice: waitingNotice(topic, undefined) };
  return { autoCreate: false, waitingNotice: waitingNotice(undefined, include) };
}

/** The one line a subscribing console-consumer says when it starts waiting for its topic. */
export const waitingNotice = (topic: string | undefined, include: string | undefined): string =>
  topic !== undefined
    ? `WARN Topic ${topic} does not exist (UNKNOWN_TOPIC_OR_PARTITION): waiting for it to be created`
    : `WARN No topic matches --include '${include}': waiting for one to be created`;

/** Formatter properties that shape Kafka's text output: --output json has no use for them. */
const TEXT_ONLY = /^print\.|^(key|line|headers)\.separator$|^null\.literal$/;

/**
 * The formatter's properties (--formatter-config, then --property, then --key-deserializer and
 * --value-deserializer), refusing what would otherwise be silently ignored: with --output json a
 * formatter and the text layout's properties (the JSON object always carries every field, null as
 * null), and a deserializer for a side a schema format decodes. Deserializers do apply to JSON.
 */
export function formatterProperties(o: ConsoleConsumerOptions, file: Record<string, string>, inline: Record<string, string>): Record<string, string> {
  const props = { ...file, ...inline };
  if (o.keyDeserializer) props['key.deserializer'] = o.keyDeserializer;
  if (o.valueDeserializer) props['value.deserializer'] = o.valueDeserializer;
  for (const side of ['key', 'value'] as const) {
    if (props[`${side}.deserializer`] !== undefined && o[`${side}Format`] !== undefined) {
      throw new UsageError(`Option ${side}-deserializer (${side}.deserializer) cannot be used with --${side}-format: the schema format decodes the ${side}`);
    }
  }
  if (o.output !== 'json') return props;
  const why = "with --output json (it shapes the text formatter's lines; each JSON object has every field of the record, null as null)";
  if (o.formatter !== undefined) throw new UsageError(`Option formatter cannot be used ${why}`);
  const text = (keys: Record<string, string>) => Object.keys(keys).find((k) => TEXT_ONLY.test(k));
  const inlineKey = text(inline);
  if (inlineKey !== undefined) throw new UsageError(`Option property ${inlineKey} cannot be used ${why}`);
  const fileKey = text(file);
  if (fileKey !== undefined) throw new UsageError(`Option formatter-config: ${fileKey} (in ${o.formatterConfig}) cannot be used ${why}`);
  return props;
}
