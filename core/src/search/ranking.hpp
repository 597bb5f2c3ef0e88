#pragma once
// The ranking rules, named and ordered in one place. A result's rank is decided by these rules
// in this order: `words` (records matching more of the query's words come first when the query
// had to be relaxed), then one score built from the other rules.
#include <array>
#include <cstddef>
#include <string_view>

#include "siteseek/index.hpp"

namespace siteseek::detail {

/// One ranking rule: its name (stable, for docs and score details) and what it does.
struct RankingRule {
  std::string_view name;
  std::string_view description;
};

/// The rules, in order of precedence.
inline constexpr std::array<RankingRule, 8> ranking_rules{{
    {"words", "records matching more required query words rank first (only differs when relaxed)"},
    {"match_kind", "per word: exact 1.0 > stem > synonym > prefix > one typo > two typos (multipliers below)"},
    {"bm25f", "BM25F over title, section title, body and URL with the site's field weights"},
    {"document_boost", "x the record's boost x page/section boost x (1 + boosts.inbound_links x ln(1 + pages linking to"
                       " its page)) x boosts.urls factor x 1/(1 + depth_decay x URL depth)"},
    {"current_section", "x boosts.current_section when the record is in the caller's section (from_url)"},
    {"scattered", "x scattered_page_factor for a page record holding every word when none of its sections does"},
    {"proximity", "x (1 + proximity_weight x closeness of consecutive query words, 1 = adjacent)"},
    {"exact_title", "x bonus for the share of the title made of query words, and when the title or section title equals, or starts with, the query"},
}};

// match_kind: how much an expanded term is worth relative to the word typed.
inline constexpr float weight_exact = 1.0f;
inline constexpr float weight_stem = 0.85f;
inline constexpr float weight_synonym = 0.8f;
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

}  // namespace siteseek::detail
