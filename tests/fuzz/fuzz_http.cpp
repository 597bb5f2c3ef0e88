// libFuzzer target: any bytes as an HTTP/1.1 request stream, parsed with Beast under the server's
// limits, each complete request answered by the router over a small real engine and an in-process
// job queue. Must not crash, hang or leak; every answer must be well formed: a status the server
// documents, and a JSON error body {"error":{"code","message"}} on every 4xx/5xx.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "router.hpp"
#include "siteseek/engine.hpp"
#include "siteseek/jobs.hpp"

namespace bhttp = boost::beast::http;

namespace {

struct World {
  siteseek::Engine engine;
  siteseek::JobRunner jobs;
  siteseek::http::Router router;
  static siteseek::AppSettings settings() {
    siteseek::AppSettings app;
    app.api_key.value = "fuzz-key";
    app.cors_origins = {"https://docs.example.org"};
    app.max_num = 20;
    siteseek::SiteSettings site;
    site.name = "fz";
    site.url = "https://docs.example.org/";
    site.synonyms = {{"install", "setup"}};
    app.sites.push_back(site);
    return app;
  }
  World()
      : engine(settings()),
        // Jobs fail at once (nothing to crawl in a fuzzer): the queue's paths still run.
        jobs([](const std::string& site, const siteseek::ProgressCallback&) -> siteseek::IngestReport {
          throw siteseek::IoError("no network in the fuzzer for " + site);
        }),
        router(engine, &jobs, 8 * 1024) {
    std::vector<siteseek::Document> docs;
    for (int i = 0; i < 4; ++i) {
      siteseek::Document d;
      d.url = d.id = "https://docs.example.org/p" + std::to_string(i) + ".html";
      d.title = "Install page " + std::to_string(i);
      d.body = "Install with pip; configure os.path.join and <script>alert(1)</script> café.";
      docs.push_back(d);
    }
    engine.publish("fz", engine.build("fz", docs));
  }
};

World& world() {
  static World* w = new World();
  return *w;
}

bool documented(unsigned status) {
  for (unsigned s : {200u, 202u, 204u, 400u, 401u, 403u, 404u, 405u, 413u, 414u, 431u, 502u, 503u})
    if (s == status) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Pipelined requests: parse one after another from the same buffer, as a session does.
  for (int n = 0; n < 8 && !input.empty(); ++n) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(1024 * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    std::size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
    if (ec == bhttp::error::need_more) {
      parser.put_eof(ec);
      if (ec) return 0;
    } else if (ec) {
      return 0;  // the session answers 400/413/431 and closes
    }
    if (!parser.is_done()) return 0;
    input.remove_prefix(used);
    auto& req = parser.get();
    siteseek::http::Request r;
    r.method = req.method_string();
    r.target = req.target();
    if (auto it = req.find("X-API-KEY"); it != req.end()) r.api_key = it->value();
    if (auto it = req.find(bhttp::field::origin); it != req.end()) r.origin = it->value();
    r.body = req.body();
    auto res = world().router.handle(r);
    if (!documented(res.status)) std::abort();
    if (res.status >= 400) {
      boost::system::error_code jec;
      auto v = boost::json::parse(res.body, jec);
      const auto* e = jec ? nullptr : v.if_object() ? v.as_object().if_contains("error") : nullptr;
      if (!e || !e->is_object() || !e->as_object().contains("code") || !e->as_object().contains("message")) std::abort();
    }
  }
  return 0;
}
