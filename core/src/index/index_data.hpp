#pragma once
// The arrays behind an Index. Private to the core: the search module reads them directly in its
// hot loops; snapshots write and read them as they are.
#include <algorithm>
#include <bit>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "siteseek/analysis.hpp"
#include "siteseek/index.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

struct BodyCodec;  // index/body_codec.hpp

/// Offsets of a string inside Index::Data::text.
struct TextRef {
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
};

/// One stored document: fields are slices of the shared text blob (a section's body usually
/// points into its page's body, so the text is stored once).
struct DocRecord {
  TextRef id, url, title, section_title, hierarchy, body, section_key;  // hierarchy: '\x1f'-joined
  std::uint32_t page_group = 0;  ///< documents with the same page URL share a group
  std::uint32_t position = 0;
  float boost = 1.0f;
  float static_boost = 1.0f;     ///< StaticBoost::of the document, computed at build
  DocumentType type = DocumentType::page;
  /// Token positions taken by a heading's numbering ("6.14. Lambdas": 1) in the title and
  /// section title: the exact_title rule starts after them.
  std::array<std::uint8_t, 2> numbering{};
  std::uint32_t inbound_links = 0;  ///< Document::inbound_links (its factor is in static_boost)
  std::uint64_t content_hash = 0;
  std::array<std::uint32_t, field_count> field_length{};  ///< token positions per field
};

/// A page's URL hash (fragment left out) and its first record (Index::Data::page_by_url).
struct PageUrl {
  std::uint64_t hash = 0;
  std::uint32_t doc = 0;
  /// What would be padding, set: a snapshot writes the bytes as they are, and a temporary's
  /// padding is whatever the stack held (two builds of one site wrote different files).
  std::uint32_t zero = 0;
  auto operator<=>(const PageUrl&) const = default;
};

/// A body token position and its byte offset, every few tokens: snippets analyse only a window.
struct Checkpoint {
  std::uint32_t position = 0;
  std::uint32_t offset = 0;
};

/// Records' token positions per field summed, and their number, [page, section]: what the length
/// averages are made of (Index::Data::derive for an index, SegmentedIndex for its segments).
struct LengthTotals {
  std::array<std::array<double, field_count>, 2> length{};
  std::array<double, 2> records{};
  void add(const DocRecord& r) {
    const int type = r.type == DocumentType::section;
    records[type] += 1;
    for (std::size_t f = 0; f < field_count; ++f) length[type][f] += r.field_length[f];
  }
  /// Another set's totals added (`sign` -1: taken away, as a segment's deleted records' are).
  void add(const LengthTotals& o, double sign = 1.0) {
    for (int t = 0; t < 2; ++t) {
      records[t] += sign * o.records[t];
      for (std::size_t f = 0; f < field_count; ++f) length[t][f] += sign * o.length[t][f];
    }
  }
  /// Per type and field: the average, at least 1 (1 for a type without records).
  std::array<std::array<double, field_count>, 2> averages() const {
    std::array<std::array<double, field_count>, 2> out{};
    for (int t = 0; t < 2; ++t)
      for (std::size_t f = 0; f < field_count; ++f) out[t][f] = records[t] ? std::max(1.0, length[t][f] / records[t]) : 1.0;
    return out;
  }
};

/// BM25F length normalisation per field (title, section_title, body, url): 0 ignores length.
inline constexpr std::array<double, field_count> bm25_b{0.3, 0.3, 0.35, 0.3};
/// BM25F term-frequency saturation.
inline constexpr double bm25_k1 = 1.2;
/// A posting's impact byte times this is its BM25F term-frequency part, tf(k1+1)/(k1+tf), which
/// is below k1+1: 255 steps of it keep scores within 0.3% of the unquantised ones.
inline constexpr double impact_unit = (bm25_k1 + 1.0) / 255.0;

/// Whether `c` joins the parts of an identifier in a term (os.path, line_num, std::vector, e-mail).
inline bool identifier_separator(char c) { return c == '.' || c == '-' || c == '_' || c == ':'; }

/// Whether `term` is `word` followed by more of an identifier ("logging.config", "line_num",
/// "std::vector" for "std"), `word` being plain ASCII letters. The analyzer emits such a word as
/// a part wherever the identifier occurs, so every record with `term` also has `word`.
inline bool identifier_continuation(std::string_view term, std::string_view word) {
  if (word.empty() || term.size() < word.size() + 2 || term.substr(0, word.size()) != word) return false;
  for (char c : word)
    if (c < 'a' || c > 'z') return false;
  return identifier_separator(term[word.size()]);
}

/// Whether `term` is an identifier with punctuation: a letter and a separator of identifier parts
/// (os.path.join, wal_level, std::vector, max-age), not a number (3.11).
inline bool punctuated_name(std::string_view term) {
  bool letter = false, separator = false;
  for (unsigned char c : term) {
    letter = letter || (c >= 'a' && c <= 'z') || c >= 0x80;
    separator = separator || identifier_separator(static_cast<char>(c));
  }
  return letter && separator;
}

/// Whether `name` is `word` with separators of identifier parts between its letters ("jsonb_set"
/// for "jsonbset", "os.path" for "ospath").
inline bool same_without_separators(std::string_view name, std::string_view word) {
  std::size_t k = 0;
  for (char c : name) {
    if (identifier_separator(c)) continue;
    if (k == word.size() || word[k] != c) return false;
    ++k;
  }
  return k == word.size();
}

/// Term kinds that decide expansion. term_no_typo: no typo lookup returns the term, because it
/// never occurs spelled as a word could be. A term is a typo's correction when any occurrence is
/// a word, a part, or a whole identifier of letters and digits only (camelCase "BTreeMap" ->
/// btreemap, which a user types as a word); never when it only occurs as a number (3.11 is not
/// 3.12), a configured literal, an identifier with punctuation (os.path, f-strings, __init__:
/// exact names, one edit from other names; their parts are reached on their own), or a CJK word.
enum TermFlags : std::uint8_t { term_no_typo = 1 };

/// Whether an occurrence of `term` of kind `kind` makes it a typo's correction (term_no_typo).
inline bool typo_reachable(TokenKind kind, std::string_view term) {
  switch (kind) {
    case TokenKind::word:
    case TokenKind::part: return true;
    case TokenKind::identifier:
      for (unsigned char c : term)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)) return false;
      return true;
    case TokenKind::number:
    case TokenKind::literal:
    case TokenKind::cjk: return false;  // one edit in a two-character word makes another word
  }
  return false;
}

/// A read-only array of an index: either owned (a vector, while building or after a rebuild) or
/// viewing a mapped snapshot in place (load_snapshot: nothing copied, pages read on first use).
/// Readers see a pointer and a length either way, so hot loops pay nothing for the difference.
/// The vector-like mutators are for the builder and derive(); a viewing array copies itself into
/// an owned vector before its first change.
template <class T>
class Array {
 public:
  using value_type = T;
  Array() = default;
  Array(std::vector<T> v) : own_(std::move(v)) { sync(); }
  Array(const Array& o) : own_(o.own_), p_(o.p_), n_(o.n_) {
    if (o.owned()) sync();
  }
  Array(Array&& o) noexcept : own_(std::move(o.own_)), p_(o.p_), n_(o.n_) {
    o.own_.clear();
    o.p_ = o.own_.data();
    o.n_ = 0;
  }
  Array& operator=(Array o) noexcept {
    own_.swap(o.own_);
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    return *this;
  }
  Array& operator=(std::vector<T> v) {
    own_ = std::move(v);
    sync();
    return *this;
  }
  /// An array viewing `n` elements at `p`, which must outlive it (the index keeps its mapping).
  static Array view(const T* p, std::size_t n) {
    Array a;
    a.p_ = p;
    a.n_ = n;
    return a;
  }
  bool owned() const noexcept { return p_ == own_.data() && n_ == own_.size(); }

  const T* data() const noexcept { return p_; }
  std::size_t size() const noexcept { return n_; }
  bool empty() const noexcept { return n_ == 0; }
  const T& operator[](std::size_t i) const noexcept { return p_[i]; }
  const T* begin() const noexcept { return p_; }
  const T* end() const noexcept { return p_ + n_; }
  const T& front() const noexcept { return p_[0]; }
  const T& at(std::size_t i) const {
    if (i >= n_) throw std::out_of_range("index array position " + std::to_string(i) + " of " + std::to_string(n_));
    return p_[i];
  }
  const T& back() const noexcept { return p_[n_ - 1]; }
  /// Bytes it takes: the vector's capacity, or for a view the mapped bytes (file pages, read in
  /// as they are used).
  std::uint64_t footprint() const noexcept { return (owned() ? own_.capacity() : n_) * sizeof(T); }
  friend bool operator==(const Array& a, const Array& b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }
  /// Characters as a string_view (Array<char> only).
  operator std::string_view() const noexcept
    requires std::is_same_v<T, char>
  {
    return {p_, n_};
  }

  // Building.
  T* data() noexcept { return edit().data(); }
  T& operator[](std::size_t i) noexcept { return edit()[i]; }
  T* begin() noexcept { return edit().data(); }
  T* end() noexcept { return edit().data() + n_; }
  T& back() noexcept { return edit().back(); }
  template <class... A>
  void push_back(A&&... a) {
    edit().push_back(std::forward<A>(a)...);
    sync();
  }
  template <class... A>
  T& emplace_back(A&&... a) {
    auto& r = edit().emplace_back(std::forward<A>(a)...);
    sync();
    return r;
  }
  void resize(std::size_t n) { edit().resize(n), sync(); }
  void reserve(std::size_t n) { edit().reserve(n), sync(); }
  void clear() { edit().clear(), sync(); }
  void shrink_to_fit() { edit().shrink_to_fit(), sync(); }
  void assign(std::size_t n, const T& v) { own_.assign(n, v), sync(); }
  template <class It>
  void assign(It first, It last) {
    std::vector<T> v(first, last);
    own_ = std::move(v);
    sync();
  }
  template <class It>
  void append(It first, It last) {
    edit().insert(own_.end(), first, last);
    sync();
  }
  void append(std::string_view s)
    requires std::is_same_v<T, char>
  {
    append(s.begin(), s.end());
  }
  Array& operator+=(std::string_view s)
    requires std::is_same_v<T, char>
  {
    append(s);
    return *this;
  }

 private:
  void sync() noexcept {
    p_ = own_.data();
    n_ = own_.size();
  }
  std::vector<T>& edit() {
    if (!owned()) {
      own_.assign(p_, p_ + n_);
      sync();
    }
    return own_;
  }
  std::vector<T> own_;
  const T* p_ = nullptr;
  std::size_t n_ = 0;
};

struct Index::Data {
  SiteSettings settings;
  AnalyzerOptions analyzer_options;
  Analyzer analyzer;
  std::chrono::system_clock::time_point built_at{};
  std::uint32_t snapshot_version = snapshot_format_version;
  std::string shape;  ///< index_shape() of the settings it was built with (shape.cpp)

  // Stored documents.
  Array<char> text;
  Array<DocRecord> docs;
  /// Compressed bodies (compress_bodies; empty: every body is in `text` like the other fields).
  /// The records' body references are then offsets into all the bodies laid end to end
  /// (body_bytes of them), cut into blocks of body_block_bytes, each compressed with zstd and
  /// the dictionary body_dict (none when it could not be trained) and kept in `text` at
  /// [body_block_offset[b], body_block_offset[b + 1]): a snippet decompresses a block or two.
  Array<std::uint64_t> body_block_offset;
  Array<char> body_dict;
  std::uint64_t body_bytes = 0;
  static constexpr std::uint64_t body_block_bytes = 2048;
  /// body_dict made ready to decompress with (compress_bodies and snapshots set it).
  std::shared_ptr<const BodyCodec> body_codec;
  bool bodies_compressed() const { return !body_block_offset.empty(); }
  std::uint32_t page_groups = 0;
  /// Per record (or none at all): the text of the links pointing at it, each after a space,
  /// indexed in its URL field (Document::anchors).
  Array<TextRef> anchors;
  Array<std::uint32_t> checkpoint_offset;  ///< per doc + 1: range into checkpoints
  Array<Checkpoint> checkpoints;
  /// Average field lengths per record type, [page, section][field]: a page is measured against
  /// pages and a section against sections, so that how finely a site is cut into sections does
  /// not move the pages' scores (one average for both sank long pages when definitions became
  /// records and the Python docs' records tripled).
  std::array<std::array<double, field_count>, 2> avg_field_length{};
  /// Set before derive(): the averages to use instead of the records' own (a segment's site's).
  std::optional<std::array<std::array<double, field_count>, 2>> given_length_averages;
  std::optional<LengthTotals> other_length_totals;  ///< or these added to the records' own, to average
  /// Per document and field: 1 / (1 - b + b * length / average length), BM25F's length
  /// normalisation, computed once so scoring multiplies instead of divides.
  Array<std::array<float, field_count>> inv_norm;
  /// Per posting, in postings order: its BM25F term-frequency part over all fields with the
  /// site's field weights, quantised to a byte (x impact_unit). It depends only on the document
  /// and the term, so it is computed once here (after building or loading, so the weights are
  /// always the current settings') and a query only multiplies and adds.
  Array<std::uint8_t> impacts;
  /// The field weights `impacts` were computed with (a snapshot stores both; opened under other
  /// weights, they are computed again).
  std::array<double, field_count> impact_weights{};
  Array<std::uint32_t> impact_offset;  ///< per term + 1: index of its first posting in impacts
  /// Per document, what ranking reads for every candidate, kept apart from DocRecord (whose
  /// size would make each candidate a cache miss on a large index): its static boost, its page
  /// group, and its section key as an index into section_keys (sorted, distinct).
  Array<float> doc_boost;
  Array<std::uint32_t> doc_group;
  /// Per page group: 1 when the page has section records (the `scattered` ranking rule).
  Array<std::uint8_t> group_has_sections;
  /// Per document: 1 for a section record (the `scattered` rule reads it for every candidate).
  Array<std::uint8_t> doc_is_section;
  Array<std::uint32_t> doc_section;
  Array<TextRef> section_keys;

  // Attributes (filters, facets; docs/filters.md): every distinct name/value pair of the
  // records, written "name\x1fvalue" and sorted, so one name's pairs are contiguous; the records
  // having each pair, ascending. The built-in `type` and `area` are pairs like any other.
  Array<char> attr_keys;
  Array<std::uint32_t> attr_key_offset;   ///< per pair + 1
  Array<std::uint32_t> attr_docs_offset;  ///< per pair + 1: range into attr_docs
  Array<std::uint32_t> attr_docs;
  /// Derived in finish(): each record's pairs, ascending (facet counts read these per result).
  Array<std::uint32_t> doc_attr_offset;   ///< per record + 1
  Array<std::uint32_t> doc_attrs;
  /// Derived in finish(): an analyzer for each value of the `language` attribute whose records
  /// were analysed with another stemmer than the site's (record_analyzer_options), so a query in
  /// that language is analysed as they were.
  std::vector<std::pair<std::string, Analyzer>> language_analyzers;
  /// The analyzer of records whose language is `tag` (the site's when none of its own).
  const Analyzer& analyzer_for(std::string_view tag) const;
  /// Derived in finish(): (hash of the URL, record) of every page's first record, sorted, to
  /// find the page a reader searches from (context attributes).
  Array<PageUrl> page_by_url;

  // Term dictionary: terms sorted bytewise, concatenated.
  Array<char> terms;
  Array<std::uint32_t> term_offset;   ///< per term + 1
  Array<std::uint32_t> term_df;
  Array<std::uint8_t> term_flags;
  Array<std::uint32_t> term_stem;     ///< stem id of each term
  /// Derived in finish(), for the typo walk: the bytes each term shares with the one before it
  /// (capped at 255), and the next term sharing strictly fewer bytes with its predecessor. The
  /// children of a node of the implicit trie end at the first term sharing at most the node's
  /// depth, which a few steps along term_next_shorter reach without reading term text.
  Array<std::uint8_t> term_lcp;
  Array<std::uint32_t> term_next_shorter;
  /// Derived in finish(), for the typo walk: where the terms of each two-byte start begin, so
  /// the walk goes straight to the few second bytes a word can still match. The bytes that
  /// begin terms or follow their first byte are numbered 1..n in byte order (pair_class; 0:
  /// none, and "no second byte"); the terms starting with bytes of classes a, b are
  /// [pair_start[a * pair_width + b], pair_start[a * pair_width + b + 1]). Empty when more than
  /// max_pair_classes bytes occur there (the walk then steps through the children).
  std::array<std::uint8_t, 256> pair_class{};
  std::uint32_t pair_width = 0;
  Array<std::uint32_t> pair_start;
  static constexpr std::uint32_t max_pair_classes = 96;
  /// Derived in finish(): the first 8 bytes (key8) of every sample_every-th term and stem, a
  /// few kilobytes that stay in cache, so a lookup searches them first and then reads the text
  /// of one short run of terms instead of a term per step across the whole dictionary.
  Array<std::uint64_t> term_sample, stem_sample;
  static constexpr std::uint32_t sample_every = 32;

  // Postings, per term: for each document (ascending) varint(doc delta), then its entry byte:
  // the field mask in its low four bits and a packed code (PackedEntry) in its high four; code 0
  // is followed by varint tf per present field and varint(byte length of its positions).
  // Positions, per term and document: for each present field, tf varint deltas.
  Array<std::uint64_t> postings_offset;   ///< per term + 1
  Array<std::uint8_t> postings;
  Array<std::uint64_t> positions_offset;  ///< per term + 1
  Array<std::uint8_t> positions;

  /// Derived in derive(): per term, its postings whose record has it in the title or section
  /// title, so that a search kept to those fields (title suggestions) reads them instead of all
  /// of a common word's postings. Each: varint(doc delta, from doc+1 as in postings), then the
  /// deltas of its entry's byte offset and of its positions' offset from the term's first ones,
  /// and of its index among the term's postings (for its impact).
  Array<std::uint8_t> title_postings;
  Array<std::uint64_t> title_offset;  ///< per term + 1: range into title_postings
  /// Fields title_postings covers (a bit per Field).
  static constexpr std::uint8_t title_fields =
      1u << static_cast<unsigned>(Field::title) | 1u << static_cast<unsigned>(Field::section_title);
  void derive_title_postings();

  // Stems, sorted, with the terms that have each stem.
  Array<char> stems;
  Array<std::uint32_t> stem_offset;        ///< per stem + 1
  Array<std::uint32_t> stem_terms_offset;  ///< per stem + 1
  Array<std::uint32_t> stem_terms;

  // Derived in finish() from the settings, so a search does not analyse them again.
  /// Synonym groups -> members -> their words (the analyzer's tokens, identifier parts left out).
  std::vector<std::vector<std::vector<Token>>> synonym_words;
  /// The thesaurus's groups (index/thesaurus.hpp) as the site's analyzer reads them: each word's
  /// (term, stem); and the groups holding each stem.
  struct Thesaurus {
    std::vector<std::vector<std::pair<std::string, std::string>>> groups;
    std::vector<std::pair<std::string, std::uint32_t>> stems;  ///< (stem, group), sorted
  };
  /// Null unless the site is in English; shared by the indexes whose analyzers read it alike.
  std::shared_ptr<const Thesaurus> thesaurus;
  /// Landing pages: the query's words as `normalize_query` gives them, and the record to pin
  /// (the page record of the URL, else its first record; -1 when the URL is not indexed).
  struct Pin {
    std::string query;
    std::int64_t doc = -1;
  };
  std::vector<Pin> pins;

  /// `doc`, when the index has such a record (else std::out_of_range).
  std::uint32_t checked_doc(std::uint32_t doc) const {
    (void)docs.at(doc);
    return doc;
  }
  /// A stored record (checked first when it is in a mapped snapshot not read yet).
  const DocRecord& record(std::uint32_t doc) const {
    if (lazy) [[unlikely]] lazy->check_record(*this, doc);
    return docs[doc];
  }
  /// The text record `doc`'s field `f` is indexed from: its stored title, section title or body;
  /// for the URL field, the words of its URL below the site's root and its anchors, made in `buf`.
  std::string_view indexed_text(std::uint32_t doc, Field f, std::string& buf) const;
  /// Bytes [from, to) of a record's body (clamped to it): a view of `text`, or, when the
  /// bodies are compressed, of the blocks holding them decompressed into `buf`.
  std::string_view body_text(const DocRecord& r, std::uint64_t from, std::uint64_t to, std::string& buf) const;
  std::string_view body_text(const DocRecord& r, std::string& buf) const { return body_text(r, 0, r.body.length, buf); }
  /// Compressed block `b` of the bodies, checked first when in a mapped snapshot not read yet,
  /// into `out` (body_block_bytes); SnapshotError when it does not decompress to its size.
  void body_block(std::uint64_t b, char* out) const;
  /// Where in `text` bytes [from, from + length) of a record's body are kept (their compressed
  /// blocks when compressed), for read-ahead and prefetching: offset and length.
  std::pair<std::uint64_t, std::uint64_t> body_extent(const DocRecord& r, std::uint64_t from, std::uint64_t length) const;
  /// Keeps the bodies compressed (above) when they take more than `threshold` bytes; a built
  /// index, before derive(). Gives the same index whatever the number of build threads.
  void compress_bodies(std::uint64_t threshold);
  /// Record `doc`'s anchors as stored (each after a space; empty: none).
  std::string_view anchors_of(std::uint32_t doc) const {
    if (anchors.empty()) return {};
    (void)record(doc);  // checks the record block, which covers its anchors' reference
    return slice(anchors[doc]);
  }
  /// A record's hierarchy (stored '\x1f'-joined), a title each.
  std::vector<std::string> hierarchy_of(const DocRecord& r) const;
  std::string_view slice(TextRef r) const {
    if (lazy) [[unlikely]] lazy->check_bytes(*this, LazyChecks::Bytes::text, r.offset, r.length);
    return std::string_view(text).substr(r.offset, r.length);
  }
  std::string_view term(std::uint32_t id) const {
    const auto from = term_offset[id], to = term_offset[id + 1];
    if (lazy) [[unlikely]] lazy->check_bytes(*this, LazyChecks::Bytes::terms, from, to - from);
    return std::string_view(terms).substr(from, to - from);
  }
  std::string_view stem(std::uint32_t id) const {
    const auto from = stem_offset[id], to = stem_offset[id + 1];
    if (lazy) [[unlikely]] lazy->check_bytes(*this, LazyChecks::Bytes::stems, from, to - from);
    return std::string_view(stems).substr(from, to - from);
  }
  std::uint32_t term_count() const { return static_cast<std::uint32_t>(term_df.size()); }
  std::uint32_t attr_count() const { return static_cast<std::uint32_t>(attr_docs_offset.size() ? attr_docs_offset.size() - 1 : 0); }
  std::string_view attr_key(std::uint32_t id) const {
    return std::string_view(attr_keys).substr(attr_key_offset[id], attr_key_offset[id + 1] - attr_key_offset[id]);
  }
  std::string_view attr_name(std::uint32_t id) const { return attr_key(id).substr(0, attr_key(id).find('\x1f')); }
  std::string_view attr_value(std::uint32_t id) const { return attr_key(id).substr(attr_key(id).find('\x1f') + 1); }
  /// Ids [first, last) of the pairs of attribute `name` (empty range: no record has it).
  std::pair<std::uint32_t, std::uint32_t> attr_range(std::string_view name) const;
  /// The id of the pair name=value, or none.
  std::uint32_t find_attr(std::string_view name, std::string_view value) const;
  static constexpr std::uint32_t no_attr = ~0u;
  /// The first record of the page at `url` (fragment ignored), or none.
  std::uint32_t find_page(std::string_view url) const;
  /// The index of a section key in section_keys, or none.
  std::uint32_t section_id(std::string_view key) const;
  static constexpr std::uint32_t no_section = ~0u;
  std::uint64_t memory_bytes() const;
  using MemoryParts = std::array<std::pair<std::string_view, std::uint64_t>, 44>;
  MemoryParts memory_parts() const;  ///< each array's footprint (no allocation: memory_bytes is noexcept)
  /// After building: derive() then apply_settings().
  void finish();
  /// The tables derived from the index alone (average lengths, per-record tables, the typo
  /// walk's): a snapshot stores them.
  void derive();
  /// The dictionary's tables for lookups and typo walks (term_lcp, term_next_shorter, the pair
  /// tables, the samples), from the terms and stems alone: part of derive(), and all a
  /// dictionary without records needs (the union of segments' dictionaries).
  void derive_terms();
  /// What the current settings decide: synonyms, landing pages, the records' languages'
  /// analyzers, and `impacts` when the field weights are not those they were computed with.
  void apply_settings();
  /// `impacts` under these field weights (title, section title, body, URL).
  void compute_impacts(const std::array<double, field_count>& weight);

  /// Checks made at first use, for arrays viewing a mapped snapshot (snapshot.cpp): the
  /// postings, positions and impacts of a block of terms, a block of records (with their
  /// checkpoints), and a block of the stored text or of the terms' or stems' texts, are
  /// checksummed (and the postings decoded, the records' references checked) the first time a
  /// search reads them, and so are a few per-record tables few searches read (Table), whole;
  /// opening a large snapshot reads only its small tables. Null once built, or read whole.
  struct LazyChecks {
    /// Per-record tables checked whole at their first use (by their arrays' checksums in the
    /// file's table of arrays): norms (inv_norm: searches kept to one field), record
    /// attributes (doc_attr_offset, doc_attrs: facets, context, reading a record back), and
    /// attribute records (attr_docs: filters).
    enum class Table : std::uint8_t { norms, record_attributes, attribute_records };
    static constexpr std::size_t table_count = 3;
    /// An array of a Table: where it is, its bytes, and its checksum as written.
    struct TablePart {
      const void* data;
      std::size_t bytes;
      std::uint64_t sum;
    };
    std::array<std::vector<TablePart>, table_count> table_parts;
    mutable std::array<std::atomic<std::uint8_t>, table_count> table_state{};  ///< as term_state
    void check_table(const Data& d, Table t) const {
      if (table_state[static_cast<std::size_t>(t)].load(std::memory_order_acquire) != 1) [[unlikely]] check_table_whole(d, t);
    }
    std::string source;                        ///< the snapshot's path, for errors
    std::uint32_t record_block = 1;            ///< records per block
    std::vector<std::uint64_t> record_block_sum;
    std::vector<std::uint32_t> term_block_first;  ///< first term of each block, ascending from 0
    std::vector<std::uint64_t> term_block_sum;
    /// Per block: 0 not checked yet, 1 good, 2 corrupt (throws again at every use).
    std::unique_ptr<std::atomic<std::uint8_t>[]> term_state, record_state;
    /// Byte arrays checked a block of bytes at a time: the stored text, and the dictionary's
    /// texts (a lookup reads a block or two of them, not the whole dictionary).
    enum class Bytes : std::uint8_t { text, terms, stems };
    static constexpr std::size_t bytes_count = 3;
    struct ByteBlocks {
      unsigned shift = 0;  ///< a block is 1 << shift bytes
      std::vector<std::uint64_t> sum;
      std::unique_ptr<std::atomic<std::uint8_t>[]> state;  ///< as term_state
      std::uint64_t block_count() const { return sum.size(); }
    };
    std::array<ByteBlocks, bytes_count> bytes;
    /// The zero bytes between arrays that follow a lazily checked one: checked by check_all.
    std::vector<std::pair<const char*, std::size_t>> padding;
    /// The arrays view a mapped file: a block is asked of the kernel whole before it is first
    /// read (snapshot.cpp, read_ahead).
    bool mapped = false;
    void check_record(const Data& d, std::uint32_t doc) const {
      if (record_state[doc / record_block].load(std::memory_order_acquire) != 1) [[unlikely]]
        check_record_block(d, doc / record_block, mapped);
    }
    /// Throws SnapshotError when the block holding `term` is corrupt.
    void check_terms(const Data& d, std::uint32_t term) const {
      if (term_state[block_of(term)].load(std::memory_order_acquire) != 1) [[unlikely]] check_term_block(d, block_of(term), mapped);
    }
    /// Asks the kernel, without waiting, for the block of record `doc` / the text blocks of
    /// [offset, offset + length) when not checked yet (a mapped file only).
    void ahead_record(const Data& d, std::uint32_t doc) const {
      if (mapped && record_state[doc / record_block].load(std::memory_order_acquire) == 0) read_record_block(d, doc / record_block);
    }
    void ahead_text(const Data& d, std::uint64_t offset, std::uint64_t length) const;
    /// Throws SnapshotError when a block of `b` holding any of [offset, offset + length) is corrupt.
    void check_bytes(const Data& d, Bytes b, std::uint64_t offset, std::uint64_t length) const {
      const auto& k = bytes[static_cast<std::size_t>(b)];
      if (!length) return;
      for (auto i = offset >> k.shift, last = (offset + length - 1) >> k.shift; i <= last; ++i)
        if (k.state[i].load(std::memory_order_acquire) != 1) [[unlikely]] check_byte_block(d, b, i, mapped);
    }
    /// Checks every block not checked yet.
    void check_all(const Data& d) const;

   private:
    std::uint32_t block_of(std::uint32_t term) const {
      return static_cast<std::uint32_t>(std::upper_bound(term_block_first.begin(), term_block_first.end(), term) -
                                        term_block_first.begin() - 1);
    }
    /// ahead: read_ahead the block's bytes first (one block used alone, not a walk of them all).
    void check_term_block(const Data& d, std::uint32_t block, bool ahead) const;
    void check_byte_block(const Data& d, Bytes b, std::uint64_t block, bool ahead) const;
    void check_record_block(const Data& d, std::uint32_t block, bool ahead) const;
    void read_record_block(const Data& d, std::uint32_t block) const;
    void read_byte_block(const Data& d, Bytes b, std::uint64_t block) const;
    void check_table_whole(const Data& d, Table t) const;
  };
  /// Before reading a table a mapped snapshot's open leaves unchecked (LazyChecks::Table).
  void check_table(LazyChecks::Table t) const {
    if (lazy) [[unlikely]] lazy->check_table(*this, t);
  }
  std::unique_ptr<LazyChecks> lazy;
  /// What the arrays view (a mapped file, or a copy of snapshot bytes), released with the index.
  std::shared_ptr<const void> backing;
  /// Whether each page group's records are one run (ingestion gives a page's records together,
  /// and the builder keeps their order): a page's records then end at another page's. Found by
  /// one pass over doc_group at first use.
  bool groups_in_runs() const;
  mutable std::unique_ptr<std::atomic<std::int8_t>> groups_in_runs_ = std::make_unique<std::atomic<std::int8_t>>(-1);  // -1 unknown
  /// `f(doc)` for each record of the page whose first record is `first` (find_page's), in order:
  /// to the end of its run when every page's records are one (groups_in_runs), else of the index.
  template <class F>
  void each_page_record(std::uint32_t first, F&& f) const {
    const auto group = doc_group[first];
    const bool in_runs = groups_in_runs();
    for (std::uint32_t doc = first; doc < docs.size(); ++doc) {
      if (doc_group[doc] != group) {
        if (in_runs) break;
        continue;
      }
      f(doc);
    }
  }
};

// --- varint helpers ------------------------------------------------------------------------

/// Append `v` as a varint to `out` (a byte vector, or anything with push_back(std::uint8_t)).
template <class Out>
[[gnu::always_inline]] inline void put_varint(Out& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

inline std::uint64_t get_varint(const std::uint8_t*& p) {
  std::uint64_t v = *p & 0x7f;
  unsigned shift = 7;
  while (*p++ & 0x80) {
    v |= static_cast<std::uint64_t>(*p & 0x7f) << shift;
    shift += 7;
  }
  return v;
}

/// The high four bits of a posting's entry byte (Index::Data::postings): 0, or a code for one
/// field holding the term 1 to 5 times in positions of tf to tf + 2 bytes, which is most
/// postings (a word once in a body), so that such an entry is one byte, not three.
struct PackedEntry {
  static constexpr unsigned max_tf = 5, max_extra = 2;
  /// The code of (tf, positions' bytes), or 0 when it has none.
  static constexpr std::uint8_t code(std::uint64_t tf, std::uint64_t bytes) {
    return tf >= 1 && tf <= max_tf && bytes >= tf && bytes - tf <= max_extra
               ? static_cast<std::uint8_t>((tf - 1) * (max_extra + 1) + (bytes - tf) + 1)
               : 0;
  }
  static constexpr std::uint32_t tf(unsigned code) { return (code - 1) / (max_extra + 1) + 1; }
  static constexpr std::uint32_t bytes(unsigned code) { return tf(code) + (code - 1) % (max_extra + 1); }
};
/// PackedEntry::bytes by code, for the postings walks (a load, not a division).
inline constexpr std::array<std::uint8_t, 16> packed_entry_bytes = [] {
  std::array<std::uint8_t, 16> t{};
  for (unsigned c = 1; c < 16; ++c) t[c] = static_cast<std::uint8_t>(PackedEntry::bytes(c));
  return t;
}();
static_assert(PackedEntry::code(PackedEntry::max_tf, PackedEntry::max_tf + PackedEntry::max_extra) == 15);
/// Field mask bits of an entry byte.
inline constexpr std::uint8_t entry_fields = 0x0f;
/// Whether `mask` has exactly one bit set: std::has_single_bit counts the bits, which on the
/// x86-64 baseline the build targets is a call into libgcc, once per posting when a build packs
/// entries or a check reads them.
constexpr bool single_field(unsigned mask) { return mask && !(mask & (mask - 1)); }

/// One document's entry in a term's postings, decoded.
struct PostingEntry {
  std::uint32_t doc = 0;
  std::uint8_t mask = 0;                        ///< fields present
  std::array<std::uint32_t, field_count> tf{};  ///< zero for absent fields
  std::uint64_t positions = 0;                  ///< offset into Data::positions
};

/// An entry's fields and frequencies from its entry byte `b` and, unless it is packed, the
/// frequencies after it at `p` (left after them).
inline void read_frequencies(std::uint8_t b, const std::uint8_t*& p, PostingEntry& e) {
  e.mask = b & entry_fields;
  e.tf = {};
  if (const unsigned code = b >> 4) e.tf[std::countr_zero(e.mask)] = PackedEntry::tf(code);
  else
    for (std::size_t f = 0; f < field_count; ++f)
      if (e.mask >> f & 1) e.tf[f] = static_cast<std::uint32_t>(get_varint(p));
}

/// Walks one term's postings in document order (checking them first when they are in a mapped
/// snapshot not read yet: Index::Data::LazyChecks).
class PostingsCursor {
  static const Index::Data& checked(const Index::Data& d, std::uint32_t term) {
    if (d.lazy) [[unlikely]] d.lazy->check_terms(d, term);
    return d;
  }

 public:
  PostingsCursor(const Index::Data& d, std::uint32_t term)
      : base_(checked(d, term).postings.data()),
        p_(d.postings.data() + d.postings_offset[term]),
        end_(d.postings.data() + d.postings_offset[term + 1]),
        pos_(d.positions_offset[term]) {}

  bool next(PostingEntry& e) {
    if (p_ >= end_) return false;
    doc_ += static_cast<std::uint32_t>(get_varint(p_));
    e.doc = doc_ - 1;  // deltas are taken from doc+1 so the first delta is never zero
    const std::uint8_t b = *p_++;
    read_frequencies(b, p_, e);
    e.positions = pos_;
    pos_ += b >> 4 ? packed_entry_bytes[b >> 4] : get_varint(p_);
    return true;
  }

  /// Next document only, without decoding frequencies: `entry` is where the entry's field mask
  /// is, `positions` where its positions start (for entry_at later).
  bool next_doc(std::uint32_t& doc, std::uint64_t& entry, std::uint64_t& positions) {
    if (p_ >= end_) return false;
    doc_ += static_cast<std::uint32_t>(get_varint(p_));
    doc = doc_ - 1;
    entry = static_cast<std::uint64_t>(p_ - base_);
    const std::uint8_t b = *p_++;
    positions = pos_;
    if (b >> 4) [[likely]] {
      pos_ += packed_entry_bytes[b >> 4];
      return true;
    }
    for (unsigned m = b & entry_fields; m; m &= m - 1) get_varint(p_);
    pos_ += get_varint(p_);
    return true;
  }

 private:
  const std::uint8_t* base_;
  const std::uint8_t* p_;
  const std::uint8_t* end_;
  std::uint64_t pos_;
  std::uint32_t doc_ = 0;
};

/// Walks one term's title postings (Index::Data::title_postings) in document order: each is the
/// term's posting of a record with it in a title or section title, as PostingsCursor::next_doc
/// reports it, with its index among the term's postings (where its impact is).
class TitleCursor {
 public:
  TitleCursor(const Index::Data& d, std::uint32_t term)
      : p_(d.title_postings.data() + d.title_offset[term]),
        end_(d.title_postings.data() + d.title_offset[term + 1]),
        entry_(d.postings_offset[term]),
        positions_(d.positions_offset[term]) {}

  bool next(std::uint32_t& doc, std::uint64_t& entry, std::uint64_t& positions, std::uint32_t& k) {
    if (p_ >= end_) return false;
    doc_ += static_cast<std::uint32_t>(get_varint(p_));
    doc = doc_ - 1;
    entry = entry_ += get_varint(p_);
    positions = positions_ += get_varint(p_);
    k = k_ += static_cast<std::uint32_t>(get_varint(p_));
    return true;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
  std::uint64_t entry_, positions_;
  std::uint32_t doc_ = 0, k_ = 0;
};

/// The posting entry of `doc` whose field mask is at byte `entry` and positions at `positions`
/// (as PostingsCursor::next_doc reported them).
inline PostingEntry entry_at(const Index::Data& d, std::uint32_t doc, std::uint64_t entry, std::uint64_t positions) {
  PostingEntry e;
  const std::uint8_t* p = d.postings.data() + entry;
  e.doc = doc;
  const std::uint8_t b = *p++;
  read_frequencies(b, p, e);
  e.positions = positions;
  return e;
}

/// Decode the positions of one posting entry into per-field lists (cleared first), at most
/// `cap` per field (the first ones), for the first `fields` fields only (the rest are left
/// empty): positions are stored field after field, so stopping early skips the long tail.
/// Reads stop at the end of the positions array (a damaged snapshot's bytes give wrong
/// positions, never a read past it; its checks bound each entry's frequencies by its bytes).
inline void decode_positions(const Index::Data& d, const PostingEntry& e,
                             std::array<std::vector<std::uint32_t>, field_count>& out,
                             std::uint32_t cap = ~0u, std::size_t fields = field_count) {
  const std::uint8_t* p = d.positions.data() + e.positions;
  const std::uint8_t* const end = d.positions.data() + d.positions.size();
  const auto varint = [&]() -> std::uint64_t {
    std::uint64_t v = 0;
    for (unsigned shift = 0; p < end && shift < 64; shift += 7) {
      const std::uint8_t b = *p++;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    return v;
  };
  std::size_t last = 0;  // one past the last field wanted that has positions
  for (std::size_t f = 0; f < fields && f < field_count; ++f)
    if (e.tf[f]) last = f + 1;
  for (std::size_t f = 0; f < field_count; ++f) {
    if (f >= last) {
      out[f].clear();
      continue;
    }
    const std::uint32_t n = e.tf[f];
    const std::uint32_t keep = n > cap ? cap : n;
    out[f].resize(keep);  // capacity is reused across calls: no allocation on the hot path
    std::uint32_t* dst = out[f].data();
    std::uint32_t pos = 0;
    for (std::uint32_t i = 0; i < keep; ++i) {
      pos += static_cast<std::uint32_t>(varint());
      dst[i] = pos;
    }
    if (f + 1 < last)
      for (std::uint32_t i = keep; i < n; ++i) varint();
  }
}

namespace detail {
/// For the snapshot fuzz target: `bytes` with every checksum of a current-format file recomputed (what
/// cannot be located is left as it is), so that a mutation reaches the checks behind them.
std::string resealed_snapshot(std::string_view bytes);
}  // namespace detail

/// The first 8 bytes of `s` as a big-endian number, bytes past its end taken as `pad`: if
/// key8(a, 0) < key8(b, 0) then a < b, so comparing these orders strings by their start.
inline std::uint64_t key8(std::string_view s, unsigned char pad) {
  std::uint64_t k = 0;
  for (std::size_t i = 0; i < 8; ++i) k = k << 8 | (i < s.size() ? static_cast<unsigned char>(s[i]) : pad);
  return k;
}

/// A query's words as the analyzer folds them, joined by spaces (identifier parts left out):
/// what landing pages compare.
std::string normalize_query(const Analyzer& analyzer, std::string_view text);

/// The settings that shape an index (not those a search reads from the current settings), as JSON.
std::string index_shape(const SiteSettings& site);
/// Key paths ("boosts.link_list") whose shaping value differs between `built_with` and `now`.
std::vector<std::string> shape_changes(std::string_view built_with, const SiteSettings& now);

}  // namespace siteseek
