#include "analysis/segmenter.hpp"

#include <cstdint>
#include <limits>
#include <memory>

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/utext.h>

namespace siteseek::analysis {

namespace {

// A BreakIterator must not be shared between threads, and building one is slow: about 100 us for
// the first (ICU loads its rules), 2-13 us for each later one (measured with ICU 72), against
// 0.1 us for a clone, which shares the prototype's immutable, reference-counted rules. So one is
// built per process and each thread clones it once. The root locale: the word rules and the CJK
// dictionary are the same for every locale.
const icu::BreakIterator* prototype() {
  static const std::unique_ptr<icu::BreakIterator> instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status)) it.reset();
    return it;
  }();
  return instance.get();
}

icu::BreakIterator* thread_iterator() {
  thread_local const std::unique_ptr<icu::BreakIterator> clone(prototype() ? prototype()->clone() : nullptr);
  return clone.get();
}

// Without ICU's iterator: one word per character, as the analyzer did before segmenting.
void one_per_character(std::string_view run, std::vector<WordSpan>& words) {
  for (std::size_t i = 0; i < run.size();) {
    const auto lead = static_cast<unsigned char>(run[i]);
    std::size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (i + n > run.size()) n = run.size() - i;
    words.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + n)});
    i += n;
  }
}

}  // namespace

void segment_words(std::string_view run, std::vector<WordSpan>& words) {
  icu::BreakIterator* it = thread_iterator();
  if (!it || run.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    one_per_character(run, words);
    return;
  }
  // ICU reads the UTF-8 in place (no conversion to UTF-16), and its boundaries are byte offsets.
  UErrorCode status = U_ZERO_ERROR;
  UText text = UTEXT_INITIALIZER;
  utext_openUTF8(&text, run.data(), static_cast<std::int64_t>(run.size()), &status);
  it->setText(&text, status);
  if (U_FAILURE(status)) {
    utext_close(&text);
    one_per_character(run, words);
    return;
  }
  std::int32_t begin = it->first();
  for (std::int32_t end = it->next(); end != icu::BreakIterator::DONE; begin = end, end = it->next()) {
    // The status of the rule that ended the piece tells words (letters, kana, ideographs, numbers)
    // from spaces and punctuation (below UBRK_WORD_NONE_LIMIT).
    if (it->getRuleStatus() >= UBRK_WORD_NONE_LIMIT)
      words.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)});
  }
  utext_close(&text);
}

}  // namespace siteseek::analysis
