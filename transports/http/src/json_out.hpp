#pragma once
// JSON helpers for responses on the hot path (no intermediate DOM).
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "siteseek/search.hpp"

namespace siteseek::http {

inline void json_string(std::string& out, std::string_view s) { append_json_string(out, s); }
inline void json_number(std::string& out, std::uint64_t v) { out += std::to_string(v); }

}  // namespace siteseek::http
