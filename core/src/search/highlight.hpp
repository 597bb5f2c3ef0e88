#pragma once
// Highlighting and snippets, for the returned page of results only. All text is HTML-escaped
// before tags are inserted, so indexed content can never inject markup.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/index_data.hpp"
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

/// The body position a snippet starts at: a little before the window of about `length` bytes
/// with the most distinct query words. `matches` (sorted here when they are not): body positions
/// of matches, each with its word's index. 0 when there are none.
std::uint32_t snippet_position(std::vector<std::pair<std::uint32_t, std::uint32_t>>& matches, std::size_t length);

/// The checkpoint of `doc`'s body at or before `position` ({0, 0} when none).
Checkpoint snippet_checkpoint(const Index& index, std::uint32_t doc, std::uint32_t position);

/// The byte offset of body position `position` (at a piece), counted from `from_checkpoint`.
std::size_t snippet_offset(const Index& index, std::uint32_t doc, Checkpoint from_checkpoint, std::uint32_t position);

/// The snippet from byte `from` of the body: about options.snippet_length bytes, escaped, matches
/// wrapped in the tags, with ellipses where text is cut.
std::string snippet_at(const Index& index, std::uint32_t doc, std::size_t from, const HighlightMatcher& matcher,
                       const HighlightOptions& options);

}  // namespace siteseek::detail
