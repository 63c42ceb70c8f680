"""The floor under bench/latency.js's end-to-end figure on this machine: the same stamps at the same
rate from one Python process to another through a relay process (bench/latency.js's bare TCP
relay), with no Kafka protocol, client library threads, log or fetch in between: what three
processes and two loopback hops cost here.

usage: relay_rate.py read PORT COUNT        (prints READY on stderr once connected, then the latencies in ms as a JSON list)
       relay_rate.py send PORT COUNT RATE SIZE
"""
import json
import socket
import sys
import time

mode, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection(('127.0.0.1', port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

if mode == 'read':
    # The relay knows its reader by a first byte.
    s.sendall(b'R')
    sys.stderr.write('READY\n')
    sys.stderr.flush()
    buf = b''
    out = []
    while len(out) < count:
        d = s.recv(1 << 16)
        if not d:
            break
        buf += d
        # Each record: a 4-byte length, then the stamp and its padding.
        while len(out) < count and len(buf) >= 4:
            n = int.from_bytes(buf[:4], 'big')
            if len(buf) < 4 + n:
                break
            rec, buf = buf[4:4 + n], buf[4 + n:]
            out.append((time.time_ns() - int(rec[:19])) / 1e6)
    print(json.dumps(out))
else:
    rate, size = float(sys.argv[4]), int(sys.argv[5])
    s.sendall(b'S')
    pad = b'x' * max(0, size - 19)
    start = time.perf_counter()
    sent = 0
    while sent < count:
        due = min(count, int((time.perf_counter() - start) * rate) + 1)
        while sent < due:
            rec = str(time.time_ns()).encode() + pad
            s.sendall(len(rec).to_bytes(4, 'big') + rec)
            sent += 1
        wait = start + sent / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
