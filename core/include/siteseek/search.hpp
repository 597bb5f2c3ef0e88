#pragma once
// A search request and its response: what every transport passes to Engine::search and writes out.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "siteseek/document.hpp"

namespace siteseek {

/// One search. Optional fields override the site's SearchOptions for this request only.
struct SearchRequest {
  std::string q;                 ///< the query text (see docs/query-language.md)
  /// Empty: the default site. Several names, comma-separated ("a,b"; at most
  /// limits::max_sites_per_search), search those sites together: each site's pinned results
  /// first (site by site, in this order), the rest merged by score, each result naming its site,
  /// totals and facet counts summed.
  std::string site;
  std::string from_url;          ///< the page the user searches from: its section is boosted
  std::uint32_t start = 0;       ///< results to skip
  std::uint32_t num = 10;        ///< results to return (transports clamp to AppSettings::max_num)
  std::optional<bool> prefix;    ///< last word as a prefix (search as you type)
  std::optional<bool> typo;      ///< typo tolerance
  std::optional<bool> distinct;  ///< one result per page
  std::optional<std::string> highlight_pre_tag;
  std::optional<std::string> highlight_post_tag;
  std::optional<std::uint32_t> snippet_length;
  /// Sub-results: at most this many of each returned page's other matching sections, listed
  /// under its result (SearchResult::sub_results), at most limits::max_sub_results. 0: none, and
  /// results carry no sub_results (the flat shape). Not 0 groups results by page, as distinct
  /// does (distinct = false with it is RequestError "invalid_parameter"); the RediSearch backend
  /// refuses it (RequestError "unsupported_parameter").
  std::uint32_t sub_results = 0;
  /// Only records this filter expression keeps are ranked, counted and faceted
  /// (`version:3.12 AND NOT type:section`; docs/filters.md). Empty: all. RequestError
  /// "invalid_filter" names the position of a syntax error or an attribute no record has. An
  /// attribute it names is left out of the site's context (from_url) filters.
  std::string filters;
  /// Attributes whose values to count over the results (SearchResponse::facets), at most
  /// limits::max_facets.
  std::vector<std::string> facets;
  /// Say which curation rules fired (docs/curation.md): SearchResponse::explain and each
  /// result's SearchResult::rules are set.
  bool explain = false;
};

/// A curation rule (siteseek/curation.hpp) or landing page that changed a search, and how.
struct RuleEffect {
  std::string id;      ///< the rule's id; "landing_pages[i]" for a landing page of the settings
  std::string kind;    ///< synonyms, one_way, pin, hide, boost; "landing_page"
  std::string effect;  ///< for people: "expanded \"k8s\" with \"kubernetes\"", "removed 3 records", ...
};

/// A word a search also looked for, at a lower weight, in place of a word typed that the site
/// rarely uses (docs/query-language.md#related-words).
struct RelatedWord {
  std::string word;     ///< as typed, folded
  std::string related;  ///< the word the site uses instead
  bool operator==(const RelatedWord&) const = default;
};

/// What SearchRequest::explain adds to a response.
struct SearchExplain {
  std::string query;             ///< the query as rules compare it (folded words, one space apart)
  /// The query's words that decided nothing: stop words next to other words, and the words
  /// framing a question ("difference between", "vs": docs/query-language.md#questions), folded.
  std::vector<std::string> optional_words;
  std::vector<RuleEffect> rules;  ///< every rule that fired for the query, in rule order
  std::vector<RelatedWord> related;  ///< the related words looked for, in the query's order
};

/// One value of a facet and how many results have it.
struct FacetValue {
  std::string value;
  std::uint64_t count = 0;
};

/// The values of one attribute over a search's results: every matching result counts (one
/// per page when results are distinct by page), not only the returned page.
struct Facet {
  std::string name;
  std::vector<FacetValue> values;  ///< most frequent first, then by value; at most limits::max_facet_values
  std::uint64_t more = 0;          ///< values left out by that cap
};

/// One of a page's other matching sections, under the page's result (SearchRequest::sub_results).
/// title and body are HTML-escaped with matches wrapped in highlight tags.
struct SubResult {
  std::string title;  ///< the section's heading
  std::string url;    ///< the section's URL, with its #anchor
  std::string body;   ///< a short snippet (limits::sub_result_snippet_length, or snippet_length when shorter)
};

/// One result. title/section_title/body are HTML-escaped with matches wrapped in highlight tags.
struct SearchResult {
  std::string title;
  std::string section_title;
  std::vector<std::string> hierarchy;
  std::string body;  ///< snippet: the best window of matches, with ellipses where cut
  std::string url;
  DocumentType type = DocumentType::page;
  double score = 0;
  std::string site;  ///< the result's site, set when the request searched several (site = "a,b")
  /// Set when the request asked for sub-results: the page's other matching sections, best
  /// first (empty when none matched); unset otherwise.
  std::optional<std::vector<SubResult>> sub_results;
  /// With SearchRequest::explain: the rules that placed or scored this result (pin, boost).
  std::vector<RuleEffect> rules;
};

/// The page of results asked for, and how many matched in all.
struct SearchResponse {
  std::uint64_t total = 0;  ///< exact count of matching results (after distinct-by-page)
  std::vector<SearchResult> results;
  double took_ms = 0;       ///< engine time
  bool relaxed = false;     ///< no record matched every word; results match fewer words
  /// The search ran past SearchOptions::time_budget_ms: some words got no typo neighbours. Such
  /// an answer is not cached (the next search may have the time).
  bool out_of_time = false;
  std::vector<Facet> facets;  ///< one per SearchRequest::facets name, in its order
  /// The values of the site's context_attributes on the reader's page (from_url) that the search
  /// kept to, besides SearchRequest::filters ("version" = "3.12"); empty when none applied.
  std::vector<Attribute> context;
  /// Set when SearchRequest::explain: which curation rules fired.
  std::optional<SearchExplain> explain;
};

/// A completion for a search box: a word or title that starts with the typed prefix.
struct Suggestion {
  std::string text;
  std::string url;  ///< set for title suggestions, empty for word completions
};

/// What to complete.
struct SuggestRequest {
  std::string q;
  std::string site;
  std::uint32_t num = 8;
};

class Index;

/// Run one request against one index (Engine::search does this on the site's current index).
/// Options not set in the request come from the index's SiteSettings::search. Throws
/// RequestError("invalid_query") for an unknown @field; other malformed syntax is read as text.
SearchResponse search_index(const Index& index, const SearchRequest& request);

/// Completions for a search box: frequent words starting with the last typed word, then the
/// titles of the best matching pages among those whose title or section title holds the words
/// typed, each title once.
std::vector<Suggestion> suggest_index(const Index& index, const SuggestRequest& request);

}  // namespace siteseek

namespace siteseek {

/// Append `response` as one JSON object, the wire shape of HTTP /search and `siteseek query`:
/// {"total","results":[{"title","section_title","hierarchy","body","url"[,"site"][,"sub_results":[{"title",
/// "url","body"}]]}][,"facets":{NAME:{"values":[{"value","count"}][,"more"]}}][,"context":[{"name","value"}]],
/// "took_ms"[,"relaxed"]}; optional keys only when set (site: several sites were searched).
/// With explain: "explain":{"query","rules":[{"id","kind","effect"}]} after "context", and
/// "rules":[...] in each result.
void append_json(std::string& out, const SearchResponse& response);
/// Append `s` as a JSON string literal, escaped.
void append_json_string(std::string& out, std::string_view s);

}  // namespace siteseek
