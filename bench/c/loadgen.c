/*
 * socklab bench load generator: one thread, epoll, non-blocking sockets.
 *
 * It drives one server for a sequence of timed phases (the first is the warm-up)
 * and prints one JSON line per phase on stdout, flushed at the phase boundary, so
 * the bench can sample the server's CPU time exactly there.  It reports its own
 * CPU use (getrusage) so a row where the generator is the limit can be flagged.
 *
 * Safety: only the address it is given (the bench passes loopback or a Unix path),
 * every phase bounded in time and in operation count, and alarm() kills the process
 * if it ever overruns the sum of its phases by more than 10 s.
 *
 * Modes:
 *   stream    bulk echo: write 64 KiB blocks, at most --window bytes unanswered; op = byte
 *   rr        request/response: --size bytes out, the same count back, per connection
 *   lines     --line TEXT repeated, --depth lines outstanding; op = one '\n' received
 *   udp       datagrams of --size bytes, --depth in flight (udp:// or unix-dgram:); op = one reply
 *   ping      blocking, one request at a time: write --line, read until its '\n', repeat
 *             (no epoll: the cheapest possible client, so the server's latency shows)
 *   conn      sequential: connect, send 1 byte, shut down writing, read to EOF, close
 *   fd        SCM_RIGHTS: connect to a Unix stream server, receive "FD" plus one descriptor,
 *             close both; op = one descriptor received
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define GEN_NAME "loadgen"
#include "gen-common.h"

#define MAX_CONNS 64
#define MAX_PHASES 16
#define RBUF (256 * 1024)
#define PATTERN (1024 * 1024)

static const char *mode = "stream";
static char addr_s[512];
static int conns = 1;
static long size = 1024;
static long depth = 1;
static long window = 1024 * 1024;
static long long max_ops = 1000000000000LL;
static const char *line = "PING\n";
static double phases[MAX_PHASES];
static int nphases = 0;

static struct sockaddr_storage sa;
static socklen_t salen;
static int family, socktype;

static char *pattern;
static size_t patlen;
static char rbuf[RBUF];

static void parse_addr(const char *a) {
  memset(&sa, 0, sizeof sa);
  if (strncmp(a, "tcp://", 6) == 0 || strncmp(a, "udp://", 6) == 0) {
    socktype = a[0] == 't' ? SOCK_STREAM : SOCK_DGRAM;
    const char *hp = a + 6;
    char host[256];
    const char *colon = strrchr(hp, ':');
    if (!colon) { fprintf(stderr, "loadgen: bad address %s\n", a); exit(2); }
    int port = atoi(colon + 1);
    if (hp[0] == '[') {
      size_t n = (size_t)(colon - hp) - 2;
      if (n >= sizeof host) exit(2);
      memcpy(host, hp + 1, n); host[n] = 0;
      struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;
      s6->sin6_family = AF_INET6; s6->sin6_port = htons(port);
      if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) { fprintf(stderr, "loadgen: bad host\n"); exit(2); }
      family = AF_INET6; salen = sizeof *s6;
    } else {
      size_t n = (size_t)(colon - hp);
      if (n >= sizeof host) exit(2);
      memcpy(host, hp, n); host[n] = 0;
      struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;
      s4->sin_family = AF_INET; s4->sin_port = htons(port);
      if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) { fprintf(stderr, "loadgen: bad host\n"); exit(2); }
      family = AF_INET; salen = sizeof *s4;
    }
    /* Hard rule: loopback only. */
    if (family == AF_INET && (ntohl(((struct sockaddr_in *)&sa)->sin_addr.s_addr) >> 24) != 127) {
      fprintf(stderr, "loadgen: refusing non-loopback address %s\n", a); exit(2);
    }
    if (family == AF_INET6 && !IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&sa)->sin6_addr)) {
      fprintf(stderr, "loadgen: refusing non-loopback address %s\n", a); exit(2);
    }
  } else if (strncmp(a, "unix:", 5) == 0 || strncmp(a, "unix-dgram:", 11) == 0) {
    int dg = a[4] == '-';
    const char *path = a + (dg ? 11 : 5);
    struct sockaddr_un *su = (struct sockaddr_un *)&sa;
    su->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof su->sun_path) { fprintf(stderr, "loadgen: path too long\n"); exit(2); }
    strcpy(su->sun_path, path);
    family = AF_UNIX; socktype = dg ? SOCK_DGRAM : SOCK_STREAM; salen = sizeof *su;
  } else {
    fprintf(stderr, "loadgen: unsupported address %s\n", a); exit(2);
  }
}

static int open_conn(int nonblock) {
  int fd = socket(family, socktype | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  if (family == AF_UNIX && socktype == SOCK_DGRAM) {
    /* A Unix datagram client needs an address of its own for the replies: autobind. */
    struct sockaddr_un me = { .sun_family = AF_UNIX };
    if (bind(fd, (struct sockaddr *)&me, sizeof(sa_family_t)) < 0) die("bind");
  }
  if (connect(fd, (struct sockaddr *)&sa, salen) < 0) die("connect");
  if (family != AF_UNIX && socktype == SOCK_STREAM) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  if (nonblock) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

/* ---- phase bookkeeping ---- */
typedef struct {
  double t0, cpu0;
  long long ops, bytes, lost;
  float *lat; size_t nlat, caplat;
} phase_t;

static phase_t ph;
static int cur_phase = 0;
static double phase_end;

static void phase_start(void) {
  ph.t0 = now(); ph.cpu0 = cpu_self();
  ph.ops = ph.bytes = ph.lost = 0; ph.nlat = 0;
  phase_end = ph.t0 + phases[cur_phase];
}

static int cmpf(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return x < y ? -1 : x > y;
}

/* Returns 1 when every phase is done. */
static int phase_check(double t) {
  if (t < phase_end && ph.ops < max_ops) return 0;
  double secs = t - ph.t0, cpu = cpu_self() - ph.cpu0;
  double p50 = 0, p99 = 0;
  if (ph.nlat > 0) {
    qsort(ph.lat, ph.nlat, sizeof(float), cmpf);
    p50 = ph.lat[(size_t)(ph.nlat * 0.50)];
    p99 = ph.lat[(size_t)(ph.nlat * 0.99) < ph.nlat ? (size_t)(ph.nlat * 0.99) : ph.nlat - 1];
  }
  printf("{\"phase\":%d,\"secs\":%.6f,\"ops\":%lld,\"bytes\":%lld,\"lost\":%lld,"
         "\"cpu\":%.6f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"lat_samples\":%zu}\n",
         cur_phase, secs, ph.ops, ph.bytes, ph.lost, cpu, p50, p99, ph.nlat);
  fflush(stdout);
  if (++cur_phase >= nphases) return 1;
  phase_start();
  return 0;
}

static void lat_add(double us) {
  if (ph.nlat < ph.caplat) ph.lat[ph.nlat++] = (float)us;
}

/* ---- stream-style modes (stream, rr, lines) ---- */
typedef struct {
  int fd;
  long long sent, recvd;     /* totals on this connection */
  long long to_send;         /* bytes queued but not yet written */
  long long rr_got;          /* rr: bytes of the current reply */
  double t_req;              /* lines depth 1 / rr: when the current request started */
  int want_out;
} conn_t;

static conn_t cs[MAX_CONNS];
static int ep;

static void set_out(conn_t *c, int on) {
  if (c->want_out == on) return;
  struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };
  if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl");
  c->want_out = on;
}

static void do_write(conn_t *c, int is_stream) {
  for (;;) {
    long long n = c->to_send;
    if (is_stream) {
      long long room = window - (c->sent - c->recvd);
      n = room > 65536 ? 65536 : room;
    }
    if (n <= 0) break;
    size_t off = (size_t)(c->sent % (long long)patlen);
    size_t chunk = patlen - off;
    if ((long long)chunk > n) chunk = (size_t)n;
    ssize_t w = write(c->fd, pattern + off, chunk);
    if (w < 0) {
      if (errno == EAGAIN) { set_out(c, 1); return; }
      if (errno == EINTR) continue;
      die("write");
    }
    c->sent += w;
    if (!is_stream) c->to_send -= w;
  }
  set_out(c, 0);
}

/* Ends politely so sequential servers (and the guides' Python ones, which die on a
 * reset) see a clean EOF: shut down writing, read what is still coming back until the
 * server closes, for at most 2 s. */
static void drain_and_close(void) {
  int open_n = 0;
  for (int i = 0; i < conns; i++) {
    shutdown(cs[i].fd, SHUT_WR);
    set_out(&cs[i], 0);
    open_n++;
  }
  double until = now() + 2.0;
  struct epoll_event evs[MAX_CONNS];
  while (open_n > 0 && now() < until) {
    int n = epoll_wait(ep, evs, MAX_CONNS, 50);
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      ssize_t r = read(c->fd, rbuf, RBUF);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
        open_n--;
      }
    }
  }
  for (int i = 0; i < conns; i++) if (cs[i].fd >= 0) close(cs[i].fd);
}

static int run_stream_modes(void) {
  int m_stream = strcmp(mode, "stream") == 0, m_rr = strcmp(mode, "rr") == 0;
  size_t linelen = strlen(line);
  ep = epoll_create1(EPOLL_CLOEXEC);
  for (int i = 0; i < conns; i++) {
    conn_t *c = &cs[i];
    memset(c, 0, sizeof *c);
    c->fd = open_conn(1);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl");
  }
  if (!m_stream && !m_rr) {
    /* Build a pattern that is a whole number of lines so any offset stays aligned. */
    size_t reps = PATTERN / linelen;
    patlen = reps * linelen;
    for (size_t i = 0; i < reps; i++) memcpy(pattern + i * linelen, line, linelen);
  }
  phase_start();
  double t = ph.t0;
  for (int i = 0; i < conns; i++) {
    conn_t *c = &cs[i];
    c->to_send = m_stream ? 0 : m_rr ? size : (long long)depth * (long long)linelen;
    c->t_req = t;
    do_write(c, m_stream);
  }
  struct epoll_event evs[MAX_CONNS];
  for (;;) {
    int n = epoll_wait(ep, evs, MAX_CONNS, 5);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    t = now();
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t r = read(c->fd, rbuf, RBUF);
        if (r == 0) { fprintf(stderr, "loadgen: server closed the connection\n"); return 1; }
        if (r < 0) {
          if (errno != EAGAIN && errno != EINTR) die("read");
        } else {
          c->recvd += r;
          ph.bytes += r;
          if (m_stream) {
            ph.ops += r;
          } else if (m_rr) {
            c->rr_got += r;
            while (c->rr_got >= size) {
              c->rr_got -= size;
              ph.ops++;
              lat_add((t - c->t_req) * 1e6);
              c->t_req = t;
              c->to_send += size;
            }
          } else {
            long k = 0;
            const char *p = rbuf, *e = rbuf + r;
            while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) { k++; p++; }
            if (k > 0) {
              ph.ops += k;
              if (depth == 1) { lat_add((t - c->t_req) * 1e6); c->t_req = t; }
              c->to_send += (long long)k * (long long)linelen;
            }
          }
        }
      }
      do_write(c, m_stream);
    }
    if (phase_check(t)) break;
  }
  drain_and_close();
  return 0;
}

/* ---- UDP: --depth datagrams in flight on one connected socket ---- */
static int run_udp(void) {
  int fd = open_conn(1);
  int buf = 4 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  phase_start();
  long inflight = 0;
  double last_rx = now(), t_sent = last_rx;
  for (;;) {
    while (inflight < depth) {
      /* Timestamp before send(): on one core the reply can arrive before send() returns. */
      double t_before = now();
      ssize_t w = send(fd, pattern, (size_t)size, 0);
      if (w < 0) {
        if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR) break;
        if (errno == ECONNREFUSED) { fprintf(stderr, "loadgen: udp peer refused\n"); return 1; }
        die("send");
      }
      inflight++;
      t_sent = t_before;
    }
    struct epoll_event evs[1];
    int n = epoll_wait(ep, evs, 1, 5);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    double t = now();
    for (;;) {
      ssize_t r = recv(fd, rbuf, RBUF, MSG_DONTWAIT);
      if (r < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        if (errno == ECONNREFUSED) { fprintf(stderr, "loadgen: udp peer refused\n"); return 1; }
        die("recv");
      }
      ph.ops++;
      ph.bytes += r;
      if (depth == 1) lat_add((t - t_sent) * 1e6);
      if (inflight > 0) inflight--;
      last_rx = t;
    }
    /* Datagrams can be dropped: after 50 ms of silence count what is in flight as lost. */
    if (inflight > 0 && t - last_rx > 0.05 && t - t_sent > 0.05) {
      ph.lost += inflight;
      inflight = 0;
      last_rx = t;
    }
    if (phase_check(t)) break;
  }
  /* Collect the replies still in flight (at most 200 ms) before closing: a Unix datagram
   * server answering an address that is gone gets an error, and the guides' Python
   * server dies of it. */
  double until = now() + 0.2;
  while (inflight > 0 && now() < until) {
    struct epoll_event evs[1];
    if (epoll_wait(ep, evs, 1, 20) > 0) {
      while (recv(fd, rbuf, RBUF, MSG_DONTWAIT) >= 0) if (inflight > 0) inflight--;
    }
  }
  close(fd);
  return 0;
}

/* ---- one request at a time, blocking: write the line, read until its '\n' ---- */
static int run_ping(void) {
  int fd = open_conn(0);
  struct timeval tv = { .tv_sec = 2, .tv_usec = 0 };
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  size_t linelen = strlen(line);
  phase_start();
  for (;;) {
    double t0 = now();
    if (write(fd, line, linelen) != (ssize_t)linelen) die("write");
    for (;;) {
      ssize_t r = read(fd, rbuf, RBUF);
      if (r == 0) { fprintf(stderr, "loadgen: server closed the connection\n"); return 1; }
      if (r < 0) { if (errno == EINTR) continue; die("read"); }
      ph.bytes += r;
      if (memchr(rbuf, '\n', (size_t)r) != NULL) break;
    }
    double t = now();
    ph.ops++;
    lat_add((t - t0) * 1e6);
    if (phase_check(t)) break;
  }
  shutdown(fd, SHUT_WR);
  while (read(fd, rbuf, RBUF) > 0) {}
  close(fd);
  return 0;
}

/* ---- sequential connections ---- */
static int run_conn(void) {
  phase_start();
  struct timeval tv = { .tv_sec = 2, .tv_usec = 0 };
  for (;;) {
    double t0 = now();
    int fd = open_conn(0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (write(fd, "x", 1) != 1) die("write");
    shutdown(fd, SHUT_WR);
    long got = 0;
    for (;;) {
      ssize_t r = read(fd, rbuf, RBUF);
      if (r == 0) break;
      if (r < 0) { if (errno == EINTR) continue; die("read"); }
      got += r;
    }
    close(fd);
    double t = now();
    if (got != 1) { fprintf(stderr, "loadgen: expected 1 byte back, got %ld\n", got); return 1; }
    ph.ops++;
    ph.bytes += got;
    lat_add((t - t0) * 1e6);
    if (phase_check(t)) break;
  }
  return 0;
}

/* ---- SCM_RIGHTS: connect, receive "FD" with one descriptor, close both ---- */
static int run_fd(void) {
  phase_start();
  struct timeval tv = { .tv_sec = 2, .tv_usec = 0 };
  for (;;) {
    double t0 = now();
    int fd = open_conn(0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char data[64];
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * 4)]; } ctl;
    struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
    ssize_t r;
    do r = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC); while (r < 0 && errno == EINTR);
    if (r < 0) die("recvmsg");
    int got = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < n; i++) { int passed; memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int)); close(passed); got++; }
      }
    }
    if (got != 1 || r < 2 || memcmp(data, "FD", 2) != 0) {
      fprintf(stderr, "loadgen: expected payload FD with one descriptor, got %zd bytes and %d descriptors\n", r, got);
      return 1;
    }
    close(fd);
    double t = now();
    ph.ops++;
    ph.bytes += r;
    lat_add((t - t0) * 1e6);
    if (phase_check(t)) break;
  }
  return 0;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) { fprintf(stderr, "loadgen: %s needs a value\n", a); return 2; }
    if (!strcmp(a, "--mode")) mode = v;
    else if (!strcmp(a, "--addr")) snprintf(addr_s, sizeof addr_s, "%s", v);
    else if (!strcmp(a, "--conns")) conns = atoi(v);
    else if (!strcmp(a, "--size")) size = atol(v);
    else if (!strcmp(a, "--depth")) depth = atol(v);
    else if (!strcmp(a, "--window")) window = atol(v);
    else if (!strcmp(a, "--max-ops")) max_ops = atoll(v);
    else if (!strcmp(a, "--line")) line = v;
    else if (!strcmp(a, "--phases")) {
      char *s = strdup(v), *tok, *save = NULL;
      for (tok = strtok_r(s, ",", &save); tok && nphases < MAX_PHASES; tok = strtok_r(NULL, ",", &save))
        phases[nphases++] = atof(tok);
      free(s);
    } else { fprintf(stderr, "loadgen: unknown option %s\n", a); return 2; }
    i++;
  }
  if (!addr_s[0] || nphases == 0 || conns < 1 || conns > MAX_CONNS || size < 1 || size > PATTERN ||
      depth < 1 || depth > 100000 || strlen(line) == 0 || line[strlen(line) - 1] != '\n') {
    fprintf(stderr, "usage: loadgen --mode M --addr A --phases S,S,... [--conns N --size B --depth D --line TEXT]\n");
    return 2;
  }
  double total = 0;
  for (int i = 0; i < nphases; i++) {
    if (phases[i] <= 0 || phases[i] > 60) { fprintf(stderr, "loadgen: phase length out of range\n"); return 2; }
    total += phases[i];
  }
  alarm((unsigned)total + 10);
  signal(SIGPIPE, SIG_IGN);
  parse_addr(addr_s);
  pattern = malloc(PATTERN);
  for (size_t i = 0; i < PATTERN; i++) pattern[i] = (char)('a' + i % 26);
  patlen = PATTERN;
  ph.caplat = 4 * 1024 * 1024;
  ph.lat = malloc(ph.caplat * sizeof(float));
  if (!pattern || !ph.lat) die("malloc");
  if (!strcmp(mode, "udp")) { if (socktype != SOCK_DGRAM) return 2; return run_udp(); }
  if (socktype != SOCK_STREAM) { fprintf(stderr, "loadgen: mode %s needs a stream address\n", mode); return 2; }
  if (!strcmp(mode, "conn")) return run_conn();
  if (!strcmp(mode, "ping")) return run_ping();
  if (!strcmp(mode, "fd")) return run_fd();
  if (!strcmp(mode, "stream") || !strcmp(mode, "rr") || !strcmp(mode, "lines")) return run_stream_modes();
  fprintf(stderr, "loadgen: unknown mode %s\n", mode);
  return 2;
}
