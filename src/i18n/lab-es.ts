/** Los textos propios del laboratorio (`socklab lab`), en castellano. Misma forma que lab-en.ts. */
import type { LabCatalog, Transport } from "./lab-en.js";

const INET = (t: Transport): boolean => t === "tcp" || t === "udp";

export const labEs: LabCatalog = {
  usage: "uso: socklab lab [ID...] [--list] [--verbose] [--jobs N] [--lang es|en] [--html ARCHIVO] [--against python|nc]",
  help: `uso: socklab lab [ID...] [--list] [--verbose] [--jobs N] [--lang es|en] [--html ARCHIVO] [--against python|nc]

Ejecuta de punta a punta los ejercicios de las dos guías en esta máquina: en cada uno,
socklab en los dos lados (servidor y cliente) en procesos separados, en puertos libres,
rutas de socket y nombres abstractos al azar, sólo por loopback. Muestra una tabla (id,
ejercicio, lo que viajó, resultado) y "N bien, M fallaron"; sale con 1 si alguno falla.

  ID...           sólo estos ejercicios (p. ej. 2 11 B3 2.5); por omisión, todos
  --list          lista los ejercicios (id y título de la guía); con -v, también cómo
                  reproducir cada uno a mano (socklab, nc/socat, Python)
  -v, --verbose   narra cada ejercicio paso a paso (lo normal con un solo ID):
                  socket/bind/listen/accept/connect/recv/send/shutdown/close
  --jobs N        ejercicios a la vez (por omisión 6)
  --lang es|en    idioma del informe (por omisión, el de LC_ALL / LC_MESSAGES / LANG)
  --html ARCHIVO  escribe además una página autónoma con un diagrama de escalera por ejercicio
  --against P     P es python o nc: socklab hace de programa de la guía y python3 (o
                  nc/socat) del otro lado; lo que no puede hacer queda OMITIDO, con el motivo
  -h, --help      esta ayuda
`,
  errors: {
    unknownOption: (option) => `opción desconocida ${option}`,
    badJobs: (given) => `--jobs admite un número entero de 1 a 32, no "${given}"`,
    unknownExercise: (id) => `no hay ejercicio "${id}" (socklab lab --list los muestra)`,
    notBuilt: (path) => `${path}: no existe (primero construya el paquete: npm install)`,
    interrupted: (signal) => `interrumpido (${signal}); se mataron todos los procesos que había lanzado`,
    badLang: (given) => `--lang admite es o en, no "${given}"`,
    badHtml: "--html necesita un nombre de archivo",
    badAgainst: (given) => `--against necesita python o nc, no "${given}"`,
    recvAllUsage: "uso: recv-all-client tcp://HOST:PUERTO [NBYTES]",
    recvAllOnlyTcp: (address) => `${address}: solo direcciones tcp://`,
  },
  heading: (count) =>
    `socklab lab — ${count} ${count === 1 ? "ejercicio" : "ejercicios"}, socklab en los dos lados, sólo loopback`,
  table: { id: "id", exercise: "ejercicio", exchanged: "lo que viajó", result: "resultado" },
  status: { PASS: "BIEN", FAIL: "FALLO", SKIP: "OMITIDO" },
  summary: (passed, failed, skipped) =>
    `${passed} bien, ${failed} ${failed === 1 ? "falló" : "fallaron"}${skipped ? `, ${skipped} ${skipped === 1 ? "omitido" : "omitidos"}` : ""}`,
  list: {
    guide1: "Guía 1 — Prácticas de Sockets (clientes, servidores secuenciales, bonus AF_UNIX)",
    guide2: "Guía 2 — Servidor y cliente con sockets (TCP, UDP, IPv6, dual-stack)",
  },
  labels: {
    server: "servidor",
    client: "cliente",
    nc: "nc",
    client1: "cliente 1",
    client2: "cliente 2",
    clientNoServer: "cliente sin servidor",
    ncUdp: "nc -u",
    timeServer: "servidor TIME",
    ncUdpMute: "nc -u mudo",
    clientNoReply: "cliente sin respuesta",
    serverA: "servidor A",
    serverB: "servidor B",
    clientNobody: "cliente, nadie escucha",
    ncIPv4: "nc IPv4",
    ncIPv6: "nc IPv6",
    clientIPv4: "cliente IPv4",
    clientIPv6: "cliente IPv6",
    ncUnix: "nc -U",
    clientBound: "cliente (bind)",
    clientAutobind: "cliente (autobind)",
    ncUntilEof: "nc (hasta EOF)",
    ncOpen: "nc (sin cerrar)",
    clientUntilEof: "cliente hasta EOF",
    clientExactN: "cliente exactamente N",
    ncSilent: "nc (mudo)",
    clientSilent: "cliente, servidor mudo",
  },
  narration: {
    header: (id, title) => `── ${id} · ${title} — paso a paso `,
    ordering:
      "Cada paso lleva el momento en que ocurrió, según el reloj de su proceso alineado con el del lab; dentro de un proceso, los pasos siguen su secuencia de eventos.",
    verdictPass: "Resultado: BIEN — lo que viajó coincide byte a byte con el formato de la guía.",
    verdict: (status, reason) => `Resultado: ${status} — ${reason}`,
    stdout: (bytes) => `stdout ← ${bytes}`,
    stdoutRun: (chunks, total, bytes) => `stdout ← ${chunks} trozos, ${total} bytes: ${bytes}`,
    collapsed: (count, what, peer, total) => {
      const verb = { received: "recv de", sent: "send a", "datagram-in": "datagramas de", "datagram-out": "sendto a", reply: "respuestas de" }[what];
      return `${count} × ${verb} ${peer}, ${total} bytes en total`;
    },
    closedAfterDescriptor: (peer) => `cerrado ${peer} (el mensaje "FD" y el descriptor salieron con sendmsg())`,
    descriptorSent: (peer, file, fd) => `sendmsg() a ${peer}: "FD" + el descriptor de ${file}, fd ${fd} en este proceso`,
    descriptorReceived: (mine, theirs, bytes) =>
      `recvmsg(): "FD" + un descriptor, fd ${mine} en este proceso${theirs === undefined ? "" : ` (fd ${theirs} en el servidor)`}; ${bytes === 1 ? "leído 1 byte" : `leídos ${bytes} bytes`} del archivo a través de él; después se cerró`,
    halfClosedLocal: (peer) => `shutdown hacia ${peer} (lado de escritura cerrado)`,
    noReplyGaveUp: (address, attempts, seconds) =>
      `error: ${address}: conectado, sin respuesta en ${seconds} s, ${attempts} ${attempts === 1 ? "intento" : "intentos"}`,
    noReplyWithin: (attempt, total, seconds, next) =>
      `intento ${attempt}/${total}: conectado, sin respuesta en ${seconds} s${next ? `; nuevo intento en ${next} s` : ""}`,
    connectTimedOut: (attempt, total, seconds, next) =>
      `intento ${attempt}/${total}: connect() sin respuesta en ${seconds} s${next ? `; nuevo intento en ${next} s` : ""}`,
    stdinGenerated: "[stdin: datos generados por el lab]",
    stdinGiven: (bytes) => `[stdin: ${bytes}]`,
    seconds: (ms) => (ms / 1000).toFixed(3).replace(".", ","),
  },
  say: {
    ncTypes: (text, keepOpen) => `el lab, como la persona frente a nc, escribe ${text}${keepOpen ? "" : " y Ctrl-D (fin de stdin)"}`,
    writesKeepsOpen: (text, who) => `el lab escribe ${text} en la stdin de ${who} y deja la conexión abierta`,
    closesStdin: (who) => `el lab cierra la stdin de ${who} (Ctrl-D): el cliente hace shutdown(SHUT_WR)`,
    waitsBeforeServer: (seconds) =>
      `el lab espera ${seconds} s (y al menos un intento fallido) antes de arrancar el servidor: el cliente tiene que reintentar`,
    localhostResolves: (addresses) => `localhost resuelve a: ${addresses}`,
    writesPiece: (text, who) => `el lab escribe ${text} en la stdin de ${who} (una línea partida en varios send())`,
    writesNoEof: (bytes) => `el lab escribe ${bytes} bytes en la stdin de nc y NO la cierra: el peer no envía EOF`,
    sigterm: (who) => `el lab envía SIGTERM a ${who} (el Ctrl+C de la guía)`,
    readThroughDescriptor: (bytes, fd) => `bytes que el cliente leyó por el descriptor recibido${fd === undefined ? "" : ` (su fd ${fd})`}: ${bytes}`,
    inNetns:
      "el lab ejecuta este ejercicio en un espacio de nombres de red propio (unshare -n, con loopback activa dentro): allí [::] (todas las interfaces) es el loopback de ese espacio y nada más",
    allInterfaces:
      "aquí no hay espacio de nombres de red (hace falta root y unshare): este ejercicio enlaza de verdad [::], todas las interfaces de esta máquina, solo hasta atender a los dos clientes (alrededor de un segundo); el tráfico no sale del loopback",
    allInterfacesFor: (seconds) => `el servidor estuvo enlazado a todas las interfaces durante ${seconds} s`,
    peerExited: (who, code) => `${who} terminó (${code})`,
  },
  repro: {
    heading: "Reprodúcelo a mano (dos terminales: primero el servidor, luego el cliente):",
    tool: { socklab: "con socklab", nc: "con nc / socat", python: "con Python" },
    side: { server: "servidor", client: "cliente" },
    cannot: {
      peercred: "nc y socat no pueden: ninguno lee SO_PEERCRED ni escribe lo que dice (usa socklab o Python)",
      scmRights: "nc y socat no pueden: ninguno envía ni recibe descriptores (datos auxiliares SCM_RIGHTS)",
      commands: "nc no puede: solo reenvía bytes, y responder a cada comando necesita un programa (usa socklab o Python)",
      lineEcho: "nc no puede: solo reenvía bytes; poner \"eco: \" delante de cada línea necesita un programa (usa socklab o Python)",
      retries: "nc no puede: conecta o envía una sola vez, sin reintentos ni retransmisión (usa socklab o Python)",
      filter: "nc no puede: no sabe responder solo a los datagramas que dicen DISCOVER? (usa socklab o Python)",
    },
    thenType: (text) => `y luego escribe: ${text}`,
    clientFirst: "(arranca primero el cliente: reintenta hasta que el servidor está)",
    exchanged: (serverTool, clientTool, out) => `servidor: ${serverTool}, cliente: ${clientTool}; el cliente imprimió ${out}`,
    againstHeading: (tool, count) =>
      `socklab lab --against ${tool} — ${count} ${count === 1 ? "ejercicio" : "ejercicios"}: socklab hace de programa de la guía, ${tool} del otro lado, solo loopback`,
  },
  explain: {
    listening: (t, ipv6) => {
      switch (t) {
        case "tcp":
          return `socket(${ipv6 ? "AF_INET6" : "AF_INET"}, SOCK_STREAM) → setsockopt(SO_REUSEADDR) → bind() → listen(): desde ahora el kernel completa handshakes y encola conexiones (backlog) aunque nadie llame a accept() todavía. Con el puerto 0 el kernel elige uno libre; esta línea dice el real.`;
        case "udp":
          return `socket(${ipv6 ? "AF_INET6" : "AF_INET"}, SOCK_DGRAM) → bind(): listo para recvfrom(). En UDP no hay listen() ni accept(): no hay conexiones, sólo datagramas, cada uno con la dirección de quien lo envió.`;
        case "unix":
          return "socket(AF_UNIX, SOCK_STREAM) → bind(ruta): crea el archivo-socket en el disco → listen(). Los clientes llegan por esa ruta; nada pasa por la red.";
        case "unix-dgram":
          return "socket(AF_UNIX, SOCK_DGRAM) → bind(ruta): crea el archivo-socket; sin listen() ni accept(), cada recvfrom() trae un datagrama y la ruta de quien lo envió.";
        case "abstract":
          return "socket(AF_UNIX, SOCK_STREAM) → bind() a un nombre del espacio abstracto de Linux (\\0nombre): no se crea ningún archivo y el nombre existe mientras el socket esté abierto → listen().";
        case "abstract-dgram":
          return "socket(AF_UNIX, SOCK_DGRAM) → bind() a un nombre abstracto (\\0nombre): ningún archivo en el disco, ninguna conexión; cada recvfrom() trae un datagrama.";
      }
    },
    dualStack:
      "setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0) antes de bind(): el socket IPv6 también recibe conexiones IPv4, que el kernel presenta como direcciones IPv4-mapeadas ::ffff:a.b.c.d.",
    dualStackFallback:
      "el sistema no permite IPV6_V6ONLY=0: el servidor usa dos sockets, uno AF_INET y otro AF_INET6, con el mismo puerto.",
    accepted: (t, mapped) =>
      mapped
        ? "accept() en el socket IPv6 devolvió un cliente IPv4: su dirección aparece IPv4-mapeada (::ffff:127.0.0.1) porque el socket es AF_INET6 con IPV6_V6ONLY=0."
        : INET(t)
          ? "accept(): el kernel ya había completado el three-way handshake (SYN, SYN/ACK, ACK); accept() saca la conexión de la cola y devuelve un socket nuevo sólo para este cliente. El socket de escucha sigue escuchando."
          : `accept(): el connect() del cliente a ${t === "abstract" ? "este nombre abstracto" : "esta ruta"} ya unió los dos sockets dentro del kernel — sin paquetes ni handshake. accept() lo saca de la cola y devuelve un socket nuevo sólo para este cliente. (Un cliente Unix no tiene dirección propia: socklab lo numera, #N.)`,
    queued: (t) =>
      INET(t)
        ? "el kernel completó por su cuenta el handshake de este cliente (por eso su connect() volvió) y dejó la conexión en la cola de listen() (el backlog). El servidor secuencial no vuelve a llamar a accept() hasta que se va el cliente actual, así que este espera; lo que envíe mientras tanto queda en los buffers del kernel, sin respuesta."
        : "el connect() de este cliente volvió (el kernel lo dejó en la cola de listen()), pero el servidor secuencial no lo atiende hasta cerrar la conexión actual: espera su turno.",
    connected: (t) =>
      t === "udp" || t === "unix-dgram" || t === "abstract-dgram"
        ? "connect() en un socket de datagramas no envía nada: el kernel sólo anota el destino por omisión (y, en UDP, elige un puerto efímero). Sigue sin haber conexión: el otro lado sólo sabe de este cliente cuando le llega un datagrama."
        : t === "tcp"
        ? "connect(): SYN → SYN/ACK → ACK; cuando vuelve, la conexión está establecida (en el servidor, esperando en la cola de accept())."
        : t === "abstract"
          ? "connect() al nombre abstracto: el kernel busca el nombre en su espacio abstracto (no en el disco) y une los dos sockets directamente — sin paquetes ni handshake."
          : "connect() a la ruta: el kernel encuentra el socket que escucha a través del archivo-socket y une los dos sockets directamente — sin paquetes ni handshake; la conexión espera en la cola de accept() del servidor.",
    refused: (t) =>
      t === "udp"
        ? "ECONNREFUSED en UDP: el datagrama llegó a un puerto donde nadie está enlazado y el kernel respondió con un ICMP \"puerto inalcanzable\"; un socket UDP conectado lo avisa en su siguiente llamada. No se rechazó ninguna conexión: nunca la hubo."
        : t === "tcp"
        ? "connect() falló con ECONNREFUSED: el kernel respondió al SYN con RST porque nadie escucha en ese puerto. El cliente cierra ese socket, espera el backoff y lo intenta con un socket nuevo."
        : "connect() falló con ECONNREFUSED: el archivo-socket existe pero nadie escucha en él.",
    notFound: "connect() falló con ENOENT: no hay archivo-socket en esa ruta, así que nadie escucha ahí.",
    noReply: (seconds) =>
      `la conexión se estableció, pero no llegó respuesta en ${seconds} s: el cliente cierra esa conexión, espera el backoff y lo vuelve a intentar.`,
    connectTimeout: (seconds) => `connect() no obtuvo respuesta en ${seconds} s: nadie completó el handshake.`,
    datagramNoReply: (seconds) =>
      `recvfrom() esperó ${seconds} s sin que llegara nada: en UDP eso no distingue un datagrama perdido de un servidor que no existe o no contesta. El cliente vuelve a enviar el mismo datagrama con sendto().`,
    attemptOther: (cause) => `el intento falló (${cause}); el cliente lo vuelve a intentar tras el backoff, con un socket nuevo.`,
    sent: (t) =>
      t === "udp"
        ? "send() en un socket UDP conectado: un datagrama al destino anotado, en una sola llamada; nada confirma que haya llegado."
        : INET(t)
        ? "send(): los bytes se copian al buffer de envío del kernel, que los transmite en segmentos TCP cuando puede; que send() vuelva no significa que el otro ya los leyó."
        : "send(): el kernel copia los bytes directamente al buffer del socket receptor — sin paquetes ni pila de red.",
    received: (t) =>
      t === "udp"
        ? "recv() en un socket UDP: exactamente un datagrama entero (se conservan los límites que eligió el emisor), de la dirección a la que está conectado."
        : INET(t)
        ? "recv(): copia a la aplicación lo que haya en el buffer de recepción del kernel — quizá menos de lo enviado, quizá varios envíos juntos: TCP es un flujo de bytes, no de mensajes."
        : "recv(): un socket Unix SOCK_STREAM también es un flujo de bytes: un recv() puede traer parte de un envío o varios juntos, sin red de por medio.",
    eof: (t) =>
      INET(t)
        ? "recv() devolvió 0 bytes: el otro lado hizo shutdown(SHUT_WR) o close() y llegó su FIN. No vendrá nada más por esta conexión."
        : "recv() devolvió 0 bytes: el otro lado hizo shutdown(SHUT_WR) o close(); el kernel marca el fin del flujo (no hay FIN: no hay paquetes). No vendrá nada más.",
    halfClosed: (t) =>
      INET(t)
        ? 'shutdown(SHUT_WR): envía FIN ("no voy a enviar más") pero el socket puede seguir leyendo: es el half-close.'
        : "shutdown(SHUT_WR): cuando el otro lado haya leído todo, su recv() devolverá 0; este lado aún puede leer. En un socket Unix no viaja ningún FIN: el kernel sólo lo anota.",
    closed: (t) =>
      INET(t)
        ? "close(): se libera el socket de esta conexión (si no hubo shutdown, el kernel envía FIN ahora; si quedaban datos sin leer, RST). Un servidor secuencial vuelve a accept() por el siguiente cliente."
        : "close(): se libera el socket de esta conexión y el recv() del otro lado devuelve 0. Un servidor secuencial vuelve a accept() por el siguiente cliente.",
    closedAfterDescriptor:
      "close(): los dos bytes \"FD\" y el descriptor salieron con sendmsg(), que no entra en los contadores de bytes de la conexión; después el servidor cerró la conexión.",
    idleTimeout:
      "venció el timeout de inactividad: recv() llevaba ese tiempo sin datos, así que el servidor cierra la conexión (close()) y vuelve a accept().",
    datagramIn: (t) =>
      t === "udp"
        ? "recvfrom(): llegó un datagrama entero, con la dirección y el puerto de quien lo envió. No hay conexión: cada datagrama va por su cuenta; la respuesta sale con sendto() a esa dirección."
        : "recvfrom(): llegó un datagrama entero con la ruta de quien lo envió (o su nombre de autobind). En local no se pierden ni se desordenan, pero tampoco hay conexión.",
    datagramOut: (t) =>
      t === "udp"
        ? "sendto(): un datagrama entero hacia esa dirección, en un solo envío; UDP no confirma la entrega ni conserva el orden."
        : "sendto(): un datagrama a la ruta o nombre del remitente, entregado entero en la cola de su socket.",
    reply: (t) =>
      t === "udp"
        ? "recvfrom() en el cliente: la respuesta y la dirección de la que vino. Nunca hubo conexión: el cliente envió a la dirección del servidor y leyó lo que volvió a su propio puerto (efímero)."
        : "recvfrom() en el cliente: la respuesta y la ruta de la que vino; pudo volver sólo porque el socket del cliente tiene dirección propia (bind() a una ruta, o autobind).",
    summary: "el total leído con recv() en bucle hasta EOF, y la velocidad media.",
    peerCredentials: (pid, uid, gid, who) =>
      `getsockopt(SOL_SOCKET, SO_PEERCRED): el kernel registró el pid ${pid}, el uid ${uid} y el gid ${gid} del cliente cuando hizo connect(); el cliente no puede falsificarlos.${who ? ` El pid ${pid} es el del proceso "${who}" que lanzó el lab.` : ""}`,
    descriptorSent:
      "sendmsg() con un mensaje de control SOL_SOCKET/SCM_RIGHTS: el kernel instala en el proceso receptor un descriptor nuevo que apunta al mismo archivo abierto; el número es el del receptor, no el del emisor.",
    descriptorsReceived: (mine, theirs) =>
      `recvmsg() con espacio para datos auxiliares: el kernel instaló el descriptor en este proceso con un número propio, el más bajo libre${mine === undefined ? "" : ` (${mine})`}, sea cual sea el que tenía en el servidor${theirs === undefined ? "" : ` (${theirs})`}${mine !== undefined && mine === theirs ? " — aquí coincide solo por casualidad" : ""}. Los dos números apuntan al mismo archivo abierto: leer por él es leer el archivo que abrió el servidor (desde el desplazamiento 0 con pread(), como el lseek() + read() de la guía).`,
    stopping: (removesFile) =>
      `al recibir SIGTERM el servidor deja de aceptar (close() del socket de escucha), cierra a sus clientes${removesFile ? ", borra el archivo-socket que creó" : ""} y termina con código 0.`,
    error: "el error de socklab: la dirección y la causa; termina con código 1.",
    other: "un aviso de socklab.",
    stdout: "lo que el programa escribió en su salida estándar: los bytes que recibió, como los muestra Python.",
  },
  exchanged: {
    ex1: `→ "hola desde UDS\\n" ← "hola desde nc\\n"; ruta inexistente: código 1, ENOENT (nadie escucha ahí)`,
    ex4: (size, rate) => `← ${size} hasta EOF, sha256 correcto, ${rate} MiB/s`,
    ex5: (failed, silent) =>
      `${failed} ${failed === 1 ? "intento fallido" : "intentos fallidos"}, luego → "ping\\n" ← "pong\\n"; sin servidor: no disponible tras 2 intentos; servidor mudo: conectado, sin respuesta en ${silent} s, 2 intentos`,
    ex6: (parts, noIPv6) => `→ "hola\\n" ${parts}${noIPv6 ? ", (aquí localhost no tiene ::1)" : ""}`,
    ex7: (reply, from) => `→ "ping" ← ${reply} desde ${from}`,
    ex8: (reply) => `→ "TIME" ← ${reply}; el peer mudo recibió 3× "TIME", luego sin respuesta tras 3 intentos`,
    ex9: (names) => `→ "DISCOVER?" a 127.255.255.255 ← ${names}`,
    ex10: (window) => `c1 → "primero\\n" ← igual; c2 conectado, en cola en el servidor, nada durante ${window} s; cerrado c1 → "hola mundo\\n" ← igual`,
    ex12: (seconds, serverSeconds) =>
      `→ "hola\\n" ← "hola\\n", silencio, cerrado a los ${seconds} s (servidor: inactividad ${serverSeconds} s)`,
    ex13: `→ "ping", "hola udp", "\\0\\xff\\n" ← los mismos 3 datagramas`,
    exB1: (clientName) => `→ "hola" desde ${clientName} ← "hola"; autobind → "hola autobind" ← igual`,
    exB2: (name) => `@${name} ← "hola abstract\\n" (ningún archivo en el disco)`,
    exB3: (reply) => `← ${reply} (pid = el del proceso cliente)`,
    exB4: (file, content, serverFd, clientFd) =>
      `← "FD" + el descriptor de ${file} (fd ${serverFd} en el servidor, fd ${clientFd} en el cliente); leído por él: ${content}`,
    ex2_1: `→ "hola\\r\\nmundo\\nfin" ← "eco: hola\\neco: mundo\\neco: fin\\n"; "pri|mera\\nseg|unda\\n" ← 2 líneas`,
    ex2_3: (target) => `→ "ping" ← "ping" desde ${target}`,
    ex2_5: (fellBack, allFor) =>
      `127.0.0.1 ← "hola dual\\n" (visto como ${fellBack ? "127.0.0.1, dos sockets" : "::ffff:127.0.0.1"}); ::1 ← "hola dual\\n"` +
      (allFor === undefined ? "; espacio de nombres de red propio" : `; enlazado a todas las interfaces durante ${allFor} s`),
    ex2_6: (whole, n, offered) => `hasta EOF ← ${whole} idénticos; exactamente ${n} de ${offered} ← ${n} bytes, sin esperar EOF`,
  },
  html: {
    title: "socklab lab — los ejercicios de las guías, paso a paso",
    intro:
      "Un diagrama de escalera por ejercicio, dibujado con los eventos que informó socklab: el tiempo corre hacia abajo, cada proceso es un carril y cada flecha es lo que pasó de uno a otro (conexión, bytes, fin del flujo, datagramas, descriptores). Al pasar el ratón por un paso se ve su línea completa.",
    written: (file) => `escrito ${file}`,
    lab: "lab",
    textVersion: "Lo mismo, paso a paso (texto)",
    result: "Resultado",
    legend: "azul: bytes · naranja: fin del flujo (FIN/EOF) · verde: conexión · violeta: datagramas · turquesa: un descriptor pasado con SCM_RIGHTS (su número en cada proceso) · rojo: intentos fallidos",
    diagramLabel: (id) => `Diagrama de escalera del ejercicio ${id}`,
    retry: (seconds) => `nuevo intento en ${seconds} s`,
  },
  wait: {
    starting: "al empezar",
    listening: (label, command) => `esperando a que "${label}" (${command}) avise de que está escuchando`,
    exit: (label, command) => `esperando a que "${label}" (${command}) termine`,
    bound: (label, seconds) => `esperando (como mucho ${seconds} s) a que ${label} quede enlazado, según /proc/net`,
    waitingFor: (what) => `esperando ${what}`,
    onStdout: (label, bytes) => `${bytes} en la stdout de ${label}`,
    echo: (bytes, label) => `el eco ${bytes} en ${label}`,
    firstFailedAttempt: (label) => `el primer intento fallido de ${label}`,
    event: (label, type) => `el evento ${type} de ${label}`,
  },
  fail: {
    exit: (s) => (s === undefined ? "(aún en marcha)" : s.signal ? `por la señal ${s.signal}` : `con código ${s.code}`),
    stderrTail: (line) => ` (su stderr: ${line})`,
    noMessage: "sin mensaje",
    timedOut: (seconds, step) => `se agotó el tiempo (${seconds} s) ${step}`,
    labError: (detail) => `error del lab (un fallo del propio lab, no del ejercicio): ${detail}`,
    exitedBeforeListening: (label, command, exit, said) => `${label} (${command}) terminó ${exit} antes de escuchar: ${said}`,
    badListeningAddress: (label, address) => `${label} informó una dirección de escucha que el lab no entiende: "${address}"`,
    exitedWhileWaiting: (label, exit, what, stdout) => `${label} terminó ${exit} mientras el lab esperaba ${what}; su stdout: ${stdout}`,
    exitCode: (label, exit, expected) => `${label} terminó ${exit}; se esperaba el código ${expected}`,
    stdout: (label, expected, got) => `stdout de ${label}: se esperaba ${expected} y llegó ${got}`,
    stdoutDiffers: (gotBytes, expectedBytes, at, expected, got) =>
      ` — ${gotBytes} bytes en vez de ${expectedBytes}; la primera diferencia está en el byte ${at}: se esperaba ${expected} y llegó ${got}`,
    sigterm: (label, exit) => `${label} no terminó con código 0 al recibir SIGTERM (terminó ${exit})`,
    socketFileLeft: (label, path) => `${label} terminó, pero dejó atrás su archivo de socket ${path}`,
    notBound: (label, seconds, exit, stderr) =>
      `${label} no quedó enlazado en ${seconds} s (estado de salida: ${exit}; su stderr: ${stderr})`,
    peerPrinted: (label, exit, printed, expected, stderr) =>
      `${label} terminó ${exit} e imprimió ${printed}; se esperaba ${expected}${stderr === undefined ? "" : `; su stderr: ${stderr}`}`,
    needsLinux: (platform) => `necesita Linux (esta máquina es ${platform})`,
    noIPv6: "esta máquina no tiene loopback IPv6 (::1)",
    notTimeFormat: (text, pattern) => `"${text}" no es una hora con la forma ${pattern}`,
    notLocalTime: (text, now) => `"${text}" no es la hora local (ahora son las ${now})`,
    timeReply: (why) => `respuesta a TIME: ${why}`,
    ncReceived: (label, got, expected) => `${label} recibió ${got}; se esperaba ${expected}`,
    replyEvent: (label, event, bytes, from) => `evento reply de ${label}: ${event}; se esperaban ${bytes} bytes desde ${from}`,
    stdoutSize: (label, got, expected) => `${label} escribió ${got} bytes en su stdout; se esperaban ${expected}`,
    digest: (label) => `la stdout de ${label} no es lo que envió nc (los resúmenes sha256 no coinciden)`,
    noSummary: (stderr) => `connect -v no informó ningún evento summary (su stderr: ${stderr})`,
    summaryReceived: (got, expected) => `connect -v informó ${got} bytes recibidos; se esperaban ${expected}`,
    gaveUpEarly: (tries, error) =>
      `el cliente se rindió tras ${tries} intentos fallidos, antes de que el servidor tardío estuviera escuchando (esta máquina tarda ahora en arrancar procesos); su error: ${error}`,
    noFailedAttempt: (seconds, stderr) =>
      `el cliente no informó ningún intento fallido, aunque el servidor arrancó ${seconds} s tarde (su stderr: ${stderr})`,
    firstAttempt: (got, delayMs) =>
      `el primer intento fallido es ${got}; se esperaba el intento 1 de 5, ECONNREFUSED, con el siguiente en ${delayMs} ms`,
    noServer: (tries, error, address) =>
      `cliente sin servidor: ${tries} intentos fallidos y el error ${error}; se esperaban 2 intentos y después ERR_UNAVAILABLE para ${address}`,
    silentServer: (attempts, connected) =>
      `cliente contra un servidor mudo: intentos ${attempts} y ${connected} eventos connected; se esperaban 2 conexiones, y que a cada una se le agotara el tiempo (ETIMEDOUT)`,
    noIPv4Localhost: "en esta máquina localhost no resuelve a ninguna dirección IPv4",
    connectedTo: (got, host) => `connect -v informó conexiones a ${got}; se esperaba una a la dirección ${host}`,
    pong: (got) => `stdout del cliente: se esperaba "pong" (o "pong\\n") y llegó ${got}`,
    unanswered: (tries, error) =>
      `cliente sin respuesta: ${tries} intentos fallidos y el error ${error}; se esperaban 3 intentos y después ERR_NO_RESPONSE`,
    notDiscovered: (name, port, stdout) =>
      `discover no mostró la respuesta de ${name} con la forma "udp://127.x.x.x:${port} ${name}\\n" (su stdout: ${stdout})`,
    discoverLines: (lines, stdout) => `discover imprimió ${lines} ${lines === 1 ? "línea" : "líneas"}; se esperaban 2: ${stdout}`,
    announcePorts: (a, b) => `los dos servidores announce están en puertos distintos (${a}, ${b})`,
    nobodyThere: (error) =>
      `discover sin nadie escuchando: el error ${error}; se esperaba ERR_NO_RESPONSE (nadie responde en 0,5 s)`,
    notSequentialExited: (label, stdout) =>
      `${label} terminó (su stdout: ${stdout}) mientras el cliente 1 seguía conectado: el servidor no es secuencial`,
    notSequentialGot: (label, stdout) => `${label} recibió ${stdout} mientras el cliente 1 seguía conectado: el servidor no es secuencial`,
    accepts: (count) =>
      `el servidor informó ${count} conexiones aceptadas mientras atendía al cliente 1; se esperaba 1 (es secuencial)`,
    notQueued: (label, exit, client) => `${label} terminó ${exit} sin informar de que ${client} estaba en cola (esperando su turno)`,
    replyLines: (stdout) => `se esperaban 4 líneas de respuesta, cada una terminada en \\n, y llegó ${stdout}`,
    commandReply: (command, got, expected) => `${command} → ${got}; se esperaba ${expected}`,
    idleClose: (seconds) => `la conexión se cerró ${seconds} s después de los últimos datos; se esperaba alrededor de 1 s`,
    udpReplies: (got, from) => `eventos reply del cliente: ${got}; se esperaban 3 respuestas de 4, 8 y 3 bytes desde ${from}`,
    timeDatagrams: (stdout) => `se esperaba "HH:MM:SS", "HH:MM:SS", "ERR\\n" (3 datagramas) y llegó ${stdout}`,
    missingPath: (attempt, error, path) =>
      `connect a una ruta que no existe: intento ${attempt}, error ${error}; se esperaba ENOENT (nadie escucha ahí) con la ruta ${path}`,
    senders: (got, path) => `los eventos datagram-in del servidor dan como remitentes ${got}, no la ruta del cliente ${path}`,
    paddedName: (name) =>
      `el nombre abstracto quedó enlazado con relleno (ver /proc/net/unix): otros programas no pueden llegar a @${name}`,
    fileOnDisk: (name) => `apareció en el disco un archivo llamado ${name}, pero un nombre abstracto no tiene archivo`,
    peerCredentials: (event, pid, uid) =>
      `el evento peer-credentials del servidor, ${event}, no muestra el pid ${pid} ni el uid ${uid} del cliente`,
    noDescriptorNumbers: (server, client) => `eventos de SCM_RIGHTS sin números de descriptor: servidor ${server}, cliente ${client}`,
    descriptorBytes: (got, expected) => `el cliente dice haber leído ${got} bytes por el descriptor; el archivo tiene ${expected}`,
    readiness: (address) => `el servidor dice que escucha en ${address}; se esperaba udp://127.0.0.1:PUERTO`,
    notAcceptedIPv6: (peers) => `el cliente IPv6 no fue aceptado como tcp://[::1]:PUERTO (aceptados: ${peers})`,
    notMapped: (peers) => `el cliente IPv4 no fue aceptado como tcp://[::ffff:127.0.0.1]:PUERTO (aceptados: ${peers})`,
    untilEof: (got, expected) => `lectura hasta EOF: llegaron ${got} bytes; se esperaban ${expected} bytes idénticos`,
  },
  exercises: {
    "1": {
      title: "Cliente UDS STREAM (eco local)",
      story: [
        "Como TCP pero local: socket(AF_UNIX, SOCK_STREAM) y connect() a una ruta del sistema de archivos, donde nc -lU hizo bind() (crea el archivo-socket), listen() y accept(). No hay paquetes ni handshake: el kernel une los dos sockets a través de ese archivo.",
        "El cliente envía \"hola desde UDS\\n\" con sendall() y hace un recv(): bloquea hasta que la persona en nc teclea algo. Si no hay archivo-socket en esa ruta, connect() falla con ENOENT: nadie escucha ahí.",
      ],
    },
    "2": {
      title: "Cliente TCP “hola mundo” (bloqueante)",
      story: [
        "El cliente crea un socket TCP/IPv4 (socket(AF_INET, SOCK_STREAM)) y llama a connect(): el kernel hace el three-way handshake (SYN, SYN/ACK, ACK) con el nc que está en listen()/accept().",
        "Después send() de \"hola mundo\\n\" y un único recv(): bloquea hasta que llega algo (lo que teclea la persona en nc) o el peer cierra. Al salir del with, close() envía FIN.",
      ],
    },
    "3": {
      title: "Cliente TCP por líneas (framing con \\n)",
      story: [
        "TCP es un flujo de bytes sin mensajes: el framing lo decide la aplicación. Aquí cada mensaje termina en \\n.",
        "El cliente hace connect(), envía \"uno\\n\", \"dos\\n\", \"tres\\n\" con sendall() y luego shutdown(SHUT_WR): manda FIN (\"no envío más\") pero sigue pudiendo leer. Lee con recv() en bucle hasta que recv() devuelve 0 bytes: el peer también cerró.",
      ],
    },
    "4": {
      title: "Cliente TCP con lecturas parciales",
      story: [
        "Un recv() devuelve lo que haya en el buffer del kernel, no \"el mensaje\": para un payload grande hay que llamar a recv() en bucle (de 64 KiB en 64 KiB) hasta que devuelva 0 bytes (EOF, el peer cerró).",
        "socklab no acumula en memoria: cada trozo recibido se escribe en stdout (aquí, un sumidero del lab que sólo cuenta bytes y calcula sha256), con memoria constante aunque sean GiB.",
      ],
    },
    "5": {
      title: "Cliente TCP con timeouts y reintentos",
      story: [
        "Cada intento crea un socket nuevo con timeout de 1,5 s (settimeout) y llama a connect(). Si no hay nadie en listen() en ese puerto, el kernel contesta al SYN con RST y connect() falla al instante con ECONNREFUSED; si conecta pero no llega respuesta en 1,5 s, el intento también falla.",
        "Tras el intento k el cliente espera 0,5 s × k (backoff lineal) y vuelve a probar, hasta 5 intentos. Aquí el servidor (nc) arranca ~1,2 s tarde: los primeros intentos son rechazados y uno posterior conecta, envía \"ping\\n\" y recibe la respuesta.",
      ],
    },
    "6": {
      title: "Cliente TCP con getaddrinfo (IPv4/IPv6)",
      story: [
        "getaddrinfo(\"localhost\", puerto) devuelve una lista de direcciones, quizá de varias familias (AF_INET 127.0.0.1, AF_INET6 ::1). El cliente crea un socket de la familia de cada una y prueba connect() en orden; el primero que conecta gana, los errores (ECONNREFUSED…) hacen pasar a la siguiente.",
        "El lab arranca nc sólo en 127.0.0.1 y, si localhost también resuelve a ::1, otro sólo en ::1: en cada caso el cliente tiene que encontrar la dirección que sí escucha.",
      ],
    },
    "7": {
      title: "Cliente UDP “ping-pong” manual",
      story: [
        "UDP no tiene conexión: el cliente crea socket(AF_INET, SOCK_DGRAM) y llama a sendto(b\"ping\", (host, puerto)); el kernel le asigna un puerto efímero (bind implícito).",
        "nc -u -l hizo bind() y espera con recvfrom(), que además de los datos devuelve la dirección del remitente; la respuesta \"pong\" vuelve con sendto() a esa dirección, y el cliente la lee con recvfrom(), que le dice de dónde vino.",
      ],
    },
    "8": {
      title: "Cliente UDP con timeout + retransmisión",
      story: [
        "UDP puede perder datagramas y nadie avisa. El cliente hace sendto(b\"TIME\") y espera en recvfrom() con timeout de 1 s; si vence, retransmite, hasta 3 intentos.",
        "El lab lo prueba dos veces: contra el servidor TIME (responde la hora) y contra un nc mudo que recibe pero nunca contesta: ahí deben llegarle exactamente 3 \"TIME\" y el cliente debe rendirse tras 3 intentos.",
      ],
    },
    "9": {
      title: "Cliente UDP broadcast (discovery)",
      story: [
        "Para enviar a una dirección de broadcast hay que activar SO_BROADCAST con setsockopt(); sin él, sendto() falla con EACCES. El cliente envía \"DISCOVER?\" una sola vez y escucha con recvfrom() hasta que vence el timeout, anotando cada respuesta y su dirección.",
        "Por seguridad el lab nunca envía al broadcast limitado (todo unos, que llega a la red real): usa el broadcast de loopback 127.255.255.255, con dos servidores announce en el mismo puerto (SO_REUSEADDR) que deben aparecer los dos.",
      ],
    },
    "10": {
      title: "Servidor TCP eco (secuencial)",
      story: [
        "El servidor hace socket() → setsockopt(SO_REUSEADDR) → bind() → listen(8) y entra en el bucle: accept() devuelve un socket nuevo para un cliente; con él hace recv()/sendall() (eco) hasta que recv() devuelve 0 (el cliente cerró), close() y vuelta a accept().",
        "Es secuencial: mientras atiende al cliente 1, el cliente 2 ya completó el handshake (el kernel lo dejó en la cola de listen, el backlog) pero nadie llamó a accept() por él: espera su turno sin recibir nada.",
      ],
    },
    "11": {
      title: "Servidor TCP por líneas con comandos",
      story: [
        "Servidor: socket() → bind(127.0.0.1, puerto) → listen() → accept(). Con el socket del cliente lee línea a línea: cada recv() trae un trozo del flujo, y el servidor lo corta en \\n (una línea puede llegar partida o varias juntas).",
        "Por cada línea (sin espacios alrededor): PING → \"PONG\\n\", \"ECHO x\" → \"x\\n\", TIME → la hora local \"YYYY-mm-dd HH:MM:SS\\n\", otra cosa → \"ERR desconocido\\n\", cada respuesta con send().",
        "El cliente (el #3 de la guía) envía las cuatro líneas, hace shutdown(SHUT_WR) y lee hasta EOF; el servidor ve recv() = 0, responde lo pendiente y hace close(): el cliente recibe EOF y termina.",
      ],
    },
    "12": {
      title: "Servidor TCP con timeout de inactividad",
      story: [
        "Igual que el eco secuencial, pero el socket de cada cliente tiene un timeout (settimeout): si recv() pasa ese tiempo sin recibir nada, el servidor registra la inactividad y cierra la conexión (close()), liberando el turno para el siguiente cliente.",
        "El lab usa 1 s en vez de 10: el cliente envía \"hola\\n\", recibe el eco y se queda callado; al segundo el servidor cierra y el cliente ve EOF.",
      ],
    },
    "13": {
      title: "Servidor UDP eco",
      story: [
        "Servidor UDP: socket(AF_INET, SOCK_DGRAM) → bind(); no hay listen() ni accept(). Cada recvfrom() devuelve un datagrama entero y la dirección de quien lo mandó, y sendto() devuelve el mismo datagrama a esa dirección.",
        "Cada --send del cliente es un datagrama distinto: los límites se conservan (a diferencia de TCP), también con bytes binarios.",
      ],
    },
    "14": {
      title: "Servidor UDP “TIME”",
      story: [
        "Servidor UDP: bind() y un bucle de recvfrom(). Decodifica el datagrama, le quita espacios y saltos de línea (strip): si es TIME responde con sendto() la hora local \"HH:MM:SS\" (sin \\n); si no, \"ERR\\n\".",
      ],
    },
    B1: {
      title: "UDS DATAGRAM (eco local)",
      story: [
        "socket(AF_UNIX, SOCK_DGRAM): como UDP pero local y confiable (no se pierden ni se reordenan datagramas), y también sin conexiones. El servidor hace bind() a una ruta y en bucle recvfrom() → sendto() al remitente.",
        "Para que haya respuesta, el cliente necesita una dirección propia: hace bind() a su propia ruta (como en la guía) o, sin ruta, el kernel le asigna un nombre abstracto automático (autobind). Node no tiene sockets Unix de datagramas: socklab usa su addon nativo.",
      ],
    },
    B2: {
      title: "Abstract namespace (Linux)",
      story: [
        "Un nombre que empieza con el byte \\0 vive en el espacio abstracto de Linux: bind() no crea ningún archivo, el nombre desaparece cuando se cierra el socket y el tamaño de la dirección (addrlen) cuenta: el nombre son exactamente esos bytes, sin relleno.",
        "El servidor hace bind(\"\\0nombre\") → listen() → accept() y envía \"hola abstract\\n\"; el cliente hace connect(\"\\0nombre\") y recv(). Como en todo socket Unix, no hay handshake ni paquetes.",
      ],
    },
    B3: {
      title: "SO_PEERCRED — obtener UID/GID/PID del peer",
      story: [
        "En un socket Unix conectado, getsockopt(SOL_SOCKET, SO_PEERCRED) devuelve el pid, uid y gid del proceso del otro lado, tal como los vio el kernel en connect(): no se pueden falsificar desde el cliente.",
        "El servidor hace accept(), lee las credenciales, las registra y responde \"Hola UID=<uid> PID=<pid>\\n\". El lab comprueba que el PID es el del proceso cliente que él mismo lanzó.",
      ],
    },
    B4: {
      title: "SCM_RIGHTS — pasar descriptores de archivo entre procesos",
      story: [
        "Con sendmsg() y un mensaje de control SOL_SOCKET/SCM_RIGHTS, un proceso \"presta\" un descriptor abierto a otro: el kernel instala en el receptor un descriptor nuevo (con su propio número) que apunta al mismo archivo abierto.",
        "El servidor hace accept() y sendmsg([b\"FD\"], [(SOL_SOCKET, SCM_RIGHTS, fd)]); el cliente hace recvmsg() con espacio para datos auxiliares, saca el descriptor, lseek() al inicio y read(): lee el archivo sin haberlo abierto él.",
      ],
    },
    "2.1": {
      title: "TCP/IPv4 — Servidor eco simple (secuencial), por líneas",
      story: [
        "Servidor: socket() → bind() → listen() → accept(); por conexión acumula lo que traen los recv() en un buffer y extrae cada línea completa (hasta \\n), le quita un \\r final y responde \"eco: <línea>\\n\" con sendall().",
        "TCP no conserva límites: una línea puede llegar partida en varios recv() y varias líneas pueden llegar en uno solo. El lab prueba las dos cosas, más una última línea sin \\n antes de EOF (recv() = 0), que también se contesta.",
      ],
    },
    "2.1c": {
      title: "Cliente TCP (IPv4)",
      story: [
        "El cliente hace connect(), envía \"hola\\n\", \"mundo\\n\", \"fin\\n\" con sendall() y shutdown(SHUT_WR) (FIN: no envía más). Después recv() en bucle hasta 0 bytes: el servidor contesta cada línea y, al ver EOF, cierra.",
      ],
    },
    "2.2": {
      title: "TCP/IPv4 — Servidor medio: mini-protocolo de comandos",
      story: [
        "El mismo ciclo socket() → bind() → listen() → accept() y lectura por líneas que el #11 de la guía 1, con una diferencia de protocolo: un comando desconocido recibe \"ERR\\n\" (socklab: serve cmd --err ERR).",
      ],
    },
    "2.3": {
      title: "UDP/IPv4 — Servidor eco y su cliente",
      story: [
        "La guía hace bind((\"0.0.0.0\", puerto)): recibir en todas las interfaces IPv4 (socklab serve echo udp://0.0.0.0:9201). El laboratorio no abre servidores hacia la red: usa 127.0.0.1, que para el socket es lo mismo salvo por las interfaces. Luego recvfrom() → sendto() al remitente; en ningún momento hay conexión.",
        "El cliente envía \"ping\" y muestra la respuesta y de dónde vino.",
      ],
    },
    "2.4": {
      title: "TCP/IPv6 — Servidor eco y cliente",
      story: [
        "Los mismos pasos con AF_INET6: socket(AF_INET6, SOCK_STREAM) → bind((\"::1\", puerto)) → listen() → accept(). La dirección del cliente es una tupla IPv6 (ip, puerto, flowinfo, scope_id).",
      ],
    },
    "2.5": {
      title: "TCP dual-stack (cuando el SO lo permite)",
      story: [
        "Un solo socket AF_INET6 con setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0) y bind((\"::\", puerto)) acepta clientes IPv6 y también IPv4: estos aparecen como direcciones IPv4-mapeadas, ::ffff:127.0.0.1.",
        "El servidor hace accept() y envía \"hola dual\\n\" a cada uno; el lab conecta por 127.0.0.1 y por ::1 al mismo puerto. Es el único ejercicio que enlaza todas las interfaces, como pide la guía: donde el lab puede (root y unshare), lo ejecuta en un espacio de nombres de red propio, donde \"todas las interfaces\" es sólo su loopback; si no, dice cuánto tiempo estuvieron abiertas las de la máquina.",
      ],
    },
    "2.6": {
      title: "Apéndice: patrón de lectura robusta (recv_all)",
      story: [
        "recv_all(sock, nbytes=None): recv() en bucle acumulando trozos hasta que recv() devuelve 0 (EOF) o, si se pidió, hasta tener exactamente nbytes; en ese caso no espera el cierre del peer y no lee ni un byte de más.",
        "Hasta EOF lo hace socklab connect; \"exactamente N\" no tiene opción en la CLI, así que lo hace un pequeño cliente sobre la biblioteca (recvAll de socklab), en otro proceso.",
      ],
    },
  },
};
