#pragma once
// The arrays behind an Index. Private to the core: the search module reads them directly in its
// hot loops; snapshots write and read them as they are.
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "siteseek/analysis.hpp"
#include "siteseek/index.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

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

/// A body token position and its byte offset, every few tokens: snippets analyse only a window.
struct Checkpoint {
  std::uint32_t position = 0;
  std::uint32_t offset = 0;
};

/// BM25F length normalisation per field (title, section_title, body, url): 0 ignores length.
inline constexpr std::array<double, field_count> bm25_b{0.3, 0.3, 0.35, 0.3};
/// BM25F term-frequency saturation.
inline constexpr double bm25_k1 = 1.2;
/// A posting's impact byte times this is its BM25F term-frequency part, tf(k1+1)/(k1+tf), which
/// is below k1+1: 255 steps of it keep scores within 0.3% of the unquantised ones.
inline constexpr double impact_unit = (bm25_k1 + 1.0) / 255.0;

/// Whether `term` is `word` followed by more of an identifier ("logging.config", "line_num",
/// "std::vector" for "std"), `word` being plain ASCII letters. The analyzer emits such a word as
/// a part wherever the identifier occurs, so every record with `term` also has `word`.
inline bool identifier_continuation(std::string_view term, std::string_view word) {
  if (word.empty() || term.size() < word.size() + 2 || term.substr(0, word.size()) != word) return false;
  for (char c : word)
    if (c < 'a' || c > 'z') return false;
  const char sep = term[word.size()];
  return sep == '.' || sep == '-' || sep == '_' || sep == ':';
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

struct Index::Data {
  SiteSettings settings;
  AnalyzerOptions analyzer_options;
  Analyzer analyzer;
  std::chrono::system_clock::time_point built_at{};
  std::uint32_t snapshot_version = snapshot_format_version;
  std::string shape;  ///< index_shape() of the settings it was built with (shape.cpp)

  // Stored documents.
  std::string text;
  std::vector<DocRecord> docs;
  std::uint32_t page_groups = 0;
  std::vector<std::uint32_t> checkpoint_offset;  ///< per doc + 1: range into checkpoints
  std::vector<Checkpoint> checkpoints;
  /// Average field lengths per record type, [page, section][field]: a page is measured against
  /// pages and a section against sections, so that how finely a site is cut into sections does
  /// not move the pages' scores (one average for both sank long pages when definitions became
  /// records and the Python docs' records tripled).
  std::array<std::array<double, field_count>, 2> avg_field_length{};
  /// Per document and field: 1 / (1 - b + b * length / average length), BM25F's length
  /// normalisation, computed once so scoring multiplies instead of divides.
  std::vector<std::array<float, field_count>> inv_norm;
  /// Per posting, in postings order: its BM25F term-frequency part over all fields with the
  /// site's field weights, quantised to a byte (x impact_unit). It depends only on the document
  /// and the term, so it is computed once here (after building or loading, so the weights are
  /// always the current settings') and a query only multiplies and adds.
  std::vector<std::uint8_t> impacts;
  std::vector<std::uint32_t> impact_offset;  ///< per term + 1: index of its first posting in impacts
  /// Per document, what ranking reads for every candidate, kept apart from DocRecord (whose
  /// size would make each candidate a cache miss on a large index): its static boost, its page
  /// group, and its section key as an index into section_keys (sorted, distinct).
  std::vector<float> doc_boost;
  std::vector<std::uint32_t> doc_group;
  /// Per page group: 1 when the page has section records (the `scattered` ranking rule).
  std::vector<std::uint8_t> group_has_sections;
  /// Per document: 1 for a section record (the `scattered` rule reads it for every candidate).
  std::vector<std::uint8_t> doc_is_section;
  std::vector<std::uint32_t> doc_section;
  std::vector<TextRef> section_keys;

  // Attributes (filters, facets; docs/filters.md): every distinct name/value pair of the
  // records, written "name\x1fvalue" and sorted, so one name's pairs are contiguous; the records
  // having each pair, ascending. The built-in `type` and `area` are pairs like any other.
  std::string attr_keys;
  std::vector<std::uint32_t> attr_key_offset;   ///< per pair + 1
  std::vector<std::uint32_t> attr_docs_offset;  ///< per pair + 1: range into attr_docs
  std::vector<std::uint32_t> attr_docs;
  /// Derived in finish(): each record's pairs, ascending (facet counts read these per result).
  std::vector<std::uint32_t> doc_attr_offset;   ///< per record + 1
  std::vector<std::uint32_t> doc_attrs;
  /// Derived in finish(): an analyzer for each value of the `language` attribute whose records
  /// were analysed with another stemmer than the site's (record_analyzer_options), so a query in
  /// that language is analysed as they were.
  std::vector<std::pair<std::string, Analyzer>> language_analyzers;
  /// The analyzer of records whose language is `tag` (the site's when none of its own).
  const Analyzer& analyzer_for(std::string_view tag) const;
  /// Derived in finish(): (hash of the URL, record) of every page's first record, sorted, to
  /// find the page a reader searches from (context attributes).
  std::vector<std::pair<std::uint64_t, std::uint32_t>> page_by_url;

  // Term dictionary: terms sorted bytewise, concatenated.
  std::string terms;
  std::vector<std::uint32_t> term_offset;   ///< per term + 1
  std::vector<std::uint32_t> term_df;
  std::vector<std::uint8_t> term_flags;
  std::vector<std::uint32_t> term_stem;     ///< stem id of each term
  /// Derived in finish(), for the typo walk: the bytes each term shares with the one before it
  /// (capped at 255), and the next term sharing strictly fewer bytes with its predecessor. The
  /// children of a node of the implicit trie end at the first term sharing at most the node's
  /// depth, which a few steps along term_next_shorter reach without reading term text.
  std::vector<std::uint8_t> term_lcp;
  std::vector<std::uint32_t> term_next_shorter;
  /// Derived in finish(), for the typo walk: where the terms of each two-byte start begin, so
  /// the walk goes straight to the few second bytes a word can still match. The bytes that
  /// begin terms or follow their first byte are numbered 1..n in byte order (pair_class; 0:
  /// none, and "no second byte"); the terms starting with bytes of classes a, b are
  /// [pair_start[a * pair_width + b], pair_start[a * pair_width + b + 1]). Empty when more than
  /// max_pair_classes bytes occur there (the walk then steps through the children).
  std::array<std::uint8_t, 256> pair_class{};
  std::uint32_t pair_width = 0;
  std::vector<std::uint32_t> pair_start;
  static constexpr std::uint32_t max_pair_classes = 96;
  /// Derived in finish(): the first 8 bytes (key8) of every sample_every-th term and stem, a
  /// few kilobytes that stay in cache, so a lookup searches them first and then reads the text
  /// of one short run of terms instead of a term per step across the whole dictionary.
  std::vector<std::uint64_t> term_sample, stem_sample;
  static constexpr std::uint32_t sample_every = 32;

  // Postings, per term: for each document (ascending) varint(doc delta), field mask byte,
  // varint tf per present field, varint(byte length of its positions). Positions, per term and
  // document: for each present field, tf varint deltas.
  std::vector<std::uint64_t> postings_offset;   ///< per term + 1
  std::vector<std::uint8_t> postings;
  std::vector<std::uint64_t> positions_offset;  ///< per term + 1
  std::vector<std::uint8_t> positions;

  // Stems, sorted, with the terms that have each stem.
  std::string stems;
  std::vector<std::uint32_t> stem_offset;        ///< per stem + 1
  std::vector<std::uint32_t> stem_terms_offset;  ///< per stem + 1
  std::vector<std::uint32_t> stem_terms;

  // Derived in finish() from the settings, so a search does not analyse them again.
  /// Synonym groups -> members -> their words (the analyzer's tokens, identifier parts left out).
  std::vector<std::vector<std::vector<Token>>> synonym_words;
  /// Landing pages: the query's words as `normalize_query` gives them, and the record to pin
  /// (the page record of the URL, else its first record; -1 when the URL is not indexed).
  struct Pin {
    std::string query;
    std::int64_t doc = -1;
  };
  std::vector<Pin> pins;

  std::string_view slice(TextRef r) const { return std::string_view(text).substr(r.offset, r.length); }
  std::string_view term(std::uint32_t id) const {
    return std::string_view(terms).substr(term_offset[id], term_offset[id + 1] - term_offset[id]);
  }
  std::string_view stem(std::uint32_t id) const {
    return std::string_view(stems).substr(stem_offset[id], stem_offset[id + 1] - stem_offset[id]);
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
  /// Finish derived tables after building or loading (average lengths etc.).
  void finish();
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

/// One document's entry in a term's postings, decoded.
struct PostingEntry {
  std::uint32_t doc = 0;
  std::uint8_t mask = 0;                        ///< fields present
  std::array<std::uint32_t, field_count> tf{};  ///< zero for absent fields
  std::uint64_t positions = 0;                  ///< offset into Data::positions
};

/// Walks one term's postings in document order.
class PostingsCursor {
 public:
  PostingsCursor(const Index::Data& d, std::uint32_t term)
      : base_(d.postings.data()),
        p_(d.postings.data() + d.postings_offset[term]),
        end_(d.postings.data() + d.postings_offset[term + 1]),
        pos_(d.positions_offset[term]) {}

  bool next(PostingEntry& e) {
    if (p_ >= end_) return false;
    doc_ += static_cast<std::uint32_t>(get_varint(p_));
    e.doc = doc_ - 1;  // deltas are taken from doc+1 so the first delta is never zero
    e.mask = *p_++;
    for (std::size_t f = 0; f < field_count; ++f) e.tf[f] = (e.mask >> f & 1) ? static_cast<std::uint32_t>(get_varint(p_)) : 0;
    e.positions = pos_;
    pos_ += get_varint(p_);
    return true;
  }

  /// Next document only, without decoding frequencies: `entry` is where the entry's field mask
  /// is, `positions` where its positions start (for entry_at later).
  bool next_doc(std::uint32_t& doc, std::uint64_t& entry, std::uint64_t& positions) {
    if (p_ >= end_) return false;
    doc_ += static_cast<std::uint32_t>(get_varint(p_));
    doc = doc_ - 1;
    entry = static_cast<std::uint64_t>(p_ - base_);
    const std::uint8_t mask = *p_++;
    for (unsigned m = mask & 0x0f; m; m &= m - 1) get_varint(p_);
    positions = pos_;
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

/// The posting entry of `doc` whose field mask is at byte `entry` and positions at `positions`
/// (as PostingsCursor::next_doc reported them).
inline PostingEntry entry_at(const Index::Data& d, std::uint32_t doc, std::uint64_t entry, std::uint64_t positions) {
  PostingEntry e;
  const std::uint8_t* p = d.postings.data() + entry;
  e.doc = doc;
  e.mask = *p++;
  for (std::size_t f = 0; f < field_count; ++f) e.tf[f] = (e.mask >> f & 1) ? static_cast<std::uint32_t>(get_varint(p)) : 0;
  e.positions = positions;
  return e;
}

/// Decode the positions of one posting entry into per-field lists (cleared first), at most
/// `cap` per field (the first ones), for the first `fields` fields only (the rest are left
/// empty): positions are stored field after field, so stopping early skips the long tail.
inline void decode_positions(const Index::Data& d, const PostingEntry& e,
                             std::array<std::vector<std::uint32_t>, field_count>& out,
                             std::uint32_t cap = ~0u, std::size_t fields = field_count) {
  const std::uint8_t* p = d.positions.data() + e.positions;
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
      pos += static_cast<std::uint32_t>(get_varint(p));
      dst[i] = pos;
    }
    if (f + 1 < last)
      for (std::uint32_t i = keep; i < n; ++i) get_varint(p);
  }
}

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
