// Client security settings for the kafkajs interop scripts: the harness passes one JSON object in
// --security or KAFKA_INTEROP_SECURITY ({protocol, mechanism, username, password, ca, cert, key};
// see py_security.py) and this turns it into kafkajs's `ssl` and `sasl` options.
const { readFileSync } = require('node:fs');

/** An unsigned (alg none) JWT, what Kafka's default OAUTHBEARER validator accepts. */
function unsecuredJwt(sub, lifetimeSeconds) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${enc({ alg: 'none' })}.${enc({ sub, iat: now, exp: now + lifetimeSeconds })}.`;
}

function securityOptions(raw = process.env.KAFKA_INTEROP_SECURITY) {
  if (!raw) return {};
  const s = JSON.parse(raw);
  const out = {};
  if (s.protocol.includes('SSL')) {
    out.ssl = { ca: s.ca ? [readFileSync(s.ca, 'utf8')] : undefined, rejectUnauthorized: true };
    if (s.cert) Object.assign(out.ssl, { cert: readFileSync(s.cert, 'utf8'), key: readFileSync(s.key, 'utf8') });
  }
  if (s.mechanism === 'OAUTHBEARER') out.sasl = { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: unsecuredJwt(s.username, s.tokenLifetimeSeconds ?? 3600) }) };
  else if (s.protocol.includes('SASL')) out.sasl = { mechanism: s.mechanism.toLowerCase(), username: s.username, password: s.password };
  return out;
}

module.exports = { securityOptions };
