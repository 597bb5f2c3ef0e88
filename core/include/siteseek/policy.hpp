#pragma once
// Request policy: what the settings allow a request to ask, applied in one place for every
// transport (the node applies it to each search and suggest request it is given).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

/// What apply_policy changed that a caller may want to be told.
struct PolicyNotes {
  bool num_clamped = false;  ///< num was above max_num and is now max_num
};

/// A search request carrying the settings' defaults (num = default_num); a transport fills in
/// what its caller gave.
SearchRequest default_search_request(const AppSettings& settings);

/// The configured site that `given` names: its name, or its URL with or without the final slash
/// (the first service named sites by URL). Empty and unknown names come back as they are: empty
/// means the default site, an unknown name is reported with the valid ones when searched.
std::string resolve_site(const AppSettings& settings, std::string_view given);

/// Facet names from a comma-separated list ("version,area"), as HTTP's `facets=` and the stdin
/// transport's string form give them: spaces around a name and empty items are dropped. Names
/// are checked by apply_policy.
std::vector<std::string> facet_list(std::string_view comma_separated);

/// The site names of a request's `site` ("a,b" -> {a, b}; a name given twice is listed once,
/// an empty one is kept, for the search to refuse); one name (or none) for a one-site request.
std::vector<std::string> site_list(std::string_view site);

/// Check and normalise a search request: the query at most max_query_length bytes (else
/// RequestError "query_too_long"), the site resolved, num at most max_num; filters at most
/// limits::max_filter_length bytes, at most limits::max_facets facets, each an attribute name
/// (else RequestError "invalid_parameter" naming the parameter), a name asked twice counted once.
PolicyNotes apply_policy(const AppSettings& settings, SearchRequest& request);
/// The same for completions: query length, site, num at most limits::max_suggestions.
void apply_policy(const AppSettings& settings, SuggestRequest& request);

}  // namespace siteseek
