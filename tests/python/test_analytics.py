"""Search analytics from Python (docs/analytics.md):
1. an Engine records nothing by default, even with analytics.enabled in its settings: no
   <data_dir>/analytics, and engine.analytics() reports no searches;
2. Engine(settings, analytics=True) records searches and suggests, and engine.analytics() returns
   the dict of the HTTP API's GET /analytics, with site and date arguments checked;
3. the report's suggested fixes (from a log of two sessions rephrasing a query that found nothing
   and clicking) are accepted with engine.add_rule(site, p["rule"]): the query then finds the
   clicked page, and the fix is no longer proposed."""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from analytics_log import log_record  # noqa: E402

import siteseek

FIXTURE_SITE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "html", "site")


def settings(tmp_path):
    return {"data_dir": str(tmp_path / "data"),
            "sites": [{"name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE}]}


def test_off_by_default_in_the_library(tmp_path):
    engine = siteseek.Engine(settings(tmp_path))
    engine.reindex("ex")
    assert len(engine.search("guide", site="ex")) > 0
    engine.suggest("gui", site="ex")
    assert not os.path.exists(tmp_path / "data" / "analytics")
    report = engine.analytics()
    assert report["searches"] == 0 and report["top_queries"] == []


def test_records_and_reports_when_enabled(tmp_path):
    engine = siteseek.Engine(settings(tmp_path), analytics=True)
    engine.reindex("ex")
    engine.search("Guide ", site="ex")
    engine.search("guide", site="ex")
    engine.search("zzzqqqxx", site="ex")
    engine.suggest("gui", site="ex")
    report = engine.analytics(site="ex")
    assert set(report) == {"site", "from", "to", "searches", "suggests", "clicks", "clicked_searches", "ctr",
                           "top_queries", "zero_results", "no_clicks", "reformulations", "days", "proposals"}
    assert report["site"] == "ex" and report["searches"] == 3 and report["suggests"] == 1
    assert [(q["query"], q["searches"]) for q in report["top_queries"]] == [("guide", 2), ("zzzqqqxx", 1)]
    assert [q["query"] for q in report["zero_results"]] == ["zzzqqqxx"]
    assert len(report["days"]) == 30
    one_day = engine.analytics(from_=report["to"], to=report["to"])
    assert one_day["searches"] == 3 and len(one_day["days"]) == 1
    with pytest.raises(siteseek.QueryError):
        engine.analytics(from_="yesterday")
    with pytest.raises(siteseek.UnknownSiteError):
        engine.analytics(site="nope")


def test_proposal_accepted_with_add_rule(tmp_path):
    engine = siteseek.Engine(settings(tmp_path))
    engine.reindex("ex")
    q, r = "zzerasefolder", "install"
    assert len(engine.search(q, site="ex")) == 0
    clicked = engine.search(r, site="ex").results[0].url
    # The log a server would write: two sessions search q (nothing found), then r, and click.
    now = int(time.time())
    records = b""
    for n, session in enumerate(("py-session-0001", "py-session-0002")):
        records += log_record(1, now - 100 + n, 10 * n + 1, "ex", session, q, results=0)
        records += log_record(1, now - 90 + n, 10 * n + 2, "ex", session, r, results=4)
        records += log_record(3, now - 80 + n, 10 * n + 2, "ex", session, position=1, url=clicked)
    os.makedirs(tmp_path / "data" / "analytics", exist_ok=True)
    day = time.strftime("%Y-%m-%d", time.gmtime(now))
    with open(tmp_path / "data" / "analytics" / (day + ".log"), "wb") as f:
        f.write(b"SSAL1\n\0\0" + records)

    proposals = engine.analytics(site="ex")["proposals"]
    assert len(proposals) == 1, proposals
    p = proposals[0]
    assert p["site"] == "ex" and p["kind"] == "one_way"
    assert p["rule"]["from"] == q and p["rule"]["to"] == [r] and p["rule"]["note"].startswith("proposed from analytics ")
    assert p["evidence"]["sessions"] == 2 and p["evidence"]["status"] == "zero_results"
    assert len(engine.search(q, site="ex")) == 0  # the report applies nothing

    added = engine.add_rule(p["site"], p["rule"])
    assert added["kind"] == "one_way" and added["id"]
    assert clicked in [hit.url for hit in engine.search(q, site="ex")]
    assert engine.analytics(site="ex")["proposals"] == []
