// Client addresses: parsing, ranges, and the client behind trusted proxies. No resolver and no
// allocation on the request path except for a Forwarded header, which is split into its for= values.
#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "siteseek/rate_limit.hpp"

namespace siteseek {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

constexpr std::uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// A port after an address: digits, or an obfuscated port ("_abc") as RFC 7239 allows.
bool valid_port(std::string_view s) {
  if (s.empty()) return false;
  if (s.front() == '_') return s.size() > 1;
  return s.size() <= 5 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress out;
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, out.bytes.data()) != 1) return std::nullopt;
    out.v4 = true;
    return out;
  }
  if (inet_pton(AF_INET6, buf, out.bytes.data()) != 1) return std::nullopt;
  out.v4 = false;
  if (std::memcmp(out.bytes.data(), v4_mapped_prefix, sizeof v4_mapped_prefix) == 0) {
    IpAddress v4;
    std::memcpy(v4.bytes.data(), out.bytes.data() + 12, 4);
    return v4;
  }
  return out;
}

std::string to_string(const IpAddress& address) {
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(address.v4 ? AF_INET : AF_INET6, address.bytes.data(), buf, sizeof buf)) return "?";
  return buf;
}

bool IpRange::contains(const IpAddress& address) const {
  if (address.v4 != base.v4) return false;
  const unsigned whole = prefix / 8, bits = prefix % 8;
  if (std::memcmp(address.bytes.data(), base.bytes.data(), whole) != 0) return false;
  if (bits == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - bits));
  return (address.bytes[whole] & mask) == (base.bytes[whole] & mask);
}

std::optional<IpRange> parse_ip_range(std::string_view text) {
  const auto slash = text.find('/');
  auto address = parse_ip(text.substr(0, slash));
  if (!address) return std::nullopt;
  IpRange range{*address, address->v4 ? 32u : 128u};
  if (slash == std::string_view::npos) return range;
  const auto digits = text.substr(slash + 1);
  unsigned prefix = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  // An IPv4-mapped IPv6 range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
  const bool mapped = address->v4 && text.substr(0, slash).find(':') != std::string_view::npos;
  if (mapped) {
    if (prefix < 96 || prefix > 128) return std::nullopt;
    prefix -= 96;
  }
  if (prefix > range.prefix) return std::nullopt;
  range.prefix = prefix;
  return range;
}

std::optional<IpAddress> parse_forwarded_node(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  if (text.empty()) return std::nullopt;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto after = text.substr(close + 1);
    if (!after.empty() && !(after.front() == ':' && valid_port(after.substr(1)))) return std::nullopt;
    auto address = parse_ip(text.substr(1, close - 1));
    if (!address || address->v4) return std::nullopt;  // brackets hold IPv6 only
    return address;
  }
  const auto colons = std::count(text.begin(), text.end(), ':');
  if (colons == 1) {  // IPv4 with a port
    const auto colon = text.find(':');
    if (!valid_port(text.substr(colon + 1))) return std::nullopt;
    auto address = parse_ip(text.substr(0, colon));
    if (!address || !address->v4) return std::nullopt;
    return address;
  }
  return parse_ip(text);  // IPv4, or IPv6 unbracketed as X-Forwarded-For writes it
}

std::vector<std::string_view> forwarded_for_values(std::string_view forwarded) {
  // Elements are split by commas and pairs by semicolons, outside quoted strings.
  std::vector<std::string_view> out;
  std::string_view value;
  bool found = false, quoted = false;
  std::size_t start = 0;
  auto pair_end = [&](std::size_t end) {
    const auto pair = trim(forwarded.substr(start, end - start));
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && iequals(trim(pair.substr(0, eq)), "for") && !found) {
      value = trim(pair.substr(eq + 1));
      found = true;
    }
    start = end + 1;
  };
  for (std::size_t i = 0; i < forwarded.size(); ++i) {
    const char c = forwarded[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ';') {
      pair_end(i);
    } else if (c == ',') {
      pair_end(i);
      out.push_back(found ? value : std::string_view());
      found = false;
      value = {};
    }
  }
  pair_end(forwarded.size());
  out.push_back(found ? value : std::string_view());
  return out;
}

TrustedProxies::TrustedProxies(const std::vector<std::string>& ranges, ForwardedHeader header) : header_(header) {
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    auto range = parse_ip_range(ranges[i]);
    if (!range) {
      throw ConfigError("trusted_proxies[" + std::to_string(i) + "]",
                        "expected an IP address or CIDR range like 10.0.0.0/8, got \"" + ranges[i] + "\"");
    }
    ranges_.push_back(*range);
  }
}

bool TrustedProxies::contains(const IpAddress& address) const {
  return std::any_of(ranges_.begin(), ranges_.end(), [&](const IpRange& r) { return r.contains(address); });
}

IpAddress TrustedProxies::client(const IpAddress& peer, std::string_view header_value) const {
  if (header_value.empty() || !contains(peer)) return peer;
  // From the right: each entry was written by the hop to its right, the last by our peer. The
  // first entry that is not a trusted proxy is the client; what is left of it, the client wrote.
  IpAddress last = peer;
  auto consider = [&](std::string_view entry, IpAddress& out) {
    auto address = parse_forwarded_node(entry);
    if (!address) {
      out = peer;
      return true;
    }
    last = *address;
    if (!contains(*address)) {
      out = *address;
      return true;
    }
    return false;
  };
  IpAddress out;
  if (header_ == ForwardedHeader::forwarded) {
    const auto values = forwarded_for_values(header_value);
    for (auto it = values.rbegin(); it != values.rend(); ++it) {
      if (consider(*it, out)) return out;
    }
    return last;
  }
  for (std::size_t end = header_value.size();;) {
    const auto comma = header_value.rfind(',', end == 0 ? 0 : end - 1);
    const std::size_t begin = comma == std::string_view::npos || end == 0 ? 0 : comma + 1;
    if (consider(header_value.substr(begin, end - begin), out)) return out;
    if (begin == 0) return last;
    end = begin - 1;
  }
}

}  // namespace siteseek
