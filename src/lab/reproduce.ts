/**
 * For every exercise, how to reproduce each side by hand: with socklab, with nc or socat,
 * and with a few lines of Python. The same table drives three things: what the report and
 * the page show, `socklab lab --against python|nc` (socklab plays the guide's program, the
 * other side is played by that program), and test/lab-reproduce.test.ts, which runs every
 * pair listed here on loopback (or temporary paths) and checks what the client printed.
 *
 * Commands hold placeholders (`@PORT@`, `@PATH@`, `@CPATH@`, `@NAME@`, `@FILE@`): shown
 * with example values, run with a free port and paths in a private temporary directory.
 * Where nc and socat cannot play a side, the entry says so (`cannot`), never just omits it.
 */
import { accessSync, constants } from "node:fs";
import type { ExerciseId, LabCatalog } from "./texts.js";

export type Tool = "socklab" | "nc" | "python";
export const TOOLS: readonly Tool[] = ["socklab", "nc", "python"];

/** What is written on a side's stdin: at once (and closed), or once it has printed `after`. */
export interface Input {
  data: string | Buffer;
  /** How a student produces it in a shell, before `|` (default: printf '…'). */
  shell?: string;
  /** Write it only once the side's stdout holds this text (a person answering). */
  after?: string;
}

export interface Side {
  argv: string[];
  stdin?: Input;
}

/** Why a program cannot play a side: a key of the catalogue's `repro.cannot`. */
export type CannotKey = "peercred" | "scmRights" | "commands" | "lineEcho" | "retries" | "filter";

export interface Cannot {
  cannot: CannotKey;
}

export type SideOrCannot = Side | Cannot;

export function isSide(s: SideOrCannot): s is Side {
  return "argv" in s;
}

/** What the client prints, per client program (the same wire behaviour, each its own way). */
export type Expect = RegExp | ((out: Buffer) => boolean);

export interface Repro {
  /** Which side is the guide's program (what socklab plays with --against). */
  subject: "server" | "client";
  /** The client starts first and retries until the server appears (exercise 5). */
  clientFirst?: boolean;
  /** Binds every interface (exercise 2.5): run in the lab's own namespace when possible. */
  allInterfaces?: boolean;
  /** How the server's socket shows in /proc/net: readiness without connecting to it. */
  bound: { kind: "tcp" | "tcp6" | "udp"; } | { kind: "unix"; } | { kind: "abstract" };
  sides: Record<Tool, { server: SideOrCannot; client: SideOrCannot }>;
  expect: Record<Tool, Expect>;
}

/**
 * `python3 -c 'if 1:` + the program, indented: the lines can then be shown (and pasted) with
 * any common indentation, which Python accepts inside the `if 1:` block.
 */
const py = (code: string): string[] => ["python3", "-c", `if 1:\n${code.split("\n").map((l) => `  ${l}`).join("\n")}`];
const T = "tcp://127.0.0.1:@PORT@";
const U = "udp://127.0.0.1:@PORT@";
const text = (data: string, after?: string): Input => (after === undefined ? { data } : { data, after });
const exactly = (s: string): RegExp => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
const pyPrints = (reply: string): RegExp => exactly(`${pyRepr(reply)}\n`);

/** A Python bytes literal in double quotes (the programs sit inside single shell quotes). */
function pyLit(s: string): string {
  return `b"${s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/"/g, '\\"')}"`;
}

/** Python's repr of ASCII bytes (enough for the replies here). */
function pyRepr(s: string): string {
  return `b'${s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/'/g, "\\'")}'`;
}

const MiB = 1024 * 1024;

// ---- Python pieces, short on purpose: each stands for the guide's program -------------

const PY_TCP_SERVER_REPLY = (reply: string, readToEof: boolean): string => `import socket
s = socket.create_server(("127.0.0.1", @PORT@))
c, _ = s.accept()
${readToEof ? "data = b\"\"\nwhile part := c.recv(4096): data += part\nprint(data)" : "print(c.recv(4096))"}
c.sendall(${pyLit(reply)})`;

const PY_ECHO = (host: string, family = "socket.AF_INET"): string => `import socket
s = socket.create_server(("${host}", @PORT@), family=${family})
c, addr = s.accept()
print(addr)
while data := c.recv(4096): c.sendall(data)`;

const PY_LINES_CLIENT = (host: string, payload: string): string => `import socket
c = socket.create_connection(("${host}", @PORT@))
c.sendall(${pyLit(payload)})
c.shutdown(socket.SHUT_WR)
data = b""
while part := c.recv(4096): data += part
print(data)`;

const PY_UDP_CLIENT = (payload: string, retries = 1): string => `import socket
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(1)
for attempt in range(${retries}):
    c.sendto(${pyLit(payload)}, ("127.0.0.1", @PORT@))
    try:
        print(c.recvfrom(2048)); break
    except TimeoutError:
        print("no reply, attempt", attempt + 1)`;

const PY_UDP_ECHO = `import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", @PORT@))
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)`;

const PY_CMD = (unknown: string): string => `import socket, time
s = socket.create_server(("127.0.0.1", @PORT@))
c, _ = s.accept()
for line in c.makefile("rb"):
    cmd = line.strip().decode()
    if cmd == "PING": reply = "PONG"
    elif cmd.startswith("ECHO "): reply = cmd[5:]
    elif cmd == "TIME": reply = time.strftime("%Y-%m-%d %H:%M:%S")
    else: reply = "${unknown}"
    c.sendall(reply.encode() + b"\\n")`;

const PY_LINE_ECHO = `import socket
s = socket.create_server(("127.0.0.1", @PORT@))
c, _ = s.accept()
buf = b""
while part := c.recv(4096):
    buf += part
    while b"\\n" in buf:
        line, buf = buf.split(b"\\n", 1)
        c.sendall(b"eco: " + line.rstrip(b"\\r") + b"\\n")
if buf: c.sendall(b"eco: " + buf.rstrip(b"\\r") + b"\\n")`;

const PY_UNIX_READ = (address: string): string => `import socket
c = socket.socket(socket.AF_UNIX)
c.connect(${address})
print(c.recv(1024))`;

// ---- the table ---------------------------------------------------------------------

const CMD_LINES = "PING\nECHO hola\nFOO\n";
const cmdReplies = (unknown: string): string => `PONG\nhola\n${unknown}\n`;

function commandRepro(unknown: string, err: string[]): Repro {
  const replies = cmdReplies(unknown);
  return {
    subject: "server",
    bound: { kind: "tcp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "serve", "cmd", T, ...err] },
        client: { argv: ["socklab", "connect", T, "--send", "PING", "--send", "ECHO hola", "--send", "FOO", "--lines", "--half-close"] },
      },
      nc: { server: { cannot: "commands" }, client: { argv: ["nc", "-N", "127.0.0.1", "@PORT@"], stdin: text(CMD_LINES) } },
      python: { server: { argv: py(PY_CMD(unknown)) }, client: { argv: py(PY_LINES_CLIENT("127.0.0.1", CMD_LINES)) } },
    },
    expect: { socklab: exactly(replies), nc: exactly(replies), python: pyPrints(replies) },
  };
}

function lineEchoRepro(subject: "server" | "client", send: string[], payload: string, replies: string): Repro {
  return {
    subject,
    bound: { kind: "tcp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "serve", "line-echo", T] },
        client: { argv: ["socklab", "connect", T, ...send.flatMap((s) => ["--send", s]), "--half-close"] },
      },
      nc: { server: { cannot: "lineEcho" }, client: { argv: ["nc", "-N", "127.0.0.1", "@PORT@"], stdin: text(payload) } },
      python: { server: { argv: py(PY_LINE_ECHO) }, client: { argv: py(PY_LINES_CLIENT("127.0.0.1", payload)) } },
    },
    expect: { socklab: exactly(replies), nc: exactly(replies), python: pyPrints(replies) },
  };
}

const UDP_ECHO_REPRO: Repro = {
  subject: "server",
  bound: { kind: "udp" },
  sides: {
    socklab: { server: { argv: ["socklab", "serve", "echo", U] }, client: { argv: ["socklab", "connect", U, "--send", "ping"] } },
    nc: {
      server: { argv: ["socat", "UDP-RECVFROM:@PORT@,bind=127.0.0.1,fork", "EXEC:cat"] },
      client: { argv: ["nc", "-u", "-w2", "127.0.0.1", "@PORT@"], stdin: text("ping") },
    },
    python: { server: { argv: py(PY_UDP_ECHO) }, client: { argv: py(PY_UDP_CLIENT("ping")) } },
  },
  expect: { socklab: /^ping$/, nc: /^ping$/, python: /^\(b'ping', \('127\.0\.0\.1', \d+\)\)\n$/ },
};

export const REPRO: Record<ExerciseId, Repro> = {
  "1": {
    subject: "client",
    bound: { kind: "unix" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "listen", "unix:@PATH@"], stdin: text("hola desde nc\n") },
        client: { argv: ["socklab", "connect", "unix:@PATH@", "--send", "hola desde UDS\\n"] },
      },
      nc: {
        server: { argv: ["nc", "-N", "-lU", "@PATH@"], stdin: text("hola desde nc\n") },
        client: { argv: ["nc", "-N", "-U", "@PATH@"], stdin: text("hola desde UDS\n") },
      },
      python: {
        server: {
          argv: py(`import os, socket
s = socket.socket(socket.AF_UNIX)
s.bind("@PATH@"); s.listen()
c, _ = s.accept()
print(c.recv(1024))
c.sendall(b"hola desde nc\\n"); os.unlink("@PATH@")`),
        },
        client: {
          argv: py(`import socket
c = socket.socket(socket.AF_UNIX)
c.connect("@PATH@")
c.sendall(b"hola desde UDS\\n")
print(c.recv(1024))`),
        },
      },
    },
    expect: { socklab: /^hola desde nc\n$/, nc: /^hola desde nc\n$/, python: pyPrints("hola desde nc\n") },
  },
  "2": {
    subject: "client",
    bound: { kind: "tcp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "listen", T], stdin: text("hola, soy nc\n") },
        client: { argv: ["socklab", "connect", T, "--send", "hola mundo", "--lines"] },
      },
      nc: {
        server: { argv: ["nc", "-N", "-l", "127.0.0.1", "@PORT@"], stdin: text("hola, soy nc\n") },
        client: { argv: ["nc", "-N", "127.0.0.1", "@PORT@"], stdin: text("hola mundo\n") },
      },
      python: {
        server: { argv: py(PY_TCP_SERVER_REPLY("hola, soy nc\n", false)) },
        client: {
          argv: py(`import socket
c = socket.create_connection(("127.0.0.1", @PORT@))
c.sendall(b"hola mundo\\n")
print(c.recv(4096))`),
        },
      },
    },
    expect: { socklab: /^hola, soy nc\n$/, nc: /^hola, soy nc\n$/, python: pyPrints("hola, soy nc\n") },
  },
  "3": {
    subject: "client",
    bound: { kind: "tcp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "listen", T], stdin: text("ok, 3 lineas\n") },
        client: { argv: ["socklab", "connect", T, "--send", "uno", "--send", "dos", "--send", "tres", "--lines", "--half-close"] },
      },
      nc: {
        server: { argv: ["nc", "-N", "-l", "127.0.0.1", "@PORT@"], stdin: text("ok, 3 lineas\n") },
        client: { argv: ["nc", "-N", "127.0.0.1", "@PORT@"], stdin: text("uno\ndos\ntres\n") },
      },
      python: {
        server: { argv: py(PY_TCP_SERVER_REPLY("ok, 3 lineas\n", true)) },
        client: { argv: py(PY_LINES_CLIENT("127.0.0.1", "uno\ndos\ntres\n")) },
      },
    },
    expect: { socklab: /^ok, 3 lineas\n$/, nc: /^ok, 3 lineas\n$/, python: pyPrints("ok, 3 lineas\n") },
  },
  "4": {
    subject: "client",
    bound: { kind: "tcp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "listen", T], stdin: { data: Buffer.alloc(MiB), shell: "head -c 1048576 /dev/zero" } },
        client: { argv: ["socklab", "connect", T, "-v"] },
      },
      nc: {
        server: { argv: ["socat", "-u", "-", "TCP-LISTEN:@PORT@,bind=127.0.0.1,reuseaddr"], stdin: { data: Buffer.alloc(MiB), shell: "head -c 1048576 /dev/zero" } },
        client: { argv: ["nc", "127.0.0.1", "@PORT@"] },
      },
      python: {
        server: {
          argv: py(`import socket
s = socket.create_server(("127.0.0.1", @PORT@))
c, _ = s.accept()
c.sendall(bytes(1048576))`),
        },
        client: {
          argv: py(`import socket
c = socket.create_connection(("127.0.0.1", @PORT@))
total = 0
while part := c.recv(65536): total += len(part)
print(total, "bytes")`),
        },
      },
    },
    expect: { socklab: (out) => out.length === MiB, nc: (out) => out.length === MiB, python: /^1048576 bytes\n$/ },
  },
  "5": {
    subject: "client",
    clientFirst: true,
    bound: { kind: "tcp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "listen", T], stdin: text("pong\n") },
        client: { argv: ["socklab", "connect", T, "--send", "ping", "--lines", "--timeout", "1.5", "--retries", "5", "--backoff", "0.5"] },
      },
      nc: {
        server: { argv: ["nc", "-N", "-l", "127.0.0.1", "@PORT@"], stdin: text("pong\n") },
        client: { cannot: "retries" },
      },
      python: {
        server: { argv: py(PY_TCP_SERVER_REPLY("pong\n", false)) },
        client: {
          argv: py(`import socket, time
for attempt in range(1, 6):
    try:
        c = socket.create_connection(("127.0.0.1", @PORT@), timeout=1.5)
        c.sendall(b"ping\\n"); print(c.recv(4096)); break
    except OSError as e:
        print("attempt", attempt, "failed:", e.strerror, flush=True)
        time.sleep(0.5 * attempt)`),
        },
      },
    },
    expect: { socklab: /^pong\n$/, nc: /^pong\n$/, python: /b'pong\\n'\n$/ },
  },
  "6": {
    subject: "client",
    bound: { kind: "tcp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "listen", T], stdin: text("hola, soy nc\n") },
        client: { argv: ["socklab", "connect", "tcp://localhost:@PORT@", "--send", "hola", "--lines", "-v"] },
      },
      nc: {
        server: { argv: ["nc", "-N", "-l", "127.0.0.1", "@PORT@"], stdin: text("hola, soy nc\n") },
        client: { argv: ["nc", "-N", "localhost", "@PORT@"], stdin: text("hola\n") },
      },
      python: {
        server: { argv: py(PY_TCP_SERVER_REPLY("hola, soy nc\n", false)) },
        client: {
          argv: py(`import socket
for family, kind, proto, _, addr in socket.getaddrinfo("localhost", @PORT@, type=socket.SOCK_STREAM):
    c = socket.socket(family, kind, proto)
    try: c.connect(addr)
    except OSError: c.close(); continue
    c.sendall(b"hola\\n"); print(c.recv(4096)); break`),
        },
      },
    },
    expect: { socklab: /^hola, soy nc\n$/, nc: /^hola, soy nc\n$/, python: pyPrints("hola, soy nc\n") },
  },
  "7": {
    subject: "client",
    bound: { kind: "udp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "listen", U], stdin: text("pong\n", "ping") },
        client: { argv: ["socklab", "connect", U, "--send", "ping"] },
      },
      nc: {
        server: { argv: ["nc", "-u", "-l", "127.0.0.1", "@PORT@"], stdin: text("pong\n", "ping") },
        client: { argv: ["nc", "-u", "-w2", "127.0.0.1", "@PORT@"], stdin: text("ping") },
      },
      python: {
        server: {
          argv: py(`import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", @PORT@))
data, addr = s.recvfrom(2048)
print(data, "from", addr)
s.sendto(b"pong\\n", addr)`),
        },
        client: { argv: py(PY_UDP_CLIENT("ping")) },
      },
    },
    expect: { socklab: /^pong\n?$/, nc: /^pong\n$/, python: /^\(b'pong\\n', \('127\.0\.0\.1', \d+\)\)\n$/ },
  },
  "8": {
    subject: "client",
    bound: { kind: "udp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "serve", "time", U] },
        client: { argv: ["socklab", "connect", U, "--send", "TIME", "--timeout", "1", "--retries", "3"] },
      },
      nc: {
        server: { argv: ["socat", "UDP-RECVFROM:@PORT@,bind=127.0.0.1,fork", "SYSTEM:date +%T | head -c 8"] },
        client: { cannot: "retries" },
      },
      python: {
        server: {
          argv: py(`import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", @PORT@))
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(time.strftime("%H:%M:%S").encode() if data.strip() == b"TIME" else b"ERR\\n", addr)`),
        },
        client: { argv: py(PY_UDP_CLIENT("TIME", 3)) },
      },
    },
    expect: { socklab: /^\d\d:\d\d:\d\d$/, nc: /^\d\d:\d\d:\d\d$/, python: /\(b'\d\d:\d\d:\d\d', \('127\.0\.0\.1', \d+\)\)\n$/ },
  },
  "9": {
    subject: "client",
    bound: { kind: "udp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "serve", "announce", "udp://127.255.255.255:@PORT@", "--text", "lab-A\\n"] },
        client: { argv: ["socklab", "discover", "udp://127.255.255.255:@PORT@", "--timeout", "1"] },
      },
      nc: {
        server: { cannot: "filter" },
        client: { argv: ["socat", "-t2", "-T2", "-", "UDP-DATAGRAM:127.255.255.255:@PORT@,broadcast"], stdin: text("DISCOVER?") },
      },
      python: {
        server: {
          argv: py(`import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.255.255.255", @PORT@))
while True:
    data, addr = s.recvfrom(2048)
    if data.strip() == b"DISCOVER?": s.sendto(b"lab-A\\n", addr)`),
        },
        client: {
          argv: py(`import socket
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
c.settimeout(1)
c.sendto(b"DISCOVER?", ("127.255.255.255", @PORT@))
print(c.recvfrom(2048))`),
        },
      },
    },
    expect: { socklab: /lab-A/, nc: /^lab-A\n$/, python: /^\(b'lab-A\\n', \('127\.\d+\.\d+\.\d+', \d+\)\)\n$/ },
  },
  "10": {
    subject: "server",
    bound: { kind: "tcp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "serve", "echo", T] },
        client: { argv: ["socklab", "connect", T, "--send", "hola mundo", "--lines"] },
      },
      nc: {
        server: { argv: ["socat", "TCP-LISTEN:@PORT@,bind=127.0.0.1,reuseaddr", "EXEC:cat"] },
        client: { argv: ["nc", "-N", "127.0.0.1", "@PORT@"], stdin: text("hola mundo\n") },
      },
      python: { server: { argv: py(PY_ECHO("127.0.0.1")) }, client: { argv: py(PY_LINES_CLIENT("127.0.0.1", "hola mundo\n")) } },
    },
    expect: { socklab: /^hola mundo\n$/, nc: /^hola mundo\n$/, python: pyPrints("hola mundo\n") },
  },
  "11": commandRepro("ERR desconocido", []),
  "12": {
    subject: "server",
    bound: { kind: "tcp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "serve", "echo", T, "--idle-timeout", "1"] },
        client: { argv: ["socklab", "connect", T, "--send", "hola", "--lines", "--until-close"] },
      },
      nc: {
        server: { argv: ["socat", "-T1", "TCP-LISTEN:@PORT@,bind=127.0.0.1,reuseaddr", "EXEC:cat"] },
        client: { argv: ["nc", "127.0.0.1", "@PORT@"], stdin: text("hola\n") },
      },
      python: {
        server: {
          argv: py(`import socket
s = socket.create_server(("127.0.0.1", @PORT@))
c, _ = s.accept()
c.settimeout(1)
try:
    while data := c.recv(4096): c.sendall(data)
except TimeoutError:
    print("idle for 1 s: closing")
c.close()`),
        },
        client: {
          argv: py(`import socket
c = socket.create_connection(("127.0.0.1", @PORT@))
c.sendall(b"hola\\n")
data = b""
while part := c.recv(4096): data += part
print(data)`),
        },
      },
    },
    expect: { socklab: /^hola\n$/, nc: /^hola\n$/, python: pyPrints("hola\n") },
  },
  "13": UDP_ECHO_REPRO,
  "14": {
    subject: "server",
    bound: { kind: "udp" },
    sides: {
      socklab: { server: { argv: ["socklab", "serve", "time", U] }, client: { argv: ["socklab", "connect", U, "--send", "TIME"] } },
      nc: {
        server: { argv: ["socat", "UDP-RECVFROM:@PORT@,bind=127.0.0.1,fork", "SYSTEM:date +%T | head -c 8"] },
        client: { argv: ["nc", "-u", "-w2", "127.0.0.1", "@PORT@"], stdin: text("TIME") },
      },
      python: {
        server: {
          argv: py(`import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", @PORT@))
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(time.strftime("%H:%M:%S").encode() if data.strip() == b"TIME" else b"ERR\\n", addr)`),
        },
        client: { argv: py(PY_UDP_CLIENT("TIME")) },
      },
    },
    expect: { socklab: /^\d\d:\d\d:\d\d$/, nc: /^\d\d:\d\d:\d\d$/, python: /^\(b'\d\d:\d\d:\d\d', \('127\.0\.0\.1', \d+\)\)\n$/ },
  },
  B1: {
    subject: "server",
    bound: { kind: "unix" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "serve", "echo", "unix-dgram:@PATH@"] },
        client: { argv: ["socklab", "connect", "unix-dgram:@PATH@", "--send", "hola", "--bind", "@CPATH@"] },
      },
      nc: {
        server: { argv: ["socat", "UNIX-RECVFROM:@PATH@,fork", "EXEC:cat"] },
        client: { argv: ["socat", "-t3", "-", "UNIX-SENDTO:@PATH@,bind=@CPATH@"], stdin: text("hola") },
      },
      python: {
        server: {
          argv: py(`import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("@PATH@")
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)`),
        },
        client: {
          argv: py(`import os, socket
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.bind("@CPATH@")
c.sendto(b"hola", "@PATH@")
print(c.recvfrom(2048)); os.unlink("@CPATH@")`),
        },
      },
    },
    expect: { socklab: /^hola$/, nc: /^hola$/, python: /^\(b'hola', '.*'\)\n$/ },
  },
  B2: {
    subject: "server",
    bound: { kind: "abstract" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "serve", "greet", "abstract:@NAME@", "--text", "hola abstract\\n"] },
        client: { argv: ["socklab", "connect", "abstract:@NAME@"] },
      },
      nc: {
        server: { argv: ["socat", "ABSTRACT-LISTEN:@NAME@", "SYSTEM:echo hola abstract"] },
        client: { argv: ["socat", "-u", "ABSTRACT-CONNECT:@NAME@", "-"] },
      },
      python: {
        server: {
          argv: py(`import socket
s = socket.socket(socket.AF_UNIX)
s.bind("\\0@NAME@"); s.listen()
c, _ = s.accept()
c.sendall(b"hola abstract\\n")`),
        },
        client: { argv: py(PY_UNIX_READ(`"\\0@NAME@"`)) },
      },
    },
    expect: { socklab: /^hola abstract\n$/, nc: /^hola abstract\n$/, python: pyPrints("hola abstract\n") },
  },
  B3: {
    subject: "server",
    bound: { kind: "unix" },
    sides: {
      socklab: { server: { argv: ["socklab", "serve", "peercred", "unix:@PATH@"] }, client: { argv: ["socklab", "connect", "unix:@PATH@"] } },
      nc: { server: { cannot: "peercred" }, client: { argv: ["nc", "-w", "5", "-U", "@PATH@"] } },
      python: {
        server: {
          argv: py(`import os, socket, struct
s = socket.socket(socket.AF_UNIX)
s.bind("@PATH@"); s.listen()
c, _ = s.accept()
pid, uid, gid = struct.unpack("3i", c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
c.sendall(f"Hola UID={uid} PID={pid}\\n".encode()); os.unlink("@PATH@")`),
        },
        client: { argv: py(PY_UNIX_READ(`"@PATH@"`)) },
      },
    },
    expect: { socklab: /^Hola UID=\d+ PID=\d+\n$/, nc: /^Hola UID=\d+ PID=\d+\n$/, python: /^b'Hola UID=\d+ PID=\d+\\n'\n$/ },
  },
  B4: {
    subject: "server",
    bound: { kind: "unix" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "serve", "fd", "unix:@PATH@", "--file", "@FILE@"] },
        client: { argv: ["socklab", "recv-fd", "unix:@PATH@"] },
      },
      nc: { server: { cannot: "scmRights" }, client: { cannot: "scmRights" } },
      python: {
        server: {
          argv: py(`import os, socket
s = socket.socket(socket.AF_UNIX)
s.bind("@PATH@"); s.listen()
c, _ = s.accept()
fd = os.open("@FILE@", os.O_RDONLY)
socket.send_fds(c, [b"FD"], [fd]); os.unlink("@PATH@")`),
        },
        client: {
          argv: py(`import os, socket
c = socket.socket(socket.AF_UNIX)
c.connect("@PATH@")
msg, fds, _, _ = socket.recv_fds(c, 1024, 1)
print(msg, os.read(fds[0], 4096))`),
        },
      },
    },
    expect: {
      socklab: (out) => out.toString("utf8").startsWith("archivo compartido"),
      nc: (out) => out.toString("utf8").startsWith("archivo compartido"),
      python: /^b'FD' b'archivo compartido.*'\n$/,
    },
  },
  "2.1": lineEchoRepro("server", ["hola\\r\\nmundo\\n", "fin"], "hola\r\nmundo\nfin", "eco: hola\neco: mundo\neco: fin\n"),
  "2.1c": lineEchoRepro("client", ["hola\\n", "mundo\\n", "fin\\n"], "hola\nmundo\nfin\n", "eco: hola\neco: mundo\neco: fin\n"),
  "2.2": commandRepro("ERR", ["--err", "ERR"]),
  "2.3": UDP_ECHO_REPRO,
  "2.4": {
    subject: "server",
    bound: { kind: "tcp6" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "serve", "echo", "tcp://[::1]:@PORT@"] },
        client: { argv: ["socklab", "connect", "tcp://[::1]:@PORT@", "--send", "hola ipv6", "--lines", "--half-close"] },
      },
      nc: {
        server: { argv: ["socat", "TCP6-LISTEN:@PORT@,bind=[::1],reuseaddr", "EXEC:cat"] },
        client: { argv: ["nc", "-N", "::1", "@PORT@"], stdin: text("hola ipv6\n") },
      },
      python: {
        server: { argv: py(PY_ECHO("::1", "socket.AF_INET6")) },
        client: { argv: py(PY_LINES_CLIENT("::1", "hola ipv6\n")) },
      },
    },
    expect: { socklab: /^hola ipv6\n$/, nc: /^hola ipv6\n$/, python: pyPrints("hola ipv6\n") },
  },
  "2.5": {
    subject: "server",
    allInterfaces: true,
    bound: { kind: "tcp6" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "serve", "greet", "tcp://[::]:@PORT@", "--dual-stack"] },
        client: { argv: ["socklab", "connect", T] },
      },
      nc: {
        server: { argv: ["socat", "TCP6-LISTEN:@PORT@,ipv6only=0,reuseaddr", "SYSTEM:echo hola dual"] },
        client: { argv: ["nc", "127.0.0.1", "@PORT@"] },
      },
      python: {
        server: {
          argv: py(`import socket
s = socket.create_server(("::", @PORT@), family=socket.AF_INET6, dualstack_ipv6=True)
c, addr = s.accept()
print(addr)
c.sendall(b"hola dual\\n")`),
        },
        client: {
          argv: py(`import socket
c = socket.create_connection(("127.0.0.1", @PORT@))
print(c.recv(1024))`),
        },
      },
    },
    expect: { socklab: /^hola dual\n$/, nc: /^hola dual\n$/, python: pyPrints("hola dual\n") },
  },
  "2.6": {
    subject: "client",
    bound: { kind: "tcp" },
    sides: {
      socklab: {
        server: { argv: ["socklab", "listen", T], stdin: { data: Buffer.alloc(200 * 1024, 0x61), shell: "head -c 204800 /dev/zero | tr '\\0' a" } },
        client: { argv: ["socklab", "connect", T] },
      },
      nc: {
        server: { argv: ["socat", "-u", "-", "TCP-LISTEN:@PORT@,bind=127.0.0.1,reuseaddr"], stdin: { data: Buffer.alloc(200 * 1024, 0x61), shell: "head -c 204800 /dev/zero | tr '\\0' a" } },
        client: { argv: ["nc", "127.0.0.1", "@PORT@"] },
      },
      python: {
        server: {
          argv: py(`import socket
s = socket.create_server(("127.0.0.1", @PORT@))
c, _ = s.accept()
c.sendall(b"a" * 204800)`),
        },
        client: {
          argv: py(`import socket
def recv_all(sock, nbytes=None):
    parts, got = [], 0
    while nbytes is None or got < nbytes:
        part = sock.recv(65536 if nbytes is None else min(65536, nbytes - got))
        if not part: break
        parts.append(part); got += len(part)
    return b"".join(parts)
c = socket.create_connection(("127.0.0.1", @PORT@))
print(len(recv_all(c)), "bytes")`),
        },
      },
    },
    expect: {
      socklab: (out) => out.length === 200 * 1024 && out.every((b) => b === 0x61),
      nc: (out) => out.length === 200 * 1024 && out.every((b) => b === 0x61),
      python: /^204800 bytes\n$/,
    },
  },
};

// ---- showing them ------------------------------------------------------------------

/** Example values a student can type as they are. */
export const EXAMPLE_VALUES: Record<string, string> = {
  "@PORT@": "5000",
  "@PATH@": "/tmp/socklab-lab.sock",
  "@CPATH@": "/tmp/socklab-lab-cliente.sock",
  "@NAME@": "socklab-lab",
  "@FILE@": "/etc/hostname",
};

export function substitute(arg: string, values: Record<string, string>): string {
  return arg.replace(/@[A-Z]+@/g, (token) => values[token] ?? token);
}

export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./[\]-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

/** `printf 'hola\n'`-style: how a student feeds bytes to a command. */
function printfOf(data: string | Buffer): string {
  const s = typeof data === "string" ? data : data.toString("latin1");
  const body = [...s].map((c) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "%" ? "%%" : c === "\\" ? "\\\\" : c)).join("");
  return `printf ${shellQuote(body)}`;
}

/** One side as a shell command line (multi-line for Python), and what to type afterwards. */
export function commandLine(side: Side, values: Record<string, string> = EXAMPLE_VALUES): { line: string; type?: string } {
  const line = side.argv.map((a) => shellQuote(substitute(a, values))).join(" ");
  if (!side.stdin) return { line };
  const data = side.stdin.data;
  const typed = typeof data === "string" ? data : data.toString("latin1");
  if (side.stdin.after !== undefined) return { line, type: typed };
  return { line: `${side.stdin.shell ?? printfOf(data)} | ${line}` };
}

const SIDE_KEYS = ["server", "client"] as const;

/** The reproduce-by-hand block of one exercise, as lines (indent included). */
export function reproLines(id: ExerciseId, t: LabCatalog, indent = "  "): string[] {
  const repro = REPRO[id];
  const out: string[] = [`${indent}${t.repro.heading}`];
  for (const tool of TOOLS) {
    out.push(`${indent}  ${t.repro.tool[tool]}`);
    const order = repro.clientFirst ? (["client", "server"] as const) : SIDE_KEYS;
    for (const key of order) {
      const side = repro.sides[tool][key];
      const label = `${indent}    ${t.repro.side[key]}: `;
      if (!isSide(side)) {
        out.push(`${label}${t.repro.cannot[side.cannot]}`);
        continue;
      }
      const { line, type } = commandLine(side);
      const [first, ...rest] = line.split("\n");
      out.push(`${label}${first}`);
      const pad = " ".repeat([...label].length + 2);
      for (const more of rest) out.push(`${pad}${more}`);
      if (type !== undefined) out.push(`${pad}${t.repro.thenType(type.replace(/\n/g, "⏎"))}`);
    }
  }
  if (repro.clientFirst) out.push(`${indent}  ${t.repro.clientFirst}`);
  return out;
}

/** Is `program` on PATH? (nc, socat, python3: the --against peers and the test.) */
export function onPath(program: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir === "") continue;
    try {
      accessSync(`${dir}/${program}`, constants.X_OK);
      return true;
    } catch {
      // not there
    }
  }
  return false;
}
