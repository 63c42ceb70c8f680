/** Certificate subjects as Kafka names TLS principals; shared by the broker (mutual TLS) and the client (messages). */
const RFC2253_OIDS: Record<string, string> = { emailAddress: '1.2.840.113549.1.9.1' };

/**
 * A certificate subject as Java's X500Principal.getName() (RFC 2253) writes it, which Kafka's
 * default ssl.principal.mapping.rules use: most specific attribute first, comma-separated, no
 * spaces. Node prints one attribute per line, most general first, values already escaped per
 * RFC 2253; attributes without an RFC 2253 keyword become OID=#hex (DER IA5String), as Java does.
 */
export function rfc2253Subject(subject: string): string {
  return subject
    .split('\n')
    .filter((l) => l !== '')
    .reverse()
    .map((rdn) =>
      rdn
        .split(' + ')
        .map((ava) => {
          const i = ava.indexOf('=');
          const key = ava.slice(0, i);
          const value = ava.slice(i + 1);
          const oid = RFC2253_OIDS[key];
          if (!oid) return `${key}=${value}`;
          const bytes = Buffer.from(value.replace(/\\(.)/g, '$1'), 'utf8');
          return `${oid}=#16${bytes.length.toString(16).padStart(2, '0')}${bytes.toString('hex')}`;
        })
        .join('+'),
    )
    .join(',');
}
