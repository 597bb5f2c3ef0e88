#include "search/highlight.hpp"

#include <algorithm>
#include <array>

#include "index/index_data.hpp"

namespace siteseek::detail {

namespace {

// Highlighting scans text for words itself instead of running the full analyzer: it only has
// to recognise words the query matched, and it runs for every returned result, so it must cost
// nanoseconds per byte. A "piece" is a run of letters/digits (and non-ASCII bytes); '_', '.',
// '-' and other punctuation separate pieces, except that digits joined by '.' or ',' stay one
// piece ("3.11"), as the analyzer keeps numbers. Pieces line up with the analyzer's positions
// for words, identifier parts and numbers, which is what snippet windows need.
constexpr std::array<bool, 256> word_bytes = [] {
  std::array<bool, 256> t{};
  for (unsigned c = 0; c < 256; ++c) t[c] = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
  return t;
}();
bool word_byte(unsigned char c) { return word_bytes[c]; }
bool digit(unsigned char c) { return c >= '0' && c <= '9'; }

struct Piece {
  std::size_t begin, end;
};

// Next piece at or after `at`, or {npos, npos}.
Piece next_piece(std::string_view text, std::size_t at) {
  const std::size_t n = text.size();
  while (at < n && !word_byte(static_cast<unsigned char>(text[at]))) ++at;
  if (at >= n) return {std::string_view::npos, std::string_view::npos};
  std::size_t e = at;
  while (e < n) {
    auto c = static_cast<unsigned char>(text[e]);
    if (word_byte(c)) {
      ++e;
      continue;
    }
    if ((c == '.' || c == ',') && e + 1 < n && digit(static_cast<unsigned char>(text[e - 1])) &&
        digit(static_cast<unsigned char>(text[e + 1]))) {
      ++e;
      continue;
    }
    break;
  }
  return {at, e};
}

class PieceMatcher {
 public:
  PieceMatcher(const Analyzer& analyzer, const HighlightMatcher& m) : analyzer_(analyzer), m_(m) {
    for (const auto* list : {&m.terms, &m.prefixes, &m.stems})
      for (const auto& w : *list)
        if (!w.empty()) first_[static_cast<unsigned char>(w[0])] = true;
  }

  bool operator()(std::string_view piece) {
    // Most pieces start with a letter no query word starts with: reject those before folding.
    const auto c0 = static_cast<unsigned char>(piece[0]);
    if (c0 < 0x80 && !first_[c0 >= 'A' && c0 <= 'Z' ? c0 + 32 : c0]) return false;
    folded_.clear();
    bool ascii = true;
    for (unsigned char c : piece) {
      if (c >= 0x80) ascii = false;
      folded_ += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    if (!ascii) folded_ = analyzer_.fold(piece);
    for (const auto& s : m_.terms)
      if (folded_ == s) return true;
    for (const auto& p : m_.prefixes)
      if (folded_.size() >= p.size() && folded_.compare(0, p.size(), p) == 0) return true;
    // Stem only words that could have the stem (a stem starts like its words, mostly).
    bool stem_done = false;
    for (const auto& s : m_.stems) {
      std::size_t k = std::min<std::size_t>(3, s.size());
      if (folded_.size() < k || folded_.compare(0, k, s, 0, k) != 0) continue;
      if (!stem_done) stem_ = analyzer_.stem(folded_), stem_done = true;
      if (stem_ == s) return true;
    }
    return false;
  }

 private:
  const Analyzer& analyzer_;
  const HighlightMatcher& m_;
  std::string folded_, stem_;
  std::array<bool, 256> first_{};
};

// Entity per byte, or nullptr.
constexpr auto entities = [] {
  std::array<const char*, 256> t{};
  t['&'] = "&amp;", t['<'] = "&lt;", t['>'] = "&gt;", t['"'] = "&quot;", t['\''] = "&#39;";
  return t;
}();

// Byte classes for render's single pass: plain text, a byte that starts a piece, an entity.
enum : std::uint8_t { plain_byte, piece_byte, entity_byte };
constexpr std::array<std::uint8_t, 256> byte_class = [] {
  std::array<std::uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c)
    t[c] = word_bytes[c] ? piece_byte : entities[c] ? entity_byte : plain_byte;
  return t;
}();

// text[from, to) escaped, matched pieces wrapped in the tags, in one pass: plain runs are copied
// whole when a piece is wrapped or an entity is written (pieces hold no byte that needs one).
void render(std::string_view text, std::size_t from, std::size_t to, PieceMatcher& match, const HighlightOptions& o,
            std::string& out) {
  const std::string_view upto = text.substr(0, to);
  const char* base = text.data();
  std::size_t run = from;  // start of the text not yet written
  for (std::size_t i = from; i < to;) {
    switch (byte_class[static_cast<unsigned char>(text[i])]) {
      case plain_byte:
        ++i;
        break;
      case entity_byte:
        out.append(base + run, i - run);
        out += entities[static_cast<unsigned char>(text[i])];
        run = ++i;
        break;
      default: {
        const Piece p = next_piece(upto, i);
        if (match(text.substr(p.begin, p.end - p.begin))) {
          out.append(base + run, p.begin - run);
          out += o.pre_tag;
          out.append(base + p.begin, p.end - p.begin);
          out += o.post_tag;
          run = p.end;
        }
        i = p.end;
      }
    }
  }
  out.append(base + run, to - run);
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
  const std::size_t n = text.size();
  std::size_t run = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char* entity = entities[static_cast<unsigned char>(text[i])];
    if (!entity) continue;
    out.append(text.data() + run, i - run);
    out += entity;
    run = i + 1;
  }
  out.append(text.data() + run, n - run);
}

std::string highlight_text(const Analyzer& analyzer, std::string_view text, const HighlightMatcher& matcher,
                           const HighlightOptions& options) {
  std::string out;
  out.reserve(text.size() + 16);
  PieceMatcher match(analyzer, matcher);
  render(text, 0, text.size(), match, options, out);
  return out;
}

std::uint32_t snippet_position(std::vector<std::pair<std::uint32_t, std::uint32_t>>& found, std::size_t length) {
  if (found.empty()) return 0;
  length = std::max<std::size_t>(length, 20);
  // The window of about `length` bytes (~7 bytes a word) with the most distinct query words.
  if (!std::is_sorted(found.begin(), found.end())) std::sort(found.begin(), found.end());
  const std::uint32_t span = static_cast<std::uint32_t>(std::max<std::size_t>(4, length / 7));
  // Slide a window of `span` positions over the matches, counting each term's matches in it.
  std::uint32_t terms = 0;
  for (const auto& f : found) terms = std::max(terms, f.second + 1);
  std::vector<std::uint32_t> in_window(terms, 0);
  std::size_t distinct = 0, best_distinct = 0, best_count = 0, best_i = 0, j = 0;
  for (std::size_t i = 0; i < found.size(); ++i) {
    while (j < found.size() && found[j].first < found[i].first + span) {
      if (in_window[found[j].second]++ == 0) ++distinct;
      ++j;
    }
    std::size_t count = j - i;
    if (distinct > best_distinct || (distinct == best_distinct && count > best_count))
      best_distinct = distinct, best_count = count, best_i = i;
    if (--in_window[found[i].second] == 0) --distinct;
  }
  const std::uint32_t first = found[best_i].first;
  return first > span / 5 ? first - span / 5 : 0;
}

Checkpoint snippet_checkpoint(const Index& index, std::uint32_t doc, std::uint32_t position) {
  const auto& d = index.data();
  auto cb = d.checkpoints.begin() + d.checkpoint_offset[doc];
  auto ce = d.checkpoints.begin() + d.checkpoint_offset[doc + 1];
  auto it = std::upper_bound(cb, ce, position, [](std::uint32_t p, const Checkpoint& c) { return p < c.position; });
  if (it == cb || it[-1].offset >= d.docs[doc].body.length) return {};
  return it[-1];
}

std::size_t snippet_offset(const Index& index, std::uint32_t doc, Checkpoint from_checkpoint, std::uint32_t position) {
  const std::string_view body = index.body(doc);
  std::size_t from = from_checkpoint.offset;
  std::uint32_t pos = from_checkpoint.position;
  // From the checkpoint at or before the window, count pieces forward to its start.
  for (Piece p = next_piece(body, from); p.begin != std::string_view::npos && pos < position;
       p = next_piece(body, p.end), ++pos)
    from = p.end;
  if (from > 0) {
    Piece p = next_piece(body, from);
    from = p.begin == std::string_view::npos ? body.size() : p.begin;
  }
  return from;
}

std::string snippet_at(const Index& index, std::uint32_t doc, std::size_t from, const HighlightMatcher& matcher,
                       const HighlightOptions& options) {
  const std::string_view body = index.body(doc);
  const std::size_t length = std::max<std::size_t>(options.snippet_length, 20);
  std::string out;
  if (body.empty()) return out;
  from = std::min(from, body.size());
  out.reserve(length + 64);  // the window, a few tags and the two ellipses
  PieceMatcher match(index.analyzer(), matcher);
  std::size_t to = cut_at_word(body, from, length);
  while (to > from && body[to - 1] == ' ') --to;
  if (from > 0) out += "\xE2\x80\xA6";  // …
  render(body, from, to, match, options, out);
  if (to < body.size()) out += "\xE2\x80\xA6";
  return out;
}

std::string body_snippet(const Index& index, std::uint32_t doc,
                         std::vector<std::pair<std::uint32_t, std::uint32_t>> found,
                         const HighlightMatcher& matcher, const HighlightOptions& options) {
  std::size_t from = 0;
  if (!found.empty()) {
    const auto position = snippet_position(found, options.snippet_length);
    from = snippet_offset(index, doc, snippet_checkpoint(index, doc, position), position);
  }
  return snippet_at(index, doc, from, matcher, options);
}

}  // namespace siteseek::detail
