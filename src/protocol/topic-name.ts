/**
 * Kafka's rule for topic names (org.apache.kafka.common.internals.Topic.validate), with its
 * messages: the broker refuses such names, and the tools that check a name before asking for it
 * (kafka-configs) say the same.
 */

/** The message for an invalid topic name, or null when the name is valid. */
export function topicNameProblem(name: string): string | null {
  const prefix = 'Topic name is invalid: ';
  if (name.length === 0) return `${prefix}the empty string is not allowed`;
  if (name === '.' || name === '..') return `${prefix}'${name}' is not allowed`;
  if (name.length > 249) return `${prefix}the length of '${name}' is longer than the max allowed length 249`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) return `${prefix}'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}
