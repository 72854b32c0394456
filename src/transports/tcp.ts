/** tcp://HOST:PORT: every address of the host in turn; StreamServer binds it itself. */
import { connectAny } from "../tcp/connect.js";
import { SocklabError } from "../errors.js";
import type { StreamTransport } from "./types.js";

export const tcp: StreamTransport = {
  kind: "tcp",
  style: "stream",
  async connect(address, options, record) {
    if (address.kind !== "tcp") throw new SocklabError("ERR_NOT_SUPPORTED", "not a tcp:// address");
    return connectAny(address.host, address.port, options, record);
  },
  async listen() {
    return {};
  },
  describe: () => "TCP",
};
