/** The man page of kafka-ts broker-api-versions (kafka-ts-broker-api-versions(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'print the API versions each broker supports (kafka-broker-api-versions.sh)',
  synopsis: ['[--bootstrap-server host:port] [--command-config FILE] [--output json]'],
  description: [
    "Asks every broker of the cluster, on its own connection, which versions of each Kafka API it supports, and prints kafka-broker-api-versions.sh's layout: a block per broker, \"localhost:9092 (id: 1 rack: null isFenced: false) -> (\", one entry per API sorted by key, \"<TAB>Produce(0): 0 to 11 [usable: 9],\", and \")\". Without --bootstrap-server the local daemon's brokers are asked over their Unix sockets and named by them: \"unix:///…/broker-1.sock (id: 1 rack: null isFenced: false) -> (\" (in JSON the host is the socket path and the port 0).",
    '[usable: N] is the version kafka-ts\'s own client would use (the highest both sides support); [unusable: node too new] or [unusable: node too old] when the ranges do not meet; "Name(key): UNSUPPORTED" for an API kafka-ts\'s client uses that the broker lacks; UNKNOWN(key) for a key without a known name. SaslHandshake and SaslAuthenticate have their [usable: N] like the others: the client sends them on every new SASL connection, right after ApiVersions (SaslHandshake v1 only, so a broker offering only v0 is [unusable: node too old]). APIs the broker has and kafka-ts\'s client never sends (broker-to-broker and controller APIs such as LeaderAndIsr or Vote, delegation tokens, share groups) are listed without a note. A broker that cannot be asked prints "<node> -> ERROR: <message>".',
    'With --output json: {"brokers":[{"id":1,"host":…,"port":…,"rack":null,"apis":[{"apiKey":0,"name":"Produce","minVersion":0,"maxVersion":11,"usable":9,"status":"usable"}],"error":null}]}.',
  ],
  examples: [
    ['What the local daemon supports', 'kafka-ts broker-api-versions'],
    ['What a cluster supports', 'kafka-ts broker-api-versions --bootstrap-server kafka1:9092'],
  ],
  exits: ['Failure', 'Unreachable', 'AuthFailed', 'Denied'],
  exitNotes: ['1 when some broker could not be asked (its block says ERROR).'],
  differences: ['The usable versions are those of kafka-ts\'s client, not of the Java client; APIs the Java client knows and kafka-ts\'s does not are listed without [usable: N] instead of as UNSUPPORTED.'],
};
