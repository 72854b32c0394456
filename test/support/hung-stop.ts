/**
 * A server whose graceful stop never finishes (as if a client held it up), to test what a
 * second signal does: `node hung-stop.js unix:PATH`. Prints `listening ADDRESS` on stderr,
 * then `stopping` on the first signal, and waits forever.
 */
import { parseAddress } from "../../src/address.js";
import { untilSignal } from "../../src/cli/signals.js";
import { listenExtras } from "../../src/transports/registry.js";
import { StreamServer } from "../../src/stream/server.js";
import { streamEcho } from "../../src/services/echo.js";

// `node --test dist/test/` runs every file under test/, this one too: without an address it does nothing.
if (process.argv[2] === undefined) process.exit(0);
const address = parseAddress(process.argv[2]);
const stop = untilSignal();
const server = await StreamServer.listen({ address, handler: streamEcho, ...(await listenExtras(address)) });
process.stderr.write(`listening ${server.url}\n`);
await stop;
process.stderr.write("stopping\n");
setInterval(() => {}, 1000); // the graceful stop "hangs"
