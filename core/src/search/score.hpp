#pragma once
// The Scorer: walks the plan's postings term-at-a-time into per-document scores (BM25F x match
// kind), and `match` turns them into the candidates the ranking rules work on.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "index/index_data.hpp"
#include "search/plan.hpp"
#include "search/scratch.hpp"
#include "siteseek/index.hpp"

namespace siteseek::detail {

// Moves `at` forward to the first hit at or after `doc`, by galloping (the documents sought are
// sparse in the list), and returns it when it is `doc`'s. Offsets, not pointers past the end:
// an empty list's cursor is a null pointer.
inline const Hit* seek(const Hit*& at, const Hit* end, std::uint32_t doc) {
  std::ptrdiff_t step = 1;
  while (step < end - at && at[step].doc < doc) at += step, step <<= 1;
  const Hit* limit = step + 1 < end - at ? at + step + 1 : end;
  at = std::lower_bound(at, limit, doc, [](const Hit& a, std::uint32_t d) { return a.doc < d; });
  return at != end && at->doc == doc ? at : nullptr;
}

/// One search's term hits: each term clause's postings are walked once, when first asked for,
/// and kept for the later phases (re-ranking, snippets) to look records up in.
class Scorer {
 public:
  /// `lists`: the scratch whose kept hit lists it takes (null: this thread's; a search over
  /// segments gives each segment's Scorer its own).
  Scorer(const Index& index, const Plan& plan, Scratch* lists = nullptr);
  ~Scorer();
  Scorer(const Scorer&) = delete;
  Scorer& operator=(const Scorer&) = delete;

  /// One term clause -> its best expansion per document, sorted by document. With `keep` (a bit
  /// per document), only the documents whose bit is set (the candidates) get hits; forget(t)
  /// drops them.
  const std::vector<Hit>& term_hits(std::uint32_t t, const std::uint64_t* keep = nullptr);
  void forget(std::uint32_t t);
  const Hit* find_hit(std::uint32_t t, std::uint32_t doc);
  /// Term clause `t`'s hit `h`: where its best expansion's entry and positions are (offsets into
  /// Index::Data::postings and positions), and its body expansion's (h.body != Hit::no_body).
  std::pair<std::uint64_t, std::uint64_t> at(std::uint32_t t, const Hit& h) const noexcept {
    const auto term = plan_.terms[t].expansions[h.best].term;
    return {d_.postings_offset[term] + h.entry, d_.positions_offset[term] + h.positions};
  }
  std::pair<std::uint64_t, std::uint64_t> body_at(std::uint32_t t, const Hit& h) const noexcept {
    const auto term = plan_.terms[t].expansions[h.body].term;
    return {d_.postings_offset[term] + h.body_entry, d_.positions_offset[term] + h.body_positions};
  }
  void positions(std::uint32_t t, const Hit& h, std::array<std::vector<std::uint32_t>, field_count>& out,
                 std::uint32_t cap = ~0u, std::size_t fields = field_count) const;
  /// Postings a term clause's expansions hold: an upper bound of its documents, known without
  /// walking them.
  std::size_t postings_of(std::uint32_t t) const;
  /// The documents matching a clause (any of its alternatives), with their best score.
  std::vector<DocScore> clause(const PlanClause& c);

 private:
  double tf_part(const PostingEntry& e, std::uint8_t field) const;
  bool phrase_matches(const Alternative& alt, std::uint32_t doc);
  std::vector<DocScore> alternative(const Alternative& alt);

  const Index::Data& d_;
  const Plan& plan_;
  std::array<double, field_count> w_;
  std::vector<std::vector<Hit>> hits_;
  std::vector<bool> evaluated_;
  Scratch* lists_;
};

/// What matching found, besides the candidates themselves.
struct Matches {
  std::uint16_t required = 0;  ///< clauses a record must match (not excluded, not optional stop words)
  bool all_match = false;      ///< some record matched them all; else the candidates match some
  /// Few records matched them all: records missing at most partial_match_missing of them are
  /// candidates too (the `words` rule scores them lower).
  bool partial = false;
};

/// Every clause, term-at-a-time, into `s.cands`: the records matching every required clause and
/// no excluded one, or, when there are none, those matching any (relaxed). A candidate's score is
/// the sum of its clauses' scores; its `words` are 0 (the `words` rule sets them).
Matches match(const Index& index, const Plan& plan, Scorer& scorer, Scratch& s);

/// match() in its two steps, for a search over segments, which decides between them for all of
/// its segments at once: full_matches() walks the first pass, finish() takes how many records
/// of the whole site hold every required word (up to partial_match_below) and gives the
/// candidates (all of them, partial, or relaxed) as match() would for one index.
class Matcher {
 public:
  Matcher(const Index& index, const Plan& plan, Scorer& scorer, Scratch& s);
  /// Records holding every required word, counted up to `enough`.
  std::size_t full_matches(std::size_t enough);
  Matches finish(std::size_t full);

 private:
  template <class Fn>
  void each_doc(std::size_t i, const std::uint64_t* keep, Fn&& fn);
  std::size_t size_of(std::size_t i);
  void pass(std::span<const std::size_t> drivers);
  std::size_t matching(std::uint16_t words, std::size_t enough) const;
  void forget_kept();

  const Index::Data& d_;
  const Plan& plan_;
  Scorer& scorer_;
  Scratch& s_;
  std::uint16_t required_ = 0;
  bool single_ = false;
  const std::uint64_t* allowed_ = nullptr;
  std::vector<std::vector<DocScore>> built_;
  std::vector<bool> is_built_;
  std::vector<std::uint32_t> kept_;
  std::vector<std::size_t> by_size_;  // the required clauses, rarest first
  std::uint32_t gen_ = 0;
};

}  // namespace siteseek::detail
