// One-line error messages: some messages (LibTorch's among them, see torch_error_line.h) span lines and carry
// backtraces, while nwave's errors are one line ("nwave: error: ...").
#pragma once
#include <string>

namespace nwave {

inline std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

}  // namespace nwave
