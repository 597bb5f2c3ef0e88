#pragma once
// What siteseek knows of each documentation generator, as data: how to recognise its pages, where
// their content is, what in it is chrome, which pages are not documents. One table in
// profiles.cpp; docs/sites.md says what each entry is for.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gumbo.h>
#include <re2/re2.h>

#include "ingest/selector.hpp"

namespace siteseek::ingest_detail {

/// Pages a generator writes that are not documents: an index, a source view, a settings page.
struct SkipRule {
  std::string reason;
  std::shared_ptr<RE2> url;   ///< searched in the page URL; null: any
  /// Matched against <html>, <body> (rustdoc's body.src) and the elements right under <body>
  /// (DocBook's div.index); empty: any.
  Selector page;
  std::string generator;      ///< <meta name=generator> equals it (Javadoc's writers); empty: any
};

/// One generator's conventions.
struct GeneratorProfile {
  std::string name;                     ///< "sphinx", "rustdoc", ...: reported per page
  std::vector<std::string> generator;   ///< <meta name=generator> starts with one of these
  std::vector<Selector> signatures;     ///< else: an element matching one is in the page
  std::vector<Selector> roots;          ///< content roots, before the generic ones
  Selector title;                       ///< the page's title when it is not a heading (Doxygen); empty: a heading
  /// Words naming an item's kind before its name in a page's title ("Class: Widget", JSDoc's),
  /// left out of the title.
  std::vector<std::string> title_kinds;
  /// Headings that name an API item, each a section record at any level (as a heading of code is).
  std::vector<Selector> item_headings;
  SelectorSet noise;                    ///< chrome inside the content, left out (the generic profile's included)
  bool generic_noise = true;            ///< false: the generic profile's noise is content here
  /// Inline elements the site's style sheet shows as blocks: a space between their texts
  /// (cppreference's names stacked in span.t-lines, "operator==" over "operator!=").
  SelectorSet blocks;
  /// Content although marked data-pagefind-ignore: the generator marks every such element, for
  /// its own Pagefind index, where the page's author asked nothing (Nextra's code blocks).
  SelectorSet not_ignored;
  std::vector<SkipRule> skip;
};

/// Every profile, then the generic one last (name "generic"; its noise and skip rules apply to
/// every page).
const std::vector<GeneratorProfile>& profiles();
const GeneratorProfile& generic_profile();

/// The profile of a page: the first whose generator prefix the page's <meta name=generator>
/// starts with, else the first with a signature in `signatures_found` (indexes into the flat
/// list of all_signatures()), else the generic one.
const GeneratorProfile& profile_for(const std::vector<std::string>& generators, const std::vector<bool>& signatures_found);

/// Every profile's signatures, flattened, with the profile each belongs to.
struct Signature {
  const Selector* selector;
  const GeneratorProfile* profile;
};
const std::vector<Signature>& all_signatures();

}  // namespace siteseek::ingest_detail
