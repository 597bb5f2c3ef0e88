#pragma once
// Typed settings for the application and for each site. Every type converts losslessly to and
// from Boost.JSON (tag_invoke); omitted keys take the defaults written here; any mistake is a
// ConfigError naming the full key path. docs/configuration.md lists every key.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>

#include "siteseek/error.hpp"

namespace siteseek {

/// A secret string (the API key). Printing settings shows "***" instead of its value.
struct Secret {
  std::string value;
  bool empty() const noexcept { return value.empty(); }
  bool operator==(const Secret&) const = default;
};

/// Relative weight of each indexed field in BM25F.
struct FieldWeights {
  double title = 10.0;
  double section_title = 2.0;
  double body = 1.5;
  double url = 5.0;  // the path and the ids of definitions inside the record (`dict.get`)
  bool operator==(const FieldWeights&) const = default;
};

/// A query whose first result is pinned to a URL ("install" -> the installation page).
struct LandingPage {
  std::string query;
  std::string url;
  bool operator==(const LandingPage&) const = default;
};

/// Pages that are fetched but not indexed, and why.
struct SkipRules {
  bool not_found_pages = true;             ///< skip pages that look like "404 Not Found"
  std::vector<std::string> title_contains; ///< skip a page whose title contains any of these
  std::vector<std::string> url_patterns;   ///< RE2 patterns matched against the full URL
  bool operator==(const SkipRules&) const = default;
};

/// A part of the site that scores more or less than the rest ("/c-api/" at 0.6).
struct UrlBoost {
  std::string pattern;  ///< RE2 pattern searched for in the full URL
  double factor = 1.0;  ///< score factor of the records of pages whose URL it matches
  bool operator==(const UrlBoost&) const = default;
};

/// Score multipliers applied on top of BM25F.
struct Boosts {
  double page = 1.0;             ///< page records
  double section = 0.9;          ///< section records
  double depth_decay = 0.05;     ///< per URL path level below the root: score *= 1/(1+decay*depth)
  double current_section = 1.3;  ///< records in the caller's section (from_url)
  double link_list = 0.5;        ///< factor for records that are all links (30 % link text: 1, 90 %+: this)
  double inbound_links = 0.15;   ///< score *= 1 + this x ln(1 + other pages linking to its page); 0: off
  /// Factor for the records of release notes and changelogs (is_release_notes): they mention
  /// every feature in passing, and rarely answer a question about one. 1: off.
  double release_notes = 0.8;
  /// Factor for records whose body is repeated on three pages or more (score_repeated_bodies):
  /// a notice in place of content, which says nothing about its page's title. 1: off.
  double repeated_body = 0.25;
  std::vector<UrlBoost> urls;    ///< per part of the site; the first pattern a URL matches applies
  bool operator==(const Boosts&) const = default;
};

/// How hard the crawler may work.
struct CrawlLimits {
  std::uint32_t max_pages = 10000;
  std::uint32_t max_depth = 32;
  std::uint32_t concurrency = 8;          ///< parallel requests in all
  std::uint32_t per_host_delay_ms = 0;    ///< at least this long between requests to one host
  std::uint32_t connect_timeout_ms = 5000;
  std::uint32_t timeout_ms = 20000;       ///< whole-request timeout
  std::uint64_t max_page_bytes = 10u << 20;
  std::uint32_t retries = 2;              ///< extra attempts after a 5xx or timeout
  std::string user_agent = "siteseek";
  bool operator==(const CrawlLimits&) const = default;
};

/// Per-site search behaviour.
struct SearchOptions {
  bool typo_tolerance = true;
  std::uint32_t one_typo_min_length = 5;   ///< words this long may have 1 typo
  std::uint32_t two_typos_min_length = 9;  ///< words this long may have 2 typos
  /// Time a search may spend before the words it expands next get no typo neighbours (typo
  /// lookups are the one expansion whose cost grows with the dictionary; the other limits bound
  /// the rest). Such an answer says SearchResponse::out_of_time and is not cached.
  std::uint32_t time_budget_ms = 50;
  bool prefix_search = true;               ///< the last word is a prefix unless followed by a space
  /// A word the site rarely uses is also looked for by the related words it uses much more
  /// (built-in English list: docs/query-language.md#related-words), at a lower weight.
  bool related_words = true;
  bool distinct_by_page = true;            ///< one result per page URL
  std::uint32_t snippet_length = 200;      ///< characters of body in a result, about
  std::string highlight_pre_tag = "<b>";
  std::string highlight_post_tag = "</b>";
  bool operator==(const SearchOptions&) const = default;
};

/// An attribute every record of a page gets from the page's URL (filters and facets): when
/// `pattern` (RE2, searched in the full URL) matches, the record gets `attribute` = `value`, with
/// $1..$9 in `value` replaced by the pattern's captures ("/docs/(\\d+\\.\\d+)/" -> "$1").
struct AttributeRule {
  std::string pattern;
  std::string attribute;  ///< [a-z0-9_-]+
  std::string value;
  bool operator==(const AttributeRule&) const = default;
};

/// One documentation site: where its pages come from and how to search it.
struct SiteSettings {
  std::string name;                              ///< required; [A-Za-z0-9_.-]+
  std::string url;                               ///< required; the site root (http/https)
  std::string directory;                         ///< built HTML on disk, indexed instead of crawling
  std::vector<std::string> allowed_domains;      ///< empty: the host of url
  std::vector<std::string> allow_patterns;       ///< RE2; when any is given, a URL must match one
  std::vector<std::string> deny_patterns;        ///< RE2; a matching URL is never fetched
  std::vector<std::string> start_urls;           ///< empty: url
  std::vector<std::string> sitemap_urls;         ///< besides robots.txt's Sitemap lines
  std::vector<std::string> content_selectors;    ///< e.g. "div.body", "#content", "main article"
  /// Elements matching one are left out of the content, with everything in them, on top of the
  /// generator's chrome: "aside.ad", "[role=tabpanel][hidden]" (docs/sites.md).
  std::vector<std::string> exclude_selectors;
  std::string breadcrumb_selector;               ///< links inside it form the hierarchy
  std::vector<std::string> title_separators;     ///< title cut at the last one; empty: what the site's titles share is removed
  FieldWeights field_weights;
  std::vector<std::vector<std::string>> synonyms;  ///< groups of equivalent words or phrases
  std::vector<std::string> literal_terms;          ///< kept as single tokens: "active-active", "v6.2.8"
  std::vector<std::string> stop_words = default_stop_words();
  std::string language = "english";                ///< Snowball stemmer name, or "none"
  std::vector<LandingPage> landing_pages;
  /// Attributes from URL patterns, applied before those the pages declare (docs/filters.md).
  std::vector<AttributeRule> attributes;
  /// Attributes a search keeps to the reader's page's values when it gives from_url and no
  /// filter on them ("version", "language"): a reader on 3.12's docs searches 3.12.
  std::vector<std::string> context_attributes;
  SkipRules skip;
  Boosts boosts;
  CrawlLimits crawl;
  SearchOptions search;
  /// Who may search and complete on the site: "open" (anyone) or "key" (a key or scoped token
  /// with the action and the site; docs/security.md).
  std::string search_access = "open";
  /// Above this many MiB of body text, the site's index is built compact (docs/performance.md,
  /// "Compact indexes"): far less memory, a few microseconds more per result; 0: always compact.
  /// Storage only: searches answer the same either way, and it applies from the next build.
  std::uint32_t compact_above_mb = 64;

  /// The English stop words used when a site gives none.
  static std::vector<std::string> default_stop_words();
  bool operator==(const SiteSettings&) const = default;
};

/// A token bucket: `burst` requests at once, refilled at `per_second` (docs/security.md).
struct RateBudget {
  double per_second = 1;     ///< tokens added per second (> 0; fractions allowed: 0.5 = one every 2 s)
  std::uint32_t burst = 1;   ///< bucket size: requests allowed back to back from a full bucket (>= 1)
  bool operator==(const RateBudget&) const = default;
};

/// Rate limits of the HTTP server (docs/security.md, "Rate limits"). Read when the server starts.
struct RateLimitSettings {
  bool enabled = true;
  /// GET /search and /suggest, per client address (IPv6 per /64): a reader typing sends a
  /// suggest and a search per keystroke, and many readers may share one NAT address.
  RateBudget search{50, 500};
  /// Every admin route, per client address; checked before the key, so it also bounds key
  /// guessing. Enough for a script polling a job every 100 ms.
  RateBudget admin{10, 100};
  /// Requests carrying an X-API-KEY, per key, on top of the address budget of their route.
  RateBudget per_key{50, 500};
  /// Buckets kept (16 bytes each); when full, the fullest bucket of a set makes room.
  std::uint32_t table_size = 65536;
  bool operator==(const RateLimitSettings&) const = default;
};

/// HTTPS in the bundled server (docs/security.md#tls). The files are read when the server starts
/// and again on SIGHUP (a renewed certificate at the same paths); both empty: plain HTTP.
struct TlsSettings {
  std::string cert_file;            ///< PEM: the server's certificate, then its intermediates
  std::string key_file;             ///< PEM: the certificate's private key, unencrypted
  std::string min_version = "1.2";  ///< oldest protocol accepted: "1.2" or "1.3"
  bool enabled() const noexcept { return !cert_file.empty() || !key_file.empty(); }
  bool operator==(const TlsSettings&) const = default;
};

/// The query log and its reports (docs/analytics.md). A node records only when both this is
/// enabled and its transport records (NodeOptions::analytics: the server does; the library,
/// Python and `siteseek query` do not unless asked).
struct AnalyticsSettings {
  bool enabled = true;
  std::uint32_t retention_days = 30;  ///< days kept; older day files are deleted
  std::uint32_t max_mb = 100;         ///< the analytics directory's bound; past it, old days go, then records are dropped
  bool operator==(const AnalyticsSettings&) const = default;
};

/// The application: the server, storage and the list of sites.
struct AppSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;                 ///< 0: any free port (the server prints it)
  TlsSettings tls;                           ///< certificate and key: the port serves HTTPS only
  std::uint32_t threads = 0;                 ///< io threads; 0 = one per core
  Secret api_key;                            ///< empty: admin endpoints are disabled
  std::vector<std::string> cors_origins;     ///< allowed Origin values; "*" allows any
  std::string data_dir = "data";             ///< snapshots live here (embedded storage)
  std::string storage = "embedded";          ///< "embedded" | "redis"
  std::string redis_url = "redis://127.0.0.1:6379/0";
  std::string backend = "embedded";          ///< "embedded" | "redisearch"
  std::string default_site;                  ///< empty: the first site
  std::uint32_t max_query_length = 512;      ///< bytes of q
  std::uint32_t max_num = 100;               ///< largest page size
  std::uint32_t default_num = 30;            ///< page size when num is not given
  std::uint32_t result_cache_mb = 32;        ///< recent search responses kept; 0 = no cache
  std::string log_level = "info";            ///< trace|debug|info|warn|error|off
  RateLimitSettings rate_limits;
  AnalyticsSettings analytics;
  /// Proxies (addresses or CIDR ranges) whose forwarding header names the client; never trusted otherwise.
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};
  /// The header the trusted proxies set: "x-forwarded-for" or "forwarded" (RFC 7239).
  std::string trusted_proxy_header = "x-forwarded-for";
  std::vector<SiteSettings> sites;

  /// The site named `name` (or the default site when empty); throws UnknownSiteError.
  const SiteSettings& site(const std::string& name) const;
  bool operator==(const AppSettings&) const = default;
};

/// Whether serialised settings include the API key in clear ("***" otherwise).
enum class SecretPolicy { mask, include };

// Boost.JSON conversions. from_json throws ConfigError listing every problem with its key path.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Secret& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const FieldWeights& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const LandingPage& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const SkipRules& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const UrlBoost& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const AttributeRule& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Boosts& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const CrawlLimits& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const SearchOptions& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const SiteSettings& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const RateBudget& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const RateLimitSettings& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const AnalyticsSettings& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const TlsSettings& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const AppSettings& s);
Secret tag_invoke(const boost::json::value_to_tag<Secret>&, const boost::json::value& jv);
FieldWeights tag_invoke(const boost::json::value_to_tag<FieldWeights>&, const boost::json::value& jv);
LandingPage tag_invoke(const boost::json::value_to_tag<LandingPage>&, const boost::json::value& jv);
SkipRules tag_invoke(const boost::json::value_to_tag<SkipRules>&, const boost::json::value& jv);
UrlBoost tag_invoke(const boost::json::value_to_tag<UrlBoost>&, const boost::json::value& jv);
AttributeRule tag_invoke(const boost::json::value_to_tag<AttributeRule>&, const boost::json::value& jv);
Boosts tag_invoke(const boost::json::value_to_tag<Boosts>&, const boost::json::value& jv);
CrawlLimits tag_invoke(const boost::json::value_to_tag<CrawlLimits>&, const boost::json::value& jv);
SearchOptions tag_invoke(const boost::json::value_to_tag<SearchOptions>&, const boost::json::value& jv);
SiteSettings tag_invoke(const boost::json::value_to_tag<SiteSettings>&, const boost::json::value& jv);
RateBudget tag_invoke(const boost::json::value_to_tag<RateBudget>&, const boost::json::value& jv);
RateLimitSettings tag_invoke(const boost::json::value_to_tag<RateLimitSettings>&, const boost::json::value& jv);
AnalyticsSettings tag_invoke(const boost::json::value_to_tag<AnalyticsSettings>&, const boost::json::value& jv);
TlsSettings tag_invoke(const boost::json::value_to_tag<TlsSettings>&, const boost::json::value& jv);
AppSettings tag_invoke(const boost::json::value_to_tag<AppSettings>&, const boost::json::value& jv);

/// Settings as JSON; the API key in clear only with SecretPolicy::include.
boost::json::value to_json(const AppSettings& s, SecretPolicy secrets = SecretPolicy::mask);
/// Parse and validate; throws ConfigError with every problem and its key path.
AppSettings app_settings_from_json(const boost::json::value& jv);
AppSettings app_settings_from_json_text(const std::string& text);
SiteSettings site_settings_from_json(const boost::json::value& jv);

/// Parse JSON text (comments and trailing commas allowed) keeping every double exact; a syntax
/// error is a ConfigError naming the line and column.
boost::json::value parse_json_exact(const std::string& text);

/// JSON Schema (draft 2020-12) of AppSettings, with every default.
boost::json::value settings_schema();

/// Check values (URLs, RE2 patterns, ranges, unique site names) and throw ConfigError listing all.
void validate(const AppSettings& s);

/// `settings` with `site` in place of the site of its name, or added after the others (not
/// validated: the caller validates the whole).
AppSettings with_site(AppSettings settings, SiteSettings site);
/// `settings` without the site named `name` (and not naming it as default_site). Throws
/// UnknownSiteError, with the valid names, when there is no such site.
AppSettings without_site(AppSettings settings, const std::string& name);

/// Where settings come from, lowest precedence first: defaults < file < environment < flags.
struct SettingsSources {
  std::string file;                                  ///< JSON file; empty: none
  std::map<std::string, std::string> environment;    ///< SITESEEK_* variables (empty: none)
  std::map<std::string, std::string> overrides;      ///< key path -> value, e.g. "port" -> "9000"
};
/// Load, merge in precedence order and validate; ConfigError names the source and key path.
AppSettings load_settings(const SettingsSources& sources);
/// The SITESEEK_* variables of this process's environment.
std::map<std::string, std::string> current_environment();

}  // namespace siteseek
