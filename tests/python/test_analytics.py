"""Search analytics from Python (docs/analytics.md):
1. an Engine records nothing by default, even with analytics.enabled in its settings: no
   <data_dir>/analytics, and engine.analytics() reports no searches;
2. Engine(settings, analytics=True) records searches and suggests, and engine.analytics() returns
   the dict of the HTTP API's GET /analytics, with site and date arguments checked."""
import os

import pytest

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
                           "top_queries", "zero_results", "no_clicks", "reformulations", "days"}
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
