"""Python servers that behave as the guides' servers do, for the bench.

    python3 guide_servers.py SERVICE ADDRESS [--concurrent]
      SERVICE: echo | line-echo | cmd | fd
      ADDRESS: tcp://127.0.0.1:PORT | tcp://[::1]:PORT | unix:PATH | udp://127.0.0.1:PORT | unix-dgram:PATH

Written for socklab; each handler makes the system calls its exercise makes (echo: recv(4096)
and sendall, exercise 10; line-echo: a byte buffer split on \\n, one sendall per line, 2.1;
cmd: line iteration over makefile(), 11; udp: recvfrom/sendto with a print per datagram, 13;
unix-dgram: B1; fd: sendmsg with SCM_RIGHTS, B4) and prints a line per connection as the
guides' servers do. What the bench needs on top: the address from the command line (port 0
allowed), one line "listening ADDRESS" on stderr when ready, and --concurrent, a thread per
connection, for the rows that keep several connections busy at once.
"""
import array
import os
import socket
import sys
import threading
import time


def echo(conn):
    while True:
        data = conn.recv(4096)
        if not data:
            return
        conn.sendall(data)


def line_echo(conn):
    pending = bytearray()
    while True:
        data = conn.recv(4096)
        if not data:
            return
        pending += data
        start = 0
        while True:
            end = pending.find(b"\n", start)
            if end < 0:
                break
            line = pending[start:end]
            if line.endswith(b"\r"):
                line = line[:-1]
            conn.sendall(b"eco: " + line + b"\n")
            start = end + 1
        del pending[:start]


def command_reply(text):
    text = text.strip()
    if text == "PING":
        return "PONG\n"
    if text.startswith("ECHO "):
        return text[5:] + "\n"
    if text == "TIME":
        return time.strftime("%Y-%m-%d %H:%M:%S") + "\n"
    return "ERR desconocido\n"


def cmd(conn):
    with conn.makefile("rwb", buffering=0) as stream:
        for line in stream:
            stream.write(command_reply(line.decode("utf-8", "replace")).encode("utf-8"))


shared_fd = None


def send_fd(conn):
    conn.sendmsg([b"FD"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [shared_fd]).tobytes())])


HANDLERS = {"echo": echo, "line-echo": line_echo, "cmd": cmd, "fd": send_fd}


def ready(address):
    print(f"listening {address}", file=sys.stderr, flush=True)


def accept_loop(srv, handler, concurrent):
    def session(conn, peer):
        with conn:
            handler(conn)
        print("closed", peer)

    while True:
        conn, peer = srv.accept()
        print("connection from", peer)
        if concurrent:
            threading.Thread(target=session, args=(conn, peer), daemon=True).start()
        else:
            session(conn, peer)


def datagram_echo(sock, show):
    while True:
        data, peer = sock.recvfrom(4096)
        if show:
            print(f"{peer} -> {data!r}")
        sock.sendto(data, peer)


def main(argv):
    if len(argv) < 2 or argv[0] not in HANDLERS:
        print("usage: guide_servers.py echo|line-echo|cmd|fd ADDRESS [--concurrent]", file=sys.stderr)
        return 2
    service, address = argv[0], argv[1]
    concurrent = "--concurrent" in argv[2:]
    if address.startswith("unix-dgram:"):
        path = address[len("unix-dgram:"):]
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.bind(path)
            ready(address)
            datagram_echo(sock, show=False)
    if service == "fd":
        global shared_fd
        shared_fd = os.open("/etc/hostname", os.O_RDONLY)
    if address.startswith("unix:"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as srv:
            srv.bind(address[len("unix:"):])
            srv.listen(8)
            ready(address)
            accept_loop(srv, HANDLERS[service], concurrent)
        return 0
    scheme, rest = address.split("://", 1)
    host_text, port = rest.rsplit(":", 1)
    host = host_text.strip("[]")
    if host not in ("127.0.0.1", "::1"):
        print("loopback only", file=sys.stderr)
        return 2
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if scheme == "udp":
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.bind((host, int(port)))
            ready(f"udp://{host_text}:{sock.getsockname()[1]}")
            datagram_echo(sock, show=True)
        return 0
    with socket.socket(family, socket.SOCK_STREAM) as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((host, int(port)))
        srv.listen(8)
        ready(f"tcp://{host_text}:{srv.getsockname()[1]}")
        accept_loop(srv, HANDLERS[service], concurrent)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(0)
