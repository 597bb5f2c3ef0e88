// The wire form of a search response, written directly (no DOM): it is on every transport's
// hot path.
#include <cstdio>
#include <cstring>

#include "search/response_json.hpp"

namespace siteseek {

namespace {

// Length of the valid UTF-8 sequence at s[i] (lead byte >= 0x80), or 0 when it is not one
// (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, cut short).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) { return at(k) >= lo && at(k) <= hi; };
  const unsigned c = at(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    // Eight bytes at a time while none needs a look: no control byte, quote, backslash or
    // non-ASCII byte (the bit tricks of "Bit Twiddling Hacks": a zero byte test per class).
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    constexpr auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    while (i + 8 <= s.size()) {
      std::uint64_t x;
      std::memcpy(&x, s.data() + i, 8);
      const std::uint64_t below_space = (x - ones * 0x20) & ~x & highs;
      if ((below_space | has_zero(x ^ (ones * '"')) | has_zero(x ^ (ones * '\\')) | (x & highs)) != 0) break;
      i += 8;
    }
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // JSON text is UTF-8: a byte that is not part of a valid sequence becomes U+FFFD, so an
      // echoed parameter can never make the document unreadable.
      if (std::size_t n = utf8_length(s, i)) {
        i += n - 1;
        continue;
      }
      out.append(s.data() + run, i - run);
      run = i + 1;
      out += "\\ufffd";
      continue;
    }
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

namespace {

void append_rule_effects(std::string& out, const std::vector<RuleEffect>& rules) {
  out += '[';
  for (std::size_t k = 0; k < rules.size(); ++k) {
    out += k ? ",{\"id\":" : "{\"id\":";
    append_json_string(out, rules[k].id);
    out += ",\"kind\":";
    append_json_string(out, rules[k].kind);
    out += ",\"effect\":";
    append_json_string(out, rules[k].effect);
    out += '}';
  }
  out += ']';
}

}  // namespace

void append_json(std::string& out, const SearchResponse& res) {
  append_json_head(out, res);
  append_json_tail(out, res.took_ms, res.relaxed, res.out_of_time);
}

void append_json_head(std::string& out, const SearchResponse& res) {
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
    if (!r.site.empty()) {
      out += ",\"site\":";
      append_json_string(out, r.site);
    }
    if (r.sub_results) {
      out += ",\"sub_results\":[";
      for (std::size_t k = 0; k < r.sub_results->size(); ++k) {
        const auto& sub = (*r.sub_results)[k];
        out += k ? ",{\"title\":" : "{\"title\":";
        append_json_string(out, sub.title);
        out += ",\"url\":";
        append_json_string(out, sub.url);
        out += ",\"body\":";
        append_json_string(out, sub.body);
        out += '}';
      }
      out += ']';
    }
    if (res.explain) {
      out += ",\"rules\":";
      append_rule_effects(out, r.rules);
    }
    out += '}';
  }
  out += ']';
  if (!res.facets.empty()) {
    out += ",\"facets\":{";
    for (std::size_t f = 0; f < res.facets.size(); ++f) {
      const auto& facet = res.facets[f];
      if (f) out += ',';
      append_json_string(out, facet.name);
      out += ":{\"values\":[";
      for (std::size_t k = 0; k < facet.values.size(); ++k) {
        out += k ? ",{\"value\":" : "{\"value\":";
        append_json_string(out, facet.values[k].value);
        out += ",\"count\":" + std::to_string(facet.values[k].count) + '}';
      }
      out += ']';
      if (facet.more) out += ",\"more\":" + std::to_string(facet.more);
      out += '}';
    }
    out += '}';
  }
  if (!res.context.empty()) {
    out += ",\"context\":[";
    for (std::size_t k = 0; k < res.context.size(); ++k) {
      out += k ? ",{\"name\":" : "{\"name\":";
      append_json_string(out, res.context[k].name);
      out += ",\"value\":";
      append_json_string(out, res.context[k].value);
      out += '}';
    }
    out += ']';
  }
  if (res.explain) {
    out += ",\"explain\":{\"query\":";
    append_json_string(out, res.explain->query);
    out += ",\"optional_words\":[";
    for (std::size_t k = 0; k < res.explain->optional_words.size(); ++k) {
      if (k) out += ',';
      append_json_string(out, res.explain->optional_words[k]);
    }
    out += "],\"rules\":";
    append_rule_effects(out, res.explain->rules);
    out += ",\"related\":[";
    for (std::size_t k = 0; k < res.explain->related.size(); ++k) {
      out += k ? ",{\"word\":" : "{\"word\":";
      append_json_string(out, res.explain->related[k].word);
      out += ",\"related\":";
      append_json_string(out, res.explain->related[k].related);
      out += '}';
    }
    out += "]}";
  }
}

void append_json_tail(std::string& out, double took_ms, bool relaxed, bool out_of_time) {
  out += ",\"took_ms\":";
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%.3f", took_ms);
  out.append(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  if (out_of_time) out += ",\"out_of_time\":true";
  if (relaxed) out += ",\"relaxed\":true";
  out += '}';
}

}  // namespace siteseek
