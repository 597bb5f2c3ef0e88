#pragma once
// siteseek's errors. Two families: user errors (bad query, bad configuration, unknown site: the
// caller can fix them) and internal errors (I/O, corrupt data). Every error has a stable
// snake_case code that transports map to their own status (HTTP status, exit code, Python class).
#include <stdexcept>
#include <string>
#include <vector>

namespace siteseek {

/// Who can fix the error: the caller (user) or the operator/the program (internal).
enum class ErrorFamily { user, internal };

/// Base of every exception siteseek throws on purpose.
class Error : public std::runtime_error {
 public:
  Error(std::string code, ErrorFamily family, const std::string& message);
  /// Stable snake_case code, e.g. "invalid_config", "unknown_site", "corrupt_snapshot".
  const std::string& code() const noexcept { return code_; }
  ErrorFamily family() const noexcept { return family_; }

 private:
  std::string code_;
  ErrorFamily family_;
};

/// One problem in a configuration: the full key path ("sites[1].synonyms[0]") and what was expected.
struct ConfigIssue {
  std::string path;
  std::string message;
  bool operator==(const ConfigIssue&) const = default;
};

/// A configuration that cannot be used; lists every problem found, not just the first.
/// code: "invalid_config".
class ConfigError : public Error {
 public:
  explicit ConfigError(std::vector<ConfigIssue> issues);
  /// One problem at one key path.
  ConfigError(std::string path, std::string message);
  const std::vector<ConfigIssue>& issues() const noexcept { return issues_; }

 private:
  std::vector<ConfigIssue> issues_;
};

/// A request the engine cannot answer as asked (code "invalid_query", "invalid_parameter", ...).
class RequestError : public Error {
 public:
  RequestError(std::string code, const std::string& message);
};

/// A site name that is not configured (code "unknown_site"); carries the valid names.
class UnknownSiteError : public Error {
 public:
  UnknownSiteError(std::string site, std::vector<std::string> known_sites);
  const std::string& site() const noexcept { return site_; }
  const std::vector<std::string>& known_sites() const noexcept { return known_; }

 private:
  std::string site_;
  std::vector<std::string> known_;
};

/// A request whose credential is missing, wrong, expired or too narrow (siteseek/keys.hpp):
/// code "unauthorized" (no key, a wrong or revoked key, a token that does not verify),
/// "key_expired", "forbidden" (the key lacks the action or a site; the message names which) or
/// "admin_disabled" (admin routes asked for while no api_key is configured and no key exists).
class AuthError : public Error {
 public:
  AuthError(std::string code, const std::string& message);
};

/// A file or network operation that failed (code "io_error"); message names the path or URL.
class IoError : public Error {
 public:
  explicit IoError(const std::string& message);
};

/// A change made on top of a stored index that another process or node has replaced since
/// (code "conflict"): nothing was kept; read the stored index again and make the change on it.
class ConflictError : public Error {
 public:
  explicit ConflictError(const std::string& message);
};

/// A snapshot that is truncated, corrupt or of an unknown version (code "corrupt_snapshot").
class SnapshotError : public Error {
 public:
  explicit SnapshotError(const std::string& message);
};

}  // namespace siteseek
