// Builds the native addon with node-gyp against the headers of the Node.js that runs npm,
// so no machine needs a header download (none is possible here) nor a nodedir setting.
//
// SOCKLAB_SANITIZE=1 (or a list such as "address,undefined", or "undefined") builds with
// GCC/Clang sanitizers; any finding aborts the process (-fno-sanitize-recover). Load such a
// build under Node with LD_PRELOAD of libasan (Node itself is not instrumented).
// SOCKLAB_BUILD_DIR=DIR builds in DIR (binding.gyp and native/ copied there) instead of
// ./build, so a sanitizer build never replaces the normal one.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const prefix = resolve(dirname(process.execPath), "..");
const haveHeaders = existsSync(join(prefix, "include", "node", "node_api.h"));

// node-gyp: the one npm hands us, else npm's own copy next to this Node, else PATH.
const bundled = join(prefix, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
const gyp = process.env.npm_config_node_gyp || (existsSync(bundled) ? bundled : undefined);
const [command, args] = gyp ? [process.execPath, [gyp]] : ["node-gyp", []];
args.push("rebuild", ...(haveHeaders ? [`--nodedir=${prefix}`] : []));

const env = { ...process.env };
const sanitize = process.env.SOCKLAB_SANITIZE;
if (sanitize && sanitize !== "0") {
  const list = sanitize === "1" ? "address,undefined" : sanitize;
  if (!/^[a-z,]+$/.test(list)) {
    console.error(`socklab: SOCKLAB_SANITIZE must be 1 or a list like address,undefined (got "${sanitize}")`);
    process.exit(2);
  }
  const flags = `-fsanitize=${list} -fno-sanitize-recover=all -fno-omit-frame-pointer -g`;
  env.CFLAGS = `${env.CFLAGS ?? ""} ${flags}`.trim();
  env.LDFLAGS = `${env.LDFLAGS ?? ""} -fsanitize=${list}`.trim();
}

let cwd = root;
if (process.env.SOCKLAB_BUILD_DIR) {
  cwd = resolve(process.env.SOCKLAB_BUILD_DIR);
  mkdirSync(cwd, { recursive: true });
  cpSync(join(root, "binding.gyp"), join(cwd, "binding.gyp"));
  cpSync(join(root, "native"), join(cwd, "native"), { recursive: true });
}

const result = spawnSync(command, args, { stdio: "inherit", cwd, env });
if (result.error) {
  console.error(`socklab: could not run node-gyp (${result.error.message}); Unix datagram, abstract, SO_PEERCRED and SCM_RIGHTS features will be unavailable`);
  process.exit(1);
}
process.exit(result.status ?? 1);
