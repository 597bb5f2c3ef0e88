#pragma once
// backend = "redisearch": a site's documents indexed into RediSearch and searches answered by
// FT.SEARCH, with the same SearchRequest -> SearchResponse contract as the embedded engine.
// RediSearch 1.2 (Debian's redis-redisearch): FT.CREATE + FT.ADD, a new index per reindex swapped
// in by a pointer key. RediSearch 2.x: documents as hashes under a per-generation prefix
// (FT.CREATE ... ON HASH PREFIX), swapped in with FT.ALIASUPDATE. The commands are built by
// pure functions (redisearch::) so both dialects are unit-tested without a server.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "siteseek/document.hpp"
#include "siteseek/redis.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

class Index;
namespace detail {
struct CompiledRules;  ///< a site's curation rules compiled for its embedded index (Engine::compiled_rules)
}

namespace redisearch {

/// Which command set a server speaks.
enum class Dialect { v1, v2 };

/// The module's version from a MODULE LIST reply (10202 for 1.2.2), 0 when RediSearch is absent.
int module_version(const RedisReply& module_list);
/// v1 below 2.0, v2 from 2.0 on. Throws RedisError when RediSearch is not loaded (version 0).
Dialect dialect_for(int version);

/// What the documents of an index hold, stored with the current index (IndexNames::schema) when
/// it is swapped in. 1 (no key): before record attributes; 2: the `attrs` TAG field and `page`.
/// An index of another version is rebuilt at start (has_index is false) and refuses filters and
/// facets until then (RequestError "no_index"), since its records have no attributes to test.
inline constexpr const char* schema_version = "2";

/// Names of one generation of a site's index.
struct IndexNames {
  std::string index;    ///< the FT index (prefix "rs:<site>:<generation>")
  std::string docs;     ///< key prefix of its documents
  std::string current;  ///< v1: the pointer key naming the current index; v2: the alias
  std::string schema;   ///< the key holding the schema_version of the current index
};
IndexNames names(const std::string& prefix, const std::string& site, std::uint64_t generation);

/// A record attribute as one value of the `attrs` TAG field: `name__value`, each part with every
/// byte but a-z and 0-9 written as '_' and two hex digits (so "__" only ever joins the two). Without
/// a value, `name__`: the record has the attribute (`name:*`). RediSearch 1.2 lowercases tags,
/// trims and drops characters, and refuses a tag query that is a stop word or holds unescaped
/// punctuation; these tags pass all of that unchanged and need no escaping.
std::string attribute_tag(std::string_view name);
std::string attribute_tag(std::string_view name, std::string_view value);

/// FT.CREATE (and synonym groups) for a site's settings: field weights, stop words.
std::vector<RedisCommand> create_commands(Dialect dialect, const IndexNames& names, const SiteSettings& site);
/// One document: FT.ADD (v1) or HSET (v2); `score` in 0..1 (the document's boost, normalised).
RedisCommand add_command(Dialect dialect, const IndexNames& names, const Document& doc, double score);
/// Make `names` the current index: SET pointer (v1) or FT.ALIASUPDATE (v2).
RedisCommand swap_command(Dialect dialect, const IndexNames& names);
/// Drop an index and its documents.
RedisCommand drop_command(Dialect dialect, const std::string& index);

/// A request in RediSearch syntax.
struct Translated {
  /// Words, phrases, -exclusions, a|b, @field:, prefix*, fuzzy %word% for typo tolerance
  /// (%%word%% from 2.0), curation synonyms as a lower-weighted union, the section boost from
  /// from_url. Empty: nothing to search.
  std::string text;
  /// Everything the request filters by (detail::request_filter: `filters`, the query's
  /// @name:value tests, the reader's context) as tests of the `attrs` tag: AND as juxtaposition,
  /// OR as `|`, NOT as `-`. Empty: no filter.
  std::string filter;
  std::vector<Attribute> context;  ///< the reader's context values the filter holds
  /// The records the query's hide rules remove, as a tag union of their URLs
  /// (`@id:{url1|url2}`), negated in query(); empty: none.
  std::string hidden;
  /// The URLs to lead the results with, in order, each once: the query's pin rules' records,
  /// then the landing page; and, for each, its rule (index in the rules' source) or, for the
  /// landing page, -1 - its index in landing_pages.
  std::vector<std::string> pins;
  std::vector<std::int64_t> pinned_by;
  /// The query's boosts: a record's score is multiplied by `factor` when its URL is `url` (or,
  /// `page`, when its page is).
  struct Boost {
    std::string url;
    bool page = false;
    double factor = 1;
    std::uint32_t rule = 0;  ///< index in the rules' source
  };
  std::vector<Boost> boosts;
  /// For explain: the query as rules compare it, the synonym rules that expanded it, the hide
  /// rules that fired (source index, and the tag union of each one's URLs; empty when none is
  /// indexed), the pin rules that fired.
  std::string normalized;
  /// The plain words left out or left to RediSearch to drop: the site's stop words and the words
  /// framing a question, as SearchExplain::optional_words.
  std::vector<std::string> optional_words;
  std::vector<std::uint32_t> expanded_by;
  std::vector<std::pair<std::uint32_t, std::string>> hides;
  std::vector<std::uint32_t> pin_rules;
  /// What FT.SEARCH gets: `(text) ((filter) => {$weight: 0})` (the filter restricts, it does
  /// not score), or the text alone, then `(-hidden)`; empty when the text is.
  std::string query() const;
  /// What finds the pins the filter and the hides keep: `@id:{pins} (filter) (-hidden)`.
  std::string pin_query() const;
  /// A response's explain before any rule: the normalized query and the optional words.
  SearchExplain explain() const { return {normalized, optional_words, {}}; }
};

/// The request translated. `vocabulary`, the site's embedded index when there is one (built from
/// the same documents at each publish), decides typo tolerance as the embedded engine does (a word
/// it holds in 3 documents or more gets no fuzzy variant), gives the reader's page for the site's
/// context_attributes and knows the attribute names: one no record has is RequestError
/// "invalid_filter" ("invalid_query" for `@name:`), as with the embedded engine. Without it, no
/// context applies and an unknown name matches nothing. `rules`, the site's curation rules
/// compiled for `vocabulary` (Engine::compiled_rules), add their synonyms to the text, their
/// hides to the query and their pins and boosts (docs/curation.md, docs/redisearch.md); pins,
/// hides and boosts need the vocabulary.
Translated translate(const SearchRequest& request, const SiteSettings& site, Dialect dialect = Dialect::v1,
                     const Index* vocabulary = nullptr, const detail::CompiledRules* rules = nullptr);
/// translate(...).query().
std::string translate_query(const SearchRequest& request, const SiteSettings& site, Dialect dialect = Dialect::v1,
                            const Index* vocabulary = nullptr);
/// The search script for a translated query: FT.SEARCH with highlights and summaries with
/// markers, fetching enough records to return start+num distinct pages; FT.AGGREGATE for the
/// request's facets; v1 reads the pointer key in the same step. A query using attributes
/// (`uses_attributes`: a filter or facets) is refused by the script when the current index is
/// of another schema_version (parse_search_reply throws).
RedisCommand search_command(Dialect dialect, const IndexNames& current, const std::string& query,
                            const SearchRequest& request, const SiteSettings& site, bool uses_attributes = false);
/// The same for a translated request with its curation: the pins lead (those the filter and the
/// hides keep, each once, one per page when distinct), the boosts multiply the scores of the
/// fetched records before they are grouped and paged, and, with explain, the records each hide
/// removed are counted.
RedisCommand search_command(Dialect dialect, const IndexNames& current, const Translated& translated,
                            const SearchRequest& request, const SiteSettings& site);
/// The response from a search_command reply: one result per page (unless distinct is off), the
/// asked page of results, fields HTML-escaped with the request's highlight tags, facet counts.
/// Throws RedisError on an error reply, RequestError "no_index" when the index is of another
/// schema_version.
SearchResponse parse_search_reply(const RedisReply& reply, const SearchRequest& request, const SiteSettings& site);
/// The response from a reply to search_command(..., translated, ...): the pins lead, and with
/// request.explain, SearchResponse::explain and each result's rules say which of `rules` fired.
SearchResponse parse_search_reply(const RedisReply& reply, const SearchRequest& request, const SiteSettings& site,
                                  const Translated& translated, const detail::CompiledRules* rules);

}  // namespace redisearch

/// A site searched through RediSearch. Blocking calls (index, search) use their own connection;
/// search_async needs attach() and never blocks.
class RediSearchBackend {
 public:
  explicit RediSearchBackend(RedisOptions redis, std::string prefix = "siteseek:");
  ~RediSearchBackend();
  RediSearchBackend(const RediSearchBackend&) = delete;
  RediSearchBackend& operator=(const RediSearchBackend&) = delete;

  /// The dialect of the server (MODULE LIST, asked once).
  redisearch::Dialect dialect();
  /// Index `documents` as the site's new generation, swap it in, drop the previous one.
  void index(const SiteSettings& site, const std::vector<Document>& documents);
  /// Whether RediSearch holds a current index for the site of this schema_version (a Redis that
  /// lost its data has none; one an older siteseek built is to be rebuilt).
  bool has_index(const std::string& site);
  /// Search the site's current index (empty response when it has none); `vocabulary` as for
  /// redisearch::translate. SearchRequest::sub_results and several sites are refused:
  /// RequestError "unsupported_parameter" (search_async gives it to `done`).
  /// `rules`: the site's curation rules compiled for `vocabulary` (Engine::compiled_rules), applied
  /// as docs/redisearch.md says.
  SearchResponse search(const SiteSettings& site, const SearchRequest& request, const Index* vocabulary = nullptr,
                        std::shared_ptr<const detail::CompiledRules> rules = nullptr);

  /// Use an async client on `io` for search_async.
  void attach(boost::asio::io_context& io);
  using SearchCallback = std::function<void(std::exception_ptr error, SearchResponse response)>;
  /// Search without blocking: `done` runs on the Redis client's strand.
  void search_async(const SiteSettings& site, const SearchRequest& request, SearchCallback done,
                    const Index* vocabulary = nullptr, std::shared_ptr<const detail::CompiledRules> rules = nullptr);
  /// Whether the async client is connected, and the last error (for /health).
  bool connected() const noexcept;
  std::string last_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
