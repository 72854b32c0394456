/*
 * AF_UNIX socket syscalls, one per function, value or -errno out. Every socket is
 * created SOCK_NONBLOCK | SOCK_CLOEXEC so nothing here can block the event loop and no
 * descriptor leaks into child processes.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read an address given as (kind, Buffer name); kind ADDR_AUTOBIND needs no name. */
static int arg_sockaddr(napi_env env, napi_value kind_v, napi_value name_v,
                        struct sockaddr_un* sun, socklen_t* sun_len, int* err) {
  int32_t kind;
  void* name = NULL;
  size_t len = 0;
  if (!arg_int(env, kind_v, &kind)) return 0;
  if (kind != ADDR_AUTOBIND && !arg_buffer(env, name_v, &name, &len)) return 0;
  *err = build_sockaddr(kind, (const char*)name, len, sun, sun_len);
  return 1;
}

/* socket(type): type 1 = SOCK_STREAM, 2 = SOCK_DGRAM. */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t type;
  if (!arg_int(env, argv[0], &type)) return NULL;
  int sock_type = type == 1 ? SOCK_STREAM : type == 2 ? SOCK_DGRAM : -1;
  if (sock_type < 0) return make_int(env, -EINVAL);
  int fd = socket(AF_UNIX, sock_type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return make_int(env, fd < 0 ? -errno : fd);
}

/* bind(fd, kind, name) */
static napi_value js_bind(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd;
  struct sockaddr_un sun;
  socklen_t sun_len = 0;
  int err = 0;
  if (!arg_int(env, argv[0], &fd)) return NULL;
  if (!arg_sockaddr(env, argv[1], argv[2], &sun, &sun_len, &err)) return NULL;
  if (err < 0) return make_int(env, err);
  int r = bind(fd, (struct sockaddr*)&sun, sun_len);
  return make_int(env, r < 0 ? -errno : 0);
}

/* connect(fd, kind, name): non-blocking; a Unix stream connect answers at once or EAGAIN. */
static napi_value js_connect(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd;
  struct sockaddr_un sun;
  socklen_t sun_len = 0;
  int err = 0;
  if (!arg_int(env, argv[0], &fd)) return NULL;
  if (!arg_sockaddr(env, argv[1], argv[2], &sun, &sun_len, &err)) return NULL;
  if (err < 0) return make_int(env, err);
  int r;
  do r = connect(fd, (struct sockaddr*)&sun, sun_len);
  while (r < 0 && errno == EINTR);
  return make_int(env, r < 0 ? -errno : 0);
}

/* listen(fd, backlog) */
static napi_value js_listen(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd, backlog;
  if (!arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &backlog)) return NULL;
  return make_int(env, listen(fd, backlog) < 0 ? -errno : 0);
}

/* close(fd): never retried on EINTR (on Linux the descriptor is gone either way). */
static napi_value js_close(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t fd;
  if (!arg_int(env, argv[0], &fd)) return NULL;
  return make_int(env, close(fd) < 0 ? -errno : 0);
}

/* dup(fd), close-on-exec: a second descriptor number lets us poll a socket libuv owns. */
static napi_value js_dup(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t fd;
  if (!arg_int(env, argv[0], &fd)) return NULL;
  int r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  return make_int(env, r < 0 ? -errno : r);
}

/* fchmod(fd, mode): on Linux, bind() creates the socket file with the socket inode's mode
 * (minus umask), so setting it first means the file is never more open than asked. */
static napi_value js_fchmod(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd, mode;
  if (!arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &mode)) return NULL;
  return make_int(env, fchmod(fd, (mode_t)mode) < 0 ? -errno : 0);
}

/* getsockname(fd, addrBuffer) -> address length; the TS side decodes the sockaddr_un. */
static napi_value js_getsockname(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd;
  void* buf;
  size_t len;
  if (!arg_int(env, argv[0], &fd) || !arg_buffer(env, argv[1], &buf, &len)) return NULL;
  socklen_t sl = (socklen_t)len;
  int r = getsockname(fd, (struct sockaddr*)buf, &sl);
  return make_int(env, r < 0 ? -errno : (int64_t)sl);
}

/* getsockopt(SO_ERROR) -> -errno of a finished non-blocking connect, or 0. */
static napi_value js_getsockerror(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t fd;
  if (!arg_int(env, argv[0], &fd)) return NULL;
  int value = 0;
  socklen_t sl = sizeof(value);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &sl) < 0) return make_int(env, -errno);
  return make_int(env, -value);
}

/* getsockopt(SO_TYPE) -> SOCK_STREAM (1) or SOCK_DGRAM (2), or -errno (ENOTSOCK, ...). */
static napi_value js_getsocktype(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int32_t fd;
  if (!arg_int(env, argv[0], &fd)) return NULL;
  int value = 0;
  socklen_t sl = sizeof(value);
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &sl) < 0) return make_int(env, -errno);
  return make_int(env, value);
}

/* sendto(fd, data, kind, name) -> bytes sent; kind -1 sends on a connected socket. */
static napi_value js_sendto(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t fd, kind;
  void* data;
  size_t len;
  if (!arg_int(env, argv[0], &fd) || !arg_buffer(env, argv[1], &data, &len) ||
      !arg_int(env, argv[2], &kind))
    return NULL;
  ssize_t r;
  if (kind == ADDR_NONE) {
    do r = send(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
  } else {
    struct sockaddr_un sun;
    socklen_t sun_len = 0;
    int err = 0;
    if (!arg_sockaddr(env, argv[2], argv[3], &sun, &sun_len, &err)) return NULL;
    if (err < 0) return make_int(env, err);
    do r = sendto(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr*)&sun, sun_len);
    while (r < 0 && errno == EINTR);
  }
  return make_int(env, r < 0 ? -errno : (int64_t)r);
}

/*
 * recvfrom(fd, data, addrBuffer, out) -> the datagram's real length (MSG_TRUNC asks the
 * kernel for it, so a result larger than `data` means it was cut); out[0] = sender address
 * length, out[1] = msg_flags.
 */
static napi_value js_recvfrom(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t fd;
  void *data, *addr;
  size_t len, addr_len;
  int32_t* out;
  size_t out_len;
  if (!arg_int(env, argv[0], &fd) || !arg_buffer(env, argv[1], &data, &len) ||
      !arg_buffer(env, argv[2], &addr, &addr_len) ||
      !arg_int32_array(env, argv[3], &out, &out_len))
    return NULL;
  if (out_len < 2) return make_int(env, -EINVAL);
  struct iovec iov = {.iov_base = data, .iov_len = len};
  struct msghdr msg;
  memset(&msg, 0, sizeof(msg));
  msg.msg_name = addr;
  msg.msg_namelen = (socklen_t)addr_len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  ssize_t r;
  do r = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0) return make_int(env, -errno);
  out[0] = (int32_t)msg.msg_namelen;
  out[1] = msg.msg_flags;
  return make_int(env, (int64_t)r);
}

/* getsockopt(SO_PEERCRED) -> 0; out[0..2] = pid, uid, gid (uid/gid as raw 32 bits). */
static napi_value js_peercred(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int32_t fd;
  int32_t* out;
  size_t out_len;
  if (!arg_int(env, argv[0], &fd) || !arg_int32_array(env, argv[1], &out, &out_len)) return NULL;
  if (out_len < 3) return make_int(env, -EINVAL);
  struct ucred cred;
  socklen_t sl = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) < 0) return make_int(env, -errno);
  out[0] = (int32_t)cred.pid;
  out[1] = (int32_t)cred.uid;
  out[2] = (int32_t)cred.gid;
  return make_int(env, 0);
}

napi_status register_sockets(napi_env env, napi_value exports) {
  static const struct {
    const char* name;
    napi_callback cb;
  } fns[] = {
      {"socket", js_socket},           {"bind", js_bind},
      {"connect", js_connect},         {"listen", js_listen},
      {"close", js_close},             {"dup", js_dup},
      {"fchmod", js_fchmod},           {"getsockname", js_getsockname},
      {"getsockerror", js_getsockerror}, {"getsocktype", js_getsocktype},
      {"sendto", js_sendto},           {"recvfrom", js_recvfrom},
      {"peercred", js_peercred},
  };
  for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
    napi_status s = export_fn(env, exports, fns[i].name, fns[i].cb);
    if (s != napi_ok) return s;
  }
  return napi_ok;
}
