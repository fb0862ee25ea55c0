#!/usr/bin/env python3
"""gateway-client: a client of hub-gateway on Python's own http.client, for
tests/hub-gateway.bats (a peer hub did not write). One command a run:

  keepalive URL N       N requests on one kept-alive connection, structured
                        and batch in turn; prints each status and the
                        connection's count of sockets (1 when kept alive)
  chunked URL BYTES     a chunked body of BYTES bytes of JSON-ish text
                        (BYTES "endless": until the server stops reading);
                        prints the status, or "closed" when cut off
  slow URL SECONDS      a 200-byte body, a byte every SECONDS; prints the
                        status, or "closed"
  idle URL N SECONDS    N connections that send nothing; prints how many
                        the server closed within SECONDS

--token T adds "Authorization: Bearer T".
"""
import argparse
import http.client
import json
import socket
import sys
import time
import urllib.parse


def connect(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def event(n):
    return {"specversion": "1.0", "id": "ka-%d" % n, "source": "/python", "type": "test.python"}


def keepalive(args, headers):
    conn = connect(args.url)
    sockets = set()
    for n in range(args.arg):
        if n % 2 == 0:
            body, ct = json.dumps(event(n)), "application/cloudevents+json"
        else:
            body, ct = json.dumps([event(n), event(n + 1000)]), "application/cloudevents-batch+json"
        conn.request("POST", "/", body=body, headers=dict(headers, **{"Content-Type": ct}))
        resp = conn.getresponse()
        data = json.loads(resp.read())
        sockets.add(id(conn.sock))
        results = data["results"] if "results" in data else [data]
        print(resp.status, " ".join(str(r["status"]) for r in results))
    print("sockets", len(sockets))


def chunked(args, headers):
    conn = connect(args.url)
    total = None if args.arg == "endless" else int(args.arg)
    piece = b"x" * 65536

    def body():
        sent = 0
        while total is None or sent < total:
            n = len(piece) if total is None else min(len(piece), total - sent)
            sent += n
            yield piece[:n]
            if total is None and sent > 1 << 30:
                return

    try:
        conn.request("POST", "/", body=body(), encode_chunked=True,
                     headers=dict(headers, **{"Content-Type": "application/cloudevents+json",
                                              "Transfer-Encoding": "chunked"}))
        resp = conn.getresponse()
        print(resp.status)
    except (ConnectionError, BrokenPipeError, http.client.HTTPException, socket.timeout):
        print("closed")


def slow(args, headers):
    u = urllib.parse.urlsplit(args.url)
    s = socket.create_connection((u.hostname, u.port), timeout=30)
    head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/cloudevents+json\r\nContent-Length: 200\r\n"
    for k, v in headers.items():
        head += "%s: %s\r\n" % (k, v)
    try:
        s.sendall((head + "\r\n").encode())
        for _ in range(200):
            s.sendall(b" ")
            time.sleep(float(args.arg))
        answer = s.recv(4096)
    except (ConnectionError, BrokenPipeError, socket.timeout):
        answer = b""
    if answer.startswith(b"HTTP/1.1 "):
        print(answer.split()[1].decode())
    else:
        print("closed")


def idle(args, headers):
    u = urllib.parse.urlsplit(args.url)
    socks = [socket.create_connection((u.hostname, u.port), timeout=60) for _ in range(args.arg)]
    deadline = time.time() + args.seconds
    closed = set()
    while time.time() < deadline and len(closed) < len(socks):
        for i, s in enumerate(socks):
            if i in closed:
                continue
            s.settimeout(0.05)
            try:
                if s.recv(1) == b"":
                    closed.add(i)
            except socket.timeout:
                pass
            except ConnectionError:
                closed.add(i)
    print(len(closed))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["keepalive", "chunked", "slow", "idle"])
    p.add_argument("url")
    p.add_argument("arg")
    p.add_argument("seconds", nargs="?", type=float, default=0)
    p.add_argument("--token")
    args = p.parse_args()
    headers = {"Authorization": "Bearer " + args.token} if args.token else {}
    if args.command in ("keepalive", "idle"):
        args.arg = int(args.arg)
    {"keepalive": keepalive, "chunked": chunked, "slow": slow, "idle": idle}[args.command](args, headers)


if __name__ == "__main__":
    sys.exit(main())
