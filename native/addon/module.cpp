// Addon entry point. Each area exposes Register<Area>(env, exports) from its own file in
// native/addon/; add one declaration and one call here per area.
#include <napi.h>

void RegisterLifecycle(Napi::Env env, Napi::Object exports);
void RegisterPlatform(Napi::Env env, Napi::Object exports);
void RegisterInterpreter(Napi::Env env, Napi::Object exports);
void RegisterSharedMemory(Napi::Env env, Napi::Object exports);
void RegisterKernels(Napi::Env env, Napi::Object exports);
void RegisterExtensionApi(Napi::Env env, Napi::Object exports);
void RegisterScheduling(Napi::Env env, Napi::Object exports);
void RegisterIoChannel(Napi::Env env, Napi::Object exports);
void RegisterOsThread(Napi::Env env, Napi::Object exports);

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  RegisterLifecycle(env, exports);  // first: the others' async work needs it
  RegisterPlatform(env, exports);
  RegisterInterpreter(env, exports);
  RegisterSharedMemory(env, exports);
  RegisterKernels(env, exports);
  RegisterExtensionApi(env, exports);
  RegisterScheduling(env, exports);
  RegisterIoChannel(env, exports);
  RegisterOsThread(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(gil_lab, Init)
