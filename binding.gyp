# node-gyp build of the addon. Sources come from native/sources.json (shared with CMakeLists.txt);
# the flags here must match the ones CMakeLists.txt sets.
{
  "targets": [
    {
      "target_name": "gil_lab",
      "sources": [
        "<!@(node -p \"const s = require('./native/sources.json'); [...s.core, ...s.addon].join(' ')\")"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native/core"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "GIL_LAB_VERSION=\"<!(node -p \"require('./package.json').version\")\""
      ],
      "cflags!": ["-fno-exceptions", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags": ["-O3", "-Wall", "-Wextra", "-pthread"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "10.15",
        "OTHER_CFLAGS": ["-O3", "-Wall", "-Wextra"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] }
      }
    }
  ]
}
