// What these tests prove (the engine's result cache, white-box):
// 1. Keys differ for requests that differ in any field, and a site's keys start with its prefix
//    only (erase_site drops "docs" entries, not "docs2" ones).
// 2. Threads that look up and store the same few keys at once each get the answer stored for
//    their key and never another's; every lookup is counted once, as a hit or a miss; lookups
//    and stores that met a held shard are counted as busy (and such lookups as misses), never
//    waited for. Run under ThreadSanitizer in CI (label 'concurrent').
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "engine/result_cache.hpp"

using namespace siteseek;

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
  b.q = "alph";
  b.from_url = "a";  // "alph" + "a" must not read as "alpha" + ""
  keys.insert(ResultCache::key("docs", b, false));
  keys.insert(ResultCache::key("docs", SuggestRequest{"alpha", "", 10}));
  BOOST_TEST(keys.size() == 8u);

  ResultCache cache(1 << 20);
  cache.insert(ResultCache::key("docs", a, false), 1, answer_for("a"));
  cache.insert(ResultCache::key("docs2", a, false), 1, answer_for("b"));
  cache.erase_site("docs");
  BOOST_TEST(!cache.find(ResultCache::key("docs", a, false), 1));
  BOOST_TEST(cache.find(ResultCache::key("docs2", a, false), 1));
  BOOST_TEST(!cache.find(ResultCache::key("docs2", a, false), 2));  // a newer index: a miss
}

BOOST_AUTO_TEST_CASE(threads_get_their_own_answers_and_never_wait) {
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

BOOST_AUTO_TEST_SUITE_END()
