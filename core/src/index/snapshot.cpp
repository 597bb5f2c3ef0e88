// Snapshot file, format 11: a header, then the metadata (analyzer options, scalars, the table of
// arrays and the lazy checks' checksums), then every array of Index::Data as it is in memory,
// each at a 64-byte boundary. load_snapshot maps the file and the index's arrays view it in
// place: opening reads the header, the metadata and the small tables (checksummed and validated
// then); the stored text and the terms' and stems' texts a block of bytes at a time, each block
// of records and each block of terms' postings, positions and impacts are checksummed, and the
// postings decoded, the first time a search reads them, and a few per-record tables few searches
// read are checked whole at their first use (LazyChecks). Written to a temp file, fsynced,
// renamed. Formats 5 (everything in one checksummed payload, derived tables computed at load),
// 6 (format 7 without the title postings), 7 (format 8 without the stored anchors) and 8 (format
// 9 with the terms' and stems' texts checked whole at open) are read only by upgrade_snapshot;
// formats 9 (10 without compressed bodies: every body in the text) and 10 (this one without
// packed postings entries, PackedEntry) are read as they are.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include "index/body_codec.hpp"
#include "index/files.hpp"
#include "index/index_data.hpp"
#include "siteseek/error.hpp"

namespace siteseek {

namespace {

constexpr char magic[8] = {'S', 'S', 'K', 'S', 'N', 'A', 'P', '\n'};
constexpr std::size_t v5_header_size = 8 + 4 + 4 + 8 + 8;
constexpr std::size_t header_size = 64;  // magic, version, flags, meta offset, length, checksum, file length
constexpr std::size_t array_align = 64;
/// The lazily checked blocks: bytes of stored text, bytes of the terms' and the stems' texts,
/// postings and positions bytes of a block of terms (a term with more is a block of its own),
/// and records. A search's first read of a block checks all of it, so they are small: a first
/// search on a cold file reads a few blocks per result and per word, not megabytes; their
/// checksums are a table of some kilobytes at 1M records. Byte blocks are powers of two.
constexpr std::uint64_t text_block_bytes = 64u << 10;
constexpr std::uint64_t dictionary_block_bytes = 16u << 10;
constexpr std::uint64_t term_block_bytes = 256u << 10;
constexpr std::uint32_t record_block_records = 1024;  // about 100 KB of records

/// Asks the kernel to start reading bytes of a mapped snapshot (madvise WILLNEED, widened to
/// whole pages; advice only, so a failure is ignored). A page fault on a page not read yet reads
/// the pages around it (read_ahead_kb: megabytes on some disks, for a block of kilobytes), and a
/// block's checksum would wait on one such read after another; asked for first, its pages are
/// read in one request, and the faults find them.
void read_ahead(const void* p, std::size_t n) {
  if (!n) return;
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto from = reinterpret_cast<std::uintptr_t>(p) & ~(page - 1);
  const auto to = reinterpret_cast<std::uintptr_t>(p) + n;
  ::madvise(reinterpret_cast<void*>(from), to - from, MADV_WILLNEED);
}
template <class A>
void read_ahead(const A& a, std::uint64_t from, std::uint64_t to) {
  read_ahead(a.data() + from, (to - from) * sizeof(typename A::value_type));
}

// 64-bit checksum: four multiply-xorshift lanes over 32-byte strides (independent, so they run
// at memory speed), folded with the length; detects truncation and flips.
std::uint64_t checksum(const char* p, std::size_t n) {
  std::uint64_t h[4] = {0x9E3779B97F4A7C15ull ^ n, 0xC2B2AE3D27D4EB4Full, 0x165667B19E3779F9ull, 0x27D4EB2F165667C5ull};
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int k = 0; k < 4; ++k) {
      std::uint64_t w;
      std::memcpy(&w, p + i + 8 * k, 8);
      h[k] = (h[k] ^ w) * 0xff51afd7ed558ccdull;
      h[k] ^= h[k] >> 32;
    }
  std::uint64_t x = h[0] ^ (h[1] * 3) ^ (h[2] * 5) ^ (h[3] * 7);
  for (; i < n; ++i) x = (x ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

// Format 5's checksum (one lane), for upgrade_snapshot.
std::uint64_t checksum_v5(const char* p, std::size_t n) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  for (; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

struct Writer {
  std::string out;
  template <class T>
  void pod(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void str(std::string_view s) {
    pod<std::uint64_t>(s.size());
    out.append(s);
  }
  template <class V>
  void vec(const V& v) {
    using T = typename V::value_type;
    static_assert(std::is_trivially_copyable_v<T>);
    pod<std::uint64_t>(v.size());
    out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void strings(const std::vector<std::string>& v) {
    pod<std::uint64_t>(v.size());
    for (const auto& s : v) str(s);
  }
};

struct Reader {
  const char* p;
  const char* end;
  [[noreturn]] void fail() { throw SnapshotError("snapshot payload is inconsistent (field runs past the end)"); }
  void need(std::uint64_t n) {
    if (n > static_cast<std::uint64_t>(end - p)) fail();
  }
  template <class T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
    return v;
  }
  std::string str() {
    auto n = pod<std::uint64_t>();
    need(n);
    std::string s(p, n);
    p += n;
    return s;
  }
  template <class T>
  std::vector<T> vec() {
    auto n = pod<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(end - p) / sizeof(T)) fail();
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), p, n * sizeof(T));
    p += n * sizeof(T);
    return v;
  }
  std::vector<std::string> strings() {
    auto n = pod<std::uint64_t>();
    if (n > static_cast<std::uint64_t>(end - p)) fail();
    std::vector<std::string> v;
    for (std::uint64_t i = 0; i < n; ++i) v.push_back(str());
    return v;
  }
};

/// Whether an array is checked at open (its checksum in the table), in blocks at first use, or
/// whole at the first use of its table (its checksum in the table: LazyChecks::Table).
enum class Check : std::uint8_t { at_open, byte_blocks, term_blocks, record_blocks, norms, record_attributes, attribute_records };

/// Whether an array's checksum is in the table of arrays (the whole array's).
bool summed_whole(Check c) { return c == Check::at_open || c >= Check::norms; }

using Table = Index::Data::LazyChecks::Table;
Table table_of(Check c) { return static_cast<Table>(static_cast<int>(c) - static_cast<int>(Check::norms)); }

/// Every array of Index::Data in file order, with how it is checked: `f(array, check)`. Format 6
/// lacks the title postings (format 7 added them at its end); format 8 checks the dictionary's
/// texts at open. Format 9 lays the arrays checked at open out first, one after another: opening
/// reads one run of the file, which the kernel reads ahead in large requests, not a run between
/// every two large arrays, each a request of its own to a cold disk.
template <class D, class F>
void each_array(D& d, F&& f, std::uint32_t version = snapshot_format_version) {
  const Check dictionary_text = version >= 9 ? Check::byte_blocks : Check::at_open;
  const auto all = [&](auto&& g) {
    g(d.text, Check::byte_blocks);
    g(d.docs, Check::record_blocks);
    g(d.checkpoint_offset, Check::at_open);
    g(d.checkpoints, Check::record_blocks);
    g(d.terms, dictionary_text);
    g(d.term_offset, Check::at_open);
    g(d.term_df, Check::at_open);
    g(d.term_flags, Check::at_open);
    g(d.term_stem, Check::at_open);
    g(d.postings_offset, Check::at_open);
    g(d.postings, Check::term_blocks);
    g(d.positions_offset, Check::at_open);
    g(d.positions, Check::term_blocks);
    g(d.stems, dictionary_text);
    g(d.stem_offset, Check::at_open);
    g(d.stem_terms_offset, Check::at_open);
    g(d.stem_terms, Check::at_open);
    g(d.attr_keys, Check::at_open);
    g(d.attr_key_offset, Check::at_open);
    g(d.attr_docs_offset, Check::at_open);
    g(d.attr_docs, Check::attribute_records);
    g(d.inv_norm, Check::norms);
    g(d.impacts, Check::term_blocks);
    g(d.impact_offset, Check::at_open);
    g(d.doc_boost, Check::at_open);
    g(d.doc_group, Check::at_open);
    g(d.group_has_sections, Check::at_open);
    g(d.doc_is_section, Check::at_open);
    g(d.doc_section, Check::at_open);
    g(d.section_keys, Check::at_open);
    g(d.doc_attr_offset, Check::record_attributes);
    g(d.doc_attrs, Check::record_attributes);
    g(d.page_by_url, Check::at_open);
    g(d.term_lcp, Check::at_open);
    g(d.term_next_shorter, Check::at_open);
    g(d.pair_start, Check::at_open);
    g(d.term_sample, Check::at_open);
    g(d.stem_sample, Check::at_open);
    if (version < 7) return;
    g(d.title_offset, Check::at_open);
    g(d.title_postings, Check::term_blocks);
    if (version < 8) return;
    g(d.anchors, Check::record_blocks);
    if (version < 10) return;
    g(d.body_block_offset, Check::at_open);
    g(d.body_dict, Check::at_open);
  };
  if (version < 9) return all(f);
  all([&](auto& a, Check c) {
    if (c == Check::at_open) f(a, c);
  });
  all([&](auto& a, Check c) {
    if (c != Check::at_open) f(a, c);
  });
}

/// The sizes of the records written as they are: a file from a build with another layout is
/// refused rather than misread.
std::string layout() {
  return "DocRecord " + std::to_string(sizeof(DocRecord)) + ", Checkpoint " + std::to_string(sizeof(Checkpoint)) +
         ", TextRef " + std::to_string(sizeof(TextRef)) + ", PageUrl " + std::to_string(sizeof(PageUrl)) +
         ", little-endian " + std::to_string(std::endian::native == std::endian::little);
}

constexpr const char* padding_not_zero = "bytes between its arrays are not zero";

[[noreturn]] void bad(const std::string& what) { throw SnapshotError("snapshot payload is inconsistent: " + what); }

template <class A, class Size>
bool offsets_ok(const A& offsets, std::size_t count, Size limit) {
  if (offsets.size() != count + 1) return false;
  for (std::size_t i = 0; i < count; ++i)
    if (offsets[i] > offsets[i + 1]) return false;
  return offsets.back() <= limit;
}

// A varint at `p`, which must end before `end`.
std::uint64_t checked_long_varint(const std::uint8_t*& p, const std::uint8_t* end, const char* what) {
  std::uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    if (p >= end || shift > 63) bad(what);
    const std::uint8_t b = *p++;
    v |= std::uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
}
// Most varints of postings are one byte: that case inline in the checks' loops, the rest called.
inline std::uint64_t checked_varint(const std::uint8_t*& p, const std::uint8_t* end, const char* what) {
  if (p < end && !(*p & 0x80)) return *p++;
  return checked_long_varint(p, end, what);
}

// The postings of term `t` decode inside their arrays, name existing documents, and count its
// document frequency (impacts are laid out by it); each entry's frequencies are at most its
// positions' bytes (decode_positions, bounded by the array, then reads a bounded number of
// them), a packed entry names one field, and the entries' positions fill the term's range. Its
// title postings are some of those entries, in order: each at an entry's first byte, with that
// entry's document, positions and index (what TitleCursor gives a search to read).
void check_postings(const Index::Data& d, std::uint32_t t) {
  const std::uint8_t* base = d.postings.data();
  const std::uint8_t* p = base + d.postings_offset[t];
  const std::uint8_t* end = base + d.postings_offset[t + 1];
  std::uint64_t doc = 0, pos = d.positions_offset[t], count = 0;
  const std::uint64_t pos_end = d.positions_offset[t + 1];
  const bool titles = !d.title_offset.empty();  // format 6, being upgraded, has none
  const std::uint8_t* q = titles ? d.title_postings.data() + d.title_offset[t] : nullptr;
  const std::uint8_t* q_end = titles ? d.title_postings.data() + d.title_offset[t + 1] : nullptr;
  std::uint64_t title_doc = 0, title_entry = d.postings_offset[t], title_positions = d.positions_offset[t], title_k = 0;
  bool title = false;  // a title posting read, not matched yet
  const auto next_title = [&] {
    title = q < q_end;
    if (!title) return;
    title_doc += checked_varint(q, q_end, "title postings");
    title_entry += checked_varint(q, q_end, "title postings");
    title_positions += checked_varint(q, q_end, "title postings");
    title_k += checked_varint(q, q_end, "title postings");
  };
  next_title();
  while (p < end) {
    ++count;
    doc += checked_varint(p, end, "postings encoding");
    if (doc == 0 || doc > d.docs.size() || p >= end) bad("postings documents");
    const auto entry = static_cast<std::uint64_t>(p - base);
    const std::uint8_t b = *p++;
    const std::uint8_t mask = b & entry_fields;
    std::uint64_t tf = 0, length = 0;
    if (const unsigned code = b >> 4) {
      if (!single_field(mask)) bad("postings fields");
      tf = PackedEntry::tf(code);
      length = PackedEntry::bytes(code);
    } else {
      for (std::size_t f = 0; f < field_count; ++f)
        if (mask >> f & 1) tf += checked_varint(p, end, "postings encoding");
      length = checked_varint(p, end, "postings encoding");
    }
    if (length > pos_end - pos || tf > length) bad("positions lengths");
    if (title && title_entry == entry) {
      if (title_doc != doc || title_positions != pos || title_k != count - 1) bad("title postings");
      next_title();
    } else if (title && title_entry < entry) {
      bad("title postings");
    }
    pos += length;
  }
  if (pos != pos_end) bad("positions lengths");
  if (count != d.term_df[t]) bad("document frequencies");
  if (title) bad("title postings");
}

// Records [first, last) reference stored text inside it and a page group that exists.
void check_records(const Index::Data& d, std::uint32_t first, std::uint32_t last) {
  for (auto i = first; i < last; ++i) {
    const auto& r = d.docs[i];
    for (auto t : {r.id, r.url, r.title, r.section_title, r.hierarchy, r.section_key})
      if (std::uint64_t(t.offset) + t.length > d.text.size()) bad("stored text");
    if (std::uint64_t(r.body.offset) + r.body.length > (d.bodies_compressed() ? d.body_bytes : d.text.size())) bad("stored text");
    if (r.page_group >= d.page_groups) bad("page groups");
    if (d.doc_group.size() == d.docs.size() && d.doc_group[i] != r.page_group) bad("record tables");
    if (!d.anchors.empty() && std::uint64_t(d.anchors[i].offset) + d.anchors[i].length > d.text.size()) bad("stored text");
  }
}

// Each pair's records exist and ascend (the attribute records table; validate has checked the
// offsets).
void check_attribute_records(const Index::Data& d) {
  for (std::uint32_t a = 0, pairs = d.attr_count(); a < pairs; ++a)
    for (auto k = d.attr_docs_offset[a]; k < d.attr_docs_offset[a + 1]; ++k)
      if (d.attr_docs[k] >= d.docs.size() || (k > d.attr_docs_offset[a] && d.attr_docs[k] <= d.attr_docs[k - 1]))
        bad("attribute records");
}

// Each record's pairs lie inside doc_attrs and name existing pairs (the record attributes table).
void check_record_attributes(const Index::Data& d) {
  if (!offsets_ok(d.doc_attr_offset, d.docs.size(), d.doc_attrs.size())) bad("record attributes");
  for (auto a : d.doc_attrs)
    if (a >= d.attr_count()) bad("record attributes");
}

// The structure every search relies on, so that no read goes out of bounds (the checksums catch
// damage; this catches a file that is well-formed but wrong). With `whole`, also every record and
// every term's postings; otherwise those are checked a block at a time at first use (LazyChecks).
void validate(const Index::Data& d, bool whole) {
  const auto n = d.term_df.size();
  const auto docs = d.docs.size();
  if (!offsets_ok(d.term_offset, n, d.terms.size())) bad("term offsets");
  if (d.term_flags.size() != n || d.term_stem.size() != n) bad("term tables");
  if (!offsets_ok(d.postings_offset, n, d.postings.size())) bad("postings offsets");
  if (!offsets_ok(d.positions_offset, n, d.positions.size())) bad("positions offsets");
  if (!d.title_offset.empty() && !offsets_ok(d.title_offset, n, d.title_postings.size())) bad("title postings offsets");
  for (auto df : d.term_df)
    if (df > docs) bad("document frequencies");
  const auto stems = d.stem_offset.empty() ? 0 : d.stem_offset.size() - 1;
  if (!offsets_ok(d.stem_offset, stems, d.stems.size())) bad("stem offsets");
  if (!offsets_ok(d.stem_terms_offset, stems, d.stem_terms.size())) bad("stem term offsets");
  for (auto t : d.stem_terms)
    if (t >= n) bad("stem terms");
  for (auto s : d.term_stem)
    if (s >= stems) bad("term stems");
  if (!offsets_ok(d.checkpoint_offset, docs, d.checkpoints.size())) bad("checkpoints");
  if (!d.anchors.empty() && d.anchors.size() != docs) bad("record anchors");
  // Compressed bodies: a block per body_block_bytes of them (the last one may be shorter), each
  // inside the text.
  if (d.bodies_compressed()) {
    const std::uint64_t blocks = d.body_block_offset.size() - 1, bytes = Index::Data::body_block_bytes;
    if (!blocks || d.body_bytes <= (blocks - 1) * bytes || d.body_bytes > blocks * bytes ||
        !offsets_ok(d.body_block_offset, blocks, d.text.size()))
      bad("compressed bodies");
  } else if (d.body_bytes || !d.body_dict.empty()) {
    bad("compressed bodies");
  }
  if (whole) check_records(d, 0, static_cast<std::uint32_t>(docs));
  // Attribute pairs: offsets inside their arrays, keys sorted and named.
  const auto pairs = d.attr_docs_offset.empty() ? 0 : d.attr_docs_offset.size() - 1;
  if (!offsets_ok(d.attr_key_offset, pairs, d.attr_keys.size())) bad("attribute keys");
  if (!offsets_ok(d.attr_docs_offset, pairs, d.attr_docs.size())) bad("attribute records");
  for (std::uint32_t a = 0; a < pairs; ++a)
    if (d.attr_key(a).find('\x1f') == std::string_view::npos || (a > 0 && !(d.attr_key(a - 1) < d.attr_key(a))))
      bad("attribute keys");
  if (whole) {
    check_attribute_records(d);
    for (std::uint32_t t = 0; t < n; ++t) check_postings(d, t);
  }
}

// The derived tables a snapshot stores (Data::derive): sizes, and every value that indexes
// something inside what it indexes.
void validate_derived(const Index::Data& d) {
  const auto n = d.term_df.size();
  const auto docs = d.docs.size();
  const auto stems = d.stem_offset.empty() ? 0 : d.stem_offset.size() - 1;
  if (d.inv_norm.size() != docs || d.doc_boost.size() != docs || d.doc_group.size() != docs ||
      d.doc_is_section.size() != docs || d.doc_section.size() != docs || d.group_has_sections.size() != d.page_groups)
    bad("record tables");
  for (std::size_t i = 0; i < docs; ++i)
    if (d.doc_group[i] >= d.page_groups || d.doc_section[i] >= d.section_keys.size()) bad("record tables");
  for (auto r : d.section_keys)
    if (std::uint64_t(r.offset) + r.length > d.text.size()) bad("section keys");
  // Sizes only: the tables' values are checked at their first use (check_record_attributes).
  if (d.doc_attr_offset.size() != docs + 1) bad("record attributes");
  for (const auto& p : d.page_by_url)
    if (p.doc >= docs) bad("page URLs");
  if (d.impact_offset.size() != n + 1 || d.impact_offset[0] != 0 || d.impact_offset[n] != d.impacts.size()) bad("impacts");
  for (std::size_t t = 0; t < n; ++t)
    if (d.impact_offset[t + 1] - d.impact_offset[t] != d.term_df[t]) bad("impacts");
  // The typo walk's tables: a shared prefix no longer than either term, a next term after this
  // one, two-byte starts in order and inside the dictionary.
  if (d.term_lcp.size() != n || d.term_next_shorter.size() != n) bad("term walk tables");
  for (std::size_t t = 0; t < n; ++t) {
    const auto len = d.term_offset[t + 1] - d.term_offset[t];
    if (d.term_lcp[t] > len || (t > 0 && d.term_lcp[t] > d.term_offset[t] - d.term_offset[t - 1]) || (t == 0 && d.term_lcp[t]))
      bad("term walk tables");
    if (d.term_next_shorter[t] <= t || d.term_next_shorter[t] > n) bad("term walk tables");
  }
  if (d.pair_width > Index::Data::max_pair_classes + 1) bad("term pair tables");
  for (auto c : d.pair_class)
    if (d.pair_width ? c >= d.pair_width : c != 0) bad("term pair tables");
  if (d.pair_start.size() != (d.pair_width ? std::size_t(d.pair_width) * d.pair_width + 1 : 0)) bad("term pair tables");
  for (std::size_t i = 0; i < d.pair_start.size(); ++i)
    if (d.pair_start[i] > n || (i > 0 && d.pair_start[i] < d.pair_start[i - 1])) bad("term pair tables");
  const auto every = Index::Data::sample_every;
  if (d.term_sample.size() != (n + every - 1) / every || d.stem_sample.size() != (stems + every - 1) / every)
    bad("term samples");
}

// Blocks of consecutive terms holding about term_block_bytes of postings and positions each.
std::vector<std::uint32_t> term_blocks(const Index::Data& d) {
  std::vector<std::uint32_t> first{0};
  std::uint64_t start = 0;
  const auto n = d.term_count();
  for (std::uint32_t t = 0; t < n; ++t) {
    const std::uint64_t at = d.postings_offset[t] + d.positions_offset[t];
    if (at - start >= term_block_bytes && t > first.back()) {
      first.push_back(t);
      start = at;
    }
  }
  return first;
}

// The bytes of a block of terms [first, last), for its checksum: its postings, then positions,
// then impacts.
std::uint64_t term_block_checksum(const Index::Data& d, std::uint32_t first, std::uint32_t last) {
  const auto part = [](const auto& a, std::uint64_t from, std::uint64_t to) {
    return checksum(reinterpret_cast<const char*>(a.data()) + from, to - from);
  };
  std::uint64_t h = part(d.postings, d.postings_offset[first], d.postings_offset[last]);
  h = h * 31 + part(d.positions, d.positions_offset[first], d.positions_offset[last]);
  h = h * 31 + part(d.impacts, d.impact_offset[first], d.impact_offset[last]);
  if (d.title_offset.empty()) return h;  // format 6, being upgraded
  return h * 31 + part(d.title_postings, d.title_offset[first], d.title_offset[last]);
}

// The bytes of records [first, last) and of their checkpoints, for a record block's checksum.
std::uint64_t record_block_checksum(const Index::Data& d, std::uint32_t first, std::uint32_t last) {
  const std::uint64_t h = checksum(reinterpret_cast<const char*>(d.docs.data() + first), std::size_t(last - first) * sizeof(DocRecord));
  const auto from = d.checkpoint_offset[first], to = d.checkpoint_offset[last];
  const std::uint64_t c = h * 31 + checksum(reinterpret_cast<const char*>(d.checkpoints.data() + from), std::size_t(to - from) * sizeof(Checkpoint));
  if (d.anchors.empty()) return c;
  return c * 31 + checksum(reinterpret_cast<const char*>(d.anchors.data() + first), std::size_t(last - first) * sizeof(TextRef));
}

using Bytes = Index::Data::LazyChecks::Bytes;
constexpr std::size_t bytes_count = Index::Data::LazyChecks::bytes_count;

/// The byte array of `b`.
const Array<char>& byte_array(const Index::Data& d, Bytes b) {
  return b == Bytes::text ? d.text : b == Bytes::terms ? d.terms : d.stems;
}

std::uint64_t byte_block_checksum(const Array<char>& a, std::uint64_t block, std::uint64_t bytes) {
  const std::uint64_t from = block * bytes, to = std::min<std::uint64_t>(from + bytes, a.size());
  return checksum(a.data() + from, to - from);
}

/// The checksums of `a`'s blocks of `bytes`.
std::vector<std::uint64_t> byte_block_sums(const Array<char>& a, std::uint64_t bytes) {
  std::vector<std::uint64_t> sums;
  for (std::uint64_t b = 0; b * bytes < a.size(); ++b) sums.push_back(byte_block_checksum(a, b, bytes));
  return sums;
}

std::string describe_version(std::uint32_t version, const std::string& path) {
  return "snapshot " + path + " has format version " + std::to_string(version) + ", this build reads version " +
         std::to_string(snapshot_format_version);
}

// The analyzer a snapshot names: a language this build has no stemmer for is the file's fault.
Analyzer analyzer_of(const AnalyzerOptions& options, const std::string& path) {
  try {
    return Analyzer(options);
  } catch (const ConfigError&) {
    throw SnapshotError("snapshot " + path + " names an analyzer language this build does not have ('" + options.language + "')");
  }
}

// What formats 5 and 6 both begin with: the analyzer options, the shape, the build time and
// the number of pages; `site` supplies the rest of the settings.
void read_common(Reader& r, Index::Data& d, const SiteSettings& site) {
  d.settings = site;
  d.analyzer_options.language = r.str();
  d.analyzer_options.stop_words = r.strings();
  d.analyzer_options.literal_terms = r.strings();
  d.shape = r.str();
  d.built_at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(r.pod<std::int64_t>())));
  d.page_groups = r.pod<std::uint32_t>();
}

/// The metadata of a current snapshot after its header, as written by snapshot_bytes: its layout
/// and scalars (into `d`), the lazy checks' block tables (into `lazy`, with where each list of
/// checksums lies in the metadata, for resealing), and the number of arrays, whose table follows.
struct Meta {
  std::string layout;
  std::array<std::uint64_t, bytes_count> block_bytes{};  ///< of each byte array's blocks (0: none given)
  std::array<const char*, bytes_count> byte_sums_at{};
  const char* term_sums_at = nullptr;
  const char* record_sums_at = nullptr;
  std::uint32_t arrays = 0;
};
Meta read_meta(Reader& r, Index::Data& d, Index::Data::LazyChecks& lazy, const SiteSettings& site, std::uint32_t version) {
  Meta m;
  m.layout = r.str();
  read_common(r, d, site);
  d.avg_field_length = r.pod<decltype(d.avg_field_length)>();
  d.pair_class = r.pod<decltype(d.pair_class)>();
  d.pair_width = r.pod<std::uint32_t>();
  d.impact_weights = r.pod<decltype(d.impact_weights)>();
  const auto sums = [&](Bytes b) {
    m.byte_sums_at[static_cast<std::size_t>(b)] = r.p + 8;
    lazy.bytes[static_cast<std::size_t>(b)].sum = r.vec<std::uint64_t>();
  };
  m.block_bytes[static_cast<std::size_t>(Bytes::text)] = r.pod<std::uint64_t>();
  sums(Bytes::text);
  lazy.term_block_first = r.vec<std::uint32_t>();
  m.term_sums_at = r.p + 8;
  lazy.term_block_sum = r.vec<std::uint64_t>();
  lazy.record_block = r.pod<std::uint32_t>();
  m.record_sums_at = r.p + 8;
  lazy.record_block_sum = r.vec<std::uint64_t>();
  if (version >= 9) {
    const auto dictionary = r.pod<std::uint64_t>();
    m.block_bytes[static_cast<std::size_t>(Bytes::terms)] = m.block_bytes[static_cast<std::size_t>(Bytes::stems)] = dictionary;
    sums(Bytes::terms);
    sums(Bytes::stems);
  }
  if (version >= 10) d.body_bytes = r.pod<std::uint64_t>();
  m.arrays = r.pod<std::uint32_t>();
  return m;
}

/// A snapshot's bytes at `base` (8-byte aligned, kept alive by `backing`) as an index; format
/// `version`: the current one, or 6 to upgrade it (then its settings are not applied).
/// `mapped`: the bytes are a mapped file, whose blocks are read ahead (read_ahead).
std::shared_ptr<const Index> open_mapped(std::shared_ptr<const void> backing, const char* base, std::size_t size,
                                         const SiteSettings& site, const std::string& path, std::uint32_t version,
                                         bool mapped) {
  Reader hr{base + sizeof magic + 4, base + header_size};
  const auto flags = hr.pod<std::uint32_t>();
  const auto meta_offset = hr.pod<std::uint64_t>();
  const auto meta_length = hr.pod<std::uint64_t>();
  const auto meta_sum = hr.pod<std::uint64_t>();
  const auto file_length = hr.pod<std::uint64_t>();
  if (flags != 0 || std::any_of(hr.p, hr.end, [](char c) { return c != 0; }))
    throw SnapshotError("snapshot " + path + " is corrupt (its header has bytes it does not use set)");
  if (size < file_length)
    throw SnapshotError("snapshot " + path + " is truncated (" + std::to_string(size) + " of " + std::to_string(file_length) + " bytes)");
  if (size > file_length) throw SnapshotError("snapshot " + path + " has trailing bytes");
  if (meta_offset != header_size || meta_length > size - header_size)
    throw SnapshotError("snapshot " + path + " is corrupt (metadata outside the file)");
  if (checksum(base + meta_offset, meta_length) != meta_sum)
    throw SnapshotError("snapshot " + path + " is corrupt (checksum mismatch in its metadata)");

  auto data = std::make_unique<Index::Data>();
  auto& d = *data;
  Reader r{base + meta_offset, base + meta_offset + meta_length};
  auto lazy = std::make_unique<Index::Data::LazyChecks>();
  lazy->source = path;
  const auto meta = read_meta(r, d, *lazy, site, version);
  if (meta.layout != layout()) throw SnapshotError("snapshot " + path + " was written by a build with another record layout");
  const auto arrays = meta.arrays;
  std::uint32_t seen = 0;
  std::uint64_t end_of_last = meta_offset + meta_length;
  bool read_before = true;  // the bytes before the next array's padding are read at open
  each_array(
      d,
      [&](auto& a, Check check) {
    using T = typename std::remove_reference_t<decltype(a)>::value_type;
    if (seen++ >= arrays) throw SnapshotError("snapshot " + path + " is corrupt (its table of arrays is short)");
    const auto offset = r.pod<std::uint64_t>();
    const auto count = r.pod<std::uint64_t>();
    const auto sum = r.pod<std::uint64_t>();
    if (offset % array_align || offset < end_of_last || offset > size || count > (size - offset) / sizeof(T))
      throw SnapshotError("snapshot " + path + " is corrupt (an array lies outside the file)");
    // The padding before it is zeros, as written: no byte of the file goes unchecked. Checked now
    // when it ends what opening reads anyway; after a lazily checked array, by verify() (read
    // now, each would cost a read from the disk where nothing else is read).
    if (read_before) {
      if (std::any_of(base + end_of_last, base + offset, [](char c) { return c != 0; }))
        throw SnapshotError("snapshot " + path + " is corrupt (" + padding_not_zero + ")");
    } else if (offset > end_of_last) {
      lazy->padding.push_back({base + end_of_last, offset - end_of_last});
    }
    read_before = check == Check::at_open;
    end_of_last = offset + count * sizeof(T);
    a = std::remove_reference_t<decltype(a)>::view(reinterpret_cast<const T*>(base + offset), count);
    if (check == Check::at_open && checksum(base + offset, count * sizeof(T)) != sum)
      throw SnapshotError("snapshot " + path + " is corrupt (checksum mismatch)");
    if (check >= Check::norms) lazy->table_parts[static_cast<std::size_t>(table_of(check))].push_back({base + offset, count * sizeof(T), sum});
      },
      version);
  if (seen != arrays || r.p != r.end) throw SnapshotError("snapshot " + path + " is corrupt (its table of arrays does not match)");
  if (end_of_last != size) throw SnapshotError("snapshot " + path + " has trailing bytes");
  try {
    validate(d, false);
    validate_derived(d);
  } catch (const SnapshotError& e) {
    throw SnapshotError("snapshot " + path + ": " + e.what());
  }
  const auto& first = lazy->term_block_first;
  for (std::size_t b = 0; b < bytes_count; ++b) {
    auto& blocks = lazy->bytes[b];
    const auto bytes = meta.block_bytes[b];
    const auto size = byte_array(d, static_cast<Bytes>(b)).size();
    if (!bytes && version < 9 && static_cast<Bytes>(b) != Bytes::text) {
      // Format 8 checked the dictionary's texts at open: one block, known good.
      blocks.shift = 63;
      blocks.sum.assign(1, 0);
      blocks.state = std::make_unique<std::atomic<std::uint8_t>[]>(1);
      blocks.state[0].store(1);
      continue;
    }
    if (!std::has_single_bit(bytes) || blocks.sum.size() != (size + bytes - 1) / bytes)
      throw SnapshotError("snapshot " + path + " is corrupt (its block checksums do not match its arrays)");
    blocks.shift = static_cast<unsigned>(std::countr_zero(bytes));
    blocks.state = std::make_unique<std::atomic<std::uint8_t>[]>(blocks.sum.size());
  }
  if (first.empty() || first[0] != 0 ||
      lazy->term_block_sum.size() != first.size() || !std::is_sorted(first.begin(), first.end()) ||
      std::adjacent_find(first.begin(), first.end()) != first.end() || (first.back() >= d.term_count() && d.term_count() > 0))
    throw SnapshotError("snapshot " + path + " is corrupt (its block checksums do not match its arrays)");
  if (!lazy->record_block || lazy->record_block_sum.size() != (d.docs.size() + lazy->record_block - 1) / lazy->record_block)
    throw SnapshotError("snapshot " + path + " is corrupt (its record block checksums do not match its records)");
  lazy->record_state = std::make_unique<std::atomic<std::uint8_t>[]>(lazy->record_block_sum.size());
  lazy->term_state = std::make_unique<std::atomic<std::uint8_t>[]>(first.size());
  lazy->mapped = mapped;
  d.lazy = std::move(lazy);
  d.backing = std::move(backing);
  d.analyzer = analyzer_of(d.analyzer_options, path);
  if (d.bodies_compressed()) {
    try {
      d.body_codec = std::make_shared<const BodyCodec>(std::string_view(d.body_dict));
    } catch (const SnapshotError& e) {
      throw SnapshotError("snapshot " + path + ": " + e.what());
    }
  }
  d.snapshot_version = version;
  if (version >= 9) d.apply_settings();
  return std::make_shared<const Index>(std::move(data));
}

/// A format-5 payload (after its header) as an index, everything read and checked at once.
std::unique_ptr<Index::Data> read_v5(std::string_view file, const SiteSettings& site, const std::string& path) {
  Reader hr{file.data() + sizeof magic + 8, file.data() + v5_header_size};
  auto length = hr.pod<std::uint64_t>();
  auto sum = hr.pod<std::uint64_t>();
  if (file.size() - v5_header_size != length) throw SnapshotError("snapshot " + path + " is truncated or has trailing bytes");
  const char* payload = file.data() + v5_header_size;
  if (checksum_v5(payload, length) != sum) throw SnapshotError("snapshot " + path + " is corrupt (checksum mismatch)");
  auto data = std::make_unique<Index::Data>();
  auto& d = *data;
  Reader r{payload, payload + length};
  read_common(r, d, site);
  d.text = r.vec<char>();
  d.docs = r.vec<DocRecord>();
  d.checkpoint_offset = r.vec<std::uint32_t>();
  d.checkpoints = r.vec<Checkpoint>();
  d.terms = r.vec<char>();
  d.term_offset = r.vec<std::uint32_t>();
  d.term_df = r.vec<std::uint32_t>();
  d.term_flags = r.vec<std::uint8_t>();
  d.term_stem = r.vec<std::uint32_t>();
  d.postings_offset = r.vec<std::uint64_t>();
  d.postings = r.vec<std::uint8_t>();
  d.positions_offset = r.vec<std::uint64_t>();
  d.positions = r.vec<std::uint8_t>();
  d.stems = r.vec<char>();
  d.stem_offset = r.vec<std::uint32_t>();
  d.stem_terms_offset = r.vec<std::uint32_t>();
  d.stem_terms = r.vec<std::uint32_t>();
  d.attr_keys = r.vec<char>();
  d.attr_key_offset = r.vec<std::uint32_t>();
  d.attr_docs_offset = r.vec<std::uint32_t>();
  d.attr_docs = r.vec<std::uint32_t>();
  if (r.p != r.end) throw SnapshotError("snapshot " + path + " has unread bytes after the index");
  validate(d, true);
  d.analyzer = analyzer_of(d.analyzer_options, path);
  d.snapshot_version = 5;
  d.finish();
  return data;
}

/// The whole file, mapped read-only and released with the last index viewing it.
std::pair<std::shared_ptr<const void>, std::size_t> map_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open snapshot " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw IoError("cannot read snapshot " + path + ": " + std::strerror(err));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = size ? ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0) : nullptr;
  int err = errno;
  ::close(fd);
  if (map == MAP_FAILED) throw IoError("cannot read snapshot " + path + ": " + std::strerror(err));
  // Writers never change a snapshot in place (a temp file, then a rename), so the mapping keeps
  // what was opened even when a newer snapshot replaces the file.
  return {std::shared_ptr<const void>(map, [size](const void* p) {
            if (p) ::munmap(const_cast<void*>(p), size);
          }),
          size};
}

std::uint32_t version_of(std::string_view file, const std::string& path) {
  if (file.size() < v5_header_size) throw SnapshotError("snapshot " + path + " is truncated (no complete header)");
  if (std::memcmp(file.data(), magic, sizeof magic) != 0)
    throw SnapshotError("snapshot " + path + " is not a siteseek snapshot (bad magic)");
  std::uint32_t version;
  std::memcpy(&version, file.data() + sizeof magic, 4);
  return version;
}

std::shared_ptr<const Index> open_bytes(std::shared_ptr<const void> backing, const char* base, std::size_t size,
                                        const SiteSettings& site, const std::string& path, bool mapped) {
  const auto version = version_of({base, size}, path);
  // Format 9 is format 10 with every body in the text, and 10 is 11 without packed postings
  // entries (every entry as a code-0 entry is): read as they are.
  if (version >= 5 && version < 9)
    throw SnapshotError(describe_version(version, path) + ": upgrade it with `siteseek snapshot upgrade " + path +
                        "`, or let the node index the site again");
  if (version > snapshot_format_version || version < 9) throw SnapshotError(describe_version(version, path));
  if (size < header_size) throw SnapshotError("snapshot " + path + " is truncated (no complete header)");
  return open_mapped(std::move(backing), base, size, site, path, version, mapped);
}

}  // namespace

// --- resealing (fuzzing) -----------------------------------------------------------------------

std::string detail::resealed_snapshot(std::string_view bytes) {
  std::string out(bytes);
  if (out.size() < header_size || std::memcmp(out.data(), magic, sizeof magic) != 0) return out;
  std::uint64_t meta_offset, meta_length;
  std::memcpy(&meta_offset, out.data() + 16, 8);
  std::memcpy(&meta_length, out.data() + 24, 8);
  if (meta_offset != header_size || meta_length > out.size() - header_size) return out;
  char* meta = out.data() + meta_offset;
  // Where each array lies, read as open_mapped reads the table; nothing is trusted, so every range
  // is checked before it is summed, and what cannot be read is left as it is.
  try {
    Reader r{meta, meta + meta_length};
    Index::Data d;
    Index::Data::LazyChecks lazy;
    std::uint32_t version;
    std::memcpy(&version, out.data() + sizeof magic, 4);
    const auto m = read_meta(r, d, lazy, SiteSettings{}, version);
    const auto record_block = std::uint64_t{lazy.record_block};
    const auto& term_first = lazy.term_block_first;
    const auto& term_sums = lazy.term_block_sum;
    const auto& record_sums = lazy.record_block_sum;
    const auto arrays = m.arrays;
    std::uint32_t k = 0;
    bool whole = true;
    each_array(d, [&](auto& a, Check check) {
      using T = typename std::remove_reference_t<decltype(a)>::value_type;
      if (k >= arrays || r.end - r.p < 24) {
        whole = false;
        return;
      }
      char* entry = const_cast<char*>(r.p);
      const auto offset = r.pod<std::uint64_t>();
      const auto count = r.pod<std::uint64_t>();
      r.pod<std::uint64_t>();
      ++k;
      if (offset % array_align || offset > out.size() || count > (out.size() - offset) / sizeof(T)) {
        whole = false;
        return;
      }
      a = std::remove_reference_t<decltype(a)>::view(reinterpret_cast<const T*>(out.data() + offset), count);
      if (summed_whole(check)) {
        const auto sum = checksum(out.data() + offset, count * sizeof(T));
        std::memcpy(entry + 16, &sum, 8);
      }
    }, version);
    const auto put = [&](const char* at, std::size_t i, std::uint64_t sum) { std::memcpy(const_cast<char*>(at) + 8 * i, &sum, 8); };
    for (std::size_t k = 0; whole && k < bytes_count; ++k) {
      const auto bytes = m.block_bytes[k];
      const auto& a = byte_array(d, static_cast<Bytes>(k));
      const auto& sums = lazy.bytes[k].sum;
      if (bytes && m.byte_sums_at[k])
        for (std::size_t b = 0; b < sums.size() && b * bytes < a.size(); ++b) put(m.byte_sums_at[k], b, byte_block_checksum(a, b, bytes));
    }
    const auto n = d.term_df.size();
    const auto in_range = [&](const auto& offsets, std::size_t i, std::size_t limit) {
      return i < offsets.size() && offsets[i] <= limit;
    };
    if (whole)
      for (std::size_t b = 0; b < term_first.size() && b < term_sums.size(); ++b) {
        const std::uint32_t first = term_first[b], last = b + 1 < term_first.size() ? term_first[b + 1] : static_cast<std::uint32_t>(n);
        if (first > last || last > n || !in_range(d.postings_offset, last, d.postings.size()) ||
            !in_range(d.positions_offset, last, d.positions.size()) || !in_range(d.impact_offset, last, d.impacts.size()) ||
            !in_range(d.title_offset, last, d.title_postings.size()) || d.postings_offset[first] > d.postings_offset[last] ||
            d.positions_offset[first] > d.positions_offset[last] || d.impact_offset[first] > d.impact_offset[last] ||
            d.title_offset[first] > d.title_offset[last])
          continue;
        put(m.term_sums_at, b, term_block_checksum(d, first, last));
      }
    if (whole && record_block)
      for (std::size_t b = 0; b < record_sums.size(); ++b) {
        const std::uint64_t first = b * record_block, last = std::min<std::uint64_t>(first + record_block, d.docs.size());
        if (first >= last || d.checkpoint_offset.size() <= last || d.checkpoint_offset[first] > d.checkpoint_offset[last] ||
            d.checkpoint_offset[last] > d.checkpoints.size() || (!d.anchors.empty() && d.anchors.size() < last))
          continue;
        put(m.record_sums_at, b, record_block_checksum(d, static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(last)));
      }
  } catch (const SnapshotError&) {
  }
  const auto sum = checksum(meta, meta_length);
  std::memcpy(out.data() + 32, &sum, 8);
  return out;
}

// --- lazy checks -------------------------------------------------------------------------------

namespace {

// One lazily checked block: unless it is known good, its checksum against `sum`, then
// `structure()` (which throws SnapshotError). Known good, or corrupt for ever after (every later
// read throws again), whichever thread checks it first.
template <class Structure>
void check_once(std::atomic<std::uint8_t>& state, const std::string& source, const std::string& where, std::uint64_t actual,
                std::uint64_t sum, Structure&& structure) {
  if (state.load(std::memory_order_acquire) == 1) return;
  const auto fail = [&](const std::string& why) {
    state.store(2, std::memory_order_release);
    throw SnapshotError("snapshot " + source + " is corrupt (" + why + ", in " + where + ")");
  };
  if (state.load(std::memory_order_acquire) == 2 || actual != sum) fail("checksum mismatch");
  try {
    structure();
  } catch (const SnapshotError& e) {
    fail(e.what());
  }
  state.store(1, std::memory_order_release);
}

}  // namespace

void Index::Data::LazyChecks::check_term_block(const Data& d, std::uint32_t block, bool ahead) const {
  if (term_state[block].load(std::memory_order_acquire) == 1) return;
  const std::uint32_t first = term_block_first[block];
  const std::uint32_t last = block + 1 < term_block_first.size() ? term_block_first[block + 1] : d.term_count();
  if (ahead) {
    read_ahead(d.postings, d.postings_offset[first], d.postings_offset[last]);
    read_ahead(d.positions, d.positions_offset[first], d.positions_offset[last]);
    read_ahead(d.impacts, d.impact_offset[first], d.impact_offset[last]);
    if (!d.title_offset.empty()) read_ahead(d.title_postings, d.title_offset[first], d.title_offset[last]);
  }
  check_once(term_state[block], source, "the postings of terms " + std::to_string(first) + " to " + std::to_string(last),
             term_block_checksum(d, first, last), term_block_sum[block], [&] {
               for (auto t = first; t < last; ++t) check_postings(d, t);
             });
}

void Index::Data::LazyChecks::check_byte_block(const Data& d, Bytes b, std::uint64_t block, bool ahead) const {
  const auto& k = bytes[static_cast<std::size_t>(b)];
  if (k.state[block].load(std::memory_order_acquire) == 1) return;
  if (ahead) read_byte_block(d, b, block);
  static constexpr const char* names[bytes_count] = {"stored text block ", "terms' text block ", "stems' text block "};
  check_once(k.state[block], source, std::string(names[static_cast<std::size_t>(b)]) + std::to_string(block),
             byte_block_checksum(byte_array(d, b), block, std::uint64_t{1} << k.shift), k.sum[block], [] {});
}

void Index::Data::LazyChecks::read_record_block(const Data& d, std::uint32_t block) const {
  const std::uint32_t first = block * record_block;
  const auto last = static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t(first) + record_block, d.docs.size()));
  read_ahead(d.docs, first, last);
  read_ahead(d.checkpoints, d.checkpoint_offset[first], d.checkpoint_offset[last]);
  if (!d.anchors.empty()) read_ahead(d.anchors, first, last);
}

void Index::Data::LazyChecks::ahead_text(const Data& d, std::uint64_t offset, std::uint64_t length) const {
  if (!mapped || offset >= d.text.size()) return;
  length = std::min<std::uint64_t>(length, d.text.size() - offset);  // advice: never past the text
  if (!length) return;
  const auto& k = bytes[static_cast<std::size_t>(Bytes::text)];
  for (auto b = offset >> k.shift, last = (offset + length - 1) >> k.shift; b <= last; ++b)
    if (k.state[b].load(std::memory_order_acquire) == 0) read_byte_block(d, Bytes::text, b);
}

void Index::Data::LazyChecks::read_byte_block(const Data& d, Bytes b, std::uint64_t block) const {
  const auto& a = byte_array(d, b);
  const auto shift = bytes[static_cast<std::size_t>(b)].shift;
  read_ahead(a, block << shift, std::min<std::uint64_t>((block + 1) << shift, a.size()));
}

void Index::Data::LazyChecks::check_record_block(const Data& d, std::uint32_t block, bool ahead) const {
  if (record_state[block].load(std::memory_order_acquire) == 1) return;
  const std::uint32_t first = block * record_block;
  const auto last = static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t(first) + record_block, d.docs.size()));
  if (ahead) read_record_block(d, block);
  check_once(record_state[block], source, "records " + std::to_string(first) + " to " + std::to_string(last),
             record_block_checksum(d, first, last), record_block_sum[block], [&] { check_records(d, first, last); });
}

void Index::Data::LazyChecks::check_table_whole(const Data& d, Table t) const {
  const auto i = static_cast<std::size_t>(t);
  if (table_state[i].load(std::memory_order_acquire) == 1) return;
  std::uint64_t actual = 0, written = 0;
  for (const auto& part : table_parts[i]) {
    actual = actual * 31 + checksum(static_cast<const char*>(part.data), part.bytes);
    written = written * 31 + part.sum;
  }
  static constexpr const char* names[table_count] = {"the records' norms", "the records' attributes", "the attributes' records"};
  check_once(table_state[i], source, std::string(names[i]), actual, written, [&] {
    if (t == Table::record_attributes) check_record_attributes(d);
    if (t == Table::attribute_records) check_attribute_records(d);
  });
}

// In order, each array from start to end: the kernel's read-ahead serves that best.
void Index::Data::LazyChecks::check_all(const Data& d) const {
  for (std::size_t t = 0; t < table_count; ++t) check_table_whole(d, static_cast<Table>(t));
  for (std::uint32_t b = 0; b < record_block_sum.size(); ++b) check_record_block(d, b, false);
  for (std::uint32_t b = 0; b < term_block_first.size(); ++b) check_term_block(d, b, false);
  for (std::size_t k = 0; k < bytes_count; ++k)
    for (std::uint64_t b = 0; b < bytes[k].block_count(); ++b) check_byte_block(d, static_cast<Bytes>(k), b, false);
  for (const auto& [p, n] : padding)  // each at the end of an array just read
    if (std::any_of(p, p + n, [](char c) { return c != 0; }))
      throw SnapshotError("snapshot " + source + " is corrupt (" + padding_not_zero + ")");
}

void Index::verify() const {
  const auto& d = *data_;
  if (!d.lazy) return;
  d.lazy->check_all(d);
  // Every compressed block decompresses to its size (a block's bytes can be intact and still
  // not be what was written: a file made by something else).
  std::string buf(Index::Data::body_block_bytes, '\0');
  for (std::uint64_t b = 0; b + 1 < d.body_block_offset.size(); ++b) d.body_block(b, buf.data());
}

bool verify_if_small(const Index& index, std::uint64_t bytes) {
  if (index.memory_bytes() > bytes) return false;
  index.verify();
  return true;
}

// --- writing -----------------------------------------------------------------------------------

std::string snapshot_bytes(const Index& index) {
  const auto& d = index.data();
  const auto blocks = term_blocks(d);
  std::vector<std::uint64_t> block_sums;
  for (std::size_t b = 0; b < blocks.size(); ++b)
    block_sums.push_back(term_block_checksum(d, blocks[b], b + 1 < blocks.size() ? blocks[b + 1] : d.term_count()));
  const auto text_sums = byte_block_sums(d.text, text_block_bytes);

  std::vector<std::uint64_t> record_sums;
  for (std::uint64_t first = 0; first < d.docs.size(); first += record_block_records)
    record_sums.push_back(record_block_checksum(d, static_cast<std::uint32_t>(first),
                                                static_cast<std::uint32_t>(std::min<std::uint64_t>(first + record_block_records, d.docs.size()))));

  Writer meta;
  meta.str(layout());
  meta.str(d.analyzer_options.language);
  meta.strings(d.analyzer_options.stop_words);
  meta.strings(d.analyzer_options.literal_terms);
  meta.str(d.shape);
  meta.pod<std::int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d.built_at.time_since_epoch()).count());
  meta.pod(d.page_groups);
  meta.pod(d.avg_field_length);
  meta.pod(d.pair_class);
  meta.pod(d.pair_width);
  meta.pod(d.impact_weights);
  meta.pod<std::uint64_t>(text_block_bytes);
  meta.vec(text_sums);
  meta.vec(blocks);
  meta.vec(block_sums);
  meta.pod(record_block_records);
  meta.vec(record_sums);
  meta.pod<std::uint64_t>(dictionary_block_bytes);
  meta.vec(byte_block_sums(d.terms, dictionary_block_bytes));
  meta.vec(byte_block_sums(d.stems, dictionary_block_bytes));
  meta.pod<std::uint64_t>(d.body_bytes);
  std::uint32_t arrays = 0;
  each_array(d, [&](const auto&, Check) { ++arrays; });
  meta.pod(arrays);
  // The table of arrays: offsets follow the metadata, whose length the table does not change.
  const auto table_at = meta.out.size();
  meta.out.resize(table_at + std::size_t(arrays) * 24);
  const auto aligned = [](std::uint64_t at) { return (at + array_align - 1) / array_align * array_align; };
  std::uint64_t at = aligned(header_size + meta.out.size());
  std::uint64_t file_end = at;  // the file ends where the last array's bytes do (no padding after it)
  std::size_t k = 0;
  each_array(d, [&](const auto& a, Check check) {
    using T = typename std::remove_cvref_t<decltype(a)>::value_type;
    const std::uint64_t entry[3] = {at, a.size(), summed_whole(check) ? checksum(reinterpret_cast<const char*>(a.data()), a.size() * sizeof(T)) : 0};
    std::memcpy(meta.out.data() + table_at + 24 * k++, entry, sizeof entry);
    file_end = at + a.size() * sizeof(T);
    at = aligned(file_end);
  });

  std::string out;
  out.reserve(file_end);
  out.append(magic, sizeof magic);
  const std::uint32_t version = snapshot_format_version, flags = 0;
  out.append(reinterpret_cast<const char*>(&version), 4);
  out.append(reinterpret_cast<const char*>(&flags), 4);
  const std::uint64_t header[4] = {header_size, meta.out.size(), checksum(meta.out.data(), meta.out.size()), file_end};
  out.append(reinterpret_cast<const char*>(header), sizeof header);
  out.resize(header_size, '\0');
  out += meta.out;
  each_array(d, [&](const auto& a, Check) {
    out.resize(aligned(out.size()), '\0');
    out.append(reinterpret_cast<const char*>(a.data()), a.size() * sizeof(typename std::remove_cvref_t<decltype(a)>::value_type));
  });
  return out;
}

void detail::write_durably(const std::string& path, std::string_view bytes) {
  namespace fs = std::filesystem;
  fs::path target(path);
  if (target.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
  }
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("cannot create " + tmp + ": " + std::strerror(errno));
  auto write_all = [&](std::string_view s) {
    const char* p = s.data();
    std::size_t left = s.size();
    while (left > 0) {
      auto n = ::write(fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    return true;
  };
  bool ok = write_all(bytes) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(tmp.c_str());
    throw IoError("cannot write " + path + ": " + std::strerror(err));
  }
  // Make the rename durable too.
  auto dir = target.has_parent_path() ? target.parent_path().string() : std::string(".");
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void save_snapshot(const Index& index, const std::string& path) { detail::write_durably(path, snapshot_bytes(index)); }

// --- reading -----------------------------------------------------------------------------------

std::shared_ptr<const Index> load_snapshot(const std::string& path, const SiteSettings& site) {
  auto [map, size] = map_file(path);
  const char* base = static_cast<const char*>(map.get());
  return open_bytes(std::move(map), base, size, site, path, true);
}

std::shared_ptr<const Index> snapshot_from_bytes(std::string_view bytes, const SiteSettings& site, const std::string& source) {
  // The index views its arrays in place: a copy it owns, 8-byte aligned as the arrays need.
  auto copy = std::shared_ptr<std::uint64_t[]>(new std::uint64_t[bytes.size() / 8 + 1]);
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  const char* base = reinterpret_cast<const char*>(copy.get());
  auto index = open_bytes(std::shared_ptr<const void>(copy, copy.get()), base, bytes.size(), site, source, false);
  // Bytes in memory are checked whole at memory speed: an index from Redis is checked before a
  // node swaps to it, as it was always.
  index->verify();
  return index;
}

std::shared_ptr<const Index> snapshot_from_bytes(std::string&& bytes, const SiteSettings& site, const std::string& source) {
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(std::uint64_t) != 0)
    return snapshot_from_bytes(std::string_view(bytes), site, source);
  // Viewed where they are: the string is the index's backing, no copy.
  auto kept = std::make_shared<const std::string>(std::move(bytes));
  const char* base = kept->data();
  const auto size = kept->size();
  auto index = open_bytes(std::shared_ptr<const void>(kept, base), base, size, site, source, false);
  index->verify();
  return index;
}

std::uint32_t upgrade_snapshot(const std::string& path, const SiteSettings& site) {
  auto [map, size] = map_file(path);
  const std::string_view file(static_cast<const char*>(map.get()), size);
  const auto version = version_of(file, path);
  if (version == snapshot_format_version) {
    load_snapshot(path, site)->verify();
    return version;
  }
  if (version >= 6 && version < snapshot_format_version) {
    // Opened as it is, checked whole, and written again. Format 6 lacks the title postings, which
    // are derived; 6 and 7 the stored anchors, which are not known (still indexed in the
    // postings, but a record read back has none): an index built again from the site restores
    // them. Format 8 differs only in how the dictionary's texts are checked.
    if (size < header_size) throw SnapshotError("snapshot " + path + " is truncated (no complete header)");
    auto index = open_mapped(map, static_cast<const char*>(map.get()), size, site, path, version, false);
    index->verify();
    auto& d = const_cast<Index::Data&>(index->data());
    if (version == 6) d.derive_title_postings();
    d.apply_settings();
    save_snapshot(*index, path);
    return version;
  }
  if (version != 5) throw SnapshotError(describe_version(version, path) + " and can upgrade only versions 5 to " +
                                             std::to_string(snapshot_format_version - 1));
  const Index old(read_v5(file, site, path));
  save_snapshot(old, path);
  return version;
}

}  // namespace siteseek
