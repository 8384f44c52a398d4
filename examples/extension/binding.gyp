# The example extension, built with node-gyp against gil-lab's public header only: the include
# path is native/include of the installed gil-lab package (node_modules/gil-lab), and nothing of
# gil-lab is compiled or linked in — the function table arrives at run time in the capsule.
{
  "variables": {
    "gil_lab_include_dir": "<!(node -p \"require('path').join(require('path').dirname(require.resolve('gil-lab/package.json')), 'native', 'include')\")"
  },
  "target_defaults": {
    "include_dirs": ["<(gil_lab_include_dir)"],
    "defines": ["NAPI_VERSION=8"],
    "cflags": ["-O3", "-Wall", "-Wextra", "-pthread"],
    "ldflags": ["-pthread"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "MACOSX_DEPLOYMENT_TARGET": "10.15"
    },
    "msvs_settings": {
      "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] }
    }
  },
  "targets": [
    {
      "target_name": "collatz",
      "sources": ["src/collatz.cc"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions"]
    },
    {
      # A test fixture in plain C: forged capsules and bogus interpreter pointers.
      "target_name": "api_probe",
      "sources": ["test-support/api_probe.c"],
      "cflags_c": ["-std=c99", "-pedantic"]
    }
  ]
}
