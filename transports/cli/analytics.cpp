// `siteseek analytics`: the search analytics report from data_dir/analytics (docs/cli.md,
// docs/analytics.md), read from the files as a server writes them (with shared storage, from
// every node's log in Redis); a table, or JSON with --json. Its suggested fixes are printed with
// the `siteseek rules add --json` command that accepts each.
#include <cstdio>

#include <boost/json.hpp>

#include "cli.hpp"
#include "siteseek/json.hpp"
#include "siteseek/analytics.hpp"
#include "siteseek/node.hpp"

namespace siteseek::cli {
namespace {

std::string percent(double ratio) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", ratio * 100);
  return buf;
}

void print_queries(const char* title, const std::vector<QueryReport>& list, std::size_t limit) {
  std::printf("\n%s\n", title);
  if (list.empty()) {
    std::printf("  (none)\n");
    return;
  }
  std::printf("  %-40s %8s %6s %8s %8s  %s\n", "QUERY", "SEARCHES", "CTR", "MEAN POS", "RESULTS", "TOP CLICK");
  for (std::size_t i = 0; i < list.size() && i < limit; ++i) {
    const auto& q = list[i];
    char pos[16] = "-";
    if (q.mean_position > 0) std::snprintf(pos, sizeof pos, "%.1f", q.mean_position);
    std::printf("  %-40s %8llu %6s %8s %8llu  %s\n", q.query.c_str(), static_cast<unsigned long long>(q.searches),
                percent(q.ctr).c_str(), pos, static_cast<unsigned long long>(q.results),
                q.top_url.empty() ? "-" : q.top_url.c_str());
  }
}

// `text` as one shell word: as it is when it holds nothing a shell reads, else in single quotes,
// a quote inside closed, escaped and reopened.
std::string shell_quoted(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-/") == std::string::npos)
    return text;
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Each proposal: what it is, why, and the command that accepts it, with this command's --config
// and --set options, so that it reaches the same store.
void print_proposals(const std::vector<Proposal>& list, std::size_t limit, const Globals& g) {
  std::string program = "siteseek";
  if (!g.config.empty()) program += " --config " + shell_quoted(g.config);
  for (const auto& s : g.sets) program += " --set " + shell_quoted(s);
  std::printf("\nSuggested fixes (none is applied; run a command to accept one)\n");
  if (list.empty()) std::printf("  (none)\n");
  for (std::size_t i = 0; i < list.size() && i < limit; ++i) {
    const auto& p = list[i];
    const auto& r = p.rule;
    const std::string what = r.kind == RuleKind::pin ? "pin \"" + r.query + "\" -> " + r.urls.front()
                                                     : "one_way \"" + r.from + "\" -> \"" + r.to.front() + "\"";
    std::printf("  %s: %s\n    %s\n    %s rules add --site %s --json %s\n", p.site.c_str(), what.c_str(), p.reason.c_str(),
                program.c_str(), shell_quoted(p.site).c_str(),
                shell_quoted(json_text(proposal_to_json(p).at("rule"))).c_str());
  }
}

}  // namespace

int print_analytics(Node& node, ReportRequest request, bool json, const Globals& g) {
  const AnalyticsReport r = node.analytics_report(std::move(request));
  if (json) {
    std::printf("%s\n", json_text(boost::json::value_from(r)).c_str());
    return ok;
  }
  std::printf("site %s, %s to %s: %llu searches, %llu suggests, %llu clicks, CTR %s\n",
              r.site.empty() ? "(all)" : r.site.c_str(), r.from.c_str(), r.to.c_str(),
              static_cast<unsigned long long>(r.searches), static_cast<unsigned long long>(r.suggests),
              static_cast<unsigned long long>(r.clicks), percent(r.ctr).c_str());
  constexpr std::size_t shown = 20;  // the table; --json has every list in full
  print_queries("Top queries", r.top_queries, shown);
  print_queries("Queries with no results", r.zero_results, shown);
  print_queries("Queries with results and no click", r.no_clicks, shown);
  std::printf("\nReformulated queries\n");
  if (r.reformulations.empty()) std::printf("  (none)\n");
  for (std::size_t i = 0; i < r.reformulations.size() && i < shown; ++i) {
    const auto& f = r.reformulations[i];
    std::string into;
    for (const auto& t : f.into) into += (into.empty() ? "" : ", ") + t.query + " (" + std::to_string(t.count) + ")";
    std::printf("  %-40s %6llu  -> %s\n", f.query.c_str(), static_cast<unsigned long long>(f.count), into.c_str());
  }
  print_proposals(r.proposals, shown, g);
  std::printf("\nPer day\n  %-10s %8s %8s %6s %12s\n", "DAY", "SEARCHES", "SUGGESTS", "CTR", "ZERO RESULT");
  for (const auto& d : r.days) {
    std::printf("  %-10s %8llu %8llu %6s %12llu\n", d.day.c_str(), static_cast<unsigned long long>(d.searches),
                static_cast<unsigned long long>(d.suggests), percent(d.ctr).c_str(),
                static_cast<unsigned long long>(d.zero_result_searches));
  }
  return ok;
}

}  // namespace siteseek::cli
