"""One librdkafka producer (confluent_kafka) for the durable bench: COUNT records of SIZE bytes to
TOPIC with acks=all; prints {"start": t0, "end": t1, "acked": n} (time.time(), after every
delivery report).

usage: produce_n.py BOOTSTRAP TOPIC COUNT SIZE
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, count, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 5, 'queue.buffering.max.messages': 1000000})
p.list_topics(topic, timeout=10)
acked = [0]


def done(err, _msg):
    if err is None:
        acked[0] += 1


value = b'd' * size
start = time.time()
for _ in range(count):
    while True:
        try:
            p.produce(topic, value, on_delivery=done)
            break
        except BufferError:
            p.poll(0.01)
    p.poll(0)
p.flush(120)
print(json.dumps({'start': start, 'end': time.time(), 'acked': acked[0]}))
