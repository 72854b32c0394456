/*
 * Shared helpers for socklab_native. Every exported function wraps one syscall and
 * returns its value or -errno as a JS number; no strings are formatted here.
 */
#ifndef SOCKLAB_COMMON_H
#define SOCKLAB_COMMON_H

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <uv.h>

/* Address kinds as the TypeScript side passes them. */
enum { ADDR_PATH = 0, ADDR_ABSTRACT = 1, ADDR_AUTOBIND = 2, ADDR_NONE = -1 };

/* Bail out of a napi_callback on a failed napi call (a pending exception says why). */
#define NAPI_CALL(env, call)                                                    \
  do {                                                                          \
    if ((call) != napi_ok) {                                                    \
      const napi_extended_error_info* info_ = NULL;                             \
      bool pending_ = false;                                                    \
      napi_get_last_error_info((env), &info_);                                  \
      napi_is_exception_pending((env), &pending_);                              \
      if (!pending_)                                                            \
        napi_throw_error((env), "ERR_SOCKLAB_NATIVE",                           \
                         info_ && info_->error_message ? info_->error_message   \
                                                       : "N-API call failed");  \
      return NULL;                                                              \
    }                                                                           \
  } while (0)

#define GET_ARGS(n)                                                             \
  size_t argc = (n);                                                            \
  napi_value argv[(n) > 0 ? (n) : 1];                                           \
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));         \
  if (argc < (n)) {                                                             \
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "missing arguments");        \
    return NULL;                                                                \
  }

/* Take exactly n arguments in argv (a napi_callback preamble). */
napi_value make_int(napi_env env, int64_t value);
int arg_int(napi_env env, napi_value value, int32_t* out);
int arg_buffer(napi_env env, napi_value value, void** data, size_t* len);
int arg_int32_array(napi_env env, napi_value value, int32_t** data, size_t* len);
/* An external made by this addon (poller, batch context, engine); `what` names it in the error. */
int arg_external(napi_env env, napi_value value, const char* what, void** out);

/*
 * Build a sockaddr_un for `kind` and `name` (raw bytes, no NUL). Returns the exact
 * address length or -errno: paths that do not fit sun_path are rejected (ENAMETOOLONG),
 * never truncated; abstract names are exact-length (no NUL padding).
 */
int build_sockaddr(int kind, const char* name, size_t len, struct sockaddr_un* sun,
                   socklen_t* sun_len);

/*
 * Per-environment state (native/poller.c owns it): the environment's loop, and every object
 * that still has libuv handles to close. At environment teardown an async cleanup hook
 * calls each tracked object's close(); the hook completes once every one has untracked
 * itself (from its last handle's close callback).
 */
typedef struct tracked_s tracked_t;
struct tracked_s {
  void (*close)(tracked_t* self); /* start closing every handle; no calls into JS */
  tracked_t *prev, *next;
};
typedef struct {
  uv_loop_t* loop;
  tracked_t* head; /* objects whose handles have not all closed yet */
  int tearing_down;
  int finalized; /* instance data finalizer ran */
  napi_async_cleanup_hook_handle hook;
} instance_t;

instance_t* instance_of(napi_env env);
void instance_track(instance_t* inst, tracked_t* node);
/* The object's last handle has closed. May free inst (do not use it afterwards). */
void instance_untrack(instance_t* inst, tracked_t* node);

/* Registration of each concern's exports. */
napi_status register_sockets(napi_env env, napi_value exports);
napi_status register_poller(napi_env env, napi_value exports);
napi_status register_fdpass(napi_env env, napi_value exports);
napi_status register_stream_echo(napi_env env, napi_value exports);

napi_status export_fn(napi_env env, napi_value exports, const char* name, napi_callback cb);

#endif
