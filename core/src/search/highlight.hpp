#pragma once
// Highlighting and snippets, for the returned page of results only. All text is HTML-escaped
// before tags are inserted, so indexed content can never inject markup.
#include <array>
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

/// Highlights fields and cuts snippets for one search: set up once (which bytes the words sought
/// start with), then used for every field of every result on the page. Not thread-safe.
class Highlighter {
 public:
  /// The arguments must outlive it.
  Highlighter(const Analyzer& analyzer, const HighlightMatcher& matcher, const HighlightOptions& options);
  /// The whole field, escaped, with matched tokens wrapped in the tags.
  std::string text(std::string_view text);
  /// The snippet from byte `from` of a body of `body_size` bytes: about `length` bytes, escaped,
  /// matches wrapped in the tags, with ellipses where text is cut. `window` is the body's bytes
  /// from `base` on, at least to byte from + length + 1 or to its end (BodyWindow).
  std::string snippet(std::string_view window, std::size_t base, std::size_t body_size, std::size_t from, std::size_t length);
 private:
  /// Whether a piece of text (a run of word bytes) is one the query matched.
  bool matches(std::string_view piece);
  /// The answer for a piece that needed the analyzer (folding non-ASCII text, or a stem), when
  /// it was asked before: the same words recur over a page of results, and the analyzer costs
  /// far more than comparing a few short strings.
  const bool* recall(std::string_view piece) const;
  void remember(std::string_view piece, bool found);
  static constexpr std::size_t max_known = 64;
  /// The distinct ASCII bytes the words sought start with (folded): only pieces starting with
  /// one of them, or with a non-ASCII byte, can match. Empty with all_firsts() when there are
  /// too many to compare one by one.
  std::string_view firsts() const { return all_firsts() ? std::string_view() : std::string_view(firsts_.data(), first_count_); }
  bool all_firsts() const { return first_count_ > firsts_.size(); }
  /// text[from, to) escaped and appended to `out`, matched pieces wrapped in the tags.
  void render(std::string_view text, std::size_t from, std::size_t to, std::string& out);
  /// A piece holding Han or kana, text[begin, end): its words end where the analyzer's dictionary
  /// segmentation says, not at spaces, so the analyzer's tokens are matched (matches() would take
  /// the whole run for one word). Writes text[run, end) to `out` with the matched tokens wrapped,
  /// adjacent ones in one pair of tags, and moves `run` to `end`.
  void render_segmented(std::string_view text, std::size_t begin, std::size_t end, std::size_t& run, std::string& out);

  const Analyzer& analyzer_;
  const HighlightMatcher& m_;
  const HighlightOptions& options_;
  std::string folded_, unicode_folded_, stem_;
  std::vector<std::pair<std::string, bool>> known_;  ///< pieces that needed the analyzer, answers
  std::vector<std::pair<std::size_t, std::size_t>> spans_;  ///< render_segmented's matched bytes
  std::array<bool, 256> first_{};
  std::array<char, 12> firsts_{};
  std::size_t first_count_ = 0;
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

/// The byte offset of body position `position` (at a piece), counted from `from_checkpoint`: a
/// piece is a position, except a piece holding Han or kana, whose positions are its words (the
/// analyzer's). `window` is the body's bytes from `base` (at most the checkpoint's offset) on, of
/// a body of `body_size` bytes; std::string::npos when it ends before the offset is known.
std::size_t snippet_offset(const Index& index, std::string_view window, std::size_t base, std::size_t body_size,
                           Checkpoint from_checkpoint, std::uint32_t position);


}  // namespace siteseek::detail
