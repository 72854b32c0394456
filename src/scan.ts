/**
 * TCP connect scan (`nc -z`): try to connect to each port of one host, with bounded
 * concurrency and a timeout per port, and report each result. A connection that succeeds is
 * closed at once; nothing is sent. Results come out in the order the ports were given (a
 * slow port holds back the report of later ones, never their probing), so the output reads
 * like nc's, which scans one port after another.
 *
 * Only connect() is used: no raw sockets, no privileges, nothing a firewall log would not
 * show as an ordinary connection attempt. UDP scanning is out of scope.
 */
import { lookup } from "node:dns/promises";
import { isIP, Socket } from "node:net";
import { abortError } from "./abort.js";
import { formatAddress } from "./address.js";
import { startDeadline, type Deadline } from "./deadline.js";
import { SocklabError } from "./errors.js";
import { publishing, type EventSink, type PortState } from "./events.js";

export const DEFAULT_SCAN_CONCURRENCY = 100;
export const DEFAULT_SCAN_TIMEOUT_MS = 1000;
/** More than every port once is a mistake in the list, not a scan. */
const MAX_PORTS = 65535;

export class PortListError extends SocklabError {
  constructor(message: string) {
    super("ERR_BAD_PORTS", message);
  }
}

/**
 * Parse a port list: numbers and ranges separated by commas (`22,80,8000-8100`). Order is
 * kept, duplicates dropped. Ports go from 1 to 65535 (0 is not a port one can connect to).
 */
export function parsePorts(text: string): number[] {
  const seen = new Set<number>();
  const ports: number[] = [];
  const check = (raw: string, whole: string): number => {
    if (!/^\d{1,5}$/.test(raw)) throw new PortListError(`"${whole}" is not a port or a range (examples: 22, 80,443, 8000-8100)`);
    const port = Number(raw);
    if (port < 1 || port > 65535) throw new PortListError(`port ${port} is out of range (1 to 65535)`);
    return port;
  };
  if (text.trim() === "") throw new PortListError("missing ports (examples: 22, 80,443, 8000-8100)");
  for (const item of text.split(",")) {
    const part = item.trim();
    const range = part.match(/^(\d+)\s*-\s*(\d+)$/);
    const [from, to] = range ? [check(range[1]!, part), check(range[2]!, part)] : [check(part, part), check(part, part)];
    if (from > to) throw new PortListError(`range ${part} goes backwards (write ${to}-${from})`);
    for (let port = from; port <= to; port++) {
      if (!seen.has(port)) {
        seen.add(port);
        ports.push(port);
      }
    }
    if (ports.length > MAX_PORTS) throw new PortListError(`more than ${MAX_PORTS} ports`);
  }
  return ports;
}

export interface PortResult {
  port: number;
  /** `tcp://HOST:PORT` as probed (the resolved address). */
  address: string;
  state: PortState;
  /** Time the probe took (ms). */
  ms: number;
  /** Error code for `closed` (ECONNREFUSED), `filtered` (ETIMEDOUT) and `error`. */
  code?: string;
}

export interface ScanOptions {
  host: string;
  ports: readonly number[];
  /** Probes in flight at once (default 100). */
  concurrency?: number;
  /** Give up on one port after this long (default 1000 ms): reported as `filtered`. */
  timeoutMs?: number;
  /** 4 or 6: only that family when resolving a name. */
  family?: 0 | 4 | 6;
  signal?: AbortSignal;
  /** Each result, in port-list order, as soon as it and all before it are known. */
  onResult?: (result: PortResult) => void;
  /** `port` events (every port) and one `scan-done`. */
  onEvent?: EventSink;
}

export interface ScanReport {
  /** The address scanned (resolved), e.g. `127.0.0.1`. */
  host: string;
  results: PortResult[];
  open: number[];
  seconds: number;
}

/** A probe's deadline passing: the port is filtered (not an error). */
const FILTERED = new Error("filtered");

/** One connect() probe. Never rejects: every outcome is a state. */
export function probePort(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<PortResult> {
  const address = formatAddress({ kind: "tcp", host, port });
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = new Socket();
    let done = false;
    const finish = (state: PortState, code?: string): void => {
      if (done) return;
      done = true;
      deadline?.clear();
      socket.destroy();
      const result: PortResult = { port, address, state, ms: Math.round(performance.now() - started) };
      if (code !== undefined) result.code = code;
      resolve(result);
    };
    // Time up: filtered (no answer at all); the scan's signal: an error state with its code.
    let deadline: Deadline | undefined;
    deadline = startDeadline({ ms: timeoutMs, signal, unref: true, timeoutError: () => FILTERED }, (err: Error) =>
      err === FILTERED ? finish("filtered", "ETIMEDOUT") : finish("error", (err as { code?: string }).code ?? "ABORT_ERR"),
    );
    if (done) return;
    socket.once("connect", () => finish("open"));
    socket.once("error", (err: NodeJS.ErrnoException) => {
      const code = err.code ?? "ERROR";
      finish(code === "ECONNREFUSED" ? "closed" : code === "ETIMEDOUT" ? "filtered" : "error", code);
    });
    socket.connect({ host, port, family: isIP(host) });
  });
}

/** Resolve `host` once (a literal is used as is); the first address of the wanted family. */
export async function resolveScanHost(host: string, family: 0 | 4 | 6 = 0): Promise<string> {
  const literal = isIP(host);
  if (literal !== 0) {
    if (family !== 0 && family !== literal) {
      throw new SocklabError("EAFNOSUPPORT", `${host} is an IPv${literal} address but -${family} was given`);
    }
    return host;
  }
  try {
    const [first] = await lookup(host, { all: true, family, verbatim: true });
    if (!first) throw Object.assign(new Error(`no address for ${host}`), { code: "ENOTFOUND" });
    return first.address;
  } catch (err) {
    const code = (err as { code?: string }).code ?? "ENOTFOUND";
    throw new SocklabError(code, `${host}: ${(err as Error).message}`, { cause: err, address: host });
  }
}

/** Scan `ports` of `host`. Resolves when every port has an answer (or its timeout). */
export async function scanPorts(options: ScanOptions): Promise<ScanReport> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_SCAN_CONCURRENCY));
  const timeoutMs = options.timeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS;
  const emit = publishing(options.onEvent);
  const started = performance.now();
  const host = await resolveScanHost(options.host, options.family ?? 0);
  const ports = options.ports;
  const results: (PortResult | undefined)[] = new Array(ports.length);
  let next = 0;
  let released = 0;

  // Report in list order: release every finished result up to the first unfinished one.
  const release = (): void => {
    while (released < ports.length && results[released] !== undefined) {
      const result = results[released++]!;
      const event: Parameters<EventSink>[0] = { type: "port", address: result.address, state: result.state, ms: result.ms };
      if (result.code !== undefined && result.state !== "open") event.code = result.code;
      emit(event);
      options.onResult?.(result);
    }
  };
  const worker = async (): Promise<void> => {
    while (next < ports.length && !options.signal?.aborted) {
      const index = next++;
      results[index] = await probePort(host, ports[index]!, timeoutMs, options.signal);
      release();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ports.length) }, worker));
  if (options.signal?.aborted) throw abortError(options.signal);
  const done = results as PortResult[];
  const open = done.filter((r) => r.state === "open").map((r) => r.port);
  const seconds = (performance.now() - started) / 1000;
  emit({ type: "scan-done", target: host, scanned: done.length, open: open.length, seconds });
  return { host, results: done, open, seconds };
}
