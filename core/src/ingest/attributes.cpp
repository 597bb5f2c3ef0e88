// A page's attributes (docs/filters.md), source by source in their order of precedence: the site's
// URL rules, DocSearch's meta tags, Pagefind's filters, <html lang>. A source gives only names no
// earlier source gave, as many values of each as it declares; names are lowercased and checked,
// values whitespace-collapsed and checked, and what fails a check is counted, not kept.
#include "ingest/attributes.hpp"

#include <algorithm>
#include <set>

#include "ingest/content.hpp"
#include "ingest/selector.hpp"
#include "ingest/text.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {
namespace ingest_detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// `s` trimmed, runs of white space one space.
std::string collapse(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!is_space(c)) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The attributes of one page, gathered source by source.
class Collector {
 public:
  explicit Collector(AttributeDrops& dropped) : dropped_(dropped) {}

  void add(std::string_view declared_name, std::string_view declared_value) {
    const std::string name = lower(collapse(declared_name));
    if (!valid_attribute_name(name)) {
      ++dropped_.invalid_name;
      return;
    }
    if (earlier_.count(name)) return;  // an earlier source gave it
    std::string value = collapse(declared_value);
    if (value.empty()) return;
    if (value.size() > limits::max_attribute_value_bytes) {
      ++dropped_.too_long;
      return;
    }
    values_.push_back({name, std::move(value)});
  }

  // Ends a source: the sources after it give none of the names it gave.
  void end_source() {
    for (; source_start_ < values_.size(); ++source_start_) earlier_.insert(values_[source_start_].name);
  }

  // Each pair once; the first values kept when there are too many (the earlier sources' first).
  std::vector<Attribute> finish() {
    std::vector<Attribute> out;
    std::set<Attribute> seen;
    for (auto& a : values_) {
      if (!seen.insert(a).second) continue;
      if (out.size() == limits::max_record_attributes) {
        ++dropped_.too_many;
      } else {
        out.push_back(std::move(a));
      }
    }
    normalize_attributes(out);  // sorted; each was checked as it came
    return out;
  }

 private:
  AttributeDrops& dropped_;
  std::vector<Attribute> values_;
  std::size_t source_start_ = 0;
  std::set<std::string> earlier_;
};

// `value` with $1..$9 replaced by those groups of a match (a group that took no part: nothing).
std::string substitute(std::string_view value, const std::vector<re2::StringPiece>& groups) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '$' && i + 1 < value.size() && value[i + 1] >= '1' && value[i + 1] <= '9') {
      const std::size_t g = static_cast<std::size_t>(value[++i] - '0');
      if (g < groups.size()) out.append(groups[g].data(), groups[g].size());
    } else {
      out += value[i];
    }
  }
  return out;
}

// Whether Pagefind leaves an element's filters and meta out: it or an ancestor has
// data-pagefind-ignore="all" (any value but "", "index" and "true" reads as "all").
bool pagefind_excluded(const GumboNode* n) {
  for (; n && n->type == GUMBO_NODE_ELEMENT; n = n->parent) {
    if (const char* v = attribute(n, "data-pagefind-ignore")) {
      const std::string how = lower(v);
      if (!how.empty() && how != "index" && how != "true") return true;
    }
  }
  return false;
}

// The values of an element's Pagefind captures, as (key, value) pairs.
std::vector<Attribute> pagefind_values(const GumboNode* n, const char* spec) {
  std::vector<Attribute> out;
  for (auto& c : parse_pagefind_captures(spec)) {
    std::string value;
    if (c.from == PagefindCapture::From::text) {
      value = visible_text(n);
    } else if (c.from == PagefindCapture::From::attribute) {
      const char* v = attribute(n, c.argument.c_str());
      value = v ? v : "";
    } else {
      value = std::move(c.argument);
    }
    out.push_back({std::move(c.key), std::move(value)});
  }
  return out;
}

}  // namespace

std::vector<PagefindCapture> parse_pagefind_captures(std::string_view spec) {
  // Everything after the first ':' is the value of the capture before it.
  const std::size_t colon = spec.find(':');
  const std::string_view list = spec.substr(0, colon);
  std::vector<PagefindCapture> out;
  for (std::size_t start = 0; start <= list.size();) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string chunk = collapse(list.substr(start, comma - start));
    start = comma + 1;
    if (chunk.empty()) continue;
    PagefindCapture c;
    c.key = chunk;
    const std::size_t open = chunk.find('[');
    if (open != std::string::npos && open > 0 && chunk.back() == ']' && open + 2 < chunk.size()) {
      c.key = collapse(chunk.substr(0, open));
      c.from = PagefindCapture::From::attribute;
      c.argument = chunk.substr(open + 1, chunk.size() - open - 2);
    }
    out.push_back(std::move(c));
  }
  if (colon != std::string_view::npos && !out.empty()) {
    out.back().from = PagefindCapture::From::literal;
    out.back().argument = std::string(spec.substr(colon + 1));
  }
  return out;
}

void PageAttributes::visit(const GumboNode* n) {
  const GumboTag tag = n->v.element.tag;
  // The root's lang, else <body>'s (Texinfo writes <body lang="en"> under a bare <html>).
  if (tag == GUMBO_TAG_HTML || (tag == GUMBO_TAG_BODY && language_.empty())) {
    if (const char* lang = attribute(n, "lang"); lang && *lang) {
      language_ = lower(collapse(lang));
      for (auto& c : language_) c = c == '_' ? '-' : c;
    }
  } else if (tag == GUMBO_TAG_META) {
    const char* name = attribute(n, "name");
    const char* content = attribute(n, "content");
    const std::string_view prefix = "docsearch:";
    if (name && content && lower(name).starts_with(prefix)) {
      const std::string_view values(content);
      for (std::size_t start = 0; start <= values.size();) {  // DocSearch: comma-separated values
        std::size_t comma = values.find(',', start);
        if (comma == std::string_view::npos) comma = values.size();
        docsearch_.push_back({std::string(name + prefix.size()), std::string(values.substr(start, comma - start))});
        start = comma + 1;
      }
    }
  }
  const char* filter = attribute(n, "data-pagefind-filter");
  const char* meta = attribute(n, "data-pagefind-meta");
  if ((!filter && !meta) || pagefind_excluded(n)) return;
  if (filter) {
    for (auto& a : pagefind_values(n, filter)) pagefind_.push_back(std::move(a));
  }
  if (meta) {
    for (auto& a : pagefind_values(n, meta)) {
      // Of Pagefind's metadata only the title is the page's; the other keys are for its result UI.
      if (lower(collapse(a.name)) == "title" && !collapse(a.value).empty()) title_ = collapse(a.value);
    }
  }
}

std::vector<Attribute> PageAttributes::finish(std::string_view url, const CompiledAttributeRules& rules,
                                              AttributeDrops& dropped) const {
  Collector out(dropped);
  std::vector<re2::StringPiece> groups;
  for (const auto& rule : rules.rules) {
    groups.resize(1 + std::min(9, rule.pattern->NumberOfCapturingGroups()));
    if (rule.pattern->Match(url, 0, url.size(), RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size()))) {
      out.add(rule.attribute, substitute(rule.value, groups));
    }
  }
  out.end_source();
  for (const auto& a : docsearch_) out.add(a.name, a.value);
  out.end_source();
  for (const auto& a : pagefind_) out.add(a.name, a.value);
  out.end_source();
  if (!language_.empty()) out.add("language", language_);
  return out.finish();
}

}  // namespace ingest_detail

std::shared_ptr<const CompiledAttributeRules> compile_attribute_rules(const SiteSettings& site) {
  auto out = std::make_shared<CompiledAttributeRules>();
  for (const auto& r : site.attributes) {
    auto re = std::make_unique<RE2>(r.pattern, RE2::Quiet);
    if (re->ok()) out->rules.push_back({std::move(re), r.attribute, r.value});
  }
  return out;
}

AttributeDrops& AttributeDrops::operator+=(const AttributeDrops& other) {
  invalid_name += other.invalid_name;
  too_long += other.too_long;
  too_many += other.too_many;
  return *this;
}

void count_attribute_values(AttributeReport& report, const std::vector<Document>& documents) {
  std::set<Attribute> seen;
  for (const auto& d : documents) seen.insert(d.attributes.begin(), d.attributes.end());
  report.values.clear();
  for (const auto& a : seen) ++report.values[a.name];
}

}  // namespace siteseek
