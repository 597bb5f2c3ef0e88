// What these tests prove (siteseek/analytics.hpp), on an injected clock:
// 1. Normalisation folds as the engine does: "Json.Dumps " and "json.dumps" are one query;
//    whitespace runs collapse; long queries are cut at a character boundary.
// 2. Records round-trip through a day file, every field; a torn tail (half a record, a flipped
//    byte) is skipped by readers, and the writer cuts it off so records appended later are read.
// 3. Retention deletes day files older than retention_days; max_bytes bounds the directory
//    (old days deleted first, then records dropped and counted).
// 4. A full queue drops and counts instead of blocking; record() from several threads while the
//    writer runs loses nothing below the bound (label 'concurrent').
// 5. Query ids: an issued id accepts clicks within its shown results, refuses unknown and expired
//    ids, positions out of range and too many clicks; the table stays bounded. Beacons parse, and
//    bad ones are refused with the error codes the transports map.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <thread>
#include <unistd.h>

#include "siteseek/analytics.hpp"
#include "siteseek/error.hpp"

using namespace siteseek;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t day0 = 1764892800;  // 2025-12-05T00:00:00Z

struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() / ("siteseek-analytics-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

AnalyticsEvent search(std::int64_t t, std::string q, std::uint32_t results = 3) {
  AnalyticsEvent e;
  e.kind = EventKind::search;
  e.time = t;
  e.site = "docs";
  e.query = std::move(q);
  e.results = results;
  return e;
}

QueryLogOptions options(const fs::path& dir, std::int64_t* now) {
  QueryLogOptions o;
  o.dir = dir;
  o.background = false;
  o.now = [now] { return *now; };
  return o;
}

std::uint64_t dir_bytes(const fs::path& dir) {
  std::uint64_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.file_size();
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(analytics_query_log)

BOOST_AUTO_TEST_CASE(normalisation_folds_like_the_engine) {
  BOOST_TEST(normalize_query("Json.Dumps ") == "json.dumps");
  BOOST_TEST(normalize_query("  json.dumps") == normalize_query("JSON.DUMPS"));
  BOOST_TEST(normalize_query("Café   au\tLait") == "cafe au lait");
  BOOST_TEST(normalize_query("   ") == "");
  const std::string long_q(1000, 'a');
  BOOST_TEST(normalize_query(long_q).size() == max_logged_query);
  std::string accented;
  for (int i = 0; i < 200; ++i) accented += "ж";
  const auto cut = normalize_query(accented);
  BOOST_TEST(cut.size() <= max_logged_query);
  BOOST_TEST(cut.size() % 2 == 0);  // whole two-byte characters only
}

BOOST_AUTO_TEST_CASE(records_round_trip_through_a_day_file) {
  TempDir dir;
  std::int64_t now = day0 + 3600;
  AnalyticsEvent s = search(now, "Json.Dumps ", 7);
  s.query_id = 0x1234abcd;
  s.session = "sess-0001";
  s.relaxed = true;
  s.later_page = true;
  s.index_version = 1700000000;
  AnalyticsEvent c;
  c.kind = EventKind::click;
  c.time = now + 5;
  c.query_id = 0x1234abcd;
  c.site = "docs";
  c.session = "sess-0001";
  c.position = 2;
  c.url = "https://docs.example/json.html#dumps";
  {
    QueryLog log(options(dir.path, &now));
    log.record(s);
    log.record(c);
    log.flush();
    BOOST_TEST(log.stats().written == 2u);
  }
  const auto contents = read_log_file(dir.path / "2025-12-05.log");
  BOOST_TEST(!contents.torn);
  BOOST_REQUIRE(contents.events.size() == 2u);
  s.query = "json.dumps";  // stored normalised
  BOOST_TEST((contents.events[0] == s));
  BOOST_TEST((contents.events[1] == c));
}

// The format as docs/analytics.md gives it: tests/fuzz/corpus/analytics/day_file was written by a
// few lines of Python from that description (struct.pack, zlib.crc32), without this code.
BOOST_AUTO_TEST_CASE(the_documented_format_reads) {
  std::ifstream in(std::string(SITESEEK_SOURCE_DIR) + "/tests/fuzz/corpus/analytics/day_file", std::ios::binary);
  const std::string records((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto contents = read_log_bytes(std::string(log_file_magic) + records);
  BOOST_TEST(!contents.torn);
  BOOST_REQUIRE(contents.events.size() == 2u);
  const auto& s = contents.events[0];
  BOOST_TEST((s.kind == EventKind::search));
  BOOST_TEST(s.relaxed);
  BOOST_TEST(s.time == day0);
  BOOST_TEST(s.query_id == 255u);
  BOOST_TEST(s.index_version == 1700000000);
  BOOST_TEST(s.results == 12u);
  BOOST_TEST(s.site == "docs");
  BOOST_TEST(s.session == "sess-0001");
  BOOST_TEST(s.query == "json.dumps");
  const auto& c = contents.events[1];
  BOOST_TEST((c.kind == EventKind::click));
  BOOST_TEST(c.position == 2u);
  BOOST_TEST(c.url == "https://docs.example.org/json.html");
}

BOOST_AUTO_TEST_CASE(a_torn_tail_is_skipped_and_the_log_continues) {
  TempDir dir;
  std::int64_t now = day0 + 60;
  const fs::path file = dir.path / "2025-12-05.log";
  {
    QueryLog log(options(dir.path, &now));
    log.record(search(now, "one"));
    log.record(search(now, "two"));
    log.flush();
  }
  const auto whole = fs::file_size(file);
  // A crash mid-write: half of a third record.
  std::string third;
  append_record(third, search(now, "three"));
  {
    std::ofstream out(file, std::ios::binary | std::ios::app);
    out.write(third.data(), static_cast<std::streamsize>(third.size() / 2));
  }
  auto contents = read_log_file(file);
  BOOST_TEST(contents.torn);
  BOOST_TEST(contents.events.size() == 2u);
  BOOST_TEST(contents.whole_bytes == whole);
  {
    QueryLog log(options(dir.path, &now));  // after the restart
    log.record(search(now, "four"));
    log.flush();
  }
  contents = read_log_file(file);
  BOOST_TEST(!contents.torn);
  BOOST_REQUIRE(contents.events.size() == 3u);
  BOOST_TEST(contents.events[2].query == "four");

  // A flipped byte inside the last record: its CRC fails, the records before it are read.
  {
    std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(fs::file_size(file) - 1));
    f.put('\x7f');
  }
  contents = read_log_file(file);
  BOOST_TEST(contents.torn);
  BOOST_TEST(contents.events.size() == 2u);
}

BOOST_AUTO_TEST_CASE(retention_drops_old_days) {
  TempDir dir;
  std::int64_t now = day0;
  auto o = options(dir.path, &now);
  o.retention_days = 3;
  QueryLog log(o);
  for (int d = 0; d < 5; ++d) {
    now = day0 + d * 86400 + 10;
    log.record(search(now, "q" + std::to_string(d)));
    log.flush();
  }
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir.path)) files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  BOOST_TEST(files == (std::vector<std::string>{"2025-12-07.log", "2025-12-08.log", "2025-12-09.log"}),
             boost::test_tools::per_element());
  // A late event of a day already past retention is not written.
  log.record(search(day0 + 5, "late"));
  log.flush();
  BOOST_TEST(!fs::exists(dir.path / "2025-12-05.log"));
}

BOOST_AUTO_TEST_CASE(max_bytes_bounds_the_directory) {
  TempDir dir;
  std::int64_t now = day0;
  auto o = options(dir.path, &now);
  o.max_bytes = 4096;
  QueryLog log(o);
  // Yesterday's file, then today's records past the bound: yesterday goes first, then records drop.
  for (int i = 0; i < 20; ++i) log.record(search(now, "yesterday " + std::to_string(i)));
  log.flush();
  now += 86400;
  for (int i = 0; i < 400; ++i) {
    log.record(search(now, "a query of some length number " + std::to_string(i)));
    if (i % 10 == 0) log.flush();
  }
  log.flush();
  BOOST_TEST(dir_bytes(dir.path) <= o.max_bytes);
  BOOST_TEST(!fs::exists(dir.path / "2025-12-05.log"));
  const auto stats = log.stats();
  BOOST_TEST(stats.dropped_full > 0u);
  BOOST_TEST(stats.written + stats.dropped_full == 420u);
  BOOST_TEST(read_log_file(dir.path / "2025-12-06.log").events.size() == stats.written - 20);
}

BOOST_AUTO_TEST_CASE(a_full_queue_drops_and_counts) {
  TempDir dir;
  std::int64_t now = day0;
  auto o = options(dir.path, &now);
  o.queue_capacity = 10;
  QueryLog log(o);  // no writer thread: nothing drains until flush()
  for (int i = 0; i < 25; ++i) log.record(search(now, "q"));
  auto stats = log.stats();
  BOOST_TEST(stats.recorded == 10u);
  BOOST_TEST(stats.dropped_queue == 15u);
  log.flush();
  log.record(search(now, "after"));  // room again
  BOOST_TEST(log.stats().recorded == 11u);
}

BOOST_AUTO_TEST_CASE(threads_record_while_the_writer_runs) {
  TempDir dir;
  QueryLogOptions o;
  o.dir = dir.path;
  o.flush_interval = std::chrono::milliseconds(1);
  std::int64_t t = 0;
  {
    QueryLog log(o);
    t = std::chrono::duration_cast<std::chrono::seconds>(AnalyticsClock::now().time_since_epoch()).count();
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k) {
      threads.emplace_back([&log, t, k] {
        for (int i = 0; i < 1000; ++i) log.record(search(t, "t" + std::to_string(k)));
      });
    }
    for (auto& th : threads) th.join();
    log.flush();
    const auto stats = log.stats();
    BOOST_TEST(stats.recorded + stats.dropped_queue == 4000u);
    BOOST_TEST(stats.written == stats.recorded);
  }
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) n += read_log_file(e.path()).events.size();
  BOOST_TEST(n > 0u);
}

BOOST_AUTO_TEST_CASE(query_ids_check_clicks) {
  IssuedQueries ids(3, 3600, 2);
  const auto a = ids.issue("docs", "s1", 10, day0);
  BOOST_TEST(ids.accept_click(a, 1, day0 + 1).site == "docs");
  BOOST_TEST(ids.accept_click(a, 10, day0 + 1).shown == 10u);
  BOOST_CHECK_THROW(ids.accept_click(a, 3, day0 + 1), RequestError);   // a third click
  const auto b = ids.issue("docs", "s1", 5, day0);
  BOOST_CHECK_THROW(ids.accept_click(b, 0, day0), RequestError);       // positions are 1-based
  BOOST_CHECK_THROW(ids.accept_click(b, 6, day0), RequestError);       // beyond the results shown
  BOOST_CHECK_THROW(ids.accept_click(b + 1, 1, day0), RequestError);   // never issued
  BOOST_CHECK_THROW(ids.accept_click(b, 1, day0 + 3601), RequestError); // expired
  ids.issue("docs", "", 1, day0);
  ids.issue("docs", "", 1, day0);
  BOOST_TEST(ids.size() == 3u);  // bounded: `a` was forgotten
  BOOST_CHECK_THROW(ids.accept_click(a, 1, day0), RequestError);
  BOOST_TEST(parse_query_id(format_query_id(b)).value() == b);
  BOOST_TEST(!parse_query_id("0000000000000000"));
  BOOST_TEST(!parse_query_id("ABCDEF0123456789"));
  BOOST_TEST(!parse_query_id("abc"));
}

BOOST_AUTO_TEST_CASE(beacons_parse_and_bad_ones_are_refused) {
  const auto b = parse_click_beacon(R"({"query_id":"00000000000000ff","position":3,"url":"https://x/a"})");
  BOOST_TEST(b.query_id == 255u);
  BOOST_TEST(b.position == 3u);
  BOOST_TEST(b.url == "https://x/a");
  auto code = [](std::string_view body) {
    try {
      parse_click_beacon(body);
    } catch (const Error& e) {
      return std::string(e.code());
    }
    return std::string("accepted");
  };
  BOOST_TEST(code("not json") == "bad_request");
  BOOST_TEST(code("[1]") == "bad_request");
  BOOST_TEST(code(R"({"position":1})") == "invalid_parameter");
  BOOST_TEST(code(R"({"query_id":"00000000000000ff"})") == "invalid_parameter");
  BOOST_TEST(code(R"({"query_id":"00000000000000ff","position":-1})") == "invalid_parameter");
  BOOST_TEST(code(R"({"query_id":"00000000000000ff","position":"1"})") == "invalid_parameter");
  BOOST_TEST(code(R"({"query_id":"00000000000000ff","position":1,"ip":"1.2.3.4"})") == "invalid_parameter");
  BOOST_TEST(code(std::string(max_beacon_bytes + 1, ' ')) == "payload_too_large");
  BOOST_TEST(code(R"j({"query_id":"00000000000000ff","position":1,"url":"javascript:alert(1)"})j") == "invalid_parameter");
  BOOST_TEST(code(R"({"query_id":"00000000000000ff","position":1,"url":"/relative.html"})") == "invalid_parameter");
  BOOST_TEST(code(R"({"query_id":"00000000000000ff","position":1,"url":"https://x/a b"})") == "invalid_parameter");
  BOOST_TEST(code(R"({"query_id":"00000000000000ff","position":1,"url":"HTTPS://X/A"})") == "accepted");
  BOOST_TEST(valid_session_id("abcdEF12-_"));
  BOOST_TEST(!valid_session_id("short"));
  BOOST_TEST(!valid_session_id("has space in it"));
}

BOOST_AUTO_TEST_SUITE_END()
