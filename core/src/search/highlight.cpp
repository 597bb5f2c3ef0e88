#include "search/highlight.hpp"

#include <algorithm>

#include "index/index_data.hpp"

namespace siteseek::detail {

namespace {

bool matches(const Token& t, const HighlightMatcher& m) {
  for (const auto& s : m.terms)
    if (t.term == s) return true;
  if (t.kind == TokenKind::word || t.kind == TokenKind::part)
    for (const auto& s : m.stems)
      if (!t.stem.empty() && t.stem == s) return true;
  for (const auto& p : m.prefixes)
    if (t.term.size() >= p.size() && std::string_view(t.term).substr(0, p.size()) == p) return true;
  return false;
}

// Byte spans [begin, end) of matched tokens inside [from, to), merged when they overlap.
std::vector<std::pair<std::size_t, std::size_t>> matched_spans(const std::vector<Token>& tokens,
                                                               const HighlightMatcher& m, std::size_t base,
                                                               std::size_t from, std::size_t to) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const auto& t : tokens) {
    std::size_t b = base + t.offset, e = b + t.length;
    if (b < from || e > to || t.length == 0) continue;
    if (matches(t, m)) spans.emplace_back(b, e);
  }
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<std::size_t, std::size_t>> merged;
  for (const auto& s : spans) {
    if (!merged.empty() && s.first < merged.back().second) merged.back().second = std::max(merged.back().second, s.second);
    else merged.push_back(s);
  }
  return merged;
}

void render(std::string_view text, std::size_t from, std::size_t to,
            const std::vector<std::pair<std::size_t, std::size_t>>& spans, const HighlightOptions& o, std::string& out) {
  std::size_t at = from;
  for (const auto& [b, e] : spans) {
    html_escape(text.substr(at, b - at), out);
    out += o.pre_tag;
    html_escape(text.substr(b, e - b), out);
    out += o.post_tag;
    at = e;
  }
  html_escape(text.substr(at, to - at), out);
}

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Cut at `limit` bytes, back to the last space when there is one in the second half.
std::size_t cut_at_word(std::string_view text, std::size_t from, std::size_t limit) {
  if (text.size() - from <= limit) return text.size();
  std::size_t end = from + limit;
  auto space = text.rfind(' ', end);
  if (space != std::string_view::npos && space > from + limit / 2) return space;
  while (end > from && is_utf8_continuation(text[end])) --end;
  return end;
}

}  // namespace

void html_escape(std::string_view text, std::string& out) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

std::string highlight_text(const Analyzer& analyzer, std::string_view text, const HighlightMatcher& matcher,
                           const HighlightOptions& options) {
  std::string out;
  out.reserve(text.size() + 16);
  auto tokens = analyzer.analyze(text);
  render(text, 0, text.size(), matched_spans(tokens, matcher, 0, 0, text.size()), options, out);
  return out;
}

std::string body_snippet(const Index& index, std::uint32_t doc,
                         std::vector<std::pair<std::uint32_t, std::uint32_t>> found,
                         const HighlightMatcher& matcher, const HighlightOptions& options) {
  const auto& d = index.data();
  const std::string_view body = index.body(doc);
  const std::size_t length = std::max<std::size_t>(options.snippet_length, 20);
  std::string out;
  if (body.empty()) return out;
  // The window of about `length` bytes (~7 bytes a word) with the most distinct query words.
  std::uint32_t start_pos = 0;
  bool have = !found.empty();
  if (have) {
    std::sort(found.begin(), found.end());
    const std::uint32_t span = static_cast<std::uint32_t>(std::max<std::size_t>(4, length / 7));
    std::vector<std::uint32_t> seen;
    std::size_t best_distinct = 0, best_count = 0, best_i = 0;
    std::size_t j = 0;
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (j < i) j = i;
      while (j + 1 < found.size() && found[j + 1].first < found[i].first + span) ++j;
      seen.clear();
      for (std::size_t k = i; k <= j; ++k) seen.push_back(found[k].second);
      std::sort(seen.begin(), seen.end());
      std::size_t distinct = std::unique(seen.begin(), seen.end()) - seen.begin();
      std::size_t count = j - i + 1;
      if (distinct > best_distinct || (distinct == best_distinct && count > best_count)) {
        best_distinct = distinct, best_count = count, best_i = i;
      }
    }
    std::uint32_t first = found[best_i].first;
    start_pos = first > span / 5 ? first - span / 5 : 0;
  }
  if (!have) {
    std::size_t to = cut_at_word(body, 0, length);
    while (to > 0 && body[to - 1] == ' ') --to;
    render(body, 0, to, {}, options, out);
    if (to < body.size()) out += "\xE2\x80\xA6";
    return out;
  }
  // From the checkpoint at or before the window, analyse just enough text to find it.
  std::size_t base = 0;
  std::uint32_t base_pos = 0;
  auto cb = d.checkpoints.begin() + d.checkpoint_offset[doc];
  auto ce = d.checkpoints.begin() + d.checkpoint_offset[doc + 1];
  auto it = std::upper_bound(cb, ce, start_pos, [](std::uint32_t p, const Checkpoint& c) { return p < c.position; });
  if (it != cb) {
    --it;
    base = it->offset;
    base_pos = it->position;
  }
  if (base > body.size()) base = 0, base_pos = 0;
  std::size_t window = std::min(body.size() - base, std::size_t(start_pos - base_pos + 2) * 24 + length * 2);
  auto tokens = index.analyzer().analyze(body.substr(base, window));
  std::size_t from = base;
  if (start_pos > 0) {
    for (const auto& t : tokens)
      if (t.kind != TokenKind::part && base_pos + t.position >= start_pos) {
        from = base + t.offset;
        break;
      }
  }
  std::size_t to = cut_at_word(body, from, length);
  while (to > from && body[to - 1] == ' ') --to;
  if (from > 0) out += "\xE2\x80\xA6";  // …
  render(body, from, to, matched_spans(tokens, matcher, base, from, to), options, out);
  if (to < body.size()) out += "\xE2\x80\xA6";
  return out;
}

}  // namespace siteseek::detail
