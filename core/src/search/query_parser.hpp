#pragma once
// The query language's syntax (docs/query-language.md): text -> clauses, before analysis.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siteseek::detail {

/// One operand: a word, or a quoted phrase, possibly restricted to a field.
struct QueryOperand {
  std::string text;              ///< raw text of the word or phrase (without quotes, '*', '@f:')
  bool phrase = false;           ///< "quoted"
  bool prefix = false;           ///< word* (explicit) or the last typed word (search as you type)
  std::optional<std::uint8_t> field;  ///< @field: restriction (a siteseek::Field value)
};

/// One clause: operands joined by '|' (any may match), possibly excluded with '-'.
struct QueryClause {
  std::vector<QueryOperand> alternatives;
  bool excluded = false;
};

/// `@name:value` where name is no field: a test of a record attribute (docs/filters.md), a
/// filter AND-ed with the request's; `-@name:value` excludes.
struct QueryAttribute {
  std::string name;
  std::string value;
  bool excluded = false;
};

struct ParsedQuery {
  std::vector<QueryClause> clauses;
  std::vector<QueryAttribute> attributes;
};

/// Parse query text. `as_you_type`: the last plain word is a prefix unless the text ends in
/// whitespace. A command-line flag ("--verbose", "-m") is a word, not an exclusion, and so are
/// the words of a query that excludes everything it has ("-socket"). Malformed syntax degrades
/// to text (an unbalanced quote quotes to the end, a lone '-', '|' or '*' is ignored).
/// `@name:value` with a name that is no field is an attribute test (ParsedQuery::attributes); a
/// name that cannot be an attribute either throws RequestError("invalid_query").
ParsedQuery parse_query(std::string_view text, bool as_you_type);

}  // namespace siteseek::detail
