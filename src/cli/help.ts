/** Usage lines (printed with usage errors) and --help texts (printed to stdout). */
import { ADDRESS_FORMS } from "../address.js";

export const USAGE: Record<string, string> = {
  socklab: "usage: socklab COMMAND [options]   (commands: serve, connect, listen, discover, recv-fd, lab, bench; socklab --help)",
  serve: "usage: socklab serve SERVICE ADDRESS [--concurrent [--max-conns N]] [--idle-timeout S] [--max-time S] [--dual-stack|--ipv6-only] [--text T] [--err T] [--file PATH] [--max-line N] [--trace]",
  connect: "usage: socklab connect ADDRESS [--send TEXT]... [--lines] [--half-close] [--until-close] [--timeout S] [--retries N] [--backoff S] [-4|-6] [-v]",
  listen: "usage: socklab listen ADDRESS [--keep-open]",
  discover: "usage: socklab discover [ADDRESS] [--message TEXT] [--timeout S]",
  "recv-fd": "usage: socklab recv-fd ADDRESS",
  lab: "usage: socklab lab [ID...] [--list] [--verbose]",
  bench: "usage: socklab bench [--quick] [--out DIR] [--only IMPL,...] [--metrics ID,...] [--runs N] [--secs S] [--no-pin | --same-core]",
};

const ADDRESSES = `Addresses: ${ADDRESS_FORMS}.
Port 0 picks a free port. Texts understand \\n \\r \\t \\\\ \\0 \\xHH.`;

export const HELP: Record<string, string> = {
  socklab: `socklab — sockets made plain: a netcat-class client/listener, every server of the
guides as a service, and a lab that runs every exercise end to end.

${USAGE.socklab}

Commands:
  serve SERVICE ADDRESS   run a server: echo, line-echo, cmd, time, greet, announce, peercred, fd
  connect ADDRESS         the client role (stdin to the socket, the socket to stdout, like nc -N)
  listen ADDRESS          the nc -l role
  discover [ADDRESS]      UDP broadcast discovery (default udp://127.255.255.255:9008)
  recv-fd ADDRESS         receive a file descriptor (SCM_RIGHTS) and print the file through it
  lab [ID...]             run the guides' exercises and print a report
  bench                   benchmarks

${ADDRESSES}
Payload goes to stdout untouched; diagnostics to stderr. Exit: 0 ok, 1 failure, 2 usage.
Run 'socklab COMMAND --help' for a command's options.
`,
  serve: `${USAGE.serve}

Run one of the guides' servers. Prints "listening ADDRESS" on stderr when ready (with the
real port), then one line per event. SIGINT/SIGTERM stop it cleanly (exit 0); a second
signal while stopping exits at once (130/143) after removing the socket file.

Services:
  echo        stream: echo bytes until the peer closes; datagram: each datagram back to its sender
  line-echo   per line: "eco: LINE\\n" (guide 2, exercise 2.1)
  cmd         per line: PING→PONG, ECHO x→x, TIME→YYYY-mm-dd HH:MM:SS, else "ERR desconocido"
  time        datagram: TIME → HH:MM:SS, else "ERR\\n" (exercise 14)
  greet       send --text (default "hola dual\\n") and close (exercise 2.5)
  announce    datagram: answer DISCOVER? with --text (exercise 9)
  peercred    Unix: reply "Hola UID=<uid> PID=<pid>\\n" from SO_PEERCRED (B3)
  fd          Unix: send "FD" with the descriptor of --file (default /etc/hostname) (B4)

Options:
  --concurrent          serve clients at once (default: one at a time, as in the guides)
  --max-conns N         with --concurrent: serve at most N at once (default 1000, less if
                        ulimit -n is lower); more wait in the kernel queue, none dropped
  --idle-timeout S      close a connection idle for S seconds
  --max-time S          close a connection S seconds after it was accepted, busy or not
  --dual-stack          on tcp://[::]:PORT accept IPv4 too (default for ::)
  --ipv6-only           on an IPv6 address accept only IPv6
  --text TEXT           greet/announce text
  --err TEXT            cmd: reply to unknown commands (default "ERR desconocido\\n"; guide 2: "ERR")
  --file PATH           fd: the file whose descriptor is sent
  --max-line BYTES      longest line accepted by line services (default 65536)
  --mode OCTAL          Unix socket file permissions (default 600)
  --allow-uid UIDS      Unix stream: serve only peers with these uids (comma-separated)
  --trace               also log each socket-level step

${ADDRESSES}

Examples:
  socklab serve echo tcp://127.0.0.1:9010
  socklab serve cmd tcp://127.0.0.1:9102 --err ERR
  socklab serve greet tcp://[::]:9401 --dual-stack
  socklab serve time udp://0.0.0.0:9014
`,
  connect: `${USAGE.connect}

The client role. Without --send, standard input goes to the socket and the socket to
standard output; at stdin EOF the write side is shut down and socklab prints what arrives
until the peer closes (like nc -N). Datagram addresses send one datagram per stdin line.

Options:
  --send TEXT       send TEXT (repeatable, in order; stream) or one datagram per --send
  --lines           append "\\n" to each --send text that lacks one
  --half-close      after sending, shut down the write side and print until the peer closes
  --until-close     after sending, print until the peer closes (without half-closing)
                    (default after --send: print the reply — one line per line sent with
                    --lines, else the first chunk — and exit)
  --timeout S       per-attempt timeout: connect, and the reply when one is awaited
                    (default 10 for connect; datagram replies 5)
  --retries N       total attempts (default 1); each failed attempt is reported on stderr
  --backoff S       wait S × attempt between attempts (default 0.5)
  -4, -6            only IPv4 / only IPv6 (default: every resolved address, in order)
  --bind PATH       unix-dgram: bind the client to PATH (default: autobind)
  -v, --verbose     report the connection and, at the end, bytes received and rate
  --trace           also log socket-level steps

${ADDRESSES}

Examples:
  socklab connect tcp://127.0.0.1:9001 --send "hola mundo" --lines
  socklab connect tcp://127.0.0.1:9002 --send uno --send dos --send tres --lines --half-close
  socklab connect tcp://127.0.0.1:9004 --send ping --lines --timeout 1.5 --retries 5
  socklab connect udp://127.0.0.1:9007 --send TIME --timeout 1 --retries 3
  socklab connect tcp://127.0.0.1:9003 -v < /dev/null > big.bin
`,
  listen: `${USAGE.listen}

The nc -l role. Prints "listening ADDRESS" on stderr when ready. Stream: accepts one
connection; stdin goes to it (half-close at stdin EOF) and it goes to stdout; exits when the
peer has closed. Datagram: prints each datagram's payload; stdin lines go to the latest sender.

Options:
  -k, --keep-open   after a connection ends, accept the next one (forever)
  --mode OCTAL      Unix socket file permissions (default 600)

${ADDRESSES}
`,
  discover: `${USAGE.discover}

Broadcast discovery: enables SO_BROADCAST, sends --message (default "DISCOVER?") to ADDRESS
(default udp://127.255.255.255:9008), prints "udp://HOST:PORT PAYLOAD" per responder.

Options:
  --message TEXT    the question (default DISCOVER?)
  --timeout S       how long to collect answers (default 1)
`,
  "recv-fd": `${USAGE["recv-fd"]}

B4 client: connect to a Unix stream address, receive a descriptor passed with SCM_RIGHTS,
and print the file's content read through it.
`,
  lab: `${USAGE.lab}

Runs the guides' exercises, socklab on both sides, and prints a report.
  --list      list the exercises
  --verbose   narrate each exercise at the socket level
`,
  bench: `${USAGE.bench}

Benchmarks socklab's servers against raw Node, Python (the guides' style), socat and a C
reference in one run. --quick runs a short pass.
`,
};
