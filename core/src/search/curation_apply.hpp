#pragma once
// Curation rules as a search applies them: analysed and resolved against one index (its
// analyzer, its URLs) once, when the rule set or the index changes, then read by every search.
// The query phases read them: plan (synonyms), the hide/boost pass before the Collector, collect
// (pins), and explain.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "index/index_data.hpp"
#include "search/scratch.hpp"
#include "siteseek/analysis.hpp"
#include "siteseek/curation.hpp"
#include "siteseek/search.hpp"

namespace siteseek::detail {

/// A synonym rule's members as the site's analyzer gives them. Members [0, triggers) are what a
/// query may say to fire it (all of a multi-way group; one_way's `from`); every other member is
/// added to the query's alternatives.
struct SynonymRule {
  std::vector<std::vector<Token>> members;
  std::size_t triggers = 0;
  std::uint32_t rule = 0;  ///< index in CompiledRules::source
  /// The members as plain words (plain_words), for a backend that analyses text itself
  /// (RediSearch): what a query's words are compared with, and what is added.
  std::vector<std::vector<std::string>> words;
};

/// Text as lowercase words split at every byte that is not a letter, a digit, '_' or UTF-8:
/// how RediSearch tokenizes, and how the RediSearch backend writes a query's words.
std::vector<std::string> plain_words(std::string_view text);

/// A pin, hide or boost, its URLs resolved to records of the index.
struct TargetRule {
  std::string query;  ///< normalize_query of the rule's query
  bool prefix = false;
  std::uint32_t rule = 0;
  /// pin: the records to lead with, in order (URLs not indexed left out).
  std::vector<std::uint32_t> docs;
  /// hide, boost: a page URL covers its page group (the page and its sections), an anchored URL
  /// one record; none when the URL is not indexed.
  std::uint32_t group = none;
  std::uint32_t doc = none;
  float factor = 1.0f;
  /// The URLs of the records above, for a backend that finds records by URL (RediSearch): a
  /// pin's in order; a hide's every record it covers (a page: the page and its sections); a
  /// boost's one record (of a page: a record of it, whose page URL covers its sections).
  std::vector<std::string> urls;
  static constexpr std::uint32_t none = ~0u;
  bool covers(const Index::Data& d, std::uint32_t record) const {
    return record == doc || (group != none && d.doc_group[record] == group);
  }
};

/// A site's rule set compiled for one index.
struct CompiledRules {
  std::shared_ptr<const std::vector<Rule>> source;
  std::weak_ptr<const Index> index;  ///< what it was compiled for (compared, never locked)
  std::vector<SynonymRule> synonyms;
  std::vector<TargetRule> pins, hides, boosts;
  bool compiled_for(const std::shared_ptr<const std::vector<Rule>>& rules, const std::shared_ptr<const Index>& idx) const {
    return source == rules && !index.owner_before(idx) && !idx.owner_before(index);
  }
};

/// Analyse and resolve `rules` against `index` (null rules or none: null).
std::shared_ptr<const CompiledRules> compile_rules(std::shared_ptr<const std::vector<Rule>> rules,
                                                   const std::shared_ptr<const Index>& index);

/// The pins, hides and boosts whose query matches one search's (normalised) query.
struct ActiveRules {
  const CompiledRules* rules = nullptr;
  std::string query;  ///< normalize_query of the request's q
  std::vector<const TargetRule*> pins, hides, boosts;
  bool any() const { return !pins.empty() || !hides.empty() || !boosts.empty(); }
};
ActiveRules active_rules(const CompiledRules* rules, const Index::Data& d, std::string_view q);

/// Remove the hidden records from `cands` and multiply the boosted ones' scores. Returns, per
/// active hide and boost (in that order), how many records it touched, for explain.
std::vector<std::size_t> apply_hides_and_boosts(const Index::Data& d, const ActiveRules& active, std::vector<Candidate>& cands);

/// A search with a site's compiled rules (null: none), as Engine::search runs it. `pinned`, when
/// given, is set to how many of the returned results lead because a pin or landing page placed
/// them (a search of several sites puts them first: merge_responses).
SearchResponse search_index_with_rules(const Index& index, const SearchRequest& request, const CompiledRules* rules,
                                       std::size_t* pinned = nullptr);

}  // namespace siteseek::detail
