"""The Python module as a Python user uses it:
1. an Engine over documents (dicts or Document), search with options, results as objects and dicts;
   sub_results=n lists a page's other matching sections under its one result (None when not asked);
   filters= keeps exact totals, facets= (a list or a comma-separated str) gives Facet objects over
   every result, .context the reader's page's values, to_dict() the HTTP keys; bad ones QueryError;
2. indexing a built directory, saving a snapshot and opening it again;
3. errors: a hierarchy under siteseek.Error with stable codes, ConfigError listing key paths,
   UnknownSiteError listing the valid sites, SnapshotError for a corrupt file;
4. settings as typed classes: defaults, keyword construction, dict and JSON round trips, masking;
5. several Python threads searching at once get the same answers as one thread (the GIL is
   released during searches);
6. put_site stores a site without indexing it, remove_site removes it with its files;
7. a compact site (compact_above_mb 0) answers as one that is not, added to a document at a time
   and saved and opened again."""
import json
import os
import threading

import pytest

import siteseek

FIXTURE_SITE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "html", "site")

DOCS = [
    {"url": "https://docs.example.org/install.html", "title": "Installing packages",
     "body": "Use the installer to install any package from the index."},
    {"url": "https://docs.example.org/config.html", "title": "Configuration",
     "body": "Settings live in a JSON file next to the program."},
    siteseek.Document("https://docs.example.org/search.html", title="Searching",
                      body="Type a few letters and press enter to search."),
]


@pytest.fixture()
def engine(tmp_path):
    e = siteseek.Engine({"data_dir": str(tmp_path / "data"), "sites": [{"name": "demo", "url": "https://docs.example.org/"}]})
    e.add_documents("demo", DOCS)
    return e


def test_search_results(engine):
    res = engine.search("install packge", site="demo")  # a typo, on purpose
    assert res.total >= 1 and len(res) == len(res.results)
    first = res.results[0]
    assert first.url == "https://docs.example.org/install.html"
    assert "<b>" in first.title and first.type == "page"
    assert set(first.to_dict()) == {"title", "section_title", "hierarchy", "body", "url"}
    d = res.to_dict()
    assert d["total"] == res.total and d["results"][0]["url"] == first.url
    assert res.took_ms >= 0
    assert [r.url for r in res] == [r.url for r in res.results]


def test_search_options(engine):
    assert engine.search("searc", site="demo").total == 1  # search as you type
    assert engine.search("searc", site="demo", prefix=False, typo=False).total == 0
    res = engine.search("install", site="demo", highlight_pre_tag="[", highlight_post_tag="]")
    assert "[" in res.results[0].title
    with pytest.raises(siteseek.QueryError) as err:
        engine.search("install", site="demo", colour="red")
    assert err.value.code == "invalid_parameter"


def test_a_search_past_its_time_budget_says_so(tmp_path):
    # A budget of 0 is spent before the first word: no typo lookups, and the answer says so.
    e = siteseek.Engine({"data_dir": str(tmp_path / "data"),
                         "sites": [{"name": "demo", "url": "https://docs.example.org/", "search": {"time_budget_ms": 0}}]})
    e.add_documents("demo", DOCS)
    res = e.search("packge ", site="demo")
    assert res.out_of_time and res.total == 0
    assert not e.search("package ", site="demo", typo=False).out_of_time  # nothing to look up
    assert e.result_cache_stats()["out_of_time"] == 1  # that answer was not cached
    with pytest.raises(siteseek.ConfigError) as err:
        siteseek.Engine({"sites": [{"name": "demo", "url": "https://docs.example.org/", "search": {"time_budget_ms": -1}}]})
    assert "sites[0].search.time_budget_ms" in str(err.value)


def test_sub_results(engine):
    page = "https://docs.example.org/dict.html"
    body = {"lookup": "Index with a key to get its value.", "views": "The keys view lists every key.",
            "merging": "Later values win."}
    engine.add_documents("demo", [{"url": page, "title": "Dictionaries", "body": " ".join(body.values())}] + [
        {"url": f"{page}#{anchor}", "title": "Dictionaries", "section_title": anchor.capitalize(), "body": text,
         "type": "section"} for anchor, text in body.items()])
    flat = engine.search("key ", site="demo")
    assert all(r.sub_results is None for r in flat) and "sub_results" not in flat.results[0].to_dict()
    res = engine.search("key ", site="demo", sub_results=3)
    assert [r.url for r in res] == [r.url for r in flat] and res.total == flat.total
    first = res.results[0]
    assert first.url.startswith(page) and isinstance(first.sub_results, list)
    listed = {first.url} | {s.url for s in first.sub_results}
    assert {page + "#lookup", page + "#views"} <= listed and page + "#merging" not in listed
    for s in first.sub_results:
        assert isinstance(s, siteseek.SubResult) and "<b>key" in s.body.lower()
        assert s.to_dict() == {"title": s.title, "url": s.url, "body": s.body}
    assert first.to_dict()["sub_results"] == [s.to_dict() for s in first.sub_results]
    assert res.to_dict()["results"][0]["sub_results"] == first.to_dict()["sub_results"]
    assert [s.url for s in engine.search("key ", site="demo", sub_results=1).results[0].sub_results] == \
        [s.url for s in first.sub_results][:1]
    with pytest.raises(siteseek.QueryError) as err:
        engine.search("key", site="demo", sub_results=2, distinct=False)
    assert err.value.code == "invalid_parameter"



def test_related_words_widen_a_word_the_site_rarely_uses():
    # "folder" is in one record of 153 (under 1 %), "directory" in three: the search also looks
    # for "directory" (docs/query-language.md#related-words) and says so; off, it does not.
    pages = [{"url": f"https://docs.example.org/p{i}.html", "title": f"Topic {i}", "body": "Nothing to see."} for i in range(150)]
    pages += [{"url": "https://docs.example.org/shutil.html", "title": "High-level file operations",
               "body": "Move a file or a directory tree to another directory."},
              {"url": "https://docs.example.org/os.html", "title": "Operating system interfaces", "body": "List the entries of a directory."},
              {"url": "https://docs.example.org/desktop.html", "title": "Desktop questions", "body": "A desktop calls a directory a folder."}]
    for on in (True, False):
        e = siteseek.Engine({"sites": [{"name": "demo", "url": "https://docs.example.org/", "search": {"related_words": on}}]})
        e.add_documents("demo", pages)
        res = e.search("move folder ", site="demo", explain=True)
        if on:
            assert not res.relaxed and res.results[0].url == "https://docs.example.org/shutil.html"
            assert res.explain["related"] == [{"word": "folder", "related": "directory"}]
        else:
            assert res.relaxed and res.explain["related"] == []

AREAS = [("guide/start.html", "Getting started", "page"), ("guide/start.html#install", "Install the tool", "section"),
         ("guide/config.html", "Configure the tool", "page"), ("api/tool.html", "The tool API", "page")]


@pytest.fixture()
def areas():
    # The attributes every index has: type (page or section) and area (the section_key ingestion
    # sets to the first path segment; given here).
    e = siteseek.Engine({"sites": [{"name": "demo", "url": "https://docs.example.org/", "context_attributes": ["area"]}]})
    e.add_documents("demo", [{"url": "https://docs.example.org/" + path, "title": title, "type": kind,
                              "section_title": title if kind == "section" else "", "body": "About the tool.",
                              "section_key": path.split("/")[0]}
                             for path, title, kind in AREAS])
    return e


def test_filters_and_facets(areas):
    everything = areas.search("tool", site="demo", num=1, distinct=False, facets=["type", "area"])
    assert everything.total == 4 and len(everything) == 1
    assert [f.name for f in everything.facets] == ["type", "area"]
    type_, area = everything.facets
    assert isinstance(area, siteseek.Facet) and isinstance(area.values[0], siteseek.FacetValue)
    assert [(v.value, v.count) for v in area.values] == [("guide", 3), ("api", 1)] and area.more == 0
    assert {v.value: v.count for v in type_.values} == {"page": 3, "section": 1}
    assert area.to_dict() == {"values": [{"value": "guide", "count": 3}, {"value": "api", "count": 1}]}
    d = everything.to_dict()
    assert list(d) == ["total", "results", "facets", "took_ms"]  # the HTTP keys, in their order
    assert d["facets"] == {"type": type_.to_dict(), "area": area.to_dict()}
    # Totals are exact under a filter; a comma-separated str is a list of names.
    kept = areas.search("tool", site="demo", distinct=False, filters="area:guide AND NOT type:section", facets="area, type")
    assert kept.total == 2 and {r.url.split("/")[3] for r in kept} == {"guide"}
    assert [f.name for f in kept.facets] == ["area", "type"] and kept.facets[0].values[0].count == 2
    # Not asked: no facets, no keys.
    plain = areas.search("tool", site="demo")
    assert plain.facets == [] and plain.context == [] and set(plain.to_dict()) == {"total", "results", "took_ms"}
    for options, code, text in [({"filters": "type:page AND"}, "invalid_filter", "position 14"),
                                ({"filters": "verison:1"}, "invalid_filter", "verison"),
                                ({"filters": "type:page" + " " * 2040}, "invalid_parameter", "filters is 2049 bytes"),
                                ({"filters": ["type:page"]}, "invalid_parameter", "filters must be a string"),
                                ({"facets": [f"a{i}" for i in range(17)]}, "invalid_parameter", "the limit is 16"),
                                ({"facets": ["Type"]}, "invalid_parameter", '"Type" is not an attribute name'),
                                ({"facets": [1]}, "invalid_parameter", "facets must be"),
                                ({"facets": 3}, "invalid_parameter", "facets must be")]:
        with pytest.raises(siteseek.QueryError, match=text) as err:
            areas.search("tool", site="demo", **options)
        assert err.value.code == code, options


def test_context_of_the_readers_page(areas):
    reader = "https://docs.example.org/api/tool.html#usage"
    kept = areas.search("tool", site="demo", from_url=reader, facets=["area"])
    assert kept.context == [("area", "api")] and kept.total == 1
    assert kept.to_dict()["context"] == [{"name": "area", "value": "api"}]
    assert list(kept.to_dict()) == ["total", "results", "facets", "context", "took_ms"]
    wide = areas.search("tool", site="demo", from_url=reader, filters="area:*")
    assert wide.context == [] and wide.total == 3  # one per page


def test_several_sites_in_one_search():
    e = siteseek.Engine({"sites": [{"name": n, "url": f"https://{n}.example.org/"} for n in ("guide", "api")]})
    for name, count in (("guide", 3), ("api", 2)):
        e.add_documents(name, [{"url": f"https://{name}.example.org/p{i}.html", "title": f"Tool page {i}",
                                "body": "About the tool."} for i in range(count)])
    both = e.search("tool", site="guide,api", num=10, facets=["type"])
    assert both.total == 5 and {r.site for r in both} == {"guide", "api"}
    assert all(r.to_dict()["site"] == r.site for r in both)
    assert both.facets[0].values[0].count == 5
    assert e.search("tool", site="api").results[0].site == ""  # one site: no site per result
    with pytest.raises(siteseek.UnknownSiteError):
        e.search("tool", site="guide,nope")


def test_suggest(engine):
    words = [s.text for s in engine.suggest("inst", site="demo")]
    assert any(w.startswith("inst") for w in words)


def test_index_directory_save_open(tmp_path):
    e = siteseek.Engine()
    report = e.index_directory(FIXTURE_SITE, "https://docs.example.org/", site="ex")
    assert report["pages_indexed"] == 4 and report["documents"] == 5
    assert any("no title" in reason for _, reason in report["skipped"])
    # The report's keys are the HTTP API's (siteseek/json.hpp); skipped and failed stay tuples.
    assert set(report) == {"pages_fetched", "pages_indexed", "pages_unchanged", "pages_not_requested", "documents",
                           "index_unchanged", "pages_changed", "pages_removed", "updated_in_place", "duration_ms", "skipped", "failed",
                           "pages_without_text", "generators"}
    assert report["generators"] == {"generic": 4}  # the generators whose conventions were followed
    # Indexed, and named: a page with nothing but its title (the fixture's draft)
    assert report["pages_without_text"] == ["https://docs.example.org/guide/draft.html"]
    assert report["index_unchanged"] is False
    # The same pages again: the index in use already holds them, nothing is rebuilt.
    assert e.index_directory(FIXTURE_SITE, "https://docs.example.org/", site="ex")["index_unchanged"] is True
    assert all(isinstance(x, tuple) and len(x) == 2 for x in report["skipped"]) and report["failed"] == []
    site = e.sites()[0]
    assert list(site) == ["name", "url", "has_index", "documents", "terms", "memory_bytes", "built_at",
                          "snapshot_version", "compact"]  # an entry of GET /sites
    assert site["built_at"].endswith("Z") and site["snapshot_version"] > 0 and site["compact"] is False
    path = str(tmp_path / "ex.snapshot")
    e.save(path, site="ex")
    opened = siteseek.Engine.open(path, site="ex")
    assert opened.search("install", site="ex").results[0].url.startswith("https://docs.example.org/guide/install.html")
    blob = bytearray(open(path, "rb").read())
    blob[len(blob) // 2] ^= 0xFF
    bad = tmp_path / "bad.snapshot"
    bad.write_bytes(bytes(blob))
    with pytest.raises(siteseek.SnapshotError) as err:
        siteseek.Engine.open(str(bad))
    assert isinstance(err.value, siteseek.Error) and err.value.code == "corrupt_snapshot"
    with pytest.raises(siteseek.IoError):
        e.index_directory(str(tmp_path / "missing"), "https://x.example/", site="x")


def test_anchors_are_searched_not_shown(engine):
    doc = siteseek.Document("https://docs.example.org/api.html#mapping", title="API", body="get(key) returns a value.",
                            section_title="Mappings", type="section")
    doc.anchors = ["mapping.get"]
    assert doc.anchors == ["mapping.get"]
    engine.add_documents("demo", [doc, {"url": "https://docs.example.org/api2.html", "title": "API 2",
                                        "body": "Nothing here.", "anchors": ["other.lookup"]}])
    first = engine.search("mapping.get", site="demo").results[0]
    assert first.url == "https://docs.example.org/api.html#mapping"
    assert "mapping.get" not in first.body
    assert engine.search("other.lookup", site="demo").results[0].url == "https://docs.example.org/api2.html"
    for key, bad in [("anchors", "not-a-list"), ("anchors", [1, 2]), ("hierarchy", "A > B"), ("title", 3),
                     ("boost", "high"), ("position", -1), ("inbound_links", -3)]:
        with pytest.raises(siteseek.QueryError, match=f"document key '{key}' must be"):
            engine.add_documents("demo", [{"url": "https://docs.example.org/x", key: bad}])


def test_document_attributes(engine):
    doc = siteseek.Document("https://docs.example.org/v.html", title="V", attributes={"version": " 3.12", "tags": ["b", "a"]})
    assert doc.attributes == {"tags": ["a", "b"], "version": ["3.12"]}  # trimmed, sorted, each pair once
    doc.attributes = {"version": ("3.11", "3.11")}
    assert doc.attributes == {"version": ["3.11"]}
    assert siteseek.Document("https://docs.example.org/w.html").attributes == {}
    engine.add_documents("demo", [doc, {"url": "https://docs.example.org/t.html", "title": "T",
                                        "attributes": {"tags": "install"}}])
    too_many = {"n": [str(i) for i in range(33)]}
    for bad, why in [("3.12", "must be a dict"), ({"version": 3.12}, "must be a dict"), ({"tags": [1]}, "must be a dict"),
                     ({"Version": "1"}, 'attribute name "Version"'), ({"v": " "}, 'attribute "v" has an empty value'),
                     ({"v": "x" * 129}, "over 128 bytes"), (too_many, "more than the 32")]:
        with pytest.raises(siteseek.QueryError, match="document key 'attributes'") as err:
            engine.add_documents("demo", [{"url": "https://docs.example.org/x", "attributes": bad}])
        assert why in str(err.value) and err.value.code == "invalid_document"
        with pytest.raises(siteseek.QueryError, match=why):
            siteseek.Document("https://docs.example.org/x", attributes=bad)


def test_pages_more_pages_link_to_rank_first():
    e = siteseek.Engine()
    body = "Read a file line by line."
    e.add_documents("demo", [{"url": "https://docs.example.org/a.html", "title": "A", "body": body},
                             {"url": "https://docs.example.org/b.html", "title": "B", "body": body,
                              "inbound_links": 12}])
    first, second = e.search("read file", site="demo").results
    assert first.url == "https://docs.example.org/b.html" and first.score > second.score
    doc = siteseek.Document("https://docs.example.org/c.html", title="C")
    doc.inbound_links = 4
    assert doc.inbound_links == 4


def test_errors(engine):
    with pytest.raises(siteseek.UnknownSiteError) as err:
        engine.search("x", site="nope")
    assert err.value.known_sites == ["demo"] and err.value.code == "unknown_site"
    with pytest.raises(siteseek.QueryError):
        engine.add_documents("demo", [{"title": "no url"}])
    with pytest.raises(siteseek.QueryError):
        engine.add_documents("demo", [{"url": "https://docs.example.org/x", "colour": "red"}])


def test_config_errors_list_key_paths():
    with pytest.raises(siteseek.ConfigError) as err:
        siteseek.AppSettings.from_dict({"port": "x", "sites": [{"name": "a", "url": "https://a.org/", "synonyms": [3]}]})
    paths = [p for p, _ in err.value.issues]
    assert paths == ["port", "sites[0].synonyms[0]"]
    assert err.value.issues[1][1] == "expected an array of strings, got an integer"
    with pytest.raises(siteseek.ConfigError) as err:
        siteseek.Engine({"sites": [{"name": "a b", "url": "ftp://x"}]})
    assert {p for p, _ in err.value.issues} == {"sites[0].name", "sites[0].url"}


def test_settings_classes_round_trip():
    s = siteseek.AppSettings()
    assert s.port == 8080 and s.max_num == 100 and s.sites == []
    s = siteseek.AppSettings(port=9000, api_key="k", sites=[{"name": "a", "url": "https://a.org/", "language": "none"}])
    assert s.port == 9000 and s.api_key == "k"
    site = s.sites[0]
    assert isinstance(site, siteseek.SiteSettings) and site.language == "none"
    assert site.field_weights.title == 10.0
    weights = siteseek.FieldWeights(title=3.5)
    assert weights.body == 1.5
    site.field_weights.title = 7.25  # nested structs are edited in place
    assert site.field_weights.title == 7.25
    s.port = 9100
    assert s.port == 9100
    d = s.to_dict()
    assert siteseek.AppSettings.from_dict(d) == s
    assert json.loads(s.to_json())["api_key"] == "***"
    assert siteseek.AppSettings.from_json(s.to_json(include_secrets=True)) == s
    assert "properties" in siteseek.settings_schema()
    with pytest.raises(siteseek.ConfigError):
        siteseek.AppSettings.from_json(s.to_json())  # a masked dump is not a config


def test_threads_search_in_parallel():
    e = siteseek.Engine()
    e.index_directory(FIXTURE_SITE, "https://docs.example.org/", site="ex")
    queries = ["install", "guide", "example docs", "linux", "welcome", "instal", "apt"] * 20
    expected = {q: [r.url for r in e.search(q, site="ex")] for q in set(queries)}
    failures = []

    def worker(offset):
        for q in queries[offset:] + queries[:offset]:
            got = [r.url for r in e.search(q, site="ex")]
            if got != expected[q]:
                failures.append((q, got))

    threads = [threading.Thread(target=worker, args=(i * 7,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_docstrings():
    assert "Search a site" in siteseek.Engine.search.__doc__
    assert siteseek.ConfigError.__doc__ and "issues" in siteseek.ConfigError.__doc__


def test_indexing_stores_like_the_server(tmp_path):
    # index_directory goes through the server's path: the snapshot and the site's settings land in
    # data_dir, so an Engine over that directory with no sites configured finds and loads them.
    e = siteseek.Engine({"data_dir": str(tmp_path)})
    e.index_directory(FIXTURE_SITE, "https://x.example/", site="ex")
    assert (tmp_path / "ex.snapshot").exists() and (tmp_path / "ex.site.json").exists()
    fresh = siteseek.Engine({"data_dir": str(tmp_path)})
    assert [s["name"] for s in fresh.sites()] == ["ex"]
    assert fresh.load_snapshots() == ["ex"]
    assert [r.url for r in fresh.search("install", site="ex")] == [r.url for r in e.search("install", site="ex")]
    # Without settings nothing is written anywhere.
    memory = siteseek.Engine()
    memory.index_directory(FIXTURE_SITE, "https://x.example/", site="ex")
    assert memory.search("install", site="ex").total > 0


def test_put_site_stores_and_remove_site_removes(tmp_path):
    # put_site defines a site (stored in data_dir like the server's PUT /sites/{name}) without
    # indexing it; reindex() builds it. remove_site drops the site, its index and its files.
    ex = {"name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE}
    e = siteseek.Engine({"data_dir": str(tmp_path), "sites": [ex]})
    e.put_site({"name": "new", "url": "https://new.example.org/", "directory": FIXTURE_SITE})
    assert [(s["name"], s["has_index"]) for s in e.sites()] == [("ex", False), ("new", False)]
    assert (tmp_path / "new.site.json").exists()
    assert e.reindex("new")["documents"] == 5
    assert e.search("install", site="new").results[0].url.startswith("https://new.example.org/guide/install.html")
    # A SiteSettings object works too; the changed site answers from its index until reindexed.
    e.put_site(siteseek.SiteSettings(name="new", url="https://new.example.org/", directory=FIXTURE_SITE,
                                     synonyms=[["setup", "install"]]))
    assert e.sites()[1]["has_index"] and e.settings.sites[1].synonyms == [["setup", "install"]]
    assert [s["name"] for s in siteseek.Engine({"data_dir": str(tmp_path), "sites": [ex]}).sites()] == ["ex", "new"]

    with pytest.raises(siteseek.ConfigError) as err:
        e.put_site({"name": "bad", "url": "https://bad.example.org/", "crawl": {"max_pages": "many"}})
    assert err.value.issues[0][0] == "crawl.max_pages"
    with pytest.raises(siteseek.ConfigError) as err:
        e.put_site({"url": "https://bad.example.org/"})
    assert err.value.issues[0][0] == "name"
    assert [s["name"] for s in e.sites()] == ["ex", "new"]

    e.remove_site("new")
    assert [s["name"] for s in e.sites()] == ["ex"]
    assert not (tmp_path / "new.site.json").exists() and not (tmp_path / "new.snapshot").exists()
    with pytest.raises(siteseek.UnknownSiteError):
        e.search("install", site="new")
    with pytest.raises(siteseek.UnknownSiteError) as err:
        e.remove_site("new")
    assert err.value.known_sites == ["ex"]

    # Documents given to a removed site are gone with it.
    e.add_documents("notes", [{"url": "https://notes.example/a", "title": "Alpha"}])
    e.remove_site("notes")
    e.add_documents("notes", [{"url": "https://notes.example/b", "title": "Beta"}])
    assert [r.url for r in e.search("alpha beta", site="notes")] == ["https://notes.example/b"]


def test_request_policy_as_over_http(engine):
    # The same limits and names as the HTTP API: query length, num clamped, a site named by its URL.
    with pytest.raises(siteseek.QueryError) as too_long:
        engine.search("x" * 600, site="demo")
    assert too_long.value.code == "query_too_long"
    assert len(engine.search("install", site="demo", num=100000).results) <= 100
    assert engine.search("install", site="https://docs.example.org").total == engine.search("install", site="demo").total


def test_documents_added_one_call_at_a_time(tmp_path):
    # An engine that keeps nothing on disk builds a site's index once, at the next call that
    # reads it, from everything given so far: every document is found, in any mix of calls.
    e = siteseek.Engine()
    for i in range(300):
        e.add_documents("notes", [{"url": f"https://notes.example/{i}.html", "title": f"Note {i}", "body": "common words"}])
    assert e.search("common", site="notes").total == 300
    assert [s["documents"] for s in e.sites() if s["name"] == "notes"] == [300]
    e.add_documents("notes", [{"url": "https://notes.example/extra.html", "title": "Extra", "body": "rare"}])
    assert e.search("rare", site="notes").total == 1
    assert [s.text for s in e.suggest("extr", site="notes")][:1] == ["extra"]
    # A bad document raises at the call that gives it; the others stay.
    with pytest.raises(siteseek.QueryError):
        e.add_documents("notes", [{"url": "https://notes.example/bad.html", "attributes": {"": "x"}}])
    assert e.search("common", site="notes").total == 300
    # An engine that stores builds and stores at each call: what a call was given is on disk
    # when it returns.
    stored = siteseek.Engine({"data_dir": str(tmp_path), "sites": [{"name": "notes", "url": "https://notes.example/"}]})
    stored.add_documents("notes", [{"url": "https://notes.example/a.html", "title": "Kept", "body": "kept"}])
    assert (tmp_path / "notes.snapshot").exists()
    again = siteseek.Engine({"data_dir": str(tmp_path), "sites": [{"name": "notes", "url": "https://notes.example/"}]})
    again.load_snapshots()
    assert again.search("kept", site="notes").total == 1


@pytest.mark.parametrize("persist", [False, True])
def test_upsert_documents_and_delete_pages_are_searchable_when_they_return(tmp_path, persist):
    # Each call's change is what the next search sees (a new segment); with settings it is also in
    # data_dir when the call returns (the segment and the manifest), until a whole build.
    e = (siteseek.Engine({"data_dir": str(tmp_path / "data"), "sites": [{"name": "demo", "url": "https://docs.example.org/"}]})
         if persist else siteseek.Engine())
    e.add_documents("demo", DOCS)
    page = "https://docs.example.org/install.html"
    out = e.upsert_documents("demo", [
        {"url": page, "title": "Installing wheels", "body": "Wheels are built packages."},
        {"url": page + "#offline", "title": "Installing wheels", "section_title": "Offline", "type": "section",
         "body": "Copy the wheelhouse first."},
    ])
    assert out["added"] == 2 and out["removed"] == 1
    assert [r.url for r in e.search("wheelhouse", site="demo").results] == [page + "#offline"]
    found = e.search("install package", site="demo").results
    assert found and all("installer" not in r.body for r in found)  # the old text is gone
    out = e.upsert_documents("demo", [{"url": "https://docs.example.org/new.html", "title": "Brand new", "body": "zeppelin"}])
    assert out["removed"] == 0 and e.search("zeppelin", site="demo").total == 1
    out = e.delete_pages("demo", [page + "#whatever", "https://docs.example.org/never.html"])
    assert out["removed"] == 2
    assert e.search("wheels", site="demo").total == 0
    assert e.search("zeppelin", site="demo").total == 1
    data = tmp_path / "data"

    def reopened():
        again = siteseek.Engine({"data_dir": str(data), "sites": [{"name": "demo", "url": "https://docs.example.org/"}]})
        again.load_snapshots()
        return again
    if persist:
        assert (data / "demo.segments").exists() and list(data.glob("demo.*.segment"))
        assert reopened().search("zeppelin", site="demo").total == 1 and reopened().search("wheels", site="demo").total == 0
    # save() writes one snapshot of the live records.
    e.save(str(tmp_path / "one.snapshot"), "demo")
    opened = siteseek.Engine.open(str(tmp_path / "one.snapshot"), "demo")
    assert opened.search("zeppelin", site="demo").total == 1 and opened.search("wheels", site="demo").total == 0
    # add_documents afterwards builds from every document the engine was given, replaced ones as
    # replaced: nothing comes back.
    e.add_documents("demo", [{"url": "https://docs.example.org/more.html", "title": "More", "body": "zeppelin again"}])
    assert e.search("zeppelin", site="demo").total == 2
    assert e.search("wheelhouse", site="demo").total == 0
    with pytest.raises(siteseek.QueryError):
        e.upsert_documents("demo", [{"url": "https://docs.example.org/x.html", "attributes": {"Bad Name": "x"}}])
    if persist:  # built and stored whole: the snapshot alone is the index again
        assert not (data / "demo.segments").exists() and not list(data.glob("demo.*.segment"))
        assert reopened().search("zeppelin", site="demo").total == 2


def test_upsert_documents_keeps_the_pages_of_an_indexed_directory(tmp_path):
    # The directory's pages stay beside the page given, in memory and in data_dir.
    e = siteseek.Engine({"data_dir": str(tmp_path / "data"), "sites": [{"name": "site", "url": "https://docs.example.org/"}]})
    e.index_directory(FIXTURE_SITE, "https://docs.example.org/", "site")
    before = e.search("install", site="site").total
    assert before > 0
    e.upsert_documents("site", [{"url": "https://docs.example.org/extra.html", "title": "Extra", "body": "quokka"}])
    assert e.search("quokka", site="site").total == 1
    assert e.search("install", site="site").total == before
    again = siteseek.Engine({"data_dir": str(tmp_path / "data"), "sites": [{"name": "site", "url": "https://docs.example.org/"}]})
    again.load_snapshots()
    assert again.search("quokka", site="site").total == 1 and again.search("install", site="site").total == before
    # Every file the manifest names is there (the snapshot among them until a background merge
    # takes its records: this site is small, so one page moves its length averages enough). The
    # first engine is gone first: its merges stop with it.
    del e
    named = {s["file"] for s in json.loads((tmp_path / "data" / "site.segments").read_text())["segments"]}
    assert named and all((tmp_path / "data" / f).exists() for f in named)


def test_a_compact_site_answers_as_one_that_is_not(tmp_path):
    docs = [{"url": f"https://docs.example.org/p{i}.html", "title": f"Page {i}",
             "body": " ".join(f"word{(i * 7 + k) % 50} text{k % 13}" for k in range(400))} for i in range(30)]
    answers = []
    for compact in (False, True):
        site = {"name": "demo", "url": "https://docs.example.org/"}
        if compact:
            site["compact_above_mb"] = 0
        e = siteseek.Engine({"data_dir": str(tmp_path / f"data-{compact}"), "sites": [site]})
        for d in docs:  # a document at a time: segments, merged in the background
            e.add_documents("demo", [d])
        assert e.sites()[0]["compact"] is compact
        path = str(tmp_path / f"demo-{compact}.snapshot")
        e.save(path, site="demo")
        with open(path, "rb") as f:  # a compact file's bodies are zstd frames
            assert (b"\x28\xb5\x2f\xfd" in f.read()) == compact
        opened = siteseek.Engine.open(path, site="demo")
        answers.append([[(r.url, r.title, r.body) for r in x.search(q, site="demo").results]
                        for x in (e, opened) for q in ("word3", "text7 word11", "word4*", "pag")])
    assert answers[0] == answers[1]
    assert any(body for per_query in answers[1] for _, _, body in per_query)

