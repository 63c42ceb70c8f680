/** The man page of kafka-ts context (kafka-ts-context(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'named cluster contexts: bootstrap servers and client properties under a name',
  synopsis: [
    'add NAME --bootstrap-server HOST:PORT [--command-config FILE] [--property KEY=VALUE ...] [--use] [--force]',
    'use NAME | use --none',
    'list',
    'show [NAME]',
    'remove NAME',
    'current',
  ],
  description: [
    'A context keeps a cluster\'s bootstrap servers and the client properties needed to reach it (security.protocol, ssl.*, sasl.*, client.id, timeouts) under a name, so that every command can reach it with --context NAME, with $KAFKA_TS_CONTEXT, or, after context use NAME, by default.',
    'Which cluster a command uses, first match wins: --bootstrap-server; --context NAME; $KAFKA_TS_CONTEXT; $KAFKA_BOOTSTRAP_SERVERS; the current context (context use); the local daemon. A context named by --context or $KAFKA_TS_CONTEXT lends its properties even when --bootstrap-server overrides its address; the current context is used only when nothing else names a cluster. The context\'s properties are the base; a command\'s own property flags and files (--command-config, --producer.config, --consumer-property, ...) override them key by key. A context\'s schema.registry.url (with basic.auth.user.info or bearer.auth.token) is the schema registry of schema-registry, the console tools\' schema formats and streams when the command names none itself; its credentials are sent only to its own URL.',
    'add copies the properties of --command-config FILE (as written: provider references stay references) and then --property KEY=VALUE pairs into the context; later edits of the file do not change the context. Without --bootstrap-server, the bootstrap.servers of the file names the cluster (as in the client.properties Confluent Cloud hands out). Properties in a context may reference secrets instead of holding them: ${env:NAME} (an environment variable) and ${file:/path/to/file.properties:key} are resolved each time the context is used, without config.providers (Kafka\'s config providers, which a --command-config file must list itself). A secret given in clear is stored in clear (with a warning); the store is a JSON file readable by its owner only (mode 0600, set again at every change). add, use and remove change it under a lock file beside it (contexts.json.lock, holding the writer\'s pid@host), so that commands run at the same time do not lose each other\'s changes; a lock whose process is gone is broken (one taken on another host, through a shared home, after 60 s), and a command that waited 10 s for a live one fails (exit 1) naming the lock file.',
    'show prints a context with its secrets masked: the value of any property whose name contains password, secret, token, credentials, jaas.config or ssl.keystore.key is printed as ******; in a JAAS config only the options other than username are masked, so the login module and the user stay visible; a provider reference is printed as written. With --output json every verb prints one JSON object: add {"context","bootstrapServer","replaced","current","path"}, use {"current"}, list {"current","contexts":[{"name","bootstrapServer","current"}]}, show {"name","current","bootstrapServer","properties"}, remove {"removed","wasCurrent"}, current {"current"}.',
    'The store is contexts.json in $KAFKA_TS_CONFIG_DIR, else $XDG_CONFIG_HOME/kafka-ts, else ~/.config/kafka-ts.',
  ],
  examples: [
    ['Save a SASL_SSL cluster whose password stays in the environment', 'kafka-ts context add prod --bootstrap-server broker1:9093 --property security.protocol=SASL_SSL --property sasl.mechanism=SCRAM-SHA-512 --property \'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${env:KAFKA_PASSWORD}";\''],
    ['Save a cluster from an existing client properties file', 'kafka-ts context add staging --bootstrap-server staging:9092 --command-config client.properties'],
    ['Run one command against it', 'kafka-ts topics --list --context prod'],
    ['Make it the default, then list the contexts', 'kafka-ts context use prod && kafka-ts context list'],
    ['Go back to the local daemon by default', 'kafka-ts context use --none'],
  ],
  exits: ['Failure', 'NotFound'],
  exitNotes: ['4 when the named context (or a current one, for show and current) does not exist; 1 when the store cannot be read or written.'],
};
