#pragma once
// Filters (SearchRequest::filters): a small expression language over record attributes,
// `version:3.12 AND (area:library OR area:tutorial) AND NOT type:section` (docs/filters.md),
// parsed once per request and evaluated to a bit per record before any posting is read, so
// totals, facets and pagination count only the records it keeps.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "index/index_data.hpp"
#include "siteseek/error.hpp"
#include "search/query_parser.hpp"
#include "search/scratch.hpp"
#include "siteseek/search.hpp"

namespace siteseek::detail {

/// One node of a parsed filter.
struct FilterNode {
  enum class Kind : std::uint8_t { test, any, all_of, any_of, none_of };
  Kind kind = Kind::test;
  std::string name;   ///< test, any: the attribute
  std::string value;  ///< test: the value (any: every value of `name`, written `name:*`)
  std::uint32_t position = 0;  ///< 1-based character offset in the expression (errors)
  std::vector<FilterNode> children;  ///< all_of (AND), any_of (OR), none_of (NOT: one child)
};

/// Parse a filter expression. Empty or blank text: none. Throws RequestError("invalid_filter")
/// naming the 1-based position of the first error.
std::optional<FilterNode> parse_filter(std::string_view text);

/// The expression `f` written back in the language (canonical spacing; for explain and tests).
std::string to_string(const FilterNode& f);

/// A filter or an `@name:` test naming an attribute no record of the index carries: a
/// RequestError ("invalid_filter" or "invalid_query"), typed so that a search over several sites
/// can tell it from other errors (the attribute may be on another site's records).
class UnknownAttributeError : public RequestError {
 public:
  using RequestError::RequestError;
};

/// Every attribute name `f` tests, in order of appearance (repeats included).
void filter_names(const FilterNode& f, std::vector<std::string>& out);

/// The records `f` keeps: a bit per record of `d` (bits past the last record clear). Throws
/// UnknownAttributeError("invalid_filter") for a name no record of the index carries, unless not
/// `strict` (a segment: the name was checked against them all, and is no record's here).
std::vector<std::uint64_t> evaluate_filter(const Index::Data& d, const FilterNode& f, bool strict = true);

/// Throws UnknownAttributeError("invalid_filter"), as evaluate_filter does, for the first name `f` tests
/// that no record of `d` carries (for a backend that runs `f` elsewhere).
void check_filter_names(const Index::Data& d, const FilterNode& f);
/// The same over segments: a name is unknown when none of them has it.
void check_filter_names(std::span<const Index::Data* const> segments, const FilterNode& f);

/// Everything a request filters by, as one expression, and the reader's context it holds.
struct RequestFilter {
  std::optional<FilterNode> filter;  ///< none: every record
  std::vector<Attribute> context;    ///< the values taken from the reader's page
  /// The one `language` the search keeps to ("fr"), when the filters or the context name exactly
  /// one: the query is analysed as records of that language were. Empty otherwise.
  std::string language;
};

/// The query's own `@name:value` tests AND, for each of the site's context_attributes neither
/// names, one of the values the reader's page (request.from_url, found in `d`) has, AND
/// `request.filters`. An `@name:` no record of `d` has throws UnknownAttributeError("invalid_query").
/// Without an index (`d` null) there is no page to read a context from and no name is checked.
RequestFilter request_filter(const Index::Data* d, const SearchRequest& request,
                             const std::vector<QueryAttribute>& in_query);
/// The same over segments: a name is unknown when none has it; the reader's page is found in
/// whichever has it.
RequestFilter request_filter(std::span<const Index::Data* const> segments, const SearchRequest& request,
                             const std::vector<QueryAttribute>& in_query);

/// Sets the request's filter (request_filter) into `s` (Scratch::filter, filtered) and returns
/// what request_filter found (the context values it applied, the language).
RequestFilter set_filter(const Index::Data& d, const SearchRequest& request, const std::vector<QueryAttribute>& in_query,
                         Scratch& s);

}  // namespace siteseek::detail
