// The crawl loop on libcurl's multi interface: one thread keeps up to `concurrency` transfers
// in flight, schedules each host no faster than its delay (robots.txt Crawl-delay included),
// follows redirects itself so every hop is checked against the site's scope, and hands HTML
// to extract_page (a Docsify site's Markdown files as the HTML Docsify makes of them). Every
// wait is bounded by the transfer timeouts and a 50 ms poll.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_set>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <curl/curl.h>
#include <re2/re2.h>

#include "common/unix_time.hpp"
#include "crawl/text.hpp"
#include "ingest/markdown.hpp"
#include "siteseek/crawler.hpp"
#include "siteseek/error.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {
namespace {

using Clock = std::chrono::steady_clock;

using detail::unix_now;

// A page is not requested when its <lastmod> is older than its last fetch by at least this much:
// the margin absorbs the clock difference between the site's server (which wrote <lastmod>) and
// this machine, at the price of requesting pages changed within it (conditionally, as ever).
constexpr std::int64_t lastmod_margin_seconds = 3600;

enum class Kind { page, robots, sitemap };

struct Item {
  std::string url;
  Kind kind = Kind::page;
  unsigned depth = 0;
  unsigned attempt = 0;
  unsigned redirects = 0;
  bool explicit_sitemap = false;  // configured or listed: report its failures
  Clock::time_point not_before{};
  bool markdown = false;  // a Docsify site's Markdown file (read as its page at its route)
};

struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  Item item;
  std::string body;
  std::string content_type, etag, last_modified, date, location;
  std::uint64_t limit = 0;
  bool too_large = false, not_html = false, blocked = false, allow_private = false;
  char error[CURL_ERROR_SIZE] = {};
  ~Transfer() {
    if (headers) curl_slist_free_all(headers);
    if (easy) curl_easy_cleanup(easy);
  }
};

using detail::lower;

// A response's Last-Modified, kept for the next crawl's If-Modified-Since only when it is a strong
// validator (RFC 9110, 8.8.2.2): at least a second before the response's Date (this machine's
// clock without one). Within that second the page may change again with the same Last-Modified
// (HTTP dates have whole seconds), and a conditional request would then be answered 304.
std::string strong_last_modified(const std::string& last_modified, const std::string& date) {
  if (last_modified.empty()) return {};
  const auto modified = curl_getdate(last_modified.c_str(), nullptr);
  if (modified < 0) return last_modified;  // not a date this can read: the server's to judge
  const auto answered = date.empty() ? -1 : curl_getdate(date.c_str(), nullptr);
  const std::int64_t now = answered >= 0 ? static_cast<std::int64_t>(answered) : unix_now();
  return now - static_cast<std::int64_t>(modified) >= 1 ? last_modified : std::string{};
}

std::string host_of(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  return u ? lower(u->host()) : std::string();
}

std::string origin_of(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return {};
  std::string out = std::string(u->scheme()) + "://" + lower(u->encoded_host_and_port());
  return out;
}

std::string path_and_query(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return "/";
  std::string p = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  if (u->has_query()) p += "?" + std::string(u->encoded_query());
  return p;
}

bool private_v4(std::uint32_t a) {  // host byte order
  return (a >> 24) == 127 || (a >> 24) == 10 || (a >> 24) == 0 || (a >> 20) == (172u << 4 | 1) ||
         (a >> 16) == (192u << 8 | 168) || (a >> 16) == (169u << 8 | 254) || (a >> 22) == (100u << 2 | 1);
}

bool private_address(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) return private_v4(ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr));
  if (sa->sa_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_UNSPECIFIED(&a)) return true;
    if ((a.s6_addr[0] & 0xfe) == 0xfc) return true;  // unique local fc00::/7
    if (IN6_IS_ADDR_V4MAPPED(&a)) {
      std::uint32_t v4;
      std::memcpy(&v4, a.s6_addr + 12, 4);
      return private_v4(ntohl(v4));
    }
  }
  return false;
}

// A site configured on a loopback or private host may be crawled there; nothing else may.
bool site_is_private(const std::string& host) {
  if (host == "localhost" || host.ends_with(".localhost")) return true;
  sockaddr_in v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return private_address(reinterpret_cast<sockaddr*>(&v4));
  }
  std::string h = host;
  if (h.size() > 2 && h.front() == '[') h = h.substr(1, h.size() - 2);
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    return private_address(reinterpret_cast<sockaddr*>(&v6));
  }
  return false;
}

curl_socket_t open_socket(void* clientp, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(clientp);
  if (!t->allow_private && private_address(&address->addr)) {
    t->blocked = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  std::string_view line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string key = lower(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
    if (key == "content-type") t->content_type = std::string(value);
    else if (key == "etag") t->etag = std::string(value);
    else if (key == "last-modified") t->last_modified = std::string(value);
    else if (key == "date") t->date = std::string(value);
    else if (key == "location") t->location = std::string(value);
  } else if (line.rfind("HTTP/", 0) == 0) {
    // A new response (after a 100 Continue): forget the previous one's headers.
    t->content_type.clear(), t->etag.clear(), t->last_modified.clear(), t->date.clear(), t->location.clear();
  }
  return size * n;
}

bool is_html(std::string_view content_type) {
  std::string ct = lower(content_type.substr(0, content_type.find(';')));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  return ct.empty() || ct == "text/html" || ct == "application/xhtml+xml";
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  if (t->item.kind == Kind::page && !t->item.markdown) {
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    // Only HTML is indexed: stop downloading anything else as soon as its type is known.
    if (status == 200 && !is_html(t->content_type)) {
      t->not_html = true;
      return 0;
    }
  }
  if (t->body.size() + size * n > t->limit) {
    t->too_large = true;
    return 0;
  }
  t->body.append(data, size * n);
  return size * n;
}

std::string charset_of(std::string_view content_type) {
  std::string ct = lower(content_type);
  auto pos = ct.find("charset=");
  if (pos == std::string::npos) return {};
  std::string v = ct.substr(pos + 8);
  v = v.substr(0, v.find_first_of("; "));
  if (!v.empty() && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() > 1 ? v.size() - 2 : 0);
  return v;
}

std::string resolve(std::string_view base, std::string_view ref) {
  auto b = boost::urls::parse_uri(base);
  auto r = boost::urls::parse_uri_reference(ref);
  if (!b || !r) return {};
  boost::urls::url out(*b);
  if (!out.resolve(*r)) return {};
  return normalize_url(out.buffer());
}

}  // namespace

bool host_within(std::string_view host, std::string_view domain) {
  const auto same = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  };
  if (same(host, domain)) return true;
  return host.size() > domain.size() && host[host.size() - domain.size() - 1] == '.' &&
         same(host.substr(host.size() - domain.size()), domain);
}

namespace {

class Crawler {
 public:
  // `owned`: the previous state, handed over (options.previous points to it).
  Crawler(const SiteSettings& site, const CrawlOptions& options, CrawlState* owned = nullptr)
      : site_(site), options_(options), owned_(owned) {
    root_ = normalize_url(site.url);
    if (root_.empty()) throw IoError("cannot crawl '" + site.url + "': not an http(s) URL");
    for (const auto& d : site.allowed_domains) domains_.push_back(lower(d));
    if (domains_.empty()) domains_.push_back(host_of(root_));
    for (const auto& p : site.allow_patterns) allow_.push_back(std::make_unique<RE2>(p, RE2::Quiet));
    for (const auto& p : site.deny_patterns) deny_.push_back(std::make_unique<RE2>(p, RE2::Quiet));
    allow_private_ = site_is_private(host_of(root_));
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(site.crawl.concurrency));
  }
  ~Crawler() {
    for (auto& [easy, t] : running_) curl_multi_remove_handle(multi_, easy);
    running_.clear();
    curl_multi_cleanup(multi_);
  }

  CrawlOutcome run() {
    auto started = Clock::now();
    std::vector<std::string> starts = site_.start_urls.empty() ? std::vector<std::string>{site_.url} : site_.start_urls;
    for (const auto& s : starts) {
      auto u = normalize_url(s);
      if (!u.empty()) enqueue_page(u, 0);
    }
    for (const auto& s : site_.sitemap_urls) {
      auto u = normalize_url(s);
      if (!u.empty()) queue_sitemap(u, true);
    }
    loop();
    settle_docsify();

    CrawlOutcome out;
    out.result.report = std::move(report_);
    std::vector<PageLinks> links;
    std::size_t documents = 0;
    for (const auto& [url, page] : pages_) documents += page.documents.size();
    out.result.documents.reserve(documents);
    for (auto& [url, page] : pages_) {
      for (auto& d : page.documents) {
        if (options_.state_documents) {
          out.result.documents.push_back(d);
          continue;
        }
        Document kept;
        kept.url = d.url;
        kept.anchors = d.anchors;
        out.result.documents.push_back(std::move(d));
        d = std::move(kept);
      }
      links.push_back({url, page.links});
      out.state.pages.emplace(url, std::move(page));
    }
    strip_site_titles(out.result.documents, site_);
    give_ancestors(out);
    count_inbound_links(out.result.documents, links);
    score_repeated_bodies(out.result.documents, site_.boosts.repeated_body);
    count_attribute_values(out.result.report.attributes, out.result.documents);
    out.result.report.documents = out.result.documents.size();
    out.kept_pages = std::move(kept_);
    out.result.report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    std::sort(out.result.report.skipped.begin(), out.result.report.skipped.end(),
              [](const SkippedPage& a, const SkippedPage& b) { return a.url < b.url; });
    if (out.result.documents.empty() && out.result.report.pages_unchanged == 0 && !out.result.report.failed.empty()) {
      const auto& f = out.result.report.failed.front();
      throw IoError("crawl of " + site_.url + " fetched nothing usable; first failure: " + f.url + ": " + f.error);
    }
    return out;
  }

 private:
  // Each page without a breadcrumb of its own gets its ancestors' titles (assign_hierarchy), and
  // the state says how many, so that a re-crawl that keeps the page can give it theirs anew. A
  // kept page whose count is not known (-1) holds its hierarchy as the last crawl left it.
  void give_ancestors(CrawlOutcome& out) const {
    std::vector<std::string> as_they_are;
    for (const auto& url : kept_)
      if (const auto it = out.state.pages.find(url); it == out.state.pages.end() || it->second.ancestors < 0) as_they_are.push_back(url);
    const auto given = assign_hierarchy(out.result.documents, site_, as_they_are);
    const std::unordered_set<std::string> left(as_they_are.begin(), as_they_are.end());
    for (const auto& d : out.result.documents) {
      if (d.type != DocumentType::page || left.count(d.url)) continue;
      if (const auto it = out.state.pages.find(d.url); it != out.state.pages.end()) {
        const auto n = given.find(d.url);
        it->second.ancestors = n == given.end() ? -1 : static_cast<std::int32_t>(n->second);
      }
    }
  }

  struct Host {
    bool robots_known = false, robots_pending = false;
    RobotsRules robots = RobotsRules::allow_all();
    Clock::time_point next{};
  };

  bool domain_allowed(const std::string& host) const {
    return std::any_of(domains_.begin(), domains_.end(), [&](const std::string& d) { return host_within(host, d); });
  }

  // Why a URL is out of scope, or empty when it may be crawled.
  std::string out_of_scope(const std::string& url) const {
    if (url.empty()) return "not an http(s) URL";
    if (!domain_allowed(host_of(url))) return "outside the allowed domains";
    for (const auto& re : deny_) {
      if (re->ok() && RE2::PartialMatch(url, *re)) return "denied by pattern \"" + re->pattern() + "\"";
    }
    if (!allow_.empty()) {
      for (const auto& re : allow_) {
        if (re->ok() && RE2::PartialMatch(url, *re)) return {};
      }
      return "matches no allow pattern";
    }
    if (url.rfind(root_, 0) != 0 && (url + "/") != root_) return "outside the site root " + root_;
    return {};
  }

  void enqueue_page(const std::string& url, unsigned depth) {
    if (!seen_.insert(url).second) return;
    if (auto why = out_of_scope(url); !why.empty()) return;  // links leaving the site are not pages of it
    queue_.push_back({url, Kind::page, depth, 0, 0, false, {}});
  }
  // An extracted page, not skipped, kept as one of the crawl's under `url`, with the validators
  // of its response and the links of its content that count.
  void keep_page(const std::string& url, ExtractedPage& page, const std::string& etag, const std::string& last_modified,
                 const std::string& date, std::vector<std::string> links) {
    ++report_.pages_indexed;
    if (page.no_text) report_.pages_without_text.push_back(url);
    ++report_.generators[page.generator];
    report_.attributes.dropped += page.attributes_dropped;
    documents_ += page.documents.size();
    pages_[url] = CrawlState::Page{etag, strong_last_modified(last_modified, date), std::move(page.documents), std::move(links),
                                   unix_now(), page.title};
  }
  // A Docsify site's Markdown file, fetched as a page is (its robots, delay, budget, retries).
  void enqueue_markdown(const std::string& url, unsigned depth) {
    if (url.empty() || !seen_.insert(url).second) return;
    if (auto why = out_of_scope(url); !why.empty()) return;
    queue_.push_back({url, Kind::page, depth, 0, 0, false, {}, true});
  }
  // A fetched Markdown file: Docsify's own (_sidebar.md) give their links only; a page is read
  // as Docsify shows it, at its route.
  void read_markdown(Transfer& t, const ExtractOptions& eo) {
    const Item& item = t.item;
    const bool own = docsify_own(item.url);
    const std::string rel = item.url.starts_with(docsify_files_) ? item.url.substr(docsify_files_.size()) : item.url;
    const std::string html =
        ingest_detail::docsify_page_html(t.body, ingest_detail::docsify_fallback_title(*docsify_, rel), docsify_->version);
    // The files it links to are fetched next; their routes are what inbound_links counts.
    const bool follow = item.depth < site_.crawl.max_depth || own;
    std::vector<std::string> links;
    for (const auto& file : ingest_detail::docsify_linked_files(*docsify_, html)) {
      if (follow) enqueue_markdown(resolve(docsify_files_, file), own ? item.depth : item.depth + 1);
      if (auto u = ingest_detail::docsify_url(*docsify_, docsify_root_, file); out_of_scope(u).empty()) links.push_back(std::move(u));
    }
    if (own) {
      --report_.pages_fetched;  // not a page
      return;
    }
    const std::string url = ingest_detail::docsify_url(*docsify_, docsify_root_, rel);
    ExtractedPage page = extract_page(html, url, site_, eo);
    if (!page.skip_reason.empty()) return skip(url, page.skip_reason);
    if (pages_.count(url)) return skip(item.url, "duplicate of " + url);
    ++markdown_pages_;
    keep_page(url, page, t.etag, t.last_modified, t.date, std::move(links));
  }
  // Docsify's own files (_sidebar.md, _navbar.md): links to pages, which a site may not have.
  static bool docsify_own(std::string_view url) { return url.substr(url.rfind('/') + 1).starts_with('_'); }
  // After the crawl: a Docsify page whose Markdown was read is no page; one whose Markdown was
  // not (none found beside it) is read as the page it is.
  void settle_docsify() {
    if (!docsify_shell_) return;
    auto shell = std::move(docsify_shell_);
    if (markdown_pages_ > 0) return skip(shell->url, "a Docsify page: its pages are its Markdown files, read instead");
    docsify_.reset();
    if (!shell->page.skip_reason.empty()) return skip(shell->url, shell->page.skip_reason);
    keep_page(shell->url, shell->page, shell->etag, shell->last_modified, shell->date, {});
  }
  void queue_sitemap(const std::string& url, bool explicit_sitemap) {
    queue_.push_back({url, Kind::sitemap, 0, 0, 0, explicit_sitemap, {}});
    ++sitemaps_outstanding_;
  }

  // A page its sitemap says has not changed since the last crawl fetched it: its previous
  // documents are kept and it is not requested at all. Its links are not read either, so the
  // previous crawl's pages are queued, as after a 304.
  bool reuse_by_lastmod(const Item& item) {
    if (!options_.previous) return false;
    const auto lastmod = lastmods_.find(item.url);
    if (lastmod == lastmods_.end()) return false;
    const auto it = options_.previous->pages.find(item.url);
    if (it == options_.previous->pages.end() || it->second.fetched_at == 0 ||
        lastmod->second > it->second.fetched_at - lastmod_margin_seconds) {
      return false;
    }
    ++report_.pages_not_requested;
    keep_previous(item.url, it->second);
    requeue_previous(item);
    return true;
  }
  // A page of the previous crawl kept as it was: moved out of a state handed over (each page is
  // kept once: its URL is seen once, and only the state's URLs are read after), else copied.
  void keep_previous(const std::string& url, const CrawlState::Page& previous) {
    kept_.push_back(url);
    auto& page = pages_[url];
    if (owned_) page = std::move(owned_->pages.at(url));  // `previous` itself, handed over
    else page = previous;
    // Its records' title as extracted (each record carries its page's): strip_site_titles then
    // learns the site's shared affixes from every page's title, and cuts them as a whole crawl.
    if (!page.title.empty())
      for (auto& d : page.documents) d.title = page.title;
  }

  void requeue_previous(const Item& item) {
    // Once queued from some depth, every one of them is seen: queueing them again from that
    // depth or deeper adds nothing (and a site of n pages reused by lastmod would walk n x n).
    if (item.depth + 1 > site_.crawl.max_depth || item.depth >= previous_requeued_from_) return;
    previous_requeued_from_ = item.depth;
    for (const auto& [url, page] : options_.previous->pages) {
      if (url != item.url) enqueue_page(url, item.depth + 1);
    }
  }

  void skip(const std::string& url, std::string reason) { report_.skipped.push_back({url, std::move(reason)}); }
  void fail(const std::string& url, std::string error) {
    report_.failed.push_back({url, std::move(error)});
    ++errors_;
  }

  Host& host(const std::string& url) { return hosts_[origin_of(url)]; }

  bool page_budget_left() const { return report_.pages_fetched + pages_in_flight_ < site_.crawl.max_pages; }

  // Start transfers while there is room and something is ready.
  void schedule() {
    const auto now = Clock::now();
    std::size_t scanned = 0, n = queue_.size();
    while (running_.size() < site_.crawl.concurrency && scanned < n && !queue_.empty()) {
      Item item = std::move(queue_.front());
      queue_.pop_front();
      ++scanned;
      if (item.kind == Kind::page && !page_budget_left()) {
        continue;  // max_pages reached: drop what is left
      }
      Host& h = host(item.url);
      if (item.kind != Kind::robots && !h.robots_known) {
        if (!h.robots_pending) {
          h.robots_pending = true;
          queue_.push_front({origin_of(item.url) + "/robots.txt", Kind::robots, 0, 0, 0, false, {}});
          ++n;
        }
        queue_.push_back(std::move(item));
        continue;
      }
      if (item.kind == Kind::page && !h.robots.allowed(path_and_query(item.url))) {
        skip(item.url, "disallowed by robots.txt");
        continue;
      }
      // A re-crawl reads the sitemaps before it requests pages: their <lastmod> may spare the requests.
      if (item.kind == Kind::page && sitemaps_outstanding_ > 0 && options_.previous && !options_.previous->pages.empty()) {
        queue_.push_back(std::move(item));
        continue;
      }
      if (item.kind == Kind::page && reuse_by_lastmod(item)) continue;
      if (item.not_before > now || h.next > now) {
        queue_.push_back(std::move(item));
        continue;
      }
      unsigned delay = std::max(site_.crawl.per_host_delay_ms, h.robots.crawl_delay_ms());
      h.next = now + std::chrono::milliseconds(delay);
      start(std::move(item));
    }
  }

  void start(Item item) {
    auto t = std::make_unique<Transfer>();
    t->item = std::move(item);
    t->limit = t->item.kind == Kind::page ? site_.crawl.max_page_bytes : (64u << 20);
    t->allow_private = allow_private_;
    CURL* e = curl_easy_init();
    t->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, t->item.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are followed by hand, hop by hop
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, site_.crawl.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(site_.crawl.connect_timeout_ms));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(site_.crawl.timeout_ms));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // gzip, deflate, br, zstd as libcurl can
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t->limit));
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
    if (t->item.kind == Kind::page && options_.previous) {
      auto it = options_.previous->pages.find(t->item.url);
      if (it != options_.previous->pages.end()) {
        if (!it->second.etag.empty()) t->headers = curl_slist_append(t->headers, ("If-None-Match: " + it->second.etag).c_str());
        if (!it->second.last_modified.empty())
          t->headers = curl_slist_append(t->headers, ("If-Modified-Since: " + it->second.last_modified).c_str());
        if (t->headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
      }
    }
    if (t->item.kind == Kind::page) ++pages_in_flight_;
    curl_multi_add_handle(multi_, e);
    running_.emplace(e, std::move(t));
  }

  void retry_or_fail(Transfer& t, const std::string& error) {
    if (t.item.attempt < site_.crawl.retries) {
      Item again = t.item;
      ++again.attempt;
      auto backoff = std::chrono::milliseconds(std::min(5000u, 200u << std::min(again.attempt, 5u)));
      again.not_before = Clock::now() + backoff;
      if (again.kind == Kind::sitemap) ++sitemaps_outstanding_;
      queue_.push_back(std::move(again));
      return;
    }
    if (t.item.kind == Kind::page || t.item.explicit_sitemap) fail(t.item.url, error);
  }

  void finish(Transfer& t, CURLcode code) {
    const Item& item = t.item;
    if (item.kind == Kind::page) --pages_in_flight_;
    if (item.kind == Kind::sitemap) --sitemaps_outstanding_;  // a retry counts again when queued
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);

    if (item.kind == Kind::robots) {
      Host& h = host(item.url);
      if (code == CURLE_OK && status >= 200 && status < 300) {
        h.robots = RobotsRules::parse(t.body, site_.crawl.user_agent);
        h.robots_known = true;
        for (const auto& s : h.robots.sitemaps()) {
          auto u = normalize_url(s);
          if (!u.empty() && domain_allowed(host_of(u))) queue_sitemap(u, true);
        }
        if (h.robots.sitemaps().empty() && site_.sitemap_urls.empty() && origin_of(item.url) == origin_of(root_)) {
          queue_sitemap(origin_of(root_) + "/sitemap.xml", false);
        }
      } else if (code == CURLE_OK && status >= 500) {
        if (item.attempt < site_.crawl.retries) return retry_or_fail(t, "HTTP " + std::to_string(status));
        h.robots = RobotsRules::disallow_all();  // the server may not want us: RFC 9309 says stay out
        h.robots_known = true;
        fail(item.url, "HTTP " + std::to_string(status) + ": robots.txt unavailable, the host is not crawled");
      } else {
        h.robots = RobotsRules::allow_all();  // no robots.txt (4xx) or unreachable: pages report their own errors
        h.robots_known = true;
        if (origin_of(item.url) == origin_of(root_) && site_.sitemap_urls.empty()) {
          queue_sitemap(origin_of(root_) + "/sitemap.xml", false);
        }
      }
      return;
    }

    if (code == CURLE_FILESIZE_EXCEEDED) t.too_large = true;  // announced by Content-Length
    if (code != CURLE_OK && !(t.too_large || t.not_html)) {
      if (t.blocked) {
        if (item.kind == Kind::page || item.explicit_sitemap)
          fail(item.url, "refused: the host resolves to a private or loopback address");
        return;
      }
      std::string error = curl_easy_strerror(code);
      if (t.error[0]) error += std::string(": ") + t.error;
      const bool transient = code == CURLE_OPERATION_TIMEDOUT || code == CURLE_COULDNT_CONNECT ||
                             code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR || code == CURLE_GOT_NOTHING ||
                             code == CURLE_PARTIAL_FILE;
      if (transient) return retry_or_fail(t, error);
      if (item.kind == Kind::page || item.explicit_sitemap) fail(item.url, error);
      return;
    }

    if (item.kind == Kind::sitemap) {
      if (t.too_large) return fail(item.url, "sitemap larger than 64 MiB");
      if (status >= 500) return retry_or_fail(t, "HTTP " + std::to_string(status));
      if (status != 200) {
        if (item.explicit_sitemap) fail(item.url, "HTTP " + std::to_string(status));
        return;
      }
      auto sitemap = parse_sitemap(t.body);
      // What was read before an error is still crawled; the error is reported with the URL (not
      // for the /sitemap.xml guessed when none is named, which may well be an HTML page).
      if (!sitemap.error.empty() && (item.explicit_sitemap || !sitemap.entries.empty())) {
        fail(item.url, "sitemap: " + sitemap.error);
      }
      for (const auto& entry : sitemap.entries) {
        auto u = normalize_url(entry.loc);
        if (u.empty()) continue;
        if (sitemap.is_index) {
          if (sitemaps_seen_++ < 100 && domain_allowed(host_of(u))) queue_sitemap(u, true);
        } else {
          if (entry.lastmod) lastmods_[u] = *entry.lastmod;
          enqueue_page(u, 0);
        }
      }
      return;
    }

    // A page.
    ++report_.pages_fetched;
    progress();
    if (t.too_large) return skip(item.url, "larger than max_page_bytes (" + std::to_string(site_.crawl.max_page_bytes) + ")");
    if (t.not_html) return skip(item.url, "not HTML (" + t.content_type + ")");
    if (status >= 300 && status < 400 && status != 304) {
      if (t.location.empty()) return fail(item.url, "HTTP " + std::to_string(status) + " without a Location");
      std::string target = resolve(item.url, t.location);
      // file:, ftp:, data: ... are never fetched, not even as a redirect's target.
      if (target.empty()) return skip(item.url, "redirects to " + t.location + ", not an http(s) URL");
      if (auto why = out_of_scope(target); !why.empty()) return skip(item.url, "redirects to " + target + ", " + why);
      if (item.redirects >= 10) return fail(item.url, "more than 10 redirects");
      skip(item.url, "redirects to " + target);
      if (!seen_.insert(target).second) return;
      Item next{target, Kind::page, item.depth, 0, item.redirects + 1, false, {}, item.markdown};
      queue_.push_front(std::move(next));
      return;
    }
    if (status == 304) {
      auto it = options_.previous ? options_.previous->pages.find(item.url) : decltype(options_.previous->pages.end()){};
      if (options_.previous && it != options_.previous->pages.end()) {
        ++report_.pages_unchanged;
        keep_previous(item.url, it->second);
        pages_[item.url].fetched_at = unix_now();
        // Its links are not known without the body: the previous crawl's pages are requeued.
        requeue_previous(item);
        return;
      }
      return fail(item.url, "HTTP 304 for a page without a previous version");
    }
    if (status >= 500) return retry_or_fail(t, "HTTP " + std::to_string(status));
    if (status != 200 && item.markdown && docsify_own(item.url)) {
      --report_.pages_fetched;  // a sidebar the site does not have
      return;
    }
    if (status != 200) return fail(item.url, "HTTP " + std::to_string(status));

    ExtractOptions eo;
    eo.charset = charset_of(t.content_type);
    eo.attribute_rules = attribute_rules_;
    if (item.markdown) return read_markdown(t, eo);
    // A Docsify site's page: its pages are its Markdown files, found from here. The page is held
    // back, and indexed only when none of them is (a base path on another host).
    if (!docsify_) {
      if (auto docsify = ingest_detail::docsify_site(t.body)) {
        docsify_ = std::move(docsify);
        docsify_root_ = item.url.substr(0, item.url.rfind('/') + 1);
        docsify_files_ = docsify_root_ + docsify_->base_path;
        for (const auto& file : {docsify_->homepage, std::string("_sidebar.md"), std::string("_navbar.md")})
          enqueue_markdown(docsify_files_ + file, item.depth);
        docsify_shell_ = std::make_unique<HeldPage>(
            HeldPage{item.url, t.etag, t.last_modified, t.date, extract_page(t.body, item.url, site_, eo)});
        // Its links to other HTML pages are followed as any page's are.
        if (const auto& shell = docsify_shell_->page; !shell.nofollow && item.depth < site_.crawl.max_depth)
          for (const auto& link : shell.links) enqueue_page(normalize_url(link), item.depth + 1);
        return;
      }
    } else if (markdown_pages_ > 0 && ingest_detail::docsify_site(t.body)) {
      // The page again under another URL (a history-mode route the server answers with it).
      return skip(item.url, "a Docsify page: its pages are its Markdown files, read instead");
    }
    ExtractedPage page = extract_page(t.body, item.url, site_, eo);
    if (!page.nofollow && item.depth < site_.crawl.max_depth) {
      for (const auto& link : page.links) enqueue_page(normalize_url(link), item.depth + 1);
    }
    std::string url = item.url;
    if (!page.canonical_url.empty()) {
      std::string canonical = normalize_url(page.canonical_url);
      if (!canonical.empty() && canonical != url && out_of_scope(canonical).empty()) {
        if (pages_.count(canonical) || indexed_canonicals_.count(canonical)) {
          return skip(url, "duplicate of its canonical URL " + canonical);
        }
        seen_.insert(canonical);
        indexed_canonicals_.insert(canonical);
        page = extract_page(t.body, canonical, site_, eo);
        url = canonical;
      }
    }
    if (!page.skip_reason.empty()) return skip(item.url, page.skip_reason);
    if (pages_.count(url)) return skip(item.url, "duplicate of " + url);
    std::vector<std::string> links;  // only those that may be pages of the site: they alone count
    for (const auto& link : page.content_links) {
      auto u = normalize_url(link);
      if (out_of_scope(u).empty()) links.push_back(std::move(u));
    }
    keep_page(url, page, t.etag, t.last_modified, t.date, std::move(links));
  }

  void progress() {
    if (options_.progress) {
      options_.progress({report_.pages_fetched, queue_.size() + running_.size(), documents_, errors_});
    }
  }

  void loop() {
    while (true) {
      if (options_.cancel && options_.cancel->load()) break;
      schedule();
      if (running_.empty()) {
        if (queue_.empty()) break;
        // Everything queued waits for a delay or a retry backoff.
        bool any_page_left = false;
        for (const auto& it : queue_) any_page_left = any_page_left || it.kind != Kind::page || page_budget_left();
        if (!any_page_left) break;
        curl_multi_poll(multi_, nullptr, 0, 20, nullptr);
        continue;
      }
      int still = 0;
      curl_multi_perform(multi_, &still);
      int left = 0;
      bool finished = false;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL* e = msg->easy_handle;
        CURLcode code = msg->data.result;
        curl_multi_remove_handle(multi_, e);
        auto node = running_.extract(e);
        finish(*node.mapped(), code);
        finished = true;
      }
      // A finished transfer frees a slot and may have queued more (a sitemap's pages, a page's
      // links): they start now, not after a poll that, with nothing left running, would only
      // wait out its timeout.
      if (finished) continue;
      curl_multi_poll(multi_, nullptr, 0, 50, nullptr);
    }
    progress();
  }

  const SiteSettings& site_;
  const CrawlOptions& options_;
  std::string root_;
  std::vector<std::string> domains_;
  std::vector<std::unique_ptr<RE2>> allow_, deny_;
  std::shared_ptr<const CompiledAttributeRules> attribute_rules_ = compile_attribute_rules(site_);
  bool allow_private_ = false;
  CURLM* multi_ = nullptr;
  std::map<CURL*, std::unique_ptr<Transfer>> running_;
  std::deque<Item> queue_;
  std::set<std::string> seen_, indexed_canonicals_;
  std::map<std::string, Host> hosts_;
  std::map<std::string, CrawlState::Page> pages_;
  IngestReport report_;
  // A Docsify site (ingest/markdown.hpp): its settings, the directory of its page and of its
  // Markdown files, its page held back until the crawl's end, the Markdown pages read.
  std::optional<ingest_detail::DocsifySite> docsify_;
  std::string docsify_root_, docsify_files_;
  struct HeldPage {
    std::string url, etag, last_modified, date;
    ExtractedPage page;
  };
  std::unique_ptr<HeldPage> docsify_shell_;
  std::size_t markdown_pages_ = 0;
  std::uint64_t documents_ = 0, errors_ = 0, pages_in_flight_ = 0, sitemaps_seen_ = 0;
  std::uint64_t sitemaps_outstanding_ = 0;  // sitemaps queued or in flight
  unsigned previous_requeued_from_ = ~0u;   // the shallowest depth requeue_previous ran from
  std::map<std::string, std::int64_t> lastmods_;  // page URL -> its sitemap <lastmod> (latest moment)
  CrawlState* owned_ = nullptr;
  std::vector<std::string> kept_;  // pages kept from the previous state
};

}  // namespace

namespace {
CrawlOutcome run_crawl(const SiteSettings& site, const CrawlOptions& options, CrawlState* owned) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  Crawler c(site, options, owned);
  return c.run();
}
}  // namespace

CrawlOutcome crawl(const SiteSettings& site, const CrawlOptions& options) { return run_crawl(site, options, nullptr); }

CrawlOutcome crawl(const SiteSettings& site, const CrawlOptions& options, CrawlState&& previous) {
  CrawlOptions with = options;
  with.previous = &previous;
  return run_crawl(site, with, &previous);
}

}  // namespace siteseek
