#pragma once
// Pagefind's data-pagefind-weight, as far as siteseek's model can follow it (docs/sites.md#weights):
// Pagefind weighs every word inside the element (0 to 10, default 1, quadratic: a word of weight
// 2 counts about 4 times); siteseek scores records, each with one boost. So a weight is honoured
// where the two agree: for a record all of whose text is inside the weighted element, whose
// every word then carries that weight. A weight on part of a record's text (a heading, a
// paragraph) is not followed.
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include <gumbo.h>

namespace siteseek::ingest_detail {

/// Text [start, end) of a page's text buffer is inside an element of this weight.
struct WeightedSpan {
  std::size_t start = 0;
  std::size_t end = 0;
  double weight = 1.0;
};

/// Weighted elements followed per page at most (the first ones in document order): a record's
/// weight is looked up among them, so a page of countless weighted elements stays linear.
constexpr std::size_t max_weighted_elements = 1000;

/// The weight an element carries (data-pagefind-weight, clamped to [0, 10]), or nothing when it
/// carries none or not a number.
std::optional<double> pagefind_weight(const GumboNode* n);

/// The weight of the innermost span that holds all of `text`'s [from, to) but the spaces at its
/// ends; 1 when none does or the range holds no text. `spans` are in document order (an outer
/// element before the elements inside it), as a walk of the page records them.
double weight_of(const std::vector<WeightedSpan>& spans, std::string_view text, std::size_t from, std::size_t to);

/// The record boost factor for a weight: what weighing every word of a record by weight²
/// (Pagefind's quadratic scale) does to one occurrence of a word under BM25 with the engine's
/// k1 = 1.2 at average length, w²(k1 + 1) / (w² + k1): 2 -> 1.69, 0.5 -> 0.38, 10 -> 2.17, 1 -> 1.
/// Weight 0 gives 0.01: the record is still found, after the others (Pagefind still lists it).
double weight_boost(double weight);

}  // namespace siteseek::ingest_detail
