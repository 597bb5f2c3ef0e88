// What these tests prove (the HTTP server's /metrics, white-box through Metrics):
// 1. Every 5xx status is counted under its own status label (500, 501, 502, 503, 504, ... 599),
//    so an operator can alert on status=~"5..": none of them is folded into status="other".
// 2. Statuses outside the known set that are not server errors still count as "other".
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include "router.hpp"
#include "siteseek/node.hpp"

using namespace siteseek;
using namespace std::chrono_literals;

namespace {

std::string requests(const std::string& route, const std::string& status, int n) {
  return "siteseek_http_requests_total{route=\"" + route + "\",status=\"" + status + "\"} " + std::to_string(n) + "\n";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(server_errors_are_counted_under_their_own_status) {
  NodeOptions in_memory;
  in_memory.persist = false;
  Node node(AppSettings{}, in_memory);
  http::Metrics m;
  m.record(http::Route::search, 200, 1ms);
  m.record(http::Route::search, 500, 1ms);
  m.record(http::Route::search, 500, 1ms);
  m.record(http::Route::indexer, 501, 1ms);
  m.record(http::Route::jobs, 502, 1ms);
  m.record(http::Route::health, 503, 1ms);
  m.record(http::Route::search, 504, 1ms);
  m.record(http::Route::other, 599, 1ms);
  m.record(http::Route::search, 418, 1ms);
  const auto text = m.render(node);
  BOOST_TEST_INFO(text);
  BOOST_TEST(contains(text, requests("search", "200", 1)));
  BOOST_TEST(contains(text, requests("search", "500", 2)));
  BOOST_TEST(contains(text, requests("indexer", "501", 1)));
  BOOST_TEST(contains(text, requests("jobs", "502", 1)));
  BOOST_TEST(contains(text, requests("health", "503", 1)));
  BOOST_TEST(contains(text, requests("search", "504", 1)));
  BOOST_TEST(contains(text, requests("other", "599", 1)));
  // Not a server error and not in the known set: still "other", and the only "other".
  BOOST_TEST(contains(text, requests("search", "other", 1)));
  BOOST_TEST(text.find("status=\"other\"") == text.rfind("status=\"other\""));
}

BOOST_AUTO_TEST_SUITE_END()
