// Compressed bodies (Index::Data::compress_bodies). A large site's bodies are most of its index:
// they are cut into small blocks, each compressed with zstd and a dictionary trained on the
// site's own text (small blocks alone compress poorly; the dictionary holds what they share), so
// a snippet decompresses a block or two, not a page.
#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "index/body_codec.hpp"
#include "index/index_data.hpp"
#include "siteseek/error.hpp"

namespace siteseek {

namespace {

/// The zstd level: its decompression is as fast at any level, and level 3 compresses a few
/// hundred megabytes a second (a higher one gains a few percent for several times the time).
constexpr int compression_level = 3;
/// The dictionary: at most this many bytes, trained on at most dictionary_samples blocks spread
/// over the bodies.
constexpr std::size_t dictionary_bytes = 64u << 10;
constexpr std::size_t dictionary_samples = 2048;
constexpr std::size_t min_dictionary_bytes = 256;  // zdict's least (ZDICT_DICTSIZE_MIN, not public)

struct DCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

/// One decompression context per thread, for every index (a context is not shared by threads).
ZSTD_DCtx* thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx(ZSTD_createDCtx());
  if (!ctx) throw std::bad_alloc();
  return ctx.get();
}

/// A TextRef's range as [begin, end).
struct Span {
  std::uint64_t begin, end;
};

}  // namespace

BodyCodec::BodyCodec(std::string_view dictionary) {
  if (dictionary.empty()) return;
  dict = ZSTD_createDDict(dictionary.data(), dictionary.size());
  if (!dict) throw SnapshotError("stored bodies' compression dictionary is corrupt");
}
BodyCodec::~BodyCodec() { ZSTD_freeDDict(dict); }

std::size_t BodyCodec::decompress(std::string_view block, char* out, std::size_t capacity) const {
  auto* ctx = thread_dctx();
  const auto n = dict ? ZSTD_decompress_usingDDict(ctx, out, capacity, block.data(), block.size(), dict)
                      : ZSTD_decompressDCtx(ctx, out, capacity, block.data(), block.size());
  return ZSTD_isError(n) ? std::string::npos : n;
}

std::string_view Index::Data::body_text(const DocRecord& r, std::uint64_t from, std::uint64_t to, std::string& buf) const {
  to = std::min<std::uint64_t>(to, r.body.length);
  from = std::min(from, to);
  if (!bodies_compressed()) return slice(TextRef{static_cast<std::uint32_t>(r.body.offset + from), static_cast<std::uint32_t>(to - from)});
  if (from == to) return {};
  const std::uint64_t begin = r.body.offset + from, end = r.body.offset + to;
  const auto first = begin / body_block_bytes, last = (end - 1) / body_block_bytes;
  buf.resize((last - first + 1) * body_block_bytes);
  for (auto b = first; b <= last; ++b) body_block(b, buf.data() + (b - first) * body_block_bytes);
  return std::string_view(buf).substr(begin - first * body_block_bytes, end - begin);
}

void Index::Data::body_block(std::uint64_t b, char* out) const {
  const auto at = body_block_offset[b], next = body_block_offset[b + 1];
  if (lazy) [[unlikely]] lazy->check_bytes(*this, LazyChecks::Bytes::text, at, next - at);
  const auto expected = std::min(body_block_bytes, body_bytes - b * body_block_bytes);
  if (body_codec->decompress(std::string_view(text).substr(at, next - at), out, body_block_bytes) != expected)
    throw SnapshotError((lazy ? "snapshot " + lazy->source + " is corrupt" : std::string("stored text is corrupt")) +
                        " (block " + std::to_string(b) + " of its compressed bodies does not decompress)");
}

std::pair<std::uint64_t, std::uint64_t> Index::Data::body_extent(const DocRecord& r, std::uint64_t from, std::uint64_t length) const {
  from = std::min<std::uint64_t>(from, r.body.length);
  length = std::min<std::uint64_t>(length, r.body.length - from);
  if (!bodies_compressed()) return {r.body.offset + from, length};
  if (!length) return {0, 0};
  const std::uint64_t first = (r.body.offset + from) / body_block_bytes, last = (r.body.offset + from + length - 1) / body_block_bytes;
  return {body_block_offset[first], body_block_offset[last + 1] - body_block_offset[first]};
}

void Index::Data::compress_bodies(std::uint64_t threshold) {
  if (bodies_compressed()) return;
  // The bytes the bodies take: their references' ranges, merged (a section's body lies inside its
  // page's).
  std::vector<Span> bodies;
  for (const auto& r : docs)
    if (r.body.length) bodies.push_back({r.body.offset, std::uint64_t(r.body.offset) + r.body.length});
  std::sort(bodies.begin(), bodies.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<Span> merged;
  for (const auto& s : bodies) {
    if (!merged.empty() && s.begin <= merged.back().end) merged.back().end = std::max(merged.back().end, s.end);
    else merged.push_back(s);
  }
  std::vector<Span>().swap(bodies);
  std::uint64_t total = 0;
  std::vector<std::uint64_t> logical(merged.size());  // where each range starts among the bodies
  for (std::size_t i = 0; i < merged.size(); ++i) logical[i] = total, total += merged[i].end - merged[i].begin;
  if (total <= threshold || total == 0) return;
  // The range holding `offset`, or the first after it.
  const auto range_at = [&](std::uint64_t offset) {
    return static_cast<std::size_t>(std::upper_bound(merged.begin(), merged.end(), offset, [](std::uint64_t o, const Span& s) { return o < s.end; }) -
                                    merged.begin());
  };
  // Body bytes before `offset`, which is outside every body (other fields never share a body's bytes).
  const auto moved_before = [&](std::uint64_t offset) {
    const auto i = range_at(offset);
    return i == 0 ? 0 : logical[i - 1] + (merged[i - 1].end - merged[i - 1].begin);
  };
  const auto outside = [&](const TextRef& t) {
    if (!t.length) return true;
    const auto i = range_at(t.offset);
    return i == merged.size() || merged[i].begin >= std::uint64_t(t.offset) + t.length;
  };
  for (const auto& r : docs)
    for (auto t : {r.id, r.url, r.title, r.section_title, r.hierarchy, r.section_key})
      if (!outside(t)) return;  // not laid out by the builder: kept as it is
  for (const auto& t : anchors)
    if (!outside(t)) return;

  // Block `b` of the bodies laid end to end, into `out`.
  const auto block = [&](std::uint64_t b, std::string& out) {
    const std::uint64_t begin = b * body_block_bytes, end = std::min(total, begin + body_block_bytes);
    out.clear();
    for (auto i = static_cast<std::size_t>(std::upper_bound(logical.begin(), logical.end(), begin) - logical.begin() - 1);
         i < merged.size() && logical[i] < end; ++i) {
      const auto from = std::max(begin, logical[i]), to = std::min(end, logical[i] + (merged[i].end - merged[i].begin));
      out.append(text.data() + merged[i].begin + (from - logical[i]), to - from);
    }
  };
  const std::uint64_t blocks = (total + body_block_bytes - 1) / body_block_bytes;
  std::string piece;
  {
    std::string samples;
    std::vector<std::size_t> sizes;
    const auto step = std::max<std::uint64_t>(1, blocks / dictionary_samples);
    for (std::uint64_t b = 0; b < blocks && sizes.size() < dictionary_samples; b += step) {
      block(b, piece);
      samples += piece;
      sizes.push_back(piece.size());
    }
    std::string dict(std::min<std::size_t>(dictionary_bytes, samples.size() / 8), '\0');
    const auto n = dict.size() >= min_dictionary_bytes ? ZDICT_trainFromBuffer(dict.data(), dict.size(), samples.data(), sizes.data(),
                                                                            static_cast<unsigned>(sizes.size()))
                                                     : std::size_t(-1);
    if (ZDICT_isError(n)) dict.clear();  // too little text to learn from: blocks on their own
    else dict.resize(n);
    body_dict.assign(dict.begin(), dict.end());
  }
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  std::unique_ptr<ZSTD_CDict, decltype(&ZSTD_freeCDict)> cdict(
      body_dict.empty() ? nullptr : ZSTD_createCDict(body_dict.data(), body_dict.size(), compression_level), ZSTD_freeCDict);
  if (!cctx || (!body_dict.empty() && !cdict)) throw std::bad_alloc();

  // The other fields' bytes, in their order, then the compressed blocks.
  std::vector<char> out;
  {
    std::uint64_t at = 0;
    for (const auto& s : merged) out.insert(out.end(), text.data() + at, text.data() + s.begin), at = s.end;
    out.insert(out.end(), text.data() + at, text.data() + text.size());
  }
  std::vector<std::uint64_t> offsets;
  offsets.reserve(blocks + 1);
  std::string compressed(ZSTD_compressBound(body_block_bytes), '\0');
  for (std::uint64_t b = 0; b < blocks; ++b) {
    block(b, piece);
    const auto n = cdict ? ZSTD_compress_usingCDict(cctx.get(), compressed.data(), compressed.size(), piece.data(), piece.size(), cdict.get())
                         : ZSTD_compressCCtx(cctx.get(), compressed.data(), compressed.size(), piece.data(), piece.size(), compression_level);
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("compressing stored bodies: ") + ZSTD_getErrorName(n));
    offsets.push_back(out.size());
    out.insert(out.end(), compressed.data(), compressed.data() + n);
  }
  offsets.push_back(out.size());

  for (auto& r : docs) {
    for (auto* t : {&r.id, &r.url, &r.title, &r.section_title, &r.hierarchy, &r.section_key})
      t->offset = t->length ? static_cast<std::uint32_t>(t->offset - moved_before(t->offset)) : 0;
    if (r.body.length) {
      const auto i = range_at(r.body.offset);
      r.body.offset = static_cast<std::uint32_t>(logical[i] + (r.body.offset - merged[i].begin));
    } else {
      r.body.offset = 0;
    }
  }
  for (auto& t : anchors) t.offset = t.length ? static_cast<std::uint32_t>(t.offset - moved_before(t.offset)) : 0;
  text = std::move(out);
  text.shrink_to_fit();
  body_bytes = total;
  body_block_offset = std::move(offsets);
  body_codec = std::make_shared<const BodyCodec>(std::string_view(body_dict));
}

}  // namespace siteseek
