// Builds the native addon with node-gyp against the headers of the Node.js that runs npm,
// so no machine needs a header download (none is possible here) nor a nodedir setting.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const prefix = resolve(dirname(process.execPath), "..");
const haveHeaders = existsSync(join(prefix, "include", "node", "node_api.h"));
const gyp = process.env.npm_config_node_gyp;
const [command, args] = gyp ? [process.execPath, [gyp]] : ["node-gyp", []];
args.push("rebuild", ...(haveHeaders ? [`--nodedir=${prefix}`] : []));
const result = spawnSync(command, args, { stdio: "inherit" });
if (result.error) {
  console.error(`socklab: could not run node-gyp (${result.error.message}); Unix datagram, abstract, SO_PEERCRED and SCM_RIGHTS features will be unavailable`);
  process.exit(1);
}
process.exit(result.status ?? 1);
