/** socklab's public library API. */
export * from "./address.js";
export * from "./errors.js";
export { delay } from "./abort.js";
export { startDeadline, withDeadline, type Deadline, type DeadlineOptions } from "./deadline.js";
export {
  retry,
  failureCode,
  failureText,
  type Backoff,
  type RetryPolicy,
  type RetryRun,
  type RetryDecision,
  type RetryResult,
  type AttemptContext,
} from "./retry.js";
export { LineSplitter, LineTooLongError, DEFAULT_MAX_LINE_LENGTH } from "./framing/line-splitter.js";
export {
  connectTcp,
  connectAny,
  connectOnce,
  resolveAll,
  withRetries,
  backoffDelay,
  type RetryOptions,
  type TcpConnectOptions,
  type TcpConnection,
} from "./tcp/connect.js";
export { connectStream, openStream, type OpenStreamOptions, type OpenedStream } from "./stream/connect.js";
export { sendAll, halfClose, readUntilClose, recvAll, readExactly, readLines, readChunk, type ReadOptions } from "./stream/io.js";
export {
  StreamServer,
  type StreamServerOptions,
  type StreamHandler,
  type ConnectionContext,
  type AcceptFilter,
} from "./stream/server.js";
export { bindUdp, type DatagramEndpoint, type UdpPeer, type UdpBindOptions } from "./datagram/endpoint.js";
export { DatagramServer, type DatagramServerOptions } from "./datagram/server.js";
export { openDatagramClient, bindDatagram, listenExtras, transportFor, TRANSPORTS } from "./transports/registry.js";
export type { Transport, StreamTransport, DatagramTransport, ListenSettings, ListenExtras } from "./transports/types.js";
export { DatagramClientBase, type DatagramReply, type DatagramRequestOptions, type DatagramClientOptions } from "./datagram/client.js";
export { UdpClient, udpRequest, type UdpRequestOptions, type UdpReply } from "./udp/request.js";
export { discover, type DiscoverOptions, type DiscoveredPeer } from "./udp/discover.js";
export { streamEcho, datagramEcho } from "./services/echo.js";
export { lineService, LINE_TOO_LONG_REPLY, type LineResponder, type LineRules, type LineServiceOptions } from "./services/line-service.js";
export { lineEcho, lineEchoReply } from "./services/line-echo.js";
export { commandService, commandReply, GUIDE1_UNKNOWN_REPLY, GUIDE2_UNKNOWN_REPLY } from "./services/cmd.js";
export { datagramTime } from "./services/time.js";
export { greetService, DEFAULT_GREETING } from "./services/greet.js";
export { announceService, DISCOVER_MESSAGE } from "./services/announce.js";
export { clockTime, clockDateTime } from "./services/clock.js";
export type { DatagramResponder } from "./services/types.js";
export * from "./unix/index.js";
export { UnixDatagramClient, bindUnixDatagram } from "./unix/datagram-client.js";
export { peercredService, fdService } from "./services/unix-services.js";

// Events: every library object reports through `onEvent` and the `socklab:event` channel.
export {
  eventChannel,
  EVENT_TYPES,
  errorEvent,
  noEvents,
  type SocklabEvent,
  type EventType,
  type EventOf,
  type EventSink,
  type RefusalReason,
  type ListenNote,
  type PortState,
  type RelayEndReason,
  type TlsVerifiedBy,
} from "./events.js";

// Seeing the bytes: hexdump, Python's bytes literal, CRLF, and a tap on any socket.
export { Hexdumper, hexdumpLines, printableColumn, type Direction } from "./format/hexdump.js";
export { pythonBytesRepr, parsePythonBytes, showLine } from "./format/python-bytes.js";
export { crlf, CrlfTransform, lfToCrlf } from "./format/crlf.js";
export { tap, byteViewSink, allSinks, type TapSink, type ByteViewOptions } from "./format/tap.js";
// The bytes as event fields: sent/received events with offset and hex/python/base64 (docs/EVENTS.md).
export {
  payloadEvents,
  payloadEncodings,
  encodePayload,
  eventPayload,
  PAYLOAD_ENCODINGS,
  type PayloadEncoding,
  type PayloadOption,
  type PayloadEventsOptions,
} from "./format/payload.js";

// Access lists (CIDR, IPv4 and IPv6 as one space).
export {
  AccessList,
  accessListFrom,
  accessFilter,
  parseCidr,
  parseCidrList,
  parseCidrFile,
  readCidrFile,
  cidrContains,
  ipValue,
  type CidrRule,
  type AccessDecision,
  type AccessListOptions,
} from "./net/cidr.js";

// Scan (nc -z) and relay (socat's everyday job).
export {
  scanPorts,
  probePort,
  parsePorts,
  resolveScanHost,
  PortListError,
  DEFAULT_SCAN_CONCURRENCY,
  DEFAULT_SCAN_TIMEOUT_MS,
  type ScanOptions,
  type ScanReport,
  type PortResult,
} from "./scan.js";
export { startRelay, StreamRelay, UdpRelay, DEFAULT_UDP_MAPPING_IDLE_MS, type Relay, type RelayOptions } from "./relay.js";

// Many-client services (ncat --chat, --broker, -e).
export { chatService, chatLine, type ChatOptions } from "./services/chat.js";
export { brokerService, type BrokerOptions } from "./services/broker.js";
export { execService, commandLine, isLoopbackHost, execBindRefusal, type ExecOptions } from "./services/exec.js";

// TLS: a verifying client, server options, pins, ephemeral certificates.
export * from "./tls/index.js";
