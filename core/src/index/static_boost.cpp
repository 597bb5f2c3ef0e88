#include "index/static_boost.hpp"

#include <cctype>
#include <cmath>

#include <re2/re2.h>

#include "index/url_text.hpp"

namespace siteseek {

StaticBoost::StaticBoost(const SiteSettings& site)
    : site_(site),
      // A part of the URL's path (url_text: its directories and page, lowercased, space-separated),
      // as generators and projects name their release notes: Sphinx projects' whatsnew/ and
      // changelog or changes pages, MkDocs' release-notes/, DocBook's release-15-9 chunks.
      release_path_(std::make_unique<RE2>(
          "(?:^| )(?:whatsnew|whats-new|what-s-new|changelog|change-log|changes|release-notes|releasenotes|"
          "release_notes|releases|news|(?:release|changelog|changes|news)[-_.]?v?[0-9][^ ]*)(?: |$)")),
      // A title, after a heading's numbering ("E.1. ", "2.3 "), that says so.
      release_title_(std::make_unique<RE2>(
          "(?i)^(?:[a-z][.] ?)?(?:[0-9]+[.])*[0-9]*[.]? *(?:what(?:'|\\x{2019})?s new|changelog|change log|"
          "release notes|release [0-9]|changes in (?:version )?[0-9]|version history)")) {
  RE2::Options options;
  options.set_log_errors(false);
  for (const auto& rule : site.boosts.urls) {
    auto re = std::make_unique<RE2>(rule.pattern, options);
    if (re->ok()) rules_.emplace_back(std::move(re), rule.factor);
  }
}

StaticBoost::~StaticBoost() = default;

double StaticBoost::url_factor(std::string_view url) const {
  for (const auto& [re, factor] : rules_)
    if (RE2::PartialMatch(url, *re)) return factor;
  return 1.0;
}

bool StaticBoost::is_release_notes(const Document& doc) const {
  std::string path = url_text(page_of(doc.url), site_.url);
  for (auto& c : path) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return RE2::PartialMatch(path, *release_path_) || RE2::PartialMatch(doc.title, *release_title_);
}

double StaticBoost::of(const Document& doc) const {
  const double kind = doc.type == DocumentType::page ? site_.boosts.page : site_.boosts.section;
  const double depth = url_depth(doc.url, site_.url);
  const double cited = 1.0 + site_.boosts.inbound_links * std::log1p(static_cast<double>(doc.inbound_links));
  const double notes = site_.boosts.release_notes != 1.0 && is_release_notes(doc) ? site_.boosts.release_notes : 1.0;
  return doc.boost * kind * cited * url_factor(doc.url) * notes / (1.0 + site_.boosts.depth_decay * depth);
}

}  // namespace siteseek
