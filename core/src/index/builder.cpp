// IndexBuilder: analyse every field of every document, gather term occurrences, then lay out the
// sorted dictionary, the varint postings and positions, the stems and the stored text.
#include <malloc.h>
#include <sched.h>

#include <algorithm>
#include <bit>
#include <array>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <numeric>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "common/word_hash.hpp"
#include "index/attributes.hpp"
#include "index/index_data.hpp"
#include "index/static_boost.hpp"

namespace siteseek {

namespace {

// A term occurrence while building: the document and (field << 30 | position).
struct Occurrence {
  std::uint32_t doc;
  std::uint32_t field_position;
};

constexpr std::uint32_t max_position = (1u << 30) - 1;

// Every term's occurrences in a range of documents while building, as varints: per occurrence
// its document's distance from the previous one's (0: the same document), then its position
// times 4 plus its field. A term's stream is a chain of slices in large blocks shared by all
// terms (after Lucene's ByteBlockPool): a slice ends in a pointer to the next, each twice the one
// before up to 1 KiB. Held for every token of a site until the postings are written, occurrences
// were the largest part of a large build's memory as 8-byte structs in a vector per term, and
// those vectors' growth the largest part of its allocations.
class OccurrencePool {
 public:
  /// One term's occurrences.
  struct Stream {
    std::uint8_t* head = nullptr;   ///< its first slice
    std::uint8_t* at = nullptr;     ///< where the next byte goes
    std::uint8_t* limit = nullptr;  ///< where the current slice's data ends (and its link starts)
    std::uint8_t level = 0;         ///< the current slice's size, as an index into slice_size
    std::uint32_t count = 0;
    Occurrence last{0, 0};          ///< the occurrence added last (none: document 0, position 0)
    bool empty() const { return count == 0; }
  };

  void push(Stream& s, Occurrence o) {
    put_varint(s, o.doc - s.last.doc);
    put_varint(s, std::uint64_t{o.field_position & max_position} << 2 | o.field_position >> 30);
    s.last = o;
    ++s.count;
  }

  /// Append to `s` the occurrences of `later` (its documents all after those of `s`), a stream of
  /// this pool or another.
  void append(Stream& s, const Stream& later) {
    if (later.empty()) return;
    Reader r(later);
    put_varint(s, r.varint() - s.last.doc);  // its first document, counted from document 0
    for (std::uint64_t n = later.count * 2 - 1; n > 0; --n) put_varint(s, r.varint());
    s.last = later.last;
    s.count += later.count;
  }

  /// Bytes of the blocks held.
  std::uint64_t bytes() const { return std::uint64_t{blocks_.size()} * block_size; }

  /// The occurrences of `s` in the order added, into `out` (its contents replaced).
  static void decode(const Stream& s, std::vector<Occurrence>& out) {
    out.resize(s.count);
    Reader r(s);
    std::uint32_t doc = 0;
    for (auto& o : out) {
      doc += static_cast<std::uint32_t>(r.varint());
      const auto v = r.varint();
      o = {doc, static_cast<std::uint32_t>((v & 3) << 30 | v >> 2)};
    }
  }

 private:
  static constexpr std::size_t block_size = std::size_t{1} << 20;
  static constexpr std::array<std::uint32_t, 7> slice_size{16, 32, 64, 128, 256, 512, 1024};  // with the link
  static constexpr std::size_t link = sizeof(std::uint8_t*);

  struct Reader {
    explicit Reader(const Stream& s) : at(s.head), limit(s.head ? s.head + slice_size[0] - link : nullptr) {}
    std::uint8_t byte() {
      if (at == limit) {
        std::memcpy(&at, limit, link);
        if (level + 1 < slice_size.size()) ++level;
        limit = at + slice_size[level] - link;
      }
      return *at++;
    }
    std::uint64_t varint() {
      std::uint64_t v = 0;
      for (unsigned shift = 0;; shift += 7) {
        const std::uint8_t b = byte();
        v |= std::uint64_t{b & 0x7fu} << shift;
        if (!(b & 0x80)) return v;
      }
    }
    const std::uint8_t* at;
    const std::uint8_t* limit;
    std::size_t level = 0;
  };

  void put_varint(Stream& s, std::uint64_t v) {
    while (v >= 0x80) {
      put(s, static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    put(s, static_cast<std::uint8_t>(v));
  }
  void put(Stream& s, std::uint8_t b) {
    if (s.at == s.limit) {  // no slice yet, or the current one is full: link a new one
      if (s.head && s.level + 1u < slice_size.size()) ++s.level;
      const std::size_t size = slice_size[s.level];
      if (blocks_.empty() || left_ < size) {
        blocks_.push_back(std::make_unique_for_overwrite<std::uint8_t[]>(block_size));
        top_ = blocks_.back().get();
        left_ = block_size;
      }
      std::uint8_t* slice = top_;
      top_ += size;
      left_ -= size;
      if (s.head) std::memcpy(s.limit, &slice, link);
      else s.head = slice;
      s.at = slice;
      s.limit = slice + size - link;
    }
    *s.at++ = b;
  }

  std::vector<std::unique_ptr<std::uint8_t[]>> blocks_;
  std::uint8_t* top_ = nullptr;
  std::size_t left_ = 0;
};

struct TermAccumulator {
  std::string term;
  std::string stem;
  bool typo_reachable = false;  ///< some occurrence makes it a typo's correction (index_data.hpp)
  OccurrencePool::Stream occurrences;  ///< in its range's pool
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a; terms are short
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

// Term -> index into a vector of TermAccumulator, for the analysis of every token: open
// addressing over (hash, id) pairs, the term's bytes read from its accumulator only when the
// hashes agree. A quarter of the build went to std::unordered_map here (a division per lookup,
// a node to follow).
class TermTable {
 public:
  /// The id of `term`, or `fresh` (after inserting it) when the table does not hold it.
  std::uint32_t find_or_add(std::string_view term, const std::vector<TermAccumulator>& acc, std::uint32_t fresh) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    const auto h = static_cast<std::uint32_t>(detail::hash_word(term));
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id == 0) {
        s = {h, fresh + 1};
        ++count_;
        return fresh;
      }
      if (s.hash == h && acc[s.id - 1].term == term) return s.id - 1;
    }
  }

 private:
  struct Slot {
    std::uint32_t hash = 0;
    std::uint32_t id = 0;  ///< accumulator index + 1; 0 = empty
  };
  void grow() {
    std::vector<Slot> old(std::max<std::size_t>(1024, slots_.size() * 2));
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == 0) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].id) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::size_t count_ = 0;
};

constexpr std::uint32_t checkpoint_every = 16;
// Bytes of documents freed between two malloc_trim calls while their text is copied: the heap
// keeps small freed blocks, and the documents' memory is what the text takes the place of.
constexpr std::uint64_t trim_every = std::uint64_t{256} << 20;
// Bytes of occurrences from which a build counts its postings before it writes them.
constexpr std::uint64_t count_postings_above = std::uint64_t{64} << 20;

// Threads for analysing documents: the CPUs this process may run on.
unsigned analysis_threads() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
}

// Bytes of a heading's numbering: runs of digits and dots ending in '.' or ')' and followed by a
// space ("6.14. Lambdas", "10. Full Grammar", "2) Setup"). "3.11 What's new" and "2to3" are text.
std::size_t numbering_bytes(std::string_view title) {
  std::size_t i = 0, numbered = 0;
  while (i < title.size() && title[i] >= '0' && title[i] <= '9') {
    std::size_t j = i;
    while (j < title.size() && ((title[j] >= '0' && title[j] <= '9') || title[j] == '.')) ++j;
    if (j < title.size() && title[j] == ')') ++j;
    const char last = title[j - 1];
    if ((last != '.' && last != ')') || j >= title.size() || title[j] != ' ') break;
    numbered = j;
    while (j < title.size() && title[j] == ' ') ++j;
    i = j;
  }
  return numbered;
}

// Counts the bytes written instead of storing them (sizing pass of the postings).
struct ByteCount {
  std::uint64_t n = 0;
  void push_back(std::uint8_t) { ++n; }
  std::uint64_t size() const { return n; }
};

// One term's postings and positions (index_data.hpp) from its occurrences, appended to
// `postings` and `positions`; returns its document frequency.
// `pack`: an entry of one field with a PackedEntry code is its entry byte alone.
template <class Out>
std::uint32_t encode_postings(const std::vector<Occurrence>& occ, Out& postings, Out& positions, bool pack) {
  std::uint32_t df = 0, prev_doc = 0;
  for (std::size_t k = 0; k < occ.size();) {
    std::size_t e = k;
    std::array<std::uint32_t, field_count> tf{};
    while (e < occ.size() && occ[e].doc == occ[k].doc) ++tf[occ[e++].field_position >> 30];
    ++df;
    put_varint(postings, occ[k].doc + 1 - prev_doc);
    prev_doc = occ[k].doc + 1;
    std::uint8_t mask = 0;
    for (std::size_t f = 0; f < field_count; ++f)
      if (tf[f]) mask |= static_cast<std::uint8_t>(1u << f);
    const auto before = positions.size();
    std::uint32_t last_field = ~0u, last = 0;
    for (std::size_t x = k; x < e; ++x) {
      std::uint32_t f = occ[x].field_position >> 30, p = occ[x].field_position & max_position;
      if (f != last_field) last_field = f, last = 0;
      put_varint(positions, p - last);
      last = p;
    }
    const auto bytes = positions.size() - before;
    const auto code = pack && single_field(mask) ? PackedEntry::code(tf[std::countr_zero(mask)], bytes) : 0;
    postings.push_back(static_cast<std::uint8_t>(mask | code << 4));
    if (!code) {
      for (std::size_t f = 0; f < field_count; ++f)
        if (tf[f]) put_varint(postings, tf[f]);
      put_varint(postings, bytes);
    }
    k = e;
  }
  return df;
}

// The attribute tables (index_data.hpp): each record's pairs as for_each_attribute gives them
// (its own, then the built-in type and area).
void build_attributes(const std::vector<Document>& docs, Index::Data& d) {
  std::unordered_map<std::string, std::vector<std::uint32_t>, StringHash, std::equal_to<>> records;
  std::string key;
  auto add = [&](std::string_view name, std::string_view value, std::uint32_t doc) {
    key.assign(name).append(1, '\x1f').append(value);
    auto it = records.find(key);
    if (it == records.end()) it = records.emplace(key, std::vector<std::uint32_t>{}).first;
    if (it->second.empty() || it->second.back() != doc) it->second.push_back(doc);
  };
  for (std::uint32_t i = 0; i < docs.size(); ++i)
    detail::for_each_attribute(docs[i], [&](std::string_view name, std::string_view value) { add(name, value, i); });
  std::vector<std::string_view> keys;
  keys.reserve(records.size());
  for (const auto& [k, v] : records) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  d.attr_keys.clear();
  d.attr_key_offset.assign(1, 0);
  d.attr_docs_offset.assign(1, 0);
  d.attr_docs.clear();
  for (auto k : keys) {
    const auto& list = records.find(k)->second;
    d.attr_keys += k;
    d.attr_key_offset.push_back(static_cast<std::uint32_t>(d.attr_keys.size()));
    d.attr_docs.append(list.begin(), list.end());
    d.attr_docs_offset.push_back(static_cast<std::uint32_t>(d.attr_docs.size()));
  }
}
}  // namespace

struct IndexBuilder::Impl {
  SiteSettings site;
  std::vector<Document> documents;
  unsigned threads = 0;
  std::optional<std::array<std::array<double, field_count>, 2>> length_averages;
  std::optional<LengthTotals> other_lengths;
  const std::atomic<bool>* cancel = nullptr;
  void check_cancel() const {
    if (cancel && cancel->load(std::memory_order_relaxed)) throw BuildCancelled();
  }
};

IndexBuilder::IndexBuilder(const SiteSettings& site) : impl_(std::make_unique<Impl>()) { impl_->site = site; }
IndexBuilder::~IndexBuilder() = default;
IndexBuilder::IndexBuilder(IndexBuilder&&) noexcept = default;
IndexBuilder& IndexBuilder::operator=(IndexBuilder&&) noexcept = default;

void IndexBuilder::add(Document document) {
  if (document.url.empty()) return;
  impl_->documents.push_back(std::move(document));
}

void IndexBuilder::add_all(std::vector<Document> documents) {
  std::erase_if(documents, [](const Document& d) { return d.url.empty(); });
  auto& to = impl_->documents;
  if (to.empty()) {
    to = std::move(documents);
    return;
  }
  to.reserve(to.size() + documents.size());
  for (auto& d : documents) to.push_back(std::move(d));
}

std::size_t IndexBuilder::size() const noexcept { return impl_->documents.size(); }
void IndexBuilder::set_threads(unsigned threads) noexcept { impl_->threads = threads; }
void IndexBuilder::set_cancel(const std::atomic<bool>* cancel) noexcept { impl_->cancel = cancel; }
void IndexBuilder::set_length_averages(const std::array<std::array<double, field_count>, 2>& averages) {
  impl_->length_averages = averages;
  impl_->other_lengths.reset();
}

void IndexBuilder::set_other_lengths(const std::array<std::array<double, field_count>, 2>& lengths,
                                     const std::array<double, 2>& records) {
  impl_->other_lengths = LengthTotals{lengths, records};
  impl_->length_averages.reset();
}

std::shared_ptr<const Index> IndexBuilder::build() {
  auto docs = std::move(impl_->documents);
  impl_->documents.clear();
  const SiteSettings& site = impl_->site;

  auto data = std::make_unique<Index::Data>();
  auto& d = *data;
  d.settings = site;
  d.shape = index_shape(site);
  d.analyzer_options = AnalyzerOptions::from_site(site);
  d.analyzer = Analyzer(d.analyzer_options);
  d.built_at = std::chrono::system_clock::now();
  d.docs.resize(docs.size());
  const StaticBoost static_boost(site);
  build_attributes(docs, d);  // before the text layout, which frees the documents' strings

  // Stored text. Pages go first so a section's body can point into its page's body, and a
  // record's other fields point at the same bytes when they repeat: the id its URL, a section's
  // title, section title, hierarchy and section key its page's (the first record of its page
  // when the page has no page record). The text is laid out twice: once to decide every
  // record's references and count the bytes, once to copy them into a blob of exactly that size
  // (grown by doubling and then shrunk, the text briefly took up to three times its size).
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> groups;
  std::vector<std::int64_t> first_of_group;  // the record the group's records share text with
  std::vector<std::uint32_t> body_from;      // per group: where its page's body held the last section's
  std::vector<std::string> hierarchies(docs.size());
  std::vector<std::string> anchor_texts(docs.size());  // each record's anchors, each after a space
  std::vector<TextRef> anchor_refs(docs.size());
  std::uint64_t text_size = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::uint32_t i = 0; i < docs.size(); ++i) {
      const auto& doc = docs[i];
      if ((doc.type == DocumentType::page) != (pass == 0)) continue;
      auto& r = d.docs[i];
      auto [it, inserted] = groups.try_emplace(page_url(doc), static_cast<std::uint32_t>(groups.size()));
      if (inserted) first_of_group.push_back(i), body_from.push_back(0);
      r.page_group = it->second;
      std::string& h = hierarchies[i];
      for (std::size_t k = 0; k < doc.hierarchy.size(); ++k) {
        if (k) h += '\x1f';
        h += doc.hierarchy[k];
      }
      // New bytes at the end of the text, or the reference of an equal string already placed.
      auto place = [&](std::string_view value, std::initializer_list<std::pair<std::string_view, TextRef>> same) {
        for (const auto& [text, ref] : same)
          if (text == value) return ref;
        TextRef ref{static_cast<std::uint32_t>(text_size), static_cast<std::uint32_t>(value.size())};
        text_size += value.size();
        return ref;
      };
      const auto first = static_cast<std::uint32_t>(first_of_group[r.page_group]);
      if (first == i) {
        r.body = place(doc.body, {});
        r.url = place(doc.url, {});
        r.id = place(doc.id, {{doc.url, r.url}});
        r.title = place(doc.title, {});
        r.section_title = place(doc.section_title, {{doc.title, r.title}});
        r.hierarchy = place(h, {});
        r.section_key = place(doc.section_key, {});
      } else {
        const auto& f = docs[first];
        const auto& fr = d.docs[first];
        r.body = {0, 0};
        if (f.type == DocumentType::page && !doc.body.empty()) {
          // A page's sections come in its order: looked for from where the last one was found,
          // then before it, each byte of the page read once (from its start every time, a page
          // of many sections was read once per section).
          const std::string_view page(f.body);
          auto& from = body_from[r.page_group];
          auto at = page.find(doc.body, from);
          if (at == std::string_view::npos && from > 0) at = page.substr(0, from + doc.body.size() - 1).find(doc.body);
          if (at != std::string_view::npos) {
            from = static_cast<std::uint32_t>(at);
            r.body = {fr.body.offset + static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(doc.body.size())};
          }
        }
        if (r.body.length == 0) r.body = place(doc.body, {});
        r.url = place(doc.url, {});
        r.id = place(doc.id, {{doc.url, r.url}});
        r.title = place(doc.title, {{f.title, fr.title}});
        r.section_title = place(doc.section_title, {{f.section_title, fr.section_title}, {doc.title, r.title}});
        r.hierarchy = place(h, {{hierarchies[first], fr.hierarchy}});
        r.section_key = place(doc.section_key, {{f.section_key, fr.section_key}});
      }
      for (const auto& a : doc.anchors) (anchor_texts[i] += ' ') += a;
      anchor_refs[i] = place(anchor_texts[i], {});
      r.position = doc.position;
      r.boost = doc.boost;
      r.inbound_links = doc.inbound_links;
      r.type = doc.type;
      r.content_hash = doc.content_hash;
      r.static_boost = static_cast<float>(static_boost.of(doc));
    }
  }
  // Copy in the order the references were made: a reference at the end of the copied text is
  // new bytes, one before it a repeat.
  d.text.reserve(text_size);
  std::vector<std::string> languages;            // the values of `language` attributes
  std::vector<std::uint32_t> language_of(docs.size());  // per record: 1 + its language, or 0
  std::uint64_t freed = 0;  // bytes of documents freed since the heap was last trimmed
  for (int pass = 0; pass < 2; ++pass) {
    for (std::uint32_t i = 0; i < docs.size(); ++i) {
      auto& doc = docs[i];
      const auto& r = d.docs[i];  // its type, not the document's: the pages are cleared by now
      if ((r.type == DocumentType::page) != (pass == 0)) continue;
      for (const auto& [ref, value] : {std::pair<TextRef, std::string_view>{r.body, doc.body}, {r.url, doc.url}, {r.id, doc.id},
                                       {r.title, doc.title}, {r.section_title, doc.section_title},
                                       {r.hierarchy, hierarchies[i]}, {r.section_key, doc.section_key},
                                       {anchor_refs[i], anchor_texts[i]}})
        if (ref.length && ref.offset == d.text.size()) d.text.append(value);
      std::string().swap(anchor_texts[i]);
      // From here on the record's text is read from the index: the document's copy goes, so
      // that the documents and the text are not in memory whole together. The analysis needs
      // only its language besides.
      for (const auto& a : doc.attributes) {
        if (a.name != "language") continue;
        auto it = std::find(languages.begin(), languages.end(), a.value);
        if (it == languages.end()) it = languages.insert(it, a.value);
        language_of[i] = static_cast<std::uint32_t>(it - languages.begin()) + 1;
        break;
      }
      freed += doc.body.size() + doc.url.size() + doc.id.size() + doc.title.size() + doc.section_title.size();
      { const Document gone(std::move(doc)); }  // freed: assigning an empty one keeps its strings' buffers
      if (freed > trim_every) {  // given back as the text grows, not only once it is complete
        malloc_trim(0);
        freed = 0;
      }
      std::string().swap(hierarchies[i]);
    }
  }
  std::vector<std::string>().swap(hierarchies);
  std::vector<std::string>().swap(anchor_texts);
  // Stored, so that a record read back (Index::document: merging segments, deleting it) is
  // indexed as it was. None when no record has anchors.
  if (std::any_of(anchor_refs.begin(), anchor_refs.end(), [](const TextRef& r) { return r.length > 0; })) d.anchors = std::move(anchor_refs);
  else std::vector<TextRef>().swap(anchor_refs);
  const auto total_docs = static_cast<std::uint32_t>(docs.size());
  std::vector<Document>().swap(docs);
  // The documents, freed as they were copied (trimming walks the whole heap: not for a few).
  if (text_size > trim_every) malloc_trim(0);
  d.page_groups = static_cast<std::uint32_t>(groups.size());
  // Compressed now, before the analysis (which decompresses them on its threads), so that the
  // rest of the build holds the smaller text.
  impl_->check_cancel();
  d.compress_bodies(std::uint64_t{site.compact_above_mb} << 20);

  // Analysis: collect occurrences per term. Documents are analysed in contiguous ranges, one
  // per thread, each into its own table; the tables are then merged in document order, so the
  // result is the same as one pass over all documents.
  struct Partial {
    TermTable ids;
    OccurrencePool pool;
    std::vector<TermAccumulator> acc;
    std::vector<Checkpoint> checkpoints;
    std::vector<std::uint32_t> checkpoint_offset;  // per document of the range, into checkpoints
  };
  auto analyse = [&](const Analyzer& site_analyzer, std::uint32_t first, std::uint32_t last, Partial& p) {
    std::string url_buf;
    // A record in another language than the site's (its `language` attribute) is analysed with
    // that language's stemmer (record_analyzer_options); one analyzer per language and thread.
    std::map<std::string, std::optional<Analyzer>, std::less<>> by_language;
    for (std::uint32_t i = first; i < last; ++i) {
      if (i % 256 == 0) impl_->check_cancel();
      const Analyzer* chosen = &site_analyzer;
      if (language_of[i]) {
        const auto& language = languages[language_of[i] - 1];
        auto it = by_language.find(language);
        if (it == by_language.end()) {
          auto options = record_analyzer_options(d.analyzer_options, language);
          it = by_language.emplace(language, options ? std::optional<Analyzer>(Analyzer(*options)) : std::nullopt).first;
        }
        if (it->second) chosen = &*it->second;
      }
      const Analyzer& analyzer = *chosen;
      auto& r = d.docs[i];
      p.checkpoint_offset.push_back(static_cast<std::uint32_t>(p.checkpoints.size()));
      for (std::size_t f = 0; f < field_count; ++f) {
        const auto text = d.indexed_text(i, static_cast<Field>(f), url_buf);
        if (text.empty()) continue;
        auto tokens = analyzer.analyze(text);
        if (f == static_cast<std::size_t>(Field::title) || f == static_cast<std::size_t>(Field::section_title)) {
          const std::size_t numbered = numbering_bytes(text);
          std::uint32_t lead = 0;
          for (const auto& t : tokens) {
            if (t.offset < numbered) lead = std::max(lead, t.position + 1);
          }
          // Then the stop words the heading starts with ("The Application Context", "A Tour of
          // the Library"): readers leave them out, so the title rules compare from after them.
          // A heading of stop words only ("About") keeps them: nothing after them to compare.
          std::uint32_t after = lead, words = 0;
          for (const auto& t : tokens) {
            if (t.position == after && t.stop && t.kind == TokenKind::word) ++after;
            words = std::max(words, t.position + 1);
          }
          if (after < words) lead = after;
          r.numbering[f] = static_cast<std::uint8_t>(std::min<std::uint32_t>(lead, 255));
        }
        std::uint32_t length = 0;
        std::uint32_t next_checkpoint = 0;
        for (const auto& t : tokens) {
          if (t.term.empty() || t.position > max_position) continue;
          length = std::max(length, t.position + 1);
          if (f == static_cast<std::size_t>(Field::body) && t.kind != TokenKind::part && t.position >= next_checkpoint) {
            p.checkpoints.push_back({t.position, t.offset});
            next_checkpoint = t.position + checkpoint_every;
          }
          const auto fresh = static_cast<std::uint32_t>(p.acc.size());
          const auto id = p.ids.find_or_add(t.term, p.acc, fresh);
          if (id == fresh) p.acc.push_back({t.term, t.stem.empty() ? t.term : t.stem, false, {}});
          auto& a = p.acc[id];
          if (!a.typo_reachable && typo_reachable(t.kind, t.term)) a.typo_reachable = true;
          Occurrence o{i, static_cast<std::uint32_t>(f << 30) | t.position};
          if (!a.occurrences.empty() && a.occurrences.last.doc == o.doc &&
              a.occurrences.last.field_position >= o.field_position)
            continue;  // same term twice at one position (an identifier equal to its part)
          // The URL field is a set of names: the path and the definitions' ids ("asyncore.dispatcher",
          // "asyncore.loop", ...) repeat their prefixes, which say nothing more the second time.
          if (f == static_cast<std::size_t>(Field::url) && !a.occurrences.empty() && a.occurrences.last.doc == o.doc &&
              (a.occurrences.last.field_position >> 30) == f)
            continue;
          p.pool.push(a.occurrences, o);
        }
        r.field_length[f] = length;
      }
    }
  };
  const unsigned threads = std::max(1u, std::min<unsigned>({impl_->threads ? impl_->threads : std::min(analysis_threads(), 8u),
                                                            std::max(1u, total_docs / 256)}));
  std::vector<Partial> partials(threads);
  {
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(threads);
    // Ranges of about equal text (documents differ in size by orders of magnitude).
    std::vector<std::uint32_t> bounds(threads + 1, total_docs);
    bounds[0] = 0;
    {
      auto weight = [&](std::uint32_t i) { return std::uint64_t{d.docs[i].body.length} + d.docs[i].title.length + 64; };
      std::uint64_t all = 0, seen = 0;
      for (std::uint32_t i = 0; i < total_docs; ++i) all += weight(i);
      unsigned k = 1;
      for (std::uint32_t i = 0; i < total_docs && k < threads; ++i) {
        seen += weight(i);
        while (k < threads && seen * threads >= all * k) bounds[k++] = i + 1;
      }
    }
    auto run = [&](unsigned k, const Analyzer& analyzer) {
      try {
        analyse(analyzer, bounds[k], bounds[k + 1], partials[k]);
      } catch (...) {
        errors[k] = std::current_exception();
      }
    };
    std::vector<unsigned> here{0};  // ranges analysed on this thread
    for (unsigned k = 1; k < threads; ++k) {
      try {
        // An analyzer of its own (the same options): its stemmer and word cache stay on that
        // thread instead of moving between the threads with every call.
        pool.emplace_back([&, k] { run(k, Analyzer(d.analyzer_options)); });
      } catch (const std::system_error&) {
        here.push_back(k);  // no thread to be had: this one does it
      }
    }
    for (auto k : here) run(k, d.analyzer);
    for (auto& t : pool) t.join();
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
  }
  impl_->check_cancel();
  // Merge: the first range's table is the start; later ranges append their occurrences (their
  // documents come after) to the terms already seen and add the others.
  auto term_ids = std::move(partials[0].ids);
  auto acc = std::move(partials[0].acc);
  auto pool = std::move(partials[0].pool);
  d.checkpoint_offset.reserve(total_docs + 1);
  for (auto& p : partials) {
    const auto base = static_cast<std::uint32_t>(d.checkpoints.size());
    for (auto off : p.checkpoint_offset) d.checkpoint_offset.push_back(base + off);
    if (d.checkpoints.empty()) d.checkpoints = std::move(p.checkpoints);  // the first range: no copy
    else d.checkpoints.append(p.checkpoints.begin(), p.checkpoints.end());
    if (&p == &partials[0]) continue;
    for (auto& a : p.acc) {
      // The range's pool goes with it: occurrences are copied into the first range's.
      const auto fresh = static_cast<std::uint32_t>(acc.size());
      const auto id = term_ids.find_or_add(a.term, acc, fresh);
      if (id == fresh) acc.push_back({std::move(a.term), std::move(a.stem), a.typo_reachable, {}});
      auto& into = acc[id];
      into.typo_reachable = into.typo_reachable || a.typo_reachable;
      pool.append(into.occurrences, a.occurrences);
    }
    p = Partial{};
  }
  d.checkpoint_offset.push_back(static_cast<std::uint32_t>(d.checkpoints.size()));
  term_ids = TermTable{};

  impl_->check_cancel();
  // Dictionary in bytewise order.
  std::vector<std::uint32_t> order(acc.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return acc[a].term < acc[b].term; });
  const auto n = static_cast<std::uint32_t>(acc.size());
  d.term_offset.reserve(n + 1);
  d.term_df.reserve(n);
  d.term_flags.reserve(n);
  d.postings_offset.reserve(n + 1);
  d.positions_offset.reserve(n + 1);
  // A large site's postings and positions are written twice: counted, to allocate them exactly,
  // then stored (grown by doubling and then shrunk, they briefly took twice their size or more).
  // A small site's grow as they are written: the counting pass would cost more than it saves.
  std::vector<Occurrence> occurrences;  // one term's, decoded
  // Written a byte at a time into plain vectors, then handed to the index's arrays.
  std::vector<std::uint8_t> postings_bytes, positions_bytes;
  const bool sized = pool.bytes() > count_postings_above;
  // A compact index (its bodies compressed: SiteSettings::compact_above_mb) packs its entries
  // too. A small one keeps every entry whole: a common word's postings, packed and whole entries
  // mixed, are walked slower while they fit in the CPU's caches (docs/performance.md).
  const bool pack = d.bodies_compressed();
  if (sized) {
    ByteCount postings, positions;
    for (const auto& a : acc) {
      OccurrencePool::decode(a.occurrences, occurrences);
      encode_postings(occurrences, postings, positions, pack);
    }
    postings_bytes.reserve(postings.n);
    positions_bytes.reserve(positions.n);
  }
  for (auto id : order) {
    auto& a = acc[id];
    d.term_offset.push_back(static_cast<std::uint32_t>(d.terms.size()));
    d.terms += a.term;
    d.term_flags.push_back(a.typo_reachable ? 0 : term_no_typo);
    d.postings_offset.push_back(postings_bytes.size());
    d.positions_offset.push_back(positions_bytes.size());
    OccurrencePool::decode(a.occurrences, occurrences);
    d.term_df.push_back(encode_postings(occurrences, postings_bytes, positions_bytes, pack));
  }
  pool = OccurrencePool{};
  if (!sized) {
    postings_bytes.shrink_to_fit();
    positions_bytes.shrink_to_fit();
  }
  d.term_offset.push_back(static_cast<std::uint32_t>(d.terms.size()));
  d.postings_offset.push_back(postings_bytes.size());
  d.positions_offset.push_back(positions_bytes.size());
  d.postings = std::move(postings_bytes);
  d.positions = std::move(positions_bytes);

  // Stems: each distinct stem with the (sorted) ids of its terms.
  std::vector<std::uint32_t> by_stem(n);
  std::iota(by_stem.begin(), by_stem.end(), 0u);
  std::stable_sort(by_stem.begin(), by_stem.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return acc[order[a]].stem < acc[order[b]].stem; });
  d.term_stem.assign(n, 0);
  for (std::uint32_t k = 0; k < n; ++k) {
    const auto& stem = acc[order[by_stem[k]]].stem;
    if (k == 0 || stem != acc[order[by_stem[k - 1]]].stem) {
      d.stem_offset.push_back(static_cast<std::uint32_t>(d.stems.size()));
      d.stem_terms_offset.push_back(static_cast<std::uint32_t>(d.stem_terms.size()));
      d.stems += stem;
    }
    d.term_stem[by_stem[k]] = static_cast<std::uint32_t>(d.stem_offset.size() - 1);
    d.stem_terms.push_back(by_stem[k]);
  }
  d.stem_offset.push_back(static_cast<std::uint32_t>(d.stems.size()));
  d.stem_terms_offset.push_back(static_cast<std::uint32_t>(d.stem_terms.size()));

  d.analyzer.trim();  // the build's word cache holds the whole vocabulary; searches need far less
  d.checkpoints.shrink_to_fit();
  d.given_length_averages = impl_->length_averages;
  d.other_length_totals = impl_->other_lengths;
  d.finish();
  d.given_length_averages.reset();
  d.other_length_totals.reset();
  return std::make_shared<const Index>(std::move(data));
}

}  // namespace siteseek
