/**
 * tls://HOST:PORT: TCP with TLS on top (src/tls). Connect = TCP to each address of the host,
 * then one verified handshake; listen = a certificate setup (given, or ephemeral) that
 * StreamServer uses to accept TLS clients, served after their handshake.
 */
import { SocklabError } from "../errors.js";
import { openTls, prepareTlsClient, type TlsClientConfig, type TlsClientOptions } from "../tls/client.js";
import { createTlsServerOptions } from "../tls/server.js";
import type { StreamTransport } from "./types.js";

function isPrepared(tls: TlsClientOptions | TlsClientConfig | undefined): tls is TlsClientConfig {
  return tls !== undefined && "secureContext" in tls;
}

export const tls: StreamTransport = {
  kind: "tls",
  style: "stream",
  async connect(address, options, record) {
    if (address.kind !== "tls") throw new SocklabError("ERR_NOT_SUPPORTED", "not a tls:// address");
    const config = isPrepared(options.tls) ? options.tls : prepareTlsClient(options.tls ?? {});
    const { tls: _tls, ...tcpOptions } = options;
    const connection = await openTls(address, config, tcpOptions, record);
    return { socket: connection.socket, address: connection.address, tls: connection.tls };
  },
  async listen(address, settings) {
    if (address.kind !== "tls") throw new SocklabError("ERR_NOT_SUPPORTED", "not a tls:// address");
    const names = [...(settings.tls?.names ?? []), address.host];
    return { tls: await createTlsServerOptions({ ...settings.tls, names }) };
  },
  describe: () => "TLS over TCP",
};
