#!/usr/bin/python3
"""A consumer-group member for the interop tests (kafka-python or confluent-kafka).

  py_group.py LIB BOOTSTRAP GROUP TOPIC [--strategy S] [--max N] [--idle-ms MS] [--session-ms MS] [--security JSON]

Subscribes, polls, prints one JSON line per record ({"e":"msg","p","o","v"}), commits after every
poll that returned records and prints what it committed ({"e":"commit","p","o"}); prints
{"e":"assigned","partitions":[...]} on each assignment. Stops on SIGTERM (closing cleanly, so the
member leaves the group), after N records, or after MS of silence once it has an assignment.
"""
import json
import signal
import sys
import time

import py_security

lib, bootstrap, group, topic = sys.argv[1:5]
opts = dict(zip(sys.argv[5::2], sys.argv[6::2]))
strategy = opts.get("--strategy")
max_records = int(opts.get("--max", "0"))
idle_ms = int(opts.get("--idle-ms", "0"))
session_ms = int(opts.get("--session-ms", "10000"))
# --security JSON (or KAFKA_INTEROP_SECURITY): TLS/SASL settings, see py_security.py.
SEC = py_security.spec(opts)
stopping = False


def stop(*_):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, stop)


def emit(obj):
    obj["t"] = int(time.time() * 1000)
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


count = 0
last = time.time()
assigned_once = False

if lib == "kafka-python":
    from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
    from kafka.consumer.subscription_state import ConsumerRebalanceListener

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            pass

        def on_partitions_assigned(self, assigned):
            global assigned_once
            assigned_once = True
            emit({"e": "assigned", "partitions": sorted(tp.partition for tp in assigned)})

    kw = dict(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, auto_offset_reset="earliest", session_timeout_ms=session_ms, heartbeat_interval_ms=1000, **py_security.kafka_python(SEC))
    if strategy == "roundrobin":
        from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
        kw["partition_assignment_strategy"] = [RoundRobinPartitionAssignor]
    c = KafkaConsumer(**kw)
    c.subscribe([topic], listener=Listener())
    while not stopping:
        batch = c.poll(timeout_ms=200)
        got = False
        for tp, msgs in batch.items():
            for m in msgs:
                emit({"e": "msg", "p": m.partition, "o": m.offset, "v": m.value.decode()})
                count += 1
                got = True
            c.commit({tp: OffsetAndMetadata(msgs[-1].offset + 1, None)})
            emit({"e": "commit", "p": tp.partition, "o": msgs[-1].offset + 1})
        if got:
            last = time.time()
        if max_records and count >= max_records:
            break
        if idle_ms and assigned_once and (time.time() - last) * 1000 > idle_ms:
            break
    c.close()
else:
    from confluent_kafka import Consumer, TopicPartition

    # The member's whole current assignment: cooperative callbacks carry only the changes.
    current = set()

    def on_assign(consumer, partitions):
        global assigned_once
        assigned_once = True
        if strategy == "cooperative-sticky":
            consumer.incremental_assign(partitions)
            current.update(p.partition for p in partitions)
        else:
            consumer.assign(partitions)
            current.clear()
            current.update(p.partition for p in partitions)
        emit({"e": "assigned", "partitions": sorted(current)})

    def on_revoke(consumer, partitions):
        if strategy == "cooperative-sticky":
            consumer.incremental_unassign(partitions)
            current.difference_update(p.partition for p in partitions)
            emit({"e": "assigned", "partitions": sorted(current)})
        else:
            consumer.unassign()
            current.clear()

    conf = {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False, "auto.offset.reset": "earliest", "session.timeout.ms": session_ms, "heartbeat.interval.ms": 1000, **py_security.confluent(SEC)}
    if strategy:
        conf["partition.assignment.strategy"] = strategy
    c = Consumer(conf)
    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)

    def drain(limit=500):
        # poll(), not consume(num_messages=...): the batch API of librdkafka before 2.1.0 (Debian
        # ships 2.0.2) skips offsets when a rebalance pauses and resumes a partition (librdkafka
        # PR #4208), which cooperative rebalancing does to every partition it keeps.
        msgs = []
        m = c.poll(0.2)
        while m is not None:
            msgs.append(m)
            if len(msgs) >= limit:
                break
            m = c.poll(0)
        return msgs

    while not stopping:
        msgs = drain()
        latest = {}
        for m in msgs:
            if m.error():
                continue
            emit({"e": "msg", "p": m.partition(), "o": m.offset(), "v": m.value().decode()})
            latest[m.partition()] = m.offset() + 1
            count += 1
        if latest:
            last = time.time()
        # A rebalance callback may have run between polls: commit only what this member still owns.
        latest = {p: o for p, o in latest.items() if p in current}
        if latest:
            c.commit(offsets=[TopicPartition(topic, p, o) for p, o in latest.items()], asynchronous=False)
            for p, o in latest.items():
                emit({"e": "commit", "p": p, "o": o})
        if max_records and count >= max_records:
            break
        if idle_ms and assigned_once and (time.time() - last) * 1000 > idle_ms:
            break
    c.close()
emit({"e": "closed"})
