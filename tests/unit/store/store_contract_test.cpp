// What these tests prove, for each store (files in data_dir, and Redis), with one test body:
// 1. a site without a stored index loads as nothing; a saved index loads back with the same
//    documents, and the store says where it is;
// 2. damaged stored bytes are refused with SnapshotError naming where they were;
// 3. crawl validators round trip for the pages the reusable index holds (with their documents)
//    and give nothing without a reusable index;
// 4. a site put at run time is in the settings the next node starts with; a removed site, its
//    index and validators are gone;
// 5. only the Redis store has other writers to follow (watch), and the file store leaves
//    nothing but its own files in data_dir;
// 6. a merge's segment written ahead of the save that names it survives saves made meanwhile;
// 7. curation rules: a site's text is changed whole, seen by another store object on the same
//    data, the version moves with each change, a change that throws changes nothing, and ""
//    removes the site's rules.
// And for files only: a saved index, and a segment written ahead, are served as their files, mapped.
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "../../support/store_backends.hpp"
#include "index/index_data.hpp"
#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/segments.hpp"
#include "siteseek/store.hpp"

using namespace siteseek;

namespace {

Document page_about(const SiteSettings& site, const char* w) {
  Document d;
  d.id = d.url = site.url + w + ".html";
  d.title = std::string("Page about ") + w;
  d.body = std::string("This page talks about ") + w + ".";
  return d;
}

std::shared_ptr<const Index> index_of(const SiteSettings& site, std::initializer_list<const char*> words) {
  IndexBuilder b(site);
  for (const char* w : words) b.add(page_about(site, w));
  return b.build();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_contract)

BOOST_AUTO_TEST_CASE_TEMPLATE(save_load_and_refuse, Backend, test::store_backends) {
  Backend backend;
  auto store = make_store(backend.settings());
  const SiteSettings site = backend.settings().sites.front();
  BOOST_TEST(!store->load(site).has_value());
  auto index = index_of(site, {"apples", "pears"});
  store->save(site, index);
  auto loaded = store->load(site);
  BOOST_REQUIRE(loaded.has_value());
  BOOST_TEST(loaded->index->size() == 2u);
  BOOST_TEST(std::string(loaded->index->title(1)) == std::string(index->title(1)));
  BOOST_TEST(loaded->where.find("docs") != std::string::npos, loaded->where);

  backend.corrupt("docs");
  try {
    store->load(site);
    BOOST_FAIL("a damaged index was loaded");
  } catch (const SnapshotError& e) {
    BOOST_TEST(std::string(e.what()).find("docs") != std::string::npos, e.what());
  }
}

// Files storage publishes the snapshot it wrote, mapped (as after a restart), not the index it
// was given: the built arrays are freed once the caller lets them go.
BOOST_AUTO_TEST_CASE(a_file_store_publishes_the_file_it_saved) {
  const auto dir = std::filesystem::temp_directory_path() / ("siteseek-store-mapped-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  FileStore store(dir.string());
  SiteSettings site;
  site.name = "docs";
  site.url = "https://docs.example.org/";
  auto built = index_of(site, {"apples", "pears"});
  BOOST_TEST(built->data().lazy == nullptr);  // in memory
  std::weak_ptr<const Index> gone = built;
  auto stored = store.save(site, std::move(built));
  BOOST_TEST(gone.expired());  // the store kept no reference to the built index
  BOOST_REQUIRE(stored.index != nullptr);
  BOOST_TEST(stored.index->data().lazy != nullptr);  // viewing the file
  BOOST_TEST(stored.segments->segments().front().index == stored.index);
  BOOST_TEST(stored.index->size() == 2u);
  BOOST_TEST(stored.index->find("pears") >= 0);
  stored.index->verify();
  std::filesystem::remove_all(dir);
}

// A segment written ahead opens in place where the store keeps files (a node serves it so), and
// not at all where it does not.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_segment_written_ahead_opens_where_files_are_kept, Backend, test::store_backends) {
  Backend backend;
  auto store = make_store(backend.settings());
  const SiteSettings site = backend.settings().sites.front();
  const auto segment = index_of(site, {"plums", "quinces"});
  const auto file = store->write_segment(site, *segment);
  BOOST_TEST(!file.empty());
  const auto opened = store->open_segment(site, file);
  if (std::string_view(Backend::name) == "redis") {
    BOOST_TEST(opened == nullptr);
    return;
  }
  BOOST_REQUIRE(opened != nullptr);
  BOOST_TEST(opened->data().lazy != nullptr);  // viewing the file
  BOOST_TEST(opened->size() == segment->size());
  BOOST_TEST(opened->find("quinces") >= 0);
  BOOST_TEST(store->open_segment(site, "docs.0000000000000000.segment") == nullptr);  // no such file
}

// A merge's segment written ahead (write_segment, without the engine's lock) outlives an update
// saved meanwhile, which removes the files no manifest names, and is then named by the save
// that keeps the merge: a store read afresh has the merge and both updates.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_segment_written_ahead_is_kept_until_its_save_names_it, Backend, test::store_backends) {
  Backend backend;
  auto store = make_store(backend.settings());
  const SiteSettings site = backend.settings().sites.front();
  auto stored = store->save(site, index_of(site, {"apples", "pears"}));
  const auto first = std::make_shared<const SegmentedIndex>(
      store->save_updates(site, stored.segments->updated(site, {page_about(site, "plums")}, {})));
  BOOST_REQUIRE(first->segments().size() == 2u);
  const auto merged = first->merge_build(0, 2, site);
  const auto file = store->write_segment(site, *merged);
  BOOST_TEST(!file.empty());
  const auto second = store->save_updates(site, first->updated(site, {page_about(site, "quinces")}, {}));
  const auto kept = store->save_updates(site, second.with_merged(*first, 0, 2, merged, file));
  BOOST_TEST(kept.segments().size() == 2u);
  BOOST_TEST(kept.segments().front().file == file);

  auto again = make_store(backend.settings())->load(site);
  BOOST_REQUIRE(again.has_value());
  BOOST_TEST(again->segments->segments().size() == 2u);
  BOOST_TEST(again->segments->segments().front().file == file);
  Engine engine(backend.settings());
  engine.publish("docs", again->segments);
  for (const char* w : {"apples", "pears", "plums", "quinces"}) {
    SearchRequest r;
    r.q = w;
    r.site = "docs";
    BOOST_TEST(engine.search(r).total == 1u, w);
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(validators_round_trip, Backend, test::store_backends) {
  Backend backend;
  auto store = make_store(backend.settings());
  const SiteSettings site = backend.settings().sites.front();
  CrawlState state;
  auto apples = page_about(site, "apples");
  apples.anchors = {"apples.red", "apples.green"};  // the index keeps them as one text
  IndexBuilder b(site);
  b.add(apples);
  b.add(page_about(site, "pears"));
  // After a live update: the records are read from every segment, deleted ones left out.
  const auto index = std::make_shared<const SegmentedIndex>(
      SegmentedIndex({b.build()}).updated(site, {page_about(site, "plums")}, {site.url + "pears.html"}));
  state.pages[site.url + "apples.html"] = {"\"etag-1\"", "", {apples}, {site.url + "pears.html"}, 0, "Apples | Orchard"};
  state.pages[site.url + "gone.html"] = {"\"etag-2\"", "", {}, {}};
  state.pages[site.url + "pears.html"] = {"", "", {}, {}};  // no validator: nothing to keep
  store->save_validators(site, state);
  BOOST_TEST(store->load_validators(site, nullptr).pages.empty());
  auto back = store->load_validators(site, index.get());
  BOOST_REQUIRE(back.pages.size() == 1u);  // gone.html is not in the index; pears.html had no validator
  const auto& page = back.pages.begin()->second;
  BOOST_TEST(back.pages.begin()->first == site.url + "apples.html");
  BOOST_TEST(page.etag == "\"etag-1\"");
  BOOST_TEST(page.links == std::vector<std::string>{site.url + "pears.html"});
  BOOST_TEST(page.title == "Apples | Orchard");  // as extracted, for the next crawl's title affixes
  BOOST_REQUIRE(page.documents.size() == 1u);
  BOOST_TEST(page.documents[0].anchors == apples.anchors);  // a page answered 304 keeps its anchors, once
  BOOST_REQUIRE(page.anchors.count(apples.url) == 1u);      // and those of every record, for the rest read back later
  BOOST_TEST(page.anchors.at(apples.url) == apples.anchors);
  state.pages[site.url + "plums.html"] = {"\"etag-3\"", "", {}, {}};
  store->save_validators(site, state);
  back = store->load_validators(site, index.get());
  BOOST_TEST(back.pages.size() == 2u);  // plums.html from the second segment; pears.html deleted
  BOOST_TEST(back.pages.count(site.url + "plums.html") == 1u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(sites_put_and_removed_at_run_time, Backend, test::store_backends) {
  Backend backend;
  auto store = make_store(backend.settings());
  SiteSettings extra;
  extra.name = "extra";
  extra.url = "https://extra.example.org/";
  store->put_site(extra);
  auto with = store->effective_settings(backend.settings());
  BOOST_REQUIRE(with.sites.size() == 2u);
  BOOST_TEST(with.sites[1].name == "extra");
  BOOST_TEST(with.sites[1].url == extra.url);

  store->save(extra, index_of(extra, {"plums"}));
  store->save_validators(extra, CrawlState{});
  store->remove_site("extra");
  BOOST_TEST(store->effective_settings(backend.settings()).sites.size() == 1u);
  BOOST_TEST(!store->load(extra).has_value());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(curation_rules_change_whole, Backend, test::store_backends) {
  Backend backend;
  auto store = make_store(backend.settings());
  auto other = make_store(backend.settings());
  BOOST_TEST(store->load_rules().empty());
  const auto v0 = store->rules_version();
  store->update_rules("docs", [](const std::string& now) {
    BOOST_TEST(now.empty());
    return std::string(R"({"rules":[{"id":"a","kind":"synonyms","synonyms":["x","y"]}]})");
  });
  const auto v1 = other->rules_version();
  BOOST_TEST(v1 != v0);
  auto seen = other->load_rules();
  BOOST_REQUIRE(seen.count("docs") == 1u);
  BOOST_TEST(seen["docs"].find("\"id\":\"a\"") != std::string::npos);
  BOOST_CHECK_THROW(other->update_rules("docs", [](const std::string&) -> std::string { throw RequestError("not_found", "no"); }),
                    RequestError);
  BOOST_TEST(store->load_rules().at("docs") == seen["docs"]);
  other->update_rules("docs", [](const std::string& now) {
    BOOST_TEST(now.find("\"id\":\"a\"") != std::string::npos);
    return std::string();
  });
  BOOST_TEST(store->load_rules().empty());
  BOOST_TEST(store->rules_version() != v1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(watch_only_where_others_write, Backend, test::store_backends) {
  Backend backend;
  auto store = make_store(backend.settings());
  Engine engine(backend.settings());
  auto watch = store->watch(engine, {});
  BOOST_TEST(static_cast<bool>(watch) == (backend.settings().storage == "redis"));
  if (watch) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!watch->connected() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    BOOST_TEST(watch->connected());
  }
}

// A data directory names its sites: an index saved from the settings is found by a node that
// starts with no sites configured, with the settings it was built with.
BOOST_AUTO_TEST_CASE(a_data_directory_describes_itself) {
  test::FileBackend backend;
  FileStore store(backend.data_dir);
  SiteSettings site = backend.settings().sites.front();
  site.boosts.inbound_links = 0.25;
  store.save(site, index_of(site, {"apples"}));
  AppSettings none;
  none.data_dir = backend.data_dir;
  auto found = store.effective_settings(none);
  BOOST_REQUIRE(found.sites.size() == 1u);
  BOOST_TEST((found.sites.front() == site));
  // With sites configured, those are the list: a stored site dropped from the file stays dropped.
  AppSettings other = none;
  other.sites.push_back(test::docs_site());
  other.sites.front().name = "other";
  BOOST_TEST(store.effective_settings(other).sites.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
