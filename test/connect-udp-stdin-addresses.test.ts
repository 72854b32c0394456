/**
 * `connect udp://NAME:PORT` without --send (stdin mode) tries each resolved address as request
 * mode does: the datagram client's failOver() moves on from an address that refused (ICMP
 * port unreachable → ECONNREFUSED on the connected socket) to the next one, where the last
 * datagram is sent again. Resolver injected: ::1 first (nothing there), then 127.0.0.1 (a
 * python3 echo peer).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { UdpClient } from "../src/udp/request.js";
import { spawnProc, which } from "./support/process.js";

const PYTHON = which("python3");

const ECHO_PY = String.raw`
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.settimeout(20)
data, peer = s.recvfrom(65536)
s.sendto(data.upper(), peer)
`;

test("stdin mode: an address that refuses hands over to the next, which gets the datagram", { timeout: 20_000, skip: PYTHON ? false : "python3 is not installed" }, async (t) => {
  const peer = spawnProc(PYTHON!, ["-c", ECHO_PY], { teardown: t, label: "python3 udp echo" });
  const port = Number((await peer.waitForStdoutLine(/^(\d+)$/m, 5000))[1]);
  const client = await UdpClient.open("dual.test", port, {
    resolve: async () => [
      { address: "::1", family: 6 },
      { address: "127.0.0.1", family: 4 },
    ],
  });
  t.after(() => client.close());
  assert.equal(client.target, `udp://[::1]:${port}`);
  await client.send(Buffer.from("hola\n"));
  await assert.rejects(client.receive(5000), { code: "ECONNREFUSED" });
  assert.equal(client.failOver(), true, "there is another address");
  assert.equal(client.target, `udp://127.0.0.1:${port}`);
  await client.send(Buffer.from("hola\n"));
  const got = await client.receive(5000);
  assert.deepEqual(got, { data: Buffer.from("HOLA\n"), from: `udp://127.0.0.1:${port}` });
  // Every address has refused once it is the last one left: nothing more to try.
  assert.equal(client.failOver(), false);
});
