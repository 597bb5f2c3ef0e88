// The dictionary of one index or of several segments (search/lexicon.hpp).
#include "search/lexicon.hpp"

#include <algorithm>
#include <limits>
#include <queue>
#include <unordered_map>

#include "index/index_data.hpp"
#include "index/segments.hpp"

namespace siteseek::detail {

Lexicon::Lexicon(const Index& index) : one_(&index), documents_(static_cast<double>(std::max<std::size_t>(index.size(), 1))) {}

Lexicon::Lexicon(std::span<const SegmentRef> segments, const UnionDictionary* joined)
    : joined_(joined && joined->local.size() == segments.size() ? joined : nullptr), segs_(segments.begin(), segments.end()) {
  if (segs_.size() == 1) one_ = segs_[0].index, one_deleted_ = segs_[0].deleted;
  if (joined_) joined_local_ = joined_->local.data();
  std::uint64_t n = 0;
  for (const auto& s : segs_) n += s.index->size() - (s.deleted ? s.deleted->records : 0);
  for (std::uint32_t k = 0; k < segs_.size(); ++k)
    if (segs_[k].deleted) with_deletions_.push_back(k);
  documents_ = static_cast<double>(std::max<std::uint64_t>(n, 1));
}

namespace {
// Records of segment `s` holding term `id` that are not deleted.
std::uint32_t live_df_in(const SegmentRef& s, std::uint32_t id) noexcept {
  const auto df = s.index->data().term_df[id];
  return s.deleted ? df - s.deleted->df_of(id) : df;
}
}  // namespace

std::uint32_t Lexicon::one_df(std::uint32_t id) const noexcept { return live_df_in({one_, one_deleted_}, id); }

const Index& Lexicon::whole() const noexcept { return one_ ? *one_ : *joined_->terms; }

std::uint32_t Lexicon::live_df(std::size_t seg, std::uint32_t id) const noexcept { return live_df_in(segs_[seg], id); }

// The union's frequency counts every record: less the deleted ones of the few segments that have
// any (usually the oldest), without visiting the others.
std::uint32_t Lexicon::joined_df(std::uint32_t u) const noexcept {
  std::uint32_t df = joined_->terms->data().term_df[u];
  for (const auto k : with_deletions_)
    if (const auto id = joined_->local[k][u]; id >= 0) df -= segs_[k].deleted->df_of(static_cast<std::uint32_t>(id));
  return df;
}

std::int64_t Lexicon::intern(std::string_view text) {
  if (const auto it = ids_.find(text); it != ids_.end()) return terms_[static_cast<std::size_t>(it->second)].df ? it->second : -1;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> at;  // looked up in every segment
  for (std::size_t k = 0; k < segs_.size(); ++k)
    if (const auto id = segs_[k].index->find(text); id >= 0) at.emplace_back(static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(id));
  return intern_known(text, at);
}

// A copy of `text` that lives as long as the lexicon.
std::string_view Lexicon::keep(std::string_view text) {
  auto* at = static_cast<char*>(texts_.allocate(text.size(), 1));
  std::copy(text.begin(), text.end(), at);
  return {at, text.size()};
}

std::int64_t Lexicon::intern_known(std::string_view text, std::span<const std::pair<std::uint32_t, std::uint32_t>> at) {
  if (const auto it = ids_.find(text); it != ids_.end()) return terms_[static_cast<std::size_t>(it->second)].df ? it->second : -1;
  const auto id = static_cast<std::uint32_t>(terms_.size());
  auto& t = terms_.emplace_back();
  t.text = keep(text);
  local_.resize(local_.size() + segs_.size(), -1);
  for (const auto& [k, i] : at) {
    local_[std::size_t{id} * segs_.size() + k] = static_cast<std::int32_t>(i);
    t.df += live_df(k, i);
  }
  ids_.emplace(t.text, id);
  return t.df ? std::int64_t{id} : -1;
}

std::int64_t Lexicon::find(std::string_view term) {
  if (one_) {
    const auto id = one_->find(term);
    return id >= 0 && one_deleted_ && !one_df(static_cast<std::uint32_t>(id)) ? -1 : id;
  }
  if (joined_) {
    const auto u = joined_->terms->find(term);
    return u >= 0 && joined_df(static_cast<std::uint32_t>(u)) ? u : -1;
  }
  return intern(term);
}

std::uint32_t Lexicon::df(std::uint32_t id) const noexcept {
  return one_ ? one_df(id) : joined_ ? joined_df(id) : terms_[id].df;
}

std::string_view Lexicon::term(std::uint32_t id) const noexcept {
  return one_ ? one_->data().term(id) : joined_ ? joined_->terms->data().term(id) : terms_[id].text;
}

bool Lexicon::more_frequent(std::uint32_t a, std::uint32_t b) const noexcept {
  const auto fa = df(a), fb = df(b);
  if (fa != fb) return fa > fb;
  return one_ || joined_ ? a < b : terms_[a].text < terms_[b].text;  // ids in text order
}

namespace {

// The segments' terms starting with a prefix, merged in text order: each distinct text once, with
// its live frequency summed and the (segment, id) of each segment holding it. `fn(text, df, at)`
// returns false to stop.
template <class Fn>
void merged_range(std::span<const SegmentRef> segs, std::string_view prefix, Fn&& fn) {
  struct Cursor {
    std::uint32_t at, end;
    std::size_t seg;
  };
  auto text = [&](const Cursor& c) { return segs[c.seg].index->data().term(c.at); };
  auto later = [&](const Cursor& a, const Cursor& b) { return text(a) > text(b); };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heap(later);
  for (std::size_t k = 0; k < segs.size(); ++k) {
    const auto [lo, hi] = segs[k].index->prefix_range(prefix);
    if (lo < hi) heap.push({lo, hi, k});
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> at;
  while (!heap.empty()) {
    const std::string_view t = text(heap.top());
    std::uint32_t df = 0;
    at.clear();
    while (!heap.empty() && text(heap.top()) == t) {
      auto c = heap.top();
      heap.pop();
      const auto& s = segs[c.seg];
      df += live_df_in(s, c.at);
      at.emplace_back(static_cast<std::uint32_t>(c.seg), c.at);
      if (++c.at < c.end) heap.push(c);
    }
    if (df && !fn(t, df, std::span<const std::pair<std::uint32_t, std::uint32_t>>(at))) return;
  }
}

}  // namespace

std::vector<std::uint32_t> Lexicon::top_completions(std::string_view prefix, std::int64_t except, std::size_t cap) {
  std::vector<std::uint32_t> out;
  if (one_ && !one_deleted_) {
    const auto& d = one_->data();
    auto [lo, hi] = one_->prefix_range(prefix);
    out.reserve(hi - lo);
    for (auto id = lo; id < hi; ++id)
      if (id != except) out.push_back(id);
    cap = std::min(cap, out.size());
    std::partial_sort(out.begin(), out.begin() + cap, out.end(),
                      [&](auto a, auto b) { return d.term_df[a] != d.term_df[b] ? d.term_df[a] > d.term_df[b] : a < b; });
    out.resize(cap);
    return out;
  }
  const std::string_view skip = except >= 0 ? term(static_cast<std::uint32_t>(except)) : std::string_view();
  if (one_ || joined_) {
    // The range, in text order (one index's id order): each term's live frequency (over the
    // segments holding it, for the union's).
    const auto& terms = whole();
    const auto [lo, hi] = terms.prefix_range(prefix);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranked;  // (id, live df)
    ranked.reserve(hi - lo);
    for (auto u = lo; u < hi; ++u)
      if (const auto f = df(u); f && (except < 0 || terms.data().term(u) != skip)) ranked.emplace_back(u, f);
    cap = std::min(cap, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(cap), ranked.end(),
                      [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    for (std::size_t k = 0; k < cap; ++k) out.push_back(ranked[k].first);
    return out;
  }
  struct Found {
    std::string_view text;
    std::uint32_t df;
    std::uint32_t order;  // in the main segment's range, else none: ties between two of it go by id, not text
    std::uint32_t at, n;  // its (segment, id) pairs in `where`, when known there
  };
  constexpr std::uint32_t none = ~0u;
  std::vector<Found> found;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> where;
  // The other segments' (segment, id) of a term of the main segment, by its place in `found`.
  std::unordered_map<std::size_t, std::vector<std::pair<std::uint32_t, std::uint32_t>>> also;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges(segs_.size());
  std::size_t total = 0, main = 0;
  for (std::size_t k = 0; k < segs_.size(); ++k) {
    ranges[k] = segs_[k].index->prefix_range(prefix);
    const auto n = ranges[k].second - ranges[k].first;
    total += n;
    if (n > ranges[main].second - ranges[main].first) main = k;
  }
  const auto [lo, hi] = ranges[main];
  if (4 * (hi - lo) >= 3 * total) {
    // Most completions are one segment's (a site's large segment after live updates): its range
    // is walked by id as one index's is, and the others' few terms are looked up in it.
    const auto& md = segs_[main].index->data();
    found.reserve(hi - lo);
    for (auto id = lo; id < hi; ++id) found.push_back({md.term(id), live_df(main, id), id - lo, none, 0});
    std::unordered_map<std::string_view, std::size_t> extra;
    for (std::size_t k = 0; k < segs_.size(); ++k) {
      if (k == main) continue;
      const auto& d = segs_[k].index->data();
      for (auto id = ranges[k].first; id < ranges[k].second; ++id) {
        const auto t = d.term(id);
        const auto df = live_df(k, id);
        const auto at = std::lower_bound(found.begin(), found.begin() + (hi - lo), t, [](const Found& f, std::string_view x) { return f.text < x; });
        std::size_t place;
        if (at != found.begin() + (hi - lo) && at->text == t) {
          place = static_cast<std::size_t>(at - found.begin());
        } else if (const auto e = extra.find(t); e != extra.end()) {
          place = e->second;
        } else {
          place = found.size();
          extra.emplace(t, place);
          found.push_back({t, 0, none, none, 0});
        }
        found[place].df += df;
        also[place].emplace_back(static_cast<std::uint32_t>(k), id);
      }
    }
    // Their pairs, in `where`: the main segment's id, then the others'.
    for (std::size_t i = 0; i < found.size(); ++i) {
      auto& f = found[i];
      f.at = static_cast<std::uint32_t>(where.size());
      if (f.order != none) where.emplace_back(static_cast<std::uint32_t>(main), lo + f.order);
      if (const auto x = also.find(i); x != also.end()) where.insert(where.end(), x->second.begin(), x->second.end());
      f.n = static_cast<std::uint32_t>(where.size() - f.at);
    }
    std::erase_if(found, [&](const Found& f) { return f.df == 0 || (except >= 0 && f.text == skip); });
  } else {
    merged_range(segs_, prefix, [&](std::string_view t, std::uint32_t df, std::span<const std::pair<std::uint32_t, std::uint32_t>> at) {
      if (except < 0 || t != skip) {
        found.push_back({t, df, none, static_cast<std::uint32_t>(where.size()), static_cast<std::uint32_t>(at.size())});
        where.insert(where.end(), at.begin(), at.end());
      }
      return true;
    });
  }
  cap = std::min(cap, found.size());
  std::partial_sort(found.begin(), found.begin() + cap, found.end(), [](const Found& a, const Found& b) {
    if (a.df != b.df) return a.df > b.df;
    return a.order != none && b.order != none ? a.order < b.order : a.text < b.text;
  });
  // Each segment holding a completion has it in its prefix range: where it is known, no lookup.
  for (std::size_t k = 0; k < cap; ++k)
    out.push_back(static_cast<std::uint32_t>(intern_known(found[k].text, std::span(where).subspan(found[k].at, found[k].n))));
  return out;
}

std::size_t Lexicon::completions(std::string_view prefix, std::size_t limit) {
  if (one_ && !one_deleted_) {
    auto [lo, hi] = one_->prefix_range(prefix);
    return std::min<std::size_t>(hi - lo, limit);
  }
  std::size_t n = 0;
  if (one_ || joined_) {
    const auto [lo, hi] = whole().prefix_range(prefix);
    for (auto u = lo; u < hi && n < limit; ++u) n += df(u) > 0;
    return n;
  }
  merged_range(segs_, prefix, [&](std::string_view, std::uint32_t, auto) { return ++n < limit; });
  return std::min(n, limit);
}

std::vector<TypoMatch> Lexicon::typo_lookup(std::string_view word, unsigned max_edits, std::size_t cap, bool names) {
  if (one_ && !one_deleted_) return one_->typo_lookup(word, max_edits, cap, names);
  std::vector<TypoMatch> out;
  if (one_ || joined_) {
    for (const auto& m : whole().typo_lookup(word, max_edits, std::numeric_limits<std::size_t>::max(), names))
      if (df(m.term)) out.push_back(m);
  } else {
    for (const auto& s : segs_)
      for (const auto& m : s.index->typo_lookup(word, max_edits, std::numeric_limits<std::size_t>::max(), names)) {
        const auto id = intern(s.index->data().term(m.term));
        if (id < 0) continue;
        // A term a word's correction in some segment is one everywhere.
        const auto seen = std::find_if(out.begin(), out.end(), [&](const TypoMatch& o) { return o.term == id; });
        if (seen == out.end()) out.push_back({static_cast<std::uint32_t>(id), m.distance, m.name});
        else seen->name = seen->name && m.name;
      }
  }
  std::sort(out.begin(), out.end(), [&](const TypoMatch& a, const TypoMatch& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    return more_frequent(a.term, b.term);
  });
  if (out.size() > cap) out.resize(cap);
  return out;
}

// A term has one stem in an index: the one its first record gave it (records of another
// language are stemmed by that language's stemmer). Over segments that is the stem of the first
// segment with a live record holding it.
std::size_t Lexicon::owner(std::uint32_t id) const noexcept {
  for (std::size_t k = 0; k < segs_.size(); ++k)
    if (const auto i = local_of(id, k); i >= 0 && live_df(k, static_cast<std::uint32_t>(i)) > 0) return k;
  return 0;
}

std::vector<std::uint32_t> Lexicon::stem_variants(std::string_view stem) {
  if (one_ && !one_deleted_) return one_->stem_variants(stem);
  std::vector<std::uint32_t> out;
  if (one_) {
    for (const auto id : one_->stem_variants(stem))
      if (df(id)) out.push_back(id);
    return out;
  }
  if (joined_) {
    // The union's terms any segment stems so, in text order; each kept when the segment whose
    // stem it has (owner) stems it so.
    for (const auto u : joined_->terms->stem_variants(stem))
      if (joined_df(u) && stem_of(u) == stem) out.push_back(u);
    return out;
  }
  std::vector<std::pair<std::string_view, std::size_t>> texts;  // and the segment that gave it
  for (std::size_t k = 0; k < segs_.size(); ++k)
    for (const auto id : segs_[k].index->stem_variants(stem)) texts.emplace_back(segs_[k].index->data().term(id), k);
  std::sort(texts.begin(), texts.end());
  for (const auto& [t, k] : texts) {
    const auto id = intern(t);
    if (id < 0 || owner(static_cast<std::uint32_t>(id)) != k) continue;
    out.push_back(static_cast<std::uint32_t>(id));
  }
  return out;
}

std::string_view Lexicon::stem_of(std::uint32_t id) const noexcept {
  if (one_) return one_->data().stem(one_->data().term_stem[id]);
  const auto k = owner(id);
  const auto i = local_of(id, k);
  if (i < 0) return {};
  const auto& d = segs_[k].index->data();
  return d.stem(d.term_stem[static_cast<std::uint32_t>(i)]);
}

}  // namespace siteseek::detail
