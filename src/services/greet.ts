/** Exercise 2.5 (and B2's text): send a fixed greeting, then close, like the guide's server. */
import type { StreamHandler } from "./types.js";

export const DEFAULT_GREETING = "hola dual\n";

export function greetService(text: Buffer | string = DEFAULT_GREETING): StreamHandler {
  const greeting = typeof text === "string" ? Buffer.from(text) : text;
  return (socket) => {
    // Full close once the greeting is handed to the kernel, as the guide's sendall + close.
    socket.end(greeting, () => socket.destroy());
  };
}
