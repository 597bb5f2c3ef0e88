// Value checks that JSON types cannot express: URLs, patterns, ranges, names, enumerations.
#include <cmath>
#include <set>

#include <boost/url/parse.hpp>
#include <libstemmer.h>
#include <re2/re2.h>

#include "common/selector_syntax.hpp"
#include "settings/settings_internal.hpp"
#include "siteseek/policy.hpp"
#include "siteseek/document.hpp"
#include "siteseek/rate_limit.hpp"

namespace siteseek {
using settings_fields::Issues;
using settings_fields::index_path;
using settings_fields::join_path;

namespace {

bool is_http_url(const std::string& s, bool require_host = true) {
  auto r = boost::urls::parse_uri(s);
  if (!r) return false;
  auto scheme = r->scheme();
  return (scheme == "http" || scheme == "https") && (!require_host || !r->host().empty());
}

void check_url(const std::string& value, const std::string& path, Issues& issues) {
  if (!is_http_url(value)) {
    issues.push_back({path, "expected an absolute http:// or https:// URL, got \"" + value + "\""});
  }
}

void check_pattern(const std::string& pattern, const std::string& path, Issues& issues) {
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(pattern, options);
  if (!re.ok()) issues.push_back({path, "invalid regular expression: " + re.error()});
}

void check_patterns(const std::vector<std::string>& patterns, const std::string& path, Issues& issues) {
  for (std::size_t i = 0; i < patterns.size(); ++i) check_pattern(patterns[i], index_path(path, i), issues);
}

void check_non_empty(const std::vector<std::string>& values, const std::string& path, Issues& issues) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) issues.push_back({index_path(path, i), "expected a non-empty string"});
  }
}

// A selector of the subset ingestion matches (common/selector_syntax.hpp).
void check_selector(const std::string& text, const std::string& path, Issues& issues) {
  std::string error;
  if (css::parse_selector(text, &error).empty()) {
    issues.push_back({path, "invalid selector \"" + text + "\": " + (error.empty() ? "empty selector" : error)});
  }
}

void check_selectors(const std::vector<std::string>& selectors, const std::string& path, Issues& issues) {
  for (std::size_t i = 0; i < selectors.size(); ++i) check_selector(selectors[i], index_path(path, i), issues);
}

// Attribute names are what a filter expression names: lowercase words (docs/filters.md).
void check_attribute_name(const std::string& name, const std::string& path, Issues& issues) {
  if (!valid_attribute_name(name)) issues.push_back({path, "expected an attribute name of a-z, 0-9, _ and - (at most 64), got \"" + name + "\""});
}

template <class T>
void check_range(T value, T lo, T hi, const std::string& path, Issues& issues) {
  if (value < lo || value > hi) {
    issues.push_back({path, "expected a value from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " +
                                std::to_string(value)});
  }
}

// A factor a record's score is multiplied by.
void check_factor(double value, const std::string& path, Issues& issues) {
  if (!(std::isfinite(value) && value > 0 && value <= 100))
    issues.push_back({path, "expected a number above 0 and at most 100, got " + std::to_string(value)});
}

void check_weight(double value, const std::string& path, Issues& issues, bool allow_zero = true) {
  if (!std::isfinite(value) || value < 0 || (!allow_zero && value == 0)) {
    issues.push_back({path, std::string("expected a finite number ") + (allow_zero ? ">= 0" : "> 0") + ", got " +
                                std::to_string(value)});
  }
}

bool valid_language(const std::string& language) {
  if (language == "none") return true;
  for (const char** l = sb_stemmer_list(); *l; ++l) {
    if (language == *l) return true;
  }
  return false;
}

std::string languages() {
  std::string out = "none";
  for (const char** l = sb_stemmer_list(); *l; ++l) out += std::string(", ") + *l;
  return out;
}

void check_one_of(const std::string& value, std::initializer_list<const char*> allowed, const std::string& path,
                  Issues& issues) {
  std::string list;
  for (const char* a : allowed) {
    if (value == a) return;
    list += list.empty() ? "" : ", ";
    list += std::string("\"") + a + "\"";
  }
  issues.push_back({path, "expected one of " + list + ", got \"" + value + "\""});
}

void check_budget(const RateBudget& b, const std::string& path, Issues& issues) {
  if (!(std::isfinite(b.per_second) && b.per_second >= 0.001 && b.per_second <= 1e9)) {
    issues.push_back({join_path(path, "per_second"), "expected a number from 0.001 to 1e9, got " + std::to_string(b.per_second)});
  }
  check_range<std::uint32_t>(b.burst, 1, 1'000'000'000, join_path(path, "burst"), issues);
}

}  // namespace

namespace settings_fields {

void validate_site(const SiteSettings& s, const std::string& base, Issues& issues) {
  auto at = [&](std::string_view key) { return join_path(base, key); };
  if (s.name.empty()) {
    issues.push_back({at("name"), "required: a non-empty name of letters, digits, '_', '.' or '-'"});
  } else if (s.name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
             std::string::npos) {
    issues.push_back({at("name"), "expected letters, digits, '_', '.' or '-', got \"" + s.name + "\""});
  }
  if (s.url.empty()) {
    issues.push_back({at("url"), "required: the site's root URL (http:// or https://)"});
  } else {
    check_url(s.url, at("url"), issues);
  }
  check_non_empty(s.allowed_domains, at("allowed_domains"), issues);
  check_patterns(s.allow_patterns, at("allow_patterns"), issues);
  check_patterns(s.deny_patterns, at("deny_patterns"), issues);
  for (std::size_t i = 0; i < s.start_urls.size(); ++i) check_url(s.start_urls[i], index_path(at("start_urls"), i), issues);
  for (std::size_t i = 0; i < s.sitemap_urls.size(); ++i) check_url(s.sitemap_urls[i], index_path(at("sitemap_urls"), i), issues);
  check_selectors(s.content_selectors, at("content_selectors"), issues);
  check_selectors(s.exclude_selectors, at("exclude_selectors"), issues);
  if (!s.breadcrumb_selector.empty()) check_selector(s.breadcrumb_selector, at("breadcrumb_selector"), issues);
  check_non_empty(s.title_separators, at("title_separators"), issues);
  check_weight(s.field_weights.title, join_path(at("field_weights"), "title"), issues);
  check_weight(s.field_weights.section_title, join_path(at("field_weights"), "section_title"), issues);
  check_weight(s.field_weights.body, join_path(at("field_weights"), "body"), issues);
  check_weight(s.field_weights.url, join_path(at("field_weights"), "url"), issues);
  for (std::size_t i = 0; i < s.synonyms.size(); ++i) {
    auto p = index_path(at("synonyms"), i);
    if (s.synonyms[i].size() < 2) issues.push_back({p, "expected a group of at least 2 words or phrases"});
    check_non_empty(s.synonyms[i], p, issues);
  }
  check_non_empty(s.literal_terms, at("literal_terms"), issues);
  check_non_empty(s.stop_words, at("stop_words"), issues);
  if (!valid_language(s.language)) {
    issues.push_back({at("language"), "unknown stemming language \"" + s.language + "\"; expected one of " + languages()});
  }
  for (std::size_t i = 0; i < s.landing_pages.size(); ++i) {
    auto p = index_path(at("landing_pages"), i);
    if (s.landing_pages[i].query.empty()) issues.push_back({join_path(p, "query"), "expected a non-empty query"});
    check_url(s.landing_pages[i].url, join_path(p, "url"), issues);
  }
  for (std::size_t i = 0; i < s.attributes.size(); ++i) {
    auto p = index_path(at("attributes"), i);
    check_pattern(s.attributes[i].pattern, join_path(p, "pattern"), issues);
    check_attribute_name(s.attributes[i].attribute, join_path(p, "attribute"), issues);
    if (s.attributes[i].value.empty()) issues.push_back({join_path(p, "value"), "expected a non-empty value (\"$1\" for the first capture)"});
  }
  for (std::size_t i = 0; i < s.context_attributes.size(); ++i)
    check_attribute_name(s.context_attributes[i], index_path(at("context_attributes"), i), issues);
  check_non_empty(s.skip.title_contains, join_path(at("skip"), "title_contains"), issues);
  check_patterns(s.skip.url_patterns, join_path(at("skip"), "url_patterns"), issues);
  auto boosts = at("boosts");
  check_weight(s.boosts.page, join_path(boosts, "page"), issues, false);
  check_weight(s.boosts.section, join_path(boosts, "section"), issues, false);
  check_weight(s.boosts.depth_decay, join_path(boosts, "depth_decay"), issues);
  check_weight(s.boosts.current_section, join_path(boosts, "current_section"), issues, false);
  for (const auto& [key, factor] : {std::pair{"link_list", s.boosts.link_list}, std::pair{"repeated_body", s.boosts.repeated_body}}) {
    if (!(factor > 0 && factor <= 1))
      issues.push_back({join_path(boosts, key), "expected a number above 0 and at most 1, got " + std::to_string(factor)});
  }
  check_weight(s.boosts.inbound_links, join_path(boosts, "inbound_links"), issues);
  check_factor(s.boosts.release_notes, join_path(boosts, "release_notes"), issues);
  for (std::size_t i = 0; i < s.boosts.urls.size(); ++i) {
    auto p = index_path(join_path(boosts, "urls"), i);
    const auto& rule = s.boosts.urls[i];
    if (rule.pattern.empty()) issues.push_back({join_path(p, "pattern"), "expected a non-empty regular expression"});
    else check_pattern(rule.pattern, join_path(p, "pattern"), issues);
    check_factor(rule.factor, join_path(p, "factor"), issues);
  }
  auto crawl = at("crawl");
  check_range<std::uint32_t>(s.crawl.max_pages, 1, 10'000'000, join_path(crawl, "max_pages"), issues);
  check_range<std::uint32_t>(s.crawl.concurrency, 1, 256, join_path(crawl, "concurrency"), issues);
  check_range<std::uint32_t>(s.crawl.per_host_delay_ms, 0, 600'000, join_path(crawl, "per_host_delay_ms"), issues);
  check_range<std::uint32_t>(s.crawl.connect_timeout_ms, 1, 600'000, join_path(crawl, "connect_timeout_ms"), issues);
  check_range<std::uint32_t>(s.crawl.timeout_ms, 1, 3'600'000, join_path(crawl, "timeout_ms"), issues);
  check_range<std::uint64_t>(s.crawl.max_page_bytes, 1024, 1ull << 32, join_path(crawl, "max_page_bytes"), issues);
  check_range<std::uint32_t>(s.crawl.retries, 0, 10, join_path(crawl, "retries"), issues);
  if (s.crawl.user_agent.empty()) issues.push_back({join_path(crawl, "user_agent"), "expected a non-empty string"});
  auto search = at("search");
  check_range<std::uint32_t>(s.search.one_typo_min_length, 1, 64, join_path(search, "one_typo_min_length"), issues);
  check_range<std::uint32_t>(s.search.two_typos_min_length, s.search.one_typo_min_length, 64,
                             join_path(search, "two_typos_min_length"), issues);
  check_range<std::uint32_t>(s.search.time_budget_ms, 0, 10'000, join_path(search, "time_budget_ms"), issues);
  check_range<std::uint32_t>(s.search.snippet_length, 20, 10'000, join_path(search, "snippet_length"), issues);
  check_one_of(s.search_access, {"open", "key"}, at("search_access"), issues);
  check_range<std::uint32_t>(s.compact_above_mb, 0, 1'000'000, at("compact_above_mb"), issues);
}

}  // namespace settings_fields

void validate(const AppSettings& s) {
  Issues issues;
  if (s.host.empty()) issues.push_back({"host", "expected a host name or address to listen on"});
  check_range<std::uint32_t>(s.threads, 0, 1024, "threads", issues);
  // The files themselves are read by the server at start (and on SIGHUP), which names them.
  if (s.tls.enabled()) {
    if (s.tls.cert_file.empty()) issues.push_back({"tls.cert_file", "required with tls.key_file: the certificate (PEM) of that key"});
    if (s.tls.key_file.empty()) issues.push_back({"tls.key_file", "required with tls.cert_file: the certificate's private key (PEM)"});
  }
  check_one_of(s.tls.min_version, {"1.2", "1.3"}, "tls.min_version", issues);
  if (s.api_key.value == "***") issues.push_back({"api_key", "the masked value \"***\" cannot be used as a key"});
  for (std::size_t i = 0; i < s.cors_origins.size(); ++i) {
    const auto& o = s.cors_origins[i];
    if (o != "*" && !is_http_url(o)) {
      issues.push_back({index_path("cors_origins", i), "expected \"*\" or an origin like https://docs.example.org, got \"" + o + "\""});
    }
  }
  check_one_of(s.storage, {"embedded", "redis"}, "storage", issues);
  check_one_of(s.backend, {"embedded", "redisearch"}, "backend", issues);
  check_one_of(s.log_level, {"trace", "debug", "info", "warn", "error", "off"}, "log_level", issues);
  {
    auto r = boost::urls::parse_uri(s.redis_url);
    if (!r || (r->scheme() != "redis" && r->scheme() != "rediss")) {
      issues.push_back({"redis_url", "expected a redis:// or rediss:// URL, got \"" + s.redis_url + "\""});
    }
  }
  check_range<std::uint32_t>(s.max_query_length, 1, 1u << 20, "max_query_length", issues);
  check_range<std::uint32_t>(s.max_num, 1, 10'000, "max_num", issues);
  check_range<std::uint32_t>(s.default_num, 1, s.max_num, "default_num", issues);
  check_range<std::uint32_t>(s.result_cache_mb, 0, 65'536, "result_cache_mb", issues);
  check_budget(s.rate_limits.search, "rate_limits.search", issues);
  check_budget(s.rate_limits.admin, "rate_limits.admin", issues);
  check_budget(s.rate_limits.per_key, "rate_limits.per_key", issues);
  check_range<std::uint32_t>(s.rate_limits.table_size, 64, 1u << 24, "rate_limits.table_size", issues);
  check_range<std::uint32_t>(s.analytics.retention_days, 1, 3660, "analytics.retention_days", issues);
  check_range<std::uint32_t>(s.analytics.max_mb, 1, 1u << 20, "analytics.max_mb", issues);
  for (std::size_t i = 0; i < s.trusted_proxies.size(); ++i) {
    if (!parse_ip_range(s.trusted_proxies[i])) {
      issues.push_back({index_path("trusted_proxies", i),
                        "expected an IP address or CIDR range like 10.0.0.0/8 or 2001:db8::/32, got \"" + s.trusted_proxies[i] + "\""});
    }
  }
  check_one_of(s.trusted_proxy_header, {"x-forwarded-for", "forwarded"}, "trusted_proxy_header", issues);
  std::set<std::string> names;
  for (std::size_t i = 0; i < s.sites.size(); ++i) {
    auto path = index_path("sites", i);
    settings_fields::validate_site(s.sites[i], path, issues);
    if (!s.sites[i].name.empty() && !names.insert(s.sites[i].name).second) {
      issues.push_back({join_path(path, "name"), "duplicate site name \"" + s.sites[i].name + "\""});
    }
  }
  if (!s.default_site.empty() && !names.count(s.default_site)) {
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    issues.push_back({"default_site", "\"" + s.default_site + "\" is not a configured site (sites: " +
                                          (known.empty() ? std::string("none") : known) + ")"});
  }
  if (!issues.empty()) throw ConfigError(std::move(issues));
}

}  // namespace siteseek
