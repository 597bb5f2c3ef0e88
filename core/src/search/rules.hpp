#pragma once
// The ranking rules: one list, `ranking_rules`, names them, says what each does, and is what the
// search runs, in its order. docs/query-language.md lists the same names in the same order
// (tests/unit/search/rules_test.cpp fails when they differ); the rules' constants are in
// search/ranking.hpp.
//
// A rule acts at one stage of the search, each stage running its rules in the list's order:
//   weight      once per expanded word, before its postings are read (the Scorer multiplies each
//               posting's precomputed term-frequency part by the product): nothing per posting;
//   candidates  over every candidate once matching has scored it, in a loop the rule owns;
//   rerank      per candidate among the best limits::rerank_candidates, with its words' positions.
// All but `words` multiply one score; `words` is compared before that score (Better).
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "index/index_data.hpp"
#include "search/plan.hpp"
#include "search/score.hpp"
#include "search/scratch.hpp"
#include "siteseek/index.hpp"
#include "siteseek/search.hpp"

namespace siteseek::detail {

enum class RuleStage : std::uint8_t { weight, candidates, rerank };

/// What the candidates and rerank rules read: the search so far.
struct RankingInput {
  const Index& index;
  const SearchRequest& request;
  const Plan& plan;
  const Matches& matches;
  Scorer& scorer;
  Scratch& s;
};

/// A candidate being re-ranked: per word of plan.sequence, its best hit in the record (null when
/// absent) and that hit's positions in title, section title and (for several words) body.
struct Reranked {
  std::uint32_t doc;
  const DocRecord& record;
  std::span<const Hit* const> hits;
  const std::vector<std::array<std::vector<std::uint32_t>, field_count>>& positions;
  const std::vector<bool>& present;             ///< hits[i] != nullptr
  const std::vector<std::uint32_t>& offsets;    ///< each word's query position from Plan::sequence_origin
};

/// One ranking rule: its stable name (docs, score details), what it does, and the function that
/// applies it at its stage (exactly that stage's one is set).
struct RankingRule {
  std::string_view name;
  std::string_view description;
  RuleStage stage;
  /// weight: an expansion's factor so far -> with this rule's part multiplied in.
  double (*weigh)(const TermClause& word, const Expansion& expansion, double factor) = nullptr;
  /// candidates: changes every candidate's score (or words).
  void (*apply)(const RankingInput& in, std::span<Candidate> candidates) = nullptr;
  /// rerank: multiplies the candidate's re-rank factor.
  void (*rerank)(const RankingInput& in, const Reranked& candidate, double& factor) = nullptr;
};

/// The rules' functions (rules.cpp), each the whole of its rule.
namespace rule {
void words(const RankingInput& in, std::span<Candidate> candidates);
double match_kind(const TermClause& word, const Expansion& expansion, double factor);
double bm25f(const TermClause& word, const Expansion& expansion, double factor);
void document_boost(const RankingInput& in, std::span<Candidate> candidates);
void current_section(const RankingInput& in, std::span<Candidate> candidates);
void scattered(const RankingInput& in, std::span<Candidate> candidates);
void title_is_word(const RankingInput& in, std::span<Candidate> candidates);
void proximity(const RankingInput& in, const Reranked& candidate, double& factor);
void exact_title(const RankingInput& in, const Reranked& candidate, double& factor);
void typed_case(const RankingInput& in, const Reranked& candidate, double& factor);
}  // namespace rule

/// The rules, in the order they run (and of precedence).
inline constexpr std::array<RankingRule, 10> ranking_rules{{
    {"words", "relaxed: records matching more required query words rank first; partial (few records match every "
              "word): x partial_match_factor per word a record misses",
     RuleStage::candidates, nullptr, rule::words},
    {"match_kind", "per word: exact 1.0 > stem > synonym > prefix > one typo > two typos (multipliers in ranking.hpp)",
     RuleStage::weight, rule::match_kind},
    {"bm25f", "BM25F over title, section title, body and URL with the site's field weights: the word's idf here, "
              "its saturated term frequency per posting (precomputed impacts, or the @field's)",
     RuleStage::weight, rule::bm25f},
    {"document_boost", "x the record's boost x page/section boost x (1 + boosts.inbound_links x ln(1 + pages linking to"
                       " its page)) x boosts.urls factor x boosts.release_notes for release notes x 1/(1 + depth_decay"
                       " x URL depth)",
     RuleStage::candidates, nullptr, rule::document_boost},
    {"current_section", "x boosts.current_section when the record is in the caller's section (from_url)",
     RuleStage::candidates, nullptr, rule::current_section},
    {"scattered", "x scattered_page_factor for a page record holding every word when none of its sections does",
     RuleStage::candidates, nullptr, rule::scattered},
    {"title_is_word", "one-word query (not a title suggestion): x title_equals_bonus for a page titled by the word "
                      "(after its numbering), x section_title_equals_bonus for a section headed by it; before the "
                      "re-ranking chooses its candidates",
     RuleStage::candidates, nullptr, rule::title_is_word},
    {"proximity", "x (1 + proximity_weight x closeness of consecutive query words, 1 = adjacent)",
     RuleStage::rerank, nullptr, nullptr, rule::proximity},
    {"exact_title", "x bonus for the share of the title made of query words, and when the title or section title "
                    "equals (but a record's own heading equal to a one-word query: title_is_word), or starts with, "
                    "the query",
     RuleStage::rerank, nullptr, nullptr, rule::exact_title},
    {"typed_case", "x typed_case_factor when the title or section title holds a query word typed with a capital "
                   "inside it only in another case (at a word's start)",
     RuleStage::rerank, nullptr, nullptr, rule::typed_case},
}};

/// The weight stage: an expansion's factor (its postings' scores are their term-frequency part
/// times this). Called by the Scorer once per expansion.
double expansion_weight(const TermClause& word, const Expansion& expansion);

/// The candidates stage, over `candidates` (all of them).
void rank_candidates(const RankingInput& in, std::vector<Candidate>& candidates);

/// The rerank stage: the best limits::rerank_candidates of `candidates` (moved to the front) get
/// their words' positions and the rerank rules' factors.
void rerank_best(const RankingInput& in, std::vector<Candidate>& candidates);
/// The same for the best `count` only (a segment's share of its site's best, from its own best
/// already moved to the front).
void rerank_best(const RankingInput& in, std::span<Candidate> candidates, std::size_t count);

}  // namespace siteseek::detail
