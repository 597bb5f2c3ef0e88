#include "ingest/content.hpp"
#include "ingest/text.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>
#include <string_view>

namespace siteseek::ingest_detail {

std::string text_under(const GumboNode* n, std::size_t most) {
  std::string text;
  std::vector<const GumboNode*> stack{n};
  while (!stack.empty() && text.size() <= most) {
    const GumboNode* e = stack.back();
    stack.pop_back();
    if (e->type == GUMBO_NODE_TEXT || e->type == GUMBO_NODE_WHITESPACE || e->type == GUMBO_NODE_CDATA) {
      text += e->v.text.text;
    } else if (e->type == GUMBO_NODE_ELEMENT) {
      const GumboVector& ch = e->v.element.children;
      for (unsigned i = ch.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(ch.data[i]));
    }
  }
  return text;
}

// Whether `text` shows no word: only the signs permalinks show instead of words and spaces:
// ¶ (Sphinx, MkDocs), § (rustdoc), # (Hugo and many themes), ◆ (Doxygen), U+F0C1 (Font
// Awesome's link icon, sphinx_rtd_theme), U+200B (Docusaurus, VitePress), 🔗.
bool glyphs_only(std::string_view text) {
  static constexpr std::string_view glyphs[] = {"\xC2\xB6", "\xC2\xA7", "#", "\xE2\x97\x86", "\xEF\x83\x81",
                                                "\xE2\x80\x8B", "\xF0\x9F\x94\x97", "\xC2\xA0", " ", "\n", "\t", "\r"};
  while (!text.empty()) {
    bool matched = false;
    for (auto g : glyphs) {
      if (text.starts_with(g)) {
        text.remove_prefix(g.size());
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  return true;
}

namespace {

// Whether a hidden element is text a reader reaches with a click: a tab panel (role=tabpanel:
// Sphinx tabs, Docusaurus, Starlight), `hidden="until-found"`, or one of several alternatives of
// which another is shown (a sibling of the same tag and class that is not hidden: tab panels
// without ARIA roles, code groups). Hidden dialogs, templates and placeholders are not.
bool hidden_content(const GumboNode* n) {
  if (const char* role = attribute(n, "role"); role && lower(role) == "tabpanel") return true;
  if (const char* h = attribute(n, "hidden"); h && lower(h) == "until-found") return true;
  const char* cls = attribute(n, "class");
  if (!cls || !*cls || !n->parent || n->parent->type != GUMBO_NODE_ELEMENT) return false;
  // Alternatives stand side by side: the nearest siblings are enough (and a page of a million
  // hidden siblings stays linear).
  const GumboVector& siblings = n->parent->v.element.children;
  const std::size_t at = n->index_within_parent, window = 24;
  for (std::size_t i = at > window ? at - window : 0; i < siblings.length && i <= at + window; ++i) {
    auto* s = static_cast<const GumboNode*>(siblings.data[i]);
    if (s == n || s->type != GUMBO_NODE_ELEMENT || s->v.element.tag != n->v.element.tag) continue;
    const char* scls = attribute(s, "class");
    if (scls && std::string_view(scls) == cls && !attribute(s, "hidden") && !attribute(s, "style")) return true;
  }
  return false;
}

// A link to a place in its own page that shows no word: a permalink (every generator has one,
// inside the heading, before it or beside it, or beside a definition).
bool permalink(const GumboNode* a) {
  const char* href = attribute(a, "href");
  if (!href || href[0] != '#') return false;
  const std::string text = text_under(a, 16);
  return text.size() <= 16 && glyphs_only(text);
}


// The attributes asked of every element, read in one pass over them (the parser gives names in
// lower case).
struct Asked {
  const char* cls = nullptr;
  const char* id = nullptr;
  const char* hidden = nullptr;
  const char* aria_hidden = nullptr;
  const char* style = nullptr;
  bool pagefind_ignore = false;
};

Asked asked_of(const GumboNode* n) {
  Asked a;
  const GumboVector& attrs = n->v.element.attributes;
  for (unsigned i = 0; i < attrs.length; ++i) {
    const auto* attr = static_cast<const GumboAttribute*>(attrs.data[i]);
    const std::string_view name(attr->name);
    if (name == "class") a.cls = attr->value;
    else if (name == "id") a.id = attr->value;
    else if (name == "hidden") a.hidden = attr->value;
    else if (name == "aria-hidden") a.aria_hidden = attr->value;
    else if (name == "style") a.style = attr->value;
    else if (name == "data-pagefind-ignore") a.pagefind_ignore = true;
  }
  return a;
}

bool hidden(const Asked& a) {
  if (a.hidden) return true;
  if (a.aria_hidden && lower(a.aria_hidden) == "true") return true;
  if (a.style) {
    std::string style = lower(a.style);
    style.erase(std::remove(style.begin(), style.end(), ' '), style.end());
    if (style.find("display:none") != std::string::npos || style.find("visibility:hidden") != std::string::npos) return true;
  }
  return false;
}

bool dropped(const GumboNode* n, const Asked& a) {
  switch (n->v.element.tag) {
    case GUMBO_TAG_NAV: case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER: case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_SVG:
    case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT: case GUMBO_TAG_HEAD: case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA:
      return true;
    default: break;
  }
  if (a.pagefind_ignore) return true;
  if (hidden(a) && !hidden_content(n)) return true;
  if (n->v.element.tag == GUMBO_TAG_A && ((a.cls && class_list_has(a.cls, "headerlink")) || permalink(n))) return true;
  return false;
}

}  // namespace

// Elements whose text is not content: chrome, code that runs, hidden things other than inactive
// tabs, what the page asks search engines to leave out (Pagefind's data-pagefind-ignore),
// permalink signs.
bool dropped(const GumboNode* n) { return dropped(n, asked_of(n)); }

bool left_out(const GumboNode* n, const GeneratorProfile* profile, const SelectorSet* excluded) {
  Asked a = asked_of(n);
  const std::string_view cls = a.cls ? a.cls : "", id = a.id ? a.id : "";
  if (a.pagefind_ignore && profile && !profile->not_ignored.empty() && profile->not_ignored.matches(n, cls, id)) a.pagefind_ignore = false;
  if (dropped(n, a)) return true;
  return (profile && profile->noise.matches(n, cls, id)) || (excluded && !excluded->empty() && excluded->matches(n, cls, id));
}

// Where the main content is when the site names no content_selectors: what the page marks for
// search engines (Pagefind's content root, DocSearch's), then the usual containers, then the id
// themes without them give it (Django REST framework's MkDocs theme: div#main-content beside a
// div.navbar of every page's links and a sidebar, none of them in <nav>).
namespace {
constexpr const char* root_order[] = {"[data-pagefind-body]", ".DocSearch-content", "main", "[role=main]", "article", "#main-content", "body"};
constexpr std::size_t article_root = 4;
static_assert(std::string_view(root_order[article_root]) == "article");

std::vector<Selector> roots_from(std::size_t first) {
  std::vector<Selector> out;
  for (std::size_t i = first; i < std::size(root_order); ++i) out.push_back(parse_selector(root_order[i]));
  return out;
}
}  // namespace

const std::vector<Selector>& default_roots() {
  static const std::vector<Selector> roots = roots_from(0);
  return roots;
}

const std::vector<Selector>& default_roots_after_article() {
  static const std::vector<Selector> roots = roots_from(article_root + 1);
  return roots;
}

}  // namespace siteseek::ingest_detail
