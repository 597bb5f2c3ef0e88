#include "search/question.hpp"

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace siteseek::detail {

namespace {

bool is_any(const std::string& word, std::initializer_list<std::string_view> of) {
  return std::find(of.begin(), of.end(), word) != of.end();
}

}  // namespace

std::vector<bool> question_frame(const std::vector<std::string>& w) {
  const std::size_t n = w.size();
  std::vector<bool> frame(n, false);
  if (n < 3) return frame;  // every pattern frames at least two other words
  const auto at = [&](std::size_t i) -> const std::string& {
    static const std::string none;
    return i < n ? w[i] : none;
  };
  const bool wh_question = is_any(w[0], {"what", "why", "when", "which", "how", "where", "who", "should"});
  for (std::size_t i = 0; i < n; ++i) {
    // "difference between a list and a tuple": the two things compared are the question.
    if (is_any(w[i], {"difference", "differences"}) && at(i + 1) == "between") frame[i] = frame[i + 1] = true;
    // "json vs jsonb": only between two words.
    if (is_any(w[i], {"vs", "versus"}) && i > 0 && i + 1 < n && !w[i - 1].empty() && !w[i + 1].empty()) frame[i] = true;
    // "when should I use a BRIN index", "should I use tuples": asking for advice about the rest.
    if (w[i] == "should" && (wh_question || is_any(at(i + 1), {"i", "we", "you"}))) {
      frame[i] = true;
      if (is_any(at(i + 1), {"i", "we", "you"}) && is_any(at(i + 2), {"use", "choose", "pick"})) frame[i + 2] = true;
    }
  }
  // "is there a way to ...", "the best way to ...": the rest is the task.
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (w[i + 1] != "way" || at(i + 2) != "to" || i + 3 >= n) continue;
    if (w[i] == "a" && i > 0 && w[i - 1] == "there") frame[i + 1] = true;
    if (is_any(w[i], {"best", "easiest", "fastest", "simplest", "right", "correct", "proper", "recommended"}))
      frame[i] = frame[i + 1] = true;
  }
  // "what is a GIN index good for": what the words in between are for.
  if (wh_question && n >= 4 && w[n - 2] == "good" && w[n - 1] == "for") frame[n - 2] = true;
  // "what does hashable mean": the meaning asked for is of the words in between.
  if (w[0] == "what" && is_any(w[n - 1], {"mean", "means"})) frame[n - 1] = true;
  // "how do async and await work", "how does the GIL work".
  if (w[0] == "how" && is_any(w[1], {"do", "does"}) && n >= 4 && is_any(w[n - 1], {"work", "works"})) frame[n - 1] = true;
  return frame;
}

}  // namespace siteseek::detail
