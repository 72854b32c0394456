#!/usr/bin/env node
// Writes docs/socklab.1 (package.json "man") from the compiled CLI's option tables and
// message catalogue. Run after every compile by `npm run build`, `prepare` (so `npm pack`
// and installs from git have it) and `pretest`; the page is generated, never edited or
// committed, so adding an option needs no extra step.
import { readFileSync, writeFileSync } from "node:fs";

const { manPage } = await import("../dist/src/cli/manpage.js");
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
writeFileSync(new URL("../docs/socklab.1", import.meta.url), manPage("en", version));
