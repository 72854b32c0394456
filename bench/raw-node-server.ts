// Minimal servers on plain `net`/`dgram`/`tls`: the ceiling for socklab's TypeScript layer.
//
//   node dist/bench/raw-node-server.js SERVICE ADDRESS
//     SERVICE: echo | cmd | line-echo;  ADDRESS: tcp://127.0.0.1:PORT | unix:PATH | udp://127.0.0.1:PORT
//   node dist/bench/raw-node-server.js echo tls://127.0.0.1:PORT CERT.pem KEY.pem
//     (the bench makes the certificate at run time; Node's default TLS settings)
//
// Prints "listening ADDRESS" on stderr like `socklab serve`. Concurrent, no logging,
// setNoDelay, one write per read batch, backpressure through pipe()/pause().
import * as dgram from "node:dgram";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";

function lineServer(reply: (line: string) => string): (sock: net.Socket) => void {
  return (sock) => {
    sock.setNoDelay(true);
    let partial = "";
    const answer = (text: string): void => {
      let out = "";
      let start = 0;
      for (;;) {
        const nl = text.indexOf("\n", start);
        if (nl < 0) break;
        out += reply(text.slice(start, nl));
        start = nl + 1;
      }
      partial = text.slice(start);
      if (partial.length > 65536) sock.destroy();
      if (out.length > 0 && !sock.write(out)) {
        sock.pause();
        sock.once("drain", () => sock.resume());
      }
    };
    sock.on("data", (chunk: Buffer) => answer(partial + chunk.toString("latin1")));
    sock.on("end", () => {
      if (partial.length > 0) sock.write(reply(partial));
      sock.end();
    });
    sock.on("error", () => sock.destroy());
  };
}

function cmdReply(raw: string): string {
  const line = raw.trim();
  if (line === "PING") return "PONG\n";
  if (line.startsWith("ECHO ")) return line.slice(5) + "\n";
  return "ERR desconocido\n";
}

function lineEchoReply(raw: string): string {
  return "eco: " + (raw.endsWith("\r") ? raw.slice(0, -1) : raw) + "\n";
}

function main(argv: string[]): void {
  const [service, address, certFile, keyFile] = argv;
  if (!service || !address) {
    process.stderr.write("usage: raw-node-server echo|cmd|line-echo ADDRESS\n");
    process.exit(2);
  }
  if (address.startsWith("udp://")) {
    const m = /^udp:\/\/(127\.0\.0\.1|\[::1\]):(\d+)$/.exec(address);
    if (!m || service !== "echo") process.exit(2);
    const host = m[1]!.replace(/[[\]]/g, "");
    const sock = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
    sock.on("message", (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
    sock.bind(Number(m[2]), host, () => {
      process.stderr.write(`listening udp://${m[1]}:${sock.address().port}\n`);
    });
    process.on("SIGTERM", () => sock.close(() => process.exit(0)));
    return;
  }
  const handler =
    service === "echo"
      ? (sock: net.Socket): void => {
          sock.setNoDelay(true);
          sock.on("error", () => sock.destroy());
          sock.pipe(sock);
        }
      : service === "cmd"
        ? lineServer(cmdReply)
        : lineServer(lineEchoReply);
  const secure = address.startsWith("tls://");
  if (secure && (service !== "echo" || !certFile || !keyFile)) {
    process.stderr.write("usage: raw-node-server echo tls://127.0.0.1:PORT CERT KEY\n");
    process.exit(2);
  }
  const server = secure
    ? tls.createServer({ cert: readFileSync(certFile!), key: readFileSync(keyFile!) }, handler)
    : net.createServer(handler);
  if (address.startsWith("unix:")) {
    const path = address.slice(5);
    server.listen(path, () => process.stderr.write(`listening unix:${path}\n`));
  } else {
    const m = /^(tcp|tls):\/\/(127\.0\.0\.1|\[::1\]):(\d+)$/.exec(address);
    if (!m) process.exit(2);
    server.listen({ host: m[2]!.replace(/[[\]]/g, ""), port: Number(m[3]) }, () => {
      const a = server.address() as net.AddressInfo;
      process.stderr.write(`listening ${m[1]}://${m[2]}:${a.port}\n`);
    });
  }
  process.on("SIGTERM", () => {
    server.close();
    process.exit(0);
  });
}

main(process.argv.slice(2));
