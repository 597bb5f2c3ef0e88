// Filters, facets and context attributes (docs/filters.md): the expression language, exact totals
// under a filter, facet counts over every result, pins that respect the filter, the reader's
// page's context, and attributes through snapshots.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "index/index_data.hpp"
#include "search/filter.hpp"
#include "siteseek/analysis.hpp"
#include "siteseek/error.hpp"
#include "siteseek/search.hpp"
#include "small_site.hpp"

using namespace siteseek;
using namespace siteseek::test;

namespace {

Document with(Document d, std::vector<Attribute> attributes) {
  d.attributes = std::move(attributes);
  return d;
}

// Two versions of three pages (each with one section), in English and French.
std::vector<Document> versioned() {
  std::vector<Document> docs;
  for (std::string version : {"1.0", "2.0"})
    for (std::string lang : {"en", "fr"}) {
      const std::string base = lang + "/" + version + "/";
      const std::vector<Attribute> attrs{{"language", lang}, {"version", version}};
      docs.push_back(with(page(base + "install.html", "Install lumen", "install lumen with the package manager"), attrs));
      docs.push_back(with(section(base + "install.html#source", "Install lumen", "From source",
                                  "build lumen from source with make", 1),
                          attrs));
      docs.push_back(with(page(base + "config.html", "Configure lumen", "the lumen configuration file"), attrs));
      docs.push_back(with(section(base + "config.html#env", "Configure lumen", "Environment",
                                  "lumen reads environment variables", 1),
                          attrs));
      if (version == "2.0")
        docs.push_back(with(page(base + "migrate.html", "Migrate lumen", "migrate lumen from version one"), attrs));
    }
  return docs;
}

std::uint64_t count_of(const SearchResponse& r, const std::string& facet, const std::string& value) {
  for (const auto& f : r.facets)
    if (f.name == facet)
      for (const auto& v : f.values)
        if (v.value == value) return v.count;
  return 0;
}

std::string error_code(const Index& index, const SearchRequest& q) {
  try {
    search_index(index, q);
  } catch (const RequestError& e) {
    return std::string(e.code()) + ": " + e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(filters)

BOOST_AUTO_TEST_CASE(parses_the_expression_language) {
  using detail::parse_filter;
  BOOST_TEST(!parse_filter("   "));
  BOOST_TEST(detail::to_string(*parse_filter("version:3.12")) == "version:3.12");
  BOOST_TEST(detail::to_string(*parse_filter("version:3.12 AND (area:library OR area:tutorial) AND NOT type:section")) ==
             "version:3.12 AND (area:library OR area:tutorial) AND NOT type:section");
  // A space is AND; keywords in any case; OR binds loosest; quoted values keep spaces.
  BOOST_TEST(detail::to_string(*parse_filter("a:1 b:2 or c:3")) == "(a:1 AND b:2) OR c:3");
  BOOST_TEST(detail::to_string(*parse_filter("not a:1 and Tag:\"x y\"")) == "NOT a:1 AND tag:\"x y\"");
  BOOST_TEST(detail::to_string(*parse_filter("version:*")) == "version:*");
  BOOST_TEST(detail::to_string(*parse_filter("or:x")) == "or:x");  // a keyword is a name before ':'
}

BOOST_AUTO_TEST_CASE(syntax_errors_name_their_position) {
  auto message = [](std::string_view text) {
    try {
      detail::parse_filter(text);
    } catch (const RequestError& e) {
      BOOST_TEST(std::string(e.code()) == "invalid_filter");
      return std::string(e.what());
    }
    return std::string("no error");
  };
  BOOST_TEST(message("version:3.12 AND") == "filters: expected an attribute test (name:value) at position 17");
  BOOST_TEST(message("(a:1 OR b:2") == "filters: expected ')' to close the '(' at position 1 at position 12");
  BOOST_TEST(message("a:1)") == "filters: unmatched ')' at position 4");
  BOOST_TEST(message("version") == "filters: expected ':' after the attribute name \"version\" at position 8");
  BOOST_TEST(message("version:") == "filters: expected a value after \"version:\" (quote it if it has spaces or parentheses) at position 9");
  BOOST_TEST(message("ver$ion:1") == "filters: unexpected '$' in an attribute name (a-z, 0-9, _ and -) at position 4");
  BOOST_TEST(message("a:\"open") == "filters: unterminated quoted value at position 3");
  BOOST_TEST(message(std::string(40, '(') + "a:1" + std::string(40, ')')).find("nested deeper") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(totals_are_exact_under_a_filter) {
  auto index = build(versioned());
  SearchRequest q;
  q.q = "lumen";
  q.distinct = false;
  BOOST_TEST(search_index(*index, q).total == 18u);
  q.filters = "version:1.0";
  BOOST_TEST(search_index(*index, q).total == 8u);
  q.filters = "version:2.0 AND language:fr";
  auto r = search_index(*index, q);
  BOOST_TEST(r.total == 5u);
  for (const auto& x : r.results) BOOST_TEST(x.url.find("/fr/2.0/") != std::string::npos);
  q.filters = "version:2.0 AND NOT type:section";
  BOOST_TEST(search_index(*index, q).total == 6u);
  q.filters = "(version:1.0 OR version:2.0) language:en";
  BOOST_TEST(search_index(*index, q).total == 9u);
  q.filters = "version:9.9";  // a known attribute, a value nobody has
  BOOST_TEST(search_index(*index, q).total == 0u);
  // Two words, and paging: the pages add up to the total.
  q.q = "lumen install";
  q.filters = "language:en";
  q.num = 1;
  const auto total = search_index(*index, q).total;
  BOOST_TEST(total == 4u);
  std::set<std::string> seen;
  for (q.start = 0; q.start < total; ++q.start) seen.insert(search_index(*index, q).results.at(0).url);
  BOOST_TEST(seen.size() == total);
}

BOOST_AUTO_TEST_CASE(built_in_type_and_area) {
  auto index = build({page("guide/a.html", "Alpha", "common words"), section("guide/a.html#x", "Alpha", "X", "common words"),
                      page("api/b.html", "Beta", "common words"), page("index.html", "Home", "common words")});
  SearchRequest q;
  q.q = "common";
  q.distinct = false;
  q.filters = "area:api";
  BOOST_TEST(search_index(*index, q).total == 1u);
  q.filters = "type:section";
  BOOST_TEST(search_index(*index, q).total == 1u);
  q.filters = "NOT type:section";
  BOOST_TEST(search_index(*index, q).total == 3u);
  q.filters = "area:*";  // the page at the root is in no area
  BOOST_TEST(search_index(*index, q).total == 3u);
  BOOST_TEST(index->document(3).attributes.empty());
}

BOOST_AUTO_TEST_CASE(an_unknown_attribute_is_an_error) {
  auto index = build(versioned());
  SearchRequest q;
  q.q = "lumen";
  q.filters = "version:1.0 OR verison:2.0";
  BOOST_TEST(error_code(*index, q) == "invalid_filter: filters: no record has the attribute \"verison\" at position 16");
}

BOOST_AUTO_TEST_CASE(attributes_in_the_query_language) {
  auto index = build(versioned());
  SearchRequest q;
  q.distinct = false;
  q.q = "lumen @version:1.0";
  BOOST_TEST(search_index(*index, q).total == 8u);
  q.q = "@language:fr lumen -@version:1.0";
  BOOST_TEST(search_index(*index, q).total == 5u);
  q.q = "lumen @version:\"2.0\" @section:source";  // a field and an attribute together
  BOOST_TEST(search_index(*index, q).total == 2u);
  // The query's test names the attribute: the reader's context for it steps aside.
  auto s = site();
  s.context_attributes = {"version"};
  auto ctx = build(versioned(), s);
  q.q = "lumen @version:2.0";
  q.from_url = root + "en/1.0/install.html";
  auto r = search_index(*ctx, q);
  BOOST_TEST(r.total == 10u);
  BOOST_TEST(r.context.empty());
  q.from_url.clear();
  q.q = "lumen @verison:1.0";
  BOOST_TEST(error_code(*index, q) ==
             "invalid_query: unknown field '@verison:' (fields: title, section_title, body, url; attributes: area, language, type, version)");
}

BOOST_AUTO_TEST_CASE(records_are_analysed_in_their_language) {
  BOOST_TEST(snowball_for_tag("fr") == "french");
  BOOST_TEST(snowball_for_tag("pt_BR") == "portuguese");
  BOOST_TEST(snowball_for_tag("zh-cn") == "");
  auto index = build({with(page("fr/a.html", "Paquets", "installez les chevaux du paquet"), {{"language", "fr"}}),
                      with(page("en/a.html", "Packages", "installing the horses of the package"), {{"language", "en"}})});
  SearchRequest q;
  q.typo = false;
  q.prefix = false;
  // French stemming at indexing: chevaux is stored under cheval, which the site's English
  // stemmer would not have done.
  q.q = "cheval";
  BOOST_TEST(search_index(*index, q).total == 1u);
  // The query is analysed in the one language the search keeps to: installer is install in
  // French (installez), instal in English (installing); kept to none, in every language.
  q.q = "installer";
  auto r = search_index(*index, q);
  BOOST_TEST(r.total == 2u);
  q.filters = "language:en";
  r = search_index(*index, q);
  BOOST_REQUIRE(r.total == 1u);
  BOOST_TEST(r.results[0].url == root + "en/a.html");
  q.filters = "language:fr";
  r = search_index(*index, q);
  BOOST_REQUIRE(r.total == 1u);
  BOOST_TEST(r.results[0].url == root + "fr/a.html");
  BOOST_TEST(r.results[0].body.find("<b>installez</b>") != std::string::npos);  // highlighted as French
  q.filters.clear();
  q.q = "installer @language:fr";
  BOOST_TEST(search_index(*index, q).total == 1u);
}

BOOST_AUTO_TEST_CASE(facets_count_every_result) {
  auto index = build(versioned());
  SearchRequest q;
  q.q = "lumen";
  q.num = 2;
  q.facets = {"version", "language", "nothing"};
  auto r = search_index(*index, q);  // distinct by page: 10 pages
  BOOST_TEST(r.total == 10u);
  BOOST_REQUIRE(r.facets.size() == 3u);
  BOOST_TEST(r.facets[0].name == "version");
  BOOST_TEST(r.facets[0].values.at(0).value == "2.0");  // most frequent first
  BOOST_TEST(count_of(r, "version", "2.0") == 6u);
  BOOST_TEST(count_of(r, "version", "1.0") == 4u);
  BOOST_TEST(count_of(r, "language", "en") == 5u);
  BOOST_TEST(r.facets[2].values.empty());
  // Facets count under the filter, and without distinct every record.
  q.filters = "language:fr";
  q.distinct = false;
  r = search_index(*index, q);
  BOOST_TEST(r.total == 9u);
  BOOST_TEST(count_of(r, "version", "1.0") == 4u);
  BOOST_TEST(count_of(r, "language", "en") == 0u);
}

BOOST_AUTO_TEST_CASE(pins_respect_the_filter) {
  auto s = site();
  s.landing_pages.push_back({"lumen", root + "en/1.0/install.html"});
  auto index = build(versioned(), s);
  SearchRequest q;
  q.q = "lumen";
  BOOST_TEST(search_index(*index, q).results.at(0).url == root + "en/1.0/install.html");
  q.filters = "version:2.0";
  auto r = search_index(*index, q);
  BOOST_TEST(r.total == 6u);
  for (const auto& x : r.results) BOOST_TEST(x.url.find("/1.0/") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(context_keeps_to_the_readers_page) {
  auto s = site();
  s.context_attributes = {"version", "language"};
  auto index = build(versioned(), s);
  SearchRequest q;
  q.q = "lumen";
  q.from_url = root + "fr/1.0/config.html?x=1#env";
  auto r = search_index(*index, q);
  BOOST_TEST(r.total == 2u);
  BOOST_REQUIRE(r.context.size() == 2u);
  BOOST_TEST(r.context[0].name == "version");
  BOOST_TEST(r.context[0].value == "1.0");
  BOOST_TEST(r.context[1].value == "fr");
  // A filter on a context attribute replaces it; `name:*` widens to every value.
  q.filters = "version:*";
  r = search_index(*index, q);
  BOOST_TEST(r.total == 5u);
  BOOST_REQUIRE(r.context.size() == 1u);
  BOOST_TEST(r.context[0].name == "language");
  // A page the index does not hold: no context.
  q.filters.clear();
  q.from_url = "https://elsewhere.example/x.html";
  r = search_index(*index, q);
  BOOST_TEST(r.total == 10u);
  BOOST_TEST(r.context.empty());
}

BOOST_AUTO_TEST_CASE(attributes_survive_a_snapshot) {
  auto index = build(versioned());
  const auto path = (std::filesystem::temp_directory_path() / "siteseek-filter-test.snapshot").string();
  save_snapshot(*index, path);
  auto loaded = load_snapshot(path, site());
  std::filesystem::remove(path);
  BOOST_TEST(loaded->document(0).attributes == index->document(0).attributes);
  BOOST_TEST(loaded->document(0).attributes.size() == 2u);  // built-ins type and area are not repeated
  SearchRequest q;
  q.q = "lumen";
  q.filters = "version:2.0 language:en";
  q.facets = {"type"};
  BOOST_TEST(search_index(*loaded, q).total == search_index(*index, q).total);
  BOOST_TEST(count_of(search_index(*loaded, q), "type", "page") == 3u);
}

// A mapped snapshot's per-record tables that few searches read are checked whole at their first
// use, not at open: damage to one is refused by the search that reads it, naming it, while
// every other search still answers.
BOOST_AUTO_TEST_CASE(tables_few_searches_read_are_checked_at_their_first_use) {
  auto index = build(versioned());
  const auto path = (std::filesystem::temp_directory_path() / ("siteseek-tables-" + std::to_string(::getpid()) + ".snapshot")).string();
  save_snapshot(*index, path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Each table's place in the file, from where the loaded index views it (text is first).
  std::size_t norms_at = 0, record_attributes_at = 0, attribute_records_at = 0;
  {
    auto good = load_snapshot(path, site());
    const auto& d = good->data();
    const auto text_at = bytes.find(std::string(d.text.data(), 24));
    BOOST_REQUIRE(text_at != std::string::npos);
    const auto at = [&](const void* p) { return text_at + static_cast<std::size_t>(static_cast<const char*>(p) - d.text.data()); };
    BOOST_REQUIRE(!d.doc_attrs.empty());
    BOOST_REQUIRE(!d.attr_docs.empty());
    norms_at = at(d.inv_norm.data());
    record_attributes_at = at(d.doc_attrs.data());
    attribute_records_at = at(d.attr_docs.data());
  }
  SearchRequest plain;
  plain.q = "lumen";
  SearchRequest field = plain, faceted = plain, filtered = plain;
  field.q = "@title:lumen";
  faceted.facets = {"type"};
  filtered.filters = "version:2.0";
  const struct {
    std::size_t at;
    const SearchRequest& reads;
    const char* named;
  } cases[] = {{norms_at, field, "norms"}, {record_attributes_at, faceted, "records' attributes"},
               {attribute_records_at, filtered, "attributes' records"}};
  for (const auto& c : cases) {
    auto damaged = bytes;
    damaged[c.at] ^= 0x01;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << damaged;
    auto opened = load_snapshot(path, site());  // not read at open
    BOOST_TEST(search_index(*opened, plain).total == search_index(*index, plain).total);
    try {
      search_index(*opened, c.reads);
      BOOST_FAIL("a damaged table was read: " << c.named);
    } catch (const SnapshotError& e) {
      BOOST_TEST(std::string(e.what()).find(c.named) != std::string::npos, e.what());
    }
    BOOST_CHECK_THROW(search_index(*opened, c.reads), SnapshotError);  // and at every later read
    BOOST_CHECK_THROW(opened->verify(), SnapshotError);
  }
  std::filesystem::remove(path);
}

BOOST_AUTO_TEST_SUITE_END()
