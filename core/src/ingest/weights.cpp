#include "ingest/weights.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "ingest/selector.hpp"

namespace siteseek::ingest_detail {

std::optional<double> pagefind_weight(const GumboNode* n) {
  const char* value = attribute(n, "data-pagefind-weight");
  if (!value) return std::nullopt;
  const std::string text(value);
  char* end = nullptr;
  const double w = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(w)) return std::nullopt;
  while (*end == ' ') ++end;
  if (*end) return std::nullopt;  // "2px", "high": not a weight
  return std::clamp(w, 0.0, 10.0);
}

double weight_of(const std::vector<WeightedSpan>& spans, std::string_view text, std::size_t from, std::size_t to) {
  to = std::min(to, text.size());
  while (from < to && text[from] == ' ') ++from;
  while (to > from && text[to - 1] == ' ') --to;
  if (from >= to) return 1.0;
  // The spans that start at or before `from`, the last first: the first of them that reaches
  // `to` is the innermost holding the range (an element inside another opens after it).
  auto it = std::upper_bound(spans.begin(), spans.end(), from, [](std::size_t at, const WeightedSpan& s) { return at < s.start; });
  while (it != spans.begin()) {
    --it;
    if (it->end >= to) return it->weight;
  }
  return 1.0;
}

double weight_boost(double weight) {
  constexpr double k1 = 1.2;  // the BM25F saturation of the engine (docs/query-language.md, bm25f)
  const double w2 = weight * weight;
  return std::max(0.01, w2 * (k1 + 1.0) / (w2 + k1));
}

}  // namespace siteseek::ingest_detail
