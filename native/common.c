#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

napi_value make_int(napi_env env, int64_t value) {
  napi_value out;
  if (napi_create_int64(env, value, &out) != napi_ok) return NULL;
  return out;
}

int arg_int(napi_env env, napi_value value, int32_t* out) {
  if (napi_get_value_int32(env, value, out) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a number");
    return 0;
  }
  return 1;
}

int arg_buffer(napi_env env, napi_value value, void** data, size_t* len) {
  bool is_buffer = false;
  if (napi_is_buffer(env, value, &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, value, data, len) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a Buffer");
    return 0;
  }
  return 1;
}

int arg_int32_array(napi_env env, napi_value value, int32_t** data, size_t* len) {
  bool is_typed = false;
  napi_typedarray_type type;
  void* raw = NULL;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, len, &raw, NULL, NULL) != napi_ok ||
      type != napi_int32_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected an Int32Array");
    return 0;
  }
  *data = (int32_t*)raw;
  return 1;
}

int build_sockaddr(int kind, const char* name, size_t len, struct sockaddr_un* sun,
                   socklen_t* sun_len) {
  memset(sun, 0, sizeof(*sun));
  sun->sun_family = AF_UNIX;
  switch (kind) {
    case ADDR_PATH:
      /* A path needs its terminating NUL inside sun_path. */
      if (len == 0) return -EINVAL;
      if (len >= sizeof(sun->sun_path)) return -ENAMETOOLONG;
      if (memchr(name, '\0', len) != NULL) return -EINVAL;
      memcpy(sun->sun_path, name, len);
      *sun_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
      return 0;
    case ADDR_ABSTRACT:
      /* Leading NUL, then exactly the name's bytes: what nc -U @name, socat and Python use. */
      if (len + 1 > sizeof(sun->sun_path)) return -ENAMETOOLONG;
      /* An empty name comes with no buffer at all (name == NULL): memcpy must not see it. */
      if (len > 0) memcpy(sun->sun_path + 1, name, len);
      *sun_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
      return 0;
    case ADDR_AUTOBIND:
      /* Only the family: the kernel picks a unique abstract name. */
      *sun_len = (socklen_t)sizeof(sa_family_t);
      return 0;
    default:
      return -EINVAL;
  }
}

napi_status export_fn(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_status status = napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  if (status != napi_ok) return status;
  return napi_set_named_property(env, exports, name, fn);
}

int arg_external(napi_env env, napi_value value, const char* what, void** out) {
  void* data = NULL;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
      napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    char message[64];
    snprintf(message, sizeof(message), "expected a %s", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return 0;
  }
  *out = data;
  return 1;
}
