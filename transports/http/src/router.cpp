// The route table and its handlers: a request is matched to a route (path, method, access), checked
// (preflight, 405, admin key) and handed to its handler, which parses, calls the node and writes JSON.
#include "router.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>

#include <boost/url/parse.hpp>

#include <boost/json.hpp>

#include "siteseek/curation.hpp"
#include "siteseek/error.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/jobs.hpp"
#include "siteseek/json.hpp"
#include "siteseek/keys.hpp"
#include "siteseek/node.hpp"
#include "siteseek/policy.hpp"
#include "siteseek/settings.hpp"
#include "status_table.hpp"

namespace siteseek::http {

std::string_view openapi_document();
struct WebAsset {
  std::string_view path, content_type, body, gzip;  // gzip: the body gzip-compressed
};
const WebAsset* find_web_asset(std::string_view path);

namespace {

struct Params {
  std::vector<std::pair<std::string, std::string>> items;
  const std::string* get(std::string_view key) const {
    for (const auto& [k, v] : items) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

bool parse_uint(const std::string& s, std::uint32_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Whether an Accept-Encoding value accepts gzip: "gzip" (or "x-gzip", or "*") listed without q=0.
bool accepts_gzip(std::string_view header) {
  auto token = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    std::string out(s);
    for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  for (std::size_t pos = 0; pos < header.size();) {
    const std::size_t end = std::min(header.find(',', pos), header.size());
    const std::string_view item = header.substr(pos, end - pos);
    pos = end + 1;
    const auto semi = item.find(';');
    const std::string name = token(item.substr(0, semi));
    if (name != "gzip" && name != "x-gzip" && name != "*") continue;
    const std::string params = semi == std::string_view::npos ? "" : token(item.substr(semi + 1));
    return !params.starts_with("q=") || std::strtod(params.c_str() + 2, nullptr) > 0;
  }
  return false;
}

Response json_response(unsigned status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response json_response(unsigned status, const boost::json::value& body) { return json_response(status, json_text(body)); }

// An error thrown by an asynchronous job call, as a response.
Response error_response(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& err) {
    return Router::error(err.code(), err.what());
  } catch (const std::exception& err) {
    return Router::error("internal_error", err.what());
  }
}

// What a handler is given: the request, its query parameters, the path after the route's
// prefix (a job id, a site name), and who an admin route was authorized for.
struct Call {
  const Request& request;
  const Params& params;
  std::string_view path;
  std::string_view rest;
  const Grant& grant;
};

// The settings of the site `name` from a PUT body: an entry of a settings file's `sites`. The
// path names the site: the body may leave `name` out, and a different one is refused (taking it
// would rename the site behind the caller's back). Throws ConfigError with the key path.
SiteSettings site_from_body(const std::string& name, std::string_view body) {
  boost::json::value jv = parse_json_exact(std::string(body));
  if (auto* o = jv.if_object()) {
    if (const auto* given = o->if_contains("name"); given && !(given->is_string() && given->get_string() == name)) {
      throw ConfigError("name", "must be the site named in the path, '" + name + "', got " + boost::json::serialize(*given));
    }
    (*o)["name"] = name;
  }
  return site_settings_from_json(jv);
}

// The handlers: each parses its part of the request, calls the node and answers through `done`,
// at once or later (on another thread, after an asynchronous Redis call). An exception thrown
// before `done` is called becomes the error response.
class Handler {
 public:
  using Done = Router::Done;
  Handler(Node& node, Metrics& metrics, const RateLimits& limits) : node_(node), metrics_(metrics), limits_(limits) {}

  // The search request from the query parameters, or the error response. Limits, site names and
  // defaults are the node's policy; this only reads the parameters.
  std::optional<Response> search_request(const Params& p, SearchRequest& req) {
    const std::string* q = p.get("q");
    if (!q) return Router::error("missing_parameter", "the query parameter 'q' is required");
    req = default_search_request(*node_.settings());
    req.q = *q;
    if (auto* s = p.get("site")) req.site = *s;
    if (auto* f = p.get("from_url")) req.from_url = *f;
    if (auto* s = p.get("start"); s && !parse_uint(*s, req.start)) {
      return Router::error("invalid_parameter", "start must be a non-negative integer, got '" + *s + "'");
    }
    if (auto* n = p.get("num"); n && !parse_uint(*n, req.num)) {
      return Router::error("invalid_parameter", "num must be a non-negative integer, got '" + *n + "'");
    }
    if (auto* n = p.get("sub_results"); n && !parse_uint(*n, req.sub_results)) {
      return Router::error("invalid_parameter", "sub_results must be a non-negative integer, got '" + *n + "'");
    }
    // Their bounds and the facet names are the node's policy (invalid_parameter naming them).
    if (auto* f = p.get("filters")) req.filters = *f;
    if (auto* f = p.get("facets")) req.facets = facet_list(*f);
    for (auto [name, field] : {std::pair{"prefix", &req.prefix}, std::pair{"typo", &req.typo}}) {
      if (auto* v = p.get(name)) {
        if (*v == "true" || *v == "1") *field = true;
        else if (*v == "false" || *v == "0") *field = false;
        else return Router::error("invalid_parameter", std::string(name) + " must be true or false, got '" + *v + "'");
      }
    }
    if (auto* v = p.get("explain")) {
      if (*v == "true" || *v == "1") req.explain = true;
      else if (*v == "false" || *v == "0") req.explain = false;
      else return Router::error("invalid_parameter", std::string("explain must be true or false, got '") + *v + "'");
    }
    // Copied into every result: invalid UTF-8 in them would make the whole answer invalid JSON.
    if (auto* t = p.get("highlight_pre_tag")) req.highlight_pre_tag = valid_utf8(*t);
    if (auto* t = p.get("highlight_post_tag")) req.highlight_post_tag = valid_utf8(*t);
    return std::nullopt;
  }

  void search(const Call& c, Done done) {
    SearchRequest req;
    if (auto bad = search_request(c.params, req)) return done(std::move(*bad));
    node_.authorize_search(c.request.api_key, req);  // a key-only site, a token's scope
    const auto max_num = node_.settings()->max_num;
    AnalyticsContext context;
    if (auto* s = c.params.get("session")) context.session = *s;  // kept only when valid_session_id
    // The clamp header is known only once the node applied its policy: the answer's own headers.
    node_.search_json_async(std::move(req), [done = std::move(done), &metrics = metrics_, max_num](
                                                std::exception_ptr e, std::string json, SearchOutcome outcome) {
      if (e) return done(error_response(e));
      metrics.record_search(outcome.total == 0);
      Response r = json_response(200, std::move(json));
      if (outcome.notes.num_clamped) r.headers.emplace_back("X-Siteseek-Num-Clamped", std::to_string(max_num));
      done(std::move(r));
    }, std::move(context));
  }

  void suggest(const Call& c, Done done) {
    const std::string* q = c.params.get("q");
    if (!q) return done(Router::error("missing_parameter", "the query parameter 'q' is required"));
    SuggestRequest req;
    req.q = *q;
    if (auto* s = c.params.get("site")) req.site = *s;
    if (auto* n = c.params.get("num"); n && !parse_uint(*n, req.num)) {
      return done(Router::error("invalid_parameter", "num must be a non-negative integer"));
    }
    node_.authorize(c.request.api_key, Action::suggest, {req.site});
    AnalyticsContext context;
    if (auto* s = c.params.get("session")) context.session = *s;
    done(json_response(200, {{"suggestions", boost::json::value_from(node_.suggest(std::move(req), context))}}));
  }

  // POST /analytics/click: a result click (navigator.sendBeacon). text/plain (what sendBeacon
  // sends a string as, with no CORS preflight) or application/json; 204, or 4xx and nothing kept.
  void click(const Call& c, Done done) {
    const std::string_view type = c.request.content_type.substr(0, c.request.content_type.find(';'));
    if (!type.empty() && type != "text/plain" && type != "application/json") {
      return done(Router::error("bad_request", "a click beacon is text/plain or application/json"));
    }
    node_.record_click(parse_click_beacon(c.request.body));
    Response r;
    r.status = 204;
    r.content_type.clear();
    done(std::move(r));
  }

  // GET /analytics?site=&from=&to=: the report (docs/analytics.md).
  void analytics(const Call& c, Done done) {
    ReportRequest req;
    if (auto* s = c.params.get("site")) req.site = *s;
    if (auto* f = c.params.get("from")) req.from = *f;
    if (auto* t = c.params.get("to")) req.to = *t;
    // With shared storage the report reads Redis: on the node's report thread, not this one.
    node_.analytics_report_async(std::move(req), [done = std::move(done)](std::exception_ptr e, AnalyticsReport r) {
      if (e) return done(error_response(e));
      done(json_response(200, boost::json::value_from(r)));
    });
  }

  void sites(const Call&, Done done) {
    done(json_response(200, {{"sites", boost::json::value_from(node_.sites())},
                             {"default_site", node_.engine().default_site()}}));
  }

  // PUT /sites/{name}: store the site's settings (every node follows with shared storage), then
  // queue its reindex; 202 with the job's id.
  void put_site(const Call& c, Done done) {
    std::string name(c.rest);
    auto site = site_from_body(name, c.request.body);  // a bad body is a 400 now, before any store call
    // The handler is gone by the time the node calls back: the node itself is captured.
    node_.put_site_async(std::move(site), [&node = node_, done = std::move(done), name, grant = c.grant](std::exception_ptr e) mutable {
      if (e) return done(error_response(e));
      node.queue_reindex_async(name, [done = std::move(done), name](std::exception_ptr e, Job job) {
        if (e) return done(error_response(e));
        done(json_response(202, {{"site", name}, {"job", job.id}}));
      }, grant);
    }, c.grant);
  }

  // DELETE /sites/{name}: the site, its index and its stored settings are gone. An unknown name is
  // UnknownSiteError listing the valid ones.
  void remove_site(const Call& c, Done done) {
    std::string name(c.rest);
    node_.remove_site_async(name, [done = std::move(done), name](std::exception_ptr e) {
      if (e) return done(error_response(e));
      done(json_response(200, {{"removed", name}}));
    }, c.grant);
  }

  // /sites/{name}/rules[/{id}]: the curation rules of a site (docs/curation.md). `rest` is what
  // follows "/sites/"; the route matched only "NAME/rules" and "NAME/rules/ID".
  struct RulesPath {
    std::string site, id;
  };
  static RulesPath rules_path(std::string_view rest) {
    const auto slash = rest.find('/');
    RulesPath p{std::string(rest.substr(0, slash)), {}};
    const auto tail = rest.substr(slash + std::string_view("/rules").size());
    if (!tail.empty()) p.id = std::string(tail.substr(1));
    return p;
  }
  static boost::json::value rules_json(const std::vector<Rule>& rules) {
    boost::json::array a;
    for (const auto& r : rules) a.push_back(rule_to_json(r));
    return a;
  }

  // GET /sites/{name}/rules: every rule, in order.
  void rule_list(const Call& c, Done done) {
    const auto p = rules_path(c.rest);
    if (!p.id.empty()) return done(Router::error("not_found", std::string("no route for ") + std::string(c.path) + "; list a site's rules at /sites/" + p.site + "/rules"));
    done(json_response(200, {{"site", p.site}, {"rules", rules_json(node_.rules(p.site))}}));
  }

  // POST /sites/{name}/rules: one rule; 201 with it as stored (its id).
  void add_rule(const Call& c, Done done) {
    const auto p = rules_path(c.rest);
    if (!p.id.empty()) return done(Router::error("not_found", std::string("no route for ") + std::string(c.path) + "; add a rule with POST /sites/" + p.site + "/rules"));
    Rule rule = rule_from_json(parse_json_exact(std::string(c.request.body)), "rule");  // a bad body is a 400 now
    node_.add_rule_async(p.site, std::move(rule), [done = std::move(done)](std::exception_ptr e, std::vector<Rule> added) {
      if (e) return done(error_response(e));
      done(json_response(201, rule_to_json(added.at(0))));
    }, c.grant);
  }

  // PUT /sites/{name}/rules: replace them all ({"rules": [...]} or a list).
  void replace_rules(const Call& c, Done done) {
    const auto p = rules_path(c.rest);
    if (!p.id.empty()) return done(Router::error("not_found", std::string("no route for ") + std::string(c.path) + "; replace the rules with PUT /sites/" + p.site + "/rules"));
    auto rules = rules_from_json(parse_json_exact(std::string(c.request.body)));
    node_.set_rules_async(p.site, std::move(rules), [done = std::move(done), site = p.site](std::exception_ptr e, std::vector<Rule> stored) {
      if (e) return done(error_response(e));
      done(json_response(200, {{"site", site}, {"rules", rules_json(stored)}}));
    }, c.grant);
  }

  // DELETE /sites/{name}/rules/{id}
  void remove_rule(const Call& c, Done done) {
    const auto p = rules_path(c.rest);
    if (p.id.empty()) return done(Router::error("not_found", std::string("DELETE names a rule: /sites/") + p.site + "/rules/{id}"));
    node_.remove_rule_async(p.site, p.id, [done = std::move(done), id = p.id](std::exception_ptr e) {
      if (e) return done(error_response(e));
      done(json_response(200, {{"removed", id}}));
    }, c.grant);
  }

  // /sites/{name}/documents: live updates (docs/live-updates.md). `rest` is "NAME/documents".
  // The body is one JSON object holding only `key`, an array.
  static boost::json::value update_body(const Call& c, std::string_view key, std::string_view example) {
    const auto fail = [&] {
      return RequestError("bad_request", "the body must be a JSON object with one key, " + std::string(key) + ": " + std::string(example));
    };
    boost::json::value v;
    try {
      v = parse_json_exact(std::string(c.request.body));
    } catch (const Error& e) {
      throw RequestError("bad_request", std::string("the body is not JSON: ") + e.what());
    }
    const auto* o = v.if_object();
    if (!o || o->size() != 1 || !o->contains(key)) throw fail();
    return o->at(key);
  }
  void finish_update(std::string site, std::vector<Document> documents, std::vector<std::string> urls, const Call& c, Done done) {
    node_.update_documents_async(std::move(site), std::move(documents), std::move(urls), [done = std::move(done)](std::exception_ptr e, UpdateReport r) {
      if (e) return done(error_response(e));
      done(json_response(200, boost::json::value_from(r)));
    }, c.grant);
  }

  // POST /sites/{name}/documents {"documents": [...]}: every record of their pages replaced;
  // 200 when searchable and kept.
  void upsert_documents(const Call& c, Done done) {
    std::string site(c.rest.substr(0, c.rest.find('/')));
    auto documents = documents_from_json(update_body(c, "documents", "[{\"url\": ..., \"title\": ..., \"body\": ...}]"), "documents");
    finish_update(std::move(site), std::move(documents), {}, c, std::move(done));
  }

  // DELETE /sites/{name}/documents {"urls": [...]}: the pages at those URLs removed.
  void delete_documents(const Call& c, Done done) {
    std::string site(c.rest.substr(0, c.rest.find('/')));
    auto urls = urls_from_json(update_body(c, "urls", "[\"https://docs.example.org/old.html\"]"), "urls");
    finish_update(std::move(site), {}, std::move(urls), c, std::move(done));
  }

  void health(const Call&, Done done) {
    auto h = node_.health();
    if (!h.code.empty()) return done(Router::error(h.code, h.message));
    done(json_response(200, std::string("{\"status\":\"ok\"}")));
  }

  void metrics(const Call&, Done done) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.render(node_, &limits_);
    done(std::move(r));
  }

  void openapi(const Call&, Done done) { done(json_response(200, std::string(openapi_document()))); }

  void web(const Call& c, Done done) {
    const WebAsset* asset = find_web_asset(c.path == "/index.html" ? "/" : c.path);
    Response r;
    r.content_type = std::string(asset->content_type);
    if (!asset->gzip.empty() && accepts_gzip(c.request.accept_encoding)) {
      r.body = std::string(asset->gzip);
      r.headers.emplace_back("Content-Encoding", "gzip");
    } else {
      r.body = std::string(asset->body);
    }
    r.headers.emplace_back("Vary", "Accept-Encoding");
    r.headers.emplace_back("Cache-Control", "public, max-age=300");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    if (c.path == "/analytics.html") {
      // The dashboard holds an admin key (sessionStorage) and shows readers' queries: only its own
      // script and stylesheet run, it talks to this server only, no page may frame it (a click
      // there adds rules) and no link sends its address on.
      r.headers.emplace_back("Content-Security-Policy",
                             "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                             "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      r.headers.emplace_back("Referrer-Policy", "no-referrer");
    }
    done(std::move(r));
  }

  // Admin routes answer through `done`: a Redis-backed queue answers later, on another thread.
  void indexer(const Call& c, Done done) {
    std::vector<std::string> sites;
    const auto settings = node_.settings();
    if (auto* s = c.params.get("site")) {
      std::string name = resolve_site(*settings, *s);
      settings->site(name);  // throws UnknownSiteError naming the valid sites
      sites.push_back(name);
    } else {
      for (const auto& s : settings->sites) sites.push_back(s.name);
    }
    struct Gather {
      std::mutex m;
      std::vector<std::string> ids;
      std::size_t left;
      std::exception_ptr error;
      Done done;
    };
    auto g = std::make_shared<Gather>();
    g->ids.resize(sites.size());
    g->left = sites.size();
    g->done = std::move(done);
    for (std::size_t i = 0; i < sites.size(); ++i) {
      node_.queue_reindex_async(sites[i], [g, i](std::exception_ptr e, Job job) {
        std::unique_lock lock(g->m);
        if (e && !g->error) g->error = e;
        g->ids[i] = std::move(job.id);
        if (--g->left > 0) return;
        lock.unlock();
        if (g->error) return g->done(error_response(g->error));
        g->done(json_response(202, {{"jobs", boost::json::value_from(g->ids)}}));
      }, c.grant);
    }
  }

  // A key limited to some sites sees only their jobs.
  void job(const Call& c, Done done) {
    std::string id(c.rest);
    node_.jobs().find_async(id, [done = std::move(done), id, grant = c.grant](std::exception_ptr e, std::optional<Job> j) {
      if (e) return done(error_response(e));
      if (!j || !grant.covers(j->site)) return done(Router::error("not_found", "no job with id '" + id + "'"));
      done(json_response(200, boost::json::value_from(*j)));
    });
  }

  void job_list(const Call& c, Done done) {
    node_.jobs().recent_async(100, [done = std::move(done), grant = c.grant](std::exception_ptr e, std::vector<Job> list) {
      if (e) return done(error_response(e));
      std::erase_if(list, [&](const Job& j) { return !grant.covers(j.site); });
      done(json_response(200, {{"jobs", boost::json::value_from(list)}}));
    });
  }

  // POST /keys: 201 with the key, shown this once.
  void create_key(const Call& c, Done done) {
    KeySpec spec = key_spec_from_json(parse_json_exact(std::string(c.request.body)));  // a bad body is a 400 now
    node_.create_key_async(std::move(spec), [done = std::move(done)](std::exception_ptr e, CreatedKey created) {
      if (e) return done(error_response(e));
      boost::json::value info = boost::json::value_from(key_info(created.record, KeyClock::now()));
      info.as_object()["key"] = created.key;
      done(json_response(201, info));
    }, c.grant);
  }

  void key_list(const Call&, Done done) {
    done(json_response(200, {{"keys", boost::json::value_from(node_.list_keys())}}));
  }

  void revoke_key(const Call& c, Done done) {
    std::string id(c.rest);
    node_.revoke_key_async(id, [done = std::move(done), id](std::exception_ptr e) {
      if (e) return done(error_response(e));
      done(json_response(200, {{"revoked", id}}));
    }, c.grant);
  }

 private:
  Node& node_;
  Metrics& metrics_;
  const RateLimits& limits_;
};

// The route table. A path's entries (one per method) sit together; the first entry whose path
// matches names the route. GET routes answer HEAD too; every route answers a CORS preflight
// (OPTIONS) without a key. Admin routes need an X-API-KEY whose key has their action (checked
// after the method, by the node); /search and /suggest ask the node in their handler, which
// knows the sites.
// site_rules: "/sites/NAME/rules" or "/sites/NAME/rules/ID", NAME and ID without '/' (a site
// name never holds one: settings validation), listed before the "/sites/" prefix it shares.
// site_documents: "/sites/NAME/documents".
enum class Match { exact, prefix, site_rules, site_documents, web_asset };
enum class Access { open, indexer, sites, keys, curation, analytics };

struct RouteEntry {
  Match match;
  std::string_view path;    ///< the path, or the prefix before a name or id ("/jobs/")
  std::string_view method;
  Access access;
  Route id;                 ///< what metrics count it as
  void (Handler::*handle)(const Call&, Router::Done);
};

constexpr RouteEntry route_table[] = {
    {Match::exact, "/search", "GET", Access::open, Route::search, &Handler::search},
    {Match::exact, "/suggest", "GET", Access::open, Route::suggest, &Handler::suggest},
    {Match::exact, "/sites", "GET", Access::open, Route::sites, &Handler::sites},
    {Match::site_rules, "/sites/", "GET", Access::curation, Route::rules, &Handler::rule_list},
    {Match::site_rules, "/sites/", "POST", Access::curation, Route::rules, &Handler::add_rule},
    {Match::site_rules, "/sites/", "PUT", Access::curation, Route::rules, &Handler::replace_rules},
    {Match::site_rules, "/sites/", "DELETE", Access::curation, Route::rules, &Handler::remove_rule},
    {Match::site_documents, "/sites/", "POST", Access::indexer, Route::documents, &Handler::upsert_documents},
    {Match::site_documents, "/sites/", "DELETE", Access::indexer, Route::documents, &Handler::delete_documents},
    {Match::prefix, "/sites/", "PUT", Access::sites, Route::site_settings, &Handler::put_site},
    {Match::prefix, "/sites/", "DELETE", Access::sites, Route::site_settings, &Handler::remove_site},
    {Match::exact, "/health", "GET", Access::open, Route::health, &Handler::health},
    {Match::exact, "/metrics", "GET", Access::open, Route::metrics, &Handler::metrics},
    {Match::exact, "/openapi.json", "GET", Access::open, Route::openapi, &Handler::openapi},
    {Match::exact, "/indexer", "POST", Access::indexer, Route::indexer, &Handler::indexer},
    {Match::exact, "/jobs", "GET", Access::indexer, Route::jobs, &Handler::job_list},
    {Match::prefix, "/jobs/", "GET", Access::indexer, Route::jobs, &Handler::job},
    {Match::exact, "/keys", "POST", Access::keys, Route::keys, &Handler::create_key},
    {Match::exact, "/keys", "GET", Access::keys, Route::keys, &Handler::key_list},
    {Match::prefix, "/keys/", "DELETE", Access::keys, Route::keys, &Handler::revoke_key},
    {Match::exact, "/analytics", "GET", Access::analytics, Route::analytics, &Handler::analytics},
    {Match::exact, "/analytics/click", "POST", Access::open, Route::click, &Handler::click},
    {Match::web_asset, "", "GET", Access::open, Route::web, &Handler::web},  // /, /widget.js, /analytics.html, ...
};

bool matches(const RouteEntry& e, std::string_view path) {
  switch (e.match) {
    case Match::exact: return path == e.path;
    case Match::prefix: return path.starts_with(e.path);
    case Match::site_rules: {
      if (!path.starts_with(e.path)) return false;
      const auto rest = path.substr(e.path.size());
      const auto slash = rest.find('/');
      if (slash == 0 || slash == std::string_view::npos) return false;
      const auto tail = rest.substr(slash);  // "/rules" or "/rules/ID"
      if (tail == "/rules") return true;
      return tail.starts_with("/rules/") && tail.size() > 7 && tail.find('/', 7) == std::string_view::npos;
    }
    case Match::site_documents: {
      if (!path.starts_with(e.path)) return false;
      const auto rest = path.substr(e.path.size());
      const auto slash = rest.find('/');
      return slash != 0 && slash != std::string_view::npos && rest.substr(slash) == "/documents";
    }
    case Match::web_asset: return find_web_asset(path == "/index.html" ? "/" : path) != nullptr;
  }
  return false;
}

// A CORS preflight: 204 with the route's methods, or 403 for an origin not allowed (`allowed`
// empty while the request named one).
Response preflight(const std::string& methods, std::string_view origin, const std::string& allowed) {
  if (allowed.empty() && !origin.empty()) {
    return Router::error("origin_not_allowed", "origin '" + std::string(origin) + "' is not allowed");
  }
  Response r;
  r.status = 204;
  r.headers.emplace_back("Access-Control-Allow-Methods", methods + ", OPTIONS");
  r.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type, X-API-KEY");
  r.headers.emplace_back("Access-Control-Max-Age", "600");
  r.headers.emplace_back("Allow", methods + ", OPTIONS");
  return r;
}

// The sites an admin request acts on, for the node to check the key against: the site named in
// the path, /indexer's site= (or every site), none for jobs and keys.
std::vector<std::string> admin_sites(const RouteEntry& route, std::string_view rest, const Params& params,
                                     const AppSettings& settings) {
  if (route.id == Route::site_settings) return {std::string(rest)};
  if (route.id == Route::rules || route.id == Route::documents) return {std::string(rest.substr(0, rest.find('/')))};
  if (route.id == Route::analytics && params.get("site")) return {*params.get("site")};
  if (route.id != Route::indexer && route.id != Route::analytics) return {};
  if (const auto* site = params.get("site")) return {*site};
  std::vector<std::string> all;
  for (const auto& s : settings.sites) all.push_back(s.name);
  return all;
}

constexpr Action action_of(Access access) {
  switch (access) {
    case Access::indexer: return Action::indexer;
    case Access::sites: return Action::sites;
    case Access::keys: return Action::keys;
    case Access::curation: return Action::curation;
    case Access::analytics: return Action::analytics;
    case Access::open: break;
  }
  return Action::all;
}


// The rate limits, before the handler and the admin key (so guessing keys is limited too):
// search and suggest per address, admin routes per address, and any request with a key per key.
// Other routes (the web assets, health, metrics, the API description) cost next to nothing and
// are not limited. A refusal is 429 with Retry-After in whole seconds.
std::optional<Response> check_rate(RateLimits& limits, Metrics& metrics, const RouteEntry& route,
                                   const Request& request, std::chrono::steady_clock::time_point now) {
  if (!limits.enabled()) return std::nullopt;
  RateClass which;
  if (route.access != Access::open) which = RateClass::admin;
  else if (route.id == Route::search || route.id == Route::suggest || route.id == Route::click) which = RateClass::search;
  else return std::nullopt;
  const auto& proxies = limits.proxies();
  const IpAddress client = proxies.client(
      request.peer, proxies.header() == ForwardedHeader::forwarded ? request.forwarded : request.forwarded_for);
  // A request's key is charged before it is verified (guessing costs budget too) under a hash of
  // the whole credential (identity_key): one bucket per key, one per scoped token, and a wrong
  // key spends only its own bucket and its address's. The table holds the hash, never the key.
  const auto refused = limits.check(which, client, request.api_key, now);
  if (!refused) return std::nullopt;
  metrics.record_rate_limited(refused->budget);
  const auto seconds = std::max<std::int64_t>(
      1, std::chrono::ceil<std::chrono::seconds>(refused->retry_after).count());
  const std::string who = refused->budget == "key" ? "with this API key" : "from this address";
  const std::string what = refused->budget == "search" ? "search and suggest" : "admin";
  Response r = Router::error("rate_limited", "too many " + (refused->budget == "key" ? std::string("") : what + " ") +
                                                 "requests " + who + " (the " + std::string(refused->budget) +
                                                 " budget); retry in " + std::to_string(seconds) + " s");
  r.headers.emplace_back("Retry-After", std::to_string(seconds));
  return r;
}

// CORS: which origin may read the response, or empty.
std::string allowed_origin(const AppSettings& settings, std::string_view origin) {
  if (origin.empty()) return {};
  for (const auto& o : settings.cors_origins) {
    if (o == "*") return "*";
    if (o == origin) return std::string(origin);
  }
  return {};
}

}  // namespace

Response Router::error(std::string_view code, std::string_view message) {
  Response r;
  r.status = status_for(code);
  r.body = json_text(error_json(code, message));
  return r;
}

Router::Router(Node& node, std::size_t target_limit)
    : node_(node), target_limit_(target_limit), limits_(*node.settings()) {}

void Router::handle(const Request& request, Done done) {
  // The last step of every answer, now or later: CORS, metrics, then `done`.
  struct Finish {
    Router* router;
    std::chrono::steady_clock::time_point started;
    Route route = Route::other;
    std::string origin;
    Done done;
    void operator()(Response res) {
      if (!origin.empty()) {
        res.headers.emplace_back("Access-Control-Allow-Origin", origin);
        res.headers.emplace_back("Access-Control-Expose-Headers", "X-Siteseek-Num-Clamped, Retry-After");
        if (origin != "*") res.headers.emplace_back("Vary", "Origin");
      }
      router->metrics_.record(route, res.status, std::chrono::steady_clock::now() - started);
      done(std::move(res));
    }
  };
  auto finish = std::make_shared<Finish>();
  finish->router = this;
  finish->started = std::chrono::steady_clock::now();
  finish->done = std::move(done);
  // Every handler answers through this, now or later; exceptions from its synchronous part land below.
  auto later = [finish](Response res) { (*finish)(std::move(res)); };
  Response res;
  try {
    finish->origin = allowed_origin(*node_.settings(), request.origin);
    if (request.target.size() > target_limit_) {
      res = error("uri_too_long", "the request target is " + std::to_string(request.target.size()) +
                                      " bytes; the limit is " + std::to_string(target_limit_));
    } else if (auto url = boost::urls::parse_origin_form(request.target); !url) {
      res = error("bad_request", "malformed request target");
    } else {
      std::string path = url->encoded_path().decode();
      // The route's entries: the first that matches the path, and those after it for the same path.
      const RouteEntry* route = nullptr;
      const RouteEntry* chosen = nullptr;
      std::string allow;  // the route's methods, for Allow
      for (const auto& e : route_table) {
        if (route ? (e.match != route->match || e.path != route->path) : !matches(e, path)) continue;
        if (!route) route = &e;
        allow += allow.empty() ? "" : ", ";
        allow += e.method;
        if (e.method == request.method || (e.method == "GET" && request.method == "HEAD")) chosen = &e;
      }
      if (route) finish->route = request.method == "OPTIONS" ? Route::preflight : route->id;
      if (!route) {
        res = error("not_found", "no route for " + path);
      } else if (request.method == "OPTIONS") {
        res = preflight(allow, request.origin, finish->origin);
      } else if (!chosen) {
        res = error("method_not_allowed", std::string(request.method) + " is not allowed here; use " + allow);
        res.headers.emplace_back("Allow", allow + ", OPTIONS");
      } else if (auto refused = check_rate(limits_, metrics_, *chosen, request, finish->started)) {
        res = std::move(*refused);
      } else {
        Params params;
        for (auto param : url->params()) params.items.emplace_back(param.key, param.value);
        const std::string_view p = path;
        const std::string_view rest = p.substr(route->path.size());
        Grant grant;  // open routes: nobody in particular
        if (chosen->access != Access::open) {
          grant = node_.authorize(request.api_key, action_of(chosen->access),
                                  admin_sites(*chosen, rest, params, *node_.settings()));
        }
        Handler h(node_, metrics_, limits_);
        (h.*chosen->handle)(Call{request, params, p, rest, grant}, later);
        return;
      }
    }
  } catch (const Error& e) {
    res = error(e.code(), e.what());
  } catch (const std::exception& e) {
    res = error("internal_error", e.what());
  }
  (*finish)(std::move(res));
}

Response Router::handle(const Request& request) {
  auto out = std::make_shared<std::optional<Response>>();
  handle(request, [out](Response r) { *out = std::move(r); });
  // Only a queue that answers later leaves `out` empty; its answer then goes nowhere.
  if (!*out) return error("unavailable", "this route answers asynchronously");
  return std::move(**out);
}

}  // namespace siteseek::http
