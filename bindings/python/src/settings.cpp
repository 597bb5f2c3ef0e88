// Settings as Python classes mirroring the C++ structs: one property per key (read from the
// same field list the JSON conversion uses, siteseek/settings_fields.hpp), constructible from
// keyword arguments or a dict, convertible to a dict or JSON, validated with the same messages.
#include <pybind11/stl.h>

#include <boost/json.hpp>

#include "bindings.hpp"
#include "siteseek/settings_fields.hpp"
#include "siteseek/settings.hpp"

namespace py = pybind11;

namespace siteseek::python {
namespace {

using settings_fields::each_field;

template <class T>
boost::json::value to_json_value(const T& s) {
  return boost::json::value_from(s);
}
boost::json::value to_json_value(const AppSettings& s) { return to_json(s, SecretPolicy::include); }

template <class T>
T from_python(const py::handle& obj) {
  // Parse exactly (doubles keep every bit), then read: errors name their key paths. Whole
  // settings and sites are validated too, with the messages the CLI and server give.
  auto jv = parse_json_exact(python_to_json(obj));
  if constexpr (std::is_same_v<T, AppSettings>) return app_settings_from_json(jv);
  else if constexpr (std::is_same_v<T, SiteSettings>) return site_settings_from_json(jv);
  else return boost::json::value_to<T>(jv);
}

template <class T>
py::dict to_dict(const T& s) {
  return json_to_python(boost::json::serialize(to_json_value(s)));
}

template <class T>
void bind_struct(py::module_& m, const char* name, const char* doc) {
  py::class_<T> cls(m, name, doc);
  cls.def(py::init([](py::kwargs kwargs) { return from_python<T>(kwargs); }),
          "Keys as keyword arguments; omitted keys take their defaults. Raises ConfigError.");
  cls.def_static("from_dict", [](const py::dict& d) { return from_python<T>(d); },
                 "From a dict with the JSON keys; raises ConfigError listing every problem.");
  cls.def("to_dict", &to_dict<T>, "The settings as a dict with the JSON keys (secrets included).");
  cls.def("__eq__", [](const T& a, const T& b) { return a == b; });
  cls.def("__repr__", [name](const T& s) {
    std::string text = boost::json::serialize(boost::json::value_from(s));
    return std::string(name) + "(" + text + ")";
  });
  T defaults{};
  each_field(defaults, [&](const char* key, auto& member) {
    using Member = std::remove_reference_t<decltype(member)>;
    std::string k = key;
    auto get = [k](py::object self) -> py::object {
      T& s = self.cast<T&>();
      py::object out;
      each_field(s, [&](const char* n, auto& field) {
        if (k != n) return;
        using F = std::remove_reference_t<decltype(field)>;
        if constexpr (settings_fields::SettingsStruct<F>) {
          out = py::cast(&field, py::return_value_policy::reference_internal, self);  // edits stick
        } else if constexpr (std::is_same_v<F, Secret>) {
          out = py::cast(field.value);
        } else {
          out = py::cast(field);
        }
      });
      return out;
    };
    auto set = [k](T& s, py::object value) {
      each_field(s, [&](const char* n, auto& field) {
        if (k != n) return;
        using F = std::remove_reference_t<decltype(field)>;
        if constexpr (std::is_same_v<F, Secret>) {
          field.value = value.cast<std::string>();
        } else if constexpr (settings_fields::SettingsStruct<F>) {
          field = py::isinstance<py::dict>(value) ? from_python<F>(value) : value.cast<F>();
        } else {
          field = value.cast<F>();
        }
      });
    };
    (void)sizeof(Member);
    cls.def_property(key, get, set);
  });
}

}  // namespace

SiteSettings site_settings_from_python(const py::handle& obj) {
  if (py::isinstance<SiteSettings>(obj)) return obj.cast<SiteSettings>();
  return from_python<SiteSettings>(obj);
}

void init_settings(py::module_& m) {
  bind_struct<FieldWeights>(m, "FieldWeights", "BM25F weight of each indexed field.");
  bind_struct<LandingPage>(m, "LandingPage", "A query whose first result is pinned to a URL.");
  bind_struct<SkipRules>(m, "SkipRules", "Pages that are fetched but not indexed.");
  bind_struct<UrlBoost>(m, "UrlBoost", "A part of the site that scores more or less than the rest.");
  bind_struct<AttributeRule>(m, "AttributeRule", "An attribute the records of a page get from the page's URL (docs/filters.md).");
  bind_struct<Boosts>(m, "Boosts", "Score multipliers on top of BM25F.");
  bind_struct<CrawlLimits>(m, "CrawlLimits", "How hard the crawler may work.");
  bind_struct<SearchOptions>(m, "SearchOptions", "Per-site search behaviour.");
  bind_struct<RateBudget>(m, "RateBudget", "A token bucket: burst requests at once, refilled at per_second.");
  bind_struct<RateLimitSettings>(m, "RateLimitSettings", "Rate limits of the HTTP server (docs/security.md).");
  bind_struct<AnalyticsSettings>(m, "AnalyticsSettings", "The query log and its reports (docs/analytics.md).");
  bind_struct<SiteSettings>(m, "SiteSettings", "One documentation site: where its pages come from, how to search it.");
  bind_struct<TlsSettings>(m, "TlsSettings", "HTTPS in the bundled server: certificate and key files (PEM), oldest protocol.");
  bind_struct<AppSettings>(m, "AppSettings", "The application: server, storage and the list of sites.");

  auto app = py::class_<AppSettings>(m.attr("AppSettings"));
  app.def_static("from_json", [](const std::string& text) { return app_settings_from_json_text(text); },
                 "Parse and validate a JSON document; raises ConfigError with every problem.");
  app.def("to_json", [](const AppSettings& s, bool include_secrets) {
        return boost::json::serialize(to_json(s, include_secrets ? SecretPolicy::include : SecretPolicy::mask));
      }, py::arg("include_secrets") = false, "JSON text; the API key is \"***\" unless include_secrets.");
  app.def("validate", [](const AppSettings& s) { validate(s); }, "Check every value; raises ConfigError.");
  app.def_static("load", [](const std::string& file, const std::map<std::string, std::string>& overrides, bool environment) {
        SettingsSources sources;
        sources.file = file;
        if (environment) sources.environment = current_environment();
        sources.overrides = overrides;
        return load_settings(sources);
      }, py::arg("file") = "", py::arg("overrides") = std::map<std::string, std::string>{}, py::arg("environment") = true,
      "defaults < file < SITESEEK_* environment < overrides (key path -> value), validated.");
  m.def("settings_schema", [] { return json_to_python(boost::json::serialize(settings_schema())); },
        "JSON Schema of AppSettings, with every default.");
}

}  // namespace siteseek::python
