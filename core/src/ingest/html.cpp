// One page's HTML -> a page document and one document per section and per definition (gumbo).
//
// The page's generator is recognised (profiles.cpp), then its content root is walked once, without
// recursion (hostile pages nest deeply), into one whitespace-collapsed text buffer, leaving out
// what is not content (content.cpp); every heading and definition records where its text starts
// and ends in that buffer. Records are then slices of it: the page's is the buffer without the
// page's own heading, a section's runs from its heading to the next recorded heading or one of
// its level or above (sections.cpp), a definition's from its signature through its description;
// each leaves out the definitions inside it, which are records of their own.
#include <algorithm>
#include <cctype>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <gumbo.h>
#include <re2/re2.h>

#include "ingest/attributes.hpp"
#include "ingest/content.hpp"
#include "ingest/definitions.hpp"
#include "ingest/profiles.hpp"
#include "ingest/sections.hpp"
#include "ingest/selector.hpp"
#include "ingest/text.hpp"
#include "ingest/titles.hpp"
#include "ingest/weights.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {
using namespace ingest_detail;

namespace {

struct GumboDeleter {
  void operator()(GumboOutput* o) const { gumbo_destroy_output(&kGumboDefaultOptions, o); }
};

bool is_block(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BODY: case GUMBO_TAG_BR: case GUMBO_TAG_CAPTION: case GUMBO_TAG_DD: case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIV: case GUMBO_TAG_DL: case GUMBO_TAG_DT: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
    case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HR: case GUMBO_TAG_LI: case GUMBO_TAG_MAIN: case GUMBO_TAG_NAV: case GUMBO_TAG_OL:
    case GUMBO_TAG_P: case GUMBO_TAG_PRE: case GUMBO_TAG_SECTION: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY: case GUMBO_TAG_TD: case GUMBO_TAG_TFOOT: case GUMBO_TAG_TH: case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR: case GUMBO_TAG_UL: case GUMBO_TAG_OPTION: case GUMBO_TAG_LEGEND: case GUMBO_TAG_TITLE:
      return true;
    default:
      return false;
  }
}

int heading_level(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_H1: return 1;
    case GUMBO_TAG_H2: return 2;
    case GUMBO_TAG_H3: return 3;
    case GUMBO_TAG_H4: return 4;
    case GUMBO_TAG_H5: return 5;
    case GUMBO_TAG_H6: return 6;
    default: return 0;
  }
}

// Appends text with whitespace collapsed to single spaces. A no-break space separates words too;
// zero-width spaces and byte order marks are nothing (Docusaurus and VitePress permalinks are a
// U+200B, and identifiers carry them as break hints).
struct TextBuffer {
  std::string text;
  void space() {
    if (!text.empty() && text.back() != ' ') text += ' ';
  }
  void append_text(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
      // Runs of plain bytes are copied at once; only whitespace and a few lead bytes stop them.
      std::size_t run = i;
      while (run < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[run]);
        if (c <= ' ' || c == 0xC2 || c == 0xE2 || c == 0xEF) break;
        ++run;
      }
      text.append(s.data() + i, run - i);
      i = run;
      if (i >= s.size()) break;
      const unsigned char c = static_cast<unsigned char>(s[i]);
      const std::string_view rest = s.substr(i);
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        space();
        ++i;
      } else if (rest.starts_with("\xC2\xA0")) {  // U+00A0 no-break space
        space();
        i += 2;
      } else if (rest.starts_with("\xE2\x80\x8B") || rest.starts_with("\xEF\xBB\xBF")) {  // U+200B, U+FEFF
        i += 3;
      } else {
        text += static_cast<char>(c);
        ++i;
      }
    }
  }
};

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(' ');
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(' ');
  return std::string(s.substr(b, e - b + 1));
}

bool section_like(const GumboNode* n) {
  if (!n || n->type != GUMBO_NODE_ELEMENT) return false;
  auto t = n->v.element.tag;
  return t == GUMBO_TAG_SECTION || t == GUMBO_TAG_ARTICLE || (t == GUMBO_TAG_DIV && has_class(n, "section"));
}

// The first heading element among an element's children (skipping text and empty markers).
const GumboNode* first_heading_child(const GumboNode* n) {
  const GumboVector& ch = n->v.element.children;
  for (unsigned i = 0; i < ch.length; ++i) {
    auto* c = static_cast<const GumboNode*>(ch.data[i]);
    if (c->type != GUMBO_NODE_ELEMENT) continue;
    if (heading_level(c->v.element.tag)) return c;
    // Sphinx puts <span id="old-label"></span> markers before headings; skip empty elements.
    if (c->v.element.children.length == 0) continue;
    return nullptr;
  }
  return nullptr;
}

// The first element from `root` on (itself included), in document order, that `wanted` accepts;
// nullptr if none. Without recursion: hostile pages nest deeply.
template <class Pred>
const GumboNode* find_element(const GumboNode* root, Pred&& wanted) {
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type != GUMBO_NODE_ELEMENT) continue;
    if (wanted(n)) return n;
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = ch.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(ch.data[i]));
  }
  return nullptr;
}

// The first heading element under `n`, in document order (nullptr if none).
const GumboNode* first_heading(const GumboNode* n) {
  return find_element(n, [n](const GumboNode* c) { return c != n && heading_level(c->v.element.tag); });
}

// The element before `n` among its siblings (text between them being only whitespace), or null.
const GumboNode* previous_element(const GumboNode* n) {
  if (!n->parent || n->parent->type != GUMBO_NODE_ELEMENT) return nullptr;
  const GumboVector& siblings = n->parent->v.element.children;
  for (std::size_t i = n->index_within_parent; i-- > 0;) {
    auto* s = static_cast<const GumboNode*>(siblings.data[i]);
    if (s->type == GUMBO_NODE_ELEMENT) return s;
    if (s->type != GUMBO_NODE_WHITESPACE && s->type != GUMBO_NODE_COMMENT) return nullptr;
  }
  return nullptr;
}

// The first element child of `n` (text before it being only whitespace), or null.
const GumboNode* first_element(const GumboNode* n) {
  const GumboVector& ch = n->v.element.children;
  for (unsigned i = 0; i < ch.length; ++i) {
    auto* c = static_cast<const GumboNode*>(ch.data[i]);
    if (c->type == GUMBO_NODE_ELEMENT) return c;
    if (c->type != GUMBO_NODE_WHITESPACE && c->type != GUMBO_NODE_COMMENT) return nullptr;
  }
  return nullptr;
}

// The id (or <a name>) of an empty marker element, else "".
std::string marker_id(const GumboNode* n) {
  if (!n) return {};
  // Empty: nothing in it but white space and comments (Javadoc 11's <a id="m()"><!-- --></a>).
  const GumboVector& ch = n->v.element.children;
  for (unsigned i = 0; i < ch.length; ++i) {
    const auto type = static_cast<const GumboNode*>(ch.data[i])->type;
    if (type != GUMBO_NODE_WHITESPACE && type != GUMBO_NODE_COMMENT) return {};
  }
  if (const char* id = attribute(n, "id"); id && *id) return id;
  if (n->v.element.tag == GUMBO_TAG_A) {
    if (const char* name = attribute(n, "name"); name && *name) return name;
  }
  return {};
}

// Whether link `a` in heading `h` is the heading's permalink: it shows no word (a sign, an icon,
// nothing) or it is the whole heading; not a link to another part of the page inside the heading's
// text (TypeDoc's "Returns ResultDate" names its type parameter's anchor).
bool permalink_of(const GumboNode* a, const GumboNode* h) {
  const std::string text = trim(text_under(a));
  return glyphs_only(text) || text == trim(text_under(h));
}

// A heading's anchor: its enclosing section's id when the heading opens that section (the
// convention of Sphinx and most generators, and what links to the section use), else its own
// id, else a permalink inside it, else the id of the nearest ancestor it is the first heading of.
std::string anchor_of(const GumboNode* h) {
  const GumboNode* parent = h->parent;
  if (section_like(parent) && first_heading_child(parent) == h) {
    if (const char* id = attribute(parent, "id"); id && *id) return id;
  }
  if (const char* id = attribute(h, "id"); id && *id) return id;
  // A permalink inside it (a link to a fragment that shows no word or is the whole heading), or an
  // element inside it with an id (MediaWiki's span.mw-headline).
  std::string permalink;
  find_element(h, [&](const GumboNode* n) {
    if (n->v.element.tag != GUMBO_TAG_A) {
      if (const char* id = attribute(n, "id"); id && *id) permalink = id;
      return !permalink.empty();
    }
    if (const char* href = attribute(n, "href"); href && href[0] == '#' && href[1] && permalink_of(n, h)) permalink = href + 1;
    else if (const char* id = attribute(n, "id"); id && *id) permalink = id;
    else if (const char* name = attribute(n, "name"); name && *name) permalink = name;
    return !permalink.empty();
  });
  if (!permalink.empty()) return permalink;
  // An empty marker right before it (DocBook's <a name> before a refsect1's h2, Doxygen's <a id>).
  if (auto marker = marker_id(previous_element(h)); !marker.empty()) return marker;
  // DocBook wraps a heading in title divs inside its division (div.sect2#ID > div.titlepage >
  // div > div > h3): the nearest ancestor with an id whose first heading this is, a few levels up,
  // or the marker first in it, or the marker right before it (Javadoc 11's member details:
  // <a id="text()"></a><ul><li><h4>text</h4>).
  int up = 0;
  for (const GumboNode* a = h->parent; a && a->type == GUMBO_NODE_ELEMENT && up < 6; a = a->parent, ++up) {
    if (first_heading(a) != h) break;
    if (const char* id = attribute(a, "id"); id && *id) return id;
    if (auto marker = marker_id(first_element(a)); !marker.empty()) return marker;
    if (auto marker = marker_id(previous_element(a)); !marker.empty()) return marker;
  }
  return {};
}

bool is_code(GumboTag t) {
  return t == GUMBO_TAG_CODE || t == GUMBO_TAG_TT || t == GUMBO_TAG_KBD || t == GUMBO_TAG_SAMP;
}

// Whether every word of a heading is code: "`widget_open(path, flags=0)`" in Markdown (Docusaurus,
// VitePress, Starlight, Hugo, Antora, MkDocs), mkdocstrings' object headings. Such a heading
// names an API item, whatever its level.
bool code_heading(const GumboNode* h) {
  struct Item {
    const GumboNode* node;
    bool in_code;
  };
  std::vector<Item> stack{{h, false}};
  bool any = false;
  while (!stack.empty()) {
    auto [n, in_code] = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA) {
      if (!in_code && !glyphs_only(n->v.text.text)) return false;
      any = any || in_code;
      continue;
    }
    if (n->type != GUMBO_NODE_ELEMENT || (n != h && dropped(n))) continue;
    const bool code = in_code || is_code(n->v.element.tag);
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = 0; i < ch.length; ++i) stack.push_back({static_cast<const GumboNode*>(ch.data[i]), code});
  }
  return any;
}

// The score factor of a record whose text is `share` link text: 1 up to 30 %, falling linearly to
// `floor` at 90 % and above. Prose with links to the reference stays well under 30 % (the Python
// docs' median page is 7 %); tables of contents and indexes are above 85 %.
double link_list_boost(double share, double floor) {
  constexpr double from = 0.3, to = 0.9;
  const double t = std::clamp((share - from) / (to - from), 0.0, 1.0);
  return 1.0 - (1.0 - floor) * t;
}

// Byte ranges of the text buffer that are link text (of outermost <a> elements only).
using Spans = std::vector<std::pair<std::size_t, std::size_t>>;

// A definition in the content (definitions.hpp): its text is [start, end), its name or signature
// [start, name_end).
struct Definition {
  std::size_t start = 0, name_end = 0, end = 0;
  std::size_t title_start = std::string::npos;  // where its name starts (DefinitionRule::name), if ahead of `start`
  std::string id;
  const GumboNode* node = nullptr;    // the element that names it
  const GumboNode* extent = nullptr;  // the element whose end ends it, before its description
  const DefinitionRule* rule = nullptr;
};
using Definitions = std::vector<Definition>;

// What a walk of the content leaves out, and what it records besides text and headings (each
// when not null).
struct Walk {
  const GeneratorProfile* profile = nullptr;  // its chrome is left out
  const SelectorSet* excluded = nullptr;      // the site's exclude_selectors
  Spans* links = nullptr;                     // link text
  Definitions* definitions = nullptr;
  std::vector<WeightedSpan>* weights = nullptr;  // elements with data-pagefind-weight
};

// Whether the page's style sheet shows `n`, an inline element, as a block (its profile's `blocks`).
bool shown_as_block(const GumboNode* n, const GeneratorProfile* profile) {
  if (!profile || profile->blocks.empty()) return false;
  const char* cls = attribute(n, "class");
  const char* id = attribute(n, "id");
  return profile->blocks.matches(n, cls ? cls : "", id ? id : "");
}

// Walk the content root into a text buffer, recording headings and what `walk` asks for.
void collect(const GumboNode* root, TextBuffer& buf, std::vector<Heading>& headings, const Walk& walk = {}) {
  Spans* const links = walk.links;
  Definitions* const definitions = walk.definitions;
  struct Frame {
    const GumboNode* node;
    bool closing;
  };
  std::vector<Frame> stack{{root, false}};
  std::vector<std::size_t> open_headings;  // indexes into headings of headings being walked
  const GumboNode* open_link = nullptr;
  std::size_t link_start = 0;
  // Definitions: those whose naming element is being walked (innermost last), the element each
  // ending element ends, and the definition whose description may go on in the next sibling.
  std::vector<std::size_t> open_definitions;
  std::unordered_map<const GumboNode*, std::size_t> ends;
  const GumboNode* described_in = nullptr;  // the parent of the definition's extent
  std::size_t described = 0;
  bool described_by_name = false;  // what ended last was a <dt>, not its description yet
  std::vector<std::pair<const GumboNode*, std::size_t>> open_weights;  // weighted elements being walked
  while (!stack.empty()) {
    auto [n, closing] = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA || n->type == GUMBO_NODE_WHITESPACE) {
      buf.append_text(n->v.text.text);
      continue;
    }
    if (n->type != GUMBO_NODE_ELEMENT) continue;
    GumboTag tag = n->v.element.tag;
    int level = heading_level(tag);
    if (closing) {
      if (n == open_link) {
        if (buf.text.size() > link_start) links->emplace_back(link_start, buf.text.size());
        open_link = nullptr;
      }
      if (is_block(tag) || shown_as_block(n, walk.profile)) buf.space();
      if (level && !open_headings.empty()) {
        Heading& h = headings[open_headings.back()];
        h.end = buf.text.size();
        open_headings.pop_back();
        // A definition's name is the first heading inside it (rustdoc's h4.code-header).
        if (!open_definitions.empty() && !(*definitions)[open_definitions.back()].name_end) {
          (*definitions)[open_definitions.back()].name_end = h.end;
        }
      }
      if (!open_definitions.empty() && (*definitions)[open_definitions.back()].node == n) {
        auto& d = (*definitions)[open_definitions.back()];
        if (!d.name_end) d.name_end = buf.text.size();
        open_definitions.pop_back();
      }
      if (!ends.empty()) {
        if (auto it = ends.find(n); it != ends.end()) {
          (*definitions)[it->second].end = buf.text.size();
          described_in = n->parent;
          described = it->second;
          described_by_name = tag == GUMBO_TAG_DT;
          ends.erase(it);
        }
      }
      if (n == described_in) described_in = nullptr;
      if (!open_weights.empty() && open_weights.back().first == n) {
        (*walk.weights)[open_weights.back().second].end = buf.text.size();
        open_weights.pop_back();
      }
      continue;
    }
    if (n != root && left_out(n, walk.profile, walk.excluded)) continue;
    if (is_block(tag) || shown_as_block(n, walk.profile)) buf.space();
    if (definitions) {
      // The element after a definition's extent describes it when its rule says so (a <dd>
      // after its <dt>, rustdoc's doc block); any other element ends the description. A <dt>
      // right after its <dt> is another name or signature of it, described by the same <dd>
      // (HTML's name-value groups: Sphinx's overloads, Texinfo's @deffnx, aliases such as
      // re.A and re.ASCII), so the run is one definition, named by its first <dt>.
      bool further_name = false;
      if (described_in && n->parent == described_in) {
        const auto& d = (*definitions)[described];
        if (!d.rule->description.empty() && matches(d.rule->description, n)) {
          ends[n] = described;
        } else if (tag == GUMBO_TAG_DT && described_by_name) {
          ends[n] = described;
          further_name = true;
        } else {
          described_in = nullptr;
        }
      }
      if (const DefinitionRule* rule = further_name ? nullptr : definition_rule(n)) {
        Definition d;
        d.start = buf.text.size();
        d.id = definition_id(n);
        d.node = n;
        d.extent = definition_extent(n);
        d.rule = rule;
        definitions->push_back(std::move(d));
        open_definitions.push_back(definitions->size() - 1);
        ends[definitions->back().extent] = definitions->size() - 1;
      }
    }
    if (!open_definitions.empty()) {
      auto& d = (*definitions)[open_definitions.back()];
      if (d.title_start == std::string::npos && d.node != n) {
        // (a loop, not a lambda: clang 14, which builds the fuzzers, captures no structured binding)
        for (const auto& name : d.rule->name)
          if (matches(name, n)) {
            d.title_start = buf.text.size();
            break;
          }
      }
    }
    if (walk.weights && walk.weights->size() < max_weighted_elements) {
      if (auto w = pagefind_weight(n)) {
        walk.weights->push_back({buf.text.size(), buf.text.size(), *w});
        open_weights.emplace_back(n, walk.weights->size() - 1);
      }
    }
    if (links && tag == GUMBO_TAG_A && !open_link && attribute(n, "href")) {
      open_link = n;
      link_start = buf.text.size();
    }
    if (level) {
      Heading h;
      h.level = level;
      h.start = buf.text.size();
      h.anchor = anchor_of(n);
      h.code = code_heading(n);
      if (walk.profile && !h.code)
        for (const auto& item : walk.profile->item_headings) h.code = h.code || matches(item, n);
      headings.push_back(std::move(h));
      open_headings.push_back(headings.size() - 1);
    }
    stack.push_back({n, true});
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = ch.length; i-- > 0;) stack.push_back({static_cast<const GumboNode*>(ch.data[i]), false});
  }
  if (definitions) {
    for (auto& d : *definitions) d.end = std::max({d.end, d.name_end, d.start});
  }
}

// Visible text of a subtree (titles, breadcrumb links).
std::string text_of(const GumboNode* root) {
  TextBuffer buf;
  std::vector<Heading> ignored;
  collect(root, buf, ignored);
  return trim(buf.text);
}

const GumboNode* find_tag(const GumboNode* root, GumboTag tag) {
  return find_element(root, [tag](const GumboNode* n) { return n->v.element.tag == tag; });
}

// Every element in document order, for one pass over links, meta and canonical.
template <class F>
void each_element(const GumboNode* root, F&& f) {
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type != GUMBO_NODE_ELEMENT) continue;
    f(n);
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = ch.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(ch.data[i]));
  }
}

// Whether `article` is one of several <article>s, none inside it: items of a list (Erlang's
// functions, a blog's posts), not the page's content, which is around them.
bool one_of_several_articles(const GumboNode* article, const GumboNode* root) {
  bool other = false;
  each_element(root, [&](const GumboNode* n) {
    if (other || n == article || n->v.element.tag != GUMBO_TAG_ARTICLE) return;
    for (const GumboNode* up = n->parent; up; up = up->parent)
      if (up == article) return;
    other = true;
  });
  return other;
}

// href resolved against base, http(s) only, fragment removed; empty when unusable.
std::string resolve(const boost::urls::url& base, std::string_view href) {
  while (!href.empty() && std::isspace(static_cast<unsigned char>(href.front()))) href.remove_prefix(1);
  while (!href.empty() && std::isspace(static_cast<unsigned char>(href.back()))) href.remove_suffix(1);
  if (href.empty() || href.front() == '#') return {};
  auto ref = boost::urls::parse_uri_reference(href);
  if (!ref) return {};
  boost::urls::url out = base;
  if (!out.resolve(*ref)) return {};
  if (out.scheme() != "http" && out.scheme() != "https") return {};
  out.remove_fragment();
  return std::string(out.buffer());
}

std::string strip_title_suffix(std::string title, const std::vector<std::string>& separators) {
  std::size_t cut = std::string::npos;
  for (const auto& sep : separators) {
    if (sep.empty()) continue;
    auto pos = title.rfind(sep);
    if (pos != std::string::npos && pos > 0 && (cut == std::string::npos || pos > cut)) cut = pos;
  }
  if (cut != std::string::npos) title = trim(title.substr(0, cut));
  return title;
}

// An id as a URL fragment: characters a fragment may not hold percent-encoded (Javadoc's
// "<init>(java.lang.String)" becomes "%3Cinit%3E(java.lang.String)").
std::string fragment_of(std::string_view id) {
  // A % that already starts an escape stays: rustdoc's "impl-From%3CT%3E".
  return percent_encode(id, "-._~!$&'()*+,;=:@/?", true);
}

// Whether a <meta http-equiv=refresh> content sends the reader elsewhere: a delay, then ";" or
// "," and a URL ("0; url=index.html", Javadoc's "0;index.html"); a delay alone reloads the page.
bool refresh_target(const char* content) {
  if (!content) return false;
  std::string_view c(content);
  std::size_t i = 0;
  while (i < c.size() && (std::isdigit(static_cast<unsigned char>(c[i])) || c[i] == '.' || c[i] == ' ')) ++i;
  if (i >= c.size() || (c[i] != ';' && c[i] != ',')) return false;
  ++i;
  while (i < c.size() && std::isspace(static_cast<unsigned char>(c[i]))) ++i;
  std::string rest = lower(c.substr(i));
  if (rest.starts_with("url")) {
    rest.erase(0, 3);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '=')) rest.erase(0, 1);
  }
  return !rest.empty() && rest.find_first_not_of(" '\"") != std::string::npos;
}

// The file a URL names, without query or fragment ("404.html"; "" for a directory URL).
std::string_view last_segment(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  return url.substr(url.rfind('/') + 1);
}

// Whether an element right under `parent` matches `selector`.
bool has_child_matching(const Selector& selector, const GumboNode* parent) {
  const GumboVector& children = parent->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type == GUMBO_NODE_ELEMENT && matches(selector, child)) return true;
  }
  return false;
}

// Why a page is not a document by its generator's conventions and the generic ones, or "": a
// not-found page (404.html, 404/), a search page (search.html with next to no text: its results
// come from a script), the profile's indexes, source views and help pages.
std::string generator_skip_reason(const std::string& url, const GumboNode* root, const std::vector<std::string>& generators,
                                  const GeneratorProfile& profile, std::size_t text_size, const SiteSettings& site) {
  std::string_view path = std::string_view(url).substr(0, url.find_first_of("?#"));
  const auto file = last_segment(url);
  if (site.skip.not_found_pages && (file == "404.html" || file == "404.htm" || path.ends_with("/404/") ||
                                    path.ends_with("/404/index.html"))) {
    return "not-found page (404)";
  }
  if ((file == "search.html" || path.ends_with("/search/") || path.ends_with("/search/index.html")) && text_size < 1000) {
    return "search page (no content)";
  }
  const GumboNode* html = root;
  const GumboNode* body = find_tag(root, GUMBO_TAG_BODY);
  for (const auto& rule : profile.skip) {
    if (rule.url && !RE2::PartialMatch(path, *rule.url)) continue;
    if (!rule.page.empty() && !matches(rule.page, html) && !(body && matches(rule.page, body)) &&
        !(body && has_child_matching(rule.page, body)))
      continue;
    if (!rule.generator.empty() && std::find(generators.begin(), generators.end(), rule.generator) == generators.end()) continue;
    return rule.reason;
  }
  return {};
}

bool looks_not_found(const std::string& title) {
  std::string t = lower(title);
  return t.rfind("404", 0) == 0 || t.find("page not found") != std::string::npos || t == "not found" ||
         t.find("404 not found") != std::string::npos;
}

std::uint64_t document_hash(const Document& d) {
  std::uint64_t h = fnv1a(d.title);
  h = fnv1a(std::string_view("\0", 1), h);
  h = fnv1a(d.section_title, h);
  h = fnv1a(std::string_view("\0", 1), h);
  h = fnv1a(d.body, h);
  for (const auto& a : d.anchors) {
    h = fnv1a(std::string_view("\1", 1), h);
    h = fnv1a(a, h);
  }
  for (const auto& c : d.hierarchy) {
    h = fnv1a(std::string_view("\0", 1), h);
    h = fnv1a(c, h);
  }
  for (const auto& a : d.attributes) {
    h = fnv1a(std::string_view("\2", 1), h);
    h = fnv1a(a.name, h);
    h = fnv1a(std::string_view("\0", 1), h);
    h = fnv1a(a.value, h);
  }
  return h;
}

}  // namespace

namespace ingest_detail {
std::uint64_t hash_document(const Document& d) { return document_hash(d); }
std::string visible_text(const GumboNode* n) { return text_of(n); }
}  // namespace ingest_detail

ExtractedPage extract_page(std::string_view raw, const std::string& url, const SiteSettings& site,
                           const ExtractOptions& options) {
  ExtractedPage page;
  std::string html = to_utf8(raw, options.charset);
  GumboOptions gopts = kGumboDefaultOptions;
  gopts.max_errors = 0;  // don't record parse errors: real pages have thousands
  std::unique_ptr<GumboOutput, GumboDeleter> out(gumbo_parse_with_options(&gopts, html.data(), html.size()));
  if (!out || !out->root) {
    page.skip_reason = "unparseable HTML";
    return page;
  }
  const GumboNode* root = out->root;

  // Links, base href, canonical and robots meta, in one pass.
  auto page_url = boost::urls::parse_uri(url);
  boost::urls::url base = page_url ? boost::urls::url(*page_url) : boost::urls::url();
  std::vector<const GumboNode*> anchors;
  std::string canonical_href;
  std::vector<std::string> generators;  // <meta name=generator>s: a page of Astro Starlight has two
  bool refresh = false;                 // <meta http-equiv=refresh content="0; url=...">
  bool named = false;                   // a generator meta names a profile
  const auto& signatures = all_signatures();
  std::vector<bool> signatures_found(signatures.size(), false);
  PageAttributes declared;  // what the page says of itself: DocSearch meta tags, Pagefind filters, lang
  each_element(root, [&](const GumboNode* n) {
    declared.visit(n);
    switch (n->v.element.tag) {
      case GUMBO_TAG_BASE:
        if (const char* href = attribute(n, "href")) {
          auto ref = boost::urls::parse_uri_reference(href);
          boost::urls::url resolved = base;
          if (ref && page_url && resolved.resolve(*ref)) base = resolved;
        }
        break;
      case GUMBO_TAG_A:
        anchors.push_back(n);
        break;
      case GUMBO_TAG_LINK:
        if (const char* rel = attribute(n, "rel"); rel && lower(rel) == "canonical") {
          if (const char* href = attribute(n, "href")) canonical_href = href;
        }
        break;
      case GUMBO_TAG_META:
        if (const char* name = attribute(n, "name"); name && lower(name) == "robots") {
          std::string content = lower(attribute(n, "content") ? attribute(n, "content") : "");
          if (content.find("noindex") != std::string::npos || content.find("none") != std::string::npos) page.noindex = true;
          if (content.find("nofollow") != std::string::npos || content.find("none") != std::string::npos) page.nofollow = true;
        } else if (name && lower(name) == "generator") {
          if (const char* content = attribute(n, "content")) generators.emplace_back(content);
          named = &profile_for(generators, {}) != &generic_profile();
        } else if (const char* equiv = attribute(n, "http-equiv"); equiv && lower(equiv) == "refresh") {
          refresh = refresh || refresh_target(attribute(n, "content"));
        }
        break;
      default:
        break;
    }
    // Signatures are for pages whose <meta> (in <head>, walked first) names no generator known.
    for (std::size_t i = 0; i < signatures.size() && !named; ++i) {
      if (!signatures_found[i] && matches(*signatures[i].selector, n)) signatures_found[i] = true;
    }
  });
  const GeneratorProfile& profile = profile_for(generators, signatures_found);
  page.generator = profile.name;
  // The followable links of the anchors accepted by `keep`, each once, in order (a set, not a
  // scan, so a page of 100,000 links stays linear).
  auto links_of = [&](auto&& keep) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (const GumboNode* a : anchors) {
      const char* href = attribute(a, "href");
      if (!href || !keep(a)) continue;
      if (const char* rel = attribute(a, "rel"); rel && lower(rel).find("nofollow") != std::string::npos) continue;
      auto link = resolve(base, href);
      if (!link.empty() && seen.insert(link).second) out.push_back(std::move(link));
    }
    return out;
  };
  if (page_url) {
    page.links = links_of([](const GumboNode*) { return true; });
    if (!canonical_href.empty()) page.canonical_url = resolve(base, canonical_href);
  }

  // Title: <title> without the site suffix, else the first h1.
  const GumboNode* title_node = find_tag(root, GUMBO_TAG_TITLE);
  std::string title = title_node ? strip_title_suffix(text_of(title_node), site.title_separators) : std::string();

  // Main content: the site's selectors, then what the page marks for search engines (Pagefind's
  // data-pagefind-body, DocSearch's .DocSearch-content), then the usual containers, then <body>.
  const GumboNode* content = nullptr;
  for (const auto& s : site.content_selectors) {
    if ((content = find_first(parse_selector(s), root))) break;
  }
  if (!content && !profile.roots.empty()) content = find_first_of(profile.roots, root);
  if (!content) {
    content = find_first_of(default_roots(), root);
    if (content && content->v.element.tag == GUMBO_TAG_ARTICLE && one_of_several_articles(content, root))
      content = find_first_of(default_roots_after_article(), root);
  }
  if (!content) content = root;
  if (page_url) {
    std::unordered_set<const GumboNode*> in_content;
    each_element(content, [&](const GumboNode* n) {
      if (n->v.element.tag == GUMBO_TAG_A) in_content.insert(n);
    });
    page.content_links = links_of([&](const GumboNode* a) { return in_content.count(a) > 0; });
  }

  TextBuffer buf;
  std::vector<Heading> headings;
  Spans links;
  Definitions definitions;
  SelectorSet excluded;
  for (const auto& s : site.exclude_selectors) excluded.add(parse_selector(s));
  // Weighted elements (Pagefind's data-pagefind-weight): one above the content root weighs all of it.
  std::vector<WeightedSpan> weights;
  for (const GumboNode* up = content->parent; up && up->type == GUMBO_NODE_ELEMENT; up = up->parent) {
    if (auto w = pagefind_weight(up)) {
      weights.push_back({0, std::string::npos, *w});
      break;
    }
  }
  collect(content, buf, headings,
          {.profile = &profile, .excluded = &excluded, .links = &links, .definitions = &definitions, .weights = &weights});
  const std::string& text = buf.text;
  // A record that is mostly link text (a table of contents, a chapter's list of pages, an index)
  // is a way to other pages, not an answer: it scores less, down to boosts.link_list.
  // The spans are in text order and do not overlap: only those from the first ending after
  // `from` are looked at, so a page of many sections and links stays linear.
  auto link_boost = [&](std::size_t from, std::size_t to) {
    std::size_t linked = 0;
    auto it = std::lower_bound(links.begin(), links.end(), from, [](const auto& span, std::size_t at) { return span.second <= at; });
    for (; it != links.end() && it->first < to; ++it) {
      const std::size_t a = std::max(it->first, from), b = std::min(it->second, to);
      if (a < b) linked += b - a;
    }
    return link_list_boost(to > from ? double(linked) / double(to - from) : 0.0, site.boosts.link_list);
  };

  std::vector<std::string> heading_texts;
  for (const auto& h : headings) heading_texts.push_back(clean_heading(std::string_view(text).substr(h.start, h.end - h.start)));
  auto heading_text = [&](const Heading& h) -> const std::string& { return heading_texts[&h - headings.data()]; };
  // A page titled by an element that is not a heading (Doxygen's div.title) has no heading of its
  // own: its headings are all sections.
  const GumboNode* title_element = profile.title.empty() ? nullptr : find_first(profile.title, root);
  const Heading* h1 = title_element ? nullptr : page_heading(headings, heading_texts, title);
  if (title.empty() && h1) title = heading_text(*h1);
  if (title.empty() && title_element) title = text_of(title_element);
  if (!profile.title_kinds.empty()) title = without_item_kind(title, profile.title_kinds);
  if (!declared.title().empty()) title = declared.title();  // data-pagefind-meta="title"
  page.title = title;

  if (!site.breadcrumb_selector.empty()) {
    if (const GumboNode* crumbs = find_first(parse_selector(site.breadcrumb_selector), root)) {
      each_element(crumbs, [&](const GumboNode* n) {
        if (n->v.element.tag == GUMBO_TAG_A) {
          auto t = text_of(n);
          if (!t.empty()) page.breadcrumb.push_back(std::move(t));
        }
      });
      if (page.breadcrumb.empty()) {
        each_element(crumbs, [&](const GumboNode* n) {
          if (n->v.element.tag == GUMBO_TAG_LI) {
            auto t = text_of(n);
            if (!t.empty()) page.breadcrumb.push_back(std::move(t));
          }
        });
      }
      if (!page.breadcrumb.empty() && page.breadcrumb.back() == title) page.breadcrumb.pop_back();
    }
  }

  // Skip rules, most specific reason first.
  if (title.empty()) {
    page.skip_reason = "no title (neither <title> nor <h1>)";
    return page;
  }
  if (page.noindex) {
    page.skip_reason = "robots meta tag says noindex";
    return page;
  }
  if (site.skip.not_found_pages && looks_not_found(title)) {
    page.skip_reason = "looks like a 404 page (title \"" + title + "\")";
    return page;
  }
  if (auto why = generator_skip_reason(url, root, generators, profile, text.size(), site); !why.empty()) {
    page.skip_reason = std::move(why);
    return page;
  }
  if (refresh) {
    page.skip_reason = "redirect (<meta http-equiv=refresh>)";
    return page;
  }
  // Nothing but a title: a node of a manual that only lists its children (Texinfo's chapters, their
  // list being chrome), an empty generated page, or the shell a single-page app fills by script.
  // Indexed (its title may be what a reader looks for), and reported: a site whose every page is
  // so is rendered in the browser, and its search would find titles only.
  std::string page_body = h1 ? trim(text.substr(0, h1->start) + " " + text.substr(h1->end)) : trim(text);
  page.no_text = page_body.empty();
  for (const auto& needle : site.skip.title_contains) {
    if (title.find(needle) != std::string::npos) {
      page.skip_reason = "title contains \"" + needle + "\" (skip.title_contains)";
      return page;
    }
  }
  for (const auto& pattern : site.skip.url_patterns) {
    RE2 re(pattern, RE2::Quiet);
    if (re.ok() && RE2::PartialMatch(url, re)) {
      page.skip_reason = "URL matches skip pattern \"" + pattern + "\" (skip.url_patterns)";
      return page;
    }
  }

  std::string key = section_key(url, site.url);
  Document pd;
  pd.id = url;
  pd.url = url;
  pd.title = title;
  pd.hierarchy = page.breadcrumb;
  pd.type = DocumentType::page;
  pd.section_key = key;
  pd.body = std::move(page_body);
  // A record all of whose text a weighted element holds weighs what its words weigh (weights.hpp):
  // the page's text here is its content without its own heading when that comes first.
  auto weight_boost_of = [&](std::size_t from, std::size_t to) {
    return weights.empty() ? 1.0 : weight_boost(weight_of(weights, text, from, to));
  };
  const bool heading_first = h1 && trim(std::string_view(text).substr(0, h1->start)).empty();
  pd.boost = link_boost(0, text.size()) * weight_boost_of(heading_first ? h1->end : 0, text.size());
  page.documents.push_back(std::move(pd));

  // Section and definition records, in text order. A record's text leaves out the definitions in
  // it, which are records of their own: records do not overlap.
  const std::vector<Section> sections = plan_sections(headings, heading_texts, h1, text.size());
  std::unordered_set<std::string> used_anchors;
  for (const auto& sec : sections) used_anchors.insert(headings[sec.heading].anchor);
  std::vector<const Definition*> recorded;  // definitions with records, in text order
  for (const auto& d : definitions) {
    if (used_anchors.insert(d.id).second) recorded.push_back(&d);
  }
  // [from, to) of the text without the recorded definitions that start in it and what they hold
  // (but for `self`, whose text it is).
  auto text_without_definitions = [&](std::size_t from, std::size_t to, const Definition* self = nullptr) {
    std::string out;
    auto add = [&](std::size_t a, std::size_t b) {
      if (b <= a) return;
      std::string piece = trim(std::string_view(text).substr(a, b - a));
      if (piece.empty()) return;
      if (!out.empty()) out += ' ';
      out += piece;
    };
    std::size_t at = from;
    auto it = std::lower_bound(recorded.begin(), recorded.end(), from,
                               [](const Definition* d, std::size_t pos) { return d->start < pos; });
    for (; it != recorded.end() && (*it)->start < to; ++it) {
      if (*it == self || (*it)->start < at) continue;  // itself, or inside one left out already
      add(at, (*it)->start);
      at = std::min(to, std::max(at, (*it)->end));
    }
    add(at, to);
    return out;
  };
  auto section_record = [&](const Section& sec) {
    const Heading& h = headings[sec.heading];
    Document sd;
    sd.url = anchored_url(url, fragment_of(h.anchor));
    sd.section_title = heading_text(h);
    for (std::size_t p : sec.path) sd.hierarchy.push_back(heading_text(headings[p]));
    sd.body = text_without_definitions(h.end, std::max(sec.end, h.end));
    sd.boost = link_boost(h.end, std::max(sec.end, h.end)) * weight_boost_of(h.end, std::max(sec.end, h.end));
    return sd;
  };
  // Its name or signature, from where its name starts.
  auto definition_title = [&](const Definition& d) {
    const std::size_t from = d.title_start < d.name_end ? d.title_start : d.start;
    return clean_heading(trim(std::string_view(text).substr(from, d.name_end - from)));
  };
  auto definition_record = [&](const Definition& d) {
    Document dd;
    dd.url = anchored_url(url, fragment_of(d.id));
    dd.section_title = definition_title(d);
    // Under the headings of the section it is in, and the definitions it is in (a class's method).
    const Section* in = nullptr;
    for (const auto& sec : sections) {
      if (headings[sec.heading].start > d.start) break;
      if (sec.end > d.start) in = &sec;
    }
    if (in) {
      for (std::size_t p : in->path) dd.hierarchy.push_back(heading_text(headings[p]));
      dd.hierarchy.push_back(heading_text(headings[in->heading]));
    }
    for (const Definition* outer : recorded) {
      if (outer->start >= d.start) break;
      if (outer->end > d.start) dd.hierarchy.push_back(definition_title(*outer));
    }
    dd.body = text_without_definitions(d.start, d.end, &d);  // its signature first
    dd.boost = link_boost(d.start, d.end) * weight_boost_of(d.start, d.end);
    return dd;
  };
  std::size_t next_section = 0, next_definition = 0;
  std::uint32_t position = 0;
  while (next_section < sections.size() || next_definition < recorded.size()) {
    const bool section_first =
        next_definition == recorded.size() ||
        (next_section < sections.size() && headings[sections[next_section].heading].start <= recorded[next_definition]->start);
    Document r = section_first ? section_record(sections[next_section++]) : definition_record(*recorded[next_definition++]);
    if (r.section_title.empty()) continue;
    r.id = r.url;
    r.title = title;
    if (!page.breadcrumb.empty()) {
      std::vector<std::string> h = page.breadcrumb;
      h.push_back(title);
      h.insert(h.end(), r.hierarchy.begin(), r.hierarchy.end());
      r.hierarchy = std::move(h);
    }
    r.type = DocumentType::section;
    r.section_key = key;
    r.position = ++position;
    page.documents.push_back(std::move(r));
  }
  auto rules = options.attribute_rules ? options.attribute_rules : compile_attribute_rules(site);
  const auto attributes = declared.finish(url, *rules, page.attributes_dropped);
  for (auto& d : page.documents) {
    d.attributes = attributes;
    d.content_hash = document_hash(d);
  }
  return page;
}

}  // namespace siteseek
