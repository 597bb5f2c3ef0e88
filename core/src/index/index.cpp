// Index accessors and memory accounting.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "common/word_hash.hpp"
#include "index/attributes.hpp"
#include "index/index_data.hpp"
#include "index/thesaurus.hpp"
#include "index/url_text.hpp"

namespace siteseek {

namespace {
template <class T>
std::uint64_t bytes_of(const Array<T>& v) {
  return v.footprint();
}
}  // namespace

bool Index::Data::groups_in_runs() const {
  auto known = groups_in_runs_->load(std::memory_order_relaxed);
  if (known < 0) {
    const auto& self = *this;  // the const accessors: a mapped array is never copied
    std::vector<bool> seen(page_groups, false);
    known = 1;
    for (std::size_t i = 0; i < self.doc_group.size() && known; ++i) {
      const auto g = self.doc_group[i];
      if ((i > 0 && g == self.doc_group[i - 1]) || g >= page_groups) continue;
      if (seen[g]) known = 0;
      seen[g] = true;
    }
    groups_in_runs_->store(known, std::memory_order_relaxed);
  }
  return known == 1;
}

Index::Data::MemoryParts Index::Data::memory_parts() const {
  // The compressed bodies are kept in the text, after the other fields: counted apart.
  const std::uint64_t bodies = bodies_compressed() ? body_block_offset.back() - body_block_offset.front() : 0;
  return {{{"text", bytes_of(text) - bodies}, {"compressed_bodies", bodies}, {"terms", bytes_of(terms)}, {"stems", bytes_of(stems)}, {"records", bytes_of(docs)},
          {"checkpoint_offset", bytes_of(checkpoint_offset)}, {"checkpoints", bytes_of(checkpoints)},
          {"term_offset", bytes_of(term_offset)}, {"term_df", bytes_of(term_df)}, {"term_flags", bytes_of(term_flags)},
          {"term_stem", bytes_of(term_stem)}, {"postings_offset", bytes_of(postings_offset)}, {"postings", bytes_of(postings)},
          {"positions_offset", bytes_of(positions_offset)}, {"positions", bytes_of(positions)}, {"stem_offset", bytes_of(stem_offset)},
          {"stem_terms_offset", bytes_of(stem_terms_offset)}, {"stem_terms", bytes_of(stem_terms)}, {"norms", bytes_of(inv_norm)},
          {"impacts", bytes_of(impacts)}, {"impact_offset", bytes_of(impact_offset)}, {"doc_boost", bytes_of(doc_boost)},
          {"doc_group", bytes_of(doc_group)}, {"group_has_sections", bytes_of(group_has_sections)},
          {"doc_is_section", bytes_of(doc_is_section)}, {"doc_section", bytes_of(doc_section)}, {"section_keys", bytes_of(section_keys)},
          {"term_lcp", bytes_of(term_lcp)}, {"term_next_shorter", bytes_of(term_next_shorter)}, {"pair_start", bytes_of(pair_start)},
          {"term_sample", bytes_of(term_sample)}, {"stem_sample", bytes_of(stem_sample)}, {"attr_keys", bytes_of(attr_keys)},
          {"attr_key_offset", bytes_of(attr_key_offset)}, {"attr_docs_offset", bytes_of(attr_docs_offset)},
          {"attr_docs", bytes_of(attr_docs)}, {"doc_attr_offset", bytes_of(doc_attr_offset)}, {"doc_attrs", bytes_of(doc_attrs)},
          {"page_by_url", bytes_of(page_by_url)}, {"title_postings", bytes_of(title_postings)}, {"title_offset", bytes_of(title_offset)},
          {"anchors", bytes_of(anchors)}, {"body_block_offset", bytes_of(body_block_offset)}, {"body_dict", bytes_of(body_dict)}}};
}

std::uint64_t Index::Data::memory_bytes() const {
  std::uint64_t n = sizeof(*this);
  for (const auto& [name, bytes] : memory_parts()) n += bytes;
  return n;
}

std::uint32_t Index::Data::section_id(std::string_view key) const {
  auto it = std::lower_bound(section_keys.begin(), section_keys.end(), key,
                             [&](const TextRef& r, std::string_view k) { return slice(r) < k; });
  return it != section_keys.end() && slice(*it) == key ? static_cast<std::uint32_t>(it - section_keys.begin())
                                                       : no_section;
}

std::pair<std::uint32_t, std::uint32_t> Index::Data::attr_range(std::string_view name) const {
  // Pairs sort by "name\x1fvalue": a name's pairs lie between "name\x1f" and "name\x20".
  const std::string lo = std::string(name) + '\x1f', hi = std::string(name) + '\x20';
  auto at = [&](const std::string& key) {
    std::uint32_t first = 0, count = attr_count();
    while (count > 0) {
      const auto half = count / 2;
      if (attr_key(first + half) < key) first += half + 1, count -= half + 1;
      else count = half;
    }
    return first;
  };
  return {at(lo), at(hi)};
}

std::uint32_t Index::Data::find_attr(std::string_view name, std::string_view value) const {
  const auto [first, last] = attr_range(name);
  for (std::uint32_t lo = first, count = last - first; count > 0;) {
    const auto half = count / 2;
    const auto v = attr_value(lo + half);
    if (v == value) return lo + half;
    if (v < value) lo += half + 1, count -= half + 1;
    else count = half;
  }
  return no_attr;
}

const Analyzer& Index::Data::analyzer_for(std::string_view tag) const {
  for (const auto& [value, a] : language_analyzers)
    if (value == tag) return a;
  return analyzer;
}

std::string_view Index::Data::indexed_text(std::uint32_t doc, Field f, std::string& buf) const {
  const auto& r = record(doc);
  switch (f) {
    case Field::title: return slice(r.title);
    case Field::section_title: return slice(r.section_title);
    case Field::body: return body_text(r, buf);
    case Field::url: break;
  }
  buf = url_text(slice(r.url), settings.url);
  buf += anchors_of(doc);
  return buf;
}

std::uint32_t Index::Data::find_page(std::string_view url) const {
  url = page_of(url);
  const auto h = detail::hash_word(url);
  auto it = std::lower_bound(page_by_url.begin(), page_by_url.end(), PageUrl{h, 0});
  for (; it != page_by_url.end() && it->hash == h; ++it) {
    const auto u = slice(record(it->doc).url);
    if (page_of(u) == url) return it->doc;
  }
  return no_attr;
}

std::string normalize_query(const Analyzer& analyzer, std::string_view text) {
  std::string out;
  for (const auto& t : analyzer.analyze(text)) {
    if (t.kind == TokenKind::part || t.term.empty()) continue;
    if (!out.empty()) out += ' ';
    out += t.term;
  }
  return out;
}

namespace {

// The thesaurus as `analyzer` reads it. A one-page update builds an index, and analysing the list
// took about a tenth of the work of applying the settings to it: the indexes of English sites
// share it while their literal terms (what else could change a word's tokens) are the same.
std::shared_ptr<const Index::Data::Thesaurus> analysed_thesaurus(const Analyzer& analyzer, const std::vector<std::string>& literal_terms) {
  static std::mutex mutex;
  static std::vector<std::pair<std::vector<std::string>, std::shared_ptr<const Index::Data::Thesaurus>>> cache;
  std::lock_guard lock(mutex);
  for (const auto& [literals, t] : cache)
    if (literals == literal_terms) return t;
  auto t = std::make_shared<Index::Data::Thesaurus>();
  for (const auto& group : detail::thesaurus_groups()) {
    const auto g = static_cast<std::uint32_t>(t->groups.size());
    auto& words = t->groups.emplace_back();
    for (const auto word : group) {
      const auto tokens = analyzer.analyze(word);
      if (tokens.size() != 1 || tokens[0].kind != TokenKind::word || tokens[0].term.empty()) continue;
      const auto& token = tokens[0];
      words.emplace_back(token.term, token.stem.empty() ? token.term : token.stem);
      t->stems.emplace_back(words.back().second, g);
    }
  }
  std::sort(t->stems.begin(), t->stems.end());
  t->stems.erase(std::unique(t->stems.begin(), t->stems.end()), t->stems.end());
  if (cache.size() >= 16) cache.erase(cache.begin());  // a process serving many unlike sites
  cache.emplace_back(literal_terms, t);
  return t;
}

}  // namespace

void Index::Data::finish() {
  derive();
  apply_settings();
}

void Index::Data::apply_settings() {
  synonym_words.clear();
  for (const auto& group : settings.synonyms) {
    auto& members = synonym_words.emplace_back();
    for (const auto& m : group) {
      auto& words = members.emplace_back();
      for (auto& t : analyzer.analyze(m))  // a part follows its identifier: never first
        if (!t.term.empty() && (t.kind != TokenKind::part || words.empty())) words.push_back(std::move(t));
    }
  }
  thesaurus = settings.language == "english" ? analysed_thesaurus(analyzer, analyzer_options.literal_terms) : nullptr;
  pins.clear();
  for (const auto& lp : settings.landing_pages) {
    Pin pin{normalize_query(analyzer, lp.query), -1};
    // Only the records of the URL's page can have the URL: their group, found by its hash.
    if (const auto first = find_page(lp.url); first != no_attr) {
      each_page_record(first, [&](std::uint32_t doc) {
        if (slice(record(doc).url) == lp.url && (pin.doc < 0 || record(doc).type == DocumentType::page)) pin.doc = doc;
      });
    }
    pins.push_back(std::move(pin));
  }
  language_analyzers.clear();
  for (auto [a, last] = attr_range("language"); a < last; ++a)
    if (auto options = record_analyzer_options(analyzer_options, attr_value(a)))
      language_analyzers.emplace_back(std::string(attr_value(a)), Analyzer(*options));
  const auto& fw = settings.field_weights;
  const std::array<double, field_count> weight{fw.title, fw.section_title, fw.body, fw.url};
  if (weight != impact_weights || impact_offset.size() != term_count() + 1) compute_impacts(weight);
}

void Index::Data::compute_impacts(const std::array<double, field_count>& weight) {
  if (lazy) lazy->check_all(*this);  // every posting is read
  const auto& self = *this;
  const std::uint32_t n = term_count();
  std::vector<std::uint32_t> offset(n + 1, 0);
  for (std::uint32_t t = 0; t < n; ++t) offset[t + 1] = offset[t] + self.term_df[t];
  std::vector<std::uint8_t> out(offset[n], 0);
  std::size_t k = 0;
  PostingEntry e;
  for (std::uint32_t t = 0; t < n; ++t) {
    PostingsCursor cur(*this, t);
    while (cur.next(e) && k < out.size()) {
      double tfw = 0;
      for (std::size_t f = 0; f < field_count; ++f) tfw += weight[f] * e.tf[f] * self.inv_norm[e.doc][f];
      const double part = tfw <= 0 ? 0 : tfw * (bm25_k1 + 1) / (bm25_k1 + tfw);
      out[k++] = static_cast<std::uint8_t>(std::clamp(std::lround(part / impact_unit), 1l, 255l));
    }
    k = offset[t + 1];
  }
  impact_offset = std::move(offset);
  impacts = std::move(out);
  impact_weights = weight;
}

void Index::Data::derive_title_postings() {
  if (lazy) lazy->check_all(*this);  // every posting is read
  const std::uint32_t n = term_count();
  std::vector<std::uint8_t> out;
  std::vector<std::uint64_t> offset(n + 1, 0);
  for (std::uint32_t t = 0; t < n; ++t) {
    offset[t] = out.size();
    PostingsCursor cur(*this, t);
    std::uint32_t doc = 0, prev_doc = 0;
    std::uint64_t entry = 0, positions = 0, prev_entry = postings_offset[t], prev_positions = positions_offset[t];
    std::uint32_t k = 0, prev_k = 0;
    for (; cur.next_doc(doc, entry, positions); ++k) {
      if (!(std::as_const(postings)[entry] & title_fields)) continue;
      put_varint(out, doc + 1 - prev_doc);
      put_varint(out, entry - prev_entry);
      put_varint(out, positions - prev_positions);
      put_varint(out, k - prev_k);
      prev_doc = doc + 1, prev_entry = entry, prev_positions = positions, prev_k = k;
    }
  }
  offset[n] = out.size();
  title_postings = std::move(out);
  title_offset = std::move(offset);
}

void Index::Data::derive() {
  doc_boost.resize(docs.size());
  doc_group.resize(docs.size());
  doc_section.resize(docs.size());
  // Distinct keys first (a site has few), then sorted: sorting a million references by their
  // text would cost a noticeable part of a snapshot load.
  std::unordered_map<std::string_view, std::uint32_t> first_seen;
  section_keys.clear();
  for (std::size_t i = 0; i < docs.size(); ++i) {
    auto [it, fresh] = first_seen.try_emplace(slice(docs[i].section_key), static_cast<std::uint32_t>(section_keys.size()));
    if (fresh) section_keys.push_back(docs[i].section_key);
    doc_section[i] = it->second;
  }
  std::vector<std::uint32_t> order(section_keys.size()), rank(section_keys.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return slice(section_keys[a]) < slice(section_keys[b]); });
  std::vector<TextRef> sorted(section_keys.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) sorted[k] = section_keys[order[k]], rank[order[k]] = k;
  section_keys = std::move(sorted);
  group_has_sections.assign(page_groups, 0);
  doc_is_section.assign(docs.size(), 0);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    doc_boost[i] = docs[i].static_boost;
    doc_group[i] = docs[i].page_group;
    doc_section[i] = rank[doc_section[i]];
    doc_is_section[i] = docs[i].type == DocumentType::section;
    if (doc_is_section[i] && docs[i].page_group < page_groups) group_has_sections[docs[i].page_group] = 1;
  }
  // Each record's attribute pairs, from the pairs' record lists (pair ids ascending per record).
  doc_attr_offset.assign(docs.size() + 1, 0);
  for (auto doc : attr_docs) ++doc_attr_offset[doc + 1];
  for (std::size_t i = 0; i < docs.size(); ++i) doc_attr_offset[i + 1] += doc_attr_offset[i];
  doc_attrs.assign(attr_docs.size(), 0);
  {
    std::vector<std::uint32_t> fill(doc_attr_offset.begin(), doc_attr_offset.end() - 1);
    for (std::uint32_t a = 0; a < attr_count(); ++a)
      for (auto k = attr_docs_offset[a]; k < attr_docs_offset[a + 1]; ++k) doc_attrs[fill[attr_docs[k]]++] = a;
  }
  page_by_url.clear();
  {
    std::vector<std::uint8_t> seen(page_groups, 0);
    for (std::uint32_t i = 0; i < docs.size(); ++i) {
      const auto g = docs[i].page_group;
      if (g >= page_groups || seen[g]) continue;
      seen[g] = 1;
      const auto u = slice(docs[i].url);
      page_by_url.push_back(PageUrl{detail::hash_word(page_of(u)), i});
    }
    std::sort(page_by_url.begin(), page_by_url.end());
  }
  LengthTotals totals;
  for (const auto& r : docs) totals.add(r);
  avg_field_length = totals.averages();
  if (given_length_averages) avg_field_length = *given_length_averages;
  if (other_length_totals) {  // added as SegmentedIndex::live_totals adds a last segment's
    LengthTotals all = *other_length_totals;
    all.add(totals);
    avg_field_length = all.averages();
  }
  inv_norm.resize(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const auto& avg = avg_field_length[docs[i].type == DocumentType::section];
    for (std::size_t f = 0; f < field_count; ++f)
      inv_norm[i][f] = static_cast<float>(1.0 / (1.0 - bm25_b[f] + bm25_b[f] * docs[i].field_length[f] / avg[f]));
  }
  derive_terms();
  derive_title_postings();
}

void Index::Data::derive_terms() {
  const std::uint32_t n = term_count();
  term_lcp.assign(n, 0);
  for (std::uint32_t t = 1; t < n; ++t) {
    const auto a = term(t - 1), b = term(t);
    std::size_t k = 0;
    const std::size_t most = std::min<std::size_t>({a.size(), b.size(), 255});
    while (k < most && a[k] == b[k]) ++k;
    term_lcp[t] = static_cast<std::uint8_t>(k);
  }
  term_sample.clear();
  for (std::uint32_t t = 0; t < n; t += sample_every) term_sample.push_back(key8(term(t), 0));
  stem_sample.clear();
  const auto stem_count = stem_offset.empty() ? 0u : static_cast<std::uint32_t>(stem_offset.size() - 1);
  for (std::uint32_t t = 0; t < stem_count; t += sample_every) stem_sample.push_back(key8(stem(t), 0));
  term_next_shorter.assign(n, n);
  std::vector<std::uint32_t> stack;
  for (std::uint32_t t = n; t-- > 0;) {
    while (!stack.empty() && term_lcp[stack.back()] >= term_lcp[t]) stack.pop_back();
    term_next_shorter[t] = stack.empty() ? n : stack.back();
    stack.push_back(t);
  }
  // Two-byte starts: the terms are sorted by bytes and the classes follow byte order, so each
  // term's cell is at or after the one before it.
  pair_class.fill(0);
  pair_width = 0;
  pair_start.clear();
  std::array<bool, 256> seen{};
  for (std::uint32_t t = 0; t < n; ++t) {
    const auto s = term(t);
    for (std::size_t k = 0; k < std::min<std::size_t>(2, s.size()); ++k) seen[static_cast<unsigned char>(s[k])] = true;
  }
  std::uint32_t classes = 0;
  for (std::size_t c = 0; c < 256; ++c)
    if (seen[c]) pair_class[c] = static_cast<std::uint8_t>(++classes);
  if (classes > max_pair_classes) {
    pair_class.fill(0);
  } else if (n > 0) {
    pair_width = classes + 1;
    pair_start.assign(std::size_t(pair_width) * pair_width + 1, n);
    for (std::uint32_t t = n; t-- > 0;) {
      const auto s = term(t);
      if (s.empty()) continue;
      const std::uint32_t b = s.size() > 1 ? pair_class[static_cast<unsigned char>(s[1])] : 0;
      pair_start[pair_class[static_cast<unsigned char>(s[0])] * pair_width + b] = t;
    }
    for (std::size_t i = pair_start.size() - 1; i-- > 0;) pair_start[i] = std::min(pair_start[i], pair_start[i + 1]);
  }
}

Index::Index(std::unique_ptr<Data> data) : data_(std::move(data)) {}
Index::~Index() = default;

std::uint32_t Index::size() const noexcept { return static_cast<std::uint32_t>(data_->docs.size()); }
std::uint64_t Index::term_count() const noexcept { return data_->term_count(); }
std::uint64_t Index::memory_bytes() const noexcept { return data_->memory_bytes(); }
std::vector<std::pair<std::string, std::uint64_t>> Index::memory_parts() const {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const auto& [name, bytes] : data_->memory_parts()) out.emplace_back(name, bytes);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}
std::chrono::system_clock::time_point Index::built_at() const noexcept { return data_->built_at; }
const SiteSettings& Index::settings() const noexcept { return data_->settings; }
const Analyzer& Index::analyzer() const noexcept { return data_->analyzer; }
std::uint32_t Index::snapshot_version() const noexcept { return data_->snapshot_version; }
bool Index::compact() const noexcept { return data_->bodies_compressed(); }
std::vector<std::string> Index::settings_changes(const SiteSettings& current) const {
  return shape_changes(data_->shape, current);
}

std::vector<std::string> Index::Data::hierarchy_of(const DocRecord& r) const {
  std::vector<std::string> out;
  for (auto h = slice(r.hierarchy); !h.empty();) {
    const auto cut = h.find('\x1f');
    out.emplace_back(h.substr(0, cut));
    if (cut == std::string_view::npos) break;
    h.remove_prefix(cut + 1);
  }
  return out;
}

Document Index::document(std::uint32_t doc, bool with_body) const {
  const auto& d = *data_;
  const auto& r = d.record(d.checked_doc(doc));
  Document out;
  out.id = d.slice(r.id);
  out.url = d.slice(r.url);
  out.title = d.slice(r.title);
  out.section_title = d.slice(r.section_title);
  out.hierarchy = d.hierarchy_of(r);
  if (with_body) {
    std::string buf;
    out.body = d.body_text(r, buf);
  }
  out.type = r.type;
  out.section_key = d.slice(r.section_key);
  out.position = r.position;
  out.boost = r.boost;
  out.inbound_links = r.inbound_links;
  out.content_hash = r.content_hash;
  // The anchors as one text (they were stored joined by spaces), which is indexed the same.
  if (const auto anchors = d.anchors_of(doc); anchors.size() > 1) out.anchors.emplace_back(anchors.substr(1));
  // The record's own attributes: the built-in type and area are left out where they are what
  // a build derives anyway, so a document read back and built again gives the same index.
  std::vector<Attribute> built_in;  // what for_each_attribute adds to a record without attributes
  detail::for_each_attribute(out, [&](std::string_view name, std::string_view value) {
    built_in.push_back({std::string(name), std::string(value)});
  });
  d.check_table(Index::Data::LazyChecks::Table::record_attributes);
  for (auto k = d.doc_attr_offset[doc]; k < d.doc_attr_offset[doc + 1]; ++k) {
    Attribute a{std::string(d.attr_name(d.doc_attrs[k])), std::string(d.attr_value(d.doc_attrs[k]))};
    if (std::find(built_in.begin(), built_in.end(), a) == built_in.end()) out.attributes.push_back(std::move(a));
  }
  return out;
}

std::string_view Index::url(std::uint32_t doc) const { return data_->slice(data_->record(data_->checked_doc(doc)).url); }
std::string_view Index::title(std::uint32_t doc) const { return data_->slice(data_->record(data_->checked_doc(doc)).title); }
std::string_view Index::section_title(std::uint32_t doc) const {
  return data_->slice(data_->record(data_->checked_doc(doc)).section_title);
}
std::string Index::body(std::uint32_t doc) const {
  std::string buf;
  return std::string(data_->body_text(data_->record(data_->checked_doc(doc)), buf));
}
DocumentType Index::type(std::uint32_t doc) const { return data_->record(data_->checked_doc(doc)).type; }
std::string_view Index::term(std::uint32_t id) const { return data_->term(id); }
std::uint32_t Index::doc_freq(std::uint32_t id) const { return data_->term_df.at(id); }

}  // namespace siteseek
