// Scorer and Collector: evaluate the plan term-at-a-time into per-document scores, re-rank the
// best candidates with positions (proximity, exact title), keep the best record per page, pin
// landing pages, and build results (highlights and snippets) for the returned page only.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>

#include "index/index_data.hpp"
#include "index/url_text.hpp"
#include "search/highlight.hpp"
#include "search/plan.hpp"
#include "search/query_parser.hpp"
#include "search/ranking.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/search.hpp"

namespace siteseek {

using namespace detail;

namespace {

// A term clause's best expansion in one document. Only where its postings entries are is kept
// (entry_at decodes them again for the few documents that need positions).
struct Hit {
  std::uint32_t doc;
  float score;
  float body_weight;           ///< weight of the best expansion found in the body (snippets), 0 if none
  std::uint8_t fields;         ///< fields any expansion is in (bit per Field; fills padding)
  std::uint64_t entry, positions;            ///< the best-scoring expansion's entry
  std::uint64_t body_entry, body_positions;  ///< the best body expansion's entry
};

struct DocScore {
  std::uint32_t doc;
  float score;
};

struct Candidate {
  std::uint32_t doc;
  std::uint16_t words;
  float score;
};

// Per-thread scratch arrays indexed by document, reset by bumping a generation stamp.
struct Scratch {
  std::vector<std::uint32_t> slot;  ///< where a document seen by an earlier expansion has its hit
  std::vector<std::uint32_t> doc_stamp, excluded_stamp;
  std::vector<float> score;
  std::vector<std::uint16_t> count;
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

// Moves `at` forward to the first hit at or after `doc`, by galloping (the documents sought are
// sparse in the list), and returns it when it is `doc`'s. Offsets, not pointers past the end:
// an empty list's cursor is a null pointer.
const Hit* seek(const Hit*& at, const Hit* end, std::uint32_t doc) {
  std::ptrdiff_t step = 1;
  while (step < end - at && at[step].doc < doc) at += step, step <<= 1;
  const Hit* limit = step + 1 < end - at ? at + step + 1 : end;
  at = std::lower_bound(at, limit, doc, [](const Hit& a, std::uint32_t d) { return a.doc < d; });
  return at != end && at->doc == doc ? at : nullptr;
}

Scratch& scratch() {
  // initial-exec: in a shared object (the Python module) the default model would call
  // __tls_get_addr at each use the compiler rematerialises in the hot loops (~9,500 calls and
  // ~10 us per search); initial-exec is one %fs-relative load, as in an executable.
  thread_local Scratch s __attribute__((tls_model("initial-exec")));
  return s;
}

class Scorer {
 public:
  Scorer(const Index& index, const Plan& plan) : d_(index.data()), plan_(plan), w_{} {
    const auto& fw = d_.settings.field_weights;
    w_ = {fw.title, fw.section_title, fw.body, fw.url};
    hits_.swap(scratch().hit_lists);
    for (auto& h : hits_) h.clear();
    hits_.resize(plan.terms.size());
    evaluated_.assign(plan.terms.size(), false);
  }

  ~Scorer() {
    std::erase_if(hits_, [](const std::vector<Hit>& h) { return h.capacity() > Scratch::kept_list_hits; });
    if (hits_.size() > Scratch::kept_lists) hits_.resize(Scratch::kept_lists);
    hits_.swap(scratch().hit_lists);
  }
  Scorer(const Scorer&) = delete;
  Scorer& operator=(const Scorer&) = delete;

  // BM25F saturation of a posting entry's frequencies in one field (the @field: restriction;
  // unrestricted words use the precomputed impacts).
  double tf_part(const PostingEntry& e, std::uint8_t field) const {
    const double tfw = e.tf[field] ? w_[field] * e.tf[field] * d_.inv_norm[e.doc][field] : 0.0;
    return tfw <= 0 ? 0 : tfw * (bm25_k1 + 1) / (bm25_k1 + tfw);
  }

  // One term clause -> its best expansion per document, sorted by document. With `keep` (a bit
  // per document), only the documents whose bit is set (the candidates) get hits; forget(t)
  // drops them.
  const std::vector<Hit>& term_hits(std::uint32_t t, const std::uint64_t* keep = nullptr) {
    if (evaluated_[t]) return hits_[t];
    evaluated_[t] = true;
    auto& out = hits_[t];
    const auto& tc = plan_.terms[t];
    auto& s = scratch();
    const bool multi = tc.expansions.size() > 1;
    std::size_t total = 0;
    for (const auto& x : tc.expansions) total += d_.term_df[x.term];
    std::size_t most = std::min<std::size_t>(total, d_.docs.size());
    if (keep) {  // a filtered walk keeps at most the records wanted
      std::size_t wanted = 0;
      for (std::size_t w = 0, n = (d_.docs.size() + 63) / 64; w < n; ++w) wanted += std::popcount(keep[w]);
      most = std::min(most, wanted);
    }
    out.reserve(most);
    std::uint32_t doc = 0;
    std::uint64_t entry = 0, positions = 0;
    const std::uint64_t no_body = ~std::uint64_t{0};
    constexpr auto body_bit = 1u << static_cast<unsigned>(Field::body);
    for (const auto& x : tc.expansions) {
      PostingsCursor cur(d_, x.term);
      const float factor = static_cast<float>(tc.idf * x.weight * impact_unit);
      const std::uint8_t* impact = d_.impacts.data() + d_.impact_offset[x.term];
      for (;; ++impact) {
        if (!cur.next_doc(doc, entry, positions)) break;
        if (keep && !(keep[doc >> 6] >> (doc & 63) & 1)) continue;
        float sc;
        if (tc.field) {
          sc = static_cast<float>(tc.idf * x.weight * tf_part(entry_at(d_, doc, entry, positions), *tc.field));
          if (sc <= 0) continue;
        } else {
          sc = factor * static_cast<float>(*impact);
        }
        const std::uint8_t mask = d_.postings[entry];
        const bool in_body = mask & body_bit;
        // A document seen by an earlier expansion is a bit in `seen` (an eighth of a megabyte
        // for a million documents: it stays in cache, where a stamp per document would not).
        const std::uint64_t bit = std::uint64_t{1} << (doc & 63);
        if (multi && (s.seen[doc >> 6] & bit)) {
          auto& h = out[s.slot[doc]];
          h.fields |= mask;
          if (sc > h.score) h.score = sc, h.entry = entry, h.positions = positions;
          if (in_body && x.weight > h.body_weight) h.body_entry = entry, h.body_positions = positions, h.body_weight = x.weight;
        } else {
          if (multi) {
            s.seen[doc >> 6] |= bit;
            s.slot[doc] = static_cast<std::uint32_t>(out.size());
          }
          out.push_back({doc, sc, in_body ? x.weight : 0.0f, mask, entry, positions, in_body ? entry : no_body,
                         positions});
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

  void forget(std::uint32_t t) {
    evaluated_[t] = false;
    hits_[t].clear();
  }

  const Hit* find_hit(std::uint32_t t, std::uint32_t doc) {
    const auto& h = term_hits(t);
    auto it = std::lower_bound(h.begin(), h.end(), doc, [](const Hit& a, std::uint32_t d) { return a.doc < d; });
    return it != h.end() && it->doc == doc ? &*it : nullptr;
  }

  void positions(const Hit& h, std::array<std::vector<std::uint32_t>, field_count>& out,
                 std::uint32_t cap = ~0u, std::size_t fields = field_count) const {
    decode_positions(d_, entry_at(d_, h.doc, h.entry, h.positions), out, cap, fields);
  }
  const Plan& plan() const { return plan_; }

  // Whether the phrase's words sit at their relative positions in one field.
  bool phrase_matches(const Alternative& alt, std::uint32_t doc) {
    std::vector<std::array<std::vector<std::uint32_t>, field_count>> pos(alt.terms.size());
    for (std::size_t i = 0; i < alt.terms.size(); ++i) positions(*find_hit(alt.terms[i], doc), pos[i]);
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

  // Postings a term clause's expansions hold: an upper bound of its documents, known without
  // walking them.
  std::size_t postings_of(std::uint32_t t) const {
    std::size_t n = 0;
    for (const auto& x : plan_.terms[t].expansions) n += d_.term_df[x.term];
    return n;
  }

  std::vector<DocScore> alternative(const Alternative& alt) {
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

  std::vector<DocScore> clause(const PlanClause& c) {
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

 private:
  const Index::Data& d_;
  const Plan& plan_;
  std::array<double, field_count> w_;
  std::vector<std::vector<Hit>> hits_;
  std::vector<bool> evaluated_;
};

// A function object, not a function: the sorts taking it inline the comparison instead of
// calling through a pointer.
constexpr struct Better {
  bool operator()(const Candidate& a, const Candidate& b) const {
    if (a.words != b.words) return a.words > b.words;
    if (a.score != b.score) return a.score > b.score;
    return a.doc < b.doc;
  }
} better;

std::string section_of(std::string_view url, std::string_view root) {
  auto text = url_text(url, root);
  auto space = text.find(' ');
  return text.substr(0, space);
}

// Closeness of consecutive query words (1 = adjacent in order) in the best field, 0..1.
double closeness(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  if (a.empty() || b.empty()) return 0;
  std::uint32_t best = ~0u;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size() && best > 1) {  // 1 (adjacent, in order) is the closest
    if (a[i] < b[j]) best = std::min(best, b[j] - a[i]), ++i;
    else best = std::min(best, a[i] - b[j] + 1), ++j;  // reversed order costs one more
  }
  return best == ~0u ? 0 : 1.0 / best;
}

// The exact_title rule: the query's words at the start of a field (after the heading's
// numbering, `lead` tokens), or filling it. Positions are those of each word's best-scoring
// expansion; for a one-word query, `word_fields` (the fields any expansion of it is in) also
// tells a field that is that word alone: "Lambdas" equals `lambda` when the best match of
// `lambda` in that record is the exact word in its body.
double title_factor(const std::vector<std::array<std::vector<std::uint32_t>, field_count>>& pos,
                    const std::vector<bool>& present, const std::vector<std::uint32_t>& offsets,
                    const DocRecord& r, std::size_t field, std::uint32_t lead, std::uint8_t word_fields,
                    double equals, double starts) {
  if (pos.empty()) return 1.0;
  if (pos.size() == 1 && present[0] && (word_fields >> field & 1) && r.field_length[field] == lead + 1) return equals;
  for (std::size_t i = 0; i < pos.size(); ++i)
    if (!present[i] || !std::binary_search(pos[i][field].begin(), pos[i][field].end(), lead + offsets[i])) return 1.0;
  return r.field_length[field] <= lead + offsets.back() + 1 ? equals : starts;
}

// The search. With `bare_docs`, the results carry only url, type and score (no highlights, no
// snippets) and their document ids go to `bare_docs` (suggest reads their stored titles).
SearchResponse search_impl(const Index& index, const SearchRequest& request, std::vector<std::uint32_t>* bare_docs) {
  const auto started = std::chrono::steady_clock::now();
  const auto& d = index.data();
  const auto& site = d.settings;
  const auto& so = site.search;
  SearchResponse response;

  auto parsed = parse_query(request.q, request.prefix.value_or(so.prefix_search));
  PlanOptions po;
  po.typo = request.typo.value_or(so.typo_tolerance);
  po.one_typo_min_length = so.one_typo_min_length;
  po.two_typos_min_length = so.two_typos_min_length;
  po.deadline = started + limits::search_deadline;
  const Plan plan = make_plan(index, parsed, po);

  auto& s = scratch();
  s.ensure(d.docs.size(), d.page_groups);
  Scorer scorer(index, plan);

  // Phase 1: every clause, term-at-a-time, into per-document sums.
  std::uint16_t required = 0;
  for (const auto& c : plan.clauses) {
    if (!c.excluded && !c.optional) ++required;
  }
  // A clause of one word (the usual case) is its hits: they are read without building a copy.
  std::vector<std::vector<DocScore>> built(plan.clauses.size());
  std::vector<bool> is_built(plan.clauses.size(), false);
  auto one_word = [](const PlanClause& c) { return c.alternatives.size() == 1 && c.alternatives[0].terms.size() == 1; };
  // keep: only the documents whose bit is set are wanted (one-word clauses only).
  std::vector<std::uint32_t> kept;
  auto each_doc = [&](std::size_t i, const std::uint64_t* keep, auto&& fn) {
    const auto& c = plan.clauses[i];
    if (one_word(c)) {
      const float w = c.alternatives[0].weight;
      const auto t = c.alternatives[0].terms[0];
      if (keep) kept.push_back(t);
      for (const auto& h : scorer.term_hits(t, keep)) fn(h.doc, h.score * w);
      return;
    }
    if (!is_built[i]) built[i] = scorer.clause(c), is_built[i] = true;
    for (const auto& ds : built[i]) fn(ds.doc, ds.score);
  };
  auto size_of = [&](std::size_t i) -> std::size_t {
    const auto& c = plan.clauses[i];
    // Postings to walk (an upper bound of the documents when several terms expand the word).
    if (one_word(c)) return scorer.postings_of(c.alternatives[0].terms[0]);
    if (!is_built[i]) built[i] = scorer.clause(c), is_built[i] = true;
    return built[i].size();
  };
  // With several required clauses only the documents of the rarest one can match them all: the
  // others add to those documents only (no accumulator set up, nothing to rank, for the rest).
  // When none matches them all, the pass is redone over every document to rank the relaxed match.
  std::size_t driver = plan.clauses.size();
  if (required >= 2)
    for (std::size_t i = 0; i < plan.clauses.size(); ++i) {
      const auto& c = plan.clauses[i];
      if (c.excluded || c.optional) continue;
      if (driver == plan.clauses.size() || size_of(i) < size_of(driver)) driver = i;
    }
  auto& touched = s.touched;
  touched.clear();
  std::uint32_t gen = 0;
  bool all_match = false;
  // One word, the commonest query: its hits are the candidates, no accumulators needed.
  const bool single = plan.clauses.size() == 1 && one_word(plan.clauses[0]) && !plan.clauses[0].excluded;
  for (bool restrict : {driver < plan.clauses.size(), false}) {
    if (single) break;
    gen = Scratch::bump(s.doc_gen, s.doc_stamp);
    if (gen == 1) std::fill(s.excluded_stamp.begin(), s.excluded_stamp.end(), 0u);
    touched.clear();
    auto start = [&](std::uint32_t doc) {
      s.doc_stamp[doc] = gen;
      s.score[doc] = 0;
      s.count[doc] = 0;
      touched.push_back(doc);
    };
    if (restrict)
      each_doc(driver, nullptr, [&](std::uint32_t doc, float) {
        start(doc);
        s.keep[doc >> 6] |= std::uint64_t{1} << (doc & 63);
      });
    for (std::size_t i = 0; i < plan.clauses.size(); ++i) {
      const auto& c = plan.clauses[i];
      // Optional clauses are stop words next to real words: nearly every record has them, so
      // their idf adds next to nothing to any score, yet walking them costs a posting per record.
      if (c.optional && required > 0) continue;
      // The other required words keep hits for the driver's documents only: later steps (rerank,
      // snippets) look hits up for candidates only, and a pinned landing page may be no candidate.
      const bool filter = restrict && i != driver && !c.excluded && site.landing_pages.empty();
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
    for (auto doc : touched)
      if (s.excluded_stamp[doc] != gen && s.count[doc] == required) {
        all_match = true;
        break;
      }
    if (all_match || !restrict) break;
    for (auto t : kept) scorer.forget(t);  // the relaxed pass needs every document's hits
    kept.clear();
  }

  const std::string from_key = request.from_url.empty() ? std::string() : section_of(request.from_url, site.url);
  const std::uint32_t from_section = from_key.empty() ? Index::Data::no_section : d.section_id(from_key);
  auto& cands = s.cands;
  cands.clear();
  auto ranked_score = [&](std::uint32_t doc, float score) {
    double sc = score * d.doc_boost[doc];
    if (from_section != Index::Data::no_section && d.doc_section[doc] == from_section) sc *= site.boosts.current_section;
    return static_cast<float>(sc);
  };
  if (single) {
    const auto& alt = plan.clauses[0].alternatives[0];
    const auto& hits = scorer.term_hits(alt.terms[0]);
    cands.reserve(hits.size());
    for (const auto& h : hits) cands.push_back({h.doc, 0, ranked_score(h.doc, h.score * alt.weight)});
    all_match = !cands.empty();
  }
  cands.reserve(touched.size());
  for (auto doc : touched) {
    if (s.excluded_stamp[doc] == gen) continue;
    std::uint16_t words = s.count[doc];
    if (all_match ? words != required : words == 0) continue;
    cands.push_back({doc, all_match ? std::uint16_t(0) : words, ranked_score(doc, s.score[doc])});
  }
  response.relaxed = !all_match && !cands.empty();
  // scattered: with every word required and matched, the page records whose page has sections
  // but none among the candidates (none holds every word) score less.
  if (all_match && required >= 2 && !d.doc_is_section.empty()) {
    const auto g = Scratch::bump(s.group_gen, s.group_stamp);
    for (const auto& c : cands)
      if (d.doc_is_section[c.doc]) s.group_stamp[d.doc_group[c.doc]] = g;
    for (auto& c : cands) {
      const auto grp = d.doc_group[c.doc];
      if (!d.doc_is_section[c.doc] && d.group_has_sections[grp] && s.group_stamp[grp] != g)
        c.score *= scattered_page_factor;
    }
  }

  // Phase 2: positions for the best candidates only.
  const std::size_t rerank = std::min(cands.size(), limits::rerank_candidates);
  if (rerank > 0 && !plan.sequence.empty()) {
    std::nth_element(cands.begin(), cands.begin() + (rerank - 1), cands.end(), better);
    const auto& seq = plan.sequence;
    std::vector<std::array<std::vector<std::uint32_t>, field_count>> pos(seq.size());
    std::vector<bool> present(seq.size());
    std::vector<std::uint32_t> offsets(seq.size());
    for (std::size_t i = 0; i < seq.size(); ++i)
      offsets[i] = plan.terms[seq[i]].position - plan.terms[seq[0]].position;
    const std::size_t rerank_fields = static_cast<std::size_t>(seq.size() > 1 ? Field::body : Field::section_title) + 1;
    // The candidates in document order: each word's hits for all of them are one forward sweep
    // of its list. Their entries are then asked for at once, so the cache misses overlap.
    std::sort(cands.begin(), cands.begin() + rerank, [](const Candidate& a, const Candidate& b) { return a.doc < b.doc; });
    std::vector<const Hit*> found_hits(rerank * seq.size());
    for (std::size_t i = 0; i < seq.size(); ++i) {
      const auto& hits = scorer.term_hits(seq[i]);
      const Hit *at = hits.data(), *end = at + hits.size();
      for (std::size_t k = 0; k < rerank; ++k) {
        const Hit* h = found_hits[k * seq.size() + i] = seek(at, end, cands[k].doc);
        if (!h) continue;
        __builtin_prefetch(d.postings.data() + h->entry);
        __builtin_prefetch(d.positions.data() + h->positions);
      }
    }
    for (std::size_t k = 0; k < rerank; ++k) {
      auto& c = cands[k];
      for (std::size_t i = 0; i < seq.size(); ++i) {
        const Hit* h = found_hits[k * seq.size() + i];
        present[i] = h != nullptr;
        // Proximity and the title rules read title, section title and body, never the URL;
        // one word has no proximity, so its body positions are not needed.
        if (h) scorer.positions(*h, pos[i], limits::rerank_positions, rerank_fields);
        else
          for (auto& v : pos[i]) v.clear();
      }
      double factor = 1.0;
      if (seq.size() > 1) {
        double sum = 0;
        for (std::size_t i = 0; i + 1 < seq.size(); ++i) {
          double best = 0;
          // Parts of one identifier are together wherever the identifier is, also in the URL
          // field's names ("dict.get" defined in a record).
          if (plan.joined[i] >= 0 && scorer.find_hit(static_cast<std::uint32_t>(plan.joined[i]), c.doc)) best = 1.0;
          for (std::size_t f = 0; f < 3 && best < 1.0; ++f) best = std::max(best, closeness(pos[i][f], pos[i + 1][f]));
          sum += best;
        }
        factor *= 1.0 + proximity_weight * sum / double(seq.size() - 1);
      }
      const auto& r = d.docs[c.doc];
      // title_coverage: how much of the title the query's words make up.
      std::size_t in_title = 0;
      for (std::size_t i = 0; i < seq.size(); ++i) in_title += present[i] && !pos[i][0].empty();
      if (in_title > 0 && r.field_length[0] > 0)
        factor *= 1.0 + title_coverage_weight * std::min(1.0, double(in_title) / r.field_length[0]);
      const std::uint8_t word_fields = seq.size() == 1 && found_hits[k] ? found_hits[k]->fields : 0;
      factor *= title_factor(pos, present, offsets, r, static_cast<std::size_t>(Field::title), r.numbering[0],
                             word_fields, title_equals_bonus, title_starts_bonus);
      factor *= title_factor(pos, present, offsets, r, static_cast<std::size_t>(Field::section_title),
                             r.numbering[1], word_fields, section_title_equals_bonus, section_title_starts_bonus);
      c.score = static_cast<float>(c.score * factor);
    }
  }

  // Collector: distinct by page, exact total, top start+num.
  const bool distinct = request.distinct.value_or(so.distinct_by_page);
  auto& ranked = s.ranked;
  ranked.clear();
  if (distinct) {
    ranked.reserve(std::min<std::size_t>(cands.size(), d.page_groups));
    const auto g = Scratch::bump(s.group_gen, s.group_stamp);
    for (const auto& c : cands) {
      auto grp = d.doc_group[c.doc];
      if (s.group_stamp[grp] != g) {
        s.group_stamp[grp] = g;
        s.group_best[grp] = static_cast<std::uint32_t>(ranked.size());
        ranked.push_back(c);
      } else if (better(c, ranked[s.group_best[grp]])) {
        ranked[s.group_best[grp]] = c;
      }
    }
  } else {
    ranked.swap(cands);
  }
  response.total = ranked.size();

  // Landing pages: pinned first for their query.
  std::int64_t pinned = -1;
  if (!d.pins.empty()) {
    const auto q = normalize_query(d.analyzer, request.q);
    for (const auto& pin : d.pins) {
      if (q.empty() || pin.query != q || pin.doc < 0) continue;
      pinned = pin.doc;
      break;
    }
  }
  if (pinned >= 0) {
    auto grp = d.docs[pinned].page_group;
    auto before = ranked.size();
    std::erase_if(ranked, [&](const Candidate& c) {
      return c.doc == static_cast<std::uint32_t>(pinned) || (distinct && d.doc_group[c.doc] == grp);
    });
    if (ranked.size() == before) ++response.total;
  }
  const std::size_t start = std::min<std::size_t>(request.start, limits::max_results_window);
  const std::size_t want = std::min<std::size_t>(start + request.num, limits::max_results_window);
  std::size_t pin_extra = pinned >= 0 ? 1 : 0;
  const std::size_t keep = std::min(ranked.size(), want > pin_extra ? want - pin_extra : 0);
  std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(), better);
  ranked.resize(keep);
  if (pinned >= 0) ranked.insert(ranked.begin(), Candidate{static_cast<std::uint32_t>(pinned), 0, 0.0f});
  if (bare_docs) {
    for (std::size_t k = start; k < ranked.size(); ++k) {
      const auto& r = d.docs[ranked[k].doc];
      SearchResult res;
      res.url = d.slice(r.url);
      res.type = r.type;
      res.score = ranked[k].score;
      response.results.push_back(std::move(res));
      bare_docs->push_back(ranked[k].doc);
    }
    response.took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    return response;
  }

  // Results for the returned page: stored fields, highlights, snippets.
  HighlightOptions ho;
  ho.pre_tag = request.highlight_pre_tag.value_or(so.highlight_pre_tag);
  ho.post_tag = request.highlight_post_tag.value_or(so.highlight_post_tag);
  ho.snippet_length = request.snippet_length.value_or(so.snippet_length);
  std::vector<std::uint32_t> positive;
  for (const auto& c : plan.clauses)
    if (!c.excluded)
      for (const auto& a : c.alternatives)
        for (auto t : a.terms)
          if (!plan.terms[t].stop) positive.push_back(t);
  // The page's records, entries and text are far apart in memory: each stage below asks for what
  // the next one reads, for every result of the page, so their cache misses overlap instead of
  // coming one after another.
  const auto prefetch_text = [&](std::size_t offset, std::size_t bytes) {
    for (std::size_t at = 0; at < bytes; at += 64) __builtin_prefetch(d.text.data() + std::min(offset + at, d.text.size()));
  };
  struct Pending {
    std::uint32_t doc;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> found;  ///< body positions of matches, word
    std::uint32_t position = 0;                                  ///< where the snippet starts
    Checkpoint checkpoint;
    std::size_t from = 0;                                        ///< its byte offset in the body
  };
  std::vector<Pending> page;
  page.reserve(ranked.size() - std::min(start, ranked.size()));
  response.results.reserve(page.capacity());
  std::vector<const Hit*> body_hits;  // per result, per positive word
  for (std::size_t k = start; k < ranked.size(); ++k) {
    const auto doc = ranked[k].doc;
    page.push_back({doc, {}, 0, {}, 0});
    __builtin_prefetch(&d.docs[doc]);
    __builtin_prefetch(&d.checkpoint_offset[doc]);
    for (auto t : positive) {
      const Hit* hit = scorer.find_hit(t, doc);
      body_hits.push_back(hit && hit->body_weight > 0 ? hit : nullptr);
      if (!body_hits.back()) continue;
      __builtin_prefetch(d.postings.data() + hit->body_entry);
      __builtin_prefetch(d.positions.data() + hit->body_positions);
    }
  }
  std::array<std::vector<std::uint32_t>, field_count> tmp;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> run, merged;
  const std::size_t snippet_length = std::max<std::size_t>(ho.snippet_length, 20);
  for (std::size_t k = 0; k < page.size(); ++k) {
    auto& pg = page[k];
    for (std::uint32_t i = 0; i < positive.size(); ++i) {
      const Hit* hit = body_hits[k * positive.size() + i];
      if (!hit) continue;
      decode_positions(d, entry_at(d, pg.doc, hit->body_entry, hit->body_positions), tmp, limits::snippet_positions,
                       static_cast<std::size_t>(Field::body) + 1);
      // Each word's positions come sorted: merge them in, so the snippet needs no sort.
      run.clear();
      for (auto p : tmp[static_cast<std::size_t>(Field::body)]) run.emplace_back(p, positive[i]);
      merged.resize(pg.found.size() + run.size());
      std::merge(pg.found.begin(), pg.found.end(), run.begin(), run.end(), merged.begin());
      pg.found.swap(merged);
    }
    const auto& r = d.docs[pg.doc];
    prefetch_text(r.title.offset, r.title.length);
    prefetch_text(r.section_title.offset, r.section_title.length);
    prefetch_text(r.hierarchy.offset, r.hierarchy.length);
    if (pg.found.empty()) {
      prefetch_text(r.body.offset, snippet_length + 64);
      continue;
    }
    pg.position = snippet_position(pg.found, snippet_length);
    __builtin_prefetch(d.checkpoints.data() + d.checkpoint_offset[pg.doc]);
  }
  for (auto& pg : page) {
    if (pg.found.empty()) continue;
    pg.checkpoint = snippet_checkpoint(index, pg.doc, pg.position);
    prefetch_text(d.docs[pg.doc].body.offset + pg.checkpoint.offset, 256);
  }
  for (auto& pg : page) {
    if (pg.found.empty()) continue;
    pg.from = snippet_offset(index, pg.doc, pg.checkpoint, pg.position);
    prefetch_text(d.docs[pg.doc].body.offset + pg.from, snippet_length + 64);
  }
  Highlighter highlighter(d.analyzer, plan.highlight, ho);
  for (std::size_t k = 0; k < page.size(); ++k) {
    const auto doc = page[k].doc;
    const auto& r = d.docs[doc];
    SearchResult res;
    res.url = d.slice(r.url);
    res.type = r.type;
    res.score = ranked[start + k].score;
    res.title = highlighter.text(d.slice(r.title));
    res.section_title = highlighter.text(d.slice(r.section_title));
    auto h = d.slice(r.hierarchy);
    while (!h.empty()) {
      auto cut = h.find('\x1f');
      res.hierarchy.emplace_back(h.substr(0, cut));
      if (cut == std::string_view::npos) break;
      h.remove_prefix(cut + 1);
    }
    res.body = highlighter.snippet(index, doc, page[k].from);
    response.results.push_back(std::move(res));
  }
  response.took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return response;
}

}  // namespace

SearchResponse search_index(const Index& index, const SearchRequest& request) {
  return search_impl(index, request, nullptr);
}

std::vector<Suggestion> suggest_index(const Index& index, const SuggestRequest& request) {
  const auto& d = index.data();
  std::vector<Suggestion> out;
  const std::size_t num = std::min<std::size_t>(request.num, limits::max_suggestions);
  if (num == 0) return out;
  auto tokens = d.analyzer.analyze(request.q);
  std::erase_if(tokens, [](const Token& t) { return t.kind == TokenKind::part || t.term.empty(); });
  if (tokens.empty()) return out;
  // Word completions of the last word, most frequent first, after the words before it.
  std::string lead;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) lead += tokens[i].term + " ";
  auto [lo, hi] = index.prefix_range(tokens.back().term);
  std::vector<std::uint32_t> ids;
  for (auto id = lo; id < hi; ++id) ids.push_back(id);
  const std::size_t words = std::min(ids.size(), (num + 1) / 2);
  std::partial_sort(ids.begin(), ids.begin() + words, ids.end(),
                    [&](auto a, auto b) { return d.term_df[a] != d.term_df[b] ? d.term_df[a] > d.term_df[b] : a < b; });
  for (std::size_t i = 0; i < words; ++i) out.push_back({lead + std::string(d.term(ids[i])), ""});
  // Titles of the best matching pages.
  SearchRequest sr;
  sr.q = request.q;
  sr.num = static_cast<std::uint32_t>(num * 2);
  sr.distinct = true;
  std::vector<std::uint32_t> docs;
  auto res = search_impl(index, sr, &docs);
  // Suggestions carry plain text: the stored title, not the highlighted one.
  for (std::size_t k = 0; k < docs.size() && out.size() < num; ++k) {
    const auto& r = d.docs[docs[k]];
    auto title = d.slice(r.type == DocumentType::page ? r.title : r.section_title);
    if (!title.empty()) out.push_back({std::string(title), res.results[k].url});
  }
  return out;
}

}  // namespace siteseek
