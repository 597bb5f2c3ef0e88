// Proves the conventions of documentation generators that extraction follows with no
// configuration (the generator fixtures in generators_test.cpp show them on real output):
// 1. hidden text a reader reaches with a click is indexed: inactive tab panels (role=tabpanel),
//    hidden="until-found", a hidden alternative beside a shown one of the same class, collapsed
//    <details>; other hidden elements (aria-hidden, display:none, plain [hidden]) are not;
// 2. what the page marks for search engines: Pagefind's data-pagefind-ignore is left out and its
//    data-pagefind-body is the content root, as is DocSearch's .DocSearch-content; the site's
//    content_selectors still come first.
#include <boost/test/unit_test.hpp>

#include "siteseek/ingest.hpp"
#include "siteseek/settings.hpp"

using namespace siteseek;

namespace {

SiteSettings plain_site() {
  SiteSettings s;
  s.name = "ex";
  s.url = "https://docs.example.org/";
  return s;
}

std::string page_body(const std::string& html, const SiteSettings& site = plain_site()) {
  auto page = extract_page(html, "https://docs.example.org/p.html", site);
  BOOST_REQUIRE_MESSAGE(!page.documents.empty(), page.skip_reason);
  return page.documents.front().body;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(conventions)

BOOST_AUTO_TEST_CASE(hidden_text_a_click_away_is_indexed) {
  const std::string body = page_body(R"(<html><head><title>P</title></head><body><main><h1>P</h1>
    <div role="tablist"><button>Linux</button><button>macOS</button></div>
    <div role="tabpanel">shown panel</div><div role="tabpanel" hidden>tab panel text</div>
    <div class="tab-content">first choice</div><div class="tab-content" hidden="">second choice</div>
    <div hidden="until-found">found by find-in-page</div>
    <details><summary>More</summary><p>collapsed text</p></details>
    <div hidden>placeholder</div><div style="display: none">invisible</div>
    <span aria-hidden="true">decoration</span><div class="lonely" hidden>lonely hidden</div>
    </main></body></html>)");
  for (const char* kept : {"shown panel", "tab panel text", "first choice", "second choice", "found by find-in-page",
                           "collapsed text"}) {
    BOOST_TEST(contains(body, kept), kept);
  }
  for (const char* left_out : {"placeholder", "invisible", "decoration", "lonely hidden", "Linux"}) {
    BOOST_TEST(!contains(body, left_out), left_out);
  }
}

BOOST_AUTO_TEST_CASE(pagefind_and_docsearch_markup) {
  const std::string pagefind = R"(<html><head><title>P</title></head><body>
    <main><aside>On this page</aside><div data-pagefind-body><h1>P</h1><p>the text</p>
    <h2 id="a">A<span data-pagefind-ignore>Section titled A</span></h2><p>more</p>
    <div data-pagefind-ignore="all">left out</div></div></main></body></html>)";
  auto body = page_body(pagefind);
  BOOST_TEST(contains(body, "the text"));
  BOOST_TEST(contains(body, "more"));
  BOOST_TEST(!contains(body, "On this page"));
  BOOST_TEST(!contains(body, "Section titled"));
  BOOST_TEST(!contains(body, "left out"));

  const std::string docsearch = R"(<html><head><title>P</title></head><body><main><div class="menu">Menu text</div>
    <article><div class="theme-doc DocSearch-content"><h1>P</h1><p>docsearch text</p></div></article></main></body></html>)";
  body = page_body(docsearch);
  BOOST_TEST(contains(body, "docsearch text"));
  BOOST_TEST(!contains(body, "Menu text"));
  // The site's own selectors come first.
  auto site = plain_site();
  site.content_selectors = {"div.menu"};
  BOOST_TEST(page_body(docsearch, site) == "Menu text");
}

BOOST_AUTO_TEST_SUITE_END()
