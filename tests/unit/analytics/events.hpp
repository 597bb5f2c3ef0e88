#pragma once
// Log events as the report tests script them: a search with a fresh query id, a click on it.
#include <cstdint>
#include <string>

#include "siteseek/analytics.hpp"

namespace siteseek::test {

inline constexpr std::int64_t day0 = 1764892800;  // 2025-12-05T00:00:00Z

inline AnalyticsEvent search(std::int64_t t, std::string q, std::string session, std::uint32_t results = 5,
                             std::string site = "docs") {
  static std::uint64_t next_id = 1;
  AnalyticsEvent e;
  e.kind = EventKind::search;
  e.time = t;
  e.site = std::move(site);
  e.session = std::move(session);
  e.query = std::move(q);
  e.results = results;
  e.query_id = next_id++;
  return e;
}

inline AnalyticsEvent click(const AnalyticsEvent& s, std::uint32_t position, std::string url) {
  AnalyticsEvent e;
  e.kind = EventKind::click;
  e.time = s.time + 3;
  e.site = s.site;
  e.session = s.session;
  e.query_id = s.query_id;
  e.position = position;
  e.url = std::move(url);
  return e;
}

}  // namespace siteseek::test
