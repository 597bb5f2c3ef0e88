// Question phrasing: the words of an English query that frame a question rather than name what
// it asks about. docs/query-language.md#questions lists the patterns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace siteseek::detail {

/// Whether a site's queries have frames: analysed as English (`language`, a Snowball name), with
/// stop words (a site without any wants every word it is given).
inline bool frames_questions(std::string_view language, bool has_stop_words) {
  return language == "english" && has_stop_words;
}

/// `words`: the query's clauses as folded words, an empty string for a clause that is not one
/// plain word (a phrase, a field, an exclusion, several alternatives). Returns, per clause,
/// whether it frames a question: "difference(s) between", "vs"/"versus" between two words,
/// "mean(s)" closing a "what ..." question, "work(s)" closing "how do/does ...", "should" in a
/// question and "use" right after "should I/we/you", "way" of "is there a way to" and "the best
/// way to" (and its adjective), "good" of "what is X good for". Those become optional words,
/// like stop words.
std::vector<bool> question_frame(const std::vector<std::string>& words);

}  // namespace siteseek::detail
