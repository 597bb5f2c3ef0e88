// Highlighting scans text sixteen bytes at a time and visits only the pieces that could match.
// These tests hold it to a plain model written from the rules in highlight.cpp: a piece is a run
// of letters, digits and non-ASCII bytes (digits joined by '.' or ',' stay one piece); a piece
// matches when its folded form is a term, starts with a prefix, or (sharing a stem's first three
// bytes) stems to it; & < > " ' become entities; matched pieces are wrapped in the tags. A piece
// holding Han or kana is the analyzer's tokens instead (their words end where its dictionary
// says): each token (not an identifier's part) whose term is a term, starts with a prefix, or
// whose stem is a stem is wrapped, consecutive ones in one pair of tags.
#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "search/highlight.hpp"

using namespace siteseek;
using namespace siteseek::detail;

namespace {

bool word(unsigned char c) { return std::isalnum(c) || c >= 0x80; }
bool dig(unsigned char c) { return c >= '0' && c <= '9'; }

bool model_match(const Analyzer& analyzer, std::string_view piece, const HighlightMatcher& m) {
  const std::string folded = analyzer.fold(piece);
  for (const auto& t : m.terms)
    if (folded == t) return true;
  for (const auto& p : m.prefixes)
    if (folded.starts_with(p)) return true;
  for (const auto& s : m.stems) {
    const std::size_t k = std::min<std::size_t>(3, s.size());
    if (folded.size() >= k && folded.compare(0, k, s, 0, k) == 0 && analyzer.stem(folded) == s) return true;
  }
  return false;
}

// Whether a piece holds a Han or kana character (code points as the analyzer's classes say).
bool has_han_or_kana(std::string_view piece) {
  for (std::size_t i = 0; i < piece.size();) {
    const auto c = static_cast<unsigned char>(piece[i]);
    std::size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 1;
    for (std::size_t k = 1; k < n; ++k)
      if (i + k >= piece.size() || (static_cast<unsigned char>(piece[i + k]) & 0xC0) != 0x80) n = 1;  // invalid: a byte
    if (n > 1) {
      char32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
      for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(piece[i + k]) & 0x3F);
      if ((cp >= 0x3005 && cp <= 0x3007) || cp == 0x303B || (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
          (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
          (cp >= 0xFF66 && cp <= 0xFF9F) || (cp >= 0x20000 && cp <= 0x3134F))
        return true;
    }
    i += n;
  }
  return false;
}

std::string model_segmented(const Analyzer& analyzer, std::string_view piece, const HighlightMatcher& m) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const Token& t : analyzer.analyze(piece)) {
    if (t.kind == TokenKind::part) continue;
    bool hit = false;
    for (const auto& w : m.terms) hit = hit || t.term == w;
    for (const auto& p : m.prefixes) hit = hit || t.term.starts_with(p);
    for (const auto& st : m.stems) hit = hit || t.stem == st;
    if (!hit) continue;
    if (!spans.empty() && spans.back().second == t.offset) spans.back().second = t.offset + t.length;
    else spans.emplace_back(t.offset, t.offset + t.length);
  }
  std::string out;
  std::size_t at = 0;
  for (const auto& [b, e] : spans) {
    out.append(piece.substr(at, b - at));
    out += "<b>";
    out.append(piece.substr(b, e - b));
    out += "</b>";
    at = e;
  }
  out.append(piece.substr(at));
  return out;
}

std::string model(const Analyzer& analyzer, std::string_view text, const HighlightMatcher& m) {
  std::string out;
  auto escape = [&](char c) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  };
  for (std::size_t i = 0; i < text.size();) {
    if (!word(static_cast<unsigned char>(text[i]))) {
      escape(text[i++]);
      continue;
    }
    std::size_t e = i;
    while (e < text.size() && (word(static_cast<unsigned char>(text[e])) ||
                               ((text[e] == '.' || text[e] == ',') && e + 1 < text.size() &&
                                dig(static_cast<unsigned char>(text[e - 1])) && dig(static_cast<unsigned char>(text[e + 1])))))
      ++e;
    if (has_han_or_kana(text.substr(i, e - i))) {
      out += model_segmented(analyzer, text.substr(i, e - i), m);
      i = e;
      continue;
    }
    const bool hit = model_match(analyzer, text.substr(i, e - i), m);
    if (hit) out += "<b>";
    out.append(text.substr(i, e - i));
    if (hit) out += "</b>";
    i = e;
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(highlight_rendering)

BOOST_AUTO_TEST_CASE(random_text_is_rendered_as_the_plain_model_says) {
  AnalyzerOptions options;
  options.language = "english";
  const Analyzer analyzer(options);
  // Pieces of every kind, so each lands at every offset of a sixteen-byte block: words in other
  // cases, numbers joined by dots, identifiers, entities, multi-byte and invalid UTF-8.
  const std::vector<std::string> atoms = {"a", "x", "Z", "3", "1", ".", ",", ". ", "  ", "&", "<", ">", "\"", "'", "_",
                                          "-", "\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "\xff", "\x80", "py", "PYTHON",
                                          "python", "Strings", "string", "int", "Integer", "into", "3.11", "v6.2.8",
                                          "os.path.join", "\n", "\t", "running", "runs", "数据", "库", "的",
                                          "パッケージ", "の", "。", "\xef\xbd\xb6\xef\xbe\x80"};
  const std::vector<std::string> words = {"a", "py", "python", "string", "int", "3", "3.11", "x", "1", "os",
                                          "path", "\xc3\xa9", "pyth", "str", "integ", "run", "数据", "库",
                                          "パッケ", "日本", "カタ"};
  std::mt19937 rng(3);
  for (int n = 0; n < 20000; ++n) {
    std::string text;
    for (int k = static_cast<int>(rng() % 48); k > 0; --k) text += atoms[rng() % atoms.size()];
    HighlightMatcher m;
    for (int k = static_cast<int>(rng() % 4); k > 0; --k) m.terms.push_back(words[rng() % words.size()]);
    for (int k = static_cast<int>(rng() % 2); k > 0; --k) m.prefixes.push_back(words[rng() % words.size()]);
    for (int k = static_cast<int>(rng() % 3); k > 0; --k) m.stems.push_back(analyzer.stem(words[rng() % words.size()]));
    BOOST_TEST(highlight_text(analyzer, text, m, HighlightOptions{}) == model(analyzer, text, m), "text: " << text);
  }
}

BOOST_AUTO_TEST_CASE(many_first_letters_still_find_every_match) {
  // More distinct first letters than are compared one by one: every piece is then visited.
  const Analyzer analyzer(AnalyzerOptions{});
  HighlightMatcher m;
  for (char c = 'a'; c <= 'z'; ++c) m.terms.push_back(std::string(1, c) + "x");
  const std::string text = "Ax bx cx dx ex fx gx hx ix jx kx lx mx nx ox px qx rx sx tx ux vx wx xx yx zx ay";
  BOOST_TEST(highlight_text(analyzer, text, m, HighlightOptions{}) == model(analyzer, text, m));
}

BOOST_AUTO_TEST_SUITE_END()
