/** Mensajes en castellano, para los lectores de las guías. */
import type { Catalog } from "./catalog.js";

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

export const es: Catalog = {
  events: {
    listening: (e) => `escuchando en ${e.address}${e.fingerprint ? ` ${e.fingerprint}` : ""}`,
    note: (e) =>
      e.note === "dual-stack"
        ? "doble pila: los clientes IPv4 aparecen como ::ffff:a.b.c.d"
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
    stopping: (e) => `deteniendo (${e.signal})`,
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
    // Alertas TLS que llegan a quien lee tras el handshake (TLS 1.3 comprueba ahí el certificado del cliente).
    ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "el servidor exige un certificado de cliente (use --cert y --key)",
    ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "el otro extremo no confía en nuestro certificado (CA desconocida)",
    ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "el otro extremo rechazó nuestro certificado",
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
    unknownCommand: (name) => `socklab: orden desconocida "${name}"`,
    tryHelp: (command) => `Pruebe 'socklab ${command} --help'.`,
    internalError: (detail) => `socklab: error interno: ${detail}`,
    badLang: (given) => `--lang admite es o en, no "${given}"`,
  },
};
