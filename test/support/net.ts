/**
 * Loopback-only network helpers for tests: free ports, raw Node clients, small fake peers.
 */
import net from "node:net";
import dgram from "node:dgram";
import { once } from "node:events";
import { WAIT_MS } from "./wait.js";
import { freePort as labFreePort } from "../../src/lab/helpers.js";

/**
 * A loopback TCP server on port 0 (half-open allowed, socket errors ignored) whose
 * connections go to `handler`; its port. Teardown destroys its connections and closes it.
 */
export async function tcpServer(t: { after(fn: () => unknown): void }, handler: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    handler(socket);
  });
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    srv.close();
  });
  return (srv.address() as net.AddressInfo).port;
}

/**
 * A port that was free a moment ago on `host` (TCP or UDP). Only for peers that cannot bind
 * port 0 themselves (the guides' Python servers, nc, socat). Picked below the kernel's
 * ephemeral range (see src/lab/helpers.ts), so no port-0 bind or client's implicit bind of
 * another test running meanwhile can be given it before the peer binds it.
 */
export async function freePort(kind: "tcp" | "udp" = "tcp", host = "127.0.0.1"): Promise<number> {
  return labFreePort(kind, host);
}

/** A port with nothing listening on 127.0.0.1 (connect gets ECONNREFUSED). */
export async function closedPort(): Promise<number> {
  return freePort("tcp");
}

/**
 * Connect a raw TCP client; resolves once connected. `allowHalfOpen: true` keeps our write
 * side open after the peer's FIN (Node's default answers a FIN with a FIN at once).
 */
export async function tcpConnect(
  port: number,
  host = "127.0.0.1",
  timeoutMs = 5000,
  options: { allowHalfOpen?: boolean } = {},
): Promise<net.Socket> {
  const socket = net.connect({ port, host, allowHalfOpen: options.allowHalfOpen ?? false });
  socket.setTimeout(timeoutMs);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => {
      socket.setTimeout(0);
      resolve();
    });
    socket.once("error", reject);
    socket.once("timeout", () => {
      socket.destroy();
      reject(new Error(`connect to ${host}:${port} timed out`));
    });
  });
  return socket;
}

/** Collects everything a socket receives; lets a test wait for bytes or for the end. */
export class Collector {
  private chunks: Buffer[] = [];
  private ended = false;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  error: Error | undefined;

  constructor(readonly socket: net.Socket) {
    socket.on("data", (c: Buffer) => {
      this.chunks.push(c);
      this.notify();
    });
    socket.on("end", () => {
      this.ended = true;
      this.notify();
    });
    socket.on("close", () => {
      this.closed = true;
      this.notify();
    });
    socket.on("error", (e) => {
      this.error = e;
      this.notify();
    });
  }

  get data(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get text(): string {
    return this.data.toString("utf8");
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private wait(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (ok()) {
          cleanup();
          resolve();
        } else if (this.closed) {
          cleanup();
          reject(new Error(`socket closed before ${what}; got ${JSON.stringify(this.text)}${this.error ? ` (${this.error.message})` : ""}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.text)}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      queueMicrotask(check);
    });
  }

  /** Wait until at least `n` bytes (or the given text) have arrived. */
  waitFor(what: number | string, timeoutMs = WAIT_MS): Promise<void> {
    if (typeof what === "number") return this.wait(`${what} bytes`, () => this.data.length >= what, timeoutMs);
    return this.wait(JSON.stringify(what), () => this.text.includes(what), timeoutMs);
  }

  /** Wait for the peer's FIN (end of the readable side). */
  waitEnd(timeoutMs = WAIT_MS): Promise<void> {
    return this.wait("end of stream", () => this.ended, timeoutMs);
  }

  /** Wait for the socket to close (FIN or reset). */
  waitClose(timeoutMs = WAIT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out waiting for close; got ${JSON.stringify(this.text)}`)), timeoutMs);
      this.socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** A UDP socket bound on loopback that records datagrams and never answers. */
export async function silentUdpPeer(host = "127.0.0.1"): Promise<{
  socket: dgram.Socket;
  port: number;
  received: Buffer[];
  /** Date.now() when each datagram arrived (same order as `received`). */
  receivedAt: number[];
  close: () => Promise<void>;
}> {
  const socket = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
  const received: Buffer[] = [];
  const receivedAt: number[] = [];
  socket.on("message", (m) => {
    receivedAt.push(Date.now());
    received.push(m);
  });
  socket.bind(0, host);
  await once(socket, "listening");
  let closed = false;
  return {
    socket,
    port: socket.address().port,
    received,
    receivedAt,
    close: () =>
      new Promise<void>((r) => {
        if (closed) return r();
        closed = true;
        socket.close(() => r());
      }),
  };
}

/** Send one datagram and wait for one reply. */
export async function udpRequest(
  port: number,
  payload: Buffer | string,
  host = "127.0.0.1",
  timeoutMs = 3000,
): Promise<{ data: Buffer; from: dgram.RemoteInfo }> {
  const socket = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
  try {
    socket.bind(0, host.includes(":") ? "::1" : "127.0.0.1");
    await once(socket, "listening");
    const reply = new Promise<{ data: Buffer; from: dgram.RemoteInfo }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no UDP reply from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
      socket.once("message", (data, from) => {
        clearTimeout(timer);
        resolve({ data, from });
      });
    });
    socket.send(typeof payload === "string" ? Buffer.from(payload) : payload, port, host);
    return await reply;
  } finally {
    socket.close();
  }
}

/**
 * A listening socket whose accept queue is full, so a new connect() hangs (SYN dropped):
 * the way to provoke a connect timeout on loopback, or a silent address for happy eyeballs.
 * Uses backlog 0, fills the queue itself and never accepts. Arguments: HOST (default
 * 127.0.0.1; "::1" for IPv6) and PORT (default 0). Prints the port, or "busy" when that
 * port is taken on HOST. Implemented with python3 because Node's net.Server always accepts.
 */
export const FULL_BACKLOG_PY = String.raw`
import socket, sys
host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
family = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(family, socket.SOCK_STREAM)
try:
    s.bind((host, port))
except OSError:
    print("busy", flush=True)
    sys.exit(0)
s.listen(0)
port = s.getsockname()[1]
held = []
for i in range(3):
    c = socket.socket(family, socket.SOCK_STREAM)
    c.settimeout(0.3)
    try:
        c.connect((host, port))
    except OSError:
        pass
    held.append(c)
print(port, flush=True)
sys.stdin.read()
`;
