/**
 * Small things the exercises share: free ports, the bulk payload generator, local-time
 * checks and platform probes.
 */
import { createHash, randomBytes, type Hash } from "node:crypto";
import dgram from "node:dgram";
import { lookup } from "node:dns/promises";
import net from "node:net";
import { Readable } from "node:stream";
import type { LabCatalog } from "./texts.js";

/**
 * A port that was free a moment ago on `host` (bind to 0, read it, close). Only for
 * exercises that need a server to appear *later* on a known port (5) or nobody at all.
 */
export async function freePort(kind: "tcp" | "udp", host = "127.0.0.1"): Promise<number> {
  if (kind === "tcp") {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen({ port: 0, host, exclusive: true }, () => {
        const port = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(port));
      });
    });
  }
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
    socket.once("error", reject);
    socket.bind(0, host, () => {
      const port = socket.address().port;
      socket.close(() => resolve(port));
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
