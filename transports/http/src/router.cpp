// The route table, request parameters, and the one table that maps error codes to statuses.
#include "router.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>

#include <boost/url/parse.hpp>

#include "json_out.hpp"
#include "siteseek/error.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/jobs.hpp"
#include "siteseek/node.hpp"
#include "siteseek/policy.hpp"

namespace siteseek::http {

std::string_view openapi_document();
struct WebAsset {
  std::string_view path, content_type, body;
};
const WebAsset* find_web_asset(std::string_view path);

namespace {

// Error codes -> HTTP statuses: the one place where core and transport errors meet HTTP.
struct StatusOf {
  std::string_view code;
  unsigned status;
};
constexpr StatusOf status_table[] = {
    {"missing_parameter", 400}, {"invalid_parameter", 400}, {"invalid_query", 400}, {"unknown_site", 400},
    {"bad_request", 400},       {"invalid_config", 400},    {"unauthorized", 401},  {"admin_disabled", 403},
    {"origin_not_allowed", 403}, {"not_found", 404},        {"method_not_allowed", 405},
    {"payload_too_large", 413}, {"uri_too_long", 414},      {"query_too_long", 414},
    {"header_too_large", 431},  {"not_supported", 501},     {"unavailable", 503},    {"no_index", 503},
    {"redis_unavailable", 503}, {"redis_error", 502},
};

unsigned status_for(std::string_view code) {
  for (const auto& e : status_table) {
    if (e.code == code) return e.status;
  }
  return 500;
}

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

// Constant-time comparison: the time taken does not depend on where the strings differ.
bool same_secret(std::string_view given, std::string_view expected) {
  std::size_t n = std::max(given.size(), expected.size());
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char a = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    unsigned char b = i < expected.size() ? static_cast<unsigned char>(expected[i]) : 0;
    diff |= static_cast<unsigned char>(a ^ b);
  }
  return diff == 0;
}

std::string iso8601(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Response json_response(unsigned status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

void write_report(std::string& out, const IngestReport& r) {
  out += "{\"pages_fetched\":";
  json_number(out, r.pages_fetched);
  out += ",\"pages_indexed\":";
  json_number(out, r.pages_indexed);
  out += ",\"pages_unchanged\":";
  json_number(out, r.pages_unchanged);
  out += ",\"documents\":";
  json_number(out, r.documents);
  out += ",\"duration_ms\":";
  json_number(out, static_cast<std::uint64_t>(r.duration.count()));
  out += ",\"skipped\":[";
  for (std::size_t i = 0; i < r.skipped.size(); ++i) {
    out += i ? ",{\"url\":" : "{\"url\":";
    json_string(out, r.skipped[i].url);
    out += ",\"reason\":";
    json_string(out, r.skipped[i].reason);
    out += '}';
  }
  out += "],\"failed\":[";
  for (std::size_t i = 0; i < r.failed.size(); ++i) {
    out += i ? ",{\"url\":" : "{\"url\":";
    json_string(out, r.failed[i].url);
    out += ",\"error\":";
    json_string(out, r.failed[i].error);
    out += '}';
  }
  out += "]}";
}

void write_job(std::string& out, const Job& job) {
  out += "{\"id\":";
  json_string(out, job.id);
  out += ",\"site\":";
  json_string(out, job.site);
  out += ",\"status\":";
  json_string(out, to_string(job.status));
  out += ",\"created_at\":";
  json_string(out, iso8601(job.created_at));
  out += ",\"started_at\":";
  if (job.started_at) json_string(out, iso8601(*job.started_at));
  else out += "null";
  out += ",\"ended_at\":";
  if (job.ended_at) json_string(out, iso8601(*job.ended_at));
  else out += "null";
  out += ",\"progress\":{\"fetched\":";
  json_number(out, job.progress.fetched);
  out += ",\"queued\":";
  json_number(out, job.progress.queued);
  out += ",\"documents\":";
  json_number(out, job.progress.documents);
  out += ",\"errors\":";
  json_number(out, job.progress.errors);
  out += "},\"report\":";
  if (job.report) write_report(out, *job.report);
  else out += "null";
  out += ",\"error\":";
  if (job.status == JobStatus::failed) json_string(out, job.error);
  else out += "null";
  out += ",\"worker\":";
  if (job.worker.empty()) out += "null";
  else json_string(out, job.worker);
  out += ",\"attempts\":";
  json_number(out, job.attempts);
  out += '}';
}

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

class Handler {
 public:
  using Done = Router::Done;
  Handler(Node& node, Metrics& metrics) : node_(node), metrics_(metrics) {}

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
    for (auto [name, field] : {std::pair{"prefix", &req.prefix}, std::pair{"typo", &req.typo}}) {
      if (auto* v = p.get(name)) {
        if (*v == "true" || *v == "1") *field = true;
        else if (*v == "false" || *v == "0") *field = false;
        else return Router::error("invalid_parameter", std::string(name) + " must be true or false, got '" + *v + "'");
      }
    }
    // Copied into every result: invalid UTF-8 in them would make the whole answer invalid JSON.
    if (auto* t = p.get("highlight_pre_tag")) req.highlight_pre_tag = valid_utf8(*t);
    if (auto* t = p.get("highlight_post_tag")) req.highlight_post_tag = valid_utf8(*t);
    return std::nullopt;
  }

  void search(const Params& p, Done done) {
    SearchRequest req;
    if (auto bad = search_request(p, req)) return done(std::move(*bad));
    const auto max_num = node_.settings()->max_num;
    // The clamp header is known only once the node applied its policy: the answer's own headers.
    node_.search_json_async(std::move(req), [done = std::move(done), &metrics = metrics_, max_num](
                                                std::exception_ptr e, std::string json, SearchOutcome outcome) {
      if (e) return done(error_response(e));
      metrics.record_search(outcome.total == 0);
      Response r = json_response(200, std::move(json));
      if (outcome.notes.num_clamped) r.headers.emplace_back("X-Siteseek-Num-Clamped", std::to_string(max_num));
      done(std::move(r));
    });
  }

  Response suggest(const Params& p) {
    const std::string* q = p.get("q");
    if (!q) return Router::error("missing_parameter", "the query parameter 'q' is required");
    SuggestRequest req;
    req.q = *q;
    if (auto* s = p.get("site")) req.site = *s;
    if (auto* n = p.get("num"); n && !parse_uint(*n, req.num)) {
      return Router::error("invalid_parameter", "num must be a non-negative integer");
    }
    std::string out = "{\"suggestions\":[";
    auto list = node_.suggest(std::move(req));
    for (std::size_t i = 0; i < list.size(); ++i) {
      out += i ? ",{\"text\":" : "{\"text\":";
      json_string(out, list[i].text);
      out += ",\"url\":";
      if (list[i].url.empty()) out += "null";
      else json_string(out, list[i].url);
      out += '}';
    }
    out += "]}";
    return json_response(200, std::move(out));
  }

  Response sites() {
    std::string out = "{\"sites\":[";
    auto list = node_.sites();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& s = list[i];
      out += i ? ",{\"name\":" : "{\"name\":";
      json_string(out, s.name);
      out += ",\"url\":";
      json_string(out, s.url);
      out += ",\"has_index\":";
      out += s.has_index ? "true" : "false";
      out += ",\"documents\":";
      json_number(out, s.documents);
      out += ",\"terms\":";
      json_number(out, s.terms);
      out += ",\"memory_bytes\":";
      json_number(out, s.memory_bytes);
      out += ",\"built_at\":";
      if (s.has_index) json_string(out, iso8601(s.built_at));
      else out += "null";
      out += ",\"snapshot_version\":";
      json_number(out, s.snapshot_version);
      out += '}';
    }
    out += "],\"default_site\":";
    json_string(out, node_.engine().default_site());
    out += '}';
    return json_response(200, std::move(out));
  }

  Response health() {
    auto h = node_.health();
    if (!h.code.empty()) return Router::error(h.code, h.message);
    return json_response(200, "{\"status\":\"ok\"}");
  }

  // Admin: the X-API-KEY header must match; no configured key disables the endpoints.
  std::optional<Response> check_admin(std::string_view key) {
    const auto settings = node_.settings();
    const auto& expected = settings->api_key;
    if (expected.empty()) {
      return Router::error("admin_disabled", "admin endpoints are disabled: no api_key is configured");
    }
    if (key.empty()) return Router::error("unauthorized", "missing X-API-KEY header");
    if (!same_secret(key, expected.value)) return Router::error("unauthorized", "wrong X-API-KEY");
    return std::nullopt;
  }

  // Admin routes answer through `done`: a Redis-backed queue answers later, on another thread.
  void indexer(const Params& p, Done done) {
    std::vector<std::string> sites;
    const auto settings = node_.settings();
    if (auto* s = p.get("site")) {
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
      node_.jobs().submit_async(sites[i], [g, i](std::exception_ptr e, Job job) {
        std::unique_lock lock(g->m);
        if (e && !g->error) g->error = e;
        g->ids[i] = std::move(job.id);
        if (--g->left > 0) return;
        lock.unlock();
        if (g->error) return g->done(error_response(g->error));
        std::string out = "{\"jobs\":[";
        for (std::size_t k = 0; k < g->ids.size(); ++k) {
          if (k) out += ',';
          json_string(out, g->ids[k]);
        }
        out += "]}";
        g->done(json_response(202, std::move(out)));
      });
    }
  }

  void job(std::string_view id, Done done) {
    node_.jobs().find_async(std::string(id), [done = std::move(done), id = std::string(id)](std::exception_ptr e, std::optional<Job> j) {
      if (e) return done(error_response(e));
      if (!j) return done(Router::error("not_found", "no job with id '" + id + "'"));
      std::string out;
      write_job(out, *j);
      done(json_response(200, std::move(out)));
    });
  }

  void job_list(Done done) {
    node_.jobs().recent_async(100, [done = std::move(done)](std::exception_ptr e, std::vector<Job> list) {
      if (e) return done(error_response(e));
      std::string out = "{\"jobs\":[";
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (i) out += ',';
        write_job(out, list[i]);
      }
      out += "]}";
      done(json_response(200, std::move(out)));
    });
  }

 private:
  Node& node_;
  Metrics& metrics_;
};

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
  r.body = "{\"error\":{\"code\":";
  json_string(r.body, code);
  r.body += ",\"message\":";
  json_string(r.body, valid_utf8(message));  // it may quote the request: keep the JSON valid UTF-8
  r.body += "}}";
  return r;
}

Router::Router(Node& node, std::size_t target_limit) : node_(node), target_limit_(target_limit) {}

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
        res.headers.emplace_back("Access-Control-Expose-Headers", "X-Siteseek-Num-Clamped");
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
  // An asynchronous route hands this on; exceptions from its first, synchronous part land below.
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
      Params params;
      for (auto param : url->params()) params.items.emplace_back(param.key, param.value);
      Handler h(node_, metrics_);
      const bool get = request.method == "GET" || request.method == "HEAD";
      const bool post = request.method == "POST";
      Route& route = finish->route;
      // Preflight and wrong methods are answered here; nullopt: go on with the route.
      auto gate = [&](bool ok, std::string_view allow) -> std::optional<Response> {
        if (request.method == "OPTIONS") {
          route = Route::preflight;
          if (finish->origin.empty() && !request.origin.empty()) {
            return error("origin_not_allowed", "origin '" + std::string(request.origin) + "' is not allowed");
          }
          Response r;
          r.status = 204;
          r.headers.emplace_back("Access-Control-Allow-Methods", std::string(allow) + ", OPTIONS");
          r.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type, X-API-KEY");
          r.headers.emplace_back("Access-Control-Max-Age", "600");
          r.headers.emplace_back("Allow", std::string(allow) + ", OPTIONS");
          return r;
        }
        if (!ok) {
          Response r = error("method_not_allowed", std::string(request.method) + " is not allowed here; use " + std::string(allow));
          r.headers.emplace_back("Allow", std::string(allow) + ", OPTIONS");
          return r;
        }
        return std::nullopt;
      };
      auto only = [&](bool ok, std::string_view allow, auto&& run) -> Response {
        if (auto r = gate(ok, allow)) return std::move(*r);
        return Response(run());
      };
      if (path == "/search") {
        route = Route::search;
        if (auto r = gate(get, "GET")) {
          res = std::move(*r);
        } else {
          h.search(params, later);
          return;
        }
      } else if (path == "/suggest") {
        route = Route::suggest;
        res = only(get, "GET", [&] { return h.suggest(params); });
      } else if (path == "/sites") {
        route = Route::sites;
        res = only(get, "GET", [&] { return h.sites(); });
      } else if (path == "/health") {
        route = Route::health;
        res = only(get, "GET", [&] { return h.health(); });
      } else if (path == "/metrics") {
        route = Route::metrics;
        res = only(get, "GET", [&] {
          Response r;
          r.content_type = "text/plain; version=0.0.4; charset=utf-8";
          r.body = metrics_.render(node_);
          return r;
        });
      } else if (path == "/openapi.json") {
        route = Route::openapi;
        res = only(get, "GET", [&] { return json_response(200, std::string(openapi_document())); });
      } else if (path == "/indexer" || path == "/jobs" || path.rfind("/jobs/", 0) == 0) {
        const bool indexer = path == "/indexer";
        route = indexer ? Route::indexer : Route::jobs;
        if (auto r = gate(indexer ? post : get, indexer ? "POST" : "GET")) {
          res = std::move(*r);
        } else if (auto denied = h.check_admin(request.api_key)) {
          res = std::move(*denied);
        } else {
          if (indexer) h.indexer(params, later);
          else if (path == "/jobs") h.job_list(later);
          else h.job(std::string_view(path).substr(6), later);
          return;
        }
      } else if (const WebAsset* asset = find_web_asset(path == "/index.html" ? "/" : path)) {
        route = Route::web;
        res = only(get, "GET", [&] {
          Response r;
          r.content_type = std::string(asset->content_type);
          r.body = std::string(asset->body);
          r.headers.emplace_back("Cache-Control", "public, max-age=300");
          r.headers.emplace_back("X-Content-Type-Options", "nosniff");
          return r;
        });
      } else {
        res = error("not_found", "no route for " + path);
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
