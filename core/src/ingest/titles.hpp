#pragma once
// What the <title>s of a site's pages share, so that each page keeps only its own title: the site's
// name and the generator's words before or after it, and chapter labels.
#include <string>
#include <vector>

namespace siteseek::ingest_detail {

/// Text every title of a site carries before or after the page's own title.
struct TitleAffix {
  std::string prefix;  ///< "Widget Toolkit: " (Doxygen)
  std::string suffix;  ///< " — Widget Toolkit 1.0 documentation" (Sphinx), " (Widget Toolkit)" (Javadoc)
};

/// How a site's titles are shortened: its affixes, outermost first, and label words.
struct TitleRules {
  std::vector<TitleAffix> affixes;  ///< at most two: " - Rust", then " in *" (rustdoc's "Widget in widget")
  std::vector<std::string> labels;  ///< "Chapter" when titles read "Chapter 1. Getting started" (DocBook)
  bool empty() const { return affixes.empty() && labels.empty(); }
};

/// The rules most of `titles` (one per page) follow: an affix after a separator (" — ", " – ",
/// " - ", " | ", " :: ", ": ", " · ", " » ", " in "), or in parentheses at the end, shared by at
/// least half of the titles (and two); then, among the titles that had it, a second one shared the
/// same way, where " in " and any one word count as one (rustdoc's "Widget in widget", "Foo in
/// widget::guide"); and each label word followed by a number and a period that begins at least two
/// titles ("Chapter 1. ", "Appendix A. ").
TitleRules shared_title_rules(const std::vector<std::string>& titles);

/// `title` without "Kind: " when one of `kinds` is the word before one of its ": ", from the start
/// or after the site's prefix ("Class: Widget" -> "Widget", "JSDoc: Class: Widget" -> "JSDoc:
/// Widget", whose shared "JSDoc: " the site's title rules remove); else `title`.
std::string without_item_kind(const std::string& title, const std::vector<std::string>& kinds);

/// `title` without what `rules` remove; a title that is nothing but the affix (the home page's
/// "Widget Toolkit | Widget Toolkit") keeps the site's name.
std::string apply_title_rules(const std::string& title, const TitleRules& rules);

}  // namespace siteseek::ingest_detail
