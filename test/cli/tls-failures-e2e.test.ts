/**
 * TLS failures through the built CLI: a broker whose certificate names only localhost while it
 * advertises 127.0.0.1 (the bootstrap by localhost works, the connection to the advertised
 * address does not): console-producer ends with exit 7 and the error in its JSON summary, as the
 * other tools do, and the hint points at advertised.listeners. A broker keystore whose key is not
 * its certificate's stops the start with exit 2 naming ssl.keystore.location.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { kafkaTs, stopDaemon } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

let tmp: { dir: string; cleanup: () => void };
let certs: TestCerts;
let home: string;
let port: number;
let sslProps: string;

beforeAll(async () => {
  tmp = tempDir('kafka-ts-tls-cli-');
  const dir = join(tmp.dir, 'certs');
  certs = await makeCerts(dir);
  // A server certificate naming DNS:localhost only (no IP).
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'lh.key']);
  run(['req', '-new', '-key', 'lh.key', '-subj', '/CN=localhost', '-out', 'lh.csr']);
  writeFileSync(join(dir, 'lh.ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'lh.csr', '-CA', certs.caCert, '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '30', '-extfile', 'lh.ext', '-out', 'lh.pem']);
  writeFileSync(join(dir, 'lh-bundle.pem'), readFileSync(join(dir, 'lh.key'), 'utf8') + readFileSync(join(dir, 'lh.pem'), 'utf8'));
  sslProps = join(tmp.dir, 'ssl.properties');
  writeFileSync(sslProps, `security.protocol=SSL\nssl.truststore.location=${certs.caCert}\n`);
  home = join(tmp.dir, 'home');
  const r = await kafkaTs(
    ['server', 'start', '--port', '0', '--schema-registry-port', '0', '--output', 'json', '--override', 'listeners=SSL://127.0.0.1:0', '--override', 'ssl.keystore.type=PEM', '--override', `ssl.keystore.location=${join(dir, 'lh-bundle.pem')}`],
    { home },
  );
  if (r.exitCode !== 0) throw new Error(`daemon failed to start: ${r.stderr}${r.stdout}`);
  const ssl = (JSON.parse(r.stdout) as { listeners: string[] }).listeners.find((l) => l.startsWith('SSL://'))!;
  port = Number(ssl.split(':').pop());
}, 90_000);

afterAll(async () => {
  if (home) await stopDaemon(home);
  tmp?.cleanup();
});

describe('TLS failures through the CLI', () => {
  it('console-producer: a certificate that does not name the advertised address is exit 7 with the error in JSON, naming advertised.listeners', async () => {
    const r = await kafkaTs(['console-producer', '--bootstrap-server', `localhost:${port}`, '--producer.config', sslProps, '--topic', 'newt', '--output', 'json'], { home: '', input: 'x\ny\n', timeout: 30_000 });
    expect(r.exitCode).toBe(7);
    const summary = JSON.parse(r.stdout) as { sent: number; error?: { code: number; kind: string; message: string } };
    expect(summary.sent).toBe(0);
    expect(summary.error).toMatchObject({ code: 7, kind: 'auth' });
    expect(summary.error!.message).toMatch(new RegExp(`^server certificate for 127\\.0\\.0\\.1:${port} does not match host 127\\.0\\.0\\.1 \\(the certificate names DNS:localhost\\): 127\\.0\\.0\\.1:${port} is the address the broker advertises; set the broker's advertised\\.listeners to one of those names`));
    expect(r.stderr).not.toContain('connect by one of those names');
    expect(r.stderr.trim().split('\n').filter((l) => l.includes('does not match host'))).toHaveLength(1);
    // --sync and a transaction end the same way (they said it as a stop at line 1 with exit 7, and as a failed transaction with exit 1).
    for (const extra of [['--sync'], ['--producer-property', 'transactional.id=tls-t1']]) {
      const more = await kafkaTs(['console-producer', '--bootstrap-server', `localhost:${port}`, '--producer.config', sslProps, '--topic', 'newt', ...extra], { home: '', input: 'x\ny\n', timeout: 30_000 });
      expect({ extra, exit: more.exitCode }).toEqual({ extra, exit: 7 });
      expect(more.stderr.trim().split('\n').filter((l) => l.includes('does not match host'))).toEqual([expect.stringMatching(/^kafka-ts console-producer: error: server certificate/)]);
    }
    const offsets = await kafkaTs(['get-offsets', '--bootstrap-server', `localhost:${port}`, '--command-config', sslProps, '--topic', 'newt'], { home: '', timeout: 30_000 });
    expect(offsets.exitCode).toBe(7);
    expect(offsets.stderr).toContain("set the broker's advertised.listeners");
  });

  it('a broker keystore whose key is not its certificate\'s: exit 2 naming ssl.keystore.location', async () => {
    const bad = join(tmp.dir, 'mismatch.pem');
    writeFileSync(bad, readFileSync(certs.otherClientKey, 'utf8') + readFileSync(certs.serverCert, 'utf8'));
    const r = await kafkaTs(['server', 'start', '--foreground', '--port', '0', '--schema-registry-port', '0', '--override', 'listeners=SSL://127.0.0.1:0', '--override', 'ssl.keystore.type=PEM', '--override', `ssl.keystore.location=${bad}`], { home: join(tmp.dir, 'home2'), timeout: 30_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(`kafka-ts server: usage error: ssl.keystore.location ${bad}: the private key does not match the certificate (the first certificate must be the key's own)`);
  });
});
