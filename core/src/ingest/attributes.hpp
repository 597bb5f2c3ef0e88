#pragma once
// A page's attributes (docs/filters.md): from the site's URL rules, then the page's DocSearch meta
// tags, its Pagefind filters and its <html lang>; a source gives only names no earlier one gave.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gumbo.h>
#include <re2/re2.h>

#include "siteseek/ingest.hpp"

namespace siteseek {

struct CompiledAttributeRules {
  struct Rule {
    std::unique_ptr<RE2> pattern;
    std::string attribute;
    std::string value;  ///< $1..$9 stand for the pattern's captures
  };
  std::vector<Rule> rules;
};

namespace ingest_detail {

/// One capture of a data-pagefind-filter or data-pagefind-meta value, in Pagefind's syntax:
/// `key` (the element's text), `key[attr]` (that attribute of the element), `key:value` (the rest
/// of the value, commas included: only the last capture may be one), comma-separated.
struct PagefindCapture {
  enum class From { text, attribute, literal };
  std::string key;
  From from = From::text;
  std::string argument;  ///< the attribute's name (From::attribute) or the value (From::literal)
};
std::vector<PagefindCapture> parse_pagefind_captures(std::string_view spec);

/// What a page declares about itself, read element by element in the extractor's one pass over
/// the page (in document order), then merged with the URL rules' attributes by `finish`.
class PageAttributes {
 public:
  /// Reads one element: a DocSearch meta tag, Pagefind filters and meta, <html lang>.
  void visit(const GumboNode* element);
  /// The page title a data-pagefind-meta gives (the last one, as in Pagefind), or "".
  const std::string& title() const { return title_; }
  /// The attributes every record of the page at `url` carries, sorted, each pair once; the values
  /// left out are counted in `dropped`.
  std::vector<Attribute> finish(std::string_view url, const CompiledAttributeRules& rules, AttributeDrops& dropped) const;

 private:
  std::vector<Attribute> docsearch_, pagefind_;  // as declared: names not yet lowercased nor checked
  std::string language_, title_;
};

}  // namespace ingest_detail
}  // namespace siteseek
