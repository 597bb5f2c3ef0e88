// The Scorer: a term clause's postings become its hits (the best expansion per document), a
// clause's alternatives are merged, and `match` sums the clauses per document into candidates.
#include "search/score.hpp"

#include <bit>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "search/ranking.hpp"
#include "search/rules.hpp"

namespace siteseek::detail {

namespace {

// Bits set in `words`. The build targets every x86-64, whose first CPUs had no popcnt
// instruction: std::popcount is then a call into libgcc per word, which over a filter of a
// million records took as long as walking the postings. The instruction is used when the CPU
// has it.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("popcnt"))) std::size_t count_bits_popcnt(const std::uint64_t* words, std::size_t n) {
  std::size_t bits = 0;
  for (std::size_t w = 0; w < n; ++w) bits += static_cast<std::size_t>(__builtin_popcountll(words[w]));
  return bits;
}
#endif
std::size_t count_bits(const std::uint64_t* words, std::size_t n) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const bool popcnt = __builtin_cpu_supports("popcnt");
  if (popcnt) return count_bits_popcnt(words, n);
#endif
  std::size_t bits = 0;
  for (std::size_t w = 0; w < n; ++w) bits += static_cast<std::size_t>(std::popcount(words[w]));
  return bits;
}

}  // namespace

Scratch& scratch() {
  // initial-exec: in a shared object (the Python module) the default model would call
  // __tls_get_addr at each use the compiler rematerialises in the hot loops (~9,500 calls and
  // ~10 us per search); initial-exec is one %fs-relative load, as in an executable.
  thread_local Scratch s __attribute__((tls_model("initial-exec")));
  return s;
}

Scorer::Scorer(const Index& index, const Plan& plan, Scratch* lists)
    : d_(index.data()), plan_(plan), w_{}, lists_(lists ? lists : &scratch()) {
  const auto& fw = d_.settings.field_weights;
  w_ = {fw.title, fw.section_title, fw.body, fw.url};
  hits_.swap(lists_->hit_lists);
  for (auto& h : hits_) h.clear();
  hits_.resize(plan.terms.size());
  evaluated_.assign(plan.terms.size(), false);
}

Scorer::~Scorer() {
  std::erase_if(hits_, [](const std::vector<Hit>& h) { return h.capacity() > Scratch::kept_list_hits; });
  if (hits_.size() > Scratch::kept_lists) hits_.resize(Scratch::kept_lists);
  hits_.swap(lists_->hit_lists);
}

// BM25F saturation of a posting entry's frequencies in one field (the @field: restriction;
// unrestricted words use the precomputed impacts).
double Scorer::tf_part(const PostingEntry& e, std::uint8_t field) const {
  const double tfw = e.tf[field] ? w_[field] * e.tf[field] * d_.inv_norm[e.doc][field] : 0.0;
  return tfw <= 0 ? 0 : tfw * (bm25_k1 + 1) / (bm25_k1 + tfw);
}

const std::vector<Hit>& Scorer::term_hits(std::uint32_t t, const std::uint64_t* keep) {
  if (evaluated_[t]) return hits_[t];
  evaluated_[t] = true;
  auto& out = hits_[t];
  const auto& tc = plan_.terms[t];
  auto& s = scratch();
  const bool multi = tc.expansions.size() > 1;
  std::size_t total = 0;
  for (const auto& x : tc.expansions) total += d_.term_df[x.term];
  std::size_t most = std::min<std::size_t>(total, d_.docs.size());
  // Kept to the title fields (title suggestions): only the postings of records holding the word
  // there, from the term's title postings, not every posting of a common word. Each takes at
  // least four bytes there, which bounds their number (room for all the postings would be
  // megabytes of fresh pages on a large site, for a few hits).
  const bool titles_only = tc.fields && !(tc.fields & ~Index::Data::title_fields) && !d_.title_offset.empty();
  if (titles_only) {
    std::size_t bound = 0;
    for (const auto& x : tc.expansions) bound += (d_.title_offset[x.term + 1] - d_.title_offset[x.term]) / 4;
    most = std::min(most, bound);
  }
  if (keep) {  // a filtered walk keeps at most the records wanted
    most = std::min(most, count_bits(keep, (d_.docs.size() + 63) / 64));
  }
  out.reserve(most);
  if (tc.field) d_.check_table(Index::Data::LazyChecks::Table::norms);  // tf_part reads them
  std::uint32_t doc = 0;
  std::uint64_t entry = 0, positions = 0;
  constexpr auto body_bit = 1u << static_cast<unsigned>(Field::body);
  // A hit names its expansions in 16 bits (the limits keep a word's to a few hundred).
  if (tc.expansions.size() >= Hit::no_body) throw std::length_error("a word has too many expansions: \"" + tc.text + "\"");
  for (std::uint16_t xi = 0; xi < tc.expansions.size(); ++xi) {
    const auto& x = tc.expansions[xi];
    // Most of a prefix's or a typo's expansions are in no title.
    if (titles_only && d_.title_offset[x.term + 1] == d_.title_offset[x.term]) continue;
    PostingsCursor cur(d_, x.term);
    // Hits keep offsets into the expansion's own postings and positions, in 32 bits.
    const std::uint64_t entry_base = d_.postings_offset[x.term], positions_base = d_.positions_offset[x.term];
    if (d_.postings_offset[x.term + 1] - entry_base > UINT32_MAX || d_.positions_offset[x.term + 1] - positions_base > UINT32_MAX)
      throw std::length_error("a term's postings or positions exceed 4 GiB: \"" + std::string(d_.term(x.term)) + "\"");
    // The weight rules (match_kind, bm25f's idf) once per expansion; per posting, only its
    // term-frequency part: the precomputed impact, or the restricted field's.
    const double weight = expansion_weight(tc, x);
    const float factor = static_cast<float>(weight * impact_unit);
    const std::uint8_t* const impacts = d_.impacts.data() + d_.impact_offset[x.term];
    std::optional<TitleCursor> titles;
    if (titles_only) titles.emplace(d_, x.term);
    const std::uint8_t* impact = impacts - 1;  // the posting's impact
    for (std::uint32_t k = 0;;) {
      if (titles_only) {
        if (!titles->next(doc, entry, positions, k)) break;
        impact = impacts + k;
      } else {
        if (!cur.next_doc(doc, entry, positions)) break;
        ++impact;
      }
      if (keep && !(keep[doc >> 6] >> (doc & 63) & 1)) continue;
      if (tc.fields && !(d_.postings[entry] & tc.fields)) continue;
      float sc;
      if (tc.field) {
        sc = static_cast<float>(weight * tf_part(entry_at(d_, doc, entry, positions), *tc.field));
        if (sc <= 0) continue;
      } else {
        sc = factor * static_cast<float>(*impact);
      }
      const std::uint8_t mask = d_.postings[entry] & entry_fields;
      const bool in_body = mask & body_bit;
      const auto rel_entry = static_cast<std::uint32_t>(entry - entry_base);
      const auto rel_positions = static_cast<std::uint32_t>(positions - positions_base);
      // A document seen by an earlier expansion is a bit in `seen` (an eighth of a megabyte
      // for a million documents: it stays in cache, where a stamp per document would not).
      const std::uint64_t bit = std::uint64_t{1} << (doc & 63);
      if (multi && (s.seen[doc >> 6] & bit)) {
        auto& h = out[s.slot[doc]];
        h.fields |= mask;
        if (sc > h.score) h.score = sc, h.best = xi, h.entry = rel_entry, h.positions = rel_positions;
        if (in_body && (h.body == Hit::no_body || x.weight > tc.expansions[h.body].weight))
          h.body = xi, h.body_entry = rel_entry, h.body_positions = rel_positions;
      } else {
        if (multi) {
          s.seen[doc >> 6] |= bit;
          s.slot[doc] = static_cast<std::uint32_t>(out.size());
        }
        out.push_back({doc, sc, mask, xi, in_body ? xi : Hit::no_body, rel_entry, rel_positions, rel_entry, rel_positions});
      }
    }
  }
  if (multi) {
    // Several expansions interleave documents: restore document order, by sorting when few
    // documents matched, else by walking the bits of the documents seen (a word per 64).
    const std::size_t words = (d_.docs.size() + 63) / 64;
    if (out.size() * 4 < words) {
      for (const auto& h : out) s.seen[h.doc >> 6] = 0;
      std::sort(out.begin(), out.end(), [](const Hit& a, const Hit& b) { return a.doc < b.doc; });
    } else {
      auto& ordered = s.ordered;
      ordered.clear();
      ordered.reserve(out.size());
      for (std::size_t w = 0; w < words; ++w) {
        for (std::uint64_t bits = s.seen[w]; bits; bits &= bits - 1) {
          const auto doc = static_cast<std::uint32_t>(w * 64 + static_cast<unsigned>(std::countr_zero(bits)));
          ordered.push_back(out[s.slot[doc]]);
        }
        s.seen[w] = 0;
      }
      out.swap(ordered);
    }
  }
  return out;
}

void Scorer::forget(std::uint32_t t) {
  evaluated_[t] = false;
  hits_[t].clear();
}

const Hit* Scorer::find_hit(std::uint32_t t, std::uint32_t doc) {
  const auto& h = term_hits(t);
  auto it = std::lower_bound(h.begin(), h.end(), doc, [](const Hit& a, std::uint32_t d) { return a.doc < d; });
  return it != h.end() && it->doc == doc ? &*it : nullptr;
}

void Scorer::positions(std::uint32_t t, const Hit& h, std::array<std::vector<std::uint32_t>, field_count>& out,
                       std::uint32_t cap, std::size_t fields) const {
  const auto [entry, pos] = at(t, h);
  decode_positions(d_, entry_at(d_, h.doc, entry, pos), out, cap, fields);
}
// Whether the phrase's words sit at their relative positions in one field.
bool Scorer::phrase_matches(const Alternative& alt, std::uint32_t doc) {
  std::vector<std::array<std::vector<std::uint32_t>, field_count>> pos(alt.terms.size());
  for (std::size_t i = 0; i < alt.terms.size(); ++i) positions(alt.terms[i], *find_hit(alt.terms[i], doc), pos[i]);
  for (std::size_t f = 0; f < field_count; ++f) {
    for (auto p0 : pos[0][f]) {
      bool all = true;
      for (std::size_t i = 1; i < alt.terms.size() && all; ++i)
        all = std::binary_search(pos[i][f].begin(), pos[i][f].end(), p0 + alt.offsets[i]);
      if (all) return true;
    }
  }
  return false;
}

std::size_t Scorer::postings_of(std::uint32_t t) const {
  std::size_t n = 0;
  for (const auto& x : plan_.terms[t].expansions) n += d_.term_df[x.term];
  return n;
}

std::vector<DocScore> Scorer::alternative(const Alternative& alt) {
  std::vector<DocScore> out;
  if (alt.terms.empty()) return out;
  // Drive by the rarest term clause (a stop word only when all are), look the others up.
  std::uint32_t driver = alt.terms[0];
  for (auto t : alt.terms) {
    const bool stop = plan_.terms[t].stop, driver_stop = plan_.terms[driver].stop;
    if (stop != driver_stop ? driver_stop : postings_of(t) < postings_of(driver)) driver = t;
  }
  // A stop word among other words ("in" of "built-in") is in most records and adds next to
  // nothing to a score (the same rule as for stop-word clauses next to real words): it is not
  // required, and not walked. A phrase keeps its stop words: their positions are the phrase.
  std::vector<std::uint32_t> terms;
  for (auto t : alt.terms)
    if (alt.phrase || !plan_.terms[t].stop || plan_.terms[driver].stop) terms.push_back(t);
  const auto& driven = term_hits(driver);
  // Every list is in document order: one cursor per term, moved forward only (by galloping,
  // as the driver's records are sparse in the others), instead of a binary search per record.
  std::vector<std::pair<const Hit*, const Hit*>> cursors;
  cursors.reserve(terms.size());
  for (auto t : terms) {
    const auto& h = term_hits(t);
    cursors.emplace_back(h.data(), h.data() + h.size());
  }
  for (const auto& h : driven) {
    double sum = 0;
    bool all = true;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      const Hit* x = &h;
      if (terms[i] != driver) x = seek(cursors[i].first, cursors[i].second, h.doc);
      if (!x) {
        all = false;
        break;
      }
      sum += x->score;
    }
    if (!all) continue;
    if (alt.phrase && !phrase_matches(alt, h.doc)) continue;
    out.push_back({h.doc, static_cast<float>(sum * alt.weight)});
  }
  return out;
}

std::vector<DocScore> Scorer::clause(const PlanClause& c) {
  std::vector<DocScore> acc;
  for (const auto& alt : c.alternatives) {
    auto next = alternative(alt);
    if (acc.empty()) {
      acc = std::move(next);
      continue;
    }
    std::vector<DocScore> merged;
    merged.reserve(acc.size() + next.size());
    std::size_t i = 0, j = 0;
    while (i < acc.size() || j < next.size()) {
      if (j == next.size() || (i < acc.size() && acc[i].doc < next[j].doc)) merged.push_back(acc[i++]);
      else if (i == acc.size() || next[j].doc < acc[i].doc) merged.push_back(next[j++]);
      else merged.push_back({acc[i].doc, std::max(acc[i].score, next[j].score)}), ++i, ++j;
    }
    acc = std::move(merged);
  }
  return acc;
}

namespace {
bool one_word(const PlanClause& c) { return c.alternatives.size() == 1 && c.alternatives[0].terms.size() == 1; }
}  // namespace

Matcher::Matcher(const Index& index, const Plan& plan, Scorer& scorer, Scratch& s)
    : d_(index.data()), plan_(plan), scorer_(scorer), s_(s), built_(plan.clauses.size()), is_built_(plan.clauses.size(), false) {
  for (const auto& c : plan.clauses) {
    if (!c.excluded && !c.optional) ++required_;
  }
  allowed_ = s.allowed();
  single_ = plan.clauses.size() == 1 && one_word(plan.clauses[0]) && !plan.clauses[0].excluded;
  // With several required clauses only the documents of the rarest one can match them all: the
  // others add to those documents only (no accumulator set up, nothing to rank, for the rest).
  // When none matches them all, the pass is redone over every document to rank the relaxed match.
  if (required_ >= 2) {
    for (std::size_t i = 0; i < plan.clauses.size(); ++i)
      if (!plan.clauses[i].excluded && !plan.clauses[i].optional) by_size_.push_back(i);
    // In query order among equals (a stable sort, without the buffer std::stable_sort allocates).
    std::sort(by_size_.begin(), by_size_.end(), [&](std::size_t a, std::size_t b) {
      const auto x = size_of(a), y = size_of(b);
      return x != y ? x < y : a < b;
    });
  }
}

// A clause of one word (the usual case) is its hits: they are read without building a copy.
// keep: only the documents whose bit is set are wanted (one-word clauses only). A filter
// (s.allowed()) keeps records out of every pass: its bits are the `keep` of a walk that has none,
// and a clause built or walked before is checked record by record.
template <class Fn>
void Matcher::each_doc(std::size_t i, const std::uint64_t* keep, Fn&& fn) {
  const auto& c = plan_.clauses[i];
  if (!keep) keep = allowed_;
  if (one_word(c)) {
    const float w = c.alternatives[0].weight;
    const auto t = c.alternatives[0].terms[0];
    if (keep) kept_.push_back(t);
    for (const auto& h : scorer_.term_hits(t, keep))
      if (s_.allows(h.doc)) fn(h.doc, h.score * w);
    return;
  }
  if (!is_built_[i]) built_[i] = scorer_.clause(c), is_built_[i] = true;
  for (const auto& ds : built_[i])
    if (s_.allows(ds.doc)) fn(ds.doc, ds.score);
}

std::size_t Matcher::size_of(std::size_t i) {
  const auto& c = plan_.clauses[i];
  // Postings to walk (an upper bound of the documents when several terms expand the word).
  if (one_word(c)) return scorer_.postings_of(c.alternatives[0].terms[0]);
  if (!is_built_[i]) built_[i] = scorer_.clause(c), is_built_[i] = true;
  return built_[i].size();
}

// One pass: with `drivers`, only their documents are accumulated (the other clauses' hits are
// kept for those only); without, every document.
void Matcher::pass(std::span<const std::size_t> drivers) {
  auto& s = s_;
  auto& touched = s.touched;
  const bool restrict = !drivers.empty();
  gen_ = Scratch::bump(s.doc_gen, s.doc_stamp);
  if (gen_ == 1) std::fill(s.excluded_stamp.begin(), s.excluded_stamp.end(), 0u);
  touched.clear();
  const auto gen = gen_;
  auto start = [&](std::uint32_t doc) {
    s.doc_stamp[doc] = gen;
    s.score[doc] = 0;
    s.count[doc] = 0;
    touched.push_back(doc);
  };
  for (auto driver : drivers)
    each_doc(driver, nullptr, [&](std::uint32_t doc, float) {
      if (s.doc_stamp[doc] == gen) return;
      start(doc);
      s.keep[doc >> 6] |= std::uint64_t{1} << (doc & 63);
    });
  for (std::size_t i = 0; i < plan_.clauses.size(); ++i) {
    const auto& c = plan_.clauses[i];
    // Optional clauses are stop words next to real words: nearly every record has them, so
    // their idf adds next to nothing to any score, yet walking them costs a posting per record.
    if (c.optional && required_ > 0) continue;
    // The other required words keep hits for the drivers' documents only: later steps (rerank,
    // snippets) look hits up for candidates only, and a pinned landing page may be no candidate.
    const bool driver = std::find(drivers.begin(), drivers.end(), i) != drivers.end();
    const bool filter = restrict && !driver && !c.excluded && d_.settings.landing_pages.empty();
    each_doc(i, filter ? s.keep.data() : nullptr, [&](std::uint32_t doc, float score) {
      if (c.excluded) {
        s.excluded_stamp[doc] = gen;
        return;
      }
      if (s.doc_stamp[doc] != gen) {
        if (restrict) return;
        start(doc);
      }
      s.score[doc] += score;
      if (!c.optional) ++s.count[doc];
    });
  }
  if (restrict)
    for (auto doc : touched) s.keep[doc >> 6] = 0;
}

// Records (not excluded) with at least `words` required words, counted up to `enough`.
std::size_t Matcher::matching(std::uint16_t words, std::size_t enough) const {
  std::size_t n = 0;
  for (auto doc : s_.touched)
    if (s_.excluded_stamp[doc] != gen_ && s_.count[doc] >= words && ++n >= enough) break;
  return n;
}

void Matcher::forget_kept() {
  for (auto t : kept_) scorer_.forget(t);  // a wider pass needs more documents' hits
  kept_.clear();
}

std::size_t Matcher::full_matches(std::size_t enough) {
  if (single_) return std::min(scorer_.term_hits(plan_.clauses[0].alternatives[0].terms[0], allowed_).size(), enough);
  pass(by_size_.empty() ? std::span<const std::size_t>{} : std::span(by_size_).first(1));
  return matching(required_, enough);
}

Matches Matcher::finish(std::size_t full) {
  auto& s = s_;
  const bool all_match = full > 0;
  std::uint16_t min_words = required_;
  if (!single_) {
    const std::uint16_t partial_words = required_ > partial_match_missing ? required_ - partial_match_missing : 0;
    if (all_match && required_ >= partial_match_min_words && partial_words >= 1 && full < partial_match_below) {
      // Few records hold every word: those missing at most partial_match_missing of them compete
      // too. Each holds one of the missing + 1 rarest words, whose documents are walked in full.
      forget_kept();
      pass(std::span(by_size_).first(partial_match_missing + 1u));
      min_words = partial_words;
    } else if (!all_match) {
      min_words = 1;
      if (!by_size_.empty()) {
        forget_kept();  // the relaxed pass needs every document's hits
        pass({});
      }
    }
  }

  // The candidates: every record with all the required words, or, partial, with all but a few,
  // or, relaxed, with any.
  auto& cands = s.cands;
  cands.clear();
  if (single_) {
    const auto& alt = plan_.clauses[0].alternatives[0];
    const auto& hits = scorer_.term_hits(alt.terms[0], allowed_);
    cands.reserve(hits.size());
    for (const auto& h : hits)
      if (s.allows(h.doc)) cands.push_back({h.doc, 0, h.score * alt.weight});
    return {required_, all_match, false};
  }
  cands.reserve(s.touched.size());
  for (auto doc : s.touched) {
    if (s.excluded_stamp[doc] == gen_) continue;
    if (s.count[doc] < min_words) continue;
    cands.push_back({doc, 0, s.score[doc]});
  }
  return {required_, all_match, min_words < required_ && all_match};
}

Matches match(const Index& index, const Plan& plan, Scorer& scorer, Scratch& s) {
  Matcher m(index, plan, scorer, s);
  return m.finish(m.full_matches(partial_match_below));
}

}  // namespace siteseek::detail
