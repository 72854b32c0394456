/** `socklab serve SERVICE ADDRESS`: run one of the guides' servers until a signal. */
import { isIPv4 } from "node:net";
import { formatAddress, isStreamAddress, type Address } from "../../address.js";
import { SocklabError } from "../../errors.js";
import { type ServiceName, type ServiceSpec, SERVICES, streamHandlerFor, datagramResponderFor } from "../../services/registry.js";
import { DatagramServer } from "../../datagram/server.js";
import { PacedSink } from "../../paced-sink.js";
import { listenError, StreamServer } from "../../stream/server.js";
import { bindDatagram, listenExtras } from "../../transports/registry.js";
import { execBindRefusal } from "../../services/exec.js";
import { tlsOptions, tlsSettings } from "../tls-options.js";
import { address, count, decodeEscapes, exclusive, flag, noExtra, octalMode, parseCommand, positiveSeconds, str, usage } from "../args.js";
import { emit, emitRepeating, stderrGate } from "../output.js";
import { onForcedStop, untilSignal } from "../signals.js";
import {
  accessAcceptFilter,
  accessFromFlags,
  accessOptions,
  bothFilters,
  byteViewFromFlags,
  byteViewOptions,
  forcedStopRemoves,
  guardedEndpoint,
  viewedHandler,
} from "../server-options.js";

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
  ...accessOptions,
  ...byteViewOptions,
  trace: { type: "boolean" },
  ...tlsOptions,
} as const;

function parseUids(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const uids = raw.split(",").map((s) => s.trim());
  if (uids.some((u) => !/^\d+$/.test(u))) throw usage("usage.bad-uids", { option: "--allow-uid", value: raw });
  return uids.map(Number);
}

/** `serve exec ADDRESS -- CMD ARGS`: the command is everything after the first `--`, unparsed. */
function splitCommand(argv: string[]): { options: string[]; command: string[] | undefined } {
  const at = argv.indexOf("--");
  return at < 0 ? { options: argv, command: undefined } : { options: argv.slice(0, at), command: argv.slice(at + 1) };
}

export async function serve(argv: string[]): Promise<number | "help"> {
  const split = splitCommand(argv);
  const { values, positionals } = parseCommand(split.options, serveOptions);
  if (flag(values, "help")) return "help";
  const [serviceName, addressText, ...extra] = positionals;
  if (serviceName === undefined) throw usage("usage.missing-argument", { what: "SERVICE" });
  if (!(serviceName in SERVICES)) throw usage("usage.unknown-service", { name: serviceName, services: Object.keys(SERVICES).join(", ") });
  const service = serviceName as ServiceName;
  const where: Address = address(addressText);
  noExtra(extra);
  if (service === "exec" && (split.command === undefined || split.command.length === 0)) throw usage("usage.exec-needs-command");
  if (service !== "exec" && split.command !== undefined) throw usage("usage.command-only-exec", { service });
  exclusive(values, "dual-stack", "ipv6-only");

  const settings = {
    text: str(values, "text") === undefined ? undefined : decodeEscapes(str(values, "text")!),
    unknownReply: str(values, "err") === undefined ? undefined : withNewline(decodeEscapes(str(values, "err")!)),
    file: str(values, "file"),
    maxLineLength: count(values, "max-line", 1, 1 << 30),
    command: split.command,
  };
  const trace = flag(values, "trace");
  const mode = octalMode(values);

  const spec: ServiceSpec = SERVICES[service];
  const stream = isStreamAddress(where);
  const concurrent = flag(values, "concurrent") || spec.concurrent === true;
  const idleTimeoutMs = positiveSeconds(values, "idle-timeout");
  const maxTimeMs = positiveSeconds(values, "max-time");
  const maxConnections = count(values, "max-conns", 1, 1_000_000);
  if (maxConnections !== undefined && !concurrent) throw usage("usage.needs-concurrent", { option: "--max-conns" });
  if (mode !== undefined && where.kind !== "unix" && where.kind !== "unix-dgram") {
    throw usage("usage.unix-file-only", { option: "--mode", address: formatAddress(where) });
  }
  for (const name of ["dual-stack", "ipv6-only"]) {
    const notV6 = (where.kind !== "tcp" && where.kind !== "udp" && where.kind !== "tls") || isIPv4(where.host);
    if (flag(values, name) && notV6) throw usage("usage.ipv6-option", { option: `--${name}`, address: formatAddress(where) });
  }
  if (!stream) {
    for (const name of ["concurrent", "idle-timeout", "max-time", "max-conns", "allow-uid", "max-line", "dual-stack"]) {
      if (values[name] !== undefined) throw usage("usage.stream-only", { option: `--${name}` });
    }
  }
  if (stream ? !spec.stream : !spec.datagram) {
    throw usage(spec.stream ? "usage.service-needs-stream" : "usage.service-needs-datagram", { service, address: formatAddress(where) });
  }
  if (spec.unixOnly && (where.kind === "tcp" || where.kind === "tls")) throw usage("usage.service-needs-unix", { service });
  const access = await accessFromFlags(values, where);
  if (service === "exec" && execBindRefusal(where, access) !== undefined) {
    throw usage("usage.exec-needs-allow", { address: formatAddress(where) });
  }
  const view = byteViewFromFlags(values);

  // Handlers first: a signal right after the readiness line must still stop us cleanly.
  const stopSignal = untilSignal();
  let close: () => Promise<void>;
  let forgetFile = (): void => {};
  // A stream server's log (accept and close lines, 2 per connection) is paced as the
  // datagram server paces its own: the first few lines of every 10 ms go out at once, the
  // rest of a busy stretch together at its end; every event kept and in order. Unpaced,
  // each line went out in its own write(2), two per connection, a visible share of a short
  // connection's cost.
  const paced = new PacedSink(emit, 4);
  const unforced = onForcedStop(() => paced.flush());
  if (stream) {
    const allowUids = parseUids(str(values, "allow-uid"));
    if (allowUids && (where.kind === "tcp" || where.kind === "tls")) throw usage("usage.allow-uid-unix-only");
    const handler = await streamHandlerFor(service, settings).catch((err: unknown) => {
      throw fileError(err, settings.file);
    });
    const extras = await listenExtras(where, { allowUids, mode, tls: tlsSettings(values, "server", where) });
    // Bound natively just now: from here a forced stop must remove the file.
    forgetFile = forcedStopRemoves(where);
    const server = await StreamServer.listen({
      address: where,
      handler: viewedHandler(handler, view),
      concurrent,
      idleTimeoutMs,
      maxTimeMs,
      maxConnections,
      dualStack: flag(values, "ipv6-only") ? false : true,
      ipv6Only: flag(values, "ipv6-only"),
      onEvent: paced.event,
      trace,
      payload: view.payload,
      payloadGate: stderrGate,
      socketMode: mode,
      ...extras,
      acceptFilter: bothFilters(extras.acceptFilter, accessAcceptFilter(access)),
    });
    emit({ type: "listening", address: server.url, ...(server.fingerprint ? { fingerprint: server.fingerprint } : {}) });
    for (const note of server.notes) emit(note);
    close = () => server.close();
  } else {
    const endpoint = await bindDatagram(where, { reuseAddr: service === "announce", mode, ipv6Only: flag(values, "ipv6-only") }).catch(
      (err: unknown) => {
        throw listenError(err, where);
      },
    );
    forgetFile = forcedStopRemoves(where);
    const server = new DatagramServer({
      endpoint: guardedEndpoint(endpoint, access, view, emit),
      responder: datagramResponderFor(service, settings),
      onEvent: emitRepeating, // runs of equal datagram lines in one call
      trace,
    });
    emit({ type: "listening", address: server.url });
    close = () => server.close();
  }
  try {
    const signal = await stopSignal;
    paced.flush();
    emit({ type: "stopping", signal });
    await close();
    forgetFile();
    await view.close();
  } finally {
    // Nothing held back is lost, whatever ends the server.
    paced.flush();
    unforced();
  }
  return 0;
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
