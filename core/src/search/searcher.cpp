// The search: a query's phases in order (plan, match, rank, collect, page), and suggest.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>

#include "index/index_data.hpp"
#include "index/url_text.hpp"
#include "search/collect.hpp"
#include "search/page.hpp"
#include "search/plan.hpp"
#include "search/query_parser.hpp"
#include "search/ranking.hpp"
#include "search/score.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/search.hpp"

namespace siteseek {

using namespace detail;

namespace {

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
  const Matches matches = match(index, plan, scorer, s);
  const bool all_match = matches.all_match;
  const std::uint16_t required = matches.required;

  const std::string from_key = request.from_url.empty() ? std::string() : section_of(request.from_url, site.url);
  const std::uint32_t from_section = from_key.empty() ? Index::Data::no_section : d.section_id(from_key);
  auto& cands = s.cands;
  auto ranked_score = [&](std::uint32_t doc, float score) {
    double sc = score * d.doc_boost[doc];
    if (from_section != Index::Data::no_section && d.doc_section[doc] == from_section) sc *= site.boosts.current_section;
    return static_cast<float>(sc);
  };
  for (auto& c : cands) {
    if (!all_match) c.words = s.count[c.doc];
    c.score = ranked_score(c.doc, c.score);
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

  const Collected top = collect(index, request, s);
  response.total = top.total;
  const std::span<const Candidate> page(s.ranked.data() + std::min(top.start, s.ranked.size()), s.ranked.data() + s.ranked.size());
  if (bare_docs) bare_results(index, page, response.results, *bare_docs);
  else page_results(index, plan, scorer, request, page, response.results);
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
