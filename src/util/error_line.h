// One-line error messages: LibTorch's messages (and some others) span lines and carry backtraces, while nwave's
// errors are one line ("nwave: error: ...").
#pragma once
#include <c10/util/Exception.h>

#include <string>

namespace nwave {

inline std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

inline std::string torch_error_line(const c10::Error& e) { return first_line(e.what_without_backtrace()); }

}  // namespace nwave
