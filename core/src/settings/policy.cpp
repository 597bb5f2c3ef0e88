// Request policy (siteseek/policy.hpp).
#include "siteseek/policy.hpp"

#include <algorithm>

#include "siteseek/error.hpp"
#include "siteseek/limits.hpp"

namespace siteseek {
namespace {

std::string_view without_final_slashes(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

void check_length(const AppSettings& settings, const std::string& q) {
  if (q.size() > settings.max_query_length) {
    throw RequestError("query_too_long", "q is " + std::to_string(q.size()) + " bytes; the limit is " +
                                             std::to_string(settings.max_query_length));
  }
}

// Filters and facets within the limits, every facet an attribute name, each asked once (the
// response keys facets by name).
void check_filters_and_facets(SearchRequest& request) {
  if (request.filters.size() > limits::max_filter_length) {
    throw RequestError("invalid_parameter", "filters is " + std::to_string(request.filters.size()) +
                                                " bytes; the limit is " + std::to_string(limits::max_filter_length));
  }
  if (request.facets.size() > limits::max_facets) {
    throw RequestError("invalid_parameter", "facets lists " + std::to_string(request.facets.size()) +
                                                " attributes; the limit is " + std::to_string(limits::max_facets));
  }
  for (auto it = request.facets.begin(); it != request.facets.end();) {
    if (!valid_attribute_name(*it)) {
      throw RequestError("invalid_parameter", "facets: \"" + *it +
                                                  "\" is not an attribute name (1 to 64 of a-z, 0-9, _ and -)");
    }
    it = std::find(request.facets.begin(), it, *it) != it ? request.facets.erase(it) : it + 1;
  }
}

}  // namespace

std::vector<std::string> facet_list(std::string_view comma_separated) {
  std::vector<std::string> names;
  while (!comma_separated.empty()) {
    const auto comma = comma_separated.find(',');
    std::string_view item = comma_separated.substr(0, comma);
    comma_separated.remove_prefix(comma == std::string_view::npos ? comma_separated.size() : comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) names.emplace_back(item);
  }
  return names;
}

std::vector<std::string> site_list(std::string_view site) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = site.find(',');
    std::string name(site.substr(0, comma));
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
    if (comma == std::string_view::npos) break;
    site.remove_prefix(comma + 1);
  }
  return out;
}

SearchRequest default_search_request(const AppSettings& settings) {
  SearchRequest r;
  r.num = settings.default_num;
  return r;
}

std::string resolve_site(const AppSettings& settings, std::string_view given) {
  if (given.empty()) return {};
  for (const auto& s : settings.sites) {
    if (s.name == given) return std::string(given);
  }
  for (const auto& s : settings.sites) {
    if (without_final_slashes(s.url) == without_final_slashes(given)) return s.name;
  }
  return std::string(given);
}

PolicyNotes apply_policy(const AppSettings& settings, SearchRequest& request) {
  PolicyNotes notes;
  check_length(settings, request.q);
  if (request.site.find(',') != std::string::npos) {  // several sites: each name resolved
    std::string sites;
    for (const auto& name : site_list(request.site)) (sites += ',') += resolve_site(settings, name);
    request.site = sites.substr(1);
  } else if (!request.site.empty()) {
    request.site = resolve_site(settings, request.site);
  }
  if (request.num > settings.max_num) {
    request.num = settings.max_num;
    notes.num_clamped = true;
  }
  check_filters_and_facets(request);
  return notes;
}

void apply_policy(const AppSettings& settings, SuggestRequest& request) {
  check_length(settings, request.q);
  if (!request.site.empty()) request.site = resolve_site(settings, request.site);
  request.num = std::min<std::uint32_t>(request.num, limits::max_suggestions);
}

}  // namespace siteseek
