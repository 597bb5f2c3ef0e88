#pragma once
// What both stores write the same way: a crawl's validators and a stored site's settings, as JSON.
#include <optional>
#include <string>

#include "siteseek/crawler.hpp"
#include "siteseek/segments.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

class Index;

/// {"version":1,"pages":{url:{"etag","last_modified","fetched_at","title","ancestors","links":[...],
/// "anchors":{record url:[...]}}}}; pages without a validator are left out (nothing to send a
/// conditional request with).
std::string validators_to_json(const CrawlState& state);
/// The state for the next crawl from validators_to_json's text: validators, title, links and
/// anchors of the pages `index` holds, with each page's first live record (Store::load_validators).
/// Unreadable text gives an empty state (crawl everything).
CrawlState validators_from_json(const std::string& text, const SegmentedIndex& index);

/// How a stored site came to be there: indexed from the settings, or added at run time.
enum class SiteOrigin { settings, runtime };
/// {"version":1,"origin":"settings"|"runtime","site":{...}}
std::string stored_site_to_json(const SiteSettings& site, SiteOrigin origin);
struct StoredSite {
  SiteSettings site;
  SiteOrigin origin = SiteOrigin::settings;
};
/// Throws ConfigError with key paths under `source` when the text does not hold valid settings.
StoredSite stored_site_from_json(const std::string& text, const std::string& source);

}  // namespace siteseek
