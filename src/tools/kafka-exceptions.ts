/**
 * The Java exception class Kafka's tools name for a wire error code (they print
 * `org.apache.kafka.common.errors.OffsetOutOfRangeException: <message>`).
 */

const SPECIAL: Readonly<Record<string, string>> = {
  TOPIC_AUTHORIZATION_FAILED: 'TopicAuthorizationException',
  GROUP_AUTHORIZATION_FAILED: 'GroupAuthorizationException',
  CLUSTER_AUTHORIZATION_FAILED: 'ClusterAuthorizationException',
  KAFKA_STORAGE_ERROR: 'KafkaStorageException',
  UNKNOWN_SERVER_ERROR: 'UnknownServerException',
  INVALID_TOPIC_EXCEPTION: 'InvalidTopicException',
  NON_EMPTY_GROUP: 'GroupNotEmptyException',
};

/** OFFSET_OUT_OF_RANGE → OffsetOutOfRangeException. */
export function exceptionName(errorName: string): string {
  return SPECIAL[errorName] ?? `${errorName.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase())}Exception`;
}

/** The fully qualified class name. */
export const exceptionClass = (errorName: string): string => `org.apache.kafka.common.errors.${exceptionName(errorName)}`;
