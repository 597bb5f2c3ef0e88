// Highlighting scans text sixteen bytes at a time and visits only the pieces that could match.
// These tests hold it to a plain model written from the rules in highlight.cpp: a piece is a run
// of letters, digits and non-ASCII bytes (digits joined by '.' or ',' stay one piece); a piece
// matches when its folded form is a term, starts with a prefix, or (sharing a stem's first three
// bytes) stems to it; & < > " ' become entities; matched pieces are wrapped in the tags.
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
                                          "os.path.join", "\n", "\t", "running", "runs"};
  const std::vector<std::string> words = {"a", "py", "python", "string", "int", "3", "3.11", "x", "1", "os",
                                          "path", "\xc3\xa9", "pyth", "str", "integ", "run"};
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
