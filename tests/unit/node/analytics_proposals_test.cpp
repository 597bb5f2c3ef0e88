// What these tests prove (Node::analytics_report's suggested fixes), on each store:
// 1. the report proposes a one_way and a pin from the log in data_dir/analytics and applies
//    neither; each proposal's rule given to Node::add_rule as is (the C++ way to accept one) is
//    stored, and the next report, of this node or of a new one reading the store, no longer
//    proposes it;
// 2. the settings' synonyms and landing pages count as rules that already do it.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>

#include "../../support/store_backends.hpp"
#include "siteseek/analytics.hpp"
#include "siteseek/node.hpp"
#ifdef SITESEEK_WITH_REDIS
#include "siteseek/redis_analytics.hpp"
#endif

using namespace siteseek;

namespace {

// Two sessions rephrase "erase folder" (nothing found) as "remove directory" and click; three
// searches of "json" click index.html at position 2. Written where a node of `settings` keeps its
// log: data_dir/analytics, or with shared storage the cluster's log in Redis.
void write_log(const AppSettings& settings) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(AnalyticsClock::now().time_since_epoch()).count();
  QueryLogOptions o;
  o.dir = std::filesystem::path(settings.data_dir) / "analytics";
#ifdef SITESEEK_WITH_REDIS
  if (settings.storage == "redis") o.shared = std::make_shared<RedisQueryLog>(parse_redis_url(settings.redis_url));
#endif
  o.background = false;
  o.now = [now] { return now; };
  QueryLog log(o);
  std::uint64_t id = 1;
  auto search = [&](std::int64_t t, const std::string& q, const std::string& session, std::uint32_t results) {
    AnalyticsEvent e;
    e.kind = EventKind::search;
    e.time = t;
    e.site = "docs";
    e.session = session;
    e.query = q;
    e.results = results;
    e.query_id = id++;
    log.record(e);
    return e.query_id;
  };
  auto click = [&](std::int64_t t, std::uint64_t qid, std::uint32_t position, const std::string& url) {
    AnalyticsEvent e;
    e.kind = EventKind::click;
    e.time = t;
    e.site = "docs";
    e.query_id = qid;
    e.position = position;
    e.url = url;
    log.record(e);
  };
  for (const std::string session : {"session-0001", "session-0002"}) {
    search(now - 100, "Erase Folder", session, 0);
    click(now - 80, search(now - 90, "remove directory", session, 3), 1, "https://example.org/guide/install.html");
  }
  for (int i = 0; i < 3; ++i) click(now - 50 + i, search(now - 60 + i, "json", "", 8), 2, "https://example.org/index.html");
  log.flush();
}

std::vector<std::string> kinds(const AnalyticsReport& r) {
  std::vector<std::string> out;
  for (const auto& p : r.proposals) out.emplace_back(rule_kind_name(p.rule.kind));
  return out;
}

using Names = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(node_analytics_proposals)

BOOST_AUTO_TEST_CASE_TEMPLATE(accepted_with_add_rule_and_then_not_proposed, Backend, test::store_backends) {
  Backend backend;
  write_log(backend.settings());
  Node node(backend.settings());
  auto report = node.analytics_report({"docs", "", ""});
  BOOST_REQUIRE(kinds(report) == (Names{"pin", "one_way"}));  // proposals[0], [1] are read below
  BOOST_TEST(node.rules("docs").empty());  // a report applies nothing
  const auto pin = report.proposals[0].rule, one_way = report.proposals[1].rule;
  BOOST_TEST(pin.query == "json");
  BOOST_TEST(one_way.from == "erase folder");

  const Rule added = node.add_rule("docs", one_way);
  BOOST_TEST(added.note == one_way.note);
  BOOST_TEST(kinds(node.analytics_report({"docs", "", ""})) == Names{"pin"}, boost::test_tools::per_element());
  node.add_rule("docs", pin);
  BOOST_TEST(node.analytics_report({}).proposals.empty());
  Node other(backend.settings());  // reads the rules from the store
  BOOST_TEST(other.analytics_report({}).proposals.empty());
}

BOOST_AUTO_TEST_CASE(the_settings_synonyms_and_landing_pages_count) {
  test::FileBackend backend;
  write_log(backend.settings());
  auto settings = backend.settings();
  settings.sites[0].synonyms = {{"remove directory", "erase folder"}};
  settings.sites[0].landing_pages = {{"json", "/index.html"}};
  BOOST_TEST(Node(settings).analytics_report({}).proposals.empty());
  settings.sites[0].landing_pages = {{"json", "/other.html"}};
  BOOST_TEST(kinds(Node(settings).analytics_report({})) == Names{"pin"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
