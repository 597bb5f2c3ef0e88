// A built static site on disk -> documents; and breadcrumbs from ancestor pages' titles.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <re2/re2.h>

#include "ingest/markdown.hpp"
#include "ingest/text.hpp"
#include "ingest/titles.hpp"
#include "siteseek/error.hpp"
#include "siteseek/ingest.hpp"
#include "siteseek/settings.hpp"

namespace siteseek {

namespace {
namespace fs = std::filesystem;

bool is_html(const fs::path& p) {
  auto ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".html" || ext == ".htm" || ext == ".xhtml";
}

// Percent-encode what may not stand in a URL path (spaces, non-ASCII stay valid UTF-8 bytes).
std::string url_path(const std::string& rel) { return ingest_detail::percent_encode(rel, "-._~/!$&'()*+,;=:@", false); }

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw std::runtime_error("read error");
  return s.str();
}

// The pages whose titles form a URL's breadcrumb: root/a/b/c.html -> root/, root/a/, root/a/b/.
// A directory is represented by its index page (index.html) or the directory URL itself.
std::vector<std::string> ancestor_keys(const std::string& page, const std::string& root) {
  std::vector<std::string> out;
  if (page.rfind(root, 0) != 0) return out;
  std::string rest = page.substr(root.size());
  // A directory's index page is the directory itself.
  for (const char* index : {"index.html", "index.htm"}) {
    std::string_view r(rest);
    if (r.size() >= std::strlen(index) && r.substr(r.size() - std::strlen(index)) == index) {
      rest.resize(rest.size() - std::strlen(index));
    }
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  std::string prefix = root;
  out.push_back(prefix);
  std::size_t pos = 0;
  while (true) {
    auto slash = rest.find('/', pos);
    if (slash == std::string::npos) break;
    prefix = root + rest.substr(0, slash + 1);
    out.push_back(prefix);
    pos = slash + 1;
  }
  if (rest.empty()) out.clear();  // the root page has no ancestors
  return out;
}

std::string directory_key(const std::string& url) {
  std::string u(page_of(url));
  for (const char* index : {"index.html", "index.htm"}) {
    std::size_t n = std::strlen(index);
    if (u.size() >= n && u.compare(u.size() - n, n, index) == 0 && (u.size() == n || u[u.size() - n - 1] == '/')) {
      return u.substr(0, u.size() - n);
    }
  }
  return u;
}

}  // namespace

std::unordered_map<std::string, std::uint32_t> assign_hierarchy(std::vector<Document>& documents, const SiteSettings& site,
                                                                const std::vector<std::string>& kept_pages) {
  std::unordered_map<std::string, std::uint32_t> given;
  std::string root = site.url;
  if (!root.empty() && root.back() != '/') root += '/';
  // A page's language attribute ("" when it has none): a translation's ancestors are pages in
  // its own language (the English home page is no parent of /fr/docs/...).
  auto language = [](const Document& d) -> std::string_view {
    for (const auto& a : d.attributes)
      if (a.name == "language") return a.value;
    return {};
  };
  struct Ancestor {
    std::string title;
    std::string language;
  };
  std::map<std::string, Ancestor> titles;  // page (or directory) URL -> title
  // Pages whose hierarchy came from their breadcrumb, or that already hold theirs.
  std::unordered_set<std::string> with_breadcrumb(kept_pages.begin(), kept_pages.end());
  for (const auto& d : documents) {
    if (d.type != DocumentType::page) continue;
    titles.emplace(directory_key(d.url), Ancestor{d.title, std::string(language(d))});
    if (!d.hierarchy.empty()) with_breadcrumb.insert(d.url);
  }
  for (auto& d : documents) {
    std::string page(page_of(d.url));
    if (with_breadcrumb.count(page)) continue;
    // A section holds the headings it is under: the ancestors and its page's title go before them.
    std::vector<std::string> headings = d.type == DocumentType::section ? std::move(d.hierarchy) : std::vector<std::string>{};
    d.hierarchy.clear();
    std::string self = directory_key(page);
    for (const auto& key : ancestor_keys(page, root)) {
      if (key == self) continue;
      auto it = titles.find(key);
      if (it == titles.end() || it->second.title.empty()) continue;
      const auto own = language(d);
      if (!own.empty() && !it->second.language.empty() && it->second.language != own) continue;
      d.hierarchy.push_back(it->second.title);
    }
    if (d.type == DocumentType::section) {
      d.hierarchy.push_back(d.title);
      for (auto& h : headings) d.hierarchy.push_back(std::move(h));
    } else {
      given[page] = static_cast<std::uint32_t>(d.hierarchy.size());
    }
    d.content_hash = ingest_detail::hash_document(d);
  }
  return given;
}

void strip_site_titles(std::vector<Document>& documents, const SiteSettings& site) {
  if (!site.title_separators.empty()) return;  // the site's own rule, applied by extract_page
  std::vector<std::string> titles;
  for (const auto& d : documents) {
    if (d.type == DocumentType::page) titles.push_back(d.title);
  }
  const auto rules = ingest_detail::shared_title_rules(titles);
  if (rules.empty()) return;
  std::unordered_map<std::string, std::string> shortened;  // title -> without what the site shares
  for (auto& d : documents) {
    auto it = shortened.find(d.title);
    if (it == shortened.end()) it = shortened.emplace(d.title, ingest_detail::apply_title_rules(d.title, rules)).first;
    if (it->second == d.title) continue;
    for (auto& h : d.hierarchy) {
      if (h == d.title) h = it->second;
    }
    d.title = it->second;
    d.content_hash = ingest_detail::hash_document(d);
  }
}

void score_repeated_bodies(std::vector<Document>& documents, double factor) {
  if (factor == 1.0) return;
  constexpr std::size_t min_words = 8, min_pages = 3;
  // body -> the pages holding it (up to min_pages: enough to decide)
  std::unordered_map<std::string_view, std::vector<std::string_view>> pages_of;
  auto long_enough = [](std::string_view body) {
    std::size_t words = 0;
    for (std::size_t i = 0; i < body.size() && words < min_words; ++i)
      if (body[i] == ' ') ++words;
    return words + 1 >= min_words;
  };
  for (const auto& d : documents) {
    if (!long_enough(d.body)) continue;
    auto& pages = pages_of[d.body];
    const auto page = page_of(d.url);
    if (pages.size() < min_pages && std::find(pages.begin(), pages.end(), page) == pages.end()) pages.push_back(page);
  }
  for (auto& d : documents) {  // boosts and hashes change, not the bodies the keys view
    const auto it = pages_of.find(d.body);
    if (it == pages_of.end() || it->second.size() < min_pages) continue;
    d.boost = static_cast<float>(d.boost * factor);
    d.content_hash = ingest_detail::hash_document(d);
  }
}

namespace {

// A page's key for its inbound links: its directory key without ".html" or a final "/", as
// servers answer "/guide" with guide.html and "/guide" with guide/index.html (Docusaurus and
// Nextra link "/guide" to the file guide.html).
std::string link_key(const std::string& url) {
  std::string key = directory_key(url);
  for (std::string_view ext : {".html", ".htm", "/"})
    if (key.size() > ext.size() && key.ends_with(ext)) {
      key.resize(key.size() - ext.size());
      break;
    }
  return key;
}

}  // namespace

void count_inbound_links(std::vector<Document>& documents, const std::vector<PageLinks>& pages) {
  std::unordered_map<std::string, std::uint32_t> cited;  // page (link key) -> linking pages
  std::unordered_set<std::string> targets;
  for (const auto& page : pages) {
    const std::string self = link_key(page.url);
    targets.clear();
    for (const auto& link : page.links) {
      std::string target = link_key(link);
      if (target != self) targets.insert(std::move(target));
    }
    for (const auto& t : targets) ++cited[t];
  }
  // A page more than half the pages link to is linked by the template (Git's "Part of the git(1)
  // suite", rustdoc's trait pages in every implementation list) or is the hub every page cites
  // (Flask's API reference): the links tell nothing about it, and counted they lifted its records
  // above the pages answering. Too few pages say nothing either way.
  if (pages.size() >= min_pages_for_template_links)
    for (auto& [target, n] : cited)
      if (n * 2 > pages.size()) n = 0;
  for (auto& d : documents) {
    auto it = cited.find(link_key(d.url));
    d.inbound_links = it == cited.end() ? 0 : it->second;
  }
}

IngestResult read_directory(const std::string& directory, const std::string& base_url, const SiteSettings& site,
                            const ProgressCallback& progress) {
  auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) throw IoError("cannot read the directory " + directory + ": not a directory");

  IngestResult result;
  std::vector<std::pair<std::string, fs::path>> files;  // url, path
  std::string base = base_url;
  if (!base.empty() && base.back() != '/') base += '/';
  std::vector<std::unique_ptr<RE2>> allow, deny;
  for (const auto& p : site.allow_patterns) allow.push_back(std::make_unique<RE2>(p, RE2::Quiet));
  for (const auto& p : site.deny_patterns) deny.push_back(std::make_unique<RE2>(p, RE2::Quiet));

  // A URL no allow pattern matches is no page of this site; one a deny pattern matches is skipped.
  const auto in_scope = [&](const std::string& url) {
    bool allowed = allow.empty();
    for (const auto& re : allow) allowed = allowed || (re->ok() && RE2::PartialMatch(url, *re));
    if (!allowed) return false;
    for (const auto& re : deny)
      if (re->ok() && RE2::PartialMatch(url, *re)) {
        result.report.skipped.push_back({url, "denied by pattern \"" + re->pattern() + "\" (deny_patterns)"});
        return false;
      }
    return true;
  };
  fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) throw IoError("cannot read the directory " + directory + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) {
      result.report.failed.push_back({directory, ec.message()});
      ec.clear();
      continue;
    }
    if (!it->is_regular_file(ec) || !is_html(it->path())) continue;
    std::string rel = fs::relative(it->path(), directory, ec).generic_string();
    std::string url = base + url_path(rel);
    if (in_scope(url)) files.emplace_back(std::move(url), it->path());
  }
  // A Docsify site: its index.html is a shell its script fills with Markdown files; those are
  // read instead, each under the URL the site shows it at.
  std::optional<ingest_detail::DocsifySite> docsify;
  fs::path pages_dir;  // where its Markdown files are
  {
    const auto shell = fs::path(directory) / "index.html";
    std::error_code shell_ec;
    if (fs::is_regular_file(shell, shell_ec)) {
      try {
        docsify = ingest_detail::docsify_site(read_all(shell));
      } catch (const std::exception&) {
      }
    }
  }
  if (docsify) {
    pages_dir = fs::path(directory) / docsify->base_path;
    fs::recursive_directory_iterator md(pages_dir, fs::directory_options::skip_permission_denied, ec), md_end;
    for (; !ec && md != md_end; md.increment(ec)) {
      const auto name = md->path().filename().string();
      // Docsify's own files (_sidebar.md, _navbar.md, _coverpage.md, _media/) and hidden or
      // installed ones are not pages.
      if (name.starts_with('_') || name.starts_with('.') || name == "node_modules") {
        if (md->is_directory(ec)) md.disable_recursion_pending();
        continue;
      }
      if (!md->is_regular_file(ec) || md->path().extension() != ".md") continue;
      const std::string rel = fs::relative(md->path(), pages_dir, ec).generic_string();
      std::string url = ingest_detail::docsify_url(*docsify, base, url_path(rel));
      if (in_scope(url)) files.emplace_back(std::move(url), md->path());
    }
    if (ec) result.report.failed.push_back({pages_dir.string(), ec.message()}), ec.clear();
    // The shell is no page once its pages are read; with no Markdown beside it (a base path on
    // another host), it stays, and the report says it has no text.
    const std::string shell_url = base + "index.html";
    if (std::any_of(files.begin(), files.end(), [](const auto& f) { return f.second.extension() == ".md"; }))
      std::erase_if(files, [&](const auto& f) {
        if (f.first != shell_url) return false;
        result.report.skipped.push_back({f.first, "a Docsify page: its pages are its Markdown files, read instead"});
        return true;
      });
  }
  std::sort(files.begin(), files.end());
  std::sort(result.report.skipped.begin(), result.report.skipped.end(),
            [](const SkippedPage& a, const SkippedPage& b) { return a.url < b.url; });

  // Parse on two threads; results land in file order, so output is deterministic.
  struct Parsed {
    ExtractedPage page;
    std::string error;
  };
  std::vector<Parsed> parsed(files.size());
  std::vector<std::vector<std::string>> routes_linked(docsify ? files.size() : 0);  // a Markdown page's links, by route
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<std::uint64_t> documents{0}, errors{0};
  std::mutex progress_mutex;
  ExtractOptions options;
  options.attribute_rules = compile_attribute_rules(site);
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < files.size();) {
      try {
        const auto& path = files[i].second;
        if (docsify && path.extension() == ".md") {
          std::error_code rel_ec;
          const auto file = fs::relative(path, pages_dir, rel_ec).generic_string();
          const auto html =
              ingest_detail::docsify_page_html(read_all(path), ingest_detail::docsify_fallback_title(*docsify, file), docsify->version);
          parsed[i].page = extract_page(html, files[i].first, site, options);
          for (const auto& linked : ingest_detail::docsify_linked_files(*docsify, html))
            routes_linked[i].push_back(ingest_detail::docsify_url(*docsify, base, linked));
        } else {
          parsed[i].page = extract_page(read_all(path), files[i].first, site, options);
        }
        documents += parsed[i].page.documents.size();
      } catch (const std::exception& e) {
        parsed[i].error = std::string("cannot read ") + files[i].second.string() + ": " + e.what();
        ++errors;
      }
      auto n = ++done;
      if (progress && (n % 50 == 0 || n == files.size())) {
        std::lock_guard lock(progress_mutex);
        progress({n, files.size() - n, documents.load(), errors.load()});
      }
    }
  };
  unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 2u);
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  std::vector<PageLinks> links;
  for (std::size_t i = 0; i < files.size(); ++i) {
    ++result.report.pages_fetched;
    if (!parsed[i].error.empty()) {
      result.report.failed.push_back({files[i].first, parsed[i].error});
      continue;
    }
    auto& page = parsed[i].page;
    if (!page.skip_reason.empty()) {
      result.report.skipped.push_back({files[i].first, page.skip_reason});
      continue;
    }
    ++result.report.pages_indexed;
    if (page.no_text) result.report.pages_without_text.push_back(files[i].first);
    ++result.report.generators[page.generator];
    result.report.attributes.dropped += page.attributes_dropped;
    // A Markdown page's links name Markdown files, which its site shows at their routes.
    if (docsify && files[i].second.extension() == ".md") page.content_links = std::move(routes_linked[i]);
    links.push_back({files[i].first, std::move(page.content_links)});
    for (auto& d : page.documents) result.documents.push_back(std::move(d));
  }
  strip_site_titles(result.documents, site);
  assign_hierarchy(result.documents, site);
  count_inbound_links(result.documents, links);
  score_repeated_bodies(result.documents, site.boosts.repeated_body);
  count_attribute_values(result.report.attributes, result.documents);
  result.report.documents = result.documents.size();
  result.report.duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return result;
}

}  // namespace siteseek
