#pragma once
// ASCII text helpers the crawler's parsers share: header names and hosts lowercased, robots.txt
// fields and sitemap values trimmed.
#include <cctype>
#include <string>
#include <string_view>

namespace siteseek::detail {

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace siteseek::detail
