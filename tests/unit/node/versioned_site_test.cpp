// Issue 22's site with two versions and two languages, built by Docusaurus (the committed
// fixture tests/fixtures/generators/built/docusaurus-versioned) and indexed with no settings but
// the context attributes: filtered totals and facet counts are exactly what the ground truth its
// build wrote from the HTML says (versioned.json: which pages hold each word, each page's
// docsearch:version and docsearch:language).
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "siteseek/index.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

using namespace siteseek;
namespace json = boost::json;

namespace {

const std::string fixture = std::string(SITESEEK_TEST_FIXTURES) + "/generators";
const std::string base_url = "https://lumen.example.org/";

json::object truth() {
  std::ifstream in(fixture + "/versioned.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str()).as_object();
}

std::shared_ptr<const Index> versioned_index() {
  SiteSettings site;
  site.name = "lumen";
  site.url = base_url;
  site.context_attributes = {"version", "language"};
  auto result = read_directory(fixture + "/built/docusaurus-versioned", base_url, site);
  IndexBuilder builder(site);
  for (auto& d : result.documents) builder.add(std::move(d));
  return builder.build();
}

std::uint64_t total(const Index& index, const std::string& q, const std::string& filters) {
  SearchRequest r;
  r.q = q;
  r.filters = filters;
  return search_index(index, r).total;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(versioned_site)

BOOST_AUTO_TEST_CASE(filtered_totals_and_facets_are_exact) {
  const auto t = truth();
  const auto index = versioned_index();
  for (const auto& [word, counts_value] : t.at("counts").as_object()) {
    if (word == "pages") continue;
    const std::string q(word);
    const auto& counts = counts_value.as_object();
    BOOST_TEST(total(*index, q, "") == counts.at("total").as_int64(), q);
    SearchRequest faceted;
    faceted.q = q;
    faceted.facets = {"version", "language"};
    const auto r = search_index(*index, faceted);
    for (const std::string name : {"version", "language"}) {
      std::map<std::string, std::int64_t> want, got;
      for (const auto& [value, n] : counts.at(name).as_object())
        if (value != "(none)") want[std::string(value)] = n.as_int64();
      for (const auto& f : r.facets)
        if (f.name == name)
          for (const auto& v : f.values) got[v.value] = static_cast<std::int64_t>(v.count);
      BOOST_TEST((got == want), q << " facet " << name);
      for (const auto& [value, n] : want) BOOST_TEST(total(*index, q, name + ":" + value) == n, q << " " << name << ":" << value);
    }
    const auto& none = counts.at("version").as_object();
    BOOST_TEST(total(*index, q, "NOT version:*") == (none.contains("(none)") ? none.at("(none)").as_int64() : 0), q);
    for (const auto& [pair, n] : counts.at("version|language").as_object()) {
      const std::string p(pair);
      const auto bar = p.find('|');
      if (p.substr(0, bar) == "(none)") continue;
      BOOST_TEST(total(*index, q, "version:" + p.substr(0, bar) + " AND language:" + p.substr(bar + 1)) == n.as_int64(),
                 q << " " << p);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_readers_version_and_language) {
  const auto t = truth();
  const auto index = versioned_index();
  SearchRequest r;
  r.q = "lumen";
  r.from_url = base_url + "fr/docs/1.0/intro/";  // as a browser shows it, without index.html
  const auto kept = search_index(*index, r);
  BOOST_TEST(kept.total == t.at("counts").at("lumen").at("version|language").at("1.0|fr").as_int64());
  BOOST_REQUIRE(kept.context.size() == 2u);
  BOOST_TEST(kept.context[0].value == "1.0");
  BOOST_TEST(kept.context[1].value == "fr");
  for (const auto& x : kept.results) BOOST_TEST(x.url.find("/fr/docs/1.0/") != std::string::npos, x.url);
  r.filters = "version:*";  // every version (the home page has none), still in French
  const auto& lumen = t.at("counts").at("lumen");
  BOOST_TEST(search_index(*index, r).total ==
             lumen.at("language").at("fr").as_int64() - lumen.at("version|language").at("(none)|fr").as_int64());
  r.filters = "version:* OR NOT version:*";  // everything in French
  BOOST_TEST(search_index(*index, r).total == lumen.at("language").at("fr").as_int64());
}

BOOST_AUTO_TEST_SUITE_END()
