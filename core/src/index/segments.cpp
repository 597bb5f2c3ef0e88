// SegmentedIndex (siteseek/segments.hpp): segments, their deletions and the statistics of both.
#include "index/segments.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <map>
#include <optional>
#include <queue>
#include <unordered_map>
#include <unordered_set>
#include <stdexcept>
#include <string>

#include <boost/json.hpp>

#include "index/files.hpp"
#include "index/index_data.hpp"
#include "siteseek/error.hpp"
#include "siteseek/segments.hpp"

namespace siteseek {

namespace {

// Counts, in `records`, each term record `doc` was indexed under once, as the builder analysed
// it (builder.cpp): each field's indexed text with the record's language's analyzer. Terms are
// counted by their text, to be looked up in the dictionary once for all the records deleted
// together (a page's records share most of their words). (A snapshot upgraded from format 7
// has no anchors stored: terms only they gave are not found.)
void count_record_terms(const Index& index, std::uint32_t doc, std::unordered_set<std::string>& scratch,
                        std::unordered_map<std::string, std::uint32_t>& records) {
  const auto& d = index.data();
  const Analyzer* analyzer = &d.analyzer;
  d.check_table(Index::Data::LazyChecks::Table::record_attributes);
  for (auto k = d.doc_attr_offset[doc]; k < d.doc_attr_offset[doc + 1]; ++k)
    if (d.attr_name(d.doc_attrs[k]) == "language") analyzer = &d.analyzer_for(d.attr_value(d.doc_attrs[k]));
  scratch.clear();
  std::string buf;
  for (std::size_t f = 0; f < field_count; ++f) {
    const auto text = d.indexed_text(doc, static_cast<Field>(f), buf);
    if (text.empty()) continue;
    for (auto& t : analyzer->analyze(text))
      if (!t.term.empty()) scratch.insert(std::move(t.term));
  }
  for (const auto& t : scratch) ++records[t];
}

std::shared_ptr<const detail::SegmentTotals> totals_of(const Index& index) { return std::make_shared<const detail::SegmentTotals>(index); }

void check(const std::vector<SegmentedIndex::Segment>& segments) {
  if (segments.empty()) throw std::invalid_argument("a segmented index needs at least one segment");
  for (const auto& s : segments)
    if (!s.index) throw std::invalid_argument("a segment without an index");
}

}  // namespace

SegmentedIndex::SegmentedIndex(std::vector<std::shared_ptr<const Index>> segments)
    : SegmentedIndex([&] {
        std::vector<Segment> out;
        for (auto& s : segments) out.push_back({std::move(s), nullptr, {}});
        return out;
      }()) {}

SegmentedIndex::SegmentedIndex(std::vector<Segment> segments)
    : segments_(std::move(segments)), dictionary_(std::make_shared<detail::DictionarySlot>()) {
  check(segments_);
  for (const auto& s : segments_) totals_.push_back(totals_of(*s.index));
}

namespace {

// A source of a union's stems: an index's stem tables, and the union id of each of its terms.
struct StemSource {
  const Index::Data* data;
  std::vector<std::uint32_t> to_union;
};

// The union's stem tables from its sources' (in `data`, whose terms are the union's): each stem
// any source gives a term, with the union terms it is given to in any source, ascending (so the
// terms of a stem are looked up once in the union, not once per segment). A term's own stem is
// the first source's that holds it.
void merge_stems(Index::Data& data, const std::vector<StemSource>& sources) {
  const auto n = data.term_count();
  std::vector<std::uint32_t> term_stem(n, 0), stem_from(n, ~0u);  // stem_from: the source that gave term_stem
  std::vector<char> stems;
  std::vector<std::uint32_t> stem_offset{0}, stem_terms_offset{0}, stem_terms, ids;
  struct Cursor {
    std::uint32_t at, end, src;
  };
  const auto text = [&](const Cursor& c) { return sources[c.src].data->stem(c.at); };
  const auto later = [&](const Cursor& a, const Cursor& b) { return text(a) > text(b); };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heap(later);
  for (std::uint32_t k = 0; k < sources.size(); ++k) {
    const auto& d = *sources[k].data;
    if (d.stem_offset.size() > 1) heap.push({0, static_cast<std::uint32_t>(d.stem_offset.size() - 1), k});
  }
  while (!heap.empty()) {
    const std::string_view t = text(heap.top());
    const auto stem = static_cast<std::uint32_t>(stem_offset.size() - 1);
    stems.insert(stems.end(), t.begin(), t.end());
    stem_offset.push_back(static_cast<std::uint32_t>(stems.size()));
    ids.clear();
    while (!heap.empty() && text(heap.top()) == t) {
      auto c = heap.top();
      heap.pop();
      const auto& src = sources[c.src];
      const auto& d = *src.data;
      for (auto i = d.stem_terms_offset[c.at]; i < d.stem_terms_offset[c.at + 1]; ++i) {
        const auto u = src.to_union[d.stem_terms[i]];
        ids.push_back(u);
        if (c.src < stem_from[u]) stem_from[u] = c.src, term_stem[u] = stem;
      }
      if (++c.at < c.end) heap.push(c);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    stem_terms.insert(stem_terms.end(), ids.begin(), ids.end());
    stem_terms_offset.push_back(static_cast<std::uint32_t>(stem_terms.size()));
  }
  data.term_stem = std::move(term_stem);
  data.stems = std::move(stems);
  data.stem_offset = std::move(stem_offset);
  data.stem_terms_offset = std::move(stem_terms_offset);
  data.stem_terms = std::move(stem_terms);
}

// A union's term tables as an index's, for its lookups, stems and typo walks.
std::shared_ptr<const Index> term_index(std::vector<char> terms, std::vector<std::uint32_t> offset, std::vector<std::uint32_t> df,
                                        std::vector<std::uint8_t> flags, const std::vector<StemSource>& stems) {
  auto data = std::make_unique<Index::Data>();
  data->terms = std::move(terms);
  data->term_offset = std::move(offset);
  data->term_df = std::move(df);
  data->term_flags = std::move(flags);
  merge_stems(*data, stems);
  data->derive_terms();
  return std::make_shared<const Index>(std::move(data));
}

}  // namespace

std::shared_ptr<const detail::UnionDictionary> detail::UnionDictionary::build(std::span<const Index* const> segments) {
  auto out = std::make_shared<UnionDictionary>();
  out->local.resize(segments.size());
  struct Cursor {
    std::uint32_t at, end, seg;
  };
  const auto text = [&](const Cursor& c) { return segments[c.seg]->data().term(c.at); };
  const auto later = [&](const Cursor& a, const Cursor& b) { return text(a) > text(b); };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heap(later);
  std::size_t most = 0;
  for (std::uint32_t k = 0; k < segments.size(); ++k) {
    const auto n = segments[k]->data().term_count();
    most += n;
    if (n) heap.push({0, n, k});
  }
  std::vector<char> terms;
  std::vector<std::uint32_t> offset{0}, df;
  std::vector<std::uint8_t> flags;
  std::vector<StemSource> stems;
  for (const auto* seg : segments) stems.push_back({&seg->data(), std::vector<std::uint32_t>(seg->data().term_count())});
  for (auto& l : out->local) l.reserve(most / segments.size() + 1);
  while (!heap.empty()) {
    const std::string_view t = text(heap.top());
    terms.insert(terms.end(), t.begin(), t.end());
    offset.push_back(static_cast<std::uint32_t>(terms.size()));
    for (auto& l : out->local) l.push_back(-1);
    std::uint32_t f = 0;
    std::uint8_t fl = 0xff;  // a flag holds where every segment holding the term has it
    while (!heap.empty() && text(heap.top()) == t) {
      auto c = heap.top();
      heap.pop();
      const auto& d = segments[c.seg]->data();
      f += d.term_df[c.at];
      fl &= d.term_flags[c.at];
      out->local[c.seg].back() = static_cast<std::int32_t>(c.at);
      stems[c.seg].to_union[c.at] = static_cast<std::uint32_t>(df.size());
      if (++c.at < c.end) heap.push(c);
    }
    df.push_back(f);
    flags.push_back(fl);
  }
  out->terms = term_index(std::move(terms), std::move(offset), std::move(df), std::move(flags), stems);
  return out;
}

std::shared_ptr<const detail::UnionDictionary> detail::UnionDictionary::extend(const UnionDictionary& base, const Index& added) {
  auto out = std::make_shared<UnionDictionary>();
  const auto& u = base.terms->data();
  const auto& a = added.data();
  const std::uint32_t n = u.term_count(), m = a.term_count();
  const std::size_t segments = base.local.size();
  out->local.resize(segments + 1);
  for (auto& l : out->local) l.reserve(n + m);
  std::vector<char> terms;
  terms.reserve(u.terms.size() + a.terms.size());
  std::vector<std::uint32_t> offset{0}, df;
  std::vector<std::uint8_t> flags;
  std::vector<StemSource> stems{{&u, std::vector<std::uint32_t>(n)}, {&a, std::vector<std::uint32_t>(m)}};
  std::uint32_t i = 0, j = 0;
  while (i < n || j < m) {
    const int c = i == n ? 1 : j == m ? -1 : u.term(i).compare(a.term(j));
    const auto t = c <= 0 ? u.term(i) : a.term(j);
    terms.insert(terms.end(), t.begin(), t.end());
    offset.push_back(static_cast<std::uint32_t>(terms.size()));
    std::uint32_t f = 0;
    std::uint8_t fl = 0xff;
    for (std::size_t k = 0; k < segments; ++k) out->local[k].push_back(c <= 0 ? base.local[k][i] : -1);
    const auto at = static_cast<std::uint32_t>(df.size());
    if (c <= 0) f += u.term_df[i], fl &= u.term_flags[i], stems[0].to_union[i++] = at;
    if (c >= 0) {
      stems[1].to_union[j] = at;
      f += a.term_df[j], fl &= a.term_flags[j];
      out->local[segments].push_back(static_cast<std::int32_t>(j++));
    } else {
      out->local[segments].push_back(-1);
    }
    df.push_back(f);
    flags.push_back(fl);
  }
  out->terms = term_index(std::move(terms), std::move(offset), std::move(df), std::move(flags), stems);
  return out;
}

void SegmentedIndex::build_dictionary() const {
  if (segments_.size() < 2 || dictionary_->built.load(std::memory_order_acquire)) return;
  std::uint64_t terms = 0;
  std::vector<const Index*> parts;
  for (const auto& s : segments_) terms += s.index->term_count(), parts.push_back(s.index.get());
  if (terms > union_dictionary_terms) return;
  std::lock_guard lock(dictionary_->building);
  if (dictionary_->built.load(std::memory_order_acquire)) return;
  auto base = std::move(dictionary_->base);
  dictionary_->built.store(base && base->local.size() + 1 == parts.size() ? detail::UnionDictionary::extend(*base, *parts.back())
                                                                           : detail::UnionDictionary::build(parts),
                           std::memory_order_release);
}

std::shared_ptr<const detail::UnionDictionary> SegmentedIndex::dictionary() const noexcept {
  return dictionary_->built.load(std::memory_order_acquire);
}

std::uint64_t SegmentedIndex::live_documents() const noexcept {
  std::uint64_t n = 0;
  for (const auto& s : segments_) n += s.index->size() - (s.deleted ? s.deleted->records : 0);
  return n;
}

bool SegmentedIndex::deleted(std::size_t segment, std::uint32_t doc) const noexcept {
  const auto& del = segments_[segment].deleted;
  return del && del->has(doc);
}

SegmentedIndex SegmentedIndex::with_deleted(std::size_t segment, const std::vector<std::uint32_t>& docs) const {
  const auto& seg = segments_.at(segment);
  const auto& d = seg.index->data();
  auto del = seg.deleted ? std::make_shared<detail::Deletions>(*seg.deleted) : std::make_shared<detail::Deletions>();
  del->bits.resize((d.docs.size() + 63) / 64, 0);
  std::unordered_map<std::string, std::uint32_t> words;  // term -> records deleted here holding it
  std::unordered_set<std::string> scratch;
  for (const auto doc : docs) {
    (void)d.checked_doc(doc);
    if (del->has(doc)) continue;
    del->bits[doc / 64] |= std::uint64_t{1} << (doc % 64);
    ++del->records;
    del->lengths.add(d.record(doc));
    count_record_terms(*seg.index, doc, scratch, words);
  }
  std::map<std::uint32_t, std::uint32_t> gone;  // dictionary id -> records, ascending as df is
  for (const auto& [word, n] : words)
    if (const auto id = seg.index->find(word); id >= 0) gone[static_cast<std::uint32_t>(id)] += n;
  if (!gone.empty()) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> merged;
    merged.reserve(del->df.size() + gone.size());
    auto a = del->df.begin();
    for (const auto& [t, n] : gone) {
      for (; a != del->df.end() && a->first < t; ++a) merged.push_back(*a);
      if (a != del->df.end() && a->first == t) merged.emplace_back(t, (a++)->second + n);
      else merged.emplace_back(t, n);
    }
    merged.insert(merged.end(), a, del->df.end());
    del->df = std::move(merged);
  }
  auto out = *this;
  out.segments_[segment].deleted = std::move(del);
  return out;
}

std::vector<std::pair<std::size_t, std::uint32_t>> SegmentedIndex::page_records(std::string_view url) const {
  std::vector<std::pair<std::size_t, std::uint32_t>> out;
  for (std::size_t k = 0; k < segments_.size(); ++k) {
    const auto& d = segments_[k].index->data();
    const auto first = d.find_page(url);
    if (first == Index::Data::no_attr) continue;
    d.each_page_record(first, [&](std::uint32_t doc) {
      if (!deleted(k, doc)) out.emplace_back(k, doc);
    });
  }
  return out;
}

std::array<std::array<double, field_count>, 2> SegmentedIndex::length_averages() const { return live_totals().averages(); }

LengthTotals SegmentedIndex::live_totals() const {
  LengthTotals live;
  for (std::size_t k = 0; k < segments_.size(); ++k) {
    live.add(totals_[k]->get());
    if (segments_[k].deleted) live.add(segments_[k].deleted->lengths, -1.0);
  }
  return live;
}

SegmentedIndex SegmentedIndex::updated(const SiteSettings& site, std::vector<Document> documents,
                                       const std::vector<std::string>& deleted, std::uint64_t* removed) const {
  // Every record of each page named, in whichever segment it is.
  std::vector<std::string> pages;
  for (const auto& d : documents) pages.push_back(page_url(d));
  for (const auto& u : deleted) pages.emplace_back(page_of(u));
  std::sort(pages.begin(), pages.end());
  pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
  std::vector<std::vector<std::uint32_t>> gone(segments_.size());
  std::uint64_t count = 0;
  for (const auto& page : pages)
    for (const auto& [k, doc] : page_records(page)) gone[k].push_back(doc), ++count;
  auto out = *this;
  for (std::size_t k = 0; k < gone.size(); ++k)
    if (!gone[k].empty()) out = out.with_deleted(k, gone[k]);
  if (removed) *removed = count;
  if (documents.empty()) return out;
  // The new segment's length normalisation: the averages of every live record, its own with
  // them (as one index of the whole site would have).
  IndexBuilder b(site);
  const auto others = out.live_totals();
  b.set_other_lengths(others.length, others.records);
  b.add_all(std::move(documents));
  auto with = out;
  with.segments_.push_back({b.build(), nullptr, {}});
  with.totals_.push_back(totals_of(*with.segments_.back().index));
  with.dictionary_ = std::make_shared<detail::DictionarySlot>();
  with.dictionary_->base = out.dictionary_->built.load(std::memory_order_acquire);  // extended by the new segment
  return with;
}

std::pair<std::size_t, std::size_t> SegmentedIndex::merge_candidate() const {
  const std::size_t n = segments_.size();
  std::vector<std::uint64_t> live(n), size(n);
  for (std::size_t k = 0; k < n; ++k) {
    size[k] = segments_[k].index->size();
    live[k] = size[k] - (segments_[k].deleted ? segments_[k].deleted->records : 0);
  }
  std::size_t first = n;
  // From the oldest segment holding at most twice the live records of all those after it: after
  // the merge each segment holds more than twice what follows it, so there are about log2 of the
  // records of them. (Looking only at the newest ones stops at the first that is larger than what
  // follows, and leaves small segments behind it when updates outran merges.)
  std::vector<std::uint64_t> after(n + 1, 0);
  for (std::size_t k = n; k-- > 0;) after[k] = after[k + 1] + live[k];
  for (std::size_t k = 0; k + 1 < n; ++k) {
    if (live[k] <= 2 * after[k + 1]) {
      first = k;
      break;
    }
  }
  // A segment mostly deleted, and what follows it.
  for (std::size_t k = 0; k < n; ++k)
    if (size[k] > 0 && live[k] * 2 < size[k]) first = std::min(first, k);
  // A segment whose length normalisation has drifted from the site's by more than
  // max_length_drift: built again, it scores as one index of the site would.
  const auto site = live_totals();
  const auto averages = site.averages();
  for (std::size_t k = 0; k < n && k < first; ++k) {
    const auto& own = segments_[k].index->data().avg_field_length;
    for (int t = 0; t < 2; ++t)
      for (std::size_t f = 0; f < field_count && site.records[t] > 0; ++f)
        if (std::abs(own[t][f] - averages[t][f]) > max_length_drift * averages[t][f]) first = std::min(first, k);
  }
  if (n > max_segments) first = std::min(first, max_segments / 2);
  if (first >= n) return {n, n};
  return {first, n};
}

std::shared_ptr<const Index> SegmentedIndex::merge_build(std::size_t first, std::size_t last, const SiteSettings& site,
                                                         const std::atomic<bool>* cancel) const {
  IndexBuilder b(site);
  b.set_cancel(cancel);
  // The averages of the site as it will be: the merged segments' live records are the same.
  b.set_length_averages(length_averages());
  std::vector<Document> docs;
  for (std::size_t k = first; k < last; ++k) {
    const auto& seg = segments_.at(k);
    for (std::uint32_t doc = 0; doc < seg.index->size(); ++doc) {
      if (deleted(k, doc)) continue;
      if (cancel && doc % 4096 == 0 && cancel->load(std::memory_order_relaxed)) throw BuildCancelled();
      docs.push_back(seg.index->document(doc));
    }
  }
  b.add_all(std::move(docs));
  return b.build();
}

SegmentedIndex SegmentedIndex::with_merged(const SegmentedIndex& from, std::size_t first, std::size_t last,
                                           std::shared_ptr<const Index> merged, std::string file) const {
  if (last > segments_.size() || last > from.segments_.size() || first >= last)
    throw std::invalid_argument("a merge of segments this index does not have");
  for (std::size_t k = first; k < last; ++k)
    if (segments_[k].index != from.segments_[k].index) throw std::invalid_argument("a merge of segments this index does not have");
  // Records deleted since the merge read them: their places in the merged index.
  std::vector<std::uint32_t> since;
  std::uint32_t at = 0;
  for (std::size_t k = first; k < last; ++k) {
    const auto size = segments_[k].index->size();
    for (std::uint32_t doc = 0; doc < size; ++doc) {
      if (from.deleted(k, doc)) continue;
      if (deleted(k, doc)) since.push_back(at);
      ++at;
    }
  }
  auto out = *this;
  const auto pos = [](auto& v, std::size_t k) { return v.begin() + static_cast<std::ptrdiff_t>(k); };
  out.segments_.erase(pos(out.segments_, first + 1), pos(out.segments_, last));
  out.totals_.erase(pos(out.totals_, first + 1), pos(out.totals_, last));
  out.totals_[first] = totals_of(*merged);
  out.segments_[first] = {std::move(merged), nullptr, std::move(file)};
  out.dictionary_ = std::make_shared<detail::DictionarySlot>();
  if (!since.empty()) out = out.with_deleted(first, since);
  return out;
}

namespace {

namespace json = boost::json;

// "<name>.<16 hex digits>.segment": a segment file of `name`, not of a site whose name starts
// with it ("docs" and "docs.v2").
bool segment_file_of(std::string_view file, std::string_view name) {
  constexpr std::string_view ext = ".segment";
  if (file.size() != name.size() + 1 + 16 + ext.size() || file.substr(0, name.size()) != name || file[name.size()] != '.' ||
      file.substr(file.size() - ext.size()) != ext)
    return false;
  const auto hex = file.substr(name.size() + 1, 16);
  return std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::int64_t built_ns(const Index& index) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(index.built_at().time_since_epoch()).count();
}

// Whether `path` holds `index`: a snapshot with its build time and number of records.
bool holds(const std::string& path, const Index& index) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  try {
    auto there = load_snapshot(path, index.settings());
    return built_ns(*there) == built_ns(index) && there->size() == index.size();
  } catch (const Error&) {
    return false;
  }
}

void remove_files_of(const std::string& dir, const std::string& name, const std::vector<SegmentedIndex::Segment>& keep) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto file = entry.path().filename().string();
    if (!segment_file_of(file, name) && file != snapshot_file(name)) continue;
    if (std::none_of(keep.begin(), keep.end(), [&](const SegmentedIndex::Segment& s) { return s.file == file; })) fs::remove(entry.path(), ec);
  }
}

}  // namespace

// No thread_local generator: the Python module's thread-local storage is static (scratch() is
// initial-exec) and has no room for one. A save names a few files.
std::string new_segment_file(const std::string& name) {
  std::random_device rd;
  const auto v = (std::uint64_t{rd()} << 32) ^ rd();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(v));
  return name + "." + hex + ".segment";
}

SegmentedIndex SegmentedIndex::with_stored_version(std::string version) const {
  auto out = *this;
  out.stored_version_ = std::move(version);
  return out;
}

SegmentedIndex SegmentedIndex::with_new_files(const std::string& name) const {
  auto out = *this;
  for (auto& seg : out.segments_)
    if (seg.file.empty()) seg.file = new_segment_file(name);
  return out;
}

SegmentedIndex SegmentedIndex::as_unsaved() const {
  auto out = *this;
  for (auto& seg : out.segments_) seg.file.clear();
  out.stored_version_.clear();
  return out;
}

std::string segment_manifest(const SegmentedIndex& index) {
  json::array list;
  for (const auto& seg : index.segments()) {
    if (seg.file.empty()) throw std::invalid_argument("a manifest of a segment without a file");
    json::array deleted;
    if (seg.deleted)
      for (std::uint32_t doc = 0; doc < seg.index->size(); ++doc)
        if (seg.deleted->has(doc)) deleted.push_back(doc);
    list.push_back(json::object{{"file", seg.file}, {"records", seg.index->size()}, {"built_at", built_ns(*seg.index)},
                                {"deleted", std::move(deleted)}});
  }
  return json::serialize(json::object{{"format", 1}, {"segments", std::move(list)}});
}

std::vector<SegmentedIndex::ManifestEntry> parse_segment_manifest(std::string_view text, const std::string& name,
                                                                  const std::string& source) {
  const auto corrupt = [&](const std::string& why) { return SnapshotError("segment manifest " + source + " is corrupt (" + why + ")"); };
  json::value v;
  try {
    v = json::parse(text);
  } catch (const std::exception& e) {
    throw corrupt(e.what());
  }
  const auto* o = v.if_object();
  const auto* list = o && o->if_contains("segments") ? (*o).at("segments").if_array() : nullptr;
  if (!o || !o->if_contains("format") || !(*o).at("format").is_int64() || (*o).at("format").as_int64() != 1 || !list || list->empty())
    throw corrupt("not a manifest of format 1 with segments");
  std::vector<SegmentedIndex::ManifestEntry> out;
  for (const auto& item : *list) {
    const auto* e = item.if_object();
    const auto is_int = [&](const char* key) { return e->if_contains(key) && (*e).at(key).is_int64(); };
    if (!e || !e->if_contains("file") || !(*e).at("file").is_string() || !is_int("records") || !is_int("built_at") ||
        !e->if_contains("deleted") || !(*e).at("deleted").is_array() || (*e).at("records").as_int64() < 0)
      throw corrupt("a segment without its file, records, build time and deleted records");
    auto& entry = out.emplace_back();
    entry.file = std::string((*e).at("file").as_string());
    if (entry.file != snapshot_file(name) && !segment_file_of(entry.file, name)) throw corrupt("a segment file of another name: " + entry.file);
    entry.records = static_cast<std::uint64_t>((*e).at("records").as_int64());
    entry.built_at = (*e).at("built_at").as_int64();
    for (const auto& d : (*e).at("deleted").as_array()) {
      if (!d.is_int64() || d.as_int64() < 0 || static_cast<std::uint64_t>(d.as_int64()) >= entry.records)
        throw corrupt("a deleted record out of range in " + entry.file);
      entry.deleted.push_back(static_cast<std::uint32_t>(d.as_int64()));
    }
  }
  return out;
}

SegmentedIndex SegmentedIndex::from_manifest(const std::vector<ManifestEntry>& entries, const SegmentedIndex* have,
                                             const std::function<std::shared_ptr<const Index>(const ManifestEntry&)>& open,
                                             const std::string& source) {
  const auto is = [](const ManifestEntry& e, const Index& index) { return index.size() == e.records && built_ns(index) == e.built_at; };
  std::vector<Segment> segments;
  std::vector<std::shared_ptr<const detail::SegmentTotals>> totals;
  for (const auto& e : entries) {
    const Segment* kept = nullptr;
    std::size_t at = 0;
    if (have)
      for (; at < have->segments_.size(); ++at)
        if (have->segments_[at].file == e.file && is(e, *have->segments_[at].index)) {
          kept = &have->segments_[at];
          break;
        }
    if (kept) {
      // Its deletions are kept when the manifest deletes them all (deletions only grow while a
      // segment lives): the manifest's further ones are then all that is analysed.
      auto deleted = kept->deleted;
      if (deleted)
        for (std::uint32_t doc = 0; doc < kept->index->size() && deleted; ++doc)
          if (deleted->has(doc) && !std::binary_search(e.deleted.begin(), e.deleted.end(), doc)) deleted = nullptr;
      segments.push_back({kept->index, std::move(deleted), e.file});
      totals.push_back(have->totals_[at]);
      continue;
    }
    auto index = open(e);
    if (!index || !is(e, *index))
      throw SnapshotError("segment manifest " + source + " is corrupt (" + e.file + " is not the segment it names: another number of records or build time)");
    totals.push_back(totals_of(*index));
    segments.push_back({std::move(index), nullptr, e.file});
  }
  // The same segments as `have` (an update that only deleted): its union dictionary too.
  bool same = have && have->segments_.size() == segments.size();
  for (std::size_t k = 0; same && k < segments.size(); ++k) same = segments[k].index == have->segments_[k].index;
  SegmentedIndex out(std::move(segments));
  out.totals_ = std::move(totals);
  if (same) out.dictionary_ = have->dictionary_;
  for (std::size_t k = 0; k < entries.size(); ++k)
    if (!entries[k].deleted.empty()) out = out.with_deleted(k, entries[k].deleted);
  return out;
}

std::string snapshot_file(const std::string& name) { return name + ".snapshot"; }

SegmentedIndex save_segments(const SegmentedIndex& index, const std::string& dir, const std::string& name,
                             const std::vector<std::string>& keep_files) {
  namespace fs = std::filesystem;
  auto out = index;
  // An index read from the site's snapshot, or published after it was saved there, starts with
  // it: named, not copied.
  auto& front = out.segments_.front();
  if (front.file.empty() && holds((fs::path(dir) / snapshot_file(name)).string(), *front.index)) front.file = snapshot_file(name);
  for (auto& seg : out.segments_) {
    if (!seg.file.empty()) continue;
    seg.file = new_segment_file(name);
    save_snapshot(*seg.index, (fs::path(dir) / seg.file).string());
  }
  detail::write_durably((fs::path(dir) / (name + ".segments")).string(), segment_manifest(out));
  // The files the manifest no longer names: merged away (the site's snapshot too, once a merge
  // took its records), or written by a save that crashed; not those written for a save to come.
  auto keep = out.segments_;
  for (const auto& f : keep_files) keep.push_back({nullptr, nullptr, f});
  remove_files_of(dir, name, keep);
  return out;
}

void remove_segments(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::remove(fs::path(dir) / (name + ".segments"), ec);
  if (ec) throw IoError("cannot remove " + (fs::path(dir) / (name + ".segments")).string() + ": " + ec.message());
  remove_files_of(dir, name, {{nullptr, nullptr, snapshot_file(name)}});
}

namespace {

// A manifest's text, or nothing when there is none. Throws IoError when it cannot be read.
std::optional<std::string> read_manifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    throw IoError("cannot read " + path + ": " + std::strerror(errno));
  }
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

std::vector<std::pair<std::string, std::uint32_t>> upgrade_segments(const std::string& dir, const std::string& name,
                                                                    const SiteSettings& site) {
  namespace fs = std::filesystem;
  const auto path = (fs::path(dir) / (name + ".segments")).string();
  const auto text = read_manifest(path);
  if (!text) throw IoError("cannot read " + path + ": no such manifest");
  std::vector<std::pair<std::string, std::uint32_t>> out;
  for (const auto& e : parse_segment_manifest(*text, name, path)) {
    const auto file = (fs::path(dir) / e.file).string();
    out.emplace_back(file, upgrade_snapshot(file, site));
  }
  return out;
}

std::optional<SegmentedIndex> load_segments(const std::string& dir, const std::string& name, const SiteSettings& site) {
  namespace fs = std::filesystem;
  const auto path = (fs::path(dir) / (name + ".segments")).string();
  // Another process's save may replace the manifest, and remove files the one read here named,
  // while they are opened (saves hold the directory's lock; reads do not wait for it): a file
  // that cannot be opened is an error only if the manifest still names it (or after many tries,
  // each beaten by another save).
  auto text = read_manifest(path);
  for (int tries = 1;; ++tries) {
    if (!text) return std::nullopt;
    const auto entries = parse_segment_manifest(*text, name, path);
    // The site's snapshot saved whole after this manifest (a full build that stopped before it
    // removed the manifest): the snapshot is the site's index.
    struct Stale {};
    try {
      return SegmentedIndex::from_manifest(entries, nullptr, [&](const SegmentedIndex::ManifestEntry& e) {
        auto idx = load_snapshot((fs::path(dir) / e.file).string(), site);
        if (e.file == snapshot_file(name) && (idx->size() != e.records || built_ns(*idx) != e.built_at)) throw Stale{};
        return idx;
      }, path);
    } catch (const Stale&) {
      return std::nullopt;
    } catch (const IoError&) {
      auto now = read_manifest(path);
      if (now == text || tries == 64) throw;
      text = std::move(now);
    }
  }
}

}  // namespace siteseek
