#pragma once
// Definitions: the API items a generator gives an id (a function, a method, a field, a term), each
// of which becomes a record of its own, its anchor in the URL and its signature first in the text.
#include <string>
#include <vector>

#include <gumbo.h>

#include "ingest/selector.hpp"

namespace siteseek::ingest_detail {

/// One kind of definition: the element that names the item, and the siblings after it that
/// describe it (its text runs on through them).
struct DefinitionRule {
  Selector item;
  Selector description;  ///< empty: none
  /// Where its name starts inside the item, when something leads it there (Sphinx's "class ",
  /// Texinfo's return values "x ="): the title starts at the first element matching one.
  std::vector<Selector> name;
};

/// The rule `n` (an element) matches, or null. Elements of other tags than the rules' are not
/// looked at, so asking for every element of a page costs little.
const DefinitionRule* definition_rule(const GumboNode* n);

/// The definition's id: the element's own, else that of an empty <a id> or <a name> marker that is
/// its first child (Doxygen); empty when it has none.
std::string definition_id(const GumboNode* n);

/// The element whose end ends the definition before its description siblings: the <details> a
/// <summary> holding it opens (rustdoc), the table row of a cell (Doxygen's enum values), else
/// the element itself.
const GumboNode* definition_extent(const GumboNode* n);

}  // namespace siteseek::ingest_detail
