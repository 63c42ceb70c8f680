/** The registry's errors, each an HTTP status and Confluent's error code and message. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const subjectNotFound = (s: string) => new RegistryError(404, 40401, `Subject '${s}' not found.`);
export const versionNotFound = (v: number | string) => new RegistryError(404, 40402, `Version ${v} not found.`);
export const schemaNotFound = (id?: number) => new RegistryError(404, 40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`);
export const subjectSoftDeleted = (s: string) => new RegistryError(404, 40404, `Subject '${s}' was soft deleted.Set permanent=true to delete permanently`);
export const subjectNotSoftDeleted = (s: string) => new RegistryError(404, 40405, `Subject '${s}' was not deleted first before being permanently deleted`);
export const versionSoftDeleted = (s: string, v: number) => new RegistryError(404, 40406, `Subject '${s}' Version ${v} was soft deleted.Set permanent=true to delete permanently`);
export const versionNotSoftDeleted = (s: string, v: number) => new RegistryError(404, 40407, `Subject '${s}' Version ${v} was not deleted first before being permanently deleted`);
export const subjectConfigNotFound = (s: string) => new RegistryError(404, 40408, `Subject '${s}' does not have subject-level compatibility configured`);
export const subjectModeNotFound = (s: string) => new RegistryError(404, 40409, `Subject '${s}' does not have subject-level mode configured`);
export const invalidSchema = (detail: string) => new RegistryError(422, 42201, `Invalid schema: ${detail}`);
/** A version given outside IMPORT mode that is not the subject's next one. */
export const versionNotNext = () => new RegistryError(422, 42201, 'Version is not one more than previous version');
export const invalidVersion = (v: string) => new RegistryError(422, 42202, `The specified version '${v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`);
export const invalidCompatibility = () =>
  new RegistryError(422, 42203, 'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive');
export const invalidMode = () => new RegistryError(422, 42204, 'Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.');
/**
 * A config's normalize that is neither a boolean nor "true"/"false": refused as Confluent's JSON
 * mapping refuses a value it cannot read as a Boolean (400), the field named.
 */
export const invalidNormalize = (v: unknown) => new RegistryError(400, 400, `Invalid normalize value ${JSON.stringify(v)}: expected true or false`);
export const notPermitted = (what: string) => new RegistryError(422, 42205, what);
/** A subject-version other schemas reference, named as Confluent names it (its _schemas key). */
export const referenceExists = (subject: string, version: number) =>
  new RegistryError(422, 42206, `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`);
export const invalidSubject = (s: string) => new RegistryError(422, 42208, `The specified subject '${s}' is not a valid.`);
export const storeError = (detail: string) => new RegistryError(500, 50001, `Error in the backend data store - ${detail}`);
