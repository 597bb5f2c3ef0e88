#pragma once
// Error codes -> Python exception classes: the one table module.cpp's translator raises from.
// docs/errors.md lists every code once; tests/unit/errors checks that it and this table agree.
#include <string_view>

namespace siteseek::python {

struct ClassOf {
  std::string_view code;
  std::string_view exception;  ///< a class of the _siteseek module
};

inline constexpr ClassOf error_classes[] = {
    {"invalid_config", "ConfigError"},
    {"unknown_site", "UnknownSiteError"},
    {"invalid_query", "QueryError"},
    {"invalid_filter", "QueryError"},
    {"invalid_parameter", "QueryError"},
    {"unsupported_parameter", "QueryError"},
    {"query_too_long", "QueryError"},
    {"invalid_document", "QueryError"},
    {"no_index", "QueryError"},
    {"corrupt_snapshot", "SnapshotError"},
    {"io_error", "IoError"},
    {"redis_unavailable", "RedisError"},
    {"redis_error", "RedisError"},
};

/// The class an error code raises; the base class Error for a code not in the table.
constexpr std::string_view exception_class_for(std::string_view code) {
  for (const auto& e : error_classes) {
    if (e.code == code) return e.exception;
  }
  return "Error";
}

}  // namespace siteseek::python
