// Proves, for every site of tests/fixtures/generators/expected.json (one small site per
// documentation generator, as the real generator built it), read by read_directory with no
// configuration (a SiteSettings holding only a name and a URL):
// 1. titles: each page's title is its expected title: the site's name, the generator's suffix or
//    prefix and chapter labels removed;
// 2. skipped: every page expected skipped is skipped with a reason, and no other page is;
// 3. hidden: the words hidden in an inactive tab or a collapsed panel are in a record of their page;
// 4. noise: no title, section title or body holds the generator's chrome (permalink glyphs,
//    "On this page", edit links, prev/next links and their neighbours' titles, the noise listed
//    per generator in the fixtures' README);
// 5. sections: every h2 and h3 section anchor of expected.json is the URL of a section record (the
//    page's own anchor is the page record), an h3's heading path (hierarchy) ends with its h2, and
//    every section record's anchor exists in its page as an id (or <a name>);
// 6. definitions: every definition anchor is the URL of a record (or the page's own anchor);
// and, besides these checks, that every record carries the attributes its page declares
// (Docusaurus's DocSearch meta tags, <html lang>).
// Checks that fail today are listed in `known_failures`: each listed check must still fail (when it
// passes, the test says to remove it), so the list is what is left of issue 21 for these sites.
// `--run_test=generators/matrix --log_level=message` prints the pass/fail matrix per site.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <gumbo.h>

#include "siteseek/ingest.hpp"
#include "siteseek/settings.hpp"

using namespace siteseek;
namespace json = boost::json;

namespace {

const std::string base_url = "https://widget.example.org/";

std::string generators_dir() { return std::string(SITESEEK_TEST_FIXTURES) + "/generators"; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "missing fixture " << path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const json::object& expected_sites() {
  static const json::value all = json::parse(read_file(generators_dir() + "/expected.json"));
  return all.at("sites").as_object();
}

std::string str(const json::value& v) { return std::string(v.as_string()); }

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Lower-case letters and digits, runs of anything else one space: text to compare headings by.
std::string words(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A record's anchor: its URL's fragment ("" for a page record).
std::string fragment(const Document& d) {
  auto hash = d.url.find('#');
  return hash == std::string::npos ? std::string() : d.url.substr(hash + 1);
}

// Whether a fragment names `anchor`, as browsers read it: as it is, else percent-decoded.
bool names(const std::string& fragment, const std::string& anchor) {
  return fragment == anchor || percent_decode(fragment) == anchor;
}

// One page's HTML, parsed by gumbo, to find where an anchor points.
class ParsedHtml {
 public:
  explicit ParsedHtml(const std::string& raw) : text_(valid_utf8(raw)) {
    out_.reset(gumbo_parse_with_options(&kGumboDefaultOptions, text_.data(), text_.size()));
    walk(out_->root);
  }
  ParsedHtml(const ParsedHtml&) = delete;
  ParsedHtml& operator=(const ParsedHtml&) = delete;

  bool has_anchor(const std::string& a) const { return anchors_.count(a) > 0; }

  // Whether `a` is the page's own anchor: it is on, inside or around the page's heading (the
  // first heading that reads as the title, after a label on an h1: "Chapter 1. Getting started"),
  // or it is an empty marker with no heading between the page heading (or the start) and itself
  // (mkdocstrings' module <a id>, Doxygen's page <a class=anchor>).
  bool is_page_anchor(const std::string& a, const std::string& title) const {
    auto it = anchors_.find(a);
    if (it == anchors_.end()) return false;
    const GumboNode* e = it->second;
    const GumboNode* page_heading = nullptr;
    for (const GumboNode* h : headings_) {
      const std::string text = words(text_of(h)), t = words(title);
      if (text == t || (h->v.element.tag == GUMBO_TAG_H1 && text.size() > t.size() &&
                        text.compare(text.size() - t.size() - 1, std::string::npos, " " + t) == 0)) {
        page_heading = h;
        break;
      }
    }
    auto is_title = [&](const GumboNode* h) { return h == page_heading; };
    if (const GumboNode* h = heading_of(e)) return is_title(h);
    if (!text_of(e).empty()) return false;
    const GumboNode* before = nullptr;
    for (const GumboNode* h : headings_) {
      if (order_.at(h) > order_.at(e)) break;
      before = h;
    }
    return !before || is_title(before);
  }

 private:
  struct Deleter {
    void operator()(GumboOutput* o) const { gumbo_destroy_output(&kGumboDefaultOptions, o); }
  };

  static bool is_heading(const GumboNode* n) {
    if (n->type != GUMBO_NODE_ELEMENT) return false;
    auto t = n->v.element.tag;
    return t >= GUMBO_TAG_H1 && t <= GUMBO_TAG_H6;
  }
  static const char* attr(const GumboNode* n, const char* name) {
    const GumboAttribute* a = gumbo_get_attribute(&n->v.element.attributes, name);
    return a ? a->value : nullptr;
  }
  static std::string text_of(const GumboNode* n) {
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE || n->type == GUMBO_NODE_CDATA) {
      std::string t = n->v.text.text;
      return t.find_first_not_of(" \t\r\n") == std::string::npos ? std::string() : t;
    }
    if (n->type != GUMBO_NODE_ELEMENT) return {};
    std::string out;
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = 0; i < ch.length; ++i) out += text_of(static_cast<const GumboNode*>(ch.data[i]));
    return out;
  }
  // The heading an anchor names: itself, the heading around it, or the first heading inside it.
  static const GumboNode* heading_of(const GumboNode* e) {
    for (const GumboNode* up = e; up && up->type == GUMBO_NODE_ELEMENT; up = up->parent) {
      if (is_heading(up)) return up;
    }
    std::vector<const GumboNode*> stack{e};
    while (!stack.empty()) {
      const GumboNode* n = stack.back();
      stack.pop_back();
      if (n->type != GUMBO_NODE_ELEMENT) continue;
      if (n != e && is_heading(n)) return n;
      const GumboVector& ch = n->v.element.children;
      for (unsigned i = ch.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(ch.data[i]));
    }
    return nullptr;
  }
  void walk(const GumboNode* root) {
    std::vector<const GumboNode*> stack{root};
    while (!stack.empty()) {
      const GumboNode* n = stack.back();
      stack.pop_back();
      if (n->type != GUMBO_NODE_ELEMENT) continue;
      order_[n] = order_.size();
      if (is_heading(n)) headings_.push_back(n);
      if (const char* id = attr(n, "id"); id && *id) anchors_.emplace(id, n);
      if (n->v.element.tag == GUMBO_TAG_A) {
        if (const char* name = attr(n, "name"); name && *name) anchors_.emplace(name, n);
      }
      const GumboVector& ch = n->v.element.children;
      for (unsigned i = ch.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(ch.data[i]));
    }
  }

  std::string text_;
  std::unique_ptr<GumboOutput, Deleter> out_;
  std::map<std::string, const GumboNode*> anchors_;
  std::map<const GumboNode*, std::size_t> order_;
  std::vector<const GumboNode*> headings_;
};

// One site read once: its documents and report, its expectations, its pages' HTML.
struct SiteRun {
  std::string name;
  const json::object* expected = nullptr;
  IngestResult result;
  std::map<std::string, std::unique_ptr<ParsedHtml>> html;  // page path -> parsed HTML

  std::string url_of(const std::string& path) const { return base_url + path; }
  std::vector<const Document*> records_of(const std::string& path) const {
    std::vector<const Document*> out;
    for (const auto& d : result.documents) {
      if (page_url(d) == url_of(path)) out.push_back(&d);
    }
    return out;
  }
  const Document* page_record(const std::string& path) const {
    for (const auto* d : records_of(path)) {
      if (d->type == DocumentType::page) return d;
    }
    return nullptr;
  }
  const ParsedHtml& parsed(const std::string& path) {
    auto& p = html[path];
    if (!p) p = std::make_unique<ParsedHtml>(read_file(generators_dir() + "/built/" + name + "/" + path));
    return *p;
  }
  std::string expected_title(const std::string& path) const {
    auto* t = expected->at("pages").as_object().if_contains(path);
    return t ? str(*t) : std::string();
  }
};

SiteRun& run(const std::string& site) {
  static std::map<std::string, std::unique_ptr<SiteRun>> runs;
  auto& r = runs[site];
  if (!r) {
    r = std::make_unique<SiteRun>();
    r->name = site;
    r->expected = &expected_sites().at(site).as_object();
    SiteSettings settings;  // no configuration: what siteseek does out of the box
    settings.name = "widget";
    settings.url = base_url;
    r->result = read_directory(generators_dir() + "/built/" + site, base_url, settings);
  }
  return *r;
}

using Problems = std::vector<std::string>;

Problems check_titles(SiteRun& s) {
  Problems out;
  for (const auto& [path, title] : s.expected->at("pages").as_object()) {
    const Document* page = s.page_record(std::string(path));
    if (!page) {
      out.push_back(std::string(path) + ": no page record");
    } else if (page->title != str(title)) {
      out.push_back(std::string(path) + ": title \"" + page->title + "\", expected \"" + str(title) + "\"");
    }
  }
  return out;
}

Problems check_skipped(SiteRun& s) {
  Problems out;
  std::map<std::string, std::string> skipped;
  for (const auto& p : s.result.report.skipped) skipped[p.url] = p.reason;
  const auto& skip = s.expected->at("skip").as_object();
  for (const auto& [path, why] : skip) {
    auto it = skipped.find(s.url_of(std::string(path)));
    if (it == skipped.end()) {
      out.push_back(std::string(path) + ": not skipped (" + str(why) + ")");
    } else if (it->second.empty()) {
      out.push_back(std::string(path) + ": skipped without a reason");
    }
  }
  const auto& pages = s.expected->at("pages").as_object();
  for (const auto& [url, reason] : skipped) {
    std::string path = url.substr(base_url.size());
    if (pages.contains(path)) out.push_back(path + ": a page, skipped (" + reason + ")");
  }
  for (const auto& d : s.result.documents) {
    const std::string path = page_url(d).substr(base_url.size());
    if (d.type == DocumentType::page && !pages.contains(path) && !skip.contains(path)) {
      out.push_back(d.url.substr(base_url.size()) + ": indexed, not an expected page");
    }
  }
  return out;
}

Problems check_hidden(SiteRun& s) {
  Problems out;
  for (const auto& [word, where] : s.expected->at("hidden").as_object()) {
    std::string path = str(where.at("page"));
    bool found = false;
    for (const auto* d : s.records_of(path)) found = found || contains(d->body, word);
    if (!found) out.push_back(std::string(word) + " (" + str(where.at("how")) + ") not in any record of " + path);
  }
  return out;
}

// The chrome of each generator that must stay out of records (fixtures' README, "Quirks").
std::vector<std::string> noise_of(const std::string& site) {
  std::vector<std::string> noise = {
      "\xC2\xB6",         // ¶ (Sphinx, MkDocs headerlink)
      "\xE2\x80\x8B",     // U+200B (Docusaurus, VitePress hash links)
      "\xEF\x83\x81",     // U+F0C1 (sphinx_rtd_theme's link icon)
      "\xC2\xA7",         // § (rustdoc anchors)
      "\xE2\x97\x86",     // ◆ (Doxygen member permalinks)
      "On this page", "Edit this page", "Edit page", "Copy item path", "Previous", "Next", "Skip to",
      "Section titled", "Permalink"};
  auto add = [&](std::initializer_list<const char*> more) { noise.insert(noise.end(), more.begin(), more.end()); };
  if (site.rfind("sphinx", 0) == 0) add({"Quick search", "Related Topics", "Navigation", "Built with Sphinx", "Show Source"});
  if (site == "sphinx-book") add({"Contents"});  // its in-page table of contents' heading
  if (site == "sphinx-furo") add({"Back to top", "Toggle", "Hide navigation sidebar", "Light mode", "Made with", "Copyright"});
  if (site.rfind("mkdocs", 0) == 0) add({"Keyboard Shortcuts", "Built with MkDocs", "Search"});
  if (site == "vitepress") add({"Copy Code", "Previous page", "Next page"});
  if (site == "rustdoc") add({"Expand description", "Auto Trait Implementations", "Blanket Implementations", "Source"});
  if (site == "javadoc") add({"Skip navigation links", "SEARCH", "Nested | Field", "Help"});
  if (site == "doxygen") add({"Generated by", "Resizable widgets in a terminal"});
  // Its sidebar (settings, "On This Page"), the footer, and a class's index of its own members
  // "Source: widget.js, line 22" under each item; the attributes and types around a member's name
  if (site == "jsdoc") add({"Source:", "(static", ":number", "\xE2\x86\x92", "Documentation generated by", "Home Modules"});
  // minima's footer (the site's name, its tagline) and header (the pages' links)
  if (site == "nextra") add({"On This Page", "Question? Give us feedback", "Scroll to top", "Widget Toolkit documentation."});
  if (site == "jekyll") add({"Resizable widgets in a terminal", "Subscribe"});
  // the source file's name under each heading (hidden), the footer, the home page's sidebar
  if (site.rfind("pkgdown", 0) == 0) add({"widget_open.Rd", "guide.Rmd", "Site built with", "Skip to contents", "Developed by", "Dev status"});
  // its note to language models atop every page, the "Copy Markdown" button, prev/next links
  if (site == "rspress") add({"For AI agents", "llms.txt", "Copy Markdown", "Previous page", "Next page", "ON THIS PAGE"});
  if (site == "typedoc") add({"Member Visibility", "On This Page", "Generated using", "Preparing search index", "Index"});
  if (site == "docbook") add({"Prev", "Home"});
  if (site == "docusaurus-versioned") {  // version banner and badge, French chrome, locale dropdown
    add({"no longer actively maintained", "up-to-date documentation", "Version: ", "plus activement maintenue",
         "documentation à jour", "Sur cette page", "Éditer cette page", "Précédent", "Suivant",
         "Aller au contenu principal", "English", "Français"});
  }
  return noise;
}

Problems check_noise(SiteRun& s) {
  Problems out;
  const auto noise = noise_of(s.name);
  // The common pages link nowhere but home, so the titles of the others are prev/next chrome.
  const std::vector<std::string> neighbours = {"Getting started", "Platforms", "API reference"};
  for (const auto& d : s.result.documents) {
    std::string where = d.url.substr(base_url.size());
    if (s.expected_title(page_url(d).substr(base_url.size())).empty()) continue;  // "skipped" says it
    for (const auto& n : noise) {
      if (contains(d.title, n)) out.push_back(where + ": title holds \"" + n + "\"");
      if (contains(d.section_title, n)) out.push_back(where + ": section title holds \"" + n + "\"");
      if (contains(d.body, n)) out.push_back(where + ": body holds \"" + n + "\"");
    }
    if (std::find(neighbours.begin(), neighbours.end(), d.title) != neighbours.end()) {
      for (const auto& other : neighbours) {
        if (other != d.title && contains(d.body, other)) out.push_back(where + ": body holds \"" + other + "\" (prev/next)");
      }
    }
  }
  return out;
}

const Document* record_with_anchor(SiteRun& s, const std::string& path, const std::string& anchor) {
  for (const auto* d : s.records_of(path)) {
    if (names(fragment(*d), anchor)) return d;
  }
  return nullptr;
}

Problems check_sections(SiteRun& s) {
  Problems out;
  for (const auto& [p, anchors] : s.expected->at("sections").as_object()) {
    std::string path(p);
    const auto& html = s.parsed(path);
    for (const auto& a : anchors.as_array()) {
      std::string anchor = str(a);
      if (html.is_page_anchor(anchor, s.expected_title(path))) {
        if (!s.page_record(path)) out.push_back(path + ": no page record for #" + anchor);
        continue;
      }
      const Document* d = record_with_anchor(s, path, anchor);
      if (!d || d->type != DocumentType::section) {
        out.push_back(path + "#" + anchor + ": no section record");
        continue;
      }
      if (anchor == "verifying-the-install" && (d->hierarchy.empty() || d->hierarchy.back() != "Installation")) {
        std::string h;
        for (const auto& c : d->hierarchy) h += (h.empty() ? "" : " > ") + c;
        out.push_back(path + "#" + anchor + ": hierarchy \"" + h + "\" does not end with its h2, Installation");
      }
    }
  }
  // Every section record points at an anchor that exists.
  for (const auto& d : s.result.documents) {
    if (d.type != DocumentType::section) continue;
    std::string path = page_url(d).substr(base_url.size());
    if (s.expected_title(path).empty()) continue;  // not a page: "skipped" says it
    const auto& html = s.parsed(path);
    if (!html.has_anchor(fragment(d)) && !html.has_anchor(percent_decode(fragment(d)))) {
      out.push_back(d.url.substr(base_url.size()) + ": anchor not in the page");
    }
  }
  return out;
}

Problems check_definitions(SiteRun& s) {
  Problems out;
  for (const auto& [p, anchors] : s.expected->at("definitions").as_object()) {
    std::string path(p);
    std::vector<std::string> list;
    if (anchors.is_array()) {
      for (const auto& a : anchors.as_array()) list.push_back(str(a));
    } else {  // Doxygen: anchor -> name
      for (const auto& [a, name] : anchors.as_object()) list.emplace_back(a);
    }
    for (const auto& anchor : list) {
      if (s.parsed(path).is_page_anchor(anchor, s.expected_title(path))) continue;
      if (!record_with_anchor(s, path, anchor)) out.push_back(path + "#" + anchor + ": no record");
    }
  }
  return out;
}

struct Check {
  const char* name;
  Problems (*run)(SiteRun&);
};
const Check checks[] = {{"titles", check_titles},     {"skipped", check_skipped},   {"hidden", check_hidden},
    {"noise", check_noise},       {"sections", check_sections}, {"definitions", check_definitions}};

// The checks each site fails today. Remove a check from its site when it passes.
const std::map<std::string, std::set<std::string>> known_failures = {};

Problems problems_of(const std::string& site, const Check& check) { return check.run(run(site)); }

void expect(const Check& check) {
  for (const auto& [site, unused] : expected_sites()) {
    std::string name(site);
    Problems problems = problems_of(name, check);
    std::string all;
    for (const auto& p : problems) all += "\n    " + p;
    if (auto it = known_failures.find(name); it != known_failures.end() && it->second.count(check.name)) {
      BOOST_TEST(!problems.empty(), name << " " << check.name << " passes now: remove it from known_failures");
      BOOST_TEST_MESSAGE("expected failure, " << name << " " << check.name << ":" << all);
    } else {
      BOOST_TEST(problems.empty(), name << " " << check.name << ":" << all);
    }
  }
}

const Check& check_named(std::string_view name) {
  for (const auto& c : checks) {
    if (name == c.name) return c;
  }
  throw std::logic_error("no check named " + std::string(name));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(generators)

BOOST_AUTO_TEST_CASE(titles) { expect(check_named("titles")); }
BOOST_AUTO_TEST_CASE(skipped) { expect(check_named("skipped")); }
BOOST_AUTO_TEST_CASE(hidden) { expect(check_named("hidden")); }
BOOST_AUTO_TEST_CASE(noise) { expect(check_named("noise")); }
BOOST_AUTO_TEST_CASE(sections) { expect(check_named("sections")); }
BOOST_AUTO_TEST_CASE(definitions) { expect(check_named("definitions")); }

// The attributes the generators' pages declare (docs/filters.md): Docusaurus writes DocSearch meta
// tags (language, version, docusaurus_tag) and the PyData theme docsearch:language, on every record
// of their pages; elsewhere <html lang> gives the language (Texinfo's <body lang>), but DocBook's
// and Doxygen's pages have none.
BOOST_AUTO_TEST_CASE(attributes) {
  const std::map<std::string, std::vector<Attribute>> declared{
      {"docusaurus", {{"docusaurus_tag", "docs-default-current"}, {"language", "en"}, {"version", "current"}}},
      {"docbook", {}},
      {"doxygen", {}},
      {"texinfo", {{"language", "en"}}},
      {"hugo", {{"language", "en-us"}}},
      {"vitepress", {{"language", "en-us"}}},
      {"vuepress", {{"language", "en-us"}}}};
  // The site with versions and languages: each page's own tags, from the ground truth its build
  // wrote from the HTML (versioned.json; the home pages have no docsearch tags, only <html lang>).
  const auto truth = json::parse(read_file(generators_dir() + "/versioned.json"));
  auto versioned = [&](const Document& d) {
    const auto& page = truth.at("pages").at(page_url(d).substr(base_url.size())).as_object();
    std::vector<Attribute> out;
    if (!page.at("tag").is_null()) out.push_back({"docusaurus_tag", str(page.at("tag"))});
    out.push_back({"language", str(page.at("language").is_null() ? page.at("lang") : page.at("language"))});
    if (!page.at("version").is_null()) out.push_back({"version", str(page.at("version"))});
    return out;
  };
  for (const auto& [site, unused] : expected_sites()) {
    const auto it = declared.find(std::string(site));
    const std::vector<Attribute> expected = it != declared.end() ? it->second : std::vector<Attribute>{{"language", "en"}};
    const auto& result = run(std::string(site)).result;
    BOOST_TEST(!result.documents.empty());
    if (site == "docusaurus-versioned") {
      for (const auto& d : result.documents) BOOST_TEST((d.attributes == versioned(d)), site << ": " << d.url);
      BOOST_TEST(result.report.attributes.values.size() == 3u);
      continue;
    }
    for (const auto& d : result.documents) BOOST_TEST((d.attributes == expected), site << ": " << d.url);
    BOOST_TEST(result.report.attributes.values.size() == expected.size(), site);
  }
}

// A translation's hierarchy holds pages in its own language: the French pages of the versioned
// Docusaurus site are under "Bienvenue dans Lumen", not the English home page.
BOOST_AUTO_TEST_CASE(translations_have_ancestors_in_their_language) {
  std::size_t french = 0;
  for (const auto& d : run("docusaurus-versioned").result.documents) {
    if (page_url(d).find(base_url + "fr/") != 0 || page_url(d) == base_url + "fr/index.html") continue;
    ++french;
    BOOST_TEST((std::find(d.hierarchy.begin(), d.hierarchy.end(), "Welcome to Lumen") == d.hierarchy.end()), d.url);
    BOOST_TEST(!d.hierarchy.empty(), d.url);
    if (!d.hierarchy.empty()) BOOST_TEST(d.hierarchy.front() == "Bienvenue dans Lumen", d.url);
  }
  BOOST_TEST(french > 10u);
}

// Code blocks are text: the command under "Configuration" is in its section's record on every site
// that has the common guide page, Nextra's too, whose code blocks are all marked
// data-pagefind-ignore by the generator (its profile keeps them).
BOOST_AUTO_TEST_CASE(code_blocks_are_indexed) {
  for (const auto& [site, expected] : expected_sites()) {
    const auto& sections = expected.as_object().at("sections").as_object();
    for (const auto& [path, anchors] : sections) {
      bool configuration = false;
      for (const auto& a : anchors.as_array()) configuration = configuration || a.as_string() == "configuration";
      if (!configuration) continue;
      const Document* d = record_with_anchor(run(std::string(site)), std::string(path), "configuration");
      BOOST_TEST_REQUIRE(d != nullptr, site);
      BOOST_TEST(contains(d->body, "--output ./site"), std::string(site) << ": " << d->body);
    }
  }
}

// Not a check: the matrix of every site and check ("pass", or the number of problems), for reports.
BOOST_AUTO_TEST_CASE(matrix) {
  auto cell = [](std::string text, std::size_t width) { return text + std::string(width - std::min(width - 1, text.size()), ' '); };
  std::ostringstream table;
  table << cell("site", 21);
  for (const auto& c : checks) table << cell(c.name, 12);
  table << "\n";
  for (const auto& [site, unused] : expected_sites()) {
    table << cell(std::string(site), 21);
    for (const auto& c : checks) {
      auto n = problems_of(std::string(site), c).size();
      table << cell(n ? "FAIL(" + std::to_string(n) + ")" : "pass", 12);
    }
    table << "\n";
  }
  BOOST_TEST_MESSAGE("\n" << table.str());
  BOOST_TEST(true);
}

BOOST_AUTO_TEST_SUITE_END()
