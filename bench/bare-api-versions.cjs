// The start-up peer of the short commands (issue 17): a bare Node script that connects to the
// daemon's Kafka Unix socket, does one ApiVersions v3 round trip and exits. Nothing a real
// command could do with less: no argument parsing, no output, no modules beyond node:net.
//   node bench/bare-api-versions.cjs /path/to/kafka.sock
'use strict';
const net = require('node:net');

const name = Buffer.from('bare');
const header = Buffer.alloc(2 + 2 + 4 + 2 + name.length + 1);
let o = header.writeInt16BE(18, 0); // ApiVersions
o = header.writeInt16BE(3, o); // version 3 (flexible: request header v2)
o = header.writeInt32BE(1, o); // correlation id
o = header.writeInt16BE(name.length, o); // client id (nullable string, not compact)
o += name.copy(header, o);
header[o] = 0; // no tagged fields
// Body: compact strings client_software_name and client_software_version, no tagged fields.
const body = Buffer.from([name.length + 1, ...name, 2, 0x31, 0]);
const size = Buffer.alloc(4);
size.writeInt32BE(header.length + body.length);

const socket = net.connect(process.argv[2]);
let got = Buffer.alloc(0);
socket.on('connect', () => socket.write(Buffer.concat([size, header, body])));
socket.on('data', (d) => {
  got = Buffer.concat([got, d]);
  if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
    // Response header v0 (correlation id), then the error code.
    const error = got.readInt16BE(8);
    socket.destroy();
    process.exitCode = error === 0 ? 0 : 1;
  }
});
socket.on('error', (e) => {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
});
