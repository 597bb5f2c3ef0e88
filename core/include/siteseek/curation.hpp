#pragma once
// Curation rules: a site's synonyms, pins, hides and boosts, edited at run time (Node::add_rule,
// the /sites/{name}/rules routes) and applied when a search runs, never at index build
// (docs/curation.md). A rule set is immutable once published: Engine::set_rules swaps it whole.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

namespace siteseek {

/// What a rule does.
enum class RuleKind {
  synonyms,  ///< multi-way: any member of `synonyms` also matches every other member
  one_way,   ///< `from` also matches each of `to`; a query with one of `to` does not match `from`
  pin,       ///< `urls` lead the results, in order, for a query matching `query`
  hide,      ///< `url` never shows for a query matching `query`
  boost,     ///< `url`'s score is multiplied by `factor` for a query matching `query` (< 1 demotes)
};
/// "synonyms", "one_way", "pin", "hide", "boost".
std::string_view rule_kind_name(RuleKind kind);
/// The kind of a name; none for an unknown name.
std::optional<RuleKind> rule_kind_from_name(std::string_view name);

/// How a rule's query is compared to a search's, both normalised as landing pages are (folded words, one space apart).
enum class QueryMatch {
  exact,   ///< the same words
  prefix,  ///< the search's normalised text starts with the rule's ("install" fires for "installing pip")
};

/// One rule. Which fields count depends on `kind`; validate_rule says which are required.
struct Rule {
  std::string id;       ///< unique in its site; made by Node::add_rule when empty ("r" + 12 hex digits)
  RuleKind kind = RuleKind::synonyms;
  std::vector<std::string> synonyms;  ///< synonyms: the group, at least 2 words or phrases
  std::string from;                   ///< one_way: the word or phrase typed
  std::vector<std::string> to;        ///< one_way: what it also matches, at least 1
  std::string query;                  ///< pin, hide, boost: the query the rule fires for
  QueryMatch match = QueryMatch::exact;
  std::vector<std::string> urls;      ///< pin: the URLs, in order (limits::max_urls_per_pin)
  std::string url;                    ///< hide, boost: the URL (a page: its sections too; with #anchor: that section)
  double factor = 1.0;                ///< boost: > 0; above 1 boosts, below 1 demotes
  std::string created;                ///< when it was made, RFC 3339 UTC (set by the node)
  std::string note;                   ///< free text for people (why the rule exists)

  bool operator==(const Rule&) const = default;
};

/// The rule as JSON: {"id","kind",...the fields of its kind...,"created"[,"note"]}.
boost::json::value rule_to_json(const Rule& rule);
/// A rule from JSON (the shape rule_to_json writes; id and created may be missing). Throws
/// ConfigError naming the field under `path` ("rules[0].urls[1]") for a wrong type, an unknown
/// key or an invalid value (validate_rule).
Rule rule_from_json(const boost::json::value& value, const std::string& path);
/// A list of rules: a JSON array of rules, or {"rules": [...]}. Ids must be unique.
std::vector<Rule> rules_from_json(const boost::json::value& value, const std::string& path = "rules");
/// {"rules": [...]} as a JSON text.
std::string rules_to_json_text(const std::vector<Rule>& rules);

/// Throws ConfigError naming the first field under `path` that is missing or invalid for the
/// rule's kind (empty query, a URL that is not a path or http(s) URL, factor <= 0, limits).
void validate_rule(const Rule& rule, const std::string& path);
/// validate_rule for each (paths rules[i]), unique ids, at most limits::max_rules_per_site.
void validate_rules(const std::vector<Rule>& rules, const std::string& path = "rules");

}  // namespace siteseek
