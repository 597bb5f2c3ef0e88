#pragma once
// Curation rules (docs/curation.md) written into what RediSearch runs (docs/redisearch.md#curation-rules):
// synonyms into the query text, hides into the query, pins and boosts into the search script's
// arguments, and explain from the script's reply. Internal to the redisearch module.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "index/index_data.hpp"
#include "siteseek/redis.hpp"
#include "siteseek/redisearch.hpp"

namespace siteseek::redisearch {

/// The curation synonyms of `words` (RediSearch tokens): every member other than `words` of each
/// rule that `words` fire (any member of a multi-way group, a one-way rule's `from`), a member of
/// several words as a phrase without its stop words (RediSearch indexed none; 1.2 refuses them in
/// a phrase). The rules that added one go to `fired`.
std::vector<std::string> rule_synonyms(const std::vector<std::string>& words, const detail::CompiledRules* rules,
                                       const std::set<std::string>& stop_words, std::vector<std::uint32_t>* fired);
/// `original` OR the synonyms: at the embedded engine's synonym weight, or, inside an exclusion
/// (`weighted` false), plainly. `original` alone when there are none.
std::string with_synonyms(const std::string& original, const std::vector<std::string>& alternatives, bool weighted);

/// What curation synonyms an operand gets: the rules, and where the ones that fired are noted.
struct RuleSynonyms {
  const detail::CompiledRules* rules = nullptr;
  std::vector<std::uint32_t>* fired = nullptr;
  bool weighted = true;
};

/// The pins, hides and boosts whose query is the request's (compared as the embedded engine
/// does, with the analyzer of `d`, the index the rules were compiled for), then the landing page,
/// into `out` (Translated::hidden, pins, boosts, hides, pin_rules, normalized).
void add_targets(Translated& out, const SearchRequest& request, const SiteSettings& site, const Index::Data* d,
                 const detail::CompiledRules* rules);

/// SearchResponse::explain and each returned result's rules, as the embedded engine gives them,
/// from the search script's reply: `pins` ({key, matched, attrs} each), `touched` (per boost
/// sent), `counts` (per hide counted), `ids` (the returned records' keys, in order).
void explain_rules(SearchResponse& out, const RedisReply& pins, const RedisReply& touched, const RedisReply& counts,
                   const std::vector<std::string>& ids, const SearchRequest& request, const Translated& t,
                   const detail::CompiledRules* rules);

}  // namespace siteseek::redisearch
