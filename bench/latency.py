#!/usr/bin/env python3
"""latency.py: end-to-end latency of single events at a steady rate.

  latency.py send N RATE < events   writes N events to stdout at RATE events/s,
                                    each with "bench_sent_ns" (CLOCK_REALTIME) added
  latency.py recv N [SKIP]          reads N events from stdin, prints p50/p99/max
                                    of (arrival - bench_sent_ns) as JSON; the
                                    SKIP events before them (a warm-up: the
                                    producer's first metadata and id look-ups)
                                    are read but not counted

Used as: latency.py send ... | hub-produce | broker | hub-consume | latency.py recv
"""
import json
import sys
import time


def send(n, rate, src):
    out = sys.stdout
    start = time.time()
    batch = max(1, rate // 1000)          # write every millisecond
    sent = 0
    for line in src:
        if sent >= n:
            break
        ev = line.rstrip("\n")
        if not ev.endswith("}"):
            continue
        due = start + sent / rate
        delay = due - time.time()
        if delay > 0 and sent % batch == 0:
            time.sleep(delay)
        out.write(ev[:-1] + ',"bench_sent_ns":%d}\n' % time.time_ns())
        sent += 1
        if sent % batch == 0:
            out.flush()
    out.flush()


def recv(n, skip=0):
    lat = []
    for line in sys.stdin:
        if skip > 0:
            skip -= 1
            continue
        now = time.time_ns()
        i = line.rfind('"bench_sent_ns":')
        if i < 0:
            continue
        sent = int(line[i + 16:].rstrip("}\n"))
        lat.append((now - sent) / 1e6)
        if len(lat) >= n:
            break
    lat.sort()
    if not lat:
        print(json.dumps({"events": 0}))
        return

    def pct(p):
        return round(lat[min(len(lat) - 1, int(len(lat) * p))], 2)
    print(json.dumps({"events": len(lat), "p50_ms": pct(0.50), "p99_ms": pct(0.99),
                      "max_ms": round(lat[-1], 2)}))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(int(sys.argv[2]), int(sys.argv[3]), sys.stdin)
    else:
        recv(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
