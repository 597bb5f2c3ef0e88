// JSON text -> boost::json::value with every double exactly as written. Boost.JSON 1.81's parser
// may round a double's last bit, which would break the lossless round trip of settings; here
// its basic_parser reads the text and each number is converted again with strtod.
#include <cstdlib>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include "settings/settings_internal.hpp"

namespace siteseek::settings_fields {
namespace {

namespace json = boost::json;
using boost::system::error_code;

struct ExactHandler {
  constexpr static std::size_t max_object_size = std::size_t(-1);
  constexpr static std::size_t max_array_size = std::size_t(-1);
  constexpr static std::size_t max_key_size = std::size_t(-1);
  constexpr static std::size_t max_string_size = std::size_t(-1);

  json::value_stack st;
  std::string number;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t n, error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t n, error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_number_part(json::string_view s, error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, error_code&) {
    number.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, error_code&) {
    number.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double, json::string_view s, error_code&) {
    number.append(s.data(), s.size());
    st.push_double(std::strtod(number.c_str(), nullptr));
    number.clear();
    return true;
  }
  bool on_bool(bool b, error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }
};

}  // namespace

json::value parse_json_text(const std::string& text, const std::string& source) {
  json::parse_options options;
  options.allow_comments = true;
  options.allow_trailing_commas = true;
  json::basic_parser<ExactHandler> parser(options);
  parser.handler().st.reset();
  error_code ec;
  std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < used && i < text.size(); ++i) {
      if (text[i] == '\n') ++line, column = 1;
      else ++column;
    }
    std::string where = (source.empty() ? std::string() : source + ": ") + "line " + std::to_string(line) +
                        ", column " + std::to_string(column);
    throw ConfigError({{"", "invalid JSON at " + where + ": " + ec.message()}});
  }
  return parser.handler().st.release();
}

}  // namespace siteseek::settings_fields

namespace siteseek {
boost::json::value parse_json_exact(const std::string& text) { return settings_fields::parse_json_text(text, ""); }
}  // namespace siteseek
