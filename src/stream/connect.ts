/**
 * Open a client stream to any stream address (tcp://, unix:, abstract:), one attempt.
 * Retries are the caller's, through withRetries, so a whole exchange can be retried.
 */
import { stat } from "node:fs/promises";
import { connect as netConnect, type Socket } from "node:net";
import { dirname } from "node:path";
import { abortReason } from "../abort.js";
import { formatAddress, type Address } from "../address.js";
import { SocklabError, TimeoutError } from "../errors.js";
import { connectAny, withRetries, type RetryOptions } from "../tcp/connect.js";

export interface OpenStreamOptions {
  family?: 0 | 4 | 6;
  /** Connect timeout (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface OpenedStream {
  socket: Socket;
  /** The address actually connected to. */
  address: string;
}

/** Hooks for address kinds that need the native addon (set by the Unix module). */
export const streamOpeners: {
  abstract?: (name: string, options: OpenStreamOptions) => Promise<Socket>;
} = {};

/** What a failed connect to a Unix socket file means, in socklab's words (undefined: the system's code says it). */
async function explainUnixError(path: string, err: NodeJS.ErrnoException): Promise<{ code: string; text: string } | undefined> {
  const code = err.code ?? "ERROR";
  if (code === "ENOENT") {
    const dir = dirname(path);
    const dirExists = await stat(dir).then((st) => st.isDirectory(), () => false);
    return dirExists
      ? { code, text: `no server is listening at ${path} (no such socket file)` }
      : { code: "ERR_NO_DIRECTORY", text: `no server is listening at ${path}: directory ${dir} does not exist` };
  }
  if (code === "ECONNREFUSED") {
    const isSocket = await stat(path).then((st) => st.isSocket(), () => true);
    return isSocket
      ? { code, text: `no server is listening at ${path} (stale socket file)` }
      : { code: "ENOTSOCK", text: `${path} is not a socket` };
  }
  if (code === "ENOTSOCK") return { code, text: `${path} is not a socket` };
  return undefined;
}

function connectUnixPath(path: string, options: OpenStreamOptions): Promise<Socket> {
  const where = formatAddress({ kind: "unix", path });
  return new Promise((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) return reject(abortReason(signal));
    const socket = netConnect({ path, allowHalfOpen: true });
    const finish = (err: Error | null): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.removeListener("error", onError);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        socket.removeListener("connect", onConnect);
        resolve(socket);
      }
    };
    const onConnect = (): void => finish(null);
    const onError = (err: NodeJS.ErrnoException): void => {
      void explainUnixError(path, err).then((why) => {
        finish(why ? new SocklabError(why.code, `${where}: ${why.text}`, { cause: err, address: where, path }) : err);
      });
    };
    const onAbort = (): void => finish(abortReason(signal!));
    const timeoutMs = options.timeoutMs ?? 10_000;
    const timer = setTimeout(() => finish(new TimeoutError(`${where}: connect timed out`, { address: where })), timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("error", onError);
    socket.once("connect", onConnect);
  });
}

/** One connection attempt to `address`; failures of each address tried go to `record`. */
export async function openStream(
  address: Address,
  options: OpenStreamOptions = {},
  record: (address: string, err: unknown) => void = () => {},
): Promise<OpenedStream> {
  const opened = await openRaw(address, options, record);
  // Whoever uses the socket sees its errors (write callbacks, read helpers); this listener
  // only keeps an error that arrives while nobody listens from crashing the process.
  // The read helpers then find it in socket.errored.
  opened.socket.on("error", () => {});
  return opened;
}

async function openRaw(
  address: Address,
  options: OpenStreamOptions,
  record: (address: string, err: unknown) => void,
): Promise<OpenedStream> {
  const where = formatAddress(address);
  switch (address.kind) {
    case "tcp":
      return connectAny(address.host, address.port, options, record);
    case "unix":
      try {
        return { socket: await connectUnixPath(address.path, options), address: where };
      } catch (err) {
        record(where, err);
        throw err;
      }
    case "abstract": {
      const opener = streamOpeners.abstract;
      if (!opener) throw new SocklabError("ERR_NOT_SUPPORTED", `${where}: abstract sockets are not supported on this platform`);
      try {
        return { socket: await opener(address.name, options), address: where };
      } catch (err) {
        record(where, err);
        throw err;
      }
    }
    default:
      throw new SocklabError("ERR_NOT_SUPPORTED", `${where} is not a stream address`);
  }
}

/** Connect to a stream address with retries (attempts, per-attempt timeout, backoff). */
export async function connectStream(address: Address, options: OpenStreamOptions & RetryOptions = {}): Promise<OpenedStream> {
  const { value } = await withRetries(formatAddress(address), options, (_attempt, record) => openStream(address, options, record));
  return value;
}
