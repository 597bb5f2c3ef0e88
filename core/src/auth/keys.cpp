// Keys: their names and times, their records as stored, making one, and the in-memory ring the
// request path verifies against.
#include <algorithm>
#include <array>
#include <ctime>

#include <openssl/crypto.h>

#include <boost/json.hpp>

#include "auth/crypto.hpp"
#include "siteseek/error.hpp"
#include "siteseek/keys.hpp"

namespace siteseek {
namespace {

constexpr std::pair<Action, std::string_view> action_names[] = {
    {Action::search, "search"}, {Action::suggest, "suggest"}, {Action::indexer, "indexer"},
    {Action::sites, "sites"},   {Action::keys, "keys"},       {Action::curation, "curation"},
    {Action::analytics, "analytics"},
    {Action::all, "*"},
};

constexpr std::size_t id_bytes = 8;       // 16 hex digits
constexpr std::size_t secret_bytes = 32;  // 43 base64url characters
constexpr std::string_view token_context = "siteseek scoped token v1";

// Action names of a mask, "*" alone for every action.
std::vector<std::string> names_of(std::uint32_t actions) {
  if (actions == static_cast<std::uint32_t>(Action::all)) return {"*"};
  std::vector<std::string> out;
  for (const auto& [a, name] : action_names) {
    if (a != Action::all && (actions & static_cast<std::uint32_t>(a))) out.emplace_back(name);
  }
  return out;
}

const boost::json::value* member(const boost::json::object& o, std::string_view key) { return o.if_contains(key); }

}  // namespace

std::string_view action_name(Action action) {
  for (const auto& [a, name] : action_names) {
    if (a == action) return name;
  }
  return "?";
}

std::optional<Action> action_from_name(std::string_view name) {
  for (const auto& [a, n] : action_names) {
    if (n == name) return a;
  }
  return std::nullopt;
}

std::string format_utc(KeyClock::time_point t) {
  const std::time_t s = KeyClock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<KeyClock::time_point> parse_utc(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  if (text.size() < 20 || text.size() > 40 || text.back() != 'Z') return std::nullopt;
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  std::tm tm{};
  int year, month, day, hour, minute, second;
  if (!digits(0, 4, year) || text[4] != '-' || !digits(5, 2, month) || text[7] != '-' || !digits(8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !digits(11, 2, hour) || text[13] != ':' || !digits(14, 2, minute) ||
      text[16] != ':' || !digits(17, 2, second)) {
    return std::nullopt;
  }
  if (text.size() > 20) {
    if (text[19] != '.' || text.size() == 21) return std::nullopt;
    for (std::size_t i = 20; i + 1 < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
    }
  }
  // The clock counts nanoseconds in 64 bits: years past 2262 do not fit.
  if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = timegm(&tm);
  if (tm.tm_mday != day) return std::nullopt;  // timegm normalised a day the month lacks (Feb 30)
  return KeyClock::from_time_t(t);
}

boost::json::value key_record_to_json(const KeyRecord& r) {
  boost::json::object o;
  o["id"] = r.id;
  o["description"] = r.description;
  boost::json::array actions;
  for (const auto& a : names_of(r.actions)) actions.emplace_back(a);
  o["actions"] = std::move(actions);
  boost::json::array sites;
  for (const auto& s : r.sites) sites.emplace_back(s);
  o["sites"] = std::move(sites);
  o["expires_at"] = r.expires_at ? boost::json::value(format_utc(*r.expires_at)) : boost::json::value(nullptr);
  o["created_at"] = format_utc(r.created_at);
  o["hash"] = auth::base64url_encode(r.hash);
  o["token_secret"] = auth::base64url_encode(r.token_secret);
  return o;
}

KeyRecord key_record_from_json(const boost::json::value& jv, const std::string& source) {
  const auto* o = jv.if_object();
  if (!o) throw ConfigError(source, "expected a key record (an object)");
  KeyRecord r;
  auto string_at = [&](std::string_view key, bool required) -> std::string {
    const auto* v = member(*o, key);
    if (!v && !required) return {};
    if (!v || !v->is_string()) throw ConfigError(source + "." + std::string(key), "expected a string");
    return std::string(v->get_string());
  };
  auto bytes_at = [&](std::string_view key) {
    auto b = auth::base64url_decode(string_at(key, true));
    if (!b || b->size() != 32) throw ConfigError(source + "." + std::string(key), "expected 32 bytes in base64url");
    return *b;
  };
  auto time_at = [&](std::string_view key) {
    auto t = parse_utc(string_at(key, true));
    if (!t) throw ConfigError(source + "." + std::string(key), "expected a UTC time like 2027-01-01T00:00:00Z");
    return *t;
  };
  r.id = string_at("id", true);
  r.description = string_at("description", false);
  const auto* actions = member(*o, "actions");
  if (!actions || !actions->is_array()) throw ConfigError(source + ".actions", "expected a list of actions");
  for (const auto& a : actions->get_array()) {
    auto action = a.is_string() ? action_from_name(a.get_string()) : std::nullopt;
    if (!action) throw ConfigError(source + ".actions", "unknown action " + boost::json::serialize(a));
    r.actions |= static_cast<std::uint32_t>(*action);
  }
  if (const auto* sites = member(*o, "sites")) {
    if (!sites->is_array()) throw ConfigError(source + ".sites", "expected a list of site names");
    for (const auto& s : sites->get_array()) {
      if (!s.is_string()) throw ConfigError(source + ".sites", "expected a list of site names");
      r.sites.emplace_back(s.get_string());
    }
  }
  if (const auto* e = member(*o, "expires_at"); e && !e->is_null()) r.expires_at = time_at("expires_at");
  r.created_at = time_at("created_at");
  r.hash = bytes_at("hash");
  r.token_secret = bytes_at("token_secret");
  return r;
}

KeySpec key_spec_from_json(const boost::json::value& jv) {
  const auto* o = jv.if_object();
  if (!o) throw ConfigError("", "expected an object with actions, and optionally description, sites, expires_at");
  KeySpec spec;
  std::vector<ConfigIssue> issues;
  auto strings = [&](const boost::json::value& v, const std::string& path, std::vector<std::string>& out) {
    if (!v.is_array()) return issues.push_back({path, "expected a list of strings"});
    for (std::size_t i = 0; i < v.get_array().size(); ++i) {
      const auto& item = v.get_array()[i];
      if (!item.is_string()) issues.push_back({path + "[" + std::to_string(i) + "]", "expected a string"});
      else out.emplace_back(item.get_string());
    }
  };
  for (const auto& kv : *o) {
    const std::string key(kv.key());
    const auto& v = kv.value();
    if (key == "description") {
      if (v.is_string()) spec.description = std::string(v.get_string());
      else issues.push_back({key, "expected a string"});
    } else if (key == "actions") {
      strings(v, key, spec.actions);
    } else if (key == "sites") {
      strings(v, key, spec.sites);
    } else if (key == "expires_at") {
      if (v.is_null()) continue;
      auto t = v.is_string() ? parse_utc(v.get_string()) : std::nullopt;
      if (!t) issues.push_back({key, "expected a UTC time like 2027-01-01T00:00:00Z, or null"});
      else spec.expires_at = t;
    } else {
      issues.push_back({key, "unknown key; expected description, actions, sites or expires_at"});
    }
  }
  if (!o->contains("actions")) issues.push_back({"actions", "required: a list of actions (search, suggest, indexer, sites, keys, curation, *)"});
  if (!issues.empty()) throw ConfigError(std::move(issues));
  return spec;
}

KeyInfo key_info(const KeyRecord& r, KeyClock::time_point now) {
  KeyInfo k;
  k.id = r.id;
  k.masked = "ssk_" + r.id + "_…";
  k.description = r.description;
  k.actions = names_of(r.actions);
  k.sites = r.sites;
  k.expires_at = r.expires_at ? format_utc(*r.expires_at) : "";
  k.created_at = format_utc(r.created_at);
  k.expired = r.expires_at && *r.expires_at <= now;
  return k;
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const KeyInfo& k) {
  boost::json::array actions, sites;
  for (const auto& a : k.actions) actions.emplace_back(a);
  for (const auto& s : k.sites) sites.emplace_back(s);
  jv = boost::json::object{{"id", k.id},
                           {"key", k.masked},
                           {"description", k.description},
                           {"actions", std::move(actions)},
                           {"sites", std::move(sites)},
                           {"expires_at", k.expires_at.empty() ? boost::json::value(nullptr) : boost::json::value(k.expires_at)},
                           {"created_at", k.created_at},
                           {"expired", k.expired}};
}

CreatedKey make_key(const KeySpec& spec, std::string_view pepper, KeyClock::time_point now) {
  KeyRecord r;
  if (spec.actions.empty()) throw ConfigError("actions", "a key needs at least one action (search, suggest, indexer, sites, keys, curation or *)");
  for (std::size_t i = 0; i < spec.actions.size(); ++i) {
    auto a = action_from_name(spec.actions[i]);
    if (!a) {
      throw ConfigError("actions[" + std::to_string(i) + "]", "unknown action \"" + spec.actions[i] +
                                                                   "\"; expected search, suggest, indexer, sites, keys, curation or *");
    }
    r.actions |= static_cast<std::uint32_t>(*a);
  }
  if (spec.expires_at && *spec.expires_at <= now) {
    throw ConfigError("expires_at", "is in the past (" + format_utc(*spec.expires_at) + "; now " + format_utc(now) + ")");
  }
  if (spec.description.size() > 1024) throw ConfigError("description", "expected at most 1024 bytes");
  for (std::size_t i = 0; i < spec.sites.size(); ++i) {
    if (spec.sites[i].empty()) throw ConfigError("sites[" + std::to_string(i) + "]", "expected a site name");
  }
  r.id = auth::hex(auth::random_bytes(id_bytes));
  r.description = spec.description;
  r.sites = spec.sites;
  r.expires_at = spec.expires_at;
  r.created_at = std::chrono::time_point_cast<std::chrono::seconds>(now);
  std::string key = "ssk_" + r.id + "_" + auth::base64url_encode(auth::random_bytes(secret_bytes));
  r.hash = auth::hmac_sha256(pepper, key);
  r.token_secret = auth::hmac_sha256(key, token_context);
  return {std::move(key), std::move(r)};
}

bool Grant::covers(std::string_view site) const {
  if (all_sites) return true;
  for (const auto& s : sites) {
    if (s == site) return true;
  }
  return false;
}

Grant local_grant() {
  Grant g;
  g.key_id = "local";
  g.actions = static_cast<std::uint32_t>(Action::all);
  return g;
}

// --- the ring ---------------------------------------------------------------------------------

namespace {

// Ring generations are unique in the process, so a cached verification can only match the ring
// state it was made under (0: an empty cache slot).
std::atomic<std::uint64_t> last_generation{0};

// A credential this thread verified, under which ring generation, and the grant it got. The
// key is held in memory only, as each request holds it anyway; the store never sees it.
struct Verified {
  std::uint64_t generation = 0;
  std::string credential;
  Grant grant;
};
constexpr std::size_t verified_slots = 16;
using VerifiedCache = std::array<Verified, verified_slots>;
// On the heap: a module loaded with dlopen (the Python one) has little static TLS to spare.
thread_local std::unique_ptr<VerifiedCache> verified;

}  // namespace

KeyRing::KeyRing(std::string pepper)
    : pepper_(std::move(pepper)), keys_(std::make_shared<const Map>()), generation_(++last_generation) {}

void KeyRing::changed(std::size_t size) {
  size_.store(size, std::memory_order_relaxed);
  generation_.store(++last_generation, std::memory_order_release);
}

Grant KeyRing::verify(std::string_view credential, KeyClock::time_point now) const {
  if (!verified) verified = std::make_unique<VerifiedCache>();
  auto& slot = (*verified)[std::hash<std::string_view>{}(credential) % verified_slots];
  const auto generation = generation_.load(std::memory_order_acquire);
  if (slot.generation == generation && slot.credential.size() == credential.size() &&
      CRYPTO_memcmp(slot.credential.data(), credential.data(), credential.size()) == 0 &&
      !(slot.grant.expires_at && *slot.grant.expires_at <= now)) {
    return slot.grant;
  }
  Grant g = credential.starts_with("sst1.") ? verify_token(credential, now) : verify_key(credential, now);
  slot.generation = generation;  // read before the check: a change during it misses next time
  slot.credential.assign(credential);
  slot.grant = g;
  return g;
}

std::shared_ptr<const KeyRing::Map> KeyRing::snapshot() const {
  std::lock_guard lock(mutex_);
  return keys_;
}

void KeyRing::replace(std::vector<KeyRecord> records) {
  auto map = std::make_shared<Map>();
  for (auto& r : records) {
    std::string id = r.id;
    (*map)[std::move(id)] = std::move(r);
  }
  std::lock_guard lock(mutex_);
  keys_ = std::move(map);
  changed(keys_->size());
}

void KeyRing::put(KeyRecord record) {
  std::lock_guard lock(mutex_);
  auto map = std::make_shared<Map>(*keys_);
  std::string id = record.id;
  (*map)[std::move(id)] = std::move(record);
  keys_ = std::move(map);
  changed(keys_->size());
}

bool KeyRing::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (!keys_->count(id)) return false;
  auto map = std::make_shared<Map>(*keys_);
  map->erase(id);
  keys_ = std::move(map);
  changed(keys_->size());
  return true;
}

std::vector<KeyRecord> KeyRing::records() const {
  auto map = snapshot();
  std::vector<KeyRecord> out;
  for (const auto& kv : *map) out.push_back(kv.second);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  return out;
}

std::optional<KeyRecord> KeyRing::find(const std::string& id) const {
  auto map = snapshot();
  auto it = map->find(id);
  if (it == map->end()) return std::nullopt;
  return it->second;
}

bool KeyRing::empty() const { return size_.load(std::memory_order_relaxed) == 0; }

Grant KeyRing::verify_key(std::string_view key, KeyClock::time_point now) const {
  // ssk_<16 hex>_<secret>: the id finds the record, the keyed hash of the whole key proves it.
  if (key.size() < 4 + 2 * id_bytes + 2 || key.size() > 256 || key.substr(0, 4) != "ssk_" || key[4 + 2 * id_bytes] != '_') {
    throw AuthError("unauthorized", "not a siteseek key (expected ssk_<id>_<secret>)");
  }
  const std::string id(key.substr(4, 2 * id_bytes));
  auto map = snapshot();
  auto it = map->find(id);
  // An unknown id costs the same hash as a known one: timing tells nothing of which ids exist.
  const std::string hash = auth::hmac_sha256(pepper_, key);
  if (it == map->end() || !same_secret(hash, it->second.hash)) {
    throw AuthError("unauthorized", "wrong or revoked key");
  }
  const KeyRecord& r = it->second;
  if (r.expires_at && *r.expires_at <= now) {
    throw AuthError("key_expired", "key " + r.id + " expired at " + format_utc(*r.expires_at));
  }
  Grant g;
  g.key_id = r.id;
  g.actions = r.actions;
  g.sites = r.sites;
  g.all_sites = r.sites.empty();
  g.expires_at = r.expires_at;
  return g;
}

}  // namespace siteseek
