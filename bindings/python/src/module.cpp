// The _siteseek extension: errors, settings and the engine. The pure-Python package `siteseek`
// re-exports it with documentation and type stubs.
#include <pybind11/stl.h>

#include <string_view>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "error_classes.hpp"
#include "siteseek/error.hpp"
#include "siteseek/version.hpp"

namespace py = pybind11;

namespace siteseek::python {

py::object json_to_python(const std::string& text) { return py::module_::import("json").attr("loads")(text); }

std::string python_to_json(const py::handle& obj) {
  return py::module_::import("json").attr("dumps")(obj).cast<std::string>();
}

void init_errors(py::module_& m) {
  static py::exception<Error> error(m, "Error");
  error.doc() = "Base of siteseek's errors; .code is a stable snake_case code.";
  struct Subclass {
    const char* name;
    const char* doc;
  };
  static constexpr Subclass subclasses[] = {
      {"ConfigError", "Invalid settings; .issues lists (key path, message) pairs, all of them."},
      {"QueryError", "A request the engine cannot answer as asked (bad query or parameter)."},
      {"UnknownSiteError", "A site name that is not configured; .known_sites lists the valid ones."},
      {"SnapshotError", "A truncated, corrupt or unknown-version snapshot file."},
      {"IoError", "A file or network operation failed; the message names the path or URL."},
      {"RedisError", "Redis is unreachable or timed out (code redis_unavailable) or answered an error (redis_error)."},
  };
  // The classes by name (the module holds them), for the translator's error_classes lookups.
  static std::vector<std::pair<std::string_view, py::handle>> classes{{"Error", error}};
  for (const auto& s : subclasses) {
    py::exception<Error> cls(m, s.name, error.ptr());
    cls.doc() = s.doc;
    classes.emplace_back(s.name, cls);
  }

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      const std::string_view name = exception_class_for(e.code());
      py::handle type = classes.front().second;
      for (const auto& [n, cls] : classes) {
        if (n == name) type = cls;
      }
      py::object instance = py::reinterpret_borrow<py::object>(type)(e.what());
      instance.attr("code") = e.code();
      if (const auto* config = dynamic_cast<const ConfigError*>(&e)) {
        py::list issues;
        for (const auto& i : config->issues()) issues.append(py::make_tuple(i.path, i.message));
        instance.attr("issues") = issues;
      }
      if (const auto* unknown = dynamic_cast<const UnknownSiteError*>(&e)) {
        instance.attr("known_sites") = py::cast(unknown->known_sites());
      }
      PyErr_SetObject(type.ptr(), instance.ptr());
    }
  });
}

}  // namespace siteseek::python

PYBIND11_MODULE(_siteseek, m) {
  m.doc() = "siteseek's C++ core; use the `siteseek` package.";
  m.attr("__version__") = siteseek::version_string;
  siteseek::python::init_errors(m);
  siteseek::python::init_settings(m);
  siteseek::python::init_engine(m);
}
