#pragma once
// Exit codes, and the one table that maps error codes to them. docs/errors.md lists every code
// once; tests/unit/errors checks that it and this table agree.
#include <string_view>

namespace siteseek::cli {

/// Exit codes (docs/cli.md): 0 ok, 1 runtime failure, 2 usage or configuration error.
enum Exit { ok = 0, failure = 1, usage = 2 };

struct ExitOf {
  std::string_view code;
  Exit exit;
};

inline constexpr ExitOf exit_table[] = {
    {"invalid_config", usage},       {"unknown_site", usage},   {"invalid_query", failure},
    {"invalid_filter", failure},     {"invalid_document", failure}, {"not_supported", failure}, {"conflict", failure},
    {"invalid_parameter", failure},  {"unsupported_parameter", failure},
    {"query_too_long", failure},     {"no_index", failure},
    {"io_error", failure},           {"corrupt_snapshot", failure}, {"redis_unavailable", failure},
    {"redis_error", failure},
};

/// The exit code of a command that ended with this error code; a code not in the table (and any
/// other exception) is a runtime failure.
constexpr Exit exit_code_for(std::string_view code) {
  for (const auto& e : exit_table) {
    if (e.code == code) return e.exit;
  }
  return failure;
}

}  // namespace siteseek::cli
