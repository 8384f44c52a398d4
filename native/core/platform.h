// Facts about the machine and the build, in pure C++ (no Node headers).
#pragma once

#include <string>

namespace gil {

// Number of hardware threads; never less than 1.
unsigned hardwareConcurrency();

// The gil-lab version this core was built as (the "version" field of package.json).
std::string version();

}  // namespace gil
