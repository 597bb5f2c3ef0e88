#pragma once
// Every cap on query expansion and query work, and every bound on what a request may ask or a
// record may carry, in one place. A search never does more than these allow, whatever the input;
// raising one trades latency for recall.
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace siteseek::limits {

/// Bytes of query text considered; the rest is ignored (transports reject longer input earlier).
inline constexpr std::size_t max_query_bytes = 1024;
/// Query clauses (words, phrases, alternatives) kept; later ones are dropped.
inline constexpr std::size_t max_query_terms = 16;
/// Words inside one "phrase".
inline constexpr std::size_t max_phrase_words = 8;
/// Dictionary terms a prefix (word* or the last typed word) expands to, most frequent first.
inline constexpr std::size_t max_prefix_terms = 64;
/// Dictionary terms one word expands to with one typo.
inline constexpr std::size_t max_one_typo_terms = 150;
/// Dictionary terms one word expands to with two typos.
inline constexpr std::size_t max_two_typo_terms = 50;
/// Typo corrections of a word (the most frequent) whose stem variants it also matches.
inline constexpr std::size_t typo_stem_corrections = 4;
/// Terms that share one stem considered as stem matches.
inline constexpr std::size_t max_stem_variants = 64;
/// Synonym alternatives added per word.
inline constexpr std::size_t max_synonym_expansions = 16;
/// Candidates re-ranked with positions (proximity, phrase, exact title) after the first pass.
inline constexpr std::size_t rerank_candidates = 50;
/// Positions per field and word read when re-ranking (the first ones; enough for proximity).
inline constexpr std::uint32_t rerank_positions = 256;
/// Typo corrections per word that highlighting also wraps (the most frequent).
inline constexpr std::size_t max_highlighted_typo_terms = 8;
/// Body positions per query word considered when choosing a snippet's window.
inline constexpr std::uint32_t snippet_positions = 32;
/// Shortest snippet, in bytes of body text: a smaller snippet_length is raised to it.
inline constexpr std::size_t min_snippet_length = 20;
/// Sub-results listed under one result at most (SearchRequest::sub_results; more is this many).
inline constexpr std::uint32_t max_sub_results = 10;
/// A sub-result's snippet, in bytes of body text (snippet_length when that is shorter).
inline constexpr std::size_t sub_result_snippet_length = 100;
/// Largest page of results a single request may ask for (start + num).
inline constexpr std::size_t max_results_window = 10'000;
/// Word completions returned by suggest at most.
inline constexpr std::size_t max_suggestions = 50;
/// A filter expression (SearchRequest::filters): at most this many characters,
inline constexpr std::size_t max_filter_length = 2048;
/// parentheses and NOTs nested at most this deep,
inline constexpr std::uint32_t max_filter_depth = 16;
/// and at most this many attribute tests.
inline constexpr std::uint32_t max_filter_tests = 64;
/// Sites one search may name together (SearchRequest::site = "a,b").
inline constexpr std::size_t max_sites_per_search = 8;
/// Attributes one request may ask facet counts of (SearchRequest::facets),
inline constexpr std::size_t max_facets = 16;
/// and values listed per facet, most frequent first (Facet::more counts the rest).
inline constexpr std::size_t max_facet_values = 100;
/// Bytes of an attribute's name (docs/filters.md).
inline constexpr std::size_t max_attribute_name_bytes = 64;
/// Bytes of an attribute's value: ingestion leaves longer ones out, the API refuses them.
inline constexpr std::size_t max_attribute_value_bytes = 128;
/// Attribute values (name/value pairs) one record carries at most.
inline constexpr std::size_t max_record_attributes = 32;

/// Curation rules one site holds at most (siteseek/curation.hpp),
inline constexpr std::size_t max_rules_per_site = 10'000;
/// URLs one pin rule leads with at most,
inline constexpr std::size_t max_urls_per_pin = 20;
/// members of a synonym rule (a group, or one_way's `to`) at most,
inline constexpr std::size_t max_rule_synonyms = 32;
/// and bytes of a rule's query, word or phrase, URL or note.
inline constexpr std::size_t max_rule_text_bytes = 512;

/// A snapshot whose index takes at most this many bytes is checked whole when a node starts,
/// before it is served; a larger one is served at once and checked in the background.
inline constexpr std::uint64_t verify_before_serving_bytes = 64ull << 20;

}  // namespace siteseek::limits
