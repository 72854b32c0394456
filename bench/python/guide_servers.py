"""The guides' Python servers, as a reader of the guides would run them, for the bench.

    python3 guide_servers.py SERVICE ADDRESS [--concurrent]
      SERVICE: echo | line-echo | cmd | fd
      ADDRESS: tcp://127.0.0.1:PORT | unix:PATH | udp://127.0.0.1:PORT | unix-dgram:PATH (echo only)

The handler bodies are the guides' own code (guide 1 #10, #11, #13, B1, B4; guide 2 1.a):
recv(4096) / sendall, one sendall (or file write) per line, and the same prints.
Differences, all needed to drive them from a bench: the address comes from the command
line (port 0 allowed), one line "listening ADDRESS" is printed on stderr when ready, and
--concurrent serves each connection in its own thread (the guides are sequential; a
4-connection request/response row needs the clients served at once).
"""
import array
import os
import socket
import sys
import threading
import time


def handle_echo(conn):
    # guide 1, #10
    while True:
        b = conn.recv(4096)
        if not b:
            break  # peer cerró
        conn.sendall(b)  # eco


def handle_line_echo(conn):
    # guide 2, 1.a (server_tcp_ipv4_echo.py)
    buffer = bytearray()
    while True:
        chunk = conn.recv(4096)
        if not chunk:
            break
        buffer.extend(chunk)
        while True:
            nl = buffer.find(b"\n")
            if nl == -1:
                break
            line = buffer[:nl]
            if line.endswith(b"\r"):
                line = line[:-1]
            resp = b"eco: " + line + b"\n"
            conn.sendall(resp)
            del buffer[:nl + 1]


def handle_line(line: str) -> str:
    # guide 1, #11
    line = line.strip()
    if line == "PING":
        return "PONG\n"
    if line.startswith("ECHO "):
        return line[5:] + "\n"
    if line == "TIME":
        return time.strftime("%Y-%m-%d %H:%M:%S") + "\n"
    return "ERR desconocido\n"


def handle_cmd(conn):
    # guide 1, #11 (makefile style)
    with conn.makefile("rwb", buffering=0) as f:
        for raw in f:  # itera por líneas (bloqueante)
            resp = handle_line(raw.decode("utf-8", "replace"))
            f.write(resp.encode("utf-8"))


# guide 1, B4: the descriptor to share, opened once like the guide's server does
fd_to_share = None


def handle_fd(conn):
    # guide 1, B4 (the guide serves one client; here each client in turn)
    fds = array.array("i", [fd_to_share])
    anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds.tobytes())]
    conn.sendmsg([b"FD"], anc)  # el payload de datos es arbitrario


HANDLERS = {"echo": handle_echo, "line-echo": handle_line_echo, "cmd": handle_cmd, "fd": handle_fd}


def serve_stream(srv, handler, concurrent):
    def session(conn, addr):
        with conn:
            handler(conn)
        print("Cierre de", addr)

    while True:  # loop de sesiones
        conn, addr = srv.accept()
        print("Conexión de", addr)
        if concurrent:
            threading.Thread(target=session, args=(conn, addr), daemon=True).start()
        else:
            session(conn, addr)


def serve_udp(s):
    # guide 1, #13
    while True:
        data, addr = s.recvfrom(4096)
        print(f"{addr} -> {data!r}")
        s.sendto(data, addr)


def main(argv):
    if len(argv) < 2 or argv[0] not in HANDLERS:
        print("usage: guide_servers.py echo|line-echo|cmd|fd ADDRESS [--concurrent]", file=sys.stderr)
        return 2
    service, address = argv[0], argv[1]
    concurrent = "--concurrent" in argv[2:]
    if address.startswith("unix-dgram:"):
        # guide 1, B1
        path = address[len("unix-dgram:"):]
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.bind(path)
            print(f"listening unix-dgram:{path}", file=sys.stderr, flush=True)
            while True:
                data, addr = s.recvfrom(2048)  # addr es la ruta del cliente
                s.sendto(data, addr)
    if service == "fd":
        global fd_to_share
        fd_to_share = os.open("/etc/hostname", os.O_RDONLY)
    if address.startswith("unix:"):
        path = address[5:]
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as srv:
            srv.bind(path)
            srv.listen(8)
            print(f"listening unix:{path}", file=sys.stderr, flush=True)
            serve_stream(srv, HANDLERS[service], concurrent)
        return 0
    scheme, rest = address.split("://", 1)
    host, port = rest.rsplit(":", 1)
    host = host.strip("[]")
    if host not in ("127.0.0.1", "::1"):
        print("loopback only", file=sys.stderr)
        return 2
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if scheme == "udp":
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.bind((host, int(port)))
            print(f"listening udp://{rest.rsplit(':', 1)[0]}:{s.getsockname()[1]}", file=sys.stderr, flush=True)
            serve_udp(s)
        return 0
    with socket.socket(family, socket.SOCK_STREAM) as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((host, int(port)))
        srv.listen(8)  # backlog
        print(f"listening tcp://{rest.rsplit(':', 1)[0]}:{srv.getsockname()[1]}", file=sys.stderr, flush=True)
        serve_stream(srv, HANDLERS[service], concurrent)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(0)
