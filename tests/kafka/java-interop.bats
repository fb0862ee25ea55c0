#!/usr/bin/env bats
# hub and Kafka's own Java client on the same topics: the same keys land in
# the same partitions, and each side reads the other's keys, headers and
# values byte for byte. The Java side is tests/kafka/Interop.java on
# org.apache.kafka:kafka-clients, fetched by Maven and compiled here.

load helpers

setup_file() {
	kafka_setup_file
	topics "$RUN.java:6:3" "$RUN.java2:6:3" "$RUN.hubkeys:6:3" "$RUN.fromhub:6:3"
}

teardown_file() { kafka_teardown_file; }

@test "the Java program compiles with javac against kafka-clients fetched by Maven" {
	cp="$("$KAFKA" classpath clients)"
	ls ${cp%\*}kafka-clients-*.jar
	mkdir "$T/classes"
	javac -nowarn -d "$T/classes" -cp "$cp" "$BATS_TEST_DIRNAME/Interop.java"
	[ -f "$T/classes/Interop.class" ]
}

@test "Java's default partitioner and hub-produce -k put every key in the same partition" {
	interop produce "$KB" "$RUN.java" 2000 >"$T/java.tsv"
	[ "$(count_lines "$T/java.tsv")" -eq 2000 ]
	# the same keys through hub, to a topic with as many partitions
	cut -f2 "$T/java.tsv" | jq -R -c '{key: ., note: "same key as Java"}' >"$T/hub.in"
	hub-produce -b "$KB" -t "$RUN.hubkeys" -k key <"$T/hub.in"
	hub-consume -b "$KB" -t "$RUN.hubkeys" -e --envelope | jq -r '"\(.key)\t\(.partition)"' | sort -u >"$T/hub.map"
	awk -F'\t' '{print $2 "\t" $1}' "$T/java.tsv" | sort -u >"$T/java.map"
	[ "$(count_lines "$T/java.map")" -ge 900 ]               # 997 keys, one partition each
	[ "$(cut -f2 "$T/java.map" | sort -u | wc -l)" -eq 6 ]  # spread over all partitions
	diff "$T/java.map" "$T/hub.map"
}

@test "hub-consume reads the Java producer's records: keys, headers, values byte for byte, in order" {
	interop produce "$KB" "$RUN.java2" 300 >"$T/java.tsv"
	n=$(hub-consume -b "$KB" -t "$RUN.java2" -e --envelope | tee "$T/env" | wc -l)
	[ "$n" -eq 300 ]
	# every record has its key and Java's two headers
	[ "$(jq -c 'select((.key | startswith("cust-") | not) or .headers.origin != "java" or (.headers.seq | test("^[0-9]+$") | not))' "$T/env" | wc -l)" -eq 0 ]
	# the values of each partition, as Java sent them, in Java's order
	for p in 0 1 2 3 4 5; do
		awk -F'\t' -v p="$p" '$1 == p' "$T/java.tsv" | cut -f3- >"$T/java.$p"
		hub-consume -b "$KB" -t "$RUN.java2" -p "$p" -o beginning -e >"$T/hub.$p"
		cmp "$T/java.$p" "$T/hub.$p"
	done
	# and the keys go with them
	jq -r '"\(.partition)\t\(.key)\t\(.headers.seq)"' "$T/env" | sort >"$T/hub.keys"
	awk -F'\t' '{ match($3, /"n":[0-9]+/); print $1 "\t" $2 "\t" substr($3, RSTART + 4, RLENGTH - 4) }' "$T/java.tsv" | sort >"$T/java.keys"
	[ "$(count_lines "$T/java.keys")" -eq 300 ]
	diff "$T/java.keys" "$T/hub.keys"
}

@test "a Java consumer reads hub's messages: keys, headers, values byte for byte" {
	"$GEN" 500 --seed 21 >"$T/in"
	printf '%s\n' '{"id":"odd","subject":"S-ö","n":19.90,"s":"東京 \"q\""}' >>"$T/in"
	hub-produce -b "$KB" -t "$RUN.fromhub" -k subject -H origin=hub -H lane=eu <"$T/in"
	interop consume "$KB" "$RUN.fromhub" 501 >"$T/java.tsv"
	[ "$(count_lines "$T/java.tsv")" -eq 501 ]
	cut -f4- "$T/java.tsv" | LC_ALL=C sort | cmp - <(LC_ALL=C sort "$T/in")
	[ "$(cut -f3 "$T/java.tsv" | sort -u)" = "origin=hub;lane=eu" ]
	# the key is the event's subject
	cut -f2,4- "$T/java.tsv" | LC_ALL=C sort >"$T/java.kv"
	paste <(jq -r .subject "$T/in") "$T/in" | LC_ALL=C sort | cmp - "$T/java.kv"
}
