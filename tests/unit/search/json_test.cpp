// JSON string output: escapes, and invalid UTF-8 replaced so the document always parses (found
// by fuzz_http: an error message echoing a path with %fe produced invalid JSON).
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "siteseek/search.hpp"

using namespace siteseek;

namespace {
std::string json(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(json_strings)

BOOST_AUTO_TEST_CASE(escapes_and_valid_utf8_pass_through) {
  BOOST_TEST(json("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
  BOOST_TEST(json("café 日本 𝄞") == "\"café 日本 𝄞\"");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_becomes_replacement_characters) {
  const std::string bad[] = {"\xfe", "\xff" "a", "a\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                             "\xe6\x97", "x\xf0\x9f\x98"};
  for (const auto& b : bad) {
    std::string out = json(b);
    boost::system::error_code ec;
    auto v = boost::json::parse(out, ec);
    BOOST_TEST(!ec, "not JSON: " << out);
    if (!ec) BOOST_TEST(std::string(v.as_string()).find("\xef\xbf\xbd") != std::string::npos);
  }
  BOOST_TEST(json("a\xfe" "b") == "\"a\\ufffdb\"");
}

BOOST_AUTO_TEST_SUITE_END()
