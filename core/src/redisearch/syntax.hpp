#pragma once
// RediSearch query syntax shared by the commands (commands.cpp) and the curation rules written
// into them (curation.cpp): tokens, escaping, weights, URL tags. Internal to the redisearch module.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "search/curation_apply.hpp"
#include "siteseek/document.hpp"
#include "siteseek/redis.hpp"

namespace siteseek::redisearch {

inline std::string weight(double w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", std::max(w, 0.001));  // RediSearch wants a positive weight
  return buf;
}

// RediSearch splits text on punctuation and spaces; a word of ours becomes these tokens (the
// curation rules' synonyms are compiled into the same, detail::plain_words).
inline std::vector<std::string> tokens(std::string_view text) { return detail::plain_words(text); }

// Everything but letters and digits backslash-escaped: safe inside a TAG query.
inline std::string tag_escape(std::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if (!std::isalnum(c) && c < 0x80) out += '\\';
    out += static_cast<char>(c);
  }
  return out;
}

// Records by their URLs: a union of the `id` tag.
inline std::string url_union(const std::vector<std::string>& urls) {
  std::string q = "@id:{";
  for (std::size_t k = 0; k < urls.size(); ++k) q += (k ? "|" : "") + tag_escape(urls[k]);
  return q + "}";
}

inline std::string lowercase_words(std::string_view text) {
  std::string out;
  for (const auto& t : tokens(text)) out += (out.empty() ? "" : " ") + t;
  return out;
}

inline std::string page_of(const std::string& url) { return std::string(siteseek::page_of(url)); }

inline long long integer_of(const RedisReply& r) {
  if (r.type == RedisReply::Type::integer) return r.integer;
  return std::strtoll(r.str.c_str(), nullptr, 10);
}

inline std::uint64_t count_of(const RedisReply& r) { return static_cast<std::uint64_t>(std::max<long long>(0, integer_of(r))); }

}  // namespace siteseek::redisearch
