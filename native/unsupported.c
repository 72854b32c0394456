/*
 * Non-Linux build: an empty module, so `npm install` succeeds everywhere and the
 * TypeScript side reports "not supported on this platform" when a feature is used.
 */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

NAPI_MODULE_INIT() {
  (void)env;
  return exports;
}
