// LibTorch's exceptions as one-line messages (training side; the runtime never sees a c10::Error).
#pragma once
#include <c10/util/Exception.h>

#include <string>

#include "util/error_line.h"

namespace nwave {

inline std::string torch_error_line(const c10::Error& e) { return first_line(e.what_without_backtrace()); }

}  // namespace nwave
