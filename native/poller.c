/*
 * Readiness for descriptors libuv does not own: one uv_poll_t per descriptor on this
 * environment's own loop (napi_get_uv_event_loop, so it works in worker_threads), with a
 * JS callback (status, events). The TypeScript side arms UV_WRITABLE only after EAGAIN.
 *
 * Lifetime: pollerClose() stops the poll, then closes the descriptor if the poller owns
 * it, then uv_close()s the handle; memory is freed in the close callback (or when the JS
 * external is collected, whichever comes last). This file also owns the per-environment
 * instance (common.h): at environment teardown an async cleanup hook closes every tracked
 * object still open (pollers, stream echo engines) and completes once all have closed.
 */
#include "common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

typedef struct poller_s poller_t;

enum { POLLER_OPEN, POLLER_CLOSING, POLLER_CLOSED };

struct poller_s {
  tracked_t node; /* first: the instance's teardown list links pollers through it */
  uv_poll_t handle;
  instance_t* inst;
  napi_env env;
  napi_ref callback;
  napi_async_context async_ctx;
  int fd;
  int owns_fd;
  int state;
  int external_gone;
};

static void maybe_free_instance(instance_t* inst) {
  if (inst->finalized && inst->head == NULL) free(inst);
}

instance_t* instance_of(napi_env env) {
  void* data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok) return NULL;
  return (instance_t*)data;
}

void instance_track(instance_t* inst, tracked_t* node) {
  node->prev = NULL;
  node->next = inst->head;
  if (inst->head) inst->head->prev = node;
  inst->head = node;
}

void instance_untrack(instance_t* inst, tracked_t* node) {
  if (node->prev) node->prev->next = node->next;
  else inst->head = node->next;
  if (node->next) node->next->prev = node->prev;
  node->prev = node->next = NULL;
  if (inst->tearing_down && inst->head == NULL && inst->hook != NULL) {
    napi_async_cleanup_hook_handle hook = inst->hook;
    inst->hook = NULL;
    napi_remove_async_cleanup_hook(hook);
  }
  maybe_free_instance(inst);
}

static void on_close(uv_handle_t* handle) {
  poller_t* p = (poller_t*)handle->data;
  instance_t* inst = p->inst;
  p->state = POLLER_CLOSED;
  /* During teardown the environment releases references itself. */
  if (!inst->tearing_down && !inst->finalized) {
    napi_delete_reference(p->env, p->callback);
    napi_async_destroy(p->env, p->async_ctx);
  }
  int gone = p->external_gone;
  instance_untrack(inst, &p->node);
  if (gone) free(p);
}

static void poller_close(poller_t* p) {
  if (p->state != POLLER_OPEN) return;
  p->state = POLLER_CLOSING;
  uv_poll_stop(&p->handle); /* before close(): epoll must not see a recycled fd number */
  if (p->owns_fd) close(p->fd);
  uv_close((uv_handle_t*)&p->handle, on_close);
}

static void on_poll(uv_poll_t* handle, int status, int events) {
  poller_t* p = (poller_t*)handle->data;
  if (p->state != POLLER_OPEN) return;
  napi_env env = p->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, argv[2], result;
  if (napi_get_reference_value(env, p->callback, &cb) == napi_ok && cb != NULL &&
      napi_get_global(env, &recv) == napi_ok) {
    argv[0] = make_int(env, status);
    argv[1] = make_int(env, events);
    /* make_callback (not call_function) so promise reactions run right after. */
    napi_status s = napi_make_callback(env, p->async_ctx, recv, cb, 2, argv, &result);
    if (s == napi_pending_exception) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_external_gc(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  poller_t* p = (poller_t*)data;
  p->external_gone = 1;
  if (p->state == POLLER_OPEN) poller_close(p);
  else if (p->state == POLLER_CLOSED) free(p);
}

static void poller_close_tracked(tracked_t* node) {
  poller_close((poller_t*)node);
}

static int arg_poller(napi_env env, napi_value value, poller_t** out) {
  return arg_external(env, value, "poller", (void**)out);
}

/* pollerCreate(fd, callback, ownsFd) -> poller external, or -errno (e.g. EEXIST if libuv
 * already watches this descriptor number). */
static napi_value js_poller_create(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int32_t fd;
  bool owns = false;
  napi_valuetype type;
  if (!arg_int(env, argv[0], &fd)) return NULL;
  NAPI_CALL(env, napi_typeof(env, argv[1], &type));
  if (type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a callback");
    return NULL;
  }
  NAPI_CALL(env, napi_get_value_bool(env, argv[2], &owns));
  instance_t* inst = instance_of(env);
  if (inst == NULL || inst->tearing_down) return make_int(env, -ECANCELED);
  poller_t* p = calloc(1, sizeof(*p));
  if (p == NULL) return make_int(env, -ENOMEM);
  int r = uv_poll_init(inst->loop, &p->handle, fd);
  if (r < 0) {
    free(p);
    return make_int(env, r); /* libuv errors are -errno on Unix */
  }
  p->handle.data = p;
  p->node.close = poller_close_tracked;
  p->inst = inst;
  p->env = env;
  p->fd = fd;
  p->owns_fd = owns;
  p->state = POLLER_OPEN;
  napi_value name, external;
  if (napi_create_reference(env, argv[1], 1, &p->callback) != napi_ok ||
      napi_create_string_utf8(env, "socklab:poll", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &p->async_ctx) != napi_ok ||
      napi_create_external(env, p, on_external_gc, NULL, &external) != napi_ok) {
    /* Rare (out of memory): undo without touching the caller's descriptor. */
    p->owns_fd = 0;
    p->external_gone = 1;
    instance_track(inst, &p->node);
    poller_close(p);
    napi_throw_error(env, "ERR_SOCKLAB_NATIVE", "cannot create poller");
    return NULL;
  }
  instance_track(inst, &p->node);
  return external;
}

/* pollerStart(poller, events) -> 0 or -errno; events: UV_READABLE | UV_WRITABLE. */
static napi_value js_poller_start(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  poller_t* p;
  int32_t events;
  if (!arg_poller(env, argv[0], &p) || !arg_int(env, argv[1], &events)) return NULL;
  if (p->state != POLLER_OPEN) return make_int(env, -EBADF);
  if (events == 0) return make_int(env, uv_poll_stop(&p->handle));
  return make_int(env, uv_poll_start(&p->handle, events, on_poll));
}

/* pollerClose(poller): stop, close the descriptor if owned, release the handle. Idempotent. */
static napi_value js_poller_close(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  poller_t* p;
  if (!arg_poller(env, argv[0], &p)) return NULL;
  poller_close(p);
  return make_int(env, 0);
}

static void on_teardown(napi_async_cleanup_hook_handle hook, void* arg) {
  instance_t* inst = (instance_t*)arg;
  inst->tearing_down = 1;
  /* close() only starts closing: nodes untrack later, from their handles' close callbacks. */
  for (tracked_t* node = inst->head; node != NULL; node = node->next) node->close(node);
  if (inst->head == NULL && inst->hook != NULL) {
    inst->hook = NULL;
    napi_remove_async_cleanup_hook(hook);
  }
}

static void on_instance_finalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  instance_t* inst = (instance_t*)data;
  inst->finalized = 1;
  maybe_free_instance(inst);
}

napi_status register_poller(napi_env env, napi_value exports) {
  instance_t* inst = calloc(1, sizeof(*inst));
  if (inst == NULL) return napi_generic_failure;
  napi_status s = napi_get_uv_event_loop(env, &inst->loop);
  if (s == napi_ok) s = napi_set_instance_data(env, inst, on_instance_finalize, NULL);
  if (s != napi_ok) {
    free(inst);
    return s;
  }
  /* The async variant: uv_close() completes on a later loop turn, and Node keeps the
   * loop running until we call napi_remove_async_cleanup_hook. */
  s = napi_add_async_cleanup_hook(env, on_teardown, inst, &inst->hook);
  if (s != napi_ok) return s;
  if ((s = export_fn(env, exports, "pollerCreate", js_poller_create)) != napi_ok) return s;
  if ((s = export_fn(env, exports, "pollerStart", js_poller_start)) != napi_ok) return s;
  return export_fn(env, exports, "pollerClose", js_poller_close);
}
