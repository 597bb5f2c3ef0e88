"""Type stubs of the _siteseek extension (re-exported by the siteseek package)."""
from datetime import datetime
from typing import Any, Iterable, Iterator, Mapping, Optional, Union

__version__: str

class Error(Exception):
    code: str
class ConfigError(Error):
    issues: list[tuple[str, str]]
class QueryError(Error): ...
class UnknownSiteError(Error):
    known_sites: list[str]
class SnapshotError(Error): ...
class IoError(Error): ...
class RedisError(Error): ...

class FieldWeights:
    title: float
    section_title: float
    body: float
    url: float
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> FieldWeights: ...
    def to_dict(self) -> dict[str, Any]: ...

class LandingPage:
    query: str
    url: str
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> LandingPage: ...
    def to_dict(self) -> dict[str, Any]: ...

class AttributeRule:
    pattern: str
    attribute: str
    value: str
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> AttributeRule: ...
    def to_dict(self) -> dict[str, Any]: ...

class SkipRules:
    not_found_pages: bool
    title_contains: list[str]
    url_patterns: list[str]
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> SkipRules: ...
    def to_dict(self) -> dict[str, Any]: ...

class UrlBoost:
    pattern: str
    factor: float
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> UrlBoost: ...
    def to_dict(self) -> dict[str, Any]: ...

class AttributeRule:
    pattern: str
    attribute: str
    value: str
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> AttributeRule: ...
    def to_dict(self) -> dict[str, Any]: ...

class Boosts:
    page: float
    section: float
    depth_decay: float
    current_section: float
    link_list: float
    inbound_links: float
    release_notes: float
    repeated_body: float
    urls: list[UrlBoost]
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> Boosts: ...
    def to_dict(self) -> dict[str, Any]: ...

class CrawlLimits:
    max_pages: int
    max_depth: int
    concurrency: int
    per_host_delay_ms: int
    connect_timeout_ms: int
    timeout_ms: int
    max_page_bytes: int
    retries: int
    user_agent: str
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> CrawlLimits: ...
    def to_dict(self) -> dict[str, Any]: ...

class SearchOptions:
    typo_tolerance: bool
    one_typo_min_length: int
    two_typos_min_length: int
    time_budget_ms: int
    prefix_search: bool
    related_words: bool
    distinct_by_page: bool
    snippet_length: int
    highlight_pre_tag: str
    highlight_post_tag: str
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> SearchOptions: ...
    def to_dict(self) -> dict[str, Any]: ...

class RateBudget:
    per_second: float
    burst: int
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> RateBudget: ...
    def to_dict(self) -> dict[str, Any]: ...

class RateLimitSettings:
    enabled: bool
    search: RateBudget
    admin: RateBudget
    per_key: RateBudget
    table_size: int
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> RateLimitSettings: ...
    def to_dict(self) -> dict[str, Any]: ...

class AnalyticsSettings:
    enabled: bool
    retention_days: int
    max_mb: int
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> AnalyticsSettings: ...
    def to_dict(self) -> dict[str, Any]: ...

class SiteSettings:
    name: str
    url: str
    directory: str
    allowed_domains: list[str]
    allow_patterns: list[str]
    deny_patterns: list[str]
    start_urls: list[str]
    sitemap_urls: list[str]
    content_selectors: list[str]
    exclude_selectors: list[str]
    breadcrumb_selector: str
    title_separators: list[str]
    field_weights: FieldWeights
    synonyms: list[list[str]]
    literal_terms: list[str]
    stop_words: list[str]
    language: str
    landing_pages: list[LandingPage]
    attributes: list[AttributeRule]
    context_attributes: list[str]
    skip: SkipRules
    boosts: Boosts
    crawl: CrawlLimits
    search: SearchOptions
    search_access: str
    compact_above_mb: int
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> SiteSettings: ...
    def to_dict(self) -> dict[str, Any]: ...

class TlsSettings:
    cert_file: str
    key_file: str
    min_version: str
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> TlsSettings: ...
    def to_dict(self) -> dict[str, Any]: ...

class AppSettings:
    host: str
    port: int
    tls: TlsSettings
    threads: int
    api_key: str
    cors_origins: list[str]
    data_dir: str
    storage: str
    redis_url: str
    backend: str
    default_site: str
    max_query_length: int
    max_num: int
    default_num: int
    result_cache_mb: int
    log_level: str
    rate_limits: RateLimitSettings
    analytics: AnalyticsSettings
    trusted_proxies: list[str]
    trusted_proxy_header: str
    sites: list[SiteSettings]
    def __init__(self, **kwargs: Any) -> None: ...
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> AppSettings: ...
    @staticmethod
    def from_json(text: str) -> AppSettings: ...
    @staticmethod
    def load(file: str = "", overrides: Mapping[str, str] = ..., environment: bool = True) -> AppSettings: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self, include_secrets: bool = False) -> str: ...
    def validate(self) -> None: ...

def settings_schema() -> dict[str, Any]: ...
def scoped_token(parent_key: str, *, filters: Optional[str] = None, sites: Optional[list[str]] = None,
                 max_num: Optional[int] = None, expires_at: Union[str, datetime, int, float, None] = None) -> str: ...

class Document:
    url: str
    id: str
    title: str
    section_title: str
    hierarchy: list[str]
    body: str
    anchors: list[str]
    boost: float
    inbound_links: int
    attributes: dict[str, list[str]]  # set as {name: value or [values]}
    @property
    def type(self) -> str: ...
    def __init__(self, url: str, title: str = "", body: str = "", section_title: str = "",
                 hierarchy: list[str] = ..., type: str = "page", boost: float = 1.0,
                 attributes: Optional[Mapping[str, Union[str, list[str]]]] = None) -> None: ...

class SubResult:
    title: str
    url: str
    body: str
    def to_dict(self) -> dict[str, str]: ...

class SearchResult:
    title: str
    section_title: str
    hierarchy: list[str]
    body: str
    url: str
    site: str
    score: float
    sub_results: Optional[list[SubResult]]
    @property
    def type(self) -> str: ...
    @property
    def rules(self) -> list[dict[str, str]]: ...
    def to_dict(self) -> dict[str, Any]: ...

class FacetValue:
    value: str
    count: int

class Facet:
    name: str
    values: list[FacetValue]
    more: int
    def to_dict(self) -> dict[str, Any]: ...

class SearchResponse:
    total: int
    results: list[SearchResult]
    took_ms: float
    relaxed: bool
    out_of_time: bool
    facets: list[Facet]
    @property
    def context(self) -> list[tuple[str, str]]: ...
    @property
    def explain(self) -> Optional[dict[str, Any]]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[SearchResult]: ...

class Suggestion:
    text: str
    @property
    def url(self) -> Optional[str]: ...

class Engine:
    def __init__(self, settings: Union[AppSettings, Mapping[str, Any], str, None] = None,
                 analytics: bool = False) -> None: ...
    @staticmethod
    def open(path: str, site: str = "default") -> Engine: ...
    def save(self, path: str, site: Optional[str] = None) -> None: ...
    def index_directory(self, directory: str, base_url: str, site: str = "default") -> dict[str, Any]: ...
    def crawl(self, site: Optional[str] = None) -> dict[str, Any]: ...
    def reindex(self, site: Optional[str] = None) -> dict[str, Any]: ...
    def add_documents(self, site: str, documents: Iterable[Union[Document, Mapping[str, Any]]]) -> None: ...
    def upsert_documents(self, site: str, documents: Iterable[Union[Document, Mapping[str, Any]]]) -> dict[str, int]: ...
    def delete_pages(self, site: str, urls: list[str]) -> dict[str, int]: ...
    def put_site(self, settings: Union[SiteSettings, Mapping[str, Any]]) -> None: ...
    def remove_site(self, name: str) -> None: ...
    def create_key(self, actions: list[str], sites: Optional[list[str]] = None,
                   expires_at: Union[str, datetime, int, float, None] = None, description: str = "") -> dict[str, Any]: ...
    def list_keys(self) -> list[dict[str, Any]]: ...
    def revoke_key(self, id: str) -> None: ...
    def rules(self, site: str) -> list[dict[str, Any]]: ...
    def add_rule(self, site: str, rule: Mapping[str, Any]) -> dict[str, Any]: ...
    def remove_rule(self, site: str, id: str) -> None: ...
    def set_rules(self, site: str, rules: list[Mapping[str, Any]]) -> list[dict[str, Any]]: ...
    def search(self, q: str, site: Optional[str] = None, num: int = 10, start: int = 0,
               from_url: Optional[str] = None, **options: Any) -> SearchResponse: ...
    def suggest(self, prefix: str, site: Optional[str] = None, num: int = 8) -> list[Suggestion]: ...
    def load_snapshots(self) -> list[str]: ...
    def analytics(self, site: Optional[str] = None, from_: Optional[str] = None,
                  to: Optional[str] = None) -> dict[str, Any]: ...
    def sites(self) -> list[dict[str, Any]]: ...
    def result_cache_stats(self) -> dict[str, int]: ...
    @property
    def settings(self) -> AppSettings: ...
