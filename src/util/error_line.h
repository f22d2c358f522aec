// One-line error messages: some messages (LibTorch's among them, see torch_error_line.h) span lines and carry
// backtraces, while nwave's errors are one line ("nwave: error: ...").
#pragma once
#include <string>

namespace nwave {

inline std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

// Text taken from an untrusted file (a header field, a name) for a one-line message: quoted, at most 40
// characters, anything unprintable (a newline, binary) as '?'.
inline std::string quoted_excerpt(const std::string& text) {
  std::string out = text.substr(0, 40);
  for (char& c : out)
    if (c < 0x20 || c > 0x7e) c = '?';
  return "'" + out + (text.size() > 40 ? "...'" : "'");
}

}  // namespace nwave
