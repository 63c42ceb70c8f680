/**
 * Creates SCRAM users on a broker the way Kafka's admin client does (AlterUserScramCredentials
 * v0 with a client-side salted password), over any listener that needs no authentication: the
 * PLAINTEXT listener or the daemon's LOCAL Unix socket (a super user there). Works before any
 * CLI tool for it exists: it speaks the API with a bare connection, so it needs nothing from the
 * kafka-ts client but the transport.
 */
import { AlterUserScramCredentials } from '../../src/protocol/apis/51-alter-user-scram-credentials.js';
import { KafkaConnection, type BrokerAddress } from '../../src/transport/client-connection.js';
import { credentialFor, SCRAM_TYPE, type ScramMechanism } from '../../src/util/scram.js';
import { parseBootstrap } from '../../src/client/client.js';

export interface ScramUser {
  name: string;
  password: string;
  mechanism: ScramMechanism;
  /** Kafka accepts 4096..16384; 4096 keeps the tests fast. */
  iterations?: number;
}

/**
 * Upserts `users` through `target` ("host:port" or a BrokerAddress such as { path } for a Unix
 * socket). Throws one line naming every user the broker refused, with its error code and message.
 */
export async function createScramUsers(target: string | BrokerAddress, users: ScramUser[]): Promise<void> {
  const address = typeof target === 'string' ? parseBootstrap(target)[0]! : target;
  const conn = await KafkaConnection.connect(address, { clientId: 'interop-scram-admin', connectTimeoutMs: 5000, requestTimeoutMs: 15_000 });
  try {
    const res = await conn.send(AlterUserScramCredentials, 0, {
      deletions: [],
      upsertions: users.map((u) => {
        const c = credentialFor(u.mechanism, u.password, u.iterations ?? 4096);
        return { name: u.name, mechanism: SCRAM_TYPE[u.mechanism], iterations: c.iterations, salt: c.salt, saltedPassword: c.salted };
      }),
    });
    const failed = res.results.filter((r) => r.errorCode !== 0);
    if (failed.length) {
      throw new Error(`AlterUserScramCredentials refused: ${failed.map((r) => `${r.user}: error ${r.errorCode} ${r.errorMessage ?? ''}`.trim()).join('; ')}`);
    }
  } finally {
    conn.close();
  }
}
