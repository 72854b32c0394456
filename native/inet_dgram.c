/*
 * Internet datagram sockets (UDP over IPv4 and IPv6) and batched datagram I/O for any
 * datagram socket (UDP or AF_UNIX): recvmmsg drains up to one batch per call into one
 * buffer of fixed-size slots, sendmmsg sends a batch of replies in one call. Thin: one
 * syscall per function, value or -errno out, never blocking (MSG_DONTWAIT, and every
 * socket here is created SOCK_NONBLOCK | SOCK_CLOEXEC). What to answer is decided in
 * TypeScript; only the plumbing of a batch lives here.
 *
 * Batch layout shared with src/datagram/batch.ts:
 *   data   Buffer of `slot`-byte slots; datagram i lands at i * slot
 *   addrs  Buffer of `addrSlot`-byte slots; sender i's sockaddr lands at i * addrSlot
 *   meta   Int32Array, 3 per datagram: [size as sent (MSG_TRUNC), sockaddr length, msg_flags]
 */
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Upper bound on one batch (stack arrays below). */
#define MAX_BATCH 64

/* inetSocket(family): family 4 or 6 -> a non-blocking close-on-exec UDP socket, or -errno. */
static napi_value js_inet_socket(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t family;
  if (!arg_int(env, argv[0], &family)) return NULL;
  if (family != 4 && family != 6) return make_int(env, -EAFNOSUPPORT);
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return make_int(env, fd < 0 ? -errno : fd);
}

/* setsockoptInt(fd, level, name, value) -> 0 or -errno (SO_REUSEADDR, IPV6_V6ONLY, ...). */
static napi_value js_setsockopt_int(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t fd, level, name, value;
  if (!arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &level) || !arg_int(env, argv[2], &name) ||
      !arg_int(env, argv[3], &value))
    return NULL;
  int v = value;
  return make_int(env, setsockopt(fd, level, name, &v, sizeof(v)) < 0 ? -errno : 0);
}

/*
 * inetAddress(family, host, port, out) -> length of the sockaddr_in / sockaddr_in6 written
 * to `out`, or -EINVAL (host must be numeric text). No syscall: inet_pton. An IPv4 host
 * with family 6 becomes its v4-mapped form (::ffff:a.b.c.d), as a dual-stack socket needs.
 */
static napi_value js_inet_address(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t family, port;
  char host[INET6_ADDRSTRLEN + 8];
  size_t host_len = 0;
  void* out;
  size_t out_len;
  if (!arg_int(env, argv[0], &family) || !arg_int(env, argv[2], &port) || !arg_buffer(env, argv[3], &out, &out_len))
    return NULL;
  if (napi_get_value_string_utf8(env, argv[1], host, sizeof(host), &host_len) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a host string");
    return NULL;
  }
  if (port < 0 || port > 65535 || host_len >= sizeof(host) - 1) return make_int(env, -EINVAL);
  if (family == 4) {
    struct sockaddr_in sin;
    if (out_len < sizeof(sin)) return make_int(env, -EINVAL);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) return make_int(env, -EINVAL);
    memcpy(out, &sin, sizeof(sin));
    return make_int(env, sizeof(sin));
  }
  if (family == 6) {
    struct sockaddr_in6 sin6;
    struct in_addr v4;
    if (out_len < sizeof(sin6)) return make_int(env, -EINVAL);
    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &sin6.sin6_addr) != 1) {
      if (inet_pton(AF_INET, host, &v4) != 1) return make_int(env, -EINVAL);
      sin6.sin6_addr.s6_addr[10] = 0xff;
      sin6.sin6_addr.s6_addr[11] = 0xff;
      memcpy(&sin6.sin6_addr.s6_addr[12], &v4, 4);
    }
    memcpy(out, &sin6, sizeof(sin6));
    return make_int(env, sizeof(sin6));
  }
  return make_int(env, -EAFNOSUPPORT);
}

/* bindAddress(fd, sockaddr, length) -> 0 or -errno: bind() to a sockaddr built above. */
static napi_value js_bind_address(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd, length;
  void* addr;
  size_t addr_len;
  if (!arg_int(env, argv[0], &fd) || !arg_buffer(env, argv[1], &addr, &addr_len) || !arg_int(env, argv[2], &length))
    return NULL;
  if (length <= 0 || (size_t)length > addr_len) return make_int(env, -EINVAL);
  return make_int(env, bind(fd, (struct sockaddr*)addr, (socklen_t)length) < 0 ? -errno : 0);
}

/* The batch capacity that data, addrs and meta all have room for. */
static int batch_capacity(size_t data_len, size_t slot, size_t addrs_len, size_t addr_slot, size_t meta_len) {
  if (slot == 0 || addr_slot == 0) return 0;
  size_t n = data_len / slot;
  if (addrs_len / addr_slot < n) n = addrs_len / addr_slot;
  if (meta_len / 3 < n) n = meta_len / 3;
  return n > MAX_BATCH ? MAX_BATCH : (int)n;
}

/*
 * recvBatch(fd, data, slot, addrs, addrSlot, meta) -> datagrams received (>= 1) or -errno
 * (-EAGAIN: nothing waiting). One recvmmsg; a datagram longer than `slot` is cut and its
 * meta size is the full size (MSG_TRUNC), so the caller can tell.
 */
static napi_value js_recv_batch(napi_env env, napi_callback_info info) {
  GET_ARGS(6);
  int32_t fd, slot, addr_slot;
  void *data, *addrs;
  size_t data_len, addrs_len, meta_len;
  int32_t* meta;
  if (!arg_int(env, argv[0], &fd) || !arg_buffer(env, argv[1], &data, &data_len) ||
      !arg_int(env, argv[2], &slot) || !arg_buffer(env, argv[3], &addrs, &addrs_len) ||
      !arg_int(env, argv[4], &addr_slot) || !arg_int32_array(env, argv[5], &meta, &meta_len))
    return NULL;
  if (slot <= 0 || addr_slot <= 0) return make_int(env, -EINVAL);
  int n = batch_capacity(data_len, (size_t)slot, addrs_len, (size_t)addr_slot, meta_len);
  if (n == 0) return make_int(env, -EINVAL);
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iovs[MAX_BATCH];
  memset(msgs, 0, sizeof(msgs[0]) * (size_t)n);
  for (int i = 0; i < n; i++) {
    iovs[i].iov_base = (char*)data + (size_t)i * (size_t)slot;
    iovs[i].iov_len = (size_t)slot;
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = (char*)addrs + (size_t)i * (size_t)addr_slot;
    msgs[i].msg_hdr.msg_namelen = (socklen_t)addr_slot;
  }
  int r;
  do r = recvmmsg(fd, msgs, (unsigned)n, MSG_DONTWAIT | MSG_TRUNC, NULL);
  while (r < 0 && errno == EINTR);
  if (r < 0) return make_int(env, -errno);
  for (int i = 0; i < r; i++) {
    meta[3 * i] = (int32_t)msgs[i].msg_len;
    meta[3 * i + 1] = (int32_t)msgs[i].msg_hdr.msg_namelen;
    meta[3 * i + 2] = msgs[i].msg_hdr.msg_flags;
  }
  return make_int(env, r);
}

/*
 * sendBatch(fd, src, slot, addrs, addrSlot, meta, start, end) -> the index after the last
 * datagram handed to the kernel, or -errno when the first one failed (-EAGAIN: the send
 * buffer is full). Entry i goes to the sockaddr in addrs slot i (length meta[3i + 1]):
 * each reply goes back to the sender of datagram i.
 *   src a Buffer: echo, entry i's payload is slot i of src, meta[3i] bytes long.
 *   src an Array: entry i's payload is src[i], a Buffer; null or undefined = no reply.
 * One sendmmsg for up to MAX_BATCH entries; the caller calls again from the returned index.
 */
static napi_value js_send_batch(napi_env env, napi_callback_info info) {
  GET_ARGS(8);
  int32_t fd, slot, addr_slot, start, end;
  void *addrs, *src_data = NULL;
  size_t addrs_len, meta_len, src_len = 0;
  int32_t* meta;
  bool is_buffer = false, is_array = false;
  if (!arg_int(env, argv[0], &fd) || !arg_int(env, argv[2], &slot) ||
      !arg_buffer(env, argv[3], &addrs, &addrs_len) || !arg_int(env, argv[4], &addr_slot) ||
      !arg_int32_array(env, argv[5], &meta, &meta_len) || !arg_int(env, argv[6], &start) ||
      !arg_int(env, argv[7], &end))
    return NULL;
  NAPI_CALL(env, napi_is_buffer(env, argv[1], &is_buffer));
  if (is_buffer) {
    NAPI_CALL(env, napi_get_buffer_info(env, argv[1], &src_data, &src_len));
  } else {
    NAPI_CALL(env, napi_is_array(env, argv[1], &is_array));
    if (!is_array) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a Buffer or an Array of Buffers");
      return NULL;
    }
  }
  if (addr_slot <= 0 || start < 0 || end < start || (size_t)end > meta_len / 3 ||
      (size_t)end * (size_t)addr_slot > addrs_len || (is_buffer && (slot <= 0 || (size_t)end * (size_t)slot > src_len)))
    return make_int(env, -EINVAL);
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iovs[MAX_BATCH];
  int32_t index[MAX_BATCH];
  int n = 0;
  int32_t i = start;
  for (; i < end && n < MAX_BATCH; i++) {
    void* payload;
    size_t len;
    if (is_buffer) {
      int32_t size = meta[3 * i];
      if (size < 0) continue;
      payload = (char*)src_data + (size_t)i * (size_t)slot;
      len = (size_t)size > (size_t)slot ? (size_t)slot : (size_t)size;
    } else {
      napi_value item;
      napi_valuetype type;
      NAPI_CALL(env, napi_get_element(env, argv[1], (uint32_t)i, &item));
      NAPI_CALL(env, napi_typeof(env, item, &type));
      if (type == napi_null || type == napi_undefined) continue;
      if (!arg_buffer(env, item, &payload, &len)) return NULL;
    }
    memset(&msgs[n], 0, sizeof(msgs[n]));
    iovs[n].iov_base = payload;
    iovs[n].iov_len = len;
    msgs[n].msg_hdr.msg_iov = &iovs[n];
    msgs[n].msg_hdr.msg_iovlen = 1;
    msgs[n].msg_hdr.msg_name = (char*)addrs + (size_t)i * (size_t)addr_slot;
    msgs[n].msg_hdr.msg_namelen = (socklen_t)meta[3 * i + 1];
    index[n] = i;
    n++;
  }
  if (n == 0) return make_int(env, i); /* nothing to send in [start, i) */
  int r;
  do r = sendmmsg(fd, msgs, (unsigned)n, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0) return make_int(env, -errno);
  /* All n sent: continue after the last entry looked at (skipped nulls included). */
  return make_int(env, r == n ? i : index[r]);
}

/*
 * A batch context: the receive buffers of one batch socket, taken apart once (pointers and
 * sizes) instead of on every call. Parsing three Buffer/Int32Array arguments cost more than
 * the rest of a call (perf: 4% of the server's CPU under unix-dgram-16, two calls per round).
 * The context holds no references: the TypeScript object that creates it keeps the three
 * buffers for as long as it keeps the context (src/datagram/batch-socket.ts), and an
 * ArrayBuffer's memory never moves (napi_get_typedarray_info moves a small on-heap typed
 * array off the heap for good).
 */
typedef struct {
  char* data;
  size_t slot;
  char* addrs;
  size_t addr_slot;
  int32_t* meta;
  int cap;
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iovs[MAX_BATCH];
} batch_ctx_t;

static void batch_ctx_free(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  free(data);
}

static int arg_ctx(napi_env env, napi_value value, batch_ctx_t** out) {
  return arg_external(env, value, "batch context", (void**)out);
}

/* batchContext(data, slot, addrs, addrSlot, meta) -> context external, or -EINVAL / -ENOMEM. No syscall. */
static napi_value js_batch_context(napi_env env, napi_callback_info info) {
  GET_ARGS(5);
  int32_t slot, addr_slot;
  void *data, *addrs;
  size_t data_len, addrs_len, meta_len;
  int32_t* meta;
  if (!arg_buffer(env, argv[0], &data, &data_len) || !arg_int(env, argv[1], &slot) ||
      !arg_buffer(env, argv[2], &addrs, &addrs_len) || !arg_int(env, argv[3], &addr_slot) ||
      !arg_int32_array(env, argv[4], &meta, &meta_len))
    return NULL;
  if (slot <= 0 || addr_slot <= 0) return make_int(env, -EINVAL);
  int n = batch_capacity(data_len, (size_t)slot, addrs_len, (size_t)addr_slot, meta_len);
  if (n == 0) return make_int(env, -EINVAL);
  batch_ctx_t* c = calloc(1, sizeof(*c));
  if (c == NULL) return make_int(env, -ENOMEM);
  c->data = data;
  c->slot = (size_t)slot;
  c->addrs = addrs;
  c->addr_slot = (size_t)addr_slot;
  c->meta = meta;
  c->cap = n;
  for (int i = 0; i < n; i++) {
    c->iovs[i].iov_base = c->data + (size_t)i * c->slot;
    c->iovs[i].iov_len = c->slot;
    c->msgs[i].msg_hdr.msg_iov = &c->iovs[i];
    c->msgs[i].msg_hdr.msg_iovlen = 1;
    c->msgs[i].msg_hdr.msg_name = c->addrs + (size_t)i * c->addr_slot;
  }
  napi_value external;
  if (napi_create_external(env, c, batch_ctx_free, NULL, &external) != napi_ok) {
    free(c);
    napi_throw_error(env, "ERR_SOCKLAB_NATIVE", "cannot create a batch context");
    return NULL;
  }
  return external;
}

/* recvInto(fd, ctx) -> datagrams received (>= 1) or -errno: recvBatch on a context's buffers. */
static napi_value js_recv_into(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd;
  batch_ctx_t* c;
  if (!arg_int(env, argv[0], &fd) || !arg_ctx(env, argv[1], &c)) return NULL;
  for (int i = 0; i < c->cap; i++) {
    c->msgs[i].msg_hdr.msg_namelen = (socklen_t)c->addr_slot;
    c->msgs[i].msg_hdr.msg_controllen = 0;
    c->msgs[i].msg_hdr.msg_flags = 0;
  }
  int r;
  do r = recvmmsg(fd, c->msgs, (unsigned)c->cap, MSG_DONTWAIT | MSG_TRUNC, NULL);
  while (r < 0 && errno == EINTR);
  if (r < 0) return make_int(env, -errno);
  for (int i = 0; i < r; i++) {
    c->meta[3 * i] = (int32_t)c->msgs[i].msg_len;
    c->meta[3 * i + 1] = (int32_t)c->msgs[i].msg_hdr.msg_namelen;
    c->meta[3 * i + 2] = c->msgs[i].msg_hdr.msg_flags;
  }
  return make_int(env, r);
}

/*
 * echoFrom(fd, ctx, start, end) -> the index after the last datagram handed to the kernel,
 * or -errno when the first one failed: sendBatch's echo (each datagram of [start, end) back to
 * its sender, straight from the receive slots; a negative size = no reply) on a context.
 */
static napi_value js_echo_from(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t fd, start, end;
  batch_ctx_t* c;
  if (!arg_int(env, argv[0], &fd) || !arg_ctx(env, argv[1], &c) || !arg_int(env, argv[2], &start) ||
      !arg_int(env, argv[3], &end))
    return NULL;
  if (start < 0 || end < start || end > c->cap) return make_int(env, -EINVAL);
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iovs[MAX_BATCH];
  int32_t index[MAX_BATCH];
  int n = 0;
  int32_t i = start;
  for (; i < end; i++) {
    int32_t size = c->meta[3 * i];
    int32_t namelen = c->meta[3 * i + 1];
    if (size < 0) continue;
    if (namelen < 0 || (size_t)namelen > c->addr_slot) return make_int(env, -EINVAL);
    iovs[n].iov_base = c->data + (size_t)i * c->slot;
    iovs[n].iov_len = (size_t)size > c->slot ? c->slot : (size_t)size;
    memset(&msgs[n], 0, sizeof(msgs[n]));
    msgs[n].msg_hdr.msg_iov = &iovs[n];
    msgs[n].msg_hdr.msg_iovlen = 1;
    msgs[n].msg_hdr.msg_name = c->addrs + (size_t)i * c->addr_slot;
    msgs[n].msg_hdr.msg_namelen = (socklen_t)namelen;
    index[n] = i;
    n++;
  }
  if (n == 0) return make_int(env, i);
  int r;
  do r = sendmmsg(fd, msgs, (unsigned)n, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0) return make_int(env, -errno);
  return make_int(env, r == n ? i : index[r]);
}

/* formatInet(addrs, offset, length) -> [host text, port], or null for a non-inet sockaddr.
 * No syscall: inet_ntop, so IPv6 text is the standard compressed form. */
static napi_value js_format_inet(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  void* buf;
  size_t buf_len;
  int32_t offset, length;
  if (!arg_buffer(env, argv[0], &buf, &buf_len) || !arg_int(env, argv[1], &offset) ||
      !arg_int(env, argv[2], &length))
    return NULL;
  napi_value result;
  NAPI_CALL(env, napi_get_null(env, &result));
  if (offset < 0 || length < (int32_t)sizeof(sa_family_t) || (size_t)offset + (size_t)length > buf_len) return result;
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  memcpy(&ss, (char*)buf + offset, (size_t)length > sizeof(ss) ? sizeof(ss) : (size_t)length);
  char text[INET6_ADDRSTRLEN + 16];
  int port;
  if (ss.ss_family == AF_INET && (size_t)length >= sizeof(struct sockaddr_in)) {
    struct sockaddr_in* sin = (struct sockaddr_in*)&ss;
    if (inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text)) == NULL) return result;
    port = ntohs(sin->sin_port);
  } else if (ss.ss_family == AF_INET6 && (size_t)length >= sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6* sin6 = (struct sockaddr_in6*)&ss;
    if (inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text)) == NULL) return result;
    size_t used = strlen(text);
    if (sin6->sin6_scope_id != 0) snprintf(text + used, sizeof(text) - used, "%%%u", (unsigned)sin6->sin6_scope_id);
    port = ntohs(sin6->sin6_port);
  } else {
    return result;
  }
  napi_value host, port_v;
  NAPI_CALL(env, napi_create_array_with_length(env, 2, &result));
  NAPI_CALL(env, napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &host));
  NAPI_CALL(env, napi_create_int32(env, port, &port_v));
  NAPI_CALL(env, napi_set_element(env, result, 0, host));
  NAPI_CALL(env, napi_set_element(env, result, 1, port_v));
  return result;
}

static napi_status set_int(napi_env env, napi_value obj, const char* name, int value) {
  napi_value v;
  napi_status s = napi_create_int32(env, value, &v);
  if (s != napi_ok) return s;
  return napi_set_named_property(env, obj, name, v);
}

napi_status register_inet_dgram(napi_env env, napi_value exports) {
  static const struct {
    const char* name;
    napi_callback cb;
  } fns[] = {
      {"inetSocket", js_inet_socket}, {"setsockoptInt", js_setsockopt_int}, {"inetAddress", js_inet_address},
      {"bindAddress", js_bind_address},
      {"recvBatch", js_recv_batch},   {"sendBatch", js_send_batch},         {"formatInet", js_format_inet},
      {"batchContext", js_batch_context}, {"recvInto", js_recv_into},     {"echoFrom", js_echo_from},
  };
  for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
    napi_status s = export_fn(env, exports, fns[i].name, fns[i].cb);
    if (s != napi_ok) return s;
  }
  napi_value c;
  napi_status s = napi_create_object(env, &c);
  if (s == napi_ok) s = set_int(env, c, "SOL_SOCKET", SOL_SOCKET);
  if (s == napi_ok) s = set_int(env, c, "SO_REUSEADDR", SO_REUSEADDR);
  if (s == napi_ok) s = set_int(env, c, "SO_BROADCAST", SO_BROADCAST);
  if (s == napi_ok) s = set_int(env, c, "SO_RCVBUF", SO_RCVBUF);
  if (s == napi_ok) s = set_int(env, c, "IPPROTO_IPV6", IPPROTO_IPV6);
  if (s == napi_ok) s = set_int(env, c, "IPV6_V6ONLY", IPV6_V6ONLY);
  if (s == napi_ok) s = set_int(env, c, "AF_INET", AF_INET);
  if (s == napi_ok) s = set_int(env, c, "AF_INET6", AF_INET6);
  if (s == napi_ok) s = set_int(env, c, "MAX_BATCH", MAX_BATCH);
  if (s == napi_ok) s = napi_set_named_property(env, exports, "dgramConstants", c);
  return s;
}
