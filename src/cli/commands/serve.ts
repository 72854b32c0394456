/** `socklab serve SERVICE ADDRESS`: run one of the guides' servers until a signal. */
import { isIPv4 } from "node:net";
import { formatAddress, isStreamAddress, type Address } from "../../address.js";
import { lstatSync, unlinkSync } from "node:fs";
import { SocklabError, UsageError } from "../../errors.js";
import { type ServiceName, type ServiceSpec, SERVICES, streamHandlerFor, datagramResponderFor } from "../../services/registry.js";
import { DatagramServer } from "../../datagram/server.js";
import { listenError, StreamServer } from "../../stream/server.js";
import { bindDatagram, listenExtras } from "../../transports/registry.js";
import { tlsOptions, tlsSettings } from "../tls-options.js";
import { address, count, decodeEscapes, flag, parseCommand, str } from "../args.js";
import { emit } from "../output.js";
import { onForcedStop, untilSignal } from "../signals.js";

export const serveOptions = {
  concurrent: { type: "boolean" },
  "idle-timeout": { type: "string" },
  "max-time": { type: "string" },
  "max-conns": { type: "string" },
  "dual-stack": { type: "boolean" },
  "ipv6-only": { type: "boolean" },
  text: { type: "string" },
  err: { type: "string" },
  file: { type: "string" },
  "max-line": { type: "string" },
  mode: { type: "string" },
  "allow-uid": { type: "string" },
  trace: { type: "boolean" },
  ...tlsOptions,
} as const;

/** Permission bits of a socket file: three octal digits (a leading 0 allowed); no setuid/setgid/sticky. */
function parseMode(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^0?[0-7]{3}$/.test(raw)) throw new UsageError(`--mode needs octal permission bits like 600 or 660, got "${raw}"`);
  return parseInt(raw, 8);
}

/** A number of seconds greater than zero → milliseconds (0 would mean "close at once"). */
function positiveSeconds(values: Record<string, unknown>, name: string): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  // Plain decimals only: Number() would also take 0x10, 1e3 and " 5 ".
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 365 * 86400) {
    throw new UsageError(`--${name} needs a number of seconds greater than 0 (e.g. 10 or 1.5), got "${raw}"`);
  }
  return Math.max(1, Math.round(n * 1000));
}

function parseUids(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const uids = raw.split(",").map((s) => s.trim());
  if (uids.some((u) => !/^\d+$/.test(u))) throw new UsageError(`--allow-uid needs numeric uids separated by commas, got "${raw}"`);
  return uids.map(Number);
}

export async function serve(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, serveOptions);
  if (flag(values, "help")) return "help";
  const [serviceName, addressText, ...extra] = positionals;
  if (serviceName === undefined) throw new UsageError("missing SERVICE");
  if (!(serviceName in SERVICES)) {
    throw new UsageError(`unknown service "${serviceName}" (services: ${Object.keys(SERVICES).join(", ")})`);
  }
  const service = serviceName as ServiceName;
  const where: Address = address(addressText);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (flag(values, "dual-stack") && flag(values, "ipv6-only")) throw new UsageError("--dual-stack and --ipv6-only exclude each other");

  const settings = {
    text: str(values, "text") === undefined ? undefined : decodeEscapes(str(values, "text")!),
    unknownReply: str(values, "err") === undefined ? undefined : withNewline(decodeEscapes(str(values, "err")!)),
    file: str(values, "file"),
    maxLineLength: count(values, "max-line", 1, 1 << 30),
  };
  const trace = flag(values, "trace");
  const mode = parseMode(str(values, "mode"));

  const spec: ServiceSpec = SERVICES[service];
  const stream = isStreamAddress(where);
  const idleTimeoutMs = positiveSeconds(values, "idle-timeout");
  const maxTimeMs = positiveSeconds(values, "max-time");
  const maxConnections = count(values, "max-conns", 1, 1_000_000);
  if (maxConnections !== undefined && !flag(values, "concurrent")) {
    throw new UsageError("--max-conns applies with --concurrent (a sequential server serves one client at a time)");
  }
  if (mode !== undefined && where.kind !== "unix" && where.kind !== "unix-dgram") {
    throw new UsageError(`--mode applies to Unix socket files (unix:PATH, unix-dgram:PATH), not to ${formatAddress(where)}`);
  }
  for (const name of ["dual-stack", "ipv6-only"]) {
    const notV6 = (where.kind !== "tcp" && where.kind !== "udp" && where.kind !== "tls") || isIPv4(where.host);
    if (flag(values, name) && notV6) throw new UsageError(`--${name} applies to IPv6 addresses (e.g. tcp://[::]:PORT), not to ${formatAddress(where)}`);
  }
  if (!stream) {
    for (const name of ["concurrent", "idle-timeout", "max-time", "max-conns", "allow-uid", "max-line", "dual-stack"]) {
      if (values[name] !== undefined) throw new UsageError(`--${name} applies to stream addresses only (tcp://, unix:, abstract:)`);
    }
  }
  if (stream ? !spec.stream : !spec.datagram) {
    throw new UsageError(
      `service ${service} does not run on ${formatAddress(where)} (it needs ${spec.stream ? "a stream address: tcp://, unix:, abstract:" : "a datagram address: udp://, unix-dgram:"})`,
    );
  }
  if (spec.unixOnly && (where.kind === "tcp" || where.kind === "tls")) throw new UsageError(`service ${service} needs a Unix address (unix:PATH or abstract:NAME)`);

  // Handlers first: a signal right after the readiness line must still stop us cleanly.
  const stopSignal = untilSignal();
  let close: () => Promise<void>;
  let forgetFile = (): void => {};
  if (stream) {
    const allowUids = parseUids(str(values, "allow-uid"));
    if (allowUids && (where.kind === "tcp" || where.kind === "tls")) throw new UsageError("--allow-uid works on Unix addresses only");
    const handler = await streamHandlerFor(service, settings).catch((err: unknown) => {
      throw fileError(err, settings.file);
    });
    const extras = await listenExtras(where, { allowUids, mode, tls: tlsSettings(values, "server", where) });
    // Bound natively just now: from here a forced stop must remove the file.
    forgetFile = forcedStopRemoves(where);
    const server = await StreamServer.listen({
      address: where,
      handler,
      concurrent: flag(values, "concurrent"),
      idleTimeoutMs,
      maxTimeMs,
      maxConnections,
      dualStack: flag(values, "ipv6-only") ? false : true,
      ipv6Only: flag(values, "ipv6-only"),
      onEvent: emit,
      trace,
      socketMode: mode,
      ...extras,
    });
    emit({ type: "listening", address: server.address, ...(server.fingerprint ? { fingerprint: server.fingerprint } : {}) });
    for (const note of server.notes) emit(note);
    close = () => server.close();
  } else {
    const endpoint = await bindDatagram(where, { reuseAddr: service === "announce", mode, ipv6Only: flag(values, "ipv6-only") }).catch(
      (err: unknown) => {
        throw listenError(err, where);
      },
    );
    forgetFile = forcedStopRemoves(where);
    const server = new DatagramServer({ endpoint, responder: datagramResponderFor(service, settings), onEvent: emit, trace });
    emit({ type: "listening", address: server.address });
    close = () => server.close();
  }
  const signal = await stopSignal;
  emit({ type: "stopping", signal });
  await close();
  forgetFile();
  return 0;
}

/**
 * If a second signal forces the exit, remove the socket file at `where` — if it is still
 * the one we just bound (same inode), never one another server put there later.
 */
function forcedStopRemoves(where: Address): () => void {
  if (where.kind !== "unix" && where.kind !== "unix-dgram") return () => {};
  const path = where.path;
  let ino: number;
  try {
    ino = lstatSync(path).ino;
  } catch {
    return () => {};
  }
  const unregister = onForcedStop(() => {
    if (lstatSync(path).ino === ino) unlinkSync(path);
  });
  return () => void unregister();
}

/** A service's file (--file) that can't be opened, as one line naming the option and the file. */
function fileError(err: unknown, file: string | undefined): unknown {
  const e = err as { code?: unknown; syscall?: unknown; path?: unknown; message?: unknown } | null;
  if (typeof e?.code !== "string" || e.syscall !== "open" || typeof e.path !== "string") return err;
  return new SocklabError(e.code, `--file ${e.path}: ${String(e.message)}`, {
    cause: err,
    messageKey: "cannot-open-file",
    params: { option: "--file", path: file ?? e.path, code: e.code, detail: String(e.message) },
  });
}

function withNewline(b: Buffer): string {
  const s = b.toString("utf8");
  return s.endsWith("\n") ? s : `${s}\n`;
}
