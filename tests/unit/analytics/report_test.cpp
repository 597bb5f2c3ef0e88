// What these tests prove (compute_report, read_report), on a hand-made log:
// 1. top queries count searches per normalised query, with clicked searches, CTR, mean clicked
//    position and the top clicked URL; zero-result and no-click lists hold exactly those queries.
// 2. Reformulations chain a session's search to its next one within the window when it had no
//    click; not across sessions, not past the window, not after a click.
// 3. A later page ("more results") is no new search, but its clicks count for its query.
// 3b. Search-as-you-type steps ("jso" then "json" within seconds) are not counted.
// 4. Days and CTR per day cover the whole range; site and date filters apply; bad dates are
//    refused; lists are bounded.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <boost/json.hpp>

#include "events.hpp"
#include "siteseek/analytics.hpp"
#include "siteseek/error.hpp"

using namespace siteseek;

namespace {

using test::day0;
using test::search;
using test::click;

const QueryReport* find(const std::vector<QueryReport>& list, std::string_view q) {
  for (const auto& r : list) {
    if (r.query == q) return &r;
  }
  return nullptr;
}

const Reformulation* find_reformulation(const AnalyticsReport& r, std::string_view q) {
  for (const auto& f : r.reformulations) {
    if (f.query == q) return &f;
  }
  return nullptr;
}

ReportRequest range(std::string site = "") { return {std::move(site), "2025-12-05", "2025-12-07"}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(analytics_report)

BOOST_AUTO_TEST_CASE(queries_ctr_positions_and_lists) {
  std::vector<AnalyticsEvent> log;
  auto a1 = search(day0 + 100, "json", "sA");
  auto a2 = search(day0 + 1000, "json", "sB");
  auto a3 = search(day0 + 86400 + 100, "json", "sC");
  log = {a1, click(a1, 1, "/json.html"), click(a1, 3, "/json.html#dumps"), a2, click(a2, 1, "/json.html"), a3,
         search(day0 + 200, "pikle", "sD", 0), search(day0 + 300, "pikle", "sE", 0),
         search(day0 + 400, "asyncio", "sF", 12)};
  AnalyticsEvent suggest;
  suggest.kind = EventKind::suggest;
  suggest.time = day0 + 50;
  suggest.site = "docs";
  suggest.query = "js";
  log.push_back(suggest);
  const auto r = compute_report(log, range());
  BOOST_TEST(r.searches == 6u);
  BOOST_TEST(r.suggests == 1u);
  BOOST_TEST(r.clicks == 3u);
  BOOST_TEST(r.clicked_searches == 2u);
  BOOST_TEST(r.ctr == 2.0 / 6.0, boost::test_tools::tolerance(1e-9));
  BOOST_REQUIRE(r.top_queries.size() == 3u);
  BOOST_TEST(r.top_queries[0].query == "json");
  const auto& json = r.top_queries[0];
  BOOST_TEST(json.searches == 3u);
  BOOST_TEST(json.clicked_searches == 2u);
  BOOST_TEST(json.ctr == 2.0 / 3.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(json.mean_position == 5.0 / 3.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(json.top_url == "/json.html");
  BOOST_TEST(json.top_url_clicks == 2u);
  BOOST_TEST(r.top_queries[1].query == "pikle");
  BOOST_REQUIRE(r.zero_results.size() == 1u);
  BOOST_TEST(r.zero_results[0].query == "pikle");
  BOOST_TEST(r.zero_results[0].searches == 2u);
  BOOST_REQUIRE(r.no_clicks.size() == 1u);
  BOOST_TEST(r.no_clicks[0].query == "asyncio");
  BOOST_REQUIRE(r.days.size() == 3u);
  BOOST_TEST(r.days[0].day == "2025-12-05");
  BOOST_TEST(r.days[0].searches == 5u);
  BOOST_TEST(r.days[0].suggests == 1u);
  BOOST_TEST(r.days[0].clicked_searches == 2u);
  BOOST_TEST(r.days[0].zero_result_searches == 2u);
  BOOST_TEST(r.days[1].searches == 1u);
  BOOST_TEST(r.days[1].ctr == 0.0);
  BOOST_TEST(r.days[2].searches == 0u);

  // The JSON shape the transports return.
  const auto jv = boost::json::value_from(r);
  BOOST_TEST(jv.at("top_queries").as_array().size() == 3u);
  BOOST_TEST(jv.at("top_queries").at(0).at("top_click").at("url").as_string() == "/json.html");
  BOOST_TEST(jv.at("site").is_null());
  BOOST_TEST(jv.at("days").as_array().size() == 3u);
}

BOOST_AUTO_TEST_CASE(reformulations_chain_within_a_session_and_window) {
  std::vector<AnalyticsEvent> log;
  // Session 1: "pikle" (no click) -> "pickle" 40 s later: a reformulation.
  log.push_back(search(day0 + 100, "pikle", "s1", 0));
  auto p = search(day0 + 140, "pickle", "s1");
  log.push_back(p);
  log.push_back(click(p, 1, "/pickle.html"));
  // After a click, the next search is not a reformulation of the clicked one.
  log.push_back(search(day0 + 200, "shelve", "s1"));
  // Session 2: the same pair, so the count is 2; then "pikle" again 10 minutes later: too late.
  log.push_back(search(day0 + 1000, "pikle", "s2", 0));
  log.push_back(search(day0 + 1030, "pickle", "s2"));
  log.push_back(search(day0 + 2000, "dbm", "s2"));
  log.push_back(search(day0 + 2000 + reformulation_window_seconds + 1, "sqlite3", "s2"));
  // Across sessions: s3's "marshal" followed by s4's "copyreg" is not a reformulation.
  log.push_back(search(day0 + 3000, "marshal", "s3"));
  log.push_back(search(day0 + 3010, "copyreg", "s4"));
  // No session: never chained.
  log.push_back(search(day0 + 4000, "zlib", ""));
  log.push_back(search(day0 + 4010, "gzip", ""));
  const auto r = compute_report(log, range());
  const auto* f = find_reformulation(r, "pikle");
  BOOST_REQUIRE(f);
  BOOST_TEST(f->count == 2u);
  BOOST_REQUIRE(f->into.size() == 1u);
  BOOST_TEST(f->into[0].query == "pickle");
  BOOST_TEST(f->into[0].count == 2u);
  BOOST_TEST(!find_reformulation(r, "pickle"));  // clicked in s1; in s2 the next search is 970 s later
  BOOST_TEST(find_reformulation(r, "shelve") == nullptr);  // nothing after it in s1
  BOOST_TEST(find_reformulation(r, "dbm") == nullptr);     // beyond the window
  BOOST_TEST(find_reformulation(r, "marshal") == nullptr); // across sessions
  BOOST_TEST(find_reformulation(r, "zlib") == nullptr);    // no session
  BOOST_TEST(r.reformulations.size() == 1u);
}

BOOST_AUTO_TEST_CASE(later_pages_are_no_new_searches_but_their_clicks_count) {
  auto first = search(day0 + 10, "json", "s1", 40);
  auto more = search(day0 + 20, "json", "s1", 40);
  more.later_page = true;
  const auto r = compute_report({first, more, click(more, 35, "/deep.html")}, range());
  BOOST_TEST(r.searches == 1u);
  BOOST_REQUIRE(r.top_queries.size() == 1u);
  BOOST_TEST(r.top_queries[0].mean_position == 35.0);
  BOOST_TEST(r.top_queries[0].top_url == "/deep.html");
  BOOST_TEST(r.reformulations.empty());  // the same session's next page is not a reformulation
  BOOST_TEST(r.no_clicks.empty());
}

BOOST_AUTO_TEST_CASE(typing_steps_are_not_counted) {
  std::vector<AnalyticsEvent> log;
  log.push_back(search(day0 + 10, "j", "s1"));
  log.push_back(search(day0 + 11, "js", "s1"));
  log.push_back(search(day0 + 12, "jso", "s1"));
  log.push_back(search(day0 + 13, "json", "s1"));
  log.push_back(search(day0 + 500, "js", "s2"));  // alone: counted
  const auto r = compute_report(log, range());
  BOOST_TEST(r.searches == 2u);
  BOOST_TEST(find(r.top_queries, "json"));
  BOOST_TEST(find(r.top_queries, "js"));
  BOOST_TEST(!find(r.top_queries, "jso"));
  BOOST_TEST(r.reformulations.empty());
}

BOOST_AUTO_TEST_CASE(filters_bounds_and_files) {
  std::vector<AnalyticsEvent> log;
  for (int i = 0; i < 150; ++i) log.push_back(search(day0 + i, "q" + std::to_string(i), ""));
  log.push_back(search(day0 + 10, "other site", "", 3, "blog"));
  log.push_back(search(day0 + 5 * 86400, "later", ""));
  auto r = compute_report(log, range("docs"));
  BOOST_TEST(r.top_queries.size() == report_list_limit);
  BOOST_TEST(r.searches == 150u);
  BOOST_TEST(!find(r.top_queries, "other site"));
  r = compute_report(log, range("blog"));
  BOOST_TEST(r.searches == 1u);

  // read_report over files: dates checked, the default range ends today.
  const auto dir = std::filesystem::temp_directory_path() / ("siteseek-report-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    std::int64_t now = day0 + 600;
    QueryLogOptions o;
    o.dir = dir;
    o.background = false;
    o.now = [&now] { return now; };
    QueryLog ql(o);
    ql.record(search(now, "From Files", "s9"));
    ql.flush();
  }
  r = read_report(dir, {}, day0 + 700);
  BOOST_TEST(r.to == "2025-12-05");
  BOOST_TEST(r.from == "2025-11-06");
  BOOST_TEST(r.days.size() == 30u);
  BOOST_REQUIRE(r.top_queries.size() == 1u);
  BOOST_TEST(r.top_queries[0].query == "from files");
  BOOST_CHECK_THROW(read_report(dir, {"", "2025-13-01", ""}, day0), RequestError);
  BOOST_CHECK_THROW(read_report(dir, {"", "2025-12-06", "2025-12-05"}, day0), RequestError);
  BOOST_TEST(read_report(dir / "missing", {}, day0).searches == 0u);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
