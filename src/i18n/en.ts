/** English messages. Lines a script may have matched before --json existed keep their form. */
import type { Catalog } from "./catalog.js";

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

export const en: Catalog = {
  events: {
    listening: (e) => `listening ${e.address}${e.fingerprint ? ` ${e.fingerprint}` : ""}`,
    note: (e) =>
      e.note === "dual-stack"
        ? "dual-stack: IPv4 clients are seen as ::ffff:a.b.c.d"
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
    "descriptor-sent": (e) => `sent-fd ${e.peer} ${e.file}`,
    "descriptors-received": (e) =>
      `received ${e.count} ${plural(e.count, "descriptor", "descriptors")} with payload ${JSON.stringify(e.payload)}` +
      (e.truncated ? "; the message was truncated (extra descriptors were closed)" : ""),
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
      return e.peer ? `error ${e.peer} ${e.message}` : `error ${e.message}`;
    },
    stopping: (e) => (e.forced ? `stopping now (${e.signal} again): socket files removed, exit without waiting` : `stopping (${e.signal})`),
  },
  causes: {
    ECONNREFUSED: "connection refused (nothing is listening there)",
    ECONNRESET: "connection reset by peer",
    ETIMEDOUT: "timed out",
    ENOENT: "not found (no server is listening there)",
    EADDRINUSE: "address already in use",
    EADDRNOTAVAIL: "address not available on this machine",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EPIPE: "broken pipe (the peer closed the connection)",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "temporary failure resolving the host name",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    ENOTSOCK: "not a socket",
    EAFNOSUPPORT: "address family not supported on this machine",
    EMSGSIZE: "message too long for one datagram",
    ENAMETOOLONG: "socket path too long",
    ECONNABORTED: "connection aborted",
  },
  errors: {
    unavailable: (p, t) =>
      Number(p.attempts) > 1
        ? `${p.address}: server unavailable after ${p.attempts} attempts: ${t.cause(String(p.code)) ?? p.detail}`
        : `${p.address}: ${t.cause(String(p.code)) ?? p.detail}`,
    "no-response": (p, t) =>
      `${p.address}: no response after ${p.attempts} ${plural(Number(p.attempts), "attempt", "attempts")}` +
      (p.code === "ETIMEDOUT" ? "" : `: ${t.cause(String(p.code)) ?? p.code}`),
    "no-responder": (p, t) => `${p.address}: no responder within ${t.seconds(Number(p.timeoutMs))}s`,
    "reply-incomplete": (p, t) => `reply cut short: ${t.cause(String(p.code)) ?? p.detail}`,
    usage: (p) => String(p.detail),
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
    "cannot-open-file": (p, t) => {
      const why: Record<string, string> = { ENOENT: "no such file or directory", EISDIR: "is a directory", EACCES: "permission denied" };
      return `${p.option} ${p.path}: ${why[String(p.code)] ?? t.cause(String(p.code)) ?? p.detail}`;
    },
  },
  text: {
    unknownCommand: (name) => `socklab: unknown command "${name}"`,
    tryHelp: (command) => `Try 'socklab ${command} --help'.`,
    internalError: (detail) => `socklab: internal error: ${detail}`,
    badLang: (given) => `--lang needs es or en, got "${given}"`,
  },
};
