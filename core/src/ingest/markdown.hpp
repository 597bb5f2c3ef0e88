// Sites whose pages are Markdown that a script renders in the browser (Docsify): their one HTML
// page is a shell with no text, so the Markdown files are read instead, each made the HTML the
// site shows for it (its headings with the ids the site gives them) under the URL the site
// shows it at.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siteseek::ingest_detail {

/// What a Docsify site's `window.$docsify = {...}` says about where its pages are (the options
/// given as literals; others are left at Docsify's defaults).
struct DocsifySite {
  bool history = false;              ///< routerMode: 'history' (URLs without '#/')
  std::string base_path;             ///< basePath, relative and below the page: where the Markdown files are ("": beside it)
  std::string homepage = "README.md";  ///< the file shown for the site's root
  std::string name;                  ///< the site's name: the home page's title when its Markdown has no heading
  /// Docsify's major version, from its script's URL (docsify@5); 4 when the page does not say.
  /// Its heading ids differ: 4 makes them of the rendered heading, runs of '-' made one; 5 of
  /// the heading's text, its characters each kept or dropped.
  int version = 4;
};

/// The Docsify settings of a page that is a Docsify shell (it sets window.$docsify, or loads
/// docsify's script); nullopt for any other page.
std::optional<DocsifySite> docsify_site(std::string_view html);

/// The URL a Docsify site rooted at `root` (its index.html's directory, ending in '/') shows the
/// Markdown file `file` at (relative to the base path, '/'-separated): "guide.md" is
/// root#/guide, "zh/README.md" root#/zh/, the homepage root#/ (history mode: without "#/").
std::string docsify_url(const DocsifySite& site, std::string_view root, std::string_view file);

/// The Markdown file (relative to the base path) a link in a Docsify page names, or "": a route
/// ("#/guide", "#!/guide"), a path with or without ".md" ("guide.md", "/guide", "zh/" is
/// zh/README.md, "/" the homepage), as Docsify resolves them from its base path (relativePath
/// off, its default); an anchor, another site's URL or a file of another kind names none.
std::string docsify_link_file(const DocsifySite& site, std::string_view href);

/// The Markdown files (docsify_link_file) the links of a Docsify page's HTML (docsify_page_html)
/// name, each once: the pages a crawler fetches next, and whose routes inbound_links counts.
std::vector<std::string> docsify_linked_files(const DocsifySite& site, std::string_view html);

/// The title of a Markdown page without a heading: the site's name for its home page (the
/// homepage option's file or a README.md), else the file's name without ".md".
std::string docsify_fallback_title(const DocsifySite& site, std::string_view file);

/// Docsify's id for a heading from its rendered HTML (its slugify: tags and punctuation
/// dropped, ASCII capitals made small, white space made '-', a leading digit after '_'; version
/// 4 reads the HTML's character references as text and makes runs of '-' one, 5 reads them as
/// the characters they stand for), without the "-n" Docsify adds to a repeated one.
std::string docsify_slug(std::string_view heading_html, int version = 4);

/// A Markdown page as Docsify shows it, as an HTML document for extract_page: GitHub's Markdown
/// (tables, task lists, strikethrough, raw HTML) with each heading given Docsify's id (":id=x"
/// at a heading's end names it x), inside <main>, titled by its first h1 (else its first
/// heading, else `fallback_title`).
std::string docsify_page_html(std::string_view markdown, std::string_view fallback_title, int version = 4);

}  // namespace siteseek::ingest_detail
