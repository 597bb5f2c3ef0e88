// What these tests prove about searching Chinese and Japanese documents (the analyzer segments
// both sides with ICU, core/src/analysis/segmenter.cpp), through the public API:
// 1. A word inside a sentence written without spaces is found, and only where it is; the words
//    of a run typed without spaces are words as if typed with spaces: all must be there, and
//    when no record has them all, the query relaxes.
// 2. "A phrase" needs the words adjacent and in order.
// 3. Search as you type: the last word of the run is a prefix ("パッケ" finds パッケージ, "存储空"
//    finds 存储空间, "数据" finds 数据库); with a trailing space it is a word.
// 4. No typo tolerance: one changed character is another word ("パッケーシ " finds nothing), where
//    an English word one edit away is corrected.
// 5. A word the query segments otherwise than the documents did (ICU saw the query alone,
//    "シンボリック", and the document in context, シン|ボ|リック) is respelled with the index's
//    own terms and found as a phrase, also while it is typed ("シンボリ": its finished pieces);
//    a respelling that is not adjacent in a record is not a match.
// 6. Highlighting wraps exactly the matched words' characters, consecutive words in one pair of
//    tags, in titles and bodies, Latin words next to them too; a match far into a long body gets
//    a snippet around it (the snippet walk counts the analyzer's words, not space-separated runs).
// 7. Suggestions keep a query's run together.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "siteseek/index.hpp"
#include "siteseek/search.hpp"
#include "small_site.hpp"

using namespace siteseek;
using namespace siteseek::test;

namespace {

SearchResponse find(const Index& idx, const std::string& q) {
  SearchRequest r;
  r.q = q;
  r.distinct = false;
  return search_index(idx, r);
}

std::vector<std::string> urls(const SearchResponse& r) {
  std::vector<std::string> out;
  for (const auto& x : r.results) out.push_back(x.url.substr(root.size()));
  std::sort(out.begin(), out.end());
  return out;
}

using Strings = std::vector<std::string>;

std::string filler(int sentences) {
  std::string s;
  for (int i = 0; i < sentences; ++i) s += "这是一个没有意义的句子。";
  return s;
}

const std::vector<Document>& docs() {
  static const std::vector<Document> d = {
      page("db.html", "数据库管理", "本章介绍数据库管理系统的使用方法。"),
      page("net.html", "网络配置", "如何配置网络接口。"),
      page("storage.html", "存储", "通过挂载另一个分区来扩展可用存储空间。"),
      page("pkg.html", "パッケージ管理", "Debian のパッケージ管理システムの使い方を説明します。"),
      page("links.html", "リンク", "もし特段の理由がないなら複雑なシンボリックリンクやハードリンクを作らない方が一般的には良いでしょう。"),
      page("mixed.html", "Python", "Python的数据接口"),
      page("en.html", "Packages", "How to install a package with apt."),
      page("long.html", "长文", filler(60) + "要找的词是防火墙。" + filler(60)),
  };
  return d;
}

const Index& index() {
  static const auto idx = build(docs());
  return *idx;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cjk_search)

// 1
BOOST_AUTO_TEST_CASE(words_inside_sentences) {
  BOOST_TEST(urls(find(index(), "管理系统")) == (Strings{"db.html"}), boost::test_tools::per_element());
  BOOST_TEST(urls(find(index(), "接口 ")) == (Strings{"mixed.html", "net.html"}), boost::test_tools::per_element());
  BOOST_TEST(urls(find(index(), "网络接口")) == (Strings{"net.html"}), boost::test_tools::per_element());
  BOOST_TEST(urls(find(index(), "使い方")) == (Strings{"pkg.html"}), boost::test_tools::per_element());
  BOOST_TEST(urls(find(index(), "debian パッケージ")) == (Strings{"pkg.html"}), boost::test_tools::per_element());
  // 数据 and 接口 are both in mixed.html, not together anywhere else.
  BOOST_TEST(urls(find(index(), "数据接口")) == (Strings{"mixed.html"}), boost::test_tools::per_element());
  const auto none = find(index(), "防火墙管理");
  BOOST_TEST(none.relaxed);  // no record has both words
}

// 2
BOOST_AUTO_TEST_CASE(phrases_need_adjacent_words) {
  BOOST_TEST(urls(find(index(), "\"管理系统\"")) == (Strings{"db.html"}), boost::test_tools::per_element());
  BOOST_TEST(find(index(), "\"系统管理\"").results.empty());
}

// 3
BOOST_AUTO_TEST_CASE(the_last_word_is_a_prefix) {
  BOOST_TEST(urls(find(index(), "パッケ")) == (Strings{"pkg.html"}), boost::test_tools::per_element());
  BOOST_TEST(find(index(), "パッケ ").results.empty());
  BOOST_TEST(urls(find(index(), "存储空")) == (Strings{"storage.html"}), boost::test_tools::per_element());
  BOOST_TEST(urls(find(index(), "数据")) == (Strings{"db.html", "mixed.html"}), boost::test_tools::per_element());
  SearchRequest r;
  r.q = "パッケ";
  r.prefix = false;
  BOOST_TEST(search_index(index(), r).results.empty());
}

// 4
BOOST_AUTO_TEST_CASE(no_typos_in_cjk_words) {
  BOOST_TEST(find(index(), "パッケーシ ").results.empty());
  BOOST_TEST(urls(find(index(), "packege ")) == (Strings{"en.html"}), boost::test_tools::per_element());
}

// 5
BOOST_AUTO_TEST_CASE(a_word_segmented_otherwise_is_respelled) {
  const auto found = find(index(), "シンボリック ");
  BOOST_TEST(urls(found) == (Strings{"links.html"}), boost::test_tools::per_element());
  BOOST_REQUIRE(found.results.size() == 1u);
  BOOST_TEST(found.results[0].body.find("<b>シンボリック</b>") != std::string::npos, found.results[0].body);
  // Typed up to its middle: the pieces typed whole.
  BOOST_TEST(urls(find(index(), "シンボリ")) == (Strings{"links.html"}), boost::test_tools::per_element());
  // The pieces of a word are a phrase: リック before ボ is not "ボリック".
  BOOST_TEST(find(index(), "リックボ ").results.empty());
}

// 6
BOOST_AUTO_TEST_CASE(highlights_cover_the_matched_characters) {
  const auto db = find(index(), "管理系统 ");
  BOOST_REQUIRE(db.results.size() == 1u);
  BOOST_TEST(db.results[0].body == "本章介绍数据库<b>管理系统</b>的使用方法。");
  BOOST_TEST(db.results[0].title == "数据库<b>管理</b>");
  const auto mixed = find(index(), "python 数据");
  BOOST_REQUIRE(mixed.results.size() == 1u);
  BOOST_TEST(mixed.results[0].body == "<b>Python</b>的<b>数据</b>接口");
  const auto typed = find(index(), "数据接");
  BOOST_REQUIRE(typed.results.size() == 1u);
  BOOST_TEST(typed.results[0].body == "Python的<b>数据接口</b>");
  // 防火墙 is about 2,200 bytes into the body: the snippet is cut around it.
  const auto deep = find(index(), "防火墙");
  BOOST_REQUIRE(deep.results.size() == 1u);
  const std::string& body = deep.results[0].body;
  BOOST_TEST(body.find("<b>防火墙</b>") != std::string::npos, body);
  BOOST_TEST(body.starts_with("\xE2\x80\xA6"), body);  // cut before: an ellipsis
  BOOST_TEST(body.size() < 400u, body);
}

// 7
BOOST_AUTO_TEST_CASE(suggestions_keep_the_run_together) {
  SuggestRequest r;
  r.q = "网络接";
  const auto s = suggest_index(index(), r);
  BOOST_REQUIRE(!s.empty());
  BOOST_TEST(s[0].text == "网络接口");
}

BOOST_AUTO_TEST_SUITE_END()
