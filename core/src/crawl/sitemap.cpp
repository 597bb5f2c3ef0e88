// Sitemaps (sitemaps.org): <urlset> and <sitemapindex>, plain or gzip-compressed.
#include <zlib.h>

#include <cctype>
#include <string>

#include "siteseek/crawler.hpp"

namespace siteseek {
namespace {

// Inflate a gzip body, at most `limit` bytes out (a sitemap is 50 MB at most by the protocol).
std::string gunzip(std::string_view in, std::size_t limit = 64u << 20) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return {};
  std::string out;
  char buf[64 * 1024];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK && out.size() < limit) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  return out;
}

std::string decode_entities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    static const std::pair<std::string_view, char> named[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool done = false;
    for (auto [e, c] : named) {
      if (s.compare(i, e.size(), e) == 0) {
        out += c;
        i += e.size() - 1;
        done = true;
        break;
      }
    }
    if (!done) out += '&';
  }
  return out;
}

}  // namespace

std::vector<std::string> parse_sitemap(std::string_view body, bool& is_index) {
  std::string inflated;
  if (body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f && static_cast<unsigned char>(body[1]) == 0x8b) {
    inflated = gunzip(body);
    body = inflated;
  }
  is_index = body.find("<sitemapindex") != std::string_view::npos;
  std::vector<std::string> out;
  std::size_t pos = 0;
  // A tolerant scan for <loc>…</loc> (namespaces, CDATA and whitespace allowed).
  while ((pos = body.find("<loc", pos)) != std::string_view::npos) {
    auto open_end = body.find('>', pos);
    if (open_end == std::string_view::npos) break;
    auto close = body.find("</loc>", open_end);
    if (close == std::string_view::npos) break;
    std::string_view v = body.substr(open_end + 1, close - open_end - 1);
    if (v.substr(0, 9) == "<![CDATA[" && v.size() >= 12) v = v.substr(9, v.size() - 12);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    if (!v.empty()) out.push_back(decode_entities(v));
    pos = close + 6;
  }
  return out;
}

}  // namespace siteseek
