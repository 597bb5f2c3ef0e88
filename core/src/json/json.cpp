// Jobs, site states, suggestions and errors as JSON (shapes in siteseek/json.hpp), and the one
// writer of JSON text for them.
#include <ctime>

#include <boost/json.hpp>

#include "common/number_text.hpp"
#include "siteseek/json.hpp"

namespace siteseek {

namespace json = boost::json;

namespace {

std::string iso8601(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A time, or null when there is none.
json::value time_or_null(const std::optional<std::chrono::system_clock::time_point>& t) {
  return t ? json::value(iso8601(*t)) : json::value(nullptr);
}

// A string, or null when it is empty.
json::value text_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

}  // namespace

void tag_invoke(const json::value_from_tag&, json::value& jv, const Job& job) {
  jv = {{"id", job.id},
        {"site", job.site},
        {"status", to_string(job.status)},
        {"created_at", iso8601(job.created_at)},
        {"started_at", time_or_null(job.started_at)},
        {"ended_at", time_or_null(job.ended_at)},
        {"progress", json::value_from(job.progress)},
        {"report", job.report ? json::value_from(*job.report) : json::value(nullptr)},
        {"error", job.status == JobStatus::failed ? json::value(job.error) : json::value(nullptr)},
        {"worker", text_or_null(job.worker)},
        {"attempts", job.attempts}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const SiteStatus& s) {
  jv = {{"name", s.name},
        {"url", s.url},
        {"has_index", s.has_index},
        {"documents", s.documents},
        {"terms", s.terms},
        {"memory_bytes", s.memory_bytes},
        {"built_at", s.has_index ? json::value(iso8601(s.built_at)) : json::value(nullptr)},
        {"snapshot_version", s.snapshot_version}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Suggestion& s) {
  jv = {{"text", s.text}, {"url", text_or_null(s.url)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Error& e) { jv = error_json(e.code(), e.what()); }

json::value error_json(std::string_view code, std::string_view message) {
  // valid_utf8 first: U+FFFD as UTF-8 in the text, as the HTTP API has always written it.
  return {{"error", {{"code", code}, {"message", valid_utf8(message)}}}};
}

void append_json_text(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object:
      out += '{';
      for (const auto& kv : v.get_object()) {
        if (out.back() != '{') out += ',';
        append_json_string(out, kv.key());
        out += ':';
        append_json_text(out, kv.value());
      }
      out += '}';
      return;
    case json::kind::array:
      out += '[';
      for (const auto& item : v.get_array()) {
        if (out.back() != '[') out += ',';
        append_json_text(out, item);
      }
      out += ']';
      return;
    case json::kind::string: append_json_string(out, v.get_string()); return;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); return;
    case json::kind::int64: out += std::to_string(v.get_int64()); return;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case json::kind::null: out += "null"; return;
    case json::kind::double_: detail::append_number(out, v.get_double()); return;
  }
}

std::string json_text(const json::value& v) {
  std::string out;
  append_json_text(out, v);
  return out;
}

}  // namespace siteseek
