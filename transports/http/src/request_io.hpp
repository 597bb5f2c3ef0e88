#pragma once
// Between Beast's messages and the Router's Request/Response: used by the server's sessions and
// by the HTTP fuzz target (tests/fuzz/fuzz_http.cpp), so both run the same conversions.
#include <cstddef>
#include <optional>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "router.hpp"

namespace siteseek::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// The Router's view of a parsed request from `peer` (string views into `req`).
Request to_request(const BeastRequest& req, const IpAddress& peer = {});

/// An Asio address as the core's (an IPv4-mapped IPv6 address as IPv4).
IpAddress to_ip(const boost::asio::ip::address& address);

/// The error response for a request that failed to parse, or nullopt when the connection is
/// simply closed (end of stream, timeout, reset).
std::optional<Response> read_error_response(boost::beast::error_code ec, std::size_t header_limit, std::size_t body_limit);

/// The message written for `res` (Server and Content-Type headers, payload prepared; a HEAD
/// reply keeps the Content-Length of the body it leaves out).
void to_beast_response(Response res, bool keep_alive, unsigned version, bool head, BeastResponse& out);

}  // namespace siteseek::http
