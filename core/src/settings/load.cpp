// Where settings come from: defaults < JSON file < SITESEEK_* environment < flags. Every source
// is merged into one JSON document first, then read and validated once, so each error names the
// key path (and the source, for environment variables and flags).
#include <algorithm>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "settings/settings_internal.hpp"

extern char** environ;

namespace siteseek {
namespace json = boost::json;
using settings_fields::Issues;

std::vector<std::string> SiteSettings::default_stop_words() {
  // A short English list: function words that carry no meaning in a docs query. Kept short on
  // purpose, since stop words stay searchable (they only become optional in queries). The
  // contractions frame a reader's question ("why can't I ...", "why doesn't ..."): the answer
  // rarely uses the same one.
  return {"a",    "an",   "and",  "are", "as",   "at",   "be",   "but",  "by",   "for",  "from",
          "how",  "i",    "in",   "into", "is",  "it",   "its",  "of",   "on",   "or",   "so",
          "that", "the",  "their", "then", "there", "these", "this", "to", "was", "what", "when",
          "where", "which", "who", "why", "will", "with", "can",  "do",   "does", "my",   "we",
          "you",  "your", "can't", "don't", "doesn't", "isn't", "won't", "didn't", "aren't", "i'm", "i've"};
}

AppSettings with_site(AppSettings settings, SiteSettings site) {
  auto it = std::find_if(settings.sites.begin(), settings.sites.end(), [&](const auto& s) { return s.name == site.name; });
  if (it == settings.sites.end()) settings.sites.push_back(std::move(site));
  else *it = std::move(site);
  return settings;
}

AppSettings without_site(AppSettings settings, const std::string& name) {
  const auto removed = std::erase_if(settings.sites, [&](const auto& s) { return s.name == name; });
  if (removed == 0) {
    std::vector<std::string> known;
    for (const auto& s : settings.sites) known.push_back(s.name);
    throw UnknownSiteError(name, std::move(known));
  }
  if (settings.default_site == name) settings.default_site.clear();
  return settings;
}

const SiteSettings& AppSettings::site(const std::string& name) const {
  const std::string& wanted = name.empty() ? (default_site.empty() && !sites.empty() ? sites.front().name : default_site)
                                           : name;
  for (const auto& s : sites) {
    if (s.name == wanted) return s;
  }
  std::vector<std::string> known;
  for (const auto& s : sites) known.push_back(s.name);
  throw UnknownSiteError(wanted, std::move(known));
}


namespace {

struct EnvKey {
  const char* variable;
  const char* path;
};
constexpr EnvKey env_keys[] = {
    {"SITESEEK_HOST", "host"},
    {"SITESEEK_PORT", "port"},
    {"SITESEEK_THREADS", "threads"},
    {"SITESEEK_API_KEY", "api_key"},
    {"SITESEEK_CORS_ORIGINS", "cors_origins"},
    {"SITESEEK_DATA_DIR", "data_dir"},
    {"SITESEEK_STORAGE", "storage"},
    {"SITESEEK_REDIS_URL", "redis_url"},
    {"SITESEEK_BACKEND", "backend"},
    {"SITESEEK_DEFAULT_SITE", "default_site"},
    {"SITESEEK_MAX_QUERY_LENGTH", "max_query_length"},
    {"SITESEEK_MAX_NUM", "max_num"},
    {"SITESEEK_DEFAULT_NUM", "default_num"},
    {"SITESEEK_RESULT_CACHE_MB", "result_cache_mb"},
    {"SITESEEK_LOG_LEVEL", "log_level"},
};

// One step of a key path: an object key or an array index.
struct Step {
  std::string key;
  long index = -1;
};

std::vector<Step> split_path(const std::string& path) {
  std::vector<Step> steps;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      auto close = path.find(']', i);
      if (close == std::string::npos) throw std::invalid_argument("unclosed '['");
      auto digits = path.substr(i + 1, close - i - 1);
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 6) {
        throw std::invalid_argument("expected an index like [0]");
      }
      steps.push_back({{}, std::stol(digits)});
      i = close + 1;
      continue;
    }
    auto end = path.find_first_of(".[", i);
    if (end == std::string::npos) end = path.size();
    steps.push_back({path.substr(i, end - i), -1});
    i = end;
  }
  if (steps.empty()) throw std::invalid_argument("empty key path");
  return steps;
}

// The value a key path holds in a document of defaults: tells an override's type.
const json::value* find_default(const json::value& defaults, const json::value& site_defaults,
                                const std::vector<Step>& steps) {
  const json::value* at = &defaults;
  for (const auto& step : steps) {
    if (step.index >= 0) {
      const auto* a = at->if_array();
      if (!a) return nullptr;
      // Array elements: sites take a default site; other arrays take their element type.
      if (&steps.front() != &step && steps[0].key == "sites" && at == defaults.as_object().if_contains("sites")) {
        at = &site_defaults;
      } else if (!a->empty()) {
        at = &(*a)[0];
      } else {
        return nullptr;
      }
      continue;
    }
    const auto* o = at->if_object();
    if (!o) return nullptr;
    at = o->if_contains(step.key);
    if (!at) return nullptr;
  }
  return at;
}

// Turn an override's text into JSON of the type its key expects.
json::value typed_value(const std::string& text, const json::value* expected) {
  if (expected && expected->is_string()) return json::string(text);
  if (expected && expected->is_array() && (text.empty() || text.front() != '[')) {
    json::array a;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
      auto b = item.find_first_not_of(" \t");
      auto e = item.find_last_not_of(" \t");
      if (b != std::string::npos) a.push_back(json::string(item.substr(b, e - b + 1)));
    }
    return a;
  }
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) return json::string(text);  // reported as a type error with the key path
  return v;
}

// Set doc[path] = value, creating objects and array slots on the way.
void set_path(json::value& doc, const std::vector<Step>& steps, json::value value) {
  json::value* at = &doc;
  for (const auto& step : steps) {
    if (step.index >= 0) {
      if (!at->is_array()) *at = json::array();
      auto& a = at->as_array();
      while (a.size() <= static_cast<std::size_t>(step.index)) a.push_back(json::object());
      at = &a[step.index];
    } else {
      if (!at->is_object()) *at = json::object();
      at = &at->as_object()[step.key];
    }
  }
  *at = std::move(value);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError({{"", "cannot read the settings file " + path}});
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (entry.rfind("SITESEEK_", 0) != 0) continue;
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

AppSettings load_settings(const SettingsSources& sources) {
  json::value doc = json::object();
  if (!sources.file.empty()) {
    doc = settings_fields::parse_json_text(read_file(sources.file), "settings file " + sources.file);
    if (!doc.is_object()) {
      throw ConfigError({{"", "settings file " + sources.file + ": expected a JSON object, got " +
                                  settings_fields::kind_of(doc)}});
    }
  }
  const json::value defaults = to_json(AppSettings{}, SecretPolicy::include);
  SiteSettings site_default;
  const json::value site_defaults = settings_fields::write_site(site_default);

  Issues issues;
  std::map<std::string, std::string> origin;  // key path -> where its value came from
  auto apply = [&](const std::string& path, const std::string& text, const std::string& source) {
    try {
      auto steps = split_path(path);
      set_path(doc, steps, typed_value(text, find_default(defaults, site_defaults, steps)));
      origin[path] = source;
    } catch (const std::invalid_argument& e) {
      issues.push_back({path, source + ": invalid key path: " + e.what()});
    }
  };
  for (const auto& [name, value] : sources.environment) {
    const EnvKey* key = nullptr;
    for (const auto& k : env_keys) {
      if (name == k.variable) key = &k;
    }
    if (!key) {
      std::string known;
      for (const auto& k : env_keys) known += (known.empty() ? "" : ", ") + std::string(k.variable);
      issues.push_back({"", "environment variable " + name + " is not a siteseek setting (known: " + known + ")"});
      continue;
    }
    apply(key->path, value, "environment " + name);
  }
  for (const auto& [path, value] : sources.overrides) apply(path, value, "command-line flag");
  if (!issues.empty()) throw ConfigError(std::move(issues));

  try {
    Issues read_issues;
    AppSettings s = settings_fields::read_app(doc, read_issues);
    if (!read_issues.empty()) throw ConfigError(std::move(read_issues));
    validate(s);
    return s;
  } catch (const ConfigError& e) {
    // Say where each offending value came from.
    auto named = e.issues();
    for (auto& issue : named) {
      auto it = origin.find(issue.path);
      if (it != origin.end()) {
        issue.message = "(from " + it->second + ") " + issue.message;
      } else if (!sources.file.empty()) {
        issue.message = "(in " + sources.file + ") " + issue.message;
      }
    }
    throw ConfigError(std::move(named));
  }
}

}  // namespace siteseek
