/** Mensajes en castellano, para los lectores de las guías. */
import type { Catalog } from "./catalog.js";

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

export const es: Catalog = {
  events: {
    listening: (e) => `escuchando en ${e.address}${e.fingerprint ? ` ${e.fingerprint}` : ""}`,
    note: (e) =>
      e.note === "dual-stack"
        ? "doble pila: los clientes IPv4 aparecen como ::ffff:a.b.c.d"
        : e.note === "descriptor-limit"
          ? `aviso: --max-conns ${e.maxConnections} supera lo que permite el límite de descriptores (ulimit -n ${e.limit}); pasados unos ${(e.limit ?? 0) - 64} clientes accept() falla y el sistema los cierra; suba ulimit -n`
          : `aquí no hay doble pila; también escucho en ${e.address ?? "0.0.0.0"}`,
    queued: (e) => `en espera ${e.peer} (espera su turno; ${e.waiting} en espera)`,
    accepted: (e) => `aceptado ${e.peer}`,
    refused: (e) => {
      switch (e.reason) {
        case "uid-not-allowed":
          return `rechazado ${e.peer}: el uid ${e.uid} (pid ${e.pid}) no está permitido`;
        case "credentials-unavailable":
          return `rechazado ${e.peer}: no se pudieron leer sus credenciales${e.detail ? ` (${e.detail})` : ""}`;
        case "max-conns":
          return `rechazado ${e.peer}: demasiadas conexiones${e.detail ? ` (${e.detail})` : ""}`;
        case "address-not-allowed":
          return `rechazado ${e.peer}: dirección no permitida${e.detail ? ` (${e.detail})` : ""}`;
        case "server-stopping":
          return `rechazado ${e.peer}: el servidor se está deteniendo`;
      }
    },
    connected: (e) => `conectado a ${e.address}`,
    "attempt-failed": (e, t) => {
      const why = t.cause(e.code) ?? e.message;
      if (e.datagram) {
        const what = e.code === "ETIMEDOUT" ? `sin respuesta en ${t.seconds(e.timeoutMs ?? 0)} s` : why;
        return `intento ${e.attempt}/${e.total}: ${what}${e.attempt < e.total ? "; se retransmite" : ""}`;
      }
      if (e.total === 1) return "";
      const next = e.attempt < e.total ? `; nuevo intento en ${t.seconds(e.delayMs)} s` : "";
      return `intento ${e.attempt}/${e.total} fallido: ${e.address}: ${why}${next}`;
    },
    sent: (e) => `enviados ${e.bytes} bytes a ${e.peer}`,
    received: (e) => `recibidos ${e.bytes} bytes de ${e.peer}`,
    eof: (e) => `fin de datos de ${e.peer} (cerró su lado de escritura)`,
    "half-closed": (e) => `shutdown hacia ${e.peer} (lado de escritura cerrado, FIN enviado)`,
    closed: (e) => `cerrado ${e.peer}: recibidos ${e.received}, enviados ${e.sent}`,
    "idle-timeout": (e) => `inactividad ${e.peer}: cerrado tras ${e.seconds} s sin tráfico`,
    "max-time": (e) => `tiempo máximo ${e.peer}: cerrado tras ${e.seconds} s de conexión`,
    "line-too-long": (e) => `línea demasiado larga de ${e.peer} (más de ${e.limit} bytes); se cierra`,
    "datagram-in": (e) => `datagrama de ${e.peer}: ${e.bytes} bytes`,
    "datagram-out": (e) => `sendto a ${e.peer}: ${e.bytes} bytes`,
    reply: (e) => `respuesta de ${e.peer}: ${e.bytes} bytes`,
    "peer-credentials": (e) => `credenciales de ${e.peer}: pid=${e.pid} uid=${e.uid} gid=${e.gid}`,
    "descriptor-sent": (e) => `descriptor enviado a ${e.peer}: ${e.file}`,
    "descriptors-received": (e) =>
      `${plural(e.count, "recibido", "recibidos")} ${e.count} ${plural(e.count, "descriptor", "descriptores")} con la carga ${JSON.stringify(e.payload)}` +
      (e.truncated ? "; el mensaje llegó truncado (se cerraron los descriptores de más)" : ""),
    summary: (e) => {
      const rate = e.seconds > 0 ? e.received / (1024 * 1024) / e.seconds : 0;
      return `recibidos ${e.received} bytes en ${e.seconds.toFixed(3).replace(".", ",")} s (${rate.toFixed(1).replace(".", ",")} MiB/s); enviados ${e.sent} bytes`;
    },
    dropped: (e) =>
      e.what === "log-lines"
        ? `(${e.count} líneas de registro descartadas: la salida de errores no daba abasto)`
        : `la salida estándar no da abasto: ${e.count} ${plural(e.count, "datagrama descartado", "datagramas descartados")} hasta ahora`,
    error: (e) => {
      if (e.during === "send" && e.peer) return `error al enviar a ${e.peer}: ${e.message}`;
      return e.peer ? `error ${e.peer}: ${e.message}` : `error: ${e.message}`;
    },
    stopping: (e) => (e.forced ? `deteniendo ya (${e.signal} otra vez): archivos de socket borrados, salgo sin esperar` : `deteniendo (${e.signal})`),
  },
  causes: {
    ECONNREFUSED: "conexión rechazada (no hay nada escuchando ahí)",
    ECONNRESET: "el otro extremo reinició la conexión (RST)",
    ETIMEDOUT: "se agotó el tiempo de espera",
    ENOENT: "no existe (no hay ningún servidor escuchando ahí)",
    EADDRINUSE: "la dirección ya está en uso",
    EADDRNOTAVAIL: "la dirección no existe en esta máquina",
    EACCES: "permiso denegado",
    EPERM: "operación no permitida",
    EPIPE: "tubería rota (el otro extremo cerró la conexión)",
    ENOTFOUND: "no se encontró el host",
    EAI_AGAIN: "fallo temporal al resolver el nombre del host",
    EHOSTUNREACH: "host inalcanzable",
    ENETUNREACH: "red inalcanzable",
    ENOTSOCK: "no es un socket",
    EAFNOSUPPORT: "familia de direcciones no soportada en esta máquina",
    EMSGSIZE: "mensaje demasiado largo para un solo datagrama",
    ENAMETOOLONG: "ruta de socket demasiado larga",
    ECONNABORTED: "conexión abortada",
  },
  errors: {
    unavailable: (p, t) =>
      Number(p.attempts) > 1
        ? `${p.address}: servidor no disponible tras ${p.attempts} intentos: ${t.cause(String(p.code)) ?? p.detail}`
        : `${p.address}: ${t.cause(String(p.code)) ?? p.detail}`,
    "no-response": (p, t) =>
      `${p.address}: sin respuesta tras ${p.attempts} ${plural(Number(p.attempts), "intento", "intentos")}` +
      (p.code === "ETIMEDOUT" ? "" : `: ${t.cause(String(p.code)) ?? p.code}`),
    "no-responder": (p, t) => `${p.address}: nadie respondió en ${t.seconds(Number(p.timeoutMs))} s`,
    "reply-incomplete": (p, t) => `la respuesta quedó cortada: ${t.cause(String(p.code)) ?? p.detail}`,
    usage: (p) => String(p.detail),
    "cannot-listen": (p, t) => {
      const why: Record<string, string> = {
        EADDRINUSE: "la dirección ya está en uso (otro socket escucha ahí)",
        ENOENT: `el directorio ${p.dir} no existe`,
        ENOTDIR: `${p.dir} no es un directorio`,
        EACCES: String(p.address).startsWith("tcp://") || String(p.address).startsWith("udp://")
          ? "permiso denegado (los puertos menores que 1024 requieren privilegios)"
          : `permiso denegado (no se puede crear un archivo en ${p.dir})`,
        EEXIST: "ahí hay un archivo que no es un socket; no lo reemplazo",
      };
      return `${p.address}: no se puede escuchar ahí: ${why[String(p.code)] ?? t.cause(String(p.code)) ?? p.detail}`;
    },
    "cannot-open-file": (p, t) => {
      const why: Record<string, string> = { ENOENT: "no existe ese archivo o directorio", EISDIR: "es un directorio", EACCES: "permiso denegado" };
      return `${p.option} ${p.path}: ${why[String(p.code)] ?? t.cause(String(p.code)) ?? p.detail}`;
    },
  },
  text: {
    unknownCommand: (name) => `socklab: orden desconocida "${name}"`,
    tryHelp: (command) => `Pruebe 'socklab ${command} --help'.`,
    internalError: (detail) => `socklab: error interno: ${detail}`,
    badLang: (given) => `--lang admite es o en, no "${given}"`,
  },
};
