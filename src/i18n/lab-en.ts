/**
 * The lab's own texts (`socklab lab`), in English. The shape, `LabCatalog`, is shared with
 * lab-es.ts: a key missing in either language is a compile error, and
 * test/lab-i18n.test.ts compares the keys at run time too. socklab's event lines come
 * from the CLI's catalogue (en.ts / es.ts) through `formatEvent`; these are the lab's.
 */

/** Every exercise of both guides, by the id the guides use. */
export type ExerciseId =
  | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "10" | "11" | "12" | "13" | "14"
  | "B1" | "B2" | "B3" | "B4"
  | "2.1" | "2.1c" | "2.2" | "2.3" | "2.4" | "2.5" | "2.6";

/** How an address travels: the narration differs for each. */
export type Transport = "tcp" | "udp" | "unix" | "unix-dgram" | "abstract" | "abstract-dgram";

/** Names of the processes an exercise starts (shown in the narration and failure messages). */
export type LabelKey =
  | "server" | "client" | "nc" | "client1" | "client2" | "clientNoServer" | "ncUdp" | "timeServer" | "ncUdpMute"
  | "clientNoReply" | "serverA" | "serverB" | "clientNobody" | "ncIPv4" | "ncIPv6" | "clientIPv4" | "clientIPv6"
  | "ncUnix" | "clientBound" | "clientAutobind" | "ncUntilEof" | "ncOpen" | "clientUntilEof" | "clientExactN"
  | "ncSilent" | "clientSilent";

export type StatusKey = "PASS" | "FAIL" | "SKIP";

export interface ExerciseText {
  /** English: an English title; Spanish: the guide's own title. */
  title: string;
  /** What happens at the socket level, one paragraph per entry (two or three sentences). */
  story: string[];
}

export interface LabCatalog {
  usage: string;
  help: string;
  errors: {
    unknownOption(option: string): string;
    badJobs(given: string): string;
    unknownExercise(id: string): string;
    notBuilt(path: string): string;
    interrupted(signal: string): string;
    badLang(given: string): string;
    badHtml: string;
    badAgainst(given: string): string;
    /** The recv_all client of exercise 2.6 (src/lab/recv-all-client.ts), run without an address. */
    recvAllUsage: string;
    /** …given an address that is not tcp://. */
    recvAllOnlyTcp(address: string): string;
  };
  /** "socklab lab — 3 exercises, socklab on both sides, loopback only" */
  heading(count: number): string;
  table: { id: string; exercise: string; exchanged: string; result: string };
  status: Record<StatusKey, string>;
  summary(passed: number, failed: number, skipped: number): string;
  list: { guide1: string; guide2: string };
  labels: Record<LabelKey, string>;
  narration: {
    /** "── 11 · title — step by step " */
    header(id: string, title: string): string;
    ordering: string;
    verdictPass: string;
    verdict(status: string, reason: string): string;
    stdout(bytes: string): string;
    stdoutRun(chunks: number, total: string, bytes: string): string;
    /** "521 × recv tcp://…, 33 554 432 bytes in total" */
    collapsed(count: number, what: "received" | "sent" | "datagram-in" | "datagram-out" | "reply", peer: string, total: string): string;
    closedAfterDescriptor(peer: string): string;
    /** SCM_RIGHTS, server side: `fd` is the file's number in the server. */
    descriptorSent(peer: string, file: string, fd: number): string;
    /**
     * SCM_RIGHTS, client side, one regular file read: `mine` is its number in the client (from
     * recvmsg), `theirs` its number in the server (undefined: not known), `bytes` read through it.
     */
    descriptorReceived(mine: number, theirs: number | undefined, bytes: number): string;
    /** shutdown(SHUT_WR) on a Unix socket: no FIN travels. */
    halfClosedLocal(peer: string): string;
    /** The client's final error when its last attempt connected but got no reply. */
    noReplyGaveUp(address: string, attempts: number, seconds: string): string;
    noReplyWithin(attempt: number, total: number, seconds: string, nextSeconds: string | undefined): string;
    connectTimedOut(attempt: number, total: number, seconds: string, nextSeconds: string | undefined): string;
    stdinGenerated: string;
    stdinGiven(bytes: string): string;
    /** The time column's unit (+1.234 s). */
    seconds(ms: number): string;
  };
  /** What the lab itself does, said in the narration. */
  say: {
    ncTypes(text: string, keepOpen: boolean): string;
    writesKeepsOpen(text: string, who: string): string;
    closesStdin(who: string): string;
    waitsBeforeServer(seconds: string): string;
    localhostResolves(addresses: string): string;
    writesPiece(text: string, who: string): string;
    writesNoEof(bytes: number): string;
    sigterm(who: string): string;
    /** `fd`: the descriptor's number in the client (undefined: not reported). */
    readThroughDescriptor(bytes: string, fd: number | undefined): string;
    /** Exercise 2.5 in the lab's own network namespace. */
    inNetns: string;
    /** Exercise 2.5 where no namespace is possible: every interface, and for how long. */
    allInterfaces: string;
    allInterfacesFor(seconds: string): string;
    peerExited(who: string, code: string): string;
  };
  /** Reproducing each side by hand (reproduce.ts), and `--against`. */
  repro: {
    heading: string;
    tool: Record<"socklab" | "nc" | "python", string>;
    side: { server: string; client: string };
    cannot: Record<"peercred" | "scmRights" | "commands" | "lineEcho" | "retries" | "filter", string>;
    thenType(text: string): string;
    clientFirst: string;
    exchanged(serverTool: string, clientTool: string, out: string): string;
    againstHeading(tool: string, count: number): string;
  };
  /** Explanations of events, said once per exercise under the first event of each kind. */
  explain: {
    listening(transport: Transport, ipv6: boolean): string;
    dualStack: string;
    dualStackFallback: string;
    accepted(transport: Transport, mapped: boolean): string;
    queued(transport: Transport): string;
    connected(transport: Transport): string;
    refused(transport: Transport): string;
    notFound: string;
    noReply(seconds: string): string;
    connectTimeout(seconds: string): string;
    datagramNoReply(seconds: string): string;
    attemptOther(cause: string): string;
    sent(transport: Transport): string;
    received(transport: Transport): string;
    eof(transport: Transport): string;
    halfClosed(transport: Transport): string;
    closed(transport: Transport): string;
    closedAfterDescriptor: string;
    idleTimeout: string;
    datagramIn(transport: Transport): string;
    datagramOut(transport: Transport): string;
    reply(transport: Transport): string;
    summary: string;
    peerCredentials(pid: number, uid: number, gid: number, who: string | undefined): string;
    descriptorSent: string;
    /** `mine`/`theirs`: the descriptor's number in the client and in the server, where known. */
    descriptorsReceived(mine: number | undefined, theirs: number | undefined): string;
    stopping(removesFile: boolean): string;
    error: string;
    other: string;
    stdout: string;
  };
  /** The "exchanged" column, per exercise where it needs words. */
  exchanged: {
    ex1: string;
    ex4(size: string, rate: string): string;
    ex5(failed: number, silentSeconds: string): string;
    ex6(parts: string, noIPv6: boolean): string;
    ex7(reply: string, from: string): string;
    ex8(reply: string): string;
    ex9(names: string): string;
    /** `window`: seconds client 2 was held (connected, queued) while the lab watched for a reply. */
    ex10(window: string): string;
    ex12(seconds: string, serverSeconds: number): string;
    ex13: string;
    exB1(clientName: string): string;
    exB2(name: string): string;
    exB3(reply: string): string;
    /** `serverFd`/`clientFd`: the descriptor's number in each process. */
    exB4(file: string, content: string, serverFd: number, clientFd: number): string;
    ex2_1: string;
    ex2_3(target: string): string;
    /** `allInterfacesFor`: seconds bound to every interface (no namespace), else undefined. */
    ex2_5(fellBack: boolean, allInterfacesFor: string | undefined): string;
    ex2_6(whole: string, n: number, offered: number): string;
  };
  exercises: Record<ExerciseId, ExerciseText>;
  /** `socklab lab --html FILE`: the page with a ladder diagram per exercise. */
  html: {
    title: string;
    intro: string;
    written(file: string): string;
    lab: string;
    textVersion: string;
    result: string;
    legend: string;
    diagramLabel(id: string): string;
    retry(seconds: string): string;
  };
  /**
   * What the lab is waiting for now (`LabContext.step`, named when an exercise times out).
   * `waitingFor(what)` frames one of the noun phrases below ("the echo … at client 1").
   */
  wait: {
    /** Before the exercise's first wait. */
    starting: string;
    listening(label: string, command: string): string;
    exit(label: string, command: string): string;
    bound(label: string, seconds: string): string;
    waitingFor(what: string): string;
    /** Noun phrases for `waitingFor` and `fail.exitedWhileWaiting`. */
    onStdout(label: string, bytes: string): string;
    echo(bytes: string, label: string): string;
    firstFailedAttempt(label: string): string;
    event(label: string, type: string): string;
  };
  /**
   * Why an exercise failed (or was skipped): what was expected and what came. Values the
   * student can compare (bytes, events as JSON, addresses) are passed in as they are.
   */
  fail: {
    /** How a process ended: "with code 1", "by signal SIGKILL". */
    exit(status: ExitInfo | undefined): string;
    /** Appended to a failure: the process's last line on stderr. */
    stderrTail(line: string): string;
    noMessage: string;
    timedOut(seconds: string, step: string): string;
    /** The lab itself broke (a bug): the detail is the error's stack. */
    labError(detail: string): string;
    exitedBeforeListening(label: string, command: string, exit: string, said: string): string;
    badListeningAddress(label: string, address: string): string;
    exitedWhileWaiting(label: string, exit: string, what: string, stdout: string): string;
    exitCode(label: string, exit: string, expected: number): string;
    stdout(label: string, expected: string, got: string): string;
    stdoutDiffers(gotBytes: number, expectedBytes: number, at: number, expected: string, got: string): string;
    sigterm(label: string, exit: string): string;
    socketFileLeft(label: string, path: string): string;
    notBound(label: string, seconds: string, exit: string, stderr: string): string;
    peerPrinted(label: string, exit: string, printed: string, expected: string, stderr: string | undefined): string;
    needsLinux(platform: string): string;
    noIPv6: string;
    notTimeFormat(text: string, pattern: string): string;
    notLocalTime(text: string, now: string): string;
    timeReply(why: string): string;
    ncReceived(label: string, got: string, expected: string): string;
    replyEvent(label: string, event: string, bytes: number, from: string): string;
    // exercise 4
    stdoutSize(label: string, got: number, expected: number): string;
    digest(label: string): string;
    noSummary(stderr: string): string;
    summaryReceived(got: number, expected: number): string;
    // exercise 5
    gaveUpEarly(tries: number, error: string): string;
    noFailedAttempt(seconds: string, stderr: string): string;
    firstAttempt(got: string, delayMs: number): string;
    noServer(tries: number, error: string, address: string): string;
    silentServer(attempts: string, connected: number): string;
    // exercise 6
    noIPv4Localhost: string;
    connectedTo(got: string, host: string): string;
    // exercise 7
    pong(got: string): string;
    // exercise 8
    unanswered(tries: number, error: string): string;
    // exercise 9
    notDiscovered(name: string, port: number, stdout: string): string;
    discoverLines(lines: number, stdout: string): string;
    announcePorts(a: string, b: string): string;
    nobodyThere(error: string): string;
    // exercise 10
    notSequentialExited(label: string, stdout: string): string;
    notSequentialGot(label: string, stdout: string): string;
    accepts(count: number): string;
    notQueued(label: string, exit: string, client: string): string;
    // exercises 11, 2.2
    replyLines(stdout: string): string;
    commandReply(command: string, got: string, expected: string): string;
    // exercise 12
    idleClose(seconds: string): string;
    // exercise 13
    udpReplies(got: string, from: string): string;
    // exercise 14
    timeDatagrams(stdout: string): string;
    // exercise 1
    missingPath(attempt: string, error: string, path: string): string;
    // B1–B4
    senders(got: string, path: string): string;
    paddedName(name: string): string;
    fileOnDisk(name: string): string;
    peerCredentials(event: string, pid: number, uid: number): string;
    noDescriptorNumbers(server: string, client: string): string;
    descriptorBytes(got: string, expected: number): string;
    // guide 2
    readiness(address: string): string;
    notAcceptedIPv6(peers: string): string;
    notMapped(peers: string): string;
    untilEof(got: number, expected: number): string;
  };
}

/** How a process ended, as `fail.exit` describes it. */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

const TCP_LIKE = (t: Transport): boolean => t === "tcp" || t === "udp";

export const labEn: LabCatalog = {
  usage: "usage: socklab lab [ID...] [--list] [--verbose] [--jobs N] [--lang es|en] [--html FILE] [--against python|nc]",
  help: `usage: socklab lab [ID...] [--list] [--verbose] [--jobs N] [--lang es|en] [--html FILE] [--against python|nc]

Runs the exercises of both guides end to end on this machine: for each one, socklab on
both sides (server and client) in separate processes, on free ports, random socket paths
and random abstract names, over loopback only. Prints a table (id, exercise, what was
exchanged, result) and "N passed, M failed"; exits 1 if any exercise fails.

  ID...           run only these exercises (e.g. 2 11 B3 2.5); default: all
  --list          list the exercises (id and title); with -v, also how to reproduce
                  each one by hand (socklab, nc/socat, Python)
  -v, --verbose   narrate every exercise step by step (the default for a single ID):
                  socket/bind/listen/accept/connect/recv/send/shutdown/close
  --jobs N        exercises run at once (default 6)
  --lang es|en    language of the report (default: from LC_ALL / LC_MESSAGES / LANG)
  --html FILE     also write one self-contained page with a ladder diagram per exercise
  --against P     P is python or nc: socklab plays the guide's program, python3 (or
                  nc/socat) the other side; what a peer cannot play is marked SKIP, with why
  -h, --help      this help
`,
  errors: {
    unknownOption: (option) => `unknown option ${option}`,
    badJobs: (given) => `--jobs must be a whole number from 1 to 32, got "${given}"`,
    unknownExercise: (id) => `unknown exercise "${id}" (socklab lab --list shows them)`,
    notBuilt: (path) => `${path}: not found (build the package first: npm install)`,
    interrupted: (signal) => `interrupted (${signal}); every process it started was killed`,
    badLang: (given) => `--lang needs es or en, got "${given}"`,
    badHtml: "--html needs a file name",
    badAgainst: (given) => `--against needs python or nc, got "${given}"`,
    recvAllUsage: "usage: recv-all-client tcp://HOST:PORT [NBYTES]",
    recvAllOnlyTcp: (address) => `${address}: only tcp:// addresses`,
  },
  heading: (count) => `socklab lab — ${count} exercise${count === 1 ? "" : "s"}, socklab on both sides, loopback only`,
  table: { id: "id", exercise: "exercise", exchanged: "exchanged", result: "result" },
  status: { PASS: "PASS", FAIL: "FAIL", SKIP: "SKIP" },
  summary: (passed, failed, skipped) => `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`,
  list: {
    guide1: "Guide 1 — Socket exercises (clients, sequential servers, AF_UNIX bonus)",
    guide2: "Guide 2 — Server and client with sockets (TCP, UDP, IPv6, dual-stack)",
  },
  labels: {
    server: "server",
    client: "client",
    nc: "nc",
    client1: "client 1",
    client2: "client 2",
    clientNoServer: "client, no server",
    ncUdp: "nc -u",
    timeServer: "TIME server",
    ncUdpMute: "nc -u (mute)",
    clientNoReply: "client, no reply",
    serverA: "server A",
    serverB: "server B",
    clientNobody: "client, nobody there",
    ncIPv4: "nc IPv4",
    ncIPv6: "nc IPv6",
    clientIPv4: "client IPv4",
    clientIPv6: "client IPv6",
    ncUnix: "nc -U",
    clientBound: "client (bind)",
    clientAutobind: "client (autobind)",
    ncUntilEof: "nc (until EOF)",
    ncOpen: "nc (stays open)",
    clientUntilEof: "client, until EOF",
    clientExactN: "client, exactly N",
    ncSilent: "nc (silent)",
    clientSilent: "client, silent server",
  },
  narration: {
    header: (id, title) => `── ${id} · ${title} — step by step `,
    ordering:
      "Times are when each step happened, from each process's own clock aligned to the lab's; within one process the steps follow its event sequence.",
    verdictPass: "Result: PASS — what travelled matches the guide's format byte for byte.",
    verdict: (status, reason) => `Result: ${status} — ${reason}`,
    stdout: (bytes) => `stdout ← ${bytes}`,
    stdoutRun: (chunks, total, bytes) => `stdout ← ${chunks} pieces, ${total} bytes: ${bytes}`,
    collapsed: (count, what, peer, total) => {
      const verb = { received: "recv from", sent: "send to", "datagram-in": "datagrams from", "datagram-out": "sendto", reply: "replies from" }[what];
      return `${count} × ${verb} ${peer}, ${total} bytes in total`;
    },
    closedAfterDescriptor: (peer) => `close ${peer} (the message "FD" and the descriptor went with sendmsg())`,
    descriptorSent: (peer, file, fd) => `sendmsg() to ${peer}: "FD" + the descriptor of ${file}, fd ${fd} in this process`,
    descriptorReceived: (mine, theirs, bytes) =>
      `recvmsg(): "FD" + one descriptor, fd ${mine} in this process${theirs === undefined ? "" : ` (fd ${theirs} in the server)`}; read ${bytes} ${bytes === 1 ? "byte" : "bytes"} of the file through it, then closed it`,
    halfClosedLocal: (peer) => `shutdown ${peer} (write side closed)`,
    noReplyGaveUp: (address, attempts, seconds) =>
      `error ${address}: connected, no reply within ${seconds} s, ${attempts} ${attempts === 1 ? "attempt" : "attempts"}`,
    noReplyWithin: (attempt, total, seconds, next) =>
      `attempt ${attempt}/${total}: connected, no reply within ${seconds} s${next ? `; retrying in ${next} s` : ""}`,
    connectTimedOut: (attempt, total, seconds, next) =>
      `attempt ${attempt}/${total}: connect() got no answer within ${seconds} s${next ? `; retrying in ${next} s` : ""}`,
    stdinGenerated: "[stdin: data the lab generates]",
    stdinGiven: (bytes) => `[stdin: ${bytes}]`,
    seconds: (ms) => (ms / 1000).toFixed(3),
  },
  say: {
    ncTypes: (text, keepOpen) => `the lab, as the person at nc, types ${text}${keepOpen ? "" : " and Ctrl-D (end of stdin)"}`,
    writesKeepsOpen: (text, who) => `the lab writes ${text} on the stdin of ${who} and keeps the connection open`,
    closesStdin: (who) => `the lab closes the stdin of ${who} (Ctrl-D): the client does shutdown(SHUT_WR)`,
    waitsBeforeServer: (seconds) =>
      `the lab waits ${seconds} s (and at least one failed attempt) before starting the server: the client has to retry`,
    localhostResolves: (addresses) => `localhost resolves to: ${addresses}`,
    writesPiece: (text, who) => `the lab writes ${text} on the stdin of ${who} (one line split over several send() calls)`,
    writesNoEof: (bytes) => `the lab writes ${bytes} bytes on nc's stdin and does NOT close it: the peer sends no EOF`,
    sigterm: (who) => `the lab sends SIGTERM to ${who} (the guide's Ctrl+C)`,
    readThroughDescriptor: (bytes, fd) => `bytes the client read through the descriptor it received${fd === undefined ? "" : ` (its fd ${fd})`}: ${bytes}`,
    inNetns:
      "the lab runs this exercise in a network namespace of its own (unshare -n, loopback up inside it): there, [::] (every interface) is that namespace's loopback and nothing else",
    allInterfaces:
      "no network namespace here (it needs root and unshare): this exercise really binds [::], every interface of this machine, only until the two clients have been served (about a second); the traffic stays on loopback",
    allInterfacesFor: (seconds) => `the server was bound to every interface for ${seconds} s`,
    peerExited: (who, code) => `${who} exited (${code})`,
  },
  repro: {
    heading: "Reproduce it by hand (two terminals: the server first, then the client):",
    tool: { socklab: "with socklab", nc: "with nc / socat", python: "with Python" },
    side: { server: "server", client: "client" },
    cannot: {
      peercred: "nc and socat cannot: neither reads SO_PEERCRED nor writes what it says (use socklab or Python)",
      scmRights: "nc and socat cannot: neither sends nor receives descriptors (SCM_RIGHTS ancillary data)",
      commands: "nc cannot: it only relays bytes, and answering each command needs a program (use socklab or Python)",
      lineEcho: "nc cannot: it only relays bytes; \"eco: \" before each line needs a program (use socklab or Python)",
      retries: "nc cannot: it connects or sends once, with no retries or retransmission (use socklab or Python)",
      filter: "nc cannot: it cannot answer only the datagrams that say DISCOVER? (use socklab or Python)",
    },
    thenType: (text) => `then type: ${text}`,
    clientFirst: "(start the client first: it retries until the server is there)",
    exchanged: (serverTool, clientTool, out) => `server: ${serverTool}, client: ${clientTool}; the client printed ${out}`,
    againstHeading: (tool, count) =>
      `socklab lab --against ${tool} — ${count} exercise${count === 1 ? "" : "s"}: socklab plays the guide's program, ${tool} the other side, loopback only`,
  },
  explain: {
    listening: (t, ipv6) => {
      switch (t) {
        case "tcp":
          return `socket(${ipv6 ? "AF_INET6" : "AF_INET"}, SOCK_STREAM) → setsockopt(SO_REUSEADDR) → bind() → listen(): from now on the kernel completes handshakes and queues connections (the backlog) even before anyone calls accept(). With port 0 the kernel picks a free port; this line gives the real one.`;
        case "udp":
          return `socket(${ipv6 ? "AF_INET6" : "AF_INET"}, SOCK_DGRAM) → bind(): ready for recvfrom(). UDP has no listen() and no accept(): no connections, only datagrams, each with its sender's address.`;
        case "unix":
          return "socket(AF_UNIX, SOCK_STREAM) → bind(path): creates the socket file on disk → listen(). Clients reach it through that path; nothing goes through the network.";
        case "unix-dgram":
          return "socket(AF_UNIX, SOCK_DGRAM) → bind(path): creates the socket file; no listen(), no accept(): each recvfrom() brings one datagram and the path of whoever sent it.";
        case "abstract":
          return "socket(AF_UNIX, SOCK_STREAM) → bind() to a name in Linux's abstract namespace (\\0name): no file is created, the name exists while the socket is open → listen().";
        case "abstract-dgram":
          return "socket(AF_UNIX, SOCK_DGRAM) → bind() to an abstract name (\\0name): no file on disk, no connection; each recvfrom() brings one datagram.";
      }
    },
    dualStack:
      "setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0) before bind(): the IPv6 socket also receives IPv4 connections, which the kernel shows as IPv4-mapped addresses ::ffff:a.b.c.d.",
    dualStackFallback:
      "this system does not allow IPV6_V6ONLY=0: the server uses two sockets, one AF_INET and one AF_INET6, on the same port.",
    accepted: (t, mapped) =>
      mapped
        ? "accept() on the IPv6 socket returned an IPv4 client: its address is IPv4-mapped (::ffff:127.0.0.1) because the socket is AF_INET6 with IPV6_V6ONLY=0."
        : TCP_LIKE(t)
          ? "accept(): the kernel had already completed the three-way handshake (SYN, SYN/ACK, ACK); accept() takes the connection off the queue and returns a new socket for this client only. The listening socket keeps listening."
          : `accept(): the client's connect() on this ${t === "abstract" ? "abstract name" : "path"} already linked the two sockets inside the kernel — no packets, no handshake. accept() takes it off the queue and returns a new socket for this client only. (A Unix client has no address of its own: socklab numbers it, #N.)`,
    queued: (t) =>
      TCP_LIKE(t)
        ? "the kernel completed this client's handshake on its own (so its connect() returned) and left the connection in the listen() backlog. The sequential server calls accept() again only when the current client has gone, so this one waits; what it sends meanwhile stays in the kernel's buffers, unanswered."
        : "this client's connect() returned (the kernel queued it in the listen() backlog), but the sequential server will not serve it until the current connection is closed: it waits its turn.",
    connected: (t) =>
      t === "udp" || t === "unix-dgram" || t === "abstract-dgram"
        ? "connect() on a datagram socket sends nothing: the kernel only records the default destination (and, for UDP, picks an ephemeral port). There is still no connection: the other side learns of this client only when a datagram arrives."
        : t === "tcp"
        ? "connect(): SYN → SYN/ACK → ACK; when it returns the connection is established (on the server it waits in the accept() queue)."
        : t === "abstract"
          ? "connect() to the abstract name: the kernel looks the name up in its abstract namespace (not on disk) and links the two sockets directly — no packets, no handshake."
          : "connect() to the path: the kernel finds the listening socket through the socket file and links the two sockets directly — no packets, no handshake; the connection waits in the server's accept() queue.",
    refused: (t) =>
      t === "udp"
        ? "ECONNREFUSED on UDP: the datagram reached a port where nothing is bound and the kernel answered with an ICMP \"port unreachable\"; a connected UDP socket reports it on its next call. No connection was refused: there never was one."
        : t === "tcp"
        ? "connect() failed with ECONNREFUSED: the kernel answered the SYN with RST because nothing listens on that port. The client closes that socket, waits the backoff and tries again with a new socket."
        : "connect() failed with ECONNREFUSED: the socket file is there but nothing listens on it.",
    notFound: "connect() failed with ENOENT: there is no socket file at that path, so nobody listens there.",
    noReply: (seconds) =>
      `the connection was established, but no reply came within ${seconds} s: the client closes this connection, waits the backoff and tries again.`,
    connectTimeout: (seconds) => `connect() got no answer within ${seconds} s: nobody completed the handshake.`,
    datagramNoReply: (seconds) =>
      `recvfrom() waited ${seconds} s and nothing came: in UDP that does not tell a lost datagram from a server that does not exist or does not answer. The client sends the same datagram again with sendto().`,
    attemptOther: (cause) => `the attempt failed (${cause}); the client tries again after the backoff, with a new socket.`,
    sent: (t) =>
      t === "udp"
        ? "send() on a connected UDP socket: one datagram to the recorded destination, in one call; nothing confirms that it arrived."
        : TCP_LIKE(t)
        ? "send(): the bytes are copied into the kernel's send buffer, which sends them in TCP segments when it can; send() returning does not mean the other side has read them."
        : "send(): the kernel copies the bytes straight into the receiving socket's buffer — no packets, no network stack.",
    received: (t) =>
      t === "udp"
        ? "recv() on a UDP socket: exactly one whole datagram (the boundaries the sender chose are kept), from the address it is connected to."
        : TCP_LIKE(t)
        ? "recv(): copies whatever is in the kernel's receive buffer — perhaps less than was sent, perhaps several sends at once: TCP is a byte stream, not a sequence of messages."
        : "recv(): a Unix SOCK_STREAM socket is a byte stream too: a recv() may bring part of a send or several sends together, with no network in between.",
    eof: (t) =>
      TCP_LIKE(t)
        ? "recv() returned 0 bytes: the peer did shutdown(SHUT_WR) or close() and its FIN arrived. Nothing more will come on this connection."
        : "recv() returned 0 bytes: the peer did shutdown(SHUT_WR) or close(); the kernel marks the end of the stream (no FIN: there are no packets). Nothing more will come.",
    halfClosed: (t) =>
      TCP_LIKE(t)
        ? 'shutdown(SHUT_WR): sends FIN ("I will send no more") but the socket can still read: the half-close.'
        : "shutdown(SHUT_WR): once the peer has read everything, its recv() returns 0; this side can still read. No FIN travels on a Unix socket: the kernel just records it.",
    closed: (t) =>
      TCP_LIKE(t)
        ? "close(): this connection's socket is released (without an earlier shutdown the kernel sends FIN now; with unread data left, RST). A sequential server goes back to accept() for the next client."
        : "close(): this connection's socket is released and the peer's recv() returns 0. A sequential server goes back to accept() for the next client.",
    closedAfterDescriptor:
      "close(): the two bytes \"FD\" and the descriptor went out with sendmsg(), which is not counted in the connection's byte counters, then the server closed the connection.",
    idleTimeout:
      "the idle timeout expired: recv() went that long without data, so the server closes the connection (close()) and goes back to accept().",
    datagramIn: (t) =>
      t === "udp"
        ? "recvfrom(): one whole datagram arrived, with the sender's address and port. There is no connection: every datagram stands alone; the reply goes out with sendto() to that address."
        : "recvfrom(): one whole datagram arrived with the sender's path (or its autobind name). Local datagrams are neither lost nor reordered, but there is still no connection.",
    datagramOut: (t) =>
      t === "udp"
        ? "sendto(): one datagram to that address in one call; UDP confirms nothing and keeps no order."
        : "sendto(): one datagram to the sender's path or name, delivered whole into its socket's queue.",
    reply: (t) =>
      t === "udp"
        ? "recvfrom() in the client: the reply and the address it came from. There was never a connection: the client sent to the server's address and read what came back to its own (ephemeral) port."
        : "recvfrom() in the client: the reply and the path it came from; it could come back only because the client's socket has an address of its own (bind() to a path, or autobind).",
    summary: "the total read with recv() in a loop until EOF, and the mean rate.",
    peerCredentials: (pid, uid, gid, who) =>
      `getsockopt(SOL_SOCKET, SO_PEERCRED): the kernel recorded pid ${pid}, uid ${uid} and gid ${gid} of the client when it called connect(); the client cannot fake them.${who ? ` pid ${pid} is the lab's "${who}" process.` : ""}`,
    descriptorSent:
      "sendmsg() with a SOL_SOCKET/SCM_RIGHTS control message: the kernel installs a new descriptor in the receiving process that refers to the same open file; the number is the receiver's own, not the sender's.",
    descriptorsReceived: (mine, theirs) =>
      `recvmsg() with room for ancillary data: the kernel installed the descriptor in this process under a number of its own, the lowest free one${mine === undefined ? "" : ` (${mine})`}, whatever number it had in the server${theirs === undefined ? "" : ` (${theirs})`}${mine !== undefined && mine === theirs ? " — the same number here only by chance" : ""}. Both numbers refer to the same open file: reading through it reads the file the server opened (from offset 0 with pread(), as the guide's lseek() + read() does).`,
    stopping: (removesFile) =>
      `on SIGTERM the server stops accepting (close() of the listening socket), closes its clients${removesFile ? ", removes the socket file it created" : ""} and exits with code 0.`,
    error: "socklab's error: the address and the cause; it exits with code 1.",
    other: "a report of socklab's.",
    stdout: "what the program wrote on its standard output: the bytes it received, shown as Python prints bytes.",
  },
  exchanged: {
    ex1: `→ "hola desde UDS\\n" ← "hola desde nc\\n"; missing path: exit 1, ENOENT (nobody listens there)`,
    ex4: (size, rate) => `← ${size} until EOF, sha256 ok, ${rate} MiB/s`,
    ex5: (failed, silent) =>
      `${failed} failed attempt(s), then → "ping\\n" ← "pong\\n"; no server: unavailable after 2 attempts; silent server: connected, no reply within ${silent} s, 2 attempts`,
    ex6: (parts, noIPv6) => `→ "hola\\n" ${parts}${noIPv6 ? ", (localhost has no ::1 here)" : ""}`,
    ex7: (reply, from) => `→ "ping" ← ${reply} from ${from}`,
    ex8: (reply) => `→ "TIME" ← ${reply}; mute peer got 3× "TIME", then no response after 3 attempts`,
    ex9: (names) => `→ "DISCOVER?" to 127.255.255.255 ← ${names}`,
    ex10: (window) => `c1 → "primero\\n" ← same; c2 connected, queued by the server, nothing for ${window} s; once c1 closed → "hola mundo\\n" ← same`,
    ex12: (seconds, serverSeconds) => `→ "hola\\n" ← "hola\\n", silence, closed after ${seconds} s (server: idle timeout ${serverSeconds} s)`,
    ex13: `→ "ping", "hola udp", "\\0\\xff\\n" ← the same 3 datagrams`,
    exB1: (clientName) => `→ "hola" from ${clientName} ← "hola"; autobind → "hola autobind" ← same`,
    exB2: (name) => `@${name} ← "hola abstract\\n" (no file on disk)`,
    exB3: (reply) => `← ${reply} (pid = the client process)`,
    exB4: (file, content, serverFd, clientFd) =>
      `← "FD" + the descriptor of ${file} (fd ${serverFd} in the server, fd ${clientFd} in the client); read through it: ${content}`,
    ex2_1: `→ "hola\\r\\nmundo\\nfin" ← "eco: hola\\neco: mundo\\neco: fin\\n"; "pri|mera\\nseg|unda\\n" ← 2 lines`,
    ex2_3: (target) => `→ "ping" ← "ping" from ${target}`,
    ex2_5: (fellBack, allFor) =>
      `127.0.0.1 ← "hola dual\\n" (seen as ${fellBack ? "127.0.0.1, two listeners" : "::ffff:127.0.0.1"}); ::1 ← "hola dual\\n"` +
      (allFor === undefined ? "; own network namespace" : `; bound to every interface for ${allFor} s`),
    ex2_6: (whole, n, offered) => `until EOF ← ${whole} identical; exactly ${n} of ${offered} ← ${n} bytes, no EOF needed`,
  },
  html: {
    title: "socklab lab — the guides' exercises, step by step",
    intro:
      "One ladder diagram per exercise, drawn from the events socklab reported: time runs down, each process is a lane, each arrow is what went from one to the other (connection, bytes, end of stream, datagrams, descriptors). Hover over a step for its full line.",
    written: (file) => `wrote ${file}`,
    lab: "lab",
    textVersion: "The same, step by step (text)",
    result: "Result",
    legend: "blue: bytes · orange: end of stream (FIN/EOF) · green: connection · purple: datagrams · teal: a descriptor passed with SCM_RIGHTS (its number in each process) · red: failed attempts",
    diagramLabel: (id) => `Ladder diagram of exercise ${id}`,
    retry: (seconds) => `retry in ${seconds} s`,
  },
  wait: {
    starting: "starting",
    listening: (label, command) => `waiting for "${label}" (${command}) to report that it is listening`,
    exit: (label, command) => `waiting for "${label}" (${command}) to exit`,
    bound: (label, seconds) => `waiting (at most ${seconds} s) for ${label} to be bound, as /proc/net shows it`,
    waitingFor: (what) => `waiting for ${what}`,
    onStdout: (label, bytes) => `${bytes} on the stdout of ${label}`,
    echo: (bytes, label) => `the echo ${bytes} at ${label}`,
    firstFailedAttempt: (label) => `the first failed attempt of ${label}`,
    event: (label, type) => `the ${type} event of ${label}`,
  },
  fail: {
    exit: (s) => (s === undefined ? "(still running)" : s.signal ? `by signal ${s.signal}` : `with code ${s.code}`),
    stderrTail: (line) => ` (its stderr: ${line})`,
    noMessage: "no message",
    timedOut: (seconds, step) => `timed out after ${seconds} s ${step}`,
    labError: (detail) => `lab error (a bug in the lab, not in the exercise): ${detail}`,
    exitedBeforeListening: (label, command, exit, said) => `${label} (${command}) exited ${exit} before listening: ${said}`,
    badListeningAddress: (label, address) => `${label} reported a listening address the lab cannot read: "${address}"`,
    exitedWhileWaiting: (label, exit, what, stdout) => `${label} exited ${exit} while the lab was waiting for ${what}; its stdout: ${stdout}`,
    exitCode: (label, exit, expected) => `${label} exited ${exit}, expected code ${expected}`,
    stdout: (label, expected, got) => `stdout of ${label}: expected ${expected}, got ${got}`,
    stdoutDiffers: (gotBytes, expectedBytes, at, expected, got) =>
      ` — ${gotBytes} bytes instead of ${expectedBytes}, first difference at byte ${at}: expected ${expected}, got ${got}`,
    sigterm: (label, exit) => `${label} did not exit with code 0 on SIGTERM (it exited ${exit})`,
    socketFileLeft: (label, path) => `${label} exited but left its socket file ${path} behind`,
    notBound: (label, seconds, exit, stderr) =>
      `${label} was not bound within ${seconds} s (exit status ${exit}; its stderr: ${stderr})`,
    peerPrinted: (label, exit, printed, expected, stderr) =>
      `${label} exited ${exit} and printed ${printed}, expected ${expected}${stderr === undefined ? "" : `; its stderr: ${stderr}`}`,
    needsLinux: (platform) => `needs Linux (this is ${platform})`,
    noIPv6: "no IPv6 loopback (::1) on this machine",
    notTimeFormat: (text, pattern) => `"${text}" is not a time of the form ${pattern}`,
    notLocalTime: (text, now) => `"${text}" is not the local time (it is ${now} now)`,
    timeReply: (why) => `TIME reply: ${why}`,
    ncReceived: (label, got, expected) => `${label} received ${got}, expected ${expected}`,
    replyEvent: (label, event, bytes, from) => `reply event of ${label}: ${event}, expected ${bytes} bytes from ${from}`,
    stdoutSize: (label, got, expected) => `${label} wrote ${got} bytes to stdout, expected ${expected}`,
    digest: (label) => `the stdout of ${label} differs from what nc sent (the sha256 digests differ)`,
    noSummary: (stderr) => `connect -v reported no summary event (its stderr: ${stderr})`,
    summaryReceived: (got, expected) => `connect -v reported ${got} bytes received, expected ${expected}`,
    gaveUpEarly: (tries, error) =>
      `the client gave up after ${tries} failed attempts, before the late server was listening (this machine is slow to start processes now); its error: ${error}`,
    noFailedAttempt: (seconds, stderr) =>
      `the client reported no failed attempt although the server started ${seconds} s late (its stderr: ${stderr})`,
    firstAttempt: (got, delayMs) => `the first failed attempt is ${got}, expected attempt 1 of 5, ECONNREFUSED, next one in ${delayMs} ms`,
    noServer: (tries, error, address) =>
      `client without a server: ${tries} failed attempts and the error ${error}; expected 2 attempts, then ERR_UNAVAILABLE for ${address}`,
    silentServer: (attempts, connected) =>
      `client against a silent server: attempts ${attempts} and ${connected} connected events; expected 2 connections, each timing out (ETIMEDOUT)`,
    noIPv4Localhost: "localhost does not resolve to an IPv4 address on this machine",
    connectedTo: (got, host) => `connect -v reported connections to ${got}, expected one to the address ${host}`,
    pong: (got) => `stdout of the client: expected "pong" (or "pong\\n"), got ${got}`,
    unanswered: (tries, error) =>
      `unanswered client: ${tries} failed attempts and the error ${error}; expected 3 attempts, then ERR_NO_RESPONSE`,
    notDiscovered: (name, port, stdout) =>
      `discover did not list the responder ${name} as "udp://127.x.x.x:${port} ${name}\\n" (its stdout: ${stdout})`,
    discoverLines: (lines, stdout) => `discover printed ${lines} ${lines === 1 ? "line" : "lines"}, expected 2: ${stdout}`,
    announcePorts: (a, b) => `the two announce servers are on different ports (${a}, ${b})`,
    nobodyThere: (error) => `discover with nobody listening: the error ${error}, expected ERR_NO_RESPONSE (no responder within 0.5 s)`,
    notSequentialExited: (label, stdout) =>
      `${label} finished (its stdout: ${stdout}) while client 1 was still connected: the server is not sequential`,
    notSequentialGot: (label, stdout) => `${label} got ${stdout} while client 1 was still connected: the server is not sequential`,
    accepts: (count) => `the server reported ${count} accepted connections while serving client 1, expected 1 (it is sequential)`,
    notQueued: (label, exit, client) => `${label} exited ${exit} without reporting ${client} as queued (waiting its turn)`,
    replyLines: (stdout) => `expected 4 reply lines, each ending in \\n, got ${stdout}`,
    commandReply: (command, got, expected) => `${command} → ${got}, expected ${expected}`,
    idleClose: (seconds) => `the connection was closed ${seconds} s after the last data, expected about 1 s`,
    udpReplies: (got, from) => `reply events of the client: ${got}, expected 3 replies of 4, 8 and 3 bytes from ${from}`,
    timeDatagrams: (stdout) => `expected "HH:MM:SS", "HH:MM:SS", "ERR\\n" (3 datagrams), got ${stdout}`,
    missingPath: (attempt, error, path) =>
      `connect to a missing path: attempt ${attempt}, error ${error}; expected ENOENT (nobody listens there) naming ${path}`,
    senders: (got, path) => `the server's datagram-in events name ${got} as senders, not the client's path ${path}`,
    paddedName: (name) => `the abstract name is bound padded (see /proc/net/unix): other programs cannot reach @${name}`,
    fileOnDisk: (name) => `a file named ${name} appeared on disk, but an abstract name has no file`,
    peerCredentials: (event, pid, uid) => `the server's peer-credentials event ${event} does not show the client's pid ${pid} and uid ${uid}`,
    noDescriptorNumbers: (server, client) => `SCM_RIGHTS events without descriptor numbers: server ${server}, client ${client}`,
    descriptorBytes: (got, expected) => `the client reports ${got} bytes read through the descriptor, the file has ${expected}`,
    readiness: (address) => `the server says it listens on ${address}, expected udp://127.0.0.1:PORT`,
    notAcceptedIPv6: (peers) => `the IPv6 client was not accepted as tcp://[::1]:PORT (accepted: ${peers})`,
    notMapped: (peers) => `the IPv4 client was not accepted as tcp://[::ffff:127.0.0.1]:PORT (accepted: ${peers})`,
    untilEof: (got, expected) => `read until EOF: got ${got} bytes, expected ${expected} identical bytes`,
  },
  exercises: {
    "1": {
      title: "Unix stream client (local echo)",
      story: [
        "Like TCP but local: socket(AF_UNIX, SOCK_STREAM) and connect() to a path in the file system, where nc -lU did bind() (which creates the socket file), listen() and accept(). No packets and no handshake: the kernel links the two sockets through that file.",
        "The client sends \"hola desde UDS\\n\" with sendall() and calls recv() once: it blocks until the person at nc types something. With no socket file at that path, connect() fails with ENOENT: nobody listens there.",
      ],
    },
    "2": {
      title: "TCP \"hello world\" client (blocking)",
      story: [
        "The client creates a TCP/IPv4 socket (socket(AF_INET, SOCK_STREAM)) and calls connect(): the kernel does the three-way handshake (SYN, SYN/ACK, ACK) with the nc sitting in listen()/accept().",
        "Then send() of \"hola mundo\\n\" and a single recv(): it blocks until something arrives (what the person at nc types) or the peer closes. Leaving the with block, close() sends FIN.",
      ],
    },
    "3": {
      title: "TCP line client (framing with \\n)",
      story: [
        "TCP is a byte stream without messages: the application decides the framing. Here every message ends in \\n.",
        "The client connects, sends \"uno\\n\", \"dos\\n\", \"tres\\n\" with sendall() and then shutdown(SHUT_WR): it sends FIN (\"I send no more\") but can still read. It calls recv() in a loop until it returns 0 bytes: the peer has closed too.",
      ],
    },
    "4": {
      title: "TCP client with partial reads",
      story: [
        "A recv() returns whatever is in the kernel's buffer, not \"the message\": for a large payload recv() is called in a loop (64 KiB at a time) until it returns 0 bytes (EOF: the peer closed).",
        "socklab does not pile it up in memory: each piece goes to stdout as it arrives (here a sink of the lab's that only counts bytes and computes sha256), in constant memory even for GiB.",
      ],
    },
    "5": {
      title: "TCP client with timeouts and retries",
      story: [
        "Each attempt creates a new socket with a 1.5 s timeout (settimeout) and calls connect(). If nothing is in listen() on that port, the kernel answers the SYN with RST and connect() fails at once with ECONNREFUSED; if the connection is made but no reply comes within 1.5 s, the attempt fails too.",
        "After attempt k the client waits 0.5 s × k (linear backoff) and tries again, up to 5 attempts. Here the server (nc) starts about 1.2 s late: the first attempts are refused and a later one connects, sends \"ping\\n\" and gets the reply.",
      ],
    },
    "6": {
      title: "TCP client with getaddrinfo (IPv4/IPv6)",
      story: [
        "getaddrinfo(\"localhost\", port) returns a list of addresses, maybe of several families (AF_INET 127.0.0.1, AF_INET6 ::1). The client creates a socket of each one's family and tries connect() in order; the first that connects wins, errors (ECONNREFUSED…) move on to the next.",
        "The lab starts nc on 127.0.0.1 only and, if localhost also resolves to ::1, another on ::1 only: each time the client must find the address that does listen.",
      ],
    },
    "7": {
      title: "UDP \"ping-pong\" client (manual)",
      story: [
        "UDP has no connection: the client creates socket(AF_INET, SOCK_DGRAM) and calls sendto(b\"ping\", (host, port)); the kernel gives it an ephemeral port (implicit bind).",
        "nc -u -l did bind() and waits in recvfrom(), which returns the data and the sender's address; the reply \"pong\" goes back with sendto() to that address, and the client reads it with recvfrom(), which tells it where it came from.",
      ],
    },
    "8": {
      title: "UDP client with timeout and retransmission",
      story: [
        "UDP can lose datagrams and nobody says so. The client does sendto(b\"TIME\") and waits in recvfrom() with a 1 s timeout; when it expires it sends again, up to 3 attempts.",
        "The lab tries it twice: against the TIME server (it answers the time) and against a mute nc that receives but never answers: that one must get exactly 3 \"TIME\" and the client must give up after 3 attempts.",
      ],
    },
    "9": {
      title: "UDP broadcast client (discovery)",
      story: [
        "Sending to a broadcast address needs SO_BROADCAST set with setsockopt(); without it sendto() fails with EACCES. The client sends \"DISCOVER?\" once and listens with recvfrom() until the timeout, noting each reply and its address.",
        "For safety the lab never broadcasts to the limited broadcast address (all ones, which reaches the real network): it uses the loopback broadcast 127.255.255.255, with two announce servers on the same port (SO_REUSEADDR) that must both show up.",
      ],
    },
    "10": {
      title: "TCP echo server (sequential)",
      story: [
        "The server does socket() → setsockopt(SO_REUSEADDR) → bind() → listen(8) and loops: accept() returns a new socket for one client; with it, recv()/sendall() (echo) until recv() returns 0 (the client closed), close() and back to accept().",
        "It is sequential: while it serves client 1, client 2 has already completed the handshake (the kernel put it in the listen queue, the backlog) but nobody called accept() for it: it waits its turn and receives nothing.",
      ],
    },
    "11": {
      title: "TCP line server with commands",
      story: [
        "Server: socket() → bind(127.0.0.1, port) → listen() → accept(). It reads the client's socket line by line: each recv() brings a piece of the stream, and the server cuts it at \\n (a line may arrive split, or several together).",
        "For each line (stripped): PING → \"PONG\\n\", \"ECHO x\" → \"x\\n\", TIME → the local time \"YYYY-mm-dd HH:MM:SS\\n\", anything else → \"ERR desconocido\\n\", each reply with send().",
        "The client (the guide's #3) sends the four lines, does shutdown(SHUT_WR) and reads until EOF; the server sees recv() = 0, answers what is pending and closes: the client gets EOF and ends.",
      ],
    },
    "12": {
      title: "TCP server with an idle timeout",
      story: [
        "Like the sequential echo, but each client's socket has a timeout (settimeout): if recv() goes that long without data, the server logs the inactivity and closes the connection (close()), freeing the turn for the next client.",
        "The lab uses 1 s instead of 10: the client sends \"hola\\n\", gets the echo and stays silent; after a second the server closes and the client sees EOF.",
      ],
    },
    "13": {
      title: "UDP echo server",
      story: [
        "UDP server: socket(AF_INET, SOCK_DGRAM) → bind(); no listen() and no accept(). Each recvfrom() returns a whole datagram and its sender's address, and sendto() sends the same datagram back to that address.",
        "Each --send of the client is a separate datagram: their boundaries are kept (unlike TCP), binary bytes included.",
      ],
    },
    "14": {
      title: "UDP \"TIME\" server",
      story: [
        "UDP server: bind() and a recvfrom() loop. It decodes the datagram and strips spaces and newlines: if it is TIME it answers with sendto() the local time \"HH:MM:SS\" (no \\n); otherwise \"ERR\\n\".",
      ],
    },
    B1: {
      title: "Unix datagram socket (local echo)",
      story: [
        "socket(AF_UNIX, SOCK_DGRAM): like UDP but local and reliable (datagrams are neither lost nor reordered), and still without connections. The server does bind() to a path and loops recvfrom() → sendto() to the sender.",
        "To get a reply the client needs an address of its own: it does bind() to its own path (as in the guide) or, with no path, the kernel gives it an automatic abstract name (autobind). Node has no Unix datagram sockets: socklab uses its native addon.",
      ],
    },
    B2: {
      title: "Abstract namespace (Linux)",
      story: [
        "A name starting with the byte \\0 lives in Linux's abstract namespace: bind() creates no file, the name disappears when the socket is closed, and the address length (addrlen) matters: the name is exactly those bytes, with no padding.",
        "The server does bind(\"\\0name\") → listen() → accept() and sends \"hola abstract\\n\"; the client does connect(\"\\0name\") and recv(). As with any Unix socket there is no handshake and no packet.",
      ],
    },
    B3: {
      title: "SO_PEERCRED — the peer's UID/GID/PID",
      story: [
        "On a connected Unix socket, getsockopt(SOL_SOCKET, SO_PEERCRED) returns the pid, uid and gid of the process on the other side, as the kernel saw them at connect(): the client cannot fake them.",
        "The server calls accept(), reads the credentials, logs them and answers \"Hola UID=<uid> PID=<pid>\\n\". The lab checks that the pid is the one of the client process it started itself.",
      ],
    },
    B4: {
      title: "SCM_RIGHTS — passing file descriptors between processes",
      story: [
        "With sendmsg() and a SOL_SOCKET/SCM_RIGHTS control message, a process \"lends\" an open descriptor to another: the kernel installs in the receiver a new descriptor (with its own number) that refers to the same open file.",
        "The server calls accept() and sendmsg([b\"FD\"], [(SOL_SOCKET, SCM_RIGHTS, fd)]); the client calls recvmsg() with room for ancillary data, takes the descriptor, lseek()s to the start and read()s: it reads the file without having opened it.",
      ],
    },
    "2.1": {
      title: "TCP/IPv4 — simple (sequential) line echo server",
      story: [
        "Server: socket() → bind() → listen() → accept(); per connection it gathers what the recv() calls bring in a buffer, takes out each complete line (up to \\n), strips a final \\r and answers \"eco: <line>\\n\" with sendall().",
        "TCP keeps no boundaries: a line may arrive split over several recv() calls and several lines may arrive in one. The lab tries both, plus a last line without \\n before EOF (recv() = 0), which is answered too.",
      ],
    },
    "2.1c": {
      title: "TCP client (IPv4)",
      story: [
        "The client connects, sends \"hola\\n\", \"mundo\\n\", \"fin\\n\" with sendall() and shutdown(SHUT_WR) (FIN: it sends no more). Then recv() in a loop until 0 bytes: the server answers every line and, seeing EOF, closes.",
      ],
    },
    "2.2": {
      title: "TCP/IPv4 — command mini-protocol server",
      story: [
        "The same socket() → bind() → listen() → accept() cycle and line reading as guide 1's #11, with one protocol difference: an unknown command gets \"ERR\\n\" (socklab: serve cmd --err ERR).",
      ],
    },
    "2.3": {
      title: "UDP/IPv4 — echo server and its client",
      story: [
        "The guide does bind((\"0.0.0.0\", port)): receive on every IPv4 interface (socklab serve echo udp://0.0.0.0:9201). The lab opens no servers to the network: it uses 127.0.0.1, which for the socket is the same except for the interfaces. Then recvfrom() → sendto() to the sender; no connection at any point.",
        "The client sends \"ping\" and shows the reply and where it came from.",
      ],
    },
    "2.4": {
      title: "TCP/IPv6 — echo server and client",
      story: [
        "The same steps with AF_INET6: socket(AF_INET6, SOCK_STREAM) → bind((\"::1\", port)) → listen() → accept(). The client's address is an IPv6 tuple (ip, port, flowinfo, scope_id).",
      ],
    },
    "2.5": {
      title: "TCP dual-stack (where the OS allows it)",
      story: [
        "One AF_INET6 socket with setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0) and bind((\"::\", port)) accepts IPv6 clients and IPv4 ones too: these show up as IPv4-mapped addresses, ::ffff:127.0.0.1.",
        "The server accepts and sends \"hola dual\\n\" to each; the lab connects through 127.0.0.1 and through ::1 to the same port. It is the only exercise that binds every interface, as the guide asks: where the lab can (root and unshare), it runs in a network namespace of its own, where \"every interface\" is only that namespace's loopback; elsewhere it says for how long the host's interfaces were open.",
      ],
    },
    "2.6": {
      title: "Appendix: robust reading pattern (recv_all)",
      story: [
        "recv_all(sock, nbytes=None): recv() in a loop gathering pieces until recv() returns 0 (EOF) or, if asked, until exactly nbytes are in; then it does not wait for the peer to close and reads not one byte more.",
        "Until EOF is what socklab connect does; \"exactly N\" has no CLI option, so a small client on the library does it (socklab's recvAll), in another process.",
      ],
    },
  },
};
