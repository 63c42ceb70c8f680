// Client security settings for the kafkajs interop scripts: the harness passes one JSON object in
// --security or KAFKA_INTEROP_SECURITY ({protocol, mechanism, username, password, ca, cert, key};
// see py_security.py) and this turns it into kafkajs's `ssl` and `sasl` options.
const { readFileSync } = require('node:fs');

function securityOptions(raw = process.env.KAFKA_INTEROP_SECURITY) {
  if (!raw) return {};
  const s = JSON.parse(raw);
  const out = {};
  if (s.protocol.includes('SSL')) {
    out.ssl = { ca: s.ca ? [readFileSync(s.ca, 'utf8')] : undefined, rejectUnauthorized: true };
    if (s.cert) Object.assign(out.ssl, { cert: readFileSync(s.cert, 'utf8'), key: readFileSync(s.key, 'utf8') });
  }
  if (s.protocol.includes('SASL')) out.sasl = { mechanism: s.mechanism.toLowerCase(), username: s.username, password: s.password };
  return out;
}

module.exports = { securityOptions };
