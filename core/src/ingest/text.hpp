#pragma once
// Helpers shared by the HTML extractor and the directory walker.
#include <cstdint>
#include <string>
#include <string_view>

#include "siteseek/document.hpp"

namespace siteseek::ingest_detail {

/// The input as UTF-8: converted from `charset` (from HTTP, else <meta charset>, else UTF-8);
/// invalid sequences become U+FFFD.
std::string to_utf8(std::string_view html, std::string charset);
/// `s` with ASCII letters in lower case (HTML names, attribute values, language tags).
std::string lower(std::string_view s);
/// 64-bit FNV-1a.
std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ull);
/// A document's content hash (Document::content_hash): of every field that is indexed.
std::uint64_t hash_document(const Document& d);
/// The first path segment of `url` below `root` ("library" for root/library/os.html).
std::string section_key(const std::string& url, const std::string& root);
/// `s` with every byte that is neither alphanumeric nor in `safe` written as %XX (UTF-8 bytes
/// one by one); with `keep_escapes`, a % that already starts one stays as it is.
std::string percent_encode(std::string_view s, std::string_view safe, bool keep_escapes);

}  // namespace siteseek::ingest_detail
