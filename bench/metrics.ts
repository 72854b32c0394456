// What is measured: one entry per row group of the table and per group of the chart.
import type { ServerKey } from "./servers.js";

export interface Metric {
  id: string;
  title: string;
  /** A few words under the metric's name in the chart. */
  caption: string;
  /** Unit of the headline value. */
  unit: string;
  /** What one "operation" is, for server CPU-µs per operation. */
  opName: string;
  server: ServerKey;
  /** Load generator arguments (besides --addr and --phases). */
  loadgen: string[];
  /** Headline value of one phase. */
  value(p: PhaseResult): number;
  /** Operations of one phase, for CPU per operation. */
  ops(p: PhaseResult): number;
  /** Report p50/p99 latency. */
  latency: boolean;
  /** Upper bound on operations per phase second (the count bound of every load loop). */
  maxOpsPerSecond: number;
  /** The client: the C load generator (default) or the C TLS client (`c/tlsgen.c`, OpenSSL). */
  client?: "tlsgen";
}

export interface PhaseResult {
  phase: number;
  secs: number;
  ops: number;
  bytes: number;
  lost: number;
  cpu: number;
  p50_us: number;
  p99_us: number;
  lat_samples: number;
  /** The TLS client only: negotiated protocol version and cipher suite. */
  protocol?: string;
  cipher?: string;
}

const MiB = 1024 * 1024;
const perSec = (p: PhaseResult): number => p.ops / p.secs;
const ops = (p: PhaseResult): number => p.ops;

function stream(id: string, transport: "tcp" | "unix"): Metric {
  return {
    id,
    title: `${transport === "tcp" ? "TCP" : "Unix stream"} echo, 1 connection, 64 KiB writes`,
    caption: "1 conn, 64 KiB writes",
    unit: "MiB/s",
    opName: "MiB",
    server: { service: "echo", transport, concurrent: false },
    loadgen: ["--mode", "stream", "--window", String(MiB)],
    value: (p) => p.bytes / MiB / p.secs,
    ops: (p) => p.bytes / MiB,
    latency: false,
    maxOpsPerSecond: 64 * 1024 * MiB,
  };
}

function reqResp(size: number, label: string): Metric {
  return {
    id: `rr-${label}`,
    title: `request/response ${label}, 4 connections`,
    caption: `${label === "1k" ? "1 KiB" : label === "10k" ? "10 KiB" : "100 KiB"}, 4 conns`,
    unit: "req/s",
    opName: "req",
    server: { service: "echo", transport: "tcp", concurrent: true },
    loadgen: ["--mode", "rr", "--conns", "4", "--size", String(size)],
    value: perSec,
    ops,
    latency: false,
    maxOpsPerSecond: 2_000_000,
  };
}

export const METRICS: Metric[] = [
  stream("tcp-stream", "tcp"),
  stream("unix-stream", "unix"),
  {
    // Same load as tcp-stream, over TLS; one C client (OpenSSL) for every server, pinning
    // each server's certificate by its sha256: fingerprint.
    id: "tls-stream",
    title: "TLS echo (TLS 1.3, AES-256-GCM), 1 connection, 64 KiB writes; C OpenSSL client",
    caption: "TLS 1.3, 1 conn, 64 KiB writes",
    unit: "MiB/s",
    opName: "MiB",
    server: { service: "echo", transport: "tls", concurrent: false },
    loadgen: ["--mode", "stream", "--window", String(MiB)],
    client: "tlsgen",
    value: (p) => p.bytes / MiB / p.secs,
    ops: (p) => p.bytes / MiB,
    latency: false,
    maxOpsPerSecond: 16 * 1024 * MiB,
  },
  reqResp(1024, "1k"),
  reqResp(10 * 1024, "10k"),
  reqResp(100 * 1024, "100k"),
  {
    id: "ping-pipelined",
    title: "cmd: PING pipelined, depth 100",
    caption: "cmd, PING ×100 in flight",
    unit: "lines/s",
    opName: "line",
    server: { service: "cmd", transport: "tcp", concurrent: false },
    loadgen: ["--mode", "lines", "--depth", "100", "--line", "PING\n"],
    value: perSec,
    ops,
    latency: false,
    maxOpsPerSecond: 50_000_000,
  },
  {
    id: "line-echo-pipelined",
    title: "line-echo: 32-byte lines pipelined, depth 100",
    caption: "line-echo, 32 B ×100",
    unit: "lines/s",
    opName: "line",
    server: { service: "line-echo", transport: "tcp", concurrent: false },
    loadgen: ["--mode", "lines", "--depth", "100", "--line", "the quick brown fox jumps over.\n"],
    value: perSec,
    ops,
    latency: false,
    maxOpsPerSecond: 50_000_000,
  },
  {
    id: "ping-1",
    title: "cmd: PING, 1 outstanding",
    caption: "cmd, 1 in flight",
    unit: "req/s",
    opName: "req",
    server: { service: "cmd", transport: "tcp", concurrent: false },
    loadgen: ["--mode", "lines", "--depth", "1", "--line", "PING\n"],
    value: perSec,
    ops,
    latency: true,
    maxOpsPerSecond: 2_000_000,
  },
  {
    id: "ping-1-c",
    title: "cmd: PING, 1 outstanding, blocking C client (write, read; no epoll)",
    caption: "cmd, 1 in flight, blocking client",
    unit: "req/s",
    opName: "req",
    server: { service: "cmd", transport: "tcp", concurrent: false },
    loadgen: ["--mode", "ping", "--line", "PING\n"],
    value: perSec,
    ops,
    latency: true,
    maxOpsPerSecond: 2_000_000,
  },
  {
    id: "udp-1",
    title: "UDP echo, 64 B, 1 in flight",
    caption: "64 B, 1 in flight",
    unit: "rt/s",
    opName: "rt",
    server: { service: "echo", transport: "udp", concurrent: false },
    loadgen: ["--mode", "udp", "--size", "64", "--depth", "1"],
    value: perSec,
    ops,
    latency: true,
    maxOpsPerSecond: 2_000_000,
  },
  {
    id: "udp-16",
    title: "UDP echo, 64 B, 16 in flight",
    caption: "64 B, 16 in flight",
    unit: "rt/s",
    opName: "rt",
    server: { service: "echo", transport: "udp", concurrent: false },
    loadgen: ["--mode", "udp", "--size", "64", "--depth", "16"],
    value: perSec,
    ops,
    latency: false,
    maxOpsPerSecond: 5_000_000,
  },
  ...[1, 16].map(
    (depth): Metric => ({
      id: `unix-dgram-${depth}`,
      title: `Unix datagram echo, 64 B, ${depth} in flight (client autobinds)`,
      caption: `64 B, ${depth} in flight`,
      unit: "rt/s",
      opName: "rt",
      server: { service: "echo", transport: "unix-dgram", concurrent: false },
      loadgen: ["--mode", "udp", "--size", "64", "--depth", String(depth)],
      value: perSec,
      ops,
      latency: depth === 1,
      maxOpsPerSecond: 5_000_000,
    }),
  ),
  {
    id: "fd-pass",
    title: "fd service (B4): connect, receive FD + descriptor (SCM_RIGHTS), close",
    caption: "B4, sequential server",
    unit: "conn/s",
    opName: "conn",
    server: { service: "fd", transport: "unix", concurrent: false },
    loadgen: ["--mode", "fd"],
    value: perSec,
    ops,
    latency: true,
    maxOpsPerSecond: 100_000,
  },
  {
    id: "conn-seq",
    title: "sequential server: connect, 1 byte echoed, close",
    caption: "sequential echo",
    unit: "conn/s",
    opName: "conn",
    server: { service: "echo", transport: "tcp", concurrent: false },
    loadgen: ["--mode", "conn"],
    value: perSec,
    ops,
    latency: true,
    maxOpsPerSecond: 100_000,
  },
];
