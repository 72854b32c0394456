#!/usr/bin/env node
// Writes docs/socklab.1 (package.json "man") from the compiled CLI's option tables and
// message catalogue. `npm run man` compiles first; test/cli-help-man.test.ts checks the
// committed page is current.
import { readFileSync, writeFileSync } from "node:fs";

const { manPage } = await import("../dist/src/cli/manpage.js");
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
writeFileSync(new URL("../docs/socklab.1", import.meta.url), manPage("en", version));
