#include "bitstream/npy_reader.h"

#include <cstring>
#include <limits>

#include "nwave/error.h"
#include "util/error_line.h"

namespace nwave::bitstream {

namespace {

// NumPy writes headers of well under 1 kB; a longer one is damage.
constexpr size_t kMaxHeaderBytes = 1 << 16;

[[noreturn]] void corrupt(const std::string& what, const std::string& reason) {
  throw Error(ErrorCode::kCorruptStream, what + ": not a readable .npy array (" + reason + ")");
}

// The value of `key` in the header dict, as the text up to its closing delimiter: "'<i2'", "False", "(5, 100)".
std::string dict_value(const std::string& dict, const std::string& key, const std::string& what) {
  const std::string quoted[] = {"'" + key + "'", "\"" + key + "\""};
  size_t at = std::string::npos;
  for (const std::string& q : quoted)
    if ((at = dict.find(q)) != std::string::npos) {
      at += q.size();
      break;
    }
  if (at == std::string::npos) corrupt(what, "no '" + key + "' in the header");
  while (at < dict.size() && (dict[at] == ' ' || dict[at] == ':')) ++at;
  if (at >= dict.size()) corrupt(what, "'" + key + "' has no value");
  if (dict[at] == '(') {
    const size_t end = dict.find(')', at);
    if (end == std::string::npos) corrupt(what, "unterminated shape");
    return dict.substr(at, end - at + 1);
  }
  if (dict[at] == '\'' || dict[at] == '"') {
    const size_t end = dict.find(dict[at], at + 1);
    if (end == std::string::npos) corrupt(what, "unterminated string");
    return dict.substr(at + 1, end - at - 1);
  }
  size_t end = at;
  while (end < dict.size() && dict[end] != ',' && dict[end] != '}') ++end;
  std::string value = dict.substr(at, end - at);
  while (!value.empty() && value.back() == ' ') value.pop_back();
  return value;
}

std::vector<size_t> parse_shape(const std::string& text, const std::string& what) {
  std::vector<size_t> shape;
  size_t at = 1;  // after '('
  while (at < text.size()) {
    while (at < text.size() && (text[at] == ' ' || text[at] == ',')) ++at;
    if (at >= text.size() || text[at] == ')') break;
    if (text[at] < '0' || text[at] > '9') corrupt(what, "bad shape " + quoted_excerpt(text));
    size_t dim = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      const size_t digit = static_cast<size_t>(text[at] - '0');
      if (dim > (std::numeric_limits<size_t>::max() - digit) / 10) corrupt(what, "shape too large");
      dim = dim * 10 + digit;
      ++at;
    }
    while (at < text.size() && text[at] == 'L') ++at;  // Python 2 longs
    shape.push_back(dim);
    if (shape.size() > 32) corrupt(what, "more than 32 dimensions");
  }
  return shape;
}

}  // namespace

NpyArray parse_npy(const uint8_t* bytes, size_t size, const std::string& what, size_t max_values) {
  if (size < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0) corrupt(what, "no .npy magic");
  const int major = bytes[6];
  size_t header_len = 0, prefix = 0;
  if (major == 1) {
    header_len = bytes[8] | (static_cast<size_t>(bytes[9]) << 8);
    prefix = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) corrupt(what, "truncated header");
    header_len = bytes[8] | (static_cast<size_t>(bytes[9]) << 8) | (static_cast<size_t>(bytes[10]) << 16) |
                 (static_cast<size_t>(bytes[11]) << 24);
    prefix = 12;
  } else {
    corrupt(what, "format version " + std::to_string(major));
  }
  if (header_len > kMaxHeaderBytes || header_len > size - prefix) corrupt(what, "truncated header");
  const std::string dict(reinterpret_cast<const char*>(bytes + prefix), header_len);

  const std::string descr = dict_value(dict, "descr", what);
  if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '>' && descr[0] != '|') ||
      (descr[1] != 'i' && descr[1] != 'u'))
    corrupt(what, "element type " + quoted_excerpt(descr) + " is not an integer type");
  const bool big_endian = descr[0] == '>';
  const bool is_signed = descr[1] == 'i';
  const std::string width = descr.substr(2);
  if (width != "1" && width != "2" && width != "4" && width != "8") corrupt(what, "element type " + quoted_excerpt(descr));
  const size_t item = static_cast<size_t>(width[0] - '0');

  const std::string order = dict_value(dict, "fortran_order", what);
  if (order != "False" && order != "True") corrupt(what, "fortran_order " + quoted_excerpt(order));
  const std::string shape_text = dict_value(dict, "shape", what);
  if (shape_text.empty() || shape_text[0] != '(') corrupt(what, "shape " + quoted_excerpt(shape_text));

  NpyArray array;
  array.shape = parse_shape(shape_text, what);
  size_t count = 1;
  for (size_t dim : array.shape) {
    if (dim != 0 && count > std::numeric_limits<size_t>::max() / dim) corrupt(what, "shape too large");
    count *= dim;
  }
  if (count > max_values)
    corrupt(what, std::to_string(count) + " values, more than the " + std::to_string(max_values) + " accepted");
  const size_t data_bytes = size - prefix - header_len;
  if (count > data_bytes / item || count * item != data_bytes)
    corrupt(what, "shape " + quoted_excerpt(shape_text) + " of " + quoted_excerpt(descr) + " needs " +
                      (count > data_bytes / item ? std::string("more bytes than") : std::to_string(count * item)) +
                      " the " + std::to_string(data_bytes) + " bytes of data");
  const uint8_t* data = bytes + prefix + header_len;
  std::vector<int64_t> values(count);
  for (size_t i = 0; i < count; ++i) {
    uint64_t v = 0;
    for (size_t b = 0; b < item; ++b) {
      const size_t at = big_endian ? b : item - 1 - b;  // most significant byte first
      v = (v << 8) | data[i * item + at];
    }
    if (is_signed && item < 8 && (v >> (8 * item - 1)) != 0) v |= ~uint64_t{0} << (8 * item);  // sign-extend
    values[i] = static_cast<int64_t>(v);
  }
  // Column-major on disk: reorder to C order (an empty array has nothing to reorder, however long its other side).
  if (order == "True" && array.shape.size() >= 2 && count > 0) {
    if (array.shape.size() != 2) corrupt(what, "Fortran order with more than 2 dimensions");
    const size_t rows = array.shape[0], cols = array.shape[1];
    array.values.resize(count);
    for (size_t r = 0; r < rows; ++r)
      for (size_t c = 0; c < cols; ++c) array.values[r * cols + c] = values[c * rows + r];
  } else {
    array.values = std::move(values);
  }
  return array;
}

}  // namespace nwave::bitstream
