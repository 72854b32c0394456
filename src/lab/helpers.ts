/**
 * Small things the exercises share: free ports, the bulk payload generator, local-time
 * checks and platform probes.
 */
import { createHash, randomBytes, randomInt, type Hash } from "node:crypto";
import dgram from "node:dgram";
import { lookup } from "node:dns/promises";
import { readFileSync } from "node:fs";
import net from "node:net";
import { Readable } from "node:stream";
import type { LabCatalog } from "./texts.js";

/**
 * A port that was free a moment ago on `host`, for a server started next on that number
 * (nc -l, socat, a Python snippet: programs that cannot report a port of their own) or for
 * nobody at all (exercises 5 and 8).
 *
 * Chosen below the kernel's ephemeral range (net.ipv4.ip_local_port_range), where the kernel
 * never puts a socket bound to port 0 or a client's implicit bind: with port 0 the number
 * came from that range, and on a busy machine (a test suite running in parallel) another
 * process's socket could be given it between our probe and the server's own bind, the
 * server then failing to bind or, worse, the client talking to that other socket.
 */
export async function freePort(kind: "tcp" | "udp", host = "127.0.0.1"): Promise<number> {
  const [low] = ephemeralRange();
  const floor = 10_000;
  if (low - floor >= 1000) {
    for (let i = 0; i < 64; i++) {
      const port = floor + randomInt(low - floor);
      if (await bindable(kind, host, port)) return port;
    }
  }
  return bindPort(kind, host, 0); // no room below the range (an unusual setting): the kernel's pick
}

/** The kernel's ephemeral port range, [low, high] (Linux's default when unreadable). */
export function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low as number, high as number];
  } catch {
    // not Linux, or no /proc
  }
  return [32768, 60999];
}

async function bindable(kind: "tcp" | "udp", host: string, port: number): Promise<boolean> {
  try {
    await bindPort(kind, host, port);
    return true;
  } catch {
    return false; // in use (or not allowed): another number
  }
}

/** Bind `port` on `host` (0: any), close, and return the port bound. */
function bindPort(kind: "tcp" | "udp", host: string, port: number): Promise<number> {
  if (kind === "tcp") {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen({ port, host, exclusive: true }, () => {
        const bound = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(bound));
      });
    });
  }
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
    socket.once("error", (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, host, () => {
      const bound = socket.address().port;
      socket.close(() => resolve(bound));
    });
  });
}

/** Can we listen on and connect to ::1? (Some containers have no IPv6 loopback.) */
export async function hasIPv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port: 0, host: "::1" }, () => server.close(() => resolve(true)));
  });
}

/** The addresses `localhost` resolves to, in resolver order. */
export async function localhostAddresses(): Promise<{ address: string; family: number }[]> {
  try {
    return await lookup("localhost", { all: true, verbatim: true });
  } catch {
    return [];
  }
}

/**
 * A deterministic-looking bulk payload of `size` bytes, produced on demand (constant
 * memory): a 64 KiB random block repeated, each copy stamped with its index so that a lost,
 * duplicated or reordered block changes the digest. `digest()` is valid once fully read.
 */
export class BulkPayload {
  private readonly block = randomBytes(64 * 1024);
  private readonly hash: Hash = createHash("sha256");
  constructor(readonly size: number) {}

  stream(): Readable {
    let produced = 0;
    let index = 0;
    const readable: Readable = new Readable({
      highWaterMark: 256 * 1024,
      read: () => {
        if (produced >= this.size) {
          readable.push(null);
          return;
        }
        const n = Math.min(this.block.length, this.size - produced);
        const chunk = Buffer.from(this.block.subarray(0, n));
        if (n >= 8) chunk.writeBigUInt64BE(BigInt(index), 0);
        index++;
        produced += n;
        this.hash.update(chunk);
        readable.push(chunk);
      },
    });
    return readable;
  }

  digest(): string {
    return this.hash.copy().digest("hex");
  }
}

/** Local time as the guides' servers print it (`time.strftime`). */
export function localStamp(d: Date, withDate: boolean): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return withDate ? `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${time}` : time;
}

/**
 * Is `text` a local time (`HH:MM:SS`, or `YYYY-mm-dd HH:MM:SS` with `withDate`) within
 * `slackSeconds` of now? Returns undefined when it is, else what is wrong (in `t`'s language).
 */
export function checkLocalTime(text: string, withDate: boolean, t: LabCatalog, slackSeconds = 5): string | undefined {
  const re = withDate ? /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/ : /^\d{2}:\d{2}:\d{2}$/;
  if (!re.test(text)) return t.fail.notTimeFormat(text, withDate ? "YYYY-mm-dd HH:MM:SS" : "HH:MM:SS");
  const now = Date.now();
  for (let s = -slackSeconds; s <= slackSeconds; s++) {
    if (localStamp(new Date(now + s * 1000), withDate) === text) return undefined;
  }
  return t.fail.notLocalTime(text, localStamp(new Date(now), withDate));
}
