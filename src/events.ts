/**
 * The vocabulary: everything socklab's library and CLI can report, as typed data.
 *
 * Library objects (servers, clients) emit these; nothing below the CLI prints. The CLI turns
 * each event into one line of text through the message catalogue (src/i18n/), or into one
 * JSON object per line with `--json` (schema: docs/EVENTS.md). The lab and the bench consume
 * events, never human text. Field names are stable; add fields, never rename them.
 *
 * Addresses and peers are in socklab notation (`tcp://127.0.0.1:41234`, `unix:/tmp/s.sock#3`).
 */
import { channel } from "node:diagnostics_channel";

/** Why a client was turned away. */
export type RefusalReason = "uid-not-allowed" | "credentials-unavailable" | "max-conns" | "address-not-allowed" | "server-stopping";

/** Notes a server gives about how it listens. */
export type ListenNote = "dual-stack" | "dual-stack-fallback" | "descriptor-limit" | "scan-tls-plain";

export type SocklabEvent =
  /** A server or listener is ready (`address` carries the real port). */
  | { type: "listening"; address: string; fingerprint?: string }
  /** `descriptor-limit`: maxConnections is above what `limit` (ulimit -n) allows. */
  | { type: "note"; note: ListenNote; address?: string; limit?: number; maxConnections?: number }
  /** A client waits its turn (sequential servers). */
  | { type: "queued"; peer: string; waiting: number }
  /** A client is being served. */
  | { type: "accepted"; peer: string }
  /** A client was turned away; it is told or closed at once. */
  | { type: "refused"; peer: string; reason: RefusalReason; uid?: number; pid?: number; detail?: string }
  /** A client connection is established. */
  | { type: "connected"; address: string }
  /** One attempt to reach `address` failed; `delayMs` before the next (0: none follows). */
  | { type: "attempt-failed"; attempt: number; total: number; address: string; code: string; message: string; delayMs: number; datagram?: boolean; timeoutMs?: number }
  /** Happy eyeballs: one address of the race starts, connects, fails, or is cancelled (another won). */
  | { type: "connect-attempt"; address: string; state: "trying" | "connected" | "failed" | "cancelled"; ms: number; code?: string; message?: string }
  /** --progress: bytes each way so far; `size` when standard input is a regular file. */
  | { type: "progress"; sent: number; received: number; seconds: number; size?: number; final?: boolean }
  /**
   * Bytes that went out / came in: one write (as given to the socket) / one read. With the
   * payload asked for (`--json` with -x/--show; `payload` in the library) also where the chunk
   * starts in its direction of the stream (`offset`, streams) or `datagram: true`, and the
   * bytes themselves as `hex`, `base64` and/or `python` (Python's bytes literal).
   */
  | { type: "sent"; peer: string; bytes: number; offset?: number; datagram?: boolean; hex?: string; base64?: string; python?: string }
  | { type: "received"; peer: string; bytes: number; offset?: number; datagram?: boolean; hex?: string; base64?: string; python?: string }
  /** The peer shut down its write side (our read returned 0). */
  | { type: "eof"; peer: string }
  /** We shut down our write side (FIN sent). */
  | { type: "half-closed"; peer: string }
  | { type: "closed"; peer: string; received: number; sent: number }
  | { type: "idle-timeout"; peer: string; seconds: number }
  /** A connection reached the server's total time limit per connection (`--max-time`) and was closed. */
  | { type: "max-time"; peer: string; seconds: number }
  | { type: "line-too-long"; peer: string; limit: number }
  | { type: "datagram-in"; peer: string; bytes: number }
  | { type: "datagram-out"; peer: string; bytes: number }
  /** A datagram client's reply (also printed on stdout). */
  | { type: "reply"; peer: string; bytes: number }
  | { type: "peer-credentials"; peer: string; pid: number; uid: number; gid: number }
  /** Server side of SCM_RIGHTS: `fd` is the passed file's descriptor number in the sending process. */
  | { type: "descriptor-sent"; peer: string; file: string; fd: number }
  /** Client side of SCM_RIGHTS: descriptors that arrived, and the payload that came with them. */
  | {
      type: "descriptors-received";
      address: string;
      count: number;
      /** The descriptor numbers recvmsg() installed in this process, in order (the first is the one read). */
      fds: number[];
      payload: string;
      truncated: boolean;
      /** What the first descriptor is (fstat): file, directory, socket, pipe, char-device, block-device, symlink, unknown. */
      kind?: string;
      /** Bytes printed through the first descriptor (a regular file); absent: closed unread. */
      printedBytes?: number;
      /** Descriptors after the first, closed unread. */
      othersClosed?: number;
    }
  /** A client's end-of-run summary (`connect -v`). */
  | { type: "summary"; received: number; sent: number; seconds: number }
  /** Output that could not keep up (stderr lines or datagrams dropped, counted). */
  | { type: "dropped"; what: "log-lines" | "datagrams"; count: number }
  /** A failure: `code` is stable (ECONNREFUSED, ERR_UNAVAILABLE…); `message` is English detail. */
  | { type: "error"; code: string; message: string; peer?: string; address?: string; during?: "accept" | "send" | "serve" }
  /**
   * A signal asked us to stop. `forced`: a second signal came while stopping; the process
   * removes its socket files and exits at once with status 128 + the signal's number.
   */
  | { type: "stopping"; signal: string; forced?: boolean }
  /**
   * scan: one port's result. `open`: connected; `closed`: refused; `filtered`: no answer
   * within the per-port timeout; `error`: anything else (`code` says what).
   */
  | { type: "port"; address: string; state: PortState; ms: number; code?: string }
  /** scan: the end of a scan. */
  | { type: "scan-done"; target: string; scanned: number; open: number; seconds: number }
  /** relay: a client's upstream is open (a connection, or a UDP mapping). */
  | { type: "relay-open"; peer: string; upstream: string }
  /** relay: a client's relay is over; `up` bytes went client→upstream, `down` upstream→client. */
  | { type: "relay-close"; peer: string; upstream: string; up: number; down: number; seconds: number; reason: RelayEndReason }
  /** relay: the upstream could not be reached for this client; the client is closed. */
  | { type: "upstream-failed"; peer: string; upstream: string; code: string; message: string }
  /** chat/broker: a client that did not read fast enough was disconnected. */
  | { type: "client-dropped"; peer: string; reason: "slow-reader"; buffered: number; limit: number }
  /** exec: the child process serving a client started. */
  | { type: "exec-start"; peer: string; pid: number; command: string }
  /** exec: the child process serving a client ended (exit code, or the signal that ended it). */
  | { type: "exec-exit"; peer: string; pid: number; code: number | null; signal: string | null }
  /**
   * A TLS handshake completed (both sides): negotiated version and cipher, ALPN, and the peer's
   * certificate (subject DN, common name, `sha256:` fingerprint). `verified` says whether the
   * peer was authenticated, and `verifiedBy` how: a CA (server certificate or --client-ca) or a pin.
   */
  | { type: "tls-established"; peer: string; protocol: string; cipher: string; alpn?: string; subject?: string; commonName?: string; fingerprint?: string; verified: boolean; verifiedBy?: TlsVerifiedBy }
  /** The peer's certificate was not checked (--insecure): said once per connection. */
  | { type: "tls-unverified"; peer: string; reason?: string };

/** What a scanned port turned out to be. */
export type PortState = "open" | "closed" | "filtered" | "error";

/** Why a relayed connection (or UDP mapping) ended. */
export type RelayEndReason = "done" | "idle-timeout" | "error" | "stopping";

/** How a TLS peer was authenticated. */
export type TlsVerifiedBy = "ca" | "pin" | "client-ca";

export type EventType = SocklabEvent["type"];
export type EventOf<T extends EventType> = Extract<SocklabEvent, { type: T }>;

/** Receives events. Must not throw and must be cheap: it runs on hot paths. */
export type EventSink = (event: SocklabEvent) => void;

export const noEvents: EventSink = () => {};

/**
 * Every event a library object emits is also published on this diagnostics channel, so a
 * tool can observe socklab without the library printing anything (as undici does).
 */
export const eventChannel = channel("socklab:event");

/** A sink that also publishes on `socklab:event` when someone subscribes. */
export function publishing(sink: EventSink | undefined): EventSink {
  const target = sink ?? noEvents;
  return (event) => {
    if (eventChannel.hasSubscribers) eventChannel.publish(event);
    target(event);
  };
}

/** Every event type, for completeness checks (catalogue, docs). */
export const EVENT_TYPES = [
  "listening",
  "note",
  "queued",
  "accepted",
  "refused",
  "connected",
  "attempt-failed",
  "connect-attempt",
  "progress",
  "sent",
  "received",
  "eof",
  "half-closed",
  "closed",
  "idle-timeout",
  "max-time",
  "line-too-long",
  "datagram-in",
  "datagram-out",
  "reply",
  "peer-credentials",
  "descriptor-sent",
  "descriptors-received",
  "summary",
  "dropped",
  "error",
  "stopping",
  "port",
  "scan-done",
  "relay-open",
  "relay-close",
  "upstream-failed",
  "client-dropped",
  "exec-start",
  "exec-exit",
  "tls-established",
  "tls-unverified",
] as const satisfies readonly EventType[];

/** Turns an error into an `error` event (code and English detail; the formatter localises). */
export function errorEvent(err: unknown, extra: { peer?: string; address?: string; during?: "accept" | "send" | "serve" } = {}): EventOf<"error"> {
  const e = err as { code?: unknown; message?: unknown; address?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "ERROR";
  const message = typeof e?.message === "string" ? e.message : String(err);
  const address = extra.address ?? (typeof e?.address === "string" ? e.address : undefined);
  const event: EventOf<"error"> = { type: "error", code, message };
  if (extra.peer !== undefined) event.peer = extra.peer;
  if (address !== undefined) event.address = address;
  if (extra.during !== undefined) event.during = extra.during;
  // The original error rides along for the formatter, but not into JSON.
  Object.defineProperty(event, "cause", { value: err, enumerable: false });
  return event;
}
