// Curation rules on the RediSearch backend (docs/redisearch.md#curation-rules). What these tests prove:
//  1. synonyms (multi-way, one-way, a phrase member) become a lower-weighted union in the query
//     text, only for the words that fire them; hides a negated union of their records' URLs;
//     pins and boosts arguments of the search script;
//  2. against a real redis-server with Debian's RediSearch 1.2, for the same documents and rules,
//     the backend gives what the embedded engine gives: a synonym rule finds the same pages (a
//     one-way rule in one direction only); a hide removes the same records (a page with its
//     sections, or one section) and the same total; pins lead in the same order, the total
//     counting a pin once, a pin the filters or a hide exclude staying out; a boost lifts a page
//     to the top and a demotion moves the top down; and explain names the same rules with the
//     same effects, for the query and per result;
//  3. the rules reach the backend compiled once per rule-set change (Engine::compiled_rules
//     returns the same object until the rules or the index change).
// The live cases are skipped (not passed) without the RediSearch module.
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "../../support/redis_server.hpp"
#include "replies.hpp"
#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"
#include "siteseek/redisearch.hpp"

using namespace siteseek;
using namespace siteseek::redisearch;
using namespace siteseek::test;

namespace {

const std::string root = "https://docs.example.org";

Document page(const std::string& path, const std::string& title, const std::string& body) {
  Document d;
  d.url = d.id = root + path;
  d.title = title;
  d.body = body;
  const auto slash = path.find('/', 1);
  d.section_key = slash == std::string::npos ? "" : path.substr(1, slash - 1);
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

std::vector<Document> documents() {
  return {
      page("/install.html", "Install lumen", "How to install lumen with pip."),
      section("/install.html", "source", "Install lumen", "From source", "Build lumen from source, then install it."),
      page("/old/install.html", "Old install notes", "The old way to install lumen, by hand."),
      page("/kubernetes.html", "Kubernetes deployment", "Run lumen on a kubernetes cluster, from docker images."),
      page("/docker.html", "Docker images", "Build docker images of lumen."),
      page("/containers.html", "Containers", "Lumen in a container runtime."),
      page("/config.html", "Configuration", "Edit the config file of lumen."),
      page("/changelog.html", "Changelog", "Release notes: install fixes and lumen fixes."),
      page("/guide/quickstart.html", "Quickstart", "Start using lumen in five minutes."),
  };
}

SiteSettings site() {
  SiteSettings s;
  s.name = "ex";
  s.url = root + "/";
  return s;
}

SearchRequest req(const std::string& q, bool distinct = true) {
  SearchRequest r;
  r.q = q;
  r.site = "ex";
  r.num = 20;
  r.typo = false;
  r.prefix = false;
  r.distinct = distinct;
  r.explain = true;
  return r;
}

Rule rule(const std::string& id, RuleKind kind) {
  Rule r;
  r.id = id;
  r.kind = kind;
  return r;
}

std::vector<Rule> rules() {
  std::vector<Rule> out;
  auto k8s = rule("k8s", RuleKind::synonyms);
  k8s.synonyms = {"k8s", "Kubernetes"};
  out.push_back(k8s);
  auto container = rule("container", RuleKind::one_way);
  container.from = "container";
  container.to = {"docker", "kubernetes"};
  out.push_back(container);
  auto settings = rule("settings", RuleKind::synonyms);
  settings.synonyms = {"settings", "config file"};
  out.push_back(settings);
  auto old = rule("old", RuleKind::hide);
  old.query = "install";
  old.url = "/old/install.html";
  out.push_back(old);
  auto source = rule("source", RuleKind::hide);
  source.query = "build";
  source.url = "/install.html#source";
  out.push_back(source);
  auto pin = rule("start", RuleKind::pin);
  pin.query = "install";
  pin.urls = {"/guide/quickstart.html", "/config.html", "/old/install.html", "/missing.html"};
  out.push_back(pin);
  auto lift = rule("lift", RuleKind::boost);
  lift.query = "lumen";
  lift.url = "/changelog.html";
  lift.factor = 1000;
  out.push_back(lift);
  auto sink = rule("sink", RuleKind::boost);
  sink.query = "docker";
  sink.url = "/docker.html";
  sink.factor = 0.001;
  out.push_back(sink);
  return out;
}

std::vector<std::string> urls(const SearchResponse& r) {
  std::vector<std::string> out;
  for (const auto& x : r.results) out.push_back(x.url.substr(root.size()));
  return out;
}

std::set<std::string> url_set(const SearchResponse& r) {
  auto u = urls(r);
  return {u.begin(), u.end()};
}

std::string explained(const SearchResponse& r) {
  std::string out;
  if (!r.explain) return "no explain";
  out = r.explain->query + ":";
  for (const auto& e : r.explain->rules) out += " [" + e.id + " " + e.kind + ": " + e.effect + "]";
  return out;
}

std::string result_rules(const SearchResponse& r) {
  std::string out;
  for (const auto& x : r.results)
    for (const auto& e : x.rules) out += x.url.substr(root.size()) + " <- " + e.id + ": " + e.effect + "; ";
  return out;
}

// Both engines over the same documents with the same rules.
struct Both {
  Engine embedded;
  std::shared_ptr<const Index> index;
  Both() : embedded(app()) {
    embedded.publish("ex", embedded.build("ex", documents()));
    embedded.set_rules("ex", rules());
    index = embedded.current("ex");
  }
  static AppSettings app() {
    AppSettings a;
    a.sites = {site()};
    return a;
  }
  std::shared_ptr<const detail::CompiledRules> compiled() const { return embedded.compiled_rules("ex", index); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(curation_commands)

BOOST_AUTO_TEST_CASE(rules_become_query_text_and_script_arguments) {
  Both b;
  const auto s = site();
  const auto c = b.compiled();
  BOOST_REQUIRE(c);
  BOOST_TEST(c.get() == b.compiled().get());  // compiled once, then shared
  auto t = [&](const std::string& q) { return translate(req(q), s, Dialect::v1, b.index.get(), c.get()); };
  // Multi-way: either member; the others at the synonym weight.
  BOOST_TEST(t("k8s").text == "((k8s)|((kubernetes) => {$weight: 0.8}))");
  BOOST_TEST(t("kubernetes pods").text == "((kubernetes)|((k8s) => {$weight: 0.8})) pods");
  // One-way: `from` only.
  BOOST_TEST(t("container").text == "((container)|((docker|kubernetes) => {$weight: 0.8}))");
  BOOST_TEST(t("docker").text == "docker");
  // A phrase member: the words as a phrase, and a run of words finds it.
  BOOST_TEST(t("settings").text == "((settings)|((\"config file\") => {$weight: 0.8}))");
  BOOST_TEST(t("edit config file").text == "edit ((config file)|((settings) => {$weight: 0.8}))");
  BOOST_TEST(t("k8s").expanded_by == std::vector<std::uint32_t>{0});
  // Inside alternatives, after a field and in an exclusion (there without a weight) too.
  BOOST_TEST(t("k8s|docker").text == "(((k8s)|((kubernetes) => {$weight: 0.8}))|docker)");
  BOOST_TEST(t("@title:k8s").text == "@title:((k8s)|((kubernetes) => {$weight: 0.8}))");
  BOOST_TEST(t("lumen -k8s").text == "lumen (-(k8s|kubernetes))");
  // A hide: the page and its section, negated last; the anchored one, that record only.
  const auto hide = t("install");
  BOOST_TEST(hide.hidden == "@id:{https\\:\\/\\/docs\\.example\\.org\\/old\\/install\\.html}");
  BOOST_TEST(hide.query() == "(install) (-" + hide.hidden + ")");
  auto filtered = req("build", true);
  filtered.filters = "type:page";
  BOOST_TEST(translate(filtered, s, Dialect::v1, b.index.get(), c.get()).query() ==
             "(build) ((@attrs:{type__page}) => {$weight: 0}) (-@id:{https\\:\\/\\/docs\\.example\\.org\\/install\\.html\\#source})");
  // Pins: the indexed URLs in order, the hidden one left to the pin query's negation.
  BOOST_TEST(hide.pins == (std::vector<std::string>{root + "/guide/quickstart.html", root + "/config.html", root + "/old/install.html"}));
  BOOST_TEST(hide.pin_query().ends_with(" (-" + hide.hidden + ")"));
  // Boosts: a page URL covers its sections; the script gets (url, page, factor) and a wider window.
  const auto lift = t("lumen");
  BOOST_REQUIRE(lift.boosts.size() == 1u);
  BOOST_TEST(lift.boosts[0].url == root + "/changelog.html");
  BOOST_TEST(lift.boosts[0].page);
  auto cmd = search_command(Dialect::v1, names("siteseek:", "ex", 0), lift, req("lumen"), s);
  const RedisCommand boost_args{"1", root + "/changelog.html", "1", "1000"};
  BOOST_TEST((std::search(cmd.begin(), cmd.end(), boost_args.begin(), boost_args.end()) != cmd.end()));
  BOOST_TEST(cmd[7] == "100");  // fetch: at least 100 records for a boost to act in
  // Without the rules nothing changes.
  BOOST_TEST(translate(req("k8s"), s, Dialect::v1, b.index.get()).text == "k8s");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(curation_live, *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
  return boost::unit_test::assertion_result(std::filesystem::exists(module_path));
}))

BOOST_AUTO_TEST_CASE(each_rule_kind_as_the_embedded_engine_applies_it) {
  test::RedisServer server({"--loadmodule", module_path});
  RediSearchBackend backend(parse_redis_url(server.url()));
  const auto s = site();
  backend.index(s, documents());
  Both b;
  const auto c = b.compiled();
  auto both = [&](const SearchRequest& r) {
    return std::pair{backend.search(s, r, b.index.get(), c), b.embedded.search(r)};
  };

  // Synonyms, multi-way: "k8s" (in no document) finds the kubernetes pages.
  {
    const auto [rs, em] = both(req("k8s"));
    BOOST_TEST(url_set(rs) == url_set(em));
    BOOST_TEST(urls(rs).at(0) == "/kubernetes.html");
    BOOST_TEST(explained(rs) == explained(em));
    BOOST_TEST(explained(rs) == "k8s: [k8s synonyms: expanded the query with the group \"k8s\", \"Kubernetes\"]");
    BOOST_TEST(backend.search(s, req("k8s"), b.index.get()).results.empty());  // without the rules
    for (std::string q : {"lumen -k8s", "@title:k8s", "k8s|docker"}) {
      BOOST_TEST_CONTEXT(q) {
        const auto [rs2, em2] = both(req(q));
        BOOST_TEST(url_set(rs2) == url_set(em2));
        BOOST_TEST(explained(rs2) == explained(em2));
      }
    }
    BOOST_TEST(!url_set(both(req("lumen -k8s")).first).contains("/kubernetes.html"));
  }
  // One-way: container finds docker and kubernetes pages; docker does not find containers.
  {
    const auto [rs, em] = both(req("container"));
    BOOST_TEST(url_set(rs) == url_set(em));
    BOOST_TEST(url_set(rs) == (std::set<std::string>{"/containers.html", "/docker.html", "/kubernetes.html"}));
    BOOST_TEST(explained(rs) == explained(em));
    const auto [rs2, em2] = both(req("docker"));
    BOOST_TEST(url_set(rs2) == url_set(em2));
    BOOST_TEST(!url_set(rs2).contains("/containers.html"));
    BOOST_TEST(explained(rs2) == explained(em2));
  }
  // A phrase member: "settings" finds the page saying "config file".
  {
    const auto [rs, em] = both(req("settings"));
    BOOST_TEST(url_set(rs) == url_set(em));
    BOOST_TEST(url_set(rs).contains("/config.html"));
    BOOST_TEST(explained(rs) == explained(em));
  }
  // Hides: a page URL removes the page (and would its sections); an anchored URL one section,
  // the page staying. Totals are exact: the same as the embedded engine's.
  {
    auto pinless = req("lumen old");
    const auto [rs, em] = both(pinless);
    BOOST_TEST(url_set(rs).contains("/old/install.html"));  // the hide fires for "install" only
    const auto [rs2, em2] = both(req("build", false));
    BOOST_TEST(url_set(rs2) == url_set(em2));
    BOOST_TEST(url_set(rs2) == (std::set<std::string>{"/docker.html"}));  // not install.html#source
    BOOST_TEST(rs2.total == em2.total);
    BOOST_TEST(explained(rs2) == explained(em2));
    BOOST_TEST(explained(rs2) == "build: [source hide: removed 1 matching records]");
  }
  // Pins lead in order; a pin that does not match is counted once; a hidden pin stays out (hides
  // win); an unindexed URL is skipped.
  {
    const auto [rs, em] = both(req("install"));
    BOOST_TEST(urls(rs).at(0) == "/guide/quickstart.html");
    BOOST_TEST(urls(rs).at(1) == "/config.html");
    BOOST_TEST(urls(rs) == urls(em), "redisearch " << urls(rs).size() << ", embedded " << urls(em).size());
    BOOST_TEST(!url_set(rs).contains("/old/install.html"));
    BOOST_TEST(rs.total == em.total);
    BOOST_TEST(explained(rs) == explained(em));
    BOOST_TEST(result_rules(rs) == result_rules(em));
    BOOST_TEST(result_rules(rs).starts_with("/guide/quickstart.html <- start: pinned at position 1; /config.html <- start: pinned at position 2; "));
    // Filters exclude a pin as they exclude any record (quickstart is in the `guide` area).
    auto filtered = req("install");
    filtered.filters = "NOT area:guide";
    const auto [rs2, em2] = both(filtered);
    BOOST_TEST(urls(rs2).at(0) == "/config.html");
    BOOST_TEST(!url_set(rs2).contains("/guide/quickstart.html"));
    BOOST_TEST(rs2.total == em2.total);
    BOOST_TEST(explained(rs2) == explained(em2));
    // Paging: the second page starts after the pins.
    auto second = req("install");
    second.start = 1;
    second.num = 2;
    const auto [rs3, em3] = both(second);
    BOOST_TEST(urls(rs3).at(0) == "/config.html");
    BOOST_TEST(urls(rs3) == urls(em3));
  }
  // Boosts: a factor of 1000 lifts the changelog to the top of "lumen"; 0.001 sinks docker.html
  // below the other page saying "docker".
  {
    const auto [rs, em] = both(req("lumen"));
    BOOST_TEST(urls(rs).at(0) == "/changelog.html");
    BOOST_TEST(urls(em).at(0) == "/changelog.html");
    BOOST_TEST(rs.total == em.total);
    BOOST_TEST(explained(rs) == explained(em));
    BOOST_TEST(result_rules(rs) == result_rules(em));
    BOOST_TEST(result_rules(rs).starts_with("/changelog.html <- lift: score multiplied by 1000; "));  // the embedded engine's JSON number
    const auto [rs2, em2] = both(req("docker"));
    BOOST_TEST(explained(rs2) == explained(em2));
    BOOST_TEST(urls(rs2) == (std::vector<std::string>{"/kubernetes.html", "/docker.html"}));  // demoted, still there
    BOOST_TEST(urls(rs2) == urls(em2));
    BOOST_TEST(backend.search(s, req("docker"), b.index.get()).results.at(0).url == root + "/docker.html");  // without the rules
  }
  // The same, not blocking: the rules reach search_async too.
  boost::asio::io_context io;
  RediSearchBackend async(parse_redis_url(server.url()));
  async.attach(io);
  std::optional<SearchResponse> answer;
  async.search_async(s, req("install"), [&](std::exception_ptr e, SearchResponse r) {
    BOOST_TEST(!e);
    answer = std::move(r);
  }, b.index.get(), c);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!answer && std::chrono::steady_clock::now() < until) io.run_one_for(std::chrono::milliseconds(50));
  BOOST_REQUIRE(answer);
  BOOST_TEST(urls(*answer).at(0) == "/guide/quickstart.html");
  BOOST_TEST(explained(*answer) == explained(b.embedded.search(req("install"))));
}

BOOST_AUTO_TEST_SUITE_END()
