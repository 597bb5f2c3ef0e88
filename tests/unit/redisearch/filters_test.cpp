// Filters, facets and context on the RediSearch backend (docs/redisearch.md#filters-and-facets).
// What these tests prove:
//  1. a record's attributes (its own, then the built-in type and area, the embedded index's
//     rule) become tags of the `attrs` field that survive RediSearch 1.2's tag handling whatever
//     the value (case, spaces, punctuation, commas, stop words, UTF-8), one tag per value;
//  2. filter expressions, the query's @name:value and the reader's context become tag tests
//     (AND, OR, NOT, name:*), and an unknown name is the embedded engine's error;
//  3. facet counts come from FT.AGGREGATE rows in the embedded engine's order and cut;
//  4. against a real redis-server with Debian's RediSearch 1.2: totals and facet counts equal the
//     embedded engine's for the same documents, filters and context (distinct or not), landing
//     pages respect the filter, and an index an older siteseek built is rebuilt or refuses filters.
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "../../support/redis_server.hpp"
#include "replies.hpp"
#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/redisearch.hpp"

using namespace siteseek;
using namespace siteseek::redisearch;
using namespace siteseek::test;

namespace {

const std::string root = "https://docs.example.org/";

SiteSettings site() {
  SiteSettings s;
  s.name = "ex";
  s.url = root;
  return s;
}

Document page(const std::string& path, const std::string& title, const std::string& body, std::vector<Attribute> attrs) {
  Document d;
  d.url = d.id = root + path;
  d.title = title;
  d.body = body;
  d.section_key = path.substr(0, path.find('/'));
  d.attributes = std::move(attrs);
  return d;
}

Document section(const std::string& path, const std::string& title, const std::string& heading, const std::string& body,
                 std::vector<Attribute> attrs) {
  auto d = page(path, title, body, std::move(attrs));
  d.type = DocumentType::section;
  d.section_title = heading;
  d.position = 1;
  return d;
}

// Two versions of two or three pages (each with a section) in English and French, every record
// holding "lumen"; a `channel` attribute on some with values RediSearch's tags would mangle, and
// an attribute named like a stop word.
std::vector<Document> versioned() {
  std::vector<Document> docs;
  const char* channels[] = {"Beta (rc1)", "beta (rc1)", "a,b", "x:y \"q\"", "naïve", "the"};
  int k = 0;
  for (std::string version : {"1.0", "2.0"})
    for (std::string lang : {"en", "fr"}) {
      const std::string base = lang + "/" + version + "/";
      std::vector<Attribute> attrs{{"language", lang}, {"version", version}};
      docs.push_back(page(base + "install.html", "Install lumen", "install lumen with the package manager", attrs));
      docs.push_back(section(base + "install.html#source", "Install lumen", "From source", "build lumen from source", attrs));
      attrs.push_back({"channel", channels[k++ % 6]});
      if (lang == "fr") attrs.push_back({"in", "x"});
      docs.push_back(page(base + "config.html", "Configure lumen", "the lumen configuration file", attrs));
      docs.push_back(section(base + "config.html#env", "Configure lumen", "Environment", "lumen reads variables", attrs));
      if (version == "2.0") {
        attrs.push_back({"channel", channels[k++ % 6]});  // two values of one attribute
        docs.push_back(page(base + "migrate.html", "Migrate lumen", "migrate lumen from version one", attrs));
      }
    }
  docs.push_back(page("about.html", "About lumen", "lumen at the root: no area", {}));
  // A page whose URL differs from another's by case only: two pages when facets count pages.
  docs.push_back(page("en/1.0/Install.html", "Install lumen", "lumen, the other page", {{"language", "en"}, {"version", "1.0"}}));
  return docs;
}

SearchRequest req(const std::string& q, const std::string& filters = {}) {
  SearchRequest r;
  r.q = q;
  r.site = "ex";
  r.num = 100;
  r.typo = false;
  r.prefix = false;
  r.filters = filters;
  return r;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code() + ": " + e.what();
  }
  return "no error";
}


bool has(const RedisCommand& cmd, std::initializer_list<std::string_view> seq) {
  return std::search(cmd.begin(), cmd.end(), seq.begin(), seq.end(),
                     [](const std::string& a, std::string_view b) { return a == b; }) != cmd.end();
}

std::string facets_text(const SearchResponse& r) {
  std::string out;
  for (const auto& f : r.facets) {
    out += f.name + ":";
    for (const auto& v : f.values) out += " " + v.value + "=" + std::to_string(v.count);
    if (f.more) out += " more=" + std::to_string(f.more);
    out += "; ";
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(filter_commands)

BOOST_AUTO_TEST_CASE(attribute_tags_survive_tag_handling) {
  BOOST_TEST(attribute_tag("version", "3.12") == "version__3_2e12");
  BOOST_TEST(attribute_tag("channel", "Beta (rc1)") == "channel___42eta_20_28rc1_29");
  BOOST_TEST(attribute_tag("my_attr") == "my_5fattr__");  // name:*
  BOOST_TEST(attribute_tag("in") == "in__");              // never a bare stop word
  // One tag per (name, value), distinct for values differing only in case, and only a-z, 0-9 and
  // '_' (nothing RediSearch lowercases, trims, splits on or parses), "__" only between the parts.
  std::vector<std::string> seen;
  for (std::string v : {"a", "A", "a b", "a,b", "a\x1f" "b", "_", "__", "", "the", "naïve", "x:y", "{}|-@*"}) {
    const auto tag = attribute_tag("n-1", v);
    BOOST_TEST_CONTEXT(v) {
      BOOST_TEST(std::all_of(tag.begin(), tag.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }));
      BOOST_TEST(tag.find("__") == std::string("n_2d1").size());
      BOOST_TEST(tag.find("__", tag.find("__") + 2) == std::string::npos);
      BOOST_TEST(std::count(seen.begin(), seen.end(), tag) == 0);
    }
    seen.push_back(tag);
  }
}

BOOST_AUTO_TEST_CASE(records_carry_their_attributes_and_the_built_ins) {
  auto n = names("siteseek:", "ex", 1);
  auto d = section("guide/a.html#x", "A", "X", "text", {{"channel", "Beta (rc1)"}, {"channel", "b"}});
  auto add = add_command(Dialect::v1, n, d, 1.0);
  BOOST_TEST(has(add, {"attrs", "channel__,channel___42eta_20_28rc1_29,channel__b,type__,type__section,area__,area__guide"}));
  BOOST_TEST(has(add, {"page", "https_3a_2f_2fdocs_2eexample_2eorg_2fguide_2fa_2ehtml"}));
  // A record's own type and area replace the built-ins; a page at the root is in no area.
  auto own = page("about.html", "About", "", {{"type", "api"}});
  BOOST_TEST(has(add_command(Dialect::v2, n, own, 1.0), {"attrs", "type__,type__api"}));
}

BOOST_AUTO_TEST_CASE(filters_become_tag_tests) {
  auto s = site();
  auto filter = [&](const std::string& f) { return translate(req("install", f), s).filter; };
  BOOST_TEST(filter("version:3.12") == "@attrs:{version__3_2e12}");
  BOOST_TEST(filter("version:3.12 AND (area:library OR area:tutorial) AND NOT type:section") ==
             "(@attrs:{version__3_2e12} @attrs:{area__library|area__tutorial} (-@attrs:{type__section}))");
  BOOST_TEST(filter("NOT type:section AND area:*") == "((-@attrs:{type__section}) @attrs:{area__})");  // not NOT (a b)
  BOOST_TEST(filter("version:*") == "@attrs:{version__}");
  BOOST_TEST(filter("NOT a:1 OR b:*") == "((-@attrs:{a__1})|@attrs:{b__})");  // 1.2 refuses (-a|b)
  BOOST_TEST(filter("NOT (a:1 OR b:2)") == "-@attrs:{a__1|b__2}");
  BOOST_TEST(filter("NOT NOT a:1") == "-(-@attrs:{a__1})");
  BOOST_TEST(filter("(a:1 b:2) OR c:3") == "((@attrs:{a__1} @attrs:{b__2})|@attrs:{c__3})");
  BOOST_TEST(filter("tag:\"it's, \\\"quoted\\\"\"") == "@attrs:{tag__it_27s_2c_20_22quoted_22}");
  // The filter restricts without scoring; no text, nothing to run.
  BOOST_TEST(translate(req("install", "a:1"), s).query() == "(install) ((@attrs:{a__1}) => {$weight: 0})");
  BOOST_TEST(translate(req("install"), s).query() == "install");
  BOOST_TEST(translate(req("{}", "a:1"), s).query().empty());
  // @name:value in the query is a filter too, AND-ed with the request's.
  BOOST_TEST(translate(req("install @version:3.12"), s).filter == "@attrs:{version__3_2e12}");
  BOOST_TEST(translate(req("install @version:3.12"), s).text == "install");
  BOOST_TEST(translate(req("install -@version:3.12 @lang:*", "type:page"), s).filter ==
             "((-@attrs:{version__3_2e12}) @attrs:{lang__} @attrs:{type__page})");
  // Syntax errors are the embedded engine's, with their position.
  BOOST_TEST(error_of([&] { translate(req("install", "version:3.12 AND"), s); }) ==
             "invalid_filter: filters: expected an attribute test (name:value) at position 17");
}

BOOST_AUTO_TEST_CASE(the_site_index_knows_names_and_the_readers_context) {
  auto s = site();
  s.context_attributes = {"version"};
  AppSettings app;
  app.sites = {s};
  Engine engine(app);
  const auto index = engine.build("ex", versioned());
  auto with = [&](SearchRequest r) { return translate(r, s, Dialect::v1, index.get()); };
  BOOST_TEST(error_of([&] { with(req("lumen", "verison:1.0")); }) ==
             "invalid_filter: filters: no record has the attribute \"verison\" at position 1");
  BOOST_TEST(error_of([&] { with(req("lumen @verison:1.0")); }).starts_with("invalid_query: unknown field '@verison:'"));
  BOOST_TEST(error_of([&] { with(req("lumen", "version:9.9")); }) == "no error");  // a value nobody has matches nothing
  // Without the index nothing is known: the test matches nothing.
  BOOST_TEST(translate(req("lumen", "verison:1.0"), s).filter == "@attrs:{verison__1_2e0}");
  // The reader's page gives its version; a filter naming version replaces it.
  auto r = req("lumen");
  r.from_url = root + "fr/1.0/config.html#env";
  auto t = with(r);
  BOOST_TEST(t.filter == "@attrs:{version__1_2e0}");
  BOOST_REQUIRE(t.context.size() == 1u);
  BOOST_TEST(t.context[0].value == "1.0");
  r.filters = "version:*";
  BOOST_TEST(with(r).context.empty());
  BOOST_TEST(with(r).filter == "@attrs:{version__}");
  BOOST_TEST(translate(req("lumen"), s).context.empty());
}

BOOST_AUTO_TEST_CASE(facets_are_an_aggregate_of_the_same_query) {
  auto s = site();
  const auto n = names("siteseek:", "ex", 0);
  auto r = req("lumen");
  r.facets = {"version", "area"};
  auto cmd = search_command(Dialect::v1, n, "lumen", r, s);
  // Pages counted once (distinct), only the asked names' rows; the script checks the schema.
  BOOST_TEST(has(cmd, {"lumen", "310", "0", "100", "1", "2", "15", "APPLY",
                       "split(@attrs)", "AS", "a", "GROUPBY", "1", "@a", "REDUCE", "COUNT_DISTINCT", "1", "@page",
                       "AS", "n", "FILTER",
                       "substr(@a, 0, 9) == \"version__\" || substr(@a, 0, 6) == \"area__\"", "", "lumen", "0", "0", "0", "RETURN"}));
  r.distinct = false;
  BOOST_TEST(has(search_command(Dialect::v1, n, "lumen", r, s), {"REDUCE", "COUNT", "0", "AS", "n"}));
  BOOST_TEST(has(search_command(Dialect::v1, n, "lumen", req("lumen"), s, true), {"1", "2", "0", "", "lumen", "0", "0", "0", "RETURN"}));

  // The rows: counts as integers or strings, name tags (version__) and other names ignored.
  auto row = [](const std::string& tag, RedisReply count) { return array({str("a"), str(tag), str("n"), count}); };
  auto agg = array({integer(4), row("version__1_2e0", str("4")), row("version__2_2e0", integer(5)),
                    row("version__", integer(9)), row("version__0_2e9", integer(4)), row("area__guide", integer(2))});
  auto reply = array({integer(9), integer(9), integer(9), agg});
  r.facets = {"version", "nothing"};
  BOOST_TEST(facets_text(parse_search_reply(reply, r, s)) == "version: 2.0=5 0.9=4 1.0=4; nothing:; ");
  // At most 100 values, the rest counted in `more`.
  std::vector<RedisReply> many{integer(120)};
  for (int i = 0; i < 120; ++i) many.push_back(row(attribute_tag("v", std::to_string(1000 + i)), integer(1 + i % 3)));
  reply.elements[3] = array(many);
  r.facets = {"v"};
  auto f = parse_search_reply(reply, r, s).facets.at(0);
  BOOST_TEST(f.values.size() == limits::max_facet_values);
  BOOST_TEST(f.more == 20u);
  BOOST_TEST(f.values[0].count == 3u);
  BOOST_TEST(f.values[0].value == "1002");
}

BOOST_AUTO_TEST_CASE(an_index_without_attributes_refuses_filters) {
  RedisReply outdated;
  outdated.type = RedisReply::Type::error;
  outdated.str = "siteseek_outdated_index";
  auto e = error_of([&] { parse_search_reply(outdated, req("x", "a:1"), site()); });
  BOOST_TEST(e.starts_with("no_index: the RediSearch index of site 'ex' was built by an older siteseek"), e);
  // A landing page is pinned only when the filter keeps it.
  auto s = site();
  s.landing_pages = {{"x", root + "a.html"}};
  const auto t = translate(req("x", "a:1"), s);
  BOOST_TEST(t.pins == std::vector<std::string>{root + "a.html"});
  BOOST_TEST(t.pin_query() == "@id:{https\\:\\/\\/docs\\.example\\.org\\/a\\.html} (@attrs:{a__1})");
  const auto cmd = search_command(Dialect::v2, names("siteseek:", "ex", 0), t, req("x", "a:1"), s);
  BOOST_TEST(has(cmd, {t.pin_query(), "(" + t.query() + ")|(@id:{https\\:\\/\\/docs\\.example\\.org\\/a\\.html})", "1", root + "a.html", "0", "0", "RETURN"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(filter_live, *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
  return boost::unit_test::assertion_result(std::filesystem::exists(module_path));
}))

// The same documents in both engines: every filter keeps the same records, so the totals (of
// records, or of pages when distinct) and facet counts are equal; so is the reader's context.
BOOST_AUTO_TEST_CASE(totals_and_facets_equal_the_embedded_engines) {
  test::RedisServer server({"--loadmodule", module_path});
  RediSearchBackend backend(parse_redis_url(server.url()));
  auto s = site();
  s.context_attributes = {"version"};
  const auto docs = versioned();
  backend.index(s, docs);
  AppSettings app;
  app.sites = {s};
  Engine embedded(app);
  embedded.publish("ex", embedded.build("ex", docs));
  const auto vocabulary = embedded.current("ex");

  const std::vector<std::string> filters = {
      "",
      "version:1.0",
      "version:2.0 AND language:fr",
      "version:2.0 AND NOT type:section",
      "(version:1.0 OR version:2.0) language:en",
      "NOT version:1.0",
      "NOT language:en OR NOT type:page",
      "NOT (version:2.0 AND language:fr)",
      "NOT NOT area:en",
      "NOT type:section AND area:*",
      "NOT channel:* version:2.0 language:en",
      "channel:*",
      "NOT channel:*",
      "area:*",
      "NOT area:*",
      "channel:\"Beta (rc1)\"",  // values are compared exactly: case matters
      "channel:\"beta (rc1)\"",
      "channel:BETA",
      "channel:\"a,b\"",
      "channel:\"x:y \\\"q\\\"\"",
      "channel:naïve OR channel:the",
      "in:x AND NOT channel:the",
      "type:section (area:fr OR channel:\"a,b\")",
      "version:9.9",
  };
  for (bool distinct : {false, true})
    for (const auto& f : filters) {
      BOOST_TEST_CONTEXT((distinct ? "distinct, " : "records, ") << "filters=" << f) {
        auto r = req("lumen", f);
        r.distinct = distinct;
        // Distinct pages count a page once per value any of its matching records has (the
        // embedded engine: its best record's), the same for attributes a page's records share.
        r.facets = distinct ? std::vector<std::string>{"version", "language", "area", "channel", "in"}
                            : std::vector<std::string>{"type", "version", "area", "channel"};
        const auto a = backend.search(s, r, vocabulary.get());
        const auto b = embedded.search(r);
        BOOST_TEST(a.total == b.total);
        BOOST_TEST(a.results.size() == b.results.size());
        BOOST_TEST(facets_text(a) == facets_text(b));
      }
    }
  // The query's @name:value (and an exclusion first: not NOT (source lumen install)), and the
  // reader's context.
  for (std::string q : {"lumen @version:2.0", "lumen -@language:en", "lumen @channel:*", "-source lumen install"}) {
    BOOST_TEST_CONTEXT(q) { BOOST_TEST(backend.search(s, req(q), vocabulary.get()).total == embedded.search(req(q)).total); }
  }
  auto r = req("lumen");
  r.from_url = root + "fr/2.0/migrate.html";
  auto a = backend.search(s, r, vocabulary.get());
  BOOST_TEST(a.total == embedded.search(r).total);
  BOOST_TEST(a.total == 6u);  // the 2.0 pages of both languages
  BOOST_REQUIRE(a.context.size() == 1u);
  BOOST_TEST(a.context[0].value == "2.0");
  r.filters = "version:*";
  BOOST_TEST(backend.search(s, r, vocabulary.get()).total == embedded.search(r).total);
  // Unknown names: the embedded engine's errors.
  BOOST_TEST(error_of([&] { backend.search(s, req("lumen", "verison:1.0"), vocabulary.get()); }) ==
             error_of([&] { embedded.search(req("lumen", "verison:1.0")); }));
}

BOOST_AUTO_TEST_CASE(landing_pages_filters_async_and_older_indexes) {
  test::RedisServer server({"--loadmodule", module_path});
  boost::asio::io_context io;  // before the backend: its client, attached below, uses it until destroyed
  RediSearchBackend backend(parse_redis_url(server.url()));
  auto s = site();
  s.landing_pages = {{"start here", root + "fr/2.0/migrate.html"}};
  backend.index(s, versioned());
  BOOST_TEST(backend.search(s, req("start here")).results.at(0).url == root + "fr/2.0/migrate.html");
  BOOST_TEST(backend.search(s, req("start here", "language:fr")).results.at(0).url == root + "fr/2.0/migrate.html");
  BOOST_TEST(backend.search(s, req("start here", "language:en")).results.empty());
  auto faceted = req("start here", "language:fr");
  faceted.facets = {"language"};
  BOOST_TEST(facets_text(backend.search(s, faceted)) == "language: fr=1; ");  // the pinned page, matching nothing

  // The same search, not blocking.
  backend.attach(io);
  std::optional<SearchResponse> answer;
  backend.search_async(s, req("lumen", "version:1.0 language:en"), [&](std::exception_ptr e, SearchResponse r) {
    BOOST_TEST(!e);
    answer = std::move(r);
  });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!answer && std::chrono::steady_clock::now() < until) io.run_one_for(std::chrono::milliseconds(50));
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->total == 3u);  // install, Install and config, distinct pages

  // An index an older siteseek built (no schema key) is rebuilt at start and refuses what needs
  // attributes until then; a plain search still answers.
  RedisConnection c(parse_redis_url(server.url()));
  c.command({"DEL", names("siteseek:", "ex", 0).schema}).check();
  BOOST_TEST(!backend.has_index("ex"));
  BOOST_TEST(backend.search(s, req("lumen")).total > 0u);
  BOOST_TEST(error_of([&] { backend.search(s, req("lumen", "version:1.0")); }).starts_with("no_index: "));
  auto facets_only = req("lumen");
  facets_only.facets = {"version"};
  BOOST_TEST(error_of([&] { backend.search(s, facets_only); }).starts_with("no_index: "));
  backend.index(s, versioned());
  BOOST_TEST(backend.has_index("ex"));
  BOOST_TEST(backend.search(s, req("lumen", "version:1.0")).total == 5u);
}

BOOST_AUTO_TEST_SUITE_END()
