"""Curation rules from Python (docs/curation.md):
1. add_rule returns the rule with an id; rules lists it; search applies it at once (a pin leads,
   a hide removes, a synonym expands) with no reindexing, and explain=True names it, on the
   response and on the result, in to_dict() too;
2. remove_rule and set_rules change them; an unknown id raises Error (not_found), a bad rule
   ConfigError naming the field;
3. rules are stored in data_dir: a new Engine on it applies them after load_snapshots()."""
import pytest

import siteseek

SITE = {"name": "docs", "url": "https://docs.example.org/"}


def docs():
    return [
        {"url": "https://docs.example.org/install", "title": "Installing", "body": "Install the package with pip."},
        {"url": "https://docs.example.org/k8s", "title": "Kubernetes", "body": "Deploy on a kubernetes cluster."},
        {"url": "https://docs.example.org/faq", "title": "FAQ", "body": "Questions about install problems."},
    ]


@pytest.fixture()
def engine(tmp_path):
    e = siteseek.Engine({"data_dir": str(tmp_path / "data"), "sites": [SITE]})
    e.add_documents("docs", docs())
    return e


def urls(engine, q, **options):
    return [r.url.rsplit("/", 1)[1] for r in engine.search(q, site="docs", **options)]


def test_pin_hide_synonyms_and_explain(engine):
    assert urls(engine, "install")[0] == "install"
    pin = engine.add_rule("docs", {"kind": "pin", "query": "install", "urls": ["/faq"]})
    assert pin["id"] and pin["kind"] == "pin" and pin["match"] == "exact"
    assert urls(engine, "install")[0] == "faq"
    res = engine.search("install", site="docs", explain=True)
    assert res.explain["query"] == "install"
    assert res.explain["optional_words"] == []
    assert res.explain["related"] == []
    assert engine.search("the install", site="docs", explain=True).explain["optional_words"] == ["the"]
    assert [(r["id"], r["kind"]) for r in res.explain["rules"]] == [(pin["id"], "pin")]
    assert res.results[0].rules[0]["id"] == pin["id"]
    assert res.to_dict()["explain"] == res.explain and res.to_dict()["results"][0]["rules"] == res.results[0].rules
    assert engine.search("install", site="docs").explain is None

    engine.add_rule("docs", {"kind": "hide", "query": "install", "url": "https://docs.example.org/install"})
    assert "install" not in urls(engine, "install")
    assert "k8s" not in urls(engine, "container")
    engine.add_rule("docs", {"kind": "one_way", "from": "container", "to": ["kubernetes"]})
    assert "k8s" in urls(engine, "container")
    assert [r["kind"] for r in engine.rules("docs")] == ["pin", "hide", "one_way"]

    engine.remove_rule("docs", pin["id"])
    assert urls(engine, "install") == ["faq"]  # the hide stays
    with pytest.raises(siteseek.Error) as e:
        engine.remove_rule("docs", pin["id"])
    assert e.value.code == "not_found"
    stored = engine.set_rules("docs", [{"kind": "boost", "query": "install", "url": "/faq", "factor": 0.5}])
    assert [r["kind"] for r in stored] == ["boost"] and urls(engine, "install")[0] == "install"


def test_validation_names_the_field(engine):
    with pytest.raises(siteseek.ConfigError) as e:
        engine.add_rule("docs", {"kind": "pin", "query": "x", "urls": ["/a", "nope"]})
    assert "rule.urls[1]" in str(e.value)
    with pytest.raises(siteseek.ConfigError) as e:
        engine.set_rules("docs", [{"kind": "synonyms", "synonyms": ["one"]}])
    assert "rules[0].synonyms" in str(e.value)


def test_rules_are_kept_in_data_dir(engine, tmp_path):
    engine.add_rule("docs", {"kind": "pin", "query": "install", "urls": ["/faq"], "note": "kept"})
    engine.save(str(tmp_path / "data" / "docs.snapshot"), "docs")
    again = siteseek.Engine({"data_dir": str(tmp_path / "data"), "sites": [SITE]})
    assert [r["note"] for r in again.rules("docs")] == ["kept"]
    again.load_snapshots()
    assert urls(again, "install")[0] == "faq"
