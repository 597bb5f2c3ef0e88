#pragma once
// API keys and scoped search tokens (docs/security.md).
//
// A key is `ssk_<id>_<secret>`: a public id of 16 hex digits (it finds the record without a
// scan) and 32 random bytes in base64url. A store keeps its record: the id, what it may do
// (actions, sites, expiry) and two HMAC-SHA256 values, never the key itself: the key's hash under
// the store's random pepper (to verify it) and the key's token signing secret (to verify the
// scoped tokens minted from it). The settings' api_key is the bootstrap key: id "bootstrap", every
// action, every site.
//
// A scoped token is `sst1.<base64url(JSON params)>.<base64url(HMAC-SHA256(signing secret,
// "sst1." + payload))>`, minted by whoever holds a key with the search action, without asking the
// server; it can only narrow what its key may do (filters ANDed, a subset of sites, a smaller num).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/fwd.hpp>

namespace siteseek {

/// What a key may do. `all` is the action "*": every action (an admin key).
enum class Action : std::uint32_t {
  search = 1,   ///< GET /search (and tokens minted from the key)
  suggest = 2,  ///< GET /suggest
  indexer = 4,  ///< POST /indexer, GET /jobs, GET /jobs/{id}
  sites = 8,    ///< PUT and DELETE /sites/{name}
  keys = 16,    ///< the /keys routes
  curation = 32,   ///< the /sites/{name}/rules routes (siteseek/curation.hpp)
  analytics = 64,  ///< GET /analytics: the search analytics reports (docs/analytics.md)
  all = 127,       ///< "*"
};
/// "search", ..., "*".
std::string_view action_name(Action action);
/// The action of a name; none for an unknown name.
std::optional<Action> action_from_name(std::string_view name);

/// Key and token times: wall-clock (expiries are dates people set).
using KeyClock = std::chrono::system_clock;

/// "2027-01-01T00:00:00Z" (UTC, seconds).
std::string format_utc(KeyClock::time_point t);
/// An RFC 3339 time in UTC ("2027-01-01T00:00:00Z", fractions of a second allowed and dropped);
/// none when `text` is not one.
std::optional<KeyClock::time_point> parse_utc(std::string_view text);

/// What a new key may do (Node::create_key).
struct KeySpec {
  std::string description;
  std::vector<std::string> actions;  ///< action names; at least one
  std::vector<std::string> sites;    ///< site names; empty: every site
  std::optional<KeyClock::time_point> expires_at;  ///< none: never
};

/// A key spec from JSON {"description", "actions", "sites", "expires_at"} (POST /keys): only
/// these keys, actions a list of names, sites a list, expires_at an RFC 3339 UTC time or null.
/// Throws ConfigError naming the key path.
KeySpec key_spec_from_json(const boost::json::value& jv);

/// A key as a store keeps it: no key, only values derived from it.
struct KeyRecord {
  std::string id;
  std::string description;
  std::uint32_t actions = 0;       ///< Action bits
  std::vector<std::string> sites;  ///< empty: every site
  std::optional<KeyClock::time_point> expires_at;
  KeyClock::time_point created_at;
  std::string hash;          ///< HMAC-SHA256(pepper, key), 32 bytes
  std::string token_secret;  ///< HMAC-SHA256(key, "siteseek scoped token v1"), 32 bytes
};
/// The stored JSON of a record (the binary values in base64url), and back; a record that does
/// not read is a ConfigError naming `source` and the key path.
boost::json::value key_record_to_json(const KeyRecord& record);
KeyRecord key_record_from_json(const boost::json::value& jv, const std::string& source);

/// A key as listed (GET /keys, `siteseek keys list`): no secret, no hash.
struct KeyInfo {
  std::string id;
  std::string masked;  ///< "ssk_<id>_…"
  std::string description;
  std::vector<std::string> actions;
  std::vector<std::string> sites;
  std::string expires_at;  ///< format_utc, "" for never
  std::string created_at;
  bool expired = false;
};
KeyInfo key_info(const KeyRecord& record, KeyClock::time_point now);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const KeyInfo& k);

/// A key just made: the key itself (shown once, never stored) and its record.
struct CreatedKey {
  std::string key;
  KeyRecord record;
};
/// A new key for `spec` (actions and expiry checked: ConfigError naming "actions[i]",
/// "expires_at"); its hash under `pepper`. Sites are not checked here (the node knows them).
CreatedKey make_key(const KeySpec& spec, std::string_view pepper, KeyClock::time_point now);
/// 32 random bytes (OpenSSL RAND_bytes): a store's pepper.
std::string random_pepper();

/// Who a request is made as, once its credential verified (Node::authorize).
struct Grant {
  std::string key_id;                ///< "bootstrap", a key's id, "" with no credential
  std::uint32_t actions = 0;         ///< Action bits
  std::vector<std::string> sites;    ///< empty: every site
  bool all_sites = true;             ///< false: only `sites` (possibly none)
  bool token = false;                ///< a scoped token: the fields below narrow each search
  std::string filters;               ///< token: ANDed with the request's filters
  std::uint32_t max_num = 0;         ///< token: num clamped to this (0: no clamp)
  std::optional<KeyClock::time_point> expires_at;  ///< when the key (or token) stops working; none: never
  bool allows(Action action) const { return (actions & static_cast<std::uint32_t>(action)) == static_cast<std::uint32_t>(action); }
  bool covers(std::string_view site) const;
  /// What audit lines name: the key id, or "anonymous".
  std::string actor() const { return key_id.empty() ? "anonymous" : key_id; }
};
/// The grant of a caller that needs no key (the CLI, Python, a C++ program): every action.
Grant local_grant();

/// What a scoped token fixes.
struct TokenScope {
  std::string key_id;                     ///< the parent key's id
  std::string filters;                    ///< a filter expression (docs/filters.md); "" none
  std::vector<std::string> sites;         ///< empty: the parent key's sites
  std::uint32_t max_num = 0;              ///< 0: the server's max_num
  std::optional<std::int64_t> expires_at; ///< Unix seconds; none: while the key lives
};
/// A parsed, not yet verified, token.
struct ScopedToken {
  TokenScope scope;
  std::string signed_part;  ///< "sst1.<payload>": what the signature covers
  std::string signature;    ///< 32 bytes
};
/// Limits of a token (parse_scoped_token refuses more).
inline constexpr std::size_t max_token_length = 4096;
inline constexpr std::size_t max_token_filters = 1024;
inline constexpr std::size_t max_token_sites = 64;

/// A token for `scope` signed with `parent_key`'s signing secret (scope.key_id is taken from the
/// key). Throws ConfigError naming the parameter for a key that is not `ssk_<id>_<secret>` or a
/// scope over the limits.
std::string mint_scoped_token(std::string_view parent_key, TokenScope scope);
/// Split and read a token: "sst1.", base64url JSON of only the keys key, filters, sites,
/// max_num, expires_at with their types, "." and a 32-byte base64url signature, within the
/// limits above. Throws AuthError("unauthorized") saying what is wrong. Checks no signature.
ScopedToken parse_scoped_token(std::string_view token);

/// Every key of a store in memory, by id: what the request path verifies against (a hash and a
/// compare, no store call). Thread-safe; replace() swaps the whole set at once.
class KeyRing {
 public:
  explicit KeyRing(std::string pepper);
  const std::string& pepper() const { return pepper_; }
  void replace(std::vector<KeyRecord> records);
  void put(KeyRecord record);
  bool remove(const std::string& id);
  std::vector<KeyRecord> records() const;
  std::optional<KeyRecord> find(const std::string& id) const;
  bool empty() const;
  /// The grant of a key `ssk_<id>_<secret>`. Throws AuthError "unauthorized" (not a key, unknown
  /// id, revoked, wrong secret) or "key_expired".
  Grant verify_key(std::string_view key, KeyClock::time_point now) const;
  /// The grant of a scoped token: its key's actions limited to search, its sites within the
  /// key's, its filters and max_num. Throws AuthError "unauthorized" (malformed, unknown key,
  /// bad signature, a parent key without the search action) or "key_expired" (the token or its key).
  Grant verify_token(std::string_view token, KeyClock::time_point now) const;
  /// verify_token for "sst1." credentials, verify_key for others; a credential this thread
  /// verified since the ring last changed is answered from a small per-thread cache (no hash;
  /// its expiry checked again), which is what keeps a key's cost off each search.
  Grant verify(std::string_view credential, KeyClock::time_point now) const;

 private:
  using Map = std::unordered_map<std::string, KeyRecord>;
  std::shared_ptr<const Map> snapshot() const;
  void changed(std::size_t size);  // after keys_ changed, under mutex_
  std::string pepper_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Map> keys_;
  std::atomic<std::uint64_t> generation_;  // new on every change, never reused by another ring
  std::atomic<std::size_t> size_{0};
};

/// Whether two secrets are equal, in a time that does not depend on where they differ (their
/// SHA-256 digests compared with CRYPTO_memcmp).
bool same_secret(std::string_view a, std::string_view b);

}  // namespace siteseek
