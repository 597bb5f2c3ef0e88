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
#include <vector>

#include "siteseek/document.hpp"
#include "siteseek/redis.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

class Index;

namespace redisearch {

/// Which command set a server speaks.
enum class Dialect { v1, v2 };

/// The module's version from a MODULE LIST reply (10202 for 1.2.2), 0 when RediSearch is absent.
int module_version(const RedisReply& module_list);
/// v1 below 2.0, v2 from 2.0 on. Throws RedisError when RediSearch is not loaded (version 0).
Dialect dialect_for(int version);

/// Names of one generation of a site's index.
struct IndexNames {
  std::string index;    ///< the FT index (prefix "rs:<site>:<generation>")
  std::string docs;     ///< key prefix of its documents
  std::string current;  ///< v1: the pointer key naming the current index; v2: the alias
};
IndexNames names(const std::string& prefix, const std::string& site, std::uint64_t generation);

/// FT.CREATE (and synonym groups) for a site's settings: field weights, stop words.
std::vector<RedisCommand> create_commands(Dialect dialect, const IndexNames& names, const SiteSettings& site);
/// One document: FT.ADD (v1) or HSET (v2); `score` in 0..1 (the document's boost, normalised).
RedisCommand add_command(Dialect dialect, const IndexNames& names, const Document& doc, double score);
/// Make `names` the current index: SET pointer (v1) or FT.ALIASUPDATE (v2).
RedisCommand swap_command(Dialect dialect, const IndexNames& names);
/// Drop an index and its documents.
RedisCommand drop_command(Dialect dialect, const std::string& index);

/// The query text in RediSearch syntax (words, phrases, -exclusions, a|b, @field:, prefix*,
/// fuzzy %word% for typo tolerance (%%word%% from 2.0), section boost from from_url). Empty:
/// nothing to search. `vocabulary`, the site's embedded index when there is one, decides typo
/// tolerance as the embedded engine does: a word it holds in 3 documents or more gets no fuzzy variant.
std::string translate_query(const SearchRequest& request, const SiteSettings& site, Dialect dialect = Dialect::v1,
                            const Index* vocabulary = nullptr);
/// The FT.SEARCH arguments for a translated query: highlight and summarise with markers, fetch
/// enough records to return start+num distinct pages. v1 runs it through a script that reads the
/// pointer key in the same step.
RedisCommand search_command(Dialect dialect, const IndexNames& current, const std::string& query,
                            const SearchRequest& request, const SiteSettings& site);
/// The landing page whose query this request is (its URL), or "".
std::string landing_url(const SearchRequest& request, const SiteSettings& site);
/// FT.SEARCH for the one record with this URL, through the same pointer or alias.
RedisCommand landing_command(Dialect dialect, const IndexNames& current, const std::string& url);
/// The response from an FT.SEARCH reply: one result per page (unless distinct is off), landing
/// page pinned when `landing` holds its record (a landing_command reply), the asked page of results,
/// fields HTML-escaped with the request's highlight tags. Throws RedisError on an error reply.
SearchResponse parse_search_reply(const RedisReply& reply, const SearchRequest& request, const SiteSettings& site,
                                  const RedisReply* landing = nullptr);

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
  /// Whether RediSearch holds a current index for the site (a Redis that lost its data has none).
  bool has_index(const std::string& site);
  /// Search the site's current index (empty response when it has none); `vocabulary` as for
  /// redisearch::translate_query. SearchRequest::sub_results, filters and facets are refused:
  /// RequestError "unsupported_parameter" (search_async gives it to `done`).
  SearchResponse search(const SiteSettings& site, const SearchRequest& request, const Index* vocabulary = nullptr);

  /// Use an async client on `io` for search_async.
  void attach(boost::asio::io_context& io);
  using SearchCallback = std::function<void(std::exception_ptr error, SearchResponse response)>;
  /// Search without blocking: `done` runs on the Redis client's strand.
  void search_async(const SiteSettings& site, const SearchRequest& request, SearchCallback done,
                    const Index* vocabulary = nullptr);
  /// Whether the async client is connected, and the last error (for /health).
  bool connected() const noexcept;
  std::string last_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
