/** Mensajes en castellano, para los lectores de las guías. */
import { ADDRESS_FORMS } from "../address.js";
import type { Catalog } from "./catalog.js";
import { helpEs } from "./help-es.js";

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/** Clases de descriptor (descriptorKind), con su artículo. */
const KINDS: Record<string, string> = {
  file: "un archivo regular",
  directory: "un directorio",
  socket: "un socket",
  pipe: "una tubería",
  "char-device": "un dispositivo de caracteres",
  "block-device": "un dispositivo de bloques",
  symlink: "un enlace simbólico",
  unknown: "un descriptor de clase desconocida",
};

/** Números de descriptor: "fd 5", "fd 5, 6, 7", una lista larga cortada en medio ("fd 5, 6, 7, …, 20"). */
function fdNumbers(fds: readonly number[]): string {
  const shown = fds.length > 6 ? [...fds.slice(0, 3), "…", fds[fds.length - 1]] : fds;
  return `fd ${shown.join(", ")}`;
}

/** Bytes for people: 512 B, 1.5 KiB, 3.2 MiB, 1.0 GiB. */
function humanBytes(n: number, comma = false): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const text = u === 0 ? String(v) : v.toFixed(1);
  return `${comma ? text.replace(".", ",") : text} ${units[u]}`;
}

/** Seconds as M:SS (or H:MM:SS). */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export const es: Catalog = {
  events: {
    listening: (e) => `escuchando en ${e.address}${e.fingerprint ? ` ${e.fingerprint}` : ""}`,
    note: (e) =>
      e.note === "dual-stack"
        ? "doble pila: los clientes IPv4 aparecen como ::ffff:a.b.c.d"
        : e.note === "scan-tls-plain"
          ? "tls://: los puertos se prueban con un connect TCP simple (sin negociación TLS); abierto significa que acepta TCP"
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
    "connect-attempt": (e, t) => {
      switch (e.state) {
        case "trying":
          return `probando ${e.address} (a los ${e.ms} ms)`;
        case "connected":
          return `conectado a ${e.address} tras ${e.ms} ms`;
        case "failed":
          return `intento ${e.address} fallido: ${(e.code && t.cause(e.code)) ?? e.message ?? e.code} (a los ${e.ms} ms)`;
        case "cancelled":
          return `intento ${e.address} cancelado: otra dirección conectó antes (a los ${e.ms} ms)`;
      }
    },
    progress: (e) => {
      const rate = e.seconds > 0 ? (e.sent + e.received) / e.seconds : 0;
      let line = `enviados ${humanBytes(e.sent, true)}, recibidos ${humanBytes(e.received, true)}, ${humanBytes(Math.round(rate), true)}/s, ${clock(e.seconds)}`;
      if (e.size !== undefined && e.size > 0) {
        const pct = Math.min(100, Math.floor((e.sent / e.size) * 100));
        const sendRate = e.seconds > 0 ? e.sent / e.seconds : 0;
        const left = sendRate > 0 ? clock((e.size - e.sent) / sendRate) : "?";
        line += `, ${pct}% de ${humanBytes(e.size, true)}, faltan ${left}`;
      }
      return line;
    },
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
    "descriptor-sent": (e) => `descriptor enviado a ${e.peer}: ${e.file} (fd ${e.fd} en este proceso)`,
    "descriptors-received": (e) =>
      `${plural(e.count, "recibido", "recibidos")} ${e.count} ${plural(e.count, "descriptor", "descriptores")}${e.fds.length > 0 ? ` (${fdNumbers(e.fds)} en este proceso)` : ""} con la carga ${JSON.stringify(e.payload)}` +
      (e.kind === undefined
        ? ""
        : `: ${KINDS[e.kind] ?? `un ${e.kind}`}; ` +
          (e.printedBytes === undefined
            ? "se cerró sin leerlo (solo se imprime un archivo regular)"
            : `se imprimieron ${e.printedBytes} ${plural(e.printedBytes, "byte", "bytes")} del archivo a través de él y se cerró`)) +
      (e.othersClosed ? `; se ${plural(e.othersClosed, "cerró", "cerraron")} ${plural(e.othersClosed, "el otro", `los otros ${e.othersClosed}`)} sin leer` : "") +
      (e.truncated ? "; el mensaje llegó truncado (se cerraron sin leer los descriptores que no cabían)" : ""),
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
    port: (e, t) => {
      const why = e.state === "error" ? `: ${t.cause(e.code) ?? e.code ?? "error"}` : "";
      const state = { open: "abierto", closed: "cerrado", filtered: "sin respuesta (¿filtrado?)", error: "error" }[e.state];
      return `puerto ${e.address} ${state}${why} (${e.ms} ms)`;
    },
    "scan-done": (e) =>
      `${plural(e.scanned, "explorado", "explorados")} ${e.scanned} ${plural(e.scanned, "puerto", "puertos")} de ${e.target} en ${e.seconds.toFixed(2).replace(".", ",")} s: ${e.open} ${plural(e.open, "abierto", "abiertos")}`,
    "relay-open": (e) => `reenvío ${e.peer} -> ${e.upstream}`,
    "relay-close": (e) => {
      const why = { done: "", "idle-timeout": " (inactividad)", error: " (error)", stopping: " (deteniendo)" }[e.reason];
      return `fin de reenvío ${e.peer} -> ${e.upstream}: subida ${e.up}, bajada ${e.down} bytes en ${e.seconds.toFixed(3).replace(".", ",")} s${why}`;
    },
    "upstream-failed": (e, t) => `reenvío ${e.peer}: no se puede llegar a ${e.upstream}: ${t.cause(e.code) ?? e.message}; se cierra el cliente`,
    "client-dropped": (e) => `desconectado ${e.peer}: no lee (${e.buffered} bytes pendientes, límite ${e.limit})`,
    "exec-start": (e) => `exec ${e.peer} pid ${e.pid}: ${e.command}`,
    "exec-exit": (e) => `fin de exec ${e.peer} pid ${e.pid}: ${e.signal ? `terminado por ${e.signal}` : `estado ${e.code}`}`,
    "tls-established": (e) =>
      `tls ${e.peer} ${e.protocol} ${e.cipher}${e.alpn ? ` alpn=${e.alpn}` : ""}` +
      `${e.subject ? ` sujeto="${e.subject}"` : ""}${e.fingerprint ? ` ${e.fingerprint}` : ""}` +
      (e.verified ? ` verificado (${e.verifiedBy === "pin" ? "pin" : e.verifiedBy === "client-ca" ? "CA de clientes" : "CA"})` : " sin verificar"),
    "tls-unverified": (e) =>
      `aviso: ${e.peer} NO está verificado (--insecure): nadie comprobó su identidad${e.reason ? ` (${e.reason})` : ""}`,
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
    ERR_NO_DIRECTORY: "el directorio no existe (nadie puede estar escuchando ahí)",
    ENOSPC: "no queda espacio en el dispositivo (el disco o dispositivo está lleno)",
    // Alertas TLS que llegan a quien lee tras el handshake (TLS 1.3 comprueba ahí el certificado del cliente).
    ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "el servidor exige un certificado de cliente (use --cert y --key)",
    ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "el otro extremo no confía en nuestro certificado (CA desconocida)",
    ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "el otro extremo rechazó nuestro certificado",
  },
  errors: {
    // Direcciones.
    "address.port-not-number": (p) => badAddress(p, `el puerto "${p.port}" no es un número de 0 a 65535`),
    "address.port-out-of-range": (p) => badAddress(p, `el puerto ${p.port} está fuera de rango (0 a 65535)`),
    "address.missing-bracket": (p) => badAddress(p, "falta ] tras la dirección IPv6"),
    "address.not-ipv6": (p) => badAddress(p, `"${p.host}" no es una dirección IPv6`),
    "address.missing-port-after-ipv6": (p) => badAddress(p, "falta :PUERTO tras la dirección IPv6"),
    "address.missing-colon-port": (p) => badAddress(p, "falta :PUERTO"),
    "address.ipv6-needs-brackets": (p) => badAddress(p, "las direcciones IPv6 van entre corchetes, p. ej. tcp://[::1]:9301"),
    "address.missing-host": (p) => badAddress(p, "falta el host (use 127.0.0.1, ::1 entre corchetes, 0.0.0.0 o un nombre)"),
    "address.missing-port": (p) => badAddress(p, "falta el puerto"),
    "address.bad-host": (p) => badAddress(p, `"${p.host}" no es un nombre de host`),
    "address.missing-path": (p) => badAddress(p, "falta la ruta"),
    "address.missing-name": (p) => badAddress(p, "falta el nombre"),
    "address.nul-in-path": (p) => badAddress(p, "la ruta contiene un byte NUL"),
    "address.nul-in-name": (p) => badAddress(p, "el nombre contiene un byte NUL"),
    "address.path-too-long": (p) => badAddress(p, `la ruta ocupa ${p.bytes} bytes; la de un socket Unix cabe en ${p.room} como máximo`),
    "address.name-too-long": (p) => badAddress(p, `el nombre ocupa ${p.bytes} bytes; el de un socket Unix cabe en ${p.room} como máximo`),
    "address.did-you-mean": (p) => badAddress(p, `¿quería decir ${p.suggestion}?`),
    "address.unknown-form": (p) => badAddress(p, "forma desconocida"),

    // La línea de órdenes (salida 2). `option` es la opción tal como se escribió (--timeout, -k).
    "usage.unknown-command": (p) => `orden desconocida "${p.name}"`,
    "usage.bad-lang": (p) => `--lang admite es o en, no "${p.given}"`,
    "usage.unknown-option": (p) => `opción desconocida ${p.option}`,
    "usage.missing-value": (p) => `${p.option} necesita un valor`,
    "usage.dash-value": (p) => `${p.option} necesita un valor, no "${p.value}" (un valor que empieza por "-" se escribe ${p.long}=${p.value})`,
    "usage.takes-no-value": (p) => `${p.option} no admite valor`,
    "usage.bad-option": (p) => String(p.detail),
    "usage.bad-seconds": (p) => `${p.option} necesita un número de segundos ≥ 0 (p. ej. 1,5), no "${p.value}"`,
    "usage.bad-positive-seconds": (p) => `${p.option} necesita un número de segundos mayor que 0 (p. ej. 10 o 1,5), no "${p.value}"`,
    "usage.bad-count": (p) => `${p.option} necesita un número entero ≥ ${p.min}, no "${p.value}"`,
    "usage.bad-count-range": (p) => `${p.option} necesita un número entero de ${p.min} a ${p.max}, no "${p.value}"`,
    "usage.bad-mode": (p) => `${p.option} necesita bits de permiso en octal como 600 o 660, no "${p.value}"`,
    "usage.bad-uids": (p) => `${p.option} necesita uid numéricos separados por comas, no "${p.value}"`,
    "usage.missing-argument": (p) => `falta ${ARGUMENT_NAMES[String(p.what)] ?? p.what}`,
    "usage.unexpected-argument": (p) => `argumento inesperado "${p.argument}"`,
    "usage.unexpected-text": (p) => `argumento inesperado "${p.argument}" (los textos van con --send)`,
    "usage.exclusive": (p) => `${p.a} y ${p.b} se excluyen`,
    "usage.positive": (p) => `${p.option} debe ser mayor que 0`,
    "usage.needs-send": () => "--half-close y --until-close van con --send (sin --send, el fin de stdin hace el medio cierre)",
    "usage.stream-only": (p) => `${p.option} solo vale para direcciones de flujo (tcp://, unix:, abstract:)`,
    "usage.unix-file-only": (p) => `${p.option} solo vale para archivos de socket Unix (unix:RUTA, unix-dgram:RUTA), no para ${p.address}`,
    "usage.ipv6-option": (p) => `${p.option} solo vale para direcciones IPv6 (p. ej. tcp://[::]:PUERTO), no para ${p.address}`,
    "usage.needs-concurrent": (p) => `${p.option} va con --concurrent (un servidor secuencial atiende a un cliente cada vez)`,
    "usage.unknown-service": (p) => `servicio desconocido "${p.name}" (servicios: ${p.services})`,
    "usage.service-needs-stream": (p) => `el servicio ${p.service} no funciona en ${p.address} (necesita una dirección de flujo: tcp://, unix:, abstract:)`,
    "usage.service-needs-datagram": (p) => `el servicio ${p.service} no funciona en ${p.address} (necesita una dirección de datagramas: udp://, unix-dgram:)`,
    "usage.service-needs-unix": (p) => `el servicio ${p.service} necesita una dirección Unix (unix:RUTA o abstract:NOMBRE)`,
    "usage.allow-uid-unix-only": () => "--allow-uid solo vale para direcciones Unix",
    "usage.recv-fd-needs-unix": () => "recv-fd necesita una dirección Unix de flujo (unix:RUTA o abstract:NOMBRE)",
    "usage.discover-needs-udp": () => "discover necesita una dirección udp://DIFUSIÓN:PUERTO",
    "usage.stdin-mode-only": (p) => `${p.option} es para el modo entrada estándar (sin --send)`,
    "usage.unknown-shell": (p) => `no hay autocompletado para "${p.shell}" (shells: ${p.shells})`,
    "usage.port-zero": (p) => `${p.address}: el puerto 0 no es un destino (solo significa "cualquier puerto libre" al escuchar)`,
    "usage.nc-form": (p) => `${p.given} no es una dirección: escriba ${p.example}`,
    "usage.nc-port": (p) => `"${p.port}" no es un puerto (1-65535): escriba ${p.example}`,
    "usage.access-needs-ip": (p) =>
      `${p.option} filtra clientes IP: vale para direcciones tcp:// y udp://, no para ${p.address} (los pares Unix no tienen dirección; usa --allow-uid)`,
    "usage.exec-needs-command": () => "serve exec necesita un comando: socklab serve exec DIRECCIÓN -- CMD [ARGS...]",
    "usage.command-only-exec": (p) => `un comando tras -- solo va con serve exec, no con ${p.service}`,
    "usage.exec-needs-allow": (p) =>
      `serve exec en ${p.address} ejecutaría el comando para cualquiera que llegue a esa dirección; ` +
      "escucha en 127.0.0.1 o [::1], o di quién puede conectarse con --allow CIDR (p. ej. --allow 198.51.100.0/24)",
    "usage.listen-form": (p) =>
      `listen ${p.given}: no es una dirección; escribe ${p.suggestion} (formas cortas: listen PUERTO, listen -u PUERTO, listen -U RUTA escuchan en 127.0.0.1 o en una ruta Unix)`,
    "usage.tls-only": (p) => `${p.option} es para direcciones tls://`,
    "usage.tls-role": (p) => `${p.option} no se aplica al lado ${p.role} de TLS`,
    "usage.scan-missing-target": () => "falta tcp://HOST:PUERTOS (p. ej. tcp://127.0.0.1:22,80,8000-8100)",
    "usage.scan-bad-target": (p) => `"${p.target}" no es tcp://HOST:PUERTOS (p. ej. tcp://127.0.0.1:22,80,8000-8100)`,
    "usage.scan-udp": () => "solo se pueden explorar puertos TCP (explorar UDP queda fuera del alcance)",
    "usage.scan-extra": (p) => `argumento inesperado "${p.argument}" (los puertos van después de los dos puntos: tcp://HOST:22,80)`,
    "usage.relay-pair": (p) =>
      `relay une dos direcciones de flujo (tcp://, unix:, abstract:) o dos direcciones udp://, no ${p.from} y ${p.to}`,

    unavailable: (p, t) =>
      Number(p.attempts) > 1
        ? `${p.address}: servidor no disponible tras ${p.attempts} intentos: ${t.cause(String(p.code)) ?? p.detail}`
        : `${p.address}: ${t.cause(String(p.code)) ?? p.detail}`,
    "no-response": (p, t) =>
      `${p.address}: sin respuesta tras ${p.attempts} ${plural(Number(p.attempts), "intento", "intentos")}` +
      (p.code === "ETIMEDOUT" ? "" : `: ${t.cause(String(p.code)) ?? p.code}`),
    "no-responder": (p, t) => `${p.address}: nadie respondió en ${t.seconds(Number(p.timeoutMs))} s`,
    "no-descriptor": (p) =>
      `${p.address}: no llegó ningún descriptor (` +
      (p.end ? "el servidor cerró la conexión sin enviar nada" : `solo una carga ${JSON.stringify(p.payload)}`) +
      ")",
    "reply-incomplete": (p, t) => `la respuesta quedó cortada: ${t.cause(String(p.code)) ?? p.detail}`,
    usage: (p) => String(p.detail),
    "transfer-cut-short": (p, t) => {
      const from = p.source === "send" ? "dados con --send" : "leídos de la entrada estándar";
      const cause = t.cause(String(p.code)) ?? p.detail;
      return Number(p.sent) < Number(p.read) || p.unfinished === 1
        ? `${p.address}: envío interrumpido (${cause}): enviados ${p.sent} de ${p.read} bytes ${from}` +
            `${p.unfinished === 1 ? " (faltaba más)" : ""}; recibidos ${p.received} bytes`
        : `${p.address}: ${cause} tras recibir ${p.received} bytes (enviados los ${p.sent} bytes ${from})`;
    },
    "client-idle-timeout": (p, t) =>
      `${p.address}: nada se movió en ningún sentido durante ${t.seconds(Number(p.idleMs))} s; abandono (recibidos ${p.received} bytes, enviados ${p.sent})`,
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
    "bench-not-installed": () =>
      "las pruebas de rendimiento no vienen en el paquete instalado: se ejecutan desde el código fuente con 'npm run bench'",
    "stdout-failed": (p, t) => `salida estándar: ${t.cause(String(p.code)) ?? p.detail}`,
    "cannot-open-file": (p, t) => {
      const why: Record<string, string> = { ENOENT: "no existe ese archivo o directorio", EISDIR: "es un directorio", EACCES: "permiso denegado" };
      return `${p.option} ${p.path}: ${why[String(p.code)] ?? t.cause(String(p.code)) ?? p.detail}`;
    },
    "tls-bad-pin": (p) => `pin incorrecto "${p.pin}": se espera sha256: seguido de 64 dígitos hexadecimales (se admiten dos puntos entre pares)`,
    "tls-option": (p) => {
      switch (p.problem) {
        case "cert-without-key":
          return "--cert necesita --key (la clave privada del certificado, PEM)";
        case "key-without-cert":
          return "--key necesita --cert (el certificado, PEM)";
        case "pin-and-insecure":
          return "--pin y --insecure se contradicen: --pin comprueba al otro extremo, --insecure no";
        case "pin-and-ca":
          return "--pin sustituye la comprobación por CA: indique --pin o --ca, no ambos";
        case "insecure-and-ca":
          return "--insecure desactiva la comprobación por CA: indique --ca o --insecure, no ambos";
        default:
          return String(p.detail ?? p.problem);
      }
    },
    "tls-file": (p) => {
      switch (p.problem) {
        case "unreadable":
          return `${p.option} ${p.path}: no se puede leer el archivo (${p.detail})`;
        case "no-certificate":
          return `${p.option} ${p.path}: no contiene ningún certificado PEM (-----BEGIN CERTIFICATE-----)`;
        case "no-key":
          return `${p.option} ${p.path}: no contiene ninguna clave privada PEM (-----BEGIN … PRIVATE KEY-----)`;
        default:
          return `${p.option} ${p.path}: no se puede usar (${p.detail})`;
      }
    },
    "tls-key-mismatch": (p) => `--key ${p.key} no es la clave privada de --cert ${p.cert}`,
    "tls-expired": (p) =>
      p.side === "server"
        ? `${p.address}: el certificado del cliente ha caducado (válido hasta ${p.date})`
        : `${p.address}: el certificado del servidor ha caducado (válido hasta ${p.date})`,
    "tls-not-yet-valid": (p) => `${p.address}: el certificado aún no es válido (válido desde ${p.date}); revise los relojes`,
    "tls-hostname": (p) =>
      `${p.address}: el certificado es para ${p.names}, no para ${p.host} (use --sni NOMBRE para pedir otro nombre, o --pin)`,
    "tls-self-signed": (p) =>
      `${p.address}: el certificado del servidor es autofirmado y no es de confianza; si lo conoce, fíjelo: --pin ${p.fingerprint}`,
    "tls-unknown-issuer": (p) =>
      `${p.address}: el certificado lo emitió una CA desconocida ("${p.issuer}"); confíe en esa CA con --ca ARCHIVO`,
    "tls-pin-mismatch": (p) => `${p.address}: el certificado no coincide con el pin: se esperaba ${p.expected}, llegó ${p.actual}`,
    "tls-no-shared-cipher": (p) =>
      `${p.address}: falló el handshake: ningún cifrado en común` + (p.side === "client" ? " (o el servidor exige certificado de cliente: --cert/--key)" : ""),
    "tls-protocol-version": (p) => `${p.address}: ninguna versión de TLS en común (socklab habla TLS 1.2 y 1.3)`,
    "tls-not-tls": (p) =>
      p.side === "server"
        ? `${p.address}: el cliente no habla TLS (¿TCP sin cifrar?)`
        : `${p.address}: el servidor no habla TLS (¿TCP sin cifrar? pruebe tcp://)`,
    "tls-handshake-closed": (p) =>
      p.side === "server"
        ? `${p.address}: el cliente cerró la conexión durante el handshake TLS (quizá no confía en el certificado de este servidor)`
        : `${p.address}: el servidor cerró la conexión durante el handshake TLS (no es un servidor TLS, o nos rechazó)`,
    "tls-handshake-timeout": (p, t) =>
      `${p.address}: no hubo handshake TLS en ${t.seconds(Number(p.timeoutMs))} s (¿habla TLS el otro extremo?)`,
    "tls-client-cert-required": (p) =>
      p.side === "server"
        ? `${p.address}: el cliente no envió certificado; --client-ca lo exige`
        : `${p.address}: el servidor exige un certificado de cliente (use --cert y --key)`,
    "tls-client-cert-rejected": (p) => `${p.address}: el certificado del cliente no es de confianza (${p.reason})`,
    "tls-cert-rejected-by-peer": (p) =>
      p.side === "server"
        ? `${p.address}: el cliente rechazó el certificado de este servidor (${p.reason})`
        : `${p.address}: el servidor rechazó nuestro certificado de cliente (${p.reason})`,
    "tls-no-alpn": (p) => `${p.address}: ningún protocolo de aplicación en común (ALPN: ${p.alpn})`,
    "tls-handshake": (p) => `${p.address}: falló el handshake TLS: ${p.detail}`,
  },
  text: {
    tryHelp: (command) => `Pruebe 'socklab ${command === "" ? "" : `${command} `}--help'.`,
    internalError: (detail) => `socklab: error interno: ${detail}`,
  },
  help: helpEs,
};

/** El mensaje de todo error de dirección: la dirección, el motivo y las formas válidas. */
const badAddress = (p: Record<string, string | number>, why: string): string => `dirección incorrecta "${p.address}": ${why} (se esperaba ${ADDRESS_FORMS})`;

/** Los nombres de argumento de las líneas de uso, en castellano. */
const ARGUMENT_NAMES: Record<string, string> = { ADDRESS: "DIRECCIÓN", SERVICE: "SERVICIO" };
