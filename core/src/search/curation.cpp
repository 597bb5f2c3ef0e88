// Curation rules as JSON, and their validation: every problem names its field ("rules[0].urls[1]").
#include "siteseek/curation.hpp"

#include <set>

#include <boost/json.hpp>

#include "siteseek/error.hpp"
#include "siteseek/limits.hpp"

namespace siteseek {

namespace {

constexpr std::pair<RuleKind, std::string_view> kind_names[] = {
    {RuleKind::synonyms, "synonyms"}, {RuleKind::one_way, "one_way"}, {RuleKind::pin, "pin"},
    {RuleKind::hide, "hide"},         {RuleKind::boost, "boost"},
};

std::string field(const std::string& path, std::string_view name) { return path + std::string(".") + std::string(name); }
std::string item(const std::string& path, std::size_t i) { return path + std::string("[") + std::to_string(i) + "]"; }

std::string text_of(const boost::json::value& v, const std::string& path) {
  if (!v.is_string()) throw ConfigError(path, "expected a string");
  return std::string(v.get_string());
}

std::vector<std::string> texts_of(const boost::json::value& v, const std::string& path) {
  if (!v.is_array()) throw ConfigError(path, "expected a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.get_array().size(); ++i) out.push_back(text_of(v.get_array()[i], item(path, i)));
  return out;
}

void check_text(const std::string& s, const std::string& path, std::string_view what) {
  if (s.find_first_not_of(" \t\r\n") == std::string::npos)
    throw ConfigError(path, std::string("expected a non-empty ") + std::string(what));
  if (s.size() > limits::max_rule_text_bytes)
    throw ConfigError(path, std::string("at most ") + std::to_string(limits::max_rule_text_bytes) + std::string(" bytes, got ") + std::to_string(s.size()));
}

// A URL of the site: absolute http(s), or a path from its root ("/install") that the site's url
// completes when the rule is applied.
void check_rule_url(const std::string& s, const std::string& path) {
  check_text(s, path, "URL");
  const bool absolute = s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
  if (!absolute && s.front() != '/')
    throw ConfigError(path, std::string("expected an absolute http:// or https:// URL or a path starting with '/', got \"") + s + "\"");
  if (s.find_first_of(" \t\r\n") != std::string::npos) throw ConfigError(path, std::string("a URL has no spaces, got \"") + s + "\"");
}

void check_members(const std::vector<std::string>& members, const std::string& path, std::size_t at_least) {
  if (members.size() < at_least)
    throw ConfigError(path, std::string("expected at least ") + std::to_string(at_least) + (at_least == 1 ? " word or phrase" : " words or phrases"));
  if (members.size() > limits::max_rule_synonyms)
    throw ConfigError(path, std::string("at most ") + std::to_string(limits::max_rule_synonyms) + " words or phrases, got " +
                                std::to_string(members.size()));
  for (std::size_t i = 0; i < members.size(); ++i) check_text(members[i], item(path, i), "word or phrase");
}

}  // namespace

std::string_view rule_kind_name(RuleKind kind) {
  for (const auto& [k, name] : kind_names)
    if (k == kind) return name;
  return "?";
}

std::optional<RuleKind> rule_kind_from_name(std::string_view name) {
  for (const auto& [k, n] : kind_names)
    if (n == name) return k;
  return std::nullopt;
}

void validate_rule(const Rule& r, const std::string& path) {
  if (!r.id.empty()) {
    if (r.id.size() > 64 || r.id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
      throw ConfigError(field(path, "id"), std::string("expected up to 64 letters, digits, '_' or '-', got \"") + r.id + "\"");
  }
  if (r.note.size() > limits::max_rule_text_bytes)
    throw ConfigError(field(path, "note"), std::string("at most ") + std::to_string(limits::max_rule_text_bytes) + " bytes");
  switch (r.kind) {
    case RuleKind::synonyms:
      check_members(r.synonyms, field(path, "synonyms"), 2);
      return;
    case RuleKind::one_way:
      check_text(r.from, field(path, "from"), "word or phrase");
      check_members(r.to, field(path, "to"), 1);
      return;
    case RuleKind::pin:
      check_text(r.query, field(path, "query"), "query");
      if (r.urls.empty()) throw ConfigError(field(path, "urls"), "expected at least one URL");
      if (r.urls.size() > limits::max_urls_per_pin)
        throw ConfigError(field(path, "urls"), std::string("at most ") + std::to_string(limits::max_urls_per_pin) + " URLs, got " +
                                                   std::to_string(r.urls.size()));
      for (std::size_t i = 0; i < r.urls.size(); ++i) check_rule_url(r.urls[i], item(field(path, "urls"), i));
      return;
    case RuleKind::hide:
    case RuleKind::boost:
      check_text(r.query, field(path, "query"), "query");
      check_rule_url(r.url, field(path, "url"));
      if (r.kind == RuleKind::boost && !(r.factor > 0 && r.factor <= 1000))
        throw ConfigError(field(path, "factor"), "expected a number above 0 and at most 1000 (below 1 demotes), got " +
                                                     std::to_string(r.factor));
      return;
  }
}

void validate_rules(const std::vector<Rule>& rules, const std::string& path) {
  if (rules.size() > limits::max_rules_per_site)
    throw ConfigError(path, std::string("at most ") + std::to_string(limits::max_rules_per_site) + std::string(" rules per site, got ") + std::to_string(rules.size()));
  std::set<std::string_view> ids;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    validate_rule(rules[i], item(path, i));
    if (!rules[i].id.empty() && !ids.insert(rules[i].id).second)
      throw ConfigError(field(item(path, i), "id"), std::string("duplicate rule id \"") + rules[i].id + "\"");
  }
}

boost::json::value rule_to_json(const Rule& r) {
  boost::json::object o;
  o["id"] = r.id;
  o["kind"] = rule_kind_name(r.kind);
  auto strings = [](const std::vector<std::string>& v) {
    boost::json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
  };
  switch (r.kind) {
    case RuleKind::synonyms:
      o["synonyms"] = strings(r.synonyms);
      break;
    case RuleKind::one_way:
      o["from"] = r.from;
      o["to"] = strings(r.to);
      break;
    case RuleKind::pin:
    case RuleKind::hide:
    case RuleKind::boost:
      o["query"] = r.query;
      o["match"] = r.match == QueryMatch::prefix ? "prefix" : "exact";
      if (r.kind == RuleKind::pin) o["urls"] = strings(r.urls);
      else o["url"] = r.url;
      if (r.kind == RuleKind::boost) o["factor"] = r.factor;
      break;
  }
  o["created"] = r.created;
  if (!r.note.empty()) o["note"] = r.note;
  return o;
}

Rule rule_from_json(const boost::json::value& v, const std::string& path) {
  const auto* o = v.if_object();
  if (!o) throw ConfigError(path, "expected an object with a kind (synonyms, one_way, pin, hide, boost)");
  Rule r;
  const auto* kind = o->if_contains("kind");
  if (!kind) throw ConfigError(field(path, "kind"), "required: synonyms, one_way, pin, hide or boost");
  auto k = rule_kind_from_name(text_of(*kind, field(path, "kind")));
  if (!k) throw ConfigError(field(path, "kind"), std::string("expected synonyms, one_way, pin, hide or boost, got ") + boost::json::serialize(*kind));
  r.kind = *k;
  for (const auto& [key, value] : *o) {
    const std::string p = field(path, key);
    if (key == "kind") continue;
    if (key == "id") r.id = text_of(value, p);
    else if (key == "created") r.created = text_of(value, p);
    else if (key == "note") r.note = text_of(value, p);
    else if (key == "synonyms" && r.kind == RuleKind::synonyms) r.synonyms = texts_of(value, p);
    else if (key == "from" && r.kind == RuleKind::one_way) r.from = text_of(value, p);
    else if (key == "to" && r.kind == RuleKind::one_way) r.to = texts_of(value, p);
    else if (key == "query" && r.kind >= RuleKind::pin) r.query = text_of(value, p);
    else if (key == "match" && r.kind >= RuleKind::pin) {
      const auto m = text_of(value, p);
      if (m == "exact") r.match = QueryMatch::exact;
      else if (m == "prefix") r.match = QueryMatch::prefix;
      else throw ConfigError(p, std::string("expected exact or prefix, got \"") + m + "\"");
    } else if (key == "urls" && r.kind == RuleKind::pin) r.urls = texts_of(value, p);
    else if (key == "url" && (r.kind == RuleKind::hide || r.kind == RuleKind::boost)) r.url = text_of(value, p);
    else if (key == "factor" && r.kind == RuleKind::boost) {
      if (!value.is_number()) throw ConfigError(p, "expected a number");
      r.factor = value.to_number<double>();
    } else {
      throw ConfigError(p, std::string("unknown key for a ") + std::string(rule_kind_name(r.kind)) + " rule");
    }
  }
  validate_rule(r, path);
  return r;
}

std::vector<Rule> rules_from_json(const boost::json::value& v, const std::string& path) {
  const boost::json::value* list = &v;
  if (const auto* o = v.if_object()) {
    list = o->if_contains("rules");
    if (!list) throw ConfigError(path, "expected a list of rules, or an object with the list 'rules'");
  }
  if (!list->is_array()) throw ConfigError(path, "expected a list of rules");
  std::vector<Rule> out;
  for (std::size_t i = 0; i < list->get_array().size(); ++i) out.push_back(rule_from_json(list->get_array()[i], item(path, i)));
  validate_rules(out, path);
  return out;
}

std::string rules_to_json_text(const std::vector<Rule>& rules) {
  boost::json::array a;
  for (const auto& r : rules) a.push_back(rule_to_json(r));
  return boost::json::serialize(boost::json::object{{"rules", std::move(a)}});
}

}  // namespace siteseek
