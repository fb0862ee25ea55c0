#!/usr/bin/env python3
"""http-peer: the third party's HTTP endpoint, for tests/hub-deliver.bats.

Plays a webhook receiver that misbehaves on cue and records what it got.
Every request is logged (--log, one JSON line each, written when it is
answered): its arrival number n, method, path, headers, body, the event
ids it carried, the subject, the answer, and whether its Standard Webhooks
signature verified. Answers follow --rule MATCH=ACTIONS (repeatable):

  MATCH    id:ID      requests carrying the event ID (ce-id, or "id" in the body)
           n:K        the K-th request to arrive
           *          every request
  ACTIONS  a comma-separated list, one taken per matching request, then 200:
           200 204 400 408 500 503 ...  that status
           410                          Gone
           429:S                        Too Many Requests, Retry-After: S
           reset                        close the connection without an answer
           hang:S                       wait S seconds, then close (a timeout)
           slow:S                       wait S seconds, then 200
           An action ending in '+' repeats forever.

The first rule that matches and still has actions decides. --chaos RATE:SEED
answers a request no rule decided with a random failure (500, 503, 408,
reset, 429:0) with probability RATE. --port-file
gets the port once the server listens (it binds 127.0.0.1:0). With
--secret-file a request whose signature does not verify is answered 401;
with --tls and --client-ca, a client without a certificate that CA signed
is refused at the handshake.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
arrivals = 0


class Rule:
    def __init__(self, text):
        match, _, actions = text.partition("=")
        self.match = match
        self.actions = [a for a in actions.split(",") if a]
        self.used = {}

    def matches(self, n, ids):
        if self.match == "*":
            return "*"
        if self.match.startswith("n:"):
            return "n" if str(n) == self.match[2:] else None
        if self.match.startswith("id:"):
            return self.match[3:] if self.match[3:] in ids else None
        return None

    def take(self, scope):
        i = self.used.get(scope, 0)
        if i >= len(self.actions):
            last = self.actions[-1] if self.actions else ""
            return last[:-1] if last.endswith("+") else None
        self.used[scope] = i + 1
        a = self.actions[i]
        return a[:-1] if a.endswith("+") else a


def event_ids(headers, body):
    ids, subject = [], headers.get("ce-subject")
    if headers.get("ce-id"):
        ids.append(headers["ce-id"])
    try:
        doc = json.loads(body)
    except ValueError:
        return ids, subject
    for ev in doc if isinstance(doc, list) else [doc]:
        if isinstance(ev, dict):
            if "id" in ev and not headers.get("ce-id"):
                ids.append(str(ev["id"]))
            if subject is None and "subject" in ev:
                subject = ev["subject"]
    return ids, subject


def verify(secret, headers, body):
    wid, ts, sig = (headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (wid and ts and sig):
        return "missing"
    if abs(time.time() - int(ts)) > 300:
        return "stale"
    mac = hmac.new(secret, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()
    want = base64.b64encode(mac).decode()
    for part in sig.split(" "):
        version, _, value = part.partition(",")
        if version == "v1" and hmac.compare_digest(value, want):
            return "ok"
    return "bad"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        global arrivals
        with lock:
            arrivals += 1
            n = arrivals
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        text = body.decode("utf-8", "replace")
        ids, subject = event_ids(headers, text)
        action = None
        with lock:
            for rule in self.server.rules:
                scope = rule.matches(n, ids)
                if scope is not None:
                    action = rule.take(scope)
                    if action is not None:
                        break
            if action is None and self.server.chaos and self.server.chaos.random() < self.server.chaos_rate:
                action = self.server.chaos.choice(["500", "503", "408", "reset", "429:0"])
        action = action or "200"
        rec = {"n": n, "method": self.command, "path": self.path, "headers": headers, "body": text,
               "ids": ids, "subject": subject, "answer": action, "t": time.time()}
        if self.server.secret is not None:
            rec["signature"] = verify(self.server.secret, headers, body)
            if rec["signature"] != "ok":
                action = rec["answer"] = "401"   # as a receiver that checks does
        if isinstance(self.connection, ssl.SSLSocket):
            cert = self.connection.getpeercert()
            rec["client_cert"] = dict(x[0] for x in cert.get("subject", ())).get("commonName") if cert else None
        if action.startswith("slow:"):
            time.sleep(float(action[5:]))
            action = "200"
        if action == "reset" or action.startswith("hang:"):
            if action.startswith("hang:"):
                time.sleep(float(action[5:]))
            self.record(rec)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            self.connection.close()
            return
        headers_out = {}
        if action.startswith("429:"):
            headers_out["Retry-After"] = action[4:]
            action = "429"
        status = int(action)
        answer = b"" if status == 204 else json.dumps({"status": status, "n": n}).encode()
        if 400 <= status:
            answer = f"refused with {status}: request {n}".encode() + b" " * 400
        self.record(rec)
        self.send_response(status)
        for k, v in headers_out.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def record(self, rec):
        with lock:
            self.server.log.write(json.dumps(rec) + "\n")
            self.server.log.flush()

    do_POST = do_PUT = do_PATCH = do_GET = do_DELETE = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--rule", action="append", default=[])
    ap.add_argument("--chaos", help="RATE:SEED: random failures")
    ap.add_argument("--secret-file", help="whsec_ secret: verify Standard Webhooks signatures")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS")
    ap.add_argument("--client-ca", help="with --tls: require a client certificate signed by this CA")
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.rules = [Rule(r) for r in a.rule]
    srv.log = open(a.log, "a")
    srv.secret = None
    srv.chaos = None
    if a.chaos:
        import random
        rate, _, seed = a.chaos.partition(":")
        srv.chaos, srv.chaos_rate = random.Random(int(seed or 1)), float(rate)
    if a.secret_file:
        s = open(a.secret_file).read().strip()
        srv.secret = base64.b64decode(s[len("whsec_"):] if s.startswith("whsec_") else s)
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        if a.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(a.client_ca)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{srv.server_address[1]}\n")
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
