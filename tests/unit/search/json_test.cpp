// JSON string output: escapes, and invalid UTF-8 replaced so the document always parses (found
// by fuzz_http: an error message echoing a path with %fe produced invalid JSON).
#include <iterator>
#include <random>

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

// Long runs are skipped eight bytes at a time: any byte that needs escaping, wherever it falls in
// such a block, must still be escaped, and the rest copied as it is.
BOOST_AUTO_TEST_CASE(escapes_any_byte_wherever_it_falls_in_long_text) {
  const std::string pieces[] = {"abcdefgh", "x", " ", "\"", "\\", "\n", "\r", "\t", "\x01", "\x1f", "\x7f", "~",
                                "caf\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9d\x84\x9e", "0123456789"};
  std::mt19937 rng(5);
  for (int n = 0; n < 2000; ++n) {
    std::string s;
    const int count = static_cast<int>(rng() % 24);
    for (int k = 0; k < count; ++k) s += pieces[rng() % std::size(pieces)];
    std::string want = "\"";
    for (unsigned char c : s) {
      if (c == '"') want += "\\\"";
      else if (c == '\\') want += "\\\\";
      else if (c == '\n') want += "\\n";
      else if (c == '\r') want += "\\r";
      else if (c == '\t') want += "\\t";
      else if (c < 0x20) want += "\\u00" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
      else want += static_cast<char>(c);
    }
    want += '"';
    BOOST_TEST(json(s) == want);
    BOOST_TEST(std::string(boost::json::parse(json(s)).as_string()) == s);
  }
}

BOOST_AUTO_TEST_SUITE_END()
