/**
 * Open a client stream to any stream address (tcp://, tls://, unix:, abstract:), one attempt,
 * or with retries. The work is the transports' (src/transports); this is the library's name for it.
 */
export { connectStream, openStream } from "../transports/registry.js";
export type { OpenedStream, OpenStreamOptions } from "../transports/types.js";
