// The RediSearch backend. Part 1 needs no server: the commands each dialect gets (1.2 and 2.x),
// the query translation and reply parsing. Part 2 runs against a real redis-server with Debian's
// RediSearch 1.2 module on a free loopback port: index, search, swap, landing pages, outages.
// Sub-results and several sites are refused (RequestError "unsupported_parameter"), without a
// server. Filters and facets: filters_test.cpp.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>

#include "../../support/redis_server.hpp"
#include "replies.hpp"
#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/redisearch.hpp"

using namespace siteseek;
using namespace siteseek::redisearch;
using namespace siteseek::test;

namespace {

SiteSettings site() {
  SiteSettings s;
  s.name = "ex";
  s.url = "https://docs.example.org/";
  s.directory = std::string(SITESEEK_TEST_FIXTURES) + "/html/site";
  s.title_separators = {" | "};
  s.synonyms = {{"setup", "install"}, {"config file", "settings"}};
  return s;
}

bool has(const RedisCommand& cmd, std::initializer_list<std::string_view> seq) {
  return std::search(cmd.begin(), cmd.end(), seq.begin(), seq.end(),
                     [](const std::string& a, std::string_view b) { return a == b; }) != cmd.end();
}

SearchRequest req(const std::string& q) {
  SearchRequest r;
  r.q = q;
  r.site = "ex";
  r.num = 10;
  return r;
}

RedisReply hit_fields(const std::string& url, const std::string& title, const std::string& body) {
  return array({str("url"), str(url), str("title"), str(title), str("body"), str(body), str("hierarchy"), str("[\"Docs\"]")});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(commands)

BOOST_AUTO_TEST_CASE(versions_and_dialects) {
  auto list = array({array({str("name"), str("ft"), str("ver"), integer(10202)})});
  BOOST_TEST(module_version(list) == 10202);
  BOOST_TEST((dialect_for(10202) == Dialect::v1));
  BOOST_TEST((dialect_for(20806) == Dialect::v2));
  BOOST_TEST(module_version(array({array({str("name"), str("search"), str("ver"), integer(20806)})})) == 20806);
  BOOST_TEST(module_version(array({})) == 0);
  BOOST_CHECK_THROW(dialect_for(0), RedisError);
}

BOOST_AUTO_TEST_CASE(v1_index_commands) {
  auto n = names("siteseek:", "ex", 7);
  BOOST_TEST(n.index == "siteseek:rs:ex:7");
  BOOST_TEST(n.current == "siteseek:rs:ex:current");
  auto s = site();
  auto create = create_commands(Dialect::v1, n, s);
  BOOST_REQUIRE(create.size() == 2u);  // the phrase synonym group is left out
  BOOST_TEST(create[0][0] == "FT.CREATE");
  BOOST_TEST(!has(create[0], {"ON", "HASH"}));
  BOOST_TEST(has(create[0], {"title", "TEXT", "WEIGHT", "10"}));
  BOOST_TEST(has(create[0], {"body", "TEXT", "WEIGHT", "1.5"}));
  BOOST_TEST(has(create[0], {"hierarchy", "TEXT", "NOINDEX"}));
  BOOST_TEST(has(create[0], {"attrs", "TAG", "SEPARATOR", ",", "SORTABLE"}));
  BOOST_TEST(has(create[0], {"page", "TEXT", "NOINDEX", "SORTABLE"}));
  BOOST_TEST((create[1] == RedisCommand{"FT.SYNADD", "siteseek:rs:ex:7", "setup", "install"}));
  Document d;
  d.id = d.url = "https://docs.example.org/a.html#x";
  d.title = "A";
  d.body = "text";
  d.hierarchy = {"Docs", "Sub"};
  auto add = add_command(Dialect::v1, n, d, 0.5);
  BOOST_TEST(add[0] == "FT.ADD");
  BOOST_TEST(add[2] == "siteseek:rs:ex:7:https://docs.example.org/a.html#x");
  BOOST_TEST(add[3] == "0.500000");
  BOOST_TEST(has(add, {"hierarchy", "[\"Docs\",\"Sub\"]"}));
  BOOST_TEST(!has(add, {"section_title"}));  // empty fields are left out
  BOOST_TEST(has(add, {"page", "https_3a_2f_2fdocs_2eexample_2eorg_2fa_2ehtml"}));
  BOOST_TEST(has(add, {"attrs", "type__,type__page"}));  // no area: a page at the root
  BOOST_TEST((swap_command(Dialect::v1, n) == RedisCommand{"SET", n.current, n.index}));
  BOOST_TEST((drop_command(Dialect::v1, n.index) == RedisCommand{"FT.DROP", n.index}));
}

BOOST_AUTO_TEST_CASE(v2_index_commands) {
  auto n = names("siteseek:", "ex", 7);
  auto s = site();
  auto create = create_commands(Dialect::v2, n, s);
  BOOST_TEST(has(create[0], {"FT.CREATE", "siteseek:rs:ex:7", "ON", "HASH", "PREFIX", "1", "siteseek:rs:ex:7:"}));
  BOOST_TEST(has(create[0], {"SCORE_FIELD", "__score"}));
  BOOST_TEST(has(create[0], {"LANGUAGE", "english"}));
  BOOST_TEST((create[1] == RedisCommand{"FT.SYNUPDATE", "siteseek:rs:ex:7", "g0", "setup", "install"}));
  Document d;
  d.id = d.url = "https://docs.example.org/a.html";
  d.title = "A";
  auto add = add_command(Dialect::v2, n, d, 2.0);
  BOOST_TEST((RedisCommand(add.begin(), add.begin() + 4) ==
              RedisCommand{"HSET", "siteseek:rs:ex:7:https://docs.example.org/a.html", "__score", "1.000000"}));
  BOOST_TEST((swap_command(Dialect::v2, n) == RedisCommand{"FT.ALIASUPDATE", n.current, n.index}));
  BOOST_TEST((drop_command(Dialect::v2, n.index) == RedisCommand{"FT.DROPINDEX", n.index, "DD"}));
  auto q = search_command(Dialect::v2, n, "x", req("x"), s);
  BOOST_TEST(q[0] == "EVAL");
  BOOST_TEST(q[2] == "1");
  BOOST_TEST(q[3] == n.schema);
  BOOST_TEST(q[4] == n.current);  // the alias, searched by name
  // Query, ids fetched for 10 distinct pages, start, num, distinct, no schema needed, no aggregate.
  // Then no pins (pin query, content query, count), no boosts, no hide counts.
  BOOST_TEST(has(q, {"x", "40", "0", "10", "1", "", "0", "", "x", "0", "0", "0", "RETURN"}));
  BOOST_TEST(has(q, {"LIMIT", "0", "10"}));
  auto q1 = search_command(Dialect::v1, n, "x", req("x"), s);
  BOOST_TEST(q1[2] == "2");  // the schema and pointer keys, read in the same step
  BOOST_TEST(q1[3] == n.schema);
  BOOST_TEST(q1[4] == n.current);
}

BOOST_AUTO_TEST_CASE(query_translation) {
  auto s = site();
  auto t = [&](const std::string& q, bool prefix = false) {
    auto r = req(q);
    r.prefix = prefix;
    return translate_query(r, s);
  };
  BOOST_TEST(t("path join") == "path join");
  BOOST_TEST(t("os.path.join") == "\"os path join\"");  // a dotted identifier: its parts side by side
  BOOST_TEST(t("\"exact words\" -draft") == "\"exact words\" (-draft)");
  BOOST_TEST(t("-draft \"exact words\"") == "(-draft) \"exact words\"");  // 1.2 reads `-a b` as NOT (a b)
  BOOST_TEST(t("a | b") == "(a|b)");
  BOOST_TEST(t("@title:install") == "@title:(install|%install%)");
  BOOST_TEST(t("inst", true) == "inst*");
  BOOST_TEST(t("instal", true) == "(instal*|%instal%)");
  BOOST_TEST(t("setup", true) == "(setup|%setup%)");  // a synonym is searched whole: RediSearch maps words
  BOOST_TEST(t("x", true) == "x");  // RediSearch wants 2 characters before '*'
  BOOST_TEST(t("installs") == "(installs|%installs%)");
  BOOST_TEST(t("configuration") == "(configuration|%configuration%)");  // 1.2: one edit at most
  auto two = req("configuration");
  two.prefix = false;
  BOOST_TEST(translate_query(two, s, Dialect::v2) == "(configuration|%%configuration%%)");
  BOOST_TEST(t("12345") == "12345");  // no typos on numbers
  // The words framing a question are left out, as the embedded engine makes them optional.
  BOOST_TEST(t("list vs dict") == "list dict");
  {  // what explain calls optional, as the embedded engine does
    auto r = req("the list vs dict");
    r.prefix = false;
    BOOST_TEST(translate(r, s, Dialect::v2, nullptr).optional_words == (std::vector<std::string>{"the", "vs"}),
               boost::test_tools::per_element());
    r.q = "the of";
    BOOST_TEST(translate(r, s, Dialect::v2, nullptr).optional_words.empty());
  }
  BOOST_TEST(t("days between two dates") == "days (between|%between%) two (dates|%dates%)");
  BOOST_TEST(t("-only") == "only");   // exclusions only: their words are searched
  BOOST_TEST(t("--verbose") == "(verbose|%verbose%)");  // a flag is text, its dashes no syntax
  BOOST_TEST(t("python -m venv -pip") == "(python|%python%) m venv (-pip)");
  BOOST_TEST(t("[]<>{}") == "");
  BOOST_TEST(t("x*y) (c") == "\"x y\" c");  // punctuation never reaches RediSearch's parser
  // 1.2 refuses a stop word inside a phrase: it is left out, as RediSearch indexed none.
  BOOST_TEST(t("built-in functions") == "(built|%built%) (functions|%functions%)");
  BOOST_TEST(t("\"the read of a file\"") == "\"read file\"");
  BOOST_TEST(t("\"the\" x") == "x");
  auto r = req("install");
  r.typo = false;
  r.prefix = false;
  r.from_url = "https://docs.example.org/guide/x.html";
  BOOST_TEST(translate_query(r, s) == "((@section:{guide}) => {$weight: 1.3} install) | install");

  // With the site's embedded index: a word 3 documents hold is taken as typed (the embedded
  // engine's rule); a rarer or unknown word keeps its fuzzy variant.
  AppSettings app;
  app.sites = {s};
  Engine engine(app);
  std::vector<Document> docs;
  for (int i = 0; i < 3; ++i) {
    Document d;
    d.id = d.url = "https://docs.example.org/p" + std::to_string(i) + ".html";
    d.title = "Installs";
    d.body = i == 0 ? "configuration" : "other words";
    docs.push_back(d);
  }
  auto vocabulary = engine.build("ex", docs);
  auto typed = [&](const std::string& q) {
    auto r = req(q);
    r.prefix = false;
    return translate_query(r, s, Dialect::v2, vocabulary.get());
  };
  BOOST_TEST(typed("installs") == "installs");
  BOOST_TEST(typed("configuration") == "(configuration|%%configuration%%)");
  BOOST_TEST(typed("zanzibar") == "(zanzibar|%zanzibar%)");
  BOOST_TEST(typed("installs zanzibar") == "installs (zanzibar|%zanzibar%)");
}

BOOST_AUTO_TEST_CASE(replies_become_responses) {
  auto s = site();
  // The search script's reply: 3 records matched, 2 distinct pages among the 3 fetched, no
  // facets, no pins, boosts or hide counts, the FT.SEARCH of the chosen page (out of order:
  // ties), then the chosen ids in rank order.
  auto ft = array({integer(2), str("k3"), hit_fields("https://d/b.html", "B", std::string(300, 'w')),
                   str("k1"), hit_fields("https://d/a.html", "\x01" "A" "\x02" " <x>", "body \x01" "a" "\x02")});
  auto reply = array({integer(3), integer(2), integer(3), integer(0), array({}), array({}), array({}), ft, str("k1"), str("k3")});
  auto r = parse_search_reply(reply, req("a"), s);
  BOOST_TEST(r.total == 2u);  // distinct pages, exact: every record was fetched
  BOOST_REQUIRE(r.results.size() == 2u);
  BOOST_TEST(r.results[0].url == "https://d/a.html");  // phase one's order
  BOOST_TEST(r.results[0].title == "<b>A</b> &lt;x&gt;");
  BOOST_TEST(r.results[0].body == "body <b>a</b>");
  BOOST_TEST(r.results[0].hierarchy.at(0) == "Docs");
  BOOST_TEST(r.results[1].body.size() < 300u);  // no match: the start, cut
  auto custom = req("a");
  custom.highlight_pre_tag = "<em>";
  custom.highlight_post_tag = "</em>";
  BOOST_TEST(parse_search_reply(reply, custom, s).results[0].body == "body <em>a</em>");
  // A pin (or the landing page) the script put first: it matched, so its page left the
  // ranking (1 distinct page left) and the total counts it once.
  auto with_pin = array({integer(3), integer(1), integer(3), integer(0), array({array({str("k3"), integer(1), str("")})}),
                         array({}), array({}), ft, str("k3"), str("k1")});
  auto pinned = parse_search_reply(with_pin, req("a"), s);
  BOOST_TEST(pinned.results.at(0).url == "https://d/b.html");
  BOOST_TEST(pinned.results.size() == 2u);
  BOOST_TEST(pinned.total == 2u);
  with_pin.elements[4].elements[0].elements[1] = integer(0);  // it did not match: counted once more
  with_pin.elements[1] = integer(2);
  BOOST_TEST(parse_search_reply(with_pin, req("a"), s).total == 3u);
  // A partial fetch: the total is then RediSearch's record count.
  reply.elements[0] = integer(500);
  BOOST_TEST(parse_search_reply(reply, req("a"), s).total == 500u);
  // No index yet (the pointer is missing): nothing.
  BOOST_TEST(parse_search_reply(array({integer(0), integer(0), integer(0), integer(0)}), req("a"), s).results.empty());
  RedisReply err;
  err.type = RedisReply::Type::error;
  err.str = "Syntax error";
  BOOST_CHECK_THROW(parse_search_reply(err, req("a"), s), RedisError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(live, *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
  return boost::unit_test::assertion_result(std::filesystem::exists(module_path));
}))

BOOST_AUTO_TEST_CASE(index_search_and_swap_against_redisearch_1_2) {
  test::RedisServer server({"--loadmodule", module_path});
  RediSearchBackend backend(parse_redis_url(server.url()));
  BOOST_TEST((backend.dialect() == Dialect::v1));
  auto s = site();
  s.landing_pages = {{"start here", "https://docs.example.org/guide/install.html"}};
  BOOST_TEST(backend.search(s, req("install")).results.empty());  // nothing indexed yet: empty, no error
  BOOST_TEST(!backend.has_index("ex"));

  auto docs = read_directory(s.directory, s.url, s, {}).documents;
  backend.index(s, docs);
  BOOST_TEST(backend.has_index("ex"));
  BOOST_TEST(!backend.has_index("other"));
  auto r = backend.search(s, req("install"));
  BOOST_REQUIRE(!r.results.empty());
  BOOST_TEST(r.results[0].url == "https://docs.example.org/guide/install.html");
  BOOST_TEST(r.results[0].title == "<b>Install</b>");
  BOOST_TEST(r.results[0].body.find("<b>installer</b>") != std::string::npos, r.results[0].body);
  BOOST_TEST(backend.search(s, req("setup")).results.size() == r.results.size());  // synonym
  auto typo = req("instaler");  // one edit from "installer"
  typo.prefix = false;
  BOOST_TEST(backend.search(s, typo).results.size() >= 1u);
  BOOST_TEST(backend.search(s, req("start here")).results.at(0).url == "https://docs.example.org/guide/install.html");
  // Stop words inside phrases and hyphenated words, which 1.2's parser refuses, are left out.
  BOOST_TEST(backend.search(s, req("\"the installer\"")).results.size() >= 1u);
  BOOST_TEST(backend.search(s, req("run-the-installer")).results.size() >= 1u);
  BOOST_TEST(backend.search(s, req("\"the\" installer")).results.size() >= 1u);

  // Reindex: a new generation swapped in, the old one dropped.
  Document extra;
  extra.id = extra.url = "https://docs.example.org/zanzibar.html";
  extra.title = "Zanzibar";
  extra.body = "spice islands";
  docs.push_back(extra);
  backend.index(s, docs);
  BOOST_TEST(backend.search(s, req("zanzibar")).results.size() == 1u);
  RedisConnection c(parse_redis_url(server.url()));
  BOOST_TEST(c.command({"GET", "siteseek:rs:ex:current"}).str == "siteseek:rs:ex:2");
  BOOST_TEST(c.command({"FT.INFO", "siteseek:rs:ex:1"}).is_error());  // dropped
  BOOST_TEST(backend.has_index("ex"));

  // Same contract as the embedded engine: the same first result for the same query.
  AppSettings app;
  app.sites = {s};
  Engine embedded(app);
  embedded.publish("ex", embedded.build("ex", docs));
  BOOST_TEST(embedded.search(req("install")).results.at(0).url == backend.search(s, req("install")).results.at(0).url);

  c.command({"FT.DROP", "siteseek:rs:ex:2"});  // the index lost, the pointer left behind
  BOOST_TEST(!backend.has_index("ex"));
}

// Sub-results and several sites in one search are the embedded engine's: RediSearch refuses each
// with a code of its own and a message naming it, before asking Redis anything (no server here),
// blocking or not.
BOOST_AUTO_TEST_CASE(sub_results_and_several_sites_are_refused) {
  auto s = site();
  RediSearchBackend backend(parse_redis_url("redis://127.0.0.1:" + std::to_string(test::free_port()) + "/0"));
  std::vector<std::pair<std::string, SearchRequest>> asked;
  asked.emplace_back("sub_results", req("install"));
  asked.back().second.sub_results = 3;
  asked.emplace_back("several", req("install"));
  asked.back().second.site = "ex,other";
  for (const auto& [name, r] : asked) {
    BOOST_TEST_CONTEXT(name) {
      try {
        backend.search(s, r);
        BOOST_FAIL("accepted");
      } catch (const RequestError& e) {
        BOOST_TEST(e.code() == "unsupported_parameter");
        BOOST_TEST(std::string(e.what()).starts_with(name + " "));
      }
      std::exception_ptr error;
      backend.search_async(s, r, [&](std::exception_ptr e, SearchResponse) { error = e; });
      BOOST_REQUIRE(error);
      try {
        std::rethrow_exception(error);
      } catch (const RequestError& e) {
        BOOST_TEST(e.code() == "unsupported_parameter");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(redis_away_is_an_error_not_a_hang) {
  auto s = site();
  int port = test::free_port();
  RediSearchBackend backend(parse_redis_url("redis://127.0.0.1:" + std::to_string(port) + "/0"));
  try {
    backend.search(s, req("install"));
    BOOST_FAIL("no Redis, yet an answer");
  } catch (const RedisError& e) {
    BOOST_TEST(e.unavailable());
  }
  test::RedisServer plain;  // no module
  RediSearchBackend without(parse_redis_url(plain.url()));
  try {
    without.dialect();
    BOOST_FAIL("RediSearch found where there is none");
  } catch (const RedisError& e) {
    BOOST_TEST(std::string(e.what()).find("--loadmodule") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_SUITE_END()
