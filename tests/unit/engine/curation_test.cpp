// What these tests prove (curation rules, siteseek/curation.hpp, applied by Engine::search):
// 1. A multi-way synonym group makes each member find the others; a one-way rule a -> b makes a
//    find b's pages but not b find a's. Both work on an index built before the rule existed.
// 2. A pin puts its URLs first, in order; an exact pin fires for its query only, a prefix pin
//    for queries starting with it; a pinned URL not in the index is skipped; one the filters
//    exclude stays out; the total counts a pinned page that did not match.
// 3. A hide removes a page and its sections (or one section, by its #anchor) from results,
//    total and facets; a pin never brings a hidden page back.
// 4. A boost above 1 lifts a result above another, below 1 demotes it.
// 5. Changing the rules invalidates the site's cached answers (the next search sees them).
// 6. explain lists the rules that fired, for the query and per result, with their ids.
// 7. Validation errors name the field ("rules[0].urls[1]"); JSON round-trips a rule.
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "siteseek/curation.hpp"
#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"

using namespace siteseek;

namespace {

Document page(const std::string& path, const std::string& title, const std::string& body, std::vector<Attribute> attrs = {}) {
  Document d;
  d.url = d.id = "https://example.org" + path;
  d.title = title;
  d.body = body;
  d.attributes = std::move(attrs);
  return d;
}

Document section(const std::string& path, const std::string& anchor, const std::string& title, const std::string& heading,
                 const std::string& body) {
  Document d = page(path, title, body);
  d.url = d.id = d.url + "#" + anchor;
  d.section_title = heading;
  d.type = DocumentType::section;
  d.position = 1;
  return d;
}

struct Site {
  Engine engine;
  Site() : engine(settings()) {
    std::vector<Document> docs{
        page("/install", "Installing", "How to install the package with pip.", {{"version", "2"}}),
        page("/kubernetes", "Kubernetes deployment", "Run the service on a kubernetes cluster.", {{"version", "2"}}),
        page("/docker", "Docker images", "Build docker images of the service.", {{"version", "1"}}),
        page("/faq", "FAQ", "Questions about pip, install problems and the package index.", {{"version", "2"}}),
        section("/faq", "pip", "FAQ", "Pip errors", "When pip fails to install, upgrade pip."),
        page("/changelog", "Changelog", "Release notes: install fixes, kubernetes fixes.", {{"version", "1"}}),
    };
    engine.publish("docs", engine.build("docs", std::move(docs)));
  }
  static AppSettings settings() {
    AppSettings app;
    SiteSettings s;
    s.name = "docs";
    s.url = "https://example.org/";
    app.sites.push_back(s);
    app.result_cache_mb = 4;
    return app;
  }
  SearchResponse search(const std::string& q, bool explain = false, std::string filters = {}) {
    SearchRequest r;
    r.q = q;
    r.site = "docs";
    r.num = 20;
    r.prefix = false;
    r.explain = explain;
    r.filters = std::move(filters);
    return engine.search(r);
  }
  std::vector<std::string> urls(const std::string& q, std::string filters = {}) {
    std::vector<std::string> out;
    for (const auto& r : search(q, false, std::move(filters)).results) out.push_back(r.url.substr(std::string("https://example.org").size()));
    return out;
  }
};

Rule synonyms(std::string id, std::vector<std::string> group) {
  Rule r;
  r.id = std::move(id);
  r.kind = RuleKind::synonyms;
  r.synonyms = std::move(group);
  return r;
}
Rule one_way(std::string id, std::string from, std::vector<std::string> to) {
  Rule r;
  r.id = std::move(id);
  r.kind = RuleKind::one_way;
  r.from = std::move(from);
  r.to = std::move(to);
  return r;
}
Rule pin(std::string id, std::string query, std::vector<std::string> urls, QueryMatch match = QueryMatch::exact) {
  Rule r;
  r.id = std::move(id);
  r.kind = RuleKind::pin;
  r.query = std::move(query);
  r.urls = std::move(urls);
  r.match = match;
  return r;
}
Rule target(RuleKind kind, std::string id, std::string query, std::string url, double factor = 1) {
  Rule r;
  r.id = std::move(id);
  r.kind = kind;
  r.query = std::move(query);
  r.url = std::move(url);
  r.factor = factor;
  return r;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::string config_path(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.issues().at(0).path;
  }
  return "(no error)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(curation)

BOOST_AUTO_TEST_CASE(multi_way_synonyms_match_every_member) {
  Site site;
  BOOST_TEST(!has(site.urls("k8s"), "/kubernetes"));
  site.engine.set_rules("docs", {synonyms("s1", {"k8s", "kubernetes"})});
  BOOST_TEST(has(site.urls("k8s"), "/kubernetes"));
  BOOST_TEST(has(site.urls("kubernetes"), "/kubernetes"));
}

BOOST_AUTO_TEST_CASE(one_way_synonyms_expand_one_way_only) {
  Site site;
  site.engine.set_rules("docs", {one_way("o1", "container", {"docker", "kubernetes"})});
  const auto found = site.urls("container");
  BOOST_TEST(has(found, "/docker"));
  BOOST_TEST(has(found, "/kubernetes"));
  // No page says "container": the reverse direction finds nothing new.
  BOOST_TEST(site.urls("docker") == std::vector<std::string>{"/docker"});
}

BOOST_AUTO_TEST_CASE(pins_lead_in_order_exact_or_prefix) {
  Site site;
  site.engine.set_rules("docs", {pin("p1", "install", {"/changelog", "https://example.org/docker", "/not-indexed"}),
                                 pin("p2", "kube", {"/faq"}, QueryMatch::prefix)});
  const auto r = site.search("install");
  BOOST_REQUIRE(r.results.size() >= 3);
  BOOST_TEST(r.results[0].url == "https://example.org/changelog");
  BOOST_TEST(r.results[1].url == "https://example.org/docker");  // pinned though it does not match
  const auto plain = site.urls("install");
  BOOST_TEST(std::count(plain.begin(), plain.end(), "/changelog") == 1);  // once, not twice
  // The total counts the pinned page that did not match.
  site.engine.set_rules("docs", {});
  const auto unpinned = site.search("install");
  site.engine.set_rules("docs", {pin("p1", "install", {"/changelog", "/docker"})});
  BOOST_TEST(site.search("install").total == unpinned.total + 1);
  // Exact: "install pip" is another query.
  BOOST_TEST(site.urls("install pip").front() != "/changelog");
  site.engine.set_rules("docs", {pin("p2", "kube", {"/faq"}, QueryMatch::prefix)});
  BOOST_TEST(site.urls("kubernetes").front() == "/faq");
  BOOST_TEST(site.urls("docker").front() != "/faq");
}

BOOST_AUTO_TEST_CASE(filters_exclude_a_pinned_url) {
  Site site;
  site.engine.set_rules("docs", {pin("p1", "install", {"/changelog", "/faq"})});
  const auto v2 = site.urls("install", "version:2");
  BOOST_TEST(!has(v2, "/changelog"));  // version 1
  BOOST_TEST(v2.front() == "/faq");
}

BOOST_AUTO_TEST_CASE(hide_removes_a_page_and_its_sections) {
  Site site;
  SearchRequest r;
  r.q = "pip";
  r.site = "docs";
  r.distinct = false;
  r.facets = {"version"};
  auto before = site.engine.search(r);
  BOOST_TEST(before.total == 3u);  // install, faq, faq#pip
  site.engine.set_rules("docs", {target(RuleKind::hide, "h1", "pip", "/faq"), pin("p1", "pip", {"/faq#pip"})});
  auto after = site.engine.search(r);
  BOOST_TEST(after.total == 1u);
  BOOST_REQUIRE(after.results.size() == 1u);
  BOOST_TEST(after.results[0].url == "https://example.org/install");
  BOOST_REQUIRE(after.facets.size() == 1u);
  BOOST_TEST(after.facets[0].values.at(0).count == 1u);
  // By its anchor: the section only.
  site.engine.set_rules("docs", {target(RuleKind::hide, "h2", "pip", "/faq#pip")});
  const auto urls = site.urls("pip");
  BOOST_TEST(has(urls, "/faq"));
  BOOST_TEST(!has(urls, "/faq#pip"));
}

BOOST_AUTO_TEST_CASE(boost_and_demote_reorder) {
  Site site;
  const auto plain = site.urls("kubernetes");
  BOOST_REQUIRE(plain.size() == 2u);
  const std::string first = plain[0], second = plain[1];
  site.engine.set_rules("docs", {target(RuleKind::boost, "b1", "kubernetes", second, 100)});
  BOOST_TEST(site.urls("kubernetes").front() == second);
  site.engine.set_rules("docs", {target(RuleKind::boost, "b2", "kubernetes", first, 0.01)});
  BOOST_TEST(site.urls("kubernetes").front() == second);
  BOOST_TEST(site.urls("kubernetes").back() == first);
}

BOOST_AUTO_TEST_CASE(a_rule_change_invalidates_cached_answers) {
  Site site;
  const auto a = site.urls("docker");
  const auto again = site.urls("docker");
  BOOST_TEST(site.engine.result_cache_stats().hits >= 1u);
  BOOST_TEST(a == again);
  site.engine.set_rules("docs", {pin("p1", "docker", {"/faq"})});
  BOOST_TEST(site.urls("docker").front() == "/faq");
  std::string json;
  SearchRequest r;
  r.q = "docker";
  r.site = "docs";
  site.engine.search_json(r, json);
  site.engine.set_rules("docs", {});
  json.clear();
  site.engine.search_json(r, json);
  BOOST_TEST(json.find("/faq") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(explain_lists_the_rules_that_fired) {
  Site site;
  site.engine.set_rules("docs", {synonyms("s1", {"k8s", "kubernetes"}), pin("p1", "k8s", {"/docker"}),
                                 target(RuleKind::boost, "b1", "k8s", "/changelog", 3), target(RuleKind::hide, "h1", "docker", "/docker")});
  const auto r = site.search("k8s", true);
  BOOST_REQUIRE(r.explain.has_value());
  BOOST_TEST(r.explain->query == "k8s");
  std::vector<std::string> ids;
  for (const auto& e : r.explain->rules) ids.push_back(e.id + ":" + e.kind);
  BOOST_TEST(ids == (std::vector<std::string>{"s1:synonyms", "p1:pin", "b1:boost"}));
  BOOST_REQUIRE(r.results.size() >= 2u);
  BOOST_REQUIRE(r.results[0].rules.size() == 1u);
  BOOST_TEST(r.results[0].rules[0].id == "p1");
  bool boosted = false;
  for (const auto& res : r.results)
    if (res.url == "https://example.org/changelog") boosted = !res.rules.empty() && res.rules[0].id == "b1";
  BOOST_TEST(boosted);
  std::string json;
  append_json(json, r);
  BOOST_TEST(json.find("\"explain\":{\"query\":\"k8s\",\"optional_words\":[],\"rules\":[{\"id\":\"s1\",\"kind\":\"synonyms\"") != std::string::npos);
  BOOST_TEST(!site.search("k8s").explain.has_value());
}

BOOST_AUTO_TEST_CASE(validation_names_the_field) {
  BOOST_TEST(config_path([] { rules_from_json(boost::json::parse(R"([{"kind":"pin","query":"a","urls":["/a","nope"]}])")); }) ==
             "rules[0].urls[1]");
  BOOST_TEST(config_path([] { rules_from_json(boost::json::parse(R"([{"kind":"synonyms","synonyms":["a"]}])")); }) ==
             "rules[0].synonyms");
  BOOST_TEST(config_path([] { rules_from_json(boost::json::parse(R"([{"kind":"boost","query":"a","url":"/a","factor":0}])")); }) ==
             "rules[0].factor");
  BOOST_TEST(config_path([] { rules_from_json(boost::json::parse(R"([{"kind":"hide","query":"a","url":"/a","urls":[]}])")); }) ==
             "rules[0].urls");
  BOOST_TEST(config_path([] { rules_from_json(boost::json::parse(R"([{"kind":"nope"}])")); }) == "rules[0].kind");
  BOOST_TEST(config_path([] {
               rules_from_json(boost::json::parse(R"([{"id":"x","kind":"hide","query":"a","url":"/a"},{"id":"x","kind":"hide","query":"b","url":"/b"}])"));
             }) == "rules[1].id");
  Engine engine(Site::settings());
  BOOST_TEST(config_path([&] { engine.set_rules("docs", {pin("p", "", {"/a"})}); }) == "rules[0].query");
  BOOST_CHECK_THROW(engine.set_rules("nope", {}), UnknownSiteError);
  // Round trip.
  Rule b = target(RuleKind::boost, "b1", "install", "/install", 2.5);
  b.match = QueryMatch::prefix;
  b.created = "2026-12-05T18:00:00Z";
  b.note = "from the zero-results report";
  BOOST_TEST((rule_from_json(rule_to_json(b), "rule") == b));
  const std::vector<Rule> all{synonyms("s", {"a", "b c"}), one_way("o", "a", {"b"}), pin("p", "q", {"/x", "/y"})};
  BOOST_TEST((rules_from_json(boost::json::parse(rules_to_json_text(all))) == all));
}

BOOST_AUTO_TEST_SUITE_END()
