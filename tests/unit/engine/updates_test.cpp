// Live updates (Engine::update): a page replaced, added or deleted is searchable as such when the
// call returns; background merges leave the site answering as an index built again from its
// pages would; searches run throughout; a merge stops when asked.
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "index/index_data.hpp"
#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/segments.hpp"

using namespace siteseek;

namespace {

const std::string root = "https://example.org/";

AppSettings app() {
  AppSettings a;
  SiteSettings s;
  s.name = "docs";
  s.url = root;
  a.sites.push_back(s);
  a.result_cache_mb = 1;  // on: an update must make cached answers miss
  return a;
}

// A page with its sections: words drawn from a small vocabulary, and a marker word of its own.
std::vector<Document> page(std::mt19937& rng, const std::string& name, const std::string& marker) {
  static const std::vector<std::string> words = {"install", "config", "server", "client", "python", "module", "error",
                                                 "request", "cache", "thread", "socket", "parser", "token", "index"};
  auto text = [&](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? " " : "") + words[rng() % words.size()];
    return out;
  };
  std::vector<Document> out;
  Document p;
  p.url = p.id = root + name + ".html";
  p.title = text(2) + " " + name;
  p.body = text(20 + static_cast<int>(rng() % 30)) + " " + marker;
  out.push_back(p);
  for (int s = 0; s < static_cast<int>(rng() % 3); ++s) {
    Document x = p;
    x.type = DocumentType::section;
    x.url = x.id = p.url + "#s" + std::to_string(s);
    x.section_title = text(2);
    x.body = text(10);
    x.position = static_cast<std::uint32_t>(s + 1);
    out.push_back(x);
  }
  return out;
}

// The site as a list of pages in the order their records are in the segments: a replaced page
// goes to the end, as its new segment does.
struct Model {
  std::vector<std::pair<std::string, std::vector<Document>>> pages;
  void put(const std::string& name, std::vector<Document> docs) {
    erase(name);
    pages.emplace_back(name, std::move(docs));
  }
  void erase(const std::string& name) {
    std::erase_if(pages, [&](const auto& p) { return p.first == name; });
  }
  std::vector<Document> documents() const {
    std::vector<Document> out;
    for (const auto& p : pages) out.insert(out.end(), p.second.begin(), p.second.end());
    return out;
  }
};

// Forty pages with the word "base", built and published whole: what the merge tests update.
void publish_base(Engine& e, std::mt19937& rng) {
  std::vector<Document> all;
  for (int i = 0; i < 40; ++i) {
    auto p = page(rng, "base" + std::to_string(i), "base");
    all.insert(all.end(), p.begin(), p.end());
  }
  e.publish("docs", e.build("docs", all));
}

// A word of its own for page or round `n` and kind `kind` (letters only, one length: no other
// word completes or splits it).
std::string mark(char kind, unsigned n) {
  std::string out = "zq";
  out += kind;
  for (int i = 0; i < 3; ++i, n /= 26) out += static_cast<char>('a' + n % 26);
  return out;
}

SearchRequest request(const std::string& q) {
  SearchRequest r;
  r.q = q;
  r.site = "docs";
  r.num = 20;
  return r;
}

// A marker looked up as typed (no typo neighbours, no completions: the markers differ by a letter).
SearchRequest exact(const std::string& q) {
  auto r = request(q);
  r.typo = false;
  r.prefix = false;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(updates)

BOOST_AUTO_TEST_CASE(an_update_is_searchable_when_it_returns_and_merges_settle_on_what_a_rebuild_gives) {
  std::mt19937 rng(5);
  Engine e(app());
  Model model;
  for (int i = 0; i < 80; ++i) model.put("p" + std::to_string(i), page(rng, "p" + std::to_string(i), mark('m', static_cast<unsigned>(i))));
  e.publish("docs", e.build("docs", model.documents()));
  e.set_rules("docs", {[] {
                         Rule pin;
                         pin.id = "pin1";
                         pin.kind = RuleKind::pin;
                         pin.query = "server";
                         pin.urls = {root + "p3.html", root + "p70.html"};
                         return pin;
                       }(),
                       [] {
                         Rule hide;
                         hide.id = "hide1";
                         hide.kind = RuleKind::hide;
                         hide.query = "client";
                         hide.url = root + "p4.html";
                         return hide;
                       }()});
  BOOST_TEST(e.search(request("server")).total > 0u);  // cached, to be missed after each update

  for (int round = 0; round < 40; ++round) {
    const int n = static_cast<int>(rng() % 90);
    const std::string name = "p" + std::to_string(n), marker = mark('r', static_cast<unsigned>(round));
    if (round % 7 == 3) {
      const auto report = e.update("docs", {}, {root + name + ".html"});
      model.erase(name);
      BOOST_TEST(e.search(exact(mark('m', static_cast<unsigned>(n)))).total == 0u);
      (void)report;
    } else {
      auto docs = page(rng, name, marker);
      const auto report = e.update("docs", docs, {});
      model.put(name, docs);
      BOOST_TEST(report.added == docs.size());
      // Visible when the call returns: the new marker found, the page's old one gone.
      const auto found = e.search(exact(marker));
      BOOST_REQUIRE_EQUAL(found.results.size(), 1u);
      BOOST_TEST(found.results[0].url == root + name + ".html");
      BOOST_TEST(e.search(exact(mark('m', static_cast<unsigned>(n)))).total == 0u);
    }
    // Every page the model holds is found once by its marker, whatever the merges did.
    BOOST_TEST(e.segments("docs")->live_documents() == model.documents().size());
  }
  e.wait_for_merges();

  // Settled: the same records match as in an index built again from the pages, with scores
  // within the length normalisation's allowed drift, and the same rules applied.
  Engine fresh(app());
  fresh.publish("docs", fresh.build("docs", model.documents()));
  fresh.set_rules("docs", e.rules("docs"));
  const auto segments = e.segments("docs");
  BOOST_TEST_MESSAGE("segments after merges: " << segments->segments().size());
  for (const auto& q : {"server", "client", "install config", "python module error", "cache thread", "sock", "parsr", "index -token"}) {
    auto r = request(q);
    r.explain = true;
    const auto a = e.search(r), b = fresh.search(r);
    BOOST_TEST_CONTEXT("query " << q) {
      BOOST_TEST(a.total == b.total);
      BOOST_REQUIRE_EQUAL(a.results.size(), b.results.size());
      std::map<std::string, double> scores;
      for (const auto& x : b.results) scores[x.url] = x.score;
      for (const auto& x : a.results)
        if (scores.contains(x.url)) BOOST_TEST(std::abs(x.score - scores[x.url]) <= 0.03 * scores[x.url] + 1e-6);
      if (b.results.size() > 1 && b.results[0].score > 1.05 * b.results[1].score) BOOST_TEST(a.results[0].url == b.results[0].url);
      BOOST_REQUIRE(a.explain && b.explain);
      BOOST_TEST(a.explain->rules.size() == b.explain->rules.size());
    }
  }
  // The pin leads, the hidden page is gone, on the segments as on one index.
  const auto pinned = e.search(request("server"));
  if (!pinned.results.empty()) BOOST_TEST(pinned.results[0].url == fresh.search(request("server")).results[0].url);
  for (const auto& x : e.search(request("client")).results) BOOST_TEST(x.url != root + "p4.html");
}

BOOST_AUTO_TEST_CASE(searches_run_while_updates_and_merges_replace_the_segments) {
  std::mt19937 rng(9);
  Engine e(app());
  std::vector<Document> base;
  for (int i = 0; i < 200; ++i) {
    auto p = page(rng, "p" + std::to_string(i), mark('m', static_cast<unsigned>(i)));
    base.insert(base.end(), p.begin(), p.end());
  }
  e.publish("docs", e.build("docs", base));
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> searches{0}, wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&, t] {
      std::mt19937 r(static_cast<unsigned>(t));
      while (!done.load()) {
        // Each page has exactly one marker at any moment: the old one until its update returns.
        const auto res = e.search(request("install server"));
        if (res.total > 10000) ++wrong;
        const auto one = e.search(exact(mark('m', static_cast<unsigned>(r() % 200))));
        if (one.total > 1) ++wrong;
        ++searches;
      }
    });
  for (int round = 0; round < 150; ++round) {
    const auto n = rng() % 200;
    const auto docs = page(rng, "p" + std::to_string(n), mark('m', static_cast<unsigned>(n)));
    e.update("docs", docs, {});
  }
  e.wait_for_merges();
  done = true;
  for (auto& t : readers) t.join();
  BOOST_TEST(wrong.load() == 0u);
  BOOST_TEST(searches.load() > 0u);
  BOOST_TEST(e.segments("docs")->live_documents() == e.sites()[0].documents);
  for (int i = 0; i < 200; ++i) BOOST_TEST(e.search(exact(mark('m', static_cast<unsigned>(i)))).total == 1u);
}

// The engine's merge thread builds the union dictionary of what an update leaves, and of segments
// published as they are (a node's start, a follower's read): searches then expand each word once,
// with the answers each segment searched on its own gives.
BOOST_AUTO_TEST_CASE(the_merge_thread_builds_the_union_dictionary_of_the_segments_served) {
  std::mt19937 rng(5);
  Engine e(app());
  std::vector<Document> base;
  for (int i = 0; i < 120; ++i) {
    auto p = page(rng, "p" + std::to_string(i), mark('m', static_cast<unsigned>(i)));
    base.insert(base.end(), p.begin(), p.end());
  }
  e.publish("docs", e.build("docs", base));
  for (int round = 0; round < 4; ++round) e.update("docs", page(rng, "p" + std::to_string(round * 7), mark('u', static_cast<unsigned>(round))), {});
  e.wait_for_merges();
  const auto served = e.segments("docs");
  BOOST_REQUIRE(served->segments().size() >= 2u);
  BOOST_TEST(served->dictionary() != nullptr);
  const SegmentedIndex plain(std::vector<SegmentedIndex::Segment>(served->segments().begin(), served->segments().end()));
  BOOST_TEST(plain.dictionary() == nullptr);
  // Exact words, a typo and prefixes of the generated words, and the markers' common prefix.
  std::size_t found = 0;
  for (const std::string& q : std::vector<std::string>{"install server", "instal", "serv", "zqu", "zqm", mark('u', 2), "confg file"}) {
    auto r = request(q);
    BOOST_TEST_CONTEXT("q=" << q) {
      const auto a = search_segments(plain, r), b = e.search(r);
      BOOST_TEST(a.total == b.total);
      BOOST_REQUIRE_EQUAL(a.results.size(), b.results.size());
      for (std::size_t i = 0; i < a.results.size(); ++i) BOOST_TEST(a.results[i].url == b.results[i].url);
      found += a.total > 0;
    }
  }
  BOOST_TEST(found == 7u);
  // Published as segments: built again for them.
  e.publish("docs", std::make_shared<const SegmentedIndex>(plain));
  e.wait_for_merges();
  BOOST_TEST(e.segments("docs")->dictionary() != nullptr);
}

// A process that does not search (set_union_dictionaries(false): `siteseek index`) builds no
// union dictionary; its searches still answer as the segments do.
BOOST_AUTO_TEST_CASE(no_union_dictionary_for_a_process_that_does_not_search) {
  std::mt19937 rng(6);
  Engine e(app());
  e.set_union_dictionaries(false);
  std::vector<Document> base;
  for (int i = 0; i < 40; ++i) {
    auto p = page(rng, "p" + std::to_string(i), mark('m', static_cast<unsigned>(i)));
    base.insert(base.end(), p.begin(), p.end());
  }
  e.publish("docs", e.build("docs", base));
  e.update("docs", page(rng, "p3", mark('u', 1)), {});
  e.wait_for_merges();
  BOOST_REQUIRE(e.segments("docs")->segments().size() == 2u);
  BOOST_TEST(e.segments("docs")->dictionary() == nullptr);
  BOOST_TEST(e.search(exact(mark('u', 1))).total == 1u);
  e.set_union_dictionaries(true);
  e.update("docs", page(rng, "p4", mark('u', 2)), {});
  e.wait_for_merges();
  BOOST_TEST(e.segments("docs")->dictionary() != nullptr);
}

BOOST_AUTO_TEST_CASE(a_site_without_an_index_gets_one_from_its_first_update) {
  Engine e(app());
  std::mt19937 rng(1);
  BOOST_TEST(!e.segments("docs"));
  e.update("docs", {}, {root + "nothing.html"});  // nothing to delete, nothing built
  BOOST_TEST(!e.segments("docs"));
  e.update("docs", page(rng, "a", "first"), {});
  BOOST_TEST(e.search(exact("first")).total == 1u);
  auto bad = page(rng, "b", "second");
  bad[0].attributes = {{"Not A Name!", "x"}};
  BOOST_CHECK_THROW(e.update("docs", bad, {}), RequestError);
  BOOST_TEST(e.search(exact("second")).total == 0u);  // refused whole
}

// A keeper that takes updates but refuses merges (as a store refuses a merge another node's save
// overtook): the engine keeps serving exactly what was kept, every update searchable, and asks
// for merges again at the next update.
BOOST_AUTO_TEST_CASE(a_merge_its_keeper_refuses_is_dropped) {
  Engine e(app());
  std::mt19937 rng(5);
  publish_base(e, rng);
  std::shared_ptr<const SegmentedIndex> kept;
  std::atomic<int> refused{0};
  e.set_keeper([&](const std::string&, const SegmentedIndex& next) {
    if (kept && next.segments().size() < kept->segments().size()) {  // a merge: refused
      ++refused;
      throw std::runtime_error("merge refused");
    }
    kept = std::make_shared<const SegmentedIndex>(next);
    return next;
  });
  for (int i = 0; i < 12; ++i) {
    e.update("docs", page(rng, "new" + std::to_string(i), mark('n', static_cast<unsigned>(i))), {});
    BOOST_TEST(e.search(exact(mark('n', static_cast<unsigned>(i)))).total == 1u);
    e.wait_for_merges();
    BOOST_TEST(e.segments("docs")->segments().size() == kept->segments().size());  // what was kept, no more
  }
  BOOST_TEST(refused.load() > 0);
  BOOST_TEST(e.segments("docs")->segments().size() == 13u);
  for (int i = 0; i < 12; ++i) BOOST_TEST(e.search(exact(mark('n', static_cast<unsigned>(i)))).total == 1u);
}

// A merged segment is written (the writer) without the lock updates take: an update made while
// the writer has not returned returns without waiting for it, and the merge is kept after, named
// as the writer said, with that update's page in the index too.
BOOST_AUTO_TEST_CASE(an_update_does_not_wait_for_a_merge_being_written) {
  Engine e(app());
  std::mt19937 rng(9);
  publish_base(e, rng);
  std::mutex m;
  std::condition_variable cv;
  bool writing = false, release = false;
  std::atomic<int> written{0};
  e.set_keeper([&](const std::string&, const SegmentedIndex& next) { return next.with_new_files("docs"); },
               [&](const std::string&, std::shared_ptr<const Index>&) {
                 std::unique_lock lock(m);
                 writing = true;
                 cv.notify_all();
                 cv.wait(lock, [&] { return release; });  // held until the test lets it go
                 return "docs.00000000000000" + std::to_string(10 + written++) + ".segment";
               });
  // Updates until the merge thread is inside the writer.
  int made = 0;
  {
    std::unique_lock lock(m);
    while (!writing && made < 64) {
      lock.unlock();
      e.update("docs", page(rng, "new" + std::to_string(made), mark('n', static_cast<unsigned>(made))), {});
      ++made;
      lock.lock();
      cv.wait_for(lock, std::chrono::milliseconds(20), [&] { return writing; });
    }
  }
  BOOST_REQUIRE(writing);
  // One more update while the writer is held: it must return (with the writer under the lock,
  // it would wait for ever; the test then fails on its deadline instead of hanging).
  auto during = std::async(std::launch::async, [&] {
    e.update("docs", page(rng, "during", mark('d', 0)), {});
  });
  const bool returned = during.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  BOOST_TEST(returned, "an update waited for a merge's writer");
  BOOST_TEST(e.search(exact(mark('d', 0))).total == 1u);
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
  if (!returned) during.wait();
  e.wait_for_merges();
  BOOST_TEST(written.load() > 0);
  const auto now = e.segments("docs");
  BOOST_TEST(std::any_of(now->segments().begin(), now->segments().end(),
                         [](const auto& seg) { return seg.file.rfind("docs.00000000000000", 0) == 0; }));
  BOOST_TEST(e.search(exact(mark('d', 0))).total == 1u);
  for (int i = 0; i < made; ++i) BOOST_TEST(e.search(exact(mark('n', static_cast<unsigned>(i)))).total == 1u);
}

// A writer may hand back what it wrote, opened (a node's files storage: the file, mapped): that
// is what the merge publishes, in place of the segment it built in memory.
BOOST_AUTO_TEST_CASE(a_merge_publishes_what_its_writer_opened) {
  Engine e(app());
  std::mt19937 rng(11);
  publish_base(e, rng);
  const auto dir = std::filesystem::temp_directory_path() / ("siteseek-writer-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::mutex m;
  std::vector<const Index*> opened;
  int n = 0;
  e.set_keeper([&](const std::string&, const SegmentedIndex& next) { return next.with_new_files("docs"); },
               [&](const std::string&, std::shared_ptr<const Index>& merged) {
                 std::lock_guard lock(m);
                 const auto file = "docs.00000000000001" + std::to_string(10 + n++) + ".segment";
                 save_snapshot(*merged, (dir / file).string());
                 merged = load_snapshot((dir / file).string(), merged->settings());
                 opened.push_back(merged.get());
                 return file;
               });
  for (int i = 0; i < 12; ++i) e.update("docs", page(rng, "new" + std::to_string(i), mark('n', static_cast<unsigned>(i))), {});
  e.wait_for_merges();
  const auto now = e.segments("docs");
  std::lock_guard lock(m);
  BOOST_REQUIRE(!opened.empty());  // merges ran
  std::size_t mapped = 0;
  for (const auto& seg : now->segments())
    if (std::find(opened.begin(), opened.end(), seg.index.get()) != opened.end()) {
      ++mapped;
      BOOST_TEST(seg.index->data().lazy != nullptr);  // viewing its file
      BOOST_TEST(seg.file.rfind("docs.00000000000001", 0) == 0);
    }
  BOOST_TEST(mapped >= 1u);  // the last merge's segment, as the writer opened it
  for (int i = 0; i < 12; ++i) BOOST_TEST(e.search(exact(mark('n', static_cast<unsigned>(i)))).total == 1u);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_build_stops_when_its_cancel_flag_is_set) {
  std::mt19937 rng(3);
  IndexBuilder b(app().sites[0]);
  for (int i = 0; i < 600; ++i) b.add_all(page(rng, "p" + std::to_string(i), "x"));
  std::atomic<bool> cancel{true};
  b.set_cancel(&cancel);
  BOOST_CHECK_THROW(b.build(), BuildCancelled);
}

BOOST_AUTO_TEST_SUITE_END()
