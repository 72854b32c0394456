/**
 * socklab's error classes. Every failure a user can meet has a stable string `code`,
 * the underlying error is kept as `cause`, and `address` names what we were talking to,
 * so the CLI can print one clear line without a stack trace.
 */
import { getSystemErrorName } from "node:util";

/**
 * Keys of socklab's own error messages in the message catalogue (src/i18n/). An error that
 * carries one is shown in the user's language; `message` stays the English text for logs
 * and for library users who print `err.message`.
 */
export type ErrorMessageKey = "unavailable" | "no-response" | "no-responder" | "reply-incomplete" | "no-descriptor" | "usage"
  /** A connection that ended before every byte went through: params address, code, detail, sent, read, received, source, unfinished. */
  | "transfer-cut-short"
  /** connect --idle-timeout fired: params address, idleMs, received, sent. */
  | "client-idle-timeout"
  /** A server could not bind/listen: params address, code, detail, and dir (missing directory). */
  | "cannot-listen"
  /** A file named on the command line can't be opened: params option, path, code, detail. */
  | "cannot-open-file"
  /** `socklab bench` in an installed package: the benchmarks ship with the sources only. */
  | "bench-not-installed"
  /** Writing to standard output failed (other than its reader going away): params code, detail. */
  | "stdout-failed";

/** Every catalogue key a SocklabError may carry: the keys above, address errors, usage errors. */
export type MessageKey = ErrorMessageKey | AddressMessageKey | UsageMessageKey | TlsErrorMessageKey;

/** Why an address string does not parse (params: `address`, and `port`, `host`, `bytes`, `room`, `suggestion`). */
export type AddressMessageKey =
  | "address.port-not-number"
  | "address.port-out-of-range"
  | "address.missing-bracket"
  | "address.not-ipv6"
  | "address.missing-port-after-ipv6"
  | "address.missing-colon-port"
  | "address.ipv6-needs-brackets"
  | "address.missing-host"
  | "address.missing-port"
  | "address.bad-host"
  | "address.missing-path"
  | "address.missing-name"
  | "address.nul-in-path"
  | "address.nul-in-name"
  | "address.path-too-long"
  | "address.name-too-long"
  | "address.did-you-mean"
  | "address.unknown-form";

/** Usage errors of the command line (exit 2). Params are named in the catalogue's entries. */
export type UsageMessageKey =
  | "usage.unknown-command"
  | "usage.bad-lang"
  | "usage.unknown-option"
  | "usage.missing-value"
  | "usage.dash-value"
  | "usage.takes-no-value"
  | "usage.bad-option"
  | "usage.bad-seconds"
  | "usage.bad-positive-seconds"
  | "usage.bad-count"
  | "usage.bad-count-range"
  | "usage.bad-mode"
  | "usage.bad-uids"
  | "usage.missing-argument"
  | "usage.unexpected-argument"
  | "usage.unexpected-text"
  | "usage.exclusive"
  | "usage.positive"
  | "usage.needs-send"
  | "usage.stream-only"
  | "usage.unix-file-only"
  | "usage.ipv6-option"
  | "usage.needs-concurrent"
  | "usage.unknown-service"
  | "usage.service-needs-stream"
  | "usage.service-needs-datagram"
  | "usage.service-needs-unix"
  | "usage.allow-uid-unix-only"
  | "usage.recv-fd-needs-unix"
  | "usage.discover-needs-udp"
  | "usage.unknown-shell"
  | "usage.port-zero"
  | "usage.stdin-mode-only"
  | "usage.nc-form"
  | "usage.nc-port"
  | "usage.access-needs-ip"
  | "usage.exec-needs-command"
  | "usage.command-only-exec"
  | "usage.exec-needs-allow"
  | "usage.listen-form"
  | "usage.tls-only"
  | "usage.tls-role"
  | "usage.scan-missing-target"
  | "usage.scan-bad-target"
  | "usage.scan-udp"
  | "usage.scan-extra"
  | "usage.relay-pair";

/** TLS setup, handshake and verification failures (src/tls/errors.ts says when each is used). */
export type TlsErrorMessageKey =
  | "tls-bad-pin"
  | "tls-option"
  | "tls-file"
  | "tls-key-mismatch"
  | "tls-expired"
  | "tls-not-yet-valid"
  | "tls-hostname"
  | "tls-self-signed"
  | "tls-unknown-issuer"
  | "tls-pin-mismatch"
  | "tls-no-shared-cipher"
  | "tls-protocol-version"
  | "tls-not-tls"
  | "tls-handshake-closed"
  | "tls-handshake-timeout"
  | "tls-client-cert-required"
  | "tls-client-cert-rejected"
  | "tls-cert-rejected-by-peer"
  | "tls-no-alpn"
  | "tls-handshake";

export interface SocklabErrorOptions {
  cause?: unknown;
  /** Catalogue key and parameters for the localised message. */
  messageKey?: MessageKey;
  params?: Record<string, string | number>;
  /** The address (in socklab's `tcp://…` / `unix:…` notation) the operation was about. */
  address?: string;
  syscall?: string;
  errno?: number;
  path?: string;
}

export class SocklabError extends Error {
  readonly code: string;
  address?: string;
  syscall?: string;
  errno?: number;
  path?: string;
  messageKey?: MessageKey;
  params?: Record<string, string | number>;

  constructor(code: string, message: string, options: SocklabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.messageKey !== undefined) this.messageKey = options.messageKey;
    if (options.params !== undefined) this.params = options.params;
    if (options.address !== undefined) this.address = options.address;
    if (options.syscall !== undefined) this.syscall = options.syscall;
    if (options.errno !== undefined) this.errno = options.errno;
    if (options.path !== undefined) this.path = options.path;
  }
}

/** Bad command line or bad option value: the CLI exits 2 and prints the usage line. */
export class UsageError extends SocklabError {
  constructor(message: string, options: SocklabErrorOptions = {}) {
    super("ERR_USAGE", message, options);
  }
}

/** An address string that does not parse (`tcp://host` without a port, …). */
export class AddressError extends SocklabError {
  constructor(message: string, options: SocklabErrorOptions = {}) {
    super("ERR_BAD_ADDRESS", message, options);
  }
}

/** One failed connection attempt, as recorded by the TCP client. */
export interface AttemptRecord {
  attempt: number;
  /** Address tried, e.g. `tcp://127.0.0.1:9004`. */
  address: string;
  /** Error code: ECONNREFUSED, ETIMEDOUT, … */
  code: string;
  message: string;
  /** Milliseconds waited after this attempt before the next (0 for the last). */
  delayMs: number;
}

/** All attempts to reach a server failed. `attempts` lists each one. */
export class UnavailableError extends SocklabError {
  readonly attempts: AttemptRecord[];
  constructor(message: string, attempts: AttemptRecord[], options: SocklabErrorOptions = {}) {
    super("ERR_UNAVAILABLE", message, options);
    this.attempts = attempts;
  }
}

/** An operation took longer than its timeout. */
export class TimeoutError extends SocklabError {
  constructor(message: string, options: SocklabErrorOptions = {}) {
    super("ETIMEDOUT", message, options);
  }
}

/**
 * A datagram request got no answer after every retransmission. `attempts` lists each
 * failed send (timed out, refused, …); `cause` is the last attempt's error.
 */
export class NoResponseError extends SocklabError {
  readonly attempts: AttemptRecord[];
  constructor(message: string, options: SocklabErrorOptions & { attempts?: AttemptRecord[] } = {}) {
    const { attempts, ...rest } = options;
    super("ERR_NO_RESPONSE", message, rest);
    this.attempts = attempts ?? [];
  }
}

/**
 * A system call on a socket failed (bind, send, a connected UDP socket's refusal, …).
 * `code` is the system's (EADDRINUSE, ECONNREFUSED, …), `address` says where, and `cause`
 * is the original error, left as Node made it.
 */
export class SocketError extends SocklabError {
  constructor(code: string, message: string, options: SocklabErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A connection could not be made: `code` ECONNREFUSED, EHOSTUNREACH, ENOTFOUND, …; `address` with its port. */
export class ConnectError extends SocketError {}

/**
 * Wrap a failure of the system (Node's error, or anything thrown) as a socklab error for
 * `address`, without touching the original: that one becomes `cause`. socklab's own errors
 * pass through unchanged.
 */
export function wrapSystemError(
  err: unknown,
  address: string,
  options: { syscall?: string; connect?: boolean } = {},
): SocklabError {
  if (err instanceof SocklabError) return err;
  const e = (err ?? {}) as { code?: unknown; errno?: unknown; syscall?: unknown; message?: unknown; path?: unknown };
  const code = typeof e.code === "string" ? e.code : "ERROR";
  const detail = typeof e.message === "string" ? e.message : String(err);
  const syscall = options.syscall ?? (typeof e.syscall === "string" ? e.syscall : undefined);
  const errorOptions: SocklabErrorOptions = { cause: err, address };
  if (syscall !== undefined) errorOptions.syscall = syscall;
  if (typeof e.errno === "number") errorOptions.errno = e.errno;
  if (typeof e.path === "string") errorOptions.path = e.path;
  const message = `${address}: ${explainCode(code) ?? detail}`;
  const wrapped = options.connect ? new ConnectError(code, message, errorOptions) : new SocketError(code, message, errorOptions);
  inSystemWords.add(wrapped);
  return wrapped;
}

/** Errors made by wrapSystemError: their message is the system's words, so the CLI says them in the user's language. */
const inSystemWords = new WeakSet<Error>();

/** A feature this platform (or this build) lacks. */
export class NotSupportedError extends SocklabError {
  constructor(message: string, options: SocklabErrorOptions = {}) {
    super("ERR_NOT_SUPPORTED", message, options);
  }
}

/** An aborted operation (AbortSignal fired): `cause` is the signal's reason. */
export class AbortError extends SocklabError {
  constructor(message = "the operation was aborted", options: SocklabErrorOptions = {}) {
    super("ABORT_ERR", message, options);
  }
}

/**
 * The socklab error for an aborted `signal`. Whatever it was aborted with (nothing, a
 * DOMException, the caller's own Error, AbortSignal.timeout()), this is AbortError (code
 * ABORT_ERR) or, for a timeout, TimeoutError (ETIMEDOUT), with the reason as `cause`. A
 * socklab error given as the reason is returned as is.
 */
export function abortError(signal: AbortSignal, address?: string): SocklabError {
  const reason: unknown = signal.reason;
  if (reason instanceof SocklabError) return reason;
  const options = address === undefined ? { cause: reason } : { cause: reason, address };
  const prefix = address === undefined ? "" : `${address}: `;
  const name = (reason as { name?: unknown } | null)?.name;
  if (name === "TimeoutError") return new TimeoutError(`${prefix}timed out`, options);
  const why = reason instanceof Error && name !== "AbortError" && reason.message !== "" ? `: ${reason.message}` : "";
  return new AbortError(`${prefix}the operation was aborted${why}`, options);
}

/**
 * The one place that turns a raw errno (as the native addon returns it, negative or
 * positive) into a Node-style error: string `code`, numeric `errno`, `syscall`, `path`.
 */
export function errnoError(
  errno: number,
  syscall: string,
  extra: { path?: string; address?: string } = {},
): SocklabError {
  const negative = errno > 0 ? -errno : errno;
  let code: string;
  try {
    code = getSystemErrorName(negative);
  } catch {
    code = `E${-negative}`;
  }
  const where = extra.address ?? extra.path;
  const message = `${syscall} ${code}${where ? ` ${where}` : ""}`;
  return new SocklabError(code, message, { syscall, errno: negative, ...extra });
}

/** Human explanations (English) of the error codes a socket user meets most; src/i18n has them in every language. */
export const CAUSES: Record<string, string> = {
  ECONNREFUSED: "connection refused (nothing is listening there)",
  ECONNRESET: "connection reset by peer",
  ETIMEDOUT: "timed out",
  ENOENT: "not found (no server is listening there)",
  EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available on this machine",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EPIPE: "broken pipe (the peer closed the connection)",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "temporary failure resolving the host name",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTSOCK: "not a socket",
  EAFNOSUPPORT: "address family not supported on this machine",
  EMSGSIZE: "message too long for one datagram",
  ENAMETOOLONG: "socket path too long",
  ECONNABORTED: "connection aborted",
  ERR_NO_DIRECTORY: "no such directory (no server can be listening there)",
  ENOSPC: "no space left on device (the disk or device is full)",
};

/** A short human cause for an error code, or undefined if we have none. */
export function explainCode(code: string | undefined): string | undefined {
  return code === undefined ? undefined : CAUSES[code];
}

/**
 * One line that says what failed and why, for the CLI. Never includes a stack.
 * `fallbackAddress` is used when the error itself does not carry one.
 */
export function describeError(
  err: unknown,
  fallbackAddress?: string,
  explain: (code: string | undefined) => string | undefined = explainCode,
  ownMessage: (err: SocklabError) => string = (e) => e.message,
): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; address?: unknown };
  const address = (typeof e.address === "string" ? e.address : undefined) ?? fallbackAddress;
  if (err instanceof SocketError && inSystemWords.has(err)) {
    // A wrapped system error reads as the system's error did: the address and the cause.
    const inner = err.cause instanceof Error ? err.cause.message : err.message;
    const cause = explain(err.code) ?? inner;
    return address ? `${address}: ${cause}` : cause;
  }
  if (err instanceof SocklabError) {
    // Our own messages already say what happened; keep them, prefixed by the address once.
    if (err.messageKey !== undefined) return ownMessage(err);
    if (err instanceof UsageError || err.code.startsWith("ERR_")) return err.message;
    if (address === undefined || err.message.startsWith(address)) return err.message;
    if (!err.message.startsWith(`${err.syscall ?? "\0"} `)) return `${address}: ${err.message}`;
  }
  const cause = explain(e.code) ?? err.message;
  return address ? `${address}: ${cause}` : cause;
}
