// Proves the selector subset of content_selectors, exclude_selectors, breadcrumb_selector and the
// generator profiles (common/selector_syntax.hpp, ingest/selector.cpp):
// 1. it parses tags, *, classes, ids, attribute tests (presence, =, ^=, $=, *=, ~=, quoted or
//    not), :not(compound), descendant and child combinators; anything else is an error that says
//    what and where, and the selector is empty;
// 2. an element matches when each compound matches it or an ancestor as the combinators say;
//    a chain of child combinators after a descendant one is found above the nearest ancestor
//    that fails it (no greedy mistake), and :not() rules out what its compound matches;
// 3. find_first and find_first_of return the first match in document order.
#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>

#include <gumbo.h>

#include "ingest/selector.hpp"

using namespace siteseek::ingest_detail;

namespace {

struct Page {
  GumboOutput* out;
  explicit Page(const char* html) : out(gumbo_parse(html)) {}
  ~Page() { gumbo_destroy_output(&kGumboDefaultOptions, out); }
  Page(const Page&) = delete;
  Page& operator=(const Page&) = delete;
  // The element with this id.
  const GumboNode* operator[](const char* id) const {
    Selector s = parse_selector(std::string("#") + id);
    const GumboNode* n = find_first(s, out->root);
    BOOST_REQUIRE_MESSAGE(n, id);
    return n;
  }
};

bool match(const char* selector, const GumboNode* n) {
  std::string error;
  Selector s = parse_selector(selector, &error);
  BOOST_REQUIRE_MESSAGE(!s.empty(), selector << ": " << error);
  return matches(s, n);
}

std::string error_of(const char* selector) {
  std::string error;
  BOOST_TEST(parse_selector(selector, &error).empty(), selector);
  return error;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(selectors)

BOOST_AUTO_TEST_CASE(the_subset_parses) {
  auto s = parse_selector(R"(  main  div.a.b#x[data-k][role="tab panel"] > p:not(.c):not([hidden])  )");
  BOOST_REQUIRE(s.parts.size() == 3u);
  BOOST_TEST(s.parts[0].tag == "main");
  BOOST_TEST(!s.parts[1].child);
  BOOST_TEST(s.parts[1].tag == "div");
  BOOST_TEST(s.parts[1].classes.size() == 2u);
  BOOST_TEST(s.parts[1].id == "x");
  BOOST_REQUIRE(s.parts[1].attributes.size() == 2u);
  BOOST_TEST(s.parts[1].attributes[1].value == "tab panel");
  BOOST_TEST(s.parts[2].child);
  BOOST_TEST(s.parts[2].negations.size() == 2u);
  BOOST_TEST(parse_selector("a>b").parts.size() == 2u);
  BOOST_TEST(parse_selector("tr[class^=memitem:]").parts[0].attributes[0].value == "memitem:");
  BOOST_TEST(parse_selector("*").parts.size() == 1u);
}

BOOST_AUTO_TEST_CASE(errors_say_what_and_where) {
  BOOST_TEST(error_of("") == "empty selector at character 1");
  BOOST_TEST(error_of("div:first-child") == "unsupported pseudo-class ':first-child' (only :not(...) is) at character 4");
  BOOST_TEST(error_of("p::before") == "unsupported pseudo-element at character 2");
  BOOST_TEST(error_of("nav, footer") == "',' (a list of selectors: give each its own entry) at character 4");
  BOOST_TEST(error_of("h2 + p") == "unsupported combinator '+' at character 4");
  BOOST_TEST(error_of("h2 ~ p") == "unsupported combinator '~' at character 4");
  BOOST_TEST(error_of("> p") == "expected a tag, *, .class, #id, [attribute] or :not(...) at character 1");
  BOOST_TEST(error_of("ul >") == "expected a selector after '>' at character 5");
  BOOST_TEST(error_of("[data-x") == "expected ']' or one of =, ^=, $=, *=, ~= in [data-x at character 8");
  BOOST_TEST(error_of("[a='x]") == "unterminated quoted value at character 5");
  BOOST_TEST(error_of("[a=]") == "expected a value after the operator in [a at character 4");
  BOOST_TEST(error_of("p:not(.a .b)") == "expected ')' closing :not( (one compound selector inside) at character 10");
  BOOST_TEST(error_of("div.") == "expected a name after '.' at character 5");
  BOOST_TEST(error_of("div/p") == "unexpected '/' at character 4");
}

BOOST_AUTO_TEST_CASE(attribute_tests) {
  Page page(R"(<div id="d" class="one two" data-k="alpha-beta gamma" hidden></div>)");
  const auto* d = page["d"];
  BOOST_TEST(match("[hidden]", d));
  BOOST_TEST(match("[data-k^=alpha]", d));
  BOOST_TEST(match("[data-k$=gamma]", d));
  BOOST_TEST(match("[data-k*='beta g']", d));
  BOOST_TEST(match("[data-k~=gamma]", d));
  BOOST_TEST(!match("[data-k~=beta]", d));
  BOOST_TEST(!match("[data-k=alpha]", d));
  BOOST_TEST(match("div.two.one", d));
  BOOST_TEST(!match("[open]", d));
}

BOOST_AUTO_TEST_CASE(combinators_and_negation) {
  Page page(R"(<main id="m"><div class="x"><section><article><section><span id="s">text</span></section></article></section></div>
    <details id="closed"><summary id="sum">More</summary><p id="hid">collapsed</p></details>
    <details open><summary>Open</summary><p id="shown">expanded</p></details>
    <div role="tabpanel" id="tab" hidden>tab</div></main>)");
  const auto* s = page["s"];
  BOOST_TEST(match("main span", s));
  BOOST_TEST(match("section > span", s));
  BOOST_TEST(!match("article > span", s));
  BOOST_TEST(match("article > section > span", s));
  // The nearest section above the span fails "div.x > section"; the one further up holds it.
  BOOST_TEST(match("div.x > section span", s));
  BOOST_TEST(match("main > div > section > article span", s));
  BOOST_TEST(!match("main > section span", s));
  BOOST_TEST(!match("nav span", s));
  const char* closed_details = "details:not([open]) > :not(summary)";
  BOOST_TEST(match(closed_details, page["hid"]));
  BOOST_TEST(!match(closed_details, page["sum"]));
  BOOST_TEST(!match(closed_details, page["shown"]));
  BOOST_TEST(match("[role=tabpanel][hidden]", page["tab"]));
  BOOST_TEST(!match("div:not([hidden])", page["tab"]));
}

BOOST_AUTO_TEST_CASE(first_in_document_order) {
  Page page(R"(<body><div id="a" class="c"><p id="b" class="c"></p></div><p id="d" class="c"></p></body>)");
  const GumboNode* root = page.out->root;
  BOOST_TEST(find_first(parse_selector("p.c"), root) == page["b"]);
  BOOST_TEST(find_first(parse_selector("body > p"), root) == page["d"]);
  BOOST_TEST(find_first_of({parse_selector("#d"), parse_selector(".c")}, root) == page["d"]);
  BOOST_TEST(find_first_of({parse_selector("#none"), parse_selector(".c")}, root) == page["a"]);
}

BOOST_AUTO_TEST_SUITE_END()
