/**
 * Guide 1, level 2: sequential Internet servers (exercises 10–14), each against a socklab
 * client playing the guide's client (#2, #3, #7, #8).
 */
import { ensure, type LabContext } from "../context.js";
import { checkLocalTime } from "../helpers.js";
import { quote } from "../report.js";
import { NL, type Exercise } from "./types.js";

const LOOPBACK = "tcp://127.0.0.1:0";

export const ex10: Exercise = {
  id: "10",
  guide: 1,
  title: "Servidor TCP eco (secuencial)",
  gloss: "sequential TCP echo server",
  story: [
    "El servidor hace socket() → setsockopt(SO_REUSEADDR) → bind() → listen(8) y entra en el bucle: accept() devuelve un socket nuevo para un cliente; con él hace recv()/sendall() (eco) hasta que recv() devuelve 0 (el cliente cerró), close() y vuelta a accept().",
    "Es secuencial: mientras atiende al cliente 1, el cliente 2 ya completó el handshake (el kernel lo dejó en la cola de listen, el backlog) pero nadie llamó a accept() por él: espera su turno sin recibir nada.",
  ],
  async run(ctx) {
    const server = await ctx.server("servidor", ["serve", "echo", LOOPBACK]);
    const first = ctx.spawn("cliente 1", ["connect", server.address], { stdin: "pipe" });
    ctx.say("el lab escribe \"primero\\n\" en la stdin del cliente 1 y deja la conexión abierta");
    first.write("primero\n");
    await ctx.stdout(first, (o) => o.length >= 8, 'the echo "primero\\n" on client 1');
    const second = ctx.spawn("cliente 2", ["connect", server.address, "--send", "hola mundo", "--lines", "-v"]);
    // -v names the address once connected; then give the server every chance to misbehave.
    const connected = (await ctx.maybeEvent(second, "connected", 3000)) !== undefined;
    await ctx.sleep(400);
    ctx.check(second.running, `client 2 finished while client 1 was still connected (${quote(second.stdout)}): the server is not sequential`);
    ctx.check(
      second.stdoutBytes === 0,
      `client 2 got ${quote(second.stdout)} while client 1 was still connected: the server is not sequential`,
    );
    const accepts = server.proc.eventsOf("accepted").length;
    ctx.check(accepts <= 1, `the server logged ${accepts} accepts while serving client 1 (expected 1: sequential)`);
    ctx.say("el lab cierra la stdin del cliente 1 (Ctrl-D): el cliente hace shutdown(SHUT_WR)");
    first.end();
    await ctx.finished(first, 0, "primero\n");
    await ctx.finished(second, 0, "hola mundo\n");
    ctx.exchange(
      `c1 → "primero\\n" ← same; c2 waited${connected ? " (connected, queued)" : ""}, then → "hola mundo\\n" ← same`,
    );
  },
};

/** The four commands of guide 1 #11 / guide 2 §2 and what must come back. */
async function commandSession(ctx: LabContext, unknownReply: string, extra: string[] = []): Promise<string> {
  const server = await ctx.server("servidor", ["serve", "cmd", LOOPBACK, ...extra]);
  const client = await ctx.run("cliente", [
    "connect", server.address, "--send", "PING", "--send", "ECHO hola", "--send", "TIME", "--send", "FOO", "--lines", "--half-close",
  ]);
  ctx.exitCode(client, 0);
  const out = client.stdout.toString("utf8");
  const lines = out.split("\n");
  ctx.check(
    lines.length === 5 && lines[4] === "",
    `expected 4 reply lines each ending in \\n, got ${quote(client.stdout, 100)}`,
  );
  ctx.check(lines[0] === "PONG", `PING → ${quote(`${lines[0]}\n`)}, expected "PONG\\n"`);
  ctx.check(lines[1] === "hola", `ECHO hola → ${quote(`${lines[1]}\n`)}, expected "hola\\n"`);
  const bad = checkLocalTime(lines[2] ?? "", true);
  ctx.check(bad === undefined, `TIME → ${bad}`);
  ctx.check(lines[3] === unknownReply, `FOO → ${quote(`${lines[3]}\n`)}, expected ${quote(`${unknownReply}\n`)}`);
  return `→ PING, ECHO hola, TIME, FOO ← ${quote(out, 70)}`;
}

export const ex11: Exercise = {
  id: "11",
  guide: 1,
  title: "Servidor TCP por líneas con comandos",
  gloss: "TCP line-command server (PING/ECHO/TIME)",
  story: [
    "Servidor: socket() → bind(127.0.0.1, puerto) → listen() → accept(). Con el socket del cliente lee línea a línea: cada recv() trae un trozo del flujo, y el servidor lo corta en \\n (una línea puede llegar partida o varias juntas).",
    "Por cada línea (sin espacios alrededor): PING → \"PONG\\n\", \"ECHO x\" → \"x\\n\", TIME → la hora local \"YYYY-mm-dd HH:MM:SS\\n\", otra cosa → \"ERR desconocido\\n\", cada respuesta con send().",
    "El cliente (el #3 de la guía) envía las cuatro líneas, hace shutdown(SHUT_WR) y lee hasta EOF; el servidor ve recv() = 0, responde lo pendiente y hace close(): el cliente recibe EOF y termina.",
  ],
  async run(ctx) {
    ctx.exchange(await commandSession(ctx, "ERR desconocido"));
  },
};

export const ex12: Exercise = {
  id: "12",
  guide: 1,
  title: "Servidor TCP con timeout de inactividad",
  gloss: "TCP echo server with idle timeout",
  story: [
    "Igual que el eco secuencial, pero el socket de cada cliente tiene un timeout (settimeout): si recv() pasa ese tiempo sin recibir nada, el servidor registra la inactividad y cierra la conexión (close()), liberando el turno para el siguiente cliente.",
    "El lab usa 1 s en vez de 10: el cliente envía \"hola\\n\", recibe el eco y se queda callado; al segundo el servidor cierra y el cliente ve EOF.",
  ],
  async run(ctx) {
    const server = await ctx.server("servidor", ["serve", "echo", LOOPBACK, "--idle-timeout", "1"]);
    const client = ctx.spawn("cliente", ["connect", server.address, "--send", "hola", "--lines", "--until-close"]);
    await ctx.stdout(client, (o) => o.length >= 5, 'the echo "hola\\n"');
    const echoedAt = Date.now();
    await ctx.exit(client);
    const idle = (Date.now() - echoedAt) / 1000;
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, "hola\n");
    const timeout = await ctx.event(server.proc, "idle-timeout", "the server's idle-timeout event");
    ctx.check(idle >= 0.7 && idle < 4, `the connection was closed ${idle.toFixed(1)} s after the last data, expected about 1 s`);
    ctx.exchange(`→ "hola\\n" ← "hola\\n", silence, closed after ${idle.toFixed(1)}s (server: idle-timeout ${timeout.seconds}s)`);
  },
};

export const ex13: Exercise = {
  id: "13",
  guide: 1,
  title: "Servidor UDP eco",
  gloss: "UDP echo server",
  story: [
    "Servidor UDP: socket(AF_INET, SOCK_DGRAM) → bind(); no hay listen() ni accept(). Cada recvfrom() devuelve un datagrama entero y la dirección de quien lo mandó, y sendto() devuelve el mismo datagrama a esa dirección.",
    "Cada --send del cliente es un datagrama distinto: los límites se conservan (a diferencia de TCP), también con bytes binarios.",
  ],
  async run(ctx) {
    const server = await ctx.server("servidor", ["serve", "echo", "udp://127.0.0.1:0"]);
    const client = await ctx.run("cliente", ["connect", server.address, "--send", "ping", "--send", "hola udp", "--send", "\\x00\\xff\\n"]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, Buffer.concat([Buffer.from("pinghola udp"), Buffer.from([0x00, 0xff, 0x0a])]));
    const replies = client.eventsOf("reply").map((e) => `${e.peer} ${e.bytes}`);
    const want = [4, 8, 3].map((size) => `${server.address} ${size}`);
    ctx.check(
      replies.join(",") === want.join(","),
      `client reply events: ${JSON.stringify(replies)}, expected 3 replies of 4, 8, 3 bytes from ${server.address}`,
    );
    ctx.exchange(`→ "ping", "hola udp", "\\0\\xff\\n" ← the same 3 datagrams`);
  },
};

export const ex14: Exercise = {
  id: "14",
  guide: 1,
  title: "Servidor UDP “TIME”",
  gloss: "UDP TIME server",
  story: [
    "Servidor UDP: bind() y un bucle de recvfrom(). Decodifica el datagrama, le quita espacios y saltos de línea (strip): si es TIME responde con sendto() la hora local \"HH:MM:SS\" (sin \\n); si no, \"ERR\\n\".",
  ],
  async run(ctx) {
    const server = await ctx.server("servidor", ["serve", "time", "udp://127.0.0.1:0"]);
    const client = await ctx.run("cliente", ["connect", server.address, "--send", "TIME", "--send", ` TIME${NL}`, "--send", "FOO"]);
    ctx.exitCode(client, 0);
    const out = client.stdout.toString("utf8");
    const m = /^(\d\d:\d\d:\d\d)(\d\d:\d\d:\d\d)ERR\n$/.exec(out);
    ensure(m, `expected "HH:MM:SS" "HH:MM:SS" "ERR\\n" (3 datagrams), got ${quote(client.stdout, 80)}`);
    for (const t of [m[1] ?? "", m[2] ?? ""]) {
      const bad = checkLocalTime(t, false);
      ctx.check(bad === undefined, `TIME reply: ${bad}`);
    }
    ctx.exchange(`→ "TIME", " TIME\\n", "FOO" ← "${m[1]}", "${m[2]}", "ERR\\n"`);
  },
};

export const internetServers: Exercise[] = [ex10, ex11, ex12, ex13, ex14];
export { commandSession };
