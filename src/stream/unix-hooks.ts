/**
 * What the Unix-domain part adds to the generic runners: stale-socket handling for paths,
 * abstract listeners, peer-uid filtering. Until the native addon is wired in, abstract
 * addresses report "not supported".
 */
import type { Address } from "../address.js";
import { NotSupportedError } from "../errors.js";
import { listenError, type StreamServerOptions } from "./server.js";

export interface UnixSupport {
  serverExtras(address: Address, allowUids: number[] | undefined, mode?: number): Promise<Partial<StreamServerOptions>>;
}

const fallback: UnixSupport = {
  async serverExtras(address, allowUids) {
    if (address.kind === "abstract") throw new NotSupportedError("abstract sockets are not supported on this platform");
    if (allowUids) throw new NotSupportedError("--allow-uid is not supported on this platform");
    return {};
  },
};

let current: UnixSupport = fallback;

/** The registered support; its bind errors come out as one clear line (see listenError). */
export function unixSupport(): UnixSupport {
  return {
    serverExtras: (address, allowUids, mode) =>
      current.serverExtras(address, allowUids, mode).catch((err: unknown) => {
        throw listenError(err, address);
      }),
  };
}

export function setUnixSupport(support: UnixSupport): void {
  current = support;
}
