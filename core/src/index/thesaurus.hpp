#pragma once
// Words readers and documentation use for the same thing in software (English): "folder" and
// "directory", "biggest" and "largest", "pause" and "sleep". A group is a set of such words; a
// query word the site rarely uses is expanded by the others of its groups that the site uses
// much more, at a lower weight than the word (search/plan.cpp): the site's own text decides when
// and which way a group is read.
#include <span>
#include <string_view>
#include <vector>

namespace siteseek::detail {

/// The groups, single words each, as written (Index::Data::thesaurus: as an analyzer reads them).
std::span<const std::vector<std::string_view>> thesaurus_groups();

}  // namespace siteseek::detail
