#include "siteseek/error.hpp"

namespace siteseek {
namespace {

std::string describe(const std::vector<ConfigIssue>& issues) {
  std::string out = "invalid configuration";
  if (issues.size() == 1) {
    out += ": ";
  } else {
    out += " (" + std::to_string(issues.size()) + " problems):\n  ";
  }
  for (std::size_t i = 0; i < issues.size(); ++i) {
    if (i) out += "\n  ";
    out += (issues[i].path.empty() ? std::string("(root)") : issues[i].path) + ": " + issues[i].message;
  }
  return out;
}

std::string list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out.empty() ? "(none configured)" : out;
}

}  // namespace

Error::Error(std::string code, ErrorFamily family, const std::string& message)
    : std::runtime_error(message), code_(std::move(code)), family_(family) {}

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : Error("invalid_config", ErrorFamily::user, describe(issues)), issues_(std::move(issues)) {}

ConfigError::ConfigError(std::string path, std::string message)
    : ConfigError(std::vector<ConfigIssue>{{std::move(path), std::move(message)}}) {}

RequestError::RequestError(std::string code, const std::string& message)
    : Error(std::move(code), ErrorFamily::user, message) {}

UnknownSiteError::UnknownSiteError(std::string site, std::vector<std::string> known_sites)
    : Error("unknown_site", ErrorFamily::user,
            "unknown site '" + site + "'; valid sites: " + list(known_sites)),
      site_(std::move(site)),
      known_(std::move(known_sites)) {}

AuthError::AuthError(std::string code, const std::string& message)
    : Error(std::move(code), ErrorFamily::user, message) {}

IoError::IoError(const std::string& message) : Error("io_error", ErrorFamily::internal, message) {}

ConflictError::ConflictError(const std::string& message) : Error("conflict", ErrorFamily::user, message) {}

SnapshotError::SnapshotError(const std::string& message)
    : Error("corrupt_snapshot", ErrorFamily::internal, message) {}

}  // namespace siteseek
