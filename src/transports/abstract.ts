/**
 * abstract:NAME stream sockets (Linux abstract namespace, through the native addon).
 * StreamServer binds the name itself (exact length, src/unix/stream.ts), as for any library
 * user; listening here only adds the peer-uid filter.
 */
import { formatAddress } from "../address.js";
import { SocklabError } from "../errors.js";
import { connectAbstractStream } from "../unix/stream.js";
import type { ListenExtras, StreamTransport } from "./types.js";
import { uidFilter } from "./uid-filter.js";

export const abstract: StreamTransport = {
  kind: "abstract",
  style: "stream",
  async connect(address, options, record) {
    if (address.kind !== "abstract") throw new SocklabError("ERR_NOT_SUPPORTED", "not an abstract: address");
    const where = formatAddress(address);
    try {
      const socket = await connectAbstractStream(address.name, {
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
        allowHalfOpen: true,
      });
      return { socket, address: where };
    } catch (err) {
      record(where, err);
      throw err;
    }
  },
  async listen(address, settings) {
    if (address.kind !== "abstract") throw new SocklabError("ERR_NOT_SUPPORTED", "not an abstract: address");
    const extras: ListenExtras = {};
    const filter = uidFilter(settings.allowUids);
    if (filter) extras.acceptFilter = filter;
    return extras;
  },
  describe: () => "Unix stream socket (abstract name)",
};
