/**
 * Socket-file hygiene for servers bound to a path: never replace something that is not
 * a socket, never steal a live server's path, do remove a stale socket left by a crash.
 */
import { lstat, unlink } from "node:fs/promises";
import { constants as osConstants } from "node:os";
import { errnoError, SocklabError } from "../errors.js";
import { ADDR_PATH, nativeBinding, SOCK_DGRAM, SOCK_STREAM, type NativeBinding } from "./native.js";

const { EAGAIN, ECONNREFUSED, EPROTOTYPE } = osConstants.errno;

/** connect() a fresh socket of `type` to `path` and close it; the -errno (0: someone answered). */
function probe(native: NativeBinding, path: string, type: number): number {
  const fd = native.socket(type);
  if (fd < 0) throw errnoError(fd, "socket", { path });
  const r = native.connect(fd, ADDR_PATH, Buffer.from(path));
  native.close(fd);
  return r;
}

/**
 * Make `path` free for bind(): nothing there is fine; a stale socket (nobody listening,
 * stream or datagram) is removed; a live one is EADDRINUSE; anything else is EEXIST.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  let stat;
  try {
    stat = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  if (!stat.isSocket()) {
    throw new SocklabError("EEXIST", `${path} exists and is not a socket; refusing to replace it`, { path });
  }
  const native = nativeBinding("probing a Unix socket path");
  let r = probe(native, path, SOCK_STREAM);
  // A datagram socket answers a stream connect with EPROTOTYPE: probe it as one.
  if (r === -EPROTOTYPE) r = probe(native, path, SOCK_DGRAM);
  if (r === 0 || r === -EAGAIN) {
    throw new SocklabError("EADDRINUSE", `${path} is already in use (a server is listening there)`, {
      path,
      syscall: "connect",
    });
  }
  if (r !== -ECONNREFUSED) throw errnoError(r, "connect", { path });
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
