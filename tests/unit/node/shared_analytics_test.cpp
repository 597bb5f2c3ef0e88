// What these tests prove (shared storage, docs/analytics.md), two nodes on one real redis-server:
// 1. both record their searches in Redis, and a report from either covers both (nothing is written
//    to data_dir);
// 2. a search answered by node A and clicked through node B is accepted by B and counted for A's
//    search in the report;
// 3. killing redis-server while searches run never fails a search nor slows it to Redis's
//    timeouts; the events wait and are written once Redis is back;
// 4. a node started while Redis is away gives ids only it accepts, and signed ones (accepted by
//    every node) once its writer has read the secret; the async report runs off the caller.
#include <boost/test/unit_test.hpp>

#ifdef SITESEEK_WITH_REDIS
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include <boost/json.hpp>

#include "../../support/store_backends.hpp"
#include "siteseek/error.hpp"
#include "siteseek/node.hpp"

using namespace siteseek;

namespace {

NodeOptions recording() {
  NodeOptions o;
  o.analytics = true;
  return o;
}

SearchRequest request(const std::string& q) {
  SearchRequest r;
  r.q = q;
  r.site = "docs";
  return r;
}

// One search as the HTTP server makes it: the JSON, its query id.
std::string search(const Node& node, const std::string& q, const std::string& session = "sess-0001") {
  std::string out;
  node.search_json(request(q), out, AnalyticsContext{session});
  const auto jv = boost::json::parse(out);
  const auto* id = jv.as_object().if_contains("query_id");
  return id ? std::string(id->as_string()) : std::string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(node_shared_analytics)

BOOST_AUTO_TEST_CASE(two_nodes_one_report_and_clicks_through_either) {
  test::RedisBackend backend;
  Node a(backend.settings(), recording());
  a.reindex("docs");
  Node b(backend.settings(), recording());
  b.start();  // the index a stored
  BOOST_REQUIRE(a.analytics_enabled() && b.analytics_enabled());

  const auto id = search(a, "install", "sess-0001");
  BOOST_REQUIRE(parse_query_id(id).has_value());
  search(b, "configure", "sess-0002");
  search(b, "zzzznothing", "sess-0002");

  ClickBeacon click;
  click.query_id = *parse_query_id(id);
  click.position = 1;
  click.url = "https://example.org/install.html";
  b.record_click(click);  // B never saw that search
  click.position = 999;
  BOOST_CHECK_THROW(b.record_click(click), RequestError);  // still checked: past what was shown

  // A report writes its own node's queue first; the other node's writer appends every 100 ms.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  for (const Node* node : {&a, &b}) {
    const auto r = node->analytics_report({});
    BOOST_TEST(r.searches == 3u);
    BOOST_TEST(r.clicks == 1u);
    BOOST_TEST(r.clicked_searches == 1u);
    BOOST_REQUIRE(!r.top_queries.empty());
    bool install_clicked = false;
    for (const auto& q : r.top_queries) install_clicked |= q.query == "install" && q.clicked_searches == 1u;
    BOOST_TEST(install_clicked);
    std::set<std::string> queries;
    for (const auto& q : r.top_queries) queries.insert(q.query);
    BOOST_TEST((queries == std::set<std::string>{"configure", "install", "zzzznothing"}));
  }
  // A reader of reports that records nothing (siteseek analytics) reads the same.
  Node reader(backend.settings());
  BOOST_TEST(reader.analytics_report({}).searches == 3u);
  BOOST_TEST(!std::filesystem::exists(std::filesystem::path(backend.data_dir) / "analytics"));
}

BOOST_AUTO_TEST_CASE(searches_never_wait_on_a_dead_redis) {
  test::RedisBackend backend;
  auto settings = backend.settings();
  settings.redis_url = backend.server.url("/0?timeout=300");
  Node node(settings, recording());
  node.reindex("docs");
  search(node, "install");
  node.analytics_report({});  // written
  backend.server.stop();
  const auto start = std::chrono::steady_clock::now();
  int answered = 0;
  for (int i = 0; i < 300; ++i) {
    if (!search(node, "install", "sess-00" + std::to_string(10 + i % 50)).empty()) ++answered;
    if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(120));  // the writer tries meanwhile
  }
  BOOST_TEST(answered == 300);
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(5)));
  BOOST_CHECK_THROW(node.analytics_report({}), Error);  // a report needs Redis
  const auto during = *node.analytics_stats();
  BOOST_TEST(during.write_errors >= 1u);
  BOOST_TEST(during.dropped_queue == 0u);
  backend.server.start();
  std::uint64_t searches = 0;
  for (int i = 0; i < 100 && searches < 300u; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    try {
      searches = node.analytics_report({}).searches;
    } catch (const Error&) {
    }
  }
  // The redis-server came back empty (no persistence): what was queued meanwhile is all there is.
  BOOST_TEST(searches >= 300u);
}

BOOST_AUTO_TEST_CASE(a_node_started_without_redis_signs_once_it_is_back) {
  test::RedisBackend backend;
  auto settings = backend.settings();
  settings.redis_url = backend.server.url("/0?timeout=300");
  Node other(settings, recording());  // has the secret
  other.reindex("docs");
  backend.server.stop();
  NodeOptions o = recording();
  o.persist = false;  // its index from the fixture directory, not from the (absent) store
  Node late(settings, o);
  late.reindex("docs");
  ClickBeacon click;
  click.position = 1;
  click.url = "https://example.org/install.html";
  click.query_id = *parse_query_id(search(late, "install"));
  BOOST_CHECK_THROW(other.record_click(click), RequestError);  // a ring id: only `late` knows it
  late.record_click(click);
  backend.server.start();
  const bool signs = [&] {
    for (int i = 0; i < 100; ++i) {
      click.query_id = *parse_query_id(search(late, "install"));
      try {
        other.record_click(click);
        return true;
      } catch (const RequestError&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }();
  BOOST_TEST(signs);
  std::promise<AnalyticsReport> got;
  late.analytics_report_async({}, [&](std::exception_ptr e, AnalyticsReport r) {
    if (e) got.set_exception(e);
    else got.set_value(std::move(r));
  });
  BOOST_TEST(got.get_future().get().clicks >= 1u);
}

BOOST_AUTO_TEST_SUITE_END()
#endif
