#include "ingest/selector.hpp"

#include <cctype>

namespace siteseek::ingest_detail {
namespace {

bool word_in(std::string_view list, std::string_view word) { return !word.empty() && class_list_has(list, word); }

bool attribute_matches(const AttributeTest& a, std::string_view v) {
  using Op = AttributeTest::Op;
  switch (a.op) {
    case Op::exists: return true;
    case Op::equals: return v == a.value;
    case Op::prefix: return !a.value.empty() && v.starts_with(a.value);
    case Op::suffix: return !a.value.empty() && v.ends_with(a.value);
    case Op::contains: return !a.value.empty() && v.find(a.value) != std::string_view::npos;
    case Op::word: return word_in(v, a.value);
  }
  return false;
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
    if (!v || !attribute_matches(a, v)) return false;
  }
  if (!c.classes.empty()) {
    const char* list = attribute(node, "class");
    if (!list) return false;
    for (const auto& cls : c.classes) {
      if (!class_list_has(list, cls)) return false;
    }
  }
  for (const auto& n : c.negations) {
    if (matches_compound(n, node)) return false;
  }
  return true;
}

// Parts [first, last] of a selector joined by child combinators only, the last matched at `node`
// and each one before at the parent of the one after: the element the first matched, or null.
const GumboNode* match_chain(const Selector& s, std::size_t first, std::size_t last, const GumboNode* node) {
  for (std::size_t k = last + 1; k-- > first;) {
    if (!node || !matches_compound(s.parts[k], node)) return nullptr;
    if (k > first) node = node->parent;
  }
  return node;
}

// The first part of the chain of child combinators that ends at part `last`.
std::size_t chain_start(const Selector& s, std::size_t last) {
  while (last > 0 && s.parts[last].child) --last;
  return last;
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

bool matches(const Selector& selector, const GumboNode* node) {
  if (selector.parts.empty()) return false;
  // Chains of child combinators are matched whole; between chains (descendant combinators) the
  // nearest ancestor that matches the chain before is the right one to take: every ancestor the
  // chains further out could use is above it too. So no backtracking, and linear in depth.
  std::size_t last = selector.parts.size() - 1, first = chain_start(selector, last);
  const GumboNode* top = match_chain(selector, first, last, node);
  while (top && first > 0) {
    last = first - 1;
    first = chain_start(selector, last);
    const GumboNode* found = nullptr;
    for (const GumboNode* up = top->parent; up && !found; up = up->parent) found = match_chain(selector, first, last, up);
    top = found;
  }
  return top != nullptr;
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
  if (s.parts.size() == 1 && s.parts[0].negations.empty()) {
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
