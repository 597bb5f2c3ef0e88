#include "request_io.hpp"

#include <algorithm>
#include <string>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

namespace siteseek::http {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {
// Every line of a header, joined by ", " as one list (a proxy may add its own line).
std::string joined(const BeastRequest& req, std::string_view name) {
  std::string out;
  for (auto [it, end] = req.equal_range(name); it != end; ++it) {
    if (!out.empty()) out += ", ";
    out += it->value();
  }
  return out;
}
}  // namespace

IpAddress to_ip(const net::ip::address& address) {
  IpAddress out;
  if (address.is_v4()) {
    const auto b = address.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.bytes.begin());
  } else if (const auto v6 = address.to_v6(); v6.is_v4_mapped()) {
    const auto b = v6.to_bytes();
    std::copy(b.begin() + 12, b.end(), out.bytes.begin());
  } else {
    const auto b = v6.to_bytes();
    std::copy(b.begin(), b.end(), out.bytes.begin());
    out.v4 = false;
  }
  return out;
}

Request to_request(const BeastRequest& req, const IpAddress& peer) {
  Request r;
  r.peer = peer;
  r.forwarded_for = joined(req, "X-Forwarded-For");
  r.forwarded = joined(req, "Forwarded");
  r.method = req.method_string();
  r.target = req.target();
  if (auto it = req.find("X-API-KEY"); it != req.end()) r.api_key = it->value();
  if (auto it = req.find(bhttp::field::origin); it != req.end()) r.origin = it->value();
  if (auto it = req.find(bhttp::field::accept_encoding); it != req.end()) r.accept_encoding = it->value();
  if (auto it = req.find(bhttp::field::content_type); it != req.end()) r.content_type = it->value();
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
