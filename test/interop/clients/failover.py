#!/usr/bin/python3
"""Produces and consumes continuously with confluent-kafka (librdkafka) for the failover tests.

  failover.py BOOTSTRAP TOPIC [plain|idempotent]

Produces numbered records with acks=all and reads the topic from the beginning (assigned, no
group) until a line "stop" arrives on stdin; then it waits for outstanding deliveries and for
the consumer to read everything acknowledged. Prints JSON lines: {"acked": N, "consumed": M}
progress every 200 ms, then {"done": true, "acked": [...], "consumed": [...], "errors": [...]}.
"""
import json
import sys
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING

bootstrap, topic = sys.argv[1], sys.argv[2]
idempotent = len(sys.argv) > 3 and sys.argv[3] == "idempotent"
stop = threading.Event()


def watch_stdin():
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop.set()


threading.Thread(target=watch_stdin, daemon=True).start()

acked, errors, consumed = [], [], []
producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "message.timeout.ms": 60000, "retry.backoff.ms": 100, "enable.idempotence": idempotent})
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "failover-unused", "enable.auto.commit": False, "fetch.wait.max.ms": 100})
md = consumer.list_topics(topic, timeout=10)
consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in md.topics[topic].partitions])


def delivered(err, msg):
    if err:
        errors.append(str(err))
    else:
        acked.append(int(msg.value().decode()))


def read(timeout):
    # poll() rather than the batch consume(): librdkafka 2.0.2's batch API can skip offsets when a
    # partition's fetch is restarted (fixed in librdkafka 2.1.0, PR #4208).
    for i in range(500):
        m = consumer.poll(timeout if i == 0 else 0)
        if m is None:
            break
        if not m.error():
            consumed.append(int(m.value().decode()))


n = 0
last = 0
while not stop.is_set():
    for _ in range(5):
        producer.produce(topic, value=str(n).encode(), on_delivery=delivered)
        n += 1
    producer.poll(0)
    read(0.02)
    if time.time() - last > 0.2:
        print(json.dumps({"acked": len(acked), "consumed": len(consumed), "errors": len(errors)}), flush=True)
        last = time.time()

producer.flush(60)
deadline = time.time() + 60
while len(set(consumed) & set(acked)) < len(set(acked)) and time.time() < deadline:
    read(0.2)
consumer.close()
print(json.dumps({"done": True, "acked": acked, "consumed": consumed, "errors": errors[:5]}), flush=True)
