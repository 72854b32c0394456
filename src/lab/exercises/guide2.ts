/**
 * Guide 2 (`seeds/002_…`): TCP line echo and its client, the command server with `ERR`,
 * UDP echo on all interfaces, TCP over IPv6, dual-stack, and recv_all.
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { LabSkip } from "../context.js";
import { hasIPv6Loopback } from "../helpers.js";
import { bytes, quote } from "../report.js";
import { commandSession } from "./internet-servers.js";
import { NL, type Exercise } from "./types.js";

const LOOPBACK = "tcp://127.0.0.1:0";

export const ex2_1: Exercise = {
  id: "2.1",
  guide: 2,
  title: "TCP/IPv4 — Servidor eco simple (secuencial), por líneas",
  gloss: "TCP line-echo server (eco: …)",
  story: [
    "Servidor: socket() → bind() → listen() → accept(); por conexión acumula lo que traen los recv() en un buffer y extrae cada línea completa (hasta \\n), le quita un \\r final y responde \"eco: <línea>\\n\" con sendall().",
    "TCP no conserva límites: una línea puede llegar partida en varios recv() y varias líneas pueden llegar en uno solo. El lab prueba las dos cosas, más una última línea sin \\n antes de EOF (recv() = 0), que también se contesta.",
  ],
  async run(ctx) {
    const server = await ctx.server("servidor", ["serve", "line-echo", LOOPBACK]);
    const batch = await ctx.run("cliente 1", ["connect", server.address, "--send", `hola\\r${NL}mundo${NL}`, "--send", "fin", "--half-close"]);
    ctx.exitCode(batch, 0);
    ctx.stdoutIs(batch, "eco: hola\neco: mundo\neco: fin\n");
    const split = ctx.spawn("cliente 2", ["connect", server.address], { stdin: "pipe" });
    for (const piece of ["pri", "mera\nseg", "unda\n"]) {
      ctx.say(`el lab escribe ${quote(piece)} en la stdin del cliente 2 (una línea partida en varios send())`);
      split.write(piece);
      await ctx.sleep(120);
    }
    split.end();
    await ctx.finished(split, 0, "eco: primera\neco: segunda\n");
    ctx.exchange(`→ "hola\\r\\nmundo\\nfin" ← "eco: hola\\neco: mundo\\neco: fin\\n"; "pri|mera\\nseg|unda\\n" ← 2 lines`);
  },
};

export const ex2_1c: Exercise = {
  id: "2.1c",
  guide: 2,
  title: "Cliente TCP (IPv4)",
  gloss: "TCP client: lines, half-close, read to EOF",
  story: [
    "El cliente hace connect(), envía \"hola\\n\", \"mundo\\n\", \"fin\\n\" con sendall() y shutdown(SHUT_WR) (FIN: no envía más). Después recv() en bucle hasta 0 bytes: el servidor contesta cada línea y, al ver EOF, cierra.",
  ],
  async run(ctx) {
    const server = await ctx.server("servidor", ["serve", "line-echo", LOOPBACK]);
    const client = await ctx.run("cliente", [
      "connect", server.address, "--send", "hola", "--send", "mundo", "--send", "fin", "--lines", "--half-close",
    ]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, "eco: hola\neco: mundo\neco: fin\n");
    ctx.exchange(`→ "hola\\nmundo\\nfin\\n" + FIN ← "eco: hola\\neco: mundo\\neco: fin\\n"`);
  },
};

export const ex2_2: Exercise = {
  id: "2.2",
  guide: 2,
  title: "TCP/IPv4 — Servidor medio: mini-protocolo de comandos",
  gloss: "TCP command server (unknown → ERR)",
  story: [
    "El mismo ciclo socket() → bind() → listen() → accept() y lectura por líneas que el #11 de la guía 1, con una diferencia de protocolo: un comando desconocido recibe \"ERR\\n\" (socklab: serve cmd --err ERR).",
  ],
  async run(ctx) {
    ctx.exchange(await commandSession(ctx, "ERR", ["--err", "ERR"]));
  },
};

export const ex2_3: Exercise = {
  id: "2.3",
  guide: 2,
  title: "UDP/IPv4 — Servidor eco y su cliente",
  gloss: "UDP echo (the guide binds all interfaces; the lab stays on loopback)",
  story: [
    "La guía hace bind((\"0.0.0.0\", puerto)): recibir en todas las interfaces IPv4 (`socklab serve echo udp://0.0.0.0:9201`). El laboratorio no abre servidores hacia la red: usa 127.0.0.1, que para el socket es lo mismo salvo por las interfaces. Luego recvfrom() → sendto() al remitente. El cliente envía \"ping\" y muestra la respuesta y de dónde vino.",
  ],
  async run(ctx) {
    const server = await ctx.server("servidor", ["serve", "echo", "udp://127.0.0.1:0"]);
    ctx.check(/^udp:\/\/127\.0\.0\.1:\d+$/.test(server.address), `readiness line says ${server.address}, expected udp://127.0.0.1:PORT`);
    const target = `udp://127.0.0.1:${server.port}`;
    const client = await ctx.run("cliente", ["connect", target, "--send", "ping"]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, "ping");
    const reply = client.eventsOf("reply")[0];
    ctx.check(
      reply?.peer === target && reply.bytes === 4,
      `client reply event ${JSON.stringify(reply)}, expected 4 bytes from ${target}`,
    );
    ctx.exchange(`→ "ping" ← "ping" from ${target}`);
  },
};

async function needIPv6(): Promise<void> {
  if (!(await hasIPv6Loopback())) throw new LabSkip("no IPv6 loopback (::1) on this machine");
}

export const ex2_4: Exercise = {
  id: "2.4",
  guide: 2,
  title: "TCP/IPv6 — Servidor eco y cliente",
  gloss: "TCP echo over IPv6 (::1)",
  story: [
    "Los mismos pasos con AF_INET6: socket(AF_INET6, SOCK_STREAM) → bind((\"::1\", puerto)) → listen() → accept(). La dirección del cliente es una tupla IPv6 (ip, puerto, flowinfo, scope_id).",
  ],
  async run(ctx) {
    await needIPv6();
    const server = await ctx.server("servidor", ["serve", "echo", "tcp://[::1]:0"]);
    const client = await ctx.run("cliente", ["connect", server.address, "--send", "hola ipv6", "--lines"]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, "hola ipv6\n");
    const peers = server.proc.eventsOf("accepted").map((e) => e.peer);
    ctx.check(
      peers.some((p) => /^tcp:\/\/\[::1\]:\d+$/.test(p)),
      `the server accepted ${JSON.stringify(peers)}, expected a client at tcp://[::1]:PORT`,
    );
    ctx.exchange(`${server.address} → "hola ipv6\\n" ← "hola ipv6\\n"`);
  },
};

export const ex2_5: Exercise = {
  id: "2.5",
  guide: 2,
  title: "TCP dual-stack (cuando el SO lo permite)",
  gloss: "dual-stack: one IPv6 socket, IPv4 and IPv6 clients",
  story: [
    "Un solo socket AF_INET6 con setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0) y bind((\"::\", puerto)) acepta clientes IPv6 y también IPv4: estos aparecen como direcciones IPv4-mapeadas, ::ffff:127.0.0.1.",
    "El servidor hace accept() y envía \"hola dual\\n\" a cada uno; el lab conecta por 127.0.0.1 y por ::1 al mismo puerto. (Es el único ejercicio que escucha en todas las interfaces, como pide la guía; el tráfico es sólo de loopback.)",
  ],
  async run(ctx) {
    await needIPv6();
    const server = await ctx.server("servidor", ["serve", "greet", "tcp://[::]:0", "--dual-stack"]);
    const v4 = await ctx.run("cliente IPv4", ["connect", `tcp://127.0.0.1:${server.port}`]);
    ctx.exitCode(v4, 0);
    ctx.stdoutIs(v4, "hola dual\n");
    const v6 = await ctx.run("cliente IPv6", ["connect", `tcp://[::1]:${server.port}`]);
    ctx.exitCode(v6, 0);
    ctx.stdoutIs(v6, "hola dual\n");
    const fellBack = server.proc.eventsOf("note").some((n) => n.note === "dual-stack-fallback");
    const peers = server.proc.eventsOf("accepted").map((e) => e.peer);
    if (!fellBack) {
      ctx.check(
        peers.some((p) => /^tcp:\/\/\[::ffff:127\.0\.0\.1\]:\d+$/.test(p)),
        `the IPv4 client was not accepted as tcp://[::ffff:127.0.0.1]:PORT (accepted ${JSON.stringify(peers)})`,
      );
    }
    ctx.check(
      peers.some((p) => /^tcp:\/\/\[::1\]:\d+$/.test(p)),
      `the IPv6 client was not accepted as tcp://[::1]:PORT (accepted ${JSON.stringify(peers)})`,
    );
    ctx.exchange(
      `127.0.0.1 ← "hola dual\\n" (seen as ${fellBack ? "127.0.0.1, two listeners" : "::ffff:127.0.0.1"}); ::1 ← "hola dual\\n"`,
    );
  },
};

/** The library-based recv_all client (compiled next to this file's parent). */
const RECV_ALL_CLIENT = fileURLToPath(new URL("../recv-all-client.js", import.meta.url));

export const ex2_6: Exercise = {
  id: "2.6",
  guide: 2,
  title: "Apéndice: patrón de lectura robusta (recv_all)",
  gloss: "read until EOF or exactly N bytes",
  story: [
    "recv_all(sock, nbytes=None): recv() en bucle acumulando trozos hasta que recv() devuelve 0 (EOF) o, si se pidió, hasta tener exactamente nbytes; en ese caso no espera el cierre del peer y no lee ni un byte de más.",
    "Hasta EOF lo hace socklab connect; \"exactamente N\" no tiene opción en la CLI, así que lo hace un pequeño cliente sobre la biblioteca (recvAll de socklab), en otro proceso.",
  ],
  async run(ctx) {
    const whole = randomBytes(200 * 1024);
    const nc1 = await ctx.server("nc (hasta EOF)", ["listen", LOOPBACK], { stdin: whole });
    const reader = await ctx.run("cliente hasta EOF", ["connect", nc1.address]);
    ctx.exitCode(reader, 0);
    ctx.check(
      reader.stdout.equals(whole),
      `read until EOF: got ${reader.stdout.length} bytes, expected ${whole.length} identical bytes`,
    );
    await ctx.finished(nc1.proc, 0);

    const n = 100;
    const offered = randomBytes(1000);
    const nc2 = await ctx.server("nc (sin cerrar)", ["listen", LOOPBACK], { stdin: "pipe" });
    ctx.say(`el lab escribe ${offered.length} bytes en la stdin de nc y NO la cierra: el peer no envía EOF`);
    nc2.proc.write(offered);
    const exact = await ctx.run("cliente exactamente N", [nc2.address, String(n)], { script: RECV_ALL_CLIENT });
    ctx.exitCode(exact, 0);
    ctx.stdoutIs(exact, offered.subarray(0, n));
    // nc never got EOF on its stdin, so it never sent FIN: the client stopped at N by itself.
    // (It closed with 900 bytes unread, so nc may see a reset; its exit status is not checked.)
    nc2.proc.end();
    ctx.exchange(`until EOF ← ${bytes(whole.length)} identical; exactly ${n} of ${offered.length} ← ${n} bytes, no EOF needed`);
  },
};

export const guide2Exercises: Exercise[] = [ex2_1, ex2_1c, ex2_2, ex2_3, ex2_4, ex2_5, ex2_6];
