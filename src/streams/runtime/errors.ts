/**
 * The errors a Streams application reports, under Kafka Streams' exception names, in the project's
 * one error family (src/util/errors.ts) so the CLI maps them to exit statuses.
 */
import { KafkaTsError, type KafkaTsErrorOptions } from '../../util/errors.js';

/** A topology that cannot run against the cluster (Kafka's TopologyException) and the application failing while running (Kafka's StreamsException): the library's own classes. */
export { StreamsException, TopologyException } from '../errors.js';

/** A source topic does not exist (Kafka's MissingSourceTopicException): not found. */
export class MissingSourceTopicException extends KafkaTsError {
  override name = 'MissingSourceTopicException';
  constructor(
    readonly topics: string[],
    options?: KafkaTsErrorOptions,
  ) {
    super('not_found', `One or more source topics were missing during rebalance: ${topics.join(', ')}`, options);
  }
}

/** A bad configuration value (Kafka's ConfigException): usage. */
export class StreamsConfigException extends KafkaTsError {
  override name = 'ConfigException';
  constructor(message: string, options?: KafkaTsErrorOptions) {
    super('usage', message, options);
  }
}
