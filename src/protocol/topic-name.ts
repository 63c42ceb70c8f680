/**
 * Kafka's rule for topic names, with its two sets of messages: the broker's when it refuses one
 * (CreateTopics, Metadata: "Topic name is invalid: …") and the client's Topic.validate, which tools
 * such as kafka-configs run before asking for a topic ("Topic name "x" is illegal, …").
 */

/** The message for an invalid topic name in the broker's words (or the client's), or null when the name is valid. */
export function topicNameProblem(name: string, words: 'broker' | 'client' = 'broker'): string | null {
  const client = words === 'client';
  if (name.length === 0) return client ? "Topic name is illegal, it can't be empty" : 'Topic name is invalid: the empty string is not allowed';
  if (name === '.' || name === '..') return client ? 'Topic name cannot be "." or ".."' : `Topic name is invalid: '${name}' is not allowed`;
  if (name.length > 249) {
    return client ? `Topic name is illegal, it can't be longer than 249 characters, Topic name: ${name}` : `Topic name is invalid: the length of '${name}' is longer than the max allowed length 249`;
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return client
      ? `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`
      : `Topic name is invalid: '${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}
