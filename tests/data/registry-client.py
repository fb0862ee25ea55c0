# registry-client.py: confluent-kafka-python's Avro serializers as real
# clients of hub-registry (tests/registry-clients.bats).
#   produce URL BROKERS TOPIC SCHEMA N   AvroSerializer, auto-register on with
#                                        the schema, then use.latest.version;
#                                        N records each, their data on stdout
#   register-new URL TOPIC SCHEMA        a schema with a field more: prints the
#                                        serializer's error
#   consume URL BROKERS TOPIC N          AvroDeserializer: N values as JSON lines
import json, sys
from decimal import Decimal

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext


def as_json(v):
    return json.dumps(v, sort_keys=True, default=str)


def record(i):
    return {"order_id": "ORD-DE-%d" % (1000 + i), "market": "DE", "amount": Decimal("%d.%02d" % (10 + i, i % 100)),
            "currency": ["EUR", "USD", "SEK"][i % 3],
            "payment": {"method": "card", "card_last4": None if i % 2 else "4242", "psp_reference": "PSP%d" % i}}


def client_schema(path):
    # what a client has: its own copy, without docs, with a Java attribute
    s = json.load(open(path))
    s.pop("doc", None)
    for f in s["fields"]:
        f.pop("doc", None)
    s["fields"][0]["type"] = {"type": "string", "avro.java.string": "String"}
    return json.dumps(s)


cmd, url = sys.argv[1], sys.argv[2]
sr = SchemaRegistryClient({"url": url})

if cmd == "produce":
    brokers, topic, schema, n = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
    ctx = SerializationContext(topic, MessageField.VALUE)
    producer = Producer({"bootstrap.servers": brokers})
    serializers = [AvroSerializer(sr, client_schema(schema), conf={"auto.register.schemas": True}),
                   AvroSerializer(sr, client_schema(schema),
                                  conf={"auto.register.schemas": False, "use.latest.version": True})]
    i = 0
    for ser in serializers:
        for _ in range(n):
            r = record(i)
            producer.produce(topic, value=ser(r, ctx))
            print(as_json(r))
            i += 1
    if producer.flush(30) != 0:
        sys.exit("messages not delivered")
elif cmd == "register-new":
    topic, schema = sys.argv[3], sys.argv[4]
    s = json.loads(client_schema(schema))
    s["fields"].append({"name": "tip", "type": "long"})
    ser = AvroSerializer(sr, json.dumps(s), conf={"auto.register.schemas": True})
    r = record(1)
    r["tip"] = 5
    try:
        ser(r, SerializationContext(topic, MessageField.VALUE))
    except Exception as e:
        print("%s: %s" % (type(e).__name__, e))
        sys.exit(0)
    sys.exit("a new schema was accepted")
elif cmd == "consume":
    brokers, topic, n = sys.argv[3], sys.argv[4], int(sys.argv[5])
    de = AvroDeserializer(sr)
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": "py", "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    got = 0
    while got < n:
        m = consumer.poll(30)
        if m is None:
            sys.exit("only %d of %d messages" % (got, n))
        if m.error():
            continue
        print(as_json(de(m.value(), SerializationContext(topic, MessageField.VALUE))))
        got += 1
    consumer.close()
else:
    sys.exit("unknown command " + cmd)
