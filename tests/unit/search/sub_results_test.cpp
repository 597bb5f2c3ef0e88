// What these tests prove (SearchRequest::sub_results):
// 1. A page with several matching sections has them under its one result, in the order a search
//    without distinct ranks them (checked against that search, page by page), the result's own
//    record left out; each with its anchor URL, its heading highlighted and a short highlighted
//    snippet. Only section records are listed (never the page record under a section's result).
// 2. They are capped: at sub_results, and at limits::max_sub_results whatever is asked.
// 3. Off (0, the default): no result carries sub_results. On with nothing else matching in a page:
//    an empty list. Results, their order, paging and the total are the same with and without,
//    and each page of results lists the sub-results of its own pages.
// 4. Sub-results group by page: a site with distinct_by_page off is grouped when they are asked;
//    distinct = false with them is invalid_parameter. A pinned landing page lists its sections.
// 5. The wire shape: a default response's bytes are those of the flat shape, and "sub_results"
//    appears on results only when they carry them.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"
#include "small_site.hpp"

using namespace siteseek;
using namespace siteseek::test;

namespace {

std::string filler(int words) {
  std::string s;
  for (int i = 0; i < words; ++i) s += "lorem ipsum ";
  return s;
}

// A dictionary page whose sections say "key" more or less, a set page with one such section, a
// page with no sections, and sections of pages that do not match.
std::vector<Document> corpus() {
  const std::string lookup = "Look up a key: the key is hashed, and the value for the key is returned.";
  const std::string views = filler(40) + "The keys view shows every key of the mapping. " + filler(40);
  const std::string removing = "Deleting an entry by its key.";
  const std::string merging = "Merging two mappings: later values win.";
  const std::string sets = "Set members are hashed like a key.";
  return {
      page("lib/dict.html", "Dictionaries", lookup + " " + views + " " + removing + " " + merging),
      section("lib/dict.html#lookup", "Dictionaries", "Looking up a key", lookup, 1),
      section("lib/dict.html#views", "Dictionaries", "Key views", views, 2),
      section("lib/dict.html#removing", "Dictionaries", "Removing entries", removing, 3),
      section("lib/dict.html#merging", "Dictionaries", "Merging", merging, 4),
      page("lib/set.html", "Sets", sets + " Frozen sets cannot change."),
      section("lib/set.html#members", "Sets", "Members", sets, 1),
      section("lib/set.html#frozen", "Sets", "Frozen sets", "Frozen sets cannot change.", 2),
      page("lib/glossary.html", "Glossary", "key: a value that finds another. hashable: has a hash."),
      page("lib/list.html", "Lists", "Lists hold items in order."),
      section("lib/list.html#sort", "Lists", "Sorting", "Sort with a key function.", 1),
      section("lib/list.html#slices", "Lists", "Slices", "Slices copy.", 2),
  };
}

SearchRequest request(const std::string& q, std::uint32_t sub_results, std::uint32_t num = 10) {
  SearchRequest r;
  r.q = q;
  r.num = num;
  r.sub_results = sub_results;
  return r;
}

std::string page_of(const std::string& url) { return url.substr(0, url.find('#')); }

std::vector<std::string> urls(const std::vector<SubResult>& subs) {
  std::vector<std::string> out;
  for (const auto& s : subs) out.push_back(s.url);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sub_results)

BOOST_AUTO_TEST_CASE(a_page_lists_its_matching_sections_in_rank_order) {
  auto idx = build(corpus());
  auto r = search_index(*idx, request("key ", 10));
  BOOST_REQUIRE(r.results.size() >= 3u);

  // The model: a search without distinct ranks every record; a page's sub-results are its other
  // section records in that order.
  auto all = request("key ", 0, 100);
  all.distinct = false;
  const auto flat = search_index(*idx, all);
  for (const auto& res : r.results) {
    BOOST_REQUIRE(res.sub_results.has_value());
    std::vector<std::string> want;
    for (const auto& x : flat.results)
      if (page_of(x.url) == page_of(res.url) && x.url != res.url && x.type == DocumentType::section) want.push_back(x.url);
    BOOST_TEST(urls(*res.sub_results) == want, res.url);
  }

  // The dictionary page: three of its four sections match (not "Merging"), under one result.
  const auto dict = std::find_if(r.results.begin(), r.results.end(),
                                 [](const SearchResult& x) { return page_of(x.url) == root + "lib/dict.html"; });
  BOOST_REQUIRE(dict != r.results.end());
  const auto& subs = *dict->sub_results;
  BOOST_TEST(subs.size() + (dict->type == DocumentType::section ? 1u : 0u) == 3u);
  for (const auto& s : subs) {
    BOOST_TEST(s.url.starts_with(root + "lib/dict.html#"), s.url);
    BOOST_TEST(s.url != root + "lib/dict.html#merging");
  }
  // Headings and snippets highlighted; the snippet short, cut around the match with ellipses.
  for (const auto& s : subs) {
    if (s.url == root + "lib/dict.html#lookup") {
      BOOST_TEST(s.title == "Looking up a <b>key</b>");
      BOOST_TEST(s.body.find("<b>key</b>") != std::string::npos, s.body);
    }
    if (s.url == root + "lib/dict.html#views") {
      BOOST_TEST(s.title == "<b>Key</b> views");
      BOOST_TEST(s.body.find("<b>key</b>") != std::string::npos, s.body);
      BOOST_TEST(s.body.starts_with("\xE2\x80\xA6"), s.body);
      BOOST_TEST(s.body.ends_with("\xE2\x80\xA6"), s.body);
      BOOST_TEST(s.body.size() < limits::sub_result_snippet_length + 40, s.body);
    }
  }
  // As a result of its own, the same section has the full snippet_length.
  for (const auto& x : flat.results)
    if (x.url == root + "lib/dict.html#views") BOOST_TEST(x.body.size() > limits::sub_result_snippet_length + 40, x.body);
}

BOOST_AUTO_TEST_CASE(the_page_record_is_never_a_sub_result) {
  // "frozen" is in a section and in its page's body: whichever leads, the other listed is a section.
  auto idx = build(corpus());
  auto r = search_index(*idx, request("frozen ", 5));
  BOOST_REQUIRE(r.results.size() == 1u);
  for (const auto& s : *r.results[0].sub_results) BOOST_TEST(s.url.find('#') != std::string::npos, s.url);
  if (r.results[0].type == DocumentType::section) BOOST_TEST(r.results[0].sub_results->empty());
  else BOOST_TEST(urls(*r.results[0].sub_results) == std::vector<std::string>{root + "lib/set.html#frozen"});
}

BOOST_AUTO_TEST_CASE(capped_at_the_request_and_at_the_limit) {
  std::vector<Document> docs{page("big.html", "Big", "alpha")};
  for (std::uint32_t i = 0; i < limits::max_sub_results + 5; ++i)
    docs.push_back(section("big.html#s" + std::to_string(i), "Big", "Part " + std::to_string(i), "alpha beta", i + 1));
  auto idx = build(docs);
  auto two = search_index(*idx, request("alpha ", 2));
  BOOST_REQUIRE(two.results.size() == 1u);
  BOOST_TEST(two.results[0].sub_results->size() == 2u);
  auto many = search_index(*idx, request("alpha ", 1000));
  BOOST_TEST(many.results[0].sub_results->size() == limits::max_sub_results);
  // The two are the first two of the many.
  auto first = urls(*many.results[0].sub_results);
  first.resize(2);
  BOOST_TEST(urls(*two.results[0].sub_results) == first);
}

BOOST_AUTO_TEST_CASE(off_by_default_and_results_unchanged_when_on) {
  auto idx = build(corpus());
  for (const std::string q : {"key ", "sets ", "hash ", "zebra "}) {
    for (std::uint32_t start : {0u, 1u, 2u, 5u}) {
      auto off = request(q, 0, 2);
      off.start = start;
      auto on = off;
      on.sub_results = 3;
      const auto a = search_index(*idx, off), b = search_index(*idx, on);
      BOOST_TEST(a.total == b.total, q << start);
      BOOST_REQUIRE(a.results.size() == b.results.size());
      for (std::size_t k = 0; k < a.results.size(); ++k) {
        BOOST_TEST(a.results[k].url == b.results[k].url);
        BOOST_TEST(a.results[k].body == b.results[k].body);
        BOOST_TEST(!a.results[k].sub_results.has_value());
        BOOST_REQUIRE(b.results[k].sub_results.has_value());
        for (const auto& s : *b.results[k].sub_results) BOOST_TEST(page_of(s.url) == page_of(b.results[k].url));
      }
    }
  }
  // The glossary has no sections: asked, its list is empty.
  auto r = search_index(*idx, request("hashable ", 3));
  BOOST_REQUIRE(r.results.size() == 1u);
  BOOST_TEST(r.results[0].sub_results.has_value());
  BOOST_TEST(r.results[0].sub_results->empty());
}

BOOST_AUTO_TEST_CASE(they_group_by_page_and_pinned_pages_list_theirs) {
  auto s = site();
  s.search.distinct_by_page = false;
  s.landing_pages = {{"sort", root + "lib/list.html"}};
  auto idx = build(corpus(), s);
  // Not grouped by default on this site; grouped when sub-results are asked.
  auto flat = search_index(*idx, request("key ", 0, 100));
  auto grouped = search_index(*idx, request("key ", 3, 100));
  BOOST_TEST(flat.total > grouped.total);
  std::vector<std::string> pages;
  for (const auto& x : grouped.results) pages.push_back(page_of(x.url));
  std::sort(pages.begin(), pages.end());
  BOOST_TEST((std::adjacent_find(pages.begin(), pages.end()) == pages.end()));

  auto contradiction = request("key ", 3);
  contradiction.distinct = false;
  try {
    search_index(*idx, contradiction);
    BOOST_FAIL("sub_results with distinct = false accepted");
  } catch (const RequestError& e) {
    BOOST_TEST(e.code() == "invalid_parameter");
  }

  // The landing page of "sort" is pinned (its page record, which does not say "sort"); its
  // matching section is listed under it.
  auto pinned = search_index(*idx, request("sort", 3));
  BOOST_REQUIRE(!pinned.results.empty());
  BOOST_TEST(pinned.results[0].url == root + "lib/list.html");
  BOOST_TEST(urls(*pinned.results[0].sub_results) == std::vector<std::string>{root + "lib/list.html#sort"});
}

BOOST_AUTO_TEST_CASE(wire_shape) {
  SearchResponse r;
  r.total = 1;
  SearchResult x;
  x.title = "T";
  x.section_title = "";
  x.body = "b";
  x.url = "u";
  r.results.push_back(x);
  std::string flat;
  append_json(flat, r);
  BOOST_TEST(flat == R"({"total":1,"results":[{"title":"T","section_title":"","hierarchy":[],"body":"b","url":"u"}],"took_ms":0.000})");
  r.results[0].sub_results = std::vector<SubResult>{{"S <b>k</b>", "u#s", "\"k\""}};
  r.results.push_back(x);
  r.results[1].sub_results.emplace();
  std::string grouped;
  append_json(grouped, r);
  BOOST_TEST(grouped == R"({"total":1,"results":[{"title":"T","section_title":"","hierarchy":[],"body":"b","url":"u",)"
                        R"("sub_results":[{"title":"S <b>k</b>","url":"u#s","body":"\"k\""}]},)"
                        R"({"title":"T","section_title":"","hierarchy":[],"body":"b","url":"u","sub_results":[]}],"took_ms":0.000})");
}

BOOST_AUTO_TEST_SUITE_END()
