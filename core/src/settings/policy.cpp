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

}  // namespace

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
    for (std::string_view rest = request.site;;) {
      const auto comma = rest.find(',');
      if (!sites.empty()) sites += ',';
      sites += resolve_site(settings, rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    request.site = std::move(sites);
  } else if (!request.site.empty()) {
    request.site = resolve_site(settings, request.site);
  }
  if (request.num > settings.max_num) {
    request.num = settings.max_num;
    notes.num_clamped = true;
  }
  return notes;
}

void apply_policy(const AppSettings& settings, SuggestRequest& request) {
  check_length(settings, request.q);
  if (!request.site.empty()) request.site = resolve_site(settings, request.site);
  request.num = std::min<std::uint32_t>(request.num, limits::max_suggestions);
}

}  // namespace siteseek
