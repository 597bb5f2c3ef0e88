// The returned page of results: stored fields, highlights and snippets, for those results only.
#include "search/page.hpp"

#include <algorithm>

#include "search/highlight.hpp"
#include "siteseek/limits.hpp"

namespace siteseek::detail {

namespace {

// Prefetches ask for whole cache lines.
constexpr std::size_t cache_line = 64;
// The body text snippet_offset reads from a checkpoint to the snippet's start: checkpoints are
// every 16 positions (index/builder.cpp), about this many bytes of words.
constexpr std::size_t checkpoint_walk_bytes = 256;

}  // namespace

void bare_results(const Index& index, std::span<const Candidate> ranked, std::vector<SearchResult>& out,
                  std::vector<std::uint32_t>& docs) {
  const auto& d = index.data();
  for (const auto& c : ranked) {
    const auto& r = d.record(c.doc);
    SearchResult res;
    res.url = d.slice(r.url);
    res.type = r.type;
    res.score = c.score;
    out.push_back(std::move(res));
    docs.push_back(c.doc);
  }
}

void page_results(const Index& index, const Plan& plan, Scorer& scorer, const SearchRequest& request,
                  std::span<const Candidate> ranked, const SubRanked& sub, std::vector<SearchResult>& out) {
  const auto& d = index.data();
  const auto& so = d.settings.search;
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
  // the next one reads, for every result of the page (and every sub-result after them), so their
  // cache misses overlap instead of coming one after another.
  const auto prefetch_text = [&](std::size_t offset, std::size_t bytes) {
    for (std::size_t at = 0; at < bytes; at += cache_line) __builtin_prefetch(d.text.data() + std::min(offset + at, d.text.size()));
  };
  const std::size_t snippet_length = std::max<std::size_t>(ho.snippet_length, limits::min_snippet_length);
  const std::size_t sub_snippet_length = std::min(snippet_length, limits::sub_result_snippet_length);
  struct Pending {
    std::uint32_t doc;
    std::size_t length;                                          ///< of its snippet
    std::vector<std::pair<std::uint32_t, std::uint32_t>> found;  ///< body positions of matches, word
    std::uint32_t position = 0;                                  ///< where the snippet starts
    Checkpoint checkpoint;
    std::size_t from = 0;                                        ///< its byte offset in the body
    /// The body's bytes the snippet reads, from byte `base` on: the whole body, a view of the
    /// text, unless the bodies are compressed; then the blocks around the snippet, in `buf`.
    std::string_view window;
    std::size_t base = 0;
    std::string buf;
  };
  // The results, then the sub-results in their order.
  const std::size_t records = ranked.size() + sub.records.size();
  std::vector<Pending> page;
  page.reserve(records);
  out.reserve(ranked.size());
  std::vector<const Hit*> body_hits;  // per record, per positive word
  for (std::size_t k = 0; k < records; ++k) {
    const bool is_sub = k >= ranked.size();
    const auto doc = is_sub ? sub.records[k - ranked.size()].doc : ranked[k].doc;
    page.push_back({doc, is_sub ? sub_snippet_length : snippet_length, {}, 0, {}, 0, {}, 0, {}});
    if (d.lazy) d.lazy->ahead_record(d, doc);  // from the disk, as the prefetches below from memory
    __builtin_prefetch(d.docs.data() + doc);
    __builtin_prefetch(&d.checkpoint_offset[doc]);
    for (auto t : positive) {
      const Hit* hit = scorer.find_hit(t, doc);
      body_hits.push_back(hit && hit->body != Hit::no_body ? hit : nullptr);
      if (!body_hits.back()) continue;
      const auto [entry, positions] = scorer.body_at(t, *hit);
      __builtin_prefetch(d.postings.data() + entry);
      __builtin_prefetch(d.positions.data() + positions);
    }
  }
  std::array<std::vector<std::uint32_t>, field_count> tmp;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> run, merged;
  for (std::size_t k = 0; k < page.size(); ++k) {
    auto& pg = page[k];
    for (std::uint32_t i = 0; i < positive.size(); ++i) {
      const Hit* hit = body_hits[k * positive.size() + i];
      if (!hit) continue;
      const auto [entry, positions] = scorer.body_at(positive[i], *hit);
      decode_positions(d, entry_at(d, pg.doc, entry, positions), tmp, limits::snippet_positions,
                       static_cast<std::size_t>(Field::body) + 1);
      // Each word's positions come sorted: merge them in, so the snippet needs no sort.
      run.clear();
      for (auto p : tmp[static_cast<std::size_t>(Field::body)]) run.emplace_back(p, positive[i]);
      merged.resize(pg.found.size() + run.size());
      std::merge(pg.found.begin(), pg.found.end(), run.begin(), run.end(), merged.begin());
      pg.found.swap(merged);
    }
    const auto& r = d.record(pg.doc);
    if (d.lazy) {  // a mapped snapshot's text blocks not read yet, asked of the disk at once
      d.lazy->ahead_text(d, r.title.offset, r.title.length);
      d.lazy->ahead_text(d, r.section_title.offset, r.section_title.length);
      d.lazy->ahead_text(d, r.hierarchy.offset, r.hierarchy.length);
      d.lazy->ahead_text(d, r.url.offset, r.url.length);
      if (pg.found.empty()) {
        const auto [at, n] = d.body_extent(r, 0, pg.length + cache_line);
        d.lazy->ahead_text(d, at, n);
      }
    }
    prefetch_text(r.title.offset, r.title.length);
    prefetch_text(r.section_title.offset, r.section_title.length);
    prefetch_text(r.hierarchy.offset, r.hierarchy.length);
    if (pg.found.empty()) {
      const auto [at, n] = d.body_extent(r, 0, pg.length + cache_line);
      prefetch_text(at, n);
      continue;
    }
    pg.position = snippet_position(pg.found, pg.length);
    __builtin_prefetch(d.checkpoints.data() + d.checkpoint_offset[pg.doc]);
  }
  for (auto& pg : page) {
    if (pg.found.empty()) continue;
    pg.checkpoint = snippet_checkpoint(index, pg.doc, pg.position);
    const auto& r = d.record(pg.doc);
    if (d.lazy) {
      const auto [at, n] = d.body_extent(r, pg.checkpoint.offset, checkpoint_walk_bytes + pg.length);
      d.lazy->ahead_text(d, at, n);
    }
    const auto [at, n] = d.body_extent(r, pg.checkpoint.offset, checkpoint_walk_bytes);
    prefetch_text(at, n);
  }
  const bool compressed = d.bodies_compressed();
  for (auto& pg : page) {
    const auto& r = d.record(pg.doc);
    const std::size_t size = r.body.length;
    // Compressed, a block or two: the walk from the checkpoint and the snippet after it, with
    // room for long words (a block decompressed costs the same for any part of it).
    pg.base = compressed && !pg.found.empty() ? pg.checkpoint.offset : 0;
    pg.window = d.body_text(r, pg.base, compressed ? pg.base + checkpoint_walk_bytes + pg.length + 1 : size, pg.buf);
    if (!pg.found.empty()) {
      pg.from = snippet_offset(index, pg.window, pg.base, size, pg.checkpoint, pg.position);
      if (pg.from == std::string::npos) {  // words longer than the room left: the rest of the body
        pg.window = d.body_text(r, pg.base, size, pg.buf);
        pg.from = snippet_offset(index, pg.window, pg.base, size, pg.checkpoint, pg.position);
      }
    }
    if (pg.base + pg.window.size() < std::min(size, pg.from + pg.length + 1)) {
      pg.base = pg.from;
      pg.window = d.body_text(r, pg.from, pg.from + pg.length + 1, pg.buf);
    }
    if (!compressed) prefetch_text(r.body.offset + pg.from, pg.length + cache_line);
  }
  Highlighter highlighter(plan.analyzer ? *plan.analyzer : d.analyzer, plan.highlight, ho);
  for (std::size_t k = 0; k < ranked.size(); ++k) {
    const auto doc = page[k].doc;
    const auto& r = d.record(doc);
    SearchResult res;
    res.url = d.slice(r.url);
    res.type = r.type;
    res.score = ranked[k].score;
    res.title = highlighter.text(d.slice(r.title));
    res.section_title = highlighter.text(d.slice(r.section_title));
    res.hierarchy = d.hierarchy_of(r);
    res.body = highlighter.snippet(page[k].window, page[k].base, r.body.length, page[k].from, page[k].length);
    if (sub.asked()) {
      auto& list = res.sub_results.emplace();
      list.reserve(sub.offset[k + 1] - sub.offset[k]);
      for (auto i = sub.offset[k]; i < sub.offset[k + 1]; ++i) {
        const auto& pg = page[ranked.size() + i];
        const auto& sr = d.record(pg.doc);
        list.push_back({highlighter.text(d.slice(sr.section_title.length ? sr.section_title : sr.title)),
                        std::string(d.slice(sr.url)), highlighter.snippet(pg.window, pg.base, sr.body.length, pg.from, pg.length)});
      }
    }
    out.push_back(std::move(res));
  }
}

}  // namespace siteseek::detail
