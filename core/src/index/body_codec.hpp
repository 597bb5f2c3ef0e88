#pragma once
// Decompression of an index's compressed bodies (bodies.cpp, Index::Data::compress_bodies).
#include <cstddef>
#include <string_view>

struct ZSTD_DDict_s;

namespace siteseek {

/// The bodies' zstd dictionary, ready to decompress blocks with (read-only: shared by threads).
struct BodyCodec {
  explicit BodyCodec(std::string_view dictionary);  ///< empty: blocks compressed without one
  ~BodyCodec();
  BodyCodec(const BodyCodec&) = delete;
  BodyCodec& operator=(const BodyCodec&) = delete;
  /// Decompresses one block into `out`; its size, or std::string::npos when it is not a block.
  std::size_t decompress(std::string_view block, char* out, std::size_t capacity) const;
  ZSTD_DDict_s* dict = nullptr;
};

}  // namespace siteseek
