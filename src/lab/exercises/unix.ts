/**
 * The Unix-domain exercises: guide 1 #1 (stream client, peer nc -lU) and the bonus B1–B4
 * (datagram echo, abstract namespace, SO_PEERCRED, SCM_RIGHTS). Socket files live in the
 * lab's private temporary directory; abstract names are random, so runs never collide.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { LabSkip } from "../context.js";
import { quote } from "../report.js";
import { NL, ncAnswers, type Exercise } from "./types.js";

/**
 * B1–B4 need Linux (the native addon: Unix datagrams, exact abstract names, SO_PEERCRED,
 * SCM_RIGHTS). Elsewhere they are skipped, visibly; on Linux a missing feature is a failure.
 */
function needLinux(): void {
  if (process.platform !== "linux") throw new LabSkip(`needs Linux (this is ${process.platform})`);
}

export const ex1: Exercise = {
  id: "1",
  guide: 1,
  title: "Cliente UDS STREAM (eco local)",
  gloss: "Unix stream client",
  story: [
    "Como TCP pero local: socket(AF_UNIX, SOCK_STREAM) y connect() a una ruta del sistema de archivos, donde nc -lU hizo bind() (crea el archivo-socket), listen() y accept().",
    "El cliente envía \"hola desde UDS\\n\" con sendall() y hace un recv(): bloquea hasta que la persona en nc teclea algo. Si no hay archivo en esa ruta, connect() falla con ENOENT: nadie escucha ahí.",
  ],
  async run(ctx) {
    const path = ctx.tmp("eco.sock");
    const nc = await ctx.server("nc -U", ["listen", `unix:${path}`], { stdin: "pipe" });
    const client = ctx.spawn("cliente", ["connect", `unix:${path}`, "--send", `hola desde UDS${NL}`]);
    await ncAnswers(ctx, nc.proc, "hola desde UDS\n", "hola desde nc\n");
    await ctx.finished(client, 0, "hola desde nc\n");
    await ctx.finished(nc.proc, 0, "hola desde UDS\n");
    ctx.check(!existsSync(path), `nc (socklab listen) exited but left its socket file ${path} behind`);
    // The guide's first check: a missing path must say that nobody listens there.
    const missing = ctx.tmp("no-existe.sock");
    const lost = await ctx.run("cliente sin servidor", ["connect", `unix:${missing}`, "--send", "hola"]);
    ctx.exitCode(lost, 1);
    const gaveUp = lost.lastError();
    const attempt = lost.eventsOf("attempt-failed")[0];
    ctx.check(
      attempt?.code === "ENOENT" && (gaveUp?.address ?? "").includes(missing),
      `connect to a missing path: attempt ${JSON.stringify(attempt)}, error ${JSON.stringify(gaveUp)}; expected ENOENT (nobody listens there) naming ${missing}`,
    );
    ctx.exchange(`→ "hola desde UDS\\n" ← "hola desde nc\\n"; missing path: exit 1, "not found"`);
  },
};

export const exB1: Exercise = {
  id: "B1",
  guide: 1,
  title: "UDS DATAGRAM (eco local)",
  gloss: "Unix datagram echo",
  story: [
    "socket(AF_UNIX, SOCK_DGRAM): como UDP pero local y confiable (no se pierden ni se reordenan datagramas). El servidor hace bind() a una ruta y en bucle recvfrom() → sendto() al remitente.",
    "Para que haya respuesta, el cliente necesita una dirección propia: hace bind() a su propia ruta (como en la guía) o, sin ruta, el kernel le asigna un nombre abstracto automático (autobind). Node no tiene sockets Unix de datagramas: socklab usa su addon nativo.",
  ],
  async run(ctx) {
    needLinux();
    const path = ctx.tmp("uds_dgram_srv");
    const cli = ctx.tmp("uds_dgram_cli");
    const server = await ctx.server("servidor", ["serve", "echo", `unix-dgram:${path}`]);
    const bound = await ctx.run("cliente (bind)", ["connect", server.address, "--send", "hola", "--bind", cli]);
    ctx.exitCode(bound, 0);
    ctx.stdoutIs(bound, "hola");
    const reply = bound.eventsOf("reply")[0];
    ctx.check(
      reply?.peer === server.address && reply.bytes === 4,
      `client reply event ${JSON.stringify(reply)}, expected 4 bytes from ${server.address}`,
    );
    const senders = server.proc.eventsOf("datagram-in").map((e) => e.peer);
    ctx.check(
      senders.some((peer) => peer.includes(cli)),
      `the server's datagram-in events name ${JSON.stringify(senders)} as senders, not the client's path ${cli}`,
    );
    const auto = await ctx.run("cliente (autobind)", ["connect", server.address, "--send", "hola autobind"]);
    ctx.exitCode(auto, 0);
    ctx.stdoutIs(auto, "hola autobind");
    ctx.exchange(`→ "hola" from ${cli.split("/").pop()} ← "hola"; autobind → "hola autobind" ← same`);
  },
};

export const exB2: Exercise = {
  id: "B2",
  guide: 1,
  title: "Abstract namespace (Linux)",
  gloss: "abstract-namespace Unix socket",
  story: [
    "Un nombre que empieza con el byte \\0 vive en el espacio abstracto de Linux: bind() no crea ningún archivo, el nombre desaparece cuando se cierra el socket y el tamaño de la dirección (addrlen) cuenta: el nombre son exactamente esos bytes, sin relleno.",
    "El servidor hace bind(\"\\0nombre\") → listen() → accept() y envía \"hola abstract\\n\"; el cliente hace connect(\"\\0nombre\") y recv().",
  ],
  async run(ctx) {
    needLinux();
    const name = `socklab-lab-${randomBytes(4).toString("hex")}`;
    const server = await ctx.server("servidor", ["serve", "greet", `abstract:${name}`, "--text", `hola abstract${NL}`]);
    // /proc/net/unix shows abstract names with a leading @; a padded name would show NULs as @ too.
    const table = readProcNetUnix();
    if (table !== undefined && table.includes(`@${name}`)) {
      ctx.check(
        table.split("\n").some((l) => l.endsWith(` @${name}`)),
        `the abstract name is bound padded (see /proc/net/unix): other programs cannot reach @${name}`,
      );
    }
    const client = await ctx.run("cliente", ["connect", server.address]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, "hola abstract\n");
    ctx.check(!existsSync(name) && !existsSync(ctx.tmp(name)), `a file named ${name} appeared on disk`);
    ctx.exchange(`@${name} ← "hola abstract\\n" (no file on disk)`);
  },
};

function readProcNetUnix(): string | undefined {
  try {
    return readFileSync("/proc/net/unix", "utf8");
  } catch {
    return undefined;
  }
}

export const exB3: Exercise = {
  id: "B3",
  guide: 1,
  title: "SO_PEERCRED — obtener UID/GID/PID del peer",
  gloss: "peer credentials (SO_PEERCRED)",
  story: [
    "En un socket Unix conectado, getsockopt(SOL_SOCKET, SO_PEERCRED) devuelve el pid, uid y gid del proceso del otro lado, tal como los vio el kernel en connect(): no se pueden falsificar desde el cliente.",
    "El servidor hace accept(), lee las credenciales, las registra y responde \"Hola UID=<uid> PID=<pid>\\n\". El lab comprueba que el PID es el del proceso cliente que él mismo lanzó.",
  ],
  async run(ctx) {
    needLinux();
    const path = ctx.tmp("peercred.sock");
    const server = await ctx.server("servidor", ["serve", "peercred", `unix:${path}`]);
    const client = await ctx.run("cliente", ["connect", server.address]);
    ctx.exitCode(client, 0);
    const uid = process.getuid?.() ?? 0;
    const expected = `Hola UID=${uid} PID=${client.pid}\n`;
    ctx.stdoutIs(client, expected);
    const cred = server.proc.eventsOf("peer-credentials")[0];
    ctx.check(
      cred !== undefined && cred.pid === client.pid && cred.uid === uid,
      `the server's peer-credentials event ${JSON.stringify(cred)} does not show the client's pid ${client.pid} and uid ${uid}`,
    );
    ctx.exchange(`← ${quote(expected)} (pid = the client process)`);
  },
};

export const exB4: Exercise = {
  id: "B4",
  guide: 1,
  title: "SCM_RIGHTS — pasar descriptores de archivo entre procesos",
  gloss: "pass a file descriptor (SCM_RIGHTS)",
  story: [
    "Con sendmsg() y un mensaje de control SOL_SOCKET/SCM_RIGHTS, un proceso \"presta\" un descriptor abierto a otro: el kernel instala en el receptor un descriptor nuevo que apunta al mismo archivo abierto.",
    "El servidor hace accept() y sendmsg([b\"FD\"], [(SOL_SOCKET, SCM_RIGHTS, fd)]); el cliente hace recvmsg() con espacio para datos auxiliares, saca el descriptor, lseek() al inicio y read(): lee el archivo sin haberlo abierto él.",
  ],
  async run(ctx) {
    needLinux();
    const file = ctx.tmp("compartido.txt");
    const content = `archivo compartido por SCM_RIGHTS ${randomBytes(3).toString("hex")}\n`;
    writeFileSync(file, content);
    const server = await ctx.server("servidor", ["serve", "fd", `unix:${ctx.tmp("fdpass.sock")}`, "--file", file]);
    const client = await ctx.run("cliente", ["recv-fd", server.address]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, content);
    ctx.exchange(`← "FD" + the fd of ${file.split("/").pop()}; read through it: ${quote(content, 60)}`);
  },
};

export const unixExercises: Exercise[] = [ex1, exB1, exB2, exB3, exB4];
