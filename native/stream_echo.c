/*
 * The stream echo engine: `serve echo` over TCP or a Unix stream socket, with the whole
 * per-connection loop in C. A short connection (connect, a few bytes, half-close) costs
 * Node far more in socket setup (a net.Socket, its streams, several loop turns) than the
 * bytes themselves; here it is accept4, read, write, read (EOF), close, usually inside the
 * listener's one readiness callback, and JavaScript hears of it once per callback.
 *
 * Semantics are the JS server's (src/stream/server.ts): up to `limit` clients served at
 * once, up to `acceptLimit` accepted (the rest of a sequential server's held clients wait
 * accepted and unread); at that point the listener is no longer polled and newcomers wait in
 * the kernel's accept queue. No client is dropped. Per connection at most ECHO_BUF bytes
 * are held: on a partial write the rest is kept, reading stops and the socket is polled
 * for writability, so a peer that never reads cannot make us buffer more.
 *
 * Line mode: the same engine serves a line service (cmd, line-echo) whose rules its JS
 * module declares (native/line_rules.c interprets them, with the JS line framing). Only the
 * "bytes read -> bytes to write" step differs: input not answered yet stays in a per-client
 * input buffer, lines are answered only while the unsent output is below LINE_MARK, and
 * nothing is read while output waits; so a client that never reads holds at most one read
 * and one mark's worth of replies. An over-long line is refused as lineService refuses it:
 * the lines before it answered, a `line-too-long` record, the too-long reply, our write
 * side shut down, then what the client still sends is read and dropped until its EOF, for
 * at most LINGER_MS.
 *
 * Events go to JavaScript as records in a Float64Array the caller passed (kind, id, a, b)
 * plus a peer text slot per record, and one call (napi_make_callback) per batch.
 *
 * Lifetime: close() (from JS, the external's finalizer, or environment teardown via the
 * instance's tracked list, see poller.c) closes every descriptor at once and uv_close()s
 * every handle; the engine is freed when the last handle's close callback has run and
 * the JS external is gone.
 */
#include "common.h"
#include "line_rules.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One read's size, and the most a connection keeps unsent. */
#define ECHO_BUF (64 * 1024)
/* Work per readiness callback before yielding to the rest of the loop (it fires again). */
#define READS_PER_TURN 16
#define ACCEPTS_PER_TURN 64
/* After running out of descriptors (EMFILE...), try accepting again this much later. */
#define ACCEPT_RETRY_MS 100
#define MAX_LISTENERS 2
/* The record layout, as src/stream/native-echo.ts reads it. */
#define RECORD_FIELDS 4
#define PEER_SLOT 48 /* INET6_ADDRSTRLEN and a NUL */
/* Line mode: replies are made while fewer than this many bytes wait to be sent. */
#define LINE_MARK (64 * 1024)
/* Line mode: an idle client keeps at most this much buffer memory (more is freed when empty). */
#define LINE_KEEP (16 * 1024)
/* A refused client may go on sending (read and dropped) this long before we close. */
#define LINGER_MS 2000
/*
 * Polling on (see on_check): after a loop turn that served at least POLL_ON_MIN_TURNS client
 * turns, poll(2) the clients (at most POLL_ON_MAX_FDS of them) with timeout 0 for up to
 * poll_on_ns (POLL_ON_US by default), serving what comes; a window that finds nothing makes the next 1, 2, 4 ...
 * POLL_ON_MAX_SKIP busy turns skip polling on; one check serves at most POLL_ON_MAX_HITS polls.
 */
#define POLL_ON_MIN_TURNS 2
#define POLL_ON_MAX_FDS 64
#define POLL_ON_US 20 /* the default; streamEchoCreate's pollOnMicros sets it (0: never) */
#define POLL_ON_MAX_SKIP 64
#define POLL_ON_MAX_HITS 64

enum { EV_QUEUED = 1, EV_ACCEPTED = 2, EV_CLOSED = 3, EV_ERROR = 4, EV_ACCEPT_ERROR = 5, EV_ENGINE_CLOSED = 6, EV_LINE_TOO_LONG = 7 };
enum { SYS_READ = 0, SYS_WRITE = 1, SYS_ACCEPT = 2 };
enum { CONN_WAITING, CONN_ACTIVE };

typedef struct engine_s engine_t;
typedef struct conn_s conn_t;

/* The timer of a refused line client (allocated only then). */
typedef struct {
  uv_timer_t timer;
  engine_t* e;
  conn_t* c;
} linger_t;

struct conn_s {
  uv_poll_t poll; /* initialised only when the connection has to wait for readiness */
  engine_t* e;
  int fd;
  int state;
  int polled;    /* poll initialised (then freed from its close callback) */
  int armed;     /* the events polled for now */
  double id;
  double received, sent;
  lbuf_t out; /* unsent bytes (echo: allocated only on a partial write) */
  /* Line mode only. */
  line_input_t lines; /* input not answered yet */
  int eof, refused, shut;
  linger_t* linger;
  union {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
  } peer;
  conn_t *prev, *next;
};

typedef struct {
  uv_poll_t poll;
  engine_t* e;
  int fd;
} listener_t;

struct engine_s {
  tracked_t node; /* first: the instance's teardown list */
  instance_t* inst;
  napi_env env;
  napi_ref callback, records_ref, peers_ref;
  napi_async_context async_ctx;
  double* records;
  char* peers;
  size_t capacity, count;
  int inet;
  int limit, accept_limit;
  listener_t listeners[MAX_LISTENERS];
  int nlisteners;
  uv_timer_t retry;
  uv_check_t check; /* after each loop turn's poll phase: polling on */
  int turns;        /* client turns from readiness in this loop turn */
  int poll_skip, poll_backoff;
  uint64_t poll_on_ns; /* polling on's window; 0: never */
  double poll_hits, poll_misses; /* polls on that served something / windows that found nothing */
  conn_t* active_head;
  conn_t *wait_head, *wait_tail;
  int active, waiting;
  double next_id;
  line_rules_t* rules; /* line mode's rules; NULL: echo */
  int handles;     /* libuv handles not closed yet */
  int closed, stopped_accepting, accepting, backoff, serving_next, external_gone;
  /* libuv callbacks of this engine on the stack. JavaScript runs inside them (flush, with
   * its microtasks) and may close the engine there: that close waits until the outermost
   * callback is done, so nothing a callback still uses is released under it. */
  int depth, close_pending;
  double reads; /* read(2) calls on clients, for the stats */
  char scratch[ECHO_BUF];
};

static void conn_read(conn_t* c, int polled);
static void accept_ready(listener_t* l);
static void update_accepting(engine_t* e);
static void engine_close(engine_t* e);

static void enter(engine_t* e) {
  e->depth++;
}

/* Leaving a callback: a close asked for inside it happens now. */
static void leave(engine_t* e) {
  if (--e->depth == 0 && e->close_pending) {
    e->close_pending = 0;
    engine_close(e);
  }
}

/* ---- events to JavaScript ---- */

static void flush(engine_t* e) {
  size_t count = e->count;
  e->count = 0;
  /* Closing from a finalizer or at teardown: JavaScript can't be called (and nobody listens). */
  if (count == 0 || e->external_gone || e->inst->tearing_down) return;
  napi_env env = e->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, argv[1], result;
  if (napi_get_reference_value(env, e->callback, &cb) == napi_ok && cb != NULL &&
      napi_get_global(env, &recv) == napi_ok) {
    argv[0] = make_int(env, (int64_t)count);
    napi_status s = napi_make_callback(env, e->async_ctx, recv, cb, 1, argv, &result);
    if (s == napi_pending_exception) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

static double* record(engine_t* e, int kind, double id, double a, double b) {
  if (e->count == e->capacity) flush(e);
  double* r = e->records + e->count * RECORD_FIELDS;
  r[0] = kind;
  r[1] = id;
  r[2] = a;
  r[3] = b;
  e->count++;
  return r;
}

/* Dotted decimal, as inet_ntop writes it, without snprintf (a tenth of a short
 * connection's instructions went to uv_ip4_name's formatting). */
static void ip4_text(const struct in_addr* addr, char* out) {
  const unsigned char* b = (const unsigned char*)&addr->s_addr;
  for (int i = 0; i < 4; i++) {
    unsigned v = b[i];
    if (v >= 100) *out++ = (char)('0' + v / 100);
    if (v >= 10) *out++ = (char)('0' + v / 10 % 10);
    *out++ = (char)('0' + v % 10);
    *out++ = i < 3 ? '.' : '\0';
  }
}

/* The peer's host in its slot and its port (inet engines; Unix peers are named in JS). */
static double peer_slot(engine_t* e, const conn_t* c) {
  char* slot = e->peers + (e->count - 1) * PEER_SLOT;
  slot[0] = '\0';
  if (!e->inet) return 0;
  if (c->peer.v4.sin_family == AF_INET) {
    ip4_text(&c->peer.v4.sin_addr, slot);
    return ntohs(c->peer.v4.sin_port);
  }
  if (c->peer.v6.sin6_family == AF_INET6) {
    uv_ip6_name(&c->peer.v6, slot, PEER_SLOT);
    return ntohs(c->peer.v6.sin6_port);
  }
  return 0;
}

/* ---- connections ---- */

static void on_handle_closed(engine_t* e);

static void on_conn_closed(uv_handle_t* handle) {
  conn_t* c = (conn_t*)handle->data;
  engine_t* e = c->e;
  free(c);
  on_handle_closed(e);
}

static void on_linger_closed(uv_handle_t* handle) {
  linger_t* l = (linger_t*)handle->data;
  engine_t* e = l->e;
  free(l);
  on_handle_closed(e);
}

static void unlink_conn(engine_t* e, conn_t* c) {
  if (c->state == CONN_ACTIVE) {
    if (c->prev) c->prev->next = c->next;
    else e->active_head = c->next;
    if (c->next) c->next->prev = c->prev;
    e->active--;
  } else {
    /* Waiting clients leave only from the head (served) or all at once (close). */
    e->wait_head = c->next;
    if (e->wait_head == NULL) e->wait_tail = NULL;
    e->waiting--;
  }
  c->prev = c->next = NULL;
}

/* Close the descriptor and release the connection; `report` adds its `closed` event. */
static void conn_release(conn_t* c, int report) {
  engine_t* e = c->e;
  unlink_conn(e, c);
  /* Stop polling before close(): epoll must not keep a recycled descriptor number. */
  if (c->polled) uv_poll_stop(&c->poll);
  close(c->fd);
  if (report) record(e, EV_CLOSED, c->id, c->received, c->sent);
  lbuf_free(&c->out);
  lbuf_free(&c->lines.in);
  if (c->linger != NULL) {
    uv_timer_stop(&c->linger->timer);
    c->linger->c = NULL;
    uv_close((uv_handle_t*)&c->linger->timer, on_linger_closed);
    c->linger = NULL;
  }
  if (c->polled) uv_close((uv_handle_t*)&c->poll, on_conn_closed);
  else free(c);
}

static void serve_next(engine_t* e);

/* The connection is over: its `closed` event, then the next client's turn. */
static void conn_done(conn_t* c) {
  engine_t* e = c->e;
  conn_release(c, 1);
  e->backoff = 0; /* a descriptor is free again */
  serve_next(e);
  update_accepting(e);
}

static void conn_fail(conn_t* c, int err, int syscall) {
  record(c->e, EV_ERROR, c->id, -err, syscall);
  conn_done(c);
}

static void on_conn_poll(uv_poll_t* handle, int status, int events);

/* Poll for `events` only (UV_READABLE while echoing, UV_WRITABLE while bytes wait). */
static int conn_arm(conn_t* c, int events) {
  if (!c->polled) {
    int r = uv_poll_init(c->e->inst->loop, &c->poll, c->fd);
    if (r < 0) return r;
    c->poll.data = c;
    c->polled = 1;
    c->e->handles++;
  }
  if (c->armed == events) return 0;
  int r = uv_poll_start(&c->poll, events, on_conn_poll);
  if (r == 0) c->armed = events;
  return r;
}

static void conn_wait(conn_t* c, int events) {
  int r = conn_arm(c, events);
  if (r < 0) conn_fail(c, -r, SYS_READ);
}

static int conn_pending(const conn_t* c) {
  return c->out.off < c->out.len;
}

/* Send up to n bytes, counted: how many the socket took (0..n), or -1 once the connection
 * has failed (conn_fail ran). */
static ssize_t conn_send(conn_t* c, const char* p, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = send(c->fd, p + done, n - done, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      conn_fail(c, errno, SYS_WRITE);
      return -1;
    }
    done += (size_t)w;
    c->sent += (double)w;
  }
  return (ssize_t)done;
}

/* Write what is held; returns 1 if all of it is out, 0 if some waits, -1 if the connection ended. */
static int conn_flush(conn_t* c) {
  ssize_t n = conn_send(c, c->out.p + c->out.off, c->out.len - c->out.off);
  if (n < 0) return -1;
  c->out.off += (size_t)n;
  if (c->out.off < c->out.len) return 0;
  /* Echo holds a buffer only while a write is partial; a line client keeps a small one. */
  lbuf_trim(&c->out, c->e->rules != NULL ? LINE_KEEP : 0);
  return 1;
}

/* Send what is held: 1 if it is all out (or nothing was held); 0 if the rest waits (the
 * socket is polled for writability, and this is called again from there) or the
 * connection ended. */
static int conn_drain(conn_t* c) {
  if (!conn_pending(c)) return 1;
  int r = conn_flush(c);
  if (r == 0) conn_wait(c, UV_WRITABLE);
  return r > 0;
}

/* Echo `n` bytes of the scratch buffer; keep what the socket does not take. 1: all sent. */
static int conn_echo(conn_t* c, size_t n) {
  engine_t* e = c->e;
  ssize_t sent = conn_send(c, e->scratch, n);
  if (sent < 0) return -1;
  size_t done = (size_t)sent;
  if (done == n) return 1;
  if (lbuf_append(&c->out, e->scratch + done, n - done) < 0) {
    conn_fail(c, ENOMEM, SYS_WRITE);
    return -1;
  }
  return 0;
}


/* What conn_recv found when it returned no bytes and no EOF. */
enum { RECV_NONE = -1, RECV_FAILED = -2 };

/* One read(2) of the client into the scratch buffer, counted: the bytes (> 0), 0 at EOF,
 * RECV_NONE when nothing waits (EAGAIN), RECV_FAILED once the connection has failed (it
 * is over: conn_fail ran). */
static ssize_t conn_recv(conn_t* c) {
  engine_t* e = c->e;
  for (;;) {
    ssize_t n = read(c->fd, e->scratch, ECHO_BUF);
    e->reads++;
    if (n > 0) {
      c->received += (double)n;
      return n;
    }
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return RECV_NONE;
    conn_fail(c, errno, SYS_READ);
    return RECV_FAILED;
  }
}

/*
 * Read and echo until the socket has nothing more (or a turn's worth), EOF or an error.
 * With `short_drained`, a read shorter than the buffer is taken as the socket drained (as
 * libuv's uv__read does): the level-triggered poll says when more comes, which spares a
 * read that would find nothing per request. A newly accepted client's first turn reads
 * until EAGAIN instead: its FIN usually waits behind its bytes (connect, send, shut down),
 * and finding it there closes the connection without ever polling it.
 */
static void echo_read(conn_t* c, int short_drained) {
  for (int i = 0; i < READS_PER_TURN; i++) {
    ssize_t n = conn_recv(c);
    if (n == RECV_FAILED) return;
    if (n == RECV_NONE) break;
    if (n == 0) {
      conn_done(c); /* EOF and nothing held: our side ends too (close sends our FIN) */
      return;
    }
    int r = conn_echo(c, (size_t)n);
    if (r < 0) return;
    if (r == 0) {
      conn_wait(c, UV_WRITABLE); /* backpressure: no reading until it drains */
      return;
    }
    if (short_drained && (size_t)n < ECHO_BUF) break;
  }
  conn_wait(c, UV_READABLE);
}

/* ---- line mode ---- */

static void lines_pump(conn_t* c);

static void on_linger(uv_timer_t* timer) {
  linger_t* l = (linger_t*)timer->data;
  engine_t* e = l->e;
  enter(e);
  if (l->c != NULL) conn_done(l->c); /* the refused client had its time */
  flush(e);
  leave(e);
}

/* After the too-long reply: send it, shut our side, then drop input until EOF. */
static void refused_pump(conn_t* c) {
  if (!conn_drain(c)) return;
  if (!c->shut) {
    c->shut = 1;
    shutdown(c->fd, SHUT_WR);
  }
  for (int i = 0; i < READS_PER_TURN && !c->eof; i++) {
    ssize_t n = conn_recv(c); /* what comes is dropped */
    if (n == RECV_FAILED) return;
    if (n == RECV_NONE) break;
    if (n == 0) c->eof = 1;
  }
  if (c->eof) conn_done(c);
  else conn_wait(c, UV_READABLE);
}

/* A line over the limit, as lineService refuses it (the lines before it are answered). */
static void lines_refuse(conn_t* c) {
  engine_t* e = c->e;
  record(e, EV_LINE_TOO_LONG, c->id, (double)e->rules->max_line, 0);
  c->refused = 1;
  lbuf_free(&c->lines.in);
  c->lines.backlog = 0;
  if (lbuf_append(&c->out, e->rules->too_long.p, e->rules->too_long.n) < 0) {
    conn_fail(c, ENOMEM, SYS_WRITE);
    return;
  }
  linger_t* l = malloc(sizeof(*l));
  if (l == NULL || uv_timer_init(e->inst->loop, &l->timer) < 0) {
    free(l);
    conn_fail(c, ENOMEM, SYS_READ);
    return;
  }
  l->e = e;
  l->c = c;
  l->timer.data = l;
  e->handles++;
  c->linger = l;
  uv_timer_start(&l->timer, on_linger, LINGER_MS, 0);
  uv_unref((uv_handle_t*)&l->timer); /* as the JS path's unref'd timer: it keeps nothing alive */
  refused_pump(c);
}

/* The framing said stop: a line too long, or no memory for it. */
static void lines_stop(conn_t* c, int rc) {
  if (rc == LINES_TOO_LONG) lines_refuse(c);
  else conn_fail(c, ENOMEM, SYS_READ);
}

/* EOF, every complete line answered and sent: the last unterminated one, then our side ends. */
static void lines_finish(conn_t* c) {
  if (c->lines.in.off < c->lines.in.len) {
    int rc = lines_end(c->e->rules, &c->lines, &c->out);
    if (rc != LINES_OK) {
      lines_stop(c, rc);
      return;
    }
    if (!conn_drain(c)) return; /* back here once it is out (nothing left to answer) */
  }
  conn_done(c); /* close sends our FIN */
}

/*
 * A line client's loop: answer what waits (while the output is below the mark), send, and
 * read only when nothing waits to be sent. A short read (less than the buffer) is taken as
 * the socket drained: the poll says when more comes, which spares a read that would find
 * nothing per pipelined batch.
 */
static void lines_pump(conn_t* c) {
  engine_t* e = c->e;
  int reads = 0, drained = 0;
  if (c->refused) {
    refused_pump(c);
    return;
  }
  for (;;) {
    if (c->lines.backlog && c->out.len - c->out.off < LINE_MARK) {
      int rc = lines_backlog(e->rules, &c->lines, &c->out, LINE_MARK);
      if (rc != LINES_OK) {
        lines_stop(c, rc);
        return;
      }
    }
    if (conn_pending(c)) {
      if (!conn_drain(c)) return; /* backpressure: no reading until it drains */
      continue;                   /* sent: answer the rest of a backlog, or read */
    }
    if (c->lines.backlog) continue;
    if (c->eof) {
      lines_finish(c);
      return;
    }
    if (drained || reads == READS_PER_TURN) break;
    ssize_t n = conn_recv(c);
    reads++;
    if (n == RECV_FAILED) return;
    if (n == RECV_NONE) break;
    if (n == 0) {
      c->eof = 1;
      continue;
    }
    int rc = lines_feed(e->rules, &c->lines, e->scratch, (size_t)n, &c->out, LINE_MARK);
    if (rc != LINES_OK) {
      lines_stop(c, rc);
      return;
    }
    drained = (size_t)n < ECHO_BUF;
  }
  lbuf_trim(&c->lines.in, LINE_KEEP);
  conn_wait(c, UV_READABLE);
}

/* `polled`: called from the client's own readiness (not its first turn after accept). */
static void conn_read(conn_t* c, int polled) {
  if (c->e->rules != NULL) lines_pump(c);
  else echo_read(c, polled);
}

static void on_conn_poll(uv_poll_t* handle, int status, int events) {
  conn_t* c = (conn_t*)handle->data;
  engine_t* e = c->e;
  enter(e);
  if (status < 0) {
    /* libuv turns POLLERR into UV_EBADF; the socket's own error says what happened (a
     * reset peer: ECONNRESET or EPIPE, as the JS path reports it). */
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err == 0) err = -status;
    conn_fail(c, err, conn_pending(c) ? SYS_WRITE : SYS_READ);
  } else if (conn_pending(c)) {
    if (events & UV_WRITABLE) {
      int r = conn_flush(c);
      if (r > 0) conn_read(c, 0); /* drained: answer or read again (EOF is found there) */
    }
  } else if (events & (UV_READABLE | UV_DISCONNECT)) {
    e->turns++;
    conn_read(c, 1);
  }
  flush(e);
  leave(e);
}

/* A client's turn: its `accepted` event, then echo at once (its bytes and FIN are often
 * already there, and then the connection never needs a poll of its own). */
static void serve(engine_t* e, conn_t* c) {
  c->state = CONN_ACTIVE;
  c->next = e->active_head;
  if (e->active_head) e->active_head->prev = c;
  e->active_head = c;
  e->active++;
  double* r = record(e, EV_ACCEPTED, c->id, 0, 0);
  r[2] = peer_slot(e, c);
  e->turns++;
  conn_read(c, 0);
}

/* Serve waiting clients while there is room. Not reentrant: a client served here that
 * finishes at once calls back into it, and the outer loop goes on instead. */
static void serve_next(engine_t* e) {
  if (e->serving_next || e->closed) return;
  e->serving_next = 1;
  while (e->active < e->limit && e->wait_head != NULL) {
    conn_t* c = e->wait_head;
    unlink_conn(e, c);
    serve(e, c);
  }
  e->serving_next = 0;
}

/* A newly accepted client. */
static void take(engine_t* e, int fd, const void* peer, socklen_t peer_len) {
  conn_t* c = calloc(1, sizeof(*c));
  if (c == NULL) {
    close(fd);
    record(e, EV_ACCEPT_ERROR, 0, -ENOMEM, SYS_ACCEPT);
    return;
  }
  c->e = e;
  c->fd = fd;
  c->id = e->next_id++;
  if (peer != NULL && peer_len <= sizeof(c->peer)) memcpy(&c->peer, peer, peer_len);
  if (e->active < e->limit && e->wait_head == NULL) {
    serve(e, c);
    return;
  }
  c->state = CONN_WAITING;
  if (e->wait_tail) e->wait_tail->next = c;
  else e->wait_head = c;
  e->wait_tail = c;
  e->waiting++;
  double* r = record(e, EV_QUEUED, c->id, e->waiting, 0);
  r[3] = peer_slot(e, c);
}

/* ---- listeners ---- */

static void on_listen_poll(uv_poll_t* handle, int status, int events) {
  (void)events;
  listener_t* l = (listener_t*)handle->data;
  engine_t* e = l->e;
  enter(e);
  if (status < 0) {
    /* libuv has stopped this poll: report, stop polling every listener (update_accepting,
     * since `accepting` is still set) and re-arm after a moment. */
    record(e, EV_ACCEPT_ERROR, 0, status, SYS_ACCEPT);
    e->backoff = 1;
    update_accepting(e);
    flush(e);
    leave(e);
    return;
  }
  accept_ready(l);
  update_accepting(e);
  flush(e);
  leave(e);
}

/* Accept what the listener holds (a turn's worth at most). */
static void accept_ready(listener_t* l) {
  engine_t* e = l->e;
  for (int i = 0; i < ACCEPTS_PER_TURN && e->accepting; i++) {
    union {
      struct sockaddr_in v4;
      struct sockaddr_in6 v6;
    } peer;
    socklen_t len = sizeof(peer);
    int fd = accept4(l->fd, e->inet ? (struct sockaddr*)&peer : NULL, e->inet ? &len : NULL,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      /* That client left, or (accept(2), Linux) a network error pending on it: the next. */
      if (err == EINTR || err == ECONNABORTED || err == EPROTO || err == ENETDOWN || err == ENOPROTOOPT ||
          err == EHOSTDOWN || err == ENONET || err == EHOSTUNREACH || err == EOPNOTSUPP || err == ENETUNREACH)
        continue;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      record(e, EV_ACCEPT_ERROR, 0, -err, SYS_ACCEPT);
      /* Out of descriptors or memory: stop polling (level-triggered, it would spin) until a
       * connection closes or a moment passes; the clients wait in the kernel queue. */
      e->backoff = 1;
      break;
    }
    take(e, fd, &peer, len);
    update_accepting(e);
  }
}

/* Polling on's set: the clients waiting for input (not those with output held, or refused
 * ones lingering; at most POLL_ON_MAX_FDS), their count in *nconns, then the listeners while
 * accepting. Returns the number of entries. */
static int poll_set(engine_t* e, struct pollfd* fds, conn_t** who, int* nconns) {
  int n = 0;
  for (conn_t* c = e->active_head; c != NULL && n < POLL_ON_MAX_FDS; c = c->next) {
    if (!c->polled || c->armed != UV_READABLE || conn_pending(c) || c->refused) continue;
    fds[n].fd = c->fd;
    fds[n].events = POLLIN;
    fds[n].revents = 0;
    who[n++] = c;
  }
  *nconns = n;
  if (e->accepting) {
    for (int i = 0; i < e->nlisteners; i++) {
      fds[n].fd = e->listeners[i].fd;
      fds[n].events = POLLIN;
      fds[n].revents = 0;
      n++;
    }
  }
  return n;
}

/*
 * Polling on. On this kind of VM a process that sleeps in epoll_wait pays ~13 us to be woken
 * by its peer, against ~1 us when it is still running. A request/response load with a few
 * connections (rr-1k) keeps both sides half idle: the engine answers every request of a
 * wake-up faster than the client sends the next ones, sleeps, and each refill wakes it. After
 * a busy loop turn (two client turns or more) the engine polls its clients (and listeners)
 * with poll(2), timeout 0, for up to poll_on_ns, and serves what comes through the usual
 * paths; the window starts again after each poll that served something. A single client's
 * wake-up (ping-1, conn-seq, the pipelined rows) never polls on; an empty window backs off.
 * A client libuv already has an event for is read again from that event and finds EAGAIN.
 */
static void on_check(uv_check_t* handle) {
  engine_t* e = (engine_t*)handle->data;
  int turns = e->turns;
  e->turns = 0;
  if (turns < POLL_ON_MIN_TURNS || e->poll_on_ns == 0 || e->closed || e->active == 0 || e->active > POLL_ON_MAX_FDS) return;
  if (e->poll_skip > 0) {
    e->poll_skip--;
    return;
  }
  struct pollfd fds[POLL_ON_MAX_FDS + MAX_LISTENERS];
  conn_t* who[POLL_ON_MAX_FDS];
  int hits = 0, served = 0, nconns;
  enter(e);
  /* The set changes only when something was served: built again only then. */
  int n = poll_set(e, fds, who, &nconns);
  uint64_t until = uv_hrtime() + e->poll_on_ns;
  while (nconns > 0 && !e->closed && !e->close_pending && hits < POLL_ON_MAX_HITS) {
    int r = poll(fds, (nfds_t)n, 0);
    if (r > 0) {
      hits++;
      /* Serving one client never releases another (only itself), so `who` stays valid. */
      for (int i = 0; i < nconns; i++)
        if (fds[i].revents != 0) conn_read(who[i], 1);
      for (int i = nconns; i < n && e->accepting && !e->closed; i++)
        if (fds[i].revents != 0) accept_ready(&e->listeners[i - nconns]);
      update_accepting(e);
      served = 1;
      until = uv_hrtime() + e->poll_on_ns;
      n = poll_set(e, fds, who, &nconns);
      continue;
    }
    if (r < 0 && errno != EINTR) break;
    if (uv_hrtime() >= until) break;
  }
  if (served) {
    e->poll_hits += hits;
    e->poll_backoff = 0;
  } else {
    e->poll_misses++;
    e->poll_backoff = e->poll_backoff == 0 ? 1 : e->poll_backoff * 2;
    if (e->poll_backoff > POLL_ON_MAX_SKIP) e->poll_backoff = POLL_ON_MAX_SKIP;
    e->poll_skip = e->poll_backoff;
  }
  flush(e);
  leave(e);
}

static void on_retry(uv_timer_t* timer) {
  engine_t* e = (engine_t*)timer->data;
  enter(e);
  e->backoff = 0;
  update_accepting(e);
  leave(e);
}

/* Poll the listeners while there is room; at the limit the kernel queue holds newcomers. */
static void update_accepting(engine_t* e) {
  int want = !e->closed && !e->stopped_accepting && !e->backoff &&
             e->active + e->waiting < e->accept_limit;
  if (e->backoff && !e->closed && !uv_is_active((uv_handle_t*)&e->retry))
    uv_timer_start(&e->retry, on_retry, ACCEPT_RETRY_MS, 0);
  if (want == e->accepting) return;
  e->accepting = want;
  for (int i = 0; i < e->nlisteners; i++) {
    if (want) uv_poll_start(&e->listeners[i].poll, UV_READABLE, on_listen_poll);
    else uv_poll_stop(&e->listeners[i].poll);
  }
}

/* ---- lifetime ---- */

static void engine_free_if_done(engine_t* e) {
  if (e->handles > 0 || !e->external_gone) return;
  line_rules_free(e->rules);
  free(e);
}

static void on_handle_closed(engine_t* e) {
  if (--e->handles > 0) return;
  instance_t* inst = e->inst;
  if (!inst->tearing_down && !inst->finalized) {
    napi_delete_reference(e->env, e->callback);
    napi_delete_reference(e->env, e->records_ref);
    napi_delete_reference(e->env, e->peers_ref);
    napi_async_destroy(e->env, e->async_ctx);
  }
  instance_untrack(inst, &e->node);
  engine_free_if_done(e);
}

static void on_listener_closed(uv_handle_t* handle) {
  on_handle_closed(((listener_t*)handle->data)->e);
}

static void on_timer_closed(uv_handle_t* handle) {
  on_handle_closed((engine_t*)handle->data);
}

static void stop_listeners(engine_t* e) {
  for (int i = 0; i < e->nlisteners; i++) {
    listener_t* l = &e->listeners[i];
    uv_poll_stop(&l->poll);
    close(l->fd);
    uv_close((uv_handle_t*)&l->poll, on_listener_closed);
  }
  e->nlisteners = 0;
  e->accepting = 0;
}

/* Close everything: active clients get their `closed` event, waiting ones just go. */
static void engine_close(engine_t* e) {
  if (e->closed) return;
  e->closed = 1;
  stop_listeners(e);
  uv_close((uv_handle_t*)&e->retry, on_timer_closed);
  uv_close((uv_handle_t*)&e->check, on_timer_closed);
  while (e->wait_head != NULL) conn_release(e->wait_head, 0);
  while (e->active_head != NULL) conn_release(e->active_head, 1);
  record(e, EV_ENGINE_CLOSED, 0, 0, 0); /* JavaScript's close() resolves on it */
  flush(e);
}

static void engine_close_tracked(tracked_t* node) {
  engine_close((engine_t*)node);
}

static void on_external_gc(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  engine_t* e = (engine_t*)data;
  e->external_gone = 1; /* from here flush() calls no JavaScript */
  if (e->depth > 0) {
    e->close_pending = 1; /* inside a callback: it closes as it ends (handles keep e alive) */
    return;
  }
  engine_close(e);
  engine_free_if_done(e);
}

/* ---- exports ---- */

static int arg_engine(napi_env env, napi_value value, engine_t** out) {
  return arg_external(env, value, "stream echo engine", (void**)out);
}

/* streamEchoCreate(callback(count), records: Float64Array, peers: Buffer, inet, limit,
 * acceptLimit, rules?: Buffer, pollOnMicros?: number) -> engine external, or -errno.
 * records holds capacity*4 numbers and peers capacity*48 bytes. With `rules` (encoded line
 * rules, see line_rules.c) the engine serves that line service instead of echo; malformed:
 * -EINVAL. pollOnMicros: polling on's window (see on_check; default POLL_ON_US, 0: never,
 * at most 1 s). */
static napi_value js_create(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "missing arguments");
    return NULL;
  }
  napi_valuetype type;
  bool is_typed = false, inet = false;
  napi_typedarray_type ttype;
  size_t nrecords = 0, npeers = 0;
  void *records = NULL, *peers = NULL;
  int32_t limit, accept_limit;
  NAPI_CALL(env, napi_typeof(env, argv[0], &type));
  if (type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a callback");
    return NULL;
  }
  NAPI_CALL(env, napi_is_typedarray(env, argv[1], &is_typed));
  if (is_typed) NAPI_CALL(env, napi_get_typedarray_info(env, argv[1], &ttype, &nrecords, &records, NULL, NULL));
  if (!is_typed || ttype != napi_float64_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a Float64Array");
    return NULL;
  }
  if (!arg_buffer(env, argv[2], &peers, &npeers)) return NULL;
  NAPI_CALL(env, napi_get_value_bool(env, argv[3], &inet));
  if (!arg_int(env, argv[4], &limit) || !arg_int(env, argv[5], &accept_limit)) return NULL;
  size_t capacity = nrecords / RECORD_FIELDS;
  if (npeers / PEER_SLOT < capacity) capacity = npeers / PEER_SLOT;
  if (capacity == 0 || limit < 1 || accept_limit < limit) return make_int(env, -EINVAL);
  line_rules_t* rules = NULL;
  if (argc > 6) {
    NAPI_CALL(env, napi_typeof(env, argv[6], &type));
    if (type != napi_undefined && type != napi_null) {
      void* spec;
      size_t spec_len;
      if (!arg_buffer(env, argv[6], &spec, &spec_len)) return NULL;
      rules = line_rules_parse(spec, spec_len);
      if (rules == NULL) return make_int(env, -EINVAL);
    }
  }
  int32_t poll_on_us = POLL_ON_US;
  if (argc > 7) {
    NAPI_CALL(env, napi_typeof(env, argv[7], &type));
    if (type != napi_undefined) {
      if (!arg_int(env, argv[7], &poll_on_us)) {
        line_rules_free(rules);
        return NULL;
      }
      if (poll_on_us < 0 || poll_on_us > 1000000) {
        line_rules_free(rules);
        return make_int(env, -EINVAL);
      }
    }
  }
  instance_t* inst = instance_of(env);
  if (inst == NULL || inst->tearing_down) {
    line_rules_free(rules);
    return make_int(env, -ECANCELED);
  }
  engine_t* e = calloc(1, sizeof(*e));
  if (e == NULL) {
    line_rules_free(rules);
    return make_int(env, -ENOMEM);
  }
  e->rules = rules;
  e->poll_on_ns = (uint64_t)poll_on_us * 1000;
  e->inst = inst;
  e->env = env;
  e->node.close = engine_close_tracked;
  e->records = (double*)records;
  e->peers = (char*)peers;
  e->capacity = capacity;
  e->inet = inet;
  e->limit = limit;
  e->accept_limit = accept_limit;
  e->next_id = 1;
  uv_timer_init(inst->loop, &e->retry);
  e->retry.data = e;
  uv_check_init(inst->loop, &e->check);
  e->check.data = e;
  uv_check_start(&e->check, on_check);
  uv_unref((uv_handle_t*)&e->check); /* keeps nothing alive: the listeners and clients do */
  e->handles = 2;
  instance_track(inst, &e->node);
  napi_value name, external;
  if (napi_create_reference(env, argv[0], 1, &e->callback) != napi_ok ||
      napi_create_reference(env, argv[1], 1, &e->records_ref) != napi_ok ||
      napi_create_reference(env, argv[2], 1, &e->peers_ref) != napi_ok ||
      napi_create_string_utf8(env, "socklab:stream-echo", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &e->async_ctx) != napi_ok ||
      napi_create_external(env, e, on_external_gc, NULL, &external) != napi_ok) {
    /* Rare (out of memory): undone through the usual close path. */
    e->external_gone = 1;
    e->closed = 1;
    uv_close((uv_handle_t*)&e->retry, on_timer_closed);
    uv_close((uv_handle_t*)&e->check, on_timer_closed);
    napi_throw_error(env, "ERR_SOCKLAB_NATIVE", "cannot create the stream echo engine");
    return NULL;
  }
  return external;
}

/* streamEchoListen(engine, fd) -> 0 or -errno: accept on this listening descriptor (the
 * engine owns it from now on, also on failure). */
static napi_value js_listen(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  engine_t* e;
  int32_t fd;
  if (!arg_engine(env, argv[0], &e) || !arg_int(env, argv[1], &fd)) return NULL;
  if (e->closed || e->nlisteners == MAX_LISTENERS) {
    close(fd);
    return make_int(env, e->closed ? -EBADF : -ENOSPC);
  }
  if (e->inet) {
    /* As the JS server sets noDelay on every client: set on the listener, accepted sockets
     * inherit it (one setsockopt per server, not per connection). */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  listener_t* l = &e->listeners[e->nlisteners];
  int r = uv_poll_init(e->inst->loop, &l->poll, fd);
  if (r < 0) {
    close(fd);
    return make_int(env, r);
  }
  l->poll.data = l;
  l->e = e;
  l->fd = fd;
  e->nlisteners++;
  e->handles++;
  if (e->accepting) uv_poll_start(&l->poll, UV_READABLE, on_listen_poll);
  else update_accepting(e);
  return make_int(env, 0);
}

/* streamEchoStopAccepting(engine): close the listeners; clients go on. */
static napi_value js_stop_accepting(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  engine_t* e;
  if (!arg_engine(env, argv[0], &e)) return NULL;
  e->stopped_accepting = 1;
  if (!e->closed) stop_listeners(e);
  return make_int(env, 0);
}

/* streamEchoClose(engine) -> 0 when closed now, 1 when asked from inside one of the
 * engine's callbacks (JavaScript handling its events): then it closes as that callback
 * ends. Either way the `closed` events, then an engine-closed record, come in a callback.
 * Idempotent. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  engine_t* e;
  if (!arg_engine(env, argv[0], &e)) return NULL;
  if (e->depth > 0 && !e->closed) {
    e->close_pending = 1;
    return make_int(env, 1);
  }
  engine_close(e);
  return make_int(env, 0);
}

/* streamEchoStats(engine, out: Float64Array(7)): active, waiting, bytes held unsent, the
 * buffer memory the clients hold (output and line input, allocated sizes), the read(2)
 * calls made on clients so far, and polling on's polls that served something and windows
 * that found nothing. */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  engine_t* e;
  bool is_typed = false;
  napi_typedarray_type ttype;
  size_t n = 0;
  void* out = NULL;
  if (!arg_engine(env, argv[0], &e)) return NULL;
  NAPI_CALL(env, napi_is_typedarray(env, argv[1], &is_typed));
  if (is_typed) NAPI_CALL(env, napi_get_typedarray_info(env, argv[1], &ttype, &n, &out, NULL, NULL));
  if (!is_typed || ttype != napi_float64_array || n < 7) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a Float64Array of 7");
    return NULL;
  }
  double buffered = 0, memory = 0;
  for (int list = 0; list < 2; list++) {
    for (conn_t* c = list == 0 ? e->active_head : e->wait_head; c != NULL; c = c->next) {
      buffered += (double)(c->out.len - c->out.off);
      memory += (double)(c->out.cap + c->lines.in.cap);
    }
  }
  double* o = (double*)out;
  o[0] = e->active;
  o[1] = e->waiting;
  o[2] = buffered;
  o[3] = memory;
  o[4] = e->reads;
  o[5] = e->poll_hits;
  o[6] = e->poll_misses;
  return make_int(env, 0);
}

napi_status register_stream_echo(napi_env env, napi_value exports) {
  napi_status s;
  if ((s = export_fn(env, exports, "streamEchoCreate", js_create)) != napi_ok) return s;
  if ((s = export_fn(env, exports, "streamEchoListen", js_listen)) != napi_ok) return s;
  if ((s = export_fn(env, exports, "streamEchoStopAccepting", js_stop_accepting)) != napi_ok) return s;
  if ((s = export_fn(env, exports, "streamEchoClose", js_close)) != napi_ok) return s;
  if ((s = export_fn(env, exports, "streamEchoStats", js_stats)) != napi_ok) return s;
  return register_line_rules(env, exports);
}
