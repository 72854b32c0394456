/**
 * Helpers for the native stream engine's tests (native-echo, native-lines): a StreamServer
 * recording its events, clients that connect to it, and events made comparable across runs.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { openStream, StreamServer } from "../../src/index.js";
import type { Address, InetAddress } from "../../src/address.js";
import type { SocklabEvent } from "../../src/events.js";
import type { StreamHandler } from "../../src/services/types.js";
import type { NativeEchoStats } from "../../src/stream/native-echo.js";
import { listenExtras } from "../../src/transports/registry.js";
import { socklab } from "./cli.js";
import type { Teardown } from "./process.js";
import { spawnPeer } from "./python.js";
import { waitUntil } from "./wait.js";

export const TCP: InetAddress = { kind: "tcp", host: "127.0.0.1", port: 0 };

/** A server for `handler` on `options.address` (loopback TCP by default), its events recorded. */
export async function engineServer(
  t: Teardown,
  handler: StreamHandler,
  options: Partial<Parameters<typeof StreamServer.listen>[0]> & { address?: Address } = {},
): Promise<{ server: StreamServer; events: SocklabEvent[] }> {
  const events: SocklabEvent[] = [];
  const address = options.address ?? TCP;
  // A Unix path is bound natively first, as the CLI does (the engine needs a pausable listener).
  const extras = address.kind === "unix" ? await listenExtras(address) : {};
  const server = await StreamServer.listen({ handler, ...extras, ...options, address, onEvent: (e) => events.push(e) });
  t.after(() => server.close());
  return { server, events };
}

export function connectTo(server: StreamServer, allowHalfOpen = false): net.Socket {
  const a = server.address;
  if (a.kind === "tcp") return net.connect({ port: a.port, host: a.host, allowHalfOpen });
  if (a.kind === "unix") return net.connect({ path: a.path, allowHalfOpen });
  throw new Error(`connectTo: ${server.url}`);
}

/** Everything the client reads until the server's EOF. */
export function readAll(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.once("end", () => resolve(Buffer.concat(chunks)));
    socket.once("error", reject);
  });
}

export function connected(socket: net.Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
}

/** Connect, send `data`, half-close, read to EOF. */
export async function exchange(server: StreamServer, data: Buffer): Promise<Buffer> {
  // Abstract names are connected natively with their exact length (libuv would pad them).
  const socket = server.address.kind === "abstract" ? (await openStream(server.address)).socket : connectTo(server);
  const reply = readAll(socket);
  socket.end(data);
  const got = await reply;
  socket.destroy();
  return got;
}

/** Events with peers renamed by order of appearance (ports and paths differ between runs). */
export function normalised(events: readonly SocklabEvent[]): unknown[] {
  const names = new Map<string, string>();
  return events.map((e) => {
    const copy = { ...e } as Record<string, unknown>;
    if (typeof copy.peer === "string") {
      if (!names.has(copy.peer)) names.set(copy.peer, `peer${names.size + 1}`);
      copy.peer = names.get(copy.peer);
    }
    return copy;
  });
}

/**
 * The engine tests' common session on a sequential server: one client served (`first`, sent
 * with half-close), then a slow client holding the server while a second one is queued
 * behind it (`slow` and `queued` sent, each with half-close). The three replies, in order.
 */
export async function queuedSession(
  server: StreamServer,
  events: readonly SocklabEvent[],
  sends: { first: string; slow: string; queued: string },
): Promise<Buffer[]> {
  const first = await exchange(server, Buffer.from(sends.first));
  await waitUntil(() => events.filter((e) => e.type === "closed").length === 1, { what: "the first close" });
  const slow = connectTo(server);
  const slowReply = readAll(slow);
  await connected(slow);
  await waitUntil(() => events.filter((e) => e.type === "accepted").length === 2, { what: "the slow client accepted" });
  const queued = connectTo(server);
  const queuedReply = readAll(queued);
  queued.end(sends.queued);
  await waitUntil(() => events.some((e) => e.type === "queued"), { what: "the queued event" });
  slow.end(sends.slow);
  const replies = [first, await slowReply, await queuedReply];
  await waitUntil(() => events.filter((e) => e.type === "closed").length === 3, { what: "three closes" });
  return replies;
}

/** The sanitizer run (native-sanitizers.test) preloads libasan: CLI-process tests skip there. */
export const CLI_SKIP = /libasan/.test(process.env.LD_PRELOAD ?? "") ? "CLI processes run in the normal suite, not under the sanitizer run" : false;

/**
 * `socklab ARGS --json` (ARGS serve on tcp://127.0.0.1:0): runs `session` against it with
 * its events as they come (the listening event left out), stops it with SIGTERM (exit 0
 * required) and returns its events, normalised, and what the session returned.
 */
export async function cliSession<T>(
  t: Teardown,
  args: readonly string[],
  session: (server: StreamServer, events: SocklabEvent[]) => Promise<T>,
): Promise<{ events: unknown[]; result: T }> {
  const proc = socklab([...args, "--json"], { input: "pipe", teardown: t });
  const m = await proc.waitForStderr(/"event":"listening","seq":\d+,"t":[\d.]+,"address":"(tcp:\/\/[^"]+)"/);
  const port = Number(new URL(m[1]!).port);
  const lines = (): SocklabEvent[] =>
    proc.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        const { event, seq: _seq, t: _t, ...rest } = JSON.parse(l) as Record<string, unknown>;
        return { type: event, ...rest } as SocklabEvent;
      })
      .filter((e) => e.type !== "listening");
  // Only its address is used by the session's clients.
  const server = { address: { kind: "tcp", host: "127.0.0.1", port } } as unknown as StreamServer;
  const events: SocklabEvent[] = [];
  const follow = setInterval(() => events.splice(0, events.length, ...lines()), 5);
  let result: T;
  try {
    result = await session(server, events);
  } finally {
    clearInterval(follow);
  }
  proc.signal("SIGTERM");
  const r = await proc.waitExit(10_000);
  assert.equal(r.code, 0, r.stderr);
  return { events: normalised(lines()), result };
}

/**
 * The Python rr peer (test/support/peers.py rr-clients: 3000 rounds of a `size`-byte request
 * on each of 4 connections, each reply read back whole and compared) against `handler`
 * served concurrently by the engine, polling on for `pollOnMicros`. Checks every client's
 * byte counts (`replySize` bytes answered per request) and that timers ran meanwhile; the
 * engine's stats at the end.
 */
export async function rrPeerSession(
  t: Teardown,
  handler: StreamHandler,
  o: { pollOnMicros: number; size: number; replySize?: number; service?: "echo" | "line-echo" },
): Promise<NativeEchoStats> {
  const { server, events } = await engineServer(t, handler, { concurrent: true, pollOnMicros: o.pollOnMicros });
  assert.equal(server.echoesNatively, true);
  const a = server.address;
  assert.ok(a.kind === "tcp");
  let ticks = 0;
  const interval = setInterval(() => ticks++, 5);
  t.after(() => clearInterval(interval));
  const ROUNDS = 3000;
  const result = await spawnPeer("rr-clients", [a.port, 4, ROUNDS, o.size, o.service ?? "echo"], { teardown: t }).waitExit(45_000);
  assert.equal(result.code, 0, result.stderr.toString());
  assert.match(result.stdout.toString(), new RegExp(`^ok ${ROUNDS}$`, "m"));
  const closed = await waitUntil(() => (events.filter((e) => e.type === "closed").length === 4 ? events.filter((e) => e.type === "closed") : undefined), {
    what: "4 closed events",
  });
  const sent = ROUNDS * (o.replySize ?? o.size);
  for (const e of closed) assert.deepEqual({ ...e, peer: undefined }, { type: "closed", peer: undefined, received: ROUNDS * o.size, sent });
  assert.ok(ticks > 0, "timers ran while the clients were served");
  const stats = server.nativeEchoStats()!;
  assert.equal(stats.active, 0);
  return stats;
}

/** Why the rr peer tests skip where python3 is missing. */
export const NO_PYTHON = "python3 is not installed (the clients are a Python peer: a client in this process could not send while the engine polls)";
