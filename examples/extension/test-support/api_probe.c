/*
 * A test fixture, in plain C (C99) to show that gil_lab.h is a C header: it forges values that
 * are NOT gil-lab capsules, to check that gil_lab_import() refuses them, and calls the table with
 * pointers that are not interpreters, to check that they give error codes and never crash.
 * It also walks through lock misuse (release without holding, acquire twice) to check the codes.
 * Built beside the example (binding.gyp target "api_probe"); not part of the example itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gil_lab.h"

/* A table older than this header's version (it lacks the fields this header reads). */
static gil_lab_api wrong_version_table;
/* Something to point at that is not an interpreter. */
static int not_an_interpreter;

#define CHECK_STATUS(call)                                        \
  do {                                                            \
    if ((call) != napi_ok) {                                      \
      napi_throw_error(env, NULL, "api_probe: " #call " failed"); \
      return NULL;                                                \
    }                                                             \
  } while (0)

static napi_value arg0(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {NULL};
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  return argv[0];
}

/* forge(kind): 'untagged' an External with no type tag; 'other-tag' an External tagged by someone
 * else; 'wrong-version' gil-lab's tag on a table of version GIL_LAB_API_VERSION - 1. */
static napi_value Forge(napi_env env, napi_callback_info info) {
  static const napi_type_tag kOtherTag = {0x0123456789abcdefull, 0xfedcba9876543210ull};
  static const napi_type_tag kGilLabTag = {GIL_LAB_API_TYPE_TAG_LOWER, GIL_LAB_API_TYPE_TAG_UPPER};
  char kind[32] = {0};
  size_t len = 0;
  napi_value kindValue = arg0(env, info);
  napi_value external;
  if (kindValue == NULL ||
      napi_get_value_string_utf8(env, kindValue, kind, sizeof kind, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "kind must be a string");
    return NULL;
  }
  wrong_version_table.version = GIL_LAB_API_VERSION - 1;
  CHECK_STATUS(napi_create_external(env, &wrong_version_table, NULL, NULL, &external));
  if (strcmp(kind, "untagged") == 0) return external;
  if (strcmp(kind, "other-tag") == 0) {
    CHECK_STATUS(napi_type_tag_object(env, external, &kOtherTag));
    return external;
  }
  if (strcmp(kind, "wrong-version") == 0) {
    CHECK_STATUS(napi_type_tag_object(env, external, &kGilLabTag));
    return external;
  }
  napi_throw_range_error(env, NULL, "kind must be 'untagged', 'other-tag' or 'wrong-version'");
  return NULL;
}

/* imports(value): whether gil_lab_import() accepts the value. */
static napi_value Imports(napi_env env, napi_callback_info info) {
  napi_value value = arg0(env, info);
  napi_value result;
  if (value == NULL) {
    napi_throw_type_error(env, NULL, "value is required");
    return NULL;
  }
  CHECK_STATUS(napi_get_boolean(env, gil_lab_import(env, value) != NULL, &result));
  return result;
}

/* importsAsV1(value): what gil_lab_import() of the version-1 header (exactly version 1, same tag)
 * answers — an addon built before version 2 — and, if it accepts, whether the table works:
 * { imports, mainHeld } (held_by_current_thread on the main interpreter through that table). */
static napi_value ImportsAsV1(napi_env env, napi_callback_info info) {
  static const napi_type_tag kTag = {GIL_LAB_API_TYPE_TAG_LOWER, GIL_LAB_API_TYPE_TAG_UPPER};
  napi_value value = arg0(env, info);
  napi_valuetype type;
  bool tagged = false;
  void* data = NULL;
  const gil_lab_api* api = NULL;
  napi_value out, flag;
  if (value == NULL) {
    napi_throw_type_error(env, NULL, "value is required");
    return NULL;
  }
  if (napi_typeof(env, value, &type) == napi_ok && type == napi_external &&
      napi_check_object_type_tag(env, value, &kTag, &tagged) == napi_ok && tagged &&
      napi_get_value_external(env, value, &data) == napi_ok && data != NULL &&
      ((const gil_lab_api*)data)->version == 1) {
    api = (const gil_lab_api*)data;
  }
  CHECK_STATUS(napi_create_object(env, &out));
  CHECK_STATUS(napi_get_boolean(env, api != NULL, &flag));
  CHECK_STATUS(napi_set_named_property(env, out, "imports", flag));
  if (api != NULL) {
    CHECK_STATUS(napi_get_boolean(env, api->held_by_current_thread(api->interpreter_main()) == 1,
                                  &flag));
    CHECK_STATUS(napi_set_named_property(env, out, "mainHeld", flag));
  }
  return out;
}

/* currentIsMain(capsule): whether interpreter_current() on this thread is the main interpreter,
 * and whether current_abort_flag() is NULL here: { currentIsMain, abortFlagIsNull }. */
static napi_value Current(napi_env env, napi_callback_info info) {
  const gil_lab_api* api = gil_lab_import(env, arg0(env, info));
  napi_value out, flag;
  if (api == NULL) {
    napi_throw_type_error(env, NULL, "capsule is not a gil-lab extension API capsule");
    return NULL;
  }
  CHECK_STATUS(napi_create_object(env, &out));
  CHECK_STATUS(napi_get_boolean(env, api->interpreter_current() == api->interpreter_main(), &flag));
  CHECK_STATUS(napi_set_named_property(env, out, "currentIsMain", flag));
  CHECK_STATUS(napi_get_boolean(env, api->current_abort_flag() == NULL, &flag));
  CHECK_STATUS(napi_set_named_property(env, out, "abortFlagIsNull", flag));
  return out;
}

static void set_int(napi_env env, napi_value obj, const char* key, int value) {
  napi_value v;
  if (napi_create_int32(env, value, &v) == napi_ok) napi_set_named_property(env, obj, key, v);
}

static void set_string(napi_env env, napi_value obj, const char* key, const char* value) {
  napi_value v;
  if (napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v) == napi_ok) {
    napi_set_named_property(env, obj, key, v);
  }
}

/* bogusPointers(capsule): every table function called with pointers that are not interpreters
 * (NULL, a static int, the table itself, an odd address) and with an unknown id. Returns
 * { acquire, release, checkpoint, held, byIdIsNull, message } where each code is the same for
 * all the pointers, or throws if they disagree. */
static napi_value BogusPointers(napi_env env, napi_callback_info info) {
  const gil_lab_api* api = gil_lab_import(env, arg0(env, info));
  void* bogus[4];
  int codes[4] = {0, 0, 0, 0};
  size_t i;
  napi_value out;
  if (api == NULL) {
    napi_throw_type_error(env, NULL, "capsule is not a gil-lab extension API capsule");
    return NULL;
  }
  bogus[0] = NULL;
  bogus[1] = &not_an_interpreter;
  bogus[2] = (void*)api;
  bogus[3] = (void*)(uintptr_t)0x10001;
  for (i = 0; i < 4; i++) {
    int c[4];
    c[0] = api->acquire(bogus[i]);
    c[1] = api->release(bogus[i]);
    c[2] = api->checkpoint(bogus[i]);
    c[3] = api->held_by_current_thread(bogus[i]);
    if (i == 0) {
      codes[0] = c[0], codes[1] = c[1], codes[2] = c[2], codes[3] = c[3];
    } else if (c[0] != codes[0] || c[1] != codes[1] || c[2] != codes[2] || c[3] != codes[3]) {
      napi_throw_error(env, NULL, "bogus pointers gave different codes");
      return NULL;
    }
  }
  CHECK_STATUS(napi_create_object(env, &out));
  set_int(env, out, "acquire", codes[0]);
  set_int(env, out, "release", codes[1]);
  set_int(env, out, "checkpoint", codes[2]);
  set_int(env, out, "held", codes[3]);
  set_int(env, out, "byIdIsNull", api->interpreter_by_id(0xffffffffu) == NULL);
  set_int(env, out, "mainIsNull", api->interpreter_main() == NULL);
  set_string(env, out, "message", api->error_message(codes[0]));
  return out;
}

/* misuse(capsule): lock misuse through the table on the main interpreter, from this thread (the
 * lock must be free): each step's result code, in order. Leaves the lock released. */
static napi_value Misuse(napi_env env, napi_callback_info info) {
  const gil_lab_api* api = gil_lab_import(env, arg0(env, info));
  void* interp;
  napi_value out;
  if (api == NULL) {
    napi_throw_type_error(env, NULL, "capsule is not a gil-lab extension API capsule");
    return NULL;
  }
  interp = api->interpreter_main();
  CHECK_STATUS(napi_create_object(env, &out));
  set_int(env, out, "releaseUnheld", api->release(interp));
  set_int(env, out, "checkpointUnheld", api->checkpoint(interp));
  set_int(env, out, "heldBefore", api->held_by_current_thread(interp));
  set_int(env, out, "acquire", api->acquire(interp));
  set_int(env, out, "heldWhileHeld", api->held_by_current_thread(interp));
  set_int(env, out, "acquireAgain", api->acquire(interp));
  set_int(env, out, "checkpointHeld", api->checkpoint(interp));
  set_int(env, out, "release", api->release(interp));
  set_int(env, out, "heldAfter", api->held_by_current_thread(interp));
  set_string(env, out, "notHeldMessage", api->error_message(GIL_LAB_ERR_NOT_HELD));
  set_string(env, out, "alreadyHeldMessage", api->error_message(GIL_LAB_ERR_ALREADY_HELD));
  return out;
}

static napi_value ModuleInit(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"forge", NULL, Forge, NULL, NULL, NULL, napi_enumerable, NULL},
      {"imports", NULL, Imports, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bogusPointers", NULL, BogusPointers, NULL, NULL, NULL, napi_enumerable, NULL},
      {"misuse", NULL, Misuse, NULL, NULL, NULL, napi_enumerable, NULL},
      {"importsAsV1", NULL, ImportsAsV1, NULL, NULL, NULL, napi_enumerable, NULL},
      {"current", NULL, Current, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, ModuleInit)
