#include "ingest/selector.hpp"

#include <cctype>
#include <strings.h>

#include "ingest/text.hpp"

namespace siteseek::ingest_detail {
namespace {

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

bool parse_compound(std::string_view text, CompoundSelector& out) {
  std::size_t i = 0;
  auto ident = [&]() {
    std::size_t start = i;
    while (i < text.size() && ident_char(text[i])) ++i;
    return text.substr(start, i - start);
  };
  if (i < text.size() && text[i] == '*') ++i;
  else if (i < text.size() && ident_char(text[i])) out.tag = lower(ident());
  while (i < text.size()) {
    char c = text[i++];
    if (c == '.') {
      auto cls = ident();
      if (cls.empty()) return false;
      out.classes.emplace_back(cls);
    } else if (c == '#') {
      auto id = ident();
      if (id.empty()) return false;
      out.id = std::string(id);
    } else if (c == '[') {
      auto close = text.find(']', i);
      if (close == std::string_view::npos) return false;
      auto inside = text.substr(i, close - i);
      i = close + 1;
      AttributeTest test;
      auto eq = inside.find('=');
      if (eq == std::string_view::npos) {
        test.name = lower(inside);
      } else {
        test.prefix = eq > 0 && inside[eq - 1] == '^';
        test.name = lower(inside.substr(0, test.prefix ? eq - 1 : eq));
        auto v = inside.substr(eq + 1);
        if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
        test.value = std::string(v);
        test.any_value = false;
      }
      if (test.name.empty()) return false;
      out.attributes.push_back(std::move(test));
    } else {
      return false;
    }
  }
  return true;
}

bool matches_compound(const CompoundSelector& c, const GumboNode* node) {
  if (node->type != GUMBO_NODE_ELEMENT) return false;
  const GumboElement& e = node->v.element;
  if (!c.tag.empty()) {
    const char* name = e.tag == GUMBO_TAG_UNKNOWN ? nullptr : gumbo_normalized_tagname(e.tag);
    if (!name || c.tag != name) return false;
  }
  if (!c.id.empty()) {
    const char* id = attribute(node, "id");
    if (!id || c.id != id) return false;
  }
  // Attributes before classes: "[id]" rules most elements out with one look-up.
  for (const auto& a : c.attributes) {
    const char* v = attribute(node, a.name.c_str());
    if (!v) return false;
    if (!a.any_value && (a.prefix ? !std::string_view(v).starts_with(a.value) : a.value != v)) return false;
  }
  if (!c.classes.empty()) {
    const char* list = attribute(node, "class");
    if (!list) return false;
    for (const auto& cls : c.classes) {
      if (!class_list_has(list, cls)) return false;
    }
  }
  return true;
}

}  // namespace

const char* attribute(const GumboNode* node, const char* name) {
  if (node->type != GUMBO_NODE_ELEMENT) return nullptr;
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a ? a->value : nullptr;
}

bool has_class(const GumboNode* node, std::string_view cls) {
  const char* v = attribute(node, "class");
  return v && class_list_has(v, cls);
}

bool class_list_has(std::string_view all, std::string_view cls) {
  std::size_t i = 0;
  while (i < all.size()) {
    while (i < all.size() && std::isspace(static_cast<unsigned char>(all[i]))) ++i;
    std::size_t start = i;
    while (i < all.size() && !std::isspace(static_cast<unsigned char>(all[i]))) ++i;
    if (all.substr(start, i - start) == cls) return true;
  }
  return false;
}

Selector parse_selector(std::string_view text) {
  Selector s;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    std::size_t start = i;
    int brackets = 0;
    while (i < text.size() && (brackets > 0 || !std::isspace(static_cast<unsigned char>(text[i])))) {
      if (text[i] == '[') ++brackets;
      if (text[i] == ']') --brackets;
      ++i;
    }
    CompoundSelector c;
    if (text.substr(start, i - start) == ">" || !parse_compound(text.substr(start, i - start), c)) return {};
    s.parts.push_back(std::move(c));
  }
  return s;
}

bool matches(const Selector& selector, const GumboNode* node) {
  if (selector.parts.empty() || !matches_compound(selector.parts.back(), node)) return false;
  // Descendant combinators: match the remaining parts against ancestors, innermost first.
  std::size_t next = selector.parts.size() - 1;
  for (const GumboNode* up = node->parent; up && next > 0; up = up->parent) {
    if (matches_compound(selector.parts[next - 1], up)) --next;
  }
  return next == 0;
}

const GumboNode* find_first(const Selector& selector, const GumboNode* root) {
  if (selector.empty()) return nullptr;
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type != GUMBO_NODE_ELEMENT) continue;
    if (matches(selector, n)) return n;
    const GumboVector& children = n->v.element.children;
    for (unsigned i = children.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(children.data[i]));
  }
  return nullptr;
}

void SelectorSet::add(Selector s) {
  if (s.parts.size() == 1) {
    const auto& c = s.parts[0];
    if (c.tag.empty() && c.attributes.empty() && c.id.empty() && c.classes.size() == 1) {
      classes.push_back(c.classes[0]);
      return;
    }
    if (c.tag.empty() && c.attributes.empty() && c.classes.empty() && !c.id.empty()) {
      ids.push_back(c.id);
      return;
    }
  }
  others.push_back(std::move(s));
}

bool SelectorSet::matches(const GumboNode* node, std::string_view cls, std::string_view id) const {
  // The element's classes read once, each compared with the set's.
  for (std::size_t i = 0; !classes.empty() && i < cls.size();) {
    while (i < cls.size() && std::isspace(static_cast<unsigned char>(cls[i]))) ++i;
    std::size_t start = i;
    while (i < cls.size() && !std::isspace(static_cast<unsigned char>(cls[i]))) ++i;
    const auto token = cls.substr(start, i - start);
    if (token.empty()) break;
    for (const auto& c : classes) {
      if (c == token) return true;
    }
  }
  if (!id.empty()) {
    for (const auto& i : ids) {
      if (i == id) return true;
    }
  }
  for (const auto& o : others) {
    if (ingest_detail::matches(o, node)) return true;
  }
  return false;
}

const GumboNode* find_first_of(const std::vector<Selector>& selectors, const GumboNode* root) {
  const GumboNode* found = nullptr;
  std::size_t rank = selectors.size();  // of the selector `found` matches; only earlier ones can win
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty() && rank > 0) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type != GUMBO_NODE_ELEMENT) continue;
    for (std::size_t i = 0; i < rank; ++i) {
      if (matches(selectors[i], n)) {
        found = n;
        rank = i;
        break;
      }
    }
    const GumboVector& children = n->v.element.children;
    for (unsigned i = children.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(children.data[i]));
  }
  return found;
}

}  // namespace siteseek::ingest_detail
