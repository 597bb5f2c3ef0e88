// Crawls a fixture site served by a real HTTP server (tests/fixtures/crawl_site/server.py) on
// 127.0.0.1, started and stopped by this test. Proves:
// 1. exactly the expected documents: robots.txt disallow honoured, sitemap index + gzip sitemap
//    followed, redirect chain ends at its target, off-domain links and redirects not followed,
//    404 reported, 500-then-200 retried, slow page timed out, oversized page and PDF skipped,
//    link loop visited once, canonical duplicate indexed once, noindex skipped;
// 2. a re-crawl with the previous state sends conditional requests and reuses 304 pages, whose
//    links still count for the pages they cite (also across a restart, from the validators file);
// 3. a re-crawl applied in place keeps the pages answered 304 whole (a home page's sections keep
//    their breadcrumb), and builds again with their bodies those whose inbound links the changed
//    pages changed; the changed pages' titles lose the affix the site's titles share: the index
//    holds what a whole crawl of the site gives;
// 4. a Last-Modified within a second of the response is not used for the next request (weak);
//    an unreachable start URL throws, naming it;
// 5. a public site never fetches loopback addresses, also through a name that resolves to one;
// 6. hostile pages (deep nesting, huge attribute, broken encoding) are indexed, a gzip bomb is
//    stopped at max_page_bytes, links and redirects to file:, ftp:, data:, javascript: or to
//    another host name are never followed;
// 7. a Docsify site is crawled through its Markdown: its page leads to its homepage and sidebar,
//    the sidebar to the other pages, each read at its route (sections at ?id=); the page itself is
//    skipped, and a sidebar it lacks (_navbar.md, 404) is no failure; crawled again, the same.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/algorithm/string/join.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "siteseek/crawler.hpp"
#include "siteseek/node.hpp"
#include "siteseek/index.hpp"
#include "siteseek/error.hpp"
#include "siteseek/segments.hpp"
#include "siteseek/settings.hpp"

using namespace siteseek;

namespace {

// The fixture server as a child process: its port from its first line of output; stopped
// (SIGTERM, then waited for) when this object goes away.
class FixtureServer {
 public:
  FixtureServer() {
    int out[2], in[2];
    BOOST_REQUIRE(pipe(out) == 0 && pipe(in) == 0);
    // Made before fork(): the child allocates nothing (another thread may hold the allocator).
    const std::string script = std::string(SITESEEK_SOURCE_DIR) + "/tests/fixtures/crawl_site/server.py";
    pid_ = fork();
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(in[0], 0);
      close(out[0]), close(out[1]), close(in[0]), close(in[1]);
      execl("/usr/bin/python3", "python3", script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]), close(in[0]);
    stdin_ = in[1];
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    BOOST_REQUIRE_MESSAGE(!line.empty(), "the fixture server did not start");
    port_ = std::stoi(line);
  }
  ~FixtureServer() {
    close(stdin_);
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // How many times the server was asked for `path` (its /__hits counter).
  int hits(const std::string& path) const { return std::stoi(get("/__hits?" + path)); }
  // The version of the pages under /site/ from now on.
  void set_version(int n) const { BOOST_TEST(get("/__version?" + std::to_string(n)) == "ok"); }

 private:
  // The body of a GET of `target`, over a plain socket (not the crawler under test).
  std::string get(const std::string& target) const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    const std::string request = "GET " + target + " HTTP/1.0\r\nConnection: close\r\n\r\n";
    BOOST_REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
    std::string response;
    char buf[512];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) response.append(buf, static_cast<std::size_t>(n));
    close(fd);
    const auto body = response.find("\r\n\r\n");
    BOOST_REQUIRE(body != std::string::npos);
    return response.substr(body + 4);
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  int port_ = 0;
};

SiteSettings fixture_site(const std::string& base) {
  SiteSettings s;
  s.name = "fixture";
  s.url = base + "/";
  s.title_separators = {" | "};
  s.crawl.concurrency = 4;
  s.crawl.timeout_ms = 1000;
  s.crawl.connect_timeout_ms = 1000;
  s.crawl.max_page_bytes = 1 << 20;
  s.crawl.retries = 2;
  s.crawl.user_agent = "siteseek-test";
  return s;
}

// The fixture site alone, kept in a data directory of this process's own.
AppSettings fixture_app(const std::string& base, const std::string& name) {
  AppSettings app;
  app.data_dir = "/tmp/siteseek-crawl-" + name + "-" + std::to_string(getpid());
  app.sites.push_back(fixture_site(base));
  return app;
}

// The inbound_links of the document with this URL (-1: no such document).
long inbound(const std::vector<Document>& docs, const std::string& url) {
  for (const auto& d : docs)
    if (d.url == url) return d.inbound_links;
  return -1;
}
std::vector<Document> documents_of(const Index& index) {
  std::vector<Document> out;
  for (std::uint32_t i = 0; i < index.size(); ++i) out.push_back(index.document(i));
  return out;
}

bool has(const std::vector<SkippedPage>& list, const std::string& url, const std::string& fragment) {
  for (const auto& s : list)
    if (s.url == url && s.reason.find(fragment) != std::string::npos) return true;
  return false;
}
bool has(const std::vector<FailedPage>& list, const std::string& url, const std::string& fragment) {
  for (const auto& s : list)
    if (s.url == url && s.error.find(fragment) != std::string::npos) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crawler)

BOOST_AUTO_TEST_CASE(fixture_site_end_to_end) {
  FixtureServer server;
  const std::string b = server.base();
  auto site = fixture_site(b);
  std::uint64_t progress_calls = 0;
  CrawlOptions options;
  options.progress = [&](const IngestProgress&) { ++progress_calls; };
  auto outcome = crawl(site, options);
  const auto& r = outcome.result.report;

  std::set<std::string> urls;
  for (const auto& d : outcome.result.documents) urls.insert(d.url);
  std::set<std::string> expected{b + "/", b + "/a.html", b + "/a.html#s1", b + "/private/open.html", b + "/final.html",
                                 b + "/flaky.html", b + "/loop1.html", b + "/loop2.html", b + "/etag.html",
                                 b + "/from-sitemap.html"};
  BOOST_TEST(urls == expected, boost::test_tools::per_element());

  BOOST_TEST(has(r.skipped, b + "/private/secret.html", "robots.txt"));
  BOOST_TEST(has(r.skipped, b + "/redirect1", "redirects to " + b + "/redirect2"));
  BOOST_TEST(has(r.skipped, b + "/redirect2", "redirects to " + b + "/final.html"));
  BOOST_TEST(has(r.skipped, b + "/offsite-redirect", "outside the allowed domains"));
  BOOST_TEST(has(r.skipped, b + "/big.html", "larger than max_page_bytes"));
  BOOST_TEST(has(r.skipped, b + "/doc.pdf", "not HTML (application/pdf)"));
  BOOST_TEST((has(r.skipped, b + "/dup.html", "duplicate") || has(r.skipped, b + "/a.html", "duplicate")));
  BOOST_TEST(has(r.skipped, b + "/noindex.html", "noindex"));
  BOOST_TEST(has(r.failed, b + "/missing.html", "HTTP 404"));
  BOOST_TEST(has(r.failed, b + "/slow.html", "imeout"));
  for (const auto& f : r.failed) BOOST_TEST(f.url.find("example.invalid") == std::string::npos);
  BOOST_TEST(r.failed.size() == 2u);
  BOOST_TEST(r.pages_indexed == 9u);
  BOOST_TEST(r.documents == outcome.result.documents.size());
  BOOST_TEST(progress_calls > 0u);
  // Breadcrumbs come from ancestor pages: every page below the root has the home page's title.
  for (const auto& d : outcome.result.documents)
    if (d.url == b + "/a.html") BOOST_TEST(d.hierarchy == std::vector<std::string>{"Home"}, boost::test_tools::per_element());
  // Citations from main content: loop one from home, loop two and the ETag page; every page's
  // navigation links home, which counts for nothing; home links a.html twice (once with a fragment).
  BOOST_TEST(inbound(outcome.result.documents, b + "/loop1.html") == 3);
  BOOST_TEST(inbound(outcome.result.documents, b + "/") == 0);
  BOOST_TEST(inbound(outcome.result.documents, b + "/a.html") == 1);
  BOOST_TEST(inbound(outcome.result.documents, b + "/a.html#s1") == 1);

  // Re-crawl: the ETag page answers 304 and keeps its documents; the page whose sitemap <lastmod>
  // is older than its first fetch is not requested at all and keeps its documents too.
  BOOST_TEST(server.hits("/from-sitemap.html") == 1);
  BOOST_TEST(server.hits("/commented-out.html") == 0);
  CrawlOptions again;
  again.previous = &outcome.state;
  auto second = crawl(site, again);
  BOOST_TEST(second.result.report.pages_unchanged >= 1u);
  BOOST_TEST(second.result.report.pages_not_requested == 1u);
  BOOST_TEST(server.hits("/from-sitemap.html") == 1);
  BOOST_TEST(server.hits("/a.html") == 2);
  std::set<std::string> urls2;
  for (const auto& d : second.result.documents) urls2.insert(d.url);
  BOOST_TEST(urls2 == expected, boost::test_tools::per_element());
  BOOST_TEST(inbound(second.result.documents, b + "/loop1.html") == 3);  // the 304 page's link still counts

  // The state handed over instead: the kept pages' documents are moved out of it, and the crawl
  // gives the same documents as with the state only pointed at.
  CrawlState handed = second.state;
  auto third = crawl(site, CrawlOptions{}, std::move(handed));
  BOOST_TEST(third.result.report.pages_unchanged == second.result.report.pages_unchanged);
  BOOST_TEST(third.result.report.pages_not_requested == 1u);
  auto by_url = [](std::vector<Document> docs) {
    std::sort(docs.begin(), docs.end(), [](const Document& x, const Document& y) { return x.url < y.url; });
    return docs;
  };
  const auto expect = by_url(second.result.documents), got = by_url(third.result.documents);
  BOOST_REQUIRE(got.size() == expect.size());
  for (std::size_t i = 0; i < got.size(); ++i) BOOST_TEST((got[i] == expect[i]), got[i].url);
  bool moved = false;  // a kept page's documents left the state handed over
  for (const auto& [url, page] : handed.pages) moved = moved || (page.documents.empty() && !second.state.pages.at(url).documents.empty());
  BOOST_TEST(moved);

  // Without documents in the state (what Node asks for): the same result, and a state whose
  // documents keep only their URLs and anchors, page by page as the full state's.
  CrawlOptions lean;
  lean.state_documents = false;
  auto fourth = crawl(site, lean, CrawlState(second.state));
  const auto lean_got = by_url(fourth.result.documents);
  BOOST_REQUIRE(lean_got.size() == expect.size());
  for (std::size_t i = 0; i < lean_got.size(); ++i) BOOST_TEST((lean_got[i] == expect[i]), lean_got[i].url);
  BOOST_REQUIRE(fourth.state.pages.size() == third.state.pages.size());
  for (const auto& [url, page] : fourth.state.pages) {
    const auto& full = third.state.pages.at(url);
    BOOST_REQUIRE(page.documents.size() == full.documents.size());
    BOOST_TEST(page.links == full.links, boost::test_tools::per_element());
    for (std::size_t i = 0; i < page.documents.size(); ++i) {
      Document stub;
      stub.url = full.documents[i].url;
      stub.anchors = full.documents[i].anchors;
      BOOST_TEST((page.documents[i] == stub), url);  // the store keeps a page's anchors from these (store tests)
    }
  }
}

// A Last-Modified within a second of the response's Date is weak (the page may change again in
// that second with the same date): the crawl does not keep it, so the next crawl asks for the
// page unconditionally instead of taking a 304 for it. One long past is kept and used.
BOOST_AUTO_TEST_CASE(a_docsify_site_is_crawled_through_its_markdown) {
  FixtureServer server;
  const std::string root = server.base() + "/docsify/";
  auto site = fixture_site(server.base());
  site.url = root;
  // Crawled, then crawled again with the first crawl's state (its conditional requests).
  std::optional<CrawlOutcome> first;
  for (int round = 0; round < 2; ++round) {
    BOOST_TEST_CONTEXT("crawl " << round + 1) {
      CrawlOptions options;
      if (first) options.previous = &first->state;
      const auto outcome = crawl(site, options);
      std::set<std::string> pages, sections;
      for (const auto& d : outcome.result.documents) (d.type == DocumentType::page ? pages : sections).insert(d.url);
      BOOST_TEST((pages == std::set<std::string>{root + "#/", root + "#/guide", root + "#/platforms", root + "#/api",
                                                 root + "#/advanced/themes"}));
      BOOST_TEST(sections.count(root + "#/guide?id=verifying-the-install"));
      BOOST_TEST(sections.count(root + "#/platforms?id=when-it-fails"));
      for (const auto& d : outcome.result.documents)
        if (d.url == root + "#/guide") BOOST_TEST(d.inbound_links == 1u);  // the home page's link
      BOOST_TEST(has(outcome.result.report.skipped, root, "Docsify"));
      BOOST_TEST(outcome.result.report.failed.empty());
      BOOST_TEST(outcome.result.report.pages_indexed == 5u);
      BOOST_TEST((outcome.result.report.generators == std::map<std::string, std::uint64_t>{{"docsify", 5}}));
      if (!first) first = outcome;
    }
  }
  BOOST_TEST(server.hits("/docsify/_navbar.md") == 2);
}

BOOST_AUTO_TEST_CASE(a_weak_last_modified_is_not_used_for_the_next_request) {
  FixtureServer server;
  auto site = fixture_site(server.base());
  site.url = server.base() + "/lm/";
  const auto first = crawl(site);
  BOOST_TEST(first.result.report.pages_indexed == 3u);
  BOOST_REQUIRE(first.state.pages.count(site.url + "old.html") && first.state.pages.count(site.url + "now.html"));
  BOOST_TEST(first.state.pages.at(site.url + "old.html").last_modified == "Wed, 01 Jan 2020 00:00:00 GMT");
  BOOST_TEST(first.state.pages.at(site.url + "now.html").last_modified.empty());
  CrawlOptions again;
  again.previous = &first.state;
  const auto second = crawl(site, again);
  BOOST_TEST(second.result.report.pages_unchanged == 1u);  // old.html; now.html answers 304 to any If-Modified-Since
  BOOST_TEST(second.kept_pages == std::vector<std::string>{site.url + "old.html"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unreachable_start_url_throws) {
  SiteSettings site = fixture_site("http://127.0.0.1:1");
  site.crawl.retries = 0;
  BOOST_CHECK_EXCEPTION(crawl(site), IoError, [](const IoError& e) {
    return std::string(e.what()).find("http://127.0.0.1:1/") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(public_site_never_fetches_loopback) {
  FixtureServer server;
  SiteSettings site = fixture_site("https://docs.example.org");
  site.start_urls = {server.base() + "/"};
  site.allowed_domains = {"127.0.0.1"};
  site.allow_patterns = {".*"};
  site.crawl.retries = 0;
  BOOST_CHECK_EXCEPTION(crawl(site), IoError, [](const IoError& e) {
    return std::string(e.what()).find("private or loopback") != std::string::npos;
  });
}

// The address is checked after resolution: a host name the site allows, resolving to loopback,
// is refused all the same for a site configured on a public name.
BOOST_AUTO_TEST_CASE(public_site_never_fetches_a_name_resolving_to_loopback) {
  FixtureServer server;
  std::string port = server.base().substr(server.base().rfind(':') + 1);
  SiteSettings site = fixture_site("https://docs.example.org");
  site.start_urls = {"http://localhost:" + port + "/"};
  site.allowed_domains = {"localhost"};
  site.allow_patterns = {".*"};
  site.crawl.retries = 0;
  BOOST_CHECK_EXCEPTION(crawl(site), IoError, [](const IoError& e) {
    return std::string(e.what()).find("private or loopback") != std::string::npos;
  });
}

// Pages a crawler must survive, and links or redirects it must not follow.
BOOST_AUTO_TEST_CASE(hostile_pages_and_other_schemes) {
  FixtureServer server;
  const std::string b = server.base();
  auto site = fixture_site(b);
  site.start_urls = {b + "/hostile/"};
  site.allow_patterns = {"/hostile/"};
  auto outcome = crawl(site);
  const auto& r = outcome.result.report;
  std::map<std::string, std::string> bodies;
  for (const auto& d : outcome.result.documents) bodies[d.url] += d.body;
  // 20,000 levels of nesting, a 500 KB attribute, invalid UTF-8: indexed.
  BOOST_TEST(bodies[b + "/hostile/deep.html"].find("deep words") != std::string::npos);
  BOOST_TEST(bodies[b + "/hostile/attr.html"].find("huge attribute words") != std::string::npos);
  BOOST_TEST(bodies[b + "/hostile/encoding.html"].find("broken bytes") != std::string::npos);
  // 16 MiB of gzip-decoded markup against max_page_bytes = 1 MiB: stopped at the limit.
  BOOST_TEST(has(r.skipped, b + "/hostile/bomb.html", "larger than max_page_bytes"));
  // Redirects to other schemes and to another host name are not followed.
  BOOST_TEST(has(r.skipped, b + "/hostile/to-file", "redirects to file:///etc/passwd, not an http(s) URL"));
  BOOST_TEST(has(r.skipped, b + "/hostile/to-ftp", "not an http(s) URL"));
  BOOST_TEST(has(r.skipped, b + "/hostile/to-localhost", "outside the allowed domains"));
  // Nothing outside http://127.0.0.1:<port>/ was fetched: no file:, ftp:, javascript:, data:,
  // gopher: or localhost URL among the documents, skips or failures, and no local file's text.
  auto inside = [&](const std::string& url) { return url.rfind(b + "/", 0) == 0; };
  for (const auto& [url, body] : bodies) {
    BOOST_TEST(inside(url), url);
    BOOST_TEST(body.find("root:") == std::string::npos, url);
  }
  for (const auto& s : r.skipped) BOOST_TEST(inside(s.url), s.url);
  for (const auto& f : r.failed) BOOST_TEST(inside(f.url), f.url);
  BOOST_TEST(r.failed.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(crawler_engine)

// Through the node: the published index holds exactly the crawled documents, a search finds
// them, and a re-crawl after a restart (a new Node over the same data directory) still sends
// conditional requests: the validators are saved beside the snapshot.
BOOST_AUTO_TEST_CASE(reindex_publishes_and_recrawls_incrementally) {
  FixtureServer server;
  const std::string b = server.base();
  AppSettings app = fixture_app(b, "engine");
  {
    Node node(app);
    auto report = node.reindex("fixture");
    BOOST_TEST(report.pages_indexed == 9u);
    auto index = node.engine().current("fixture");
    BOOST_REQUIRE(index);
    BOOST_TEST(index->size() == 10u);
    SearchRequest req;
    req.q = "redirect chain";
    auto res = node.search(req);
    BOOST_REQUIRE(!res.results.empty());
    BOOST_TEST(res.results[0].url == b + "/final.html");
  }
  {
    Node restarted(app);
    BOOST_TEST(restarted.start().loaded.size() == 1u);
    BOOST_TEST(inbound(documents_of(*restarted.engine().current("fixture")), b + "/loop1.html") == 3);
    auto report = restarted.reindex("fixture");
    BOOST_TEST(report.pages_unchanged >= 1u);
    BOOST_TEST(restarted.engine().current("fixture")->size() == 10u);
    BOOST_TEST(inbound(documents_of(*restarted.engine().current("fixture")), b + "/loop1.html") == 3);
  }
  {
    // Other extraction settings: the pages' stored documents are not reused, even for a 304.
    AppSettings changed = app;
    changed.sites[0].boosts.link_list = 0.75;
    Node restarted(changed);
    BOOST_TEST(restarted.start().loaded.size() == 1u);
    BOOST_TEST(restarted.engine().current("fixture")->settings_changes(changed.sites[0]).size() == 1u);
    auto report = restarted.reindex("fixture");
    BOOST_TEST(report.pages_unchanged == 0u);
    BOOST_TEST(report.pages_indexed == 9u);
    BOOST_TEST(restarted.engine().current("fixture")->settings_changes(changed.sites[0]).empty());
  }
  std::filesystem::remove_all(app.data_dir);
}

// The live records of a site, over all its segments, by URL.
std::map<std::string, Document> live_documents(const Node& node, const std::string& site) {
  std::map<std::string, Document> out;
  const auto segments = node.engine().segments(site);
  BOOST_REQUIRE(segments);
  for (std::size_t k = 0; k < segments->segments().size(); ++k) {
    const Index& part = *segments->segments()[k].index;
    for (std::uint32_t i = 0; i < part.size(); ++i)
      if (!segments->deleted(k, i)) out.emplace(std::string(part.url(i)), part.document(i));
  }
  return out;
}

// `updated` (a site's live records by URL) is what a whole crawl of the site as it is now gives,
// record for record.
void expect_whole_crawl(const AppSettings& app, const std::map<std::string, Document>& updated) {
  AppSettings fresh = app;
  fresh.data_dir += "-fresh";
  std::filesystem::remove_all(fresh.data_dir);
  {
    Node whole(fresh);
    BOOST_TEST(!whole.reindex("fixture").updated_in_place);
    const auto expected = live_documents(whole, "fixture");
    BOOST_TEST(updated.size() == expected.size());
    for (const auto& [url, d] : expected) {
      BOOST_REQUIRE_MESSAGE(updated.count(url), url);
      const auto& got = updated.at(url);
      BOOST_TEST(got.body == d.body, url);
      BOOST_TEST(got.hierarchy == d.hierarchy, url);
      BOOST_TEST(got.inbound_links == d.inbound_links, url);
      BOOST_TEST(got.content_hash == d.content_hash, url);
      BOOST_TEST((got == d), url);
    }
  }
  std::filesystem::remove_all(fresh.data_dir);
}

// The fixture server's /site/ (pages that change with set_version) in a fresh data_dir, with the
// default title rule: the affix the titles share (" | Fixture") is learnt from every page's title.
AppSettings versioned_site_app(const std::string& base, const std::string& name) {
  AppSettings app = fixture_app(base, name);
  app.sites[0].url = base + "/site/";
  app.sites[0].title_separators.clear();
  std::filesystem::remove_all(app.data_dir);
  return app;
}

// The versioned site built whole by a node at version `from`, then crawled again at version `to`
// by a node restarted on the same data_dir: that node, and the re-crawl's report.
std::pair<std::unique_ptr<Node>, IngestReport> recrawl(const AppSettings& app, const FixtureServer& server, int from, int to) {
  server.set_version(from);
  {
    Node node(app);
    BOOST_TEST(node.reindex("fixture").pages_indexed == 101u);
  }
  server.set_version(to);
  auto restarted = std::make_unique<Node>(app);
  BOOST_TEST(restarted->start().loaded.size() == 1u);
  auto report = restarted->reindex("fixture");
  return {std::move(restarted), std::move(report)};
}

BOOST_AUTO_TEST_CASE(a_recrawl_in_place_keeps_unchanged_pages_whole) {
  FixtureServer server;
  const std::string b = server.base();
  const AppSettings app = versioned_site_app(b, "in-place");
  // a.html now says "osprey" and links to c.html: c.html, answered 304, is cited once more.
  const auto [node, report] = recrawl(app, server, 0, 1);
  Node& restarted = *node;
  BOOST_TEST(report.updated_in_place);
  BOOST_TEST(report.pages_unchanged == 100u);
  BOOST_TEST(report.pages_changed == 2u);  // a.html, and c.html for its inbound links
  const auto updated = live_documents(restarted, "fixture");
  BOOST_REQUIRE(updated.count(b + "/site/c.html"));
  BOOST_TEST(updated.at(b + "/site/c.html").inbound_links == 2u);  // index.html and a.html
  expect_whole_crawl(app, updated);
  for (const char* q : {"heron habits", "plover", "osprey", "filler text number 12"}) {
    SearchRequest req;
    req.q = q;
    BOOST_TEST(restarted.search(req).total > 0u, q);
  }
  std::filesystem::remove_all(app.data_dir);
}

// The index page, every page's ancestor, renamed: the other pages answer 304, yet their
// breadcrumbs (hierarchy) name it as it is titled now, as a whole crawl gives them; once from a
// data_dir (Node: the kept pages read back from the index) and once through crawl() with the
// previous state (a program's own re-crawl).
BOOST_AUTO_TEST_CASE(a_recrawl_gives_kept_pages_their_renamed_ancestors) {
  FixtureServer server;
  const std::string b = server.base();
  const AppSettings app = versioned_site_app(b, "renamed");
  auto before = crawl(app.sites[0]);
  {
    Node node(app);
    BOOST_TEST(node.reindex("fixture").pages_indexed == 101u);
    const auto first = live_documents(node, "fixture");
    BOOST_REQUIRE(first.count(b + "/site/b.html"));
    BOOST_TEST(first.at(b + "/site/b.html").hierarchy == std::vector<std::string>{"Site"});
  }
  server.set_version(2);
  Node restarted(app);
  BOOST_TEST(restarted.start().loaded.size() == 1u);
  const auto report = restarted.reindex("fixture");
  BOOST_TEST(report.pages_unchanged == 99u);  // all but index.html and a.html (version 1's change)
  const auto updated = live_documents(restarted, "fixture");
  BOOST_REQUIRE(updated.count(b + "/site/c.html#deep"));
  BOOST_TEST(updated.at(b + "/site/c.html#deep").hierarchy == (std::vector<std::string>{"Field guide", "Charlie page"}),
             boost::algorithm::join(updated.at(b + "/site/c.html#deep").hierarchy, " > "));
  expect_whole_crawl(app, updated);

  CrawlOptions options;
  options.previous = &before.state;
  const auto again = crawl(app.sites[0], options);
  BOOST_TEST(again.kept_pages.size() == 99u);
  std::map<std::string, Document> by_url;
  for (const auto& d : again.result.documents) by_url.emplace(d.url, d);
  for (const auto& [url, d] : updated) {
    BOOST_REQUIRE_MESSAGE(by_url.count(url), url);
    BOOST_TEST(by_url.at(url).hierarchy == d.hierarchy, url);
    BOOST_TEST(by_url.at(url).title == d.title, url);
  }
  std::filesystem::remove_all(app.data_dir);
}

// A page removed and pages added, the rest answering 304: b.html gone (still linked from the
// index and a.html), two new pages in a new directory linked from the index. Applied in place,
// the records are those of a whole crawl.
BOOST_AUTO_TEST_CASE(a_recrawl_with_pages_removed_and_added_matches_a_whole_crawl) {
  FixtureServer server;
  const std::string b = server.base();
  const AppSettings app = versioned_site_app(b, "moved");
  const auto [node, report] = recrawl(app, server, 1, 3);
  BOOST_TEST(report.pages_removed == 1u);
  BOOST_TEST(report.pages_changed == 3u);  // the index and the two new pages
  BOOST_TEST(report.updated_in_place);
  const auto updated = live_documents(*node, "fixture");
  BOOST_TEST(!updated.count(b + "/site/b.html"));
  BOOST_REQUIRE(updated.count(b + "/site/guide/d.html"));
  BOOST_TEST(updated.at(b + "/site/guide/d.html").hierarchy == (std::vector<std::string>{"Site", "Guide"}),
             boost::algorithm::join(updated.at(b + "/site/guide/d.html").hierarchy, " > "));
  expect_whole_crawl(app, updated);
  std::filesystem::remove_all(app.data_dir);
}

// A reindex whose index is stored and published has succeeded, even when the crawl's validators
// cannot be kept afterwards (here their file's name is taken by a directory, so the rename
// fails): the run reports success, the new index is live, and the next crawl simply fetches
// every page again. (It used to throw filesystem_error after the publish: a run reported failed
// whose index was live, and `siteseek index` stopped at that site.)
BOOST_AUTO_TEST_CASE(validators_that_cannot_be_saved_do_not_fail_a_published_reindex) {
  FixtureServer server;
  AppSettings app = fixture_app(server.base(), "validators");
  std::filesystem::create_directories(app.data_dir + "/fixture.validators.json/taken");
  {
    Node node(app);
    IngestReport report;
    BOOST_CHECK_NO_THROW(report = node.reindex("fixture"));
    BOOST_TEST(report.pages_indexed == 9u);
    BOOST_REQUIRE(node.engine().current("fixture"));
    BOOST_TEST(node.engine().current("fixture")->size() == 10u);
    BOOST_TEST(std::filesystem::exists(app.data_dir + "/fixture.snapshot"));
  }
  std::filesystem::remove_all(app.data_dir);
}

BOOST_AUTO_TEST_SUITE_END()
