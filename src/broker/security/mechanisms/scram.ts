/**
 * SCRAM-SHA-256/512 server (RFC 5802, RFC 7677) verifying the client proof against the stored key
 * in the cluster metadata, and proving itself with the server signature. An unknown user gets a
 * made-up salt and fails at the proof, exactly like a wrong password. Channel binding is not
 * offered (like Kafka); extensions such as tokenauth are ignored.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ScramCredential } from '../../metadata/cluster-metadata.js';
import { MIN_ITERATIONS, decodeSaslName, hash, hmac, nonce, sameKey, xor, type ScramMechanism } from '../../../util/scram.js';
import { SaslFailure, type SaslStep, type ServerMechanism } from './mechanism.js';

/** Per-process secret for the fake salts of unknown users (stable within a run, as a real salt is). */
const FAKE_SALT_SECRET = randomBytes(32);

export type CredentialLookup = (user: string, mechanism: ScramMechanism) => ScramCredential | undefined;

export class ScramServer implements ServerMechanism {
  private state: 'first' | 'final' | 'done' = 'first';
  private user = '';
  private gs2 = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private fullNonce = '';
  private credential: { storedKey: Buffer; serverKey: Buffer } | null = null;

  constructor(
    readonly name: ScramMechanism,
    private readonly lookup: CredentialLookup,
  ) {}

  evaluate(token: Buffer): SaslStep {
    const text = token.toString('utf8');
    if (this.state === 'first') return this.first(text);
    if (this.state === 'final') return this.final(text);
    throw new SaslFailure('unexpected SCRAM message after the exchange completed', this.user);
  }

  private first(text: string): SaslStep {
    this.state = 'final';
    // gs2-header: n,, | y,, | n,a=authzid, ; p=… asks for channel binding, which is not offered.
    const m = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(text);
    if (!m) throw new SaslFailure(/^p=/.test(text) ? 'channel binding is not supported' : 'invalid SCRAM client-first message');
    this.gs2 = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3]!;
    const attrs = this.clientFirstBare.split(',');
    if (attrs[0]?.startsWith('m=')) throw new SaslFailure('mandatory SCRAM extensions are not supported');
    const userAttr = attrs[0]?.startsWith('n=') ? decodeSaslName(attrs[0].slice(2)) : null;
    const cnonce = attrs[1]?.startsWith('r=') ? attrs[1].slice(2) : '';
    if (!userAttr || !cnonce || /[^\x21-\x2b\x2d-\x7e]/.test(cnonce)) throw new SaslFailure('invalid SCRAM client-first message');
    this.user = userAttr;
    const authzid = m[2] ? decodeSaslName(m[2].slice(2)) : null;
    if (m[2] && authzid !== this.user) throw new SaslFailure('authorization id differs from the username', this.user);
    const stored = this.lookup(this.user, this.name);
    let salt: Buffer;
    let iterations: number;
    if (stored) {
      salt = Buffer.from(stored.salt, 'base64');
      iterations = stored.iterations;
      this.credential = { storedKey: Buffer.from(stored.storedKey, 'base64'), serverKey: Buffer.from(stored.serverKey, 'base64') };
    } else {
      salt = createHmac('sha256', FAKE_SALT_SECRET).update(`${this.name}\u0000${this.user}`).digest();
      iterations = MIN_ITERATIONS;
      this.credential = null;
    }
    this.fullNonce = cnonce + nonce();
    this.serverFirst = `r=${this.fullNonce},s=${salt.toString('base64')},i=${iterations}`;
    return { challenge: Buffer.from(this.serverFirst, 'utf8'), done: false };
  }

  private final(text: string): SaslStep {
    this.state = 'done';
    const i = text.lastIndexOf(',p=');
    if (i < 0) throw new SaslFailure('invalid SCRAM client-final message', this.user);
    const withoutProof = text.slice(0, i);
    const proof = Buffer.from(text.slice(i + 3), 'base64');
    const attrs = withoutProof.split(',');
    const binding = attrs[0]?.startsWith('c=') ? attrs[0].slice(2) : null;
    const rnonce = attrs[1]?.startsWith('r=') ? attrs[1].slice(2) : null;
    if (binding !== Buffer.from(this.gs2, 'utf8').toString('base64')) throw new SaslFailure('invalid SCRAM channel binding', this.user);
    // Kafka checks that the nonce ends with the server's (librdkafka 2.0 sends client nonce + full nonce).
    if (rnonce === null || !rnonce.endsWith(this.fullNonce)) throw new SaslFailure('invalid SCRAM nonce in the client-final message', this.user);
    if (!this.credential) throw new SaslFailure('invalid credentials (unknown user)', this.user);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.name, this.credential.storedKey, authMessage);
    if (proof.length !== signature.length) throw new SaslFailure('invalid credentials', this.user);
    const clientKey = xor(proof, signature);
    if (!sameKey(hash(this.name, clientKey), this.credential.storedKey)) throw new SaslFailure('invalid credentials', this.user);
    const serverSignature = hmac(this.name, this.credential.serverKey, authMessage);
    return { challenge: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), done: true, user: this.user };
  }
}
