// What these tests prove (core/src/search/query_parser.cpp, docs/query-language.md):
// 1. "-word" after or before other words excludes it ("json -yaml"), and so does -"a phrase".
// 2. A command-line flag is text, never an exclusion: "--anything" (a long option, also
//    "--no-cache-dir") and a dash with one letter or digit ("-m", "-O") anywhere in the query.
// 3. A query whose every clause is excluded excludes nothing: its words are searched
//    ("-socket" alone is "socket").
// 4. Search as you type treats a flag or such a word as the word being typed.
// 5. question_frame (search/question.cpp) marks the words framing a question, each pattern only
//    where it frames other words: "difference between" (not "between" alone), "vs" between two
//    words, "mean" closing "what ...", "work" closing "how do/does ...", "should" in a question
//    and "use" after "should I", "way" of "is there a way to" and "best way to", "good" of
//    "what is X good for".
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "search/query_parser.hpp"
#include "search/question.hpp"

using namespace siteseek::detail;

namespace {

// "text" per clause, "!text" when excluded (the operand's text keeps a dash the parser did not
// take as the operator), alternatives joined by '|', '*' after a prefix.
std::vector<std::string> clauses(const std::string& q, bool as_you_type = false) {
  std::vector<std::string> out;
  for (const auto& c : parse_query(q, as_you_type).clauses) {
    std::string s = c.excluded ? "!" : "";
    for (std::size_t k = 0; k < c.alternatives.size(); ++k) {
      const auto& op = c.alternatives[k];
      s += (k ? "|" : "") + (op.phrase ? "\"" + op.text + "\"" : op.text) + (op.prefix ? "*" : "");
    }
    out.push_back(s);
  }
  return out;
}

using Strings = std::vector<std::string>;

// The words question_frame marks, of a query given as its folded words.
Strings framed(const Strings& words) {
  Strings out;
  const auto f = question_frame(words);
  for (std::size_t i = 0; i < words.size(); ++i)
    if (f[i]) out.push_back(words[i]);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(query_parser)

BOOST_AUTO_TEST_CASE(a_dashed_word_next_to_others_is_excluded) {
  BOOST_TEST(clauses("json -yaml") == (Strings{"json", "!yaml"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("-yaml json") == (Strings{"!yaml", "json"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("asyncio -task -\"event loop\"") == (Strings{"asyncio", "!task", "!\"event loop\""}),
             boost::test_tools::per_element());
  BOOST_TEST(clauses("file -os.path") == (Strings{"file", "!os.path"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("json -yaml | -toml") == (Strings{"json", "!yaml|toml"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(command_line_flags_are_text) {
  BOOST_TEST(clauses("--verbose") == (Strings{"--verbose"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("-m") == (Strings{"-m"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("--no-cache-dir") == (Strings{"--no-cache-dir"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("python -m venv") == (Strings{"python", "-m", "venv"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("pip install --no-cache-dir") == (Strings{"pip", "install", "--no-cache-dir"}),
             boost::test_tools::per_element());
  BOOST_TEST(clauses("python -O -X dev") == (Strings{"python", "-O", "-X", "dev"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("grep --count -yaml") == (Strings{"grep", "--count", "!yaml"}), boost::test_tools::per_element());
  // Two letters after one dash are a word to exclude ("-vv" is not taken for a flag).
  BOOST_TEST(clauses("python -vv") == (Strings{"python", "!vv"}), boost::test_tools::per_element());
  // Lone operators stay ignored.
  BOOST_TEST(clauses("- -- ---").empty());
}

BOOST_AUTO_TEST_CASE(a_query_of_exclusions_only_searches_its_words) {
  BOOST_TEST(clauses("-socket") == (Strings{"socket"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("-json -yaml") == (Strings{"json", "yaml"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("-\"event loop\"") == (Strings{"\"event loop\""}), boost::test_tools::per_element());
  BOOST_TEST(clauses("-yaml --verbose") == (Strings{"!yaml", "--verbose"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(search_as_you_type_completes_flags_and_lone_words) {
  BOOST_TEST(clauses("--verb", true) == (Strings{"--verb*"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("-sock", true) == (Strings{"sock*"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("json -yam", true) == (Strings{"json", "!yam"}), boost::test_tools::per_element());
  BOOST_TEST(clauses("--verbose ", true) == (Strings{"--verbose"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(words_framing_a_question) {
  namespace tt = boost::test_tools;
  BOOST_TEST(framed({"difference", "between", "a", "list", "and", "a", "tuple"}) == (Strings{"difference", "between"}),
             tt::per_element());
  BOOST_TEST(framed({"days", "between", "two", "dates"}).empty());
  BOOST_TEST(framed({"json", "vs", "jsonb"}) == (Strings{"vs"}), tt::per_element());
  BOOST_TEST(framed({"vs", "code", "extensions"}).empty());
  BOOST_TEST(framed({"json", "", "vs"}).empty());
  BOOST_TEST(framed({"what", "does", "hashable", "mean"}) == (Strings{"mean"}), tt::per_element());
  BOOST_TEST(framed({"mean", "of", "a", "list"}).empty());
  BOOST_TEST(framed({"how", "does", "the", "gil", "work"}) == (Strings{"work"}), tt::per_element());
  BOOST_TEST(framed({"work", "mem", "setting"}).empty());
  BOOST_TEST(framed({"when", "should", "i", "use", "a", "brin", "index"}) == (Strings{"should", "use"}),
             tt::per_element());
  BOOST_TEST(framed({"use", "a", "brin", "index"}).empty());
  BOOST_TEST(framed({"is", "there", "a", "way", "to", "flatten", "a", "list"}) == (Strings{"way"}), tt::per_element());
  BOOST_TEST(framed({"the", "best", "way", "to", "copy", "a", "file"}) == (Strings{"best", "way"}), tt::per_element());
  BOOST_TEST(framed({"a", "way", "to", "copy"}).empty());
  BOOST_TEST(framed({"what", "is", "a", "gin", "index", "good", "for"}) == (Strings{"good"}), tt::per_element());
  BOOST_TEST(framed({"good", "for", "loops"}).empty());
  BOOST_TEST(framed({"what", "mean"}).empty());  // nothing left to ask about
}

BOOST_AUTO_TEST_SUITE_END()
