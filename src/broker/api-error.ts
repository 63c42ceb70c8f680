/**
 * The outcome of a controller operation: a Kafka error code and the message the tools print
 * verbatim. Its own module so the controller and the parts it delegates to (replication control,
 * config changes) share it without importing each other.
 */
export interface ApiError {
  code: number;
  message: string | null;
}

export const OK: ApiError = { code: 0, message: null };
