/**
 * `socklab lab --html FILE`: one self-contained page (no network, no scripts, no external
 * fonts) with, per exercise, a ladder (sequence) diagram drawn as inline SVG from the
 * events — a lane per process, time running down, arrows for connect/accept, each send
 * and recv with its bytes, half-close and close, datagrams, failed attempts and retries —
 * then the story and the step-by-step text, in the report's language.
 */
import { reproLines } from "./reproduce.js";
import type { SocklabEvent } from "../events.js";
import type { LabEvent } from "./context.js";
import type { Exercise } from "./exercises/index.js";
import { eventLine, narrate, timeline, type Link, type Step } from "./narrate.js";
import type { Proc } from "./process.js";
import type { ResultRow, TableStyle } from "./report.js";
import { groupDigits, LAB_TEXTS, pyBytes, transportOf } from "./texts.js";

export interface HtmlOutcome {
  exercise: Exercise;
  events: readonly LabEvent[];
  row: ResultRow;
}

const ROW = 24;
const TOP = 64;
const LANE = 230;
const LEFT = 250;

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}

/** A short, language-neutral label for a step on its lane (the full line is in its tooltip). */
function shortLabel(ev: SocklabEvent, runLength: number, total: number): string {
  const bytes = (n: number): string => `${groupDigits(n)} B`;
  const many = (verb: string): string => (runLength > 1 ? `${runLength} × ${verb}, ${bytes(total)}` : `${verb} ${bytes(total)}`);
  switch (ev.type) {
    case "listening":
      return `listen() ${ev.address}`;
    case "accepted":
      return "accept()";
    case "connected":
      return "connect()";
    case "queued":
      return "backlog";
    case "sent":
      return many("send");
    case "received":
      return many("recv");
    case "eof":
      return "recv() = 0 (EOF)";
    case "half-closed":
      return "shutdown(SHUT_WR)";
    case "closed":
      return "close()";
    case "idle-timeout":
      return `⏱ ${ev.seconds} s → close()`;
    case "datagram-in":
      return many("recvfrom");
    case "datagram-out":
      return many("sendto");
    case "reply":
      return many("recvfrom");
    case "peer-credentials":
      return `SO_PEERCRED pid=${ev.pid} uid=${ev.uid} gid=${ev.gid}`;
    case "descriptor-sent":
      return `sendmsg(SCM_RIGHTS) fd ${ev.fd}`;
    case "descriptors-received": {
      // The number recvmsg() gave it here, and the bytes read through it.
      const fd = ev.fds[0] === undefined ? "" : ` → fd ${ev.fds.length > 1 ? `${ev.fds[0]}…` : ev.fds[0]}`;
      return `recvmsg${fd}${ev.printedBytes === undefined ? "" : `, read() ${bytes(ev.printedBytes)}`}`;
    }
    case "attempt-failed":
      return `✕ ${ev.attempt}/${ev.total} ${ev.code}`;
    case "error":
      return `✕ ${ev.code}`;
    case "stopping":
      return ev.signal;
    case "summary":
      return `${bytes(ev.received)} / ${ev.seconds.toFixed(3)} s`;
    case "note":
      return ev.note;
    default:
      return ev.type;
  }
}

const COLORS: Record<Link["kind"] | "datagram" | "fail", string> = {
  bytes: "#1f5fbf",
  end: "#d9730d",
  connect: "#2e8b3e",
  descriptor: "#00838f",
  reply: "#7b3fb5",
  request: "#7b3fb5",
  datagram: "#7b3fb5",
  fail: "#c62828",
};

/** One exercise's ladder diagram. */
function ladder(index: number, outcome: HtmlOutcome, style: TableStyle): string {
  const t = LAB_TEXTS[style.lang];
  const { steps, links, requests } = timeline(outcome.events);
  const visible = steps.filter((s) => !s.folded);
  const row = new Map<Step, number>();
  visible.forEach((s, i) => {
    for (const member of s.run ?? [s]) row.set(member, i);
  });
  const procs: Proc[] = [];
  for (const s of visible) if (s.item.kind !== "lab" && !procs.includes(s.item.proc)) procs.push(s.item.proc);
  // Clients on the left, servers (whoever listens) on the right.
  const listens = (p: Proc): boolean => p.events.some((e) => e.event.type === "listening");
  procs.sort((a, b) => Number(listens(a)) - Number(listens(b)));
  const laneX = new Map<Proc, number>(procs.map((p, i) => [p, LEFT + LANE / 2 + i * LANE]));
  const width = LEFT + procs.length * LANE + 120;
  // Labels go on the outer side of a lane (left half: left; right half: right), away from the arrows.
  const side = (p: Proc): { dx: number; anchor: string } =>
    procs.indexOf(p) < procs.length / 2 && procs.length > 1 ? { dx: -8, anchor: "end" } : { dx: 8, anchor: "start" };
  const height = TOP + visible.length * ROW + 30;
  const y = (s: Step): number => TOP + (row.get(s) ?? 0) * ROW + ROW / 2;
  const marker = (kind: string): string => `url(#a${index}-${kind})`;
  const out: string[] = [];
  out.push(
    `<svg class="ladder" role="img" aria-label="${esc(t.html.diagramLabel(outcome.exercise.id))}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  );
  out.push("<defs>");
  for (const [kind, color] of Object.entries(COLORS)) {
    out.push(
      `<marker id="a${index}-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`,
    );
  }
  out.push("</defs>");
  // Lanes: the lab's notes on the left, then one per process with its command.
  out.push(`<text class="lane-title" x="16" y="22">${esc(t.html.lab)}</text>`);
  for (const p of procs) {
    const x = laneX.get(p) as number;
    const command = `socklab ${p.args.filter((a) => a !== "--json" && a !== "--trace").join(" ")}`;
    out.push(`<text class="lane-title" x="${x}" y="22" text-anchor="middle">${esc(p.label)}</text>`);
    out.push(`<text class="lane-cmd" x="${x}" y="40" text-anchor="middle"><title>${esc(command)}</title>${esc(cut(command, 32))}</text>`);
    out.push(`<line class="lane" x1="${x}" y1="${TOP - 12}" x2="${x}" y2="${height - 10}"/>`);
  }
  // Arrows between lanes.
  const drawn = new Set<string>();
  const arrow = (x1: number, y1: number, x2: number, y2: number, kind: keyof typeof COLORS, label: string, title: string): void => {
    const key = `${x1},${y1},${x2},${y2}`;
    if (drawn.has(key)) return;
    drawn.add(key);
    const color = COLORS[kind];
    out.push(
      `<g class="arrow ${kind}"><title>${esc(title)}</title><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${color}" stroke-width="1.6" marker-end="${marker(kind)}"/>` +
        `<text x="${(x1 + x2) / 2}" y="${(y1 + y2) / 2 - 4}" text-anchor="middle" fill="${color}">${esc(label)}</text></g>`,
    );
  };
  const head = (s: Step): Step => visible[row.get(s) ?? 0] ?? s;
  const eventOf = (s: Step): SocklabEvent | undefined => (s.item.kind === "event" ? s.item.event.event : undefined);
  const procOf = (s: Step): Proc | undefined => (s.item.kind === "lab" ? undefined : s.item.proc);
  /** The step's full line, as the narration says it. */
  const lineOf = (s: Step): string =>
    s.item.kind === "event" ? eventLine(s.item.proc, s.item.event.event, s.item.event.seq, style, procs) : "";
  for (const link of links) {
    if (link.kind === "request") continue;
    const from = procOf(link.cause);
    const to = procOf(link.effect);
    if (!from || !to) continue;
    const a = head(link.cause);
    const b = head(link.effect);
    const ev = eventOf(a);
    const transport = transportOf((ev as { peer?: string; address?: string } | undefined)?.peer ?? (ev as { address?: string } | undefined)?.address);
    let label = "";
    if (link.kind === "connect") label = transport === "tcp" ? "SYN · SYN/ACK · ACK" : "connect()";
    else if (link.kind === "end") label = transport === "tcp" ? "FIN" : "EOF";
    else if (link.kind === "descriptor") {
      // The same open file under two numbers: the server's, and the one recvmsg() gave the client.
      const sent = ev as { fd?: number };
      const got = eventOf(b) as { fds?: number[]; payload?: string } | undefined;
      label = `${JSON.stringify(cut(got?.payload ?? "", 8))} + fd ${sent.fd ?? "?"} → fd ${got?.fds?.[0] ?? "?"}`;
    }
    else {
      const run = a.run ?? [a];
      const total = run.reduce((sum, s) => sum + ((eventOf(s) as { bytes?: number } | undefined)?.bytes ?? 0), 0);
      label = run.length > 1 ? `${run.length} × ${groupDigits(total)} B` : `${groupDigits(total)} B`;
    }
    const title = [a, b].map(lineOf).join(" → ");
    arrow(laneX.get(from) as number, y(a), laneX.get(to) as number, y(b), link.kind, label, title);
  }
  for (const { step, client } of requests) {
    const server = procOf(step);
    const ev = eventOf(step);
    if (!server || !ev || ev.type !== "datagram-in") continue;
    const h = head(step);
    arrow(laneX.get(client) as number, y(h) - 6, laneX.get(server) as number, y(h), "request", `${ev.bytes} B`, lineOf(step));
  }
  // A reply whose sending left no event (nc -u answers what the person types): from the
  // process listening at the reply's address.
  const caused = new Set(links.map((l) => head(l.effect)));
  for (const s of visible) {
    const ev = eventOf(s);
    if (ev?.type !== "reply" || caused.has(s)) continue;
    const server = procs.find((p) => p.events.some((e) => e.event.type === "listening" && (e.event as { address: string }).address === ev.peer));
    const client = procOf(s);
    if (!server || !client) continue;
    arrow(laneX.get(server) as number, y(s) - 6, laneX.get(client) as number, y(s), "reply", `${ev.bytes} B`, lineOf(s));
  }
  // Steps: time, then a dot and a short label on the lane (the full line in the tooltip).
  for (const s of visible) {
    const yy = y(s);
    const time = `+${t.narration.seconds(s.time)} s`;
    if (s.item.kind === "lab") {
      out.push(
        `<g class="step lab"><title>${esc(s.item.text)}</title><text class="time" x="16" y="${yy + 4}">${esc(time)}</text><text class="note" x="78" y="${yy + 4}">${esc(cut(s.item.text, 26))}</text></g>`,
      );
      continue;
    }
    const x = laneX.get(s.item.proc) as number;
    if (s.item.kind === "stdout") {
      const data = Buffer.concat((s.run ?? [s]).map((m) => (m.item as Extract<LabEvent, { kind: "stdout" }>).data));
      const { dx, anchor } = side(s.item.proc);
      out.push(
        `<g class="step stdout"><title>${esc(t.narration.stdout(pyBytes(data, 400)))}</title><text class="time" x="16" y="${yy + 4}">${esc(time)}</text><text class="bytes" x="${x + dx}" y="${yy + 4}" text-anchor="${anchor}">stdout ← ${esc(pyBytes(data, 16))}</text></g>`,
      );
      continue;
    }
    const ev = s.item.event.event;
    const run = s.run ?? [s];
    const total = run.reduce((sum, m) => sum + ((eventOf(m) as { bytes?: number } | undefined)?.bytes ?? 0), 0);
    const failed = ev.type === "attempt-failed" || ev.type === "error";
    const title = lineOf(s) || shortLabel(ev, run.length, total);
    if (ev.type === "attempt-failed") {
      // A stub towards the peer that was not there (or did not answer), then the retry.
      const retry = ev.attempt < ev.total && ev.delayMs > 0 ? ` · ${t.html.retry(t.narration.seconds(ev.delayMs).replace(/[.,]?0+$/, ""))}` : "";
      out.push(
        `<g class="step fail"><title>${esc(title)}</title><text class="time" x="16" y="${yy + 4}">${esc(time)}</text>` +
          `<line x1="${x}" y1="${yy}" x2="${x + 70}" y2="${yy}" stroke="${COLORS.fail}" stroke-width="1.6" stroke-dasharray="4 3" marker-end="${marker("fail")}"/>` +
          `<text x="${x + 76}" y="${yy + 4}" fill="${COLORS.fail}">${esc(shortLabel(ev, 1, 0) + retry)}</text></g>`,
      );
      continue;
    }
    const { dx, anchor } = side(s.item.proc);
    out.push(
      `<g class="step${failed ? " fail" : ""}"><title>${esc(title)}</title><text class="time" x="16" y="${yy + 4}">${esc(time)}</text>` +
        `<circle cx="${x}" cy="${yy}" r="4" fill="${failed ? COLORS.fail : "#333"}"/>` +
        `<text class="label" x="${x + dx}" y="${yy + 4}" text-anchor="${anchor}">${esc(cut(shortLabel(ev, run.length, total), 30))}</text></g>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}

const CSS = `
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 1400px; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
.legend { color: #555; font-size: .9rem; }
.result.PASS { color: #2e7d32; } .result.FAIL { color: #c62828; } .result.SKIP { color: #777; }
figure { margin: 1rem 0; overflow-x: auto; }
svg.ladder { background: #fcfcfc; border: 1px solid #e3e3e3; font-family: ui-monospace, monospace; font-size: 11px; }
svg .lane { stroke: #999; stroke-dasharray: 2 3; }
svg .lane-title { font-weight: bold; font-size: 13px; font-family: system-ui, sans-serif; }
svg .lane-cmd { fill: #666; }
svg .time { fill: #888; }
svg .note { fill: #555; font-style: italic; }
svg .bytes { fill: #555; }
pre { background: #f6f6f6; padding: .8rem; overflow-x: auto; font-size: 12px; }
`;

/** The whole page. */
export function renderHtml(outcomes: readonly HtmlOutcome[], style: TableStyle): string {
  const t = LAB_TEXTS[style.lang];
  const parts: string[] = [];
  parts.push(
    "<!DOCTYPE html>",
    `<html lang="${style.lang}">`,
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(t.html.title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    `<h1>${esc(t.html.title)}</h1>`,
    `<p>${esc(t.html.intro)}</p>`,
    `<p class="legend">${esc(t.html.legend)}</p>`,
  );
  outcomes.forEach((o, i) => {
    const text = t.exercises[o.exercise.id];
    const status = o.row.status;
    parts.push(
      `<section id="ex-${esc(o.exercise.id)}">`,
      `<h2>${esc(o.exercise.id)} · ${esc(text.title)}</h2>`,
      ...text.story.map((p) => `<p>${esc(p)}</p>`),
      `<figure>${ladder(i, o, style)}</figure>`,
      `<p>${esc(t.html.result)}: <strong class="result ${status}">${esc(t.status[status])}</strong> — ${esc(o.row.exchanged)}${o.row.reason ? ` — ${esc(o.row.reason)}` : ""}</p>`,
      `<pre class="repro">${esc(reproLines(o.exercise.id, t, "").join("\n"))}</pre>`,
      `<details><summary>${esc(t.html.textVersion)}</summary><pre>${esc(narrate(o.exercise, o.events, o.row, { ...style, width: 100 }))}</pre></details>`,
      "</section>",
    );
  });
  parts.push("</body>", "</html>", "");
  return parts.join("\n");
}
