// What this proves about the segmentation of Chinese and Japanese (ICU's dictionary-based word
// BreakIterator, core/src/analysis/segmenter.cpp), and that every other script is untouched:
//  1. A Chinese sentence is split into the words of ICU 72's dictionary, each a token of kind cjk
//     at consecutive positions, with the byte offsets and lengths of its characters.
//  2. Japanese mixing kanji, kana, Latin and digits: the Latin and the digits keep their own
//     rules (words, numbers), the kana/kanji runs are segmented, positions run on across them.
//  3. CJK punctuation and spaces inside a run give no token and take no position; half-width
//     katakana folds to full width; iteration marks stay in their word (時々).
//  4. CJK words are never stemmed, never stop words (even when listed), never analysed as
//     identifiers; fold() of each token's surface is its term.
//  5. The same run segments the same whether analysed alone (a query) or inside a longer text
//     (a document), which is what lets queries find indexed words.
//  6. Korean (Hangul) is written with spaces: its words stay plain words, as before.
//  7. Every other script gives exactly the token stream main's analyzer gave before
//     segmentation (a golden stream, recorded from that analyzer): English prose, identifiers,
//     numbers, literals, stop words, Latin accents, Greek, Cyrillic, Arabic, Hangul, Thai,
//     Devanagari.
//  8. Threads: 4 threads segmenting at once (one ICU iterator each) get identical results.
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "siteseek/analysis.hpp"

using siteseek::Analyzer;
using siteseek::AnalyzerOptions;
using siteseek::Token;
using siteseek::TokenKind;

namespace {

using Strings = std::vector<std::string>;

Strings terms(const std::vector<Token>& tokens) {
  Strings out;
  for (const auto& t : tokens) out.push_back(t.term);
  return out;
}

// "term@position+offset:length" of each token.
Strings placed(const std::vector<Token>& tokens) {
  Strings out;
  for (const auto& t : tokens)
    out.push_back(t.term + "@" + std::to_string(t.position) + "+" + std::to_string(t.offset) + ":" +
                  std::to_string(t.length));
  return out;
}

// "kind term stem position offset length[ stop]", the golden stream's format.
Strings full(const std::vector<Token>& tokens) {
  Strings out;
  for (const auto& t : tokens)
    out.push_back(std::to_string(static_cast<int>(t.kind)) + " " + t.term + " " + t.stem + " " +
                  std::to_string(t.position) + " " + std::to_string(t.offset) + " " + std::to_string(t.length) +
                  (t.stop ? " stop" : ""));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(segmentation)

// 1
BOOST_AUTO_TEST_CASE(chinese_sentence_into_words) {
  Analyzer a;
  const std::string text = "数据库管理系统的使用方法";
  auto tokens = a.analyze(text);
  BOOST_TEST(terms(tokens) == (Strings{"数据", "库", "管理", "系统", "的", "使用", "方法"}),
             boost::test_tools::per_element());
  BOOST_TEST(placed(tokens) == (Strings{"数据@0+0:6", "库@1+6:3", "管理@2+9:6", "系统@3+15:6", "的@4+21:3",
                                        "使用@5+24:6", "方法@6+30:6"}),
             boost::test_tools::per_element());
  for (const auto& t : tokens) BOOST_TEST((t.kind == TokenKind::cjk));
}

// 2
BOOST_AUTO_TEST_CASE(japanese_mixed_with_latin_and_digits) {
  Analyzer a;
  const std::string text = "Dockerコンテナを使う2つの方法 (apt-get)";
  auto tokens = a.analyze(text);
  BOOST_TEST(placed(tokens) == (Strings{"docker@0+0:6", "コンテナ@1+6:12", "を@2+18:3", "使う@3+21:6", "2@4+27:1",
                                        "つ@5+28:3", "の@6+31:3", "方法@7+34:6", "apt-get@8+42:7", "apt@8+42:3",
                                        "get@9+46:3"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE(tokens.size() == 11u);
  BOOST_TEST((tokens[0].kind == TokenKind::word));
  BOOST_TEST((tokens[1].kind == TokenKind::cjk));
  BOOST_TEST((tokens[4].kind == TokenKind::number));
  BOOST_TEST((tokens[8].kind == TokenKind::identifier));
}

// 3
BOOST_AUTO_TEST_CASE(punctuation_half_width_and_iteration_marks) {
  Analyzer a;
  // 。 and U+3000 inside the run, 「」 around a word: no tokens, no positions.
  BOOST_TEST(placed(a.analyze("设置。使用\xE3\x80\x80「方法」")) ==
                 (Strings{"设置@0+0:6", "使用@1+9:6", "方法@2+21:6"}),
             boost::test_tools::per_element());
  // Half-width katakana is folded to full width; its offsets are the half-width bytes.
  auto half = a.analyze("ｶﾀｶﾅのﾃｽﾄ");
  BOOST_TEST(placed(half) == (Strings{"カタカナ@0+0:12", "の@1+12:3", "テスト@2+15:9"}),
             boost::test_tools::per_element());
  BOOST_TEST(terms(a.analyze("時々使う")) == (Strings{"時々", "使う"}), boost::test_tools::per_element());
  // A full-width digit ends the run and is a number.
  BOOST_TEST(terms(a.analyze("第３章")) == (Strings{"第", "3", "章"}), boost::test_tools::per_element());
}

// 4
BOOST_AUTO_TEST_CASE(never_stemmed_or_stop_words) {
  AnalyzerOptions o;
  o.stop_words = {"的", "the"};
  Analyzer a(o);
  const std::string text = "the 软件包的依赖关系、パッケージの依存関係";
  auto tokens = a.analyze(text);
  BOOST_REQUIRE(tokens.size() > 2);
  BOOST_TEST(tokens[0].stop);
  for (std::size_t k = 1; k < tokens.size(); ++k) {
    const auto& t = tokens[k];
    BOOST_TEST_CONTEXT(t.term) {
      BOOST_TEST((t.kind == TokenKind::cjk));
      BOOST_TEST(t.stem == t.term);
      BOOST_TEST(!t.stop);
      BOOST_TEST(a.fold(text.substr(t.offset, t.length)) == t.term);
      BOOST_TEST(t.position == k);
    }
  }
}

// 5
BOOST_AUTO_TEST_CASE(a_query_segments_as_the_document_does) {
  Analyzer a;
  const auto document = a.analyze("通过挂载另一个分区来扩展可用存储空间");
  for (const std::string query : {"分区", "扩展可用", "存储空间", "挂载另一个分区"}) {
    BOOST_TEST_CONTEXT(query) {
      const auto q = terms(a.analyze(query));
      // The query's words occur in the document's, consecutively.
      bool found = false;
      for (std::size_t i = 0; i + q.size() <= document.size() && !found; ++i) {
        found = true;
        for (std::size_t k = 0; k < q.size() && found; ++k) found = document[i + k].term == q[k];
      }
      BOOST_TEST(found);
    }
  }
}

// 6
BOOST_AUTO_TEST_CASE(korean_stays_word_based) {
  Analyzer a;
  auto tokens = a.analyze("한국어 문서를 검색합니다");
  BOOST_TEST(terms(tokens) == (Strings{"한국어", "문서를", "검색합니다"}), boost::test_tools::per_element());
  for (const auto& t : tokens) BOOST_TEST((t.kind == TokenKind::word));
}

// 7
BOOST_AUTO_TEST_CASE(other_scripts_unchanged) {
  AnalyzerOptions o;
  o.stop_words = {"the", "of", "a"};
  o.literal_terms = {"c++", "active-active"};
  Analyzer a(o);
  const std::string text =
      "The os.path.join() function joins 3.11 paths; e.g. HTTPServer's __init__ runs C++ in active-active mode (1,000 users, v6.2.8). Café Straße ﬁle naïve—déjà vu. Ελληνικά κείμενα, русский текст, العربية, 한국어 문서를 검색합니다, ภาษาไทย, हिन्दी पाठ, don’t --verbose -m x_y.";
  // Recorded with main's analyzer (528802a, before segmentation), by the same format as full().
  const Strings golden = {
    "0 the the 0 0 3 stop",
    "2 os.path.join os.path.join 1 4 12",
    "4 os os 1 4 2",
    "4 path path 2 7 4",
    "4 join join 3 12 4",
    "0 function function 4 19 8",
    "0 joins join 5 28 5",
    "1 3.11 3.11 6 34 4",
    "0 paths path 7 39 5",
    "0 eg eg 8 46 3",
    "2 httpserver httpserver 9 51 12",
    "4 http http 9 51 4",
    "4 server server 10 55 8",
    "2 __init__ __init__ 11 64 8",
    "4 init init 11 66 4",
    "0 runs run 12 73 4",
    "3 c++ c++ 13 78 3",
    "4 c c 13 78 1",
    "0 in in 14 82 2",
    "3 active-active active-active 15 85 13",
    "4 active activ 15 85 6",
    "4 active activ 16 92 6",
    "0 mode mode 17 99 4",
    "1 1000 1000 18 105 5",
    "0 users user 19 111 5",
    "1 v6.2.8 v6.2.8 20 118 6",
    "0 cafe cafe 21 127 5",
    "0 strasse strass 22 133 7",
    "0 file file 23 141 5",
    "0 naive naiv 24 147 6",
    "0 deja deja 25 156 6",
    "0 vu vu 26 163 2",
    "0 ελληνικα ελληνικα 27 167 16",
    "0 κειμενα κειμενα 28 184 14",
    "0 русскии русскии 29 200 14",
    "0 текст текст 30 215 10",
    "0 العربية العربية 31 227 14",
    "0 한국어 한국어 32 243 9",
    "0 문서를 문서를 33 253 9",
    "0 검색합니다 검색합니다 34 263 15",
    "0 ภาษาไทย ภาษาไทย 35 280 21",
    "0 हिन्दी हिन्दी 36 303 18",
    "0 पाठ पाठ 37 322 9",
    "0 dont dont 38 333 7",
    "0 verbose verbos 39 343 7",
    "0 m m 40 352 1",
    "2 x_y x_y 41 354 3",
    "4 x x 41 354 1",
    "4 y y 42 356 1"
  };
  BOOST_TEST(full(a.analyze(text)) == golden, boost::test_tools::per_element());
}

// 8
BOOST_AUTO_TEST_CASE(threads_segment_alike) {
  Analyzer a;
  const std::string text =
      "文件系统权限和正则表达式。パッケージ管理システムの使い方を説明します。" "Python的数据库接口";
  const auto expected = placed(a.analyze(text));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i)
        if (placed(a.analyze(text)) != expected) ++mismatches[t];
    });
  for (auto& th : threads) th.join();
  for (int m : mismatches) BOOST_TEST(m == 0);
}

BOOST_AUTO_TEST_SUITE_END()
