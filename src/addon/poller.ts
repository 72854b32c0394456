/**
 * Readiness of a descriptor libuv does not own, through the addon's uv_poll_t.
 * Readable and writable interest are armed separately so UV_WRITABLE is only watched
 * after a write hit EAGAIN (a socket is almost always writable: watching it otherwise
 * wakes the loop for nothing).
 */
import { errnoError } from "../errors.js";
import type { NativeBinding, NativePoller } from "./binding.js";

export interface PollerHandlers {
  readable?: () => void;
  writable?: () => void;
  error?: (err: Error) => void;
}

export class Poller {
  readonly fd: number;
  #native: NativeBinding;
  #handle: NativePoller;
  #events = 0;
  #closed = false;
  #handlers: PollerHandlers;

  /** With `ownsFd`, close() also closes the descriptor (after stopping the poll). */
  constructor(native: NativeBinding, fd: number, ownsFd: boolean, handlers: PollerHandlers) {
    this.fd = fd;
    this.#native = native;
    this.#handlers = handlers;
    const handle = native.pollerCreate(fd, (status, events) => this.#onPoll(status, events), ownsFd);
    if (typeof handle === "number") throw errnoError(handle, "uv_poll_init");
    this.#handle = handle;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Watch (or stop watching) readability and writability. */
  watch(readable: boolean, writable: boolean): void {
    if (this.#closed) return;
    const { UV_READABLE, UV_WRITABLE } = this.#native.constants;
    const events = (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0);
    if (events === this.#events) return;
    const r = this.#native.pollerStart(this.#handle, events);
    if (r < 0) throw errnoError(r, "uv_poll_start");
    this.#events = events;
  }

  get watchingReadable(): boolean {
    return (this.#events & this.#native.constants.UV_READABLE) !== 0;
  }

  get watchingWritable(): boolean {
    return (this.#events & this.#native.constants.UV_WRITABLE) !== 0;
  }

  /** Stop polling and release the handle (closing the descriptor if owned). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events = 0;
    this.#native.pollerClose(this.#handle);
  }

  #onPoll(status: number, events: number): void {
    if (this.#closed) return;
    if (status < 0) {
      this.#handlers.error?.(errnoError(status, "uv_poll"));
      return;
    }
    const { UV_READABLE, UV_WRITABLE } = this.#native.constants;
    if (events & UV_WRITABLE && !this.#closed) this.#handlers.writable?.();
    if (events & UV_READABLE && !this.#closed) this.#handlers.readable?.();
  }
}
