// Proves how a site of Markdown pages that Docsify renders in the browser is read:
// 1. a Docsify shell is told from other pages, and the options that place its pages are read
//    from its window.$docsify (router mode, base path, homepage, name) and its script's version;
// 2. each Markdown file's URL is the one Docsify shows it at (#/route, README as its directory,
//    the homepage as the root; history mode without "#/");
// 3. headings get Docsify's ids: its slugify for version 4 (of the rendered heading) and 5 (of its
//    text), repeated ids numbered, ":id=x" naming one;
// 4. read_directory reads the fixture Docsify's CLI made (tests/fixtures/generators/built/docsify)
//    from its Markdown: one page per file under its route, sections under route?id=, the shell
//    skipped with a reason, Docsify's own files (_sidebar.md) not pages, the Markdown's links
//    counted for the routes they name; a shell with no Markdown beside it stays a page (with no
//    text);
// 5. page_of keeps a route in the page and anchored_url puts a route page's anchors after ?id=.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <unistd.h>

#include "ingest/markdown.hpp"
#include "siteseek/document.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/settings.hpp"

using namespace siteseek;
using namespace siteseek::ingest_detail;

namespace {

const std::string root = "https://widget.example.org/";

std::string fixture_dir() { return std::string(SITESEEK_TEST_FIXTURES) + "/generators/built/docsify"; }

}  // namespace

BOOST_AUTO_TEST_SUITE(docsify)

BOOST_AUTO_TEST_CASE(a_docsify_shell_and_its_options_are_recognised) {
  BOOST_TEST(!docsify_site("<html><body><main><h1>Guide</h1><p>Text.</p></main></body></html>"));
  const auto v4 = docsify_site("<div id=app></div><script src=\"//cdn.jsdelivr.net/npm/docsify@4\"></script>");
  BOOST_REQUIRE(v4);
  BOOST_TEST(v4->version == 4);
  BOOST_TEST(!v4->history);
  BOOST_TEST(v4->homepage == "README.md");
  const auto set = docsify_site(R"(<script>
    window.$docsify = {
      name: 'Widget <b>Toolkit</b>',
      routerMode: "history",
      basePath: './docs',
      homepage: 'intro.md',
      plugins: [function (hook) { hook.init(function () {}) }]
    }
  </script><script src="//cdn.jsdelivr.net/npm/docsify@5/dist/docsify.min.js"></script>)");
  BOOST_REQUIRE(set);
  BOOST_TEST(set->version == 5);
  BOOST_TEST(set->history);
  BOOST_TEST(set->base_path == "docs/");
  BOOST_TEST(set->homepage == "intro.md");
  BOOST_TEST(set->name == "Widget Toolkit");
  // A base path on another host cannot be read beside the page: the files beside it are.
  const auto remote = docsify_site("<script>window.$docsify = { basePath: 'https://raw.example.org/docs/' }</script>");
  BOOST_REQUIRE(remote);
  BOOST_TEST(remote->base_path == "");
  BOOST_TEST(docsify_site("<script>window.$docsify = { basePath: '../docs/' }</script>")->base_path == "");  // above the page
}

BOOST_AUTO_TEST_CASE(each_markdown_file_is_at_the_url_docsify_shows_it_at) {
  DocsifySite hash;
  // The file a link names: a route, a path with or without ".md", a directory's README.
  for (const auto& [href, file] : std::map<std::string, std::string>{{"guide.md", "guide.md"}, {"#/guide?id=x", "guide.md"},
                                                                     {"/guide", "guide.md"}, {"./zh/", "zh/README.md"},
                                                                     {"#/", "README.md"}, {"#install", ""},
                                                                     {"https://example.org/a.md", ""}, {"logo.png", ""},
                                                                     {"../secret.md", ""}})
    BOOST_TEST(docsify_link_file(hash, href) == file, href);
  BOOST_TEST(docsify_url(hash, root, "README.md") == root + "#/");
  BOOST_TEST(docsify_url(hash, root, "guide.md") == root + "#/guide");
  BOOST_TEST(docsify_url(hash, root, "advanced/README.md") == root + "#/advanced/");
  BOOST_TEST(docsify_url(hash, root, "advanced/themes.md") == root + "#/advanced/themes");
  DocsifySite history;
  history.history = true;
  history.homepage = "intro.md";
  BOOST_TEST(docsify_url(history, root, "intro.md") == root);
  BOOST_TEST(docsify_url(history, root, "guide.md") == root + "guide");
}

BOOST_AUTO_TEST_CASE(headings_get_docsifys_ids) {
  // Version 4 slugs the rendered heading: a reference's letters stay, runs of '-' are one.
  BOOST_TEST(docsify_slug("Linux &amp; BSD", 4) == "linux-amp-bsd");
  BOOST_TEST(docsify_slug("Linux &amp; BSD", 5) == "linux--bsd");
  BOOST_TEST(docsify_slug("Install <code>widget</code> now!", 4) == "install-widget-now");
  BOOST_TEST(docsify_slug("widget_open()", 5) == "widget_open");
  BOOST_TEST(docsify_slug("2.0 Release Notes", 5) == "_20-release-notes");
  // An em dash dropped; only ASCII capitals are made small, as Docsify's /[A-Z]+/ does.
  BOOST_TEST(docsify_slug("Größe \xE2\x80\x94 Übersicht", 4) == "größe-Übersicht");
  const auto html = docsify_page_html("Intro text.\n\n## Notes\n\nA.\n\n## Notes\n\nB.\n\n## Troubleshooting :id=when-it-fails\n\nC.\n",
                                      "guide", 5);
  BOOST_TEST(html.find("<title>Notes</title>") != std::string::npos);  // no h1: the first heading
  BOOST_TEST(docsify_page_html("Only text.\n", "guide").find("<title>guide</title>") != std::string::npos);  // none
  BOOST_TEST(html.find("<h2 id=\"notes\">Notes</h2>") != std::string::npos);
  BOOST_TEST(html.find("<h2 id=\"notes-1\">Notes</h2>") != std::string::npos);
  BOOST_TEST(html.find("<h2 id=\"when-it-fails\">Troubleshooting</h2>") != std::string::npos);
  BOOST_TEST(docsify_page_html("# Widget *Toolkit*\n\n## Part\n", "x").find("<title>Widget Toolkit</title>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_docsify_site_is_read_from_its_markdown) {
  SiteSettings site;
  site.name = "widget";
  site.url = root;
  const auto result = read_directory(fixture_dir(), root, site);
  std::map<std::string, std::string> pages;  // url -> title
  std::set<std::string> sections;
  for (const auto& d : result.documents) {
    BOOST_TEST(d.url.find("_sidebar") == std::string::npos);
    BOOST_TEST(d.body.find("Home Getting started Platforms") == std::string::npos);  // the sidebar's links
    if (d.type == DocumentType::page) pages[d.url] = d.title;
    else sections.insert(d.url);
  }
  const std::map<std::string, std::string> expected{{root + "#/", "Widget Toolkit"},
                                                   {root + "#/guide", "Getting started"},
                                                   {root + "#/platforms", "Platforms"},
                                                   {root + "#/api", "API reference"},
                                                   {root + "#/advanced/themes", "Themes"}};
  for (const auto& [url, title] : expected) {
    BOOST_TEST_CONTEXT(url) {
      BOOST_REQUIRE(pages.count(url));
      BOOST_TEST(pages.at(url) == title);
    }
  }
  BOOST_TEST(pages.size() == expected.size());
  for (const char* s : {"#/guide?id=installation", "#/guide?id=verifying-the-install", "#/guide?id=configuration",
                        "#/platforms?id=linux--bsd", "#/platforms?id=notes", "#/platforms?id=notes-1",
                        "#/platforms?id=when-it-fails", "#/api?id=widget_open", "#/advanced/themes?id=writing-your-own-theme"})
    BOOST_TEST(sections.count(root + s), s);
  for (const auto& d : result.documents) {
    if (d.url == root + "#/guide?id=verifying-the-install") BOOST_TEST(d.hierarchy.back() == "Installation");
    // The home page's links to guide.md, platforms.md and api.md count for those routes.
    if (d.url == root + "#/guide" || d.url == root + "#/api") BOOST_TEST(d.inbound_links == 1u, d.url);
    if (d.url == root + "#/advanced/themes") BOOST_TEST(d.inbound_links == 0u);  // only the sidebar links to it
  }
  BOOST_REQUIRE(result.report.skipped.size() == 1u);
  BOOST_TEST(result.report.skipped[0].url == root + "index.html");
  BOOST_TEST(result.report.skipped[0].reason.find("Docsify") != std::string::npos);
  BOOST_TEST((result.report.generators == std::map<std::string, std::uint64_t>{{"docsify", 5}}));
  BOOST_TEST(result.report.pages_without_text.empty());

  // The same shell with no Markdown beside it: it stays a page, one without text.
  const auto lone = std::filesystem::temp_directory_path() / ("siteseek-docsify-" + std::to_string(::getpid()));
  std::filesystem::create_directories(lone);
  std::filesystem::copy_file(fixture_dir() + "/index.html", lone / "index.html", std::filesystem::copy_options::overwrite_existing);
  const auto shell = read_directory(lone.string(), root, site);
  std::filesystem::remove_all(lone);
  BOOST_TEST(shell.documents.size() == 1u);
  BOOST_TEST(shell.report.pages_without_text == std::vector<std::string>{root + "index.html"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_route_is_part_of_its_page) {
  BOOST_TEST(page_of(root + "guide.html#install") == root + "guide.html");
  BOOST_TEST(page_of(root + "#/guide?id=install") == root + "#/guide");
  BOOST_TEST(page_of(root + "#!/guide") == root + "#!/guide");
  BOOST_TEST(page_of(root + "#/") == root + "#/");
  BOOST_TEST(anchored_url(root + "guide.html", "install") == root + "guide.html#install");
  BOOST_TEST(anchored_url(root + "#/guide", "install") == root + "#/guide?id=install");
}

BOOST_AUTO_TEST_SUITE_END()
