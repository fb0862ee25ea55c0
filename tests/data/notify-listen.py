"""A datagram socket as systemd's NOTIFY_SOCKET: prints each message it gets
(several lines joined by |), until STOPPING=1 or the timeout. Path, or @name
for an abstract socket. Used by tests/metrics.bats."""
import socket, sys, os
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if path.startswith('@'):
    s.bind('\0' + path[1:])
else:
    s.bind(path)
s.settimeout(float(sys.argv[2]) if len(sys.argv) > 2 else 10)
out = open(sys.argv[3] if len(sys.argv) > 3 else '/dev/stdout', 'a')
try:
    while True:
        m = s.recv(4096).decode()
        out.write(m.replace('\n', '|') + '\n'); out.flush()
        if 'STOPPING=1' in m:
            break
except socket.timeout:
    pass
