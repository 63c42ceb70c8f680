/** The man page of kafka-ts schema-registry (kafka-ts-schema-registry(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'list, register, check and delete schemas in a Confluent-compatible schema registry',
  synopsis: [
    'list [--deleted] | versions SUBJECT | get SUBJECT [VERSION] | get --id ID',
    'register SUBJECT --schema-file FILE [--schema-type AVRO|JSON|PROTOBUF] [--references-file FILE] [--normalize]',
    'check SUBJECT [VERSION|latest|all] --schema-file FILE [--schema-type T]',
    'compatibility [SUBJECT] [--set LEVEL] | delete SUBJECT [VERSION] [--permanent] | types',
    '[--schema-registry-url URL] [--basic-auth USER:PASSWORD | --bearer-token TOKEN] [--command-config FILE] [--output json]',
  ],
  description: [
    "Talks to a schema registry over Confluent Schema Registry's REST API: the local daemon's (its URL is in `kafka-ts server status`) when neither --schema-registry-url, schema.registry.url in --command-config nor the context's schema.registry.url (context add --property schema.registry.url=URL) is given and no --bootstrap-server, context or $KAFKA_BOOTSTRAP_SERVERS names another cluster; Confluent's registry or a hosted one otherwise. Hosted registries take --basic-auth user:password (or basic.auth.user.info with basic.auth.credentials.source=USER_INFO, or user:password in the URL) or --bearer-token (bearer.auth.token).",
    'list prints the subjects (--deleted: soft-deleted ones too); versions the versions of a subject; get a schema (the latest version, VERSION, or --id ID) with its id and type; register registers --schema-file under the subject (the type from --schema-type, else the file name: .proto PROTOBUF, .json JSON, anything else AVRO) and prints its id and version; compatibility prints the level of a subject (its own, else the global one) or the global level, and --set changes it (NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE); delete soft-deletes a subject or one VERSION, and --permanent hard-deletes what was soft-deleted; types lists the schema types the registry knows.',
    "check asks the registry whether --schema-file is compatible with the subject: without VERSION exactly what register checks (the versions the subject's compatibility level names: the latest one, every one for a _TRANSITIVE level, none for NONE); with VERSION or latest that version alone, under the level's rules; with all each version in turn, one request each. The line printed says which. It exits 0 when compatible, and 12 with the registry's reasons, one per line, when not: made for CI. A subject without versions is compatible (the schema would be its version 1, as Confluent's registry answers since mid-2020; against an older one, which answers not found, check asks for the subject's versions to tell); a VERSION that does not exist exits 4.",
    'With --output json each verb prints one JSON object: {"subjects":[…]}, {"subject","versions":[…]}, the schema {"subject","version","id","schemaType","schema","references"}, {"subject","id","version"} after register, {"subject","version" (null, all, latest or N),"level","versions" (with all),"compatible","messages":[…]} for check, {"subject","compatibility"}, {"subject","versions","permanent"} after delete, {"types":[…]}.',
  ],
  examples: [
    ['List the subjects of the local daemon\'s registry', 'kafka-ts schema-registry list'],
    ['Register an Avro schema for the values of topic orders', 'kafka-ts schema-registry register orders-value --schema-file order.avsc'],
    ['Fail a CI job when a schema change breaks consumers', 'kafka-ts schema-registry check orders-value --schema-file order.avsc'],
    ['Make a subject FULL-compatible', 'kafka-ts schema-registry compatibility orders-value --set FULL'],
    ['Show the latest schema of a subject on a hosted registry', 'kafka-ts schema-registry get orders-value --schema-registry-url https://psrc-x.example.cloud --basic-auth KEY:SECRET'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'AuthFailed', 'Denied', 'Incompatible'],
  exitNotes: [
    'check: 0 when the schema is compatible, 12 when it is not (the reasons on stdout), 4 when the VERSION named does not exist.',
    'register: 12 when the registry refuses the schema as incompatible (HTTP 409); an invalid schema or argument (422: 42201 to 42204, 42208 to 42210, 42212) exits 2; a refusal of a valid request (42205 operation not permitted, e.g. read-only mode; 42206 references exist; 42207) exits 1.',
    'Exit 3: the registry could not be reached; 7: it refused the credentials (401); 8: it refused the operation (403); 4: no such subject, version or id.',
  ],
  differences: [
    'A version is the argument after the subject (get orders-value 3), not a --version option: --version prints kafka-ts\'s version on every command.',
    'Confluent ships no command-line tool for the registry (its REST API is used with curl); this command covers that API for scripts and CI.'],
};
