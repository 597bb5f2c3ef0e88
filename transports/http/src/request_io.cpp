#include "request_io.hpp"

#include <string>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

namespace siteseek::http {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

Request to_request(const BeastRequest& req) {
  Request r;
  r.method = req.method_string();
  r.target = req.target();
  if (auto it = req.find("X-API-KEY"); it != req.end()) r.api_key = it->value();
  if (auto it = req.find(bhttp::field::origin); it != req.end()) r.origin = it->value();
  if (auto it = req.find(bhttp::field::accept_encoding); it != req.end()) r.accept_encoding = it->value();
  r.body = req.body();
  return r;
}

std::optional<Response> read_error_response(beast::error_code ec, std::size_t header_limit, std::size_t body_limit) {
  if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == net::error::connection_reset || ec == net::error::eof || ec == net::error::bad_descriptor) {
    return std::nullopt;
  }
  if (ec == bhttp::error::header_limit) {
    return Router::error("header_too_large", "request line and headers exceed " + std::to_string(header_limit) + " bytes");
  }
  if (ec == bhttp::error::body_limit) {
    return Router::error("payload_too_large", "the request body exceeds " + std::to_string(body_limit) + " bytes");
  }
  return Router::error("bad_request", "malformed HTTP request: " + ec.message());
}

void to_beast_response(Response res, bool keep_alive, unsigned version, bool head, BeastResponse& out) {
  out.version(version);
  out.result(res.status);
  out.set(bhttp::field::server, "siteseek");
  if (res.status != 204) out.set(bhttp::field::content_type, res.content_type);
  for (auto& [k, v] : res.headers) out.insert(k, v);
  out.keep_alive(keep_alive);
  out.body() = std::move(res.body);
  out.prepare_payload();
  if (head) out.body().clear();
}

}  // namespace siteseek::http
