/** Access lists: CIDR parsing and matching (IPv4, IPv6, IPv4-mapped), files, and the decision (deny wins). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { AccessList, accessFilter, accessListFrom, cidrContains, ipValue, parseCidr, parseCidrFile, parseCidrList } from "../src/net/cidr.js";
import { UsageError } from "../src/errors.js";
import { spawnPython } from "./support/python.js";
import { tempDir } from "./support/tmp.js";

const has = (rule: string, address: string): boolean => cidrContains(parseCidr(rule), address);

test("IPv4 rules match by prefix: host bits of a rule ignored, a bare address is /32", () => {
  // Documentation ranges (RFC 5737): these are strings for the matcher, never traffic.
  assert.equal(has("198.18.0.0/15", "198.19.255.2"), true);
  assert.equal(has("198.18.0.0/15", "198.20.0.1"), false);
  assert.equal(has("192.0.2.5", "192.0.2.5"), true);
  assert.equal(has("192.0.2.5", "192.0.2.6"), false);
  assert.equal(has("192.0.2.77/24", "192.0.2.1"), true, "host bits of the rule are ignored");
  assert.equal(has("0.0.0.0/0", "203.0.113.9"), true);
  assert.equal(has("127.0.0.1/32", "127.0.0.2"), false);
  assert.equal(has("172.16.0.0/12", "172.31.255.255"), true);
  assert.equal(has("172.16.0.0/12", "172.32.0.0"), false);
});

test("IPv6 rules match by prefix up to /128; zone ids and brackets do not change the match", () => {
  assert.equal(has("::1", "::1"), true);
  assert.equal(has("::1", "0:0:0:0:0:0:0:1"), true);
  assert.equal(has("2001:db8::/32", "2001:db8:ffff::42"), true);
  assert.equal(has("2001:db8::/32", "2001:db9::1"), false);
  assert.equal(has("fe80::/10", "fe80::1%eth0"), true);
  assert.equal(has("::/0", "2001:db8::1"), true);
  assert.equal(has("2001:db8::/128", "[2001:db8::]"), true);
  assert.equal(has("1:2:3:4:5:6:7:8/127", "1:2:3:4:5:6:7:9"), true);
  assert.equal(has("1:2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7:9"), false);
});

test("IPv4-mapped addresses match IPv4 rules, and mapped rules match plain IPv4", () => {
  assert.equal(has("127.0.0.0/8", "::ffff:127.0.0.1"), true);
  assert.equal(has("100.0.0.0/8", "::ffff:100.1.2.3"), true);
  assert.equal(has("100.0.0.0/8", "::ffff:6401:203"), true, "hex form of the mapped address");
  assert.equal(has("100.0.0.0/8", "::ffff:11.1.2.3"), false);
  assert.equal(has("::ffff:100.0.0.0/104", "100.9.9.9"), true);
  assert.equal(has("0.0.0.0/0", "::1"), false, "every IPv4 is not every address");
  assert.equal(has("::/0", "192.0.2.1"), true, "::/0 is everyone");
  assert.equal(has("::1", "127.0.0.1"), false);
});

test("bad rules are usage errors that say what is expected", () => {
  for (const bad of ["example.com", "100.0.0.0/33", "::1/129", "100.0.0/8", "100.0.0.0/", "100.0.0.0/x", "", "1.2.3.4/8/8"]) {
    assert.throws(() => parseCidr(bad), UsageError, bad);
  }
  assert.throws(() => parseCidrList("100.0.0.0/8,,::1"), /empty entry/);
  assert.deepEqual(parseCidrList(" 100.0.0.0/8 , ::1 ").map((r) => r.text), ["100.0.0.0/8", "::1"]);
  assert.equal(ipValue("not an ip"), undefined);
});

test("files: one rule per line, comments and blank lines, errors name the line", () => {
  const rules = parseCidrFile("# office\n100.0.0.0/8   # LAN\n\n  ::1\r\n198.51.100.0/24, 172.16.0.0/12\n", "allow.txt");
  assert.deepEqual(rules.map((r) => r.text), ["100.0.0.0/8", "::1", "198.51.100.0/24", "172.16.0.0/12"]);
  assert.throws(() => parseCidrFile("100.0.0.0/8\nlocalhost\n", "allow.txt"), /^UsageError: allow\.txt:2: "localhost" is not an IP/);
});

test("the decision: no lists let everyone in, allow restricts, deny wins over allow", () => {
  assert.deepEqual(new AccessList().check("203.0.113.1"), { ok: true });
  const list = new AccessList({ allow: parseCidrList("100.0.0.0/8,::1"), deny: parseCidrList("100.0.0.66") });
  assert.deepEqual(list.check("100.1.1.1"), { ok: true });
  assert.deepEqual(list.check("::ffff:100.1.1.1"), { ok: true });
  assert.deepEqual(list.check("::1"), { ok: true });
  assert.deepEqual(list.check("100.0.0.66"), { ok: false, why: "denied", rule: "100.0.0.66" });
  assert.deepEqual(list.check("::ffff:100.0.0.66"), { ok: false, why: "denied", rule: "100.0.0.66" });
  assert.deepEqual(list.check("192.0.2.1"), { ok: false, why: "not-allowed" });
  const denyOnly = new AccessList({ deny: parseCidrList("127.0.0.2") });
  assert.deepEqual(denyOnly.check("127.0.0.1"), { ok: true });
  assert.equal(denyOnly.check("127.0.0.2").ok, false);
  assert.equal(new AccessList({ allow: [] }).check("127.0.0.1").ok, false, "an empty allow list allows nobody");
  // Unix peers have no address: they pass only when there is no allow list.
  assert.equal(denyOnly.check(undefined).ok, true);
  assert.equal(list.check(undefined).ok, false);
});

test("loopbackOnly: the rule serve exec uses to bind beyond loopback", () => {
  assert.equal(new AccessList().loopbackOnly, false);
  assert.equal(new AccessList({ allow: parseCidrList("127.0.0.1,::1") }).loopbackOnly, true);
  assert.equal(new AccessList({ allow: parseCidrList("127.0.0.0/8") }).loopbackOnly, true);
  assert.equal(new AccessList({ allow: parseCidrList("127.0.0.0/7") }).loopbackOnly, false);
  assert.equal(new AccessList({ allow: parseCidrList("100.0.0.0/8") }).loopbackOnly, false);
});

test("accessFilter gives StreamServer's refusal with the matching rule", () => {
  const filter = accessFilter(new AccessList({ allow: parseCidrList("127.0.0.0/8"), deny: parseCidrList("127.0.0.9") }));
  assert.deepEqual(filter({ remoteAddress: "127.0.0.1" }), { ok: true });
  assert.deepEqual(filter({ remoteAddress: "127.0.0.9" }), { ok: false, reason: "address-not-allowed", detail: "127.0.0.9" });
  assert.deepEqual(filter({ remoteAddress: "::1" }), { ok: false, reason: "address-not-allowed" });
});

test("accessListFrom merges flags and files; an unreadable file is a usage error", async (t) => {
  const dir = tempDir(t);
  const file = `${dir}/allow.txt`;
  await writeFile(file, "# only these\n127.0.0.1\n");
  const list = await accessListFrom({ allow: ["::1"], allowFile: [file], deny: ["127.0.0.0/8"] });
  assert.deepEqual(list.allow?.map((r) => r.text), ["::1", "127.0.0.1"]);
  assert.equal(list.check("127.0.0.1").ok, false, "deny wins");
  assert.equal(list.check("::1").ok, true);
  await assert.rejects(accessListFrom({ denyFile: [`${dir}/missing.txt`] }), /cannot read .*missing\.txt: no such file/);
});

test("membership agrees with python3's ipaddress module on 2000 random cases", async (t) => {
  const cases: { rule: string; address: string }[] = [];
  const v4 = (b: Buffer): string => [...b.subarray(0, 4)].join(".");
  const v6 = (b: Buffer): string => Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2).toString(16)).join(":");
  for (let i = 0; i < 2000; i++) {
    const ipv6 = i % 2 === 1;
    const net = randomBytes(16);
    const addr = Buffer.from(net);
    const max = ipv6 ? 128 : 32;
    const prefix = randomBytes(1)[0]! % (max + 1);
    // Half the addresses share the network's first `prefix` bits (inside), the rest differ somewhere.
    const flipBit = i % 4 === 0 ? prefix + (randomBytes(1)[0]! % Math.max(1, max - prefix)) : randomBytes(1)[0]! % max;
    if (flipBit < max) addr[flipBit >> 3]! ^= 0x80 >> (flipBit & 7);
    cases.push(ipv6 ? { rule: `${v6(net)}/${prefix}`, address: v6(addr) } : { rule: `${v4(net)}/${prefix}`, address: v4(addr) });
  }
  const py = spawnPython(
    "import sys, ipaddress\nfor line in sys.stdin:\n    r, a = line.split()\n    print(int(ipaddress.ip_address(a) in ipaddress.ip_network(r, strict=False)))\n",
    { input: cases.map((c) => `${c.rule} ${c.address}\n`).join(""), teardown: t },
  );
  const result = await py.waitExit(20_000);
  assert.equal(result.code, 0, result.stderr);
  const expected = result.stdout.toString().trim().split("\n");
  let inside = 0;
  cases.forEach((c, i) => {
    const ours = has(c.rule, c.address);
    if (ours) inside++;
    assert.equal(ours ? "1" : "0", expected[i], `${c.address} in ${c.rule}`);
  });
  assert.ok(inside > 200 && inside < 1800, `both outcomes are exercised (${inside} inside)`);
});
