/**
 * Step-by-step narration of one exercise (`socklab lab 11`, or `--verbose`), in Spanish:
 * the exercise's own explanation, then every event in time order — what the lab did, and
 * each line the server and client printed with `--trace` — each kind of step explained,
 * the first time it appears for each process, in terms of the socket calls
 * (socket/bind/listen/accept/connect/recv/send/shutdown/close).
 */
import { parseAddress } from "../address.js";
import type { EventOf, EventType, SocklabEvent } from "../events.js";
import { formatEvent } from "../i18n/format.js";
import type { LabEvent } from "./context.js";
import type { Exercise } from "./exercises/index.js";
import { quote, type ResultRow } from "./report.js";

const WRAP = 96;

function wrap(text: string, indent: string, width = WRAP): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (word === "") continue;
    if (line !== "" && [...line].length + 1 + [...word].length > width - indent.length) {
      out.push(indent + line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") out.push(indent + line);
  return out;
}

/** What a `listening ADDRESS` line means, by address family. */
function explainListening(address: string): string {
  let kind = "";
  try {
    kind = parseAddress(address).kind;
  } catch {
    /* unknown form: generic text */
  }
  switch (kind) {
    case "tcp": {
      const fam = address.includes("[") ? "AF_INET6" : "AF_INET";
      return `socket(${fam}, SOCK_STREAM) → setsockopt(SO_REUSEADDR) → bind() → listen(): desde ahora el kernel completa handshakes y encola conexiones (backlog) aunque nadie llame a accept() todavía. Con el puerto 0 el kernel elige uno libre; esta línea dice el real.`;
    }
    case "udp":
      return "socket(AF_INET, SOCK_DGRAM) → bind(): listo para recvfrom(). En UDP no hay listen() ni accept(): no hay conexiones, sólo datagramas con su remitente.";
    case "unix":
      return "socket(AF_UNIX, SOCK_STREAM) → bind(ruta): crea el archivo-socket en el disco → listen().";
    case "unix-dgram":
      return "socket(AF_UNIX, SOCK_DGRAM) → bind(ruta): crea el archivo-socket; sin listen() ni accept(), cada recvfrom() trae un datagrama y la ruta de quien lo envió.";
    case "abstract":
    case "abstract-dgram":
      return "bind() a un nombre del espacio abstracto (\\0nombre): no se crea ningún archivo → listen().";
    default:
      return "el socket está creado, atado a su dirección (bind) y escuchando.";
  }
}

type Explain = (event: SocklabEvent) => string;

/** What each kind of event means at the socket level (said once per exercise). */
const EXPLAIN: Partial<Record<EventType, Explain>> = {
  listening: (e) => explainListening((e as EventOf<"listening">).address),
  note: (e) =>
    (e as EventOf<"note">).note === "dual-stack-fallback"
      ? "el sistema no permite IPV6_V6ONLY=0: el servidor usa dos sockets, uno AF_INET y otro AF_INET6, con el mismo puerto."
      : "setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0) antes de bind(): el socket IPv6 también recibe conexiones IPv4, que el kernel presenta como direcciones IPv4-mapeadas ::ffff:a.b.c.d.",
  accepted: (e) =>
    (e as EventOf<"accepted">).peer.includes("::ffff:")
      ? "accept() en el socket IPv6 devolvió un cliente IPv4: su dirección aparece IPv4-mapeada (::ffff:127.0.0.1) porque el socket es AF_INET6 con IPV6_V6ONLY=0."
      : "accept(): el kernel ya había completado el three-way handshake; accept() saca la conexión de la cola y devuelve un socket nuevo sólo para este cliente. El socket de escucha sigue escuchando.",
  queued: () =>
    "el kernel ya completó el handshake de este cliente (su connect() volvió), pero el servidor secuencial no lo atiende hasta cerrar la conexión actual — en la guía, no vuelve a llamar a accept() hasta entonces —: el cliente espera en cola (el backlog de listen()).",
  "attempt-failed": (e) =>
    (e as EventOf<"attempt-failed">).datagram
      ? "recvfrom() esperó el timeout sin que llegara nada: en UDP eso no distingue un datagrama perdido de un servidor que no existe o no contesta. El cliente vuelve a enviar el mismo datagrama con sendto()."
      : "connect() falló (ECONNREFUSED: el kernel respondió al SYN con RST porque nadie escucha en ese puerto; o venció el timeout). El cliente cierra ese socket, espera el backoff y lo intenta con un socket nuevo.",
  connected: () =>
    "connect(): SYN → SYN/ACK → ACK; cuando vuelve, la conexión está establecida (en el servidor, esperando en la cola de accept()).",
  eof: () =>
    "recv() devolvió 0 bytes: el otro lado hizo shutdown(SHUT_WR) o close() y llegó su FIN. No vendrá nada más por esta conexión.",
  received: () =>
    "recv(): copia a la aplicación lo que haya en el buffer de recepción del kernel — quizá menos de lo enviado, quizá varios envíos juntos: TCP es un flujo de bytes, no de mensajes.",
  "datagram-out": () =>
    "sendto(): un datagrama entero hacia esa dirección, en un solo envío; UDP no confirma la entrega ni conserva el orden.",
  sent: () =>
    "send(): los bytes se copian al buffer de envío del kernel, que los transmite cuando puede; que send() vuelva no significa que el otro ya los leyó.",
  "half-closed": () =>
    'shutdown(SHUT_WR): envía FIN ("no voy a enviar más") pero el socket puede seguir leyendo: es el half-close.',
  "idle-timeout": () =>
    "venció el timeout de inactividad: recv() llevaba ese tiempo sin datos, así que el servidor cierra la conexión (close()) y vuelve a accept().",
  closed: () =>
    "close(): se libera el socket de esta conexión (si no se había hecho shutdown, el kernel envía FIN). Un servidor secuencial vuelve ahora a accept() por el siguiente cliente.",
  "datagram-in": () =>
    "recvfrom(): llegó un datagrama entero, con la dirección de quien lo envió; la respuesta sale con sendto() a esa dirección.",
  reply: () => "recvfrom() en el cliente: la respuesta y la dirección desde la que se envió.",
  summary: () => "total leído con recv() en bucle hasta EOF, y la velocidad media.",
  "peer-credentials": () =>
    "getsockopt(SOL_SOCKET, SO_PEERCRED): pid, uid y gid del proceso cliente, tal como los registró el kernel al hacer connect().",
  "descriptor-sent": () =>
    "sendmsg()/recvmsg() con un mensaje de control SCM_RIGHTS: el kernel duplica el descriptor en el proceso receptor.",
  stopping: () =>
    "al recibir SIGTERM el servidor deja de aceptar (close() del socket de escucha), cierra a sus clientes, borra el archivo-socket si lo creó y termina con código 0.",
  error: () => "el error de socklab: la dirección y la causa.",
};

export function narrate(exercise: Exercise, events: readonly LabEvent[], row: ResultRow): string {
  const out: string[] = [];
  const header = `── ${exercise.id} · ${exercise.title} — paso a paso `;
  out.push("", header + "─".repeat(Math.max(4, WRAP - [...header].length)));
  for (const paragraph of exercise.story) {
    out.push(...wrap(paragraph, "  "), "");
  }
  out.push(
    ...wrap(
      "Cada línea lleva el momento en que llegó al lab (desde el inicio del ejercicio); entre procesos distintos el orden puede diferir en un milisegundo del orden real.",
      "  ",
    ),
    "",
  );
  const who = (e: LabEvent): string => (e.kind === "lab" ? "lab" : e.proc.label);
  const whoWidth = Math.min(24, Math.max(5, ...events.map((e) => [...who(e)].length)));
  const explained = new Set<string>();
  const sorted = [...events].sort((a, b) => a.at - b.at);
  for (const e of sorted) {
    const time = `+${(e.at / 1000).toFixed(3)}s`.padStart(8);
    const text =
      e.kind === "lab" ? e.text : e.kind === "stdout" ? `stdout ← ${quote(e.data, 70)}` : formatEvent(e.event.event, "es");
    if (text === "") continue;
    out.push(`  ${time}  ${who(e).padEnd(whoWidth)}  ${text}`);
    if (e.kind !== "event") continue;
    const explanation = EXPLAIN[e.event.event.type]?.(e.event.event);
    // Each explanation once per exercise (two UDP servers share one; TCP and UDP differ).
    if (explanation !== undefined && !explained.has(explanation)) {
      explained.add(explanation);
      const pad = " ".repeat(2 + 8 + 2 + whoWidth + 2);
      const lines = wrap(explanation, `${pad}  `);
      if (lines[0] !== undefined) lines[0] = `${pad}└ ${lines[0].slice(pad.length + 2)}`;
      out.push(...lines);
    }
  }
  out.push("");
  const verdict =
    row.status === "PASS"
      ? "Resultado: PASS — lo que viajó coincide byte a byte con el formato de la guía."
      : `Resultado: ${row.status} — ${row.reason ?? ""}`;
  out.push(...wrap(verdict, "  "));
  return out.join("\n");
}
