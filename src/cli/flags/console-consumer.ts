/**
 * kafka-ts console-consumer: its options.
 */

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
