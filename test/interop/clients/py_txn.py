#!/usr/bin/python3
"""Transactions with confluent-kafka (librdkafka) for the interop tests.

  py_txn.py read BOOTSTRAP TOPIC ISOLATION IDLE_MS
      assigns every partition from the beginning (no group) with isolation.level=ISOLATION and
      prints one JSON line per record {p, o, v}, then {"end": {partition: position}} once every
      partition has reached its end (EOF) and IDLE_MS passed without a record.
  py_txn.py committed BOOTSTRAP GROUP TOPIC
      prints the group's committed offsets as one JSON object {partition: offset}.
  py_txn.py eos BOOTSTRAP INPUT OUTPUT GROUP TXN_ID TOTAL BATCH PAUSE_MS
      a consume-transform-produce loop: reads INPUT in read_committed with GROUP (a static
      member), and for each poll of up to BATCH records begins a transaction, produces
      "<value>|<p>:<o>" to OUTPUT, "processes" for PAUSE_MS (so a kill often lands inside a
      transaction), sends the consumed offsets with send_offsets_to_transaction and commits. Prints "committed N" (records of
      committed transactions so far, this instance) after each commit; exits 0 once the group's
      position covers TOTAL input records.
  py_txn.py fence BOOTSTRAP TOPIC TXN_ID
      producer A begins a transaction and sends; producer B with the same transactional id runs
      init_transactions; A's commit then fails. Prints JSON {a_error, fatal, code, b_committed}.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition


def partitions_of(c, topic):
    md = c.list_topics(topic, timeout=10)
    return sorted(md.topics[topic].partitions.keys())


def read(bootstrap, topic, isolation, idle_ms):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "py-txn-reader", "enable.auto.commit": False,
                  "isolation.level": isolation, "enable.partition.eof": True, "auto.offset.reset": "earliest"})
    parts = partitions_of(c, topic)
    c.assign([TopicPartition(topic, p, -2) for p in parts])
    at_eof = set()
    last = time.time()
    while True:
        m = c.poll(0.2)
        if m is None:
            if len(at_eof) == len(parts) and (time.time() - last) * 1000 >= idle_ms:
                break
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                at_eof.add(m.partition())
                continue
            raise KafkaException(m.error())
        at_eof.discard(m.partition())
        last = time.time()
        print(json.dumps({"p": m.partition(), "o": m.offset(), "v": m.value().decode()}), flush=True)
    pos = c.position([TopicPartition(topic, p) for p in parts])
    print(json.dumps({"end": {str(tp.partition): tp.offset for tp in pos}}), flush=True)
    c.close()


def committed(bootstrap, group, topic):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    parts = partitions_of(c, topic)
    got = c.committed([TopicPartition(topic, p) for p in parts], timeout=10)
    print(json.dumps({str(tp.partition): tp.offset for tp in got}), flush=True)
    c.close()


def eos(bootstrap, inp, out, group, txn_id, total, batch, pause_ms):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                  "isolation.level": "read_committed", "auto.offset.reset": "earliest",
                  "session.timeout.ms": 6000, "heartbeat.interval.ms": 500, "group.instance.id": group + "-worker"})
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id, "transaction.timeout.ms": 10000, "linger.ms": 5})
    p.init_transactions(30)
    c.subscribe([inp])
    done = 0
    idle_since = time.time()
    while True:
        msgs = c.consume(batch, 0.5)
        msgs = [m for m in msgs if not m.error()]
        if not msgs:
            assignment = c.assignment()
            if assignment:
                got = c.committed(assignment, timeout=10)
                if sum(max(tp.offset, 0) for tp in got) >= total:
                    break
            if time.time() - idle_since > 60:
                print("idle for 60 s", file=sys.stderr, flush=True)
                sys.exit(4)
            continue
        idle_since = time.time()
        p.begin_transaction()
        for m in msgs:
            while True:
                try:
                    p.produce(out, key=m.key(), value=m.value() + ("|%d:%d" % (m.partition(), m.offset())).encode())
                    break
                except BufferError:
                    p.poll(0.05)
        p.poll(0)
        time.sleep(pause_ms / 1000.0)
        p.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), 30)
        p.commit_transaction(30)
        done += len(msgs)
        print("committed %d" % done, flush=True)
    c.close()
    print("done %d" % done, flush=True)


def fence(bootstrap, topic, txn_id):
    a = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id})
    a.init_transactions(30)
    a.begin_transaction()
    a.produce(topic, value=b"from-a")
    a.flush(30)
    b = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id})
    b.init_transactions(30)
    b.begin_transaction()
    b.produce(topic, value=b"from-b")
    b.commit_transaction(30)
    out = {"b_committed": True}
    try:
        a.commit_transaction(30)
        out["a_error"] = None
    except KafkaException as e:
        err = e.args[0]
        out.update({"a_error": err.str(), "fatal": err.fatal(), "code": err.name()})
    print(json.dumps(out), flush=True)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "read":
        read(args[0], args[1], args[2], int(args[3]))
    elif cmd == "committed":
        committed(args[0], args[1], args[2])
    elif cmd == "eos":
        eos(args[0], args[1], args[2], args[3], args[4], int(args[5]), int(args[6]), int(args[7]))
    elif cmd == "fence":
        fence(args[0], args[1], args[2])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
