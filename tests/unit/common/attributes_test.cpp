// Proves the rules every record's attributes are kept by (docs/filters.md), whoever gives them:
// 1. names are 1 to 64 of a-z, 0-9, _ and -; nothing else (no capitals, spaces, dots);
// 2. normalize_attributes trims values, sorts pairs by (name, value) and keeps each once, and says
//    what is wrong, naming the attribute: a bad name, an empty value, one over 128 bytes, more
//    than 32 values.
#include <boost/test/unit_test.hpp>

#include "siteseek/document.hpp"
#include "siteseek/limits.hpp"

using namespace siteseek;

BOOST_AUTO_TEST_SUITE(attribute_rules)

BOOST_AUTO_TEST_CASE(names) {
  for (const char* ok : {"version", "docusaurus_tag", "x-1", "a"}) BOOST_TEST(valid_attribute_name(ok), ok);
  BOOST_TEST(valid_attribute_name(std::string(limits::max_attribute_name_bytes, 'a')));
  BOOST_TEST(!valid_attribute_name(std::string(limits::max_attribute_name_bytes + 1, 'a')));
  for (const char* bad : {"", "Version", "doc tag", "docsearch:version", "v.1", "é"}) BOOST_TEST(!valid_attribute_name(bad), bad);
}

BOOST_AUTO_TEST_CASE(normalized_or_refused) {
  std::vector<Attribute> as{{"version", " 3.12\n"}, {"tags", "b"}, {"tags", "a"}, {"version", "3.12"}};
  BOOST_TEST(normalize_attributes(as) == "");
  BOOST_TEST((as == std::vector<Attribute>{{"tags", "a"}, {"tags", "b"}, {"version", "3.12"}}));

  auto problem = [](std::vector<Attribute> as) { return normalize_attributes(as); };
  BOOST_TEST(problem({{"Version", "1"}}) == "attribute name \"Version\" is not 1 to 64 of a-z, 0-9, _ and -");
  BOOST_TEST(problem({{"version", "  "}}) == "attribute \"version\" has an empty value");
  BOOST_TEST(problem({{"v", std::string(129, 'x')}}) == "attribute \"v\" has a value over 128 bytes");
  BOOST_TEST(problem({{"v", std::string(128, 'x')}}) == "");
  std::vector<Attribute> many;
  for (int i = 0; i < 33; ++i) many.push_back({"n", std::to_string(i)});
  BOOST_TEST(problem(many) == "33 attribute values, more than the 32 a record carries");
  many.pop_back();
  BOOST_TEST(problem(many) == "");
}

BOOST_AUTO_TEST_SUITE_END()
