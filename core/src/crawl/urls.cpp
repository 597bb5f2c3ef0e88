// URL normalisation for de-duplication (Boost.URL).
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "siteseek/crawler.hpp"

namespace siteseek {

std::string normalize_url(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return {};
  boost::urls::url u(*parsed);
  u.normalize();  // case of scheme and host, percent-encoding, dot segments
  if (u.scheme() != "http" && u.scheme() != "https") return {};
  if (u.host().empty()) return {};
  u.remove_fragment();
  u.remove_userinfo();
  if ((u.scheme() == "http" && u.port() == "80") || (u.scheme() == "https" && u.port() == "443")) u.remove_port();
  if (u.encoded_path().empty()) {
    // (Boost.URL 1.81's set_encoded_path("/") writes "/./" here, so build it by hand.)
    std::string out;
    out.append(u.scheme()).append("://").append(u.encoded_host_and_port()).push_back('/');
    if (u.has_query()) out.append("?").append(u.encoded_query());
    return out;
  }
  return std::string(u.buffer());
}

}  // namespace siteseek
