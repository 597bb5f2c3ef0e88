// Snapshot file: header (magic, format version, payload length, payload checksum) followed by
// the index arrays as they are in memory. Written to a temp file, fsynced, renamed; read back
// whole and verified before anything is built from it.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include "index/index_data.hpp"
#include "siteseek/error.hpp"

namespace siteseek {

namespace {

constexpr char magic[8] = {'S', 'S', 'K', 'S', 'N', 'A', 'P', '\n'};
constexpr std::size_t header_size = 8 + 4 + 4 + 8 + 8;

// 64-bit checksum, eight bytes at a time (multiply-xorshift); detects truncation and flips.
std::uint64_t checksum(const char* p, std::size_t n) {
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
  void str(const std::string& s) {
    pod<std::uint64_t>(s.size());
    out.append(s);
  }
  template <class T>
  void vec(const std::vector<T>& v) {
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
    std::memcpy(v.data(), p, n * sizeof(T));
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

template <class T, class Size>
bool offsets_ok(const std::vector<T>& offsets, std::size_t count, Size limit) {
  if (offsets.size() != count + 1) return false;
  for (std::size_t i = 0; i < count; ++i)
    if (offsets[i] > offsets[i + 1]) return false;
  return offsets.back() <= limit;
}

void validate(const Index::Data& d) {
  auto bad = [](const std::string& what) { throw SnapshotError("snapshot payload is inconsistent: " + what); };
  const auto n = d.term_df.size();
  if (!offsets_ok(d.term_offset, n, d.terms.size())) bad("term offsets");
  if (d.term_flags.size() != n || d.term_stem.size() != n) bad("term tables");
  if (!offsets_ok(d.postings_offset, n, d.postings.size())) bad("postings offsets");
  if (!offsets_ok(d.positions_offset, n, d.positions.size())) bad("positions offsets");
  const auto stems = d.stem_offset.empty() ? 0 : d.stem_offset.size() - 1;
  if (!offsets_ok(d.stem_offset, stems, d.stems.size())) bad("stem offsets");
  if (!offsets_ok(d.stem_terms_offset, stems, d.stem_terms.size())) bad("stem term offsets");
  for (auto t : d.stem_terms)
    if (t >= n) bad("stem terms");
  for (auto s : d.term_stem)
    if (s >= stems) bad("term stems");
  if (!offsets_ok(d.checkpoint_offset, d.docs.size(), d.checkpoints.size())) bad("checkpoints");
  for (const auto& r : d.docs) {
    for (auto t : {r.id, r.url, r.title, r.section_title, r.hierarchy, r.body, r.section_key})
      if (std::uint64_t(t.offset) + t.length > d.text.size()) bad("stored text");
    if (r.page_group >= d.page_groups) bad("page groups");
  }
  // Attribute pairs: offsets inside their arrays, keys sorted and named, records ascending.
  const auto pairs = d.attr_docs_offset.empty() ? 0 : d.attr_docs_offset.size() - 1;
  if (!offsets_ok(d.attr_key_offset, pairs, d.attr_keys.size())) bad("attribute keys");
  if (!offsets_ok(d.attr_docs_offset, pairs, d.attr_docs.size())) bad("attribute records");
  for (std::uint32_t a = 0; a < pairs; ++a) {
    if (d.attr_key(a).find('\x1f') == std::string_view::npos || (a > 0 && !(d.attr_key(a - 1) < d.attr_key(a))))
      bad("attribute keys");
    for (auto k = d.attr_docs_offset[a]; k < d.attr_docs_offset[a + 1]; ++k)
      if (d.attr_docs[k] >= d.docs.size() || (k > d.attr_docs_offset[a] && d.attr_docs[k] <= d.attr_docs[k - 1]))
        bad("attribute records");
  }
  // Postings must decode inside their arrays and name existing documents.
  for (std::uint32_t t = 0; t < n; ++t) {
    const std::uint8_t* p = d.postings.data() + d.postings_offset[t];
    const std::uint8_t* end = d.postings.data() + d.postings_offset[t + 1];
    auto varint = [&]() {
      std::uint64_t v = 0;
      for (unsigned shift = 0;; shift += 7) {
        if (p >= end || shift > 63) bad("postings encoding");
        std::uint8_t b = *p++;
        v |= std::uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
      }
    };
    std::uint64_t doc = 0, pos = d.positions_offset[t], count = 0;
    while (p < end) {
      ++count;
      doc += varint();
      if (doc == 0 || doc > d.docs.size() || p >= end) bad("postings documents");
      std::uint8_t mask = *p++;
      for (std::size_t f = 0; f < field_count; ++f)
        if (mask >> f & 1) varint();
      pos += varint();
    }
    if (pos != d.positions_offset[t + 1]) bad("positions lengths");
    if (count != d.term_df[t]) bad("document frequencies");  // impacts are laid out by them
  }
}

}  // namespace

std::string snapshot_bytes(const Index& index) {
  const auto& d = index.data();
  Writer w;
  w.str(d.analyzer_options.language);
  w.strings(d.analyzer_options.stop_words);
  w.strings(d.analyzer_options.literal_terms);
  w.str(d.shape);
  w.pod<std::int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d.built_at.time_since_epoch()).count());
  w.pod(d.page_groups);
  w.str(d.text);
  w.vec(d.docs);
  w.vec(d.checkpoint_offset);
  w.vec(d.checkpoints);
  w.str(d.terms);
  w.vec(d.term_offset);
  w.vec(d.term_df);
  w.vec(d.term_flags);
  w.vec(d.term_stem);
  w.vec(d.postings_offset);
  w.vec(d.postings);
  w.vec(d.positions_offset);
  w.vec(d.positions);
  w.str(d.stems);
  w.vec(d.stem_offset);
  w.vec(d.stem_terms_offset);
  w.vec(d.stem_terms);
  w.str(d.attr_keys);
  w.vec(d.attr_key_offset);
  w.vec(d.attr_docs_offset);
  w.vec(d.attr_docs);

  Writer h;
  h.out.append(magic, sizeof magic);
  h.pod<std::uint32_t>(snapshot_format_version);
  h.pod<std::uint32_t>(0);
  h.pod<std::uint64_t>(w.out.size());
  h.pod<std::uint64_t>(checksum(w.out.data(), w.out.size()));
  h.out += w.out;
  return std::move(h.out);
}

void save_snapshot(const Index& index, const std::string& path) {
  const std::string bytes = snapshot_bytes(index);
  namespace fs = std::filesystem;
  fs::path target(path);
  if (target.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
  }
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("cannot create " + tmp + ": " + std::strerror(errno));
  auto write_all = [&](const std::string& s) {
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
    throw IoError("cannot write snapshot " + path + ": " + std::strerror(err));
  }
  // Make the rename durable too.
  auto dir = target.has_parent_path() ? target.parent_path().string() : std::string(".");
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::shared_ptr<const Index> load_snapshot(const std::string& path, const SiteSettings& site) {
  // Mapped whole and read in place (read a character at a time into a growing string, a 23 MB
  // snapshot took ~0.29 s to load; read(2) into a buffer of its size, 0.19 s; mapped, 0.11-0.15 s:
  // no zeroed buffer, no copy). Writers never change a snapshot in place (temp file and
  // rename), so the mapped file keeps its length while it is read.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open snapshot " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw IoError("cannot read snapshot " + path + ": " + std::strerror(err));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = size ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : nullptr;
  int err = errno;
  ::close(fd);
  if (map == MAP_FAILED) throw IoError("cannot read snapshot " + path + ": " + std::strerror(err));
  struct Unmap {
    void* p;
    std::size_t n;
    ~Unmap() {
      if (p) ::munmap(p, n);
    }
  } unmap{map, size};
  return snapshot_from_bytes(std::string_view(static_cast<const char*>(map), size), site, path);
}

std::shared_ptr<const Index> snapshot_from_bytes(std::string_view file, const SiteSettings& site, const std::string& path) {
  if (file.size() < header_size) throw SnapshotError("snapshot " + path + " is truncated (no complete header)");
  if (std::memcmp(file.data(), magic, sizeof magic) != 0)
    throw SnapshotError("snapshot " + path + " is not a siteseek snapshot (bad magic)");
  Reader hr{file.data() + sizeof magic, file.data() + header_size};
  auto version = hr.pod<std::uint32_t>();
  hr.pod<std::uint32_t>();
  auto length = hr.pod<std::uint64_t>();
  auto sum = hr.pod<std::uint64_t>();
  if (version != snapshot_format_version)
    throw SnapshotError("snapshot " + path + " has format version " + std::to_string(version) +
                        ", this build reads version " + std::to_string(snapshot_format_version));
  if (file.size() - header_size < length)
    throw SnapshotError("snapshot " + path + " is truncated (" + std::to_string(file.size() - header_size) + " of " +
                        std::to_string(length) + " payload bytes)");
  if (file.size() - header_size > length) throw SnapshotError("snapshot " + path + " has trailing bytes");
  const char* payload = file.data() + header_size;
  if (checksum(payload, length) != sum) throw SnapshotError("snapshot " + path + " is corrupt (checksum mismatch)");

  auto data = std::make_unique<Index::Data>();
  auto& d = *data;
  Reader r{payload, payload + length};
  d.settings = site;
  d.analyzer_options.language = r.str();
  d.analyzer_options.stop_words = r.strings();
  d.analyzer_options.literal_terms = r.strings();
  d.shape = r.str();
  d.built_at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(r.pod<std::int64_t>())));
  d.page_groups = r.pod<std::uint32_t>();
  d.text = r.str();
  d.docs = r.vec<DocRecord>();
  d.checkpoint_offset = r.vec<std::uint32_t>();
  d.checkpoints = r.vec<Checkpoint>();
  d.terms = r.str();
  d.term_offset = r.vec<std::uint32_t>();
  d.term_df = r.vec<std::uint32_t>();
  d.term_flags = r.vec<std::uint8_t>();
  d.term_stem = r.vec<std::uint32_t>();
  d.postings_offset = r.vec<std::uint64_t>();
  d.postings = r.vec<std::uint8_t>();
  d.positions_offset = r.vec<std::uint64_t>();
  d.positions = r.vec<std::uint8_t>();
  d.stems = r.str();
  d.stem_offset = r.vec<std::uint32_t>();
  d.stem_terms_offset = r.vec<std::uint32_t>();
  d.stem_terms = r.vec<std::uint32_t>();
  d.attr_keys = r.str();
  d.attr_key_offset = r.vec<std::uint32_t>();
  d.attr_docs_offset = r.vec<std::uint32_t>();
  d.attr_docs = r.vec<std::uint32_t>();
  if (r.p != r.end) throw SnapshotError("snapshot " + path + " has unread bytes after the index");
  validate(d);
  d.analyzer = Analyzer(d.analyzer_options);
  d.snapshot_version = version;
  d.finish();
  return std::make_shared<const Index>(std::move(data));
}

}  // namespace siteseek
