#include "ingest/titles.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string_view>

namespace siteseek::ingest_detail {
namespace {

// Where generators join a page's title and the site's: Sphinx " — ", MkDocs " - ", Docusaurus,
// VitePress, Starlight and Hugo " | ", Antora " :: ", Doxygen ": ", rustdoc " in " and " - ",
// Erlang's docs " -- " ("Erlang -- lists"), pkgdown " • ".
constexpr std::string_view separators[] = {" \xE2\x80\x94 ", " \xE2\x80\x93 ", " -- ", " - ", " | ", " :: ", ": ",
                                           " \xC2\xB7 ", " \xC2\xBB ", " \xE2\x80\xA2 ", " in "};
constexpr std::string_view scope = " in *";  // " in " and one word: the scope of an item

bool one_word(std::string_view s) { return !s.empty() && s.find(' ') == std::string_view::npos; }

// Where the parenthesised group that ends `title` starts, at its " (" (npos when none): the
// group the last ")" closes, so Texinfo's " (GNU Octave (version 7.3.0))" is one suffix, not
// its inner " (version 7.3.0))".
std::size_t closing_group(std::string_view title) {
  if (!title.ends_with(')')) return std::string::npos;
  int depth = 0;
  for (std::size_t i = title.size(); i-- > 0;) {
    if (title[i] == ')') ++depth;
    else if (title[i] == '(' && --depth == 0) return i >= 2 && title[i - 1] == ' ' ? i - 1 : std::string::npos;
  }
  return std::string::npos;
}

// Every affix `title` could have, each once.
std::set<std::pair<std::string, std::string>> candidates(const std::string& title) {
  std::set<std::pair<std::string, std::string>> out;  // (prefix, suffix)
  for (auto sep : separators) {
    for (auto pos = title.find(sep); pos != std::string::npos; pos = title.find(sep, pos + 1)) {
      if (pos == 0 || pos + sep.size() >= title.size()) continue;
      out.insert({"", title.substr(pos)});
      out.insert({title.substr(0, pos + sep.size()), ""});
      if (sep == " in " && one_word(std::string_view(title).substr(pos + sep.size()))) out.insert({"", std::string(scope)});
    }
  }
  if (auto open = closing_group(title); open != std::string::npos) out.insert({"", title.substr(open)});
  return out;
}

// The part of `title` before a suffix, or after a prefix; empty when it has not that affix.
std::string_view without(std::string_view title, const TitleAffix& a) {
  if (a.suffix == scope) {
    auto pos = title.rfind(" in ");
    if (pos == std::string_view::npos || pos == 0 || !one_word(title.substr(pos + 4))) return {};
    return title.substr(0, pos);
  }
  if (!a.suffix.empty()) {
    if (title.size() <= a.suffix.size() || !title.ends_with(a.suffix)) return {};
    return title.substr(0, title.size() - a.suffix.size());
  }
  if (title.size() <= a.prefix.size() || !title.starts_with(a.prefix)) return {};
  return title.substr(a.prefix.size());
}

// The affix most of `titles` share (at least half of them, and two), the longest of equals; or none.
std::optional<TitleAffix> shared_affix(const std::vector<std::string_view>& titles) {
  std::map<std::pair<std::string, std::string>, std::size_t> count;
  for (auto t : titles) {
    for (auto& c : candidates(std::string(t))) ++count[c];
  }
  const std::pair<std::string, std::string>* best = nullptr;
  std::size_t best_count = 0;
  for (const auto& [c, n] : count) {
    const std::size_t length = c.first.size() + c.second.size();
    if (n > best_count || (n == best_count && best && length > best->first.size() + best->second.size())) {
      best = &c;
      best_count = n;
    }
  }
  if (!best || best_count < 2 || best_count * 2 < titles.size()) return std::nullopt;
  return TitleAffix{best->first, best->second};
}

bool is_label_number(std::string_view s) {
  if (s.empty() || s.size() > 8) return false;
  if (std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) return true;
  if (s.size() == 1 && std::isupper(static_cast<unsigned char>(s[0]))) return true;  // Appendix A
  return std::all_of(s.begin(), s.end(), [](char c) { return std::string_view("IVXLCDM").find(c) != std::string_view::npos; });
}

// "Chapter" of "Chapter 1. Getting started"; empty when the title does not start with a label.
std::string_view label_of(std::string_view title) {
  auto space = title.find(' ');
  if (space == std::string_view::npos || space < 2) return {};
  auto word = title.substr(0, space);
  if (!std::all_of(word.begin(), word.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || (c & 0x80); })) {
    return {};
  }
  auto dot = title.find(". ", space + 1);
  if (dot == std::string_view::npos || dot + 2 >= title.size() || !is_label_number(title.substr(space + 1, dot - space - 1))) {
    return {};
  }
  return word;
}

}  // namespace

TitleRules shared_title_rules(const std::vector<std::string>& titles) {
  TitleRules rules;
  std::vector<std::string_view> round(titles.begin(), titles.end());
  for (int i = 0; i < 2 && !round.empty(); ++i) {
    auto affix = shared_affix(round);
    if (!affix) break;
    std::vector<std::string_view> next;
    for (auto t : round) {
      if (auto rest = without(t, *affix); !rest.empty()) next.push_back(rest);
    }
    rules.affixes.push_back(std::move(*affix));
    round = std::move(next);
  }
  std::map<std::string_view, std::size_t> labels;
  for (const auto& t : titles) {
    if (auto l = label_of(t); !l.empty()) ++labels[l];
  }
  for (const auto& [l, n] : labels) {
    if (n >= 2) rules.labels.emplace_back(l);
  }
  return rules;
}

namespace {

// The site's name when `title` is the home page's of a site whose titles end with `a`, a separator
// and the name (" | Widget Toolkit"): that page puts the name first, then the site's tagline
// ("Widget Toolkit | Resizable widgets in a terminal": jekyll-seo-tag's and many themes' home
// title); else empty.
std::string_view home_title(std::string_view title, const TitleAffix& a) {
  if (a.suffix.empty() || a.suffix == scope) return {};
  for (auto sep : separators) {
    if (!a.suffix.starts_with(sep) || a.suffix.size() == sep.size()) continue;
    const std::string_view name = std::string_view(a.suffix).substr(sep.size());
    if (title.size() > name.size() + sep.size() && title.starts_with(name) && title.substr(name.size()).starts_with(sep)) return name;
    return {};
  }
  return {};
}

}  // namespace

std::string apply_title_rules(const std::string& title, const TitleRules& rules) {
  std::string_view t(title);
  if (!rules.affixes.empty())
    if (auto name = home_title(t, rules.affixes.front()); !name.empty()) return std::string(name);
  for (const auto& a : rules.affixes) {  // the inner one only where the outer one was
    auto rest = without(t, a);
    if (rest.empty()) break;
    // Texinfo titles its home page, the Top node, "Top (Manual)": the manual's name is its title.
    if (rest == "Top" && a.suffix.size() > 3 && a.suffix.starts_with(" (") && a.suffix.ends_with(')'))
      return std::string(a.suffix.substr(2, a.suffix.size() - 3));
    t = rest;
  }
  if (auto l = label_of(t); !l.empty() && std::find(rules.labels.begin(), rules.labels.end(), l) != rules.labels.end()) {
    t.remove_prefix(t.find(". ") + 2);
  }
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t.empty() ? title : std::string(t);
}

std::string without_item_kind(const std::string& title, const std::vector<std::string>& kinds) {
  std::size_t word = 0;
  for (auto colon = title.find(": "); colon != std::string::npos; colon = title.find(": ", colon + 2)) {
    const std::string_view before = std::string_view(title).substr(word, colon - word);
    if (colon + 2 < title.size() && std::find(kinds.begin(), kinds.end(), before) != kinds.end())
      return title.substr(0, word) + title.substr(colon + 2);
    word = colon + 2;
  }
  return title;
}

}  // namespace siteseek::ingest_detail
