// The zip container of NumPy's .npz files: np.savez writes stored members, np.savez_compressed deflated ones, and
// `nwave tokens OUT.npz` writes stored ones. Reading treats the bytes as untrusted: every offset and size is
// checked, every member's CRC-32 verified, and inflation bounded; anything wrong is an Error(kCorruptStream).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nwave::bitstream {

struct ZipMember {
  std::string name;
  std::vector<uint8_t> data;  // uncompressed
};

// Every member of a zip archive held in memory (stored or deflated; zip64 size fields understood). A member whose
// uncompressed size exceeds max_member_bytes is refused before it is inflated. `what` names the archive in messages.
std::vector<ZipMember> read_zip(const uint8_t* bytes, size_t size, const std::string& what, size_t max_member_bytes);

// A zip archive of the members, stored without compression (what np.savez writes). Throws Error(kBadArgument) for
// an archive that would need zip64 (a member of 4 GiB or more).
std::vector<uint8_t> write_zip(const std::vector<ZipMember>& members);

}  // namespace nwave::bitstream
