#!/usr/bin/env python3
"""archive-serve.py URL KEYS GREP_ID_S GREP_SUBJECT_S EVENTS: the answer
times of hub-archive serve's API for every id and subject of KEYS (lines
"ID<TAB>SUBJECT"), one keep-alive connection (http.client), as JSON on
stdout: per kind p50, p99, max (ms) and the mean number of events in an
answer; each answer is checked (200, the event found)."""
import http.client
import json
import sys
import time
import urllib.parse


def main():
    url = urllib.parse.urlsplit(sys.argv[1])
    keys = [line.rstrip("\n").split("\t") for line in open(sys.argv[2]) if "\t" in line]
    grep_id, grep_subject, events = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    conn = http.client.HTTPConnection(url.hostname, url.port)
    kinds = [
        ("search by id", lambda i, s: "/api/search?" + urllib.parse.urlencode({"id": i}), lambda a: a["count"]),
        ("event (show + subject)", lambda i, s: "/api/event?" + urllib.parse.urlencode({"id": i}),
         lambda a: a["count"] + (a["same_subject"] or {"count": 0})["count"]),
        ("search by subject", lambda i, s: "/api/search?" + urllib.parse.urlencode({"subject": s}), lambda a: a["count"]),
        ("timeline", lambda i, s: "/api/timeline?" + urllib.parse.urlencode({"subject": s}), lambda a: a["count"]),
    ]
    cases = []
    for name, path, count in kinds:
        times, found = [], 0
        for i, s in keys[:3]:           # warm-up
            conn.request("GET", path(i, s))
            conn.getresponse().read()
        for i, s in keys:
            t = time.perf_counter()
            conn.request("GET", path(i, s))
            r = conn.getresponse()
            body = r.read()
            times.append((time.perf_counter() - t) * 1000)
            if r.status != 200:
                sys.exit("%s %s: HTTP %d %s" % (name, path(i, s), r.status, body[:200]))
            found += count(json.loads(body))
        times.sort()
        n = len(times)
        cases.append({"name": name, "requests": n, "p50_ms": round(times[n // 2], 2),
                      "p99_ms": round(times[min(n - 1, int(n * 0.99))], 2), "max_ms": round(times[-1], 2),
                      "events_mean": round(found / n, 1)})
    by = {c["name"]: c for c in cases}
    print(json.dumps({"events": events, "cases": cases, "grep_id_s": round(grep_id, 3),
                      "grep_subject_s": round(grep_subject, 3),
                      "ratio_id": round(grep_id * 1000 / by["search by id"]["p99_ms"]),
                      "ratio_timeline": round(grep_subject * 1000 / by["timeline"]["p99_ms"])}))


main()
