/**
 * The client side of SCRAM (RFC 5802, RFC 7677) as Kafka speaks it: client-first without channel
 * binding (`n,,n=user,r=nonce`), the server's nonce must extend ours, the iteration count must be
 * at least 4096, and the server's signature is verified (a broker that does not know the password
 * cannot pass for one that does). No I/O: the caller carries the messages.
 */
import {
  type ScramMechanism,
  MIN_ITERATIONS,
  clientKey,
  encodeSaslName,
  hmac,
  nonce as makeNonce,
  parseAttributes,
  saltedPassword,
  serverKey,
  storedKey,
  sameKey,
  xor,
} from '../../util/scram.js';

/** A SCRAM exchange that cannot go on; the message names what was wrong, never a secret. */
export class ScramError extends Error {
  override name = 'ScramError';
}

export class ScramClient {
  private readonly clientNonce: string;
  private readonly bare: string;
  private expectedServerSignature: Buffer | null = null;

  constructor(
    private readonly mechanism: ScramMechanism,
    username: string,
    private readonly password: string,
    clientNonce: string = makeNonce(),
  ) {
    this.clientNonce = clientNonce;
    this.bare = `n=${encodeSaslName(username)},r=${clientNonce}`;
  }

  /** client-first-message */
  first(): Buffer {
    return Buffer.from(`n,,${this.bare}`, 'utf8');
  }

  /** Takes server-first-message, returns client-final-message. */
  final(serverFirst: Buffer): Buffer {
    const text = serverFirst.toString('utf8');
    let attrs: Map<string, string>;
    try {
      attrs = parseAttributes(text);
    } catch {
      throw new ScramError('the broker sent a malformed SCRAM server-first message');
    }
    if (attrs.has('e')) throw new ScramError(`the broker refused the SCRAM exchange: ${attrs.get('e')}`);
    if (attrs.has('m')) throw new ScramError('the broker asked for a SCRAM extension kafka-ts does not support');
    const serverNonce = attrs.get('r');
    const saltB64 = attrs.get('s');
    const iterText = attrs.get('i');
    if (serverNonce === undefined || saltB64 === undefined || iterText === undefined) throw new ScramError('the broker sent an incomplete SCRAM server-first message');
    if (!serverNonce.startsWith(this.clientNonce) || serverNonce.length <= this.clientNonce.length) {
      throw new ScramError("the broker's SCRAM nonce does not extend the client's");
    }
    if (!/^\d+$/.test(iterText)) throw new ScramError('the broker sent an invalid SCRAM iteration count');
    const iterations = Number(iterText);
    if (iterations < MIN_ITERATIONS) throw new ScramError(`the broker asked for ${iterations} SCRAM iterations (at least ${MIN_ITERATIONS} expected)`);
    if (iterations > 1_000_000) throw new ScramError(`the broker asked for ${iterations} SCRAM iterations (too many)`);
    const salt = Buffer.from(saltB64, 'base64');
    if (salt.length === 0) throw new ScramError('the broker sent an empty SCRAM salt');

    const m = this.mechanism;
    const salted = saltedPassword(m, this.password, salt, iterations);
    const ck = clientKey(m, salted);
    const withoutProof = `c=biws,r=${serverNonce}`;
    const authMessage = `${this.bare},${text},${withoutProof}`;
    const signature = hmac(m, storedKey(m, ck), authMessage);
    const proof = xor(ck, signature);
    this.expectedServerSignature = hmac(m, serverKey(m, salted), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Checks server-final-message: the server's signature must be the one only the password gives. */
  verify(serverFinal: Buffer): void {
    if (!this.expectedServerSignature) throw new ScramError('SCRAM server-final message before server-first');
    let attrs: Map<string, string>;
    try {
      attrs = parseAttributes(serverFinal.toString('utf8'));
    } catch {
      throw new ScramError('the broker sent a malformed SCRAM server-final message');
    }
    if (attrs.has('e')) throw new ScramError(`the broker refused the SCRAM exchange: ${attrs.get('e')}`);
    const v = attrs.get('v');
    if (v === undefined || !sameKey(Buffer.from(v, 'base64'), this.expectedServerSignature)) {
      throw new ScramError("the broker's SCRAM server signature is wrong: it does not know this user's password (is it the broker you meant?)");
    }
  }
}
