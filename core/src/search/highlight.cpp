#include "search/highlight.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <iterator>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "analysis/unicode.hpp"
#include "index/index_data.hpp"
#include "siteseek/limits.hpp"

namespace siteseek::detail {

namespace {

// Highlighting scans text for words itself instead of running the full analyzer: it only has
// to recognise words the query matched, and it runs for every returned result, so it must cost
// nanoseconds per byte. A "piece" is a run of letters/digits (and non-ASCII bytes); '_', '.',
// '-' and other punctuation separate pieces, except that digits joined by '.' or ',' stay one
// piece ("3.11"), as the analyzer keeps numbers. Pieces line up with the analyzer's positions
// for words, identifier parts and numbers, which is what snippet windows need. Chinese and
// Japanese are the exception: a run of Han and kana has no spaces (its punctuation is non-ASCII
// too, so a paragraph can be one piece), and the analyzer's dictionary decides where its words
// end; a piece holding any is handed to the analyzer (render_segmented, snippet_offset).
constexpr std::array<bool, 256> word_bytes = [] {
  std::array<bool, 256> t{};
  for (unsigned c = 0; c < 256; ++c) t[c] = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
  return t;
}();
bool digit(unsigned char c) { return c >= '0' && c <= '9'; }

struct Piece {
  std::size_t begin, end;
};

// Entity per byte, or nullptr.
constexpr auto entities = [] {
  std::array<const char*, 256> t{};
  t['&'] = "&amp;", t['<'] = "&lt;", t['>'] = "&gt;", t['"'] = "&quot;", t['\''] = "&#39;";
  return t;
}();

// Scanning sixteen bytes at a time: a bit per byte for each class, so runs of text are stepped
// over without a branch per byte (the scalar tables finish the last bytes of a text).
#if defined(__SSE2__)
unsigned word_bits(const char* p) {
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmpgt_epi8(_mm_set1_epi8('9' + 1), x));
  const __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
  const __m128i letter =
      _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)), _mm_cmpgt_epi8(_mm_set1_epi8('z' + 1), lower));
  // A byte's own high bit marks it as non-ASCII, which counts as a word byte.
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digit, letter), x)));
}
unsigned entity_bits(const char* p) {
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i m = _mm_cmpeq_epi8(x, _mm_set1_epi8('&'));
  for (char c : {'<', '>', '"', '\''}) m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8(c)));
  return static_cast<unsigned>(_mm_movemask_epi8(m));
}
#else
unsigned word_bits(const char* p) {
  unsigned m = 0;
  for (unsigned k = 0; k < 16; ++k) m |= unsigned{word_bytes[static_cast<unsigned char>(p[k])]} << k;
  return m;
}
unsigned entity_bits(const char* p) {
  unsigned m = 0;
  for (unsigned k = 0; k < 16; ++k) m |= unsigned{entities[static_cast<unsigned char>(p[k])] != nullptr} << k;
  return m;
}
#endif

// Whether a piece holds a Han or kana character (the analyzer segments it with ICU). Out of line:
// English text never gets past its first check, and the hot loops stay small without it.
[[gnu::noinline]] bool has_ideograph(std::string_view piece) {
  for (std::size_t k = 0; k < piece.size(); ++k)
    if (static_cast<unsigned char>(piece[k]) >= 0xE3 && analysis::classify_at(piece, k).cls == analysis::CharClass::ideograph)
      return true;
  return false;
}

#if defined(__SSE2__)
// Bit k set when byte k, folded to lower case where it is a letter, is one of `firsts`.
unsigned first_bits(const char* p, std::string_view firsts) {
  const __m128i lower = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), _mm_set1_epi8(0x20));
  __m128i m = _mm_setzero_si128();
  for (char c : firsts) m = _mm_or_si128(m, _mm_cmpeq_epi8(lower, _mm_set1_epi8(static_cast<char>(c | 0x20))));
  return static_cast<unsigned>(_mm_movemask_epi8(m));
}
unsigned high_bits(const char* p) {
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}
// Bit k set when byte k may start a Han or kana character: E3-E9 (U+3000-U+9FFF), EF (the
// compatibility ideographs and half-width katakana), F0 (ideographs beyond the BMP).
unsigned ideograph_lead_bits(const char* p) {
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Bytes as signed: E3-E9 are -29..-23, EF is -17, F0 is -16.
  const __m128i range = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(0xE2))),
                                      _mm_cmpgt_epi8(_mm_set1_epi8(static_cast<char>(0xEA)), x));
  const __m128i other = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(static_cast<char>(0xEF))),
                                     _mm_cmpeq_epi8(x, _mm_set1_epi8(static_cast<char>(0xF0))));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(range, other)));
}
#else
unsigned first_bits(const char* p, std::string_view firsts) {
  unsigned m = 0;
  for (unsigned k = 0; k < 16; ++k)
    for (char c : firsts) m |= unsigned{static_cast<char>(p[k] | 0x20) == static_cast<char>(c | 0x20)} << k;
  return m;
}
unsigned high_bits(const char* p) {
  unsigned m = 0;
  for (unsigned k = 0; k < 16; ++k) m |= unsigned{static_cast<unsigned char>(p[k]) >= 0x80} << k;
  return m;
}
unsigned ideograph_lead_bits(const char* p) {
  unsigned m = 0;
  for (unsigned k = 0; k < 16; ++k) {
    const auto c = static_cast<unsigned char>(p[k]);
    m |= unsigned{(c >= 0xE3 && c <= 0xE9) || c == 0xEF || c == 0xF0} << k;
  }
  return m;
}
#endif

enum class Find { word, not_word };

// First index at or after `at` (below text.size()) whose byte is of the class, or text.size().
std::size_t find(std::string_view text, std::size_t at, Find what) {
  const std::size_t n = text.size();
  auto bits = [&](const char* p) { return what == Find::word ? word_bits(p) : ~word_bits(p) & 0xffffu; };
  for (; at + 16 <= n; at += 16)
    if (unsigned m = bits(text.data() + at)) return at + static_cast<unsigned>(std::countr_zero(m));
  for (; at < n; ++at) {
    const auto c = static_cast<unsigned char>(text[at]);
    const bool word = word_bytes[c];
    if (what == Find::not_word ? !word : word) return at;
  }
  return n;
}

// The piece starting at word byte `at`: its end.
std::size_t piece_end(std::string_view text, std::size_t at) {
  const std::size_t n = text.size();
  std::size_t e = at;
  for (;;) {
    e = find(text, e, Find::not_word);
    // Digits joined by '.' or ',' stay one piece ("3.11").
    if (e + 1 < n && (text[e] == '.' || text[e] == ',') && digit(static_cast<unsigned char>(text[e - 1])) &&
        digit(static_cast<unsigned char>(text[e + 1]))) {
      ++e;
      continue;
    }
    return e;
  }
}

// The start of the piece holding text[at], not before `from`.
std::size_t piece_begin(std::string_view text, std::size_t from, std::size_t at) {
  auto is_digit = [&](std::size_t k) { return digit(static_cast<unsigned char>(text[k])); };
  while (at > from && (word_bytes[static_cast<unsigned char>(text[at - 1])] ||
                       (at >= from + 2 && (text[at - 1] == '.' || text[at - 1] == ',') && is_digit(at - 2) && is_digit(at))))
    --at;
  return at;
}

// Next piece at or after `at`, or {npos, npos}.
Piece next_piece(std::string_view text, std::size_t at) {
  at = find(text, at, Find::word);
  if (at >= text.size()) return {std::string_view::npos, std::string_view::npos};
  return {at, piece_end(text, at)};
}

}  // namespace

Highlighter::Highlighter(const Analyzer& analyzer, const HighlightMatcher& m, const HighlightOptions& options)
    : analyzer_(analyzer), m_(m), options_(options) {
  for (const auto* list : {&m.terms, &m.prefixes, &m.stems})
    for (const auto& w : *list) {
      if (w.empty()) continue;
      const auto c = static_cast<unsigned char>(w[0]);
      if (!first_[c] && c < 0x80) {
        if (first_count_ < firsts_.size()) firsts_[first_count_] = static_cast<char>(c);
        ++first_count_;
      }
      first_[c] = true;
    }
}

bool Highlighter::matches(std::string_view piece) {
  // Most pieces start with a letter no query word starts with: reject those before folding.
  const auto c0 = static_cast<unsigned char>(piece[0]);
  if (c0 < 0x80 && !first_[c0 >= 'A' && c0 <= 'Z' ? c0 + 32 : c0]) return false;
  // Folded into a buffer that only grows: a view of it is compared, not a string resized per piece.
  if (folded_.size() < piece.size()) folded_.resize(piece.size());
  char* out = folded_.data();
  unsigned char high = 0;
  for (std::size_t k = 0; k < piece.size(); ++k) {
    const auto c = static_cast<unsigned char>(piece[k]);
    high |= c;
    out[k] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  std::string_view folded(out, piece.size());
  const bool ascii = high < 0x80;
  if (!ascii) {
    if (const bool* known = recall(piece)) return *known;
    unicode_folded_ = analyzer_.fold(piece);
    folded = unicode_folded_;
  }
  for (const auto& s : m_.terms)
    if (folded == s) return true;
  for (const auto& p : m_.prefixes)
    if (folded.starts_with(p)) return true;
  // Stem only words that could have the stem (a stem starts like its words, mostly).
  bool stem_done = false, found = false;
  for (const auto& s : m_.stems) {
    if (!folded.starts_with(std::string_view(s).substr(0, 3))) continue;
    if (!stem_done) {
      if (ascii)
        if (const bool* known = recall(piece)) return *known;
      stem_ = analyzer_.stem(folded), stem_done = true;
    }
    if (stem_ == s) {
      found = true;
      break;
    }
  }
  if (!ascii || stem_done) remember(piece, found);
  return found;
}

const bool* Highlighter::recall(std::string_view piece) const {
  for (const auto& [text, found] : known_)
    if (text == piece) return &found;
  return nullptr;
}

void Highlighter::remember(std::string_view piece, bool found) {
  if (known_.empty()) known_.reserve(16);  // room for the usual few: no growing one at a time
  if (known_.size() < max_known) known_.emplace_back(piece, found);
}

// text[from, to) escaped, matched pieces wrapped in the tags, in one pass of sixteen bytes at a
// time: a block's bytes that need an entity and its piece starts that could match (a byte the
// words sought start with, or a non-ASCII one) are bits; only those are visited, so the pieces
// that cannot match cost no branch of their own. Plain runs are copied whole when a piece is
// wrapped or an entity is written (pieces hold no byte that needs one).
void Highlighter::render(std::string_view text, std::size_t from, std::size_t to, std::string& out) {
  const std::string_view upto = text.substr(0, to);
  const char* base = text.data();
  const std::string_view firsts = this->firsts();
  const bool any_start = all_firsts();  // too many to compare each: visit every piece
  std::size_t run = from;     // start of the text not yet written
  std::size_t resume = from;  // end of the last piece visited: bits before it are inside it
  unsigned prev_word = 0;     // whether the byte before the block is a word byte (not at `from`)
  auto digit_at = [&](std::size_t k) { return digit(static_cast<unsigned char>(text[k])); };
  for (std::size_t at = from; at < to; at += 16) {
    // The last block is read from a copy padded with spaces, never past the text.
    char tail[16];
    const char* p = base + at;
    if (at + 16 > to) {
      std::fill(std::begin(tail), std::end(tail), ' ');
      std::copy(base + at, base + to, tail);
      p = tail;
    }
    const unsigned word = word_bits(p);
    const unsigned starts = word & ~((word << 1) | prev_word) & 0xffffu;
    prev_word = word >> 15;
    const unsigned high = high_bits(p);
    unsigned wanted = any_start ? starts : starts & (first_bits(p, firsts) | high);
    // Han and kana inside a piece that starts otherwise ("Python的数据", its start not wanted):
    // their words may match on their own.
    if (high) wanted |= ideograph_lead_bits(p) & word;
    for (unsigned events = wanted | entity_bits(p); events; events &= events - 1) {
      const std::size_t i = at + static_cast<unsigned>(std::countr_zero(events));
      if (i < resume) continue;
      if (const char* entity = entities[static_cast<unsigned char>(text[i])]) {
        out.append(base + run, i - run);
        out += entity;
        run = i + 1;
        continue;
      }
      // A digit after '.' or ',' after a digit continues a number ("3.11"): not a piece start.
      if (i >= from + 2 && digit_at(i) && (text[i - 1] == '.' || text[i - 1] == ',') && digit_at(i - 2)) continue;
      // Inside a piece, a Han or kana character: the piece is the analyzer's words, from its
      // start (its start was not visited: it cannot match, but what follows may).
      const bool inside = high && i > from && word_bytes[static_cast<unsigned char>(text[i - 1])];
      if (inside && analysis::classify_at(upto, i).cls != analysis::CharClass::ideograph) continue;
      const std::size_t e = piece_end(upto, i);
      resume = e;
      // A piece within this block whose bytes are all ASCII (the usual case) holds no Han or kana.
      const bool ascii_here = e <= at + 16 && (high >> (i - at) & ((1u << (e - i)) - 1)) == 0;
      if (inside || (!ascii_here && has_ideograph(text.substr(i, e - i)))) [[unlikely]] {
        render_segmented(text, inside ? piece_begin(text, from, i) : i, e, run, out);
        continue;
      }
      if (!matches(text.substr(i, e - i))) continue;
      out.append(base + run, i - run);
      out += options_.pre_tag;
      out.append(base + i, e - i);
      out += options_.post_tag;
      run = e;
    }
  }
  out.append(base + run, to - run);
}

void Highlighter::render_segmented(std::string_view text, std::size_t begin, std::size_t end, std::size_t& run,
                                   std::string& out) {
  spans_.clear();
  for (const Token& t : analyzer_.analyze(text.substr(begin, end - begin))) {
    if (t.kind == TokenKind::part) continue;  // inside its whole, which is matched
    bool hit = std::find(m_.terms.begin(), m_.terms.end(), t.term) != m_.terms.end() ||
               std::find(m_.stems.begin(), m_.stems.end(), t.stem) != m_.stems.end();
    for (std::size_t k = 0; k < m_.prefixes.size() && !hit; ++k) hit = t.term.starts_with(m_.prefixes[k]);
    if (!hit) continue;
    const std::size_t b = begin + t.offset, e = b + t.length;
    if (!spans_.empty() && spans_.back().second == b) spans_.back().second = e;
    else spans_.emplace_back(b, e);
  }
  for (const auto& [b, e] : spans_) {
    out.append(text.data() + run, b - run);
    out += options_.pre_tag;
    out.append(text.data() + b, e - b);
    out += options_.post_tag;
    run = e;
  }
}

namespace {

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

std::string Highlighter::text(std::string_view text) {
  std::string out;
  if (text.empty()) return out;  // a page's section title: no room to reserve
  out.reserve(text.size() + 16);
  render(text, 0, text.size(), out);
  return out;
}

std::string highlight_text(const Analyzer& analyzer, std::string_view text, const HighlightMatcher& matcher,
                           const HighlightOptions& options) {
  return Highlighter(analyzer, matcher, options).text(text);
}

std::uint32_t snippet_position(std::vector<std::pair<std::uint32_t, std::uint32_t>>& found, std::size_t length) {
  if (found.empty()) return 0;
  length = std::max<std::size_t>(length, limits::min_snippet_length);
  // The window of about `length` bytes (~7 bytes a word) with the most distinct query words.
  if (!std::is_sorted(found.begin(), found.end())) std::sort(found.begin(), found.end());
  const std::uint32_t span = static_cast<std::uint32_t>(std::max<std::size_t>(4, length / 7));
  // Slide a window of `span` positions over the matches, counting each term's matches in it.
  std::uint32_t terms = 0;
  for (const auto& f : found) terms = std::max(terms, f.second + 1);
  // Counts per term: on the stack for the usual few terms.
  std::array<std::uint32_t, 64> few{};
  std::vector<std::uint32_t> many;
  if (terms > few.size()) many.assign(terms, 0);
  std::uint32_t* in_window = terms > few.size() ? many.data() : few.data();
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
  if (it == cb || it[-1].offset >= d.record(doc).body.length) return {};
  return it[-1];
}

std::size_t snippet_offset(const Index& index, std::string_view window, std::size_t base, std::size_t body_size,
                           Checkpoint from_checkpoint, std::uint32_t position) {
  const std::string_view body = window;
  // A window that stops before the body's end cannot tell where a piece touching its end ends.
  const bool cut = base + window.size() < body_size;
  std::size_t from = from_checkpoint.offset - base;
  std::uint32_t pos = from_checkpoint.position;
  // The text ahead is checked sixteen bytes at a time for a byte that may start Han or kana, and
  // only a piece where one was seen is looked at closely.
  std::size_t clear_to = from;  // no such byte in [from, clear_to)
  const auto clear = [&](std::size_t end) {
    for (; clear_to < end; clear_to += 16) {
      char tail[16];  // the last block, padded with spaces: never read past the text
      const char* p = body.data() + clear_to;
      if (clear_to + 16 > body.size()) {
        std::fill(std::begin(tail), std::end(tail), ' ');
        std::copy(p, body.data() + body.size(), tail);
        p = tail;
      }
      if (high_bits(p) && ideograph_lead_bits(p)) return false;
    }
    return true;
  };
  // From the checkpoint at or before the window, count pieces forward to its start.
  Piece p = next_piece(body, from);
  for (; p.begin != std::string_view::npos && pos < position; p = next_piece(body, p.end)) {
    if (cut && p.end == body.size()) return std::string::npos;
    const std::string_view piece(body.data() + p.begin, p.end - p.begin);
    if (p.end <= clear_to || clear(p.end) || !has_ideograph(piece)) [[likely]] {
      ++pos;
      from = p.end;
      continue;
    }
    // A piece of Chinese or Japanese: the analyzer's words are its positions.
    const auto tokens = index.analyzer().analyze(piece);
    for (const Token& t : tokens)
      if (pos + t.position >= position) return base + p.begin + t.offset;
    if (!tokens.empty()) pos += tokens.back().position + 1;
    from = p.end;
  }
  if (cut && (p.begin == std::string_view::npos || p.end == body.size())) return std::string::npos;
  if (from > 0) {
    Piece next = next_piece(body, from);
    if (cut && (next.begin == std::string_view::npos || next.end == body.size())) return std::string::npos;
    from = next.begin == std::string_view::npos ? body.size() : next.begin;
  }
  return base + from;
}

std::string Highlighter::snippet(std::string_view window, std::size_t base, std::size_t body_size, std::size_t from,
                                 std::size_t length) {
  length = std::max<std::size_t>(length, limits::min_snippet_length);
  std::string out;
  if (body_size == 0) return out;
  from = std::min(from, body_size);
  out.reserve(length + 64);  // the window, a few tags and the two ellipses
  // Offsets in the window: it holds [from, from + length] or all of the rest, which is all
  // cut_at_word reads.
  const std::size_t start = std::min(from - std::min(from, base), window.size());
  std::size_t to = cut_at_word(window, start, length);
  while (to > start && window[to - 1] == ' ') --to;
  if (from > 0) out += "\xE2\x80\xA6";  // …
  render(window, start, to, out);
  if (base + to < body_size) out += "\xE2\x80\xA6";
  return out;
}

}  // namespace siteseek::detail
