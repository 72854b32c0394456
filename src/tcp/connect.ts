/**
 * TCP client connection: every resolved address of every family, raced as RFC 8305 says
 * (happy eyeballs: IPv6 first, 250 ms head start), each with a per-address timeout; N attempts with a linear backoff (the guide's 0.5 s × attempt);
 * every failure recorded. Gives up with one UnavailableError that lists what was tried.
 */
import { lookup } from "node:dns/promises";
import { isIP, Socket } from "node:net";
import { abortError, throwIfAborted } from "../abort.js";
import { formatAddress } from "../address.js";
import { startDeadline } from "../deadline.js";
import { ConnectError, SocklabError, TimeoutError, UnavailableError, wrapSystemError, type AttemptRecord } from "../errors.js";
import { backoffDelay, failureCode, failureText, retry, type RetryPolicy } from "../retry.js";

/**
 * Attempts, backoff and jitter of a connecting client (src/retry.ts's policy). `timeoutMs`
 * bounds each address's connect (not the whole attempt: an attempt races every address).
 */
export interface RetryOptions extends Omit<RetryPolicy, "timeoutMs"> {
  /** Per-address connect timeout in ms (the guide uses 1500). Default 10000. */
  timeoutMs?: number;
}

export interface TcpConnectOptions extends RetryOptions, Pick<ConnectAnyOptions, "resolve" | "attemptDelayMs" | "onAttempt"> {
  host: string;
  port: number;
  /** 4 or 6 to restrict the address family; 0 (default) tries every family. */
  family?: 0 | 4 | 6;
}

export interface TcpConnection {
  socket: Socket;
  /** The address that answered, e.g. tcp://[::1]:9005. */
  address: string;
  attempts: AttemptRecord[];
}

/** Codes worth retrying: the server may come up, or the path may clear. */
// ERR_NO_DIRECTORY: a Unix socket's directory may be created by the server as it starts.
const RETRYABLE = new Set(["ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOENT", "EAGAIN", "ERR_NO_DIRECTORY"]);

export { backoffDelay };

/** Resolve every address of `host` (all families unless restricted), in the resolver's order. */
export async function resolveAll(host: string, family: 0 | 4 | 6 = 0): Promise<{ address: string; family: number }[]> {
  const literal = isIP(host);
  if (literal !== 0) {
    if (family !== 0 && literal !== family) {
      throw new SocklabError("EAFNOSUPPORT", `${host} is an IPv${literal} address but -${family} was given`, { address: host });
    }
    return [{ address: host, family: literal }];
  }
  // verbatim: keep the system's order (e.g. ::1 before 127.0.0.1 for localhost).
  return lookup(host, { all: true, family, verbatim: true });
}

/**
 * One connect to one address, bounded by `timeoutMs` and `signal`. Fails with ConnectError
 * (the system's code, the address with its port, Node's error as `cause`), TimeoutError
 * or AbortError.
 */
export function connectOnce(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  const where = formatAddress({ kind: "tcp", host, port });
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal, where));
    const socket = new Socket({ allowHalfOpen: true });
    const finish = (err: Error | null): void => {
      deadline.clear();
      socket.removeListener("error", onError);
      socket.removeListener("connect", onConnect);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve(socket);
      }
    };
    const onError = (err: Error): void => finish(wrapSystemError(err, where, { syscall: "connect", connect: true }));
    const onConnect = (): void => {
      socket.setNoDelay(true);
      finish(null);
    };
    const deadline = startDeadline(
      {
        ms: timeoutMs,
        signal,
        unref: true,
        timeoutError: () => new TimeoutError(`${where}: connect timed out after ${timeoutMs / 1000}s`, { address: where }),
      },
      finish,
    );
    socket.once("error", onError);
    socket.once("connect", onConnect);
    socket.connect({ host, port });
  });
}

/**
 * Run `attemptFn` up to `attempts` times with the guide's linear backoff (or the policy's),
 * recording each failure. Only retryable failures (refused, timed out, …) are retried;
 * others end the loop at once. Used by the TCP client, the Unix client and TLS. Gives up
 * with UnavailableError (`attempts`, `cause` = the last failure).
 */
export async function withRetries<T>(
  label: string,
  options: RetryOptions,
  attemptFn: (attempt: number, record: (address: string, err: unknown) => void) => Promise<T>,
): Promise<{ value: T; attempts: AttemptRecord[] }> {
  const { timeoutMs: _perAddress, ...policy } = options;
  const { value, attempts } = await retry(policy, {
    label,
    attempt: ({ attempt, record }) => attemptFn(attempt, record),
    classify: (err, attempt) => {
      if (RETRYABLE.has(failureCode(err))) return "retry";
      // A final failure that is already one complete socklab sentence (a TLS handshake
      // failure: the address, the cause, the fix) stays as it is, with its own code.
      return attempt === 1 && err instanceof SocklabError && err.messageKey !== undefined ? "rethrow" : "stop";
    },
    giveUp: (records, lastError) => {
      const last = records[records.length - 1];
      const message =
        records.length > 1
          ? `${label}: server unavailable after ${records.length} attempts: ${last?.message ?? "failed"}`
          : `${label}: ${last?.message ?? "failed"}`;
      return new UnavailableError(message, records, {
        cause: lastError,
        address: label,
        messageKey: "unavailable",
        params: { address: label, attempts: records.length, code: last?.code ?? "ERROR", detail: last?.message ?? "failed" },
      });
    },
  });
  return { value, attempts };
}

/** Resolves a host name to its addresses (tests inject one; default: the system's, resolveAll). */
export type Resolver = (host: string, family: 0 | 4 | 6) => Promise<{ address: string; family: number }[]>;

/** One connection attempt of a happy-eyeballs race, as it starts and as it ends. */
export interface ConnectAttemptReport {
  address: string;
  state: "trying" | "connected" | "failed" | "cancelled";
  /** Milliseconds since the race began. */
  ms: number;
  /** The failure's code (state "failed"). */
  code?: string;
  message?: string;
}

export interface ConnectAnyOptions {
  family?: 0 | 4 | 6;
  /** Per-address connect timeout (default 10000). */
  timeoutMs?: number;
  signal?: AbortSignal;
  resolve?: Resolver;
  /** RFC 8305's Connection Attempt Delay: the head start of each attempt (default 250 ms). */
  attemptDelayMs?: number;
  /** Every attempt, as it starts and as it ends (the CLI shows them under -v). */
  onAttempt?: (report: ConnectAttemptReport) => void;
}

/**
 * RFC 8305 §4 order: families interleaved, starting with IPv6 when the host has any (the
 * resolver's order is kept within each family).
 */
export function interleaveFamilies<T extends { family: number }>(addresses: readonly T[]): T[] {
  const v6 = addresses.filter((a) => a.family === 6);
  const v4 = addresses.filter((a) => a.family !== 6);
  const out: T[] = [];
  for (let i = 0; i < Math.max(v6.length, v4.length); i++) {
    if (i < v6.length) out.push(v6[i]!);
    if (i < v4.length) out.push(v4[i]!);
  }
  return out;
}

/**
 * One attempt: resolve `host` and race its addresses as RFC 8305 (happy eyeballs) says: IPv6
 * first, families interleaved; each attempt gets a 250 ms head start, after which (or as soon
 * as it fails) the next one starts alongside; the first to connect wins and the others are
 * closed. Each failure is passed to `record`; when all fail, the last error is thrown.
 */
export async function connectAny(
  host: string,
  port: number,
  options: ConnectAnyOptions,
  record: (address: string, err: unknown) => void = () => {},
): Promise<{ socket: Socket; address: string }> {
  const label = formatAddress({ kind: "tcp", host, port });
  throwIfAborted(options.signal, label);
  let addresses: { address: string; family: number }[];
  try {
    addresses = interleaveFamilies(await (options.resolve ?? resolveAll)(host, options.family ?? 0));
  } catch (err) {
    const wrapped = wrapSystemError(err, label, { syscall: "getaddrinfo", connect: true });
    record(label, wrapped);
    throw wrapped;
  }
  if (addresses.length === 0) {
    const err = new ConnectError("ENOTFOUND", `${label}: no address for ${host}`, { address: label, syscall: "getaddrinfo" });
    record(label, err);
    throw err;
  }
  // An abort while the name was being resolved.
  throwIfAborted(options.signal, label);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const delayMs = options.attemptDelayMs ?? 250;
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  return new Promise((resolve, reject) => {
    const running = new Map<number, AbortController>();
    let next = 0;
    let failed = 0;
    let won = false;
    let lastErr: unknown;
    let timer: NodeJS.Timeout | undefined;
    const onOuterAbort = (): void => {
      for (const controller of running.values()) controller.abort(abortError(options.signal!));
    };
    options.signal?.addEventListener("abort", onOuterAbort, { once: true });
    const done = (): void => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onOuterAbort);
    };
    const startNext = (): void => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (won || next >= addresses.length) return;
      const index = next++;
      const { address } = addresses[index]!;
      const where = formatAddress({ kind: "tcp", host: address, port });
      const controller = new AbortController();
      running.set(index, controller);
      options.onAttempt?.({ address: where, state: "trying", ms: elapsed() });
      connectOnce(address, port, timeoutMs, controller.signal).then(
        (socket) => {
          running.delete(index);
          if (won) {
            socket.destroy();
            return;
          }
          won = true;
          done();
          options.onAttempt?.({ address: where, state: "connected", ms: elapsed() });
          for (const [other, c] of running) {
            const otherWhere = formatAddress({ kind: "tcp", host: addresses[other]!.address, port });
            options.onAttempt?.({ address: otherWhere, state: "cancelled", ms: elapsed() });
            c.abort();
          }
          running.clear();
          resolve({ socket, address: where });
        },
        (err: unknown) => {
          running.delete(index);
          if (won) return;
          if (options.signal?.aborted) {
            done();
            reject(err);
            return;
          }
          failed++;
          lastErr = err;
          record(where, err);
          options.onAttempt?.({ address: where, state: "failed", ms: elapsed(), code: failureCode(err), message: failureText(err) });
          if (failed === addresses.length) {
            done();
            reject(lastErr);
            return;
          }
          // A failure hands over at once: no need to wait out the head start.
          startNext();
        },
      );
      if (next < addresses.length) timer = setTimeout(startNext, delayMs);
    };
    startNext();
  });
}

/** Connect over TCP to the first address of `host` that answers, with retries. */
export async function connectTcp(options: TcpConnectOptions): Promise<TcpConnection> {
  const label = formatAddress({ kind: "tcp", host: options.host, port: options.port });
  const { value, attempts } = await withRetries(label, options, (_attempt, record) =>
    connectAny(options.host, options.port, options, record),
  );
  return { socket: value.socket, address: value.address, attempts };
}
