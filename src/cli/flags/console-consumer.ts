/**
 * kafka-ts console-consumer: its options, and the group id they name.
 */
import { UsageError } from '../errors.js';

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
