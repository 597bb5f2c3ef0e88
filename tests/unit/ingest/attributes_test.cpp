// Proves that every record of a page carries the page's attributes (docs/filters.md):
// 1. the site's URL rules: every rule that matches adds its attribute, $1..$9 replaced by its
//    captures; a value empty after that is nothing; compiled once for a run or per page alike;
// 2. DocSearch meta tags (docsearch:NAME): the name lowercased, comma-separated values each one;
// 3. Pagefind filters anywhere in the page (head, chrome, data-pagefind-ignore; not under
//    data-pagefind-ignore="all"): `key` (the element's text), `key:value` (to the end, commas
//    included), `key[attr]`, several per element; data-pagefind-meta's title is the page's title
//    and its other keys are not attributes;
// 4. <html lang> gives `language` (lowercased, '_' as '-'), else <body lang>;
// 5. precedence: a name an earlier source gave is not taken from a later one (URL rules, then
//    DocSearch, then Pagefind, then lang), while one source may give several values;
// 6. names lowercased and checked, values whitespace-collapsed, at most 128 bytes, at most 32
//    values per record: what fails is left out and counted; pairs once, sorted;
// 7. attributes are part of the content hash;
// 8. read_directory's report counts distinct values per name and the values left out, in its JSON
//    too (read back), and writes no `attributes` key when there is nothing to say.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "ingest/attributes.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/json.hpp"
#include "siteseek/settings.hpp"

using namespace siteseek;
namespace tt = boost::test_tools;

namespace {

using Attributes = std::vector<Attribute>;

SiteSettings site_with(std::vector<AttributeRule> rules = {}) {
  SiteSettings s;
  s.name = "ex";
  s.url = "https://docs.example.org/";
  s.attributes = std::move(rules);
  return s;
}

// A page with `head` and `body`, at `path`.
ExtractedPage page(const std::string& head, const std::string& body, const SiteSettings& site = site_with(),
                   const std::string& path = "p.html", const std::string& html_tag = "<html>") {
  auto p = extract_page(html_tag + "<head><title>T</title>" + head + "</head><body>" + body + "</body></html>",
                        "https://docs.example.org/" + path, site);
  BOOST_REQUIRE_MESSAGE(!p.documents.empty(), p.skip_reason);
  return p;
}

Attributes attributes_of(const ExtractedPage& p) { return p.documents.front().attributes; }

std::string describe(const Attributes& as) {
  std::string out;
  for (const auto& a : as) out += a.name + "=" + a.value + "; ";
  return out;
}

}  // namespace

namespace siteseek {
std::ostream& operator<<(std::ostream& o, const Attribute& a) { return o << a.name << "=" << a.value; }
}  // namespace siteseek

BOOST_AUTO_TEST_SUITE(attributes)

BOOST_AUTO_TEST_CASE(url_rules_with_captures) {
  const auto site = site_with({{"/docs/(\\d+\\.\\d+)/", "version", "$1"},
                               {"/docs/[^/]+/(api|guide)/", "area_name", "$1 pages"},
                               {"/docs/", "product", "widget"},
                               {"/docs/(x)?", "empty", "$1"},          // no capture: empty, nothing
                               {"/blog/", "kind", "post"},             // does not match
                               {"(", "broken", "x"}});                 // does not compile: left out
  const Attributes expected{{"area_name", "api pages"}, {"product", "widget"}, {"version", "3.12"}};
  BOOST_TEST(attributes_of(page("", "<p>x</p>", site, "docs/3.12/api/os.html")) == expected, tt::per_element());
  // Compiled once for a run (what read_directory and the crawler give): the same.
  ExtractOptions options;
  options.attribute_rules = compile_attribute_rules(site);
  auto p = extract_page("<title>T</title><p>x</p>", "https://docs.example.org/docs/3.12/api/os.html", site, options);
  BOOST_TEST(attributes_of(p) == expected, tt::per_element());
  BOOST_TEST(attributes_of(page("", "<p>x</p>", site, "about.html")).empty());
}

BOOST_AUTO_TEST_CASE(docsearch_meta_tags) {
  auto p = page(R"(<meta name="docsearch:version" content="3.12, 3.11 ,,">
                   <meta name="DocSearch:Language" content=" fr ">
                   <meta name="docsearch:docusaurus_tag" content="docs-default-current">
                   <meta name="description" content="not an attribute">
                   <meta name="docsearch:empty" content="">)",
                "<p>x</p>");
  const Attributes expected{
      {"docusaurus_tag", "docs-default-current"}, {"language", "fr"}, {"version", "3.11"}, {"version", "3.12"}};
  BOOST_TEST(attributes_of(p) == expected, tt::per_element());
}

BOOST_AUTO_TEST_CASE(pagefind_filters) {
  auto p = page(R"(<meta data-pagefind-filter="site[content]" content="Widget docs">)",
                R"(<nav><span data-pagefind-filter="author">Ada  Lovelace</span></nav>
                   <main><h1>T</h1><p data-pagefind-filter="author">Grace
                   Hopper</p>
                   <p data-pagefind-filter="kind:reference, guide" data-pagefind-ignore>inline</p>
                   <div data-x="a" data-y="b" data-pagefind-filter="tag[data-x], tag[data-y], tag[data-missing]">text</div>
                   <div data-pagefind-ignore="all"><span data-pagefind-filter="secret:yes">no</span></div>
                   <span data-pagefind-filter="Topic">Widgets</span></main>)");
  const Attributes expected{{"author", "Ada Lovelace"}, {"author", "Grace Hopper"}, {"kind", "reference, guide"},
                            {"site", "Widget docs"},    {"tag", "a"},            {"tag", "b"},
                            {"topic", "Widgets"}};
  BOOST_TEST(attributes_of(p) == expected, tt::per_element());
}

BOOST_AUTO_TEST_CASE(pagefind_capture_syntax) {
  using From = ingest_detail::PagefindCapture::From;
  auto c = ingest_detail::parse_pagefind_captures(" heading, tag[data-section] ,author:Freeform, to the end");
  BOOST_REQUIRE(c.size() == 3u);
  BOOST_TEST((c[0].key == "heading" && c[0].from == From::text));
  BOOST_TEST((c[1].key == "tag" && c[1].from == From::attribute && c[1].argument == "data-section"));
  BOOST_TEST((c[2].key == "author" && c[2].from == From::literal && c[2].argument == "Freeform, to the end"));
  BOOST_TEST(ingest_detail::parse_pagefind_captures(" , ").empty());
}

BOOST_AUTO_TEST_CASE(pagefind_meta_title) {
  auto p = page(R"(<meta property="og:title" data-pagefind-meta="title[content], image[content]" content="First">)",
                R"(<main><h1 data-pagefind-meta="title">Shown  Title</h1><p data-pagefind-meta="date:2024">x</p></main>)");
  BOOST_TEST(p.title == "Shown Title");  // the last one, as in Pagefind
  BOOST_TEST(p.documents.front().title == "Shown Title");
  BOOST_TEST(attributes_of(p).empty());  // meta keys are not attributes
}

BOOST_AUTO_TEST_CASE(html_lang) {
  BOOST_TEST((attributes_of(page("", "<p>x</p>", site_with(), "p.html", "<html lang=\"pt_BR\">")) ==
              Attributes{{"language", "pt-br"}}));
  // Only when no earlier source gave a language.
  auto p = page(R"(<meta name="docsearch:language" content="de">)", "<p>x</p>", site_with(), "p.html", "<html lang=en>");
  BOOST_TEST((attributes_of(p) == Attributes{{"language", "de"}}));
  // <body lang> when the root has none (Texinfo's pages), never over the root's.
  const auto body_lang = [](const std::string& html_tag) {
    return extract_page(html_tag + R"(<head><title>T</title></head><body lang="fr"><p>x</p></body></html>)", "https://docs.example.org/p.html",
                        site_with());
  };
  BOOST_TEST((attributes_of(body_lang("<html>")) == Attributes{{"language", "fr"}}));
  BOOST_TEST((attributes_of(body_lang("<html lang=\"en\">")) == Attributes{{"language", "en"}}));
}

BOOST_AUTO_TEST_CASE(precedence_by_name) {
  const auto site = site_with({{"/(\\d+)/", "version", "v$1"}});
  auto p = page(R"(<meta name="docsearch:version" content="meta">
                   <meta name="docsearch:tags" content="a,b">)",
                R"(<p data-pagefind-filter="version:filter, ">x</p><p data-pagefind-filter="tags:c">x</p>
                   <p data-pagefind-filter="language:it">x</p>)",
                site, "docs/2/p.html", "<html lang=en>");
  // version from the URL rule; tags from DocSearch (both of its values, not Pagefind's);
  // language from Pagefind, before <html lang>.
  const Attributes expected{{"language", "it"}, {"tags", "a"}, {"tags", "b"}, {"version", "v2"}};
  BOOST_TEST(attributes_of(p) == expected, tt::per_element());
}

BOOST_AUTO_TEST_CASE(limits_are_counted) {
  std::string head = R"(<meta name="docsearch:bad name" content="x"><meta name="docsearch:ok" content=")" +
                     std::string(129, 'v') + R"("><meta name="docsearch:ok" content=")" + std::string(128, 'w') + "\">";
  for (int i = 0; i < 40; ++i) head += R"(<meta name="docsearch:n)" + std::to_string(100 + i) + R"(" content="x">)";
  head += R"(<meta name="docsearch:n100" content="x">)";  // a pair twice is once
  auto p = page(head, R"(<p data-pagefind-filter="Ünïcode:x">x</p>)");
  BOOST_TEST(p.attributes_dropped.invalid_name == 2u);  // "bad name", "Ünïcode"
  BOOST_TEST(p.attributes_dropped.too_long == 1u);
  BOOST_TEST(p.attributes_dropped.too_many == 9u);  // 1 + 40 values, 32 kept
  const auto as = attributes_of(p);
  BOOST_TEST(as.size() == 32u);
  BOOST_TEST(std::is_sorted(as.begin(), as.end()));
  BOOST_TEST((as.front() == Attribute{"n100", "x"}));
  BOOST_TEST((as.back() == Attribute{"ok", std::string(128, 'w')}), describe(as));
}

BOOST_AUTO_TEST_CASE(every_record_of_the_page_and_the_hash) {
  const std::string body = R"(<main><h1>T</h1><p>intro</p><h2 id="a">A</h2><p>a</p><dl><dt id="f">f()</dt><dd>d</dd></dl></main>)";
  auto with = page(R"(<meta name="docsearch:version" content="1">)", body);
  auto without = page("", body);
  BOOST_REQUIRE(with.documents.size() == 3u);
  BOOST_REQUIRE(without.documents.size() == 3u);
  for (std::size_t i = 0; i < with.documents.size(); ++i) {
    BOOST_TEST((with.documents[i].attributes == Attributes{{"version", "1"}}));
    BOOST_TEST(with.documents[i].content_hash != without.documents[i].content_hash);
  }
}

BOOST_AUTO_TEST_CASE(report_counts_values_and_drops) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("siteseek-attributes-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& version) {
    std::ofstream(dir / name) << "<html lang=en><head><title>" << name << "</title><meta name=\"docsearch:version\" content=\""
                              << version << "\"><meta name=\"docsearch:Bad!\" content=\"x\"></head><body><p>x</p></body></html>";
  };
  write("a.html", "1");
  write("b.html", "2");
  write("c.html", "2");
  auto result = read_directory(dir.string(), "https://docs.example.org/", site_with());
  fs::remove_all(dir);
  const std::map<std::string, std::uint64_t> values{{"language", 1}, {"version", 2}};
  BOOST_TEST((result.report.attributes.values == values));
  BOOST_TEST(result.report.attributes.dropped.invalid_name == 3u);
  auto json = boost::json::value_from(result.report);
  BOOST_TEST(boost::json::serialize(json.at("attributes")) ==
             R"({"values":{"language":1,"version":2},"dropped":{"invalid_name":3,"too_long":0,"too_many":0}})");
  auto back = boost::json::value_to<IngestReport>(json);
  BOOST_TEST((back.attributes.values == values));
  BOOST_TEST((back.attributes.dropped == result.report.attributes.dropped));
  BOOST_TEST(!boost::json::value_from(IngestReport{}).as_object().contains("attributes"));
}

BOOST_AUTO_TEST_SUITE_END()
