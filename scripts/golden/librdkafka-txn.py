# A librdkafka 2.0.2 (confluent-kafka) transaction, committed with offsets, then one aborted, for
# scripts/capture-golden.mjs:
#   node scripts/capture-golden.mjs librdkafka-txn test/fixtures/golden -- /usr/bin/python3 scripts/golden/librdkafka-txn.py {}
import sys
from confluent_kafka import Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
b = sys.argv[1]
a = AdminClient({'bootstrap.servers': b})
for f in a.create_topics([NewTopic('goldr', 2, 1)]).values(): f.result()
p = Producer({'bootstrap.servers': b, 'transactional.id': 'gold-rd'})
p.init_transactions(10)
p.begin_transaction()
p.produce('goldr', key=b'k', value=b'v', partition=0)
c = Consumer({'bootstrap.servers': b, 'group.id': 'gold-rd-group', 'enable.auto.commit': False})
p.send_offsets_to_transaction([TopicPartition('goldr', 0, 1)], c.consumer_group_metadata(), 10)
p.commit_transaction(10)
p.begin_transaction()
p.produce('goldr', key=b'k2', value=b'v2', partition=1)
p.abort_transaction(10)
c.close()
