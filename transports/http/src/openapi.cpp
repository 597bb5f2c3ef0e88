// GET /openapi.json: the API described as OpenAPI 3.1 (kept beside the routes it describes).
#include <string_view>

namespace siteseek::http {

std::string_view openapi_document() {
  static constexpr std::string_view doc = R"JSON({
"openapi": "3.1.0",
"info": {"title": "siteseek", "version": "0.1.0",
  "description": "Search API of a siteseek server: search-as-you-type over documentation sites, indexing jobs, health and metrics."},
"components": {
  "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY"}},
  "schemas": {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"],
      "properties": {"code": {"type": "string", "examples": ["missing_parameter", "unknown_site", "unauthorized"]}, "message": {"type": "string"}}}}},
    "Result": {"type": "object", "required": ["title", "section_title", "hierarchy", "body", "url"], "properties": {
      "title": {"type": "string", "description": "HTML-escaped, matches wrapped in highlight tags"},
      "section_title": {"type": "string"}, "hierarchy": {"type": "array", "items": {"type": "string"}},
      "body": {"type": "string", "description": "snippet: the best window of matches, HTML-escaped and highlighted"},
      "url": {"type": "string", "format": "uri"},
      "sub_results": {"type": "array", "items": {"$ref": "#/components/schemas/SubResult"},
        "description": "present only when sub_results was asked: the page's other matching sections, best first (may be empty)"}}},
    "SubResult": {"type": "object", "required": ["title", "url", "body"], "properties": {
      "title": {"type": "string", "description": "the section's heading, HTML-escaped and highlighted"},
      "url": {"type": "string", "format": "uri", "description": "the section's URL, with its #anchor"},
      "body": {"type": "string", "description": "a short snippet (about 100 bytes of text), HTML-escaped and highlighted"}}},
    "SearchResponse": {"type": "object", "required": ["total", "results", "took_ms"], "properties": {
      "total": {"type": "integer"}, "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
      "facets": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Facet"},
        "description": "present when facets were asked: each attribute asked, in that order, with its values over every result"},
      "context": {"type": "array", "items": {"$ref": "#/components/schemas/ContextValue"},
        "description": "present when the site's context_attributes kept the search to values of the page at from_url"},
      "took_ms": {"type": "number"}, "relaxed": {"type": "boolean", "description": "present when no result matched every word"}}},
    "Facet": {"type": "object", "required": ["values"], "properties": {
      "values": {"type": "array", "description": "most frequent first, then by value; at most 100",
        "items": {"type": "object", "required": ["value", "count"], "properties": {"value": {"type": "string"}, "count": {"type": "integer"}}}},
      "more": {"type": "integer", "description": "present when values were left out: how many"}}},
    "ContextValue": {"type": "object", "required": ["name", "value"], "properties": {
      "name": {"type": "string", "examples": ["version"]}, "value": {"type": "string", "examples": ["3.12"]}}},
    "Job": {"type": "object", "properties": {"id": {"type": "string"}, "site": {"type": "string"},
      "status": {"enum": ["queued", "running", "finished", "failed"]}, "created_at": {"type": "string", "format": "date-time"},
      "started_at": {"type": ["string", "null"]}, "ended_at": {"type": ["string", "null"]},
      "progress": {"type": "object"}, "report": {"type": ["object", "null"]}, "error": {"type": ["string", "null"]}}},
    "Site": {"type": "object", "required": ["name", "url", "has_index", "documents", "terms", "memory_bytes", "built_at", "snapshot_version"],
      "properties": {"name": {"type": "string"}, "url": {"type": "string", "format": "uri"}, "has_index": {"type": "boolean"},
        "documents": {"type": "integer"}, "terms": {"type": "integer"}, "memory_bytes": {"type": "integer"},
        "built_at": {"type": ["string", "null"], "format": "date-time"}, "snapshot_version": {"type": "integer"}}},
    "KeySpec": {"type": "object", "required": ["actions"], "additionalProperties": false, "properties": {
      "description": {"type": "string", "maxLength": 1024},
      "actions": {"type": "array", "minItems": 1, "items": {"enum": ["search", "suggest", "indexer", "sites", "keys", "*"]}},
      "sites": {"type": "array", "items": {"type": "string"}, "description": "site names; empty or absent: every site"},
      "expires_at": {"type": ["string", "null"], "format": "date-time", "description": "UTC, e.g. 2027-01-01T00:00:00Z; null: never"}}},
    "Key": {"type": "object", "required": ["id", "key", "description", "actions", "sites", "expires_at", "created_at", "expired"],
      "properties": {"id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
        "key": {"type": "string", "description": "the key itself in POST /keys's answer (shown once); masked ssk_<id>_… in GET /keys"},
        "description": {"type": "string"}, "actions": {"type": "array", "items": {"type": "string"}},
        "sites": {"type": "array", "items": {"type": "string"}}, "expires_at": {"type": ["string", "null"], "format": "date-time"},
        "created_at": {"type": "string", "format": "date-time"}, "expired": {"type": "boolean"}}},
    "SiteSettings": {"type": "object", "required": ["url"],
      "description": "an entry of a settings file's sites (docs/configuration.md); name, if given, must be the path's"}
  },
  "responses": {"Error": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}
},
"paths": {
  "/search": {"get": {"summary": "Search a site", "parameters": [
      {"name": "q", "in": "query", "required": true, "schema": {"type": "string"}, "description": "query; see the query language"},
      {"name": "site", "in": "query", "schema": {"type": "string"}, "description": "site name or site URL; default: the default site"},
      {"name": "from_url", "in": "query", "schema": {"type": "string"}, "description": "page the user searches from; boosts its section"},
      {"name": "start", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
      {"name": "num", "in": "query", "schema": {"type": "integer", "minimum": 0}, "description": "page size; above max_num it is clamped and X-Siteseek-Num-Clamped says so"},
      {"name": "sub_results", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0},
        "description": "list up to this many (at most 10) of each page's other matching sections under its result, one result per page; 0: the flat shape, without sub_results. 400 unsupported_parameter with backend = redisearch"},
      {"name": "filters", "in": "query", "schema": {"type": "string", "maxLength": 2048},
        "description": "only records this expression keeps are ranked, counted and faceted (docs/filters.md), e.g. version:3.12 AND NOT type:section; a syntax error is 400 invalid_filter naming its position; an attribute it names overrides the page's context. Run by RediSearch too with backend = redisearch"},
      {"name": "facets", "in": "query", "style": "form", "explode": false,
        "schema": {"type": "array", "maxItems": 16, "items": {"type": "string", "pattern": "^[a-z0-9_-]{1,64}$"}},
        "description": "comma-separated attribute names whose values to count over every result (facets in the response). With backend = redisearch, by FT.AGGREGATE"},
      {"name": "prefix", "in": "query", "schema": {"type": "boolean"}},
      {"name": "typo", "in": "query", "schema": {"type": "boolean"}},
      {"name": "highlight_pre_tag", "in": "query", "schema": {"type": "string"}},
      {"name": "highlight_post_tag", "in": "query", "schema": {"type": "string"}}],
    "responses": {"200": {"description": "results", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResponse"}}}},
      "400": {"$ref": "#/components/responses/Error"}, "414": {"$ref": "#/components/responses/Error"},
      "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
      "429": {"$ref": "#/components/responses/Error"}, "502": {"$ref": "#/components/responses/Error"}, "503": {"$ref": "#/components/responses/Error"}},
    "security": [{}, {"apiKey": []}],
    "description": "open sites need no key; a site whose search_access is \"key\" needs a key or scoped token (X-API-KEY) with the action search and the site (docs/security.md). A token's filters are ANDed with filters, num clamped to its max_num"}},
  "/suggest": {"get": {"summary": "Completions for a search box", "security": [{}, {"apiKey": []}], "parameters": [
      {"name": "q", "in": "query", "required": true, "schema": {"type": "string"}},
      {"name": "site", "in": "query", "schema": {"type": "string"}},
      {"name": "num", "in": "query", "schema": {"type": "integer", "maximum": 50}}],
    "responses": {"200": {"description": "suggestions", "content": {"application/json": {"schema": {"type": "object",
      "properties": {"suggestions": {"type": "array", "items": {"type": "object", "properties": {"text": {"type": "string"}, "url": {"type": ["string", "null"]}}}}}}}}},
      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
      "403": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}}}},
  "/sites": {"get": {"summary": "Configured sites and their index state", "responses": {"200": {"description": "sites",
    "content": {"application/json": {"schema": {"type": "object", "properties": {
      "sites": {"type": "array", "items": {"$ref": "#/components/schemas/Site"}}, "default_site": {"type": "string"}}}}}}}}},
  "/sites/{name}": {
    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
    "put": {"summary": "Add a site or replace its settings, then queue its reindex", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SiteSettings"}}}},
      "responses": {"202": {"description": "stored; the reindex job's id", "content": {"application/json": {"schema": {"type": "object",
        "properties": {"site": {"type": "string"}, "job": {"type": "string"}}}}}},
        "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"},
        "403": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}}},
    "delete": {"summary": "Remove a site, its index and its stored settings", "security": [{"apiKey": []}],
      "responses": {"200": {"description": "removed", "content": {"application/json": {"schema": {"type": "object",
        "properties": {"removed": {"type": "string"}}}}}},
        "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"},
        "403": {"$ref": "#/components/responses/Error"}}}},
  "/indexer": {"post": {"summary": "Start indexing jobs (one per site, or ?site=)", "security": [{"apiKey": []}],
    "parameters": [{"name": "site", "in": "query", "schema": {"type": "string"}}],
    "responses": {"202": {"description": "job ids", "content": {"application/json": {"schema": {"type": "object", "properties": {"jobs": {"type": "array", "items": {"type": "string"}}}}}}},
      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}},
  "/jobs": {"get": {"summary": "Recent jobs (of the key's sites)", "security": [{"apiKey": []}], "responses": {"200": {"description": "jobs"}, "401": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}},
  "/jobs/{id}": {"get": {"summary": "One job", "security": [{"apiKey": []}],
    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "the job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
      "401": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
  "/keys": {
    "post": {"summary": "Make an API key (action keys); the key is in this answer only", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeySpec"}}}},
      "responses": {"201": {"description": "the key", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Key"}}}},
        "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"},
        "403": {"$ref": "#/components/responses/Error"}}},
    "get": {"summary": "Every key, masked (action keys)", "security": [{"apiKey": []}],
      "responses": {"200": {"description": "keys", "content": {"application/json": {"schema": {"type": "object",
        "properties": {"keys": {"type": "array", "items": {"$ref": "#/components/schemas/Key"}}}}}}},
        "401": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}},
  "/keys/{id}": {"delete": {"summary": "Revoke a key (action keys); every node refuses it within a second", "security": [{"apiKey": []}],
    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "revoked", "content": {"application/json": {"schema": {"type": "object", "properties": {"revoked": {"type": "string"}}}}}},
      "401": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
  "/health": {"get": {"summary": "200 when every site has an index, else 503 with the reason",
    "responses": {"200": {"description": "healthy"}, "503": {"$ref": "#/components/responses/Error"}}}},
  "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text/plain; version=0.0.4"}}}},
  "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}}
}
})JSON";
  return doc;
}

}  // namespace siteseek::http
