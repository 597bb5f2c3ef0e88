// Sitemaps (sitemaps.org): <urlset> and <sitemapindex>, plain or gzip-compressed, read with expat
// as a stream (the inflated body is never held whole).
#include <expat.h>
#include <zlib.h>

#include <cctype>
#include <chrono>
#include <string>

#include "crawl/text.hpp"
#include "siteseek/crawler.hpp"

namespace siteseek {
namespace {

// Without namespace processing: a sitemap whose extension prefixes are not declared (seen in the
// wild) is still read. Elements are recognised by their local name and depth, and must share the
// root's prefix, so an extension's <image:loc> (depth 4, another prefix) is never a page.
struct Reader {
  XML_Parser parser = nullptr;
  SitemapContents out;
  int depth = 0;
  std::string prefix;        // the root element's prefix ("" or "sm:")
  bool recognised = false;   // the root is urlset or sitemapindex
  std::string loc, lastmod;  // of the current <url>/<sitemap>
  std::string* text = nullptr;
  bool stopped = false;

  void stop(std::string why) {
    if (out.error.empty()) out.error = std::move(why);
    stopped = true;
    XML_StopParser(parser, XML_FALSE);
  }
  // The local name of `name` when it has the root's prefix, else "".
  std::string_view local(std::string_view name) const {
    if (name.substr(0, prefix.size()) != prefix) return {};
    name.remove_prefix(prefix.size());
    return name.find(':') == std::string_view::npos ? name : std::string_view{};
  }

  static void on_start(void* data, const XML_Char* name, const XML_Char**) {
    auto& r = *static_cast<Reader*>(data);
    const std::string_view n(name);
    ++r.depth;
    if (r.depth == 1) {
      const auto colon = n.find(':');
      r.prefix = colon == std::string_view::npos ? "" : std::string(n.substr(0, colon + 1));
      const auto l = r.local(n);
      r.out.is_index = l == "sitemapindex";
      r.recognised = r.out.is_index || l == "urlset";
      if (!r.recognised) r.stop("the root element is <" + std::string(n) + ">, not <urlset> or <sitemapindex>");
    } else if (r.depth == 2) {
      r.loc.clear(), r.lastmod.clear();
    } else if (r.depth == 3) {
      const auto l = r.local(n);
      if (l == "loc") r.text = &r.loc;
      else if (l == "lastmod") r.text = &r.lastmod;
    }
  }
  static void on_end(void* data, const XML_Char* name) {
    auto& r = *static_cast<Reader*>(data);
    if (r.depth == 3) r.text = nullptr;
    if (r.depth == 2 && r.local(name) == (r.out.is_index ? "sitemap" : "url")) r.entry();
    --r.depth;
  }
  static void on_text(void* data, const XML_Char* s, int len) {
    auto& r = *static_cast<Reader*>(data);
    if (r.text && r.text->size() < 8192) r.text->append(s, static_cast<std::size_t>(len));
  }
  static void on_doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<Reader*>(data)->stop("a document type declaration (sitemaps have none; not read)");
  }

  void entry() {
    const auto l = detail::trim(loc);
    if (l.empty()) return;
    if (out.entries.size() >= max_sitemap_entries) {
      return stop("more than " + std::to_string(max_sitemap_entries) + " entries: the rest were not read");
    }
    const auto m = detail::trim(lastmod);
    auto when = parse_w3c_datetime(m);
    // A date without a time means any moment of its day (month, year): its last second.
    if (when) *when += m.size() == 10 ? 86400 - 1 : m.size() == 7 ? 31 * 86400 - 1 : m.size() == 4 ? 366 * 86400 - 1 : 0;
    out.entries.push_back({std::string(l), when});
  }

  // Feed one chunk; false once reading has stopped (an error, or a bound).
  bool feed(const char* data, std::size_t size, bool last) {
    if (stopped) return false;
    if (XML_Parse(parser, data, static_cast<int>(size), last) == XML_STATUS_ERROR) {
      if (out.error.empty()) {
        out.error = std::string("malformed XML at line ") + std::to_string(XML_GetCurrentLineNumber(parser)) + ": " +
                    XML_ErrorString(XML_GetErrorCode(parser));
      }
      stopped = true;
    }
    return !stopped;
  }
};

bool gzipped(std::string_view body) {
  return body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f && static_cast<unsigned char>(body[1]) == 0x8b;
}

// Inflate `in` chunk by chunk into the reader, at most max_sitemap_bytes out.
void inflate_into(Reader& r, std::string_view in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return r.stop("cannot inflate the gzip body");
  char buf[64 * 1024];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::size_t total = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      r.stop("the gzip body is corrupt or truncated");
      break;
    }
    const std::size_t n = sizeof buf - z.avail_out;
    total += n;
    if (total > max_sitemap_bytes) {
      r.stop("larger than " + std::to_string(max_sitemap_bytes >> 20) + " MiB once inflated");
      break;
    }
    if (!r.feed(buf, n, rc == Z_STREAM_END)) break;
  }
  inflateEnd(&z);
}

}  // namespace

SitemapContents parse_sitemap(std::string_view body) {
  Reader r;
  r.parser = XML_ParserCreate(nullptr);
  if (!r.parser) {
    r.out.error = "out of memory";
    return std::move(r.out);
  }
  XML_SetUserData(r.parser, &r);
  XML_SetElementHandler(r.parser, &Reader::on_start, &Reader::on_end);
  XML_SetCharacterDataHandler(r.parser, &Reader::on_text);
  XML_SetStartDoctypeDeclHandler(r.parser, &Reader::on_doctype);
  XML_SetParamEntityParsing(r.parser, XML_PARAM_ENTITY_PARSING_NEVER);
  if (gzipped(body)) {
    inflate_into(r, body);
  } else if (body.size() > max_sitemap_bytes) {
    r.stop("larger than " + std::to_string(max_sitemap_bytes >> 20) + " MiB");
  } else {
    for (std::size_t at = 0; !r.stopped;) {
      const std::size_t n = std::min<std::size_t>(body.size() - at, 1u << 20);
      if (!r.feed(body.data() + at, n, at + n == body.size())) break;
      at += n;
      if (at == body.size()) break;
    }
  }
  XML_ParserFree(r.parser);
  return std::move(r.out);
}

std::optional<std::int64_t> parse_w3c_datetime(std::string_view t) {
  auto digits = [&](std::size_t at, std::size_t n, int& v) {
    if (at + n > t.size()) return false;
    v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
      v = v * 10 + (t[i] - '0');
    }
    return true;
  };
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  if (!digits(0, 4, year)) return std::nullopt;
  std::size_t at = 4;
  if (at < t.size()) {
    if (t[at] != '-' || !digits(at + 1, 2, month)) return std::nullopt;
    at += 3;
  }
  if (at < t.size()) {
    if (t[at] != '-' || !digits(at + 1, 2, day)) return std::nullopt;
    at += 3;
  }
  std::int64_t offset = 0;
  if (at < t.size()) {
    if (t[at] != 'T' || !digits(at + 1, 2, hour) || at + 3 >= t.size() || t[at + 3] != ':' || !digits(at + 4, 2, minute)) {
      return std::nullopt;
    }
    at += 6;
    if (at < t.size() && t[at] == ':') {
      if (!digits(at + 1, 2, second)) return std::nullopt;
      at += 3;
      if (at < t.size() && t[at] == '.') {
        ++at;
        const std::size_t begin = at;
        while (at < t.size() && std::isdigit(static_cast<unsigned char>(t[at]))) ++at;
        if (at == begin) return std::nullopt;
      }
    }
    // The time zone designator is required with a time.
    if (at == t.size()) return std::nullopt;
    if (t[at] == 'Z') {
      ++at;
    } else if (t[at] == '+' || t[at] == '-') {
      int oh = 0, om = 0;
      if (!digits(at + 1, 2, oh) || at + 3 >= t.size() || t[at + 3] != ':' || !digits(at + 4, 2, om) || oh > 23 || om > 59) {
        return std::nullopt;
      }
      offset = (t[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
      at += 6;
    } else {
      return std::nullopt;
    }
    if (at != t.size()) return std::nullopt;
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  const auto days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  return static_cast<std::int64_t>(days) * 86400 + hour * 3600 + minute * 60 + second - offset;
}

}  // namespace siteseek
