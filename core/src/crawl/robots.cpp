// robots.txt (RFC 9309): groups by user agent, Allow/Disallow with '*' and '$', longest match.
#include <algorithm>
#include <cctype>
#include <string>

#include "crawl/text.hpp"
#include "siteseek/crawler.hpp"

namespace siteseek {
namespace {

using detail::lower;
using detail::trim;

// Whether `pattern` matches a prefix of `path` ('*' any run, trailing '$' anchors the end).
bool matches(std::string_view pattern, std::string_view path) {
  bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  // Iterative wildcard matching with backtracking to the last '*'.
  std::size_t p = 0, s = 0, star = std::string_view::npos, mark = 0;
  while (true) {
    if (p == pattern.size()) {
      if (!anchored || s == path.size()) return true;
      if (star == std::string_view::npos) return false;
      p = star + 1;
      s = ++mark;
      if (s > path.size()) return false;
      continue;
    }
    if (pattern[p] == '*') {
      star = p++;
      mark = s;
      continue;
    }
    if (s < path.size() && pattern[p] == path[s]) {
      ++p, ++s;
      continue;
    }
    if (star == std::string_view::npos || mark >= path.size()) return false;
    p = star + 1;
    s = ++mark;
  }
}

}  // namespace

RobotsRules RobotsRules::allow_all() { return {}; }

RobotsRules RobotsRules::disallow_all() {
  RobotsRules r;
  r.rules_.push_back({"/", false});
  return r;
}

RobotsRules RobotsRules::parse(std::string_view text, std::string_view user_agent) {
  // The product token: "siteseek/0.1 (+https://...)" -> "siteseek".
  std::string agent = lower(user_agent.substr(0, user_agent.find_first_of("/ ")));
  struct Group {
    std::vector<std::string> agents;
    std::vector<Rule> rules;
    unsigned delay_ms = 0;
  };
  std::vector<Group> groups;
  RobotsRules out;
  bool last_was_agent = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto eol = text.find_first_of("\r\n", pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? text.size() + 1 : eol + 1;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (key == "user-agent") {
      if (!last_was_agent || groups.empty()) groups.emplace_back();
      groups.back().agents.push_back(lower(value));
      last_was_agent = true;
      continue;
    }
    last_was_agent = false;
    if (key == "sitemap") {
      if (!value.empty()) out.sitemaps_.emplace_back(value);
      continue;
    }
    if (groups.empty()) continue;
    if (key == "allow" || key == "disallow") {
      if (value.empty()) continue;  // "Disallow:" with no path allows everything
      groups.back().rules.push_back({std::string(value), key == "allow"});
    } else if (key == "crawl-delay") {
      try {
        double seconds = std::stod(std::string(value));
        if (seconds > 0) groups.back().delay_ms = static_cast<unsigned>(std::min(seconds, 600.0) * 1000);
      } catch (const std::exception&) {
      }
    }
  }
  // The group naming our agent (longest name that our token starts with), else "*".
  const Group* chosen = nullptr;
  std::size_t best = 0;
  for (const auto& g : groups) {
    for (const auto& a : g.agents) {
      if (a != "*" && !a.empty() && agent.rfind(a, 0) == 0 && a.size() > best) chosen = &g, best = a.size();
    }
  }
  if (!chosen) {
    for (const auto& g : groups) {
      if (std::find(g.agents.begin(), g.agents.end(), "*") != g.agents.end()) {
        chosen = &g;
        break;
      }
    }
  }
  if (chosen) {
    out.rules_ = chosen->rules;
    out.crawl_delay_ms_ = chosen->delay_ms;
  }
  return out;
}

bool RobotsRules::allowed(std::string_view path) const {
  std::size_t best = 0;
  bool allow = true, found = false;
  for (const auto& r : rules_) {
    if (!matches(r.pattern, path)) continue;
    if (!found || r.pattern.size() > best || (r.pattern.size() == best && r.allow)) {
      best = r.pattern.size();
      allow = r.allow;
      found = true;
    }
  }
  return allow;
}

}  // namespace siteseek
