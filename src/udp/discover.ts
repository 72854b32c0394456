/**
 * Broadcast discovery (exercise 9): with SO_BROADCAST on, send the question once to a
 * broadcast address and collect every reply that arrives within the window.
 * Tests and the lab use 127.255.255.255 (loopback) only.
 */
import { createSocket } from "node:dgram";
import { delay } from "../abort.js";
import { formatAddress } from "../address.js";
import { wrapSystemError } from "../errors.js";

export interface DiscoverOptions {
  host: string;
  port: number;
  message?: Buffer;
  /** Collect replies for this long (ms). Default 1000. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called as each reply arrives. */
  onReply?: (reply: DiscoveredPeer) => void;
}

export interface DiscoveredPeer {
  from: string;
  data: Buffer;
}

export async function discover(options: DiscoverOptions): Promise<DiscoveredPeer[]> {
  const message = options.message ?? Buffer.from("DISCOVER?");
  const timeoutMs = options.timeoutMs ?? 1000;
  const socket = createSocket("udp4");
  const replies: DiscoveredPeer[] = [];
  // Loopback broadcast stays on loopback: bind the client there too.
  const bindHost = options.host.startsWith("127.") ? "127.0.0.1" : "0.0.0.0";
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(wrapSystemError(err, formatAddress({ kind: "udp", host: bindHost, port: 0 }), { syscall: "bind" }));
      socket.once("error", onError);
      socket.bind(0, bindHost, () => {
        socket.removeListener("error", onError);
        resolve();
      });
    });
    socket.setBroadcast(true); // only valid after bind
    socket.on("message", (data, rinfo) => {
      const reply = { from: formatAddress({ kind: "udp", host: rinfo.address, port: rinfo.port }), data };
      replies.push(reply);
      options.onReply?.(reply);
    });
    const target = formatAddress({ kind: "udp", host: options.host, port: options.port });
    await new Promise<void>((resolve, reject) =>
      socket.send(message, options.port, options.host, (err) => (err ? reject(wrapSystemError(err, target, { syscall: "send" })) : resolve())),
    );
    // Collect until the window closes; a socket error ends it early.
    const failed = new Promise<never>((_, reject) => socket.once("error", (err) => reject(wrapSystemError(err, target))));
    await Promise.race([delay(timeoutMs, options.signal), failed]);
    return replies;
  } finally {
    socket.close();
  }
}
