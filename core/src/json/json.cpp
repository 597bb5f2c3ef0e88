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
        {"snapshot_version", s.snapshot_version},
        {"compact", s.compact}};
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

namespace {

// The JSON type of a value, for errors: "a string", "a number", ...
std::string kind_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

}  // namespace

Document document_from_json(const json::value& v, const std::string& path) {
  const auto bad = [&](const std::string& key, const std::string& why) {
    return RequestError("invalid_document", path + (key.empty() ? "" : "." + key) + " " + why);
  };
  const auto* o = v.if_object();
  if (!o) throw bad("", "must be an object (a document), got " + kind_of(v));
  Document doc;
  for (const auto& kv : *o) {
    const std::string key(kv.key());
    const auto& val = kv.value();
    const auto text = [&](std::string& out) {
      if (!val.is_string()) throw bad(key, "must be a string, got " + kind_of(val));
      out = std::string(val.get_string());
    };
    const auto texts = [&](std::vector<std::string>& out) {
      const auto* a = val.if_array();
      if (!a) throw bad(key, "must be an array of strings, got " + kind_of(val));
      for (std::size_t i = 0; i < a->size(); ++i) {
        if (!(*a)[i].is_string()) throw bad(key + "[" + std::to_string(i) + "]", "must be a string, got " + kind_of((*a)[i]));
        out.emplace_back((*a)[i].get_string());
      }
    };
    const auto count = [&](std::uint32_t& out) {
      if (val.is_int64() && val.get_int64() >= 0 && val.get_int64() <= 0xFFFFFFFFLL) out = static_cast<std::uint32_t>(val.get_int64());
      else if (val.is_uint64() && val.get_uint64() <= 0xFFFFFFFFULL) out = static_cast<std::uint32_t>(val.get_uint64());
      else throw bad(key, "must be a non-negative integer, got " + (val.is_number() ? json::serialize(val) : kind_of(val)));
    };
    if (key == "url") text(doc.url);
    else if (key == "id") text(doc.id);
    else if (key == "title") text(doc.title);
    else if (key == "section_title") text(doc.section_title);
    else if (key == "body") text(doc.body);
    else if (key == "section_key") text(doc.section_key);
    else if (key == "hierarchy") texts(doc.hierarchy);
    else if (key == "anchors") texts(doc.anchors);
    else if (key == "position") count(doc.position);
    else if (key == "inbound_links") count(doc.inbound_links);
    else if (key == "type") {
      std::string t;
      text(t);
      if (t != "page" && t != "section") throw bad(key, "must be \"page\" or \"section\", got \"" + t + "\"");
      doc.type = t == "page" ? DocumentType::page : DocumentType::section;
    } else if (key == "boost") {
      if (!val.is_number()) throw bad(key, "must be a number, got " + kind_of(val));
      const double b = val.to_number<double>();
      if (!(b > 0) || b > 1e6) throw bad(key, "must be above 0 and at most 1000000, got " + json::serialize(val));
      doc.boost = static_cast<float>(b);
    } else if (key == "attributes") {
      const auto* a = val.if_object();
      const std::string shape = "must be an object of names to a string or an array of strings";
      if (!a) throw bad(key, shape + ", got " + kind_of(val));
      for (const auto& item : *a) {
        const std::string name(item.key());
        const auto add = [&](const json::value& value, const std::string& at) {
          if (!value.is_string()) throw bad(at, "must be a string, got " + kind_of(value));
          doc.attributes.push_back({name, std::string(value.get_string())});
        };
        if (const auto* list = item.value().if_array()) {
          for (std::size_t i = 0; i < list->size(); ++i) add((*list)[i], key + "." + name + "[" + std::to_string(i) + "]");
        } else {
          add(item.value(), key + "." + name);
        }
      }
      if (auto why = normalize_attributes(doc.attributes); !why.empty()) throw bad(key, "are invalid: " + why);
    } else {
      throw bad(key, "is not a document key (known: url, id, title, section_title, body, section_key, hierarchy, anchors, "
                     "type, boost, position, inbound_links, attributes)");
    }
  }
  if (doc.url.empty()) throw bad("url", "is required (the record's absolute URL)");
  if (doc.id.empty()) doc.id = doc.url;
  return doc;
}

std::vector<Document> documents_from_json(const json::value& v, const std::string& path) {
  const auto* a = v.if_array();
  if (!a) throw RequestError("invalid_document", path + " must be an array of documents, got " + kind_of(v));
  std::vector<Document> out;
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) out.push_back(document_from_json((*a)[i], path + "[" + std::to_string(i) + "]"));
  return out;
}

std::vector<std::string> urls_from_json(const json::value& v, const std::string& path) {
  const auto* a = v.if_array();
  if (!a) throw RequestError("invalid_parameter", path + " must be an array of page URLs, got " + kind_of(v));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    if (!(*a)[i].is_string() || (*a)[i].get_string().empty())
      throw RequestError("invalid_parameter", path + "[" + std::to_string(i) + "] must be a page URL (a non-empty string), got " +
                                                  ((*a)[i].is_string() ? std::string("\"\"") : kind_of((*a)[i])));
    out.emplace_back((*a)[i].get_string());
  }
  return out;
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const UpdateReport& r) {
  jv = {{"added", r.added}, {"removed", r.removed}, {"segments", r.segments}, {"site", r.site}};
}

}  // namespace siteseek
