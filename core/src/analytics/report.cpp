// The analytics reports (siteseek/analytics.hpp) and the click beacon's parser.
#include <algorithm>
#include <map>
#include <unordered_map>

#include <boost/json.hpp>

#include "siteseek/analytics.hpp"
#include "siteseek/error.hpp"

namespace siteseek {
namespace fs = std::filesystem;

ClickBeacon parse_click_beacon(std::string_view body) {
  if (body.size() > max_beacon_bytes) {
    throw RequestError("payload_too_large", "a click beacon is at most " + std::to_string(max_beacon_bytes) + " bytes");
  }
  boost::system::error_code ec;
  boost::json::value jv = boost::json::parse(body, ec);
  if (ec) throw RequestError("bad_request", "a click beacon is a JSON object: " + ec.message());
  const auto* o = jv.if_object();
  if (!o) throw RequestError("bad_request", "a click beacon is a JSON object");
  ClickBeacon b;
  bool has_id = false, has_position = false;
  for (const auto& [key, value] : *o) {
    if (key == "query_id") {
      const auto* s = value.if_string();
      const auto id = s ? parse_query_id(*s) : std::nullopt;
      if (!id) throw RequestError("invalid_parameter", "query_id must be the 16 hex digits a search returned");
      b.query_id = *id;
      has_id = true;
    } else if (key == "position") {
      const auto n = value.is_int64() ? value.get_int64() : value.is_uint64() ? static_cast<std::int64_t>(std::min<std::uint64_t>(value.get_uint64(), 1u << 30)) : -1;
      if (n < 1 || n > 100000) throw RequestError("invalid_parameter", "position must be a positive integer");
      b.position = static_cast<std::uint32_t>(n);
      has_position = true;
    } else if (key == "url") {
      const auto* s = value.if_string();
      if (!s || s->empty() || s->size() > max_click_url) {
        throw RequestError("invalid_parameter", "url must be a string of 1 to " + std::to_string(max_click_url) + " bytes");
      }
      b.url.assign(s->data(), s->size());
    } else {
      throw RequestError("invalid_parameter", "a click beacon has no key '" + std::string(key) + "'");
    }
  }
  if (!has_id) throw RequestError("invalid_parameter", "query_id is required");
  if (!has_position) throw RequestError("invalid_parameter", "position is required");
  return b;
}

namespace {

struct QueryStats {
  std::uint64_t searches = 0, clicked_searches = 0, clicks = 0, position_sum = 0, results = 0;
  std::int64_t last_time = 0;
  std::map<std::string, std::uint64_t> urls;
  std::map<std::string, std::uint64_t> into;
  std::uint64_t reformulated = 0;
};

QueryReport query_report(const std::string& q, const QueryStats& s) {
  QueryReport r;
  r.query = q;
  r.searches = s.searches;
  r.clicked_searches = s.clicked_searches;
  r.ctr = s.searches ? static_cast<double>(s.clicked_searches) / static_cast<double>(s.searches) : 0;
  r.mean_position = s.clicks ? static_cast<double>(s.position_sum) / static_cast<double>(s.clicks) : 0;
  r.results = s.results;
  for (const auto& [url, n] : s.urls) {
    if (n > r.top_url_clicks) {
      r.top_url = url;
      r.top_url_clicks = n;
    }
  }
  return r;
}

// The first `limit` of `items` by `key` descending, ties by query ascending (stable output).
template <class T, class Key>
void keep_top(std::vector<T>& items, Key key) {
  std::sort(items.begin(), items.end(), [&](const T& a, const T& b) {
    const auto ka = key(a), kb = key(b);
    return ka != kb ? ka > kb : a.query < b.query;
  });
  if (items.size() > report_list_limit) items.resize(report_list_limit);
}

}  // namespace

AnalyticsReport compute_report(const std::vector<AnalyticsEvent>& events, const ReportRequest& request) {
  AnalyticsReport report;
  report.site = request.site;
  report.from = request.from;
  report.to = request.to;
  const auto from = parse_utc_day(request.from), to = parse_utc_day(request.to);
  auto in_range = [&](const AnalyticsEvent& e) {
    if (!request.site.empty() && e.site != request.site) return false;
    if (from && e.time < *from) return false;
    if (to && e.time >= *to + 86400) return false;
    return true;
  };

  // The searches kept, by index into `events`; clicks by the search they name.
  std::unordered_map<std::uint64_t, std::size_t> search_of_id;
  std::vector<std::vector<const AnalyticsEvent*>> clicks_of(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (e.kind == EventKind::search && e.query_id != 0) search_of_id[e.query_id] = i;
  }
  for (const auto& e : events) {
    if (e.kind != EventKind::click || !in_range(e)) continue;
    if (auto it = search_of_id.find(e.query_id); it != search_of_id.end()) clicks_of[it->second].push_back(&e);
  }

  // Each session's searches in order; a search that a longer query of the same session extends
  // within typing_window_seconds, without a click, was a step of typing and is not counted.
  std::unordered_map<std::string, std::vector<std::size_t>> sessions;
  std::vector<bool> counted(events.size(), false);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (e.kind != EventKind::search || e.later_page || !in_range(e)) continue;
    counted[i] = true;
    if (!e.session.empty()) sessions[e.site + '\n' + e.session].push_back(i);
  }
  for (auto& [key, list] : sessions) {
    for (std::size_t k = 0; k + 1 < list.size(); ++k) {
      const auto& a = events[list[k]];
      const auto& b = events[list[k + 1]];
      if (clicks_of[list[k]].empty() && b.time - a.time <= typing_window_seconds && b.query.size() > a.query.size() &&
          b.query.starts_with(a.query)) {
        counted[list[k]] = false;
      }
    }
    std::erase_if(list, [&](std::size_t i) { return !counted[i]; });
  }

  std::map<std::string, DayReport> days;
  if (from && to) {
    for (std::int64_t d = *from; d <= *to; d += 86400) days[utc_day(d)].day = utc_day(d);
  }
  std::unordered_map<std::string, QueryStats> queries;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (!in_range(e)) continue;
    auto& day = days[utc_day(e.time)];
    day.day = utc_day(e.time);
    if (e.kind == EventKind::suggest) {
      ++report.suggests;
      ++day.suggests;
    } else if (e.kind == EventKind::click) {
      ++report.clicks;
    } else if (e.later_page) {  // "more results": its clicks count for the query, it is no new search
      auto& q = queries[e.query];
      for (const auto* c : clicks_of[i]) {
        ++q.clicks;
        q.position_sum += c->position;
        ++q.urls[c->url];
      }
    } else if (counted[i]) {
      auto& q = queries[e.query];
      ++q.searches;
      ++report.searches;
      ++day.searches;
      if (e.time >= q.last_time) {
        q.last_time = e.time;
        q.results = e.results;
      }
      if (e.results == 0) ++day.zero_result_searches;
      const auto& clicks = clicks_of[i];
      if (!clicks.empty()) {
        ++q.clicked_searches;
        ++report.clicked_searches;
        ++day.clicked_searches;
      }
      for (const auto* c : clicks) {
        ++q.clicks;
        q.position_sum += c->position;
        ++q.urls[c->url];
      }
    }
  }
  // Reformulations: the next counted search of the session within the window, when this one had
  // no click and a different query.
  for (const auto& [key, list] : sessions) {
    for (std::size_t k = 0; k + 1 < list.size(); ++k) {
      const auto& a = events[list[k]];
      const auto& b = events[list[k + 1]];
      if (!clicks_of[list[k]].empty() || b.time - a.time > reformulation_window_seconds || a.query == b.query) continue;
      auto& q = queries[a.query];
      ++q.reformulated;
      ++q.into[b.query];
    }
  }

  for (const auto& [text, s] : queries) {
    const auto r = query_report(text, s);
    if (s.searches > 0) report.top_queries.push_back(r);
    if (s.searches > 0 && s.results == 0) report.zero_results.push_back(r);
    if (s.searches > 0 && s.results > 0 && s.clicks == 0) report.no_clicks.push_back(r);
    if (s.reformulated > 0) {
      Reformulation f;
      f.query = text;
      f.count = s.reformulated;
      for (const auto& [into, n] : s.into) f.into.push_back({into, n});
      keep_top(f.into, [](const Reformulation::Into& i) { return i.count; });
      if (f.into.size() > 10) f.into.resize(10);
      report.reformulations.push_back(std::move(f));
    }
  }
  auto by_searches = [](const QueryReport& r) { return r.searches; };
  keep_top(report.top_queries, by_searches);
  keep_top(report.zero_results, by_searches);
  keep_top(report.no_clicks, by_searches);
  keep_top(report.reformulations, [](const Reformulation& r) { return r.count; });
  report.ctr = report.searches ? static_cast<double>(report.clicked_searches) / static_cast<double>(report.searches) : 0;
  for (auto& [name, d] : days) {
    d.ctr = d.searches ? static_cast<double>(d.clicked_searches) / static_cast<double>(d.searches) : 0;
    report.days.push_back(d);
  }
  return report;
}

namespace {

// The request's days with the defaults filled in, checked: (from, to) as day starts.
std::pair<std::int64_t, std::int64_t> report_days(ReportRequest& request, std::int64_t now) {
  const std::int64_t today = now - ((now % 86400) + 86400) % 86400;
  if (request.to.empty()) request.to = utc_day(today);
  if (request.from.empty()) request.from = utc_day(*parse_utc_day(request.to) - 29 * 86400);
  const auto from = parse_utc_day(request.from), to = parse_utc_day(request.to);
  if (!from) throw RequestError("invalid_parameter", "from must be a date YYYY-MM-DD, got '" + request.from + "'");
  if (!to) throw RequestError("invalid_parameter", "to must be a date YYYY-MM-DD, got '" + request.to + "'");
  if (*from > *to) throw RequestError("invalid_parameter", "from (" + request.from + ") is after to (" + request.to + ")");
  if (*to - *from > 3660ll * 86400) throw RequestError("invalid_parameter", "a report covers at most 3660 days");
  return {*from, *to};
}

}  // namespace

AnalyticsReport read_report(SharedQueryLog& shared, ReportRequest request, std::int64_t now) {
  const auto [from, to] = report_days(request, now);
  std::vector<AnalyticsEvent> events;
  // The day after `to` too: a click on a search made just before midnight lands there.
  for (const auto& day : shared.read_days(from, to + 86400)) {
    auto contents = read_log_bytes(day);
    std::move(contents.events.begin(), contents.events.end(), std::back_inserter(events));
  }
  // Batches of several nodes interleave in a day log; compute_report follows each session's
  // searches in order (typing runs, reformulations), so the events go in time order. Stable:
  // within a second, one node's events keep the order it recorded them in (two nodes' events of
  // one second keep the order their batches were appended in).
  std::stable_sort(events.begin(), events.end(), [](const AnalyticsEvent& a, const AnalyticsEvent& b) { return a.time < b.time; });
  return compute_report(events, request);
}

AnalyticsReport read_report(const fs::path& dir, ReportRequest request, std::int64_t now) {
  const auto [from_day, to_day] = report_days(request, now);
  const std::optional<std::int64_t> from = from_day, to = to_day;
  std::vector<AnalyticsEvent> events;
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(dir, ec)) {
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const auto& p = entry.path();
      if (p.extension() != ".log") continue;
      const auto day = parse_utc_day(p.stem().string());
      // The day after `to` too: a click on a search made just before midnight lands there.
      if (day && *day >= *from && *day <= *to + 86400) files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    auto contents = read_log_file(p);
    std::move(contents.events.begin(), contents.events.end(), std::back_inserter(events));
  }
  return compute_report(events, request);
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const AnalyticsReport& r) {
  auto query = [](const QueryReport& q) {
    boost::json::object o{{"query", q.query},           {"searches", q.searches}, {"clicked_searches", q.clicked_searches},
                          {"ctr", q.ctr},               {"mean_position", q.mean_position}, {"results", q.results}};
    if (q.top_url.empty()) o["top_click"] = nullptr;
    else o["top_click"] = {{"url", q.top_url}, {"clicks", q.top_url_clicks}};
    return o;
  };
  auto list = [&](const std::vector<QueryReport>& v) {
    boost::json::array a;
    for (const auto& q : v) a.push_back(query(q));
    return a;
  };
  boost::json::array reformulations;
  for (const auto& f : r.reformulations) {
    boost::json::array into;
    for (const auto& i : f.into) into.push_back({{"query", i.query}, {"count", i.count}});
    reformulations.push_back({{"query", f.query}, {"count", f.count}, {"into", std::move(into)}});
  }
  boost::json::array days;
  for (const auto& d : r.days) {
    days.push_back({{"day", d.day}, {"searches", d.searches}, {"suggests", d.suggests},
                    {"clicked_searches", d.clicked_searches}, {"zero_result_searches", d.zero_result_searches},
                    {"ctr", d.ctr}});
  }
  jv = {{"site", r.site.empty() ? boost::json::value(nullptr) : boost::json::value(r.site)},
        {"from", r.from},
        {"to", r.to},
        {"searches", r.searches},
        {"suggests", r.suggests},
        {"clicks", r.clicks},
        {"clicked_searches", r.clicked_searches},
        {"ctr", r.ctr},
        {"top_queries", list(r.top_queries)},
        {"zero_results", list(r.zero_results)},
        {"no_clicks", list(r.no_clicks)},
        {"reformulations", std::move(reformulations)},
        {"days", std::move(days)}};
}

}  // namespace siteseek
