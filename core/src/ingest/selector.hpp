#pragma once
// A small CSS selector subset for content and breadcrumb selectors: compound selectors of
// tag, .class, #id, [attr], [attr=value] and [attr^=prefix], joined by descendant combinators
// ("main article").
#include <string>
#include <string_view>
#include <vector>

#include <gumbo.h>

namespace siteseek::ingest_detail {

struct AttributeTest {
  std::string name;
  std::string value;
  bool any_value = true;
  bool prefix = false;  ///< [attr^=value]: the value starts with it
};

struct CompoundSelector {
  std::string tag;  ///< empty: any element
  std::string id;
  std::vector<std::string> classes;
  std::vector<AttributeTest> attributes;
};

/// A parsed selector; empty when the text was not a selector we understand.
struct Selector {
  std::vector<CompoundSelector> parts;  ///< outermost first
  bool empty() const noexcept { return parts.empty(); }
};

Selector parse_selector(std::string_view text);
/// Whether `node` (an element) matches the whole selector.
bool matches(const Selector& selector, const GumboNode* node);
/// The first element in document order under `root` that matches, or null.
const GumboNode* find_first(const Selector& selector, const GumboNode* root);

/// The first element in document order under `root` matching the first of `selectors` that any
/// element matches (earlier selectors win), in one walk; null when none matches.
const GumboNode* find_first_of(const std::vector<Selector>& selectors, const GumboNode* root);

/// Selectors asked of every element of a page (a generator's chrome): the lone ".class" and
/// "#id" ones are answered from the element's class and id, read once, the others one by one.
struct SelectorSet {
  std::vector<std::string> classes;
  std::vector<std::string> ids;
  std::vector<Selector> others;
  void add(Selector s);
  bool empty() const { return classes.empty() && ids.empty() && others.empty(); }
  /// Whether `node` matches one; `cls` and `id` are its class and id attributes ("" when absent).
  bool matches(const GumboNode* node, std::string_view cls, std::string_view id) const;
};

/// Whether a class attribute's value lists `cls`.
bool class_list_has(std::string_view list, std::string_view cls);

/// An attribute's value, or null.
const char* attribute(const GumboNode* node, const char* name);
/// Whether the element's class attribute contains `cls`.
bool has_class(const GumboNode* node, std::string_view cls);

}  // namespace siteseek::ingest_detail
