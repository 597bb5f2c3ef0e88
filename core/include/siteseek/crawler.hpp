#pragma once
// The crawler: fetches a live site politely (robots.txt, sitemaps, bounded concurrency and
// per-host delay), stays inside the site's domains and URL rules, and turns its HTML pages into
// documents. Re-crawls are incremental: pages answered 304 Not Modified keep their documents.
#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "siteseek/ingest.hpp"

namespace siteseek {

struct SiteSettings;

/// What a crawl remembers for the next one: validators, documents and links per page URL.
struct CrawlState {
  struct Page {
    std::string etag;
    std::string last_modified;
    std::vector<Document> documents;
    std::vector<std::string> links;  ///< its main content's links, normalised: inbound_links counts
    /// When its content was last fetched or confirmed (304), Unix seconds; 0 unknown. A re-crawl
    /// does not request a page whose sitemap <lastmod> is older than this.
    std::int64_t fetched_at = 0;
    /// Its title as extracted, before strip_site_titles: a re-crawl that keeps the page learns
    /// the affixes the site's titles share from every page's, as a whole crawl does.
    std::string title;
    /// Its records' anchors by record URL where `documents` does not hold them all: a store
    /// keeps them (the index keeps a record's anchors as one text) and reads a kept page back
    /// as its first record only (Store::load_validators). Kept with the state.
    std::map<std::string, std::vector<std::string>> anchors;
    /// How many leading entries of its records' hierarchies are its ancestor pages' titles,
    /// which assign_hierarchy gave it (a page without a breadcrumb of its own); -1 when a
    /// breadcrumb gave its hierarchy, or not known. A re-crawl that keeps the page gives it its
    /// ancestors' titles as they are then.
    std::int32_t ancestors = -1;
  };
  std::map<std::string, Page> pages;
};

/// Options of one crawl beyond the site's settings.
struct CrawlOptions {
  ProgressCallback progress;              ///< called as pages complete
  const CrawlState* previous = nullptr;   ///< the last crawl's state: conditional requests
  const std::atomic<bool>* cancel = nullptr;  ///< set to stop early (what was fetched is kept)
  /// The returned state keeps each page's documents, for a next crawl in this process. Off, it
  /// keeps of each only its URL and anchors (what a store keeps; Node reads the documents back
  /// from its index), and the result's documents are moved there, not copied.
  bool state_documents = true;
};

/// The documents and report of a crawl, and the state for the next one.
struct CrawlOutcome {
  IngestResult result;
  CrawlState state;
  /// The pages kept from the previous state (answered 304, or not requested by their
  /// <lastmod>): their documents in `result` are those it held (from a store: the first record
  /// of each), with their titles cut and their inbound links counted again.
  std::vector<std::string> kept_pages;
};

/// Crawl a site from its start URLs and sitemaps. Throws IoError naming the start URL when
/// nothing at all could be fetched (so a caller keeps its current index).
CrawlOutcome crawl(const SiteSettings& site, const CrawlOptions& options = {});
/// The same with the last crawl's state handed over (options.previous is ignored): the
/// documents of the pages it keeps (answered 304, or not requested by their <lastmod>) are
/// moved out of it, not copied.
CrawlOutcome crawl(const SiteSettings& site, const CrawlOptions& options, CrawlState&& previous);

/// robots.txt rules for one user agent.
class RobotsRules {
 public:
  /// Parse robots.txt text for `user_agent` (the most specific matching group, else "*").
  static RobotsRules parse(std::string_view text, std::string_view user_agent);
  /// Rules that allow everything (no robots.txt).
  static RobotsRules allow_all();
  /// Rules that allow nothing (robots.txt answered 5xx).
  static RobotsRules disallow_all();
  /// Whether a path (with its query string) may be fetched: the longest matching rule wins,
  /// Allow over Disallow on a tie; '*' matches any run of characters, a final '$' the end.
  bool allowed(std::string_view path_and_query) const;
  /// Crawl-delay in milliseconds, or 0.
  unsigned crawl_delay_ms() const { return crawl_delay_ms_; }
  /// Sitemap: lines (for any user agent).
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }

 private:
  struct Rule {
    std::string pattern;
    bool allow;
  };
  std::vector<Rule> rules_;
  std::vector<std::string> sitemaps_;
  unsigned crawl_delay_ms_ = 0;
};

/// One <url> of a sitemap, or one <sitemap> of a sitemap index.
struct SitemapEntry {
  std::string loc;
  /// <lastmod> as the latest moment it can mean, Unix seconds (UTC): a date is the end of its day
  /// (a page changed at 18:00 has the lastmod of that morning's midnight); none when absent or
  /// not a W3C datetime.
  std::optional<std::int64_t> lastmod;
};
/// A sitemap as read.
struct SitemapContents {
  bool is_index = false;             ///< a <sitemapindex> (its entries are sitemaps), else a <urlset>
  std::vector<SitemapEntry> entries; ///< in document order, at most max_sitemap_entries
  std::string error;                 ///< "" when the whole document was read; else why reading stopped
};
/// The protocol's bounds are 50,000 URLs and 50 MB uncompressed; a little more is read, no more.
inline constexpr std::size_t max_sitemap_entries = 100000;
inline constexpr std::size_t max_sitemap_bytes = 64u << 20;
/// Read a sitemap (sitemaps.org: <urlset> or <sitemapindex>, any namespace prefix, CDATA,
/// comments, character references) with expat, streaming. Gzip bodies are inflated first. A
/// document type declaration is refused (sitemaps have none; it is where entity expansion
/// attacks live), as are bodies past max_sitemap_bytes. On malformed XML, `entries` holds what
/// was read before the error and `error` names it with its line.
SitemapContents parse_sitemap(std::string_view body);
/// A W3C datetime (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.s]]TZD) as Unix seconds.
std::optional<std::int64_t> parse_w3c_datetime(std::string_view text);

/// Whether `host` (lowercase) is `domain` or one of its subdomains ("docs.example.org" is within
/// "example.org"; "badexample.org" is not), the domain compared without regard to ASCII case:
/// how the crawler decides that a host is one of `allowed_domains`.
bool host_within(std::string_view host, std::string_view domain);

/// A URL normalised for de-duplication: scheme and host lowercased, default port and fragment
/// removed, dot segments resolved, empty path as "/". Empty when it is not an http(s) URL.
std::string normalize_url(std::string_view url);

}  // namespace siteseek
