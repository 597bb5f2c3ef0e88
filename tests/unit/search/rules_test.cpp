// What these tests prove:
// 1. docs/query-language.md lists the ranking rules by name in the order `ranking_rules` runs
//    them: the documentation cannot drift from the list the search runs.
// 2. Every rule has a unique name, a description, and exactly the function its stage calls.
// 3. Each rule changes a ranking built for it, so taking the rule out of `ranking_rules` fails a
//    test (each was taken out in turn to see it): `words`, `bm25f`, `title_is_word`,
//    `proximity` and `typed_case` here; in
//    search_test.cpp, `match_kind` (typos_and_match_kind_order, prefixes_and_search_as_you_type),
//    `document_boost` (pages_other_pages_link_to_rank_higher, url_rules_scale_parts_of_the_site),
//    `current_section` (ranking_rules), `scattered`
//    (page_with_the_words_only_in_different_sections_ranks_lower) and `exact_title`
//    (numbered_headings_equal_the_query, stems_of_the_word_meant).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "search/rules.hpp"
#include "search/scratch.hpp"
#include "siteseek/index.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"
#include "small_site.hpp"

using namespace siteseek;
using namespace siteseek::test;

namespace {

SearchResponse run(const Index& idx, const std::string& q) {
  SearchRequest r;
  r.q = q;
  return search_index(idx, r);
}

std::string path_of(const SearchResult& r) { return r.url.substr(root.size()); }

// The names of the numbered list under "## Ranking rules": lines "1. `words` ...".
std::vector<std::string> documented_rules() {
  std::ifstream in(SITESEEK_SOURCE_DIR "/docs/query-language.md");
  BOOST_REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const auto start = doc.find("\n## Ranking rules\n");
  BOOST_REQUIRE(start != std::string::npos);
  const auto end = doc.find("\n## ", start + 1);
  const std::string section = doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::vector<std::string> names;
  const std::regex item(R"(\n\d+\. `([a-z0-9_]+)`)");
  for (std::sregex_iterator it(section.begin(), section.end(), item), last; it != last; ++it)
    names.push_back((*it)[1].str());
  return names;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(search_rules)

BOOST_AUTO_TEST_CASE(the_docs_list_the_rules_the_search_runs_in_its_order) {
  std::vector<std::string> declared;
  for (const auto& rule : detail::ranking_rules) declared.emplace_back(rule.name);
  BOOST_TEST(documented_rules() == declared, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_rule_is_named_described_and_applied_at_its_stage) {
  std::set<std::string_view> names;
  for (const auto& rule : detail::ranking_rules) {
    BOOST_TEST_CONTEXT(rule.name) {
      BOOST_TEST(names.insert(rule.name).second);
      BOOST_TEST(!rule.description.empty());
      BOOST_TEST((rule.weigh != nullptr) == (rule.stage == detail::RuleStage::weight));
      BOOST_TEST((rule.apply != nullptr) == (rule.stage == detail::RuleStage::candidates));
      BOOST_TEST((rule.rerank != nullptr) == (rule.stage == detail::RuleStage::rerank));
    }
  }
}

// words: when nothing has every word, the record with more of them leads though it scores less
// (its words are common and lost in a long body; a's one word is its title).
BOOST_AUTO_TEST_CASE(words_more_words_first_when_relaxed) {
  std::string filler;
  for (int i = 0; i < 40; ++i) filler += "lorem ipsum ";
  std::vector<Document> docs{page("lib/a.html", "Alpha", "alpha alpha"),
                             page("lib/b.html", "Notes", filler + "alpha " + filler + "beta " + filler)};
  for (int i = 0; i < 8; ++i) docs.push_back(page("f" + std::to_string(i) + ".html", "F", "beta " + filler));
  const auto r = run(*build(docs), "alpha beta zebra ");
  BOOST_TEST(r.relaxed);
  BOOST_REQUIRE(r.results.size() >= 2u);
  BOOST_TEST(path_of(r.results[0]) == "lib/b.html");
  BOOST_TEST(path_of(r.results[1]) == "lib/a.html");
  BOOST_TEST(r.results[0].score < r.results[1].score);
}

// bm25f: a rare word's match outweighs a common word's, though the common word is there twice
// in as short a record (its idf is what this stage brings).
BOOST_AUTO_TEST_CASE(bm25f_a_rare_word_weighs_more) {
  std::vector<Document> docs{page("lib/p.html", "P", "alpha alpha"), page("lib/q.html", "Q", "beta gamma")};
  for (int i = 0; i < 10; ++i) docs.push_back(page("f" + std::to_string(i) + ".html", "F", "alpha and more words here"));
  const auto r = run(*build(docs), "alpha | beta ");
  BOOST_REQUIRE(r.results.size() >= 2u);
  BOOST_TEST(path_of(r.results[0]) == "lib/q.html");
}

// proximity: same words, same lengths; the record with them adjacent leads the one with them
// apart, which comes first in the index (and so would lead on a tie).
BOOST_AUTO_TEST_CASE(proximity_adjacent_words_first) {
  auto idx = build({page("lib/x.html", "X", "alpha one two three four five six beta"),
                    page("lib/y.html", "Y", "alpha beta one two three four five six")});
  const auto r = run(*idx, "alpha beta ");
  BOOST_REQUIRE(r.results.size() == 2u);
  BOOST_TEST(path_of(r.results[0]) == "lib/y.html");
  BOOST_TEST(r.results[0].score > r.results[1].score);
}

// title_is_word: a page titled by the one word typed leads, though sixty short records holding
// the word, each with more boost than it (a site's most linked-to pages), outscore it until the
// title is counted: counted only among the best 50, the page would not be among them.
BOOST_AUTO_TEST_CASE(title_is_word_a_page_titled_by_the_word_is_among_those_reranked) {
  std::string filler;
  for (int i = 0; i < 30; ++i) filler += "lorem ipsum dolor ";
  std::vector<Document> docs{page("api/Attribute.html", "Attribute", filler + "one attribute " + filler)};
  for (int i = 0; i < 60; ++i) {
    docs.push_back(page("api/W" + std::to_string(i) + ".html", "Widget " + std::to_string(i), "sets an attribute"));
    docs.back().boost = 3.0f;
  }
  const auto r = run(*build(docs), "attribute");
  BOOST_REQUIRE(!r.results.empty());
  BOOST_TEST(path_of(r.results[0]) == "api/Attribute.html");
}

// typed_case: a function getName and a class GetName fold alike; the class's page has more boost,
// so it leads whenever case is not read. Typed "getName" the function leads; typed "GetName" or
// "getname" (one case throughout: no intent read), the class.
BOOST_AUTO_TEST_CASE(typed_case_a_title_in_another_case_than_typed_names_something_else) {
  std::vector<Document> docs{page("api/GetName.html", "GetName", "The GetName class: its getName method returns it."),
                             page("api/getName.html", "getName", "The getName function returns a GetName.")};
  docs[0].boost = 1.1f;
  const auto idx = build(docs);
  for (const auto& [q, first] : {std::pair{"getName ", "api/getName.html"}, std::pair{"getNa", "api/getName.html"},
                                 std::pair{"GetName ", "api/GetName.html"}, std::pair{"getname ", "api/GetName.html"}}) {
    BOOST_TEST_CONTEXT(q) {
      const auto r = run(*idx, q);
      BOOST_REQUIRE(r.results.size() == 2u);
      BOOST_TEST(path_of(r.results[0]) == first);
    }
  }
}

// The candidates re-ranked are the k best by Better whichever way they are chosen (a heap pass
// from 4,096 candidates, nth_element below): the same set as sorting all of them, ties in score
// broken by the document, relaxed matches' word counts first; the rest kept after them.
BOOST_AUTO_TEST_CASE(select_best_moves_the_k_best_to_the_front) {
  using siteseek::detail::Candidate;
  std::mt19937 rng(7);
  for (const std::size_t n : {0u, 1u, 10u, 50u, 51u, 4095u, 4096u, 20000u}) {
    for (const std::size_t k : {0u, 1u, 50u, 400u}) {
      std::vector<Candidate> c(n);
      for (std::size_t i = 0; i < n; ++i)  // few distinct scores and word counts: many ties
        c[i] = {static_cast<std::uint32_t>(i), static_cast<std::uint16_t>(rng() % 3), static_cast<float>(rng() % 17) / 4};
      std::shuffle(c.begin(), c.end(), rng);
      auto sorted = c;
      std::sort(sorted.begin(), sorted.end(), siteseek::detail::better);
      siteseek::detail::select_best(c, k);
      const std::size_t kept = std::min(k, n);
      std::vector<std::uint32_t> front, want, all;
      for (std::size_t i = 0; i < kept; ++i) front.push_back(c[i].doc), want.push_back(sorted[i].doc);
      for (const auto& x : c) all.push_back(x.doc);
      std::sort(front.begin(), front.end());
      std::sort(want.begin(), want.end());
      std::sort(all.begin(), all.end());
      BOOST_TEST(front == want, "n " << n << ", k " << k);
      BOOST_TEST(all.size() == n);
      BOOST_TEST((std::adjacent_find(all.begin(), all.end()) == all.end()));  // every candidate once
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
