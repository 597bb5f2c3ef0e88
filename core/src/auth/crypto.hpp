#pragma once
// The few primitives keys and tokens need, over OpenSSL: HMAC-SHA256, random bytes, and
// base64url without padding (RFC 4648 §5) for putting binary values in keys, tokens and JSON.
#include <optional>
#include <string>
#include <string_view>

namespace siteseek::auth {

/// HMAC-SHA256(key, data): 32 bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);
/// `n` bytes from OpenSSL's CSPRNG; throws IoError when it cannot give them.
std::string random_bytes(std::size_t n);
/// base64url without padding.
std::string base64url_encode(std::string_view bytes);
/// The bytes of base64url text without padding; none for any other character, a length that
/// no encoding has (4n+1), or unused bits that are not zero (one encoding per value).
std::optional<std::string> base64url_decode(std::string_view text);
/// Lowercase hex.
std::string hex(std::string_view bytes);

}  // namespace siteseek::auth
