/*
 * socklab_native: what Node lacks for AF_UNIX (datagram sockets, exact-length abstract
 * names, SO_PEERCRED, SCM_RIGHTS) as thin syscall wrappers. Context-aware
 * (NAPI_MODULE_INIT): every environment, including each worker thread, gets its own
 * instance data and event loop.
 */
#include "common.h"

#include <sys/socket.h>
#include <uv.h>

/* native/inet_dgram.c: UDP sockets and recvmmsg/sendmmsg batches. */
napi_status register_inet_dgram(napi_env env, napi_value exports);

static napi_status set_const(napi_env env, napi_value obj, const char* name, int value) {
  napi_value v;
  napi_status s = napi_create_int32(env, value, &v);
  if (s != napi_ok) return s;
  return napi_set_named_property(env, obj, name, v);
}

NAPI_MODULE_INIT() {
  napi_value constants;
  if (register_sockets(env, exports) != napi_ok || register_fdpass(env, exports) != napi_ok ||
      register_poller(env, exports) != napi_ok || register_stream_echo(env, exports) != napi_ok ||
      register_inet_dgram(env, exports) != napi_ok || napi_create_object(env, &constants) != napi_ok ||
      set_const(env, constants, "UV_READABLE", UV_READABLE) != napi_ok ||
      set_const(env, constants, "UV_WRITABLE", UV_WRITABLE) != napi_ok ||
      set_const(env, constants, "UV_DISCONNECT", UV_DISCONNECT) != napi_ok ||
      set_const(env, constants, "MSG_TRUNC", MSG_TRUNC) != napi_ok ||
      set_const(env, constants, "MSG_CTRUNC", MSG_CTRUNC) != napi_ok ||
      set_const(env, constants, "SUN_PATH_MAX", (int)sizeof(((struct sockaddr_un*)0)->sun_path)) != napi_ok ||
      napi_set_named_property(env, exports, "constants", constants) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_error(env, "ERR_SOCKLAB_NATIVE", "socklab_native failed to initialise");
    return NULL;
  }
  return exports;
}
