import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCerts } from '../helpers/certs.js';
import { tempDir } from '../helpers/tmp.js';

describe('test certificates helper', () => {
  const tmp = tempDir('kafka-ts-certs-');
  afterAll(() => tmp.cleanup());

  it('makes a CA-signed server cert (localhost SANs), a client cert, an untrusted CA and an expired cert', async () => {
    const c = await makeCerts(tmp.dir);
    const verify = (cert: string, ca: string) => {
      try {
        return execFileSync('openssl', ['verify', '-CAfile', ca, cert], { encoding: 'utf8', stdio: 'pipe' }).trim();
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '');
      }
    };
    expect(verify(c.serverCert, c.caCert)).toMatch(/OK$/);
    expect(verify(c.clientCert, c.caCert)).toMatch(/OK$/);
    expect(verify(c.serverCert, c.otherCaCert)).not.toMatch(/OK$/);
    expect(verify(c.expiredServerCert, c.caCert)).toMatch(/expired/);
    const text = execFileSync('openssl', ['x509', '-in', c.serverCert, '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' });
    expect(text).toContain('DNS:localhost');
    expect(text).toContain('IP Address:127.0.0.1');
    expect(text).toMatch(/IP Address:0:0:0:0:0:0:0:1|IP Address:::1/);
  });
});
