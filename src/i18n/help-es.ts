/**
 * Ayuda en castellano. Una entrada por línea: añadir una opción a la tabla de una orden es
 * añadir una línea en `options` aquí y otra en help-en.ts (`ORDEN.OPCIÓN`).
 * Las líneas de uso y las listas de opciones se generan de las tablas (src/cli/help.ts).
 */
import { sharedOptionHelp, TLS_COMMANDS, type HelpMessages } from "./catalog.js";

export const helpEs: HelpMessages = {
  usage: "uso:",
  optionsWord: "opciones",
  commandWord: "ORDEN",
  headings: { commands: "Órdenes:", options: "Opciones:", globalOptions: "Opciones de todas las órdenes:", services: "Servicios:", examples: "Ejemplos:" },
  intro: `socklab — sockets sin misterio: un cliente/escucha al estilo de netcat, cada servidor de
las guías como servicio y un laboratorio que ejecuta cada ejercicio de principio a fin.`,
  commandList: (commands) => `(órdenes: ${commands}; socklab --help)`,
  addresses: (forms) => `Direcciones: ${forms}.
El puerto 0 elige uno libre. Los textos entienden \\n \\r \\t \\\\ \\0 \\xHH.`,
  footer: `La carga útil sale intacta por stdout; los diagnósticos, por stderr. Salida: 0 bien, 1 fallo, 2 uso.
'socklab ORDEN --help' (o 'socklab help ORDEN') muestra las opciones de una orden.`,

  commands: {
    serve: {
      args: "SERVICIO DIRECCIÓN",
      summary: "un servidor: echo, cmd, time, fd, chat, exec … (serve --help)",
      about: `Ejecuta uno de los servidores de las guías. Cuando está listo escribe "escuchando en DIRECCIÓN"
en stderr (con el puerto real) y después una línea por evento. SIGINT/SIGTERM lo detienen
limpiamente (salida 0); una segunda señal durante la parada sale enseguida (130/143) tras
borrar el archivo del socket.`,
    },
    connect: {
      args: "DIRECCIÓN",
      summary: "el papel de cliente (stdin al socket, el socket a stdout, como nc -N)",
      about: `El papel de cliente. Sin --send, la entrada estándar va al socket y el socket a la salida
estándar; al fin de stdin se cierra el lado de escritura (shutdown) y socklab muestra lo que
llegue hasta que el otro extremo cierre (como nc -N). Con direcciones de datagramas se envía
un datagrama por cada línea de stdin.`,
    },
    listen: {
      args: "DIRECCIÓN",
      summary: "el papel de nc -l",
      about: `El papel de nc -l. Escribe "escuchando en DIRECCIÓN" en stderr cuando está listo. Flujo: acepta
una conexión; stdin va a ella (medio cierre al fin de stdin) y ella va a stdout; termina
cuando el otro extremo ha cerrado. Datagramas: muestra la carga de cada datagrama; las
líneas de stdin van al último remitente. Formas cortas de nc: listen PUERTO y listen -u
PUERTO escuchan en 127.0.0.1 (solo loopback; para otra cosa, la forma URL), listen -U RUTA.`,
    },
    discover: {
      args: "[DIRECCIÓN]",
      summary: "descubre servidores por difusión UDP (udp://127.255.255.255:9008)",
      about: `Descubrimiento por difusión: activa SO_BROADCAST, envía --message (por defecto "DISCOVER?")
a DIRECCIÓN (por defecto udp://127.255.255.255:9008) y escribe "udp://HOST:PUERTO CARGA" por
cada respuesta.`,
    },
    "recv-fd": {
      args: "DIRECCIÓN",
      summary: "recibe un descriptor (SCM_RIGHTS) y muestra el archivo a través de él",
      about: `Cliente de B4: se conecta a una dirección Unix de flujo, recibe un descriptor enviado con
SCM_RIGHTS y muestra el contenido del archivo leído a través de él.`,
    },
    scan: {
      args: "tcp://HOST:PUERTOS",
      summary: "qué puertos TCP aceptan una conexión (nc -z)",
      about: `Se conecta a cada puerto e informa cuáles aceptan (nc -z). No envía nada; cierra cada
conexión enseguida. PUERTOS es una lista de puertos y rangos: 22  o  22,80,443  o  8000-8100,9000.
La salida estándar recibe una línea por puerto abierto (tcp://HOST:PUERTO), en el orden dado.
Salida: 0 si hay algún puerto abierto, 1 si no hay ninguno, 2 si la entrada es incorrecta.
Equivalente: nc -z -w1 HOST 22 80 8000-8100 (nc -zv para -v); ncat no tiene modo de escaneo.`,
    },
    relay: {
      args: "DESDE HACIA",
      summary: "acepta en DESDE, abre HACIA por cliente, copia ambos sentidos (socat)",
      about: `Acepta clientes en DESDE y abre HACIA para cada uno; copia los bytes en ambos sentidos, en
memoria constante, hasta que los dos lados terminan. Un EOF de un lado se transmite como
half-close (shutdown) al otro. Dos direcciones de flujo cualesquiera (tcp://, unix:, abstract:,
IPv4 o IPv6), o dos direcciones udp:// (un socket hacia HACIA por cliente, que se olvida tras
--idle-timeout, por defecto 60 s). Escribe "escuchando en DIRECCIÓN" en la salida de errores al
estar listo, y una línea por cliente abierto y cerrado con los bytes de cada sentido. Si HACIA
no responde, lo informa y cierra el cliente.
Equivalentes: socat TCP-LISTEN:8080,fork,reuseaddr TCP:HOST:80
              ncat -l -k 8080 --sh-exec "ncat HOST 80"`,
    },
    lab: {
      args: "[ID...]",
      summary: "ejecuta los ejercicios de las guías e imprime un informe",
      // `socklab lab --help` es la ayuda propia del laboratorio (src/lab/main.ts).
      about: "",
    },
    completion: {
      args: "bash|zsh|fish",
      summary: "guion de autocompletado de la shell (de las tablas de --help)",
      about:
        "Escribe un guion de autocompletado para bash, zsh o fish, con descripciones en el idioma\nde --lang. Se instala así:\n" +
        "  socklab completion bash > ~/.local/share/bash-completion/completions/socklab\n" +
        '  socklab completion zsh > "${fpath[1]}/_socklab"\n' +
        "  socklab completion fish > ~/.config/fish/completions/socklab.fish",
    },
    bench: {
      args: "[--quick] [--out DIR] [--only IMPL,...] [--metrics ID,...] [--runs N] [--secs S] [--no-pin | --same-core]",
      summary: "pruebas de rendimiento (solo desde el código fuente: npm run bench)",
      about: `Compara los servidores de socklab con Node sin capas, Python (al estilo de las guías), socat
y una referencia en C en una sola pasada. --quick hace una pasada corta. Vienen con el código
fuente, no con el paquete de npm: se ejecutan desde una copia del repositorio (npm run bench).`,
    },
  },

  options: {
    // tls:// (src/cli/tls-options.ts), las mismas líneas en cada orden que las acepta.
    ...sharedOptionHelp(TLS_COMMANDS, {
      cert: { arg: "ARCHIVO", text: "tls://: certificado PEM del servidor (por defecto, efímero) o del cliente" },
      key: { arg: "ARCHIVO", text: "tls://: clave privada (PEM) de --cert" },
      ca: { arg: "ARCHIVO", text: "cliente tls://: confía en servidores emitidos por las CA de ARCHIVO (PEM)" },
      "client-ca": { arg: "ARCHIVO", text: "servidor tls://: exige certificados de cliente de las CA de ARCHIVO" },
      pin: { arg: "sha256:HEX", text: "cliente tls://: confía solo en el certificado con esta huella" },
      insecure: { text: "cliente tls://: no verifica al servidor (y lo avisa en stderr cada vez)" },
      sni: { arg: "NOMBRE", text: "cliente tls://: nombre de servidor pedido y verificado (por defecto, host)" },
      alpn: { arg: "LISTA", text: "tls://: protocolos ALPN, separados por comas" },
    }),
    "global.help": { text: "muestra la ayuda (también: socklab help ORDEN)" },
    "global.json": { text: "un objeto JSON por evento en stderr (esquema: docs/EVENTS.md)" },
    "global.lang": { arg: "es|en", text: "idioma de mensajes y ayuda (por defecto: LC_ALL, LC_MESSAGES, LANG)" },

    "serve.concurrent": { text: "atiende a los clientes a la vez (por defecto, de a uno, como en las guías)" },
    "serve.idle-timeout": { arg: "S", text: "cierra una conexión inactiva durante S segundos" },
    "serve.dual-stack": { text: "en tcp://[::]:PUERTO acepta también IPv4 (por defecto con ::)" },
    "serve.ipv6-only": { text: "en una dirección IPv6 acepta solo IPv6" },
    "serve.text": { arg: "TEXTO", text: "texto de greet/announce" },
    "serve.err": { arg: "TEXTO", text: 'cmd: respuesta a órdenes desconocidas\n(por defecto "ERR desconocido\\n"; guía 2: "ERR")' },
    "serve.file": { arg: "RUTA", text: "fd: el archivo cuyo descriptor se envía" },
    "serve.max-line": { arg: "BYTES", text: "línea más larga que aceptan los servicios de líneas (por defecto 65536)" },
    "serve.max-conns": {
      arg: "N",
      text: "con --concurrent: atiende a N a la vez como mucho (por defecto 1000,\nmenos si ulimit -n es menor); los demás esperan en la cola del núcleo",
    },
    "serve.max-time": { arg: "S", text: "cierra una conexión S segundos después de aceptarla, esté activa o no" },
    "serve.mode": { arg: "OCTAL", text: "permisos del archivo del socket Unix (por defecto 600)" },
    "serve.allow-uid": { arg: "UIDS", text: "Unix de flujo: atiende solo a clientes con estos uid (separados por comas)" },
    "serve.trace": { text: "registra también cada paso a nivel de socket" },
    "serve.allow": { arg: "CIDR,...", text: "tcp/udp: solo estas direcciones de cliente, IPv4/IPv6 (ncat --allow)" },
    "serve.deny": { arg: "CIDR,...", text: "tcp/udp: nunca estas direcciones; deny gana sobre allow (ncat --deny)" },
    "serve.allow-file": { arg: "RUTA", text: "reglas allow, una por línea, comentarios con # (ncat --allowfile)" },
    "serve.deny-file": { arg: "RUTA", text: "reglas deny, una por línea, comentarios con # (ncat --denyfile)" },
    "serve.hexdump": { text: "vuelca cada fragmento en stderr: sentido, posición, hex, texto (ncat -x); con --json, un campo hex en los eventos sent/received" },
    "serve.hexdump-file": { arg: "ARCHIVO", text: "escribe los volcados en ARCHIVO en vez de la salida de errores" },
    "serve.show": { text: "cada fragmento como lo muestra Python, b'hola\\n', en stderr; con --json, un campo python en los eventos sent/received" },

    "scan.timeout": { arg: "S", text: 'abandona un puerto tras S segundos: "filtrado" (por defecto 1)' },
    "scan.concurrency": { arg: "N", text: "puertos que se prueban a la vez (por defecto 100)" },
    "scan.4": { text: "resuelve HOST solo a IPv4" },
    "scan.6": { text: "resuelve HOST solo a IPv6" },
    "scan.verbose": { text: "en la salida de errores, el resultado de cada puerto\n(abierto, cerrado, filtrado, error) y un resumen" },
    "relay.allow": { arg: "CIDR,...", text: "solo estas direcciones de cliente, IPv4/IPv6, repetible (ncat --allow)" },
    "relay.deny": { arg: "CIDR,...", text: "nunca estas direcciones; deny gana sobre allow (ncat --deny)" },
    "relay.allow-file": { arg: "ARCHIVO", text: "reglas allow, una por línea, comentarios con # (ncat --allowfile)" },
    "relay.deny-file": { arg: "ARCHIVO", text: "reglas deny, una por línea, comentarios con # (ncat --denyfile)" },
    "relay.idle-timeout": { arg: "S", text: "cierra una conexión (o asociación UDP) sin tráfico durante S segundos" },
    "relay.timeout": { arg: "S", text: "tiempo máximo para conectar con HACIA (por defecto 10)" },
    "relay.4": { text: "resuelve HACIA solo a IPv4" },
    "relay.6": { text: "resuelve HACIA solo a IPv6" },
    "relay.hexdump": { text: "vuelca cada fragmento en la salida de errores: sentido, posición,\nhex y texto (ncat -x, socat -x); con --json, un campo hex en los eventos sent/received" },
    "relay.hexdump-file": { arg: "ARCHIVO", text: "escribe los volcados en ARCHIVO en vez de la salida de errores" },
    "relay.show": { text: "cada fragmento como Python muestra los bytes, b'hola\\n',\nen la salida de errores; con --json, un campo python en los eventos sent/received" },
    "relay.dual-stack": { text: "en tcp://[::]:PUERTO acepta también IPv4 (por defecto con ::)" },
    "relay.ipv6-only": { text: "en una dirección IPv6 acepta solo IPv6" },
    "relay.mode": { arg: "OCTAL", text: "permisos del archivo de socket Unix (por defecto 600)" },
    "connect.send": { arg: "TEXTO", text: "envía TEXTO (repetible, en orden; flujo) o un datagrama por cada --send" },
    "connect.lines": { text: 'añade "\\n" a cada texto de --send que no lo lleve' },
    "connect.half-close": { text: "tras enviar, cierra el lado de escritura y muestra todo hasta que el otro cierre" },
    "connect.until-close": { text: "tras enviar, muestra todo hasta que el otro cierre (sin medio cierre)\n(por defecto tras --send: muestra la respuesta — una línea por línea enviada\ncon --lines, si no el primer fragmento — y termina)" },
    "connect.recv-only": { text: "nunca lee stdin ni hace medio cierre; muestra todo hasta que el otro cierre.\nEs la forma de traer un archivo de nc -l, nc -N -l o ncat -l (nc -l a secas\nnunca cierra solo: deténgalo cuando el archivo haya llegado)" },
    "connect.send-only": { text: "envía stdin (medio cierre al terminar) y descarta lo que llega" },
    "connect.no-shutdown": { text: "sin medio cierre al fin de stdin; termina cuando el otro cierra (nc a secas)" },
    "connect.idle-timeout": { arg: "S", text: "abandona (código 1) si nada se mueve en ningún sentido durante S segundos" },
    "connect.timeout": { arg: "S", text: "plazo por intento: la conexión y la respuesta cuando se espera una\n(por defecto 10 para conectar; 5 para respuestas a datagramas)" },
    "connect.retries": { arg: "N", text: "intentos en total (por defecto 1); cada intento fallido se informa en stderr" },
    "connect.backoff": { arg: "S", text: "espera S × intento entre intentos (por defecto 0,5)" },
    "connect.4": { text: "solo IPv4 (por defecto: cada dirección resuelta, en orden)" },
    "connect.6": { text: "solo IPv6 (por defecto: cada dirección resuelta, en orden)" },
    "connect.bind": { arg: "RUTA", text: "unix-dgram: enlaza el cliente a RUTA (por defecto: autobind)" },
    "connect.verbose": { text: "informa de la conexión y, al final, de los bytes recibidos y la velocidad" },
    "connect.trace": { text: "registra también los pasos a nivel de socket" },
    "connect.hexdump": { text: "vuelca en stderr cada fragmento enviado (>) y recibido (<): extremo,\ntamaño, posición en el flujo, hexadecimal e imprimibles (ncat -x, socat -x); con --json, un campo hex en los eventos sent/received" },
    "connect.hexdump-file": { arg: "ARCHIVO", text: "el volcado de -x, añadido a ARCHIVO en vez de a stderr" },
    "connect.show": { text: "cada fragmento como literal de bytes de Python en stderr: > DIRECCIÓN b'hola\\n'; con --json, un campo python en los eventos sent/received" },
    "connect.crlf": { text: "envía \\r\\n por cada \\n de stdin y de --send (nc -C, ncat -C)" },
    "connect.progress": { text: "progreso al estilo de pv en stderr: bytes en cada sentido, velocidad,\ntiempo, y % y tiempo restante si stdin es un archivo (se redibuja en un terminal)" },
    "connect.udp": { text: "estilo nc: connect -u HOST PUERTO equivale a udp://HOST:PUERTO" },
    "connect.unix": { text: "estilo nc: connect -U RUTA equivale a unix:RUTA\n(y connect HOST PUERTO, a tcp://HOST:PUERTO)" },

    "listen.keep-open": { text: "al terminar una conexión, acepta la siguiente (indefinidamente); stdin\nlas alimenta por turno, sin perder nada entre una y otra" },
    "listen.mode": { arg: "OCTAL", text: "permisos del archivo del socket Unix (por defecto 600)" },
    "listen.trace": { text: "registra también cada paso a nivel de socket" },
    "listen.udp": { text: "al estilo nc: listen -u PUERTO es udp://127.0.0.1:PUERTO (nc -u -l)" },
    "listen.unix": { text: "al estilo nc: listen -U RUTA es unix:RUTA (nc -U -l)" },
    "listen.verbose": { text: "informa de la conexión y, al final, de los bytes (nc -v)" },
    "listen.progress": { text: "bytes en cada sentido, ritmo y tiempo en la salida de errores (pv)" },
    "listen.allow": { arg: "CIDR,...", text: "tcp/udp: solo estas direcciones de cliente, IPv4/IPv6 (ncat --allow)" },
    "listen.deny": { arg: "CIDR,...", text: "tcp/udp: nunca estas direcciones; deny gana sobre allow (ncat --deny)" },
    "listen.allow-file": { arg: "RUTA", text: "reglas allow, una por línea, comentarios con # (ncat --allowfile)" },
    "listen.deny-file": { arg: "RUTA", text: "reglas deny, una por línea, comentarios con # (ncat --denyfile)" },
    "listen.hexdump": { text: "vuelca cada fragmento en stderr: sentido, posición, hex, texto (ncat -x); con --json, un campo hex en los eventos sent/received" },
    "listen.hexdump-file": { arg: "ARCHIVO", text: "escribe los volcados en ARCHIVO en vez de la salida de errores" },
    "listen.show": { text: "cada fragmento como lo muestra Python, b'hola\\n', en stderr; con --json, un campo python en los eventos sent/received" },

    "discover.message": { arg: "TEXTO", text: "la pregunta (por defecto DISCOVER?)" },
    "discover.timeout": { arg: "S", text: "cuánto tiempo se recogen respuestas (por defecto 1)" },

    "recv-fd.timeout": { arg: "S", text: "cuánto se espera a la conexión y al descriptor (por defecto 10)" },
    "recv-fd.verbose": { text: "informa de la conexión y, al final, de los bytes mostrados" },
    "recv-fd.trace": { text: "registra también los pasos a nivel de socket (la conexión)" },
  },

  man: {
    sections: { name: "NOMBRE", synopsis: "SINOPSIS", description: "DESCRIPCIÓN", commands: "ÓRDENES", addresses: "DIRECCIONES", exitStatus: "ESTADO DE SALIDA", environment: "ENTORNO", seeAlso: "VÉASE TAMBIÉN" },
    summary: "sockets sin misterio: cliente y escucha al estilo de netcat, los servidores de las guías y un laboratorio",
    exitStatus: "0 éxito; 1 un fallo, contado en una línea (o un evento JSON de error); 2 un error de uso: una línea, la línea de uso y una pista. Nunca una traza de pila.",
    environment: {
      "LC_ALL, LC_MESSAGES, LANG": "la primera que esté definida elige el idioma de mensajes y ayuda (es…: castellano; cualquier otro, C y POSIX incluidos: inglés); --lang manda sobre ellas",
      SOCKLAB_DEBUG: "si está definida, un error interno muestra también su traza de pila",
    },
    seeAlso: "nc(1), ncat(1), socat(1); docs/CLI.md (la referencia completa), docs/EVENTS.md (el esquema de --json) y docs/ERRORS.md (cada código de error) en el paquete",
  },

  services: {
    echo: "flujo: eco de los bytes hasta que el otro cierre; datagramas: cada uno a su remitente",
    "line-echo": 'por línea: "eco: LÍNEA\\n" (guía 2, ejercicio 2.1)',
    cmd: 'por línea: PING→PONG, ECHO x→x, TIME→AAAA-mm-dd HH:MM:SS, si no "ERR desconocido"',
    time: 'datagramas: TIME → HH:MM:SS, si no "ERR\\n" (ejercicio 14)',
    greet: 'envía --text (por defecto "hola dual\\n") y cierra (ejercicio 2.5)',
    announce: "datagramas: responde a DISCOVER? con --text (ejercicio 9)",
    peercred: 'Unix: responde "Hola UID=<uid> PID=<pid>\\n" según SO_PEERCRED (B3)',
    fd: 'Unix: envía "FD" con el descriptor de --file (por defecto /etc/hostname) (B4)',
    chat: "cada línea a todos los demás clientes, como <userN> LÍNEA (ncat --chat)",
    broker: "los bytes de un cliente, tal cual, a todos los demás (ncat --broker)",
    exec: "exec DIRECCIÓN -- ORDEN [ARGS...]: una ORDEN por cliente, en su stdin/stdout (ncat -e)",
  },
};
