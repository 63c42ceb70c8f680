/**
 * Errors of the Streams library, in the project's one error family (src/util/errors.ts):
 * a topology that cannot be built is a usage error (Kafka's TopologyException), a record that a
 * serde cannot read is a SerializationError (handled by `default.deserialization.exception.handler`),
 * and a failure while processing stops the application (Kafka's StreamsException).
 */
import { KafkaTsError, type KafkaTsErrorOptions } from '../util/errors.js';

/** Kafka's TopologyException: the topology is invalid (a name used twice, a parent that does not exist, ...). */
export class TopologyException extends KafkaTsError {
  override name = 'TopologyException';
  constructor(message: string, options?: KafkaTsErrorOptions) {
    super('usage', `Invalid topology: ${message}`, options);
  }
}

/** A serde could not turn bytes into a value (or a value into bytes). */
export class SerializationError extends KafkaTsError {
  override name = 'SerializationError';
  constructor(message: string, options?: KafkaTsErrorOptions) {
    super('failed', message, options);
  }
}

/**
 * Kafka's StreamsException: processing failed or the application cannot go on; the runtime stops
 * the application (nothing of the failed batch is committed).
 */
export class StreamsException extends KafkaTsError {
  override name = 'StreamsException';
  constructor(message: string, options?: KafkaTsErrorOptions) {
    super('failed', message, options);
  }
}
