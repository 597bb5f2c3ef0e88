// What these tests prove (GET /search's filters and facets parameters, through Router::handle):
// 1. filters= is passed on as sent, percent- and plus-decoded: totals are the filtered ones;
// 2. facets= is a comma-separated list: spaces around names, empty items and repeats are dropped,
//    the answer keeps the order asked; an empty facets= or filters= is no parameter at all;
// 3. each bad value is a 400 with its code: invalid_filter with the position, invalid_parameter
//    naming filters (too long) or facets (too many, a name that is not an attribute name).
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include <regex>
#include <string>
#include <vector>

#include "router.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/node.hpp"

using namespace siteseek;

namespace {

// Three pages and a section in two areas ("guide" and "api"), every one about "tool".
std::vector<Document> documents() {
  std::vector<Document> docs;
  for (auto [path, type] : {std::pair{"guide/start.html", DocumentType::page},
                            std::pair{"guide/start.html#install", DocumentType::section},
                            std::pair{"guide/config.html", DocumentType::page}, std::pair{"api/tool.html", DocumentType::page}}) {
    Document d;
    d.id = d.url = std::string("https://docs.example.org/") + path;
    d.title = "The tool";
    d.body = "All about the tool.";
    d.type = type;
    d.section_key = std::string(path).substr(0, std::string(path).find('/'));
    docs.push_back(d);
  }
  return docs;
}

struct Fixture {
  Fixture() : node(settings(), options()), router(node, 16 * 1024) { node.publish_documents("docs", documents()); }

  static AppSettings settings() {
    AppSettings app;
    SiteSettings site;
    site.name = "docs";
    site.url = "https://docs.example.org/";
    site.search.distinct_by_page = false;  // every record counts
    app.sites.push_back(site);
    return app;
  }
  static NodeOptions options() {
    NodeOptions o;
    o.persist = false;
    return o;
  }

  http::Response get(const std::string& target) {
    http::Request r;
    r.method = "GET";
    r.target = target;
    return router.handle(r);
  }
  boost::json::object ok(const std::string& target) {
    auto r = get(target);
    BOOST_TEST_INFO(target << ": " << r.body);
    BOOST_REQUIRE(r.status == 200u);
    return boost::json::parse(r.body).as_object();
  }
  // The error's code and message, for a request that must be a 400.
  std::pair<std::string, std::string> refused(const std::string& target) {
    auto r = get(target);
    BOOST_TEST_INFO(target << ": " << r.body);
    BOOST_TEST(r.status == 400u);
    const auto body = boost::json::parse(r.body);
    const auto& e = body.at("error");
    return {std::string(e.at("code").as_string()), std::string(e.at("message").as_string())};
  }

  Node node;
  http::Router router;
};

std::string without_took_ms(const std::string& body) { return std::regex_replace(body, std::regex("\"took_ms\":[0-9.]+"), ""); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(search_params, Fixture)

BOOST_AUTO_TEST_CASE(filters_are_decoded_and_applied) {
  BOOST_TEST(ok("/search?q=tool").at("total").as_int64() == 4);
  BOOST_TEST(ok("/search?q=tool&filters=area:guide").at("total").as_int64() == 3);
  BOOST_TEST(ok("/search?q=tool&filters=area:guide+AND+NOT+type:section").at("total").as_int64() == 2);
  BOOST_TEST(ok("/search?q=tool&filters=area%3Aapi%20OR%20type%3Asection").at("total").as_int64() == 2);
}

BOOST_AUTO_TEST_CASE(facets_are_a_comma_separated_list) {
  auto body = ok("/search?q=tool&facets=type,%20area,,type,");
  const auto& facets = body.at("facets").as_object();
  BOOST_REQUIRE(facets.size() == 2u);
  BOOST_TEST(facets.begin()->key() == "type");
  BOOST_TEST((facets.begin() + 1)->key() == "area");
  const auto& areas = facets.at("area").at("values").as_array();
  BOOST_REQUIRE(areas.size() == 2u);
  BOOST_TEST(areas[0].at("value").as_string() == "guide");
  BOOST_TEST(areas[0].at("count").as_int64() == 3);
  BOOST_TEST(areas[1].at("count").as_int64() == 1);
  // Empty parameters ask for nothing: the bytes of the plain answer.
  BOOST_TEST(without_took_ms(get("/search?q=tool&facets=&filters=").body) == without_took_ms(get("/search?q=tool").body));
}

BOOST_AUTO_TEST_CASE(bad_values_are_400_with_their_code) {
  auto [code, message] = refused("/search?q=tool&filters=type:page+AND");
  BOOST_TEST(code == "invalid_filter");
  BOOST_TEST(message == "filters: expected an attribute test (name:value) at position 14");
  std::tie(code, message) = refused("/search?q=tool&filters=" + std::string(limits::max_filter_length + 1, 'a'));
  BOOST_TEST(code == "invalid_parameter");
  BOOST_TEST(message.starts_with("filters is 2049 bytes"));
  std::string many = "a0";
  for (std::size_t i = 1; i <= limits::max_facets; ++i) many += ",a" + std::to_string(i);
  std::tie(code, message) = refused("/search?q=tool&facets=" + many);
  BOOST_TEST(code == "invalid_parameter");
  BOOST_TEST(message.starts_with("facets lists 17 attributes"));
  for (std::string bad : {"Type", "a%2Fb", "x%20y"}) {
    std::tie(code, message) = refused("/search?q=tool&facets=type," + bad);
    BOOST_TEST(code == "invalid_parameter");
    BOOST_TEST(message.starts_with("facets: \""), message);
  }
}

BOOST_AUTO_TEST_SUITE_END()
