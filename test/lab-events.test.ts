/**
 * The lab consumes socklab's events (`--json`), never its human-readable text: no module in
 * src/lab matches on the English (or Spanish) lines socklab prints, none forces a locale,
 * and a child's stderr line becomes an event only when it is one of socklab's JSON events.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EVENT_TYPES, type SocklabEvent } from "../src/events.js";
import { CATALOGS } from "../src/i18n/format.js";
import { messageTools } from "../src/i18n/format.js";
import { parseEventLine } from "../src/lab/process.js";

const LAB_SRC = fileURLToPath(new URL("../../src/lab/", import.meta.url));

function sources(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts")) out.push({ path, text: readFileSync(path, "utf8") });
  }
  return out;
}

/** One sample of every event, to learn the words each human-readable line starts with. */
const SAMPLES: SocklabEvent[] = [
  { type: "listening", address: "tcp://127.0.0.1:1" },
  { type: "note", note: "dual-stack" },
  { type: "note", note: "dual-stack-fallback" },
  { type: "queued", peer: "p", waiting: 1 },
  { type: "accepted", peer: "p" },
  { type: "refused", peer: "p", reason: "max-conns" },
  { type: "connected", address: "a" },
  { type: "attempt-failed", attempt: 1, total: 2, address: "a", code: "ECONNREFUSED", message: "m", delayMs: 1 },
  { type: "attempt-failed", attempt: 1, total: 2, address: "a", code: "ETIMEDOUT", message: "m", delayMs: 0, datagram: true, timeoutMs: 1 },
  { type: "connect-attempt", address: "a", state: "failed", ms: 1, code: "ECONNREFUSED", message: "m" },
  { type: "progress", sent: 1, received: 1, seconds: 1, size: 2 },
  { type: "sent", peer: "p", bytes: 1 },
  { type: "received", peer: "p", bytes: 1 },
  { type: "eof", peer: "p" },
  { type: "half-closed", peer: "p" },
  { type: "closed", peer: "p", received: 1, sent: 1 },
  { type: "idle-timeout", peer: "p", seconds: 1 },
  { type: "line-too-long", peer: "p", limit: 1 },
  { type: "datagram-in", peer: "p", bytes: 1 },
  { type: "datagram-out", peer: "p", bytes: 1 },
  { type: "reply", peer: "p", bytes: 1 },
  { type: "peer-credentials", peer: "p", pid: 1, uid: 1, gid: 1 },
  { type: "descriptor-sent", peer: "p", file: "f", fd: 7 },
  { type: "descriptors-received", address: "a", count: 1, fds: [5], payload: "FD", truncated: false },
  { type: "summary", received: 1, sent: 1, seconds: 1 },
  { type: "dropped", what: "log-lines", count: 1 },
  { type: "stopping", signal: "SIGTERM" },
  { type: "max-time", peer: "p", seconds: 1 },
  { type: "port", address: "a", state: "open", ms: 1 },
  { type: "scan-done", target: "a", scanned: 1, open: 1, seconds: 1 },
  { type: "relay-open", peer: "p", upstream: "u" },
  { type: "relay-close", peer: "p", upstream: "u", up: 1, down: 1, seconds: 1, reason: "done" },
  { type: "upstream-failed", peer: "p", upstream: "u", code: "ECONNREFUSED", message: "m" },
  { type: "client-dropped", peer: "p", reason: "slow-reader", buffered: 1, limit: 1 },
  { type: "exec-start", peer: "p", pid: 1, command: "c" },
  { type: "exec-exit", peer: "p", pid: 1, code: 0, signal: null },
  { type: "tls-established", peer: "p", protocol: "TLSv1.3", cipher: "c", verified: true, verifiedBy: "pin" },
  { type: "tls-unverified", peer: "p" },
];

/** The leading word of each line socklab prints for an event, in both languages ("accept", "recv", "aceptado"…). */
function leadingWords(): Set<string> {
  const words = new Set<string>();
  for (const lang of ["en", "es"] as const) {
    for (const event of SAMPLES) {
      const format = CATALOGS[lang].events[event.type] as (e: SocklabEvent, t: ReturnType<typeof messageTools>) => string;
      const word = /^[(]?([A-Za-záéíóúñ-]{3,})/.exec(format(event, messageTools(lang)))?.[1];
      if (word) words.add(word.toLowerCase());
    }
    // The CLI's error lines and the failure texts of connect/discover.
    words.add("socklab:");
  }
  for (const phrase of ["server unavailable", "no response after", "no responder", "reply from", "not found", "nothing is listening"]) {
    words.add(phrase);
  }
  return words;
}

test("every event type has a sample here (so the check below knows all of socklab's lines)", () => {
  assert.deepEqual([...new Set(SAMPLES.map((e) => e.type))].sort(), [...EVENT_TYPES].filter((t) => t !== "error").sort());
});

test("no module in src/lab matches on socklab's human-readable output", () => {
  const files = sources(LAB_SRC);
  assert.ok(files.length >= 10, `found only ${files.length} files under ${LAB_SRC}`);
  const words = leadingWords();
  const problems: string[] = [];
  for (const { path, text: withComments } of files) {
    const where = path.slice(LAB_SRC.length);
    // Comments may name socklab's lines; code may not match on them.
    const text = withComments.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "").replace(/\s\/\/ .*$/gm, "");
    if (/\bLC_ALL\b|\bLC_MESSAGES\b/.test(text)) problems.push(`${where}: forces a locale (the lab reads events, not text)`);
    // Matching child output: a regex tested against stderr, or stderr searched for text.
    if (/\.stderr\s*\.\s*(includes|match|search|indexOf|startsWith)\(/.test(text)) problems.push(`${where}: searches a child's stderr text`);
    if (/\.test\([^)]*\bstderr\b|\.exec\([^)]*\bstderr\b|\.match\([^)]*\bstderr\b/.test(text)) problems.push(`${where}: runs a regex over a child's stderr`);
    if (/lastStderrLine\(\)[^;]*\.(test|includes|match)\(|\.text\)\s*\)/.test(text)) problems.push(`${where}: matches a stderr line`);
    // Regex literals and new RegExp(...) sources that name one of socklab's line openings.
    const regexes = [...text.matchAll(/(?<![\w)\]])\/((?:\\.|\[[^\]]*\]|[^/\n\\])+)\/[dgimsuy]*/g)].map((m) => m[1] ?? "");
    regexes.push(...[...text.matchAll(/new RegExp\(([^)]*)\)/g)].map((m) => m[1] ?? ""));
    for (const source of regexes) {
      // Interpolated code (`${a.port}`) is not text the regex looks for.
      const plain = source.replace(/\$\{[^}]*\}/g, " ").replace(/\\b|\\s\+?|\\\\|\^/g, " ").toLowerCase();
      for (const word of words) {
        if (new RegExp(`(^|[^a-z])${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^a-z]|$)`).test(plain)) {
          problems.push(`${where}: regex /${source}/ matches socklab's "${word} …" line`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

test("a stderr line is an event only when it is socklab's JSON event line", () => {
  const e = parseEventLine('{"event":"listening","seq":1,"t":6.5,"address":"tcp://127.0.0.1:40925"}', 12);
  assert.deepEqual(e, { seq: 1, t: 6.5, at: 12, event: { type: "listening", address: "tcp://127.0.0.1:40925" } });
  for (const line of ["listening tcp://127.0.0.1:1", "socklab: boom", "{not json", '{"seq":1}', '{"event":"x"}', "[1,2]", "null"]) {
    assert.equal(parseEventLine(line, 0), undefined, line);
  }
});
