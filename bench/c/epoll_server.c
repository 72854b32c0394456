/*
 * socklab bench reference server: one thread, epoll, non-blocking, level-triggered.
 * The near-limit reference the other implementations are compared with.
 *
 *   epoll_server SERVICE ADDRESS
 *     SERVICE: echo | cmd | line-echo | fd (B4: "FD" + /etc/hostname's descriptor, Unix stream)
 *     ADDRESS: tcp://127.0.0.1:PORT | tcp://[::1]:PORT | unix:PATH | udp://127.0.0.1:PORT | unix-dgram:PATH
 *
 * Prints "listening ADDRESS" (real port) on stderr like `socklab serve`, then serves
 * until SIGTERM/SIGINT.  Stream services: one read of up to 64 KiB, every reply
 * produced by that read in one write; when the peer does not read, stop reading from
 * it until the backlog drains (bounded memory).  Only loopback addresses are accepted.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define RBUF 65536
#define MAXLINE 65536

enum { S_ECHO, S_CMD, S_LINE_ECHO, S_FD } service;
static int fd_to_share = -1;

typedef struct conn {
  int fd;
  char *out; size_t outlen, outcap, outoff;   /* unsent replies */
  char *in; size_t inlen;                      /* partial line */
  int eof;
} conn_t;

static int ep, lfd, is_udp;
static char unix_path[108];
static volatile sig_atomic_t stop;

static void on_signal(int s) { (void)s; stop = 1; }

static void die(const char *what) {
  fprintf(stderr, "epoll_server: %s: %s\n", what, strerror(errno));
  if (unix_path[0]) unlink(unix_path);
  exit(1);
}

static void out_append(conn_t *c, const char *p, size_t n) {
  if (c->outlen + n > c->outcap) {
    size_t cap = c->outcap ? c->outcap : 4096;
    while (cap < c->outlen + n) cap *= 2;
    c->out = realloc(c->out, cap);
    if (!c->out) die("realloc");
    c->outcap = cap;
  }
  memcpy(c->out + c->outlen, p, n);
  c->outlen += n;
}

static void conn_close(conn_t *c) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c->out); free(c->in); free(c);
}

static void set_events(conn_t *c) {
  int pending = c->outlen > c->outoff;
  struct epoll_event ev = { .events = pending ? EPOLLOUT : EPOLLIN, .data.ptr = c };
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Returns -1 if the connection must be closed. */
static int flush_out(conn_t *c) {
  while (c->outoff < c->outlen) {
    ssize_t w = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
    if (w < 0) {
      if (errno == EAGAIN) return 0;
      if (errno == EINTR) continue;
      return -1;
    }
    c->outoff += (size_t)w;
  }
  c->outoff = c->outlen = 0;
  return 0;
}

static void reply_line(conn_t *c, const char *l, size_t n) {
  if (n > 0 && l[n - 1] == '\r') n--;
  if (service == S_LINE_ECHO) {
    out_append(c, "eco: ", 5); out_append(c, l, n); out_append(c, "\n", 1);
    return;
  }
  while (n > 0 && (*l == ' ' || *l == '\t' || *l == '\r')) { l++; n--; }
  while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r')) n--;
  if (n == 4 && memcmp(l, "PING", 4) == 0) out_append(c, "PONG\n", 5);
  else if (n >= 5 && memcmp(l, "ECHO ", 5) == 0) { out_append(c, l + 5, n - 5); out_append(c, "\n", 1); }
  else out_append(c, "ERR desconocido\n", 16);
}

static void on_readable(conn_t *c) {
  static char buf[RBUF];
  ssize_t r = read(c->fd, buf, sizeof buf);
  if (r < 0) { if (errno == EAGAIN || errno == EINTR) return; conn_close(c); return; }
  if (r == 0) {
    if (service != S_ECHO && c->inlen > 0) reply_line(c, c->in, c->inlen);
    c->inlen = 0;
    c->eof = 1;
  } else if (service == S_ECHO) {
    ssize_t w = write(c->fd, buf, (size_t)r);
    if (w < 0) { if (errno != EAGAIN) { conn_close(c); return; } w = 0; }
    if (w < r) out_append(c, buf + w, (size_t)(r - w));
  } else {
    const char *p = buf, *e = buf + r;
    while (p < e) {
      const char *nl = memchr(p, '\n', (size_t)(e - p));
      if (!nl) {
        size_t n = (size_t)(e - p);
        if (c->inlen + n > MAXLINE) { conn_close(c); return; }
        c->in = realloc(c->in, c->inlen + n);
        memcpy(c->in + c->inlen, p, n); c->inlen += n;
        break;
      }
      if (c->inlen) {
        size_t n = (size_t)(nl - p);
        if (c->inlen + n > MAXLINE) { conn_close(c); return; }
        c->in = realloc(c->in, c->inlen + n);
        memcpy(c->in + c->inlen, p, n); c->inlen += n;
        reply_line(c, c->in, c->inlen);
        c->inlen = 0;
      } else {
        reply_line(c, p, (size_t)(nl - p));
      }
      p = nl + 1;
    }
  }
  if (flush_out(c) < 0) { conn_close(c); return; }
  if (c->eof && c->outoff >= c->outlen) { conn_close(c); return; }
  set_events(c);
}

static void on_writable(conn_t *c) {
  if (flush_out(c) < 0) { conn_close(c); return; }
  if (c->eof && c->outoff >= c->outlen) { conn_close(c); return; }
  set_events(c);
}

static void serve_udp(void) {
  static char buf[65536];
  for (;;) {
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    ssize_t r = recvfrom(lfd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
    if (r < 0) return;
    sendto(lfd, buf, (size_t)r, MSG_DONTWAIT, (struct sockaddr *)&from, fl);
  }
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: epoll_server echo|cmd|line-echo|fd ADDRESS\n"); return 2; }
  if (!strcmp(argv[1], "echo")) service = S_ECHO;
  else if (!strcmp(argv[1], "cmd")) service = S_CMD;
  else if (!strcmp(argv[1], "line-echo")) service = S_LINE_ECHO;
  else if (!strcmp(argv[1], "fd")) {
    service = S_FD;
    fd_to_share = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    if (fd_to_share < 0) die("open /etc/hostname");
  }
  else { fprintf(stderr, "epoll_server: unknown service %s\n", argv[1]); return 2; }
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa_sig = { .sa_handler = on_signal };
  sigaction(SIGTERM, &sa_sig, NULL);
  sigaction(SIGINT, &sa_sig, NULL);

  const char *a = argv[2];
  struct sockaddr_storage ss; socklen_t sl; int fam;
  memset(&ss, 0, sizeof ss);
  if (!strncmp(a, "tcp://", 6) || !strncmp(a, "udp://", 6)) {
    is_udp = a[0] == 'u';
    const char *hp = a + 6, *colon = strrchr(hp, ':');
    if (!colon) return 2;
    char host[64]; int port = atoi(colon + 1);
    if (hp[0] == '[') {
      size_t n = (size_t)(colon - hp) - 2; if (n >= sizeof host) return 2;
      memcpy(host, hp + 1, n); host[n] = 0;
      struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
      s6->sin6_family = fam = AF_INET6; s6->sin6_port = htons(port);
      if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1 || !IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr)) return 2;
      sl = sizeof *s6;
    } else {
      size_t n = (size_t)(colon - hp); if (n >= sizeof host) return 2;
      memcpy(host, hp, n); host[n] = 0;
      struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
      s4->sin_family = fam = AF_INET; s4->sin_port = htons(port);
      if (inet_pton(AF_INET, host, &s4->sin_addr) != 1 || (ntohl(s4->sin_addr.s_addr) >> 24) != 127) return 2;
      sl = sizeof *s4;
    }
  } else if (!strncmp(a, "unix:", 5) || !strncmp(a, "unix-dgram:", 11)) {
    is_udp = a[4] == '-';
    const char *path = a + (is_udp ? 11 : 5);
    struct sockaddr_un *su = (struct sockaddr_un *)&ss;
    if (strlen(path) >= sizeof su->sun_path) return 2;
    su->sun_family = fam = AF_UNIX; strcpy(su->sun_path, path); strcpy(unix_path, path);
    sl = sizeof *su;
  } else { fprintf(stderr, "epoll_server: unsupported address %s\n", a); return 2; }

  lfd = socket(fam, (is_udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0) die("socket");
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(lfd, (struct sockaddr *)&ss, sl) < 0) die("bind");
  if (!is_udp && listen(lfd, 511) < 0) die("listen");
  if (fam == AF_UNIX) {
    fprintf(stderr, "listening %s:%s\n", is_udp ? "unix-dgram" : "unix", unix_path);
  } else {
    char host[64];
    sl = sizeof ss;
    getsockname(lfd, (struct sockaddr *)&ss, &sl);
    int port;
    if (fam == AF_INET6) {
      inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
      port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
      fprintf(stderr, "listening %s://[%s]:%d\n", is_udp ? "udp" : "tcp", host, port);
    } else {
      inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
      port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
      fprintf(stderr, "listening %s://%s:%d\n", is_udp ? "udp" : "tcp", host, port);
    }
  }

  ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  struct epoll_event evs[64];
  while (!stop) {
    int n = epoll_wait(ep, evs, 64, 200);
    if (n < 0) { if (errno == EINTR) continue; die("epoll_wait"); }
    for (int i = 0; i < n; i++) {
      conn_t *c = evs[i].data.ptr;
      if (!c) {
        if (is_udp) { serve_udp(); continue; }
        for (;;) {
          int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) break;
          if (service == S_FD) {
            /* B4: payload "FD" with the descriptor as SCM_RIGHTS ancillary data, then close. */
            union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
            memset(&ctl, 0, sizeof ctl);
            struct iovec iov = { .iov_base = "FD", .iov_len = 2 };
            struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
            struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &fd_to_share, sizeof(int));
            sendmsg(fd, &msg, MSG_NOSIGNAL);
            close(fd);
            continue;
          }
          if (fam != AF_UNIX) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conn_t *nc = calloc(1, sizeof *nc);
          if (!nc) die("calloc");
          nc->fd = fd;
          struct epoll_event cev = { .events = EPOLLIN, .data.ptr = nc };
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
        }
      } else if (evs[i].events & EPOLLOUT) {
        on_writable(c);
      } else {
        on_readable(c);
      }
    }
  }
  if (unix_path[0]) unlink(unix_path);
  return 0;
}
