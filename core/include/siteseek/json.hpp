#pragma once
// The JSON shapes of the core's values: one Boost.JSON conversion per type (tag_invoke, so
// boost::json::value_from and value_to use them), shared by every transport and store that
// writes them: the HTTP API's bodies, the report a Redis job keeps, the Python dicts. A search
// response has its own writer (search.hpp's append_json: the hot path builds no tree).
//
// Shapes (times are UTC "YYYY-MM-DDTHH:MM:SSZ"; null marks a value not there yet):
//   IngestProgress {"fetched","queued","documents","errors"}
//   IngestReport   {"pages_fetched","pages_indexed","pages_unchanged","pages_not_requested","documents",
//                   "index_unchanged","pages_changed","pages_removed","updated_in_place","duration_ms",
//                   "skipped":[{"url","reason"}],"failed":[{"url","error"}],
//                   "generators":{name: pages} (only when pages were indexed),
//                   "attributes":{"values":{name: distinct values},"dropped":{"invalid_name",
//                   "too_long","too_many"}} (only when records carry some or some were dropped)}
//   Job            {"id","site","status","created_at","started_at"|null,"ended_at"|null,
//                   "progress","report"|null,"error"|null (set when failed),"worker"|null,"attempts"}
//   SiteStatus     {"name","url","has_index","documents","terms","memory_bytes",
//                   "built_at"|null (without an index),"snapshot_version","compact"}
//   Suggestion     {"text","url"|null (a word completion)}
//   an error       {"error":{"code","message"}}
//
// IngestReport and IngestProgress convert in the ingest module (the Redis job queue reads
// reports back below the rest); the others in the json module (core/src/json).
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>

#include "siteseek/engine.hpp"
#include "siteseek/error.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/jobs.hpp"
#include "siteseek/search.hpp"

namespace siteseek {

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const IngestProgress& p);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const IngestReport& r);
/// Lenient, for stored reports: a missing or mistyped key reads as 0 or empty. Throws
/// std::invalid_argument when `jv` is not an object.
IngestReport tag_invoke(const boost::json::value_to_tag<IngestReport>&, const boost::json::value& jv);

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Job& job);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const SiteStatus& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Suggestion& s);
/// {"error":{"code","message"}}.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Error& e);

/// A document from its JSON shape (POST /sites/{name}/documents, `siteseek query`'s upsert):
/// {"url" (required), "id" (default: the url), "title", "section_title", "body", "section_key",
/// "hierarchy": [strings], "anchors": [strings], "type": "page"|"section", "boost": number,
/// "position", "inbound_links": non-negative integers, "attributes": {name: a string or
/// [strings]}}, attributes normalised (normalize_attributes). `path` names it in errors
/// ("documents[2]"). Throws RequestError "invalid_document" naming the key path and the problem.
Document document_from_json(const boost::json::value& v, const std::string& path);
/// Documents from a JSON array (`path` names it: "documents"); throws as document_from_json.
std::vector<Document> documents_from_json(const boost::json::value& v, const std::string& path);
/// Page URLs from a JSON array of strings (`path` names it: "urls"). Throws RequestError
/// "invalid_parameter" naming the path.
std::vector<std::string> urls_from_json(const boost::json::value& v, const std::string& path);
/// UpdateReport as {"added","removed","segments","site"}.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const UpdateReport& r);

/// An error object {"error":{"code","message"}} for a code that has no exception (a transport's
/// own: "not_found", "method_not_allowed", ...). The message may quote a request: bytes that are
/// not UTF-8 become U+FFFD.
boost::json::value error_json(std::string_view code, std::string_view message);

/// Append `v` as compact JSON text, its strings escaped as append_json_string escapes them (so
/// every body a transport writes reads alike, and bytes that are not UTF-8 become \ufffd).
void append_json_text(std::string& out, const boost::json::value& v);
/// append_json_text into a new string.
std::string json_text(const boost::json::value& v);

}  // namespace siteseek
