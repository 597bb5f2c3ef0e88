#pragma once
// The Weight of a query: its syntax analysed with the index's analyzer and every word expanded
// against the index's dictionary (stems, prefixes, typos, synonyms) once per request.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "search/query_parser.hpp"
#include "siteseek/index.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

namespace siteseek::detail {

struct CompiledRules;
class Lexicon;

enum class MatchKind : std::uint8_t { exact, stem, synonym, prefix, one_typo, two_typos, related };

/// A dictionary term a query word matches, and what that match is worth.
struct Expansion {
  std::uint32_t term = 0;
  float weight = 1.0f;
  MatchKind kind = MatchKind::exact;
};

/// One analysed query word with its expansions; a document matches it when it has any of them.
struct TermClause {
  std::string text;  ///< folded form typed
  std::string stem;
  std::vector<Expansion> expansions;
  double idf = 0;
  std::optional<std::uint8_t> field;  ///< only this field counts
  /// Set (a bit per Field): only records having the word in one of these fields match it; they
  /// score as any record does (title suggestions: records whose titles hold the words typed).
  std::uint8_t fields = 0;
  bool prefix = false;
  bool stop = false;            ///< a stop word: left out of proximity, title rules and highlights
  std::uint32_t position = 0;   ///< position in the query, as the analyzer counts
};

/// Term clauses that must all match (and, for a phrase, at the given relative positions).
struct Alternative {
  std::vector<std::uint32_t> terms;      ///< indexes into Plan::terms
  std::vector<std::uint32_t> offsets;    ///< phrase only: expected position of each term from the first
  bool phrase = false;
  float weight = 1.0f;
};

/// A query clause: any alternative matches it.
struct PlanClause {
  std::vector<Alternative> alternatives;
  bool excluded = false;
  bool optional = false;  ///< stop words: scored when present, never required
};

/// What highlighting wraps: tokens whose term or stem is listed, or whose term starts with a prefix.
struct HighlightMatcher {
  std::vector<std::string> terms;
  std::vector<std::string> stems;
  std::vector<std::string> prefixes;
};

/// (A field added here is one for bind_plan to copy.)
struct Plan {
  std::vector<TermClause> terms;
  std::vector<PlanClause> clauses;
  std::vector<std::uint32_t> sequence;  ///< the words as typed, in order (proximity, exact title)
  /// Per word of `sequence`: when it and the next are parts of one identifier typed whole, that
  /// identifier's term (a record holding it has the parts together, in any field), else -1.
  std::vector<std::int32_t> joined;
  /// The query position the words of `sequence` count their offsets from (the title rules): the
  /// first word's, or, when it is a part of an identifier typed whole, the identifier's. Parts that
  /// are stop words are not in `sequence` ("to" of ToString), yet "str" is ToString's second word.
  std::uint32_t sequence_origin = 0;
  HighlightMatcher highlight;
  const Analyzer* analyzer = nullptr;  ///< what analysed the query (highlights analyse with it too)
  /// The curation synonym rules that expanded a word (indexes into CompiledRules::source), once each.
  std::vector<std::uint32_t> fired_rules;
  /// A word got no typo neighbours because PlanOptions::deadline had passed.
  bool out_of_time = false;
  /// The words of the optional clauses (stop words, question frames), folded: explain says them.
  std::vector<std::string> optional_words;
  /// The related words looked for (the thesaurus's), with the word typed: explain says them.
  std::vector<RelatedWord> related;
  /// The words typed with a capital after their first character and a small letter
  /// ("differenceInCal", "PathBuf"; not "Flask" nor "JSON"), as typed: typed_case compares them
  /// with titles.
  std::vector<std::string> cased;
};

struct PlanOptions {
  /// The query's analyzer: the index's own for its site language, or that of the one language
  /// the search keeps to (Index::Data::analyzer_for). Null: the index's.
  const Analyzer* analyzer = nullptr;
  /// The search keeps to no language: a word is also expanded by its stem in each language the
  /// site's records have (Index::Data::language_analyzers).
  bool all_languages = false;
  bool typo = true;
  std::uint32_t one_typo_min_length = 5;
  std::uint32_t two_typos_min_length = 9;
  /// Words reached after it get no typo neighbours (SearchOptions::time_budget_ms).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  /// The site's curation rules: their synonyms expand words next to the settings' synonyms.
  const CompiledRules* rules = nullptr;
  /// TermClause::fields of every word (0: any field).
  std::uint8_t fields = 0;
  /// SearchOptions::related_words.
  bool related = true;
  /// With all_languages: the records' other languages' analyzers (null: the index's own
  /// language_analyzers; a search over segments gives those of them all).
  const std::vector<const Analyzer*>* languages = nullptr;
};

/// The options a request and the site's search settings give (analyzer, rules and fields aside).
PlanOptions plan_options(const SearchRequest& request, const SearchOptions& so, std::chrono::steady_clock::time_point started);

/// Analyse and expand a parsed query against `index`.
Plan make_plan(const Index& index, const ParsedQuery& query, const PlanOptions& options);
/// The same against a lexicon (several segments: `index` is any of them, for the site's
/// settings as analysed). Its expansions are the lexicon's ids: bind_plan gives a segment's plan.
Plan make_plan(const Index& index, Lexicon& lexicon, const ParsedQuery& query, const PlanOptions& options);
/// A plan made against a lexicon of segments, with segment `segment`'s term ids (the terms it
/// lacks left out), for its Scorer: into `out`, whose buffers it reuses. What only the site's plan
/// is read for (explain's words and rules) is not copied, nor the highlight matcher unless
/// `highlight` (the segment's results are rendered).
void bind_plan(const Plan& plan, const Lexicon& lexicon, std::size_t segment, Plan& out, bool highlight);

}  // namespace siteseek::detail
