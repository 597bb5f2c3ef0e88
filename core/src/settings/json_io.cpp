// Settings <-> Boost.JSON. Reading collects every problem with its full key path instead of
// stopping at the first, so a user fixes a config in one pass.
#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/json.hpp>

#include "siteseek/settings_fields.hpp"
#include "settings/settings_internal.hpp"

namespace siteseek {
namespace json = boost::json;
using namespace settings_fields;

namespace settings_fields {

std::string kind_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

std::string join_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index_path(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

// --- reading --------------------------------------------------------------------------------

void read_value(const json::value& v, const std::string& path, std::string& out, Issues& issues) {
  if (const auto* s = v.if_string()) {
    out.assign(s->data(), s->size());
  } else {
    issues.push_back({path, "expected a string, got " + kind_of(v)});
  }
}

void read_value(const json::value& v, const std::string& path, bool& out, Issues& issues) {
  if (const auto* b = v.if_bool()) {
    out = *b;
  } else {
    issues.push_back({path, "expected true or false, got " + kind_of(v)});
  }
}

template <class Int>
  requires std::is_integral_v<Int>
void read_value(const json::value& v, const std::string& path, Int& out, Issues& issues) {
  const auto max = std::numeric_limits<Int>::max();
  auto range = [&] { return "expected an integer from 0 to " + std::to_string(max); };
  if (const auto* i = v.if_int64()) {
    if (*i < 0 || static_cast<std::uint64_t>(*i) > max) {
      issues.push_back({path, range() + ", got " + std::to_string(*i)});
    } else {
      out = static_cast<Int>(*i);
    }
  } else if (const auto* u = v.if_uint64()) {
    if (*u > max) {
      issues.push_back({path, range() + ", got " + std::to_string(*u)});
    } else {
      out = static_cast<Int>(*u);
    }
  } else {
    issues.push_back({path, range() + ", got " + kind_of(v)});
  }
}

void read_value(const json::value& v, const std::string& path, double& out, Issues& issues) {
  if (const auto* d = v.if_double()) {
    out = *d;
  } else if (const auto* i = v.if_int64()) {
    out = static_cast<double>(*i);
  } else if (const auto* u = v.if_uint64()) {
    out = static_cast<double>(*u);
  } else {
    issues.push_back({path, "expected a number, got " + kind_of(v)});
  }
}

void read_value(const json::value& v, const std::string& path, Secret& out, Issues& issues) {
  if (const auto* s = v.if_string()) {
    if (*s == "***") {
      issues.push_back({path, "the masked value \"***\" cannot be used as a key (this looks like printed settings; "
                              "give the real key, or set SITESEEK_API_KEY)"});
    } else {
      out.value.assign(s->data(), s->size());
    }
  } else {
    issues.push_back({path, "expected a string, got " + kind_of(v)});
  }
}

template <SettingsStruct T>
void read_value(const json::value& v, const std::string& path, T& out, Issues& issues);

template <class T>
void read_value(const json::value& v, const std::string& path, std::vector<T>& out, Issues& issues);

template <class T>
const char* element_name() {
  if constexpr (std::is_same_v<T, std::string>) return "an array of strings";
  else if constexpr (std::is_same_v<T, std::vector<std::string>>) return "an array of arrays of strings";
  else return "an array of objects";
}

template <class T>
void read_value(const json::value& v, const std::string& path, std::vector<T>& out, Issues& issues) {
  const auto* a = v.if_array();
  if (!a) {
    issues.push_back({path, std::string("expected ") + element_name<T>() + ", got " + kind_of(v)});
    return;
  }
  std::vector<T> result;
  result.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    T element{};
    auto before = issues.size();
    read_value((*a)[i], index_path(path, i), element, issues);
    // Name the array's expectation on a wrong element type, as users read "an array of strings".
    if (issues.size() == before + 1 && issues.back().message.rfind("expected a string, got", 0) == 0 &&
        std::is_same_v<T, std::string>) {
      issues.back().message = std::string("expected ") + element_name<T>() + ", got " + kind_of((*a)[i]);
    }
    result.push_back(std::move(element));
  }
  out = std::move(result);
}

template <SettingsStruct T>
void read_value(const json::value& v, const std::string& path, T& out, Issues& issues) {
  const auto* o = v.if_object();
  if (!o) {
    issues.push_back({path, "expected an object, got " + kind_of(v)});
    return;
  }
  std::vector<std::string_view> known;
  each_field(out, [&](std::string_view key, auto& member) {
    known.push_back(key);
    if (const auto* field = o->if_contains(key)) read_value(*field, join_path(path, key), member, issues);
  });
  for (const auto& kv : *o) {
    std::string_view key = kv.key();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string message = "unknown key";
    std::string_view best;
    std::size_t best_distance = 3;
    for (auto k : known) {
      auto d = edit_distance(key, k);
      if (d < best_distance) best_distance = d, best = k;
    }
    if (!best.empty()) message += "; did you mean '" + std::string(best) + "'?";
    issues.push_back({join_path(path, key), message});
  }
}

// --- writing --------------------------------------------------------------------------------

json::value write_value(const std::string& s, SecretPolicy) { return json::string(s); }
json::value write_value(bool b, SecretPolicy) { return b; }
json::value write_value(double d, SecretPolicy) {
  // Whole numbers print as integers ("10", not "1E1"); reading accepts both, so nothing is lost.
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0 && !(d == 0 && std::signbit(d))) {
    return static_cast<std::int64_t>(d);
  }
  return d;
}
template <class Int>
  requires std::is_integral_v<Int>
json::value write_value(Int i, SecretPolicy) {
  return static_cast<std::uint64_t>(i);
}
json::value write_value(const Secret& s, SecretPolicy policy) {
  if (s.empty()) return json::string();
  return json::string(policy == SecretPolicy::include ? s.value : "***");
}
template <SettingsStruct T>
json::value write_value(const T& s, SecretPolicy policy);
template <class T>
json::value write_value(const std::vector<T>& v, SecretPolicy policy) {
  json::array a;
  a.reserve(v.size());
  for (const auto& e : v) a.push_back(write_value(e, policy));
  return a;
}
template <SettingsStruct T>
json::value write_value(const T& s, SecretPolicy policy) {
  json::object o;
  each_field(s, [&](std::string_view key, const auto& member) { o[key] = write_value(member, policy); });
  return o;
}

// --- schema ---------------------------------------------------------------------------------

json::value schema_of(const std::string&) { return {{"type", "string"}}; }
json::value schema_of(const Secret&) { return {{"type", "string"}, {"writeOnly", true}}; }
json::value schema_of(bool) { return {{"type", "boolean"}}; }
json::value schema_of(double) { return {{"type", "number"}}; }
template <class Int>
  requires std::is_integral_v<Int>
json::value schema_of(Int) {
  return {{"type", "integer"}, {"minimum", 0}, {"maximum", static_cast<std::uint64_t>(std::numeric_limits<Int>::max())}};
}
template <SettingsStruct T>
json::value schema_of(const T& s);
template <class T>
json::value schema_of(const std::vector<T>&) {
  return {{"type", "array"}, {"items", schema_of(T{})}};
}
template <SettingsStruct T>
json::value schema_of(const T& s) {
  json::object props;
  each_field(s, [&](std::string_view key, const auto& member) {
    auto p = schema_of(member).as_object();
    p["default"] = write_value(member, SecretPolicy::mask);
    props[key] = std::move(p);
  });
  return {{"type", "object"}, {"additionalProperties", false}, {"properties", std::move(props)}};
}

template <class T>
T read_root(const json::value& v, const std::string& path = {}) {
  Issues issues;
  T out{};
  read_value(v, path, out, issues);
  if (!issues.empty()) throw ConfigError(std::move(issues));
  return out;
}

}  // namespace

AppSettings read_app(const json::value& v, Issues& issues) {
  AppSettings out;
  read_value(v, "", out, issues);
  return out;
}

json::value write_site(const SiteSettings& s) { return write_value(s, SecretPolicy::mask); }

}  // namespace settings_fields

#define SITESEEK_SETTINGS_CONVERSIONS(T)                                                      \
  void tag_invoke(const json::value_from_tag&, json::value& jv, const T& s) {                 \
    jv = settings_fields::write_value(s, SecretPolicy::mask);                                \
  }                                                                                           \
  T tag_invoke(const json::value_to_tag<T>&, const json::value& jv) { return settings_fields::read_root<T>(jv); }

SITESEEK_SETTINGS_CONVERSIONS(Secret)
SITESEEK_SETTINGS_CONVERSIONS(FieldWeights)
SITESEEK_SETTINGS_CONVERSIONS(LandingPage)
SITESEEK_SETTINGS_CONVERSIONS(SkipRules)
SITESEEK_SETTINGS_CONVERSIONS(UrlBoost)
SITESEEK_SETTINGS_CONVERSIONS(AttributeRule)
SITESEEK_SETTINGS_CONVERSIONS(Boosts)
SITESEEK_SETTINGS_CONVERSIONS(CrawlLimits)
SITESEEK_SETTINGS_CONVERSIONS(SearchOptions)
SITESEEK_SETTINGS_CONVERSIONS(SiteSettings)
SITESEEK_SETTINGS_CONVERSIONS(RateBudget)
SITESEEK_SETTINGS_CONVERSIONS(RateLimitSettings)
SITESEEK_SETTINGS_CONVERSIONS(AnalyticsSettings)
SITESEEK_SETTINGS_CONVERSIONS(TlsSettings)
SITESEEK_SETTINGS_CONVERSIONS(AppSettings)
#undef SITESEEK_SETTINGS_CONVERSIONS

json::value to_json(const AppSettings& s, SecretPolicy secrets) { return settings_fields::write_value(s, secrets); }

AppSettings app_settings_from_json(const json::value& jv) {
  Issues issues;
  AppSettings s = settings_fields::read_app(jv, issues);
  if (!issues.empty()) throw ConfigError(std::move(issues));
  validate(s);
  return s;
}

SiteSettings site_settings_from_json(const json::value& jv) {
  auto site = settings_fields::read_root<SiteSettings>(jv);
  Issues issues;
  settings_fields::validate_site(site, "", issues);
  if (!issues.empty()) throw ConfigError(std::move(issues));
  return site;
}

AppSettings app_settings_from_json_text(const std::string& text) {
  return app_settings_from_json(settings_fields::parse_json_text(text, ""));
}

json::value settings_schema() {
  json::value schema = settings_fields::schema_of(AppSettings{});
  auto& o = schema.as_object();
  o["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  o["title"] = "siteseek settings";
  // Site entries: the defaults of a site without name and url.
  o["properties"].as_object()["sites"].as_object()["items"] = settings_fields::schema_of(SiteSettings{});
  o["properties"].as_object()["sites"].as_object()["items"].as_object()["required"] = json::array{"name", "url"};
  return schema;
}

}  // namespace siteseek
