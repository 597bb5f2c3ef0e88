// The analytics reports (siteseek/analytics.hpp) and the click beacon's parser.
#include <algorithm>
#include <climits>
#include <map>
#include <unordered_map>

#include <boost/json.hpp>

#include "analytics/proposals.hpp"
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
      // Results are http(s) pages: anything else (javascript:, data:, a bare word) is no click on
      // one, and would only be shown back to a docs team by the reports.
      const auto lower = [](std::string_view v) {
        std::string out(v.substr(0, 8));
        for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        return out;
      };
      const std::string head = lower(b.url);
      const bool web = head.rfind("http://", 0) == 0 || head.rfind("https://", 0) == 0;
      const bool clean = std::none_of(b.url.begin(), b.url.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
      if (!web || !clean) throw RequestError("invalid_parameter", "url must be an absolute http:// or https:// URL without spaces");
    } else {
      throw RequestError("invalid_parameter", "a click beacon has no key '" + std::string(key) + "'");
    }
  }
  if (!has_id) throw RequestError("invalid_parameter", "query_id is required");
  if (!has_position) throw RequestError("invalid_parameter", "position is required");
  return b;
}

namespace {

struct UrlClicks {
  std::uint64_t clicks = 0, position_sum = 0;
};

// One query's figures (of one site while counting; merged over sites for the report's lists).
struct QueryStats {
  std::uint64_t searches = 0, clicked_searches = 0, clicks = 0, position_sum = 0, results = 0;
  std::int64_t last_time = 0;  // of its latest search, (time, index in the log): the later one wins a tie
  std::size_t last_index = 0;
  // Hashed, not ordered: a popular query collects hundreds of clicked URLs, and a report adds a
  // click to one for every click of its range. Orders come from explicit ties below.
  std::unordered_map<std::string, UrlClicks> urls;
  std::unordered_map<std::string, std::uint64_t> into;
  std::uint64_t reformulated = 0;

  void add_click(const AnalyticsEvent& c) {
    ++clicks;
    position_sum += c.position;
    auto& u = urls[c.url];
    ++u.clicks;
    u.position_sum += c.position;
  }
  void merge(QueryStats&& o) {
    if (o.searches > 0 && (searches == 0 || std::pair(o.last_time, o.last_index) >= std::pair(last_time, last_index))) {
      last_time = o.last_time;
      last_index = o.last_index;
      results = o.results;
    }
    searches += o.searches;
    clicked_searches += o.clicked_searches;
    clicks += o.clicks;
    position_sum += o.position_sum;
    reformulated += o.reformulated;
    for (auto& [url, u] : o.urls) {
      auto& mine = urls[url];
      mine.clicks += u.clicks;
      mine.position_sum += u.position_sum;
    }
    for (auto& [q, n] : o.into) into[q] += n;
  }
  // The most clicked URL (ties: the first by text), none without clicks.
  const std::pair<const std::string, UrlClicks>* top_url() const {
    const std::pair<const std::string, UrlClicks>* top = nullptr;
    for (const auto& u : urls)
      if (!top || u.second.clicks > top->second.clicks || (u.second.clicks == top->second.clicks && u.first < top->first)) top = &u;
    return top;
  }
};

QueryReport query_report(const std::string& q, const QueryStats& s) {
  QueryReport r;
  r.query = q;
  r.searches = s.searches;
  r.clicked_searches = s.clicked_searches;
  r.ctr = s.searches ? static_cast<double>(s.clicked_searches) / static_cast<double>(s.searches) : 0;
  r.mean_position = s.clicks ? static_cast<double>(s.position_sum) / static_cast<double>(s.clicks) : 0;
  r.results = s.results;
  if (const auto* top = s.top_url()) {
    r.top_url = top->first;
    r.top_url_clicks = top->second.clicks;
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

// Keys joining a site and a text: "site\ntext" (a site name holds no newline, a normalised query
// and a session id neither).
std::string site_key(const std::string& site, const std::string& text) { return site + '\n' + text; }

// Each site's queries: a query's figures while counting, per site, as proposals need them.
using QueryMap = std::unordered_map<std::string, QueryStats>;
using SiteQueries = std::unordered_map<std::string, QueryMap>;

// Whether `b` only extends `a` (or `a` extends `b`) at its end: characters or words typed on, or
// taken back. Not a synonym: the engine's prefix matching and typing already cover it.
bool extends(const std::string& a, const std::string& b) { return a.starts_with(b) || b.starts_with(a); }

// A query rephrased into another and then clicked, in distinct sessions.
struct Rephrase {
  std::uint64_t sessions = 0, clicks_after = 0;
  const void* last_session = nullptr;  // sessions are walked one after another: a change is a new one
};

// The candidates before the site's rules are consulted: one_way Q -> R for rephrasings seen in
// enough sessions; pin Q -> U for a URL with most of Q's clicks that ranks below 1.
std::vector<Proposal> candidate_proposals(const SiteQueries& by_site, const std::unordered_map<std::string, Rephrase>& rephrased) {
  std::vector<Proposal> out;
  for (const auto& [key, r] : rephrased) {
    if (r.sessions < min_synonym_sessions) continue;
    const auto a = key.find('\n'), b = key.find('\n', a + 1);
    Proposal p;
    p.site = key.substr(0, a);
    p.rule.kind = RuleKind::one_way;
    p.rule.from = key.substr(a + 1, b - a - 1);
    p.rule.to = {key.substr(b + 1)};
    p.sessions = r.sessions;
    p.clicks_after = r.clicks_after;
    if (const auto site = by_site.find(p.site); site != by_site.end()) {
      if (const auto it = site->second.find(p.rule.from); it != site->second.end()) {
        p.searches = it->second.searches;
        p.clicked_searches = it->second.clicked_searches;
        p.results = it->second.results;
      }
    }
    out.push_back(std::move(p));
  }
  for (const auto& [site, queries] : by_site) {
    for (const auto& [query, s] : queries) {
      if (s.searches == 0 || s.clicks < min_pin_clicks) continue;
      const auto* top = s.top_url();
      const auto& u = top->second;
      if (u.clicks < min_pin_clicks || static_cast<double>(u.clicks) < min_pin_click_share * static_cast<double>(s.clicks)) continue;
      const double mean = static_cast<double>(u.position_sum) / static_cast<double>(u.clicks);
      if (mean <= 1.0) continue;
      Proposal p;
      p.site = site;
      p.rule.kind = RuleKind::pin;
      p.rule.query = query;
      p.rule.urls = {top->first};
      p.searches = s.searches;
      p.clicked_searches = s.clicked_searches;
      p.results = s.results;
      p.clicks = u.clicks;
      p.query_clicks = s.clicks;
      p.mean_position = mean;
      out.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace

namespace {

// The clicks of each search as lists threaded through two arrays indexed by event (one allocation
// for every search, not a vector each), in the order the clicks were recorded.
struct ClickLists {
  static constexpr std::uint32_t none = UINT32_MAX;
  std::vector<std::uint32_t> first, next;
  explicit ClickLists(std::size_t events) : first(events, none), next(events, none) {}
  // Called for the clicks from the last to the first, so that each list runs forward.
  void prepend(std::size_t search, std::size_t click) {
    next[click] = first[search];
    first[search] = static_cast<std::uint32_t>(click);
  }
  bool empty(std::size_t search) const { return first[search] == none; }
  template <class F>
  void each(std::size_t search, F&& f) const {
    for (auto c = first[search]; c != none; c = next[c]) f(c);
  }
  std::size_t count(std::size_t search) const {
    std::size_t n = 0;
    each(search, [&n](std::size_t) { ++n; });
    return n;
  }
};

}  // namespace

AnalyticsReport compute_report(const std::vector<AnalyticsEvent>& events, const ReportRequest& request, const RulesBySite& rules) {
  AnalyticsReport report;
  report.site = request.site;
  report.from = request.from;
  report.to = request.to;
  const auto from = parse_utc_day(request.from), to = parse_utc_day(request.to);
  // Whether each event is of the site and days asked for, decided once.
  std::vector<char> kept(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    kept[i] = (request.site.empty() || e.site == request.site) && (!from || e.time >= *from) && (!to || e.time < *to + 86400);
  }
  auto in_range = [&](std::size_t i) { return kept[i] != 0; };

  // The searches kept, by index into `events`; clicks by the search they name.
  std::unordered_map<std::uint64_t, std::size_t> search_of_id;
  ClickLists clicks_of(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (e.kind == EventKind::search && e.query_id != 0) search_of_id[e.query_id] = i;
  }
  for (std::size_t i = events.size(); i-- > 0;) {
    const auto& e = events[i];
    if (e.kind != EventKind::click || !in_range(i)) continue;
    if (auto it = search_of_id.find(e.query_id); it != search_of_id.end()) clicks_of.prepend(it->second, i);
  }

  // Each session's searches in order; a search that a longer query of the same session extends
  // within typing_window_seconds, without a click, was a step of typing and is not counted.
  // Keyed by (site, session) as views of the events' own strings: no key is copied per search.
  using SessionKey = std::pair<std::string_view, std::string_view>;
  struct SessionHash {
    std::size_t operator()(const SessionKey& k) const noexcept {
      return std::hash<std::string_view>{}(k.second) * 31 + std::hash<std::string_view>{}(k.first);
    }
  };
  std::unordered_map<SessionKey, std::vector<std::size_t>, SessionHash> sessions;
  std::vector<bool> counted(events.size(), false);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (e.kind != EventKind::search || e.later_page || !in_range(i)) continue;
    counted[i] = true;
    if (!e.session.empty()) sessions[SessionKey(e.site, e.session)].push_back(i);
  }
  for (auto& [key, list] : sessions) {
    for (std::size_t k = 0; k + 1 < list.size(); ++k) {
      const auto& a = events[list[k]];
      const auto& b = events[list[k + 1]];
      if (clicks_of.empty(list[k]) && b.time - a.time <= typing_window_seconds && b.query.size() > a.query.size() &&
          b.query.starts_with(a.query)) {
        counted[list[k]] = false;
      }
    }
    std::erase_if(list, [&](std::size_t i) { return !counted[i]; });
  }

  // By day start (named once, when first seen); the last day used is kept, since the events come
  // in time order and a day has many.
  std::map<std::int64_t, DayReport> days;
  auto day_of = [&days](std::int64_t start) -> DayReport& {
    auto [it, added] = days.try_emplace(start);
    if (added) it->second.day = utc_day(start);
    return it->second;
  };
  if (from && to) {
    for (std::int64_t d = *from; d <= *to; d += 86400) day_of(d);
  }
  std::int64_t last_day_start = INT64_MIN;
  DayReport* last_day = nullptr;
  // Per site, then query: proposals are per site; the lists merge the sites below. Events come
  // in runs of one site, so its map is looked up again only when the site changes.
  SiteQueries by_site;
  const std::string* current_site = nullptr;
  QueryMap* current = nullptr;
  auto stats_of = [&](const AnalyticsEvent& e) -> QueryStats& {
    if (!current_site || *current_site != e.site) {
      current_site = &e.site;
      current = &by_site[e.site];
    }
    return (*current)[e.query];
  };
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (!in_range(i)) continue;
    const std::int64_t day_start = e.time - (((e.time % 86400) + 86400) % 86400);
    if (day_start != last_day_start) {
      last_day_start = day_start;
      last_day = &day_of(day_start);
    }
    auto& day = *last_day;
    if (e.kind == EventKind::suggest) {
      ++report.suggests;
      ++day.suggests;
    } else if (e.kind == EventKind::click) {
      ++report.clicks;
    } else if (e.later_page) {  // "more results": its clicks count for the query, it is no new search
      auto& q = stats_of(e);
      clicks_of.each(i, [&](std::size_t c) { q.add_click(events[c]); });
    } else if (counted[i]) {
      auto& q = stats_of(e);
      ++q.searches;
      ++report.searches;
      ++day.searches;
      if (q.searches == 1 || std::pair(e.time, i) >= std::pair(q.last_time, q.last_index)) {
        q.last_time = e.time;
        q.last_index = i;
        q.results = e.results;
      }
      if (e.results == 0) ++day.zero_result_searches;
      if (!clicks_of.empty(i)) {
        ++q.clicked_searches;
        ++report.clicked_searches;
        ++day.clicked_searches;
      }
      clicks_of.each(i, [&](std::size_t c) { q.add_click(events[c]); });
    }
  }
  // Reformulations: the next counted search of the session within the window, when this one had
  // no click and a different query. When that next search got a click, and does not merely extend
  // this one, it is evidence for a one_way synonym (counted once per session).
  std::unordered_map<std::string, Rephrase> rephrased;  // "site\nQ\nR"
  for (const auto& [key, list] : sessions) {
    for (std::size_t k = 0; k + 1 < list.size(); ++k) {
      const auto& a = events[list[k]];
      const auto& b = events[list[k + 1]];
      if (!clicks_of.empty(list[k]) || b.time - a.time > reformulation_window_seconds || a.query == b.query) continue;
      auto& q = stats_of(a);
      ++q.reformulated;
      ++q.into[b.query];
      if (clicks_of.empty(list[k + 1]) || extends(a.query, b.query)) continue;
      auto& r = rephrased[site_key(a.site, a.query) + '\n' + b.query];
      if (r.last_session != &key) {
        r.last_session = &key;
        ++r.sessions;
      }
      r.clicks_after += clicks_of.count(list[k + 1]);
    }
  }
  report.proposals = candidate_proposals(by_site, rephrased);
  detail::finish_proposals(report.proposals, rules, request);

  QueryMap queries;  // every site's figures of a query together
  if (by_site.size() == 1) {
    queries = std::move(by_site.begin()->second);
  } else {
    for (auto& [site, list] : by_site)
      for (auto& [text, s] : list) queries[text].merge(std::move(s));
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

AnalyticsReport read_report(SharedQueryLog& shared, ReportRequest request, std::int64_t now, const RulesBySite& rules) {
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
  return compute_report(events, request, rules);
}

AnalyticsReport read_report(const fs::path& dir, ReportRequest request, std::int64_t now, const RulesBySite& rules) {
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
  return compute_report(events, request, rules);
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
  boost::json::array proposals;
  for (const auto& p : r.proposals) proposals.push_back(proposal_to_json(p));
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
        {"days", std::move(days)},
        {"proposals", std::move(proposals)}};
}

}  // namespace siteseek
