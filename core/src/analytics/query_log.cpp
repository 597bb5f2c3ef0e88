// The query log's record format, day files and writer thread (siteseek/analytics.hpp).
#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <system_error>

#include <zlib.h>

#include "analytics/siphash.hpp"
#include "common/unix_time.hpp"
#include "siteseek/analysis.hpp"
#include "siteseek/analytics.hpp"
#include "siteseek/error.hpp"

namespace siteseek {
namespace fs = std::filesystem;

namespace {

// The payload's fields, in order: kind u8, flags u8 (bit 0 relaxed, bit 1 later_page), time i64, query_id u64,
// index_version i64, results u32, position u32, then site, session, query, url each as u16
// length + bytes. Unknown trailing bytes are ignored (room for later fields).
constexpr std::size_t fixed_payload = 1 + 1 + 8 + 8 + 8 + 4 + 4;
constexpr std::uint32_t max_record = 16 * 1024;  // a length above this is a torn or corrupt header

void put_u(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_u(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}
void put_s(std::string& out, std::string_view s) {
  const auto n = std::min<std::size_t>(s.size(), 0xffff);
  put_u(out, n, 2);
  out.append(s.substr(0, n));
}

// zlib's: the same CRC-32 as Boost's table (IEEE), several bytes a step.
std::uint32_t crc32(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      ::crc32(::crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// One payload read back; none when its strings run past its end.
std::optional<AnalyticsEvent> decode(std::string_view payload) {
  if (payload.size() < fixed_payload) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(payload.data());
  AnalyticsEvent e;
  e.kind = static_cast<EventKind>(p[0]);
  e.relaxed = (p[1] & 1) != 0;
  e.later_page = (p[1] & 2) != 0;
  e.time = static_cast<std::int64_t>(get_u(p + 2, 8));
  e.query_id = get_u(p + 10, 8);
  e.index_version = static_cast<std::int64_t>(get_u(p + 18, 8));
  e.results = static_cast<std::uint32_t>(get_u(p + 26, 4));
  e.position = static_cast<std::uint32_t>(get_u(p + 30, 4));
  std::size_t at = fixed_payload;
  for (std::string* s : {&e.site, &e.session, &e.query, &e.url}) {
    if (at + 2 > payload.size()) return std::nullopt;
    const auto n = static_cast<std::size_t>(get_u(p + at, 2));
    at += 2;
    if (at + n > payload.size()) return std::nullopt;
    s->assign(payload.substr(at, n));
    at += n;
  }
  return e;
}

std::string day_file_name(std::int64_t day_start) { return utc_day(day_start) + ".log"; }

// The day a file name "YYYY-MM-DD.log" stands for; none for other files.
std::optional<std::int64_t> day_of_file(const fs::path& p) {
  if (p.extension() != ".log") return std::nullopt;
  return parse_utc_day(p.stem().string());
}

std::int64_t day_start(std::int64_t t) { return t - ((t % 86400) + 86400) % 86400; }

// The batch as the writers store it: in runs of one UTC day (stable: a day keeps the order its
// events were recorded in, a session's searches), queries normalised, each run framed into one
// string; f(day, records, count) for each run, oldest day first.
template <class F>
void frame_by_day(std::vector<AnalyticsEvent>& batch, F&& f) {
  const auto by_day = [](const AnalyticsEvent& a, const AnalyticsEvent& b) { return day_start(a.time) < day_start(b.time); };
  if (!std::is_sorted(batch.begin(), batch.end(), by_day)) std::stable_sort(batch.begin(), batch.end(), by_day);
  std::size_t i = 0;
  while (i < batch.size()) {
    const std::int64_t day = day_start(batch[i].time);
    std::string records;
    std::size_t j = i;
    for (; j < batch.size() && day_start(batch[j].time) == day; ++j) {
      if (batch[j].kind != EventKind::click) batch[j].query = normalize_query(batch[j].query);
      append_record(records, batch[j]);
    }
    f(day, std::move(records), j - i);
    i = j;
  }
}

}  // namespace

std::string normalize_query(std::string_view q) {
  // Folding only (no stemming, no stop words): the language does not matter.
  static const Analyzer folder([] {
    AnalyzerOptions o;
    o.language = "none";
    return o;
  }());
  std::string out;
  std::size_t i = 0;
  while (i < q.size() && out.size() < max_logged_query) {
    while (i < q.size() && std::isspace(static_cast<unsigned char>(q[i]))) ++i;
    std::size_t j = i;
    while (j < q.size() && !std::isspace(static_cast<unsigned char>(q[j]))) ++j;
    if (j > i) {
      std::string word = folder.fold(q.substr(i, j - i));
      if (!word.empty()) {
        if (!out.empty()) out.push_back(' ');
        out += word;
      }
    }
    i = j;
  }
  if (out.size() > max_logged_query) {
    std::size_t cut = max_logged_query;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;  // not inside a character
    out.resize(cut);
    while (!out.empty() && out.back() == ' ') out.pop_back();
  }
  return out;
}

bool valid_session_id(std::string_view s) {
  if (s.size() < 8 || s.size() > max_session_id) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

void append_record(std::string& out, const AnalyticsEvent& e) {
  std::string payload;
  payload.reserve(fixed_payload + 8 + e.site.size() + e.session.size() + e.query.size() + e.url.size());
  put_u(payload, static_cast<std::uint8_t>(e.kind), 1);
  put_u(payload, (e.relaxed ? 1 : 0) | (e.later_page ? 2 : 0), 1);
  put_u(payload, static_cast<std::uint64_t>(e.time), 8);
  put_u(payload, e.query_id, 8);
  put_u(payload, static_cast<std::uint64_t>(e.index_version), 8);
  put_u(payload, e.results, 4);
  put_u(payload, e.position, 4);
  put_s(payload, e.site);
  put_s(payload, e.session);
  put_s(payload, e.query);
  put_s(payload, e.url);
  put_u(out, payload.size(), 4);
  put_u(out, crc32(payload), 4);
  out += payload;
}

LogFileContents read_log_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path.string());
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError("cannot read " + path.string());
  return read_log_bytes(data);
}

LogFileContents read_log_bytes(std::string_view data) {
  LogFileContents c;
  if (data.size() < log_file_magic.size() || data.substr(0, log_file_magic.size()) != log_file_magic) {
    c.torn = !data.empty();
    return c;
  }
  std::size_t at = log_file_magic.size();
  c.whole_bytes = at;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  while (at < data.size()) {
    if (at + 8 > data.size()) break;
    const auto len = static_cast<std::uint32_t>(get_u(p + at, 4));
    const auto crc = static_cast<std::uint32_t>(get_u(p + at + 4, 4));
    if (len > max_record || at + 8 + len > data.size()) break;
    const std::string_view payload = data.substr(at + 8, len);
    if (crc32(payload) != crc) break;
    auto e = decode(payload);
    if (!e) break;
    c.events.push_back(std::move(*e));
    at += 8 + len;
    c.whole_bytes = at;
  }
  c.torn = c.whole_bytes < data.size();
  return c;
}

std::string utc_day(std::int64_t t) {
  const std::chrono::sys_days d{std::chrono::days{(t - (((t % 86400) + 86400) % 86400)) / 86400}};
  const std::chrono::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<std::int64_t> parse_utc_day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  m = static_cast<unsigned>((s[5] - '0') * 10 + (s[6] - '0'));
  d = static_cast<unsigned>((s[8] - '0') * 10 + (s[9] - '0'));
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<std::int64_t>(std::chrono::sys_days{ymd}.time_since_epoch().count()) * 86400;
}

// --- the writer ---------------------------------------------------------------------------------

QueryLog::QueryLog(QueryLogOptions options) : options_(std::move(options)) {
  if (options_.shared) {  // shared mode: nothing on disk; the day logs are bounded where they are
    std::random_device random;
    char token[24];
    std::snprintf(token, sizeof token, "%08x%08x", random(), random());
    writer_token_ = token;
    queue_.reserve(std::min<std::size_t>(options_.queue_capacity, 1024));
    if (options_.background) writer_ = std::thread([this] { run(); });
    return;
  }
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec) throw IoError("cannot create " + options_.dir.string() + ": " + ec.message());
  drop_old_days(day_start(now()));
  for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
    if (entry.is_regular_file(ec)) bytes_ += entry.file_size(ec);
  }
  bytes_seen_ = bytes_;
  queue_.reserve(std::min<std::size_t>(options_.queue_capacity, 1024));
  if (options_.background) writer_ = std::thread([this] { run(); });
}

QueryLog::~QueryLog() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  retry_at_ = {};  // one last attempt, even while waiting to retry
  flush();
}

std::int64_t QueryLog::now() const {
  if (options_.now) return options_.now();
  return detail::unix_now();
}

void QueryLog::record(AnalyticsEvent event) noexcept {
  {
    std::lock_guard lock(queue_mutex_);
    // Shared mode: the appends waiting for Redis count too (files: none ever wait).
    if (queue_.size() + pending_events_.load(std::memory_order_relaxed) >= options_.queue_capacity) {
      dropped_queue_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    try {
      queue_.push_back(std::move(event));
    } catch (...) {  // out of memory: dropped like a full queue
      dropped_queue_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  recorded_.fetch_add(1, std::memory_order_relaxed);
}

void QueryLog::run() {
  std::unique_lock lock(queue_mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.flush_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    flush();
    if (options_.tick) {
      try {
        options_.tick();
      } catch (...) {
      }
    }
    lock.lock();
  }
}

void QueryLog::flush() noexcept {
  std::lock_guard write_lock(write_mutex_);
  std::vector<AnalyticsEvent> batch = std::move(spare_);
  batch.clear();
  {
    std::lock_guard lock(queue_mutex_);
    batch.swap(queue_);
  }
  if (options_.shared) {
    flush_shared(batch);  // pending appends too, when the batch is empty
  } else if (!batch.empty()) {
    try {
      write_batch(batch);
    } catch (...) {
      write_errors_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  batch.clear();
  spare_ = std::move(batch);
}

// Under write_mutex_, shared mode: the batch framed into one pending append per day, each with
// a token of its own; then the pending appends sent in order, unless waiting to retry.
void QueryLog::flush_shared(std::vector<AnalyticsEvent>& batch) noexcept {
  try {
    frame_by_day(batch, [this](std::int64_t day, std::string records, std::size_t count) {
      PendingAppend append;
      append.day = day;
      append.records = std::move(records);
      append.count = count;
      append.token = writer_token_ + ":" + std::to_string(++appends_);
      pending_.push_back(std::move(append));
      pending_events_.fetch_add(count, std::memory_order_relaxed);
    });
  } catch (...) {  // out of memory: this batch is lost
    write_errors_.fetch_add(1, std::memory_order_relaxed);
  }
  if (std::chrono::steady_clock::now() >= retry_at_) send_pending();
}

// Under write_mutex_, shared mode: each pending append is one call to the storage, atomic there
// (another node's batch never lands inside a record), which keeps retention and the bound for
// the cluster. Unreachable storage (or no answer in time) keeps it and the ones after it, to be
// sent again with the same token - an append Redis did run after a timeout is not run twice -
// and sets the next attempt's time; another error loses that append (it would fail again).
void QueryLog::send_pending() noexcept {
  const std::int64_t today = day_start(now());
  const std::int64_t retention = static_cast<std::int64_t>(options_.retention_days) * 86400;
  const std::int64_t oldest = today - retention + 86400;
  auto tell = [this](bool failing, const std::string& message) {
    if (!options_.on_state) return;
    try {
      options_.on_state(failing, message);
    } catch (...) {
    }
  };
  bool stored = false;
  while (!pending_.empty()) {
    PendingAppend& next = pending_.front();
    try {
      if (next.day >= oldest) {  // else already expired
        const auto appended = options_.shared->append(next.day, next.records, {oldest, next.day + retention, options_.max_bytes}, next.token);
        (appended.stored ? written_ : dropped_full_).fetch_add(next.count, std::memory_order_relaxed);
        if (appended.bytes > 0) bytes_seen_.store(appended.bytes, std::memory_order_relaxed);
        stored = true;
      }
    } catch (const std::exception& e) {
      write_errors_.fetch_add(1, std::memory_order_relaxed);
      const auto* error = dynamic_cast<const Error*>(&e);
      const bool unavailable = error && error->code() == "redis_unavailable";
      if (!failing_) {
        tell(true, std::string("analytics: cannot write to ") + options_.shared->describe() + ": " + e.what() +
                       (unavailable ? " (events wait in the queue, up to " + std::to_string(options_.queue_capacity) + "; retrying)"
                                    : " (a batch is lost)"));
      }
      failing_ = true;
      if (unavailable) {
        retry_wait_ = retry_wait_.count() == 0 ? options_.retry_min : std::min(retry_wait_ * 2, options_.retry_max);
        retry_at_ = std::chrono::steady_clock::now() + retry_wait_;
        return;
      }
    } catch (...) {
      write_errors_.fetch_add(1, std::memory_order_relaxed);
    }
    pending_events_.fetch_sub(next.count, std::memory_order_relaxed);
    pending_.pop_front();
  }
  retry_wait_ = std::chrono::milliseconds{0};
  if (failing_ && stored) {
    failing_ = false;
    tell(false, "analytics: writing to " + options_.shared->describe() + " again");
  }
}

void QueryLog::drop_old_days(std::int64_t today) {
  std::error_code ec;
  const std::int64_t oldest = today - static_cast<std::int64_t>(options_.retention_days - 1) * 86400;
  for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
    const auto day = day_of_file(entry.path());
    if (!day || *day >= oldest) continue;
    const auto size = entry.file_size(ec);
    if (fs::remove(entry.path(), ec)) bytes_ -= std::min(bytes_, size);
    whole_files_.erase(entry.path().filename().string());
  }
}

// Under write_mutex_: the events go to the day file of their time (normally today's), each file
// opened once per batch; a file's torn tail is cut off first.
void QueryLog::write_batch(std::vector<AnalyticsEvent>& batch) {
  const std::int64_t today = day_start(now());
  drop_old_days(today);
  frame_by_day(batch, [&](std::int64_t day, const std::string& bytes, std::size_t count) {
    if (day < today - static_cast<std::int64_t>(options_.retention_days - 1) * 86400) return;  // already expired
    const fs::path path = options_.dir / day_file_name(day);
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    std::uint64_t size = exists ? fs::file_size(path, ec) : 0;
    if (exists && size > 0 && !whole_files_.contains(path.filename().string())) {
      // A crash may have left half a record: appending after it would hide every later one.
      // Checked once per file and process: after that this writer is the one appending to it.
      const auto contents = read_log_file(path);
      if (contents.torn) {
        fs::resize_file(path, contents.whole_bytes, ec);
        if (ec) throw IoError("cannot truncate " + path.string());
        bytes_ -= std::min(bytes_, size - contents.whole_bytes);
        size = contents.whole_bytes;
      }
    }
    const std::uint64_t header = size < log_file_magic.size() ? log_file_magic.size() : 0;
    // The bound: old days go first (oldest first, never the day being written), then this batch.
    while (bytes_ + bytes.size() + header > options_.max_bytes) {
      std::optional<fs::path> oldest;
      std::int64_t oldest_day = day;
      for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
        const auto d = day_of_file(entry.path());
        if (d && *d < oldest_day) {
          oldest_day = *d;
          oldest = entry.path();
        }
      }
      if (!oldest) break;
      const auto gone = fs::file_size(*oldest, ec);
      if (fs::remove(*oldest, ec)) bytes_ -= std::min(bytes_, gone);
      whole_files_.erase(oldest->filename().string());
    }
    if (bytes_ + bytes.size() + header > options_.max_bytes) {
      dropped_full_.fetch_add(count, std::memory_order_relaxed);
      return;
    }
    std::ofstream out(path, std::ios::binary | std::ios::app);
    if (header) {
      if (size > 0) {  // not even a whole magic: start the file again
        out.close();
        fs::resize_file(path, 0, ec);
        out.open(path, std::ios::binary | std::ios::app);
      }
      out.write(log_file_magic.data(), static_cast<std::streamsize>(log_file_magic.size()));
    }
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      whole_files_.erase(path.filename().string());  // part of the batch may be there: check it again
      throw IoError("cannot append to " + path.string());
    }
    bytes_ += bytes.size() + header;
    whole_files_.insert(path.filename().string());
    written_.fetch_add(count, std::memory_order_relaxed);
  });
  bytes_seen_.store(bytes_, std::memory_order_relaxed);
}

QueryLogStats QueryLog::stats() const {
  QueryLogStats s;
  s.recorded = recorded_.load(std::memory_order_relaxed);
  s.written = written_.load(std::memory_order_relaxed);
  s.dropped_queue = dropped_queue_.load(std::memory_order_relaxed);
  s.dropped_full = dropped_full_.load(std::memory_order_relaxed);
  s.write_errors = write_errors_.load(std::memory_order_relaxed);
  s.bytes = bytes_seen_.load(std::memory_order_relaxed);
  return s;
}

// --- query ids ----------------------------------------------------------------------------------

std::string format_query_id(std::uint64_t id) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, id >>= 4) out[static_cast<std::size_t>(i)] = hex[id & 0xf];
  return out;
}

std::optional<std::uint64_t> parse_query_id(std::string_view text) {
  if (text.size() != 16) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else return std::nullopt;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  if (v == 0) return std::nullopt;
  return v;
}

IssuedQueries::IssuedQueries(std::size_t capacity, std::int64_t ttl_seconds, std::uint32_t max_clicks)
    : ttl_(ttl_seconds), max_clicks_(max_clicks), capacity_(std::clamp<std::size_t>(capacity, 1, std::size_t{1} << slot_bits)),
      random_(std::random_device{}()) {}

namespace {

// Signed ids (IssuedQueries::set_secret): from the top, the issue minute mod 128, the results
// shown, a nonce and the MAC.
constexpr int minute_bits = 7, shown_bits = 12, nonce_bits = 25, mac_bits = 20;
static_assert(minute_bits + shown_bits + nonce_bits + mac_bits == 64);
static_assert(27 + shown_bits + nonce_bits == 64);  // the MAC's message word (IssuedQueries::sign)
constexpr std::uint64_t mask(int bits) { return (std::uint64_t{1} << bits) - 1; }
// A clock of another node a little ahead of ours: its ids' minute may be this far in our future.
constexpr std::int64_t max_skew_minutes = 2;

// SipHash-1-3 (siphash.hpp): the reference 2-4 cost 15 ns more per search (bench/analytics); a
// query id keeps 20 bits of it, so what stops a forger is the one in a million guess, not the
// rounds.
using detail::siphash13;

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

void IssuedQueries::set_secret(std::string_view secret) {
  if (secret.size() < 16) return;
  const auto* bytes = reinterpret_cast<const unsigned char*>(secret.data());
  const SipKey key{get_u(bytes, 8), get_u(bytes + 8, 8)};
  std::lock_guard lock(mutex_);
  const SipKey* current = key_.load(std::memory_order_relaxed);
  if (current && current->k0 == key.k0 && current->k1 == key.k1) return;
  if (!current) {
    nonce_counter_.store(random_(), std::memory_order_relaxed);
    signed_clicks_.assign(signed_click_slots, {0, 0});
  }
  keys_.push_back(key);  // a deque: the keys already handed out stay where they are
  previous_key_ = current;
  key_.store(&keys_.back(), std::memory_order_release);
}

std::uint64_t IssuedQueries::sign(const SipKey& key, std::int64_t minute, std::uint32_t shown, std::uint64_t nonce,
                                  std::string_view site) {
  // The message: one word (the minute's low 27 bits - 255 years -, shown, the nonce), the site.
  const std::uint64_t word = (static_cast<std::uint64_t>(minute) & mask(27)) << 37 | std::uint64_t{shown} << 25 | nonce;
  char buf[8 + 64];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((word >> (8 * i)) & 0xff);
  if (site.size() <= sizeof buf - 8) {  // no allocation for the usual site name
    std::memcpy(buf + 8, site.data(), site.size());
    return siphash13(key.k0, key.k1, std::string_view(buf, 8 + site.size())) & mask(mac_bits);
  }
  std::string msg(buf, 8);
  msg += site;
  return siphash13(key.k0, key.k1, msg) & mask(mac_bits);
}

std::optional<IssuedQueries::Issued> IssuedQueries::verify_signed(std::uint64_t id, std::int64_t now,
                                                                  const std::vector<std::string>& sites) const {
  const std::int64_t now_minute = now / 60;
  const auto low = static_cast<std::int64_t>(id >> (64 - minute_bits));
  // The latest minute up to max_skew_minutes ahead of ours with these low bits.
  std::int64_t minute = now_minute + max_skew_minutes;
  minute -= ((minute - low) % (1 << minute_bits) + (1 << minute_bits)) % (1 << minute_bits);
  if ((now_minute - minute) * 60 > ttl_) return std::nullopt;
  const auto shown = static_cast<std::uint32_t>((id >> (nonce_bits + mac_bits)) & mask(shown_bits));
  const std::uint64_t nonce = (id >> mac_bits) & mask(nonce_bits);
  const SipKey* current = key_.load(std::memory_order_acquire);
  for (const SipKey* key : {current, previous_key_}) {
    if (!key) continue;
    for (const auto& site : sites) {
      if (sign(*key, minute, shown, nonce, site) != (id & mask(mac_bits))) continue;
      Issued issued;
      issued.site = site;
      issued.time = minute * 60;
      issued.shown = shown;
      return issued;
    }
  }
  return std::nullopt;
}

std::uint64_t IssuedQueries::issue(std::string_view site, std::string_view session, std::uint32_t shown, std::int64_t now) {
  if (const SipKey* key = key_.load(std::memory_order_acquire)) {  // no lock, no slot: the id carries what a click needs
    const std::int64_t minute = now / 60;
    const std::uint32_t kept = std::min<std::uint32_t>(shown, mask(shown_bits));
    for (;;) {
      const std::uint64_t nonce = splitmix64(nonce_counter_.fetch_add(1, std::memory_order_relaxed)) & mask(nonce_bits);
      const std::uint64_t id = (static_cast<std::uint64_t>(minute) & mask(minute_bits)) << (64 - minute_bits) |
                               std::uint64_t{kept} << (nonce_bits + mac_bits) | nonce << mac_bits | sign(*key, minute, kept, nonce, site);
      if (id != 0) return id;
    }
  }
  std::lock_guard lock(mutex_);
  // The ring (~90 B a slot) is made when the first id needs it: a node with analytics off, or
  // signing its ids (shared storage), never holds it.
  if (slots_.empty()) slots_.resize(capacity_);
  // A member generator, not a thread_local one: its 5 KB would not fit the static TLS a
  // dlopen'ed Python module gets.
  const std::uint64_t index = next_;
  std::uint64_t id;
  do id = (random_() << slot_bits) | index; while (id == 0);
  Slot& slot = slots_[index];
  slot.id = id;
  slot.issued.site.assign(site);  // assign: the slot's strings keep their capacity
  slot.issued.session.assign(session);
  slot.issued.time = now;
  slot.issued.shown = shown;
  slot.issued.clicks = 0;
  next_ = (next_ + 1) % slots_.size();
  used_ = std::min(used_ + 1, slots_.size());
  return id;
}

IssuedQueries::Issued IssuedQueries::accept_click(std::uint64_t id, std::uint32_t position, std::int64_t now,
                                                  const std::vector<std::string>& sites) {
  std::lock_guard lock(mutex_);
  if (signs()) {
    if (auto verified = verify_signed(id, now, sites)) {
      if (position < 1 || position > verified->shown) {
        throw RequestError("invalid_parameter", "position must be between 1 and " + std::to_string(verified->shown) +
                                                    " for this search, got " + std::to_string(position));
      }
      auto& [slot_id, clicks] = signed_clicks_[splitmix64(id) % signed_clicks_.size()];
      if (slot_id != id) slot_id = id, clicks = 0;
      if (clicks >= max_clicks_) {
        throw RequestError("invalid_parameter", "this search has had its " + std::to_string(max_clicks_) + " clicks");
      }
      verified->clicks = ++clicks;
      return std::move(*verified);
    }
  }
  const std::size_t index = id & ((std::uint64_t{1} << slot_bits) - 1);
  if (index >= slots_.size() || slots_[index].id != id || now - slots_[index].issued.time > ttl_) {
    throw RequestError("invalid_parameter", "query_id is not a search this server answered recently");
  }
  Issued& issued = slots_[index].issued;
  if (position < 1 || position > issued.shown) {
    throw RequestError("invalid_parameter", "position must be between 1 and " + std::to_string(issued.shown) +
                                                " for this search, got " + std::to_string(position));
  }
  if (issued.clicks >= max_clicks_) {
    throw RequestError("invalid_parameter", "this search has had its " + std::to_string(max_clicks_) + " clicks");
  }
  ++issued.clicks;
  return issued;
}

std::size_t IssuedQueries::size() const {
  std::lock_guard lock(mutex_);
  return used_;
}

}  // namespace siteseek
