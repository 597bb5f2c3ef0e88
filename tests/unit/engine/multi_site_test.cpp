// Several sites in one search (SearchRequest::site = "a,b"): results merged by score with their
// site, exact summed totals, paging across the sites, facets summed, filters on an attribute one
// site lacks, and the errors.
#include <boost/test/unit_test.hpp>

#include <set>

#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/policy.hpp"

using namespace siteseek;

namespace {

AppSettings two_sites() {
  AppSettings app;
  for (std::string name : {"guide", "api"}) {
    SiteSettings s;
    s.name = name;
    s.url = "https://" + name + ".example.org/";
    app.sites.push_back(s);
  }
  return app;
}

// `n` pages of `site`, each with "widget"; the first also in the title; those of "api" carry
// the attribute kind=reference.
std::vector<Document> pages(const std::string& site, int n) {
  std::vector<Document> docs;
  for (int i = 0; i < n; ++i) {
    Document d;
    d.url = d.id = "https://" + site + ".example.org/p" + std::to_string(i) + ".html";
    d.title = i == 0 ? "Widget " + site : "Page " + std::to_string(i);
    d.body = "the widget text of " + site + " page " + std::to_string(i);
    if (site == "api") d.attributes = {{"kind", "reference"}};
    docs.push_back(d);
  }
  return docs;
}

SearchRequest request(const std::string& sites) {
  SearchRequest r;
  r.q = "widget";
  r.site = sites;
  r.num = 4;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(multi_site)

BOOST_AUTO_TEST_CASE(merges_results_of_several_sites) {
  Engine e(two_sites());
  e.publish("guide", e.build("guide", pages("guide", 5)));
  e.publish("api", e.build("api", pages("api", 3)));
  auto r = e.search(request("guide,api"));
  BOOST_TEST(r.total == 8u);
  BOOST_REQUIRE(r.results.size() == 4u);
  std::set<std::string> sites;
  for (std::size_t k = 0; k < r.results.size(); ++k) {
    sites.insert(r.results[k].site);
    if (k) BOOST_TEST(r.results[k - 1].score >= r.results[k].score);
  }
  BOOST_TEST(sites.size() == 2u);  // each site's title match leads its own list
  // Paging across the merged list gives every result once.
  std::set<std::string> urls;
  auto q = request("guide,api");
  for (q.start = 0; q.start < 8; q.start += 4)
    for (const auto& x : e.search(q).results) urls.insert(x.url);
  BOOST_TEST(urls.size() == 8u);
  // One site alone carries no site name; JSON names it per result when several were searched.
  BOOST_TEST(e.search(request("api")).results.at(0).site.empty());
  std::string json;
  e.search_json(request("api,guide"), json);
  BOOST_TEST(json.find("\"site\":\"api\"") != std::string::npos);
}

// Pins (and landing pages) have no score to merge by: each site's pinned results lead the merged
// list, site by site in the order the request names them, each in its pin's order; the rest
// follow by score, and paging counts the pins once.
BOOST_AUTO_TEST_CASE(pinned_results_of_the_sites_lead_in_the_order_of_the_request) {
  Engine e(two_sites());
  e.publish("guide", e.build("guide", pages("guide", 5)));
  e.publish("api", e.build("api", pages("api", 3)));
  Rule pin;
  pin.id = "p";
  pin.kind = RuleKind::pin;
  pin.query = "widget";
  pin.urls = {"/p4.html", "/p3.html"};  // the weakest pages: no title match
  e.set_rules("guide", {pin});
  pin.urls = {"/p2.html"};
  e.set_rules("api", {pin});
  auto urls = [&](const SearchRequest& r) {
    std::vector<std::string> out;
    for (const auto& x : e.search(r).results) out.push_back(x.url);
    return out;
  };
  const std::vector<std::string> api_first{"https://api.example.org/p2.html", "https://guide.example.org/p4.html",
                                           "https://guide.example.org/p3.html"};
  const std::vector<std::string> guide_first{"https://guide.example.org/p4.html", "https://guide.example.org/p3.html",
                                             "https://api.example.org/p2.html"};
  auto a = urls(request("api,guide"));
  BOOST_REQUIRE(a.size() == 4u);
  BOOST_TEST((std::vector<std::string>(a.begin(), a.begin() + 3) == api_first));
  auto g = urls(request("guide,api"));
  BOOST_TEST((std::vector<std::string>(g.begin(), g.begin() + 3) == guide_first));
  BOOST_TEST(e.search(request("guide,api")).total == 8u);  // the pins matched: counted once
  // The second page continues after the pins, with every result once.
  auto q = request("guide,api");
  q.num = 2;
  q.start = 2;
  BOOST_TEST(urls(q).at(0) == "https://api.example.org/p2.html");
  std::set<std::string> all;
  for (q.start = 0; q.start < 8; q.start += 2)
    for (const auto& u : urls(q)) BOOST_TEST(all.insert(u).second, u);
  BOOST_TEST(all.size() == 8u);
  // explain names each site's pin with its site.
  q = request("guide,api");
  q.explain = true;
  const auto r = e.search(q);
  BOOST_TEST(r.results.at(0).rules.at(0).effect == "pinned at position 1");
  BOOST_TEST(r.results.at(2).rules.at(0).effect == "pinned at position 3");  // api's first pin, after guide's two
  BOOST_TEST(r.explain->rules.at(0).id == "guide/p");
}

BOOST_AUTO_TEST_CASE(facets_and_filters_across_sites) {
  Engine e(two_sites());
  e.publish("guide", e.build("guide", pages("guide", 5)));
  e.publish("api", e.build("api", pages("api", 3)));
  auto q = request("guide,api");
  q.facets = {"kind", "type"};
  auto r = e.search(q);
  BOOST_REQUIRE(r.facets.size() == 2u);
  BOOST_TEST(r.facets[0].values.at(0).count == 3u);
  BOOST_TEST(r.facets[1].values.at(0).value == "page");
  BOOST_TEST(r.facets[1].values.at(0).count == 8u);
  // "kind" exists in one site only: the filter keeps to it, not an error.
  q.filters = "kind:reference";
  r = e.search(q);
  BOOST_TEST(r.total == 3u);
  for (const auto& x : r.results) BOOST_TEST(x.site == "api");
  // The same written in the query (@kind:) keeps to it too.
  q.filters.clear();
  q.q = "widget @kind:reference";
  r = e.search(q);
  BOOST_TEST(r.total == 3u);
  for (const auto& x : r.results) BOOST_TEST(x.site == "api");
  // An attribute no site has is, with the code of where it was written.
  auto code_of = [&](const SearchRequest& r) -> std::string {
    try {
      e.search(r);
    } catch (const RequestError& err) {
      return err.code();
    }
    return "accepted";
  };
  q.q = "widget @knid:reference";
  BOOST_TEST(code_of(q) == "invalid_query");
  q.q = "widget";
  q.filters = "knid:reference";
  BOOST_TEST(code_of(q) == "invalid_filter");
}

BOOST_AUTO_TEST_CASE(errors) {
  Engine e(two_sites());
  BOOST_CHECK_THROW(e.search(request("guide,nope")), UnknownSiteError);
  BOOST_CHECK_THROW(e.search(request("guide,")), RequestError);
  BOOST_CHECK_THROW(e.search(request("a,b,c,d,e,f,g,h,i")), RequestError);
  // Policy resolves each name (a site's URL names it too).
  auto q = request("https://guide.example.org,api");
  apply_policy(*e.settings(), q);
  BOOST_TEST(q.site == "guide,api");
  // An empty name stays, wherever it is, for the search to refuse.
  q = request(",api");
  apply_policy(*e.settings(), q);
  BOOST_TEST(q.site == ",api");
  BOOST_CHECK_THROW(e.search(q), RequestError);
}

BOOST_AUTO_TEST_SUITE_END()
