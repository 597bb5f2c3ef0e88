// What these tests prove (shared mode: siteseek/redis_analytics.hpp, docs/analytics.md), with a
// real redis-server and an injected clock:
// 1. Two writers (two nodes) appending to one Redis: a report read through either covers both,
//    and a session whose searches went to different nodes, appended out of time order, still
//    reads as one session (a reformulation across nodes).
// 2. Retention: a day older than retention_days is deleted by the next append (and carries an
//    EXPIREAT at its day + retention); max_bytes bounds the sum of every node's day logs (old
//    days deleted first, then records dropped and counted).
// 3. Redis going away: record() and flush() never throw or wait on it; the events wait in the
//    bounded queue (drops past it are counted), and are written when Redis is back; an append
//    that timed out on a hung Redis, which Redis then ran anyway, is not stored twice.
// 4. Signed query ids: a click issued by one node is accepted by another holding the same secret,
//    for the site the id was issued for; a wrong secret, a wrong site, an expired id and a
//    position past what was shown are refused; clicks are capped per node; ids of one minute
//    rarely repeat; unsigned (ring) ids stay valid after the secret is set, and ids signed with a
//    replaced secret after the new one is.
#include <boost/test/unit_test.hpp>

#include <set>
#include <thread>
#include <unistd.h>

#include "siteseek/analytics.hpp"
#include "siteseek/error.hpp"
#ifdef SITESEEK_WITH_REDIS
#include "../../support/redis_server.hpp"
#include "siteseek/redis_analytics.hpp"
#endif

using namespace siteseek;

namespace {

// Today (UTC): Redis expires day logs by its own clock, so the injected clock starts from it.
const std::int64_t day0 = [] {
  const auto t = std::chrono::duration_cast<std::chrono::seconds>(AnalyticsClock::now().time_since_epoch()).count();
  return t - t % 86400;
}();

AnalyticsEvent search_event(std::int64_t t, std::string q, std::string session = {}, std::uint64_t id = 0) {
  AnalyticsEvent e;
  e.kind = EventKind::search;
  e.time = t;
  e.site = "docs";
  e.query = std::move(q);
  e.session = std::move(session);
  e.results = 3;
  e.query_id = id;
  return e;
}

#ifdef SITESEEK_WITH_REDIS
RedisOptions quick(const test::RedisServer& server) {
  auto o = parse_redis_url(server.url());
  o.connect_timeout = o.command_timeout = std::chrono::milliseconds(500);
  o.backoff_min = std::chrono::milliseconds(20);
  o.backoff_max = std::chrono::milliseconds(100);
  return o;
}

QueryLogOptions shared_options(std::shared_ptr<SharedQueryLog> shared, std::int64_t* now) {
  QueryLogOptions o;
  o.background = false;
  o.now = [now] { return *now; };
  o.shared = std::move(shared);
  o.retry_min = o.retry_max = std::chrono::milliseconds(0);
  return o;
}
#endif

}  // namespace

BOOST_AUTO_TEST_SUITE(analytics_shared_log)

#ifdef SITESEEK_WITH_REDIS
BOOST_AUTO_TEST_CASE(two_nodes_write_one_log_and_either_reports_both) {
  test::RedisServer server;
  auto a_store = std::make_shared<RedisQueryLog>(quick(server));
  auto b_store = std::make_shared<RedisQueryLog>(quick(server));
  std::int64_t now = day0 + 3600;
  QueryLog a(shared_options(a_store, &now)), b(shared_options(b_store, &now));
  a.record(search_event(now, "Pikle", "sess-0001", 11));
  b.record(search_event(now + 20, "pickle", "sess-0001", 12));
  b.record(search_event(now + 30, "json", "", 13));
  AnalyticsEvent click;
  click.kind = EventKind::click;
  click.time = now + 40;
  click.site = "docs";
  click.query_id = 12;
  click.position = 1;
  click.url = "https://docs.example/pickle.html";
  a.record(click);  // the click reached the other node
  b.flush();        // B's later searches are appended before A's earlier one
  a.flush();
  BOOST_TEST(a.stats().written == 2u);
  BOOST_TEST(b.stats().written == 2u);
  BOOST_TEST(a.stats().bytes > b.stats().bytes);  // the cluster's size as of each node's last append
  ReportRequest r;
  r.from = r.to = utc_day(day0);
  for (auto* store : {a_store.get(), b_store.get()}) {
    const auto report = read_report(*store, r, now + 100);
    BOOST_TEST(report.searches == 3u);
    BOOST_TEST(report.clicks == 1u);
    BOOST_TEST(report.clicked_searches == 1u);
    BOOST_REQUIRE(report.reformulations.size() == 1u);  // across nodes, in time order
    BOOST_TEST(report.reformulations[0].query == "pikle");
    BOOST_TEST(report.reformulations[0].into[0].query == "pickle");
  }
  // The day log is a day file's bytes: the magic, then whole records.
  RedisConnection redis(quick(server));
  const auto bytes = redis.command({"GET", a_store->day_key(day0)}).str;
  const auto contents = read_log_bytes(bytes);
  BOOST_TEST(!contents.torn);
  BOOST_TEST(contents.events.size() == 4u);
  BOOST_TEST(redis.command({"TTL", a_store->day_key(day0)}).integer > 0);
}

BOOST_AUTO_TEST_CASE(retention_and_max_bytes_hold_across_nodes) {
  test::RedisServer server;
  auto a_store = std::make_shared<RedisQueryLog>(quick(server));
  auto b_store = std::make_shared<RedisQueryLog>(quick(server));
  RedisConnection redis(quick(server));
  std::int64_t now = day0 + 60;
  auto o = shared_options(a_store, &now);
  o.retention_days = 30;
  QueryLog a(o);
  a.record(search_event(now, "old day"));
  a.flush();
  BOOST_TEST(redis.command({"EXISTS", a_store->day_key(day0)}).integer == 1);
  BOOST_TEST(redis.command({"EXPIRETIME", a_store->day_key(day0)}).integer == day0 + 30 * 86400);
  now = day0 + 30 * 86400 + 60;  // day0 is now past retention (before Redis expired it)
  redis.command({"PERSIST", a_store->day_key(day0)});
  a.record(search_event(now, "new day"));
  a.flush();
  BOOST_TEST(redis.command({"EXISTS", a_store->day_key(day0)}).integer == 0);
  BOOST_TEST(redis.command({"ZCARD", a_store->days_key()}).integer == 1);

  // The bound: two nodes with 8 KB between them.
  redis.command({"FLUSHALL"});
  now = day0 + 60;
  auto bounded = [&](std::shared_ptr<SharedQueryLog> s) {
    auto opts = shared_options(std::move(s), &now);
    opts.max_bytes = 8192;
    return opts;
  };
  QueryLog n1(bounded(a_store)), n2(bounded(b_store));
  for (int i = 0; i < 60; ++i) n1.record(search_event(now, "first day query " + std::to_string(i)));
  n1.flush();
  now += 86400;
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 20; ++i) (round % 2 ? n1 : n2).record(search_event(now, "second day query " + std::to_string(i)));
    (round % 2 ? n1 : n2).flush();
  }
  const auto total = redis.command({"STRLEN", a_store->day_key(day0)}).integer +
                     redis.command({"STRLEN", a_store->day_key(day0 + 86400)}).integer;
  BOOST_TEST(total <= 8192);
  BOOST_TEST(redis.command({"EXISTS", a_store->day_key(day0)}).integer == 0);  // the oldest day went first
  const auto s1 = n1.stats(), s2 = n2.stats();
  BOOST_TEST(s1.dropped_full + s2.dropped_full > 0u);
  BOOST_TEST(s1.written + s1.dropped_full + s2.written + s2.dropped_full == 260u);
}

BOOST_AUTO_TEST_CASE(redis_going_away_queues_and_retries) {
  test::RedisServer server;
  auto store = std::make_shared<RedisQueryLog>(quick(server));
  std::int64_t now = day0 + 60;
  auto o = shared_options(store, &now);
  o.queue_capacity = 100;
  std::vector<std::string> states;
  o.on_state = [&](bool failing, const std::string& m) { states.push_back((failing ? "down: " : "up: ") + m); };
  QueryLog log(o);
  log.record(search_event(now, "before"));
  log.flush();
  BOOST_TEST(log.stats().written == 1u);
  server.stop();
  for (int i = 0; i < 60; ++i) log.record(search_event(now, "during " + std::to_string(i)));
  const auto start = std::chrono::steady_clock::now();
  log.flush();  // fails: the events stay queued
  log.flush();
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(3)));
  BOOST_TEST(log.stats().written == 1u);
  BOOST_TEST(log.stats().write_errors >= 1u);
  for (int i = 0; i < 60; ++i) log.record(search_event(now, "more " + std::to_string(i)));
  BOOST_TEST(log.stats().dropped_queue == 20u);  // the queue's bound holds while Redis is away
  BOOST_TEST(states.size() == 1u);               // told once
  server.start();
  for (int i = 0; i < 200 && log.stats().written < 101u; ++i) {
    log.flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  BOOST_TEST(log.stats().written == 101u);  // 1 + the 100 the queue held
  BOOST_REQUIRE(states.size() == 2u);
  BOOST_TEST(states[1].starts_with("up: "));
  ReportRequest r;
  r.from = r.to = utc_day(day0);
  BOOST_TEST(read_report(*store, r, now).searches == 100u);  // the redis-server came back empty (no persistence): the 100 queued
}

BOOST_AUTO_TEST_CASE(an_append_retried_after_a_timeout_is_stored_once) {
  test::RedisServer server;
  auto store = std::make_shared<RedisQueryLog>(quick(server));
  std::int64_t now = day0 + 60;
  QueryLog log(shared_options(store, &now));
  server.freeze();  // a hung Redis: it reads the append when it wakes, after our timeout
  for (int i = 0; i < 10; ++i) log.record(search_event(now, "frozen " + std::to_string(i)));
  log.flush();
  BOOST_TEST(log.stats().written == 0u);
  BOOST_TEST(log.stats().write_errors == 1u);
  server.thaw();
  for (int i = 0; i < 100 && log.stats().written < 10u; ++i) {
    log.flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  BOOST_TEST(log.stats().written == 10u);
  ReportRequest r;
  r.from = r.to = utc_day(day0);
  BOOST_TEST(read_report(*store, r, now).searches == 10u);  // not 20
}

BOOST_AUTO_TEST_CASE(the_secret_is_made_once) {
  test::RedisServer server;
  RedisQueryLog a(quick(server)), b(quick(server));
  const auto secret = a.query_id_secret();
  BOOST_TEST(secret.size() == 16u);
  BOOST_TEST(b.query_id_secret() == secret);
}
#endif

BOOST_AUTO_TEST_CASE(signed_ids_are_accepted_by_another_node) {
  const std::string secret = "0123456789abcdef";
  const std::int64_t now = day0 + 1234;
  IssuedQueries a, b, stranger;
  a.set_secret(secret);
  b.set_secret(secret);
  stranger.set_secret("fedcba9876543210");
  BOOST_TEST(a.signs());
  const std::vector<std::string> sites{"blog", "docs"};
  const auto id = a.issue("docs", "sess-0001", 10, now);
  BOOST_TEST((parse_query_id(format_query_id(id)) == id));
  const auto issued = b.accept_click(id, 3, now + 60, sites);
  BOOST_TEST(issued.site == "docs");
  BOOST_TEST(issued.shown == 10u);
  BOOST_TEST(issued.session.empty());  // not carried: a report takes sessions from searches
  BOOST_CHECK_THROW(stranger.accept_click(id, 3, now, sites), RequestError);
  BOOST_CHECK_THROW(b.accept_click(id, 3, now, {"blog"}), RequestError);       // another site
  BOOST_CHECK_THROW(b.accept_click(id, 11, now, sites), RequestError);         // past what was shown
  BOOST_CHECK_THROW(b.accept_click(id, 0, now, sites), RequestError);
  BOOST_CHECK_THROW(b.accept_click(id, 3, now + 3700, sites), RequestError);   // expired
  BOOST_CHECK_THROW(b.accept_click(id ^ 1, 3, now, sites), RequestError);      // forged
  for (int i = 1; i < 20; ++i) b.accept_click(id, 1, now, sites);
  BOOST_CHECK_THROW(b.accept_click(id, 1, now, sites), RequestError);          // 20 on node b
  a.accept_click(id, 1, now, sites);                                           // the cap is per node
  // An id from a node whose clock is a minute ahead.
  BOOST_TEST(b.accept_click(a.issue("blog", "", 5, now + 60), 5, now, sites).site == "blog");
  // More results shown than the id can carry: clicks up to 4,095.
  const auto many = a.issue("docs", "", 9000, now);
  BOOST_TEST(b.accept_click(many, 4095, now, sites).shown == 4095u);
}

BOOST_AUTO_TEST_CASE(signed_ids_rarely_repeat_and_ring_ids_stay_valid) {
  IssuedQueries q;
  const std::int64_t now = day0;
  const auto ring_id = q.issue("docs", "", 10, now);
  q.set_secret("0123456789abcdef");
  std::set<std::uint64_t> ids;
  for (int i = 0; i < 2000; ++i) ids.insert(q.issue("docs", "", 10, now));  // one minute, one site, one page size
  BOOST_TEST(ids.size() >= 1998u);  // 25 random bits: one repeat in 2,000 is a 6 % chance, two 0.2 %
  BOOST_TEST(q.accept_click(ring_id, 2, now, {"docs"}).site == "docs");
  // A new secret (a Redis that lost its data): ids signed with the one before stay valid.
  const auto before = q.issue("docs", "", 10, now);
  q.set_secret("another secret 16");
  const auto after = q.issue("docs", "", 10, now);
  BOOST_TEST(q.accept_click(before, 1, now, {"docs"}).site == "docs");
  BOOST_TEST(q.accept_click(after, 1, now, {"docs"}).site == "docs");
  IssuedQueries fresh;
  fresh.set_secret("another secret 16");
  BOOST_CHECK_THROW(fresh.accept_click(before, 1, now, {"docs"}), RequestError);
  BOOST_TEST(fresh.accept_click(after, 1, now, {"docs"}).site == "docs");
}

BOOST_AUTO_TEST_SUITE_END()
