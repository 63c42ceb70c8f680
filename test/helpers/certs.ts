/**
 * Throw-away TLS material for tests, made with the system openssl in a directory the caller owns
 * (a temp dir): never commit keys. Every value returned is the path of a PEM file.
 *
 * - caCert: the test CA that signed serverCert and clientCert.
 * - serverCert/serverKey: CN=localhost with SANs DNS:localhost, IP:127.0.0.1, IP:::1 (leaf only;
 *   serverChain is leaf + CA, serverKeystore is key + leaf + CA in one file for ssl.keystore.location).
 * - serverKeyEncrypted: the same key as PKCS#8 encrypted with serverKeyPassword (ssl.key.password).
 * - clientCert/clientKey: subject CN=client,OU=test,O=kafka-ts,C=US (RFC 2253 order, most specific
 *   first), so the broker's TLS principal is `User:CN=client,OU=test,O=kafka-ts,C=US`.
 * - otherCaCert: an unrelated CA (trusting only it must make the handshake fail);
 *   otherClientCert/otherClientKey: a client cert signed by that other CA.
 * - expiredServerCert/expiredServerKey: signed by caCert, right SANs, valid only in 2020.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCerts {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCaCert: string;
  expiredServerCert: string;
  expiredServerKey: string;
  serverChain: string;
  serverKeystore: string;
  serverKeyEncrypted: string;
  serverKeyPassword: string;
  otherClientCert: string;
  otherClientKey: string;
  clientPrincipal: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

async function key(dir: string, name: string): Promise<string> {
  const path = join(dir, `${name}.key`);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path], dir);
  return path;
}

async function ca(dir: string, name: string, cn: string): Promise<{ cert: string; key: string }> {
  const k = await key(dir, name);
  const cert = join(dir, `${name}.pem`);
  await openssl(['req', '-x509', '-new', '-key', k, '-sha256', '-days', '3650', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', cert], dir);
  return { cert, key: k };
}

const SERVER_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n' +
  'extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n';
const CLIENT_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';

async function leaf(dir: string, name: string, subj: string, ext: string, signer: { cert: string; key: string }): Promise<{ cert: string; key: string }> {
  const k = await key(dir, name);
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  const cert = join(dir, `${name}.pem`);
  writeFileSync(extFile, ext);
  await openssl(['req', '-new', '-key', k, '-subj', subj, '-out', csr], dir);
  await openssl(['x509', '-req', '-in', csr, '-CA', signer.cert, '-CAkey', signer.key, '-CAcreateserial',
    '-days', '825', '-sha256', '-extfile', extFile, '-out', cert], dir);
  return { cert, key: k };
}

/** A cert valid only in 2020 (openssl ca accepts explicit start and end dates; x509 -req does not in 3.0). */
async function expiredLeaf(dir: string, signer: { cert: string; key: string }): Promise<{ cert: string; key: string }> {
  const k = await key(dir, 'expired-server');
  const csr = join(dir, 'expired-server.csr');
  const cert = join(dir, 'expired-server.pem');
  const caDir = join(dir, 'expired-ca-db');
  mkdirSync(caDir, { recursive: true });
  writeFileSync(join(caDir, 'index.txt'), '');
  writeFileSync(join(caDir, 'serial'), '1000\n');
  const conf = join(caDir, 'ca.cnf');
  writeFileSync(conf, [
    '[ca]', 'default_ca = test_ca', '[test_ca]', `dir = ${caDir}`, 'database = $dir/index.txt',
    'serial = $dir/serial', 'new_certs_dir = $dir', 'default_md = sha256', 'policy = any_policy',
    'unique_subject = no', 'copy_extensions = none', 'x509_extensions = server_ext',
    '[any_policy]', 'commonName = supplied', '[server_ext]', ...SERVER_EXT.trim().split('\n'), '',
  ].join('\n'));
  await openssl(['req', '-new', '-key', k, '-subj', '/CN=localhost', '-out', csr], dir);
  await openssl(['ca', '-batch', '-config', conf, '-cert', signer.cert, '-keyfile', signer.key, '-in', csr,
    '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-notext', '-out', cert], dir);
  return { cert, key: k };
}

/** Makes the test CA, server, client, other-CA and expired certificates in `dir` (created if missing). */
export async function makeCerts(dir: string): Promise<TestCerts> {
  mkdirSync(dir, { recursive: true });
  const root = await ca(dir, 'ca', 'kafka-ts test CA');
  const other = await ca(dir, 'other-ca', 'kafka-ts untrusted CA');
  const server = await leaf(dir, 'server', '/CN=localhost', SERVER_EXT, root);
  const client = await leaf(dir, 'client', '/C=US/O=kafka-ts/OU=test/CN=client', CLIENT_EXT, root);
  const otherClient = await leaf(dir, 'other-client', '/CN=intruder', CLIENT_EXT, other);
  const expired = await expiredLeaf(dir, root);

  const caPem = readFileSync(root.cert, 'utf8');
  const serverPem = readFileSync(server.cert, 'utf8');
  const serverChain = join(dir, 'server-chain.pem');
  writeFileSync(serverChain, serverPem + caPem);
  const serverKeystore = join(dir, 'server-keystore.pem');
  writeFileSync(serverKeystore, readFileSync(server.key, 'utf8') + serverPem + caPem);
  const serverKeyPassword = 'test-key-pass';
  const serverKeyEncrypted = join(dir, 'server-encrypted.key');
  await openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', server.key, '-out', serverKeyEncrypted,
    '-passout', `pass:${serverKeyPassword}`], dir);

  return {
    caCert: root.cert,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    otherCaCert: other.cert,
    expiredServerCert: expired.cert,
    expiredServerKey: expired.key,
    serverChain,
    serverKeystore,
    serverKeyEncrypted,
    serverKeyPassword,
    otherClientCert: otherClient.cert,
    otherClientKey: otherClient.key,
    clientPrincipal: 'User:CN=client,OU=test,O=kafka-ts,C=US',
  };
}
