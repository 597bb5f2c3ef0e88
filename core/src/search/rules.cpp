// The ranking rules and the stages that run them, each stage its rules in the list's order.
#include "search/rules.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "index/url_text.hpp"
#include "search/ranking.hpp"
#include "siteseek/limits.hpp"

namespace siteseek::detail {

namespace {

// Title, section title and body: the fields proximity and the title rules read (never the URL).
constexpr std::size_t text_fields = static_cast<std::size_t>(Field::body) + 1;

// The rule at position i of the list, as a type: rule() is a constant expression. (A pointer to
// an array element as a template argument, which g++ takes, is refused by clang 14.)
template <std::size_t i>
struct RuleAt {
  constexpr const RankingRule* operator()() const { return &ranking_rules[i]; }
};

// Calls fn(rule) for each rule of `stage`, in the list's order. The rule is a compile-time
// constant, so its function is called directly (and may be inlined), never through a pointer:
// the weight stage runs once per expansion of every word.
template <RuleStage stage, typename Fn>
void for_each_rule(Fn&& fn) {
  [&]<std::size_t... i>(std::index_sequence<i...>) {
    ([&] {
      if constexpr (ranking_rules[i].stage == stage) fn(RuleAt<i>{});
    }(), ...);
  }(std::make_index_sequence<ranking_rules.size()>{});
}

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

// Whether title_is_word gives the one-word bonus (exact_title then leaves it): a query of one word
// as typed, matched in any field. Title suggestions (the word kept to titles) keep it in the
// re-ranking: every candidate there holds the word in a title, and reading their lengths before
// the window added a fifth to a suggestion's median on a million sections.
bool title_is_word_applies(const Plan& plan) {
  return plan.sequence.size() == 1 && plan.terms[plan.sequence[0]].position == plan.sequence_origin &&
         plan.terms[plan.sequence[0]].fields == 0;
}

// The query's words at the start of a field (after the heading's numbering, `lead` tokens), or
// filling it. Positions are those of each word's best-scoring expansion; for a one-word query,
// `word_fields` (the fields any expansion of it is in) also tells a field that is that word
// alone: "Lambdas" equals `lambda` when the best match of `lambda` in that record is the exact
// word in its body.
double title_factor(const std::vector<std::array<std::vector<std::uint32_t>, field_count>>& pos,
                    const std::vector<bool>& present, const std::vector<std::uint32_t>& offsets,
                    const DocRecord& r, std::size_t field, std::uint32_t lead, std::uint8_t word_fields,
                    double equals, double starts, bool given) {
  if (pos.empty()) return 1.0;
  // `given`: the record's own heading (a page's title, a section's section title) when it is the
  // one word, whose bonus title_is_word gave to every candidate already.
  if (pos.size() == 1 && offsets[0] == 0 && present[0] && (word_fields >> field & 1) && r.field_length[field] == lead + 1)
    return given ? 1.0 : equals;
  for (std::size_t i = 0; i < pos.size(); ++i)
    if (!present[i] || !std::binary_search(pos[i][field].begin(), pos[i][field].end(), lead + offsets[i])) return 1.0;
  return r.field_length[field] <= lead + offsets.back() + 1 ? equals : starts;
}

// ASCII letters made small (titles are compared with words folded so, byte for byte).
std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& ch : out) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  return out;
}

// Where `word` starts a word of `text` from `from` on (not after a letter, digit or '_'), or npos.
std::size_t word_start(std::string_view text, std::string_view word, std::size_t from = 0) {
  for (auto p = text.find(word, from); p != std::string_view::npos; p = text.find(word, p + 1))
    if (p == 0 || (!std::isalnum(static_cast<unsigned char>(text[p - 1])) && text[p - 1] != '_')) return p;
  return std::string_view::npos;
}

}  // namespace

namespace rule {

// Matching counted each record's required words; they matter only when not all matched.
void words(const RankingInput& in, std::span<Candidate> candidates) {
  if (in.matches.partial) {
    for (auto& c : candidates)
      for (auto n = in.s.count[c.doc]; n < in.matches.required; ++n) c.score *= partial_match_factor;
    return;
  }
  if (in.matches.all_match) return;
  for (auto& c : candidates) c.words = in.s.count[c.doc];
}

double match_kind(const TermClause&, const Expansion& expansion, double factor) { return factor * expansion.weight; }

double bm25f(const TermClause& word, const Expansion&, double factor) { return factor * word.idf; }

// The boost is computed once per record at index time (static_boost.cpp).
void document_boost(const RankingInput& in, std::span<Candidate> candidates) {
  const auto& boost = in.index.data().doc_boost;
  for (auto& c : candidates) c.score = c.score * boost[c.doc];
}

void current_section(const RankingInput& in, std::span<Candidate> candidates) {
  const auto& d = in.index.data();
  if (in.request.from_url.empty()) return;
  const std::string key = section_of(in.request.from_url, d.settings.url);
  const std::uint32_t from = key.empty() ? Index::Data::no_section : d.section_id(key);
  if (from == Index::Data::no_section) return;
  const double factor = d.settings.boosts.current_section;
  for (auto& c : candidates)
    if (d.doc_section[c.doc] == from) c.score = static_cast<float>(c.score * factor);
}

// With every word required and matched, the page records whose page has sections but none among
// the candidates (none holds every word) score less.
void scattered(const RankingInput& in, std::span<Candidate> candidates) {
  const auto& d = in.index.data();
  auto& s = in.s;
  if (!in.matches.all_match || in.matches.required < 2 || d.doc_is_section.empty()) return;
  const auto g = Scratch::bump(s.group_gen, s.group_stamp);
  // With partial matches among the candidates, only those holding every word count.
  const auto every_word = [&](const Candidate& c) { return !in.matches.partial || s.count[c.doc] == in.matches.required; };
  for (const auto& c : candidates)
    if (d.doc_is_section[c.doc] && every_word(c)) s.group_stamp[d.doc_group[c.doc]] = g;
  for (auto& c : candidates) {
    if (!every_word(c)) continue;
    const auto grp = d.doc_group[c.doc];
    if (!d.doc_is_section[c.doc] && d.group_has_sections[grp] && s.group_stamp[grp] != g)
      c.score *= scattered_page_factor;
  }
}

// One word: whether a record's own heading (a page's title, a section's section title) is that
// word needs no positions, only the word's fields (any expansion's) and the record's lengths, so
// every candidate gets that bonus before the re-ranking chooses its few; given there only, a page
// titled by the word could be left out by the many short records of the pages most linked to (a
// class and its members' sections). A section under a page titled by the word gets that bonus in
// the re-ranking, as before; a record too far down for the bonus to lift it among the best keeps
// its score, as it did before this rule.
void title_is_word(const RankingInput& in, std::span<Candidate> candidates) {
  const auto& plan = in.plan;
  if (!title_is_word_applies(plan)) return;
  const auto& d = in.index.data();
  const auto& hits = in.scorer.term_hits(plan.sequence[0]);
  // Only a record the bonus could bring among the best limits::rerank_candidates has its lengths
  // read: one whose score, multiplied, reaches the k-th best without it, and one of the
  // title_is_word_checked best. Reading every title hit's record cost a broad word a cache miss
  // each (a million-section site's "function": most of its records are titled with it).
  float floor = 0;
  std::size_t ties = SIZE_MAX;  // candidates scoring the floor exactly that may still be read
  const std::size_t k = limits::rerank_candidates, m = std::max(k, title_is_word_checked);
  if (candidates.size() > k) {  // fewer: every one is read
    thread_local std::vector<float> best;  // the m best scores (with more, the worst of them on top)
    best.clear();
    for (const auto& c : candidates) {
      if (candidates.size() <= m) {
        best.push_back(c.score);
      } else if (best.size() < m) {
        best.push_back(c.score);
        std::push_heap(best.begin(), best.end(), std::greater<>());
      } else if (c.score > best.front()) {
        std::pop_heap(best.begin(), best.end(), std::greater<>());
        best.back() = c.score;
        std::push_heap(best.begin(), best.end(), std::greater<>());
      }
    }
    const float mth = candidates.size() > m ? best.front() : 0.0f;
    std::nth_element(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(k - 1), best.end(), std::greater<>());
    floor = std::max(mth, static_cast<float>(best[k - 1] / std::max(title_equals_bonus, section_title_equals_bonus)));
    // Many records can share the floor's score (a site repeating titles): those read stop at m.
    ties = m - static_cast<std::size_t>(std::count_if(best.begin(), best.end(), [&](float x) { return x > floor; }));
  }
  // First the candidates whose own heading holds the word, their records asked of memory together
  // (each is a cache miss on a large site), then their lengths.
  struct Held {
    std::uint32_t candidate;
    bool section;  // whose own heading is its section title, not its page's title
  };
  thread_local std::vector<Held> held;
  held.clear();
  const Hit* at = hits.data();
  const Hit* const end = hits.data() + hits.size();
  std::uint32_t last = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    if (c.score < floor) continue;
    if (c.score == floor) {
      if (ties == 0) continue;
      --ties;
    }
    // The candidates of one word are its hits' records, in document order: a forward walk, which
    // reads the hits in order (a search for each cost a cache miss a step), or a search should
    // they not be in order.
    if (c.doc < last) at = std::lower_bound(hits.data(), end, c.doc, [](const Hit& h, std::uint32_t doc) { return h.doc < doc; });
    last = c.doc;
    while (at != end && at->doc < c.doc) ++at;
    if (at == end || at->doc != c.doc) continue;
    const bool section = d.doc_is_section[c.doc];
    const auto field = section ? Field::section_title : Field::title;
    if (!(at->fields >> static_cast<unsigned>(field) & 1)) continue;
    __builtin_prefetch(d.docs.data() + c.doc);
    held.push_back({static_cast<std::uint32_t>(i), section});
  }
  for (const auto& h : held) {
    auto& c = candidates[h.candidate];
    const auto f = static_cast<std::size_t>(h.section ? Field::section_title : Field::title);
    const auto& r = d.record(c.doc);
    if (r.field_length[f] == r.numbering[f] + 1u)
      c.score = static_cast<float>(c.score * (h.section ? section_title_equals_bonus : title_equals_bonus));
  }
}

void proximity(const RankingInput& in, const Reranked& c, double& factor) {
  const auto& plan = in.plan;
  const auto& seq = plan.sequence;
  if (seq.size() < 2) return;
  const auto& pos = c.positions;
  double sum = 0;
  for (std::size_t i = 0; i + 1 < seq.size(); ++i) {
    double best = 0;
    // Parts of one identifier are together wherever the identifier is, also in the URL
    // field's names ("dict.get" defined in a record).
    if (plan.joined[i] >= 0 && in.scorer.find_hit(static_cast<std::uint32_t>(plan.joined[i]), c.doc)) best = 1.0;
    for (std::size_t f = 0; f < text_fields && best < 1.0; ++f) best = std::max(best, closeness(pos[i][f], pos[i + 1][f]));
    sum += best;
  }
  factor *= 1.0 + proximity_weight * sum / double(seq.size() - 1);
}

void exact_title(const RankingInput& in, const Reranked& c, double& factor) {
  const auto& seq = in.plan.sequence;
  const auto& pos = c.positions;
  const auto& r = c.record;
  // How much of the title the query's words make up.
  std::size_t in_title = 0;
  for (std::size_t i = 0; i < seq.size(); ++i) in_title += c.present[i] && !pos[i][0].empty();
  if (in_title > 0 && r.field_length[0] > 0)
    factor *= 1.0 + title_coverage_weight * std::min(1.0, double(in_title) / r.field_length[0]);
  const std::uint8_t word_fields = seq.size() == 1 && c.hits[0] ? c.hits[0]->fields : 0;
  const bool section = in.index.data().doc_is_section[c.doc], given = title_is_word_applies(in.plan);
  // A one-word query's word that begins a longer snake_case name in a title ("autovacuum" in
  // "autovacuum_work_mem (integer)") does not start that title: the name is another thing's
  // (a dotted or '::' name, "logging.config", is a member of the word's and still starts it).
  const auto starts_other_name = [&](TextRef ref) {
    if (seq.size() != 1 || !c.hits[0]) return false;
    // The word as the record holds it: the expansion that matched it best (a typo's correction).
    const auto& tc = in.plan.terms[seq[0]];
    const std::string_view w = c.hits[0]->best < tc.expansions.size() ? in.index.data().term(tc.expansions[c.hits[0]->best].term)
                                                                      : std::string_view(tc.text);
    if (w.empty()) return false;
    const std::string t = ascii_lower(in.index.data().slice(ref));
    const auto p = word_start(t, w);
    if (p == std::string::npos) return false;
    const auto e = p + w.size();
    return e + 1 < t.size() && t[e] == '_' && std::isalnum(static_cast<unsigned char>(t[e + 1]));
  };
  const double tf = title_factor(pos, c.present, c.offsets, r, static_cast<std::size_t>(Field::title), r.numbering[0],
                                 word_fields, title_equals_bonus, title_starts_bonus, given && !section);
  factor *= tf == title_starts_bonus && starts_other_name(r.title) ? 1.0 : tf;
  const double sf = title_factor(pos, c.present, c.offsets, r, static_cast<std::size_t>(Field::section_title),
                                 r.numbering[1], word_fields, section_title_equals_bonus, section_title_starts_bonus, given && section);
  factor *= sf == section_title_starts_bonus && starts_other_name(r.section_title) ? 1.0 : sf;
}

// Names that fold alike are told apart by the case the reader typed, when it was typed on
// purpose (a capital inside the word): a title holding the word only in another case names
// something else. A title without the word at all is not this rule's business.
void typed_case(const RankingInput& in, const Reranked& c, double& factor) {
  const auto& cased = in.plan.cased;
  if (cased.empty()) return;
  const auto& d = in.index.data();
  bool other_case = false;
  for (const auto* field : {&c.record.title, &c.record.section_title}) {
    const auto title = d.slice(*field);
    const auto folded = ascii_lower(title);
    for (const auto& w : cased) {
      const auto fw = ascii_lower(w);
      for (auto p = word_start(folded, fw); p != std::string_view::npos; p = word_start(folded, fw, p + 1)) {
        if (title.compare(p, w.size(), w) == 0) return;  // as typed
        other_case = true;
      }
    }
  }
  if (other_case) factor *= typed_case_factor;
}

}  // namespace rule

double expansion_weight(const TermClause& word, const Expansion& expansion) {
  double factor = 1.0;
  for_each_rule<RuleStage::weight>([&](auto rule) { factor = rule()->weigh(word, expansion, factor); });
  return factor;
}

void rank_candidates(const RankingInput& in, std::vector<Candidate>& candidates) {
  for_each_rule<RuleStage::candidates>([&](auto rule) { rule()->apply(in, candidates); });
}

void rerank_best(const RankingInput& in, std::vector<Candidate>& cands) { rerank_best(in, cands, limits::rerank_candidates); }

namespace {

// One expansion's title postings, walked forward (TitleCursor) as candidates come in document order.
struct TitleWalk {
  std::optional<TitleCursor> cursor;
  std::uint32_t doc = 0;
  std::uint64_t entry = 0, positions = 0;
  std::uint32_t k = 0;
  bool done = false;
};

// The title and section-title positions in record `doc` of the heaviest expansion of `word`
// that has it in one of them (`walks`: one per expansion, made here at first use); false when
// none has.
bool title_positions(const Index::Data& d, const TermClause& word, std::vector<TitleWalk>& walks, std::uint32_t doc,
                     std::array<std::vector<std::uint32_t>, field_count>& out) {
  if (walks.empty()) walks.resize(word.expansions.size());
  std::optional<std::size_t> best;
  std::uint64_t entry = 0, positions = 0;
  for (std::size_t x = 0; x < word.expansions.size(); ++x) {
    auto& w = walks[x];
    const auto kind = word.expansions[x].kind;
    if (kind != MatchKind::exact && kind != MatchKind::stem) continue;  // the word itself, another form of it
    if (w.done || (best && word.expansions[x].weight <= word.expansions[*best].weight)) continue;
    if (!w.cursor) {
      if (d.lazy) d.lazy->check_terms(d, word.expansions[x].term);  // its positions are read below
      w.cursor.emplace(d, word.expansions[x].term);
      if (!w.cursor->next(w.doc, w.entry, w.positions, w.k)) w.done = true;
    }
    while (!w.done && w.doc < doc)
      if (!w.cursor->next(w.doc, w.entry, w.positions, w.k)) w.done = true;
    if (!w.done && w.doc == doc) best = x, entry = w.entry, positions = w.positions;
  }
  if (!best) return false;
  decode_positions(d, entry_at(d, doc, entry, positions), out, limits::rerank_positions,
                   static_cast<std::size_t>(Field::section_title) + 1);
  return !out[0].empty() || !out[1].empty();
}

}  // namespace

void rerank_best(const RankingInput& in, std::span<Candidate> cands, std::size_t count) {
  const auto& d = in.index.data();
  const auto& plan = in.plan;
  const std::size_t rerank = std::min(cands.size(), count);
  if (rerank == 0 || plan.sequence.empty()) return;
  select_best(cands, rerank);
  const auto& seq = plan.sequence;
  std::vector<std::array<std::vector<std::uint32_t>, field_count>> pos(seq.size());
  std::vector<bool> present(seq.size());
  std::vector<std::uint32_t> offsets(seq.size());
  for (std::size_t i = 0; i < seq.size(); ++i)
    offsets[i] = plan.terms[seq[i]].position - plan.sequence_origin;
  // One word has no proximity, so its body positions are not needed.
  const std::size_t fields = seq.size() > 1 ? text_fields : static_cast<std::size_t>(Field::section_title) + 1;
  // The candidates in document order: each word's hits for all of them are one forward sweep
  // of its list. Their entries are then asked for at once, so the cache misses overlap.
  std::sort(cands.begin(), cands.begin() + rerank, [](const Candidate& a, const Candidate& b) { return a.doc < b.doc; });
  // A mapped snapshot's record blocks not read yet are asked for at once, so the disk reads
  // them together rather than one candidate after another (the first searches after a start).
  if (d.lazy)
    for (std::size_t k = 0; k < rerank; ++k) d.lazy->ahead_record(d, cands[k].doc);
  std::vector<const Hit*> found_hits(rerank * seq.size());
  for (std::size_t i = 0; i < seq.size(); ++i) {
    const auto& hits = in.scorer.term_hits(seq[i]);
    const Hit *at = hits.data(), *end = at + hits.size();
    for (std::size_t k = 0; k < rerank; ++k) {
      const Hit* h = found_hits[k * seq.size() + i] = seek(at, end, cands[k].doc);
      if (!h) continue;
      const auto [entry, positions] = in.scorer.at(seq[i], *h);
      __builtin_prefetch(d.postings.data() + entry);
      __builtin_prefetch(d.positions.data() + positions);
    }
  }
  // A word's positions are its best expansion's. When another of its expansions is the one in
  // the record's title or section title ("Anonymous Functions" for "anonymous function", whose
  // body holds "function" itself), the title rules read that one's title positions: found by
  // walking its title postings forward, the candidates being in document order.
  std::vector<std::vector<TitleWalk>> title_walks(seq.size());
  std::array<std::vector<std::uint32_t>, field_count> title_pos;
  for (std::size_t k = 0; k < rerank; ++k) {
    auto& c = cands[k];
    const std::span<const Hit* const> hits(found_hits.data() + k * seq.size(), seq.size());
    for (std::size_t i = 0; i < seq.size(); ++i) {
      present[i] = hits[i] != nullptr;
      if (hits[i]) {
        in.scorer.positions(seq[i], *hits[i], pos[i], limits::rerank_positions, fields);
        if ((hits[i]->fields & Index::Data::title_fields) && pos[i][0].empty() && pos[i][1].empty() && !d.title_offset.empty() &&
            title_positions(d, plan.terms[seq[i]], title_walks[i], c.doc, title_pos)) {
          pos[i][0] = title_pos[0];
          pos[i][1] = title_pos[1];
        }
      } else {
        for (auto& v : pos[i]) v.clear();
      }
    }
    const Reranked reranked{c.doc, d.record(c.doc), hits, pos, present, offsets};
    // The factors multiply in the list's order, then the score once.
    double factor = 1.0;
    for_each_rule<RuleStage::rerank>([&](auto rule) { rule()->rerank(in, reranked, factor); });
    c.score = static_cast<float>(c.score * factor);
  }
}

}  // namespace siteseek::detail
