#pragma once
// The CSS selector subset of the settings (content_selectors, exclude_selectors,
// breadcrumb_selector) and of the generator profiles: its grammar only, with no HTML. Validation
// parses a setting with it to report an error at its key path; ingestion (ingest/selector.hpp)
// parses the same text with it and matches the result against gumbo's elements.
//
// A selector is compound selectors joined by combinators, outermost first: descendant (space)
// and child (">"). A compound is a tag or "*", then any of .class, #id, [attr], [attr=value],
// [attr^=prefix], [attr$=suffix], [attr*=part], [attr~=word] and :not(compound).
#include <string>
#include <string_view>
#include <vector>

namespace siteseek::css {

struct AttributeTest {
  enum class Op : unsigned char { exists, equals, prefix, suffix, contains, word };
  std::string name;   ///< lower case
  std::string value;  ///< as written (values are case-sensitive)
  Op op = Op::exists;
};

struct CompoundSelector {
  std::string tag;  ///< lower case; empty: any element
  std::string id;
  std::vector<std::string> classes;
  std::vector<AttributeTest> attributes;
  std::vector<CompoundSelector> negations;  ///< :not(...): the element matches none of them
  bool child = false;  ///< joined to the compound before it by ">" (else by a descendant combinator)
};

/// A parsed selector; empty when the text was not a selector of the subset.
struct Selector {
  std::vector<CompoundSelector> parts;  ///< outermost first
  bool empty() const noexcept { return parts.empty(); }
};

/// Parses `text`. On an error the result is empty and, when `error` is given, it says what is
/// wrong and where ("unsupported pseudo-class ':first-child' at character 4").
Selector parse_selector(std::string_view text, std::string* error = nullptr);

}  // namespace siteseek::css
