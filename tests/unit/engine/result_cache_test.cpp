// What these tests prove (the engine's result cache, white-box):
// 1. Keys differ for requests that differ in any field, and a site's keys start with its prefix
//    only (erase_site drops "docs" entries, not "docs2" ones).
// 2. Threads that look up and store the same few keys at once each get the answer stored for
//    their key and never another's; every lookup is counted once, as a hit or a miss. Run under
//    ThreadSanitizer in CI (label 'concurrent').
// 3. A lookup or a store never waits for a shard another thread holds: with the shard's mutex
//    held by the test, a lookup on another thread returns at once with a miss and a store is
//    skipped (both counted as busy), and the entry is unchanged once the shard is free.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "engine/result_cache.hpp"

using namespace siteseek;
using namespace std::chrono_literals;

namespace siteseek {
// The seam result_cache.hpp gives tests: a shard's mutex, to hold it as a searching thread would.
struct ResultCacheTestAccess {
  static std::mutex& shard_mutex(ResultCache& cache, std::string_view key) { return cache.shard_of(key).mutex; }
};
}  // namespace siteseek

namespace {

std::shared_ptr<const CachedAnswer> answer_for(const std::string& q) {
  auto a = std::make_shared<CachedAnswer>();
  a->response.total = q.size();
  a->json_head = "{\"q\":\"" + q + "\"";
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(result_cache)

BOOST_AUTO_TEST_CASE(keys_tell_requests_and_sites_apart) {
  SearchRequest a;
  a.q = "alpha";
  std::set<std::string> keys;
  keys.insert(ResultCache::key("docs", a, false));
  keys.insert(ResultCache::key("docs", a, true));
  keys.insert(ResultCache::key("docs2", a, false));
  auto b = a;
  b.num = 11;
  keys.insert(ResultCache::key("docs", b, false));
  b = a;
  b.typo = false;
  keys.insert(ResultCache::key("docs", b, false));
  b = a;
  b.highlight_pre_tag = "";
  keys.insert(ResultCache::key("docs", b, false));
  b = a;
  b.sub_results = 3;
  keys.insert(ResultCache::key("docs", b, false));
  b = a;
  b.q = "alph";
  b.from_url = "a";  // "alph" + "a" must not read as "alpha" + ""
  keys.insert(ResultCache::key("docs", b, false));
  keys.insert(ResultCache::key("docs", SuggestRequest{"alpha", "", 10}));
  BOOST_TEST(keys.size() == 9u);

  ResultCache cache(1 << 20);
  cache.insert(ResultCache::key("docs", a, false), 1, answer_for("a"));
  cache.insert(ResultCache::key("docs2", a, false), 1, answer_for("b"));
  cache.erase_site("docs");
  BOOST_TEST(!cache.find(ResultCache::key("docs", a, false), 1));
  BOOST_TEST(cache.find(ResultCache::key("docs2", a, false), 1));
  BOOST_TEST(!cache.find(ResultCache::key("docs2", a, false), 2));  // a newer index: a miss
}

BOOST_AUTO_TEST_CASE(threads_get_their_own_answers) {
  ResultCache cache(1 << 20);
  const std::vector<std::string> queries = {"a", "bb", "ccc"};
  std::vector<std::string> keys;
  for (const auto& q : queries) {
    SearchRequest r;
    r.q = q;
    keys.push_back(ResultCache::key("docs", r, true));
  }
  constexpr int threads = 4, rounds = 20000;
  std::atomic<int> wrong{0};
  std::atomic<long> lookups{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < rounds; ++i) {
        const std::size_t k = static_cast<std::size_t>(i + t) % queries.size();
        ++lookups;
        if (auto hit = cache.find(keys[k], 1)) {
          if (hit->response.total != queries[k].size() || hit->json_head != answer_for(queries[k])->json_head) ++wrong;
        } else {
          cache.insert(keys[k], 1, answer_for(queries[k]));
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  auto st = cache.stats();
  BOOST_TEST(wrong.load() == 0);
  BOOST_TEST(st.hits + st.misses == static_cast<std::uint64_t>(lookups.load()));
  BOOST_TEST(st.hits > 0u);
  BOOST_TEST(st.entries == queries.size());
  BOOST_TEST_MESSAGE("busy (skipped, not waited for): " << st.busy);
}

BOOST_AUTO_TEST_CASE(a_lookup_or_store_never_waits_for_a_held_shard) {
  ResultCache cache(1 << 20);
  SearchRequest r;
  r.q = "held";
  const auto key = ResultCache::key("docs", r, true);
  cache.insert(key, 1, answer_for("held"));
  BOOST_REQUIRE(cache.find(key, 1));  // a free shard answers
  const auto before = cache.stats();
  // Another thread in the middle of its probe, frozen there: the test holds the shard.
  std::unique_lock held(ResultCacheTestAccess::shard_mutex(cache, key));
  auto search = std::async(std::launch::async, [&] {
    const bool hit = cache.find(key, 1) != nullptr;
    cache.insert(key, 2, answer_for("newer"));
    return hit;
  });
  const bool returned = search.wait_for(5s) == std::future_status::ready;
  held.unlock();  // a lookup that did wait can finish now, so the test ends either way
  BOOST_TEST(returned, "a lookup or store waited (5 s and more) for a shard another thread held");
  BOOST_TEST(!search.get(), "a lookup on a held shard is a miss");
  const auto after = cache.stats();
  BOOST_TEST(after.busy - before.busy == 2u);  // the lookup and the store
  BOOST_TEST(after.misses - before.misses == 1u);
  BOOST_TEST(after.hits == before.hits);
  // The store was skipped, not applied once the shard was free: generation 1 is still there.
  BOOST_TEST(cache.find(key, 1));
}

BOOST_AUTO_TEST_SUITE_END()
