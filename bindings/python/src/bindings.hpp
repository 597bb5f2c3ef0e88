#pragma once
// Shared by the binding files: one init_<area>(module) per area, called from module.cpp.
#include <pybind11/pybind11.h>

#include "siteseek/settings.hpp"

namespace siteseek::python {
void init_errors(pybind11::module_& m);
void init_settings(pybind11::module_& m);
void init_engine(pybind11::module_& m);
/// Python object (dict/list/...) from a JSON value and back, through Python's json module.
pybind11::object json_to_python(const std::string& json_text);
std::string python_to_json(const pybind11::handle& obj);
/// A site's settings from a SiteSettings or a dict; raises ConfigError naming the key path.
SiteSettings site_settings_from_python(const pybind11::handle& obj);
}  // namespace siteseek::python
