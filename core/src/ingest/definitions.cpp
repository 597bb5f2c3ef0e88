#include "ingest/definitions.hpp"

#include <vector>

namespace siteseek::ingest_detail {
namespace {

// What each generator calls a definition (headings that name an API item are sections already:
// Markdown's code headings, mkdocstrings, Javadoc's member h3s, Doxygen's h2.memtitle).
const std::vector<DefinitionRule>& rules() {
  static const std::vector<DefinitionRule> all = [] {
    std::vector<DefinitionRule> out;
    auto add = [&](const char* item, const char* description) {
      out.push_back({parse_selector(item), description ? parse_selector(description) : Selector{}, {}});
    };
    add("dt", "dd");  // with an id, or an empty marker first in it: Sphinx (every domain, glossaries), DocBook variable lists, AsciiDoc
    // Sphinx's signature names (its module or class prefix, then the name), Texinfo's name
    // (<strong>; 7's strong.def-name): what leads them is a kind ("class ", "exception ",
    // "coroutine ") or a return value ("[x, rcond] =", "ffi_status").
    for (const char* name : {"span.sig-prename", "span.sig-name", "strong"}) out.back().name.push_back(parse_selector(name));
    add("section.method[id]", "div.docblock");      // rustdoc methods, required trait methods
    add("section.variant[id]", "div.docblock");     // rustdoc enum variants
    add("span.structfield[id]", "div.docblock");    // rustdoc struct fields
    add("section.associatedconstant[id]", "div.docblock");  // rustdoc associated constants and types
    add("section.associatedtype[id]", "div.docblock");
    add("tr[class^=memitem:]", "tr[class^=memdesc:]");  // Doxygen members with a brief description only
    add("td.fieldname", nullptr);                   // Doxygen enum values
    return out;
  }();
  return all;
}

// The rules of each tag: an element is asked only those of its own (a page has many spans).
const std::vector<std::vector<const DefinitionRule*>>& rules_by_tag() {
  static const std::vector<std::vector<const DefinitionRule*>> by_tag = [] {
    std::vector<std::vector<const DefinitionRule*>> out(GUMBO_TAG_LAST + 1);
    for (const auto& r : rules()) out[gumbo_tag_enum(r.item.parts.back().tag.c_str())].push_back(&r);
    return out;
  }();
  return by_tag;
}

}  // namespace

const DefinitionRule* definition_rule(const GumboNode* n) {
  if (n->type != GUMBO_NODE_ELEMENT || n->v.element.tag > GUMBO_TAG_LAST) return nullptr;
  for (const DefinitionRule* r : rules_by_tag()[n->v.element.tag]) {
    if (matches(r->item, n)) return definition_id(n).empty() ? nullptr : r;
  }
  return nullptr;
}

std::string definition_id(const GumboNode* n) {
  if (const char* id = attribute(n, "id"); id && *id) return id;
  // An empty marker first in it, or first in its first cell (Doxygen's table rows).
  for (int depth = 0; depth < 2; ++depth) {
    const GumboNode* first = nullptr;
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = 0; i < ch.length && !first; ++i) {
      auto* c = static_cast<const GumboNode*>(ch.data[i]);
      if (c->type == GUMBO_NODE_ELEMENT) first = c;
      else if (c->type != GUMBO_NODE_WHITESPACE) return {};
    }
    if (!first) return {};
    if (first->v.element.tag == GUMBO_TAG_A && first->v.element.children.length == 0) {
      if (const char* id = attribute(first, "id"); id && *id) return id;
      if (const char* name = attribute(first, "name"); name && *name) return name;
      return {};
    }
    n = first;
  }
  return {};
}

const GumboNode* definition_extent(const GumboNode* n) {
  const GumboNode* up = n->parent;
  for (int i = 0; i < 3 && up && up->type == GUMBO_NODE_ELEMENT; ++i, up = up->parent) {
    if (up->v.element.tag == GUMBO_TAG_SUMMARY) {
      const GumboNode* details = up->parent;
      return details && details->type == GUMBO_NODE_ELEMENT && details->v.element.tag == GUMBO_TAG_DETAILS ? details : n;
    }
  }
  if (n->v.element.tag == GUMBO_TAG_TD && n->parent && n->parent->type == GUMBO_NODE_ELEMENT) return n->parent;
  return n;
}

}  // namespace siteseek::ingest_detail
