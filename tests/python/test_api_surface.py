"""The Python API's surface matches what it promises:
1. the type stubs (_siteseek.pyi) name exactly the classes, functions and methods the extension
   has, and the package re-exports all of them;
2. help() shows the docstrings (and the signatures with their defaults);
3. optional arguments accept None (site, from_url), and keyword names are the documented ones
   (search(q, site, num, start, from_url), suggest(prefix, site, num), crawl(site));
4. Document objects and dicts index the same thing; results carry the stored fields;
   load_snapshots() reads <data_dir>/<site>.snapshot for the configured sites;
5. settings: SiteSettings dict/JSON round trips, AppSettings.load precedence
   (defaults < file < environment < overrides) and the ConfigError for a bad override."""
import ast
import json
import os
import pydoc

import pytest

import siteseek
from siteseek import _siteseek

STUB = os.path.join(os.path.dirname(siteseek.__file__), "_siteseek.pyi")


def stub_names():
    tree = ast.parse(open(STUB).read())
    top, members = set(), {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            top.add(node.name)
            members[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
            members[node.name] |= {n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
        elif isinstance(node, ast.FunctionDef):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            top.add(node.target.id)
    return top, members


def test_stubs_match_the_extension():
    top, members = stub_names()
    real = {n for n in dir(_siteseek) if not n.startswith("_")} | {"__version__"}
    assert top == real
    for cls, names in members.items():
        have = {n for n in dir(getattr(_siteseek, cls)) if not n.startswith("_")}
        if issubclass(getattr(_siteseek, cls), BaseException):
            have -= set(dir(Exception))
            assert names <= have | {"code", "issues", "known_sites"}, cls  # set on each raised instance
        else:
            assert names == have, (cls, names ^ have)
    assert set(siteseek.__all__) == real


def test_help_shows_docstrings():
    text = pydoc.render_doc(siteseek.Engine, renderer=pydoc.plaintext)
    assert "Releases the GIL" in text and "search(self" in text and "from_url: Optional[str] = None" in text
    assert "suggest(self" in text and "prefix: str" in text
    assert "issues" in pydoc.render_doc(siteseek.ConfigError, renderer=pydoc.plaintext)
    assert siteseek.SearchResult.to_dict.__doc__ and siteseek.AppSettings.load.__doc__


@pytest.fixture()
def engine(tmp_path):
    e = siteseek.Engine({"data_dir": str(tmp_path / "data"), "sites": [{"name": "demo", "url": "https://docs.example.org/"}]})
    e.add_documents("demo", [
        {"url": "https://docs.example.org/a.html", "title": "Alpha install", "body": "alpha body text",
         "hierarchy": ["Guide"]},
        siteseek.Document("https://docs.example.org/b.html", title="Beta install", body="beta body text",
                          hierarchy=["Guide"]),
    ])
    return e


def test_none_defaults_and_keyword_names(engine):
    urls = lambda r: [x.url for x in r.results]  # noqa: E731
    assert urls(engine.search("install", site=None, from_url=None)) == urls(engine.search("install", site="demo"))
    assert urls(engine.search(q="install", site="demo", num=1, start=1)) == urls(engine.search("install"))[1:2]
    assert [s.text for s in engine.suggest(prefix="alp", site=None)] == [s.text for s in engine.suggest("alp", "demo")]
    with pytest.raises(TypeError):
        engine.search("install", site=3)


def test_documents_and_results(engine):
    res = engine.search("beta")
    r = res.results[0]
    assert r.url == "https://docs.example.org/b.html" and r.hierarchy == ["Guide"] and r.type == "page"
    assert r.to_dict()["hierarchy"] == ["Guide"] and r.score > 0
    doc = siteseek.Document("https://x.org/p", title="T", type="section", section_title="S")
    assert (doc.url, doc.id, doc.title, doc.type, doc.section_title) == ("https://x.org/p", "https://x.org/p", "T",
                                                                         "section", "S")
    with pytest.raises(siteseek.QueryError):
        siteseek.Document("https://x.org/p", type="chapter")
    sites = engine.sites()
    assert sites[0]["name"] == "demo" and sites[0]["has_index"] and sites[0]["documents"] == 2


def test_repeated_search_comes_from_the_result_cache(engine):
    before = engine.result_cache_stats()
    first = engine.search("beta install", num=3)
    again = engine.search("beta install", num=3)
    after = engine.result_cache_stats()
    assert [r.to_dict() for r in again.results] == [r.to_dict() for r in first.results] and first.total
    assert after["hits"] == before["hits"] + 1 and after["misses"] == before["misses"] + 1
    assert after["max_bytes"] == 32 << 20 and 0 < after["bytes"] <= after["max_bytes"]


def test_load_snapshots_from_data_dir(engine, tmp_path):
    engine.save(str(tmp_path / "demo.snapshot"))
    settings = {"data_dir": str(tmp_path), "sites": [{"name": "demo", "url": "https://docs.example.org/"},
                                                     {"name": "none", "url": "https://none.example.org/"}]}
    fresh = siteseek.Engine(settings)
    assert fresh.load_snapshots() == ["demo"]
    assert [r.url for r in fresh.search("install", site="demo")] == [r.url for r in engine.search("install")]


def test_site_settings_round_trip():
    site = siteseek.SiteSettings(name="s", url="https://s.org/", synonyms=[["a", "b"]], language="none",
                                 crawl={"max_pages": 7}, landing_pages=[{"query": "home", "url": "https://s.org/"}],
                                 boosts={"urls": [{"pattern": "/api/", "factor": 0.5}]},
                                 attributes=[{"pattern": "/(\\d+)/", "attribute": "version", "value": "$1"}])
    assert site.crawl.max_pages == 7 and site.landing_pages[0].query == "home"
    assert isinstance(site.boosts.urls[0], siteseek.UrlBoost) and site.boosts.urls[0].factor == 0.5
    assert isinstance(site.attributes[0], siteseek.AttributeRule) and site.attributes[0].value == "$1"
    assert siteseek.SiteSettings.from_dict(site.to_dict()) == site
    assert siteseek.SiteSettings.from_dict(json.loads(json.dumps(site.to_dict()))) == site
    with pytest.raises(siteseek.ConfigError) as err:
        siteseek.SiteSettings(name="s", url="https://s.org/", crawl={"max_pages": "many"})
    assert err.value.issues[0][0].endswith("crawl.max_pages")
    with pytest.raises(siteseek.ConfigError) as err:
        siteseek.SiteSettings(name="s", url="https://s.org/", boosts={"urls": [{"pattern": "(", "factor": 1}]})
    assert err.value.issues[0][0].endswith("boosts.urls[0].pattern")


def test_load_precedence(tmp_path, monkeypatch):
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"port": 9000, "max_num": 50, "default_num": 5}))
    monkeypatch.setenv("SITESEEK_PORT", "9001")
    s = siteseek.AppSettings.load(str(config))
    assert (s.port, s.max_num) == (9001, 50)  # environment over file
    s = siteseek.AppSettings.load(str(config), overrides={"port": "9002"})
    assert s.port == 9002  # overrides over environment
    assert siteseek.AppSettings.load(str(config), environment=False).port == 9000
    with pytest.raises(siteseek.ConfigError) as err:
        siteseek.AppSettings.load(str(config), overrides={"max_num": "-1"})
    assert err.value.issues[0][0] == "max_num" and err.value.code
