#!/usr/bin/python3
"""Drives kafka-python or confluent-kafka from the interop tests.

  py_client.py produce LIB BOOTSTRAP TOPIC COUNT [CODEC] [PREFIX]
  py_client.py consume LIB BOOTSTRAP TOPIC PARTITIONS COUNT

produce sends COUNT keyed records with two headers and prints "acked N".
consume assigns every partition from the beginning (no consumer group) and prints one JSON
line per record with base64 key, value and headers, then exits after COUNT records.
"""
import base64
import json
import sys


def b64(b):
    return None if b is None else base64.b64encode(b).decode()


def produce(lib, bootstrap, topic, count, codec, prefix):
    records = [(("%s-key-%d" % (prefix, i)).encode(), ("%s-value-%d-\u00e9\x00\xff" % (prefix, i)).encode("utf-8", "surrogatepass"), [("h1", b"v1"), ("src", prefix.encode())]) for i in range(count)]
    acked = 0
    if lib == "kafka-python":
        from kafka import KafkaProducer
        p = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type=None if codec == "none" else codec, linger_ms=5)
        futures = [p.send(topic, key=k, value=v, headers=h) for k, v, h in records]
        p.flush(30)
        for f in futures:
            f.get(timeout=30)
            acked += 1
        p.close()
    else:
        from confluent_kafka import Producer
        p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "compression.codec": codec, "linger.ms": 5})
        state = {"acked": 0, "errors": []}

        def cb(err, msg):
            if err:
                state["errors"].append(str(err))
            else:
                state["acked"] += 1
        for k, v, h in records:
            while True:
                try:
                    p.produce(topic, key=k, value=v, headers=h, on_delivery=cb)
                    break
                except BufferError:
                    p.poll(0.1)
        p.flush(30)
        if state["errors"]:
            print("errors", state["errors"][:3], file=sys.stderr)
            sys.exit(1)
        acked = state["acked"]
    print("acked %d" % acked)


def consume(lib, bootstrap, topic, partitions, count):
    got = 0
    out = sys.stdout
    if lib == "kafka-python":
        from kafka import KafkaConsumer, TopicPartition
        c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=30000)
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        c.assign(tps)
        c.seek_to_beginning(*tps)
        for m in c:
            out.write(json.dumps({"p": m.partition, "o": m.offset, "k": b64(m.key), "v": b64(m.value), "h": [[k, b64(v)] for k, v in m.headers]}) + "\n")
            got += 1
            if got >= count:
                break
        c.close()
    else:
        from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "interop-assign", "enable.auto.commit": False})
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        idle = 0
        while got < count and idle < 60:
            m = c.poll(0.5)
            if m is None:
                idle += 1
                continue
            if m.error():
                print("error", m.error(), file=sys.stderr)
                continue
            idle = 0
            out.write(json.dumps({"p": m.partition(), "o": m.offset(), "k": b64(m.key()), "v": b64(m.value()), "h": [[k, b64(v)] for k, v in (m.headers() or [])]}) + "\n")
            got += 1
        c.close()
    out.flush()
    if got < count:
        print("only %d of %d records" % (got, count), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    cmd, lib, bootstrap, topic = sys.argv[1:5]
    if cmd == "produce":
        produce(lib, bootstrap, topic, int(sys.argv[5]), sys.argv[6] if len(sys.argv) > 6 else "none", sys.argv[7] if len(sys.argv) > 7 else lib)
    else:
        consume(lib, bootstrap, topic, int(sys.argv[5]), int(sys.argv[6]))
