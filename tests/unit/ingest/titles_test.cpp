// Proves:
// 1. the affix most of a site's titles share is found and removed, whatever the generator's
//    separator and side: Sphinx " — Site 1.0 documentation", MkDocs " - Site", Docusaurus and
//    friends " | Site", Antora " :: Site", Erlang's "Erlang -- " before, Doxygen "Site: " before, Javadoc " (Site)", rustdoc
//    " - Rust" then " in crate" (and " in any::scope"), Texinfo " (Manual (version 1.0))" (its
//    "Top" node is the manual's name); a title that is only the site's name, or the affix around
//    the site's name, keeps the name, and so does a home page titled by the name, a separator and
//    the site's tagline;
// 2. nothing is removed that fewer than half of the titles (or only one) share, nor from a
//    title with no other words;
// 3. chapter labels ("Chapter 1. ", "Appendix A. ") go when at least two titles start with the
//    same label word; numbering without a word ("9.4. Text Helpers") stays;
// 4. strip_site_titles applies them to every record of a site, hierarchies included, and does
//    nothing when the site configures title_separators;
// 5. a profile's item kinds ("Class: ", JSDoc's) leave a title, at its start or after the site's
//    prefix, and only as a whole word before ": ".
#include <boost/test/unit_test.hpp>

#include "ingest/titles.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/settings.hpp"

using namespace siteseek;
using namespace siteseek::ingest_detail;
namespace tt = boost::test_tools;

namespace {

std::vector<std::string> shortened(const std::vector<std::string>& titles) {
  auto rules = shared_title_rules(titles);
  std::vector<std::string> out;
  for (const auto& t : titles) out.push_back(apply_title_rules(t, rules));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(titles)

BOOST_AUTO_TEST_CASE(generators_affixes) {
  const std::string dash = "\xE2\x80\x94";
  BOOST_TEST(shortened({"Widget Toolkit " + dash + " Widget Toolkit 1.0 documentation", "Getting started " + dash +
                        " Widget Toolkit 1.0 documentation", "Index " + dash + " Widget Toolkit 1.0 documentation"}) ==
                 (std::vector<std::string>{"Widget Toolkit", "Getting started", "Index"}),
             tt::per_element());
  BOOST_TEST(shortened({"Widget Toolkit", "Getting started - Widget Toolkit", "Platforms - Widget Toolkit",
                        "API reference - Widget Toolkit"}) ==
                 (std::vector<std::string>{"Widget Toolkit", "Getting started", "Platforms", "API reference"}),
             tt::per_element());
  BOOST_TEST(shortened({"Widget Toolkit | Widget Toolkit", "Getting started | Widget Toolkit", "Platforms | Widget Toolkit"}) ==
                 (std::vector<std::string>{"Widget Toolkit", "Getting started", "Platforms"}),
             tt::per_element());
  // jekyll-seo-tag (Jekyll's minima, GitHub Pages' themes): the home page puts the site's name first,
  // then its tagline; a title that only starts with the name's first word keeps itself.
  BOOST_TEST(shortened({"Widget Toolkit | Resizable widgets in a terminal.", "Getting started | Widget Toolkit",
                        "Platforms | Widget Toolkit", "Widget Toolkits | compared"}) ==
                 (std::vector<std::string>{"Widget Toolkit", "Getting started", "Platforms", "Widget Toolkits | compared"}),
             tt::per_element());
  BOOST_TEST(shortened({"Erlang -- lists", "Erlang -- maps", "Erlang -- STDLIB Release Notes"}) ==  // Erlang/OTP's docs
                 (std::vector<std::string>{"lists", "maps", "STDLIB Release Notes"}),
             tt::per_element());
  BOOST_TEST(shortened({"Widget Toolkit :: Widget Toolkit", "Getting started :: Widget Toolkit", "Platforms :: Widget Toolkit"}) ==
                 (std::vector<std::string>{"Widget Toolkit", "Getting started", "Platforms"}),
             tt::per_element());
  BOOST_TEST(shortened({"Widget Toolkit: Widget Toolkit", "Widget Toolkit: widget.h File Reference", "Widget Toolkit: Globals"}) ==
                 (std::vector<std::string>{"Widget Toolkit", "widget.h File Reference", "Globals"}),
             tt::per_element());
  BOOST_TEST(shortened({"Overview (Widget Toolkit)", "Widget (Widget Toolkit)", "Kind (Widget Toolkit)", "Widget Toolkit"}) ==
                 (std::vector<std::string>{"Overview", "Widget", "Kind", "Widget Toolkit"}),
             tt::per_element());
  // Texinfo: the manual's name, with its version in parentheses of its own; the Top node (the
  // home page) is titled by the manual's name.
  BOOST_TEST(shortened({"Top (Widget Manual (version 1.0))", "Cell Arrays (Widget Manual (version 1.0))",
                        "inv (x) (Widget Manual (version 1.0))"}) ==
                 (std::vector<std::string>{"Widget Manual (version 1.0)", "Cell Arrays", "inv (x)"}),
             tt::per_element());
  BOOST_TEST(shortened({"widget - Rust", "widget::guide - Rust", "Widget in widget - Rust", "open in widget - Rust",
                        "Kind in widget::kinds - Rust", "Help"}) ==
                 (std::vector<std::string>{"widget", "widget::guide", "Widget", "open", "Kind", "Help"}),
             tt::per_element());
}

BOOST_AUTO_TEST_CASE(only_what_most_titles_share) {
  // One affix each, or shared by fewer than half: nothing goes.
  const std::vector<std::string> own{"Logging - how to", "Testing | basics", "Install: Linux", "Tips (advanced)"};
  BOOST_TEST(shortened(own) == own, tt::per_element());
  const std::vector<std::string> few{"A - Site", "B - Site", "C", "D", "E"};
  BOOST_TEST(shortened(few) == few, tt::per_element());
  BOOST_TEST(shortened({"Solo - Site"}) == std::vector<std::string>{"Solo - Site"}, tt::per_element());
  // The Python docs: the module's own " — " stays, the release goes.
  const std::string dash = "\xE2\x80\x94";
  BOOST_TEST(shortened({"pathlib " + dash + " Object-oriented filesystem paths " + dash + " Python 3.11.2 documentation",
                        "os " + dash + " Miscellaneous operating system interfaces " + dash + " Python 3.11.2 documentation",
                        "Glossary " + dash + " Python 3.11.2 documentation"}) ==
                 (std::vector<std::string>{"pathlib " + dash + " Object-oriented filesystem paths",
                                           "os " + dash + " Miscellaneous operating system interfaces", "Glossary"}),
             tt::per_element());
}

BOOST_AUTO_TEST_CASE(item_kinds) {
  const std::vector<std::string> kinds = {"Class", "Module", "Tutorial"};
  BOOST_TEST(without_item_kind("JSDoc: Class: Widget", kinds) == "JSDoc: Widget");
  BOOST_TEST(without_item_kind("Module: widget", kinds) == "widget");
  BOOST_TEST(without_item_kind("JSDoc: Tutorial: Getting started", kinds) == "JSDoc: Getting started");
  BOOST_TEST(without_item_kind("JSDoc: Home", kinds) == "JSDoc: Home");
  BOOST_TEST(without_item_kind("Subclass: Widget", kinds) == "Subclass: Widget");  // a whole word only
  BOOST_TEST(without_item_kind("Class: ", kinds) == "Class: ");                    // nothing after it
}

BOOST_AUTO_TEST_CASE(chapter_labels) {
  BOOST_TEST(shortened({"Widget Toolkit", "Chapter 1. Getting started", "Chapter 2. Platforms", "Appendix A. Errors",
                        "Appendix B. Codes", "9.4. Text Helpers", "Part IV. Internals"}) ==
                 (std::vector<std::string>{"Widget Toolkit", "Getting started", "Platforms", "Errors", "Codes",
                                           "9.4. Text Helpers", "Part IV. Internals"}),
             tt::per_element());
}

BOOST_AUTO_TEST_CASE(strip_site_titles_over_records) {
  SiteSettings site;
  site.name = "w";
  site.url = "https://w.example.org/";
  auto doc = [](std::string url, std::string title, DocumentType type, std::vector<std::string> hierarchy) {
    Document d;
    d.url = d.id = std::move(url);
    d.title = std::move(title);
    d.type = type;
    d.hierarchy = std::move(hierarchy);
    return d;
  };
  std::vector<Document> docs{doc("https://w.example.org/a.html", "A | W", DocumentType::page, {"Home"}),
                             doc("https://w.example.org/a.html#x", "A | W", DocumentType::section, {"Home", "A | W"}),
                             doc("https://w.example.org/b.html", "B | W", DocumentType::page, {})};
  auto configured = site;
  configured.title_separators = {" :: "};
  auto untouched = docs;
  strip_site_titles(untouched, configured);
  BOOST_TEST(untouched[0].title == "A | W");
  strip_site_titles(docs, site);
  BOOST_TEST(docs[0].title == "A");
  BOOST_TEST(docs[1].title == "A");
  BOOST_TEST(docs[1].hierarchy == (std::vector<std::string>{"Home", "A"}), tt::per_element());
  BOOST_TEST(docs[2].title == "B");
}

BOOST_AUTO_TEST_SUITE_END()
