// The wire form of a search response, written directly (no DOM): it is on every transport's
// hot path.
#include <cstdio>

#include "siteseek/search.hpp"

namespace siteseek {

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void append_json(std::string& out, const SearchResponse& res) {
  out += "{\"total\":";
  out += std::to_string(res.total);
  out += ",\"results\":[";
  for (std::size_t i = 0; i < res.results.size(); ++i) {
    const auto& r = res.results[i];
    out += i ? ",{\"title\":" : "{\"title\":";
    append_json_string(out, r.title);
    out += ",\"section_title\":";
    append_json_string(out, r.section_title);
    out += ",\"hierarchy\":[";
    for (std::size_t h = 0; h < r.hierarchy.size(); ++h) {
      if (h) out += ',';
      append_json_string(out, r.hierarchy[h]);
    }
    out += "],\"body\":";
    append_json_string(out, r.body);
    out += ",\"url\":";
    append_json_string(out, r.url);
    out += '}';
  }
  out += "],\"took_ms\":";
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%.3f", res.took_ms);
  out.append(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  if (res.relaxed) out += ",\"relaxed\":true";
  out += '}';
}

}  // namespace siteseek
