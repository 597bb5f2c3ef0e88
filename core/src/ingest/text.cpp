#include "ingest/text.hpp"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <boost/url/parse.hpp>

#include "siteseek/ingest.hpp"

namespace siteseek::ingest_detail {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {

// <meta charset="x"> or <meta http-equiv="Content-Type" content="text/html; charset=x"> in the
// first bytes of the document, as browsers look for it.
std::string sniff_meta_charset(std::string_view html) {
  std::string head = lower(html.substr(0, 4096));
  std::size_t pos = 0;
  while ((pos = head.find("charset", pos)) != std::string::npos) {
    pos += 7;
    std::size_t i = pos;
    while (i < head.size() && (head[i] == ' ' || head[i] == '=' || head[i] == '"' || head[i] == '\'')) {
      if (head[i] == '=') {
        ++i;
        while (i < head.size() && (head[i] == ' ' || head[i] == '"' || head[i] == '\'')) ++i;
        std::size_t start = i;
        while (i < head.size() && (std::isalnum(static_cast<unsigned char>(head[i])) || head[i] == '-' || head[i] == '_' ||
                                   head[i] == ':' || head[i] == '.')) {
          ++i;
        }
        if (i > start) return head.substr(start, i - start);
        break;
      }
      ++i;
    }
  }
  return {};
}

bool is_utf8_name(const std::string& c) { return c.empty() || c == "utf-8" || c == "utf8" || c == "us-ascii" || c == "ascii"; }


}  // namespace

std::string to_utf8(std::string_view html, std::string charset) {
  charset = lower(charset);
  if (charset.empty()) charset = sniff_meta_charset(html);
  if (charset == "iso-8859-1" || charset == "latin1" || charset == "ascii" || charset == "us-ascii") {
    charset = "windows-1252";  // what browsers do, per the WHATWG encoding standard
  }
  if (is_utf8_name(charset)) return siteseek::valid_utf8(html);
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return siteseek::valid_utf8(html);  // unknown charset: read as UTF-8
  std::string out;
  out.resize(html.size() * 3 + 16);
  char* in = const_cast<char*>(html.data());
  std::size_t in_left = html.size();
  char* dst = out.data();
  std::size_t out_left = out.size();
  while (in_left > 0) {
    if (iconv(cd, &in, &in_left, &dst, &out_left) != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      std::size_t used = dst - out.data();
      out.resize(out.size() * 2);
      dst = out.data() + used;
      out_left = out.size() - used;
    } else {  // EILSEQ / EINVAL: one bad byte becomes U+FFFD
      if (out_left < 3) {
        std::size_t used = dst - out.data();
        out.resize(out.size() * 2);
        dst = out.data() + used;
        out_left = out.size() - used;
      }
      std::memcpy(dst, "\xEF\xBF\xBD", 3);
      dst += 3;
      out_left -= 3;
      ++in;
      --in_left;
    }
  }
  out.resize(dst - out.data());
  iconv_close(cd);
  return out;
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string section_key(const std::string& url, const std::string& root) {
  auto u = boost::urls::parse_uri_reference(url);
  auto r = boost::urls::parse_uri_reference(root);
  if (!u) return {};
  std::string path = u->encoded_path().decode();
  std::string root_path = r ? std::string(r->encoded_path().decode()) : std::string();
  if (!root_path.empty() && path.rfind(root_path, 0) == 0) {
    path = path.substr(root_path.size());
  }
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  return path.substr(0, path.find('/'));
}

std::string percent_encode(std::string_view s, std::string_view safe, bool keep_escapes) {
  static constexpr char hex[] = "0123456789ABCDEF";
  auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const bool escape = keep_escapes && c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2]);
    if (escape || std::isalnum(c) || safe.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace siteseek::ingest_detail

namespace siteseek {

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    int len = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 3) {
      unsigned char c1 = s[i + 1];
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && len == 4) {
      unsigned char c1 = s[i + 1];
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace siteseek
