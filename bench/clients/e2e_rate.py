"""End-to-end latency at a fixed rate with librdkafka (confluent_kafka), producer and consumer in
separate processes: the producer stamps each value with time.time_ns() (same host, same clock) and
sends at RATE records/s (linger.ms 0, acks=all); the consumer reads from the end and prints, per
record it read (JSON list of [total, to append, from append] in ms): read time - stamp, and split
at the record's timestamp, which on a topic with message.timestamp.type=LogAppendTime is the
broker's append time (whole milliseconds: the parts are +-1 ms, and the first may be negative).

usage: e2e_rate.py consume BOOTSTRAP TOPIC COUNT      (prints READY on stderr once it read a warm-up record)
       e2e_rate.py warmup BOOTSTRAP TOPIC COUNT       (COUNT warm-up records, 200 ms apart)
       e2e_rate.py produce BOOTSTRAP TOPIC COUNT RATE SIZE
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition

mode, bootstrap, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

if mode == 'consume':
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'e2e-rate', 'enable.auto.commit': False,
                  'fetch.wait.max.ms': 500, 'fetch.min.bytes': 1, 'fetch.error.backoff.ms': 0})
    _, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    c.assign([TopicPartition(topic, 0, high)])
    # READY once a warm-up record (value W...) was read: the consumer is fetching at the end.
    while True:
        m = c.poll(0.5)
        if m is not None and not m.error() and m.value().startswith(b'W'):
            break
    sys.stderr.write('READY\n')
    sys.stderr.flush()
    out = []
    deadline = time.time() + 120
    while len(out) < count and time.time() < deadline:
        m = c.poll(0.5)
        if m is None or m.error() or m.value().startswith(b'W'):
            continue
        now, stamp, appended = time.time_ns(), int(m.value()[:19]), m.timestamp()[1]
        out.append([(now - stamp) / 1e6, appended - stamp / 1e6, now / 1e6 - appended])
    c.close()
    print(json.dumps(out))
elif mode == 'warmup':
    p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 0, 'acks': 'all'})
    for _ in range(count):
        p.produce(topic, b'W')
        p.flush(10)
        time.sleep(0.2)
else:
    rate, size = float(sys.argv[5]), int(sys.argv[6])
    p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 0, 'acks': 'all', 'enable.idempotence': False})
    pad = b'x' * max(0, size - 19)
    # Connected and the partition's leader known before the first stamp.
    p.list_topics(topic, timeout=10)
    p.produce(topic, b'W')
    p.flush(10)
    start = time.perf_counter()
    sent = 0
    while sent < count:
        due = min(count, int((time.perf_counter() - start) * rate) + 1)
        while sent < due:
            p.produce(topic, str(time.time_ns()).encode() + pad)
            sent += 1
        p.poll(0)
        wait = start + sent / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
    p.flush(60)
