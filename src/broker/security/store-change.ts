/**
 * The checks of a dynamic keystore or truststore change (KIP-226) before a listener takes it, as
 * Kafka's SslFactory.validateReconfiguration makes them, so that a store every client would refuse
 * is refused instead (INVALID_REQUEST, nothing changes):
 *
 * - the new certificate's subject must be the current one's (Kafka: "Keystore DistinguishedName
 *   does not match"), unless ssl.allow.dn.changes=true, and its subject alternative names must
 *   include all the current ones ("Keystore SubjectAltNames do not match"), unless
 *   ssl.allow.san.changes=true (KIP-978; both read from server.properties, listener-prefixed or
 *   not, as Kafka reads them);
 * - every certificate of its chain must be valid now (not expired, not yet valid);
 * - its chain must verify where clients' trust can be seen. Kafka makes a test handshake
 *   (SslEngineValidator) between engines built from the old and the new stores, on its
 *   inter-broker listener, which fails for an expired certificate or a chain the truststore (else
 *   Java's default trust store) does not trust. kafka-ts has no inter-broker listener (replication
 *   is in process), so every TLS listener is checked, with its truststore as the stand-in for its
 *   clients' when that truststore trusts the current certificate; when the listener has no
 *   truststore, or one that trusts client certificates only, the new chain must verify against
 *   Node.js's bundled public CAs or a CA certificate of the current keystore file (as Java's
 *   default trust store would), and when even the current certificate's CA cannot be seen there,
 *   the new chain must come from the CA of the same name (its key cannot be checked).
 * - a new truststore must go on trusting the listener's certificate when the current one did
 *   (Kafka's handshake of the old keystore with the new truststore);
 * - a listener that started without a truststore cannot be given one.
 */
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { rfc2253Subject } from '../../transport/certificate-subject.js';
import type { ListenerProps } from './listener-config.js';
import { keystoreSource, pemBlocks, truststoreSource } from './tls-config.js';

/** Kafka's prefix of every such refusal (SslFactory.createNewSslEngineFactory). */
export const SSL_FACTORY_FAILED = 'Validation of dynamic config update of SSLFactory failed: ';

const toPems = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((x) => pemBlocks(Buffer.isBuffer(x) ? x.toString('utf8') : String(x)).filter((b) => b.label === 'CERTIFICATE').map((b) => b.pem));

/** The certificates of a PEM option (one that cannot be parsed was refused when the store was loaded; it is left out here). */
const certs = (v: unknown): X509Certificate[] =>
  toPems(v).flatMap((p) => {
    try {
      return [new X509Certificate(p)];
    } catch {
      return [];
    }
  });
const dn = (c: X509Certificate) => rfc2253Subject(c.subject);
const issuerDn = (c: X509Certificate) => rfc2253Subject(c.issuer);

/** The subject alternative names, as Node prints them (DNS:a, IP Address:b). */
function sans(c: X509Certificate): string[] {
  return (c.subjectAltName ?? '').split(/, (?=[A-Za-z][A-Za-z ]*:)/).filter((s) => s !== '');
}

const issuedBy = (c: X509Certificate, issuer: X509Certificate) => c.checkIssued(issuer) && c.verify(issuer.publicKey);

/**
 * The path from `chain[0]` to one of `anchors` through the CA certificates of `chain`, or null:
 * the certificates on it (the leaf first, the anchor last). Validity is not looked at here.
 */
function pathTo(chain: X509Certificate[], anchors: X509Certificate[]): X509Certificate[] | null {
  const path = [chain[0]!];
  for (let depth = 0; depth < 10; depth++) {
    const cur = path[path.length - 1]!;
    if (anchors.some((a) => a.fingerprint256 === cur.fingerprint256)) return path;
    const anchor = anchors.find((a) => issuedBy(cur, a));
    if (anchor) return [...path, anchor];
    const next = chain.find((c) => c.ca && !path.includes(c) && issuedBy(cur, c));
    if (!next) return null;
    path.push(next);
  }
  return null;
}

/** The first certificate of `path` that is not valid at `now`, said as Java's PKIX check says it. */
function validityProblem(path: X509Certificate[], now: Date): string | null {
  for (const c of path) {
    const from = new Date(c.validFrom);
    const to = new Date(c.validTo);
    if (now > to) return `certificate ${dn(c)} has expired (NotAfter: ${to.toISOString()})`;
    if (now < from) return `certificate ${dn(c)} is not yet valid (NotBefore: ${from.toISOString()})`;
  }
  return null;
}

let publicRoots: X509Certificate[] | null = null;
const nodeRoots = () => (publicRoots ??= tls.rootCertificates.map((p) => new X509Certificate(p)));

/** The certificates a client without the listener's truststore would be seen to trust: public CAs and the CA certificates the current keystore file ships. */
function defaultAnchors(current: X509Certificate[]): X509Certificate[] {
  const [leaf, ...rest] = current;
  const own = rest.filter((c) => c.ca);
  if (leaf && leaf.checkIssued(leaf)) own.push(leaf);
  return [...nodeRoots(), ...own];
}

const flag = (p: ListenerProps, key: string) => (p.get(key) ?? 'false').trim().toLowerCase() === 'true';

export interface StoreChange {
  /** The TLS options the listener uses now, and those it would take. */
  current: tls.TlsOptions;
  next: tls.TlsOptions;
  /** The listener's settings after the change (sources for messages, ssl.allow.*.changes). */
  props: ListenerProps;
  now?: Date;
}

/** Why a listener must not take its new stores (Kafka's message), or null when it may. */
export function storeChangeProblem({ current, next, props, now = new Date() }: StoreChange): string | null {
  const curChain = certs(current.cert);
  const newChain = certs(next.cert);
  const curTrust = certs(current.ca);
  const newTrust = certs(next.ca);
  const keystoreChanged = curChain.map((c) => c.fingerprint256).join() !== newChain.map((c) => c.fingerprint256).join();
  const truststoreChanged = curTrust.map((c) => c.fingerprint256).join() !== newTrust.map((c) => c.fingerprint256).join();
  const ks = keystoreSource(props);
  const ts = () => truststoreSource(props);
  const fail = (where: string, what: string) => `${SSL_FACTORY_FAILED}${where}: ${what}`;
  // Kafka refuses it too: whether the listener asks clients for certificates was settled when it started.
  if (curTrust.length === 0 && newTrust.length > 0) {
    return fail(ts(), 'Cannot add SSL truststore to an existing listener for which no truststore was configured. (set it in server.properties and restart the broker)');
  }
  if (curChain.length === 0 || newChain.length === 0) return null;
  // The current truststore stands for the clients' when it trusts the listener's own certificate.
  const trustServes = curTrust.length > 0 && pathTo(curChain, curTrust) !== null;

  if (keystoreChanged) {
    const [oldLeaf, newLeaf] = [curChain[0]!, newChain[0]!];
    const prefixed = (k: string) => `${k} or listener.name.${props.name.toLowerCase()}.${k}`;
    if (!flag(props, 'ssl.allow.dn.changes') && dn(oldLeaf).toLowerCase() !== dn(newLeaf).toLowerCase()) {
      return fail(ks, `Keystore DistinguishedName does not match: existing={DN=${dn(oldLeaf)}}, new={DN=${dn(newLeaf)}} (clients that check the host name or the subject would refuse it; ${prefixed('ssl.allow.dn.changes')}=true in server.properties allows it)`);
    }
    const missing = sans(oldLeaf).filter((n) => !sans(newLeaf).includes(n));
    if (!flag(props, 'ssl.allow.san.changes') && missing.length > 0) {
      return fail(ks, `Keystore SubjectAltNames do not match: existing={SAN=[${sans(oldLeaf).join(', ')}]}, new={SAN=[${sans(newLeaf).join(', ')}]} (missing ${missing.join(', ')}: clients connecting by that name would refuse it; ${prefixed('ssl.allow.san.changes')}=true in server.properties allows it)`);
    }
    const leafDates = validityProblem([newLeaf], now);
    if (leafDates) return fail(ks, leafDates);
    // The truststores that vouch for the listener's certificate: the new chain must verify against each.
    const stores: { certs: X509Certificate[]; name: string }[] = [];
    if (trustServes) stores.push({ certs: curTrust, name: truststoreChanged ? 'the current truststore' : ts() });
    if (trustServes && truststoreChanged && newTrust.length > 0) stores.push({ certs: newTrust, name: ts() });
    for (const store of stores) {
      const path = pathTo(newChain, store.certs);
      if (!path) {
        return fail(ks, `the certificate chain of ${dn(newLeaf)} (issuer ${issuerDn(newChain[newChain.length - 1]!)}) does not verify against ${store.name}, which trusts the current certificate: unable to find a valid certification path (clients that trust the current certificate would refuse it)`);
      }
      const dates = validityProblem(path, now);
      if (dates) return fail(ks, dates);
    }
    if (!trustServes) {
      const anchors = defaultAnchors(curChain);
      const curPath = pathTo(curChain, anchors);
      const path = pathTo(newChain, anchors);
      if (curPath && !path) {
        return fail(ks, `the certificate chain of ${dn(newLeaf)} (issuer ${issuerDn(newChain[newChain.length - 1]!)}) does not verify against the CA of the current certificate (${dn(curPath[curPath.length - 1]!)}) or a public CA, and the listener has no truststore that trusts it: unable to find a valid certification path (clients that trust the current certificate would refuse it; put the new CA in ssl.truststore.location, or the CA certificate after the certificate in the keystore file)`);
      }
      if (path) {
        const dates = validityProblem(path, now);
        if (dates) return fail(ks, dates);
      } else {
        // Neither chain reaches a CA this broker can see: the issuer can be compared by name only.
        const [oldTop, newTop] = [curChain[curChain.length - 1]!, newChain[newChain.length - 1]!];
        if (issuerDn(oldTop).toLowerCase() !== issuerDn(newTop).toLowerCase()) {
          return fail(ks, `the certificate chain of ${dn(newLeaf)} is issued by ${issuerDn(newTop)}, the current one by ${issuerDn(oldTop)}, and the listener has no truststore showing that clients trust the new issuer (clients that trust the current certificate would refuse it; put its CA in ssl.truststore.location, or the CA certificate after the certificate in the keystore file)`);
        }
        const dates = validityProblem(newChain, now);
        if (dates) return fail(ks, dates);
      }
    }
  }
  if (truststoreChanged && trustServes && newTrust.length > 0) {
    // Kafka's handshake of the current keystore with the new truststore.
    const chain = keystoreChanged ? newChain : curChain;
    if (!pathTo(chain, newTrust)) {
      return fail(ts(), `the new truststore does not trust the listener's certificate ${dn(chain[0]!)} (issuer ${issuerDn(chain[chain.length - 1]!)}), which the current truststore trusts: unable to find a valid certification path`);
    }
  }
  return null;
}

/**
 * Whether two listener settings serve the same stores: the same key (and its password), the same
 * certificate chain and the same trusted CAs, by content (a file renewed in place within the same
 * second, or with its old modification time kept by a copy, is still a change).
 */
export function sameStores(a: tls.TlsOptions, b: tls.TlsOptions): boolean {
  const text = (v: unknown): string => (v === undefined ? '' : (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : typeof x === 'string' ? x : JSON.stringify(x))).join('\n'));
  return text(a.key) === text(b.key) && text(a.cert) === text(b.cert) && text(a.ca) === text(b.ca) && (a.passphrase ?? '') === (b.passphrase ?? '');
}
