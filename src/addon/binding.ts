/**
 * The one module that loads the C addon (build/Release/socklab_native.node).
 *
 * Loading is lazy and never throws at import: on a platform without the addon (not
 * Linux, or not built) every feature that needs it throws NotSupportedError when used.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NotSupportedError } from "../errors.js";

/** An opaque uv_poll_t owned by the addon. */
export interface NativePoller {
  readonly __nativePoller: unique symbol;
}

/** Address kinds, as native/common.h numbers them. */
export const ADDR_NONE = -1;
export const ADDR_PATH = 0;
export const ADDR_ABSTRACT = 1;
export const ADDR_AUTOBIND = 2;

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;

/** Every function returns its syscall's value or -errno (see native/*.c). */
export interface NativeBinding {
  socket(type: number): number;
  bind(fd: number, kind: number, name: Buffer | null): number;
  connect(fd: number, kind: number, name: Buffer | null): number;
  listen(fd: number, backlog: number): number;
  close(fd: number): number;
  dup(fd: number): number;
  fchmod(fd: number, mode: number): number;
  getsockname(fd: number, address: Buffer): number;
  getsockerror(fd: number): number;
  getsocktype(fd: number): number;
  sendto(fd: number, data: Buffer, kind: number, name: Buffer | null): number;
  /** out[0] = sender address length, out[1] = msg_flags; returns the datagram's real size. */
  recvfrom(fd: number, data: Buffer, address: Buffer, out: Int32Array): number;
  /** out[0..2] = pid, uid, gid. */
  peercred(fd: number, out: Int32Array): number;
  sendfds(fd: number, data: Buffer, fds: Int32Array): number;
  /** out[0] = descriptors stored, out[1] = msg_flags, out[2] = extra descriptors closed. */
  recvfds(fd: number, data: Buffer, fds: Int32Array, out: Int32Array): number;
  pollerCreate(
    fd: number,
    callback: (status: number, events: number) => void,
    ownsFd: boolean,
  ): NativePoller | number;
  pollerStart(poller: NativePoller, events: number): number;
  pollerClose(poller: NativePoller): number;
  constants: {
    UV_READABLE: number;
    UV_WRITABLE: number;
    UV_DISCONNECT: number;
    MSG_TRUNC: number;
    MSG_CTRUNC: number;
    SUN_PATH_MAX: number;
  };
}

let binding: NativeBinding | undefined;
let failure: string | undefined;

/** The package root: compiled code lives in dist/src/unix/, sources in src/unix/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "src"))) return dir;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
}

function load(): NativeBinding | undefined {
  if (binding !== undefined || failure !== undefined) return binding;
  if (process.platform !== "linux") {
    failure = `needs Linux (this is ${process.platform})`;
    return undefined;
  }
  // SOCKLAB_NATIVE_ADDON: another build of the same addon (the sanitizer test's).
  const file = process.env.SOCKLAB_NATIVE_ADDON || join(packageRoot(), "build", "Release", "socklab_native.node");
  try {
    const required = createRequire(import.meta.url)(file) as Partial<NativeBinding>;
    if (typeof required.socket !== "function") throw new Error("the addon exports nothing");
    binding = required as NativeBinding;
  } catch (err) {
    failure = `the native addon ${file} could not be loaded (${(err as Error).message}); run npm install`;
  }
  return binding;
}

/** True when the addon is loaded and usable on this platform. */
export function isNativeAvailable(): boolean {
  return load() !== undefined;
}

/** The addon, or NotSupportedError naming `feature`. */
export function nativeBinding(feature: string): NativeBinding {
  const loaded = load();
  if (loaded === undefined) {
    throw new NotSupportedError(`${feature} is not supported on this platform: ${failure}`);
  }
  return loaded;
}
