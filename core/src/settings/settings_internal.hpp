#pragma once
// Pieces shared by the settings sources (JSON reading, validation, loading).
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "siteseek/settings.hpp"

namespace siteseek::settings_fields {

using Issues = std::vector<ConfigIssue>;

/// "a string", "an integer", ... for messages.
std::string kind_of(const boost::json::value& v);
std::string join_path(const std::string& path, std::string_view key);
std::string index_path(const std::string& path, std::size_t i);

/// Read an AppSettings, appending every problem to issues (no validation of values).
AppSettings read_app(const boost::json::value& v, Issues& issues);
/// A site's JSON (used to type override values under sites[N]).
boost::json::value write_site(const SiteSettings& s);
/// Check one site's values; `path` is its key path ("sites[1]").
void validate_site(const SiteSettings& site, const std::string& path, Issues& issues);
/// Parse JSON text; a syntax error is a ConfigError naming `source`, line and column.
boost::json::value parse_json_text(const std::string& text, const std::string& source);

}  // namespace siteseek::settings_fields
