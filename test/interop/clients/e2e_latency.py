"""Kafka's EndToEndLatency with librdkafka (confluent_kafka): send one record (linger 0), wait for
its acknowledgement, read it back from the end of the topic; prints the latencies in ms as JSON.

usage: e2e_latency.py BOOTSTRAP TOPIC COUNT ACKS SIZE
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, topic, count, acks, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
producer = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 0, 'acks': acks, 'enable.idempotence': False})
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'e2e-librdkafka', 'enable.auto.commit': False, 'fetch.wait.max.ms': 0})
# The end of the log, looked up now (OFFSET_END would be resolved lazily, after the first send).
_, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
consumer.assign([TopicPartition(topic, 0, high)])


def round_trip(value):
    begin = time.perf_counter()
    producer.produce(topic, value)
    producer.flush(60)
    deadline = time.time() + 60
    while time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        if msg.value() != value:
            raise SystemExit('read %r, sent %r' % (msg.value()[:20], value[:20]))
        return (time.perf_counter() - begin) * 1000.0
    raise SystemExit('timed out')


round_trip(b'W' * size)  # the consumer's position and connections, not measured
latencies = [round_trip(bytes([65 + i % 26]) * size) for i in range(count)]
consumer.close()
print(json.dumps(latencies))
