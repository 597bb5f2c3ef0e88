// `siteseek rules`: list, add, remove and replace a site's curation rules in the configured store
// (docs/curation.md). Running servers follow the change within a second; nothing is reindexed.
#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "cli.hpp"
#include "siteseek/json.hpp"
#include "siteseek/curation.hpp"
#include "siteseek/error.hpp"
#include "siteseek/node.hpp"
#include "siteseek/store.hpp"

namespace siteseek::cli {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? std::string() : std::string(", ")) + i;
  return out;
}

// Comma-separated words or phrases ("k8s, kubernetes"), trimmed; empty items left out.
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

// What a rule does, in one line.
std::string describe(const Rule& r) {
  const std::string how = r.match == QueryMatch::prefix ? " (prefix)" : "";
  switch (r.kind) {
    case RuleKind::synonyms: return joined(r.synonyms);
    case RuleKind::one_way: return r.from + " -> " + joined(r.to);
    case RuleKind::pin: return std::string("\"") + r.query + "\"" + how + " -> " + joined(r.urls);
    case RuleKind::hide: return std::string("\"") + r.query + "\"" + how + " hides " + r.url;
    case RuleKind::boost: {
      char f[32];
      std::snprintf(f, sizeof f, "%g", r.factor);
      return std::string("\"") + r.query + "\"" + how + " " + r.url + " x" + f;
    }
  }
  return {};
}

}  // namespace

Rule rule_from_flags(const RuleFlags& f) {
  const int kinds = !f.pin.empty() + !f.synonyms.empty() + !f.one_way.empty() + !f.hide.empty() + !f.boost.empty() + !f.json.empty();
  if (kinds != 1) throw ConfigError("rules add", "give exactly one of --pin, --synonyms, --one-way, --hide, --boost, --json");
  if (!f.json.empty()) {  // the rule as POST /sites/{site}/rules takes it (an analytics proposal's "rule")
    if (!f.urls.empty() || f.prefix || !f.to.empty()) throw ConfigError("--json", "the rule's fields go in the JSON, not in --url, --prefix or --to");
    boost::json::error_code ec;
    const auto value = boost::json::parse(f.json, ec);
    if (ec) throw ConfigError("--json", std::string("not JSON: ") + ec.message());
    Rule r = rule_from_json(value, "rule");
    if (!f.id.empty()) r.id = f.id;
    if (!f.note.empty()) r.note = f.note;
    validate_rule(r, "rule");
    return r;
  }
  Rule r;
  r.id = f.id;
  r.note = f.note;
  r.match = f.prefix ? QueryMatch::prefix : QueryMatch::exact;
  const auto url_required = [&](const char* flag) {
    if (f.urls.size() != 1) throw ConfigError("--url", std::string("give one --url with ") + flag);
    return f.urls.front();
  };
  if (!f.pin.empty()) {
    r.kind = RuleKind::pin;
    r.query = f.pin;
    r.urls = f.urls;
  } else if (!f.synonyms.empty()) {
    r.kind = RuleKind::synonyms;
    r.synonyms = split_list(f.synonyms);
  } else if (!f.one_way.empty()) {
    r.kind = RuleKind::one_way;
    r.from = f.one_way;
    r.to = split_list(f.to);
  } else if (!f.hide.empty()) {
    r.kind = RuleKind::hide;
    r.query = f.hide;
    r.url = url_required("--hide");
  } else {
    r.kind = RuleKind::boost;
    r.query = f.boost;
    r.url = url_required("--boost");
    r.factor = f.factor;
  }
  validate_rule(r, "rule");
  return r;
}

int list_rules(Node& node, const std::string& site, bool json) {
  const auto rules = node.rules(site);
  if (json) {
    boost::json::array a;
    for (const auto& r : rules) a.push_back(rule_to_json(r));
    std::printf("%s\n", json_text(boost::json::object{{"site", site}, {"rules", std::move(a)}}).c_str());
    return ok;
  }
  std::printf("%-16s  %-8s  %-20s  %s\n", "ID", "KIND", "CREATED", "RULE");
  for (const auto& r : rules) {
    std::printf("%-16s  %-8s  %-20s  %s%s\n", r.id.c_str(), std::string(rule_kind_name(r.kind)).c_str(), r.created.c_str(),
                describe(r).c_str(), r.note.empty() ? "" : ("  # " + r.note).c_str());
  }
  return ok;
}

int add_rule(Node& node, const std::string& site, const Rule& rule) {
  const Rule stored = node.add_rule(site, rule);
  // The id alone on stdout (scripts capture it); what it is on stderr.
  std::printf("%s\n", stored.id.c_str());
  std::fprintf(stderr, "rule %s (%s: %s) added to %s in %s\n", stored.id.c_str(), std::string(rule_kind_name(stored.kind)).c_str(),
               describe(stored).c_str(), site.c_str(), node.store().describe().c_str());
  return ok;
}

int remove_rule(Node& node, const std::string& site, const std::string& id) {
  node.remove_rule(site, id);
  std::printf("removed %s\n", id.c_str());
  return ok;
}

int replace_rules(Node& node, const std::string& site, const std::string& file) {
  std::ifstream in(file);
  if (!in) throw IoError("cannot read " + file);
  std::stringstream text;
  text << in.rdbuf();
  boost::json::error_code ec;
  auto value = boost::json::parse(text.str(), ec);
  if (ec) throw ConfigError(file, std::string("not JSON: ") + ec.message());
  const auto stored = node.set_rules(site, rules_from_json(value));
  std::printf("%zu rule%s stored for %s\n", stored.size(), stored.size() == 1 ? "" : "s", site.c_str());
  return ok;
}

}  // namespace siteseek::cli
