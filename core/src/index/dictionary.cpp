// Term dictionary lookups over the sorted term array: exact (binary search), prefix (a
// contiguous range) and typo (a Damerau-Levenshtein walk of the array as an implicit trie).
#include <algorithm>
#include <array>
#include <bit>

#include "index/index_data.hpp"

namespace siteseek {

namespace {

// The run [lo, hi] of ids that can hold the first id of `n` whose string is not below `key`
// (cut to key.size() bytes; not above it, when `upper`), from the samples of every
// sample_every-th id: a sample whose key8 is below the key's is before that id, one above it is
// at or after it. Past its end the key is taken as its lowest continuation (0) for a lower
// bound and its highest (0xff) for an upper one.
std::pair<std::uint32_t, std::uint32_t> narrow(const Array<std::uint64_t>& sample, std::uint32_t n,
                                               std::string_view key, bool upper) {
  const auto k = key8(key, upper ? 0xff : 0);
  const auto below = static_cast<std::uint32_t>(std::lower_bound(sample.begin(), sample.end(), k) - sample.begin());
  const auto not_above = static_cast<std::uint32_t>(std::upper_bound(sample.begin(), sample.end(), k) - sample.begin());
  const std::uint32_t every = Index::Data::sample_every;
  const std::uint32_t lo = below > 0 ? (below - 1) * every + 1 : 0;
  const std::uint32_t hi = not_above < sample.size() ? std::min(n, not_above * every) : n;
  return {std::min(lo, hi), hi};
}

// First id in [lo, hi) whose term is not less than `key` when both are cut to `key.size()`
// bytes (or the first greater one, when `upper`).
std::uint32_t bound(const Index::Data& d, std::uint32_t lo, std::uint32_t hi, std::string_view key, bool upper) {
  const auto [a, b] = narrow(d.term_sample, d.term_count(), key, upper);
  lo = std::max(lo, a), hi = std::min(hi, b);
  if (lo > hi) return lo;
  while (lo < hi) {
    std::uint32_t mid = lo + (hi - lo) / 2;
    auto t = d.term(mid).substr(0, key.size());
    bool go_right = upper ? t <= key : t < key;
    if (go_right) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

constexpr std::size_t max_typo_word = 64;

// Depth-first walk of the implicit trie formed by the sorted terms. All terms in [lo, hi) share
// their first `depth` bytes; rows[depth] holds the edit distances from that prefix to every
// prefix of the query word. A subtree is entered only when some cell of its row is within reach.
struct TypoWalk {
  const Index::Data& d;
  std::string_view q;
  unsigned k;
  std::vector<std::array<std::uint8_t, max_typo_word + 1>> rows;
  std::vector<TypoMatch> out;

  // rows[depth + 1] for the child byte `c` under parent byte `pc`; returns the row's smallest
  // cell. Only cells within k of the diagonal can stay within reach (Ukkonen's band); the cells
  // just outside it are set to k + 1 so the next row reads no stale values. c < 0 stands for
  // any byte the query does not have.
  unsigned fill_row(std::size_t depth, int c, unsigned char pc) {
    const std::size_t m = q.size();
    auto& prev = rows[depth];
    auto& row = rows[depth + 1];
    const std::size_t d1 = depth + 1;
    const std::size_t lo = d1 > k ? d1 - k : 1;
    const std::size_t hi_x = std::min(m, d1 + k);
    row[0] = static_cast<std::uint8_t>(std::min<std::size_t>(d1, 255));
    if (lo > 1) row[lo - 1] = static_cast<std::uint8_t>(k + 1);
    if (hi_x + 1 <= m) row[hi_x + 1] = static_cast<std::uint8_t>(k + 1);
    unsigned best = d1 <= k ? static_cast<unsigned>(d1) : k + 1;
    for (std::size_t x = lo; x <= hi_x; ++x) {
      const int qc = static_cast<unsigned char>(q[x - 1]);
      unsigned v = std::min<unsigned>(prev[x] + 1, row[x - 1] + 1);
      v = std::min<unsigned>(v, prev[x - 1] + (qc != c ? 1u : 0u));
      if (depth > 0 && x > 1 && qc == pc && static_cast<unsigned char>(q[x - 2]) == c)
        v = std::min<unsigned>(v, rows[depth - 1][x - 2] + 1u);
      row[x] = static_cast<std::uint8_t>(std::min(v, 255u));
      best = std::min(best, v);
    }
    return best;
  }

  // A term's byte at `depth`; 0 past its end, which only a damaged snapshot's tables (checked for
  // bounds, not for agreeing with the terms) can make the walk ask for.
  unsigned char byte_at(std::uint32_t id, std::size_t depth) const {
    const auto t = d.term(id);
    return depth < t.size() ? static_cast<unsigned char>(t[depth]) : 0;
  }

  void child(std::uint32_t i, std::uint32_t j, std::size_t depth, unsigned char c, unsigned char pc) {
    // Two typos are only looked for past an exact first byte: the subtrees a wrong first
    // letter opens are most of the dictionary, and such typos are rare.
    const bool allowed = depth > 0 || k < 2 || q.empty() || c == static_cast<unsigned char>(q[0]);
    if (allowed && fill_row(depth, c, pc) <= k) walk(i, j, depth + 1);
  }

  void walk(std::uint32_t lo, std::uint32_t hi, std::size_t depth) {
    const std::size_t m = q.size();
    std::uint32_t i = lo;
    if (i < hi && d.term(i).size() == depth) {
      // Outside the band (|depth - m| > k) rows[depth][m] was not computed: too far anyway.
      unsigned dist = m <= depth + k ? rows[depth][m] : k + 1;
      if (dist > 0 && dist <= k) out.push_back({i, static_cast<std::uint8_t>(dist)});
      ++i;
    }
    if (depth + 1 >= rows.size() || i >= hi) return;  // terms longer than the query plus k cannot match
    const unsigned char pc = depth > 0 ? byte_at(i, depth - 1) : 0;
    // A child byte the query does not have near this depth gives the same row whatever it is.
    // When that row is out of reach, only children starting with one of those few query bytes
    // can match: the others are stepped over without a row.
    std::array<std::uint64_t, 4> wanted{~0ull, ~0ull, ~0ull, ~0ull};  // a bit per byte
    unsigned char last_wanted = 255;
    if (fill_row(depth, -1, pc) > k) {
      const std::size_t d1 = depth + 1;
      const std::size_t from = d1 > k + 1 ? d1 - k - 1 : 0;  // q[x-1] and q[x-2] over the band
      const std::size_t to = std::min(m, d1 + k);
      wanted = {};
      last_wanted = 0;
      for (std::size_t x = from; x < to; ++x) {
        const auto c = static_cast<unsigned char>(q[x]);
        wanted[c >> 6] |= std::uint64_t{1} << (c & 63);
        last_wanted = std::max(last_wanted, c);
      }
    }
    if (depth == 1 && last_wanted != 255 && !d.pair_start.empty()) {
      // Straight to the children starting with a wanted byte, by the two-byte table, instead of
      // stepping through every second byte of the dictionary under this first one.
      const std::size_t row = std::size_t(d.pair_class[pc]) * d.pair_width;
      for (unsigned w = 0; w < wanted.size(); ++w)
        for (auto bits = wanted[w]; bits; bits &= bits - 1) {
          const unsigned c = w * 64 + static_cast<unsigned>(std::countr_zero(bits));
          if (!d.pair_class[c]) continue;
          const std::uint32_t a = std::max(i, d.pair_start[row + d.pair_class[c]]);
          const std::uint32_t b = std::min(hi, d.pair_start[row + d.pair_class[c] + 1]);
          if (a < b) child(a, b, depth, static_cast<unsigned char>(c), pc);
        }
      return;
    }
    while (i < hi) {
      const auto c = byte_at(i, depth);
      if (c > last_wanted) break;  // children come in byte order
      // End of the children starting with c: the first term after i sharing at most `depth`
      // bytes with its predecessor. Terms sharing more are skipped a run at a time.
      std::uint32_t a = i + 1;
      while (a < hi && d.term_lcp[a] > depth) a = d.term_next_shorter[a];
      a = std::min(a, hi);
      if (wanted[c >> 6] >> (c & 63) & 1) child(i, a, depth, c, pc);
      i = a;
    }
  }
};

}  // namespace

std::int64_t Index::find(std::string_view term) const {
  const auto& d = *data_;
  auto n = d.term_count();
  auto i = bound(d, 0, n, term, false);
  if (i < n && d.term(i) == term) return i;
  return -1;
}

std::pair<std::uint32_t, std::uint32_t> Index::prefix_range(std::string_view prefix) const {
  const auto& d = *data_;
  auto n = d.term_count();
  auto lo = bound(d, 0, n, prefix, false);
  auto hi = bound(d, lo, n, prefix, true);
  return {lo, hi};
}

std::vector<TypoMatch> Index::typo_lookup(std::string_view word, unsigned max_edits, std::size_t cap, bool names) const {
  const auto& d = *data_;
  if (word.empty() || word.size() > max_typo_word || max_edits == 0 || d.term_count() == 0) return {};
  max_edits = std::min(max_edits, 2u);
  TypoWalk w{d, word, max_edits, {}, {}};
  w.rows.resize(word.size() + max_edits + 1);
  for (std::size_t x = 0; x <= word.size(); ++x) w.rows[0][x] = static_cast<std::uint8_t>(x);
  w.walk(0, d.term_count(), 0);
  auto& out = w.out;
  std::erase_if(out, [&](TypoMatch& m) {
    if (!(d.term_flags[m.term] & term_no_typo)) return false;
    m.name = names && punctuated_name(d.term(m.term));
    return !m.name;
  });
  std::sort(out.begin(), out.end(), [&](const TypoMatch& a, const TypoMatch& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    if (d.term_df[a.term] != d.term_df[b.term]) return d.term_df[a.term] > d.term_df[b.term];
    return a.term < b.term;
  });
  if (out.size() > cap) out.resize(cap);
  return out;
}

std::vector<std::uint32_t> Index::stem_variants(std::string_view stem) const {
  const auto& d = *data_;
  if (d.stem_offset.size() < 2) return {};
  auto [lo, hi] = narrow(d.stem_sample, static_cast<std::uint32_t>(d.stem_offset.size()) - 1, stem, false);
  while (lo < hi) {
    auto mid = lo + (hi - lo) / 2;
    if (d.stem(mid) < stem) lo = mid + 1;
    else hi = mid;
  }
  if (lo + 1 >= d.stem_offset.size() || d.stem(lo) != stem) return {};
  return std::vector<std::uint32_t>(d.stem_terms.begin() + d.stem_terms_offset[lo], d.stem_terms.begin() + d.stem_terms_offset[lo + 1]);
}

}  // namespace siteseek
