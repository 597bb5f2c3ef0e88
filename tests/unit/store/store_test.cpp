// Shared state in a real redis-server (free loopback port): settings round trip, snapshot
// versions and pub/sub reload, the job queue (debounce, lease expiry after a worker is killed,
// per-site lock, outcome), and an engine with storage = "redis".
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "../../support/redis_server.hpp"
#include "siteseek/engine.hpp"
#include "siteseek/segments.hpp"
#include "siteseek/index.hpp"
#include "siteseek/node.hpp"
#include "siteseek/redis_jobs.hpp"
#include "siteseek/redis_store.hpp"

#ifdef SITESEEK_WITH_REDIS
using namespace siteseek;
using namespace std::chrono_literals;

namespace {

RedisOptions options(const test::RedisServer& server) {
  auto o = parse_redis_url(server.url());
  o.backoff_min = 20ms;
  o.backoff_max = 200ms;
  return o;
}

AppSettings app_for(const test::RedisServer& server) {
  AppSettings app;
  app.storage = "redis";
  app.redis_url = server.url();
  SiteSettings s;
  s.name = "docs";
  s.url = "https://example.org/";
  s.directory = std::string(SITESEEK_TEST_FIXTURES) + "/html/site";
  app.sites.push_back(s);
  app.data_dir = (std::filesystem::temp_directory_path() / ("siteseek-store-test-" + std::to_string(::getpid()))).string();
  return app;
}

std::shared_ptr<const Index> index_with(const SiteSettings& site, const std::string& word) {
  IndexBuilder b(site);
  Document d;
  d.id = d.url = site.url + word + ".html";
  d.title = "Page about " + word;
  d.body = "This page talks about " + word + " at length.";
  b.add(d);
  return b.build();
}

SearchResponse find(const Engine& e, const std::string& q) {
  SearchRequest r;
  r.q = q;
  r.site = "docs";
  return e.search(r);
}

template <class F>
bool eventually(F&& f, std::chrono::milliseconds limit = 5000ms) {
  for (auto t0 = std::chrono::steady_clock::now(); std::chrono::steady_clock::now() - t0 < limit;) {
    if (f()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return f();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(settings_in_redis)

BOOST_AUTO_TEST_CASE(round_trip_is_lossless_and_keeps_the_key_out) {
  test::RedisServer server;
  RedisStore store(options(server));
  BOOST_TEST(!store.load_settings().has_value());
  std::ifstream in(std::string(SITESEEK_SOURCE_DIR) + "/examples/configs/python-docs.json");
  std::stringstream text;
  text << in.rdbuf();
  AppSettings app = app_settings_from_json_text(text.str());
  app.api_key.value = "top-secret";
  app.sites.front().boosts.depth_decay = 0.1 + 0.2;  // a double that needs all its digits
  store.save_settings(app);
  auto back = store.load_settings();
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->api_key.empty());
  back->api_key = app.api_key;
  BOOST_TEST((*back == app));
  store.save_settings(app, SecretPolicy::include);
  BOOST_TEST(store.load_settings()->api_key.value == "top-secret");

  store.connection().command({"SET", store.key("settings"), R"({"sites":[{"name":"x","url":"ftp://nope"}],"max_num":"many"})"});
  try {
    store.load_settings();
    BOOST_FAIL("bad stored settings accepted");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.issues().front().path.rfind("redis:siteseek:settings.", 0) == 0, e.issues().front().path);
  }
}

BOOST_AUTO_TEST_CASE(shared_keys_come_from_redis_local_ones_stay) {
  AppSettings local, shared;
  local.port = 9001;
  local.api_key.value = "k";
  local.redis_url = "redis://10.0.0.1:6379/2";
  shared.port = 1;
  shared.max_num = 7;
  shared.sites.resize(1);
  shared.sites[0].name = "s";
  auto m = merge_shared_settings(local, shared);
  BOOST_TEST(m.port == 9001);
  BOOST_TEST(m.api_key.value == "k");
  BOOST_TEST(m.redis_url == local.redis_url);
  BOOST_TEST(m.max_num == 7u);
  BOOST_TEST(m.sites.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(snapshots_in_redis)

BOOST_AUTO_TEST_CASE(versions_and_corruption) {
  test::RedisServer server;
  RedisStore store(options(server));
  SiteSettings site = app_for(server).sites.front();
  BOOST_TEST(store.version("docs") == 0u);
  BOOST_TEST(!store.load(site).has_value());
  BOOST_TEST(store.publish("docs", *index_with(site, "apples")) == 1u);
  BOOST_TEST(store.publish("docs", *index_with(site, "pears")) == 2u);
  auto snap = store.load(site);
  BOOST_REQUIRE(snap.has_value());
  BOOST_TEST(snap->version == 2u);
  BOOST_TEST(snap->index->size() == 1u);
  BOOST_TEST(std::string(snap->index->title(0)) == "Page about pears");
  BOOST_TEST(!store.load_newer(site, 2).has_value());

  store.connection().command({"HSET", store.key("index:docs"), "data", "not a snapshot", "version", "3"});
  try {
    store.load_newer(site, 2);
    BOOST_FAIL("corrupt snapshot accepted");
  } catch (const SnapshotError& e) {
    BOOST_TEST(std::string(e.what()).find("redis key siteseek:index:docs") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(a_publish_reaches_another_node_and_a_restart_is_caught_up) {
  test::RedisServer server;
  AppSettings app = app_for(server);
  RedisStore store(options(server));
  store.publish("docs", *index_with(app.sites.front(), "apples"));

  Engine node_b(app);
  IndexWatcher::Options wo;
  wo.poll = 60s;  // only pub/sub and reconnects can explain a swap within this test
  IndexWatcher watcher(node_b, options(server), wo);
  BOOST_TEST(watcher.version("docs") == 1u);  // loaded at start
  BOOST_TEST(find(node_b, "apples").total == 1u);

  store.publish("docs", *index_with(app.sites.front(), "pears"));
  BOOST_TEST(eventually([&] { return find(node_b, "pears").total == 1u; }, 1000ms));
  BOOST_TEST(watcher.version("docs") == 2u);

  // Redis restarts empty; a new version published meanwhile is picked up on resubscribe.
  server.stop();
  server.start();
  BOOST_TEST(eventually([&] { return watcher.connected(); }));
  RedisStore store2(options(server));
  // Versions restart at 1 on an empty Redis, in a new epoch: version 1 there is news.
  BOOST_TEST(store2.publish("docs", *index_with(app.sites.front(), "plums")) == 1u);
  BOOST_TEST(eventually([&] { return find(node_b, "plums").total == 1u; }, 1000ms));
  BOOST_TEST(watcher.version("docs") == 1u);
}

BOOST_AUTO_TEST_CASE(node_with_redis_storage) {
  test::RedisServer server;
  AppSettings app = app_for(server);
  Node a(app);
  auto report = a.reindex("docs");
  BOOST_TEST(report.documents > 0u);
  BOOST_TEST(!std::filesystem::exists(app.data_dir + "/docs.snapshot"));  // nothing written locally
  Node b(app);
  auto started = b.start();
  BOOST_REQUIRE(started.loaded.size() == 1u);
  BOOST_TEST(started.loaded.front().site == "docs");
  BOOST_TEST(find(b.engine(), "install").total == find(a.engine(), "install").total);
  BOOST_TEST(find(b.engine(), "install").total > 0u);

  server.stop();
  BOOST_CHECK_THROW(a.reindex("docs"), RedisError);  // Redis away: the job fails, named
  BOOST_TEST(find(a.engine(), "install").total > 0u);  // and search still answers from memory
}

// Bytes redis-server has sent to its clients so far (INFO stats).
std::uint64_t sent_bytes(RedisStore& store) {
  auto r = store.connection().command({"INFO", "stats"}).check();
  const auto at = r.str.find("total_net_output_bytes:");
  BOOST_REQUIRE(at != std::string::npos);
  return std::stoull(r.str.substr(at + 23));
}

std::vector<Document> page_about(const std::string& word) {
  Document d;
  d.url = "https://example.org/updates/" + word + ".html";
  d.title = "Notes on " + word;
  d.body = "This page was given as a live update about " + word + ".";
  return {d};
}

// Live updates in shared storage: kept in Redis as segments and a manifest, each node following
// it reads only the segments it lacks; nodes updating at once all end with every update (a
// refused one is made again on what is stored); a whole index removes the segments.
BOOST_AUTO_TEST_CASE(live_updates_travel_between_nodes_as_segments) {
  test::RedisServer server;
  AppSettings app = app_for(server);
  RedisStore store(options(server));
  store.save_settings(app);
  NodeOptions follow;
  follow.follow = true;
  Node a(app, follow), b(app, follow);
  // A site of 300 pages: large enough that one page changes its length averages by less than
  // what has a merge build it again (SegmentedIndex::max_length_drift).
  std::vector<Document> pages;
  for (int i = 0; i < 300; ++i) {
    auto page = page_about("topic" + std::to_string(i));
    page[0].body += " It covers how to install, configure and run part " + std::to_string(i) + " of the system.";
    pages.push_back(page[0]);
  }
  a.publish_documents("docs", pages);
  a.start();
  b.start();
  const auto whole = static_cast<std::uint64_t>(store.connection().command({"HSTRLEN", store.key("index:docs"), "data"}).check().integer);
  BOOST_TEST(eventually([&] { return find(b.engine(), "install").total > 0u; }));
  const auto base = b.engine().segments("docs")->segments().front().index;

  const auto sent = sent_bytes(store);
  a.update_documents("docs", page_about("zeppelin"), {});
  BOOST_TEST(find(a.engine(), "zeppelin").total == 1u);  // searchable here when it returns
  BOOST_TEST(eventually([&] { return find(b.engine(), "zeppelin").total == 1u; }));
  const auto moved = sent_bytes(store) - sent;
  BOOST_TEST(moved * 4 < whole, "an update moved " << moved << " bytes; the whole index is " << whole);
  BOOST_TEST(b.engine().segments("docs")->segments().front().index == base);  // not read again

  b.update_documents("docs", {}, {"https://example.org/updates/zeppelin.html"});
  BOOST_TEST(eventually([&] { return find(a.engine(), "zeppelin").total == 0u; }));

  // Both nodes at once, each its own pages: every update survives, on both and in a new node.
  const auto updates = [&](Node& node, const std::string& prefix) {
    for (int i = 0; i < 12; ++i) node.update_documents("docs", page_about(prefix + std::to_string(i)), {});
  };
  std::thread ta([&] { updates(a, "alpha"); }), tb([&] { updates(b, "beta"); });
  ta.join();
  tb.join();
  a.engine().wait_for_merges();
  b.engine().wait_for_merges();
  const auto has_page = [&](const Engine& e, const std::string& word) {
    SearchRequest r;
    r.q = word;
    r.site = "docs";
    r.num = 50;
    const auto found = e.search(r);
    return std::any_of(found.results.begin(), found.results.end(),
                       [&](const auto& hit) { return hit.url == "https://example.org/updates/" + word + ".html"; });
  };
  const auto all_there = [&](const Engine& e) {
    for (int i = 0; i < 12; ++i)
      if (!has_page(e, "alpha" + std::to_string(i)) || !has_page(e, "beta" + std::to_string(i))) return false;
    return true;
  };
  BOOST_TEST(eventually([&] { return all_there(a.engine()) && all_there(b.engine()); }));
  {
    Node c(app);
    c.start();
    BOOST_TEST(all_there(c.engine()));  // read once, as a one-shot command does
    BOOST_TEST(find(c.engine(), "install").total == find(a.engine(), "install").total);
  }
  // The segment keys are the ones the manifest names (merged ones removed).
  const auto manifest = store.connection().command({"HGET", store.key("index:docs"), "segments"}).check().str;
  const auto keys = store.connection().command({"SMEMBERS", store.key("segments:docs")}).check();
  BOOST_TEST(!keys.elements.empty());
  for (const auto& k : keys.elements) {
    BOOST_TEST(manifest.find(k.str.substr(store.key("segment:").size())) != std::string::npos, k.str);
    BOOST_TEST(store.connection().command({"EXISTS", k.str}).check().integer == 1);
  }

  // A whole index replaces them: no segment key is left.
  a.publish_documents("docs", page_about("plums"));
  BOOST_TEST(store.connection().command({"HEXISTS", store.key("index:docs"), "segments"}).check().integer == 0);
  BOOST_TEST(store.connection().command({"KEYS", store.key("segment*")}).check().elements.empty());
  BOOST_TEST(eventually([&] { return find(b.engine(), "plums").total == 1u && !has_page(b.engine(), "alpha1"); }));
}

// A segment written ahead (RedisStore::write_segment) expires until the save naming it makes it
// permanent (chunks included); one never named is removed by the next whole index.
BOOST_AUTO_TEST_CASE(segments_written_ahead_expire_until_named) {
  test::RedisServer server;
  AppSettings app = app_for(server);
  const SiteSettings site = app.sites.front();
  RedisStore store(options(server), "siteseek:", 1000);  // the merged segment goes in chunks too
  auto& redis = store.connection();
  const auto ttl = [&](const std::string& k) { return redis.command({"TTL", k}).check().integer; };
  auto stored = store.save(site, index_with(site, "apples"));
  const auto first = std::make_shared<const SegmentedIndex>(store.save_updates(site, stored.segments->updated(site, page_about("plums"), {})));
  const auto merged = first->merge_build(0, 2, site);
  const auto file = store.write_segment(site, *merged);
  const auto k = store.key("segment:" + file);
  BOOST_TEST(ttl(k) > 0);
  BOOST_TEST(redis.command({"GETRANGE", k, "0", "14"}).check().str == "siteseek-chunks");
  const auto never = store.key("segment:" + store.write_segment(site, *merged));  // a merge dropped
  const auto second = store.save_updates(site, first->with_merged(*first, 0, 2, merged, file));
  BOOST_TEST(ttl(k) == -1);
  const auto chunks = redis.command({"KEYS", store.key("chunk:*")}).check().elements;
  std::size_t kept = 0;
  for (const auto& c : chunks) kept += ttl(c.str) == -1 ? 1 : 0;
  BOOST_TEST(kept > 0u);  // the named segment's chunks, for good
  BOOST_TEST(kept < chunks.size());  // the other's still expire
  BOOST_TEST(ttl(never) > 0);
  // Once it has expired, the next save forgets its name: the set of segments written ahead does
  // not grow by one name per dropped merge on a site that only ever gets updates.
  const auto listed = [&](const std::string& key) {
    return redis.command({"SISMEMBER", store.key("ahead:docs"), key}).check().integer == 1;
  };
  BOOST_TEST(listed(never));
  const auto other = store.key("segment:" + store.write_segment(site, *merged));  // still alive
  // It expires as its chunks do (the same time to live), all at once here.
  const auto never_chunks = redis.command({"GET", never}).check().str;
  const auto all_chunks = redis.command({"KEYS", store.key("chunk:*")}).check().elements;
  for (const auto& c : all_chunks)
    if (never_chunks.find(c.str) != std::string::npos) redis.command({"PEXPIRE", c.str, "1"}).check();
  redis.command({"PEXPIRE", never, "1"}).check();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  store.save_updates(site, second.updated(site, page_about("figs"), {}));
  BOOST_TEST(!listed(never));
  BOOST_TEST(listed(other));
  store.publish("docs", *index_with(site, "pears"));
  BOOST_TEST(redis.command({"KEYS", store.key("segment*")}).check().elements.empty());
  const auto list = redis.command({"HGET", store.key("index:docs"), "data_chunks"}).check().str;
  const auto left = redis.command({"KEYS", store.key("chunk:*")}).check().elements;
  for (const auto& c : left) BOOST_TEST(list.find(c.str) != std::string::npos, c.str);  // the new whole index's only
  BOOST_TEST(redis.command({"EXISTS", store.key("ahead:docs")}).check().integer == 0);
}

// Values over the store's max_value_bytes are written in chunks: the whole index and the
// segments of live updates, read back as they were by a store with the default limit. A whole
// index replacing them, or the site's removal, leaves no chunk behind; chunks an update wrote
// before Redis refused it (another node saved first) are left to expire.
BOOST_AUTO_TEST_CASE(values_over_the_limit_are_kept_in_chunks) {
  test::RedisServer server;
  AppSettings app = app_for(server);
  const SiteSettings site = app.sites.front();
  IndexBuilder b(site);
  for (int i = 0; i < 200; ++i) b.add(page_about("topic" + std::to_string(i)).front());
  const auto whole = b.build();
  // The limit: a one-page index fits in a value, a whole of 200 pages takes several.
  const auto small_index = index_with(site, "pears");
  const std::size_t limit = snapshot_bytes(*small_index).size() + 64;
  RedisStore small(options(server), "siteseek:", limit), plain(options(server));
  small.save_settings(app);
  auto& redis = small.connection();
  const auto chunks = [&] { return redis.command({"KEYS", small.key("chunk:*")}).check().elements; };
  const auto field = [&](const char* name) { return redis.command({"HEXISTS", small.key("index:docs"), name}).check().integer; };

  const auto bytes = snapshot_bytes(*whole);
  BOOST_REQUIRE(bytes.size() > 3 * limit);
  small.publish("docs", *whole);
  BOOST_TEST(field("data") == 0);
  BOOST_TEST(field("data_chunks") == 1);
  BOOST_TEST(chunks().size() == (bytes.size() + limit - 1) / limit);
  for (const auto& k : chunks()) {
    BOOST_TEST(redis.command({"TTL", k.str}).check().integer == -1, k.str << " is not kept for good");
    BOOST_TEST(redis.command({"STRLEN", k.str}).check().integer <= static_cast<std::int64_t>(limit));
  }
  auto read = plain.load(site);
  BOOST_REQUIRE(read.has_value());
  BOOST_TEST(snapshot_bytes(*read->index) == bytes);
  // A chunk changed in place (no writer does that) is refused, the key named.
  const auto changed = chunks().front().str;
  const auto kept = redis.command({"GET", changed}).check().str;
  for (const auto& damaged : {kept + "x", kept.substr(1)}) {
    redis.command({"SET", changed, damaged}).check();
    try {
      plain.load(site);
      BOOST_FAIL("chunks that do not add up accepted");
    } catch (const SnapshotError& e) {
      BOOST_TEST(std::string(e.what()).find("redis key siteseek:index:docs (version 1) is corrupt (its chunks hold") == 0, e.what());
    }
  }
  redis.command({"SET", changed, kept}).check();

  // A live update on top of it, its segment in chunks too; read back with the whole index.
  auto page = page_about("zeppelin");
  for (int i = 0; i < 60; ++i) page[0].body += " More words about airships, number " + std::to_string(i) + ".";
  const auto with_update = small.save_updates(site, read->segments->updated(site, page, {}));
  const auto segment_key = small.key("segment:" + with_update.segments().back().file);
  BOOST_TEST(redis.command({"GETRANGE", segment_key, "0", "14"}).check().str == "siteseek-chunks");
  const auto after = plain.load(site);
  BOOST_REQUIRE(after.has_value());
  BOOST_TEST(after->segments->segments().size() == 2u);
  BOOST_TEST(snapshot_bytes(*after->segments->segments().back().index) == snapshot_bytes(*with_update.segments().back().index));
  Engine engine(app);
  engine.publish("docs", after->segments);
  BOOST_TEST(find(engine, "airships").total == 1u);
  BOOST_TEST(find(engine, "zeppelin").total == 1u);

  // Refused (another store saved meanwhile): its chunks are not linked, and expire.
  plain.publish("docs", *whole);
  const auto linked = chunks().size();
  BOOST_CHECK_THROW(small.save_updates(site, after->segments->updated(site, page, {})), ConflictError);
  std::size_t expiring = 0;
  for (const auto& k : chunks()) expiring += redis.command({"TTL", k.str}).check().integer > 0 ? 1 : 0;
  BOOST_TEST(expiring > 0u);
  BOOST_TEST(chunks().size() == linked + expiring);
  for (const auto& k : chunks())
    if (redis.command({"TTL", k.str}).check().integer > 0) redis.command({"DEL", k.str}).check();

  // A whole index replacing chunked values removes their chunks; so does removing the site.
  small.publish("docs", *whole);
  small.save_updates(site, small.load(site)->segments->updated(site, page, {}));
  BOOST_TEST(chunks().size() > (bytes.size() + limit - 1) / limit);
  small.publish("docs", *small_index);
  BOOST_TEST(chunks().empty());
  BOOST_TEST(field("data") == 1);
  BOOST_TEST(field("data_chunks") == 0);
  small.publish("docs", *whole);
  small.save_updates(site, small.load(site)->segments->updated(site, page, {}));
  small.remove_site("docs");
  BOOST_TEST(chunks().empty());
  BOOST_TEST(redis.command({"KEYS", small.key("segment*")}).check().elements.empty());
  BOOST_TEST(redis.command({"EXISTS", small.key("index:docs")}).check().integer == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(jobs_in_redis)

BOOST_AUTO_TEST_CASE(debounce_run_and_outcome) {
  test::RedisServer server;
  RedisJobOptions jo;
  RedisJobQueue queue(options(server), jo);
  Job first = queue.submit("docs");
  BOOST_TEST((first.status == JobStatus::queued));
  BOOST_TEST(queue.submit("docs").id == first.id);  // queued: the same job
  Job other = queue.submit("blog");
  BOOST_TEST(other.id != first.id);

  std::vector<std::string> ran;
  RedisWorker worker(options(server), jo, [&](const std::string& site, const ProgressCallback& progress) {
    ran.push_back(site);
    progress({3, 1, 7, 0});
    if (site == "blog") throw std::runtime_error("blog is unreachable");
    IngestReport r;
    r.documents = 7;
    r.skipped.push_back({"https://example.org/x", "noindex"});
    return r;
  }, {});
  BOOST_TEST(worker.run_one());
  BOOST_TEST(worker.run_one());
  BOOST_TEST(!worker.run_one());
  BOOST_TEST((ran == std::vector<std::string>{"docs", "blog"}));  // oldest first

  auto done = queue.find(first.id);
  BOOST_REQUIRE(done.has_value());
  BOOST_TEST((done->status == JobStatus::finished));
  BOOST_REQUIRE(done->report.has_value());
  BOOST_TEST(done->report->documents == 7u);
  BOOST_TEST(done->report->skipped.at(0).reason == "noindex");
  BOOST_TEST(done->started_at.has_value());
  BOOST_TEST(done->ended_at.has_value());
  auto failed = queue.find(other.id);
  BOOST_TEST((failed->status == JobStatus::failed));
  BOOST_TEST(failed->error == "blog is unreachable");
  BOOST_TEST(queue.submit("docs").id != first.id);  // finished: a new job
  BOOST_TEST(queue.recent(10).size() == 3u);
  BOOST_TEST(!queue.find("nonexistent").has_value());
  BOOST_TEST(!queue.find("../../etc").has_value());
}

BOOST_AUTO_TEST_CASE(a_killed_worker_s_job_runs_again_elsewhere) {
  test::RedisServer server;
  RedisJobOptions jo;
  jo.lease = 300ms;
  RedisJobQueue queue(options(server), jo);
  Job job = queue.submit("docs");
  pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    RedisWorker doomed(options(server), jo, [](const std::string&, const ProgressCallback&) -> IngestReport {
      for (;;) ::pause();
    }, {"doomed", 50ms});
    doomed.run_one();
    ::_exit(0);
  }
  BOOST_TEST(eventually([&] { return queue.find(job.id)->status == JobStatus::running; }));
  Job follower = queue.submit("docs");  // running: a new job follows it
  BOOST_TEST(follower.id != job.id);
  BOOST_TEST(queue.submit("docs").id == follower.id);  // queued: the same job
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);

  RedisWorker rescuer(options(server), jo, [](const std::string&, const ProgressCallback&) {
    IngestReport r;
    r.documents = 1;
    return r;
  }, {"rescuer", 50ms});
  // The site lock and the lease both expire after 300 ms; until then nothing can be claimed.
  // Then the rescuer runs both jobs, the rescued one and the one that followed it.
  BOOST_TEST(eventually([&] {
    rescuer.run_one();
    return queue.find(job.id)->status == JobStatus::finished && queue.find(follower.id)->status == JobStatus::finished;
  }, 3000ms));
  auto done = queue.find(job.id);
  BOOST_TEST((done->status == JobStatus::finished));
  BOOST_TEST(done->report->documents == 1u);
  BOOST_TEST(done->attempts == 2u);
}

BOOST_AUTO_TEST_CASE(a_job_whose_workers_keep_dying_fails_with_a_reason) {
  test::RedisServer server;
  RedisJobOptions jo;
  jo.lease = 100ms;
  jo.max_attempts = 1;
  RedisJobQueue queue(options(server), jo);
  RedisConnection c(options(server));
  Job job = queue.submit("docs");
  // A worker that claims and vanishes: the claim without any renewal, as a dead process leaves it.
  pid_t child = ::fork();
  if (child == 0) {
    RedisWorker doomed(options(server), jo, [](const std::string&, const ProgressCallback&) -> IngestReport {
      for (;;) ::pause();
    }, {"doomed", 50ms});
    doomed.run_one();
    ::_exit(0);
  }
  BOOST_TEST(eventually([&] { return queue.find(job.id)->status == JobStatus::running; }));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  std::this_thread::sleep_for(150ms);
  RedisWorker next(options(server), jo, [](const std::string&, const ProgressCallback&) { return IngestReport{}; }, {});
  BOOST_TEST(!next.run_one());
  auto failed = queue.find(job.id);
  BOOST_TEST((failed->status == JobStatus::failed));
  BOOST_TEST(failed->error.find("doomed") != std::string::npos, failed->error);
  BOOST_TEST(queue.submit("docs").id != job.id);
}

BOOST_AUTO_TEST_SUITE_END()

#endif  // SITESEEK_WITH_REDIS
