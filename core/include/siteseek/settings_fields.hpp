#pragma once
// The one list of every settings field (public: bindings and tools walk settings with it):
// each_field(s, f) calls f("key", member) for each member
// of a settings struct, in documentation order. Reading, writing, the JSON Schema and the
// environment overrides are all derived from it, so a new field is added in one place.
#include <type_traits>

#include "siteseek/settings.hpp"

namespace siteseek::settings_fields {

template <class S, class T>
concept Same = std::is_same_v<std::remove_const_t<S>, T>;

template <class S, class F> requires Same<S, FieldWeights>
void each_field(S& s, F&& f) {
  f("title", s.title);
  f("section_title", s.section_title);
  f("body", s.body);
  f("url", s.url);
}

template <class S, class F> requires Same<S, LandingPage>
void each_field(S& s, F&& f) {
  f("query", s.query);
  f("url", s.url);
}

template <class S, class F> requires Same<S, AttributeRule>
void each_field(S& s, F&& f) {
  f("pattern", s.pattern);
  f("attribute", s.attribute);
  f("value", s.value);
}

template <class S, class F> requires Same<S, SkipRules>
void each_field(S& s, F&& f) {
  f("not_found_pages", s.not_found_pages);
  f("title_contains", s.title_contains);
  f("url_patterns", s.url_patterns);
}

template <class S, class F> requires Same<S, UrlBoost>
void each_field(S& s, F&& f) {
  f("pattern", s.pattern);
  f("factor", s.factor);
}

template <class S, class F> requires Same<S, Boosts>
void each_field(S& s, F&& f) {
  f("page", s.page);
  f("section", s.section);
  f("depth_decay", s.depth_decay);
  f("current_section", s.current_section);
  f("link_list", s.link_list);
  f("inbound_links", s.inbound_links);
  f("release_notes", s.release_notes);
  f("repeated_body", s.repeated_body);
  f("urls", s.urls);
}

template <class S, class F> requires Same<S, CrawlLimits>
void each_field(S& s, F&& f) {
  f("max_pages", s.max_pages);
  f("max_depth", s.max_depth);
  f("concurrency", s.concurrency);
  f("per_host_delay_ms", s.per_host_delay_ms);
  f("connect_timeout_ms", s.connect_timeout_ms);
  f("timeout_ms", s.timeout_ms);
  f("max_page_bytes", s.max_page_bytes);
  f("retries", s.retries);
  f("user_agent", s.user_agent);
}

template <class S, class F> requires Same<S, SearchOptions>
void each_field(S& s, F&& f) {
  f("typo_tolerance", s.typo_tolerance);
  f("one_typo_min_length", s.one_typo_min_length);
  f("two_typos_min_length", s.two_typos_min_length);
  f("time_budget_ms", s.time_budget_ms);
  f("prefix_search", s.prefix_search);
  f("related_words", s.related_words);
  f("distinct_by_page", s.distinct_by_page);
  f("snippet_length", s.snippet_length);
  f("highlight_pre_tag", s.highlight_pre_tag);
  f("highlight_post_tag", s.highlight_post_tag);
}

template <class S, class F> requires Same<S, SiteSettings>
void each_field(S& s, F&& f) {
  f("name", s.name);
  f("url", s.url);
  f("directory", s.directory);
  f("allowed_domains", s.allowed_domains);
  f("allow_patterns", s.allow_patterns);
  f("deny_patterns", s.deny_patterns);
  f("start_urls", s.start_urls);
  f("sitemap_urls", s.sitemap_urls);
  f("content_selectors", s.content_selectors);
  f("exclude_selectors", s.exclude_selectors);
  f("breadcrumb_selector", s.breadcrumb_selector);
  f("title_separators", s.title_separators);
  f("field_weights", s.field_weights);
  f("synonyms", s.synonyms);
  f("literal_terms", s.literal_terms);
  f("stop_words", s.stop_words);
  f("language", s.language);
  f("landing_pages", s.landing_pages);
  f("attributes", s.attributes);
  f("context_attributes", s.context_attributes);
  f("skip", s.skip);
  f("boosts", s.boosts);
  f("crawl", s.crawl);
  f("search", s.search);
  f("search_access", s.search_access);
  f("compact_above_mb", s.compact_above_mb);
}

template <class S, class F> requires Same<S, RateBudget>
void each_field(S& s, F&& f) {
  f("per_second", s.per_second);
  f("burst", s.burst);
}

template <class S, class F> requires Same<S, RateLimitSettings>
void each_field(S& s, F&& f) {
  f("enabled", s.enabled);
  f("search", s.search);
  f("admin", s.admin);
  f("per_key", s.per_key);
  f("table_size", s.table_size);
}

template <class S, class F> requires Same<S, AnalyticsSettings>
void each_field(S& s, F&& f) {
  f("enabled", s.enabled);
  f("retention_days", s.retention_days);
  f("max_mb", s.max_mb);
}

template <class S, class F> requires Same<S, TlsSettings>
void each_field(S& s, F&& f) {
  f("cert_file", s.cert_file);
  f("key_file", s.key_file);
  f("min_version", s.min_version);
}

template <class S, class F> requires Same<S, AppSettings>
void each_field(S& s, F&& f) {
  f("host", s.host);
  f("port", s.port);
  f("tls", s.tls);
  f("threads", s.threads);
  f("api_key", s.api_key);
  f("cors_origins", s.cors_origins);
  f("data_dir", s.data_dir);
  f("storage", s.storage);
  f("redis_url", s.redis_url);
  f("backend", s.backend);
  f("default_site", s.default_site);
  f("max_query_length", s.max_query_length);
  f("max_num", s.max_num);
  f("default_num", s.default_num);
  f("result_cache_mb", s.result_cache_mb);
  f("log_level", s.log_level);
  f("rate_limits", s.rate_limits);
  f("analytics", s.analytics);
  f("trusted_proxies", s.trusted_proxies);
  f("trusted_proxy_header", s.trusted_proxy_header);
  f("sites", s.sites);
}

/// Whether T is one of the structs listed above.
template <class T>
concept SettingsStruct = requires(T& t) { each_field(t, [](const char*, auto&) {}); };

}  // namespace siteseek::settings_fields
