// `siteseek query`: the stdin transport. One request per line (plain text is a query; a line
// starting with '{' is a JSON object {q, site, num, start, from_url, prefix, typo}); one JSON
// response per line, written with a single write and flushed, so a program can drive it
// interactively. A bad line gets a JSON error line and the stream goes on.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include <boost/json.hpp>

#include "cli.hpp"
#include "siteseek/error.hpp"

namespace siteseek::cli {
namespace {

void write_all(const std::string& s) {
  const char* p = s.data();
  std::size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot write to standard output");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void error_line(std::string& out, std::string_view code, std::string_view message) {
  out += "{\"error\":{\"code\":";
  append_json_string(out, code);
  out += ",\"message\":";
  append_json_string(out, message);
  out += "}}";
}

// Fill a request from a JSON object line; returns an error message or empty.
std::string from_json(std::string_view line, SearchRequest& req) {
  // The parsed tree lives in a stack buffer: no heap allocation for a line of ordinary size.
  unsigned char buffer[4096];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  auto v = boost::json::parse(line, ec, &arena);
  if (ec) return "invalid JSON: " + ec.message();
  auto* o = v.if_object();
  if (!o) return "expected a JSON object";
  for (const auto& kv : *o) {
    std::string_view k = kv.key();
    const auto& val = kv.value();
    auto text = [&](std::string& out) -> std::string {
      if (!val.is_string()) return std::string(k) + ": expected a string";
      out.assign(val.get_string().data(), val.get_string().size());  // reuses out's buffer
      return {};
    };
    auto count = [&](std::uint32_t& out) -> std::string {
      if (val.is_int64() && val.get_int64() >= 0 && val.get_int64() <= 0xFFFFFFFF) out = static_cast<std::uint32_t>(val.get_int64());
      else if (val.is_uint64() && val.get_uint64() <= 0xFFFFFFFF) out = static_cast<std::uint32_t>(val.get_uint64());
      else return std::string(k) + ": expected a non-negative integer";
      return {};
    };
    auto flag = [&](std::optional<bool>& out) -> std::string {
      if (!val.is_bool()) return std::string(k) + ": expected true or false";
      out = val.get_bool();
      return {};
    };
    std::string err;
    if (k == "q") err = text(req.q);
    else if (k == "site") err = text(req.site);
    else if (k == "from_url") err = text(req.from_url);
    else if (k == "num") err = count(req.num);
    else if (k == "start") err = count(req.start);
    else if (k == "prefix") err = flag(req.prefix);
    else if (k == "typo") err = flag(req.typo);
    else err = "unknown key '" + std::string(k) + "' (known: q, site, num, start, from_url, prefix, typo)";
    if (!err.empty()) return err;
  }
  return {};
}

}  // namespace

int run_query(Engine& engine, const std::string& site) {
  const auto& app = engine.settings();
  std::string line, out;
  // Each line's request starts as a copy of `base`; assigning into the same `req` keeps its
  // strings' buffers, so a steady stream allocates nothing here.
  SearchRequest base, req;
  base.site = site;
  base.num = app.default_num;
  std::ios::sync_with_stdio(false);
  std::uint64_t lines = 0, errors = 0;
  auto started = std::chrono::steady_clock::now();
  while (std::getline(std::cin, line)) {
    ++lines;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.clear();
    req = base;
    std::string err = !line.empty() && line.front() == '{' ? from_json(line, req) : (req.q.assign(line), std::string());
    if (!err.empty()) {
      error_line(out, "invalid_request", err);
    } else if (req.q.size() > app.max_query_length) {
      error_line(out, "query_too_long", "q is " + std::to_string(req.q.size()) + " bytes; the limit is " +
                                            std::to_string(app.max_query_length));
    } else {
      req.num = std::min(req.num, app.max_num);
      try {
        append_json(out, engine.search(req));
      } catch (const Error& e) {
        out.clear();
        error_line(out, e.code(), e.what());
      }
    }
    if (out.front() == '{' && out.compare(0, 9, "{\"error\":") == 0) ++errors;
    out += '\n';
    write_all(out);  // one write(2) per response: the reader sees whole lines, at once
  }
  log(Level::debug, "query: %llu lines, %llu errors, %.3f s", static_cast<unsigned long long>(lines),
      static_cast<unsigned long long>(errors),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return ok;
}

}  // namespace siteseek::cli
