#pragma once
// From HTML to documents: one page's HTML to a page record plus one record per section, a built
// static site on disk to documents, and the report every ingestion run produces.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "siteseek/document.hpp"

namespace siteseek {

struct SiteSettings;

/// Attribute values ingestion left out of records, by why (docs/filters.md).
struct AttributeDrops {
  std::uint64_t invalid_name = 0;  ///< its name, lowercased, is not 1 to 64 of a-z, 0-9, _ and -
  std::uint64_t too_long = 0;      ///< its value is over 128 bytes
  std::uint64_t too_many = 0;      ///< past the 32 values a record carries
  AttributeDrops& operator+=(const AttributeDrops& other);
  bool operator==(const AttributeDrops&) const = default;
};

/// What one page's HTML yields.
struct ExtractedPage {
  std::vector<Document> documents;      ///< the page record first, then its sections; empty when skipped
  std::string title;                    ///< the page title, cut at the site's title_separators (strip_site_titles does the rest)
  std::vector<std::string> links;       ///< absolute http(s) URLs of <a href>, fragments removed, in order
  std::vector<std::string> content_links;  ///< those of `links` inside the main content: the citations counted
  std::string canonical_url;            ///< absolute <link rel=canonical>, or empty
  std::vector<std::string> breadcrumb;  ///< from the site's breadcrumb selector, or empty
  bool noindex = false;                 ///< <meta name=robots content=noindex>
  bool nofollow = false;                ///< <meta name=robots content=nofollow>
  std::string skip_reason;              ///< non-empty: the page is not indexed, and why
  bool no_text = false;                 ///< indexed, but its content holds no text besides its title
  std::string generator;                ///< the generator whose conventions were followed ("sphinx", ..., "generic")
  AttributeDrops attributes_dropped;    ///< the page's attribute values its records do not carry
};

/// A site's attribute URL rules (SiteSettings::attributes) with their patterns compiled.
struct CompiledAttributeRules;

/// The site's attribute rules compiled once for a run of extract_page calls (read_directory and
/// the crawler do so). Patterns that do not compile are left out (validation reports them).
std::shared_ptr<const CompiledAttributeRules> compile_attribute_rules(const SiteSettings& site);

/// Options for extract_page beyond the site's settings.
struct ExtractOptions {
  std::string charset;  ///< from the HTTP Content-Type header; empty: <meta charset> or UTF-8
  /// compile_attribute_rules(site), shared by the pages of a run; null: compiled for this page.
  std::shared_ptr<const CompiledAttributeRules> attribute_rules;
};

/// Parse one page. Never throws on bad HTML: problems become skip_reason ("no title", ...). Every
/// record of the page carries the page's attributes (docs/filters.md): from the site's URL rules,
/// then the page's DocSearch meta tags, Pagefind filters and <html lang>.
ExtractedPage extract_page(std::string_view html, const std::string& url, const SiteSettings& site,
                           const ExtractOptions& options = {});

/// Titles without what a site's pages share. When the site has no title_separators, the affix
/// that most of the pages' <title>s carry (the site's name, the generator's words: " — Widget
/// Toolkit 1.0 documentation", "Widget Toolkit: ", " in widget - Rust") and chapter labels
/// ("Chapter 1. ") are found across `documents` (one site's, from extract_page) and removed from
/// every title, and from hierarchies that repeat it. read_directory and the crawler call it before
/// assign_hierarchy.
void strip_site_titles(std::vector<Document>& documents, const SiteSettings& site);

/// Give every document of a page without a breadcrumb the titles of its ancestor pages (by URL
/// path) as its hierarchy; a section's follow with its page's title and the headings it is under
/// (extract_page leaves those in the section's hierarchy). The documents of `kept_pages` (read
/// back from an index by a re-crawl) already hold theirs and are left as they are; their titles
/// still serve as their descendants' ancestors. Returns, by page URL, how many ancestors' titles
/// each page it gave a hierarchy has (its page record's hierarchy is those titles).
std::unordered_map<std::string, std::uint32_t> assign_hierarchy(std::vector<Document>& documents, const SiteSettings& site,
                                                                const std::vector<std::string>& kept_pages = {});

/// One indexed page's URL and the links of its main content (ExtractedPage::content_links).
struct PageLinks {
  std::string url;
  std::vector<std::string> links;
};

/// Set every document's inbound_links: how many other pages in `pages` link to its page from
/// their main content (a link counts once per linking page; index.html and its directory URL are
/// one page). In a site of at least min_pages_for_template_links pages, a page more than half of
/// them link to counts none: the template links it, or every page cites it.
void count_inbound_links(std::vector<Document>& documents, const std::vector<PageLinks>& pages);
inline constexpr std::size_t min_pages_for_template_links = 20;

/// Multiply by `factor` (boosts.repeated_body) the boost of every record whose body, of at least
/// 8 words, is also the body of records on two or more other pages: a notice a site repeats in
/// place of content (an old edition's "no longer distributed", a moved page's stub, a licence
/// page per chapter), which says nothing about its page's title. 1 leaves them as they are.
void score_repeated_bodies(std::vector<Document>& documents, double factor);

/// A page that was not indexed, and why.
struct SkippedPage {
  std::string url;
  std::string reason;
};

/// A page that could not be fetched or read.
struct FailedPage {
  std::string url;
  std::string error;
};

/// The attributes an ingestion run's records carry (docs/filters.md).
struct AttributeReport {
  std::map<std::string, std::uint64_t> values;  ///< per attribute name, its distinct values
  AttributeDrops dropped;                       ///< values left out, summed over the pages
};

/// Set report.values: per attribute name, how many distinct values `documents` carry.
void count_attribute_values(AttributeReport& report, const std::vector<Document>& documents);

/// What an ingestion run (crawl or directory) did.
struct IngestReport {
  std::uint64_t pages_fetched = 0;   ///< pages read from disk or network
  std::uint64_t pages_indexed = 0;   ///< pages that produced documents
  std::uint64_t pages_unchanged = 0; ///< re-crawl: answered 304 Not Modified, previous documents reused
  /// re-crawl: not requested at all, the sitemap's <lastmod> being older than the page's last fetch;
  /// previous documents reused
  std::uint64_t pages_not_requested = 0;
  std::uint64_t documents = 0;       ///< page + section records produced
  /// Node::reindex: the documents and the site's settings were those of the index in use, so
  /// nothing was built, stored or published (and nothing was written but the crawl's validators).
  bool index_unchanged = false;
  /// Node::reindex against an index in use built with the same settings: the pages whose records
  /// differ from its (new pages included), and its pages the run did not find.
  std::uint64_t pages_changed = 0;
  std::uint64_t pages_removed = 0;
  /// Those pages were few enough to be applied as a live update (docs/live-updates.md): only their
  /// records were built and written; else the whole index was built.
  bool updated_in_place = false;
  std::vector<SkippedPage> skipped;
  std::vector<FailedPage> failed;
  /// Pages indexed whose content holds no text besides their titles: a chapter that only lists its
  /// sections, or a page its scripts fill in the browser (Docsify, a single-page app), whose
  /// search then finds titles only.
  std::vector<std::string> pages_without_text;
  std::chrono::milliseconds duration{0};
  /// Pages indexed per generator recognised ("sphinx": 498); docs/sites.md lists them.
  std::map<std::string, std::uint64_t> generators;
  /// The attributes the records carry ("version": 3 values) and those left out.
  AttributeReport attributes;
};

/// Progress of a running ingestion, for progress bars and job status.
struct IngestProgress {
  std::uint64_t fetched = 0;
  std::uint64_t queued = 0;
  std::uint64_t documents = 0;
  std::uint64_t errors = 0;
};
using ProgressCallback = std::function<void(const IngestProgress&)>;

/// Documents and the report of one run.
struct IngestResult {
  std::vector<Document> documents;
  IngestReport report;
};

/// Read a built static site: every HTML file under `directory`, mapped to base_url + relative
/// path, filtered by the site's allow/deny and skip rules. Throws IoError when the directory
/// cannot be read at all.
IngestResult read_directory(const std::string& directory, const std::string& base_url,
                            const SiteSettings& site, const ProgressCallback& progress = {});

/// `text` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

}  // namespace siteseek
