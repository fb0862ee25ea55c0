# tests/kafka/helpers.bash: set-up for the suite against a real Apache Kafka
# cluster (make test-kafka), loaded by every tests/kafka/*.bats file.
#
# The cluster is started once: tests/kafka/run starts it (scripts/kafka
# --sasl, 3 brokers) and exports HUB_KAFKA_DIR; a file run on its own with
# bats starts one of its own in setup_file and stops it in teardown_file.
# Tests share the cluster, so each makes its own topics, named with $RUN.
# Exported to the tests: KB (PLAINTEXT bootstrap list), KS (SASL_SSL list),
# KDIR (the cluster's work folder: ca.pem, USER.properties...).

# tests/helpers.bash finds the tools and data relative to tests/.
_kafka_tests=$BATS_TEST_DIRNAME
BATS_TEST_DIRNAME=$_kafka_tests/..
# shellcheck source=../helpers.bash
. "$_kafka_tests/../helpers.bash"
BATS_TEST_DIRNAME=$_kafka_tests
ROOT=$(cd "$_kafka_tests/../.." && pwd)
KAFKA=$ROOT/scripts/kafka

# kafka_setup_file: in setup_file, finds or starts the cluster.
kafka_setup_file() {
	if [ -n "${HUB_KAFKA_DIR:-}" ] && [ -s "$HUB_KAFKA_DIR/bootstrap" ]; then
		KDIR=$HUB_KAFKA_DIR
	else
		KDIR=$BATS_FILE_TMPDIR/kafka
		HUB_KAFKA_PORT=${HUB_KAFKA_PORT:-29092} "$KAFKA" -d "$KDIR" --sasl start >/dev/null
		export KAFKA_OWN_CLUSTER=1
	fi
	KB=$(cat "$KDIR/bootstrap")
	KS=$(cat "$KDIR/bootstrap.sasl" 2>/dev/null || true)
	RUN=r$(date +%s%N | cut -c8-13)
	export KDIR KB KS RUN
}

kafka_teardown_file() {
	[ -n "${KAFKA_OWN_CLUSTER:-}" ] && "$KAFKA" -d "$KDIR" stop
	return 0
}

setup() {
	common_setup
	export HUB_DLQ=$T/dlq
}

# A test that stops a broker brings it back, pass or fail.
teardown() {
	local i
	for i in 1 2 3; do
		if ! "$KAFKA" -d "$KDIR" status 2>/dev/null | grep -q "^broker $i up"; then
			"$KAFKA" -d "$KDIR" restart "$i" >/dev/null 2>&1 || true
		fi
	done
}

# interop ARGS...: the Java program of tests/kafka/Interop.java on
# kafka-clients (fetched by Maven, compiled with javac once per cluster).
interop() {
	local cls=$KDIR/java
	if [ ! -f "$cls/Interop.class" ] || [ "$_kafka_tests/Interop.java" -nt "$cls/Interop.class" ]; then
		mkdir -p "$cls"
		javac -nowarn -d "$cls" -cp "$("$KAFKA" classpath clients)" "$_kafka_tests/Interop.java" >&2 || return 70
	fi
	java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$cls:$("$KAFKA" classpath clients)" Interop "$@"
}

# topics NAME:PARTITIONS:RF[:config=value,...]...: creates the topics.
topics() {
	interop create-topics "$KB" "$@"
}

# leader_of TOPIC PARTITION: the broker id leading it, from metadata.
leader_of() {
	kcat -L -b "$KB" -t "$1" -m 5 2>/dev/null |
		sed -n "s/^ *partition $2, leader \([0-9]*\),.*/\1/p"
}

# hub_defect REASON: the assertions that follow fail because of a known
# defect of hub (in the final report); the test is skipped with the reason,
# or fails when HUB_KAFKA_STRICT=1.
hub_defect() {
	if [ "${HUB_KAFKA_STRICT:-0}" = 1 ]; then
		echo "hub defect: $1" >&2
		return 1
	fi
	skip "hub defect: $1"
}

# gen_events N SEED: N generated events. The old generator of ../shared
# takes about 5 minutes for a million on this machine, so beyond 100,000 it
# makes 100,000 and repeats them, each copy with ids of its own (cK-...).
gen_events() {
	local n=$1 seed=$2 k
	if [ "$n" -le 100000 ] || [ "${GEN##*/}" != gen-events ]; then
		"$GEN" "$n" --seed "$seed"
		return
	fi
	"$GEN" 100000 --seed "$seed" >"$T/gen.chunk"
	for k in $(seq 1 $((n / 100000))); do sed "s/\"id\":\"/&c$k-/" "$T/gen.chunk"; done
}
