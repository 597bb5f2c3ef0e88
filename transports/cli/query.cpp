// `siteseek query`: the stdin transport. One request per line (plain text is a query; a line
// starting with '{' is a JSON object {q, site, num, start, from_url, prefix, typo, sub_results, explain,
// filters, facets}, or {suggest, site, num} for completions as GET /suggest gives them, or
// {upsert: [documents], delete: [urls], site} for a live update as /sites/{name}/documents makes);
// one JSON response per line, written with a single write and flushed, so a program can drive it
// interactively. A bad line gets a JSON error line and the stream goes on.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

#include <boost/json.hpp>

#include "cli.hpp"
#include "siteseek/error.hpp"
#include "siteseek/json.hpp"

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
  append_json_text(out, error_json(code, message));
}

// Fill a request from a JSON object line; returns an error message or empty. A line with the key
// `suggest` asks for completions: `suggest` is set, and only `site` and `num` may come with it.
std::string from_json(std::string_view line, SearchRequest& req, std::optional<SuggestRequest>& suggest) {
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
    // Facet names: an array of strings, or one comma-separated string as HTTP's facets= is.
    auto names = [&](std::vector<std::string>& out) -> std::string {
      if (val.is_string()) {
        out = facet_list(val.get_string());
        return {};
      }
      const auto* list = val.if_array();
      if (!list) return std::string(k) + ": expected an array of strings or a comma-separated string";
      out.clear();
      for (const auto& item : *list) {
        if (!item.is_string()) return std::string(k) + ": expected an array of strings or a comma-separated string";
        out.emplace_back(item.get_string());
      }
      return {};
    };
    std::string err;
    if (k == "suggest") err = text(suggest.emplace().q);
    else if (k == "q") err = text(req.q);
    else if (k == "site") err = text(req.site);
    else if (k == "from_url") err = text(req.from_url);
    else if (k == "num") err = count(req.num);
    else if (k == "start") err = count(req.start);
    else if (k == "prefix") err = flag(req.prefix);
    else if (k == "typo") err = flag(req.typo);
    else if (k == "sub_results") err = count(req.sub_results);
    else if (k == "filters") err = text(req.filters);
    else if (k == "facets") err = names(req.facets);
    else if (k == "explain") {
      if (!val.is_bool()) err = "explain: expected true or false";
      else req.explain = val.get_bool();
    }
    else err = "unknown key '" + std::string(k) +
               "' (known: q, site, num, start, from_url, prefix, typo, sub_results, filters, facets, explain)";
    if (!err.empty()) return err;
  }
  if (suggest) {  // completions: of the search's keys, only site and num apply
    for (const auto& kv : *o)
      if (kv.key() != "suggest" && kv.key() != "site" && kv.key() != "num")
        return "unknown key '" + std::string(kv.key()) + "' with suggest (known: suggest, site, num)";
    suggest->site = req.site;
    if (o->contains("num")) suggest->num = req.num;
  }
  return {};
}

}  // namespace

int run_query(Node& node, const std::string& site) {
  std::string out;
  // Each line's request starts as a copy of `base` (the settings' defaults and --site).
  SearchRequest base = default_search_request(*node.settings()), req;
  base.site = site;
  std::uint64_t lines = 0, errors = 0;
  // {"upsert": [...], "delete": [...], "site": ...}: a live update, answered with its report.
  // Returns false for a line that is not one (a search or suggest).
  const auto update = [&](std::string_view line, std::string& out) {
    if (line.find("\"upsert\"") == std::string_view::npos && line.find("\"delete\"") == std::string_view::npos) return false;
    boost::system::error_code ec;
    const auto v = boost::json::parse(line, ec);
    const auto* object = ec ? nullptr : v.if_object();
    if (!object || (!object->contains("upsert") && !object->contains("delete"))) return false;
    const auto& o = *object;
    std::vector<Document> documents;
    std::vector<std::string> urls;
    std::string target = site;
    for (const auto& kv : o) {
      if (kv.key() == "upsert") documents = documents_from_json(kv.value(), "upsert");
      else if (kv.key() == "delete") urls = urls_from_json(kv.value(), "delete");
      else if (kv.key() == "site" && kv.value().is_string()) target = std::string(kv.value().get_string());
      else if (kv.key() == "site") throw RequestError("invalid_request", "site: expected a string");
      else throw RequestError("invalid_request", "unknown key '" + std::string(kv.key()) + "' with upsert or delete (known: upsert, delete, site)");
    }
    append_json_text(out, boost::json::value_from(node.update_documents(target, std::move(documents), urls)));
    return true;
  };
  auto started = std::chrono::steady_clock::now();

  auto answer = [&](std::string_view line) {
    ++lines;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t at = out.size();
    req = base;
    std::optional<SuggestRequest> suggest;
    const bool json = !line.empty() && line.front() == '{';
    try {
      if (json && update(line, out)) {
        // answered with the update's report
      } else if (std::string err = json ? from_json(line, req, suggest) : (req.q.assign(line), std::string()); !err.empty()) {
        error_line(out, "invalid_request", err);
      } else if (suggest) {
        append_json_text(out, boost::json::object{{"suggestions", boost::json::value_from(node.suggest(std::move(*suggest)))}});
      } else {
        node.search_json(std::move(req), out);
      }
    } catch (const Error& e) {
      out.resize(at);
      error_line(out, e.code(), e.what());
    }
    if (out.compare(at, 9, "{\"error\":") == 0) ++errors;
    out += '\n';
  };

  // Input is read in blocks; the responses to every whole line of a block are written together,
  // before reading again (at most `flush_at` bytes at a time), so nothing waits for input that
  // has not come: a program sending one line and waiting gets its answer, and a pipe full of
  // lines costs one write(2) per batch instead of one per line. A line longer than
  // `longest_line` gets an error and is skipped to its end.
  constexpr std::size_t block = 64 * 1024, flush_at = 64 * 1024, longest_line = 1 << 20;
  std::string buffer;
  std::size_t begin = 0;  // start of the line being read
  bool skipping = false;  // inside a line too long to answer
  for (;;) {
    if (begin > 0 && begin * 2 >= buffer.size()) buffer.erase(0, begin), begin = 0;
    const std::size_t had = buffer.size();
    buffer.resize(had + block);
    ssize_t n = ::read(STDIN_FILENO, buffer.data() + had, block);
    if (n < 0 && errno == EINTR) {
      buffer.resize(had);
      continue;
    }
    if (n < 0) throw IoError("cannot read standard input");
    buffer.resize(had + static_cast<std::size_t>(n));
    const bool end_of_input = n == 0;
    for (std::size_t nl; (nl = buffer.find('\n', std::max(begin, had))) != std::string::npos || end_of_input;) {
      if (nl == std::string::npos) {  // the last line has no newline
        if (begin < buffer.size() && !skipping) answer(std::string_view(buffer).substr(begin));
        begin = buffer.size();
        break;
      }
      if (skipping) skipping = false;
      else answer(std::string_view(buffer).substr(begin, nl - begin));
      begin = nl + 1;
      if (out.size() >= flush_at) write_all(out), out.clear();
    }
    if (!skipping && buffer.size() - begin > longest_line) {
      error_line(out, "line_too_long", "a line is over " + std::to_string(longest_line) + " bytes");
      out += '\n';
      ++lines, ++errors;
      skipping = true;
    }
    if (skipping) buffer.resize(begin);  // keep nothing of it
    if (!out.empty()) write_all(out), out.clear();
    if (end_of_input) break;
  }
  log(Level::debug, "query: %llu lines, %llu errors, %.3f s", static_cast<unsigned long long>(lines),
      static_cast<unsigned long long>(errors),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return ok;
}

}  // namespace siteseek::cli
