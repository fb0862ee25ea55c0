"""Reads a hub --metrics file with prometheus-client's text parser.

Prints one line a sample, "name{label=value,...} value", labels sorted, and
fails (status 1, the reason on stderr) when the file is not what the
textfile collector expects: a family without HELP or TYPE, a sample with a
timestamp, a series twice. Used by tests/metrics.bats."""
import sys

from prometheus_client.parser import text_string_to_metric_families

text = open(sys.argv[1]).read()
seen = set()
problems = []
for line in text.splitlines():
    if line.startswith("# TYPE "):
        seen.add(("type", line.split()[2]))
    elif line.startswith("# HELP "):
        seen.add(("help", line.split()[2]))
out = []
series = set()
for family in text_string_to_metric_families(text):
    if family.type == "unknown":
        problems.append("%s: no TYPE" % family.name)
    for s in family.samples:
        if ("help", s.name) not in seen:
            problems.append("%s: no HELP line of its own" % s.name)
        if s.timestamp is not None:
            problems.append("%s: has a timestamp" % s.name)
        labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
        key = "%s{%s}" % (s.name, labels)
        if key in series:
            problems.append("%s: twice" % key)
        series.add(key)
        value = s.value
        out.append("%s %s" % (key, int(value) if value == int(value) else value))
if problems:
    sys.stderr.write("\n".join(problems) + "\n")
    sys.exit(1)
print("\n".join(out))
