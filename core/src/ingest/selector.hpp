#pragma once
// Selectors matched against gumbo's elements: the subset common/selector_syntax.hpp parses
// (compound selectors of tag, .class, #id, attribute tests and :not(), joined by descendant and
// child combinators: "main article", "details:not([open]) > :not(summary)").
#include <string>
#include <string_view>
#include <vector>

#include <gumbo.h>

#include "common/selector_syntax.hpp"

namespace siteseek::ingest_detail {

using css::AttributeTest;
using css::CompoundSelector;
using css::Selector;
using css::parse_selector;

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
