/** unix:PATH stream sockets: stale-file handling, bound natively with its mode, peer-uid filter. */
import { stat } from "node:fs/promises";
import { connect as netConnect, type Socket } from "node:net";
import { dirname } from "node:path";
import { abortError } from "../abort.js";
import { formatAddress } from "../address.js";
import { startDeadline } from "../deadline.js";
import { ConnectError, SocklabError, TimeoutError, wrapSystemError } from "../errors.js";
import { prepareSocketPath } from "../unix/socket-path.js";
import { listenUnixStream } from "../unix/stream.js";
import type { ListenExtras, OpenStreamOptions, StreamTransport } from "./types.js";
import { uidFilter } from "./uid-filter.js";

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
    if (signal?.aborted) return reject(abortError(signal, where));
    const socket = netConnect({ path, allowHalfOpen: true });
    const finish = (err: Error | null): void => {
      deadline.clear();
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
        finish(
          why
            ? new ConnectError(why.code, `${where}: ${why.text}`, { cause: err, address: where, path })
            : wrapSystemError(err, where, { syscall: "connect", connect: true }),
        );
      });
    };
    const timeoutMs = options.timeoutMs ?? 10_000;
    const deadline = startDeadline(
      { ms: timeoutMs, signal, unref: true, timeoutError: () => new TimeoutError(`${where}: connect timed out`, { address: where }) },
      finish,
    );
    socket.once("error", onError);
    socket.once("connect", onConnect);
  });
}

export const unix: StreamTransport = {
  kind: "unix",
  style: "stream",
  async connect(address, options, record) {
    if (address.kind !== "unix") throw new SocklabError("ERR_NOT_SUPPORTED", "not a unix: address");
    const where = formatAddress(address);
    try {
      return { socket: await connectUnixPath(address.path, options), address: where };
    } catch (err) {
      record(where, err);
      throw err;
    }
  },
  async listen(address, settings) {
    if (address.kind !== "unix") throw new SocklabError("ERR_NOT_SUPPORTED", "not a unix: address");
    // Bound natively with fchmod first: the file never exists with looser permissions.
    // The filter first: nothing that can throw runs between the bind and the hand-over.
    const filter = uidFilter(settings.allowUids);
    await prepareSocketPath(address.path);
    const extras: ListenExtras = {
      listenFd: listenUnixStream({ path: address.path }, { mode: settings.mode ?? 0o600 }),
    };
    if (filter) extras.acceptFilter = filter;
    return extras;
  },
  describe: () => "Unix stream socket (path)",
};
