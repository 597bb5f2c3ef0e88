#include "ingest/sections.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string_view>
#include <unordered_set>

namespace siteseek::ingest_detail {

std::string clean_heading(std::string_view s) {
  static constexpr std::string_view signs[] = {"\xC2\xB6", "\xC2\xA7", "\xE2\x97\x86", "\xEF\x83\x81",
                                               "\xF0\x9F\x94\x97", " #", " "};
  bool changed = true;
  while (changed && !s.empty()) {
    changed = false;
    for (auto g : signs) {
      if (s.ends_with(g)) s.remove_suffix(g.size()), changed = true;
      if (g == " #") g = "# ";
      if (s.starts_with(g)) s.remove_prefix(g.size()), changed = true;
    }
  }
  return std::string(s);
}

std::string words(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool repeats_title(std::string_view heading, std::string_view title) {
  const std::string h = words(heading), t = words(title);
  if (h.empty() || t.empty()) return false;
  const std::string padded = " " + t + " ";
  if (padded.find(" " + h + " ") != std::string::npos) return true;
  if (h.size() > t.size() && h.ends_with(" " + t)) return true;
  const auto first_space = h.find(' ');
  if (first_space != std::string::npos && padded.find(h.substr(first_space) + " ") != std::string::npos) return true;
  for (auto space = h.find(' '); space != std::string::npos; space = h.find(' ', space + 1)) {
    if ((t + " ").starts_with(h.substr(space + 1) + " ")) return true;
  }
  return false;
}

const Heading* page_heading(const std::vector<Heading>& headings, const std::vector<std::string>& texts,
                            const std::string& title) {
  int top = 7, h1s = 0;
  const Heading* first = nullptr;
  for (const auto& h : headings) {
    top = std::min(top, h.level);
    if (h.level == 1 && !h1s++) first = &h;
  }
  if (h1s > 0) {
    if (title.empty() || h1s == 1) return first;
    for (const auto& h : headings) {
      if (h.level == 1 && repeats_title(texts[&h - headings.data()], title)) return &h;
    }
    return nullptr;
  }
  for (const auto& h : headings) {
    if (h.level == top) return repeats_title(texts[&h - headings.data()], title) ? &h : nullptr;
  }
  return nullptr;
}

std::vector<Section> plan_sections(const std::vector<Heading>& headings, const std::vector<std::string>& texts,
                                   const Heading* own, std::size_t text_size) {
  const std::size_t n = headings.size();
  // The page's own heading said again right after it (TypeDoc's README page: the page's <h1>, then
  // the README's own with an id) is the page too, not a section of it.
  const Heading* again = nullptr;
  if (const std::size_t k = own ? static_cast<std::size_t>(own - headings.data()) : n; k + 1 < n) {
    const Heading& next = headings[k + 1];
    if (next.level == own->level && next.start <= own->end + 1 && words(texts[k + 1]) == words(texts[k])) again = &next;
  }
  int base = 7;
  for (const auto& h : headings) {
    if (&h != own && &h != again && (!own || h.level >= own->level)) base = std::min(base, h.level);
  }
  std::vector<Section> out;
  if (base == 7) return out;
  // Where each heading's whole extent ends: at the next heading of its level or above.
  std::vector<std::size_t> extent(n);
  std::size_t next_at_or_above[8];
  std::fill(std::begin(next_at_or_above), std::end(next_at_or_above), text_size);
  for (std::size_t i = n; i-- > 0;) {
    extent[i] = next_at_or_above[headings[i].level];
    for (int l = headings[i].level; l <= 7; ++l) next_at_or_above[l] = headings[i].start;
  }
  std::vector<char> recorded(n, 0);
  std::vector<std::vector<std::size_t>> paths(n);
  std::vector<std::size_t> open;  // the headings the current one is under, outermost first
  bool long_parent = false;       // the open heading of level base + 1 is long
  std::unordered_set<std::string_view> anchors;  // of the headings recorded so far
  for (std::size_t i = 0; i < n; ++i) {
    const Heading& h = headings[i];
    if (&h == own || &h == again || h.level < base) continue;
    while (!open.empty() && headings[open.back()].level >= h.level) open.pop_back();
    if (h.level == base + 1) long_parent = extent[i] - h.end > long_section;
    if (h.level <= base + 1) {
      recorded[i] = 1;
    } else if (h.code || (h.level == base + 2 && long_parent)) {
      recorded[i] = 1;
    }
    if (h.anchor.empty() || texts[i].empty()) recorded[i] = 0;
    // An anchor found for two headings names the first: a later heading with it starts no record,
    // as a heading without one does, so no two records share a URL. Erlang's docs repeat the id
    // "types" in every function's entry; XHTML's <a id="x"/> in a heading is left open by an HTML
    // parser, so the next heading inside it seems to carry x too (the Debian Reference).
    if (recorded[i] && !anchors.insert(h.anchor).second) recorded[i] = 0;
    paths[i] = open;
    if (!texts[i].empty()) open.push_back(i);
  }
  std::vector<std::size_t> ends(n, text_size);
  std::size_t next_recorded = text_size;
  std::fill(std::begin(next_at_or_above), std::end(next_at_or_above), text_size);
  for (std::size_t i = n; i-- > 0;) {
    ends[i] = std::min(next_recorded, next_at_or_above[headings[i].level]);
    for (int l = headings[i].level; l <= 7; ++l) next_at_or_above[l] = headings[i].start;
    if (recorded[i]) next_recorded = headings[i].start;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (recorded[i]) out.push_back({i, ends[i], std::move(paths[i])});
  }
  return out;
}

}  // namespace siteseek::ingest_detail
