#pragma once
// The ranking rules' constants: the match_kind weights (the plan gives them to the expansions), and
// the factors and bonuses of the other rules. The rules themselves, and the order they run in,
// are the list in search/rules.hpp.
#include <cstddef>

namespace siteseek::detail {

// words: a query of at least partial_match_min_words required words that fewer than
// partial_match_below records match in full also takes the records missing at most
// partial_match_missing of them; each word a record misses multiplies its score by
// partial_match_factor. Chosen together on the readers'-words sets and the dev sets
// (docs/performance.md): factors of 0.7 and 0.9 each lose on one site what they win on the
// other; a threshold of 100 finds a little more than 30 but runs the wider pass for dev queries
// of three words too (their p50 +33 %), 10 finds less.
inline constexpr unsigned partial_match_min_words = 3;
inline constexpr unsigned partial_match_missing = 1;
inline constexpr std::size_t partial_match_below = 30;
inline constexpr float partial_match_factor = 0.8f;

// match_kind: how much an expanded term is worth relative to the word typed.
inline constexpr float weight_exact = 1.0f;
inline constexpr float weight_stem = 0.85f;
inline constexpr float weight_synonym = 0.8f;
/// A word of the thesaurus related to a word typed (index/thesaurus.hpp): taken only when the
/// word typed is in fewer than related_weak_share of the records and the related word in at
/// least related_more_common times as many.
inline constexpr float weight_related = 0.7f;
inline constexpr double related_weak_share = 0.01;
inline constexpr double related_more_common = 2.0;
inline constexpr float weight_prefix = 0.75f;
inline constexpr float weight_one_typo = 0.5f;
inline constexpr float weight_two_typos = 0.3f;
/// An identifier typed whole ("os.path.join") also matches its parts anywhere, for less.
inline constexpr float weight_identifier_parts = 0.6f;

/// A query word found in at least this many documents is not expanded with typos.
inline constexpr unsigned known_word_min_df = 3;

// bm25f: saturation (bm25_k1) and per-field length normalisation (bm25_b) live with the index,
// which precomputes each posting's term-frequency part: core/src/index/index_data.hpp.

// scattered: a page whose words are spread over its sections (each section has some, none has
// all) answers a query of several words less well than a record that holds them together.
inline constexpr float scattered_page_factor = 0.75f;

// proximity: bonus at most this fraction of the score when every word pair is adjacent.
inline constexpr double proximity_weight = 1.0;

// exact_title: up to this fraction more when the query's words make up the whole title.
inline constexpr double title_coverage_weight = 0.5;
// exact_title multipliers.
inline constexpr double title_equals_bonus = 2.0;
inline constexpr double title_starts_bonus = 1.4;
inline constexpr double section_title_equals_bonus = 1.6;
inline constexpr double section_title_starts_bonus = 1.25;
// typed_case: a word typed with a capital inside it ("differenceInCal", "formatIS") says which
// of the names that fold alike the reader means (an API's function differenceInCalendarDays and
// its type DifferenceInCalendarDaysOptions); a title holding it only in another case is worth
// this much. Chosen as the inverse of section_title_starts_bonus, before measuring.
inline constexpr double typed_case_factor = 0.8;
// title_is_word reads the lengths of this many of the best candidates at most (a broad word's
// records are mostly titled with it on some sites; each read is a cache miss): a record titled by
// the word further down keeps its score.
inline constexpr std::size_t title_is_word_checked = 512;

}  // namespace siteseek::detail
