#!/usr/bin/env node
// socklab command-line entry. The TypeScript is compiled to dist/ by `npm install`.
import { existsSync } from "node:fs";

const main = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("socklab: not built yet; run `npm install` (or `npm run build`) in the socklab folder\n");
  process.exit(1);
}
const { run, exitAfterFlush } = await import(main.href);
let code;
try {
  code = await run(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`socklab: ${err instanceof Error ? err.message : String(err)}\n`);
  code = 1;
}
// Servers and clients have closed their sockets; exit now rather than wait on stray
// handles, but only once what we printed has reached stdout and stderr.
await exitAfterFlush(code);
