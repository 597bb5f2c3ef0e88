#pragma once
// Highlighting and snippets, for the returned page of results only. All text is HTML-escaped
// before tags are inserted, so indexed content can never inject markup.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "search/plan.hpp"
#include "siteseek/index.hpp"

namespace siteseek::detail {

struct HighlightOptions {
  std::string pre_tag = "<b>";
  std::string post_tag = "</b>";
  std::size_t snippet_length = 200;
};

/// Append `text` to `out` with & < > " ' escaped.
void html_escape(std::string_view text, std::string& out);

/// The whole field, escaped, with matched tokens wrapped in the tags.
std::string highlight_text(const Analyzer& analyzer, std::string_view text, const HighlightMatcher& matcher,
                           const HighlightOptions& options);

/// A body snippet of about options.snippet_length bytes around the best window of matches.
/// `matches`: body positions of query-word matches in the document, each with its word's index.
std::string body_snippet(const Index& index, std::uint32_t doc,
                         std::vector<std::pair<std::uint32_t, std::uint32_t>> matches,
                         const HighlightMatcher& matcher, const HighlightOptions& options);

}  // namespace siteseek::detail
