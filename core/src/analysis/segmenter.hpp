#pragma once
// Word segmentation of text written without spaces between words (Han, Hiragana, Katakana): ICU's
// dictionary-based word BreakIterator. The tokenizer hands it each run of such text; every other
// script is split by the tokenizer's own rules and never reaches ICU.
#include <cstdint>
#include <string_view>
#include <vector>

namespace siteseek::analysis {

/// One word of a run: byte offsets into the run, [begin, end).
struct WordSpan {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

/// Appends the words of `run` (valid UTF-8) to `words`, in order; the punctuation and spaces
/// between them are not words. The same run always gives the same words, from any thread. When
/// ICU cannot build its word iterator (its data missing), every character is a word of its own.
void segment_words(std::string_view run, std::vector<WordSpan>& words);

}  // namespace siteseek::analysis
