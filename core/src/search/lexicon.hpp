#pragma once
// The dictionary a plan expands words against: one index's, or the union of a segmented site's
// segments' (siteseek/segments.hpp). Over segments a term's id is its id in the segments' union
// dictionary when they have one, else the plan's own (the terms it looked at, numbered as met);
// its frequency is summed over the segments net of their deleted records, and ties are broken by
// the text, which is the order of one index's ids (and of the union's): a word gets the
// expansions and the idf one index of the live records would give it.
#include <cstdint>
#include <memory_resource>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "siteseek/index.hpp"

namespace siteseek::detail {

struct Deletions;
struct UnionDictionary;

/// A segment as a search reads it.
struct SegmentRef {
  const Index* index = nullptr;
  const Deletions* deleted = nullptr;  ///< null: none
};

class Lexicon {
 public:
  /// One index: ids are its own.
  explicit Lexicon(const Index& index);
  /// Several segments (or one with deletions); `joined`, when given, the union of their
  /// dictionaries (SegmentedIndex::build_dictionary): each word is then looked up, completed and
  /// walked for typos once, in it, instead of once per segment, with the same results. One
  /// segment's ids are its own, its frequencies net of its deletions.
  explicit Lexicon(std::span<const SegmentRef> segments, const UnionDictionary* joined = nullptr);

  /// Live records.
  double documents() const noexcept { return documents_; }
  /// The id of `term`, or -1 when no live record has it.
  std::int64_t find(std::string_view term);
  std::uint32_t df(std::uint32_t id) const noexcept;
  std::string_view term(std::uint32_t id) const noexcept;
  /// More frequent first, then in dictionary order.
  bool more_frequent(std::uint32_t a, std::uint32_t b) const noexcept;
  /// The `cap` most frequent terms starting with `prefix` (more_frequent order), but `except`.
  std::vector<std::uint32_t> top_completions(std::string_view prefix, std::int64_t except, std::size_t cap);
  /// Terms starting with `prefix`, counted up to `limit`.
  std::size_t completions(std::string_view prefix, std::size_t limit);
  /// Index::typo_lookup over the whole lexicon.
  std::vector<TypoMatch> typo_lookup(std::string_view word, unsigned max_edits, std::size_t cap, bool names = false);
  /// The terms whose stem is `stem`, in dictionary order.
  std::vector<std::uint32_t> stem_variants(std::string_view stem);
  /// The stem of term `id`.
  std::string_view stem_of(std::uint32_t id) const noexcept;
  /// Over segments: term `id`'s id in segment `segment`, or -1 (one index: `id`).
  std::int64_t local(std::uint32_t id, std::size_t segment) const noexcept { return one_ ? std::int64_t{id} : local_of(id, segment); }

 private:
  struct Term {
    std::string_view text;  // in texts_
    std::uint32_t df = 0;
  };
  // Intern a term (looked up in every segment); -1 when no live record has it.
  std::int64_t intern(std::string_view text);
  // The same for a term whose (segment, id) in every segment holding it is known.
  std::int64_t intern_known(std::string_view text, std::span<const std::pair<std::uint32_t, std::uint32_t>> at);
  std::uint32_t live_df(std::size_t seg, std::uint32_t id) const noexcept;
  std::uint32_t joined_df(std::uint32_t u) const noexcept;
  std::uint32_t one_df(std::uint32_t id) const noexcept;
  /// The one dictionary ids are of: the segment's, or the union's (one_ or joined_ set).
  const Index& whole() const noexcept;
  std::size_t owner(std::uint32_t id) const noexcept;
  std::int32_t local_of(std::uint32_t id, std::size_t segment) const noexcept {
    return joined_local_ ? joined_local_[segment][id] : local_[std::size_t{id} * segs_.size() + segment];
  }
  std::string_view keep(std::string_view text);

  const Index* one_ = nullptr;
  const Deletions* one_deleted_ = nullptr;  // one_'s deleted records; null: none
  const UnionDictionary* joined_ = nullptr;
  const std::vector<std::int32_t>* joined_local_ = nullptr;  // joined_'s local tables, per segment
  std::vector<SegmentRef> segs_;
  std::vector<std::uint32_t> with_deletions_;  // the segments that have deleted records
  double documents_ = 0;
  // The terms looked at, without an allocation each (a search over segments interns hundreds):
  // their texts in an arena whose bytes never move, their ids per segment in one table
  // (terms x segments).
  std::vector<Term> terms_;
  std::vector<std::int32_t> local_;
  std::pmr::monotonic_buffer_resource texts_{4096};
  boost::unordered_flat_map<std::string_view, std::int64_t, std::hash<std::string_view>> ids_;  // text -> id, or -1 (dead)
};

}  // namespace siteseek::detail
