// Proves:
// 1. omitted keys take the documented defaults;
// 2. unknown keys, wrong types and invalid values are errors naming the full key path, and
//    every error of a document is reported at once;
// 3. URLs, RE2 patterns, selectors, ranges, enumerations, site names and default_site are
//    validated;
// 4. the API key is masked as "***" unless secrets are included, and "***" is refused as a key;
// 5. JSON syntax errors name the line and column;
// 6. precedence: defaults < file < environment < flags, with the source in error messages;
// 7. the JSON Schema lists every key with its default.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>

#include "siteseek/settings.hpp"

using namespace siteseek;
namespace json = boost::json;

namespace {

std::vector<ConfigIssue> issues_of(const std::string& text) {
  try {
    app_settings_from_json_text(text);
  } catch (const ConfigError& e) {
    return e.issues();
  }
  return {};
}

bool has_issue(const std::vector<ConfigIssue>& issues, const std::string& path, const std::string& fragment) {
  for (const auto& i : issues) {
    if (i.path == path && i.message.find(fragment) != std::string::npos) return true;
  }
  return false;
}

const char* minimal_site = R"({"sites":[{"name":"docs","url":"https://docs.example.org/"}]})";

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/siteseek-settings-XXXXXX";
    int fd = mkstemp(name);
    BOOST_REQUIRE(fd >= 0);
    ::close(fd);
    path = name;
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(defaults_fill_omitted_keys) {
  auto s = app_settings_from_json_text(minimal_site);
  BOOST_TEST(s.host == "127.0.0.1");
  BOOST_TEST(s.port == 8080);
  BOOST_TEST(s.max_num == 100u);
  BOOST_TEST(s.default_num == 30u);
  BOOST_TEST(s.storage == "embedded");
  BOOST_REQUIRE(s.sites.size() == 1u);
  const auto& site = s.sites[0];
  BOOST_TEST(site.field_weights.title == 10.0);
  BOOST_TEST(site.field_weights.section_title == 2.0);
  BOOST_TEST(site.field_weights.body == 1.5);
  BOOST_TEST(site.field_weights.url == 5.0);
  BOOST_TEST(site.language == "english");
  BOOST_TEST(!site.stop_words.empty());
  BOOST_TEST(site.search.typo_tolerance);
  BOOST_TEST(site.search.one_typo_min_length == 5u);
  BOOST_TEST(site.search.two_typos_min_length == 9u);
  BOOST_TEST(site.search.time_budget_ms == 50u);
  BOOST_TEST(&s.site("") == &s.sites[0]);
  BOOST_CHECK_THROW(s.site("nope"), UnknownSiteError);
}

BOOST_AUTO_TEST_CASE(wrong_type_names_the_full_path) {
  auto issues = issues_of(R"({"sites":[{"name":"a","url":"https://a.org/"},
                                       {"name":"b","url":"https://b.org/","synonyms":[3]}]})");
  BOOST_REQUIRE(issues.size() == 1u);
  BOOST_TEST(issues[0].path == "sites[1].synonyms[0]");
  BOOST_TEST(issues[0].message == "expected an array of strings, got an integer");
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_errors_with_suggestions) {
  auto issues = issues_of(R"({"prot": 9000, "sites":[{"name":"a","url":"https://a.org/","crawl":{"max_page":3}}]})");
  BOOST_TEST(has_issue(issues, "prot", "unknown key; did you mean 'port'?"));
  BOOST_TEST(has_issue(issues, "sites[0].crawl.max_page", "did you mean 'max_pages'?"));
}

BOOST_AUTO_TEST_CASE(every_error_is_reported_at_once) {
  auto issues = issues_of(R"({"port": "eighty", "threads": -1, "log_level": 3,
      "sites":[{"name":"a b","url":"ftp://x"},{"name":"c","url":"https://c.org/","field_weights":{"title":"high"}}]})");
  BOOST_TEST(has_issue(issues, "port", "expected an integer from 0 to 65535, got a string"));
  BOOST_TEST(has_issue(issues, "threads", "got -1"));
  BOOST_TEST(has_issue(issues, "log_level", "expected a string, got an integer"));
  BOOST_TEST(has_issue(issues, "sites[1].field_weights.title", "expected a number, got a string"));
  BOOST_TEST(issues.size() == 4u);  // value checks run once the types are right
}

BOOST_AUTO_TEST_CASE(invalid_values_are_reported_together) {
  auto issues = issues_of(R"({"port": 0, "storage": "disk", "redis_url": "http://x", "default_num": 500,
      "default_site": "nope", "cors_origins": ["docs.example.org"],
      "sites":[{"name":"a b","url":"ftp://x","deny_patterns":["(unclosed"],"language":"klingon",
                "synonyms":[["alone"]],"crawl":{"concurrency":0},"search":{"time_budget_ms":20000},"landing_pages":[{"query":"","url":"/rel"}],
                "compact_above_mb":2000000,
                "boosts":{"inbound_links":-1,"release_notes":0,"repeated_body":1.5,"urls":[{"pattern":"/api/","factor":0.5},{"pattern":"(","factor":0},{"factor":2}]}},
               {"name":"dup","url":"https://d.org/"},{"name":"dup","url":"https://e.org/"}]})");
  BOOST_TEST(!has_issue(issues, "port", ""));  // 0 picks a free port
  BOOST_TEST(has_issue(issues, "storage", R"(expected one of "embedded", "redis", got "disk")"));
  BOOST_TEST(has_issue(issues, "redis_url", "redis://"));
  BOOST_TEST(has_issue(issues, "default_num", "from 1 to 100, got 500"));
  BOOST_TEST(has_issue(issues, "default_site", "\"nope\" is not a configured site"));
  BOOST_TEST(has_issue(issues, "cors_origins[0]", "expected \"*\" or an origin"));
  BOOST_TEST(has_issue(issues, "sites[0].name", "expected letters, digits"));
  BOOST_TEST(has_issue(issues, "sites[0].url", "absolute http:// or https:// URL"));
  BOOST_TEST(has_issue(issues, "sites[0].deny_patterns[0]", "invalid regular expression"));
  BOOST_TEST(has_issue(issues, "sites[0].language", "unknown stemming language \"klingon\""));
  BOOST_TEST(has_issue(issues, "sites[0].synonyms[0]", "at least 2"));
  BOOST_TEST(has_issue(issues, "sites[0].crawl.concurrency", "from 1 to 256, got 0"));
  BOOST_TEST(has_issue(issues, "sites[0].search.time_budget_ms", "from 0 to 10000, got 20000"));
  BOOST_TEST(has_issue(issues, "sites[0].compact_above_mb", "from 0 to 1000000, got 2000000"));
  BOOST_TEST(has_issue(issues, "sites[0].landing_pages[0].query", "non-empty"));
  BOOST_TEST(has_issue(issues, "sites[0].landing_pages[0].url", "absolute"));
  BOOST_TEST(!has_issue(issues, "sites[0].boosts.urls[0].pattern", ""));
  BOOST_TEST(!has_issue(issues, "sites[0].boosts.urls[0].factor", ""));
  BOOST_TEST(has_issue(issues, "sites[0].boosts.urls[1].pattern", "invalid regular expression"));
  BOOST_TEST(has_issue(issues, "sites[0].boosts.urls[1].factor", "above 0 and at most 100, got 0"));
  BOOST_TEST(has_issue(issues, "sites[0].boosts.urls[2].pattern", "non-empty"));
  BOOST_TEST(has_issue(issues, "sites[0].boosts.inbound_links", "expected a finite number >= 0, got -1"));
  BOOST_TEST(has_issue(issues, "sites[0].boosts.release_notes", "above 0 and at most 100, got 0"));
  BOOST_TEST(has_issue(issues, "sites[0].boosts.repeated_body", "above 0 and at most 1, got 1.5"));
  BOOST_TEST(has_issue(issues, "sites[2].name", "duplicate site name \"dup\""));
}

BOOST_AUTO_TEST_CASE(tls_takes_a_certificate_with_its_key_and_a_known_version) {
  // Off by default; the files themselves are read by the server (tests/unit/http/tls_test.cpp).
  BOOST_TEST(!AppSettings{}.tls.enabled());
  BOOST_TEST(AppSettings{}.tls.min_version == "1.2");
  BOOST_TEST(issues_of(R"({"tls": {"cert_file": "/etc/c.pem", "key_file": "/etc/k.pem", "min_version": "1.3"}})").empty());
  auto only_cert = issues_of(R"({"tls": {"cert_file": "/etc/c.pem"}})");
  BOOST_TEST(only_cert.size() == 1u);
  BOOST_TEST(has_issue(only_cert, "tls.key_file", "required with tls.cert_file"));
  auto only_key = issues_of(R"({"tls": {"key_file": "/etc/k.pem", "min_version": "1.1"}})");
  BOOST_TEST(only_key.size() == 2u);
  BOOST_TEST(has_issue(only_key, "tls.cert_file", "required with tls.key_file"));
  BOOST_TEST(has_issue(only_key, "tls.min_version", R"(expected one of "1.2", "1.3", got "1.1")"));
  BOOST_TEST(has_issue(issues_of(R"({"tls": {"cert_fle": "x"}})"), "tls.cert_fle", "did you mean 'cert_file'?"));
  BOOST_TEST(has_issue(issues_of(R"({"tls": {"min_version": 1.2}})"), "tls.min_version", "expected a string, got a number"));
}

BOOST_AUTO_TEST_CASE(selectors_are_parsed_and_errors_say_where) {
  auto issues = issues_of(R"json({"sites":[{"name":"a","url":"https://a.org/",
      "content_selectors":["main article", "div.body[role=main]", "div:first-child", ""],
      "exclude_selectors":["[role=tabpanel][hidden]", "details:not([open]) > :not(summary)", "nav, footer",
                           "a + b", "[data-x", "> p"],
      "breadcrumb_selector":"ol.crumbs >"}]})json");
  BOOST_TEST(!has_issue(issues, "sites[0].content_selectors[0]", ""));
  BOOST_TEST(!has_issue(issues, "sites[0].content_selectors[1]", ""));
  BOOST_TEST(has_issue(issues, "sites[0].content_selectors[2]",
                       "invalid selector \"div:first-child\": unsupported pseudo-class ':first-child' (only :not(...) is) at character 4"));
  BOOST_TEST(has_issue(issues, "sites[0].content_selectors[3]", "empty selector"));
  BOOST_TEST(!has_issue(issues, "sites[0].exclude_selectors[0]", ""));
  BOOST_TEST(!has_issue(issues, "sites[0].exclude_selectors[1]", ""));
  BOOST_TEST(has_issue(issues, "sites[0].exclude_selectors[2]", "give each its own entry"));
  BOOST_TEST(has_issue(issues, "sites[0].exclude_selectors[3]", "unsupported combinator '+'"));
  BOOST_TEST(has_issue(issues, "sites[0].exclude_selectors[4]", "expected ']' or one of"));
  BOOST_TEST(has_issue(issues, "sites[0].exclude_selectors[5]", "expected a tag, *, .class"));
  BOOST_TEST(has_issue(issues, "sites[0].breadcrumb_selector", "expected a selector after '>'"));
  BOOST_TEST(issues.size() == 7u);
  BOOST_TEST(issues_of(R"({"sites":[{"name":"a","url":"https://a.org/","breadcrumb_selector":""}]})").empty());
}

BOOST_AUTO_TEST_CASE(out_of_range_integers) {
  auto issues = issues_of(R"({"port": 70000, "threads": 5000000000})");
  BOOST_TEST(has_issue(issues, "port", "expected an integer from 0 to 65535, got 70000"));
  BOOST_TEST(has_issue(issues, "threads", "expected an integer from 0 to 4294967295, got 5000000000"));
}

BOOST_AUTO_TEST_CASE(missing_required_site_keys) {
  auto issues = issues_of(R"({"sites":[{}]})");
  BOOST_TEST(has_issue(issues, "sites[0].name", "required"));
  BOOST_TEST(has_issue(issues, "sites[0].url", "required"));
}

BOOST_AUTO_TEST_CASE(root_must_be_an_object) {
  auto issues = issues_of("[1,2]");
  BOOST_REQUIRE(issues.size() == 1u);
  BOOST_TEST(issues[0].message == "expected an object, got an array");
}

BOOST_AUTO_TEST_CASE(syntax_errors_name_line_and_column) {
  try {
    app_settings_from_json_text("{\n  \"port\": 80,\n  \"host\": ]\n}");
    BOOST_FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("line 3, column 11") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(api_key_is_masked_unless_included) {
  auto s = app_settings_from_json_text(R"({"api_key":"s3cret"})");
  BOOST_TEST(s.api_key.value == "s3cret");
  auto masked = json::serialize(to_json(s));
  BOOST_TEST(masked.find("s3cret") == std::string::npos);
  BOOST_TEST(masked.find("\"api_key\":\"***\"") != std::string::npos);
  BOOST_TEST(json::serialize(json::value_from(s)).find("s3cret") == std::string::npos);
  BOOST_TEST(json::serialize(to_json(s, SecretPolicy::include)).find("\"api_key\":\"s3cret\"") != std::string::npos);
  // A masked dump must not silently become a config whose key is "***".
  BOOST_TEST(has_issue(issues_of(masked), "api_key", "masked value"));
  // An empty key stays empty (admin endpoints disabled), not "***".
  BOOST_TEST(json::serialize(to_json(AppSettings{})).find("\"api_key\":\"\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(precedence_file_env_flags) {
  TempFile file(R"({"port": 9000, "host": "0.0.0.0", "log_level": "warn",
                    "sites":[{"name":"docs","url":"https://docs.example.org/"}]})");
  SettingsSources sources;
  sources.file = file.path;
  auto s = load_settings(sources);
  BOOST_TEST(s.port == 9000);
  BOOST_TEST(s.host == "0.0.0.0");

  sources.environment = {{"SITESEEK_PORT", "9100"}, {"SITESEEK_CORS_ORIGINS", "https://a.org, https://b.org"},
                         {"SITESEEK_API_KEY", "k"}, {"SITESEEK_LOG_LEVEL", "debug"}};
  s = load_settings(sources);
  BOOST_TEST(s.port == 9100);
  BOOST_TEST(s.log_level == "debug");
  BOOST_TEST(s.api_key.value == "k");
  BOOST_TEST((s.cors_origins == std::vector<std::string>{"https://a.org", "https://b.org"}));

  sources.overrides = {{"port", "9200"}, {"sites[0].crawl.max_pages", "50"}, {"sites[0].synonyms", "[[\"a\",\"b\"]]"}};
  s = load_settings(sources);
  BOOST_TEST(s.port == 9200);
  BOOST_TEST(s.sites[0].crawl.max_pages == 50u);
  BOOST_REQUIRE(s.sites[0].synonyms.size() == 1u);
  BOOST_TEST(s.host == "0.0.0.0");  // untouched keys keep the file's value
}

BOOST_AUTO_TEST_CASE(errors_name_their_source) {
  SettingsSources sources;
  sources.environment = {{"SITESEEK_PORT", "http"}};
  try {
    load_settings(sources);
    BOOST_FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    BOOST_REQUIRE(e.issues().size() == 1u);
    BOOST_TEST(e.issues()[0].path == "port");
    BOOST_TEST(e.issues()[0].message.find("from environment SITESEEK_PORT") != std::string::npos);
  }
  sources.environment = {{"SITESEEK_PROT", "80"}};
  BOOST_CHECK_EXCEPTION(load_settings(sources), ConfigError, [](const ConfigError& e) {
    return std::string(e.what()).find("SITESEEK_PROT is not a siteseek setting") != std::string::npos;
  });
  sources.environment.clear();
  sources.overrides = {{"sites[0].crawl.max_pages", "many"}};
  BOOST_CHECK_EXCEPTION(load_settings(sources), ConfigError, [](const ConfigError& e) {
    return std::string(e.what()).find("sites[0].crawl.max_pages: (from command-line flag)") != std::string::npos;
  });
  sources.overrides.clear();
  sources.file = "/nonexistent/siteseek.json";
  BOOST_CHECK_EXCEPTION(load_settings(sources), ConfigError, [](const ConfigError& e) {
    return std::string(e.what()).find("/nonexistent/siteseek.json") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(schema_lists_every_key_with_defaults) {
  auto schema = settings_schema();
  auto& props = schema.at("properties").as_object();
  BOOST_TEST(props.at("port").at("default").to_number<std::int64_t>() == 8080);
  BOOST_TEST(props.at("port").at("maximum").to_number<std::int64_t>() == 65535);
  auto& site = props.at("sites").at("items").at("properties").as_object();
  BOOST_TEST(site.at("field_weights").at("properties").at("title").at("default").to_number<double>() == 10.0);
  BOOST_TEST(site.at("crawl").at("additionalProperties").as_bool() == false);
  BOOST_TEST(props.at("api_key").at("writeOnly").as_bool());
  auto& limits = props.at("rate_limits").at("properties").as_object();
  BOOST_TEST(limits.at("search").at("properties").at("per_second").at("default").to_number<double>() == 50);
  BOOST_TEST(limits.at("table_size").at("default").to_number<std::int64_t>() == 65536);
  BOOST_TEST(props.at("trusted_proxies").at("items").at("type").as_string() == "string");
  BOOST_TEST(props.at("tls").at("properties").at("min_version").at("default").as_string() == "1.2");
  BOOST_TEST(props.at("tls").at("additionalProperties").as_bool() == false);
}

// Rate limits: each budget, the table size and the trusted proxies are checked with their key
// paths; a misspelt budget is an unknown key with a suggestion.
BOOST_AUTO_TEST_CASE(rate_limit_settings_are_validated) {
  auto defaults = app_settings_from_json_text("{}");
  BOOST_TEST(defaults.rate_limits.enabled);
  BOOST_TEST(defaults.rate_limits.search.burst == 500u);
  BOOST_TEST((defaults.trusted_proxies == std::vector<std::string>{"127.0.0.1", "::1"}));
  auto issues = issues_of(R"({"rate_limits": {"search": {"per_second": 0, "burst": 0}, "admin": {"per_second": -1},
      "per_key": {"per_second": 1e12}, "table_size": 8},
      "trusted_proxies": ["10.0.0.0/8", "10.0.0.0/33", "proxy.local", "2001:db8::/32", "::ffff:10.0.0.0/104"],
      "trusted_proxy_header": "x-real-ip"})");
  BOOST_TEST(has_issue(issues, "rate_limits.search.per_second", "from 0.001 to 1e9, got 0"));
  BOOST_TEST(has_issue(issues, "rate_limits.search.burst", "from 1 to 1000000000, got 0"));
  BOOST_TEST(has_issue(issues, "rate_limits.admin.per_second", "got -1"));
  BOOST_TEST(has_issue(issues, "rate_limits.per_key.per_second", "from 0.001 to 1e9"));
  BOOST_TEST(has_issue(issues, "rate_limits.table_size", "from 64 to 16777216, got 8"));
  BOOST_TEST(has_issue(issues, "trusted_proxies[1]", "CIDR range"));
  BOOST_TEST(has_issue(issues, "trusted_proxies[2]", "got \"proxy.local\""));
  BOOST_TEST(!has_issue(issues, "trusted_proxies[0]", ""));
  BOOST_TEST(!has_issue(issues, "trusted_proxies[3]", ""));
  BOOST_TEST(!has_issue(issues, "trusted_proxies[4]", ""));
  BOOST_TEST(has_issue(issues, "trusted_proxy_header", R"(expected one of "x-forwarded-for", "forwarded")"));
  BOOST_TEST(has_issue(issues_of(R"({"rate_limits": {"serch": {}}})"), "rate_limits.serch", "did you mean 'search'?"));
}

BOOST_AUTO_TEST_SUITE_END()
