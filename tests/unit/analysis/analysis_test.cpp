// What this proves about siteseek::Analyzer:
//  1. Plain words: folded terms, consecutive positions, exact byte offsets; empty text and
//     punctuation-only text give no tokens.
//  2. Case and accent folding through utf8proc: "café" -> "cafe", "Straße" -> "strasse",
//     "ﬁle" -> "file", full-width letters, Turkish dotted I, Greek and Cyrillic accents; Japanese
//     and Indic marks kept; fold() equals the analyzed term.
//  3. Invalid UTF-8 never crashes: bad bytes are skipped, neighbouring words survive, and
//     random byte strings always give in-bounds offsets and non-empty terms.
//  4. Snowball stemming: stem holds the stem, term the unstemmed form; "none" disables it;
//     numbers, identifiers, literals and words with digits are never stemmed; an unknown
//     language is a ConfigError.
//  5. Stop words: compared after folding, flagged, still emitted; is_stop_word().
//  6. Code identifiers of every style (dotted, '::', dunder, snake_case, camelCase, HTTPServer,
//     a.b()) give the folded whole plus parts at consecutive positions from the whole's
//     position, and the next word follows the last part; compound dotted segments are parts too.
//  7. What is not an identifier: a sentence-ending period, "e.g.", ellipses, "--flag" dashes.
//  8. Numbers ("404", "3.11", "1,000", "127.0.0.1") and unconfigured versions are numbers.
//  9. Hyphenated words keep the whole form and give their parts.
// 10. Configured literal terms match case-insensitively, only on word boundaries, longest
//     first, as one literal token plus parts; non-ASCII literals match folded.
// 11. Offsets of every word, identifier, part and literal cover exactly the surface that folds
//     to the term (what the highlighter relies on).
// 12. Han/kana text is split into words (segmentation_test.cpp proves the rest).
// 13. Over-long terms are dropped, but an over-long identifier's parts are kept.
// 14. The stem cache stays correct after it fills up and is cleared.
// 15. Thread safety: 4 threads analyzing and stemming concurrently get identical results.
// 16. A moved Analyzer keeps working.
// 17. AnalyzerOptions::from_site takes language, stop words and literal terms from a site.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "siteseek/analysis.hpp"
#include "siteseek/error.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {
// Lets BOOST_TEST print a TokenKind when a comparison fails.
std::ostream& boost_test_print_type(std::ostream& os, TokenKind k) {
  return os << static_cast<int>(k);
}
}  // namespace siteseek

using siteseek::Analyzer;
using siteseek::AnalyzerOptions;
using siteseek::Token;
using siteseek::TokenKind;

namespace {

const char* kind_name(TokenKind k) {
  switch (k) {
    case TokenKind::word: return "word";
    case TokenKind::number: return "number";
    case TokenKind::identifier: return "identifier";
    case TokenKind::literal: return "literal";
    case TokenKind::part: return "part";
    case TokenKind::cjk: return "cjk";
  }
  return "?";
}

// "kind:term@position" for each token, in order: compact to compare whole analyses.
std::vector<std::string> describe(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const auto& t : tokens)
    out.push_back(std::string(kind_name(t.kind)) + ":" + t.term + "@" + std::to_string(t.position));
  return out;
}

std::vector<std::string> terms(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const auto& t : tokens) out.push_back(t.term);
  return out;
}

using Strings = std::vector<std::string>;

const Token* find(const std::vector<Token>& tokens, const std::string& term) {
  for (const auto& t : tokens)
    if (t.term == term) return &t;
  return nullptr;
}

AnalyzerOptions english_with(Strings stop_words = {}, Strings literals = {}) {
  AnalyzerOptions o;
  o.language = "english";
  o.stop_words = std::move(stop_words);
  o.literal_terms = std::move(literals);
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(analysis)

// 1
BOOST_AUTO_TEST_CASE(plain_words_positions_and_offsets) {
  Analyzer a;
  const std::string text = "  Install the Package,  quickly!";
  auto tokens = a.analyze(text);
  BOOST_TEST(describe(tokens) == (Strings{"word:install@0", "word:the@1", "word:package@2",
                                          "word:quickly@3"}),
             boost::test_tools::per_element());
  BOOST_TEST(tokens[0].offset == 2u);
  BOOST_TEST(tokens[0].length == 7u);
  BOOST_TEST(text.substr(tokens[2].offset, tokens[2].length) == "Package");
  BOOST_TEST(text.substr(tokens[3].offset, tokens[3].length) == "quickly");

  BOOST_TEST(a.analyze("").empty());
  BOOST_TEST(a.analyze(" \t\n ... --- !? () ").empty());
  BOOST_TEST(a.analyze("___").empty());
}

// 2
BOOST_AUTO_TEST_CASE(unicode_case_and_accent_folding) {
  Analyzer a(english_with());
  auto tokens = a.analyze("Café STRASSE Straße ﬁle Ｐｙｔｈｏｎ naïve Ångström");
  BOOST_TEST(terms(tokens) == (Strings{"cafe", "strasse", "strasse", "file", "python", "naive",
                                       "angstrom"}),
             boost::test_tools::per_element());
  BOOST_TEST(a.fold("Café") == "cafe");
  BOOST_TEST(a.fold("Straße") == "strasse");
  BOOST_TEST(a.fold("ﬁ") == "fi");
  BOOST_TEST(a.fold("DON'T") == "dont");
  BOOST_TEST(a.fold("don’t") == "dont");
  BOOST_TEST(a.fold("Python's") == "python");
  BOOST_TEST(a.fold("Python’s") == "python");
  BOOST_TEST(a.fold("'s") == "s");
  BOOST_TEST(a.fold("os.Path.JOIN") == "os.path.join");
  BOOST_TEST(a.fold("Ελληνικά") == "ελληνικα");  // Greek accents go like Latin ones
  BOOST_TEST(a.fold("Ёлка") == "елка");
  // Marks that make a different letter in their script are kept.
  BOOST_TEST(a.fold("ジ") == "ジ");
  BOOST_TEST(a.fold("हिन्दी") == "हिन्दी");

  // Turkish dotted capital I and dotless i: no crash, sensible ASCII-ish folds.
  auto turkish = a.analyze("İstanbul ıspanak DİYARBAKIR");
  BOOST_REQUIRE_EQUAL(turkish.size(), 3u);
  BOOST_TEST(turkish[0].term == "istanbul");
  BOOST_TEST(!turkish[1].term.empty());
  BOOST_TEST(a.fold("İ") == "i");

  // fold() of a word equals the term analyze() gives it.
  for (const char* w : {"Naïve", "ÉCOLE", "Größe", "ﬂow", "Ǆemal"}) {
    auto t = a.analyze(w);
    BOOST_REQUIRE_EQUAL(t.size(), 1u);
    BOOST_TEST(t[0].term == a.fold(w));
  }
}

// 3
BOOST_AUTO_TEST_CASE(invalid_utf8_is_skipped_never_crashes) {
  Analyzer a;
  const std::string text = std::string("good") + "\xff\xfe" + "word caf\xc3" + " end \xe2\x82";
  auto tokens = a.analyze(text);
  BOOST_TEST(terms(tokens) == (Strings{"good", "word", "caf", "end"}), boost::test_tools::per_element());
  BOOST_TEST(a.fold("ab\xff" "cd") == "abcd");
  BOOST_TEST(a.fold("\xc3") == "");

  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 300; ++round) {
    std::string junk;
    int len = round % 64 + 1;
    for (int k = 0; k < len; ++k) {
      // Mix ASCII letters and connectors in, so chunks and identifiers are exercised too.
      int b = byte(rng);
      if (b < 64) b = "abcXYZ09._-:'  "[b % 15];
      junk.push_back(static_cast<char>(b));
    }
    for (const auto& t : a.analyze(junk)) {
      BOOST_TEST(!t.term.empty());
      BOOST_TEST(t.length > 0u);
      BOOST_TEST(std::size_t(t.offset) + t.length <= junk.size());
    }
    (void)a.fold(junk);
  }
}

// 4
BOOST_AUTO_TEST_CASE(snowball_stemming) {
  Analyzer a(english_with());
  auto tokens = a.analyze("running joins installed libraries");
  BOOST_TEST(terms(tokens) == (Strings{"running", "joins", "installed", "libraries"}),
             boost::test_tools::per_element());
  BOOST_TEST(tokens[0].stem == "run");
  BOOST_TEST(tokens[1].stem == "join");
  BOOST_TEST(tokens[2].stem == "instal");
  BOOST_TEST(tokens[3].stem == "librari");
  BOOST_TEST(a.stem("running") == "run");
  BOOST_TEST(a.stem("library") == a.stem("libraries"));

  // Never stemmed: numbers, identifier wholes, words with digits.
  auto kept = a.analyze("3.11 os.path.joins x86s");
  BOOST_TEST(find(kept, "3.11")->stem == "3.11");
  BOOST_TEST(find(kept, "os.path.joins")->stem == "os.path.joins");
  BOOST_TEST(find(kept, "joins")->stem == "join");  // but the part is, so "join" finds it
  BOOST_TEST(find(kept, "x86s")->stem == "x86s");
  BOOST_TEST(a.stem("x86s") == "x86s");

  AnalyzerOptions none;
  none.language = "none";
  Analyzer plain(none);
  BOOST_TEST(plain.analyze("running")[0].stem == "running");
  BOOST_TEST(plain.stem("running") == "running");

  AnalyzerOptions german;
  german.language = "german";
  BOOST_TEST(Analyzer(german).stem("häuser") == "haus");

  AnalyzerOptions bad;
  bad.language = "klingon";
  try {
    Analyzer x(bad);
    BOOST_FAIL("an unknown language must be refused");
  } catch (const siteseek::ConfigError& e) {
    BOOST_TEST(e.code() == "invalid_config");
    BOOST_REQUIRE_EQUAL(e.issues().size(), 1u);
    BOOST_TEST(e.issues()[0].path == "language");
  }
}

// 5
BOOST_AUTO_TEST_CASE(stop_words_are_flagged_and_kept) {
  Analyzer a(english_with({"THE", "of", "Ä"}));
  auto tokens = a.analyze("The end of the Story ä");
  BOOST_TEST(terms(tokens) == (Strings{"the", "end", "of", "the", "story", "a"}),
             boost::test_tools::per_element());
  std::vector<bool> stops;
  for (const auto& t : tokens) stops.push_back(t.stop);
  BOOST_TEST(stops == (std::vector<bool>{true, false, true, true, false, true}),
             boost::test_tools::per_element());
  BOOST_TEST(a.is_stop_word("the"));
  BOOST_TEST(a.is_stop_word("a"));
  BOOST_TEST(!a.is_stop_word("story"));
  BOOST_TEST(!Analyzer().is_stop_word("the"));  // no list configured: nothing is a stop word
  // A number or identifier is never a stop word, even if it folds to one.
  Analyzer digits(english_with({"1", "os.path"}));
  BOOST_TEST(!digits.analyze("1")[0].stop);
  BOOST_TEST(!digits.analyze("os.path")[0].stop);
}

// 6
BOOST_AUTO_TEST_CASE(code_identifiers_whole_and_parts) {
  Analyzer a;
  auto check = [&](const std::string& text, const Strings& expected) {
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(describe(a.analyze(text)) == expected, boost::test_tools::per_element());
    }
  };
  check("call os.path.join now", {"word:call@0", "identifier:os.path.join@1", "part:os@1",
                                  "part:path@2", "part:join@3", "word:now@4"});
  check("str.split", {"identifier:str.split@0", "part:str@0", "part:split@1"});
  check("sys.argv", {"identifier:sys.argv@0", "part:sys@0", "part:argv@1"});
  check("def __init__(self)", {"word:def@0", "identifier:__init__@1", "part:init@1", "word:self@2"});
  check("snake_case_name", {"identifier:snake_case_name@0", "part:snake@0", "part:case@1",
                            "part:name@2"});
  check("camelCaseName x", {"identifier:camelcasename@0", "part:camel@0", "part:case@1",
                            "part:name@2", "word:x@3"});
  check("HTTPServer", {"identifier:httpserver@0", "part:http@0", "part:server@1"});
  check("std::vector<int>", {"identifier:std::vector@0", "part:std@0", "part:vector@1",
                             "word:int@2"});
  check("a.b()", {"identifier:a.b@0", "part:a@0", "part:b@1"});
  check("IOError APIs URLs", {"identifier:ioerror@0", "part:io@0", "part:error@1", "word:apis@2",
                              "word:urls@3"});
  check("int64_t utf8Decode", {"identifier:int64_t@0", "part:int64@0", "part:t@1",
                               "identifier:utf8decode@2", "part:utf8@2", "part:decode@3"});
  // A compound segment of a dotted identifier is a part too, sharing its first leaf's position.
  check("asyncio.get_event_loop()", {"identifier:asyncio.get_event_loop@0", "part:asyncio@0",
                                     "part:get_event_loop@1", "part:get@1", "part:event@2",
                                     "part:loop@3"});
  check("http.server.HTTPServer", {"identifier:http.server.httpserver@0", "part:http@0",
                                   "part:server@1", "part:httpserver@2", "part:http@2",
                                   "part:server@3"});

  // Parts are stemmed (so "joins" finds "join"); wholes are not.
  auto t = a.analyze("list.appends");
  BOOST_TEST(t[0].stem == "list.appends");
  BOOST_TEST(t[2].stem == "append");
}

// 7
BOOST_AUTO_TEST_CASE(what_is_not_an_identifier) {
  Analyzer a;
  BOOST_TEST(describe(a.analyze("end of text. Next one")) ==
                 (Strings{"word:end@0", "word:of@1", "word:text@2", "word:next@3", "word:one@4"}),
             boost::test_tools::per_element());
  BOOST_TEST(describe(a.analyze("tools, e.g. pip, i.e. this")) ==
                 (Strings{"word:tools@0", "word:eg@1", "word:pip@2", "word:ie@3", "word:this@4"}),
             boost::test_tools::per_element());
  BOOST_TEST(terms(a.analyze("wait...what")) == (Strings{"wait", "what"}),
             boost::test_tools::per_element());
  BOOST_TEST(describe(a.analyze("--verbose -m pip")) ==
                 (Strings{"word:verbose@0", "word:m@1", "word:pip@2"}),
             boost::test_tools::per_element());
  BOOST_TEST(terms(a.analyze("Note:this a - b a:b")) == (Strings{"note", "this", "a", "b", "a", "b"}),
             boost::test_tools::per_element());
}

// 8
BOOST_AUTO_TEST_CASE(numbers) {
  Analyzer a;
  auto t = a.analyze("Python 3.11 returns 404 for 1,000,000 rows at 127.0.0.1 in v6.2.8.");
  BOOST_TEST(describe(t) == (Strings{"word:python@0", "number:3.11@1", "word:returns@2",
                                     "number:404@3", "word:for@4", "number:1000000@5",
                                     "word:rows@6", "word:at@7", "number:127.0.0.1@8",
                                     "word:in@9", "number:v6.2.8@10"}),
             boost::test_tools::per_element());
  for (const auto& tok : t)
    if (tok.kind == TokenKind::number) BOOST_TEST(tok.stem == tok.term);
  // The number's offsets cover its surface, commas included.
  const Token* million = find(t, "1000000");
  BOOST_TEST(million->length == std::string("1,000,000").size());
  // A comma not followed by exactly three digits separates numbers.
  BOOST_TEST(terms(a.analyze("f(1,2) 10,5000")) == (Strings{"f", "1", "2", "10", "5000"}),
             boost::test_tools::per_element());
}

// 9
BOOST_AUTO_TEST_CASE(hyphenated_words) {
  Analyzer a;
  BOOST_TEST(describe(a.analyze("f-strings are built-in")) ==
                 (Strings{"identifier:f-strings@0", "part:f@0", "part:strings@1", "word:are@2",
                          "identifier:built-in@3", "part:built@3", "part:in@4"}),
             boost::test_tools::per_element());
  BOOST_TEST(find(a.analyze("f-strings"), "strings")->stem == "string");
}

// 10
BOOST_AUTO_TEST_CASE(literal_terms) {
  Analyzer a(english_with({}, {"active-active", "v6.2.8", "Redis-CLI", "C++", "Café-Crème"}));
  BOOST_TEST(describe(a.analyze("Active-Active setup")) ==
                 (Strings{"literal:active-active@0", "part:active@0", "part:active@1",
                          "word:setup@2"}),
             boost::test_tools::per_element());
  auto v = a.analyze("upgrade to v6.2.8.");
  BOOST_TEST(describe(v) == (Strings{"word:upgrade@0", "word:to@1", "literal:v6.2.8@2", "part:v6@2",
                                     "part:2@3", "part:8@4"}),
             boost::test_tools::per_element());
  BOOST_TEST(v[2].stem == "v6.2.8");
  // Only on a word boundary: not inside a longer version or a longer hyphenated name.
  BOOST_TEST(find(a.analyze("v6.2.89"), "v6.2.8") == nullptr);
  BOOST_TEST(a.analyze("redis-cli-tool")[0].kind == TokenKind::identifier);
  BOOST_TEST(a.analyze("use REDIS-cli")[1].kind == TokenKind::literal);
  // Punctuation inside a literal that would otherwise split it.
  BOOST_TEST(describe(a.analyze("C++ code")) ==
                 (Strings{"literal:c++@0", "part:c@0", "word:code@1"}),
             boost::test_tools::per_element());
  // A non-ASCII literal matches its folded form.
  auto cafe = a.analyze("CAFÉ-CRÈME");
  BOOST_REQUIRE(!cafe.empty());
  BOOST_TEST(cafe[0].kind == TokenKind::literal);
  BOOST_TEST(cafe[0].term == "cafe-creme");
  // A one-word literal is kept whole and unstemmed, with no duplicate part.
  Analyzer pandas(english_with({}, {"pandas"}));
  BOOST_TEST(describe(pandas.analyze("pandas frames")) ==
                 (Strings{"literal:pandas@0", "word:frames@1"}),
             boost::test_tools::per_element());
  BOOST_TEST(pandas.analyze("pandas")[0].stem == "pandas");
  // ... and not stemmed where it appears as a part either: one term, one stem.
  BOOST_TEST(find(pandas.analyze("pandas-ai"), "pandas")->stem == "pandas");
  BOOST_TEST(pandas.stem("pandas") == "pandas");
}

// 11
BOOST_AUTO_TEST_CASE(offsets_cover_the_surface_of_each_term) {
  Analyzer a(english_with({"the"}, {"redis-cli"}));
  const std::string text =
      "Über die Straße: call os.path.join(), see http.server.HTTPServer and __init__; "
      "redis-cli runs f-strings. Ｆｕｌｌ café_crème camelCase std::vector.";
  auto tokens = a.analyze(text);
  BOOST_TEST(tokens.size() > 20u);
  std::uint32_t last_position = 0;
  for (const auto& t : tokens) {
    BOOST_REQUIRE(std::size_t(t.offset) + t.length <= text.size());
    std::string surface = text.substr(t.offset, t.length);
    BOOST_TEST_CONTEXT(t.term) {
      BOOST_TEST(a.fold(surface) == t.term);
      BOOST_TEST(t.position >= last_position);  // positions never go back
    }
    last_position = t.position;
  }
  const Token* join = find(tokens, "join");
  BOOST_TEST(text.substr(join->offset, join->length) == "join");
  const Token* server = nullptr;
  for (const auto& t : tokens)
    if (t.term == "server" && text.substr(t.offset, t.length) == "Server") server = &t;
  BOOST_TEST(server != nullptr);
}

// 12
BOOST_AUTO_TEST_CASE(ideographs_are_segmented_into_words) {
  Analyzer a;
  const std::string text = "検索エンジン test";
  auto tokens = a.analyze(text);
  BOOST_TEST(terms(tokens) == (Strings{"検索", "エンジン", "test"}), boost::test_tools::per_element());
  BOOST_TEST(tokens[1].position == 1u);
  BOOST_TEST(tokens[1].offset == 6u);
  BOOST_TEST(tokens[1].length == 12u);
  BOOST_TEST(tokens[1].kind == TokenKind::cjk);
}

// 13
BOOST_AUTO_TEST_CASE(over_long_terms) {
  Analyzer a;
  std::string blob(siteseek::max_term_bytes + 1, 'q');
  BOOST_TEST(terms(a.analyze("a " + blob + " b")) == (Strings{"a", "b"}),
             boost::test_tools::per_element());
  std::string word(siteseek::max_term_bytes, 'q');
  BOOST_TEST(a.analyze(word).size() == 1u);
  // An identifier too long to keep whole still yields its parts.
  std::string ident = "mod";
  while (ident.size() <= siteseek::max_term_bytes) ident += ".segment";
  auto t = a.analyze(ident);
  BOOST_REQUIRE(!t.empty());
  BOOST_TEST(t[0].kind == TokenKind::part);
  BOOST_TEST(t[0].term == "mod");
  BOOST_TEST(t.back().term == "segment");
}

// 14
BOOST_AUTO_TEST_CASE(stem_cache_survives_filling_up) {
  Analyzer a;
  // 200,000 distinct letter-only words: more than the per-thread cache holds, so it is cleared
  // at least once while words are being stemmed.
  std::string text;
  for (int i = 0; i < 200000; ++i) {
    std::string w = "x";
    for (int v = i; v > 0; v /= 26) w.push_back(static_cast<char>('a' + v % 26));
    text += w + "ing running ";
  }
  auto tokens = a.analyze(text);
  BOOST_REQUIRE_EQUAL(tokens.size(), 400000u);
  for (std::size_t k = 1; k < tokens.size(); k += 2) {
    if (tokens[k].stem != "run") {
      BOOST_TEST(tokens[k].stem == "run");
      break;
    }
  }
  BOOST_TEST(a.stem("running") == "run");
  BOOST_TEST(a.analyze("libraries")[0].stem == "librari");
}

// 15
BOOST_AUTO_TEST_CASE(concurrent_use_gives_identical_results) {
  Analyzer a(english_with({"the", "a"}, {"redis-cli"}));
  std::string text;
  for (int i = 0; i < 200; ++i)
    text += "The running servers call os.path.join and redis-cli with HTTPServer " +
            std::to_string(i) + " times; cafés stemmed word" + std::string(1, char('a' + i % 26)) +
            "ing. ";
  const auto expected = a.analyze(text);
  const auto expected_stem = a.stem("connections");

  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 25; ++round) {
        auto got = a.analyze(text);
        bool same = got.size() == expected.size();
        for (std::size_t k = 0; same && k < got.size(); ++k)
          same = got[k].term == expected[k].term && got[k].stem == expected[k].stem &&
                 got[k].position == expected[k].position && got[k].offset == expected[k].offset &&
                 got[k].length == expected[k].length && got[k].kind == expected[k].kind &&
                 got[k].stop == expected[k].stop;
        if (!same || a.stem("connections") != expected_stem) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  BOOST_TEST(mismatches == (std::vector<int>{0, 0, 0, 0}), boost::test_tools::per_element());
}

// 16
BOOST_AUTO_TEST_CASE(moved_analyzer_keeps_working) {
  Analyzer a(english_with({"the"}));
  Analyzer b(std::move(a));
  BOOST_TEST(b.analyze("the running")[1].stem == "run");
  BOOST_TEST(b.analyze("the running")[0].stop);
  Analyzer c;
  c = std::move(b);
  BOOST_TEST(c.options().stop_words == Strings{"the"}, boost::test_tools::per_element());
  BOOST_TEST(c.stem("running") == "run");
}

// 17
BOOST_AUTO_TEST_CASE(options_from_site_settings) {
  // Designated initialisers give stop_words explicitly, so this does not depend on the settings
  // module's default list (the other members keep their defaults: hence the pragma).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
  siteseek::SiteSettings site{.name = "docs",
                              .url = "https://docs.example.org/",
                              .literal_terms = {"redis-cli"},
                              .stop_words = {"the", "Of"},
                              .language = "german"};
#pragma GCC diagnostic pop
  auto options = AnalyzerOptions::from_site(site);
  BOOST_TEST(options.language == "german");
  BOOST_TEST(options.stop_words == (Strings{"the", "Of"}), boost::test_tools::per_element());
  BOOST_TEST(options.literal_terms == Strings{"redis-cli"}, boost::test_tools::per_element());

  Analyzer a(options);
  auto tokens = a.analyze("the Häuser of redis-cli");
  BOOST_TEST(describe(tokens) == (Strings{"word:the@0", "word:hauser@1", "word:of@2",
                                          "literal:redis-cli@3", "part:redis@3", "part:cli@4"}),
             boost::test_tools::per_element());
  BOOST_TEST(tokens[0].stop);
  BOOST_TEST(tokens[2].stop);
  BOOST_TEST(tokens[1].stem == "haus");  // German Snowball, not English
}

BOOST_AUTO_TEST_SUITE_END()
