// Proves:
// 1. a Sphinx page yields the page (title without suffix, body without h1, no chrome, scripts,
//    hidden elements or permalink signs; inline code kept together) and one section per h2 and
//    h3, anchored on the enclosing <section id>, with section bodies up to the next section (an
//    h3 holds the h2 it is under in its hierarchy); each definition (<dt id>) is a record of its
//    own, its id in the URL and its signature first, left out of the section it is in;
// 2. h3 sections when a page has no h2; anchors from the heading id or a permalink href;
//    headings without an anchor stay in the page; <base href> resolves links; DocBook pages
//    (no h1: the heading repeating the <title> is the page's, headings wrapped in title divs
//    take their division's id) split like the reference corpus does;
// 3. links: absolute, http(s) only, fragments dropped, rel=nofollow skipped; canonical URL;
// 4. skip rules: no title, 404 pages, robots noindex, title_contains, url_patterns;
// 5. non-UTF-8 pages declared in <meta> are converted; entities decoded;
// 6. content selectors with classes, attributes and descendants; breadcrumb selector;
// 7. huge and deeply nested pages parse without blowing up;
// 8. read_directory maps files to URLs, skips non-HTML and denied files, reports untitled pages,
//    and builds breadcrumbs from ancestor pages' titles;
// 9. records that are mostly link text (a table of contents, a "see also" list) get a lower
//    boost, down to boosts.link_list; prose with a few links keeps 1;
// 10. the links of the main content are kept apart (navigation and footers are not citations),
//    and every record learns how many other pages link to its page: once per linking page,
//    never itself, a directory URL being its index.html; read_directory counts them.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "siteseek/ingest.hpp"
#include "siteseek/settings.hpp"

using namespace siteseek;
namespace tt = boost::test_tools;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(SITESEEK_TEST_FIXTURES) + "/html/" + name, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "missing fixture " << name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

SiteSettings python_site() {
  SiteSettings s;
  s.name = "python";
  s.url = "https://docs.python.org/3/";
  s.content_selectors = {"div.body[role=main]"};
  s.title_separators = {" — "};
  return s;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(ingest)

BOOST_AUTO_TEST_CASE(sphinx_page_and_sections) {
  auto page = extract_page(fixture("sphinx.html"), "https://docs.python.org/3/library/pathlib.html", python_site());
  BOOST_TEST(page.skip_reason == "");
  BOOST_TEST(page.title == "pathlib — Object-oriented filesystem paths");
  // The page, then in text order: a definition, an h2, its definition, an h3, an h2 (the empty
  // heading is skipped).
  BOOST_REQUIRE(page.documents.size() == 6u);
  const auto& p = page.documents[0];
  BOOST_TEST((p.type == DocumentType::page));
  BOOST_TEST(p.url == "https://docs.python.org/3/library/pathlib.html");
  BOOST_TEST(p.section_key == "library");
  BOOST_TEST(contains(p.body, "This module offers classes representing filesystem paths & more."));
  BOOST_TEST(contains(p.body, "from pathlib import Path"));
  BOOST_TEST(contains(p.body, "Path.glob(pattern)"));  // inline spans are not split
  BOOST_TEST(contains(p.body, "class PurePath The base class. no id here Nothing."));  // the page holds everything
  BOOST_TEST(!contains(p.body, "Object-oriented filesystem paths"));  // the h1 is the title, not body
  for (const char* absent : {"script text", "color:red", "hidden text", "invisible text", "aria text", "¶", "Footer", "Home"}) {
    BOOST_TEST(!contains(p.body, absent), absent);
  }
  // Definitions (<dt id>) are records: the anchor in the URL, the signature first.
  const auto& pure = page.documents[1];
  BOOST_TEST(pure.url == "https://docs.python.org/3/library/pathlib.html#pathlib.PurePath");
  BOOST_TEST((pure.type == DocumentType::section));
  BOOST_TEST(pure.section_title == "class PurePath");
  BOOST_TEST(pure.body == "class PurePath The base class.");  // not the next <dt>, which has no id
  BOOST_TEST(pure.position == 1u);
  const auto& s1 = page.documents[2];
  BOOST_TEST((s1.type == DocumentType::section));
  BOOST_TEST(s1.url == "https://docs.python.org/3/library/pathlib.html#basic-use");
  BOOST_TEST(s1.section_title == "Basic use");
  BOOST_TEST(s1.title == page.title);
  BOOST_TEST(s1.position == 2u);
  BOOST_TEST(s1.body == "Importing the main class: from pathlib import Path");  // without its definition and h3
  const auto& glob = page.documents[3];
  BOOST_TEST(glob.url == "https://docs.python.org/3/library/pathlib.html#pathlib.Path.glob");
  BOOST_TEST(glob.section_title == "Path.glob(pattern)");
  BOOST_TEST(glob.body == "Path.glob(pattern) Glob the given pattern.");
  BOOST_TEST(glob.hierarchy == std::vector<std::string>{"Basic use"}, tt::per_element());
  const auto& sub = page.documents[4];
  BOOST_TEST(sub.url == "https://docs.python.org/3/library/pathlib.html#sub");
  BOOST_TEST(sub.body == "Sub text stays in Basic use.");
  BOOST_TEST(sub.hierarchy == std::vector<std::string>{"Basic use"}, tt::per_element());  // assign_hierarchy adds the rest
  BOOST_TEST(sub.position == 4u);
  const auto& s2 = page.documents[5];
  BOOST_TEST(s2.url == "https://docs.python.org/3/library/pathlib.html#pure-paths");
  BOOST_TEST(s2.body == "Pure path objects provide path-handling operations.");
  BOOST_TEST(s2.hierarchy.empty());
  BOOST_TEST(s2.position == 5u);
  BOOST_TEST(s1.content_hash != s2.content_hash);
  for (const auto& d : page.documents) BOOST_TEST(d.anchors.empty());  // each definition has its URL
}

BOOST_AUTO_TEST_CASE(docbook_pages) {
  SiteSettings site;
  site.name = "pg";
  site.url = "https://www.example.org/docs/15/";
  // A chunked sect1 page: no h1; its h2 repeats the <title>, so it is the page's heading and the
  // sect2 divisions (h3s wrapped in title divs) are the sections, anchored on the divisions' ids.
  auto page = extract_page(fixture("docbook_sect1.html"), site.url + "funcs-text.html", site);
  BOOST_TEST(page.title == "9.4. Text Helpers");
  BOOST_REQUIRE(page.documents.size() == 4u);
  BOOST_TEST(page.documents[1].url == site.url + "funcs-text.html#FUNCS-TEXT-PAD");
  BOOST_TEST(page.documents[1].section_title == "9.4.1. Padding");
  BOOST_TEST(page.documents[1].body == "lpad fills a string on the left.");
  BOOST_TEST(page.documents[2].url == site.url + "funcs-text.html#GUC-PAD-CHAR");  // a variable list's term
  BOOST_TEST(page.documents[2].body == "pad_char The fill character.");
  BOOST_TEST(page.documents[3].url == site.url + "funcs-text.html#FUNCS-TEXT-TRIM");
  BOOST_TEST(contains(page.documents[0].body, "Helpers that work on text values."));
  // A reference page: its first h2 repeats the title; the other h2 divisions with an id are the
  // sections (the synopsis has none and stays in the page).
  auto ref = extract_page(fixture("docbook_refentry.html"), site.url + "sql-tidy.html", site);
  BOOST_REQUIRE(ref.documents.size() == 3u);
  BOOST_TEST(ref.documents[1].section_title == "Description");
  BOOST_TEST(ref.documents[1].url == site.url + "sql-tidy.html#SQL-TIDY-DESC");
  BOOST_TEST(ref.documents[2].section_title == "Parameters");
  BOOST_TEST(contains(ref.documents[0].body, "TIDY [ VERBOSE ] table"));
  BOOST_TEST(!contains(ref.documents[0].body, "TIDY TIDY"));  // the page heading is the title, not body
}

BOOST_AUTO_TEST_CASE(links_canonical_and_nofollow) {
  auto page = extract_page(fixture("sphinx.html"), "https://docs.python.org/3/library/pathlib.html", python_site());
  BOOST_TEST(page.canonical_url == "https://docs.python.org/3/library/pathlib.html");
  std::vector<std::string> expected{"https://docs.python.org/3/index.html", "https://other.example.com/x",
                                    "https://docs.python.org/3/library/glob.html"};
  BOOST_TEST(page.links == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(h3_fallback_anchors_and_base_href) {
  SiteSettings site;
  site.name = "ex";
  site.url = "https://docs.example.org/";
  site.title_separators = {" | "};
  auto page = extract_page(fixture("h3_fallback.html"), "https://docs.example.org/faq.html", site);
  BOOST_TEST(page.title == "FAQ");
  BOOST_REQUIRE(page.documents.size() == 3u);
  BOOST_TEST(page.documents[1].url == "https://docs.example.org/faq.html#why");
  BOOST_TEST(page.documents[1].body == "Because.");
  BOOST_TEST(page.documents[2].url == "https://docs.example.org/faq.html#how");
  BOOST_TEST(page.documents[2].section_title == "How?");
  BOOST_TEST(page.documents[2].body == "Like this.");
  BOOST_TEST(contains(page.documents[0].body, "Text stays in the page."));
  BOOST_REQUIRE(page.links.size() == 1u);
  BOOST_TEST(page.links[0] == "https://docs.example.org/base/next.html");
}

// A link inside a heading is its permalink when it shows no word or is the whole heading, not
// when it names another part of the page inside the heading's words (TypeDoc's "Returns T", its
// type parameter's anchor): that heading has no anchor of its own and starts no record.
BOOST_AUTO_TEST_CASE(a_reference_inside_a_heading_is_no_permalink) {
  SiteSettings site;
  site.url = "https://docs.example.org/";
  auto page = extract_page(
      "<html><head><title>f</title></head><body><main><h1>f</h1><p id='t'>T: the result type.</p>"
      "<h4>Returns <a href='#t'>T</a></h4><p>The new date.</p>"
      "<h4>Throws<a href='#throws' aria-label='Permalink'><svg></svg></a></h4><p>Never.</p></main></body></html>",
      "https://docs.example.org/f.html", site);
  BOOST_REQUIRE(page.documents.size() == 2u);
  BOOST_TEST(page.documents[1].url == "https://docs.example.org/f.html#throws");
  BOOST_TEST(contains(page.documents[0].body, "The new date."));
}

// The page's heading said again right after it (TypeDoc's README page) is the page: no section
// record of its own, and not an ancestor of the sections below it.
BOOST_AUTO_TEST_CASE(a_repeated_page_heading_is_the_page) {
  SiteSettings site;
  site.url = "https://docs.example.org/";
  auto page = extract_page(
      "<html><head><title>Widget Toolkit</title></head><body><main><h1>Widget Toolkit</h1>"
      "<h1 id='widget-toolkit'>Widget Toolkit</h1><p>Draws widgets.</p><h2 id='install'>Install</h2><p>apt install.</p>"
      "</main></body></html>",
      "https://docs.example.org/index.html", site);
  BOOST_REQUIRE(page.documents.size() == 2u);
  BOOST_TEST(page.documents[1].url == "https://docs.example.org/index.html#install");
  BOOST_TEST(page.documents[1].hierarchy.empty());  // (the page's title is put first when the site is read)
}

BOOST_AUTO_TEST_CASE(skip_rules_record_reasons) {
  auto site = python_site();
  auto none = extract_page(fixture("no_title.html"), "https://docs.python.org/3/x.html", site);
  BOOST_TEST(none.documents.empty());
  BOOST_TEST(contains(none.skip_reason, "no title"));
  auto nf = extract_page(fixture("not_found.html"), "https://docs.python.org/3/y.html", site);
  BOOST_TEST(contains(nf.skip_reason, "404"));
  auto ni = extract_page(fixture("noindex.html"), "https://docs.python.org/3/z.html", site);
  BOOST_TEST(contains(ni.skip_reason, "noindex"));
  BOOST_TEST(ni.nofollow);
  site.skip.title_contains = {"pathlib"};
  auto tc = extract_page(fixture("sphinx.html"), "https://docs.python.org/3/library/pathlib.html", site);
  BOOST_TEST(contains(tc.skip_reason, "skip.title_contains"));
  BOOST_TEST(!tc.links.empty());  // skipped pages still give their links to the crawler
  site.skip.title_contains.clear();
  site.skip.url_patterns = {"/library/path"};
  auto up = extract_page(fixture("sphinx.html"), "https://docs.python.org/3/library/pathlib.html", site);
  BOOST_TEST(contains(up.skip_reason, "skip.url_patterns"));
  site.skip.not_found_pages = false;
  site.skip.url_patterns.clear();
  BOOST_TEST(extract_page(fixture("not_found.html"), "https://docs.python.org/3/y.html", site).skip_reason == "");
  // A page with nothing but its title (the shell a single-page app fills by script) is indexed,
  // and says so: the report lists it.
  auto shell = extract_page("<html><head><title>Widget Toolkit</title></head><body><div id='app'></div>"
                            "<script src='docsify.js'></script></body></html>",
                            "https://docs.example.org/index.html", site);
  BOOST_TEST(shell.skip_reason == "");
  BOOST_TEST(shell.no_text);
  BOOST_TEST(!extract_page(fixture("sphinx.html"), "https://docs.python.org/3/library/pathlib.html", site).no_text);
}

BOOST_AUTO_TEST_CASE(declared_charset_is_converted) {
  SiteSettings site;
  site.name = "ex";
  site.url = "https://docs.example.org/";
  site.content_selectors = {"#content"};
  auto page = extract_page(fixture("latin1.html"), "https://docs.example.org/cafe.html", site);
  BOOST_TEST(page.title == "Café crème");
  BOOST_REQUIRE(!page.documents.empty());
  BOOST_TEST(page.documents[0].body == "Crème brûlée € price.");  // windows-1252, as browsers read latin1
  // The HTTP header's charset wins over the document's own declaration.
  ExtractOptions utf8;
  utf8.charset = "utf-8";
  auto as_utf8 = extract_page(fixture("latin1.html"), "https://docs.example.org/cafe.html", site, utf8);
  BOOST_TEST(contains(as_utf8.title, "\xEF\xBF\xBD"));  // invalid bytes replaced, not crashed on
}

BOOST_AUTO_TEST_CASE(selectors_entities_and_breadcrumbs) {
  SiteSettings site;
  site.name = "ex";
  site.url = "https://docs.example.org/";
  site.content_selectors = {"section.missing", "div.wrap article.doc [data-role=content]"};
  site.breadcrumb_selector = "ol.crumbs";
  site.title_separators = {" | ", " — "};
  auto page = extract_page(fixture("selectors.html"), "https://docs.example.org/guide/selectors.html", site);
  BOOST_TEST(page.title == "Selectors");
  BOOST_REQUIRE(page.documents.size() == 2u);
  BOOST_TEST(contains(page.documents[0].body, "Nested content wins."));
  BOOST_TEST(!contains(page.documents[0].body, "Sidebar"));
  BOOST_TEST(page.documents[1].body == "Alpha <tag> ☺");
  std::vector<std::string> crumbs{"Home", "Guide"};
  BOOST_TEST(page.breadcrumb == crumbs, boost::test_tools::per_element());
  BOOST_TEST(page.documents[0].hierarchy == crumbs, boost::test_tools::per_element());
  std::vector<std::string> section_crumbs{"Home", "Guide", "Selectors"};
  BOOST_TEST(page.documents[1].hierarchy == section_crumbs, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(huge_and_deep_pages) {
  std::string huge = "<html><head><title>Huge</title></head><body><main><h1>Huge</h1>";
  for (int i = 0; i < 20000; ++i) {
    const auto n = std::to_string(i);
    huge += "<section id=\"s" + n + "\"><h2>Part " + n + "</h2><p>" + std::string(400, 'x') + " words, <a href=\"p" + n +
            ".html\">a link</a></p><dl><dt id=\"def" + n + "\">def</dt></dl></section>";
  }
  huge += "</main></body></html>";
  BOOST_TEST_REQUIRE(huge.size() > 8'000'000u);
  SiteSettings site;
  site.name = "ex";
  site.url = "https://docs.example.org/";
  auto page = extract_page(huge, "https://docs.example.org/huge.html", site);
  BOOST_TEST(page.documents.size() == 40001u);  // a section and a definition each
  BOOST_TEST(page.documents.back().url == "https://docs.example.org/huge.html#def19999");
  // Each section has its own definition and link: the lookups by text offset stay per section.
  BOOST_TEST(page.documents[page.documents.size() - 2].url == "https://docs.example.org/huge.html#s19999");
  BOOST_TEST(page.documents[page.documents.size() - 2].body == std::string(400, 'x') + " words, a link");
  BOOST_TEST(page.documents[9999].url == "https://docs.example.org/huge.html#s4999");
  BOOST_TEST(page.documents[10000].hierarchy == std::vector<std::string>{"Part 4999"}, tt::per_element());
  BOOST_TEST(page.documents[9999].boost == 1.0);  // a link of a few words in prose
  BOOST_TEST(page.content_links.size() == 20000u);

  std::string deep = "<html><head><title>Deep</title></head><body>";
  for (int i = 0; i < 5000; ++i) deep += "<div><span>";
  deep += "bottom";
  auto deep_page = extract_page(deep, "https://docs.example.org/deep.html", site);
  BOOST_REQUIRE(!deep_page.documents.empty());
  BOOST_TEST(contains(deep_page.documents[0].body, "bottom"));
}

// Attributes a hostile page may carry: one 2 MB value, 50,000 attributes on one element, an
// attribute quote never closed. The text around them is still extracted.
BOOST_AUTO_TEST_CASE(huge_attributes) {
  SiteSettings site;
  site.name = "ex";
  site.url = "https://docs.example.org/";
  std::string html = "<html><head><title>Attrs</title></head><body><main><h1>Attrs</h1><p title=\"" +
                     std::string(2'000'000, 'x') + "\">first words</p><p";
  for (int i = 0; i < 50000; ++i) html += " a" + std::to_string(i) + "=\"v\"";
  html += ">second words</p><p class=\"never closed>third words</p></main></body></html>";
  auto page = extract_page(html, "https://docs.example.org/attrs.html", site);
  BOOST_REQUIRE(!page.documents.empty());
  const std::string& body = page.documents[0].body;
  BOOST_TEST(contains(body, "first words"));
  BOOST_TEST(contains(body, "second words"));
  BOOST_TEST(body.find("xxxxxxxx") == std::string::npos);  // attribute values are not text
}

BOOST_AUTO_TEST_CASE(link_lists_score_less_than_prose) {
  const std::string html =
      "<html><head><title>Guide</title></head><body><main><h1>Guide</h1>"
      "<p>Read a file with <a href='open.html'>open()</a> and iterate over its lines; each line "
      "keeps its newline, which rstrip removes before the text is split into fields.</p>"
      "<h2 id='contents'>Contents</h2><ul><li><a href='a.html'>Reading and writing files</a></li>"
      "<li><a href='b.html'>Copying and moving files</a></li><li><a href='c.html'>Paths</a></li></ul>"
      "<h2 id='mixed'>Mixed</h2><p>Half of this text <a href='d.html'>is a link to another page</a>.</p>"
      "</main></body></html>";
  SiteSettings site;
  site.name = "t";
  site.url = "https://example.org/";
  auto page = extract_page(html, "https://example.org/guide.html", site);
  BOOST_REQUIRE(page.documents.size() == 3u);
  const auto& whole = page.documents[0];  // about half its text is links: between the two
  const auto& toc = page.documents[1];
  const auto& mixed = page.documents[2];
  BOOST_TEST(toc.section_title == "Contents");
  BOOST_TEST(toc.boost == 0.5, tt::tolerance(1e-9));  // all links: the floor
  BOOST_TEST(mixed.boost < 1.0);
  BOOST_TEST(mixed.boost > toc.boost);
  BOOST_TEST(whole.boost <= 1.0);
  BOOST_TEST(whole.boost > toc.boost);
  site.boosts.link_list = 1.0;  // off
  for (const auto& d : extract_page(html, "https://example.org/guide.html", site).documents) BOOST_TEST(d.boost == 1.0);
  // Prose with a link or two, like most reference pages, keeps its full weight.
  auto prose = extract_page(fixture("sphinx.html"), "https://docs.python.org/3/library/pathlib.html", python_site());
  for (const auto& d : prose.documents) BOOST_TEST(d.boost == 1.0, d.url);
}

BOOST_AUTO_TEST_CASE(content_links_and_inbound_counts) {
  SiteSettings site;
  site.url = "https://docs.example.org/";
  auto page = extract_page(
      "<html><head><title>A</title></head><body><nav><a href='b.html'>B</a></nav><main><h1>A</h1>"
      "<p>See <a href='b.html#x'>b</a>, <a href='c/'>c</a>, <a href='b.html'>b again</a>, "
      "<a href='d.html' rel='nofollow'>d</a>, <a href='#top'>top</a>.</p></main>"
      "<footer><a href='e.html'>e</a></footer></body></html>",
      "https://docs.example.org/a.html", site);
  const std::vector<std::string> cited{"https://docs.example.org/b.html", "https://docs.example.org/c/"};
  BOOST_TEST(page.content_links == cited, tt::per_element());
  const std::vector<std::string> all{"https://docs.example.org/b.html", "https://docs.example.org/c/",
                                     "https://docs.example.org/e.html"};
  BOOST_TEST(page.links == all, tt::per_element());

  auto doc = [](const std::string& url) {
    Document d;
    d.url = d.id = url;
    d.inbound_links = 99;  // replaced
    return d;
  };
  const std::string r = site.url;
  std::vector<Document> docs{doc(r + "a.html"), doc(r + "b.html"), doc(r + "b.html#s"), doc(r + "c/index.html")};
  count_inbound_links(docs, {{r + "a.html", {r + "b.html", r + "c/", r + "a.html"}},
                             {r + "b.html", {r + "a.html", r + "b.html"}},
                             {r + "c/index.html", {r + "b.html", r + "b.html", r + "elsewhere.html"}}});
  BOOST_TEST(docs[0].inbound_links == 1u);  // from b (its own link does not count)
  BOOST_TEST(docs[1].inbound_links == 2u);  // a and c, c once though it links twice
  BOOST_TEST(docs[2].inbound_links == 2u);  // a section counts its page's links
  BOOST_TEST(docs[3].inbound_links == 1u);  // a linked c/, which is c/index.html

  // Links without ".html" (Docusaurus, Nextra: "/guide" is served from guide.html), and without
  // the final slash of a directory's index, count for the file.
  std::vector<Document> files{doc(r + "guide.html"), doc(r + "api/index.html"), doc(r + "guide/more.html")};
  count_inbound_links(files, {{r + "index.html", {r + "guide", r + "api"}}, {r + "other.html", {r + "guide#x", r + "api/"}}});
  BOOST_TEST(files[0].inbound_links == 2u);
  BOOST_TEST(files[1].inbound_links == 2u);
  BOOST_TEST(files[2].inbound_links == 0u);  // "guide" is not the pages below it

  // In a site of 20 pages or more, a page more than half of them link to counts no links: the
  // template's "home" link, or the page every other one cites. Half or fewer still count.
  std::vector<PageLinks> site_pages;
  std::vector<Document> records{doc(r + "home.html"), doc(r + "half.html"), doc(r + "p0.html")};
  for (int i = 0; i < 20; ++i) {
    site_pages.push_back({r + "p" + std::to_string(i) + ".html", {r + "home.html"}});
    if (i < 10) site_pages.back().links.push_back(r + "half.html");
  }
  count_inbound_links(records, site_pages);
  BOOST_TEST(records[0].inbound_links == 0u);   // 20 of 20
  BOOST_TEST(records[1].inbound_links == 10u);  // 10 of 20: not more than half
  site_pages.pop_back();                        // 19 pages: too few to tell
  count_inbound_links(records, site_pages);
  BOOST_TEST(records[0].inbound_links == 19u);
}

// A body repeated on three pages or more is a notice in place of content (an old edition's stub):
// its records score less, on any page and in any record; twice, or a short body, is no sign.
BOOST_AUTO_TEST_CASE(repeated_bodies_score_less) {
  const std::string notice = "This edition of the book is no longer distributed; read the current one instead.";
  auto doc = [](const std::string& url, const std::string& body) {
    Document d;
    d.url = d.id = url;
    d.body = body;
    d.boost = 0.5f;
    d.content_hash = 1;
    return d;
  };
  const std::string r = "https://docs.example.org/";
  std::vector<Document> docs{doc(r + "old/a.html", notice),  doc(r + "old/a.html#s", notice), doc(r + "old/b.html", notice),
                             doc(r + "old/c.html", notice),  doc(r + "a.html", "Ownership is a set of rules."),
                             doc(r + "x.html", "Twice only: this body is the same on two pages of the site, no more."),
                             doc(r + "y.html", "Twice only: this body is the same on two pages of the site, no more."),
                             doc(r + "p.html", "See also."), doc(r + "q.html", "See also."), doc(r + "s.html", "See also.")};
  auto copy = docs;
  score_repeated_bodies(copy, 1.0);
  BOOST_TEST((copy == docs));  // 1: off
  score_repeated_bodies(docs, 0.25);
  for (std::size_t i = 0; i < 4; ++i) {
    BOOST_TEST(docs[i].boost == 0.125f, docs[i].url);  // three pages: a, b and c (a twice)
    BOOST_TEST(docs[i].content_hash != 1u);            // it is part of what a re-crawl compares
  }
  for (std::size_t i = 4; i < docs.size(); ++i) BOOST_TEST(docs[i].boost == 0.5f, docs[i].url);

  // Two pages of three: not repeated enough.
  docs.erase(docs.begin() + 3);
  for (auto& d : docs) d.boost = 0.5f;
  score_repeated_bodies(docs, 0.25);
  for (const auto& d : docs) BOOST_TEST(d.boost == 0.5f, d.url);
}

BOOST_AUTO_TEST_CASE(directory_walk) {
  SiteSettings site;
  site.name = "ex";
  site.url = "https://docs.example.org/";
  site.title_separators = {" | "};
  site.deny_patterns = {"/draft\\.html$"};
  std::vector<IngestProgress> seen;
  auto result = read_directory(std::string(SITESEEK_TEST_FIXTURES) + "/html/site", "https://docs.example.org/", site,
                               [&](const IngestProgress& p) { seen.push_back(p); });
  std::vector<std::string> urls;
  for (const auto& d : result.documents) urls.push_back(d.url);
  std::vector<std::string> expected{"https://docs.example.org/guide/index.html", "https://docs.example.org/guide/install.html",
                                    "https://docs.example.org/guide/install.html#linux", "https://docs.example.org/index.html"};
  BOOST_TEST(urls == expected, boost::test_tools::per_element());
  BOOST_TEST(result.report.pages_fetched == 4u);  // index, guide/index, install, broken (draft denied, css ignored)
  BOOST_TEST(result.report.pages_indexed == 3u);
  BOOST_TEST(result.report.documents == 4u);
  BOOST_REQUIRE(result.report.skipped.size() == 2u);
  BOOST_TEST(result.report.skipped[0].url == "https://docs.example.org/guide/draft.html");
  BOOST_TEST(contains(result.report.skipped[0].reason, "deny_patterns"));
  BOOST_TEST(result.report.skipped[1].url == "https://docs.example.org/broken.html");
  BOOST_TEST(contains(result.report.skipped[1].reason, "no title"));
  BOOST_TEST(!seen.empty());
  // Breadcrumbs from ancestor pages: install -> [Example Docs, Guide]; its section adds Install.
  const auto& install = result.documents[1];
  BOOST_TEST(install.hierarchy == (std::vector<std::string>{"Example Docs", "Guide"}), boost::test_tools::per_element());
  BOOST_TEST(result.documents[2].hierarchy == (std::vector<std::string>{"Example Docs", "Guide", "Install"}),
             boost::test_tools::per_element());
  BOOST_TEST(result.documents[0].hierarchy == (std::vector<std::string>{"Example Docs"}), boost::test_tools::per_element());
  BOOST_TEST(result.documents[3].hierarchy.empty());
  BOOST_TEST(install.section_key == "guide");
  // The home page links to guide/ and install (main content) to index.html: the guide has two;
  // install's nav link home and its link to itself count for nothing.
  BOOST_TEST(result.documents[0].inbound_links == 2u);
  BOOST_TEST(result.documents[3].inbound_links == 0u);
  BOOST_TEST(install.inbound_links == 0u);
  BOOST_TEST(result.documents[2].inbound_links == 0u);
  BOOST_CHECK_THROW(read_directory("/nonexistent/dir", "https://x.org/", site), IoError);
}

// The Python 3.11 docs (Debian's python3.11-doc, which scripts/setup installs): without them the
// test is reported as skipped, not passed.
const std::string python_docs = "/usr/share/doc/python3.11/html";

BOOST_AUTO_TEST_CASE(python_docs_end_to_end, *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result present(std::filesystem::exists(python_docs + "/index.html"));
  present.message() << python_docs << " is missing (scripts/setup installs python3.11-doc)";
  return present;
})) {
  const std::string& dir = python_docs;
  auto site = python_site();
  site.deny_patterns = {"/(genindex[^/]*|search|py-modindex)\\.html$"};
  auto result = read_directory(dir, site.url, site);
  BOOST_TEST(result.report.failed.empty());
  BOOST_TEST(result.report.pages_indexed >= 490u);
  BOOST_TEST(result.documents.size() >= 2200u);
  bool pathlib = false, gather = false;
  for (const auto& d : result.documents) {
    if (d.url == "https://docs.python.org/3/library/pathlib.html") {
      pathlib = true;
      BOOST_TEST(d.title == "pathlib — Object-oriented filesystem paths");
    }
    if (d.url == "https://docs.python.org/3/library/asyncio-task.html#asyncio.gather") {
      gather = true;
      // Its title starts at its name; its text with its whole signature, its kind first.
      BOOST_TEST(d.section_title == "asyncio.gather(*aws, return_exceptions=False)");
      BOOST_TEST(d.body.starts_with("awaitable " + d.section_title + " Run awaitable objects"));
      BOOST_TEST(d.hierarchy.back() == "Running Tasks Concurrently");
      BOOST_TEST(d.hierarchy[d.hierarchy.size() - 2] == "Coroutines and Tasks");
    }
  }
  BOOST_TEST(pathlib);
  BOOST_TEST(gather);
}

BOOST_AUTO_TEST_SUITE_END()
