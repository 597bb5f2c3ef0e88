#include "ingest/profiles.hpp"

#include <initializer_list>

namespace siteseek::ingest_detail {
namespace {

std::vector<Selector> selectors(std::initializer_list<const char*> texts) {
  std::vector<Selector> out;
  for (const char* t : texts) out.push_back(parse_selector(t));
  return out;
}

SelectorSet selector_set(std::initializer_list<const char*> texts) {
  SelectorSet out;
  for (const char* t : texts) out.add(parse_selector(t));
  return out;
}

SkipRule by_url(const char* pattern, const char* reason) {
  return {reason, std::make_shared<RE2>(pattern), {}, {}};
}
SkipRule by_page(const char* selector, const char* reason) { return {reason, nullptr, parse_selector(selector), {}}; }
SkipRule by_generator(const char* generator, const char* reason) { return {reason, nullptr, {}, generator}; }

std::vector<GeneratorProfile> make_profiles() {
  std::vector<GeneratorProfile> all;
  {
    GeneratorProfile p;
    p.name = "sphinx";
    p.generator = {"Docutils", "Sphinx"};  // Sphinx 5 names only Docutils
    p.signatures = selectors({"script#documentation_options", "div.sphinxsidebar"});  // also on its index and search pages
    // The PyData and Book themes' prev/next links and the heading of their in-page table of
    // contents ("On this page", "Contents": the list itself is a <nav>); viewcode's "[source]"
    // after a signature.
    p.noise = selector_set({".prev-next-area", ".prev-next-bottom", ".onthispage", ".viewcode-link"});
    // Django's theme (YUI grids): no <main> nor role=main; its content column is #yui-main, beside
    // a header and footer of navigation links and a sidebar.
    p.roots = selectors({"#yui-main"});
    p.skip = {by_url(R"((^|/)genindex(-[^/]*)?\.html$)", "generated general index (Sphinx)"),
              by_url(R"((^|/)[a-z]+-modindex\.html$)", "generated module index (Sphinx)"),
              // viewcode's highlighted sources, each a "[source]" link's target
              by_url(R"((^|/)_modules/)", "source code (Sphinx viewcode)")};
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "mkdocs";
    p.generator = {"mkdocs"};  // Material says so; the built-in themes say nothing and need nothing
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "pkgdown";  // R packages' sites: no generator meta (a comment says it); its footer's blocks on every page
    p.signatures = selectors({"div.pkgdown-footer-left", "#pkgdown-sidebar"});
    // The content column (Bootstrap 5's main, Bootstrap 3's div.contents): not the sidebar of
    // the home page (licence, citation, authors) nor "On this page".
    p.roots = selectors({"main#main", "div.contents"});
    // The source file's name under each page's heading ("widget_open.Rd", "guide.Rmd"), which
    // the page hides (Bootstrap's d-none, Bootstrap 3's hidden).
    p.noise = selector_set({"div.d-none.name", "div.hidden.name"});
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "docsify";  // its Markdown pages as markdown.cpp renders them (which names Docsify)
    p.generator = {"Docsify"};
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "nextra";  // Next.js's docs theme: Next.js names no generator; its navbar on every page
    p.signatures = selectors({".nextra-navbar", ".nextra-nav-container"});
    // Nextra 4 marks every code block data-pagefind-ignore="all" for its Pagefind index: the
    // commands and identifiers in them are what readers of docs search for.
    p.not_ignored = selector_set({"div.nextra-code"});
    all.push_back(std::move(p));
  }
  for (const char* name : {"Docusaurus", "VitePress", "VuePress", "Starlight", "Hugo", "Antora", "Rspress"}) {
    GeneratorProfile p;
    p.name = name;
    for (auto& c : p.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    p.generator = {name};  // generic rules do the rest (docs/sites.md)
    // Docusaurus's versioned docs: the "Version: 1.0" badge and the "no longer actively
    // maintained" banner, on every page of a version (the version is an attribute instead).
    if (p.name == "docusaurus") p.noise = selector_set({".theme-doc-version-badge", ".theme-doc-version-banner"});
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "rustdoc";
    p.generator = {"rustdoc"};
    // "Expand description", "Source" links, breadcrumbs, and the trait implementations every type
    // gets (auto traits, blanket implementations): the same on every page. Beside each item and
    // the page's heading, the version it is stable since and its "source" link (.rightside; before
    // rustdoc 1.64 also .out-of-band with the "[−]" toggle), the "Notable traits" tooltip
    // rustdoc 1.63 writes into signatures, and the "Run" link of every example.
    p.noise = selector_set({"summary.hideme", "a.src", ".rightside", ".out-of-band", ".notable-traits", "a.test-arrow",
                            ".rustdoc-breadcrumbs", "#synthetic-implementations", "#synthetic-implementations-list",
                            "#blanket-implementations", "#blanket-implementations-list"});
    p.skip = {by_page("body.src", "source view (rustdoc)"),
              by_page("body.sys", "rustdoc help, settings or list of all items")};
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "javadoc";
    p.generator = {"javadoc/"};  // one per page kind: javadoc/ClassWriterImpl, ...
    // Javadoc 8 and 11 write no generator meta: their navigation bar's anchor names them.
    p.signatures = selectors({"a[id=navbar.top]", "a[name=navbar.top]"});
    for (const char* writer : {"IndexWriter", "SplitIndexWriter", "AllClassesIndexWriter", "AllPackagesIndexWriter",
                               "TreeWriter", "PackageTreeWriter", "ConstantsSummaryWriterImpl", "DeprecatedListWriter",
                               "SerializedFormWriterImpl", "NewAPIListWriter", "PreviewListWriter", "ClassUseWriter",
                               "PackageUseWriter", "SystemPropertiesWriter", "ExternalSpecsWriter", "SearchWriter"}) {
      p.skip.push_back(by_generator((std::string("javadoc/") + writer).c_str(), "generated index or list (Javadoc)"));
    }
    p.skip.push_back(by_generator("javadoc/HelpWriter", "javadoc help page"));
    // The same pages by their file names, for Javadoc 8 and 11 (no generator meta).
    p.skip.push_back(by_url(R"((^|/)class-use/[^/]*\.html$)", "generated index or list (Javadoc)"));
    p.skip.push_back(by_url(R"((^|/)index-files/[^/]*\.html$)", "generated index or list (Javadoc)"));
    p.skip.push_back(by_url(R"((^|/)(index-all|overview-tree|package-tree|package-use|deprecated-list|constant-values|serialized-form|)"
                            R"(allclasses|allclasses-index|allclasses-frame|allclasses-noframe|allpackages-index|overview-frame|)"
                            R"(package-frame)\.html$)",
                            "generated index or list (Javadoc)"));
    p.skip.push_back(by_url(R"((^|/)help-doc\.html$)", "javadoc help page"));
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "doxygen";
    p.generator = {"Doxygen"};
    p.roots = selectors({"div.contents"});
    p.title = parse_selector("div.headertitle div.title");  // Markdown's # is an h1 below it
    p.skip = {by_url(R"((^|/)(annotated|classes|files|pages|hierarchy|namespaces|modules|graph_legend|inherits)\.html$)",
                     "generated index (Doxygen)"),
              by_url(R"((^|/)(functions|globals|namespacemembers)(_[a-z0-9]+)?\.html$)", "generated index (Doxygen)"),
              by_url(R"(_source\.html$)", "source listing (Doxygen)")};
    all.push_back(std::move(p));
  }
  {
    // GTK-Doc writes DocBook XSL's pages (both generator metas), with navigation of its own: the
    // "Top | Description" shortcuts and the Home / Up / Prev / Next icons (table.navigation) and a
    // "Generated by GTK-Doc" footer. Before the DocBook profile, which its pages would match too.
    GeneratorProfile p;
    p.name = "gtk-doc";
    p.generator = {"GTK-Doc"};
    p.noise = selector_set({"table.navigation", "div.footer", "div.navheader", "div.navfooter"});
    p.skip = {by_page("div.index", "generated index (GTK-Doc)"),
              by_url(R"((^|/)api-index-[^/]*\.html$)", "generated index (GTK-Doc)")};
    p.generic_noise = false;  // as DocBook's: a chapter's div.toc is most of its text
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "docbook";
    p.generator = {"DocBook XSL"};
    // Prev / Next / Home tables; Boost's (BoostBook) header of links atop each page ("Home
    // Libraries People FAQ More"), its Prev / Up / Home / Next icons and the copyright and
    // licence at the foot of each page.
    p.noise = selector_set({"div.navheader", "div.navfooter", "body > table[cellpadding=\"2\"][width=\"100%\"]", "div.spirit-nav",
                            "div.copyright-footer"});
    // The back-of-book index (PostgreSQL's bookindex.html): terms linking to the pages that
    // explain them, each of which a search finds itself (Sphinx's genindex likewise).
    p.skip = {by_page("div.index", "generated index (DocBook)"), by_page("div.setindex", "generated index (DocBook)")};
    // Its div.toc is a chapter's list of sections, most of a chapter page's text (PostgreSQL's):
    // kept, as before profiles, scored down as a list of links (boosts.link_list).
    p.generic_noise = false;
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "texinfo";
    p.generator = {"makeinfo", "texi2any"};  // GNU manuals: one page per node
    // Each node's Next / Previous / Up links (Texinfo 6's div.header, 7's div.nav-panel, at the
    // top and often at the bottom too); the Top node's table of contents and Texinfo 6's lists of
    // a node's sections (ul.section-toc; 7's ul.mini-toc of child nodes stays, as DocBook's
    // div.toc does, scored down as a list of links); a definition's category
    // ("Function: ", or ": " when the manual gives none), which would lead its name in its
    // title; and @printindex's tables (Texinfo 6's table.index-cp, table.index-fn, ... with the
    // "Jump to:" letters, 7's div.printindex), so an index node is its heading and its text, not
    // every term of the manual. Redirection pages (one per index entry or anchor) are skipped as
    // redirects already.
    p.noise = selector_set({"div.header", "div.nav-panel", "#SEC_Contents", "#SEC_Shortcontents", "ul.section-toc", "span.category",
                            "span.category-def", "table[class^=index-]", "a.summary-letter", "div.printindex"});
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "erl_docgen";  // Erlang/OTP's docs: no generator meta; its logo atop the navigation
    p.signatures = selectors({"div.erlang-logo-wrapper"});
    // The article: not the top bar, which repeats the module's name as an h1 above it.
    p.roots = selectors({"div#content"});
    // The "Types" heading inside each function's entry, every one with the id "types": its types
    // stay in the function's record.
    p.noise = selector_set({"h3.func-types-title"});
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "haddock";  // Haskell's API docs: no generator meta; the package header on each module page
    // HsColour's source listings (src/, one <pre> of numbered lines) carry only their line anchors.
    p.signatures = selectors({"div#package-header", "a[name=line-1]"});
    p.roots = selectors({"div#content"});
    // The module's metadata table (Copyright, License, Maintainer, Portability, Safe Haskell,
    // Language), its table of contents, the synopsis (every signature of the page again, folded),
    // and each declaration's "Source" and "#" links and its examples' "Expand".
    p.noise = selector_set({"table.info", "div#table-of-contents", "details#syn", "a.link", "a.selflink", "summary.hide-when-js-enabled"});
    p.skip = {{"source code (Haddock)", std::make_shared<RE2>(R"((^|/)src/)"), parse_selector("pre"), {}},
              by_url(R"((^|/)doc-index(-[^/]*)?\.html$)", "generated index (Haddock)")};
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "mediawiki";  // wikis and sites built on MediaWiki (cppreference)
    p.generator = {"MediaWiki"};
    // The article: not the site notice and breadcrumb above it ("From cppreference.com < cpp |
    // container"), nor the page's tools around it.
    p.roots = selectors({"#mw-content-text"});
    // A section's "[edit]" link; the "Retrieved from ..." line and the category links after the
    // article; cppreference's navigation box, a table of every library part atop each page, and
    // its examples' "Run this code" button.
    p.noise = selector_set({".mw-editsection", ".printfooter", "#catlinks", ".t-navbar", ".t-example-live-link"});
    // cppreference stacks the names one entry documents (operator==, operator!=, ...; begin,
    // cbegin) as spans its style sheet shows one per line.
    p.blocks = selector_set({".t-lines > span"});
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "qdoc";  // Qt's documentation tool: no generator meta, its header on every page
    p.signatures = selectors({"div#qtdocheader"});
    // The header's navigation bar, every page's first words ("Qt 5.15 Qt Core C++ Classes QString
    // Qt 5.15.8 Reference Documentation"), and the "More..." link of a class's one-line brief.
    // Not the header itself: it leaves two of its <div>s open, so the whole page is inside it.
    p.noise = selector_set({"div.navigationbar", "a[href=#details]"});
    // A class's list of all its members, inherited ones included: links to the class pages'
    // sections, each of which a search finds itself.
    p.skip = {by_url(R"((^|/)[^/]+-members\.html$)", "member list (qdoc)")};
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "typedoc";  // TypeScript API docs: no generator meta (its footer line is optional); its toolbar on every page
    p.signatures = selectors({".tsd-page-toolbar"});
    // The content column: not the toolbar, nor the sidebar beside it (its settings, "On This Page"
    // and the navigation tree).
    p.roots = selectors({"div.col-content"});
    // The breadcrumb above the heading (the module's name would lead every page's text); a class's
    // "Index" of its own members, each a section found itself; a module's and the project's
    // summaries of what they contain, each linking to a page found itself (dl.tsd-member-summaries
    // since TypeDoc 0.28, the same index group before).
    // And the flags before a member's or parameter's name (code.tsd-tag: "Optional", "Readonly"),
    // which run into it ("Optionalin"); its signature says as much ("in?:").
    p.noise = selector_set({"ul.tsd-breadcrumb", "section.tsd-index-group", "dl.tsd-member-summaries", "code.tsd-tag"});
    // The class hierarchy, and the project's list of its documents and modules (its README is
    // index.html): generated lists of pages found themselves.
    p.skip = {by_url(R"((^|/)hierarchy\.html$)", "class hierarchy (TypeDoc)"),
              by_url(R"((^|/)modules\.html$)", "generated list (TypeDoc)")};
    all.push_back(std::move(p));
  }
  {
    GeneratorProfile p;
    p.name = "jsdoc";  // JSDoc's default template: no generator meta (its footer names it in text)
    p.signatures = selectors({"div#main > h1.page-title"});
    p.roots = selectors({"div#main"});  // not the <nav> of every module and class beside it
    // Each item's "Source: widget.js, line 22"; in its heading, the attributes and type around its
    // name ("(static, constant) DEFAULT_FLAGS :number", "widgetOpen(path, flagsopt) → {Widget}").
    p.noise = selector_set({"dt.tag-source", "dd.tag-source", "span.type-signature", "span.signature-attributes"});
    // "JSDoc: Class: Widget", "JSDoc: Module: widget", "JSDoc: Tutorial: Getting started".
    p.title_kinds = {"Class", "Module", "Namespace", "Interface", "Mixin", "Event", "External", "Tutorial"};
    // A member's h4 under its group's h3 ("Methods", no id): a record each.
    p.item_headings = selectors({"h4.name[id]"});
    // The pretty-printed sources (widget.js.html), each "Source:" line's target.
    p.skip = {by_url(R"(\.[cm]?[jt]sx?\.html$)", "source code (JSDoc)")};
    all.push_back(std::move(p));
  }
  // In-page tables of contents ("On this page"): DocBook's div.toc, Hugo's, many themes'. Chrome
  // of every page: each profile's noise holds it too, so an element is asked once.
  // And page footers no <footer> holds: AsciiDoc's and Asciidoctor's div#footer ("Last updated
  // ..."), Sphinx themes' and others' div.footer ("Created using Sphinx").
  const auto generic_noise = {".toc", "#toc", ".table-of-contents", "#footer", ".footer"};
  for (auto& p : all) {
    if (!p.generic_noise) continue;
    for (const char* s : generic_noise) p.noise.add(parse_selector(s));
  }
  {
    GeneratorProfile p;
    p.name = "generic";
    p.noise = selector_set(generic_noise);
    all.push_back(std::move(p));
  }
  return all;
}

}  // namespace

const std::vector<GeneratorProfile>& profiles() {
  static const std::vector<GeneratorProfile> all = make_profiles();
  return all;
}

const GeneratorProfile& generic_profile() { return profiles().back(); }

const std::vector<Signature>& all_signatures() {
  static const std::vector<Signature> all = [] {
    std::vector<Signature> out;
    for (const auto& p : profiles()) {
      for (const auto& s : p.signatures) out.push_back({&s, &p});
    }
    return out;
  }();
  return all;
}

const GeneratorProfile& profile_for(const std::vector<std::string>& generators, const std::vector<bool>& signatures_found) {
  for (const auto& p : profiles()) {
    for (const auto& prefix : p.generator) {
      for (const auto& g : generators) {
        if (std::string_view(g).starts_with(prefix)) return p;
      }
    }
  }
  const auto& sigs = all_signatures();
  for (std::size_t i = 0; i < sigs.size() && i < signatures_found.size(); ++i) {
    if (signatures_found[i]) return *sigs[i].profile;
  }
  return generic_profile();
}

}  // namespace siteseek::ingest_detail
