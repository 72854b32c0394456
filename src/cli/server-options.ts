/**
 * What `serve` and `listen` share beyond the StreamServer: the access-list flags (`--allow`,
 * `--deny`, `--allow-file`, `--deny-file`), the byte views (`-x`, `--hexdump-file`, `--show`)
 * for stream connections and for datagrams, and the forced-stop removal of a socket file.
 */
import type { Socket } from "node:net";
import { formatAddress, type Address } from "../address.js";
import type { DatagramEndpoint } from "../datagram/endpoint.js";
import type { EventSink } from "../events.js";
import { payloadEvents, type PayloadEncoding } from "../format/payload.js";
import { allSinks, byteViewSink, tap, type TapSink } from "../format/tap.js";
import { accessFilter, accessListFrom, type AccessList } from "../net/cidr.js";
import type { AcceptFilter, StreamHandler } from "../stream/server.js";
import { flag, list, str, usage } from "./args.js";
import { appendDump, type DumpFile } from "./dump-file.js";
import { diag, emit, jsonPayload, outputMode, stderrGate } from "./output.js";
import { onForcedStop } from "./signals.js";
import { claimSocketFileSync, removeIfOursSync } from "../unix/socket-file.js";

/** Option table entries for the access lists. */
export const accessOptions = {
  allow: { type: "string", multiple: true },
  deny: { type: "string", multiple: true },
  "allow-file": { type: "string", multiple: true },
  "deny-file": { type: "string", multiple: true },
} as const;

/** Option table entries for the byte views. */
export const byteViewOptions = {
  hexdump: { type: "boolean", short: "x" },
  "hexdump-file": { type: "string" },
  show: { type: "boolean" },
} as const;

/**
 * The access list the flags give (empty when none was given). The flags filter IP clients:
 * on a Unix address (whose peers have no address) they are a usage error.
 */
export async function accessFromFlags(values: Record<string, unknown>, where: Address): Promise<AccessList> {
  const given = (["allow", "deny", "allow-file", "deny-file"] as const).find((name) => list(values, name).length > 0);
  if (given !== undefined && where.kind !== "tcp" && where.kind !== "udp") {
    throw usage("usage.access-needs-ip", { option: `--${given}`, address: formatAddress(where) });
  }
  return accessListFrom({
    allow: list(values, "allow"),
    deny: list(values, "deny"),
    allowFile: list(values, "allow-file"),
    denyFile: list(values, "deny-file"),
  });
}

/** Both filters must let a client in; the first refusal is the one reported. */
export function bothFilters(a: AcceptFilter | undefined, b: AcceptFilter | undefined): AcceptFilter | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return (socket) => {
    const first = a(socket);
    return first.ok ? b(socket) : first;
  };
}

/** The accept filter of an access list, or undefined when the list is empty. */
export function accessAcceptFilter(access: AccessList): AcceptFilter | undefined {
  return access.empty ? undefined : (accessFilter(access) as AcceptFilter);
}

/**
 * `-x`/`--hexdump-file`/`--show` as given: a sink per connection (or per datagram), and a close.
 * In text mode the views are text on stderr (the dump in FILE with --hexdump-file); with
 * --json they are `sent`/`received` events carrying the bytes (`payload`), and only the
 * --hexdump-file dump stays text, in its file.
 */
export interface ByteView {
  /** Whether any view applies (-x, --hexdump-file, --show, or --json payload events): forDatagram gives a sink. */
  readonly active: boolean;
  /** --json: the payload encodings of the chunk events (give them to the server as `payload`); empty in text mode. */
  readonly payload: readonly PayloadEncoding[];
  /** The text views of one connection's chunks (offsets per direction), or undefined if none applies. */
  forPeer(peer: string): TapSink | undefined;
  /** Text views and (--json) chunk events for one datagram to or from `peer`. */
  forDatagram(peer: string): TapSink | undefined;
  /** Flush and close the dump file, if any. */
  close(): Promise<void>;
}

export function byteViewFromFlags(values: Record<string, unknown>): ByteView {
  const file = str(values, "hexdump-file");
  const json = outputMode().json;
  const payload = jsonPayload({ hexdump: flag(values, "hexdump"), hexdumpFile: file !== undefined, show: flag(values, "show") });
  // --json: the dump is text only in its file; --show is always an event field.
  const hexdump = json ? file !== undefined : flag(values, "hexdump") || file !== undefined;
  const show = !json && flag(values, "show");
  // A failed write is reported once for the file; the transfers go on (dump-file.ts).
  const dumpFile: DumpFile | undefined = file !== undefined ? appendDump(file) : undefined;
  // Every line kept (the connection waits for standard error instead: viewedHandler's gate).
  const toStderr = (text: string): void => {
    for (const line of text.slice(0, -1).split("\n")) diag(line, true);
  };
  const writeDump = dumpFile ? (text: string): void => dumpFile.write(text) : toStderr;
  return {
    active: hexdump || show || payload.length > 0,
    payload,
    forDatagram(peer) {
      return allSinks(this.forPeer(peer), payload.length > 0 ? payloadEvents(peer, emit, { encodings: payload, datagram: true }) : undefined);
    },
    forPeer(peer) {
      if (!hexdump && !show) return undefined;
      const dump = hexdump ? byteViewSink(peer, { hexdump: true }, writeDump) : undefined;
      const literal = show ? byteViewSink(peer, { show: true }, toStderr) : undefined;
      return {
        chunk(direction, data) {
          dump?.chunk(direction, data);
          literal?.chunk(direction, data);
        },
      };
    },
    close: () => (dumpFile ? dumpFile.close() : Promise.resolve()),
  };
}

/** A handler whose connections are tapped first: each chunk in and out goes to the view. */
export function viewedHandler(handler: StreamHandler, view: ByteView): StreamHandler {
  // Nothing to view: the handler itself (the stream echo can then run natively).
  if (!view.active) return handler;
  return (socket: Socket, context) => {
    const sink = view.forPeer(context.peer);
    // Shown on standard error: a reader that falls behind holds the connection (as for connect).
    if (sink) tap(socket, sink, stderrGate);
    return handler(socket, context);
  };
}

/** A UDP peer's IP address, if `peer` is one ({ address, port }). */
function peerIp(peer: unknown): string | undefined {
  const address = (peer as { address?: unknown } | null)?.address;
  return typeof address === "string" ? address : undefined;
}

/**
 * A datagram endpoint seen through the access list and the byte view: datagrams from a
 * refused source are dropped (one `refused` event each, nothing answered), every datagram
 * in and out is shown. Each datagram is shown on its own (offset 0): it is a message, not a
 * piece of a stream.
 *
 * With no access list and no view the endpoint is returned as it is, so a batched endpoint
 * keeps its batch path (onBatch: recvmmsg/sendmmsg, one call per wake-up); the wrapper below
 * sees datagrams one at a time.
 */
export function guardedEndpoint<P>(endpoint: DatagramEndpoint<P>, access: AccessList, view: ByteView, onEvent: EventSink): DatagramEndpoint<P> {
  if (access.empty && !view.active) return endpoint;
  const show = (direction: "in" | "out", data: Buffer, peer: P): void => view.forDatagram(endpoint.formatPeer(peer))?.chunk(direction, data);
  return {
    address: endpoint.address,
    bound: endpoint.bound,
    onError: (listener) => endpoint.onError(listener),
    formatPeer: (peer) => endpoint.formatPeer(peer),
    close: () => endpoint.close(),
    onMessage(listener) {
      endpoint.onMessage((data, peer) => {
        if (!access.empty) {
          const decision = access.check(peerIp(peer));
          if (!decision.ok) {
            onEvent({
              type: "refused",
              peer: endpoint.formatPeer(peer),
              reason: "address-not-allowed",
              ...(decision.why === "denied" ? { detail: decision.rule } : {}),
            });
            return;
          }
        }
        show("in", data, peer);
        listener(data, peer);
      });
    },
    send(data, peer) {
      show("out", data, peer);
      return endpoint.send(data, peer);
    },
  };
}

/**
 * If a second signal forces the exit, remove the socket file at `where` — if it is still
 * the one we just bound (same inode), never one another server put there later. Returns the
 * function that unregisters this (after a graceful close).
 */
export function forcedStopRemoves(where: Address): () => void {
  if (where.kind !== "unix" && where.kind !== "unix-dgram") return () => {};
  const owned = claimSocketFileSync(where.path);
  if (owned === undefined) return () => {};
  const unregister = onForcedStop(() => void removeIfOursSync(owned));
  return () => void unregister();
}
