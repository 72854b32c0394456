// SVG chart: one group of horizontal bars per metric, one colour per implementation.
// Units differ between metrics, so each group is normalised to its fastest bar; the real
// value is written at the end of every bar. A second column shows server CPU per operation.
import type { Metric } from "./metrics.js";
import { human, socklabRatios, type Row } from "./report.js";
import type { Impl } from "./servers.js";

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Abbreviated peer names for the ratios printed after socklab's bar. */
const SHORT: Partial<Record<string, string>> = { baseline: "base", node: "Node", python: "Py", socat: "socat", c: "C", iperf3: "iperf3" };

export interface ChartInfo {
  title: string;
  subtitle: string;
}

export function renderChart(metrics: Metric[], impls: Impl[], rows: Row[], info: ChartInfo): string {
  const W = 1560;
  const labelW = 320;
  const barX = labelW + 10;
  const barW = 420;
  const cpuX = barX + barW + 430;
  const cpuW = 200;
  const barH = 14;
  const gap = 3;
  const groupPad = 16;
  const top = 110;
  const used = metrics.filter((m) => rows.some((r) => r.metric === m.id));
  const order = impls.map((i) => i.id);
  let height = top;
  for (const m of used) {
    const n = rows.filter((r) => r.metric === m.id).length;
    height += n * (barH + gap) + groupPad;
  }
  height += 44;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" ` +
      `font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${W}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="20" y="28" font-size="18" font-weight="bold">${esc(info.title)}</text>`);
  parts.push(`<text x="20" y="48" fill="#444">${esc(info.subtitle)}</text>`);
  // Legend.
  let lx = 20;
  for (const impl of impls) {
    if (!rows.some((r) => r.impl === impl.id)) continue;
    parts.push(`<rect x="${lx}" y="62" width="14" height="14" fill="${impl.colour}"/>`);
    parts.push(`<text x="${lx + 19}" y="74">${esc(impl.label)}</text>`);
    lx += 30 + impl.label.length * 7.5;
  }
  parts.push(
    `<text x="${barX}" y="100" font-weight="bold">throughput (normalised per metric; higher is better)</text>`,
  );
  parts.push(`<text x="${cpuX}" y="100" font-weight="bold">server CPU-µs per op (log scale; lower is better)</text>`);

  let y = top;
  for (const m of used) {
    const mine = rows
      .filter((r) => r.metric === m.id)
      .sort((a, b) => order.indexOf(a.impl) - order.indexOf(b.impl));
    const groupH = mine.length * (barH + gap) - gap;
    const best = Math.max(...mine.map((r) => r.value));
    // CPU per op spans orders of magnitude within a metric: log scale, smallest bar ~15%.
    const cpus = mine.map((r) => r.serverCpuUsPerOp).filter((v): v is number => v !== null && v > 0);
    const hi = cpus.length > 0 ? Math.log10(Math.max(...cpus)) : 0;
    const lo = cpus.length > 0 ? Math.log10(Math.min(...cpus)) - 0.15 : 0;
    const cpuLen = (v: number): number => (hi > lo ? Math.max(2, ((Math.log10(v) - lo) / (hi - lo)) * cpuW) : cpuW / 2);
    parts.push(`<line x1="20" x2="${W - 20}" y1="${y - groupPad / 2}" y2="${y - groupPad / 2}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="20" y="${y + groupH / 2 - 2}" font-weight="bold">${esc(m.id)}</text>`);
    parts.push(`<text x="20" y="${y + groupH / 2 + 13}" fill="#555" font-size="11">${esc(`${m.unit} · ${m.caption}`)}</text>`);
    for (const r of mine) {
      const colour = impls.find((i) => i.id === r.impl)?.colour ?? "#000";
      const w = best > 0 ? Math.max(1, (r.value / best) * barW) : 1;
      let label = `${r.loadgenLimited ? "≥" : ""}${human(r.value)}${r.p99Us !== null ? `  (p99 ${human(r.p99Us)} µs)` : ""}`;
      // socklab's bar carries its ratio to every peer of the group.
      if (r.impl === "socklab") label += `   ${socklabRatios(rows, m.id).map((x) => `×${SHORT[x.id] ?? x.id} ${x.ratio.toFixed(2)}`).join(" ")}`;
      parts.push(`<text x="${barX - 6}" y="${y + barH - 3}" text-anchor="end" font-size="11" fill="#333">${esc(r.label)}</text>`);
      parts.push(`<rect x="${barX}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${colour}"/>`);
      parts.push(`<text x="${barX + w + 4}" y="${y + barH - 3}" font-size="11">${esc(label)}</text>`);
      if (r.serverCpuUsPerOp !== null && r.serverCpuUsPerOp > 0) {
        const cw = cpuLen(r.serverCpuUsPerOp);
        parts.push(`<rect x="${cpuX}" y="${y}" width="${cw.toFixed(1)}" height="${barH}" fill="${colour}" fill-opacity="0.55"/>`);
        parts.push(`<text x="${cpuX + cw + 4}" y="${y + barH - 3}" font-size="11">${esc(human(r.serverCpuUsPerOp))}</text>`);
      }
      y += barH + gap;
    }
    y += groupPad - gap;
  }
  parts.push(
    `<text x="20" y="${height - 30}" fill="#555" font-size="11">${esc(
      "Each group is scaled to its fastest bar; the number is the real median of the measured runs. " +
        "≥: the load generator used ≥95% of a core, so the value is a lower bound. " +
        "After socklab's bar: its ratio to each peer (×Py 1.97 = 1.97 times the Python server's value).",
    )}</text>`,
  );
  parts.push(
    `<text x="20" y="${height - 14}" fill="#555" font-size="11">${esc(
      "CPU per op from /proc/PID/stat (10 ms ticks); op = MiB for stream rows, request, line, round trip or connection otherwise.",
    )}</text>`,
  );
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
