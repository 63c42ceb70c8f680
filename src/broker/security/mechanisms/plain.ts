/** SASL/PLAIN (RFC 4616) against the users of the listener's PlainLoginModule (`user_<name>="<password>"`). */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SaslFailure, type SaslStep, type ServerMechanism } from './mechanism.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class PlainServer implements ServerMechanism {
  readonly name = 'PLAIN';
  private used = false;

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  evaluate(token: Buffer): SaslStep {
    if (this.used) throw new SaslFailure('unexpected second PLAIN token');
    this.used = true;
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3) throw new SaslFailure('invalid PLAIN token: expected authzid NUL username NUL password');
    const [authzid, user, password] = parts as [string, string, string];
    if (user === '') throw new SaslFailure('invalid PLAIN token: empty username');
    if (password === '') throw new SaslFailure('invalid PLAIN token: empty password', user);
    if (authzid !== '' && authzid !== user) throw new SaslFailure('client requested an authorization id different from its username', user);
    const expected = this.users.get(user);
    // Compare digests, so the time taken says nothing about the password or whether the user exists.
    const ok = timingSafeEqual(digest(password), digest(expected ?? '\u0000no such user')) && expected !== undefined;
    if (!ok) throw new SaslFailure('invalid credentials', user);
    return { challenge: Buffer.alloc(0), done: true, user };
  }
}
