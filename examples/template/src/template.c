/* A minimal gil-lab extension: one function that holds the interpreter lock and checkpoints, as
 * interpreted code does, and one that releases it around its loop, as numpy does. Both expect the
 * calling thread to hold the lock (a ThreadPoolExecutor task, or after acquire()), as a C function
 * called from Python holds the GIL. */
#include <gil_lab.h>
#include <stdint.h>

static const gil_lab_api* api;

static napi_value fail(napi_env env, const char* message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* The sum of i * i mod 7 for i < n: enough arithmetic to time, the same answer in both modes. */
static int64_t work(int64_t from, int64_t to) {
  int64_t s = 0;
  for (int64_t i = from; i < to; i++) s += (i * i) % 7;
  return s;
}

static napi_value run(napi_env env, napi_callback_info info, int release) {
  size_t argc = 1;
  napi_value argv[1], out;
  int64_t n = 0, total = 0;
  if (api == NULL) return fail(env, "call init(extensionApi()) first");
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int64(env, argv[0], &n) != napi_ok || n < 0)
    return fail(env, "n must be a non-negative integer");
  void* interp = api->interpreter_main();
  if (api->held_by_current_thread(interp) != 1) return fail(env, "hold the interpreter lock first");
  if (release) api->release(interp); /* Py_BEGIN_ALLOW_THREADS */
  for (int64_t at = 0; at < n; at += 65536) {
    total += work(at, at + 65536 < n ? at + 65536 : n);
    if (!release && api->checkpoint(interp) < 0) return fail(env, "checkpoint failed");
  }
  if (release) api->acquire(interp); /* Py_END_ALLOW_THREADS */
  napi_create_int64(env, total, &out);
  return out;
}

static napi_value sum_hold(napi_env env, napi_callback_info info) { return run(env, info, 0); }
static napi_value sum_release(napi_env env, napi_callback_info info) { return run(env, info, 1); }

static napi_value init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value capsule;
  napi_get_cb_info(env, info, &argc, &capsule, NULL, NULL);
  api = argc == 1 ? gil_lab_import(env, capsule) : NULL;
  if (api == NULL) return fail(env, "init(capsule): not a gil-lab capsule of this API version");
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"init", NULL, init, NULL, NULL, NULL, napi_default, NULL},
      {"sumHold", NULL, sum_hold, NULL, NULL, NULL, napi_default, NULL},
      {"sumRelease", NULL, sum_release, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, props);
  return exports;
}
