#include "index/static_boost.hpp"

#include <cmath>

#include <re2/re2.h>

#include "index/url_text.hpp"

namespace siteseek {

StaticBoost::StaticBoost(const SiteSettings& site) : site_(site) {
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

double StaticBoost::of(const Document& doc) const {
  const double kind = doc.type == DocumentType::page ? site_.boosts.page : site_.boosts.section;
  const double depth = url_depth(doc.url, site_.url);
  const double cited = 1.0 + site_.boosts.inbound_links * std::log1p(static_cast<double>(doc.inbound_links));
  return doc.boost * kind * cited * url_factor(doc.url) / (1.0 + site_.boosts.depth_decay * depth);
}

}  // namespace siteseek
