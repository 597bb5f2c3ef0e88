// Scoped search tokens: minted from a key without the server, read with strict limits, verified
// against the key's token signing secret.
#include <openssl/crypto.h>

#include <boost/json.hpp>

#include "auth/crypto.hpp"
#include "siteseek/error.hpp"
#include "siteseek/keys.hpp"

namespace siteseek {
namespace {

constexpr std::string_view prefix = "sst1.";
constexpr std::string_view token_context = "siteseek scoped token v1";
constexpr std::size_t id_length = 16;
constexpr std::uint64_t max_token_num = 1'000'000;

bool is_key_id(std::string_view s) {
  return s.size() == id_length && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

[[noreturn]] void refuse(const std::string& why) { throw AuthError("unauthorized", "invalid scoped token: " + why); }

}  // namespace

std::string mint_scoped_token(std::string_view parent_key, TokenScope scope) {
  if (parent_key.size() < 4 + id_length + 2 || parent_key.substr(0, 4) != "ssk_" || parent_key[4 + id_length] != '_' ||
      !is_key_id(parent_key.substr(4, id_length))) {
    throw ConfigError("parent_key", "expected a key ssk_<id>_<secret> (the bootstrap api_key cannot sign tokens)");
  }
  scope.key_id = std::string(parent_key.substr(4, id_length));
  if (scope.filters.size() > max_token_filters) {
    throw ConfigError("filters", "expected at most " + std::to_string(max_token_filters) + " bytes");
  }
  if (scope.sites.size() > max_token_sites) throw ConfigError("sites", "expected at most " + std::to_string(max_token_sites) + " sites");
  for (std::size_t i = 0; i < scope.sites.size(); ++i) {
    if (scope.sites[i].empty() || scope.sites[i].size() > 128) {
      throw ConfigError("sites[" + std::to_string(i) + "]", "expected a site name");
    }
  }
  if (scope.max_num > max_token_num) throw ConfigError("max_num", "expected at most " + std::to_string(max_token_num));
  boost::json::object params;
  params["key"] = scope.key_id;
  if (!scope.filters.empty()) params["filters"] = scope.filters;
  if (!scope.sites.empty()) {
    boost::json::array sites;
    for (const auto& s : scope.sites) sites.emplace_back(s);
    params["sites"] = std::move(sites);
  }
  if (scope.max_num > 0) params["max_num"] = scope.max_num;
  if (scope.expires_at) params["expires_at"] = *scope.expires_at;
  std::string signed_part = std::string(prefix) + auth::base64url_encode(boost::json::serialize(params));
  if (signed_part.size() + 44 > max_token_length) throw ConfigError("filters", "the token would be over " + std::to_string(max_token_length) + " bytes");
  const std::string signing_key = auth::hmac_sha256(parent_key, token_context);
  return signed_part + "." + auth::base64url_encode(auth::hmac_sha256(signing_key, signed_part));
}

ScopedToken parse_scoped_token(std::string_view token) {
  if (token.size() > max_token_length) refuse("over " + std::to_string(max_token_length) + " bytes");
  if (token.substr(0, prefix.size()) != prefix) refuse("expected sst1.<payload>.<signature>");
  const auto dot = token.find('.', prefix.size());
  if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos) {
    refuse("expected sst1.<payload>.<signature>");
  }
  ScopedToken out;
  out.signed_part = std::string(token.substr(0, dot));
  auto signature = auth::base64url_decode(token.substr(dot + 1));
  if (!signature || signature->size() != 32) refuse("the signature is not 32 bytes of base64url");
  out.signature = std::move(*signature);
  auto payload = auth::base64url_decode(token.substr(prefix.size(), dot - prefix.size()));
  if (!payload) refuse("the payload is not base64url");
  boost::json::parse_options options;
  options.max_depth = 3;  // {"sites": ["a"]}
  boost::system::error_code ec;
  boost::json::value jv = boost::json::parse(*payload, ec, {}, options);
  if (ec) refuse("the payload is not JSON (" + ec.message() + ")");
  const auto* o = jv.if_object();
  if (!o) refuse("the payload is not a JSON object");
  auto& scope = out.scope;
  bool has_key = false;
  for (const auto& kv : *o) {
    const std::string_view name = kv.key();
    const auto& v = kv.value();
    if (name == "key") {
      if (!v.is_string() || !is_key_id(v.get_string())) refuse("key must be a key id (16 hex digits)");
      scope.key_id = std::string(v.get_string());
      has_key = true;
    } else if (name == "filters") {
      if (!v.is_string() || v.get_string().size() > max_token_filters) {
        refuse("filters must be a string of at most " + std::to_string(max_token_filters) + " bytes");
      }
      scope.filters = std::string(v.get_string());
    } else if (name == "sites") {
      if (!v.is_array() || v.get_array().size() > max_token_sites) {
        refuse("sites must be a list of at most " + std::to_string(max_token_sites) + " site names");
      }
      scope.sites.clear();
      for (const auto& s : v.get_array()) {
        if (!s.is_string() || s.get_string().empty() || s.get_string().size() > 128) refuse("sites must be a list of site names");
        scope.sites.emplace_back(s.get_string());
      }
    } else if (name == "max_num") {
      const auto n = v.is_uint64() ? v.get_uint64() : v.is_int64() && v.get_int64() >= 0 ? static_cast<std::uint64_t>(v.get_int64()) : 0;
      if (n == 0 || n > max_token_num) refuse("max_num must be an integer from 1 to " + std::to_string(max_token_num));
      scope.max_num = static_cast<std::uint32_t>(n);
    } else if (name == "expires_at") {
      // Bounded so that it converts to the clock's time without overflow (year 2255).
      if (!v.is_int64() || v.get_int64() < 0 || v.get_int64() > 9'000'000'000) {
        refuse("expires_at must be an integer (Unix seconds, before the year 2255)");
      }
      scope.expires_at = v.get_int64();
    } else {
      refuse("unknown parameter '" + std::string(name.substr(0, 64)) + "'");
    }
  }
  if (!has_key) refuse("the payload names no key");
  return out;
}

Grant KeyRing::verify_token(std::string_view token, KeyClock::time_point now) const {
  ScopedToken t = parse_scoped_token(token);
  auto record = find(t.scope.key_id);
  if (!record) throw AuthError("unauthorized", "invalid scoped token: its key is unknown or revoked");
  const std::string expected = auth::hmac_sha256(record->token_secret, t.signed_part);
  if (CRYPTO_memcmp(expected.data(), t.signature.data(), expected.size()) != 0) {
    throw AuthError("unauthorized", "invalid scoped token: the signature does not match (changed, or signed with another key)");
  }
  if (record->expires_at && *record->expires_at <= now) {
    throw AuthError("key_expired", "the token's key " + record->id + " expired at " + format_utc(*record->expires_at));
  }
  if (t.scope.expires_at && KeyClock::from_time_t(static_cast<std::time_t>(*t.scope.expires_at)) <= now) {
    throw AuthError("key_expired", "the scoped token expired at " +
                                       format_utc(KeyClock::from_time_t(static_cast<std::time_t>(*t.scope.expires_at))));
  }
  if (!(record->actions & static_cast<std::uint32_t>(Action::search))) {
    throw AuthError("forbidden", "the token's key " + record->id + " lacks the action 'search'");
  }
  Grant g;
  g.key_id = record->id;
  g.actions = static_cast<std::uint32_t>(Action::search);
  g.token = true;
  g.filters = std::move(t.scope.filters);
  g.max_num = t.scope.max_num;
  g.expires_at = record->expires_at;
  if (t.scope.expires_at) {
    const auto token_end = KeyClock::from_time_t(static_cast<std::time_t>(*t.scope.expires_at));
    if (!g.expires_at || token_end < *g.expires_at) g.expires_at = token_end;
  }
  // The token's sites within its key's: a token can name fewer sites, never others.
  if (t.scope.sites.empty()) {
    g.sites = record->sites;
    g.all_sites = record->sites.empty();
  } else {
    g.all_sites = false;
    for (auto& s : t.scope.sites) {
      if (record->sites.empty() || std::find(record->sites.begin(), record->sites.end(), s) != record->sites.end()) {
        g.sites.push_back(std::move(s));
      }
    }
  }
  return g;
}

}  // namespace siteseek
