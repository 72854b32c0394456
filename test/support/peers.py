"""socklab's own Python peers for the tests.

    python3 -u peers.py NAME [ARGS...]

Each peer stands for one program of the guides: it makes the same system calls and puts the
same bytes on the wire (the guides stay the reference for behaviour), but it is written here,
short, and driven from the command line. Servers bind what they are given (port 0 picks a free
port) and print one line "ready PORT" or "ready PATH" when they accept. Loopback and Unix
sockets only: a broadcast peer refuses any address outside 127.0.0.0/8.
"""
import array
import os
import socket
import struct
import sys
import time

PEERS = {}


def peer(name):
    def register(fn):
        PEERS[name] = fn
        return fn
    return register


def ready(what):
    print(f"ready {what}", flush=True)


def read_to_eof(sock, size=4096):
    parts = []
    while True:
        part = sock.recv(size)
        if not part:
            return b"".join(parts)
        parts.append(part)


def tcp_listener(host, port, family=socket.AF_INET):
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, int(port)))
    srv.listen(8)
    ready(srv.getsockname()[1])
    return srv


def udp_bound(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, int(port)))
    ready(s.getsockname()[1])
    return s


def unix_path_listener(path):
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    ready(path)
    return srv


# --- clients -------------------------------------------------------------------------------

@peer("unix-hello")  # exercise 1: Unix stream client
def unix_hello(path):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.connect(path)
        c.sendall(b"hola desde UDS\n")
        print(f"< {c.recv(4096)!r}")


@peer("tcp-hello")  # exercise 2: one message, one recv
def tcp_hello(port):
    with socket.create_connection(("127.0.0.1", int(port))) as c:
        c.sendall(b"hola mundo\n")
        print(f"< {c.recv(4096)!r}")


@peer("lines-half-close")  # exercises 3, 2.1c and 2.2's client: lines, SHUT_WR, read to EOF
def lines_half_close(port, *lines):
    with socket.create_connection(("127.0.0.1", int(port))) as c:
        for line in lines:
            c.sendall(line.encode() + b"\n")
        c.shutdown(socket.SHUT_WR)
        sys.stdout.write(read_to_eof(c).decode(errors="replace") + "\n")


@peer("bulk-reader")  # exercise 4: read until the peer closes, count the bytes
def bulk_reader(port):
    total = 0
    with socket.create_connection(("127.0.0.1", int(port))) as c:
        while True:
            part = c.recv(1 << 16)
            if not part:
                break
            total += len(part)
    print(f"bytes {total}")


@peer("retrying-ping")  # exercise 5: 1.5 s per attempt, 5 attempts, 0.5 s x attempt between
def retrying_ping(port):
    attempts = 5
    for attempt in range(1, attempts + 1):
        try:
            with socket.create_connection(("127.0.0.1", int(port)), timeout=1.5) as c:
                c.sendall(b"ping\n")
                print(repr(c.recv(4096)))
                return
        except (ConnectionRefusedError, socket.timeout) as err:
            if attempt == attempts:
                sys.exit(f"unavailable after {attempts} attempts")
            wait = 0.5 * attempt
            print(f"attempt {attempt} failed: {type(err).__name__}; next in {wait}s", flush=True)
            time.sleep(wait)


@peer("any-address")  # exercise 6: every address getaddrinfo gives, first that connects
def any_address(host, port):
    for family, kind, proto, _, where in socket.getaddrinfo(host, int(port), socket.AF_UNSPEC, socket.SOCK_STREAM):
        c = socket.socket(family, kind, proto)
        try:
            c.connect(where)
        except OSError:
            c.close()
            continue
        with c:
            c.sendall(b"hola\n")
            print(repr(c.recv(4096)))
            return
    sys.exit("no address answered")


@peer("udp-ping")  # exercises 7 and 2.3: one datagram, print the reply and its source
def udp_ping(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(b"ping", ("127.0.0.1", int(port)))
        data, source = s.recvfrom(2048)
        print(f"< {data!r} from {source}")


@peer("udp-time")  # exercise 8: TIME with a 1 s timeout (or TIMEOUT s), 3 attempts
def udp_time(port, timeout="1.0"):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(float(timeout))
        for attempt in range(1, 4):
            s.sendto(b"TIME", ("127.0.0.1", int(port)))
            try:
                data, _ = s.recvfrom(2048)
            except socket.timeout:
                print(f"attempt {attempt}: no reply", flush=True)
                continue
            print(f"reply {data.decode()}")
            return
    sys.exit("no response after retries")


@peer("discover")  # exercise 9: SO_BROADCAST, DISCOVER?, first answer
def discover(port, broadcast="127.255.255.255"):
    if not broadcast.startswith("127."):
        sys.exit("this peer broadcasts on 127.0.0.0/8 only")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.settimeout(1.0)
        s.sendto(b"DISCOVER?", (broadcast, int(port)))
        data, source = s.recvfrom(4096)
        print(f"{source} -> {data!r}")


@peer("ipv6-hello")  # exercise 2.4's client: [::1], one line, read to EOF after SHUT_WR
def ipv6_hello(port):
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as c:
        c.connect(("::1", int(port)))
        c.sendall(b"hola ipv6\n")
        c.shutdown(socket.SHUT_WR)
        print(read_to_eof(c).decode())


@peer("dual-stack-clients")  # exercise 2.5's client: once over IPv4, once over IPv6
def dual_stack_clients(port):
    for label, family, host in (("IPv4", socket.AF_INET, "127.0.0.1"), ("IPv6", socket.AF_INET6, "::1")):
        with socket.socket(family, socket.SOCK_STREAM) as c:
            c.connect((host, int(port)))
            print(f"{label}: {read_to_eof(c).decode()}")


def recv_all(sock, count=None, size=65536):
    """Exercise 2.6: everything until EOF, or exactly `count` bytes (fewer only at EOF)."""
    got = bytearray()
    while count is None or len(got) < count:
        part = sock.recv(size if count is None else min(size, count - len(got)))
        if not part:
            break
        got += part
    return bytes(got)


@peer("recv-all")  # exercise 2.6: until EOF, then exactly 5 bytes
def recv_all_peer(port):
    for count in (None, 5):
        with socket.create_connection(("127.0.0.1", int(port))) as c:
            print(repr(recv_all(c, count)))


@peer("unix-dgram-hello")  # exercise B1's client: bound to its own path, one datagram
def unix_dgram_hello(server_path, own_path):
    if os.path.exists(own_path):
        os.unlink(own_path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as c:
        c.bind(own_path)
        c.sendto(b"hola", server_path)
        data, _ = c.recvfrom(2048)
        print(data)
    os.unlink(own_path)


def pipeline_payload(tag, i, big=60000):
    """Datagram I of client TAG: 0-1499 bytes (the first one empty), every 97th BIG bytes;
    its bytes name the client and the index, so a mix-up or a cut shows."""
    size = big if i % 97 == 96 else (i * 37) % 1500
    head = f"{tag}:{i}:".encode()
    return (head * (size // len(head) + 1))[:size]


@peer("unix-dgram-pipeline")  # a client like the bench's load generator: DEPTH in flight
def unix_dgram_pipeline(server_path, count="3000", depth="16", tag="a"):
    """Autobound, connected; keeps DEPTH datagrams in flight (sends as replies come back);
    every reply must be the datagram sent, in order. Prints its name, then 'ok COUNT'."""
    count, depth = int(count), int(depth)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as c:
        c.bind("")  # autobind: an abstract name the server can answer
        c.connect(server_path)
        c.settimeout(10)
        print("name", c.getsockname()[1:].decode(), flush=True)
        sent = got = 0
        while got < count:
            while sent < count and sent - got < depth:
                c.send(pipeline_payload(tag, sent))
                sent += 1
            data = c.recv(65536)
            if data != pipeline_payload(tag, got):
                sys.exit(f"reply {got}: {len(data)} bytes, not the datagram sent")
            got += 1
        print("ok", got, flush=True)


@peer("unix-dgram-hold")  # sends without reading until held back, then reads every reply
def unix_dgram_hold(server_path, most="500", size="2000"):
    """Autobound, connected; sends up to MOST datagrams of SIZE bytes without reading, until a
    send waits 0.5 s; prints 'sent N'; waits for a line on stdin; then every reply must come
    back, in order. Prints 'ok N'."""
    most, size = int(most), int(size)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as c:
        c.bind("")
        c.connect(server_path)
        c.settimeout(0.5)
        sent = 0
        try:
            while sent < most:
                c.send(f"{sent}:".encode().ljust(size, b"."))
                sent += 1
        except socket.timeout:
            pass
        print("sent", sent, flush=True)
        sys.stdin.readline()
        c.settimeout(10)
        for i in range(sent):
            data = c.recv(65536)
            if data != f"{i}:".encode().ljust(size, b"."):
                sys.exit(f"reply {i}: {data[:16]!r}, not the datagram sent")
        print("ok", sent, flush=True)


@peer("unix-dgram-unbound")  # COUNT datagrams from a socket that never binds
def unix_dgram_unbound(server_path, count="5"):
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as c:
        for i in range(int(count)):
            c.sendto(f"unbound {i}".encode(), server_path)


@peer("abstract-read")  # exercises B2/B3's client: connect (abstract with a leading @), one recv
def abstract_read(target):
    where = "\0" + target[1:] if target.startswith("@") else target
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.connect(where)
        print(c.recv(1024))


@peer("fd-receiver")  # exercise B4's client: recvmsg with room for one descriptor
def fd_receiver(path):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.connect(path)
        fds = array.array("i")
        _, ancillary, _, _ = c.recvmsg(1024, socket.CMSG_SPACE(fds.itemsize))
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[:fds.itemsize])
        if not fds:
            sys.exit("no descriptor arrived")
        fd = fds[0]
        os.lseek(fd, 0, os.SEEK_SET)
        print(os.read(fd, 4096).decode(errors="replace"))
        os.close(fd)


# --- servers -------------------------------------------------------------------------------

@peer("seq-echo")  # exercises 10 and 2.4: sequential echo, recv(4096)/sendall until EOF
def seq_echo(host="127.0.0.1", port="0"):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with tcp_listener(host, port, family) as srv:
        while True:
            conn, source = srv.accept()
            print(f"connection from {source}", flush=True)
            with conn:
                while True:
                    part = conn.recv(4096)
                    if not part:
                        break
                    conn.sendall(part)
            print(f"closed {source}", flush=True)


def command_reply(line, unknown):
    text = line.strip()
    if text == b"PING":
        return b"PONG\n"
    if text.startswith(b"ECHO "):
        return text[5:] + b"\n"
    if text == b"TIME":
        return time.strftime("%Y-%m-%d %H:%M:%S").encode() + b"\n"
    return unknown


@peer("cmd")  # exercises 11 and 2.2: one reply per line; the unknown-command reply is an argument
def cmd(port="0", unknown="ERR desconocido"):
    reply_unknown = unknown.encode() + b"\n"
    with tcp_listener("127.0.0.1", port) as srv:
        while True:
            conn, _ = srv.accept()
            with conn, conn.makefile("rb") as lines:
                for line in lines:
                    conn.sendall(command_reply(line, reply_unknown))


@peer("idle-echo")  # exercise 12: echo, the connection dropped after IDLE seconds of silence
def idle_echo(port="0", idle="10"):
    with tcp_listener("127.0.0.1", port) as srv:
        while True:
            conn, source = srv.accept()
            with conn:
                conn.settimeout(float(idle))
                try:
                    while True:
                        part = conn.recv(4096)
                        if not part:
                            break
                        conn.sendall(part)
                except socket.timeout:
                    print(f"idle {source}", flush=True)


@peer("udp-echo")  # exercises 13 and 2.3: every datagram back to its sender
def udp_echo(port="0"):
    with udp_bound("127.0.0.1", port) as s:
        while True:
            data, source = s.recvfrom(4096)
            s.sendto(data, source)


@peer("udp-time-server")  # exercise 14: TIME (stripped) -> HH:MM:SS, else ERR\n
def udp_time_server(port="0"):
    with udp_bound("127.0.0.1", port) as s:
        while True:
            data, source = s.recvfrom(2048)
            reply = time.strftime("%H:%M:%S").encode() if data.strip() == b"TIME" else b"ERR\n"
            s.sendto(reply, source)


@peer("line-echo")  # exercise 2.1: "eco: LINE\n" per line, one trailing \r dropped, last line too
def line_echo(port="0"):
    with tcp_listener("127.0.0.1", port) as srv:
        while True:
            conn, _ = srv.accept()
            with conn:
                pending = b""
                while True:
                    part = conn.recv(4096)
                    if not part:
                        break
                    pending += part
                    *complete, pending = pending.split(b"\n")
                    for line in complete:
                        conn.sendall(b"eco: " + (line[:-1] if line.endswith(b"\r") else line) + b"\n")
                if pending:
                    conn.sendall(b"eco: " + pending.rstrip(b"\r") + b"\n")


@peer("dual-stack-greet")  # exercise 2.5: one AF_INET6 socket on :: with IPV6_V6ONLY off
def dual_stack_greet(port="0"):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind(("::", int(port)))
    srv.listen(8)
    ready(srv.getsockname()[1])
    with srv:
        while True:
            conn, source = srv.accept()
            print(f"client {source[0]}", flush=True)
            with conn:
                conn.sendall(b"hola dual\n")


@peer("unix-dgram-echo")  # exercise B1: datagrams back to the sender's path
def unix_dgram_echo(path):
    if os.path.exists(path):
        os.unlink(path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.bind(path)
        ready(path)
        while True:
            data, source = s.recvfrom(2048)
            s.sendto(data, source)


@peer("abstract-greet")  # exercise B2: abstract name (leading NUL, no file), one greeting
def abstract_greet(name):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as srv:
        srv.bind("\0" + name)
        srv.listen(1)
        ready("@" + name)
        conn, _ = srv.accept()
        with conn:
            conn.sendall(b"hola abstract\n")


@peer("peercred")  # exercise B3: SO_PEERCRED gives pid, uid, gid of the connected peer
def peercred(path):
    with unix_path_listener(path) as srv:
        conn, _ = srv.accept()
        with conn:
            raw = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            pid, uid, gid = struct.unpack("3i", raw)
            print(f"pid={pid} uid={uid} gid={gid}", flush=True)
            conn.sendall(f"Hola UID={uid} PID={pid}\n".encode())


@peer("fd-sender")  # exercise B4: payload FD with one descriptor of FILE as SCM_RIGHTS
def fd_sender(path, file="/etc/hostname"):
    fd = os.open(file, os.O_RDONLY)
    with unix_path_listener(path) as srv:
        conn, _ = srv.accept()
        with conn:
            conn.sendmsg([b"FD"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]).tobytes())])
    os.close(fd)


@peer("rr-clients")  # request/response on CONNS connections at once (the bench's rr rows)
def rr_clients(port, conns="4", rounds="3000", size="1024", service="echo"):
    """Each round: a SIZE-byte request on every connection, then each reply read back whole
    and compared (SERVICE echo: the request; line-echo: a line, answered "eco: " + it).
    Prints "ok ROUNDS", then half-closes and reads each to EOF."""
    socks = [socket.create_connection(("127.0.0.1", int(port))) for _ in range(int(conns))]
    for s in socks:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    size = int(size)
    for r in range(int(rounds)):
        if service == "line-echo":
            requests = [(b"%d-%d " % (r, i)).ljust(size - 1, b"x") + b"\n" for i in range(len(socks))]
            replies = [b"eco: " + req for req in requests]
        else:
            requests = [bytes([(r + i) % 251]) * size for i in range(len(socks))]
            replies = requests
        for s, req in zip(socks, requests):
            s.sendall(req)
        for s, req in zip(socks, replies):
            got = recv_all(s, len(req))
            if got != req:
                sys.exit(f"round {r}: the echo differs ({len(got)} bytes)")
    print(f"ok {rounds}", flush=True)
    for s in socks:
        s.shutdown(socket.SHUT_WR)
        if read_to_eof(s):
            sys.exit("bytes after the last echo")
        s.close()


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in PEERS:
        sys.exit(f"usage: peers.py NAME [ARGS...]; NAME: {', '.join(sorted(PEERS))}")
    try:
        PEERS[sys.argv[1]](*sys.argv[2:])
    except KeyboardInterrupt:
        pass
