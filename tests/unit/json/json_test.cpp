// Proves: 1. each value's JSON is the wire shape the HTTP API has always written, to the byte
// (key order, null for what is not there yet, ISO-8601 times, duration_ms);
// 2. a report reads back as it was written, and a report stored by the Redis queue before these
// conversions (its own writer, same keys) still reads back; a mistyped stored report reads leniently;
// 3. the writer escapes every string as append_json_string does (no byte differs from the
// hand-written bodies), and an error's message never makes the text invalid UTF-8.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <limits>

#include "siteseek/json.hpp"

using namespace siteseek;
namespace json = boost::json;

namespace {

template <class T>
std::string text(const T& v) {
  return json_text(json::value_from(v));
}

std::chrono::system_clock::time_point at(std::int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

IngestReport sample_report() {
  IngestReport r;
  r.pages_fetched = 5;
  r.pages_indexed = 4;
  r.pages_unchanged = 1;
  r.documents = 9;
  r.duration = std::chrono::milliseconds(1234);
  r.skipped = {{"https://d.org/broken.html", "no title (neither <title> nor <h1>)"}};
  r.failed = {{"https://d.org/gone.html", "HTTP 404"}, {"https://d.org/x\"y", "tab\there"}};
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_shapes)

BOOST_AUTO_TEST_CASE(report_and_progress) {
  BOOST_TEST(text(sample_report()) ==
             R"j({"pages_fetched":5,"pages_indexed":4,"pages_unchanged":1,"pages_not_requested":0,"documents":9,"index_unchanged":false,"pages_changed":0,"pages_removed":0,"updated_in_place":false,"duration_ms":1234,)j"
             R"j("skipped":[{"url":"https://d.org/broken.html","reason":"no title (neither <title> nor <h1>)"}],)j"
             R"j("failed":[{"url":"https://d.org/gone.html","error":"HTTP 404"},{"url":"https://d.org/x\"y","error":"tab\there"}]})j");
  BOOST_TEST(text(IngestReport{}) ==
             R"j({"pages_fetched":0,"pages_indexed":0,"pages_unchanged":0,"pages_not_requested":0,"documents":0,"index_unchanged":false,"pages_changed":0,"pages_removed":0,"updated_in_place":false,"duration_ms":0,"skipped":[],"failed":[]})j");
  BOOST_TEST(text(IngestProgress{5, 2, 7, 1}) == R"j({"fetched":5,"queued":2,"documents":7,"errors":1})j");
}

BOOST_AUTO_TEST_CASE(jobs_queued_and_finished_and_failed) {
  Job queued;
  queued.id = "3b1b505708a32bf9";
  queued.site = "ex";
  queued.created_at = at(1764932664);  // 2025-12-05T11:04:24Z
  BOOST_TEST(text(queued) ==
             R"j({"id":"3b1b505708a32bf9","site":"ex","status":"queued","created_at":"2025-12-05T11:04:24Z",)j"
             R"j("started_at":null,"ended_at":null,"progress":{"fetched":0,"queued":0,"documents":0,"errors":0},)j"
             R"j("report":null,"error":null,"worker":null,"attempts":0})j");

  Job done = queued;
  done.status = JobStatus::finished;
  done.started_at = at(1764932665);
  done.ended_at = at(1764932667);
  done.progress = {5, 0, 9, 0};
  done.report = IngestReport{};
  done.error = "ignored unless failed";
  done.worker = "local";
  done.attempts = 1;
  BOOST_TEST(text(done) ==
             R"j({"id":"3b1b505708a32bf9","site":"ex","status":"finished","created_at":"2025-12-05T11:04:24Z",)j"
             R"j("started_at":"2025-12-05T11:04:25Z","ended_at":"2025-12-05T11:04:27Z",)j"
             R"j("progress":{"fetched":5,"queued":0,"documents":9,"errors":0},)j"
             R"j("report":{"pages_fetched":0,"pages_indexed":0,"pages_unchanged":0,"pages_not_requested":0,"documents":0,"index_unchanged":false,"pages_changed":0,"pages_removed":0,"updated_in_place":false,"duration_ms":0,"skipped":[],"failed":[]},)j"
             R"j("error":null,"worker":"local","attempts":1})j");

  Job failed = done;
  failed.status = JobStatus::failed;
  failed.report.reset();
  BOOST_TEST(text(failed).find(R"j("report":null,"error":"ignored unless failed","worker":"local")j") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(site_status_with_and_without_an_index) {
  SiteStatus s{"ex", "https://docs.example.org/", true, 5, 21, 6238, at(1764932664), 4, true};
  BOOST_TEST(text(s) == R"j({"name":"ex","url":"https://docs.example.org/","has_index":true,"documents":5,"terms":21,)j"
                        R"j("memory_bytes":6238,"built_at":"2025-12-05T11:04:24Z","snapshot_version":4,"compact":true})j");
  SiteStatus none{"new", "https://new.example.org/"};
  BOOST_TEST(text(none) == R"j({"name":"new","url":"https://new.example.org/","has_index":false,"documents":0,"terms":0,)j"
                           R"j("memory_bytes":0,"built_at":null,"snapshot_version":0,"compact":false})j");
}

BOOST_AUTO_TEST_CASE(suggestions_word_and_title) {
  std::vector<Suggestion> list{{"install", ""}, {"Install", "https://docs.example.org/guide/install.html"}};
  BOOST_TEST(text(list) == R"j([{"text":"install","url":null},{"text":"Install","url":"https://docs.example.org/guide/install.html"}])j");
}

BOOST_AUTO_TEST_CASE(errors_from_codes_and_exceptions) {
  BOOST_TEST(json_text(error_json("not_found", "no route for /nope")) ==
             R"j({"error":{"code":"not_found","message":"no route for /nope"}})j");
  BOOST_TEST(text(UnknownSiteError("nope", {"ex", "other"})) ==
             R"j({"error":{"code":"unknown_site","message":"unknown site 'nope'; valid sites: ex, other"}})j");
  // A message quoting request bytes: invalid UTF-8 becomes U+FFFD (as UTF-8), control bytes escape.
  BOOST_TEST(json_text(error_json("unknown_site", "site '\xff\x08\x0c\x01x'")) ==
             "{\"error\":{\"code\":\"unknown_site\",\"message\":\"site '\xef\xbf\xbd\\u0008\\u000c\\u0001x'\"}}");
}

BOOST_AUTO_TEST_CASE(report_round_trip) {
  IngestReport with_empty_pages = sample_report();
  with_empty_pages.pages_without_text = {"https://d.org/index.html"};
  // After "failed", and only when there are some (the report of a site without is as it was).
  BOOST_TEST(contains(text(with_empty_pages), R"j("failed":[)j"));
  BOOST_TEST(contains(text(with_empty_pages), R"j(,"pages_without_text":["https://d.org/index.html"]})j"));
  for (const IngestReport& r : {sample_report(), with_empty_pages}) {
    for (const std::string& stored : {text(r), json::serialize(json::value_from(r))}) {
      IngestReport back = json::value_to<IngestReport>(json::parse(stored));
      BOOST_TEST(text(back) == text(r));
    }
  }
}

// What RedisJobQueue wrote before siteseek/json.hpp (boost::json::serialize of its own object,
// duration_ms as a signed count): jobs in Redis from before an upgrade keep their reports.
BOOST_AUTO_TEST_CASE(reports_stored_by_the_previous_writer_read_back) {
  const char* stored = R"j({"pages_fetched":498,"pages_indexed":497,"pages_unchanged":3,"documents":2279,)j"
                       R"j("duration_ms":5120,"skipped":[{"url":"https://d.org/a","reason":"noindex"}],)j"
                       R"j("failed":[{"url":"https://d.org/b","error":"timeout"}]})j";
  IngestReport r = json::value_to<IngestReport>(json::parse(stored));
  BOOST_TEST(r.pages_fetched == 498u);
  BOOST_TEST(r.pages_indexed == 497u);
  BOOST_TEST(r.pages_unchanged == 3u);
  BOOST_TEST(r.documents == 2279u);
  BOOST_TEST(r.duration.count() == 5120);
  BOOST_TEST(r.skipped.size() == 1u);
  BOOST_TEST(r.skipped[0].reason == "noindex");
  BOOST_TEST(r.failed.size() == 1u);
  BOOST_TEST(r.failed[0].error == "timeout");
  BOOST_TEST(r.pages_not_requested == 0u);  // written since: absent in old reports, read as 0
  BOOST_TEST(!r.index_unchanged);            // likewise, read as false
  IngestReport kept;
  kept.index_unchanged = true;
  BOOST_TEST(json::value_to<IngestReport>(json::value_from(kept)).index_unchanged);
  IngestReport in_place;
  in_place.pages_changed = 3;
  in_place.pages_removed = 1;
  in_place.updated_in_place = true;
  const auto back = json::value_to<IngestReport>(json::value_from(in_place));
  BOOST_TEST((back.pages_changed == 3u && back.pages_removed == 1u && back.updated_in_place));
  std::string now(stored);
  now.insert(now.find(R"("documents")"), R"("pages_not_requested":0,)");
  now.insert(now.find(R"("duration_ms")"), R"("index_unchanged":false,"pages_changed":0,"pages_removed":0,"updated_in_place":false,)");
  BOOST_TEST(text(r) == now);
}

BOOST_AUTO_TEST_CASE(mistyped_stored_reports_read_leniently) {
  IngestReport r = json::value_to<IngestReport>(
      json::parse(R"j({"pages_fetched":"5","documents":-1,"skipped":{"url":"x"},"failed":[{"url":3},"x"]})j"));
  BOOST_TEST(r.pages_fetched == 0u);
  BOOST_TEST(r.documents == 0u);
  BOOST_TEST(r.skipped.empty());
  BOOST_TEST(r.failed.size() == 2u);
  BOOST_TEST(r.failed[0].url == "");
  BOOST_CHECK_THROW(json::value_to<IngestReport>(json::parse("[1]")), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(writer_escapes_as_append_json_string) {
  const std::string samples[] = {"plain", "a\"b\\c", "\n\r\t\b\f\x01\x1f\x7f", "café 日本 𝄞", "bad \xfe\xff here", ""};
  for (const auto& s : samples) {
    std::string expected;
    append_json_string(expected, s);
    BOOST_TEST(json_text(json::value(s)) == expected);
  }
  BOOST_TEST(json_text(json::parse(R"j({"a":[1,-2,true,false,null,{}],"b":[],"c":18446744073709551615})j")) ==
             R"j({"a":[1,-2,true,false,null,{}],"b":[],"c":18446744073709551615})j");
}

// Numbers as people write them (the analytics report's CTR, a boost's factor in explain), not
// Boost.JSON 1.81's "5E-1"; JSON has no NaN or infinity.
BOOST_AUTO_TEST_CASE(doubles_in_their_shortest_form) {
  json::object o{{"a", 0.0}, {"b", 0.5}, {"c", 3.4}, {"d", 1000.0}, {"e", 1e-7}, {"f", 1.0 / 3.0},
                 {"g", std::numeric_limits<double>::quiet_NaN()}, {"h", -std::numeric_limits<double>::infinity()}};
  BOOST_TEST(json_text(o) == R"({"a":0,"b":0.5,"c":3.4,"d":1000,"e":1e-07,"f":0.3333333333333333,"g":null,"h":null})");
  BOOST_TEST(json::parse(json_text(o)).at("f").as_double() == 1.0 / 3.0);
}

BOOST_AUTO_TEST_SUITE_END()
