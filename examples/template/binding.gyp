# A complete binding.gyp for an addon written against gil-lab's header: the include path is
# native/include of the installed gil-lab package. C++ sources using gil_lab.hpp need exceptions,
# hence the cflags_cc lines (node-gyp turns them off by default).
{
  "targets": [
    {
      "target_name": "template",
      "sources": ["src/template.c"],
      "include_dirs": [
        "<!(node -p \"require('path').join(require('path').dirname(require.resolve('gil-lab/package.json')), 'native', 'include')\")"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "cflags_c": ["-std=c99"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "CLANG_CXX_LANGUAGE_STANDARD": "c++17" },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1 } }
    }
  ]
}
