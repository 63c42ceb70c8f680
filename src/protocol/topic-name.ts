/**
 * Kafka's rule for topic names, in the words of its Topic.validate: the broker refuses a name with
 * them (CreateTopics, Metadata) and tools such as kafka-configs check a name with them before
 * asking for the topic ("Topic name is invalid: …"; older Kafka versions said "… is illegal, …").
 */

/** Why a topic name is invalid, in Kafka's words, or null when it is valid. */
export function topicNameProblem(name: string): string | null {
  const reason = invalidBecause(name);
  return reason === null ? null : `Topic name is invalid: ${reason}`;
}

function invalidBecause(name: string): string | null {
  if (name.length === 0) return 'the empty string is not allowed';
  if (name === '.' || name === '..') return `'${name}' is not allowed`;
  if (name.length > 249) return `the length of '${name}' is longer than the max allowed length 249`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) return `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}
