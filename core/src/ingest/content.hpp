#pragma once
// What in a page's content is not content: chrome, code that runs, hidden things other than
// inactive tabs, what the page asks search engines to leave out, permalinks; and where the content
// is when neither the site nor the generator says.
#include <string>
#include <string_view>
#include <vector>

#include <gumbo.h>

#include "ingest/profiles.hpp"
#include "ingest/selector.hpp"

namespace siteseek::ingest_detail {

/// Whether an element's text is not content (docs/sites.md): nav, header, footer, scripts, form
/// controls, hidden elements a click does not show, [data-pagefind-ignore], permalinks.
bool dropped(const GumboNode* n);

/// dropped, or the chrome of the page's generator (`profile`; null: none) or of every generator,
/// or what the site leaves out (`excluded`, its exclude_selectors; null: none).
bool left_out(const GumboNode* n, const GeneratorProfile* profile, const SelectorSet* excluded = nullptr);

/// An element's visible text, white space collapsed (what `dropped` leaves out of it left out;
/// html.cpp).
std::string visible_text(const GumboNode* n);

/// The text of every text node under `n`, in document order and as it stands (nothing left out,
/// white space kept); the walk stops once the text is longer than `most` bytes.
std::string text_under(const GumboNode* n, std::size_t most = std::string::npos);

/// Whether `text` shows no word: only the signs permalinks show instead of words (¶ § # ◆ U+F0C1
/// U+200B 🔗) and spaces.
bool glyphs_only(std::string_view text);

/// Where the main content is when neither the site nor its generator's profile says: what the
/// page marks for search engines (Pagefind's content root, DocSearch's), then main, [role=main],
/// article, body.
const std::vector<Selector>& default_roots();
/// The default roots after `article`: where the content is when the <article> found is one of
/// several (items of a list, not the page's content).
const std::vector<Selector>& default_roots_after_article();

}  // namespace siteseek::ingest_detail
