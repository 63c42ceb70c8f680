// A bare TCP relay for bench/latency.js's floor: prints its port, then passes everything a sender
// connection writes on to the reader connection (each names itself by its first byte: R or S).
// Nothing else: no framing, no parsing, no storage.
'use strict';
const net = require('node:net');
let reader = null;
const early = [];
const server = net.createServer((s) => {
  s.setNoDelay(true);
  s.once('data', (first) => {
    if (first[0] === 0x52 /* R */) {
      reader = s;
      for (const d of early.splice(0)) reader.write(d);
      return;
    }
    const rest = first.subarray(1);
    const pass = (d) => (reader ? reader.write(d) : early.push(d));
    if (rest.length > 0) pass(rest);
    s.on('data', pass);
    s.on('end', () => s.end());
  });
  s.on('error', () => undefined);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0));
