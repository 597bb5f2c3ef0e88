// Attribute names and values as every record keeps them, whoever gives them (ingestion, the API).
#include <algorithm>

#include "siteseek/document.hpp"
#include "siteseek/error.hpp"
#include "siteseek/limits.hpp"

namespace siteseek {

bool valid_attribute_name(std::string_view name) {
  return !name.empty() && name.size() <= limits::max_attribute_name_bytes && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string normalize_attributes(std::vector<Attribute>& attributes) {
  constexpr std::string_view space = " \t\n\r\f\v";
  for (auto& a : attributes) {
    if (!valid_attribute_name(a.name)) {
      return "attribute name \"" + a.name + "\" is not 1 to " + std::to_string(limits::max_attribute_name_bytes) +
             " of a-z, 0-9, _ and -";
    }
    a.value.erase(0, a.value.find_first_not_of(space));
    a.value.erase(a.value.find_last_not_of(space) + 1);
    if (a.value.empty()) return "attribute \"" + a.name + "\" has an empty value";
    if (a.value.size() > limits::max_attribute_value_bytes) {
      return "attribute \"" + a.name + "\" has a value over " + std::to_string(limits::max_attribute_value_bytes) + " bytes";
    }
  }
  std::sort(attributes.begin(), attributes.end());
  attributes.erase(std::unique(attributes.begin(), attributes.end()), attributes.end());
  if (attributes.size() > limits::max_record_attributes) {
    return std::to_string(attributes.size()) + " attribute values, more than the " +
           std::to_string(limits::max_record_attributes) + " a record carries";
  }
  return {};
}

void normalize_documents(std::vector<Document>& documents) {
  for (auto& d : documents)
    if (auto why = normalize_attributes(d.attributes); !why.empty())
      throw RequestError("invalid_document", "document " + d.url + ": " + why);
}

}  // namespace siteseek
