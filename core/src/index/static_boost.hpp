#pragma once
// A record's static boost: its own (link lists score less), times the page or section factor,
// times 1 + boosts.inbound_links x ln(1 + the pages linking to its page), times the factor of the
// first `boosts.urls` rule its page's URL matches, times boosts.release_notes for the records of
// release notes and changelogs, over the depth decay.
// The embedded index and the RediSearch backend both score with it.
#include <memory>
#include <string_view>
#include <vector>

#include "siteseek/document.hpp"
#include "siteseek/settings.hpp"

namespace re2 {
class RE2;
}

namespace siteseek {

class StaticBoost {
 public:
  /// Compiles the site's `boosts.urls` patterns once (settings validation has checked them).
  explicit StaticBoost(const SiteSettings& site);
  ~StaticBoost();
  StaticBoost(const StaticBoost&) = delete;
  StaticBoost& operator=(const StaticBoost&) = delete;

  double of(const Document& doc) const;

  /// Whether `doc` belongs to release notes or a changelog: a directory or page of its URL below
  /// the site root named so (whatsnew/, changelog, changes, release-notes/, releases/, news,
  /// release-15-9.html), or its page title saying so ("What's New in Python 3.8", "E.1. Release
  /// 15.10", "Changelog", "Release Notes").
  bool is_release_notes(const Document& doc) const;

 private:
  /// The factor of the first `boosts.urls` rule `url` matches; 1 when none does.
  double url_factor(std::string_view url) const;

  const SiteSettings& site_;
  std::vector<std::pair<std::unique_ptr<re2::RE2>, double>> rules_;
  std::unique_ptr<re2::RE2> release_path_, release_title_;
};

}  // namespace siteseek
