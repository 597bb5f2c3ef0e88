#!/usr/bin/python3
"""Index the Python 3.11 docs (Debian's python3.11-doc) and search them from Python.

    PYTHONPATH=build/bindings/python examples/python/index_and_search.py "asyncio gather"
"""
import sys

import siteseek

settings = siteseek.AppSettings(sites=[{
    "name": "python",
    "url": "https://docs.python.org/3/",
    "content_selectors": ["div.body"],
    "title_separators": [" — "],
    "deny_patterns": ["/(genindex[^/]*|search|py-modindex)\\.html$"],
}])
engine = siteseek.Engine(settings)
report = engine.index_directory("/usr/share/doc/python3.11/html", "https://docs.python.org/3/", site="python")
print(f"indexed {report['documents']} documents from {report['pages_indexed']} pages in {report['duration_ms']} ms")

query = " ".join(sys.argv[1:]) or "pathlib glob"
response = engine.search(query, site="python", num=5)
print(f"{response.total} results for {query!r} ({response.took_ms:.3f} ms)")
for result in response:
    where = " › ".join(result.hierarchy)
    print(f"- {result.url}\n  {where}")
