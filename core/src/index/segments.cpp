// SegmentedIndex (siteseek/segments.hpp): segments, their deletions and the statistics of both.
#include "index/segments.hpp"

#include <map>
#include <stdexcept>
#include <string>

#include "index/index_data.hpp"
#include "index/url_text.hpp"
#include "siteseek/segments.hpp"

namespace siteseek {

namespace {

// The dictionary ids of the terms record `doc` was indexed under, as the builder analysed it
// (builder.cpp): each field with the record's language's analyzer, the URL field with the
// record's anchors. (A snapshot upgraded from format 7 has no anchors stored: terms only they
// gave are not found.)
std::vector<std::uint32_t> record_terms(const Index& index, std::uint32_t doc) {
  const auto& d = index.data();
  const auto& r = d.record(doc);
  const Analyzer* analyzer = &d.analyzer;
  for (auto k = d.doc_attr_offset[doc]; k < d.doc_attr_offset[doc + 1]; ++k)
    if (d.attr_name(d.doc_attrs[k]) == "language") analyzer = &d.analyzer_for(d.attr_value(d.doc_attrs[k]));
  std::vector<std::uint32_t> out;
  const std::string url = url_text(d.slice(r.url), d.settings.url) + std::string(d.anchors_of(doc));
  for (const std::string_view text : {d.slice(r.title), d.slice(r.section_title), d.slice(r.body), std::string_view(url)}) {
    if (text.empty()) continue;
    for (const auto& t : analyzer->analyze(text)) {
      if (t.term.empty()) continue;
      if (const auto id = index.find(t.term); id >= 0) out.push_back(static_cast<std::uint32_t>(id));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void check(const std::vector<SegmentedIndex::Segment>& segments) {
  if (segments.empty()) throw std::invalid_argument("a segmented index needs at least one segment");
  for (const auto& s : segments)
    if (!s.index) throw std::invalid_argument("a segment without an index");
}

}  // namespace

SegmentedIndex::SegmentedIndex(std::vector<std::shared_ptr<const Index>> segments) {
  for (auto& s : segments) segments_.push_back({std::move(s), nullptr});
  check(segments_);
}

SegmentedIndex::SegmentedIndex(std::vector<Segment> segments) : segments_(std::move(segments)) { check(segments_); }

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
  std::map<std::uint32_t, std::uint32_t> gone;
  for (const auto doc : docs) {
    (void)d.checked_doc(doc);
    if (del->has(doc)) continue;
    del->bits[doc / 64] |= std::uint64_t{1} << (doc % 64);
    ++del->records;
    for (const auto t : record_terms(*seg.index, doc)) ++gone[t];
  }
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
    const auto group = d.doc_group[first];
    for (std::uint32_t doc = first; doc < d.docs.size(); ++doc)
      if (d.doc_group[doc] == group && !deleted(k, doc)) out.emplace_back(k, doc);
  }
  return out;
}

std::array<std::array<double, field_count>, 2> SegmentedIndex::length_averages() const {
  std::array<std::array<double, field_count>, 2> sum{};
  std::array<double, 2> of_type{};
  for (const auto& s : segments_) {
    const auto& d = s.index->data();
    for (std::uint32_t doc = 0; doc < d.docs.size(); ++doc) {
      if (s.deleted && s.deleted->has(doc)) continue;
      const auto& r = d.record(doc);
      const int type = r.type == DocumentType::section;
      of_type[type] += 1;
      for (std::size_t f = 0; f < field_count; ++f) sum[type][f] += r.field_length[f];
    }
  }
  for (int t = 0; t < 2; ++t)
    for (auto& a : sum[t]) a = of_type[t] ? std::max(1.0, a / of_type[t]) : 1.0;
  return sum;
}

}  // namespace siteseek
