/*
 * SCM_RIGHTS: pass open descriptors (plus a payload) over a connected Unix socket.
 */
#include "common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The kernel refuses more than SCM_MAX_FD (253) descriptors in one message. */
#define MAX_FDS 253

/* sendfds(fd, payload, fds Int32Array) -> payload bytes sent (the descriptors travel with
 * the first byte), or -errno. The payload must not be empty on a stream socket. */
/* One payload buffer plus a control buffer of `space` bytes, shared by send and receive. */
static void init_msghdr(struct msghdr* msg, struct iovec* iov, char* control, size_t space) {
  memset(msg, 0, sizeof(*msg));
  msg->msg_iov = iov;
  msg->msg_iovlen = 1;
  msg->msg_control = control;
  msg->msg_controllen = space;
}

static napi_value js_sendfds(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd;
  void* data;
  size_t len;
  int32_t* fds;
  size_t nfds;
  if (!arg_int(env, argv[0], &fd) || !arg_buffer(env, argv[1], &data, &len) ||
      !arg_int32_array(env, argv[2], &fds, &nfds))
    return NULL;
  if (nfds == 0 || nfds > MAX_FDS) return make_int(env, -EINVAL);
  size_t space = CMSG_SPACE(nfds * sizeof(int));
  char* control = calloc(1, space);
  if (control == NULL) return make_int(env, -ENOMEM);
  struct iovec iov = {.iov_base = data, .iov_len = len};
  struct msghdr msg;
  init_msghdr(&msg, &iov, control, space);
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
  memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
  ssize_t r;
  do r = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  int saved = errno;
  free(control);
  return make_int(env, r < 0 ? -saved : (int64_t)r);
}

/*
 * recvfds(fd, payload, fdsOut Int32Array, out Int32Array) -> payload bytes, or -errno.
 * out[0] = descriptors stored in fdsOut, out[1] = msg_flags (MSG_CTRUNC: the kernel had
 * more descriptors than room; MSG_TRUNC), out[2] = descriptors we closed because they did
 * not fit in fdsOut (a peer may send several SCM_RIGHTS messages). Received descriptors
 * are close-on-exec (MSG_CMSG_CLOEXEC).
 */
static napi_value js_recvfds(napi_env env, napi_callback_info info) {
  GET_ARGS(4);
  int32_t fd;
  void* data;
  size_t len;
  int32_t *fds, *out;
  size_t max_fds, out_len;
  if (!arg_int(env, argv[0], &fd) || !arg_buffer(env, argv[1], &data, &len) ||
      !arg_int32_array(env, argv[2], &fds, &max_fds) ||
      !arg_int32_array(env, argv[3], &out, &out_len))
    return NULL;
  if (out_len < 3 || max_fds == 0 || max_fds > MAX_FDS) return make_int(env, -EINVAL);
  size_t space = CMSG_SPACE(max_fds * sizeof(int));
  char* control = calloc(1, space);
  if (control == NULL) return make_int(env, -ENOMEM);
  struct iovec iov = {.iov_base = data, .iov_len = len};
  struct msghdr msg;
  init_msghdr(&msg, &iov, control, space);
  ssize_t r;
  do r = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    int saved = errno;
    free(control);
    return make_int(env, -saved);
  }
  size_t stored = 0;
  int32_t closed = 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < n; i++) {
      int received;
      memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (stored < max_fds) {
        fds[stored++] = received;
      } else {
        close(received); /* nobody asked for it: do not leak it */
        closed++;
      }
    }
  }
  free(control);
  out[0] = (int32_t)stored;
  out[1] = msg.msg_flags;
  out[2] = closed;
  return make_int(env, (int64_t)r);
}

napi_status register_fdpass(napi_env env, napi_value exports) {
  napi_status s = export_fn(env, exports, "sendfds", js_sendfds);
  if (s != napi_ok) return s;
  return export_fn(env, exports, "recvfds", js_recvfds);
}
