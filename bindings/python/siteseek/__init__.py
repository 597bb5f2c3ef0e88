"""siteseek: a search engine for documentation sites, embedded in Python.

    import siteseek
    engine = siteseek.Engine()
    engine.index_directory("/usr/share/doc/python3.11/html", "https://docs.python.org/3/", site="python")
    for result in engine.search("pathlib glob", site="python", num=5):
        print(result.url, result.title)

Searches, indexing and crawling release the GIL: Python threads search in parallel.
Errors derive from siteseek.Error (ConfigError, QueryError, UnknownSiteError, SnapshotError,
IoError, RedisError), each with a stable .code.
"""
from ._siteseek import (  # noqa: F401
    AnalyticsSettings,
    AppSettings,
    AttributeRule,
    Boosts,
    ConfigError,
    CrawlLimits,
    Document,
    Engine,
    Error,
    Facet,
    FacetValue,
    FieldWeights,
    IoError,
    LandingPage,
    QueryError,
    RateBudget,
    RateLimitSettings,
    RedisError,
    SearchOptions,
    SearchResponse,
    SearchResult,
    SiteSettings,
    SkipRules,
    SnapshotError,
    SubResult,
    Suggestion,
    TlsSettings,
    UnknownSiteError,
    UrlBoost,
    __version__,
    scoped_token,
    settings_schema,
)

__all__ = [
    "AnalyticsSettings", "AppSettings", "AttributeRule", "Boosts", "ConfigError", "CrawlLimits", "Document", "Engine", "Error", "Facet", "FacetValue", "FieldWeights",
    "IoError", "LandingPage", "QueryError", "RateBudget", "RateLimitSettings", "RedisError", "SearchOptions", "SearchResponse", "SearchResult", "SiteSettings",
    "SkipRules", "SnapshotError", "SubResult", "Suggestion", "TlsSettings", "UnknownSiteError", "UrlBoost", "__version__", "scoped_token", "settings_schema",
]
