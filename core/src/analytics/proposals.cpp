// Suggested fixes: which proposals the site's rules already make, their notes and reasons, their
// order, and their JSON (docs/analytics.md#suggested-fixes).
#include "analytics/proposals.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include <boost/json.hpp>

#include "siteseek/error.hpp"

namespace siteseek {

namespace {

// A rule's URL as the site's pages are named: a path from the root completed with the scheme and
// host of the site's url (as the engine completes it when it applies the rule).
std::string absolute_url(const std::string& site_url, const std::string& url) {
  if (url.empty() || url.front() != '/') return url;
  const auto scheme = site_url.find("://");
  if (scheme == std::string::npos) return url;
  return site_url.substr(0, site_url.find('/', scheme + 3)) + url;
}

// What one site's rules do, indexed for the proposals' checks: each is one or a few hash lookups,
// so checking every candidate against 10,000 rules is not candidates x rules.
class SiteRuleIndex {
 public:
  explicit SiteRuleIndex(const SiteRules& site) {
    std::size_t group = 0;
    for (const auto& r : site.rules) {
      switch (r.kind) {
        case RuleKind::pin: {
          if (r.urls.empty()) break;
          auto q = normalize_query(r.query);
          auto first = absolute_url(site.url, r.urls.front());
          if (r.match == QueryMatch::prefix) prefix_pins_.emplace_back(std::move(q), std::move(first));
          else exact_pins_.insert(std::move(q) + '\n' + first);
          break;
        }
        case RuleKind::one_way: {
          const auto from = normalize_query(r.from);
          for (const auto& to : r.to) one_way_.insert(from + '\n' + normalize_query(to));
          break;
        }
        case RuleKind::synonyms: {
          for (const auto& m : r.synonyms) groups_[normalize_query(m)].push_back(group);
          ++group;
          break;
        }
        case RuleKind::hide:
        case RuleKind::boost: break;
      }
    }
  }

  bool pins_first(const std::string& query, const std::string& url) const {
    if (exact_pins_.contains(query + '\n' + url)) return true;
    return std::any_of(prefix_pins_.begin(), prefix_pins_.end(), [&](const auto& p) {
      return !p.first.empty() && query.starts_with(p.first) && p.second == url;
    });
  }

  bool maps(const std::string& from, const std::string& to) const {
    if (one_way_.contains(from + '\n' + to)) return true;
    const auto a = groups_.find(from), b = groups_.find(to);
    if (a == groups_.end() || b == groups_.end()) return false;
    for (const auto g : a->second)  // each list is in rule order, so sorted
      if (std::binary_search(b->second.begin(), b->second.end(), g)) return true;
    return false;
  }

  bool already_does(const Proposal& p) const {
    if (p.rule.kind == RuleKind::pin) return !p.rule.urls.empty() && pins_first(normalize_query(p.rule.query), p.rule.urls.front());
    if (p.rule.kind == RuleKind::one_way) {
      const auto from = normalize_query(p.rule.from);
      return std::all_of(p.rule.to.begin(), p.rule.to.end(), [&](const std::string& to) { return maps(from, normalize_query(to)); });
    }
    return false;
  }

 private:
  std::unordered_set<std::string> exact_pins_;                   // "query\nfirst url"
  std::vector<std::pair<std::string, std::string>> prefix_pins_;  // query, first url
  std::unordered_set<std::string> one_way_;                      // "from\nto"
  std::unordered_map<std::string, std::vector<std::size_t>> groups_;  // member -> its synonym groups
};

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

std::string plural(std::uint64_t n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); }

std::string position(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", p);
  return buf;
}

// "zero_results", "no_clicks" or "clicked": what Q's searches found, as the report's lists say it.
const char* status_of(const Proposal& p) {
  if (p.results == 0) return "zero_results";
  if (p.clicked_searches == 0) return "no_clicks";
  return "clicked";
}

void describe(Proposal& p, const ReportRequest& request) {
  const std::string from = request.from.empty() && request.to.empty() ? std::string("proposed from analytics")
                                                                       : "proposed from analytics " + request.from + ".." + request.to;
  if (p.rule.kind == RuleKind::one_way) {
    const auto& q = p.rule.from;
    const auto& r = p.rule.to.front();
    p.rule.note = from + ": " + plural(p.sessions, "session", "sessions") + " rephrased it as " + in_quotes(r);
    std::string found = p.results == 0            ? std::string("which finds nothing")
                        : p.clicked_searches == 0 ? std::string("whose results no one clicked")
                                                  : "whose results were clicked in " + std::to_string(p.clicked_searches) + " of " +
                                                        plural(p.searches, "search", "searches");
    p.reason = plural(p.sessions, "session", "sessions") + " searched " + in_quotes(q) + ", " + found + ", then " + in_quotes(r) +
               " and clicked a result: a one-way synonym makes " + in_quotes(q) + " also find what " + in_quotes(r) + " finds.";
  } else {
    const auto& u = p.rule.urls.front();
    p.rule.note = from + ": " + std::to_string(p.clicks) + " of " + plural(p.query_clicks, "click", "clicks") +
                  " went to it, at mean position " + position(p.mean_position);
    p.reason = in_quotes(u) + " has " + std::to_string(p.clicks) + " of the " + plural(p.query_clicks, "click", "clicks") + " on results of " +
               in_quotes(p.rule.query) + " but ranks at " + position(p.mean_position) + " on average: a pin puts it first.";
  }
}

// Ties broken by what the proposal is, so reports are stable.
std::string order_key(const Proposal& p) {
  const auto& r = p.rule;
  return p.site + '\n' + std::string(rule_kind_name(r.kind)) + '\n' + (r.kind == RuleKind::pin ? r.query : r.from) + '\n' +
         (r.kind == RuleKind::pin ? r.urls.front() : r.to.front());
}

}  // namespace

bool rules_already_do(const SiteRules& rules, const Proposal& proposal) { return SiteRuleIndex(rules).already_does(proposal); }

namespace detail {

void finish_proposals(std::vector<Proposal>& candidates, const RulesBySite& rules, const ReportRequest& request) {
  std::unordered_map<std::string, SiteRuleIndex> indexes;
  std::erase_if(candidates, [&](Proposal& p) {
    try {
      validate_rule(p.rule, "rule");
    } catch (const ConfigError&) {
      return true;  // a query or URL no rule can hold (a URL that is no http(s) URL or path)
    }
    const auto site = rules.find(p.site);
    if (site == rules.end()) return false;
    auto it = indexes.find(p.site);
    if (it == indexes.end()) it = indexes.emplace(p.site, SiteRuleIndex(site->second)).first;
    return it->second.already_does(p);
  });
  std::vector<std::pair<std::string, std::size_t>> keys;
  keys.reserve(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) keys.emplace_back(order_key(candidates[i]), i);
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    const auto wa = candidates[a.second].weight(), wb = candidates[b.second].weight();
    return wa != wb ? wa > wb : a.first < b.first;
  });
  std::vector<Proposal> out;
  for (std::size_t i = 0; i < keys.size() && out.size() < report_list_limit; ++i) {
    out.push_back(std::move(candidates[keys[i].second]));
    describe(out.back(), request);
  }
  candidates = std::move(out);
}

}  // namespace detail

boost::json::value proposal_to_json(const Proposal& p) {
  // The rule as rule_to_json writes it, less what the node sets when it is added (id, created)
  // and a pin's default match: the body POST /sites/{site}/rules takes.
  boost::json::object rule;
  auto full = rule_to_json(p.rule);
  for (auto& [key, value] : full.as_object()) {  // in its order (object::erase would move the last key)
    if (key == "id" || key == "created" || (key == "match" && p.rule.match == QueryMatch::exact)) continue;
    rule[key] = std::move(value);
  }
  boost::json::object evidence;
  if (p.rule.kind == RuleKind::one_way) {
    evidence = {{"sessions", p.sessions}, {"searches", p.searches},     {"clicked_searches", p.clicked_searches},
                {"results", p.results},   {"status", status_of(p)}, {"clicks_after", p.clicks_after}};
  } else {
    evidence = {{"clicks", p.clicks}, {"query_clicks", p.query_clicks}, {"mean_position", p.mean_position}, {"searches", p.searches}};
  }
  return {{"site", p.site}, {"kind", rule_kind_name(p.rule.kind)}, {"rule", std::move(rule)}, {"evidence", std::move(evidence)},
          {"reason", p.reason}};
}

}  // namespace siteseek
