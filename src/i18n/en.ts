/** English messages. Lines a script may have matched before --json existed keep their form. */
import { CAUSES } from "../errors.js";
import { ADDRESS_FORMS } from "../address.js";
import type { Catalog } from "./catalog.js";
import { helpEn } from "./help-en.js";

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/** Descriptor kinds (descriptorKind), with their article. */
const KINDS: Record<string, string> = {
  file: "a regular file",
  directory: "a directory",
  socket: "a socket",
  pipe: "a pipe",
  "char-device": "a character device",
  "block-device": "a block device",
  symlink: "a symbolic link",
  unknown: "a descriptor of unknown kind",
};

/** Descriptor numbers: "fd 5", "fds 5, 6, 7", a long list cut in the middle ("fds 5, 6, 7, …, 20"). */
function fdNumbers(fds: readonly number[]): string {
  if (fds.length === 1) return `fd ${fds[0]}`;
  const shown = fds.length > 6 ? [...fds.slice(0, 3), "…", fds[fds.length - 1]] : fds;
  return `fds ${shown.join(", ")}`;
}

/** Bytes for people: 512 B, 1.5 KiB, 3.2 MiB, 1.0 GiB. */
function humanBytes(n: number, comma = false): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const text = u === 0 ? String(v) : v.toFixed(1);
  return `${comma ? text.replace(".", ",") : text} ${units[u]}`;
}

/** Seconds as M:SS (or H:MM:SS). */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export const en: Catalog = {
  events: {
    listening: (e) => `listening ${e.address}${e.fingerprint ? ` ${e.fingerprint}` : ""}`,
    note: (e) =>
      e.note === "dual-stack"
        ? "dual-stack: IPv4 clients are seen as ::ffff:a.b.c.d"
        : e.note === "scan-tls-plain"
          ? "tls://: ports are probed with a plain TCP connect (no TLS handshake); open means it accepts TCP"
          : e.note === "descriptor-limit"
          ? `warning: --max-conns ${e.maxConnections} is more than the descriptor limit allows (ulimit -n ${e.limit}); past about ${(e.limit ?? 0) - 64} clients accept() fails and the system closes them; raise ulimit -n`
          : `dual-stack not available here; listening on ${e.address ?? "0.0.0.0"} too`,
    queued: (e) => `queued ${e.peer} (waits its turn, ${e.waiting} waiting)`,
    accepted: (e) => `accept ${e.peer}`,
    refused: (e) => {
      switch (e.reason) {
        case "uid-not-allowed":
          return `refused ${e.peer} uid ${e.uid} (pid ${e.pid}) is not allowed`;
        case "credentials-unavailable":
          return `refused ${e.peer} peer credentials unavailable${e.detail ? `: ${e.detail}` : ""}`;
        case "max-conns":
          return `refused ${e.peer} too many connections${e.detail ? ` (${e.detail})` : ""}`;
        case "address-not-allowed":
          return `refused ${e.peer} address not allowed${e.detail ? ` (${e.detail})` : ""}`;
        case "server-stopping":
          return `refused ${e.peer} the server is stopping`;
      }
    },
    connected: (e) => `connected to ${e.address}`,
    "connect-attempt": (e, t) => {
      switch (e.state) {
        case "trying":
          return `trying ${e.address} (at ${e.ms} ms)`;
        case "connected":
          return `connected to ${e.address} after ${e.ms} ms`;
        case "failed":
          return `attempt ${e.address} failed: ${(e.code && t.cause(e.code)) ?? e.message ?? e.code} (at ${e.ms} ms)`;
        case "cancelled":
          return `attempt ${e.address} cancelled: another address connected first (at ${e.ms} ms)`;
      }
    },
    progress: (e) => {
      const rate = e.seconds > 0 ? (e.sent + e.received) / e.seconds : 0;
      let line = `sent ${humanBytes(e.sent, false)}, received ${humanBytes(e.received, false)}, ${humanBytes(Math.round(rate), false)}/s, ${clock(e.seconds)}`;
      if (e.size !== undefined && e.size > 0) {
        const pct = Math.min(100, Math.floor((e.sent / e.size) * 100));
        const sendRate = e.seconds > 0 ? e.sent / e.seconds : 0;
        const left = sendRate > 0 ? clock((e.size - e.sent) / sendRate) : "?";
        line += `, ${pct}% of ${humanBytes(e.size, false)}, ${left} left`;
      }
      return line;
    },
    "attempt-failed": (e, t) => {
      const why = t.cause(e.code) ?? e.message;
      if (e.datagram) {
        const what = e.code === "ETIMEDOUT" ? `no reply within ${t.seconds(e.timeoutMs ?? 0)}s` : why;
        return `attempt ${e.attempt}/${e.total}: ${what}${e.attempt < e.total ? "; retransmitting" : ""}`;
      }
      // With one attempt the final error line says it all.
      if (e.total === 1) return "";
      const next = e.attempt < e.total ? `; retrying in ${(e.delayMs / 1000).toFixed(1)}s` : "";
      return `attempt ${e.attempt}/${e.total} failed: ${e.address}: ${e.message}${next}`;
    },
    sent: (e) => `send ${e.peer} ${e.bytes} bytes`,
    received: (e) => `recv ${e.peer} ${e.bytes} bytes`,
    eof: (e) => `recv ${e.peer} EOF (peer closed its write side)`,
    "half-closed": (e) => `shutdown ${e.peer} (write side closed, FIN sent)`,
    closed: (e) => `close ${e.peer} received ${e.received} sent ${e.sent}`,
    "idle-timeout": (e) => `idle-timeout ${e.peer} after ${e.seconds}s`,
    "max-time": (e) => `max-time ${e.peer} after ${e.seconds}s, closing`,
    "line-too-long": (e) => `line-too-long ${e.peer} (over ${e.limit} bytes), closing`,
    "datagram-in": (e) => `datagram ${e.peer} ${e.bytes} bytes`,
    "datagram-out": (e) => `sendto ${e.peer} ${e.bytes} bytes`,
    reply: (e) => `reply from ${e.peer} ${e.bytes} bytes`,
    "peer-credentials": (e) => `peercred ${e.peer} pid=${e.pid} uid=${e.uid} gid=${e.gid}`,
    "descriptor-sent": (e) => `sent-fd ${e.peer} ${e.file} fd=${e.fd}`,
    "descriptors-received": (e) =>
      `received ${e.count} ${plural(e.count, "descriptor", "descriptors")}${e.fds.length > 0 ? ` (${fdNumbers(e.fds)} here)` : ""} with payload ${JSON.stringify(e.payload)}` +
      (e.kind === undefined
        ? ""
        : `: ${KINDS[e.kind] ?? `a ${e.kind}`}; ` +
          (e.printedBytes === undefined
            ? "closed it unread (only a regular file is printed)"
            : `printed ${e.printedBytes} ${plural(e.printedBytes, "byte", "bytes")} of the file through it, then closed it`)) +
      (e.othersClosed ? `; closed the other ${e.othersClosed} unread` : "") +
      (e.truncated ? "; the message was truncated (descriptors beyond room were closed unread)" : ""),
    summary: (e) => {
      const rate = e.seconds > 0 ? e.received / (1024 * 1024) / e.seconds : 0;
      return `received ${e.received} bytes in ${e.seconds.toFixed(3)} s (${rate.toFixed(1)} MiB/s); sent ${e.sent} bytes`;
    },
    dropped: (e) =>
      e.what === "log-lines"
        ? `(${e.count} log lines dropped: standard error was not keeping up)`
        : `standard output is not keeping up: ${e.count} ${plural(e.count, "datagram", "datagrams")} dropped so far`,
    error: (e) => {
      if (e.during === "send" && e.peer) return `error sending to ${e.peer}: ${e.message}`;
      return e.peer ? `error ${e.peer}: ${e.message}` : `error: ${e.message}`;
    },
    stopping: (e) => (e.forced ? `stopping now (${e.signal} again): socket files removed, exit without waiting` : `stopping (${e.signal})`),
    port: (e, t) => {
      const why = e.state === "error" ? `: ${t.cause(e.code) ?? e.code ?? "error"}` : "";
      const state = { open: "open", closed: "closed", filtered: "no answer (filtered?)", error: "error" }[e.state];
      return `port ${e.address} ${state}${why} (${e.ms} ms)`;
    },
    "scan-done": (e) =>
      `scanned ${e.scanned} ${plural(e.scanned, "port", "ports")} of ${e.target} in ${e.seconds.toFixed(2)} s: ${e.open} open`,
    "relay-open": (e) => `relay ${e.peer} -> ${e.upstream}`,
    "relay-close": (e) => {
      const why = { done: "", "idle-timeout": " (idle timeout)", error: " (error)", stopping: " (stopping)" }[e.reason];
      return `relay-close ${e.peer} -> ${e.upstream} up ${e.up} down ${e.down} bytes in ${e.seconds.toFixed(3)} s${why}`;
    },
    "upstream-failed": (e, t) => `relay ${e.peer}: cannot reach ${e.upstream}: ${t.cause(e.code) ?? e.message}; closing the client`,
    "client-dropped": (e) => `dropped ${e.peer}: not reading (${e.buffered} bytes waiting, limit ${e.limit})`,
    "exec-start": (e) => `exec ${e.peer} pid ${e.pid}: ${e.command}`,
    "exec-exit": (e) => `exec-exit ${e.peer} pid ${e.pid} ${e.signal ? `killed by ${e.signal}` : `status ${e.code}`}`,
    "tls-established": (e) =>
      `tls ${e.peer} ${e.protocol} ${e.cipher}${e.alpn ? ` alpn=${e.alpn}` : ""}` +
      `${e.subject ? ` subject="${e.subject}"` : ""}${e.fingerprint ? ` ${e.fingerprint}` : ""}` +
      (e.verified ? ` verified (${e.verifiedBy === "pin" ? "pin" : e.verifiedBy === "client-ca" ? "client CA" : "CA"})` : " not verified"),
    "tls-unverified": (e) =>
      `warning: ${e.peer} is NOT verified (--insecure): its identity was not checked${e.reason ? ` (${e.reason})` : ""}`,
  },
  causes: {
    // The English explanations live with the error classes (library users see them too).
    ...CAUSES,
    // TLS alerts that reach a reader after the handshake (TLS 1.3 checks client certificates then).
    ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "the server requires a client certificate (use --cert and --key)",
    ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "the peer does not trust our certificate (unknown CA)",
    ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "the peer rejected our certificate",
  },
  errors: {
    // Addresses (src/address.ts keeps the same English sentences as `message`).
    "address.port-not-number": (p) => badAddress(p, `port "${p.port}" is not a number from 0 to 65535`),
    "address.port-out-of-range": (p) => badAddress(p, `port ${p.port} is out of range (0 to 65535)`),
    "address.missing-bracket": (p) => badAddress(p, "missing ] after the IPv6 address"),
    "address.not-ipv6": (p) => badAddress(p, `"${p.host}" is not an IPv6 address`),
    "address.missing-port-after-ipv6": (p) => badAddress(p, "missing :PORT after the IPv6 address"),
    "address.missing-colon-port": (p) => badAddress(p, "missing :PORT"),
    "address.ipv6-needs-brackets": (p) => badAddress(p, "IPv6 addresses go in brackets, e.g. tcp://[::1]:9301"),
    "address.missing-host": (p) => badAddress(p, "missing host (use 127.0.0.1, ::1 in brackets, 0.0.0.0 or a name)"),
    "address.missing-port": (p) => badAddress(p, "missing port"),
    "address.bad-host": (p) => badAddress(p, `"${p.host}" is not a host name`),
    "address.missing-path": (p) => badAddress(p, "missing path"),
    "address.missing-name": (p) => badAddress(p, "missing name"),
    "address.nul-in-path": (p) => badAddress(p, "the path contains a NUL byte"),
    "address.nul-in-name": (p) => badAddress(p, "the name contains a NUL byte"),
    "address.path-too-long": (p) => badAddress(p, `the path is ${p.bytes} bytes; a Unix socket path fits at most ${p.room} bytes`),
    "address.name-too-long": (p) => badAddress(p, `the name is ${p.bytes} bytes; a Unix socket name fits at most ${p.room} bytes`),
    "address.did-you-mean": (p) => badAddress(p, `did you mean ${p.suggestion}?`),
    "address.unknown-form": (p) => badAddress(p, "unknown form"),

    // The command line (exit 2). `option` is the option as typed (--timeout, -k).
    "usage.unknown-command": (p) => `unknown command "${p.name}"`,
    "usage.bad-lang": (p) => `--lang needs es or en, got "${p.given}"`,
    "usage.unknown-option": (p) => `unknown option ${p.option}`,
    "usage.missing-value": (p) => `${p.option} needs a value`,
    "usage.dash-value": (p) => `${p.option} needs a value, not "${p.value}" (a value that starts with "-" is written ${p.long}=${p.value})`,
    "usage.takes-no-value": (p) => `${p.option} takes no value`,
    "usage.bad-option": (p) => String(p.detail),
    "usage.bad-seconds": (p) => `${p.option} needs a number of seconds ≥ 0 (e.g. 1.5), got "${p.value}"`,
    "usage.bad-positive-seconds": (p) => `${p.option} needs a number of seconds greater than 0 (e.g. 10 or 1.5), got "${p.value}"`,
    "usage.bad-count": (p) => `${p.option} needs a whole number ≥ ${p.min}, got "${p.value}"`,
    "usage.bad-count-range": (p) => `${p.option} needs a whole number from ${p.min} to ${p.max}, got "${p.value}"`,
    "usage.bad-mode": (p) => `${p.option} needs octal permission bits like 600 or 660, got "${p.value}"`,
    "usage.bad-uids": (p) => `${p.option} needs numeric uids separated by commas, got "${p.value}"`,
    "usage.missing-argument": (p) => `missing ${p.what}`,
    "usage.unexpected-argument": (p) => `unexpected argument "${p.argument}"`,
    "usage.unexpected-text": (p) => `unexpected argument "${p.argument}" (texts go with --send)`,
    "usage.exclusive": (p) => `${p.a} and ${p.b} exclude each other`,
    "usage.positive": (p) => `${p.option} must be more than 0`,
    "usage.needs-send": () => "--half-close and --until-close go with --send (without --send, stdin EOF half-closes)",
    "usage.stream-only": (p) => `${p.option} applies to stream addresses only (tcp://, unix:, abstract:)`,
    "usage.unix-file-only": (p) => `${p.option} applies to Unix socket files (unix:PATH, unix-dgram:PATH), not to ${p.address}`,
    "usage.ipv6-option": (p) => `${p.option} applies to IPv6 addresses (e.g. tcp://[::]:PORT), not to ${p.address}`,
    "usage.needs-concurrent": (p) => `${p.option} applies with --concurrent (a sequential server serves one client at a time)`,
    "usage.unknown-service": (p) => `unknown service "${p.name}" (services: ${p.services})`,
    "usage.service-needs-stream": (p) => `service ${p.service} does not run on ${p.address} (it needs a stream address: tcp://, unix:, abstract:)`,
    "usage.service-needs-datagram": (p) => `service ${p.service} does not run on ${p.address} (it needs a datagram address: udp://, unix-dgram:)`,
    "usage.service-needs-unix": (p) => `service ${p.service} needs a Unix address (unix:PATH or abstract:NAME)`,
    "usage.allow-uid-unix-only": () => "--allow-uid works on Unix addresses only",
    "usage.recv-fd-needs-unix": () => "recv-fd needs a Unix stream address (unix:PATH or abstract:NAME)",
    "usage.discover-needs-udp": () => "discover needs a udp://BROADCAST:PORT address",
    "usage.stdin-mode-only": (p) => `${p.option} is for standard input mode (without --send)`,
    "usage.unknown-shell": (p) => `no completion for "${p.shell}" (shells: ${p.shells})`,
    "usage.port-zero": (p) => `${p.address}: port 0 is not a destination (it means "any free port" only when listening)`,
    "usage.nc-form": (p) => `${p.given} is not an address: write ${p.example}`,
    "usage.nc-port": (p) => `"${p.port}" is not a port (1-65535): write ${p.example}`,
    "usage.access-needs-ip": (p) =>
      `${p.option} filters IP clients: it applies to tcp:// and udp:// addresses, not to ${p.address} (Unix peers have no address; use --allow-uid)`,
    "usage.exec-needs-command": () => "serve exec needs a command: socklab serve exec ADDRESS -- CMD [ARGS...]",
    "usage.command-only-exec": (p) => `a command after -- goes with serve exec only, not with ${p.service}`,
    "usage.exec-needs-allow": (p) =>
      `serve exec on ${p.address} would run the command for anyone who can reach that address; ` +
      "bind to 127.0.0.1 or [::1], or say who may connect with --allow CIDR (e.g. --allow 198.51.100.0/24)",
    "usage.listen-form": (p) =>
      `listen ${p.given}: not an address; write ${p.suggestion} (short forms: listen PORT, listen -u PORT, listen -U PATH bind 127.0.0.1 or a Unix path)`,
    "usage.tls-only": (p) => `${p.option} is for tls:// addresses`,
    "usage.tls-role": (p) => `${p.option} does not apply to the TLS ${p.role} side`,
    "usage.scan-missing-target": () => "missing tcp://HOST:PORTS (e.g. tcp://127.0.0.1:22,80,8000-8100)",
    "usage.scan-bad-target": (p) => `"${p.target}" is not tcp://HOST:PORTS (e.g. tcp://127.0.0.1:22,80,8000-8100)`,
    "usage.scan-udp": () => "only TCP ports can be scanned (UDP scanning is out of scope)",
    "usage.scan-extra": (p) => `unexpected argument "${p.argument}" (ports go after the colon: tcp://HOST:22,80)`,
    "usage.relay-pair": (p) =>
      `relay joins two stream addresses (tcp://, unix:, abstract:) or two udp:// addresses, not ${p.from} and ${p.to}`,

    unavailable: (p, t) =>
      Number(p.attempts) > 1
        ? `${p.address}: server unavailable after ${p.attempts} attempts: ${t.cause(String(p.code)) ?? p.detail}`
        : `${p.address}: ${t.cause(String(p.code)) ?? p.detail}`,
    "no-response": (p, t) =>
      `${p.address}: no response after ${p.attempts} ${plural(Number(p.attempts), "attempt", "attempts")}` +
      (p.code === "ETIMEDOUT" ? "" : `: ${t.cause(String(p.code)) ?? p.code}`),
    "no-responder": (p, t) => `${p.address}: no responder within ${t.seconds(Number(p.timeoutMs))}s`,
    "no-descriptor": (p) =>
      `${p.address}: no descriptor arrived (` +
      (p.end ? "the server closed the connection without sending anything" : `only a payload ${JSON.stringify(p.payload)}`) +
      ")",
    "reply-incomplete": (p, t) => `reply cut short: ${t.cause(String(p.code)) ?? p.detail}`,
    usage: (p) => String(p.detail),
    "transfer-cut-short": (p, t) => {
      const from = p.source === "send" ? "given with --send" : "read from standard input";
      const cause = t.cause(String(p.code)) ?? p.detail;
      return Number(p.sent) < Number(p.read) || p.unfinished === 1
        ? `${p.address}: upload cut short (${cause}): sent ${p.sent} of ${p.read} bytes ${from}` +
            `${p.unfinished === 1 ? " (more was coming)" : ""}; received ${p.received} bytes`
        : `${p.address}: ${cause} after receiving ${p.received} bytes (sent all ${p.sent} bytes ${from})`;
    },
    "client-idle-timeout": (p, t) =>
      `${p.address}: nothing moved in either direction for ${t.seconds(Number(p.idleMs))}s; gave up (received ${p.received} bytes, sent ${p.sent})`,
    "cannot-listen": (p, t) => {
      const why: Record<string, string> = {
        EADDRINUSE: "address already in use (another socket is listening there)",
        ENOENT: `directory ${p.dir} does not exist`,
        ENOTDIR: `${p.dir} is not a directory`,
        EACCES: String(p.address).startsWith("tcp://") || String(p.address).startsWith("udp://")
          ? "permission denied (ports below 1024 need privileges)"
          : `permission denied (can't create a file in ${p.dir})`,
        EEXIST: "a file that is not a socket is there; refusing to replace it",
      };
      return `${p.address}: cannot listen there: ${why[String(p.code)] ?? t.cause(String(p.code)) ?? p.detail}`;
    },
    "bench-not-installed": () =>
      "the benchmarks are not part of the installed package: run them from a source checkout with 'npm run bench'",
    "stdout-failed": (p, t) => `standard output: ${t.cause(String(p.code)) ?? p.detail}`,
    "cannot-open-file": (p, t) => {
      const why: Record<string, string> = { ENOENT: "no such file or directory", EISDIR: "is a directory", EACCES: "permission denied" };
      return `${p.option} ${p.path}: ${why[String(p.code)] ?? t.cause(String(p.code)) ?? p.detail}`;
    },
    "tls-bad-pin": (p) => `bad pin "${p.pin}": expected sha256: followed by 64 hex digits (colons between byte pairs allowed)`,
    "tls-option": (p) => {
      switch (p.problem) {
        case "cert-without-key":
          return "--cert needs --key (the certificate's private key, PEM)";
        case "key-without-cert":
          return "--key needs --cert (the certificate, PEM)";
        case "pin-and-insecure":
          return "--pin and --insecure contradict each other: --pin checks the peer, --insecure does not";
        case "pin-and-ca":
          return "--pin replaces the CA check: give --pin or --ca, not both";
        case "insecure-and-ca":
          return "--insecure turns the CA check off: give --ca or --insecure, not both";
        default:
          return String(p.detail ?? p.problem);
      }
    },
    "tls-file": (p) => {
      switch (p.problem) {
        case "unreadable":
          return `${p.option} ${p.path}: cannot read the file (${p.detail})`;
        case "no-certificate":
          return `${p.option} ${p.path}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)`;
        case "no-key":
          return `${p.option} ${p.path}: no PEM private key in it (-----BEGIN … PRIVATE KEY-----)`;
        default:
          return `${p.option} ${p.path}: not usable (${p.detail})`;
      }
    },
    "tls-key-mismatch": (p) => `--key ${p.key} is not the private key of --cert ${p.cert}`,
    "tls-expired": (p) =>
      p.side === "server"
        ? `${p.address}: the client's certificate has expired (valid until ${p.date})`
        : `${p.address}: the server's certificate has expired (valid until ${p.date})`,
    "tls-not-yet-valid": (p) => `${p.address}: the certificate is not valid yet (valid from ${p.date}); check the clocks`,
    "tls-hostname": (p) =>
      `${p.address}: the certificate is for ${p.names}, not for ${p.host} (use --sni NAME to ask for another name, or --pin)`,
    "tls-self-signed": (p) =>
      `${p.address}: the server's certificate is self-signed and not trusted; if you know it, pin it: --pin ${p.fingerprint}`,
    "tls-unknown-issuer": (p) =>
      `${p.address}: the certificate was issued by an unknown CA ("${p.issuer}"); trust that CA with --ca FILE`,
    "tls-pin-mismatch": (p) => `${p.address}: the certificate does not match the pin: expected ${p.expected}, got ${p.actual}`,
    "tls-no-shared-cipher": (p) =>
      `${p.address}: the handshake failed: no cipher in common` + (p.side === "client" ? " (or the server wants a client certificate: --cert/--key)" : ""),
    "tls-protocol-version": (p) => `${p.address}: no TLS version in common (socklab speaks TLS 1.2 and 1.3)`,
    "tls-not-tls": (p) =>
      p.side === "server"
        ? `${p.address}: the client does not speak TLS (plain TCP?)`
        : `${p.address}: the server does not speak TLS (plain TCP? try tcp://)`,
    "tls-handshake-closed": (p) =>
      p.side === "server"
        ? `${p.address}: the client closed the connection during the TLS handshake (it may not trust this server's certificate)`
        : `${p.address}: the server closed the connection during the TLS handshake (not a TLS server, or it refused us)`,
    "tls-handshake-timeout": (p, t) =>
      `${p.address}: no TLS handshake within ${t.seconds(Number(p.timeoutMs))}s (is the peer speaking TLS?)`,
    "tls-client-cert-required": (p) =>
      p.side === "server"
        ? `${p.address}: the client sent no certificate; --client-ca requires one`
        : `${p.address}: the server requires a client certificate (use --cert and --key)`,
    "tls-client-cert-rejected": (p) => `${p.address}: the client's certificate is not trusted (${p.reason})`,
    "tls-cert-rejected-by-peer": (p) =>
      p.side === "server"
        ? `${p.address}: the client rejected this server's certificate (${p.reason})`
        : `${p.address}: the server rejected our client certificate (${p.reason})`,
    "tls-no-alpn": (p) => `${p.address}: no application protocol in common (ALPN: ${p.alpn})`,
    "tls-handshake": (p) => `${p.address}: TLS handshake failed: ${p.detail}`,
  },
  text: {
    tryHelp: (command) => `Try 'socklab ${command === "" ? "" : `${command} `}--help'.`,
    internalError: (detail) => `socklab: internal error: ${detail}`,
  },
  help: helpEn,
};

/** The message of every address error: the address, why, and the accepted forms. */
const badAddress = (p: Record<string, string | number>, why: string): string => `bad address "${p.address}": ${why} (expected ${ADDRESS_FORMS})`;
