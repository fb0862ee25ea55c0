// Interop: Kafka's own Java client, on the other side of hub in the
// real-Kafka tests (tests/kafka/java-interop.bats), and their topic admin.
//
//   Interop create-topics BOOTSTRAP NAME:PARTITIONS:RF[:key=value,...]...
//   Interop produce BOOTSTRAP TOPIC N    N keyed records with headers, through
//                                        Kafka's default partitioner; prints
//                                        "partition TAB key TAB value" for each
//   Interop consume BOOTSTRAP TOPIC N    reads N records from the beginning of
//                                        every partition; prints "partition TAB
//                                        key TAB headers TAB value" (headers as
//                                        name=value joined by ';'); exit 3 if
//                                        fewer came within 60 s
//
// Values are written to stdout as their exact bytes.
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class Interop {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Interop create-topics|produce|consume BOOTSTRAP ...");
            System.exit(64);
        }
        OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
        switch (args[0]) {
        case "create-topics": createTopics(args); break;
        case "produce": produce(args[1], args[2], Integer.parseInt(args[3]), out); break;
        case "consume": System.exit(consume(args[1], args[2], Integer.parseInt(args[3]), out)); break;
        default:
            System.err.println("Interop: unknown command " + args[0]);
            System.exit(64);
        }
    }

    static void createTopics(String[] args) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", args[1]);
        List<NewTopic> topics = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] f = args[i].split(":", 4);
            NewTopic t = new NewTopic(f[0], Integer.parseInt(f[1]), Short.parseShort(f[2]));
            if (f.length == 4) {
                Map<String, String> conf = new HashMap<>();
                for (String kv : f[3].split(",")) {
                    String[] e = kv.split("=", 2);
                    conf.put(e[0], e[1]);
                }
                t.configs(conf);
            }
            topics.add(t);
        }
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(topics).all().get();
        }
    }

    static void produce(String bootstrap, String topic, int n, OutputStream out) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("linger.ms", "5");
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                 new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                String key = "cust-" + (i * 7919 % 997);
                byte[] value = ("{\"id\":\"java-" + i + "\",\"n\":" + i + ".50,\"name\":\"Zoë 東京\"}")
                    .getBytes(StandardCharsets.UTF_8);
                ProducerRecord<byte[], byte[]> r =
                    new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
                r.headers().add("origin", "java".getBytes(StandardCharsets.UTF_8));
                r.headers().add("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                sent.add(producer.send(r));
                keys.add(key);
                values.add(value);
            }
            producer.flush();
            for (int i = 0; i < n; i++) {
                RecordMetadata m = sent.get(i).get();
                out.write((m.partition() + "\t" + keys.get(i) + "\t").getBytes(StandardCharsets.UTF_8));
                out.write(values.get(i));
                out.write('\n');
            }
        }
        out.flush();
    }

    static int consume(String bootstrap, String topic, int n, OutputStream out) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("enable.auto.commit", "false");
        int got = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                 new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : consumer.partitionsFor(topic, Duration.ofSeconds(30)))
                parts.add(new TopicPartition(topic, i.partition()));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + 60000;
            while (got < n && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    StringBuilder line = new StringBuilder();
                    line.append(r.partition()).append('\t');
                    line.append(r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8)).append('\t');
                    String sep = "";
                    for (Header h : r.headers()) {
                        line.append(sep).append(h.key()).append('=')
                            .append(new String(h.value(), StandardCharsets.UTF_8));
                        sep = ";";
                    }
                    line.append('\t');
                    out.write(line.toString().getBytes(StandardCharsets.UTF_8));
                    out.write(r.value());
                    out.write('\n');
                    got++;
                }
            }
        }
        out.flush();
        if (got < n) {
            System.err.println("Interop: " + got + " of " + n + " records within 60 s");
            return 3;
        }
        return 0;
    }
}
