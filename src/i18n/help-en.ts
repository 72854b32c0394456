/**
 * English help. One entry per line: adding an option to a command's table means adding
 * one line under `options` here and one in help-es.ts (`COMMAND.OPTION`).
 * Usage lines and option lists are generated from the option tables (src/cli/help.ts).
 */
import { sharedOptionHelp, TLS_COMMANDS, type HelpMessages } from "./catalog.js";

export const helpEn: HelpMessages = {
  usage: "usage:",
  optionsWord: "options",
  commandWord: "COMMAND",
  headings: { commands: "Commands:", options: "Options:", globalOptions: "Options for every command:", services: "Services:", examples: "Examples:" },
  intro: `socklab — sockets made plain: a netcat-class client/listener, every server of the
guides as a service, and a lab that runs every exercise end to end.`,
  commandList: (commands) => `(commands: ${commands}; socklab --help)`,
  addresses: (forms) => `Addresses: ${forms}.
Port 0 picks a free port. Texts understand \\n \\r \\t \\\\ \\0 \\xHH.`,
  footer: `Payload goes to stdout untouched; diagnostics to stderr. Exit: 0 ok, 1 failure, 2 usage.
Run 'socklab COMMAND --help' (or 'socklab help COMMAND') for a command's options.`,

  commands: {
    serve: {
      args: "SERVICE ADDRESS",
      summary: "run a server: echo, cmd, time, fd, chat, exec … (serve --help)",
      about: `Run one of the guides' servers. Prints "listening ADDRESS" on stderr when ready (with the
real port), then one line per event. SIGINT/SIGTERM stop it cleanly (exit 0); a second
signal while stopping exits at once (130/143) after removing the socket file.`,
    },
    connect: {
      args: "ADDRESS",
      summary: "the client role (stdin to the socket, the socket to stdout, like nc -N)",
      about: `The client role. Without --send, standard input goes to the socket and the socket to
standard output; at stdin EOF the write side is shut down and socklab prints what arrives
until the peer closes (like nc -N). Datagram addresses send one datagram per stdin line.`,
    },
    listen: {
      args: "ADDRESS",
      summary: "the nc -l role",
      about: `The nc -l role. Prints "listening ADDRESS" on stderr when ready. Stream: accepts one
connection; stdin goes to it (half-close at stdin EOF) and it goes to stdout; exits when the
peer has closed. Datagram: prints each datagram's payload; stdin lines go to the latest sender.
nc's short forms: listen PORT and listen -u PORT listen on 127.0.0.1 (loopback only; use the
URL form for anything else), listen -U PATH.`,
    },
    discover: {
      args: "[ADDRESS]",
      summary: "UDP broadcast discovery (default udp://127.255.255.255:9008)",
      about: `Broadcast discovery: enables SO_BROADCAST, sends --message (default "DISCOVER?") to ADDRESS
(default udp://127.255.255.255:9008), prints "udp://HOST:PORT PAYLOAD" per responder.`,
    },
    "recv-fd": {
      args: "ADDRESS",
      summary: "receive a file descriptor (SCM_RIGHTS) and print the file through it",
      about: `B4 client: connect to a Unix stream address, receive a descriptor passed with SCM_RIGHTS,
and print the file's content read through it.`,
    },
    scan: {
      args: "tcp://HOST:PORTS",
      summary: "which TCP ports accept a connection (nc -z)",
      about: `Connect to each port and report those that accept (nc -z). Nothing is sent; each connection
is closed at once. PORTS is a list of ports and ranges: 22  or  22,80,443  or  8000-8100,9000.
Standard output gets one line per open port (tcp://HOST:PORT), in the order given.
Exit: 0 if any port is open, 1 if none is, 2 for bad input.
Equivalent: nc -z -w1 HOST 22 80 8000-8100 (nc -zv for -v); ncat has no scan mode.`,
    },
    relay: {
      args: "FROM TO",
      summary: "accept clients on FROM, open TO for each, copy both ways (socat's job)",
      about: `Accept clients on FROM and open TO for each; copy bytes both ways in constant memory until
both sides are done. An EOF on one side is passed on as a half-close (shutdown) on the
other. Any two stream addresses (tcp://, unix:, abstract:, IPv4 or IPv6), or two udp://
addresses (one upstream socket per client, forgotten after --idle-timeout, default 60 s).
Prints "listening ADDRESS" on stderr when ready, then one line per client opened and closed
with the bytes each way. An upstream that cannot be reached is reported and the client closed.
Equivalents: socat TCP-LISTEN:8080,fork,reuseaddr TCP:HOST:80
             ncat -l -k 8080 --sh-exec "ncat HOST 80"`,
    },
    lab: {
      args: "[ID...]",
      summary: "run the guides' exercises and print a report",
      // `socklab lab --help` is the lab's own (src/lab/main.ts).
      about: "",
    },
    completion: {
      args: "bash|zsh|fish",
      summary: "print a shell completion script (made from the option tables of --help)",
      about:
        "Prints a completion script for bash, zsh or fish, with descriptions in the language of\n--lang. Install it with:\n" +
        "  socklab completion bash > ~/.local/share/bash-completion/completions/socklab\n" +
        '  socklab completion zsh > "${fpath[1]}/_socklab"\n' +
        "  socklab completion fish > ~/.config/fish/completions/socklab.fish",
    },
    bench: {
      args: "[--quick] [--out DIR] [--only IMPL,...] [--metrics ID,...] [--runs N] [--secs S] [--no-pin | --same-core]",
      summary: "benchmarks (source checkout only: npm run bench)",
      about: `Benchmarks socklab's servers against raw Node, Python (the guides' style), socat and a C
reference in one run. --quick runs a short pass. The benchmarks ship with the sources, not
with the npm package: run them from a checkout (npm run bench).`,
    },
  },

  options: {
    // tls:// (src/cli/tls-options.ts), the same lines for every command that takes them.
    ...sharedOptionHelp(TLS_COMMANDS, {
      cert: { arg: "FILE", text: "tls://: certificate (PEM): the server's (default: ephemeral) or the client's" },
      key: { arg: "FILE", text: "tls://: private key (PEM) of --cert" },
      ca: { arg: "FILE", text: "tls:// client: trust servers issued by the CAs in FILE (PEM)" },
      "client-ca": { arg: "FILE", text: "tls:// server: require client certificates issued by FILE's CAs" },
      pin: { arg: "sha256:HEX", text: "tls:// client: trust exactly the certificate with this fingerprint" },
      insecure: { text: "tls:// client: do not verify the server (said on stderr for each connection)" },
      sni: { arg: "NAME", text: "tls:// client: server name to ask for and check (default: the host)" },
      alpn: { arg: "LIST", text: "tls://: ALPN protocols, comma-separated" },
    }),
    "global.help": { text: "show help (also: socklab help COMMAND)" },
    "global.json": { text: "one JSON object per event on stderr (schema: docs/EVENTS.md)" },
    "global.lang": { arg: "es|en", text: "language of messages and help (default: LC_ALL, LC_MESSAGES, LANG)" },

    "serve.concurrent": { text: "serve clients at once (default: one at a time, as in the guides)" },
    "serve.idle-timeout": { arg: "S", text: "close a connection idle for S seconds" },
    "serve.dual-stack": { text: "on tcp://[::]:PORT accept IPv4 too (default for ::)" },
    "serve.ipv6-only": { text: "on an IPv6 address accept only IPv6" },
    "serve.text": { arg: "TEXT", text: "greet/announce text" },
    "serve.err": { arg: "TEXT", text: 'cmd: reply to unknown commands (default "ERR desconocido\\n"; guide 2: "ERR")' },
    "serve.file": { arg: "PATH", text: "fd: the file whose descriptor is sent" },
    "serve.max-line": { arg: "BYTES", text: "longest line accepted by line services (default 65536)" },
    "serve.max-conns": {
      arg: "N",
      text: "with --concurrent: serve at most N at once (default 1000, less if\nulimit -n is lower); more wait in the kernel queue, none dropped",
    },
    "serve.max-time": { arg: "S", text: "close a connection S seconds after it was accepted, busy or not" },
    "serve.mode": { arg: "OCTAL", text: "Unix socket file permissions (default 600)" },
    "serve.allow-uid": { arg: "UIDS", text: "Unix stream: serve only peers with these uids (comma-separated)" },
    "serve.trace": { text: "also log each socket-level step" },
    "serve.allow": { arg: "CIDR,...", text: "tcp/udp: only these client addresses, IPv4/IPv6, repeatable (ncat --allow)" },
    "serve.deny": { arg: "CIDR,...", text: "tcp/udp: never these client addresses; deny wins over allow (ncat --deny)" },
    "serve.allow-file": { arg: "FILE", text: "allow rules, one per line, # comments (ncat --allowfile)" },
    "serve.deny-file": { arg: "FILE", text: "deny rules, one per line, # comments (ncat --denyfile)" },
    "serve.hexdump": { text: "dump each chunk on stderr: direction, offset, hex, text (ncat -x); with --json, a hex field in the sent/received events" },
    "serve.hexdump-file": { arg: "FILE", text: "write the dumps to FILE instead of stderr" },
    "serve.show": { text: "every chunk as Python prints bytes, b'hola\\n', on stderr; with --json, a python field in the sent/received events" },

    "scan.timeout": { arg: "S", text: 'give up on one port after S seconds: "filtered" (default 1)' },
    "scan.concurrency": { arg: "N", text: "ports probed at once (default 100)" },
    "scan.4": { text: "resolve HOST to IPv4 only" },
    "scan.6": { text: "resolve HOST to IPv6 only" },
    "scan.verbose": { text: "on stderr, every port's result (open, closed, filtered, error) and a summary" },
    "relay.allow": { arg: "CIDR,...", text: "only these client addresses, IPv4/IPv6, repeatable (ncat --allow)" },
    "relay.deny": { arg: "CIDR,...", text: "never these client addresses; deny wins over allow (ncat --deny)" },
    "relay.allow-file": { arg: "FILE", text: "allow rules, one per line, # comments (ncat --allowfile)" },
    "relay.deny-file": { arg: "FILE", text: "deny rules, one per line, # comments (ncat --denyfile)" },
    "relay.idle-timeout": { arg: "S", text: "close a relayed connection (or UDP mapping) idle for S seconds" },
    "relay.timeout": { arg: "S", text: "connect timeout for TO (default 10)" },
    "relay.4": { text: "resolve TO to IPv4 only" },
    "relay.6": { text: "resolve TO to IPv6 only" },
    "relay.hexdump": { text: "dump every chunk on stderr: direction, offset, hex, text\n(ncat -x, socat -x); with --json, a hex field in the sent/received events" },
    "relay.hexdump-file": { arg: "FILE", text: "write the dumps to FILE instead of stderr" },
    "relay.show": { text: "every chunk as Python prints bytes, b'hola\\n', on stderr; with --json, a python field in the sent/received events" },
    "relay.dual-stack": { text: "on tcp://[::]:PORT accept IPv4 too (default for ::)" },
    "relay.ipv6-only": { text: "on an IPv6 address accept only IPv6" },
    "relay.mode": { arg: "OCTAL", text: "Unix socket file permissions (default 600)" },
    "connect.send": { arg: "TEXT", text: "send TEXT (repeatable, in order; stream) or one datagram per --send" },
    "connect.lines": { text: 'append "\\n" to each --send text that lacks one' },
    "connect.half-close": { text: "after sending, shut down the write side and print until the peer closes" },
    "connect.until-close": { text: "after sending, print until the peer closes (without half-closing)\n(default after --send: print the reply — one line per line sent with\n--lines, else the first chunk — and exit)" },
    "connect.recv-only": { text: "never read stdin, never half-close; print until the peer closes.\nUse it to fetch a file from nc -l, nc -N -l or ncat -l (plain nc -l\nnever closes by itself: stop it once the file is there)" },
    "connect.send-only": { text: "send stdin (half-close at its EOF), discard what arrives" },
    "connect.no-shutdown": { text: "no half-close at stdin EOF; end when the peer closes (plain nc)" },
    "connect.idle-timeout": { arg: "S", text: "quit (exit 1) when nothing moves either way for S seconds" },
    "connect.timeout": { arg: "S", text: "per-attempt timeout: connect, and the reply when one is awaited\n(default 10 for connect; datagram replies 5)" },
    "connect.retries": { arg: "N", text: "total attempts (default 1); each failed attempt is reported on stderr" },
    "connect.backoff": { arg: "S", text: "wait S × attempt between attempts (default 0.5)" },
    "connect.4": { text: "only IPv4 (default: every resolved address, in order)" },
    "connect.6": { text: "only IPv6 (default: every resolved address, in order)" },
    "connect.bind": { arg: "PATH", text: "unix-dgram: bind the client to PATH (default: autobind)" },
    "connect.verbose": { text: "report the connection and, at the end, bytes received and rate" },
    "connect.trace": { text: "also log socket-level steps" },
    "connect.hexdump": { text: "dump every chunk sent (>) and received (<) on stderr: peer, size,\nstream offset, hex and printable columns (ncat -x, socat -x); with --json, a hex field in the sent/received events" },
    "connect.hexdump-file": { arg: "FILE", text: "the -x dump, appended to FILE instead of stderr" },
    "connect.show": { text: "each chunk as Python's bytes literal on stderr: > ADDRESS b'hola\\n'; with --json, a python field in the sent/received events" },
    "connect.crlf": { text: "send \\r\\n for every \\n of stdin and --send (nc -C, ncat -C)" },
    "connect.progress": { text: "pv-style progress on stderr: bytes each way, rate, elapsed, and % and\ntime left when stdin is a regular file (redrawn in place on a terminal)" },
    "connect.udp": { text: "nc style: connect -u HOST PORT means udp://HOST:PORT" },
    "connect.unix": { text: "nc style: connect -U PATH means unix:PATH\n(and connect HOST PORT means tcp://HOST:PORT)" },

    "listen.keep-open": { text: "after a connection ends, accept the next one (forever); stdin feeds\nthem in turn, nothing lost between them" },
    "listen.mode": { arg: "OCTAL", text: "Unix socket file permissions (default 600)" },
    "listen.trace": { text: "also log each socket-level step" },
    "listen.udp": { text: "nc-style: listen -u PORT is udp://127.0.0.1:PORT (nc -u -l)" },
    "listen.unix": { text: "nc-style: listen -U PATH is unix:PATH (nc -U -l)" },
    "listen.verbose": { text: "report the connection and, at the end, bytes received and sent (nc -v)" },
    "listen.progress": { text: "bytes each way, rate and time on stderr, redrawn on a terminal (pv)" },
    "listen.allow": { arg: "CIDR,...", text: "tcp/udp: only these client addresses, IPv4/IPv6, repeatable (ncat --allow)" },
    "listen.deny": { arg: "CIDR,...", text: "tcp/udp: never these client addresses; deny wins over allow (ncat --deny)" },
    "listen.allow-file": { arg: "FILE", text: "allow rules, one per line, # comments (ncat --allowfile)" },
    "listen.deny-file": { arg: "FILE", text: "deny rules, one per line, # comments (ncat --denyfile)" },
    "listen.hexdump": { text: "dump each chunk on stderr: direction, offset, hex, text (ncat -x); with --json, a hex field in the sent/received events" },
    "listen.hexdump-file": { arg: "FILE", text: "write the dumps to FILE instead of stderr" },
    "listen.show": { text: "every chunk as Python prints bytes, b'hola\\n', on stderr; with --json, a python field in the sent/received events" },

    "discover.message": { arg: "TEXT", text: "the question (default DISCOVER?)" },
    "discover.timeout": { arg: "S", text: "how long to collect answers (default 1)" },

    "recv-fd.timeout": { arg: "S", text: "how long to wait for the connection and the descriptor (default 10)" },
    "recv-fd.verbose": { text: "report the connection and, at the end, the bytes printed" },
    "recv-fd.trace": { text: "also log socket-level steps (the connection)" },
  },

  man: {
    sections: { name: "NAME", synopsis: "SYNOPSIS", description: "DESCRIPTION", commands: "COMMANDS", addresses: "ADDRESSES", exitStatus: "EXIT STATUS", environment: "ENVIRONMENT", seeAlso: "SEE ALSO" },
    summary: "sockets made plain: a netcat-class client and listener, the guides' servers, and a lab",
    exitStatus: "0 success; 1 a failure, reported in one line (or one JSON error event); 2 a usage error: one line, the usage line and a hint. Never a stack trace.",
    environment: {
      "LC_ALL, LC_MESSAGES, LANG": "the first one set chooses the language of messages and help (es…: Spanish; anything else, C and POSIX included: English); --lang overrides them",
      SOCKLAB_DEBUG: "when set, an internal error also prints its stack trace",
    },
    seeAlso: "nc(1), ncat(1), socat(1); docs/CLI.md (the full reference), docs/EVENTS.md (the --json schema) and docs/ERRORS.md (every error code) in the package",
  },

  services: {
    echo: "stream: echo bytes until the peer closes; datagram: each datagram back to its sender",
    "line-echo": 'per line: "eco: LINE\\n" (guide 2, exercise 2.1)',
    cmd: 'per line: PING→PONG, ECHO x→x, TIME→YYYY-mm-dd HH:MM:SS, else "ERR desconocido"',
    time: 'datagram: TIME → HH:MM:SS, else "ERR\\n" (exercise 14)',
    greet: 'send --text (default "hola dual\\n") and close (exercise 2.5)',
    announce: "datagram: answer DISCOVER? with --text (exercise 9)",
    peercred: 'Unix: reply "Hola UID=<uid> PID=<pid>\\n" from SO_PEERCRED (B3)',
    fd: "Unix: send \"FD\" with the descriptor of --file (default /etc/hostname) (B4)",
    chat: "each line to every other client, as <userN> LINE (ncat --chat)",
    broker: "raw bytes from one client to every other client (ncat --broker)",
    exec: "exec ADDRESS -- CMD [ARGS...]: a new CMD per client, on its stdin/stdout (ncat -e)",
  },
};
