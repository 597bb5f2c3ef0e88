// The _siteseek extension: errors, settings and the engine. The pure-Python package `siteseek`
// re-exports it with documentation and type stubs.
#include <pybind11/stl.h>

#include "bindings.hpp"
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
  static py::exception<ConfigError> config_error(m, "ConfigError", error.ptr());
  static py::exception<RequestError> query_error(m, "QueryError", error.ptr());
  static py::exception<UnknownSiteError> unknown_site(m, "UnknownSiteError", error.ptr());
  static py::exception<SnapshotError> snapshot_error(m, "SnapshotError", error.ptr());
  static py::exception<IoError> io_error(m, "IoError", error.ptr());
  static py::exception<Error> redis_error(m, "RedisError", error.ptr());
  error.doc() = "Base of siteseek's errors; .code is a stable snake_case code.";
  config_error.doc() = "Invalid settings; .issues lists (key path, message) pairs, all of them.";
  query_error.doc() = "A request the engine cannot answer as asked (bad query or parameter).";
  unknown_site.doc() = "A site name that is not configured; .known_sites lists the valid ones.";
  snapshot_error.doc() = "A truncated, corrupt or unknown-version snapshot file.";
  io_error.doc() = "A file or network operation failed; the message names the path or URL.";
  redis_error.doc() = "Redis is unreachable or timed out (code redis_unavailable) or answered an error (redis_error).";

  py::register_exception_translator([](std::exception_ptr p) {
    auto raise = [](auto& type, const Error& e, auto&& extra) {
      py::object instance = py::reinterpret_borrow<py::object>(type.ptr())(e.what());
      instance.attr("code") = e.code();
      extra(instance);
      PyErr_SetObject(type.ptr(), instance.ptr());
    };
    auto none = [](py::object&) {};
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      raise(config_error, e, [&](py::object& o) {
        py::list issues;
        for (const auto& i : e.issues()) issues.append(py::make_tuple(i.path, i.message));
        o.attr("issues") = issues;
      });
    } catch (const UnknownSiteError& e) {
      raise(unknown_site, e,
            [&](py::object& o) { o.attr("known_sites") = py::cast(e.known_sites()); });
    } catch (const RequestError& e) {
      raise(query_error, e, none);
    } catch (const SnapshotError& e) {
      raise(snapshot_error, e, none);
    } catch (const IoError& e) {
      raise(io_error, e, none);
    } catch (const Error& e) {
      if (e.code() == "redis_unavailable" || e.code() == "redis_error") return raise(redis_error, e, none);
      raise(error, e, none);
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
