// Proves the conventions of documentation generators that extraction follows with no
// configuration (the generator fixtures in generators_test.cpp show them on real output):
// 1. hidden text a reader reaches with a click is indexed: inactive tab panels (role=tabpanel),
//    hidden="until-found", a hidden alternative beside a shown one of the same class, collapsed
//    <details>; other hidden elements (aria-hidden, display:none, plain [hidden]) are not;
// 2. what the page marks for search engines: Pagefind's data-pagefind-ignore is left out and its
//    data-pagefind-body is the content root, as is DocSearch's .DocSearch-content (then main,
//    [role=main], article, #main-content, body); the site's
//    content_selectors still come first; the site's exclude_selectors leave out what they match
//    (hidden tabs, closed <details>), headings included, besides the generator's chrome;
//    data-pagefind-weight weighs a record all of whose text the element holds (its boost times
//    w²·2.2/(w²+1.2)), from the content root or above it down to a section or a definition, the
//    innermost winning; a weight on part of a record (a heading, a paragraph) or not a number is
//    not followed;
// 3. permalinks (a link to the page itself showing no word: ¶ § # ◆ U+F0C1 U+200B, empty) are
//    neither in headings nor in bodies, wherever they stand; links with words stay; zero-width
//    spaces are nothing;
// 4. sections: a record per h2 and h3 with its heading path (hierarchy), per h4 inside a long h3,
//    per heading that is all code (an API item) at any level; records do not overlap; ids that
//    are not URL characters are percent-encoded in the record's URL;
// 5. the page's own heading: the h1 repeating the title after a label ("Enum Class Kind",
//    "Struct Widget", "Chapter 1. Getting started"); several h1s none of which repeats the title
//    are sections;
// 6. definitions are records, their id in the URL and their signature first: a <dt id> with its
//    <dd> (a class's record without its methods, a method under its class; the <dt>s before a
//    <dd> are one definition, titled from its first's name on), rustdoc's items
//    (the <details> a <summary> opens, a doc block after a field), Doxygen's summary rows named
//    by an <a id> marker with their description row; a heading's anchor may be an empty marker
//    just before it (DocBook's <a name>);
// 7. generator profiles: recognised by <meta name=generator> or a signature element; their noise
//    is left out (rustdoc's "Source" links, versions, "Run" links, notable-traits tooltips and
//    auto-trait sections, in today's markup and 1.63's; tables of contents, but for
//    DocBook's, a chapter's list of sections), their pages that are not
//    documents skipped with a reason (Sphinx's genindex, rustdoc's source views, Javadoc's
//    index writers, Doxygen's file lists), Doxygen's div.title makes every heading a section;
//    Texinfo's node links and index entries are left out, and GTK-Doc's navigation and footer,
//    Sphinx's viewcode sources skipped and Django's theme read from #yui-main,
//    (a profile before DocBook's, whose generator its pages also name), and any page's
//    div#footer and div.footer; Javadoc 8 and 11 (no generator meta)
//    are known by their navigation bar, their lists skipped by file name, their members' anchors
//    the markers before them;
//    generic rules skip 404.html, search.html without content and <meta http-equiv=refresh>
//    redirects; the page says which profile it followed and read_directory's report counts them
//    (also in its JSON, read back).
#include <boost/test/unit_test.hpp>
#include <map>

#include <boost/json.hpp>

#include "siteseek/ingest.hpp"
#include "siteseek/json.hpp"
#include "siteseek/settings.hpp"

using namespace siteseek;
namespace tt = boost::test_tools;

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
  // Without main, [role=main] or article: #main-content (Django REST framework's theme, beside
  // a navigation bar and a sidebar that are no <nav>).
  const std::string bootstrap = R"(<html><head><title>P</title></head><body><div class="navbar"><a href="/">Home</a>
    <a href="a/">Tutorial</a></div><div class="span3"><ul><li><a href="#x">Caching</a></li></ul></div>
    <div id="main-content" class="span9"><h1 id="p">P</h1><p>the text</p></div></body></html>)";
  BOOST_TEST(page_body(bootstrap) == "the text");
}

BOOST_AUTO_TEST_CASE(exclude_selectors_leave_out_what_they_match) {
  const std::string html = R"(<html><head><meta name="generator" content="rustdoc"><title>P</title></head><body><main>
    <h1>P</h1><p>intro</p><a class="src" href="src.html">Source</a>
    <div role="tabpanel">shown tab</div><div role="tabpanel" hidden>hidden tab</div>
    <details><summary>Closed summary</summary><p>closed text</p></details>
    <details open><summary>Open summary</summary><p>open text</p></details>
    <aside class="ad"><h2 id="buy">Buy now</h2><p>advert</p><a href="shop.html">shop</a></aside>
    <h2 id="usage">Usage</h2><p>usage text</p></main></body></html>)";
  auto site = plain_site();
  auto everything = extract_page(html, "https://docs.example.org/p.html", site);
  BOOST_TEST(contains(everything.documents.front().body, "hidden tab"));  // indexed by default
  BOOST_TEST(contains(everything.documents.front().body, "closed text"));
  BOOST_TEST(everything.documents.size() == 3u);
  site.exclude_selectors = {"[role=tabpanel][hidden]", "details:not([open]) > :not(summary)", "aside.ad"};
  auto page = extract_page(html, "https://docs.example.org/p.html", site);
  const auto& body = page.documents.front().body;
  for (const char* kept : {"intro", "shown tab", "Closed summary", "Open summary", "open text", "usage text"}) {
    BOOST_TEST(contains(body, kept), kept);
  }
  for (const char* left_out : {"hidden tab", "closed text", "advert", "Buy now", "Source"}) {
    BOOST_TEST(!contains(body, left_out), left_out);
  }
  // The excluded heading is no section.
  BOOST_REQUIRE(page.documents.size() == 2u);
  BOOST_TEST(page.documents[1].url == "https://docs.example.org/p.html#usage");
}

BOOST_AUTO_TEST_CASE(pagefind_weights_weigh_whole_records) {
  auto boosts = [](const std::string& html) {
    std::map<std::string, double> out;
    for (const auto& d : extract_page(html, "https://docs.example.org/p.html", plain_site()).documents) {
      const auto hash = d.url.find('#');
      out[hash == std::string::npos ? "page" : d.url.substr(hash + 1)] = d.boost;
    }
    return out;
  };
  const auto factor = [](double w) { return w * w * 2.2 / (w * w + 1.2); };
  auto b = boosts(R"(<html><head><title>P</title></head><body><main data-pagefind-weight="2"><h1>P</h1><p>intro</p>
    <section id="low" data-pagefind-weight="0.5"><h2>Low</h2><p>low text</p>
      <section id="inner"><h3>Inner</h3><p>inner text</p></section></section>
    <section id="top" data-pagefind-weight="20"><h2>Top</h2><p>top text</p></section>
    <h2 id="heading" data-pagefind-weight="10">Heading only</h2><p>plain text</p>
    <h2 id="part">Part</h2><p data-pagefind-weight="5">weighted half</p><p>plain half</p>
    <section id="bad" data-pagefind-weight="2px"><h2>Bad</h2><p>bad text</p></section>
    <dl><dt id="f">f()</dt><dd data-pagefind-weight="3">described</dd></dl>
    </main></body></html>)");
  BOOST_TEST(b.at("page") == factor(2), tt::tolerance(1e-6));       // the content root holds it all
  BOOST_TEST(b.at("low") == factor(0.5), tt::tolerance(1e-6));
  BOOST_TEST(b.at("inner") == factor(0.5), tt::tolerance(1e-6));    // the innermost weight wins
  BOOST_TEST(b.at("top") == factor(10), tt::tolerance(1e-6));       // clamped to 10
  BOOST_TEST(b.at("heading") == factor(2), tt::tolerance(1e-6));    // the heading's own weight is not followed
  BOOST_TEST(b.at("part") == factor(2), tt::tolerance(1e-6));       // nor a paragraph's
  BOOST_TEST(b.at("bad") == factor(2), tt::tolerance(1e-6));        // nor what is not a number
  BOOST_TEST(b.at("f") == factor(2), tt::tolerance(1e-6));          // the signature is outside the dd
  // Above the content root (here <body>), the weight is the whole page's; without any, 1.
  b = boosts(R"(<html><head><title>P</title></head><body data-pagefind-weight="0"><main><h1>P</h1><p>intro</p>
    <h2 id="s">S</h2><p>text</p></main></body></html>)");
  BOOST_TEST(b.at("page") == 0.01, tt::tolerance(1e-6));
  BOOST_TEST(b.at("s") == 0.01, tt::tolerance(1e-6));
  b = boosts(R"(<html><head><title>P</title></head><body><main><h1>P</h1><p>intro</p><h2 id="s">S</h2><p>text</p></main></body></html>)");
  BOOST_TEST(b.at("page") == 1.0);
  BOOST_TEST(b.at("s") == 1.0);
}

BOOST_AUTO_TEST_CASE(permalinks_and_zero_width_spaces) {
  auto page = extract_page(R"(<html><head><title>P</title></head><body><main><h1>P</h1>
    <h2 id="a">Alpha<a class="headerlink" href="#a">&para;</a></h2><p>one</p>
    <h2 id="b">Beta<a class="hash-link" href="#b">&#8203;</a></h2><p>two</p>
    <h2 id="c"><a class="doc-anchor" href="#c">&sect;</a>Gamma</h2><p>three</p>
    <h2 id="d"><span class="permalink"><a href="#d">&#9670;&nbsp;</a></span>delta()</h2><p>four</p>
    <h2 id="e">Epsilon <a href="#e">#</a></h2><p>five</p>
    <h2 id="f"><a class="anchor" href="#f"></a>Zeta <a href="#f">&#xF0C1;</a></h2><p>six, see <a href="#a">Alpha</a>
    and note <a href="#fn1">1</a>; long&#8203;identifier&#xFEFF;name</p>
    </main></body></html>)",
                           "https://docs.example.org/p.html", plain_site());
  BOOST_REQUIRE(page.documents.size() == 7u);
  const std::vector<std::string> titles{"Alpha", "Beta", "Gamma", "delta()", "Epsilon", "Zeta"};
  for (std::size_t i = 0; i < titles.size(); ++i) BOOST_TEST(page.documents[i + 1].section_title == titles[i]);
  BOOST_TEST(page.documents[6].body == "six, see Alpha and note 1; longidentifiername");
  const std::string& body = page.documents[0].body;
  for (const char* sign : {"\xC2\xB6", "\xE2\x80\x8B", "\xC2\xA7", "\xE2\x97\x86", "#", "\xEF\x83\x81"}) {
    BOOST_TEST(!contains(body, sign), sign);
  }
}

BOOST_AUTO_TEST_CASE(sections_at_h2_h3_and_api_items) {
  const std::string long_text(13000, 'x');
  auto page = extract_page(R"html(<html><head><title>Guide - Site</title></head><body><main><h1>Guide</h1><p>intro</p>
    <h2 id="install">Installation</h2><p>install text</p>
    <h3 id="verify">Verifying the install</h3><p>verify text</p>
    <h4 id="quiet">Quietly</h4><p>quiet text</p>
    <h2 id="api">API</h2>
    <h3 id="open"><code>open(path)</code></h3><p>opens</p>
    <h4 id="open.flags"><code>open.flags</code></h4><p>the flags</p>
    <h3 id="long">A long part</h3><p>)html" + long_text + R"html(</p>
    <h4 id="detail">One detail</h4><p>detail text</p>
    <h3 id="odd&lt;init&gt;(java.lang.String)">Constructor</h3><p>makes one</p>
    </main></body></html>)html",
                           "https://docs.example.org/guide.html", plain_site());
  std::vector<std::string> urls, paths;
  for (const auto& d : page.documents) {
    urls.push_back(d.url.substr(d.url.find('#') == std::string::npos ? d.url.size() : d.url.find('#')));
    std::string path;
    for (const auto& h : d.hierarchy) path += h + "/";
    paths.push_back(path);
  }
  const std::vector<std::string> expected_urls{"",      "#install", "#verify", "#api",  "#open",
                                               "#open.flags", "#long", "#detail", "#odd%3Cinit%3E(java.lang.String)"};
  BOOST_TEST(urls == expected_urls, tt::per_element());
  // The headings each section is under (assign_hierarchy puts the ancestors and the title first).
  const std::vector<std::string> expected_paths{"", "", "Installation/", "", "API/", "API/open(path)/", "API/", "API/A long part/", "API/"};
  BOOST_TEST(paths == expected_paths, tt::per_element());
  BOOST_TEST(page.documents[2].body == "verify text Quietly quiet text");  // a short h3 keeps its h4
  BOOST_TEST(page.documents[1].body == "install text");                    // records do not overlap
  BOOST_TEST(page.documents[6].body == long_text);

  std::vector<Document> docs = page.documents;
  assign_hierarchy(docs, plain_site());
  BOOST_TEST(docs[2].hierarchy == (std::vector<std::string>{"Guide - Site", "Installation"}), tt::per_element());
  BOOST_TEST(docs[1].hierarchy == std::vector<std::string>{"Guide - Site"}, tt::per_element());
}

BOOST_AUTO_TEST_CASE(the_pages_own_heading) {
  // A label before the title's words: the h1 is the page's heading, not a section nor body text.
  auto kind = extract_page(R"(<html><head><title>Kind (Widget Toolkit)</title></head><body><main>
    <h1>Enum Class Kind</h1><p>kinds</p><h2 id="c">Constants</h2><p>LABEL</p>
    <h1 id="other">Other</h1></main></body></html>)",
                           "https://docs.example.org/Kind.html", plain_site());
  BOOST_REQUIRE(kind.documents.size() == 3u);
  BOOST_TEST(kind.documents[0].body == "kinds Constants LABEL Other");  // without "Enum Class Kind"
  BOOST_TEST(kind.documents[1].section_title == "Constants");
  BOOST_TEST(kind.documents[2].section_title == "Other");
  // Several h1s, none the title (Doxygen's Markdown pages): each is a section, the h2 under it too.
  auto guide = extract_page(R"(<html><head><title>Widget Toolkit: Getting started</title></head><body>
    <div class="title">Getting started</div><div class="contents"><p>This guide.</p>
    <h1 id="installation">Installation</h1><p>Install it.</p><h2 id="verify">Verifying</h2><p>Run it.</p>
    <h1 id="configuration">Configuration</h1><p>Configure it.</p></div></body></html>)",
                            "https://docs.example.org/guide.html", plain_site());
  BOOST_REQUIRE(guide.documents.size() == 4u);
  BOOST_TEST(guide.documents[1].section_title == "Installation");
  BOOST_TEST(guide.documents[2].hierarchy == std::vector<std::string>{"Installation"}, tt::per_element());
  BOOST_TEST(guide.documents[3].section_title == "Configuration");
}

BOOST_AUTO_TEST_CASE(definitions_are_records) {
  auto page = extract_page(R"html(<html><head><title>API</title></head><body><main><h1>API</h1>
    <dl class="py class"><dt id="w.Widget">class w.Widget(name)</dt><dd><p>One widget.</p>
      <dl class="py method"><dt id="w.Widget.resize">resize(width, height)</dt><dd><p>Resizes it.</p></dd></dl>
      <p>More about widgets.</p></dd></dl>
    <h2 id="rust">Rust</h2>
    <details open><summary><section id="method.new" class="method"><h4>pub fn new() -&gt; Widget</h4></section></summary>
      <div class="docblock">Creates one.</div></details>
    <span id="structfield.name" class="structfield"><code>name: String</code></span><div class="docblock">Its name.</div>
    <p>Not the field's.</p>
    <h2 id="c">C</h2><table>
    <tr class="memitem:abc"><td class="left"><a id="abc" name="abc"></a>int</td><td><b>widget_version</b> (void)</td></tr>
    <tr class="memdesc:abc"><td></td><td>Returns the version.</td></tr>
    <tr class="memitem:"><td><a class="el" href="#x">linked</a></td></tr></table>
    <div class="refsect1"><a name="open.description"></a><h2>Description</h2><p>Opens.</p></div>
    <div class="dlist"><dl><dt class="hdlist1"><a id="def_bare"></a>bare repository</dt><dd><p>One without a work tree.</p></dd>
      <dt class="hdlist1">plain term</dt><dd><p>No anchor, no record.</p></dd>
      <dt><span class="term"><a id="id-1.2" class="indexterm"></a><code>stat(rel)</code></span></dt><dd><p>Counts tuples.</p></dd></dl></div>
    </main></body></html>)html",
                           "https://docs.example.org/api.html", plain_site());
  std::map<std::string, const Document*> by_anchor;
  for (const auto& d : page.documents) {
    if (auto hash = d.url.find('#'); hash != std::string::npos) by_anchor[d.url.substr(hash + 1)] = &d;
  }
  BOOST_REQUIRE(by_anchor.count("w.Widget"));
  BOOST_TEST(by_anchor["w.Widget"]->section_title == "class w.Widget(name)");
  BOOST_TEST(by_anchor["w.Widget"]->body == "class w.Widget(name) One widget. More about widgets.");
  BOOST_REQUIRE(by_anchor.count("w.Widget.resize"));
  BOOST_TEST(by_anchor["w.Widget.resize"]->body == "resize(width, height) Resizes it.");
  BOOST_TEST(by_anchor["w.Widget.resize"]->hierarchy == std::vector<std::string>{"class w.Widget(name)"}, tt::per_element());
  BOOST_REQUIRE(by_anchor.count("method.new"));
  BOOST_TEST(by_anchor["method.new"]->section_title == "pub fn new() -> Widget");
  BOOST_TEST(by_anchor["method.new"]->body == "pub fn new() -> Widget Creates one.");
  BOOST_TEST(by_anchor["method.new"]->hierarchy == std::vector<std::string>{"Rust"}, tt::per_element());
  BOOST_REQUIRE(by_anchor.count("structfield.name"));
  BOOST_TEST(by_anchor["structfield.name"]->body == "name: String Its name.");
  BOOST_REQUIRE(by_anchor.count("rust"));
  BOOST_TEST(by_anchor["rust"]->body == "Not the field's.");  // its definitions are records of their own
  BOOST_REQUIRE(by_anchor.count("abc"));
  BOOST_TEST(by_anchor["abc"]->body == "int widget_version (void) Returns the version.");
  BOOST_REQUIRE(by_anchor.count("open.description"));
  BOOST_TEST(by_anchor["open.description"]->section_title == "Description");
  // A <dt> named by an empty marker first in it (AsciiDoc's [[anchor]]term::, DocBook's index
  // terms): a definition as a <dt id> is; one with neither is text of its section.
  BOOST_REQUIRE(by_anchor.count("def_bare"));
  BOOST_TEST(by_anchor["def_bare"]->section_title == "bare repository");
  BOOST_TEST(by_anchor["def_bare"]->body == "bare repository One without a work tree.");
  BOOST_REQUIRE(by_anchor.count("id-1.2"));
  BOOST_TEST(by_anchor["id-1.2"]->body == "stat(rel) Counts tuples.");
  BOOST_TEST(by_anchor["open.description"]->body == "Opens. plain term No anchor, no record.");
  BOOST_TEST(page.documents.size() == 11u);  // the page, 2 sections and Description, 7 definitions
}

BOOST_AUTO_TEST_CASE(a_definitions_names_share_its_description) {
  // Sphinx's overloads: the second signature has no id; its kind ("class ") leads the name.
  // Texinfo's @deftypefnx: every signature has an id; a return value leads the name. A <dd>
  // ends the run: the next <dt id> is a definition of its own.
  auto page = extract_page(R"html(<html><head><title>API</title><meta name="Generator" content="makeinfo"></head><body><main><h1>API</h1>
    <dl class="py class"><dt id="int"><em class="property">class </em><span class="sig-name descname">int</span>(x=0)</dt>
      <dt><em class="property">class </em><span class="sig-name descname">int</span>(x, base=10)</dt><dd><p>Return an integer.</p></dd></dl>
    <dl class="def"><dt id="index-inv"><span class="category">: </span><span><em>x =</em> <strong>inv</strong> <em>(A)</em></span></dt>
      <dt id="index-inv-1"><span class="category">: </span><span><em>[x, rcond] =</em> <strong>inv</strong> <em>(A)</em></span></dt>
      <dt id="index-inverse"><span class="category">: </span><span><em>[&hellip;] =</em> <strong>inverse</strong> <em>(&hellip;)</em></span></dt>
      <dd><p>Compute the inverse of A.</p></dd>
      <dt id="a">a()</dt><dd>Says a.</dd><dt id="b">b()</dt><dd>Says b.</dd></dl>
    </main></body></html>)html",
                           "https://docs.example.org/api.html", plain_site());
  std::map<std::string, const Document*> by_anchor;
  for (const auto& d : page.documents) {
    if (auto hash = d.url.find('#'); hash != std::string::npos) by_anchor[d.url.substr(hash + 1)] = &d;
  }
  BOOST_REQUIRE(by_anchor.count("int"));
  BOOST_TEST(by_anchor["int"]->section_title == "int(x=0)");
  BOOST_TEST(by_anchor["int"]->body == "class int(x=0) class int(x, base=10) Return an integer.");
  BOOST_REQUIRE(by_anchor.count("index-inv"));
  BOOST_TEST(by_anchor["index-inv"]->section_title == "inv (A)");
  BOOST_TEST(by_anchor["index-inv"]->body == "x = inv (A) [x, rcond] = inv (A) [\xE2\x80\xA6] = inverse (\xE2\x80\xA6) Compute the inverse of A.");
  BOOST_TEST(!by_anchor.count("index-inv-1"));
  BOOST_TEST(!by_anchor.count("index-inverse"));
  BOOST_REQUIRE(by_anchor.count("a"));
  BOOST_TEST(by_anchor["a"]->body == "a() Says a.");
  BOOST_REQUIRE(by_anchor.count("b"));
  BOOST_TEST(by_anchor["b"]->body == "b() Says b.");
  BOOST_TEST(page.documents.size() == 5u);  // the page and 4 definitions
}

BOOST_AUTO_TEST_CASE(generator_profiles) {
  const auto site = plain_site();
  auto page = [&](const std::string& url, const std::string& head, const std::string& body) {
    return extract_page("<html><head><title>T</title>" + head + "</head>" + body + "</html>", "https://docs.example.org/" + url, site);
  };
  // Recognised by the generator meta or by a signature element.
  BOOST_TEST(page("a.html", R"(<meta name="generator" content="Docutils 0.19: x">)", "<body><p>x</p></body>").generator == "sphinx");
  BOOST_TEST(page("a.html", "", R"(<body><script id="documentation_options"></script><p>x</p></body>)").generator == "sphinx");
  BOOST_TEST(page("a.html", R"(<meta name="generator" content="Astro v5"><meta name="generator" content="Starlight v0.37">)",
                  "<body><p>x</p></body>")
                 .generator == "starlight");
  BOOST_TEST(page("a.html", "", "<body><p>x</p></body>").generator == "generic");
  // Noise of a profile, and the generic tables of contents.
  auto rust = page("widget/struct.W.html", R"(<meta name="generator" content="rustdoc">)",
                   R"(<body class="rustdoc struct"><main><h1>Struct W</h1><a class="src" href="../src/x.rs.html">Source</a>
                   <details open><summary class="hideme"><span>Expand description</span></summary><p>A widget.</p></details>
                   <h2 id="synthetic-implementations">Auto Trait Implementations</h2><div id="synthetic-implementations-list">impl Send for W</div>
                   <aside class="toc"><h2>On this page</h2></aside></main></body>)");
  BOOST_REQUIRE(!rust.documents.empty());
  BOOST_TEST(rust.documents[0].body == "A widget.");
  // rustdoc 1.63 (Debian 12): the version and "source" beside the heading and each item, the
  // "[−]" toggle, "Notable traits" tooltips inside signatures, "Run" links under examples.
  auto rust163 = page("vec/struct.V.html", R"(<meta name="generator" content="rustdoc">)",
                      R"html(<body class="rustdoc struct"><section id="main-content"><div class="main-heading"><h1 class="fqn">
                      <span class="in-band">Struct <a href="../index.html">w</a>::<a class="struct" href="#">V</a></span></h1>
                      <span class="out-of-band"><span class="since">1.0.0</span> · <a class="srclink" href="../src/v.rs.html">source</a> ·
                      <a id="toggle-all-docs" href="javascript:void(0)">[<span class="inner">−</span>]</a></span></div>
                      <p>A vector.</p><pre class="rust"><code>let v = V::new();</code></pre><a class="test-arrow" href="https://play.example/">Run</a>
                      <details class="rustdoc-toggle method-toggle" open><summary><section id="method.boxed" class="method has-srclink">
                      <span class="rightside"><span class="since">1.5.0</span> · <a class="srclink" href="../src/v.rs.html#9">source</a></span>
                      <h4 class="code-header">pub fn boxed(self) -&gt; Box&lt;V&gt;<span class="notable-traits"><span class="notable-traits-tooltip">ⓘ
                      <span class="notable">Notable traits for Box</span></span></span></h4></section></summary>
                      <div class="docblock"><p>Boxes it.</p></div></details></section></body>)html");
  BOOST_REQUIRE(rust163.documents.size() == 2u);
  BOOST_TEST(rust163.documents[0].body == "A vector. let v = V::new(); pub fn boxed(self) -> Box<V> Boxes it.");
  BOOST_TEST(rust163.documents[1].section_title == "pub fn boxed(self) -> Box<V>");
  // DocBook's div.toc is a chapter's list of sections: kept.
  auto chapter = page("ch01.html", R"(<meta name="generator" content="DocBook XSL Stylesheets V1.79.2">)",
                      R"(<body><div class="navheader">Prev Next</div><div class="chapter"><h1>Chapter 1. Intro</h1>
                      <div class="toc"><p><b>Table of Contents</b></p><dl><dt><a href="s.html">1.1. Setup</a></dt></dl></div>
                      </div><div class="navfooter">Home</div></body>)");
  BOOST_REQUIRE(!chapter.documents.empty());
  BOOST_TEST(chapter.documents[0].body == "Table of Contents 1.1. Setup");
  // Boost's DocBook pages (BoostBook): the header of links atop each page, the Prev / Up / Home /
  // Next icons and the copyright and licence at its foot are chrome.
  auto boost = page("thread/build.html", R"(<meta name="generator" content="DocBook XSL Stylesheets Vsnapshot">)",
                    R"(<body><table cellpadding="2" width="100%"><tr><td><img alt="Boost C++ Libraries" src="boost.png"></td>
                    <td><a href="index.html">Home</a></td><td><a href="libraries.htm">Libraries</a></td></tr></table><hr>
                    <div class="spirit-nav"><a accesskey="p" href="a.html"><img src="prev.png" alt="Prev"></a></div>
                    <div class="section"><h2 class="title">Using and building the library</h2><p>Link with -lboost_thread.</p></div>
                    <table width="100%"><tr><td><div class="copyright-footer">Copyright 2007 Anthony Williams. Distributed under
                    the Boost Software License.</div></td></tr></table></body>)");
  BOOST_REQUIRE(!boost.documents.empty());
  BOOST_TEST(boost.documents[0].body == "Using and building the library Link with -lboost_thread.");
  // Texinfo: a node's Next / Previous / Up links (6's div.header, 7's div.nav-panel) and an index
  // node's entries (6's table.index-cp and "Jump to:" letters, 7's div.printindex) are chrome.
  auto node = page("Cell-Arrays.html", R"(<meta name="Generator" content="makeinfo">)",
                   R"(<body><div class="section" id="Cell-Arrays"><div class="header"><p>Next: <a href="Structs.html" rel="next">Structs</a>,
                   Up: <a href="Data.html" rel="up">Data</a> [<a href="Concept-Index.html" rel="index">Index</a>]</p></div><hr>
                   <h3 class="section">6.3 Cell Arrays</h3><p>A cell array holds anything.</p>
                   <div class="nav-panel"><p>Next: <a href="Structs.html">Structs</a></p></div></div></body>)");
  BOOST_TEST(node.generator == "texinfo");
  BOOST_REQUIRE(!node.documents.empty());
  BOOST_TEST(node.documents[0].body == "6.3 Cell Arrays A cell array holds anything.");
  auto index_node = page("Concept-Index.html", R"(<meta name="Generator" content="makeinfo">)",
                         R"(<body><div class="unnumbered"><h2 class="unnumbered">Concept Index</h2><p>Concepts, A to Z.</p>
                         <table><tr><th>Jump to: </th><td><a class="summary-letter" href="#A"><b>A</b></a></td></tr></table>
                         <table class="index-cp"><tr><td><a href="Cell-Arrays.html#index-cell">cell array</a></td><td><a href="Cell-Arrays.html">Cell Arrays</a></td></tr></table>
                         <div class="printindex cp-printindex"><table class="cp-entries-printindex"><tr><td><a href="X.html">struct</a></td></tr></table></div>
                         </div></body>)");
  BOOST_REQUIRE(!index_node.documents.empty());
  BOOST_TEST(index_node.documents[0].body == "Concept Index Concepts, A to Z. Jump to:");
  // qdoc (Qt): no generator meta; its header's navigation bar and the brief's "More..." link. The
  // header leaves two <div>s open, as Qt 5.15's pages do: the content is inside it.
  auto qt = page("qstring.html", "",
                 R"(<body><div class="header" id="qtdocheader"><div class="main"><div class="main-rounded"><div class="navigationbar">
                 <ul><li>Qt 5.15</li><li><a href="qtcore-index.html">Qt Core</a></li><li>QString</li>
                 <li id="buildversion"><a href="qtcore-index.html">Qt 5.15.8 Reference Documentation</a></li></ul></div></div>
                 <div class="content"><div class="sidebar"><div class="toc"><h3><a name="toc">Contents</a></h3></div></div>
                 <h1 class="title">QString Class</h1><p>The QString class provides a Unicode character string. <a href="#details">More...</a></p>
                 <h2 id="details">Detailed Description</h2><p>QString stores a string of QChars.</p></div>
                 <div class="footer"><p>2020 The Qt Company Ltd.</p></div></body>)");
  BOOST_TEST(qt.generator == "qdoc");
  BOOST_REQUIRE(!qt.documents.empty());
  BOOST_TEST(qt.documents[0].body == "The QString class provides a Unicode character string. Detailed Description QString stores a string of QChars.");
  const auto member_list = page("qstring-members.html", "", R"(<body><div class="header" id="qtdocheader"></div><h1>List of All Members for QString</h1>
                            <ul><li><a href="qstring.html#append">append</a></li></ul></body>)");
  BOOST_TEST(member_list.skip_reason == "member list (qdoc)");
  // MediaWiki (cppreference): the article only; a heading's id is on the span inside it; the names
  // an entry stacks in span.t-lines are words apart.
  auto wiki = page("cpp/container/array.html", R"(<meta name="generator" content="MediaWiki 1.21.2">)",
                   R"(<body><div id="content"><h1 id="firstHeading">std::array</h1><div id="bodyContent">
                   <div id="siteSub">From cppreference.com</div><div id="contentSub">&lt; cpp | container</div>
                   <div id="mw-content-text"><div class="t-navbar"><div class="t-navbar-head">C++ Containers library</div></div>
                   <p>A fixed size array.</p><table class="t-dsc-begin"><tr class="t-dsc"><td><a href="array/operator_cmp.html">
                   <span class="t-lines"><span>operator==</span><span>operator!=</span></span></a></td><td>compares</td></tr></table>
                   <h3><span class="mw-editsection">[<a href="edit">edit</a>]</span><span class="mw-headline" id="Iterator_invalidation">Iterator invalidation</span></h3>
                   <p>Never invalidated.</p><h3><span class="mw-headline" id="Example">Example</span></h3>
                   <div class="t-example"><div class="t-example-live-link"><div class="coliru-btn">Run this code</div></div><pre>int main() {}</pre></div>
                   <div class="printfooter">Retrieved from "http://en.cppreference.com/mwiki/index.php?title=cpp/container/array"</div>
                   <div id="catlinks" class="catlinks">Hidden category: Todo</div></div></div></div></body>)");
  BOOST_TEST(wiki.generator == "mediawiki");
  BOOST_REQUIRE(wiki.documents.size() == 3u);
  // Its stacked names (span.t-lines, one per line in its style sheet) are words apart.
  BOOST_TEST(wiki.documents[0].body ==
             "A fixed size array. operator== operator!= compares Iterator invalidation Never invalidated. Example int main() {}");
  BOOST_TEST(wiki.documents[1].url == "https://docs.example.org/cpp/container/array.html#Iterator_invalidation");
  BOOST_TEST(wiki.documents[1].body == "Never invalidated.");
  BOOST_TEST(wiki.documents[2].url == "https://docs.example.org/cpp/container/array.html#Example");
  // Haddock: no generator meta. A module page without its package header, metadata table, table
  // of contents, synopsis, "Source" / "#" links and "Expand"; its index and HsColour sources skipped.
  auto hs = page("Data-Graph.html", "",
                 R"(<body><div id="package-header"><span class="caption">containers-0.6.4.1: Assorted concrete container types</span>
                 <ul class="links" id="page-menu"><li><a href="src/Data-Graph.html">Source</a></li><li><a href="index.html">Contents</a></li></ul></div>
                 <div id="content"><div id="module-header"><table class="info"><tr><th>License</th><td>BSD-style</td></tr></table>
                 <p class="caption">Data.Graph</p></div><div id="table-of-contents"><p class="caption">Contents</p></div>
                 <div id="description"><p class="caption">Description</p><div class="doc"><p>Finite graphs.</p></div></div>
                 <div id="synopsis"><details id="syn"><summary>Synopsis</summary><ul><li class="src short">dfs :: Graph</li></ul></details></div>
                 <div id="interface"><div class="top"><p class="src"><a id="v:dfs" class="def">dfs</a> :: Graph -&gt; Forest
                 <a href="src/Data-Graph.html#dfs" class="link">Source</a> <a href="#v:dfs" class="selflink">#</a></p>
                 <div class="doc"><p>A spanning forest.</p><details id="ch:dfs0"><summary class="hide-when-js-enabled">Expand</summary>
                 <pre>dfs g [0]</pre></details></div></div></div></div></body>)");
  BOOST_TEST(hs.generator == "haddock");
  BOOST_REQUIRE(!hs.documents.empty());
  BOOST_TEST(hs.documents[0].body == "Data.Graph Description Finite graphs. dfs :: Graph -> Forest A spanning forest. dfs g [0]");
  BOOST_TEST(page("src/Data-Graph.html", "", R"(<body><pre><a name="line-1"></a><span class="hs-comment">{-# LANGUAGE CPP #-}</span></pre></body>)")
                 .skip_reason == "source code (Haddock)");
  BOOST_TEST(page("doc-index-A.html", "", R"(<body><div id="package-header">p</div><div id="content"><p>A B C</p></div></body>)")
                 .skip_reason == "generated index (Haddock)");
  // Erlang/OTP (erl_docgen): the article without the top bar's h1; each function's "Types"
  // heading is chrome (every one has the id "types"); "Erlang -- " is the titles' shared prefix.
  auto erl = page("lists.html", "",
                  R"(<body><div id="container"><div class="topbar"><div class="topbar-title"><h1 id="lists">lists</h1></div></div>
                  <nav class="leftnav-tube"><div class="erlang-logo-wrapper"><a href="index.html">Erlang</a></div></nav>
                  <div id="content"><div class="innertube"><center><h1>lists</h1></center></div>
                  <div class="innertube"><h3 id="description">Description</h3><div class="REFBODY"><p>List processing.</p></div></div>
                  <div class="exports-body"><article class="func"><h4 id="all-2">all(Pred, List) -&gt; boolean()</h4>
                  <div class="REFBODY fun-types"><h3 id="types" class="func-types-title">Types</h3><div>Pred = fun()</div></div>
                  <div class="REFBODY"><p>True if all are.</p></div></article>
                  <article class="func"><h4 id="any-2">any(Pred, List) -&gt; boolean()</h4>
                  <div class="REFBODY fun-types"><h3 id="types" class="func-types-title">Types</h3><div>Pred = fun()</div></div>
                  <div class="REFBODY"><p>True if any is.</p></div></article></div></div></div></body>)");
  BOOST_TEST(erl.generator == "erl_docgen");
  std::vector<std::string> erl_urls;
  for (const auto& d : erl.documents) erl_urls.push_back(d.url.substr(d.url.find('#') == std::string::npos ? d.url.size() : d.url.find('#')));
  BOOST_TEST(erl_urls == (std::vector<std::string>{"", "#description", "#all-2", "#any-2"}), tt::per_element());
  BOOST_REQUIRE(erl.documents.size() == 4u);
  BOOST_TEST(erl.documents[2].body == "Pred = fun() True if all are.");
  // Generic pages: several <article>s are items (a list of functions, of posts), not the content,
  // which is around them; a heading whose id an earlier one has starts no record (as one without
  // an id: its text is the page's).
  auto items = page("items.html", "",
                    R"(<body><h1>Items</h1><p>All the items.</p><article><h2 id="a">A</h2><p>First.</p></article>
                    <article><h2 id="b">B</h2><p>Second.</p><h2 id="b">Again</h2><p>More.</p></article></body>)");
  BOOST_REQUIRE(items.documents.size() == 3u);
  BOOST_TEST(items.documents[0].body == "All the items. A First. B Second. Again More.");
  BOOST_TEST(items.documents[2].url == "https://docs.example.org/items.html#b");
  BOOST_TEST(items.documents[2].body == "Second.");
  auto one = page("one.html", "", R"(<body><nav>Menu</nav><article><h1>One</h1><p>Only this.</p></article><p>Footer.</p></body>)");
  BOOST_REQUIRE(!one.documents.empty());
  BOOST_TEST(one.documents[0].body == "Only this.");  // one <article> is the content
  // Sphinx with Django's theme (YUI grids): the content is #yui-main, not its header, footer and
  // sidebar of navigation links.
  auto django = page("topics/db/queries.html", R"(<meta name="generator" content="Docutils 0.17.1">)",
                     R"(<body><div class="document"><div id="hd"><div id="global-nav"><a href="/">Home</a> | <a href="/c">Table of contents</a></div>
                     <div class="nav">&laquo; <a href="m.html">previous</a> | <a href="a.html">next</a> &raquo;</div></div>
                     <div id="bd"><div id="yui-main"><div class="yui-b"><div class="section"><h1>Making queries</h1><p>Django gives you an API.</p></div></div></div>
                     <div class="yui-b"><h4>Previous topic</h4><p><a href="m.html">Models</a></p></div></div><div id="ft">Last update</div></div></body>)");
  BOOST_REQUIRE(!django.documents.empty());
  BOOST_TEST(django.documents[0].body == "Django gives you an API.");
  // viewcode's "[source]" link after a signature is no part of it.
  auto viewcode = page("api.html", R"(<meta name="generator" content="Docutils 0.19">)",
                       R"html(<body><main><h1>API</h1><dl class="py method"><dt id="w.on_any_event"><span class="sig-name descname">on_any_event</span>(event)<a class="reference internal" href="_modules/w.html#on_any_event"><span class="viewcode-link"><span class="pre">[source]</span></span></a></dt><dd><p>Catch-all.</p></dd></dl></main></body>)html");
  BOOST_REQUIRE(viewcode.documents.size() == 2u);
  BOOST_TEST(viewcode.documents[1].section_title == "on_any_event(event)");
  // GTK-Doc: DocBook XSL's pages (both metas), its own navigation and footer left out.
  auto gtkdoc = page("glib-Arrays.html", R"html(<meta name="generator" content="DocBook XSL Stylesheets Vsnapshot"><meta name="generator" content="GTK-Doc V1.33.1 (XML mode)">)html",
                     R"(<body><table class="navigation" id="top"><tr><td><a href="#" class="shortcut">Top</a> | <a href="#d">Description</a></td></tr></table>
                     <div class="refentry"><h2>Arrays</h2><p>Arrays grow.</p></div><div class="footer"><hr>Generated by GTK-Doc V1.33.1</div></body>)");
  BOOST_TEST(gtkdoc.generator == "gtk-doc");
  BOOST_REQUIRE(!gtkdoc.documents.empty());
  BOOST_TEST(gtkdoc.documents[0].body == "Arrays Arrays grow.");
  // A footer outside <footer>: AsciiDoc's div#footer, Sphinx themes' div.footer.
  auto asciidoc = page("git-add.html", R"(<meta name="generator" content="AsciiDoc 10.2.0">)",
                       R"(<body><div id="content"><p>Add files.</p></div><div id="footer"><div id="footer-text">Last updated 2024-05-31</div></div>
                       <div class="footer">Created using Sphinx</div></body>)");
  BOOST_REQUIRE(!asciidoc.documents.empty());
  BOOST_TEST(asciidoc.documents[0].body == "Add files.");
  // Javadoc 8 and 11: no generator meta, known by their navigation bar's anchor; a member's
  // anchor is the empty <a id> (a comment in it) before the list its h4 opens.
  const std::string javadoc11 = R"html(<body><a id="navbar.top"><!--   --></a><main role="main"><h2 class="title">Class Element</h2>
      <ul class="blockList"><li class="blockList"><a id="method.detail"><!--   --></a><h3>Method Detail</h3>
      <a id="text()"><!--   --></a><ul class="blockList"><li class="blockList"><h4>text</h4>
      <pre class="methodSignature">public String text()</pre><div class="block">Gets the text.</div></li></ul></li></ul></main></body>)html";
  auto element = extract_page("<html><head><title>Element (X 1.0 API)</title></head>" + javadoc11 + "</html>",
                               "https://docs.example.org/org/x/Element.html", site);
  BOOST_TEST(element.generator == "javadoc");
  std::map<std::string, const Document*> members;
  for (const auto& d : element.documents)
    if (auto hash = d.url.find('#'); hash != std::string::npos) members[d.url.substr(hash + 1)] = &d;
  BOOST_REQUIRE(members.count("text()"));
  BOOST_TEST(members["text()"]->section_title == "text");
  BOOST_TEST(members["text()"]->body == "public String text() Gets the text.");
  BOOST_TEST(members.count("method.detail") == 1u);
  BOOST_TEST(contains(page("org/x/class-use/Element.html", "", javadoc11).skip_reason, "generated index"));
  BOOST_TEST(contains(page("overview-tree.html", "", javadoc11).skip_reason, "generated index"));
  // Pages that are not documents.
  const std::vector<std::pair<std::string, std::string>> skipped = {
      {page("genindex.html", R"(<meta name="generator" content="Docutils 0.19">)", "<body><p>x</p></body>").skip_reason, "general index"},
      {page("_modules/django/apps/config.html", R"(<meta name="generator" content="Docutils 0.17.1">)", "<body><p>x</p></body>").skip_reason,
       "viewcode"},
      {page("src/w/lib.rs.html", R"(<meta name="generator" content="rustdoc">)", R"(<body class="rustdoc src"><p>x</p></body>)").skip_reason, "source view"},
      {page("index-all.html", R"(<meta name="generator" content="javadoc/IndexWriter">)", "<body><p>x</p></body>").skip_reason, "index"},
      {page("globals_func.html", R"(<meta name="generator" content="Doxygen 1.9.4">)", "<body><p>x</p></body>").skip_reason, "index"},
      {page("docs/404.html", "", "<body><p>x</p></body>").skip_reason, "404"},
      {page("search.html", "", "<body><form><input name=q></form><p>Searching</p></body>").skip_reason, "search page"},
      {page("old.html", R"(<meta http-equiv="Refresh" content="0;new.html">)", "<body><p>x</p></body>").skip_reason, "redirect"},
  };
  for (const auto& [reason, expected] : skipped) BOOST_TEST(contains(reason, expected), reason << " / " << expected);
  BOOST_TEST(page("reload.html", R"(<meta http-equiv="refresh" content="30">)", "<body><p>x</p></body>").skip_reason == "");
  BOOST_TEST(page("search.html", "", "<body><p>" + std::string(2000, 'x') + "</p></body>").skip_reason == "");  // a page about search
  // Doxygen: the title is a div, the h1s are sections, the content is div.contents.
  auto doxygen = page("platforms.html", R"(<meta name="generator" content="Doxygen 1.9.4">)",
                      R"(<body><div id="titlearea">Project 1.0</div><div class="header"><div class="headertitle"><div class="title">Platforms</div></div></div>
                      <div class="contents"><p>Runs on Linux.</p><h1><a class="anchor" id="troubleshooting"></a>Troubleshooting</h1><p>Delete it.</p></div></body>)");
  BOOST_REQUIRE(doxygen.documents.size() == 2u);
  BOOST_TEST(doxygen.documents[0].body == "Runs on Linux. Troubleshooting Delete it.");
  BOOST_TEST(doxygen.documents[1].url == "https://docs.example.org/platforms.html#troubleshooting");
}

BOOST_AUTO_TEST_CASE(report_counts_generators) {
  const auto dir = std::string(SITESEEK_TEST_FIXTURES) + "/generators/built/sphinx-alabaster";
  auto result = read_directory(dir, "https://widget.example.org/", plain_site());
  BOOST_TEST((result.report.generators == std::map<std::string, std::uint64_t>{{"sphinx", 4}}));
  auto back = boost::json::value_to<IngestReport>(boost::json::value_from(result.report));
  BOOST_TEST((back.generators == result.report.generators));
  BOOST_TEST(!boost::json::value_from(IngestReport{}).as_object().contains("generators"));
}

BOOST_AUTO_TEST_SUITE_END()
