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
  std::string site;              ///< empty: the default site
  std::string from_url;          ///< the page the user searches from: its section is boosted
  std::uint32_t start = 0;       ///< results to skip
  std::uint32_t num = 10;        ///< results to return (transports clamp to AppSettings::max_num)
  std::optional<bool> prefix;    ///< last word as a prefix (search as you type)
  std::optional<bool> typo;      ///< typo tolerance
  std::optional<bool> distinct;  ///< one result per page
  std::optional<std::string> highlight_pre_tag;
  std::optional<std::string> highlight_post_tag;
  std::optional<std::uint32_t> snippet_length;
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
};

/// The page of results asked for, and how many matched in all.
struct SearchResponse {
  std::uint64_t total = 0;  ///< exact count of matching results (after distinct-by-page)
  std::vector<SearchResult> results;
  double took_ms = 0;       ///< engine time
  bool relaxed = false;     ///< no record matched every word; results match fewer words
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
/// titles of the best matching pages.
std::vector<Suggestion> suggest_index(const Index& index, const SuggestRequest& request);

}  // namespace siteseek

namespace siteseek {

/// Append `response` as one JSON object, the wire shape of HTTP /search and `siteseek query`:
/// {"total","results":[{"title","section_title","hierarchy","body","url"}],"took_ms"[,"relaxed"]}.
void append_json(std::string& out, const SearchResponse& response);
/// Append `s` as a JSON string literal, escaped.
void append_json_string(std::string& out, std::string_view s);

}  // namespace siteseek
