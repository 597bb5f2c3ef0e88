#pragma once
// A double as people and JSON write it: the shortest text that reads back as the same value
// ("0.5", "3", "1e-07"), not Boost.JSON 1.81's "5E-1"; "null" for NaN and infinities (JSON has
// neither). Shared by the JSON writer and the texts that quote a number (explain's effects).
#include <charconv>
#include <cmath>
#include <string>

namespace siteseek::detail {

inline void append_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, r.ptr);
}

inline std::string number_text(double d) {
  std::string out;
  append_number(out, d);
  return out;
}

}  // namespace siteseek::detail
