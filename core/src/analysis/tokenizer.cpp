#include "analysis/tokenizer.hpp"

#include <algorithm>

#include "analysis/segmenter.hpp"
#include "analysis/unicode.hpp"

namespace siteseek::analysis {

// ---- literal terms -------------------------------------------------------------------------

namespace {

bool is_word_at(std::string_view text, std::size_t i) {
  return i < text.size() && is_word_class(classify_at(text, i).cls);
}

// Whether text[i] continues a chunk: a word character, or a connector followed by one. A
// literal (or a chunk) must not end where the text goes on like this ("redis-cli" is not a
// literal inside "redis-cli-tool").
bool continues_chunk(std::string_view text, std::size_t i) {
  if (i >= text.size()) return false;
  char c = text[i];
  if (c == '.' || c == '-') return is_word_at(text, i + 1);
  if (c == ':') return i + 1 < text.size() && text[i + 1] == ':' && is_word_at(text, i + 2);
  return is_word_at(text, i);
}

}  // namespace

void LiteralMatcher::add(std::string folded) {
  if (folded.empty() || set_.count(folded)) return;
  set_.insert(folded);
  literals_.push_back(std::move(folded));
  for (auto& v : by_first_) v.clear();
  std::vector<std::size_t> order(literals_.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return literals_[a].size() > literals_[b].size();
  });
  for (auto k : order) by_first_[lower(static_cast<unsigned char>(literals_[k][0]))].push_back(k);
}

std::size_t LiteralMatcher::match(std::string_view text, std::size_t i) const noexcept {
  for (auto k : by_first_[lower(static_cast<unsigned char>(text[i]))]) {
    const std::string& lit = literals_[k];
    if (lit.size() > text.size() - i) continue;
    bool equal = true;
    for (std::size_t j = 0; j < lit.size() && equal; ++j)
      equal = lower(static_cast<unsigned char>(text[i + j])) == static_cast<unsigned char>(lit[j]);
    if (!equal) continue;
    std::size_t end = i + lit.size();
    // A literal ending in a word character must end where the word ends ("v6.2.8" is not a
    // literal inside "v6.2.89"); one ending in punctuation ("c++") needs no boundary.
    bool ends_in_word = is_word_class(classify_at(lit, lit.size() - 1).cls) ||
                        static_cast<unsigned char>(lit.back()) >= 0x80;
    if (ends_in_word && continues_chunk(text, end)) continue;
    return lit.size();
  }
  return 0;
}

// ---- tokenizer -----------------------------------------------------------------------------

namespace {

// Bits of ASCII word characters: 1 lower, 2 upper, 4 digit, 8 underscore; 0 otherwise.
constexpr auto ascii_word_bits = [] {
  std::array<unsigned char, 128> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = 1;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = 2;
  for (int c = '0'; c <= '9'; ++c) t[c] = 4;
  t['_'] = 8;
  return t;
}();

struct Segment {
  std::uint32_t begin = 0, end = 0;
  bool upper = false, lower = false, digit = false, underscore = false;
  bool other = false;  ///< anything but ASCII letters, digits, '_' (non-ASCII, apostrophe, joiner)

  bool digits_only() const { return digit && !upper && !lower && !underscore && !other; }
  bool single_ascii_letter() const { return end - begin == 1 && (upper || lower); }
};

struct Leaf {
  std::uint32_t begin = 0, end = 0;
};

bool is_ascii_lower(std::string_view text, std::size_t i, std::size_t end) {
  return i < end && text[i] >= 'a' && text[i] <= 'z';
}

class Tokenizer {
 public:
  Tokenizer(std::string_view text, const Vocabulary& vocab, Worker& worker, std::vector<Token>& out)
      : text_(text), vocab_(vocab), worker_(worker), out_(out) {}

  void run() {
    const std::size_t n = text_.size();
    const bool literals = !vocab_.literals.empty();
    std::size_t i = 0;
    while (i < n) {
      if (literals && vocab_.literals.may_start(static_cast<unsigned char>(text_[i]))) {
        if (auto len = vocab_.literals.match(text_, i)) {
          emit_literal(i, i + len);
          i += len;
          continue;
        }
      }
      Char ch = classify_at(text_, i);
      if (ch.cls == CharClass::ideograph) {
        i = ideograph_run(i);
      } else if (is_word_class(ch.cls)) {
        i = chunk(i);
      } else {
        i += ch.length;
      }
    }
  }

 private:
  std::string fold(std::size_t begin, std::size_t end) const {
    std::string s;
    fold_append(s, text_.substr(begin, end - begin));
    return s;
  }

  // Emits one token; empty and over-long terms are dropped. Returns whether it was emitted.
  // `analysed` tokens (words and the leaves of identifiers and literals) get their stem and stop
  // flag from the worker; the others (numbers, wholes, compound segments) are kept as they are.
  bool emit(TokenKind kind, std::size_t begin, std::size_t end, std::uint32_t position,
            std::string term, bool analysed) {
    if (term.empty() || term.size() > max_term_bytes) return false;
    Token& t = out_.emplace_back();
    t.term = std::move(term);
    if (analysed) {
      TermInfo info = worker_.lookup(t.term);
      t.stem.assign(info.stem);
      t.stop = info.stop;
    } else {
      t.stem = t.term;
    }
    t.position = position;
    t.kind = kind;
    t.offset = static_cast<std::uint32_t>(begin);
    t.length = static_cast<std::uint32_t>(end - begin);
    return true;
  }

  // Scans the chunk starting at word character text[i]; emits its tokens; returns its end.
  std::size_t chunk(std::size_t i) {
    const std::size_t n = text_.size();
    const std::size_t chunk_begin = i;
    segments_.clear();
    connectors_.clear();
    for (;;) {
      Segment s;
      s.begin = static_cast<std::uint32_t>(i);
      CharClass prev = CharClass::separator;
      while (i < n) {
        // Fast path: a run of ASCII letters, digits and underscores.
        std::size_t run = i;
        unsigned bits = 0;
        for (unsigned char c; i < n && (c = static_cast<unsigned char>(text_[i])) < 0x80 &&
                              ascii_word_bits[c];
             ++i)
          bits |= ascii_word_bits[c];
        s.lower |= (bits & 1) != 0;
        s.upper |= (bits & 2) != 0;
        s.digit |= (bits & 4) != 0;
        s.underscore |= (bits & 8) != 0;
        if (i > run) prev = detail::ascii_classes[static_cast<unsigned char>(text_[i - 1])];
        if (i >= n) break;

        Char ch = classify_at(text_, i);
        switch (ch.cls) {
          case CharClass::letter: s.other = true; break;
          case CharClass::apostrophe:
            // Only between letters ("don't"); a quote around a word ends it.
            if (!is_letter_class(prev) || i + ch.length >= n ||
                !is_letter_class(classify_at(text_, i + ch.length).cls))
              goto segment_done;
            s.other = true;
            break;
          case CharClass::joiner:
            s.other = true;
            break;  // soft hyphen and friends: invisible, folding drops them
          default:
            goto segment_done;  // separator or ideograph (ASCII word characters took the fast path)
        }
        prev = ch.cls;
        i += ch.length;
      }
    segment_done:
      s.end = static_cast<std::uint32_t>(i);
      segments_.push_back(s);
      if (i >= n) break;
      char c = text_[i];
      if ((c == '.' || c == '-') && is_word_at(text_, i + 1)) {
        connectors_.push_back(c);
        i += 1;
      } else if (c == ':' && i + 2 < n && text_[i + 1] == ':' && is_word_at(text_, i + 2)) {
        connectors_.push_back(':');
        i += 2;
      } else if (c == ',' && s.digits_only() && i + 3 < n &&
                 std::all_of(text_.begin() + i + 1, text_.begin() + i + 4,
                             [](char d) { return d >= '0' && d <= '9'; }) &&
                 !is_word_at(text_, i + 4)) {
        connectors_.push_back(',');  // thousands separator: "1,000"
        i += 1;
      } else {
        break;
      }
    }
    emit_chunk(chunk_begin, i);
    return i;
  }

  void emit_chunk(std::size_t begin, std::size_t end) {
    const bool any_colons = std::find(connectors_.begin(), connectors_.end(), ':') != connectors_.end();
    const bool only_dots = std::all_of(connectors_.begin(), connectors_.end(), [](char c) { return c == '.'; });
    const bool all_digits = std::all_of(segments_.begin(), segments_.end(),
                                        [](const Segment& s) { return s.digits_only(); });

    // Numbers: "404", "3.11", "1,000" (term "1000"), "127.0.0.1", "2023-01-31".
    if (all_digits && !any_colons) {
      std::string term = fold(begin, end);
      term.erase(std::remove(term.begin(), term.end(), ','), term.end());
      if (emit(TokenKind::number, begin, end, pos_, std::move(term), false)) ++pos_;
      return;
    }
    // Versions "v6.2.8" (when not a configured literal): a number, so never stemmed or
    // typo-matched (v6.2.8 and v6.2.9 are one edit apart but mean different releases).
    if (segments_.size() >= 2 && only_dots && is_version()) {
      if (emit(TokenKind::number, begin, end, pos_, fold(begin, end), false)) ++pos_;
      return;
    }
    // Abbreviations "e.g.", "i.e.", "U.S.": one word without dots, not junk identifiers. The
    // trailing dot tells them from "a.b()".
    if (segments_.size() >= 2 && only_dots && end < text_.size() && text_[end] == '.' &&
        std::all_of(segments_.begin(), segments_.end(),
                    [](const Segment& s) { return s.single_ascii_letter(); })) {
      std::string term;
      for (const auto& s : segments_) fold_append(term, text_.substr(s.begin, 1));
      if (emit(TokenKind::word, begin, end, pos_, std::move(term), true)) ++pos_;
      return;
    }

    if (std::none_of(segments_.begin(), segments_.end(), [](const Segment& s) {
          return s.upper || s.lower || s.digit || s.other;
        }))
      return;  // only underscores: "__", "_._"

    std::string whole = fold(begin, end);
    // ASCII literals were already tried on the raw text (run()); a chunk that folds differently
    // from its ASCII lowercase ("Café-Crème", "don't") is compared here, folded.
    if (!vocab_.literals.empty() &&
        std::any_of(segments_.begin(), segments_.end(), [](const Segment& s) { return s.other; }) &&
        vocab_.literals.contains(whole)) {
      emit_literal(begin, end);
      return;
    }

    const std::uint32_t start = pos_;
    if (segments_.size() == 1) {
      const Segment& s = segments_[0];
      split_leaves(s);
      if (leaves_.size() == 1 && !s.underscore) {
        // An ordinary word; words with digits ("utf8", "x86") are not stemmed (Worker::lookup).
        if (emit(TokenKind::word, begin, end, pos_, std::move(whole), true)) ++pos_;
        return;
      }
      emit(TokenKind::identifier, begin, end, start, std::move(whole), false);
      std::uint32_t p = start;
      for (const Leaf& l : leaves_) emit_leaf(l, p++);
      pos_ = std::max(p, start + 1);
      return;
    }

    // Dotted, hyphenated or '::' identifiers. A segment that is itself compound
    // ("get_event_loop" in "asyncio.get_event_loop") is a part too, at the position of its
    // first leaf, so both "get_event_loop" and "event loop" find it.
    emit(TokenKind::identifier, begin, end, start, std::move(whole), false);
    std::uint32_t p = start;
    for (const Segment& s : segments_) {
      split_leaves(s);
      if (leaves_.empty()) continue;
      if (leaves_.size() > 1 || s.underscore)
        emit(TokenKind::part, s.begin, s.end, p, fold(s.begin, s.end), false);
      for (const Leaf& l : leaves_) emit_leaf(l, p++);
    }
    pos_ = std::max(p, start + 1);
  }

  // A run of Han and kana text (ideograph_run_end) starting at text[i]: its words, as ICU's
  // dictionary finds them, each a token of kind cjk at the next position; folded (half-width
  // katakana to full width), never stemmed nor a stop word. Returns the run's end.
  std::size_t ideograph_run(std::size_t i) {
    const std::size_t end = ideograph_run_end(text_, i);
    words_.clear();
    segment_words(text_.substr(i, end - i), words_);
    for (const WordSpan& w : words_)
      if (emit(TokenKind::cjk, i + w.begin, i + w.end, pos_, fold(i + w.begin, i + w.end), false)) ++pos_;
    return end;
  }

  void emit_leaf(const Leaf& l, std::uint32_t position) {
    emit(TokenKind::part, l.begin, l.end, position, fold(l.begin, l.end), true);
  }

  bool is_version() const {
    const Segment& first = segments_[0];
    if (first.end - first.begin < 2 || (text_[first.begin] != 'v' && text_[first.begin] != 'V'))
      return false;
    for (std::size_t k = first.begin + 1; k < first.end; ++k)
      if (text_[k] < '0' || text_[k] > '9') return false;
    return std::all_of(segments_.begin() + 1, segments_.end(),
                       [](const Segment& s) { return s.digits_only(); });
  }

  // Splits one segment into leaves at '_' and at case changes: "snake_case" -> snake|case,
  // "camelCase" -> camel|Case, "HTTPServer" -> HTTP|Server, "utf8Decode" -> utf8|Decode. An
  // upper-case run followed by a single lower-case letter stays whole ("APIs", "IDs"). Letters
  // and digits are not split apart ("utf8", "int64"). Case changes are ASCII only.
  void split_leaves(const Segment& s) {
    leaves_.clear();
    if (!s.upper && !s.underscore) {  // the common case, a lower-case word: one leaf
      leaves_.push_back(Leaf{s.begin, s.end});
      return;
    }
    Leaf cur;
    bool open = false;
    CharClass prev = CharClass::separator;
    auto close = [&](std::size_t at) {
      if (open) {
        cur.end = static_cast<std::uint32_t>(at);
        leaves_.push_back(cur);
      }
      open = false;
    };
    for (std::size_t j = s.begin; j < s.end;) {
      Char ch = classify_at(text_, j);
      if (ch.cls == CharClass::underscore) {
        close(j);
      } else {
        if (ch.cls == CharClass::upper && open) {
          bool next_two_lower = is_ascii_lower(text_, j + 1, s.end) && is_ascii_lower(text_, j + 2, s.end);
          if (prev == CharClass::lower ||
              ((prev == CharClass::upper || prev == CharClass::digit) && next_two_lower))
            close(j);
        }
        if (!open && (is_word_class(ch.cls))) {
          cur = Leaf{static_cast<std::uint32_t>(j), 0};
          open = true;
        }
      }
      if (ch.cls != CharClass::apostrophe && ch.cls != CharClass::joiner) prev = ch.cls;
      j += ch.length;
    }
    close(s.end);
  }

  // A literal term: the whole (never stemmed) and its parts, the runs of letters and digits.
  void emit_literal(std::size_t begin, std::size_t end) {
    const std::uint32_t start = pos_;
    std::string whole = fold(begin, end);
    leaves_.clear();
    for (std::size_t j = begin; j < end;) {
      Char ch = classify_at(text_, j);
      if (is_word_class(ch.cls) && ch.cls != CharClass::underscore) {
        if (leaves_.empty() || leaves_.back().end != j)
          leaves_.push_back(Leaf{static_cast<std::uint32_t>(j), 0});
        leaves_.back().end = static_cast<std::uint32_t>(j + ch.length);
      }
      j += ch.length;
    }
    // A one-part literal whose part is the literal itself ("pandas") gets no separate part.
    bool single_same = leaves_.size() == 1 && leaves_[0].begin == begin && leaves_[0].end == end;
    emit(TokenKind::literal, begin, end, start, std::move(whole), false);
    std::uint32_t p = start;
    if (!single_same)
      for (const Leaf& l : leaves_) emit_leaf(l, p++);
    pos_ = std::max(p, start + 1);
  }

  std::string_view text_;
  const Vocabulary& vocab_;
  Worker& worker_;
  std::vector<Token>& out_;
  std::uint32_t pos_ = 0;
  std::vector<Segment> segments_;
  std::vector<char> connectors_;
  std::vector<Leaf> leaves_;
  std::vector<WordSpan> words_;
};

}  // namespace

void tokenize(std::string_view text, const Vocabulary& vocab, Worker& worker,
              std::vector<Token>& out) {
  Tokenizer(text, vocab, worker, out).run();
}

}  // namespace siteseek::analysis
