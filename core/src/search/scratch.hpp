#pragma once
// What the phases of a search hand each other (term hits, candidates) and the per-thread arrays
// they live in: kept between searches, so a search allocates next to nothing once warm.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace siteseek::detail {

/// A term clause's best expansion in one document. Only where its postings entries are is kept
/// (entry_at decodes them again for the few documents that need positions), as offsets into that
/// expansion's own postings and positions (Scorer::at resolves them): 32 bytes, not 48, for
/// lists that hold every record of a common word.
struct Hit {
  static constexpr std::uint16_t no_body = 0xffff;
  std::uint32_t doc;
  float score;
  std::uint8_t fields;  ///< fields any expansion is in (bit per Field)
  std::uint16_t best;   ///< the best-scoring expansion (its place in the term clause's expansions)
  std::uint16_t body;   ///< the heaviest expansion found in the body (snippets), or no_body
  std::uint32_t entry, positions;            ///< the best expansion's entry
  std::uint32_t body_entry, body_positions;  ///< the body expansion's entry
};

struct DocScore {
  std::uint32_t doc;
  float score;
};

/// A record that matched, as the ranking rules see it.
struct Candidate {
  std::uint32_t doc;
  std::uint16_t words;  ///< query words matched, set by the `words` rule when the query was relaxed (else 0)
  float score;
};

// A function object, not a function: the sorts taking it inline the comparison instead of
// calling through a pointer. `words` before the score: that is the `words` rule's precedence.
constexpr struct Better {
  bool operator()(const Candidate& a, const Candidate& b) const {
    if (a.words != b.words) return a.words > b.words;
    if (a.score != b.score) return a.score > b.score;
    return a.doc < b.doc;
  }
} better;

/// Moves the `k` best candidates (Better) to the front of `c`, in no order; the others follow.
/// A broad query has a candidate for most records and wants the best few dozen: one pass keeps
/// the k best in a heap whose top is the worst of them, which nearly every candidate fails to
/// beat at a glance, then a partition by it. std::nth_element moves candidates about on every
/// round and costs several times more from some thousands of candidates; below that it is faster.
inline void select_best(std::span<Candidate> c, std::size_t k) {
  constexpr std::size_t by_heap_from = 4096;
  if (k == 0 || k >= c.size()) return;
  if (c.size() < by_heap_from) {
    std::nth_element(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(k - 1), c.end(), better);
    return;
  }
  std::vector<Candidate> kept(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(k));
  std::make_heap(kept.begin(), kept.end(), better);  // "less" is better: the top is the worst kept
  for (auto it = c.begin() + static_cast<std::ptrdiff_t>(k); it != c.end(); ++it)
    if (better(*it, kept.front())) {
      std::pop_heap(kept.begin(), kept.end(), better);
      kept.back() = *it;
      std::push_heap(kept.begin(), kept.end(), better);
    }
  // Better is a total order (the document breaks ties): exactly k are at least as good as the k-th.
  const Candidate kth = kept.front();
  std::partition(c.begin(), c.end(), [&](const Candidate& x) { return !better(kth, x); });
}

/// Per-thread scratch arrays indexed by document, reset by bumping a generation stamp.
struct Scratch {
  std::vector<std::uint32_t> slot;  ///< where a document seen by an earlier expansion has its hit
  std::vector<std::uint32_t> doc_stamp, excluded_stamp;
  std::vector<float> score;
  std::vector<std::uint16_t> count;  ///< required words a document matched (the `words` rule reads it)
  std::uint32_t doc_gen = 0;
  std::vector<std::uint32_t> group_stamp, group_best;
  std::uint32_t group_gen = 0;
  std::vector<Hit> ordered;
  /// Hit lists kept between searches (each term clause of a search takes one): lists that can
  /// hold every record of a small site are reused, not allocated and freed for every word.
  std::vector<std::vector<Hit>> hit_lists;
  static constexpr std::size_t kept_lists = 16, kept_list_hits = 1 << 16;
  std::vector<std::uint64_t> seen;  ///< one bit per document, all clear between uses
  std::vector<std::uint64_t> keep;  ///< one bit per document: the records a pass wants; clear between uses
  /// A search's documents with an accumulator, its candidates and their best per page: kept
  /// between searches so their room is not allocated again for each one.
  std::vector<std::uint32_t> touched;
  std::vector<Candidate> cands, ranked;
  /// Sub-results (SearchRequest::sub_results): the records listed under each result of the
  /// returned page, the k-th result's at [sub_offset[k], sub_offset[k + 1]) of sub_ranked.
  std::vector<Candidate> sub_ranked;
  std::vector<std::uint32_t> sub_offset;
  /// The request's filter (SearchRequest::filters and context): a bit per record it keeps.
  /// Meaningful only while `filtered`.
  std::vector<std::uint64_t> filter;
  bool filtered = false;
  const std::uint64_t* allowed() const { return filtered ? filter.data() : nullptr; }
  bool allows(std::uint32_t doc) const { return !filtered || (filter[doc >> 6] >> (doc & 63) & 1); }
  std::vector<std::uint64_t> facet_count;  ///< per attribute pair of a facet (collect.cpp)

  static std::uint32_t bump(std::uint32_t& g, std::vector<std::uint32_t>& a) {
    if (++g == 0) {
      std::fill(a.begin(), a.end(), 0u);
      g = 1;
    }
    return g;
  }
  void ensure(std::size_t docs, std::size_t groups) {
    if (slot.size() < docs) {
      slot.assign(docs, 0);
      doc_stamp.assign(docs, 0), excluded_stamp.assign(docs, 0), score.assign(docs, 0), count.assign(docs, 0);
      doc_gen = 0;
    }
    if (seen.size() < (docs + 63) / 64) seen.assign((docs + 63) / 64, 0), keep.assign((docs + 63) / 64, 0);
    if (group_stamp.size() < groups) group_stamp.assign(groups, 0), group_best.assign(groups, 0), group_gen = 0;
  }
};

/// This thread's scratch.
Scratch& scratch();

}  // namespace siteseek::detail
