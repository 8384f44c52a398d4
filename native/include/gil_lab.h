/*
 * gil_lab.h: the C extension API of gil-lab's interpreter lock.
 *
 * A native addon built against this header alone (no gil-lab sources, no link-time dependency)
 * holds and releases the same process-wide interpreter locks that gil-lab's `Interpreter` uses,
 * the way a CPython extension is written against Python.h. The table of functions travels from
 * gil-lab to the addon at run time inside a "capsule": the Node-API External that gil-lab's
 * `extensionApi()` returns, type-tagged so that nothing else is mistaken for it (the analogue of
 * PyCapsule_Import, as numpy's import_array() uses it).
 *
 *   JavaScript:  myAddon.init(extensionApi());                 // from 'gil-lab'
 *   C:           const gil_lab_api* api = gil_lab_import(env, capsuleArgument);
 *                if (api == NULL) { throw: "not a gil-lab capsule, or another API version" }
 *                void* interp = api->interpreter_current();   // the lock this thread's tasks use
 *                api->acquire(interp); ... api->checkpoint(interp) ... api->release(interp);
 *                if (gil_lab_abort_requested(api->current_abort_flag())) { stop early }
 *
 * Every function may be called from any thread. The lock belongs to the calling OS thread:
 * acquire() on the main JS thread blocks its event loop while it waits, so call it from worker
 * threads (or a thread of your own). An `interp` handle is opaque (not a pointer to dereference)
 * and may be cached; one that is not a live interpreter's is reported with
 * GIL_LAB_ERR_NO_INTERPRETER, never a crash. Handles are never reused: the handle of a destroyed
 * interpreter stays invalid even after other interpreters are created. Errors are negative codes;
 * turn them into text with error_message(). See gil_lab.hpp for C++ RAII guards.
 *
 * Versioning: since version 2 the table only grows: a table of version N has every field of the
 * versions before it, in the same place, with the same meaning, so gil_lab_import() accepts a table
 * of this header's version or later (version 2 added interpreter_current and current_abort_flag).
 * Addons built against the version-1 header (whose import wanted exactly version 1) get a table of
 * version 1 from `extensionApi(1)` in JavaScript.
 */
#ifndef GIL_LAB_H
#define GIL_LAB_H

#include <stdint.h>

/* napi_check_object_type_tag is Node-API 8. */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#if NAPI_VERSION < 8
#error "gil_lab.h needs NAPI_VERSION >= 8 (napi_check_object_type_tag)"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define GIL_LAB_API_VERSION 2u

/* The type tag gil-lab puts on its capsule (napi_type_tag_object). */
#define GIL_LAB_API_TYPE_TAG_LOWER 0x3e64549b410f4edfull
#define GIL_LAB_API_TYPE_TAG_UPPER 0xe98c69414175e54full

/* Result codes: 0 is success, errors are negative (checkpoint() returns 1 when it yielded). */
#define GIL_LAB_OK 0
#define GIL_LAB_ERR_NOT_HELD (-1)       /* release/checkpoint by a thread that does not hold it */
#define GIL_LAB_ERR_ALREADY_HELD (-2)   /* acquire by the thread that already holds it */
#define GIL_LAB_ERR_NO_INTERPRETER (-3) /* not a live interpreter (bad pointer, destroyed) */
#define GIL_LAB_ERR_BUSY (-4)
#define GIL_LAB_ERR_INVALID_ARGUMENT (-5)
#define GIL_LAB_ERR_SHUTDOWN (-6) /* acquire: the process is exiting; the lock was not taken */

typedef struct gil_lab_api {
  uint32_t version; /* GIL_LAB_API_VERSION */
  /* The process-wide main interpreter (id 0): the GIL every thread shares. Never NULL. */
  void* (*interpreter_main)(void);
  /* The interpreter with this id (see Interpreter#id), or NULL if there is none. */
  void* (*interpreter_by_id)(uint32_t id);
  /* take_gil: blocks until the calling thread holds the lock. 0 on success, else an error code. */
  int (*acquire)(void* interp);
  /* drop_gil: GIL_LAB_ERR_NOT_HELD unless the calling thread holds the lock. */
  int (*release)(void* interp);
  /* The eval-breaker check, for the loop of a long computation that holds the lock: if another
   * thread asked for the lock, let it in and take the lock back. 1 if it yielded, 0 if not, < 0 on
   * error. The fast path is one atomic load: call it every few tens of microseconds of work. */
  int (*checkpoint)(void* interp);
  /* 1 if the calling thread holds the lock, 0 if not, < 0 on error. */
  int (*held_by_current_thread)(void* interp);
  /* A static, human-readable message for a result code. Never NULL. */
  const char* (*error_message)(int code);

  /* --- version 2 --- */
  /* The calling thread's current interpreter (PyInterpreterState_Get): the one its executor worker
   * runs tasks under (Interpreter.setThreadDefault in JavaScript), or the main interpreter on a
   * thread that set none — the main JavaScript thread, the libuv pool, a thread of your own. Ask on
   * the JavaScript thread and hand the handle to the thread that does the work. Never NULL. */
  void* (*interpreter_current)(void);
  /* The abort flag of the executor task the calling JavaScript thread is running now: nonzero once
   * Future.abort() (or the submission's AbortSignal) asked it to stop. NULL outside a task. The
   * cell stays readable from any thread until that task has finished (an asynchronous task: until
   * its Promise settles). Poll it between slices with gil_lab_abort_requested(). */
  const int32_t* (*current_abort_flag)(void);
} gil_lab_api;

/* Whether an abort flag (from current_abort_flag(), or an Int32Array's first element) asks to stop;
 * 0 for NULL. The flag carries no data, so a relaxed load suffices. */
static inline int gil_lab_abort_requested(const int32_t* flag) {
  if (flag == NULL) return 0;
#if defined(__GNUC__) || defined(__clang__)
  return __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
#else
  return *(const volatile int32_t*)flag != 0;
#endif
}

/* The table inside `capsule`, or NULL if `capsule` is not a gil-lab extension API capsule (not an
 * External, not tagged by gil-lab) or carries a table older than this header's version. Leaves no
 * exception pending: the caller decides how to report NULL. */
static inline const gil_lab_api* gil_lab_import(napi_env env, napi_value capsule) {
  static const napi_type_tag kTag = {GIL_LAB_API_TYPE_TAG_LOWER, GIL_LAB_API_TYPE_TAG_UPPER};
  napi_valuetype type;
  bool tagged = false;
  void* data = NULL;
  const gil_lab_api* api;
  if (env == NULL || capsule == NULL) return NULL;
  if (napi_typeof(env, capsule, &type) != napi_ok || type != napi_external) return NULL;
  if (napi_check_object_type_tag(env, capsule, &kTag, &tagged) != napi_ok || !tagged) return NULL;
  if (napi_get_value_external(env, capsule, &data) != napi_ok || data == NULL) return NULL;
  api = (const gil_lab_api*)data;
  if (api->version < GIL_LAB_API_VERSION) return NULL;
  return api;
}

#ifdef __cplusplus
}
#endif

#endif /* GIL_LAB_H */
