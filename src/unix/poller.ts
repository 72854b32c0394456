/** The uv_poll wrapper, for the Unix modules (it lives in src/addon/, shared with the UDP batch path). */
export * from "../addon/poller.js";
