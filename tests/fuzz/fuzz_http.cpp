// libFuzzer target: any bytes as what a client sends on one connection. Each request is parsed
// by Beast with the server's default limits, answered by the server's Router (against a real
// engine over the fixture site, with a real job runner reindexing it), and the reply is written
// as the server would write it. The reply must be well-formed: a status from the known set, a
// message Beast reads back, JSON bodies that parse, and error bodies {"error":{code,message}}.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "request_io.hpp"
#include "router.hpp"
#include "siteseek/node.hpp"
#include "siteseek/http/server.hpp"

namespace {
namespace bhttp = boost::beast::http;

struct World {
  siteseek::Node* node;
  siteseek::http::Router* router;
};

World& world() {
  static World w = [] {
    siteseek::AppSettings app;
    // Snapshots written by POST /indexer go to the build tree (libFuzzer may end the process
    // without running exit handlers, so nothing is left in /tmp).
    app.data_dir = SITESEEK_FUZZ_DATA_DIR;
    app.api_key.value = "fuzz-key";
    app.cors_origins = {"https://docs.example.org"};
    app.max_query_length = 256;
    siteseek::SiteSettings site;
    site.name = "ex";
    site.url = "https://docs.example.org/";
    site.directory = SITESEEK_FIXTURE_SITE;
    site.title_separators = {" | "};
    site.synonyms = {{"setup", "install"}};
    app.sites.push_back(site);
    auto* node = new siteseek::Node(app);
    node->reindex("ex");
    auto* router = new siteseek::http::Router(*node, siteseek::http::ServerOptions{}.target_limit);
    return World{node, router};
  }();
  return w;
}

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_http: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check(const siteseek::http::Response& res, bool head) {
  bool known = false;
  for (unsigned s : siteseek::http::Metrics::statuses) known |= s == res.status;
  if (!known) fail("status outside the known set", std::to_string(res.status) + " " + res.body);

  siteseek::http::BeastResponse msg;
  siteseek::http::to_beast_response(res, false, 11, head, msg);
  std::ostringstream wire;
  wire << msg;
  std::string bytes = wire.str();
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.body_limit(64u << 20);
  parser.skip(head || res.status == 204);
  boost::beast::error_code ec;
  std::size_t used = parser.put(boost::asio::buffer(bytes), ec);
  if (ec == bhttp::error::need_more) {
    ec = {};
    parser.put_eof(ec);
  }
  if (ec || !parser.is_done() || used != bytes.size()) {
    fail("reply does not parse back", (ec ? ec.message() : std::string("incomplete")) + ": " + bytes.substr(0, 300));
  }
  if (parser.get().result_int() != res.status) fail("reply status changed on the wire", std::to_string(res.status));

  if (res.status == 204) {
    if (!res.body.empty()) fail("204 with a body", res.body);
    return;
  }
  if (res.content_type != "application/json") return;
  auto json = boost::json::parse(res.body, ec);
  if (ec) fail("JSON body does not parse", res.body.substr(0, 200));
  if (res.status >= 400) {
    const auto* obj = json.if_object();
    const auto* err = obj ? obj->if_contains("error") : nullptr;
    const auto* eo = err ? err->if_object() : nullptr;
    if (!eo || !eo->if_contains("code") || !eo->at("code").is_string() || !eo->if_contains("message") ||
        !eo->at("message").is_string()) {
      fail("error body without error.code and error.message", res.body.substr(0, 200));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (2u << 20)) return 0;
  World& w = world();
  const siteseek::http::ServerOptions limits;
  std::size_t off = 0;
  // Up to 8 pipelined requests, as a session reads them one after another.
  for (int n = 0; n < 8; ++n) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    parser.body_limit(limits.body_limit);
    boost::beast::error_code ec;
    while (!parser.is_done()) {
      std::size_t used = parser.put(boost::asio::const_buffer(data + off, size - off), ec);
      off += used;
      if (ec == bhttp::error::need_more) {
        ec = {};
        parser.put_eof(ec);  // all the bytes there are have been offered: the client stopped sending
        break;
      }
      if (ec || used == 0) break;
    }
    if (ec || !parser.is_done()) {
      if (!ec) return 0;
      if (auto res = siteseek::http::read_error_response(ec, limits.header_limit, limits.body_limit)) check(*res, false);
      return 0;
    }
    const auto& req = parser.get();
    auto res = w.router->handle(siteseek::http::to_request(req));
    check(res, req.method() == bhttp::verb::head);
    if (!req.keep_alive()) return 0;
  }
  return 0;
}
