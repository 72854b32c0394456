/**
 * The package as users get it: `npm pack` makes the tarball, which is installed into an
 * empty folder (the native addon builds on install; @peculiar/x509 and reflect-metadata come
 * from the npm cache or registry), and there `npx socklab --help`, `npx socklab lab 2`, a
 * library import and the man page work, while `socklab bench` says where the benchmarks are.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { tempDir } from "./support/tmp.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command; a non-zero exit is a result, not an exception. */
async function sh(command: string, args: string[], cwd: string, timeout: number): Promise<Result> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, timeout, maxBuffer: 16 << 20, env: { ...process.env, NO_COLOR: "1", LANG: "C" } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; killed?: boolean };
    if (e.killed) throw new Error(`${command} ${args.join(" ")} took longer than ${timeout} ms\n${e.stderr ?? ""}`);
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

test("npm pack → npm install in an empty folder → npx socklab, the lab, the library and the man page work", { timeout: 600_000 }, async (t) => {
  const packDir = tempDir(t, "socklab-pack-");
  // --ignore-scripts: `prepare` would run tsc over dist/ while other test files import from it
  // (seen as "does not provide an export named …" in parallel tests); pretest built it already.
  const packed = await sh("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", packDir], ROOT, 180_000);
  assert.equal(packed.code, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = info!.files.map((f) => f.path);
  assert.ok(files.includes("bin/socklab.js") && files.includes("dist/src/index.js") && files.includes("dist/src/index.d.ts"), "the CLI and the library are in");
  assert.ok(files.includes("native/module.c"), "the addon's C source is in");
  assert.ok(files.includes("binding.gyp") && files.includes("docs/socklab.1"), "binding.gyp and the man page are in");
  const stray = files.filter((f) => /^(dist\/)?(test|bench)\//.test(f) || f.startsWith("build/") || f.startsWith("node_modules/"));
  assert.deepEqual(stray, [], "no tests, benchmarks, build output or node_modules in the tarball");

  const app = tempDir(t, "socklab-app-");
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "socklab-user", version: "1.0.0", private: true, type: "module" }));
  const installed = await sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(packDir, info!.filename)], app, 300_000);
  assert.equal(installed.code, 0, `npm install of the tarball failed:\n${installed.stderr}`);
  const pkg = join(app, "node_modules", "socklab");
  assert.ok(existsSync(join(pkg, "build", "Release", "socklab_native.node")), "the native addon was built on install");

  const help = await sh("npx", ["--no-install", "socklab", "--help"], app, 60_000);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^usage: socklab COMMAND/m);

  const lab = await sh("npx", ["--no-install", "socklab", "lab", "2"], app, 120_000);
  assert.equal(lab.code, 0, `socklab lab 2 from the installed package:\n${lab.stdout}\n${lab.stderr}`);

  writeFileSync(
    join(app, "use.mjs"),
    [
      'import { StreamServer, openStream, halfClose, sendAll, readUntilClose, streamEcho, parseAddress, isNativeAvailable } from "socklab";',
      'const server = await StreamServer.listen({ address: parseAddress("tcp://127.0.0.1:0"), handler: streamEcho });',
      "const { socket } = await openStream(server.address);",
      'await sendAll(socket, "hola");',
      "await halfClose(socket);",
      "console.log(String(await readUntilClose(socket)), isNativeAvailable());",
      "await server.close();",
    ].join("\n"),
  );
  const used = await sh(process.execPath, ["use.mjs"], app, 30_000);
  assert.equal(used.code, 0, used.stderr);
  assert.equal(used.stdout, "hola true\n");

  const bench = await sh("npx", ["--no-install", "socklab", "bench", "--quick"], app, 60_000);
  assert.equal(bench.code, 1, bench.stderr);
  assert.match(bench.stderr, /^socklab: .*npm run bench.*$/m, "bench says where it runs, in one line");
  assert.doesNotMatch(bench.stderr, /\n\s+at /, "no stack trace");

  assert.ok(readdirSync(join(pkg, "docs")).includes("socklab.1"), "man page installed with the package");
});
