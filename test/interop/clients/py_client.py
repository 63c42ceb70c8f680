#!/usr/bin/python3
"""Drives kafka-python or confluent-kafka from the interop tests.

  py_client.py produce LIB BOOTSTRAP TOPIC COUNT [CODEC] [PREFIX]
  py_client.py consume LIB BOOTSTRAP TOPIC PARTITIONS COUNT
  py_client.py check LIB BOOTSTRAP

check connects and lists the topics: prints "ok N" and exits 0, or prints the client's error and
exits 3 (the security tests' refusals). KAFKA_INTEROP_SECURITY (see py_security.py) adds TLS/SASL.

produce sends COUNT keyed records with two headers and prints "acked N".
consume assigns every partition from the beginning (no consumer group) and prints one JSON
line per record with base64 key, value and headers, then exits after COUNT records.
"""
import base64
import json
import sys
import time

import py_security

SEC = py_security.spec()


def b64(b):
    return None if b is None else base64.b64encode(b).decode()


def produce(lib, bootstrap, topic, count, codec, prefix):
    records = [(("%s-key-%d" % (prefix, i)).encode(), ("%s-value-%d-\u00e9\x00\xff" % (prefix, i)).encode("utf-8", "surrogatepass"), [("h1", b"v1"), ("src", prefix.encode())]) for i in range(count)]
    acked = 0
    if lib == "kafka-python":
        from kafka import KafkaProducer
        p = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **py_security.kafka_python(SEC), compression_type=None if codec == "none" else codec, linger_ms=5)
        futures = [p.send(topic, key=k, value=v, headers=h) for k, v, h in records]
        p.flush(30)
        for f in futures:
            f.get(timeout=30)
            acked += 1
        p.close()
    else:
        from confluent_kafka import Producer
        p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "compression.codec": codec, "linger.ms": 5, **py_security.confluent(SEC)})
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
        c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=30000, **py_security.kafka_python(SEC))
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
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "interop-assign", "enable.auto.commit": False, **py_security.confluent(SEC)})
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


def check(lib, bootstrap):
    """Lists topics within 20 s; any failure (authentication, TLS) is printed and exits 3."""
    try:
        if lib == "kafka-python":
            from kafka import KafkaConsumer
            c = KafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=20000, api_version_auto_timeout_ms=10000, **py_security.kafka_python(SEC))
            n = len(c.topics())
            c.close()
        else:
            from confluent_kafka import Consumer
            errors = []
            conf = py_security.confluent(SEC)
            printed = conf.get("error_cb")

            def on_error(err):
                errors.append(err)
                if printed:
                    printed(err)
            conf["error_cb"] = on_error
            c = Consumer({"bootstrap.servers": bootstrap, "group.id": "interop-check", **conf})
            deadline = time.time() + 20
            n = None
            while n is None:
                try:
                    n = len(c.list_topics(timeout=1).topics)
                except Exception as e:
                    # librdkafka retries refused logins forever: its error callback says why.
                    if errors or time.time() > deadline:
                        raise RuntimeError("; ".join(str(x) for x in errors) or str(e))
            c.close()
    except Exception as e:
        print("error: %s: %s" % (type(e).__name__, e), file=sys.stderr, flush=True)
        sys.exit(3)
    print("ok %d" % n)


if __name__ == "__main__":
    cmd, lib, bootstrap = sys.argv[1:4]
    topic = sys.argv[4] if len(sys.argv) > 4 else None
    if cmd == "check":
        check(lib, bootstrap)
    elif cmd == "produce":
        produce(lib, bootstrap, topic, int(sys.argv[5]), sys.argv[6] if len(sys.argv) > 6 else "none", sys.argv[7] if len(sys.argv) > 7 else lib)
    else:
        consume(lib, bootstrap, topic, int(sys.argv[5]), int(sys.argv[6]))
