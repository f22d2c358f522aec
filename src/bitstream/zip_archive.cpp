#include "bitstream/zip_archive.h"

#include <zlib.h>

#include <limits>

#include "nwave/error.h"
#include "util/error_line.h"

namespace nwave::bitstream {

namespace {

constexpr uint32_t kLocalHeader = 0x04034b50, kCentralHeader = 0x02014b50, kEndOfDirectory = 0x06054b50;
constexpr uint16_t kStored = 0, kDeflated = 8;
constexpr uint16_t kZip64Extra = 0x0001;

uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t get32(const uint8_t* p) { return get16(p) | (static_cast<uint32_t>(get16(p + 2)) << 16); }
uint64_t get64(const uint8_t* p) { return get32(p) | (static_cast<uint64_t>(get32(p + 4)) << 32); }

void put16(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

uint32_t crc32_of(const std::vector<uint8_t>& data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  size_t done = 0;
  while (done < data.size()) {  // zlib takes uInt lengths
    const uInt n = static_cast<uInt>(std::min<size_t>(data.size() - done, 1u << 30));
    crc = crc32(crc, data.data() + done, n);
    done += n;
  }
  return static_cast<uint32_t>(crc);
}

class Reader {
 public:
  Reader(const uint8_t* bytes, size_t size, const std::string& what) : bytes_(bytes), size_(size), what_(what) {}

  [[noreturn]] void corrupt(const std::string& reason) const {
    throw Error(ErrorCode::kCorruptStream, what_ + ": not a readable .npz archive (" + reason + ")");
  }
  // A pointer to n bytes at offset, or an error if they are not all inside the archive.
  const uint8_t* at(uint64_t offset, uint64_t n) const {
    if (offset > size_ || n > size_ - offset) corrupt("an offset or size points outside the file");
    return bytes_ + offset;
  }
  size_t size() const { return size_; }

 private:
  const uint8_t* bytes_;
  size_t size_;
  std::string what_;
};

std::vector<uint8_t> inflate_member(const Reader& r, const uint8_t* in, uint64_t in_size, uint64_t out_size) {
  std::vector<uint8_t> out(static_cast<size_t>(out_size));
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) r.corrupt("cannot start inflating");
  z.next_in = const_cast<Bytef*>(in);
  z.next_out = out.data();
  uint64_t in_left = in_size, out_left = out_size;
  int rc = Z_OK;
  while (rc == Z_OK) {
    const uInt in_chunk = static_cast<uInt>(std::min<uint64_t>(in_left, 1u << 30));
    const uInt out_chunk = static_cast<uInt>(std::min<uint64_t>(out_left, 1u << 30));
    z.avail_in = in_chunk;
    z.avail_out = out_chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    in_left -= in_chunk - z.avail_in;
    out_left -= out_chunk - z.avail_out;
    if (rc == Z_OK && z.avail_in == in_chunk && z.avail_out == out_chunk) rc = Z_BUF_ERROR;  // no progress
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END || out_left != 0) r.corrupt("damaged deflate data");
  return out;
}

}  // namespace

std::vector<ZipMember> read_zip(const uint8_t* bytes, size_t size, const std::string& what, size_t max_member_bytes) {
  const Reader r(bytes, size, what);
  if (size < 22) r.corrupt("too short for a zip archive");
  // The end-of-directory record: the last one within the final 22 + 65535 bytes (a comment may follow it).
  size_t end = std::string::npos;
  for (size_t back = 22; back <= std::min<size_t>(size, 22 + 65535); ++back)
    if (get32(bytes + size - back) == kEndOfDirectory) {
      end = size - back;
      break;
    }
  if (end == std::string::npos) r.corrupt("no end-of-directory record");
  const uint16_t entries = get16(bytes + end + 10);
  uint64_t offset = get32(bytes + end + 16);
  std::vector<ZipMember> members;
  for (uint16_t e = 0; e < entries; ++e) {
    const uint8_t* h = r.at(offset, 46);
    if (get32(h) != kCentralHeader) r.corrupt("bad central directory entry");
    const uint16_t method = get16(h + 10);
    const uint32_t crc = get32(h + 16);
    uint64_t packed = get32(h + 20), unpacked = get32(h + 24);
    const uint16_t name_len = get16(h + 28), extra_len = get16(h + 30), comment_len = get16(h + 32);
    uint64_t local = get32(h + 42);
    const uint8_t* name = r.at(offset + 46, name_len);
    const uint8_t* extra = r.at(offset + 46 + name_len, extra_len);
    // zip64: the fields set to 0xFFFFFFFF are in the extra field, in this order.
    for (size_t x = 0; x + 4 <= extra_len;) {
      const uint16_t id = get16(extra + x), len = get16(extra + x + 2);
      if (x + 4 + len > extra_len) r.corrupt("bad extra field");
      if (id == kZip64Extra) {
        size_t y = x + 4;
        for (uint64_t* field : {&unpacked, &packed, &local}) {
          if (*field != 0xFFFFFFFFu) continue;
          if (y + 8 > x + 4 + len) r.corrupt("short zip64 field");
          *field = get64(extra + y);
          y += 8;
        }
      }
      x += 4 + len;
    }
    ZipMember member;
    member.name.assign(reinterpret_cast<const char*>(name), name_len);
    if (unpacked > max_member_bytes)
      r.corrupt("member " + quoted_excerpt(member.name) + " holds " + std::to_string(unpacked) + " bytes, more than the " +
                std::to_string(max_member_bytes) + " accepted");
    const uint8_t* lh = r.at(local, 30);
    if (get32(lh) != kLocalHeader) r.corrupt("bad local header of " + quoted_excerpt(member.name));
    const uint64_t data_at = local + 30 + get16(lh + 26) + get16(lh + 28);
    const uint8_t* data = r.at(data_at, packed);
    if (method == kStored) {
      if (packed != unpacked) r.corrupt("stored member " + quoted_excerpt(member.name) + " with two sizes");
      member.data.assign(data, data + packed);
    } else if (method == kDeflated) {
      // Deflate expands at most 1032-fold: a bigger claimed size is a lie, refused before it is allocated.
      if (unpacked / 1032 > packed + 1) r.corrupt("member " + quoted_excerpt(member.name) + " claims an impossible size");
      member.data = inflate_member(r, data, packed, unpacked);
    } else {
      r.corrupt("member " + quoted_excerpt(member.name) + " uses compression method " + std::to_string(method));
    }
    if (crc32_of(member.data) != crc) r.corrupt("CRC mismatch in " + quoted_excerpt(member.name));
    members.push_back(std::move(member));
    offset += 46 + static_cast<uint64_t>(name_len) + extra_len + comment_len;
  }
  return members;
}

std::vector<uint8_t> write_zip(const std::vector<ZipMember>& members) {
  std::vector<uint8_t> out, directory;
  if (members.size() > 0xFFFF) throw Error(ErrorCode::kBadArgument, "write_zip: too many members");
  for (const ZipMember& m : members) {
    if (m.data.size() >= 0xFFFFFFFFu || out.size() >= 0xFFFFFFFFu - m.data.size() || m.name.size() > 0xFFFF)
      throw Error(ErrorCode::kBadArgument, "write_zip: '" + m.name + "' is too large for a zip archive without zip64");
    const uint32_t crc = crc32_of(m.data), size = static_cast<uint32_t>(m.data.size());
    const uint32_t local = static_cast<uint32_t>(out.size());
    // Version 2.0, no flags, stored, time and date 0 (1980-01-01: reproducible files), CRC, sizes, name.
    put32(out, kLocalHeader);
    for (uint32_t v : {20u, 0u, 0u, 0u, 0u}) put16(out, v);
    put32(out, crc);
    put32(out, size);
    put32(out, size);
    put16(out, static_cast<uint32_t>(m.name.size()));
    put16(out, 0);
    out.insert(out.end(), m.name.begin(), m.name.end());
    out.insert(out.end(), m.data.begin(), m.data.end());

    put32(directory, kCentralHeader);
    for (uint32_t v : {20u, 20u, 0u, 0u, 0u, 0u}) put16(directory, v);
    put32(directory, crc);
    put32(directory, size);
    put32(directory, size);
    put16(directory, static_cast<uint32_t>(m.name.size()));
    for (uint32_t v : {0u, 0u, 0u, 0u}) put16(directory, v);  // extra, comment, disk, internal attributes
    put32(directory, 0);                                      // external attributes
    put32(directory, local);
    directory.insert(directory.end(), m.name.begin(), m.name.end());
  }
  if (out.size() > 0xFFFFFFFFu - directory.size())
    throw Error(ErrorCode::kBadArgument, "write_zip: the archive is too large without zip64");
  const uint32_t directory_at = static_cast<uint32_t>(out.size());
  out.insert(out.end(), directory.begin(), directory.end());
  put32(out, kEndOfDirectory);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint32_t>(members.size()));
  put16(out, static_cast<uint32_t>(members.size()));
  put32(out, static_cast<uint32_t>(directory.size()));
  put32(out, directory_at);
  put16(out, 0);
  return out;
}

}  // namespace nwave::bitstream
