// Proves: settings survive every round trip losslessly:
// 1. from_json(to_json(s)) == s for 600 generated AppSettings values (unicode and control
//    characters, empty lists, extreme integers, tiny and huge doubles), through JSON text too;
// 2. to_json(from_json(x)) == x for canonical documents, including every file in examples/configs.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "siteseek/settings.hpp"

using namespace siteseek;
namespace json = boost::json;

namespace {

struct Generator {
  std::mt19937_64 rng{20261125};

  std::uint64_t below(std::uint64_t n) { return rng() % n; }

  std::string text() {
    static const char* pieces[] = {"a", "Z", "é", "日本", "𝄞", "😀", "\"", "\\", "/", "\n", "\t", "\x01",
                                   " ", "—", "ß", "<b>", "&amp;", "0", "\x7f", "ǅ"};
    std::string s;
    auto n = below(8);
    for (std::uint64_t i = 0; i < n; ++i) s += pieces[below(std::size(pieces))];
    return s;
  }
  std::vector<std::string> texts() {
    std::vector<std::string> v(below(4));
    for (auto& s : v) s = text();
    return v;
  }
  template <class Int>
  Int integer() {
    switch (below(4)) {
      case 0: return 0;
      case 1: return std::numeric_limits<Int>::max();
      case 2: return 1;
      default: return static_cast<Int>(rng());
    }
  }
  double number() {
    switch (below(6)) {
      case 0: return 0.0;
      case 1: return std::numeric_limits<double>::min();
      case 2: return std::numeric_limits<double>::max();
      case 3: return 1e-300 * double(below(1000));
      case 4: return double(below(100)) / 7.0;
      default: return std::ldexp(double(rng() >> 11), int(below(200)) - 100);
    }
  }
  bool boolean() { return below(2) == 1; }

  SiteSettings site() {
    SiteSettings s;
    s.name = text();
    s.url = text();
    s.directory = text();
    s.allowed_domains = texts();
    s.allow_patterns = texts();
    s.deny_patterns = texts();
    s.start_urls = texts();
    s.sitemap_urls = texts();
    s.content_selectors = texts();
    s.exclude_selectors = texts();
    s.breadcrumb_selector = text();
    s.title_separators = texts();
    s.field_weights = {number(), number(), number(), number()};
    s.synonyms.resize(below(3));
    for (auto& g : s.synonyms) g = texts();
    s.literal_terms = texts();
    s.stop_words = texts();
    s.language = text();
    s.landing_pages.resize(below(3));
    for (auto& l : s.landing_pages) l = {text(), text()};
    s.skip = {boolean(), texts(), texts()};
    s.boosts = {number(), number(), number(), number(), number(), number(), number(), {}};
    s.boosts.urls.resize(below(3));
    for (auto& u : s.boosts.urls) u = {text(), number()};
    s.crawl = {integer<std::uint32_t>(), integer<std::uint32_t>(), integer<std::uint32_t>(),
               integer<std::uint32_t>(), integer<std::uint32_t>(), integer<std::uint32_t>(),
               integer<std::uint64_t>(), integer<std::uint32_t>(), text()};
    s.search = {boolean(), integer<std::uint32_t>(), integer<std::uint32_t>(), integer<std::uint32_t>(), boolean(), boolean(), boolean(),
                integer<std::uint32_t>(), text(), text()};
    return s;
  }

  AppSettings app() {
    AppSettings a;
    a.host = text();
    a.port = integer<std::uint16_t>();
    a.threads = integer<std::uint32_t>();
    a.tls = {text(), text(), text()};
    a.api_key.value = text();
    if (a.api_key.value == "***") a.api_key.value = "x";
    a.cors_origins = texts();
    a.data_dir = text();
    a.storage = text();
    a.redis_url = text();
    a.backend = text();
    a.default_site = text();
    a.max_query_length = integer<std::uint32_t>();
    a.max_num = integer<std::uint32_t>();
    a.default_num = integer<std::uint32_t>();
    a.log_level = text();
    a.rate_limits = {boolean(), {number(), integer<std::uint32_t>()}, {number(), integer<std::uint32_t>()},
                     {number(), integer<std::uint32_t>()}, integer<std::uint32_t>()};
    a.trusted_proxies = texts();
    a.trusted_proxy_header = text();
    a.sites.resize(below(4));
    for (auto& s : a.sites) s = site();
    return a;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(settings_roundtrip)

BOOST_AUTO_TEST_CASE(generated_values_survive_json_and_text) {
  Generator g;
  for (int i = 0; i < 600; ++i) {
    AppSettings original = g.app();
    json::value doc = to_json(original, SecretPolicy::include);
    // Value level: generated values are not valid configs (random URLs), so read without validation.
    AppSettings back = json::value_to<AppSettings>(doc);
    BOOST_TEST_REQUIRE((back == original), "value round trip " << i << ": " << json::serialize(doc));
    // Text level: serialise and parse again.
    AppSettings from_text = json::value_to<AppSettings>(parse_json_exact(json::serialize(doc)));
    BOOST_TEST_REQUIRE((from_text == original), "text round trip " << i << ": " << json::serialize(doc));
    BOOST_TEST_REQUIRE(to_json(from_text, SecretPolicy::include) == doc);
  }
}

BOOST_AUTO_TEST_CASE(example_configs_round_trip) {
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(SITESEEK_SOURCE_DIR) + "/examples/configs")) {
    if (entry.path().extension() != ".json") continue;
    ++seen;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    AppSettings s = app_settings_from_json_text(text.str());
    json::value canonical = to_json(s, SecretPolicy::include);
    AppSettings again = app_settings_from_json(canonical);
    BOOST_TEST((again == s), entry.path());
    BOOST_TEST(to_json(again, SecretPolicy::include) == canonical, entry.path());
  }
  BOOST_TEST(seen >= 2);
}

BOOST_AUTO_TEST_SUITE_END()
