#pragma once
// Error codes -> HTTP statuses: the one place where core and transport errors meet HTTP.
// docs/errors.md lists every code once; tests/unit/errors checks that it and this table agree.
#include <string_view>

namespace siteseek::http {

struct StatusOf {
  std::string_view code;
  unsigned status;
};

inline constexpr StatusOf status_table[] = {
    {"missing_parameter", 400}, {"invalid_parameter", 400}, {"unsupported_parameter", 400},
    {"invalid_query", 400},     {"invalid_filter", 400},     {"unknown_site", 400},
    {"bad_request", 400},       {"invalid_config", 400},    {"invalid_document", 400},    {"unauthorized", 401},  {"key_expired", 401},
    {"forbidden", 403},         {"admin_disabled", 403},
    {"origin_not_allowed", 403}, {"not_found", 404},        {"method_not_allowed", 405}, {"not_supported", 409}, {"conflict", 409},
    {"payload_too_large", 413}, {"uri_too_long", 414},      {"query_too_long", 414},
    {"rate_limited", 429},      {"header_too_large", 431},  {"io_error", 500},          {"corrupt_snapshot", 500}, {"internal_error", 500},
    {"redis_error", 502},       {"unavailable", 503},       {"no_index", 503},      {"redis_unavailable", 503},
};

/// The status of an error code; a code not in the table is an internal error (500).
constexpr unsigned status_for(std::string_view code) {
  for (const auto& e : status_table) {
    if (e.code == code) return e.status;
  }
  return 500;
}

}  // namespace siteseek::http
