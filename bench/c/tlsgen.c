/*
 * socklab bench TLS load generator: the tls-stream row's client, the same one for every
 * server (socklab, raw Node `tls`, socat OPENSSL-LISTEN), so the row's ratios compare
 * servers, not clients.
 *
 * One thread, one connection, a non-blocking socket driven by poll() and OpenSSL. After
 * the handshake it checks the server certificate against --pin (sha256: + hex of the DER
 * certificate, what `socklab serve` prints) and refuses any other; then, like loadgen's
 * stream mode, it writes 64 KiB blocks with at most --window bytes unanswered and counts
 * the bytes echoed back (op = byte). One JSON line per phase on stdout, flushed at the
 * phase boundary, in loadgen's format plus the negotiated protocol and cipher.
 *
 * Every server gets the same offer: TLS 1.3 only, one cipher suite (--suite, default
 * TLS_AES_256_GCM_SHA384, what OpenSSL and Node pick first by default).
 *
 * Safety: loopback only; every phase bounded in time and bytes (--max-ops); alarm() ends
 * the process if it overruns the sum of its phases by more than 10 s.
 *
 *   tlsgen --addr tls://127.0.0.1:PORT --pin sha256:HEX --phases S,S,... [--max-ops N]
 *          [--window BYTES] [--mode stream] [--suite NAME]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define GEN_NAME "tlsgen"
#include "gen-common.h"

#define MAX_PHASES 16
#define CHUNK (64 * 1024)
#define RBUF (256 * 1024)

static char addr_s[512];
static char pin[80];
static const char *suite = "TLS_AES_256_GCM_SHA384";
static long long window = 1024 * 1024;
static long long max_ops = 1000000000000LL;
static double phases[MAX_PHASES];
static int nphases = 0;

static char pattern[CHUNK];
static char rbuf[RBUF];

static void die_ssl(const char *what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "unknown error";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  fprintf(stderr, "tlsgen: %s: %s\n", what, buf);
  exit(1);
}

/* tls://A.B.C.D:PORT or tls://[::1]:PORT, loopback only. */
static int open_conn(const char *a, struct sockaddr_storage *sa, socklen_t *salen) {
  if (strncmp(a, "tls://", 6) != 0) { fprintf(stderr, "tlsgen: not a tls:// address: %s\n", a); exit(2); }
  const char *hp = a + 6, *colon = strrchr(hp, ':');
  char host[256];
  if (!colon) { fprintf(stderr, "tlsgen: bad address %s\n", a); exit(2); }
  int port = atoi(colon + 1), family;
  memset(sa, 0, sizeof *sa);
  if (hp[0] == '[') {
    size_t n = (size_t)(colon - hp);
    if (n < 2 || n - 2 >= sizeof host) exit(2);
    memcpy(host, hp + 1, n - 2); host[n - 2] = 0;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
    s6->sin6_family = AF_INET6; s6->sin6_port = htons(port);
    if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1 || !IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr)) {
      fprintf(stderr, "tlsgen: refusing %s (loopback only)\n", a); exit(2);
    }
    family = AF_INET6; *salen = sizeof *s6;
  } else {
    size_t n = (size_t)(colon - hp);
    if (n >= sizeof host) exit(2);
    memcpy(host, hp, n); host[n] = 0;
    struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
    s4->sin_family = AF_INET; s4->sin_port = htons(port);
    if (inet_pton(AF_INET, host, &s4->sin_addr) != 1 || (ntohl(s4->sin_addr.s_addr) >> 24) != 127) {
      fprintf(stderr, "tlsgen: refusing %s (loopback only)\n", a); exit(2);
    }
    family = AF_INET; *salen = sizeof *s4;
  }
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)sa, *salen) < 0) die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* The peer certificate's SHA-256 (of its DER form) must be the pinned one. */
static void check_pin(SSL *ssl) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  X509 *cert = SSL_get1_peer_certificate(ssl);
#else
  X509 *cert = SSL_get_peer_certificate(ssl);
#endif
  if (!cert) { fprintf(stderr, "tlsgen: the server sent no certificate\n"); exit(1); }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!X509_digest(cert, EVP_sha256(), md, &n)) die_ssl("X509_digest");
  X509_free(cert);
  char hex[2 * EVP_MAX_MD_SIZE + 1];
  for (unsigned int i = 0; i < n; i++) sprintf(hex + 2 * i, "%02x", md[i]);
  if (strncasecmp(pin, "sha256:", 7) != 0 || strcasecmp(pin + 7, hex) != 0) {
    fprintf(stderr, "tlsgen: certificate sha256:%s does not match the pin %s\n", hex, pin);
    exit(1);
  }
}

/* ---- phase bookkeeping (as loadgen) ---- */
static struct { double t0, cpu0; long long bytes; } ph;
static int cur_phase = 0;
static double phase_end;
static const char *proto = "?", *cipher = "?";

static void phase_start(void) {
  ph.t0 = now(); ph.cpu0 = cpu_self(); ph.bytes = 0;
  phase_end = ph.t0 + phases[cur_phase];
}

/* Returns 1 when every phase is done. */
static int phase_check(double t) {
  if (t < phase_end && ph.bytes < max_ops) return 0;
  printf("{\"phase\":%d,\"secs\":%.6f,\"ops\":%lld,\"bytes\":%lld,\"lost\":0,"
         "\"cpu\":%.6f,\"p50_us\":0,\"p99_us\":0,\"lat_samples\":0,\"protocol\":\"%s\",\"cipher\":\"%s\"}\n",
         cur_phase, t - ph.t0, ph.bytes, ph.bytes, cpu_self() - ph.cpu0, proto, cipher);
  fflush(stdout);
  if (++cur_phase >= nphases) return 1;
  phase_start();
  return 0;
}

/* close_notify, shut down writing, read what is still coming back until the server
 * closes (at most 2 s): the TLS form of loadgen's polite ending. */
static void drain_and_close(SSL *ssl, int fd) {
  double until = now() + 2.0;
  int sent_notify = 0;
  while (now() < until) {
    if (!sent_notify) {
      int r = SSL_shutdown(ssl);
      if (r >= 0) { sent_notify = 1; shutdown(fd, SHUT_WR); }
      else {
        int e = SSL_get_error(ssl, r);
        if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) break;
      }
    }
    int r = SSL_read(ssl, rbuf, RBUF);
    if (r > 0) continue;
    int e = SSL_get_error(ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) break; /* close_notify, EOF or error */
    struct pollfd p = { .fd = fd, .events = POLLIN | (sent_notify ? 0 : POLLOUT) };
    poll(&p, 1, 50);
  }
  close(fd);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) { fprintf(stderr, "tlsgen: %s needs a value\n", a); return 2; }
    if (!strcmp(a, "--addr")) snprintf(addr_s, sizeof addr_s, "%s", v);
    else if (!strcmp(a, "--pin")) snprintf(pin, sizeof pin, "%s", v);
    else if (!strcmp(a, "--suite")) suite = v;
    else if (!strcmp(a, "--window")) window = atoll(v);
    else if (!strcmp(a, "--max-ops")) max_ops = atoll(v);
    else if (!strcmp(a, "--mode")) {
      if (strcmp(v, "stream") != 0) { fprintf(stderr, "tlsgen: only --mode stream\n"); return 2; }
    } else if (!strcmp(a, "--phases")) {
      char *s = strdup(v), *tok, *save = NULL;
      for (tok = strtok_r(s, ",", &save); tok && nphases < MAX_PHASES; tok = strtok_r(NULL, ",", &save))
        phases[nphases++] = atof(tok);
      free(s);
    } else { fprintf(stderr, "tlsgen: unknown option %s\n", a); return 2; }
    i++;
  }
  if (!addr_s[0] || !pin[0] || nphases == 0 || window < CHUNK || window > 64LL * 1024 * 1024) {
    fprintf(stderr, "usage: tlsgen --addr tls://127.0.0.1:PORT --pin sha256:HEX --phases S,S,... [--max-ops N] [--window BYTES]\n");
    return 2;
  }
  double total = 0;
  for (int i = 0; i < nphases; i++) {
    if (phases[i] <= 0 || phases[i] > 60) { fprintf(stderr, "tlsgen: phase length out of range\n"); return 2; }
    total += phases[i];
  }
  alarm((unsigned)total + 10);
  signal(SIGPIPE, SIG_IGN);
  for (size_t i = 0; i < CHUNK; i++) pattern[i] = (char)('a' + i % 26);

  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) die_ssl("SSL_CTX_new");
  /* Trust comes from the pin, checked right after the handshake. */
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
  if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) || !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION))
    die_ssl("TLS 1.3");
  if (!SSL_CTX_set_ciphersuites(ctx, suite)) die_ssl("--suite");

  struct sockaddr_storage sa;
  socklen_t salen;
  int fd = open_conn(addr_s, &sa, &salen);
  SSL *ssl = SSL_new(ctx);
  if (!ssl || !SSL_set_fd(ssl, fd)) die_ssl("SSL_new");
  SSL_set_tlsext_host_name(ssl, "localhost");
  if (SSL_connect(ssl) != 1) die_ssl("handshake");
  check_pin(ssl);
  proto = SSL_get_version(ssl);
  cipher = SSL_get_cipher_name(ssl);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

  long long sent = 0, recvd = 0;
  int write_pending = 0; /* an SSL_write to repeat with the same arguments */
  phase_start();
  for (;;) {
    int want_out = 0;
    for (;;) {
      int r = SSL_read(ssl, rbuf, RBUF);
      if (r > 0) { recvd += r; ph.bytes += r; continue; }
      int e = SSL_get_error(ssl, r);
      if (e == SSL_ERROR_WANT_READ) break;
      if (e == SSL_ERROR_WANT_WRITE) { want_out = 1; break; }
      if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
        fprintf(stderr, "tlsgen: server closed the connection\n");
        return 1;
      }
      die_ssl("read");
    }
    while (write_pending || sent - recvd + CHUNK <= window) {
      int r = SSL_write(ssl, pattern, CHUNK);
      if (r > 0) { sent += r; write_pending = 0; continue; }
      int e = SSL_get_error(ssl, r);
      write_pending = 1;
      if (e == SSL_ERROR_WANT_WRITE) { want_out = 1; break; }
      if (e == SSL_ERROR_WANT_READ) break;
      die_ssl("write");
    }
    if (phase_check(now())) break;
    struct pollfd p = { .fd = fd, .events = POLLIN | (want_out ? POLLOUT : 0) };
    if (poll(&p, 1, 5) < 0 && errno != EINTR) die("poll");
  }
  drain_and_close(ssl, fd);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return 0;
}
