// What these tests prove (the report's suggested fixes, compute_report's `proposals`), on scripted
// logs of sessions, searches and clicks:
// 1. A zero-result or unclicked search of Q followed in the same session, within the
//    reformulation window, by a clicked search of R is a one_way Q -> R proposal once
//    min_synonym_sessions distinct sessions did it (one session below: none; one session twice:
//    still one), with its evidence, note and reason, and the exact JSON the transports return.
// 2. No one_way proposal for trivial pairs: R extending Q or Q extending R, a clicked Q, a
//    rephrasing past the window, an unclicked R.
// 3. A pin Q -> U when U has at least min_pin_clicks of Q's clicks and at least
//    min_pin_click_share of them at a mean position above 1; none just below each threshold.
// 4. Nothing the site's rules already do is proposed: a pin leading with U (exact, prefix, a path
//    completed with the site's url), a one_way or synonyms rule mapping Q to R; other rules do
//    not hide a proposal.
// 5. Proposals are per site (an all-sites report names each one's site; sessions of two sites
//    are not added up), ordered by evidence, at most report_list_limit.
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "events.hpp"
#include "siteseek/analytics.hpp"

using namespace siteseek;

namespace {

using test::day0;
using test::search;
using test::click;

ReportRequest range(std::string site = "") { return {std::move(site), "2025-12-05", "2025-12-07"}; }

// Session `session` searches `q` (no click), then `r` `gap` seconds later and clicks its first result.
void rephrase(std::vector<AnalyticsEvent>& log, std::int64_t t, const std::string& session, const std::string& q,
              const std::string& r, std::uint32_t q_results = 0, std::int64_t gap = 30, std::string site = "docs") {
  log.push_back(search(t, q, session, q_results, site));
  auto s = search(t + gap, r, session, 7, site);
  log.push_back(s);
  log.push_back(click(s, 1, "https://docs.example.org/" + r + ".html"));
}

// `n` searches of `q`, each clicked once at `position` on `url`.
void clicks(std::vector<AnalyticsEvent>& log, std::int64_t t, const std::string& q, int n, std::uint32_t position,
            const std::string& url, std::string site = "docs") {
  for (int i = 0; i < n; ++i) {
    auto s = search(t + i * 1000, q, "", 9, site);
    log.push_back(s);
    log.push_back(click(s, position, url));
  }
}

std::vector<std::string> described(const AnalyticsReport& r) {
  std::vector<std::string> out;
  for (const auto& p : r.proposals) {
    out.push_back(p.site + ": " + std::string(rule_kind_name(p.rule.kind)) + " " +
                  (p.rule.kind == RuleKind::pin ? p.rule.query + " -> " + p.rule.urls.at(0) : p.rule.from + " -> " + p.rule.to.at(0)));
  }
  return out;
}

using Names = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(analytics_proposals)

BOOST_AUTO_TEST_CASE(one_way_from_rephrasings_of_enough_sessions) {
  std::vector<AnalyticsEvent> log;
  rephrase(log, day0 + 100, "s1", "erase folder", "remove directory");
  const auto one = compute_report(log, range());
  BOOST_TEST(one.proposals.empty());  // one session: below min_synonym_sessions
  rephrase(log, day0 + 5000, "s1", "erase folder", "remove directory");
  BOOST_TEST(compute_report(log, range()).proposals.empty());  // the same session again: still one

  rephrase(log, day0 + 9000, "s2", "erase folder", "remove directory");
  log.push_back(search(day0 + 20000, "erase folder", "s3", 0));  // searched, not rephrased: counts as a search
  const auto r = compute_report(log, range());
  BOOST_REQUIRE_EQUAL(r.proposals.size(), 1u);
  const auto& p = r.proposals[0];
  BOOST_TEST(p.site == "docs");
  BOOST_TEST(rule_kind_name(p.rule.kind) == "one_way");
  BOOST_TEST(p.rule.from == "erase folder");
  BOOST_TEST(p.rule.to == Names{"remove directory"});
  BOOST_TEST(p.sessions == 2u);
  BOOST_TEST(p.clicks_after == 3u);
  BOOST_TEST(p.searches == 4u);
  BOOST_TEST(p.results == 0u);
  BOOST_TEST(p.clicked_searches == 0u);
  BOOST_TEST(p.rule.note == "proposed from analytics 2025-12-05..2025-12-07: 2 sessions rephrased it as \"remove directory\"");
  BOOST_TEST(p.reason ==
             "2 sessions searched \"erase folder\", which finds nothing, then \"remove directory\" and clicked a result: "
             "a one-way synonym makes \"erase folder\" also find what \"remove directory\" finds.");

  // The JSON the transports return, and its rule is a valid rule as POST /sites/{site}/rules reads it.
  const auto jv = boost::json::value_from(r);
  const auto expected = boost::json::parse(R"({"site": "docs", "kind": "one_way",
      "rule": {"kind": "one_way", "from": "erase folder", "to": ["remove directory"],
               "note": "proposed from analytics 2025-12-05..2025-12-07: 2 sessions rephrased it as \"remove directory\""},
      "evidence": {"sessions": 2, "searches": 4, "clicked_searches": 0, "results": 0, "status": "zero_results", "clicks_after": 3},
      "reason": "2 sessions searched \"erase folder\", which finds nothing, then \"remove directory\" and clicked a result: a one-way synonym makes \"erase folder\" also find what \"remove directory\" finds."})");
  BOOST_REQUIRE_EQUAL(jv.at("proposals").as_array().size(), 1u);
  BOOST_TEST(jv.at("proposals").at(0) == expected, boost::json::serialize(jv.at("proposals").at(0)));
  const Rule back = rule_from_json(jv.at("proposals").at(0).at("rule"), "rule");
  BOOST_TEST(back.from == "erase folder");
}

BOOST_AUTO_TEST_CASE(one_way_after_a_search_with_results_and_no_click) {
  std::vector<AnalyticsEvent> log;
  rephrase(log, day0 + 100, "s1", "asyncio timeout", "asyncio wait_for", 12);
  rephrase(log, day0 + 900, "s2", "asyncio timeout", "asyncio wait_for", 12);
  const auto r = compute_report(log, range());
  BOOST_REQUIRE_EQUAL(r.proposals.size(), 1u);
  BOOST_TEST(r.proposals[0].results == 12u);
  const auto jv = proposal_to_json(r.proposals[0]);
  BOOST_TEST(jv.at("evidence").at("status").as_string() == "no_clicks");
}

BOOST_AUTO_TEST_CASE(no_one_way_for_trivial_pairs) {
  std::vector<AnalyticsEvent> log;
  for (const std::string s : {"s1", "s2", "s3"}) {
    const std::int64_t t = day0 + 1000 * static_cast<std::int64_t>(log.size());
    rephrase(log, t, s + "a", "jso", "json", 3, 60);                   // characters typed on, past the typing window
    rephrase(log, t + 200, s + "b", "json", "json dumps", 3);          // words added
    rephrase(log, t + 400, s + "c", "json dumps", "json", 3);          // words taken back
    rephrase(log, t + 600, s + "d", "pikle", "pickle", 0, reformulation_window_seconds + 1);  // past the window
    // Q clicked: no reformulation.
    auto q = search(t + 800, "shelve", s + "e");
    log.push_back(q);
    log.push_back(click(q, 1, "/shelve.html"));
    auto r = search(t + 820, "dbm", s + "e");
    log.push_back(r);
    log.push_back(click(r, 1, "/dbm.html"));
    // R not clicked: a reformulation, no evidence.
    log.push_back(search(t + 900, "marshal", s + "f", 0));
    log.push_back(search(t + 920, "copyreg", s + "f"));
  }
  const auto r = compute_report(log, range());
  BOOST_TEST(described(r) == Names{}, boost::test_tools::per_element());
  BOOST_TEST(!r.reformulations.empty());  // the report still lists them as reformulations
}

BOOST_AUTO_TEST_CASE(pin_when_one_url_has_most_clicks_below_the_first_place) {
  const std::string u = "https://docs.example.org/json.html", v = "https://docs.example.org/other.html";
  {  // 3 of 5 clicks at positions 3, 3, 4: a pin
    std::vector<AnalyticsEvent> log;
    clicks(log, day0, "json", 2, 3, u);
    clicks(log, day0 + 100, "json", 1, 4, u);
    clicks(log, day0 + 200, "json", 2, 1, v);
    const auto r = compute_report(log, range());
    BOOST_TEST(described(r) == Names{"docs: pin json -> " + u}, boost::test_tools::per_element());
    const auto& p = r.proposals.at(0);
    BOOST_TEST(p.clicks == 3u);
    BOOST_TEST(p.query_clicks == 5u);
    BOOST_TEST(p.searches == 5u);
    BOOST_TEST(p.mean_position == 10.0 / 3.0, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(p.rule.note == "proposed from analytics 2025-12-05..2025-12-07: 3 of 5 clicks went to it, at mean position 3.3");
    const auto jv = proposal_to_json(p);
    BOOST_TEST(jv.at("rule") == boost::json::parse(R"({"kind": "pin", "query": "json", "urls": [")" + u + R"("],
        "note": "proposed from analytics 2025-12-05..2025-12-07: 3 of 5 clicks went to it, at mean position 3.3"})"));
    BOOST_TEST(jv.at("evidence").at("clicks").to_number<std::int64_t>() == 3);
    BOOST_TEST(jv.at("evidence").at("query_clicks").to_number<std::int64_t>() == 5);
    BOOST_TEST(jv.at("evidence").at("searches").to_number<std::int64_t>() == 5);
  }
  {  // exactly min_pin_click_share (3 of 6): a pin; the tie goes to the first URL by text
    std::vector<AnalyticsEvent> log;
    clicks(log, day0, "json", 3, 2, u);
    clicks(log, day0 + 100, "json", 3, 2, v);
    BOOST_TEST(described(compute_report(log, range())) == Names{"docs: pin json -> " + u}, boost::test_tools::per_element());
  }
  {  // the most clicked URL with 3 of 7: below the share
    std::vector<AnalyticsEvent> log;
    clicks(log, day0, "json", 3, 2, u);
    clicks(log, day0 + 100, "json", 2, 2, v);
    clicks(log, day0 + 200, "json", 2, 2, "https://docs.example.org/w.html");
    BOOST_TEST(compute_report(log, range()).proposals.empty());
  }
  {  // 2 clicks (below min_pin_clicks), all on u
    std::vector<AnalyticsEvent> log;
    clicks(log, day0, "json", static_cast<int>(min_pin_clicks) - 1, 4, u);
    BOOST_TEST(compute_report(log, range()).proposals.empty());
  }
  {  // mean position exactly 1: nothing to fix
    std::vector<AnalyticsEvent> log;
    clicks(log, day0, "json", 5, 1, u);
    BOOST_TEST(compute_report(log, range()).proposals.empty());
  }
  {  // a URL no rule can hold is not proposed
    std::vector<AnalyticsEvent> log;
    clicks(log, day0, "json", 4, 2, "json.html");
    BOOST_TEST(compute_report(log, range()).proposals.empty());
  }
}

BOOST_AUTO_TEST_CASE(nothing_the_rules_already_do) {
  const std::string u = "https://docs.example.org/json.html";
  std::vector<AnalyticsEvent> log;
  clicks(log, day0, "json", 3, 3, u);
  rephrase(log, day0 + 100, "s1", "erase folder", "remove directory");
  rephrase(log, day0 + 900, "s2", "erase folder", "remove directory");
  BOOST_TEST(compute_report(log, range()).proposals.size() == 2u);

  auto with = [&](std::vector<Rule> rules) {
    RulesBySite by_site;
    by_site["docs"] = {"https://docs.example.org/", std::move(rules)};
    return described(compute_report(log, range(), by_site));
  };
  auto pin = [](std::string q, std::vector<std::string> urls, QueryMatch m = QueryMatch::exact) {
    Rule r;
    r.kind = RuleKind::pin;
    r.query = std::move(q);
    r.urls = std::move(urls);
    r.match = m;
    return r;
  };
  auto one_way = [](std::string from, std::vector<std::string> to) {
    Rule r;
    r.kind = RuleKind::one_way;
    r.from = std::move(from);
    r.to = std::move(to);
    return r;
  };
  Rule group;
  group.kind = RuleKind::synonyms;
  group.synonyms = {"rmdir", "Remove Directory", "Erase  Folder"};
  const Names both{"docs: pin json -> " + u, "docs: one_way erase folder -> remove directory"};
  const Names only_one_way{"docs: one_way erase folder -> remove directory"};
  const Names only_pin{"docs: pin json -> " + u};

  BOOST_TEST(with({}) == both, boost::test_tools::per_element());
  BOOST_TEST(with({pin("JSON", {u})}) == only_one_way, boost::test_tools::per_element());                 // same normalised query
  BOOST_TEST(with({pin("json", {"/json.html", "/x.html"})}) == only_one_way, boost::test_tools::per_element());  // a path of the site
  BOOST_TEST(with({pin("js", {u}, QueryMatch::prefix)}) == only_one_way, boost::test_tools::per_element());  // a prefix pin firing
  BOOST_TEST(with({pin("json", {"/other.html", u})}) == both, boost::test_tools::per_element());     // u is not first
  BOOST_TEST(with({pin("js", {u})}) == both, boost::test_tools::per_element());                      // exact "js" does not fire
  BOOST_TEST(with({one_way("Erase Folder", {"rmdir", "remove directory"})}) == only_pin, boost::test_tools::per_element());
  BOOST_TEST(with({group}) == only_pin, boost::test_tools::per_element());
  BOOST_TEST(with({one_way("remove directory", {"erase folder"})}) == both, boost::test_tools::per_element());  // the other way
  BOOST_TEST(with({one_way("erase folder", {"delete"})}) == both, boost::test_tools::per_element());
  // Another site's rules do not count.
  RulesBySite blog;
  blog["blog"] = {"https://docs.example.org/", {pin("json", {u}), group}};
  BOOST_TEST(compute_report(log, range(), blog).proposals.size() == 2u);
  // rules_already_do on its own.
  Proposal p;
  p.site = "docs";
  p.rule = one_way("erase folder", {"remove directory"});
  BOOST_TEST(rules_already_do({"https://docs.example.org/", {group}}, p));
  BOOST_TEST(!rules_already_do({"https://docs.example.org/", {}}, p));
}

BOOST_AUTO_TEST_CASE(per_site_ordered_and_bounded) {
  std::vector<AnalyticsEvent> log;
  // One session on each site: not two sessions of one site.
  rephrase(log, day0 + 100, "s1", "erase folder", "remove directory", 0, 30, "docs");
  rephrase(log, day0 + 200, "s2", "erase folder", "remove directory", 0, 30, "blog");
  BOOST_TEST(compute_report(log, range()).proposals.empty());
  // Three sessions on blog, two on docs: blog first, each naming its site.
  rephrase(log, day0 + 300, "s3", "erase folder", "remove directory", 0, 30, "docs");
  rephrase(log, day0 + 400, "s4", "erase folder", "remove directory", 0, 30, "blog");
  rephrase(log, day0 + 500, "s5", "erase folder", "remove directory", 0, 30, "blog");
  const auto all = compute_report(log, range());
  BOOST_TEST(described(all) == (Names{"blog: one_way erase folder -> remove directory", "docs: one_way erase folder -> remove directory"}),
             boost::test_tools::per_element());
  BOOST_TEST(all.proposals[0].sessions == 3u);
  BOOST_TEST(described(compute_report(log, range("docs"))) == Names{"docs: one_way erase folder -> remove directory"},
             boost::test_tools::per_element());
  const auto jv = boost::json::value_from(all);
  BOOST_TEST(jv.at("proposals").at(0).at("site").as_string() == "blog");

  // Many candidates: the most evidence first, at most report_list_limit.
  std::vector<AnalyticsEvent> many;
  for (int q = 0; q < 120; ++q) {
    for (int s = 0; s < 2 + (q == 77); ++s) {
      rephrase(many, day0 + q * 50 + s, "q" + std::to_string(q) + "s" + std::to_string(s), "bad" + std::to_string(q), "good" + std::to_string(q));
    }
  }
  const auto bounded = compute_report(many, range());
  BOOST_TEST(bounded.proposals.size() == report_list_limit);
  BOOST_TEST(bounded.proposals[0].rule.from == "bad77");
  BOOST_TEST(bounded.proposals[1].rule.from == "bad0");  // ties by text
}

BOOST_AUTO_TEST_SUITE_END()
