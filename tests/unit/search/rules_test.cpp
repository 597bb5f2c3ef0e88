// What these tests prove:
// 1. docs/query-language.md lists the ranking rules by name in the order `ranking_rules` runs
//    them: the documentation cannot drift from the list the search runs.
// 2. Every rule has a unique name, a description, and exactly the function its stage calls.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "search/rules.hpp"

using namespace siteseek;

namespace {

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

BOOST_AUTO_TEST_SUITE_END()
