// siteseek: the command line. `siteseek --help` lists the commands; docs/cli.md describes them.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <iostream>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "cli.hpp"
#include "siteseek/json.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/io_backend.hpp"
#include "siteseek/keys.hpp"
#include "siteseek/node.hpp"
#include "siteseek/redis_store.hpp"
#include "siteseek/segments.hpp"
#include "siteseek/version.hpp"
#ifdef SITESEEK_HAVE_HTTP
#include "siteseek/http/server.hpp"
#endif

using namespace siteseek;
using namespace siteseek::cli;

namespace {

// JSON with two-space indentation, for people.
void pretty(std::ostream& os, const boost::json::value& v, int indent = 0) {
  std::string pad(indent, ' ');
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) {
        os << "{}";
        return;
      }
      os << "{\n";
      std::size_t i = 0;
      for (const auto& kv : o) {
        os << pad << "  " << boost::json::serialize(boost::json::string(kv.key())) << ": ";
        pretty(os, kv.value(), indent + 2);
        os << (++i < o.size() ? ",\n" : "\n");
      }
      os << pad << "}";
      return;
    }
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) {
        os << "[]";
        return;
      }
      os << "[\n";
      for (std::size_t i = 0; i < a.size(); ++i) {
        os << pad << "  ";
        pretty(os, a[i], indent + 2);
        os << (i + 1 < a.size() ? ",\n" : "\n");
      }
      os << pad << "]";
      return;
    }
    default:
      os << json_text(v);
  }
}

// A highlighted, HTML-escaped snippet for a terminal: tags to bold (or nothing), entities decoded.
std::string for_terminal(std::string_view html, bool tty, const std::string& pre, const std::string& post) {
  std::string out;
  std::size_t i = 0;
  while (i < html.size()) {
    if (html.compare(i, pre.size(), pre) == 0) {
      if (tty) out += "\033[1m";
      i += pre.size();
    } else if (html.compare(i, post.size(), post) == 0) {
      if (tty) out += "\033[0m";
      i += post.size();
    } else if (html[i] == '&') {
      static const std::pair<std::string_view, char> entities[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&#x27;", '\''}};
      bool done = false;
      for (auto [e, c] : entities) {
        if (html.compare(i, e.size(), e) == 0) {
          out += c;
          i += e.size();
          done = true;
          break;
        }
      }
      if (!done) out += html[i++];
    } else {
      out += html[i++];
    }
  }
  return out;
}

// The configured site called `name`, or a new one with that name and default settings.
SiteSettings& site_named(AppSettings& settings, const std::string& name) {
  for (auto& s : settings.sites) {
    if (s.name == name) return s;
  }
  settings.sites.emplace_back();
  settings.sites.back().name = name;
  return settings.sites.back();
}

int print_search(const Node& node, const SearchRequest& req, bool json) {
  auto res = node.search(req);
  if (json) {
    std::string out;
    append_json(out, res);
    std::cout << out << "\n";
    return ok;
  }
  bool tty = stdout_is_tty();
  const auto settings = node.settings();
  const auto& opts = settings->site(resolve_site(*settings, req.site)).search;
  char took[32];
  std::snprintf(took, sizeof took, "%.3f", res.took_ms);
  std::cout << res.total << " result" << (res.total == 1 ? "" : "s") << " (" << took << " ms)"
            << (res.relaxed ? ", matching some of the words" : "")
            << (res.out_of_time ? ", out of time: some words were not corrected for typos" : "") << "\n";
  // The reader's page's values the search kept to (--from-url and the site's context_attributes).
  if (!res.context.empty()) {
    std::cout << "context:";
    for (std::size_t k = 0; k < res.context.size(); ++k) {
      std::cout << (k ? ", " : " ") << res.context[k].name << ":" << res.context[k].value;
    }
    std::cout << " (--filter " << res.context.front().name << ":* widens)\n";
  }
  for (const auto& r : res.results) {
    std::cout << "\n" << for_terminal(r.title, tty, opts.highlight_pre_tag, opts.highlight_post_tag);
    if (!r.section_title.empty()) std::cout << " › " << for_terminal(r.section_title, tty, opts.highlight_pre_tag, opts.highlight_post_tag);
    std::cout << "\n";
    if (!r.hierarchy.empty()) {
      std::string crumbs;
      for (const auto& h : r.hierarchy) crumbs += (crumbs.empty() ? "" : " › ") + h;
      std::cout << "  " << crumbs << "\n";
    }
    std::cout << "  " << (r.site.empty() ? "" : "[" + r.site + "] ") << r.url << "\n  " << for_terminal(r.body, tty, opts.highlight_pre_tag, opts.highlight_post_tag) << "\n";
    for (const auto& e : r.rules) std::cout << "  rule " << e.id << " (" << e.kind << "): " << e.effect << "\n";
    for (const auto& s : r.sub_results ? *r.sub_results : std::vector<SubResult>{}) {
      std::cout << "    › " << for_terminal(s.title, tty, opts.highlight_pre_tag, opts.highlight_post_tag) << "\n      "
                << s.url << "\n      " << for_terminal(s.body, tty, opts.highlight_pre_tag, opts.highlight_post_tag) << "\n";
    }
  }
  if (res.explain) {
    std::cout << "\nexplain: query \"" << res.explain->query << "\"";
    if (!res.explain->optional_words.empty()) {
      std::cout << ", optional words:";
      for (const auto& w : res.explain->optional_words) std::cout << ' ' << w;
    }
    for (std::size_t k = 0; k < res.explain->related.size(); ++k)
      std::cout << (k ? ", " : ", related words: ") << res.explain->related[k].word << " → " << res.explain->related[k].related;
    std::cout << (res.explain->rules.empty() ? ", no rule fired" : "") << "\n";
    for (const auto& e : res.explain->rules) std::cout << "  rule " << e.id << " (" << e.kind << "): " << e.effect << "\n";
  }
  // Each facet asked, one line: "version: 3.12 (10) · 3.11 (4) · 2 more".
  if (!res.facets.empty()) std::cout << "\n";
  for (const auto& f : res.facets) {
    std::cout << f.name << ":";
    for (std::size_t k = 0; k < f.values.size(); ++k) {
      std::cout << (k ? " · " : " ") << f.values[k].value << " (" << f.values[k].count << ")";
    }
    if (f.values.empty()) std::cout << " (none)";
    if (f.more) std::cout << " · " << f.more << " more";
    std::cout << "\n";
  }
  return ok;
}

// `snapshot upgrade`: an older format rewritten in the current one (a current one only checked);
// given a segment manifest (data_dir/<site>.segments), each file it names, the manifest left as
// it is (an upgrade keeps a file's records and build time, which is what it names them by).
int snapshot_upgrade(const std::string& path) {
  SiteSettings any;
  any.name = "snapshot";
  any.url = "https://snapshot.invalid/";
  std::vector<std::pair<std::string, std::uint32_t>> files;
  if (path.size() > 9 && path.ends_with(".segments")) {
    const std::filesystem::path p(path);
    files = upgrade_segments(p.parent_path().empty() ? "." : p.parent_path().string(), p.stem().string(), any);
  } else {
    files.emplace_back(path, upgrade_snapshot(path, any));
  }
  for (const auto& [file, was] : files) {
    if (was == snapshot_format_version)
      std::printf("%s: already format %u (checked whole)\n", file.c_str(), was);
    else
      std::printf("%s: upgraded from format %u to %u\n", file.c_str(), was, snapshot_format_version);
  }
  return ok;
}

// `snapshot info` of a segment manifest (data_dir/<site>.segments, docs/live-updates.md): its
// segments, each checked whole, and the live records.
int segments_info(const std::string& path) {
  const std::filesystem::path p(path);
  const std::string site = p.stem().string();
  SiteSettings any;
  any.name = "snapshot";
  any.url = "https://snapshot.invalid/";
  std::printf("file:       %s\nsite:       %s\n", path.c_str(), site.c_str());
  std::optional<SegmentedIndex> segments;
  try {
    segments = load_segments(p.parent_path().empty() ? "." : p.parent_path().string(), site, any);
    if (!segments) {
      std::printf("state:      older than %s.snapshot (a whole save replaced it): not read\n", site.c_str());
      return ok;
    }
    for (const auto& s : segments->segments()) s.index->verify();
  } catch (const SnapshotError& e) {
    std::printf("checksum:   FAILED (%s)\n", e.what());
    std::fflush(stdout);
    throw;
  }
  std::printf("segments:   %zu\n", segments->segments().size());
  for (std::size_t k = 0; k < segments->segments().size(); ++k) {
    const auto& s = segments->segments()[k];
    std::uint32_t gone = 0;
    for (std::uint32_t d = 0; d < s.index->size(); ++d) gone += segments->deleted(k, d) ? 1 : 0;
    std::printf("  %-40s %u records, %u deleted, version %u\n", s.file.c_str(), s.index->size(), gone, s.index->snapshot_version());
  }
  std::printf("checksum:   ok\nlive documents: %llu\n", static_cast<unsigned long long>(segments->live_documents()));
  return ok;
}

// `snapshot info`: what a snapshot holds, or why it cannot be read (exit 1).
int snapshot_info(const std::string& path) {
  if (path.size() > 9 && path.ends_with(".segments")) return segments_info(path);
  std::ifstream probe(path, std::ios::binary | std::ios::ate);
  if (const auto manifest = std::filesystem::path(path).replace_extension(".segments"); !probe && std::filesystem::exists(manifest))
    throw IoError("cannot open " + path + ": the site's index is the segments " + manifest.string() +
                  " names (live updates merged the snapshot away); snapshot info that");
  if (!probe) throw IoError("cannot open " + path);
  auto bytes = static_cast<unsigned long long>(probe.tellg());
  // A snapshot holds one site and does not record its name: data_dir/<site>.snapshot names it.
  std::string site = std::filesystem::path(path).stem().string();
  std::printf("file:       %s\nsite:       %s\nbytes:      %llu\n", path.c_str(), site.c_str(), bytes);
  if (const auto manifest = std::filesystem::path(path).replace_extension(".segments"); std::filesystem::exists(manifest))
    std::printf("updates:    %s names live updates made since (snapshot info it)\n", manifest.c_str());
  SiteSettings any;
  any.name = "snapshot";
  any.url = "https://snapshot.invalid/";
  std::shared_ptr<const Index> idx;
  try {
    idx = load_snapshot(path, any);  // magic, version, length, the small tables' checksums
    idx->verify();                   // and every other checksum
  } catch (const SnapshotError& e) {
    std::printf("checksum:   FAILED (%s)\n", e.what());
    std::fflush(stdout);
    throw;
  }
  std::uint32_t pages = 0;
  std::set<std::string, std::less<>> hosts;
  for (std::uint32_t d = 0; d < idx->size(); ++d) {
    if (idx->type(d) == DocumentType::page) ++pages;
    std::string_view url = idx->url(d);
    auto scheme = url.find("://");
    if (scheme == std::string_view::npos) continue;
    auto host = url.substr(scheme + 3);
    hosts.emplace(host.substr(0, host.find_first_of("/?#")));
  }
  std::string host_list;
  for (const auto& h : hosts) host_list += (host_list.empty() ? "" : ", ") + h;
  auto built = std::chrono::system_clock::to_time_t(idx->built_at());
  char built_text[32] = "?";
  std::tm tm{};
  if (gmtime_r(&built, &tm)) std::strftime(built_text, sizeof built_text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::printf("hosts:      %s\nversion:    %u\nchecksum:   ok\nbuilt:      %s\ndocuments:  %u (%u pages, %u sections)\n"
              "terms:      %llu\nmemory:     %llu bytes\n",
              host_list.empty() ? "(none)" : host_list.c_str(), idx->snapshot_version(), built_text, idx->size(), pages,
              idx->size() - pages, static_cast<unsigned long long>(idx->term_count()),
              static_cast<unsigned long long>(idx->memory_bytes()));
  std::string largest;  // what the memory is spent on
  const auto parts = idx->memory_parts();
  std::printf("compact:    %s\n", idx->compact() ? "yes (compressed bodies, packed postings: compact_above_mb)" : "no");
  for (std::size_t k = 0; k < parts.size() && k < 6; ++k)
    largest += (k ? ", " : "") + parts[k].first + " " + std::to_string(parts[k].second);
  std::printf("largest:    %s\n", largest.c_str());
  return ok;
}

// `index`: each chosen site in turn; a failed site does not stop the others. Exit 1 when any
// site could not be indexed (nothing indexed leaves its previous snapshot in place).
int index_sites(Node& node, const std::string& only) {
  const auto settings = node.settings();
  if (!only.empty()) settings->site(only);  // an unknown name: UnknownSiteError listing the valid ones
  int failed = 0;
  for (const auto& s : settings->sites) {
    if (!only.empty() && s.name != only) continue;
    try {
      auto report = node.reindex(s.name, progress_printer(s.name));
      print_report(stdout, s.name, report);
      std::printf("%s: saved %s\n", s.name.c_str(), node.where(s.name).c_str());
      std::fflush(stdout);
    } catch (const ConfigError&) {
      throw;
    } catch (const std::exception& e) {
      // Any failure of one site (siteseek's errors, and a library's own) is that site's alone.
      std::fprintf(stderr, "siteseek: %s: %s\n", s.name.c_str(), e.what());
      ++failed;
    }
  }
  return failed == 0 ? ok : failure;
}

// `worker`: queued jobs until SIGINT/SIGTERM, which finish the current job first. A thread waits
// for the signals, so the node is stopped outside signal context.
int run_worker(Node& node, const std::string& name) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != 0) node.stop();
  });
  std::fprintf(stderr, "siteseek worker %s: taking jobs from %s (Ctrl-C stops)\n", name.c_str(),
               node.store().describe().c_str());
  try {
    node.run_worker();
  } catch (...) {
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    throw;
  }
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter if no signal came
  waiter.join();
  log(Level::info, "siteseek worker: stopped");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"siteseek " + std::string(version_string) + ": search engine for documentation sites"};
  app.require_subcommand(1);
  app.fallthrough();  // global options after the command too: `siteseek search q -v`
  app.set_version_flag("--version", std::string(version_string));
  Globals g;
  app.add_option("-c,--config", g.config, "settings file (JSON)")->check(CLI::ExistingFile);
  app.add_option("--set", g.sets, "override a setting: key.path=value (repeatable)");
  app.add_option("--log-level", g.log_level, "trace|debug|info|warn|error|off (default: the settings' log_level)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  int verbose = 0;
  app.add_flag("-v,--verbose", verbose, "more output: -v is --log-level debug, -vv trace");

  // serve
  auto* serve = app.add_subcommand("serve", "serve the HTTP API (indexes directory sites without a snapshot first)");
  std::string host, port, threads, data_dir;
  serve->add_option("--host", host, "listen address");
  serve->add_option("--port", port, "listen port (0: any free port)");
  serve->add_option("--threads", threads, "io threads (0: one per core)");
  serve->add_option("--data-dir", data_dir, "where snapshots live (with no settings file: its sites too)");
  std::uint32_t request_timeout_ms = 10000, idle_timeout_ms = 30000;
  serve->add_option("--request-timeout-ms", request_timeout_ms, "time to read one request once it started")->capture_default_str();
  serve->add_option("--idle-timeout-ms", idle_timeout_ms, "keep-alive connections with no request are closed after this")->capture_default_str();
  bool embedded_worker = false;
  struct {
    std::string name;
    std::uint32_t lease_ms = 30000;
    std::uint32_t max_attempts = 3;
  } worker_flags;
  serve->add_flag("--worker", embedded_worker, "storage=redis: also run queued indexing jobs in this process");
  auto add_worker_options = [&worker_flags](CLI::App* cmd) {
    cmd->add_option("--lease-ms", worker_flags.lease_ms, "a job whose worker stops renewing its lease runs again after this")
        ->capture_default_str()->check(CLI::Range(100u, 3600000u));
    cmd->add_option("--max-attempts", worker_flags.max_attempts, "runs of a job whose workers died before it fails")
        ->capture_default_str()->check(CLI::Range(1u, 100u));
    cmd->add_option("--name", worker_flags.name, "worker name shown in jobs (default host:pid)");
  };
  add_worker_options(serve);

  // worker
  auto* worker = app.add_subcommand("worker", "storage=redis: run queued indexing jobs until Ctrl-C");
  add_worker_options(worker);

  // index
  auto* index = app.add_subcommand("index", "index sites from the config, a live site by URL, or a built site with --dir");
  std::string dir, base_url, site, site_url;
  index->add_option("url", site_url, "crawl this site (its root URL)");
  index->add_option("--dir", dir, "a built static site to index")->check(CLI::ExistingDirectory);
  index->add_option("--base-url", base_url, "the public URL of --dir's root");
  index->add_option("--site", site, "only this site (with --dir: the name to give it)");
  index->add_option("--data-dir", data_dir, "where to save the snapshot");

  // search
  auto* search = app.add_subcommand("search", "search a site and print the results");
  std::string query;
  std::uint32_t num = 10, start = 0;
  bool json = false, explain = false;
  search->add_option("query", query, "the query")->required();
  search->add_option("--site", site, "site name (default: the default site)");
  search->add_option("-n,--num", num, "results to show")->check(CLI::Range(0, 1000))->capture_default_str();
  search->add_option("--start", start, "skip this many results (paging)");
  search->add_flag("--json", json, "print the response as JSON");
  std::uint32_t sub_results = 0;
  search->add_option("--sub-results", sub_results, "one result per page, with up to this many of its matching sections")
      ->check(CLI::Range(0, 1000));
  std::string filters, from_url;
  std::vector<std::string> facets;
  search->add_option("--filter", filters, "only results this filter expression keeps (docs/filters.md): 'version:3.12 AND NOT type:section'");
  search->add_option("--facet", facets, "count the values of this attribute over every result (repeatable, or comma-separated)");
  search->add_option("--from-url", from_url, "the page searched from: its section ranks higher, its context attributes apply");
  search->add_option("--data-dir", data_dir, "where snapshots live (with no settings file: its sites too)");

  // query
  auto* query_cmd = app.add_subcommand("query", "stdin transport: one query (text or JSON) per line in, one JSON line out");
  query_cmd->add_option("--site", site, "default site for lines that name none");
  query_cmd->add_option("--data-dir", data_dir, "where snapshots live (with no settings file: its sites too)");
  bool query_analytics = false;
  query_cmd->add_flag("--analytics", query_analytics, "record the queries in data_dir/analytics, or Redis with storage \"redis\" (when analytics.enabled)");

  // analytics
  auto* analytics_cmd = app.add_subcommand("analytics", "search analytics from data_dir/analytics (Redis with storage \"redis\": the whole cluster): top, failing, reformulated queries");
  ReportRequest report_request;
  analytics_cmd->add_option("--site", report_request.site, "one site (default: every site)");
  analytics_cmd->add_option("--from", report_request.from, "first day, YYYY-MM-DD (default: 29 days before --to)");
  analytics_cmd->add_option("--to", report_request.to, "last day, YYYY-MM-DD (default: today, UTC)");
  analytics_cmd->add_option("--data-dir", data_dir, "where snapshots and analytics live");
  analytics_cmd->add_flag("--json", json, "print the report as JSON (the shape of GET /analytics)");

  search->add_flag("--explain", explain, "say which curation rules fired, for the query and each result");

  // rules
  auto* rules = app.add_subcommand("rules", "a site's curation rules (synonyms, pins, hides, boosts) in the configured store");
  rules->require_subcommand(1);
  auto* rules_list = rules->add_subcommand("list", "the site's rules, in order");
  rules_list->add_option("--site", site, "the site")->required();
  rules_list->add_flag("--json", json, "print the list as JSON");
  auto* rules_add = rules->add_subcommand("add", "add one rule; running servers apply it within a second, without reindexing");
  RuleFlags rule_flags;
  rules_add->add_option("--site", site, "the site")->required();
  rules_add->add_option("--pin", rule_flags.pin, "pin: the query whose results the --url pages lead, in order");
  rules_add->add_option("--synonyms", rule_flags.synonyms, "synonyms: a comma-separated group of equivalent words or phrases");
  rules_add->add_option("--one-way", rule_flags.one_way, "one-way synonyms: the word or phrase that also matches --to");
  rules_add->add_option("--to", rule_flags.to, "with --one-way: comma-separated words or phrases");
  rules_add->add_option("--hide", rule_flags.hide, "hide: the query for which --url never shows");
  rules_add->add_option("--boost", rule_flags.boost, "boost: the query for which --url's score is multiplied by --factor");
  rules_add->add_option("--url", rule_flags.urls, "a URL (absolute, or a path from the site's root); repeatable for --pin");
  rules_add->add_flag("--prefix", rule_flags.prefix, "the rule fires for queries starting with its query, not only equal to it");
  rules_add->add_option("--factor", rule_flags.factor, "with --boost: above 1 boosts, below 1 demotes")->capture_default_str();
  rules_add->add_option("--id", rule_flags.id, "the rule's id (default: made)");
  rules_add->add_option("--note", rule_flags.note, "why the rule exists");
  rules_add->add_option("--json", rule_flags.json, "the rule as JSON, as POST /sites/{site}/rules takes it (an analytics proposal's \"rule\")");
  auto* rules_remove = rules->add_subcommand("remove", "remove a rule");
  std::string rule_id;
  rules_remove->add_option("--site", site, "the site")->required();
  rules_remove->add_option("id", rule_id, "the rule's id")->required();
  auto* rules_replace = rules->add_subcommand("replace", "replace all of a site's rules with those of a JSON file ({\"rules\": [...]})");
  std::string rules_file;
  rules_replace->add_option("--site", site, "the site")->required();
  rules_replace->add_option("file", rules_file, "the JSON file")->required()->check(CLI::ExistingFile);

  // config
  auto* config = app.add_subcommand("config", "check and show settings");
  config->require_subcommand(1);
  auto* validate_cmd = config->add_subcommand("validate", "check a settings file; every problem with its key path");
  std::string validate_file;
  validate_cmd->add_option("file", validate_file, "settings file")->required();
  auto* show = config->add_subcommand("show", "the effective settings (secrets masked)");
  auto* schema = config->add_subcommand("schema", "JSON Schema of the settings");
  auto* push = config->add_subcommand("push", "storage=redis: store these settings in Redis for every node");
  bool include_secrets = false;
  push->add_flag("--include-secrets", include_secrets, "store the API key too (kept out by default)");

  // keys
  auto* keys = app.add_subcommand("keys", "API keys in the configured store (data_dir, or Redis): create, list, revoke");
  keys->require_subcommand(1);
  auto* keys_create = keys->add_subcommand("create", "make a key; it is printed once and never stored");
  KeySpec key_spec;
  std::string key_expires;
  keys_create->add_option("--action", key_spec.actions, "search, suggest, indexer, sites, keys, curation, analytics or * (repeatable)")->required();
  keys_create->add_option("--site", key_spec.sites, "a site the key may use (repeatable; none: every site)");
  keys_create->add_option("--expires", key_expires, "expiry, UTC: 2027-01-01T00:00:00Z (default: never)");
  keys_create->add_option("--description", key_spec.description, "what the key is for");
  auto* keys_list = keys->add_subcommand("list", "every key, without secrets");
  keys_list->add_flag("--json", json, "print the list as JSON");
  auto* keys_revoke = keys->add_subcommand("revoke", "revoke a key (running servers stop accepting it within a second)");
  std::string key_id;
  keys_revoke->add_option("id", key_id, "the key's id")->required();

  // snapshot
  auto* snapshot = app.add_subcommand("snapshot", "inspect and upgrade snapshot files");
  snapshot->require_subcommand(1);
  auto* info = snapshot->add_subcommand("info", "documents, terms, bytes, version, checksum status (of a snapshot, or of "
                                                "the segments a <site>.segments manifest names)");
  std::string snapshot_file;
  info->add_option("file", snapshot_file, "snapshot file, or segment manifest")->required();
  auto* upgrade = snapshot->add_subcommand("upgrade", "rewrite a snapshot of an older format in the current one, in place (or each segment a <site>.segments manifest names)");
  upgrade->add_option("file", snapshot_file, "snapshot file, or segment manifest")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? ok : usage;
  }
  if (g.log_level.empty() && verbose > 0) g.log_level = verbose == 1 ? "debug" : "trace";
  set_log_level(g.log_level);

  try {
    std::vector<std::pair<std::string, std::string>> flags;
    if (!host.empty()) flags.emplace_back("host", host);
    if (!port.empty()) flags.emplace_back("port", port);
    if (!threads.empty()) flags.emplace_back("threads", threads);
    if (!data_dir.empty()) flags.emplace_back("data_dir", data_dir);

    // What every command's node starts from: logs, progress, the worker's flags.
    NodeOptions base = node_options();
    base.worker_name = worker_flags.name;
    base.lease = std::chrono::milliseconds(worker_flags.lease_ms);
    base.max_attempts = worker_flags.max_attempts;
    if (*serve) {
#ifdef SITESEEK_HAVE_HTTP
      // Until the server handles SIGHUP (a TLS reload), one sent by a certificate renewal during
      // start-up indexing must not end the process; the server reads the files when it starts.
      ::signal(SIGHUP, SIG_IGN);
      AppSettings settings = load(g, flags);
      check_io_backend();  // before any indexing: refuse in a moment, not after a crawl
      http::check_tls(settings.tls);  // likewise: a certificate or key that cannot serve
      NodeOptions o = base;
      o.follow = true;
      o.index_missing = true;
      o.crawl_missing = true;
      o.embedded_worker = embedded_worker;
      o.analytics = true;  // the server records searches (settings analytics.enabled can turn it off)
      Node node(std::move(settings), std::move(o));
      if (node.settings()->sites.empty()) throw ConfigError("sites", "no sites are configured: nothing to serve");
      log_start(node.start(), Level::info);
      http::ServerOptions options;
      const auto effective = node.settings();
      options.host = effective->host;
      options.port = effective->port;
      options.threads = effective->threads;
      options.handle_signals = true;  // SIGINT/SIGTERM stop, SIGHUP reloads the TLS files
      options.tls = effective->tls;
      options.log = base.log;
      options.request_timeout = std::chrono::milliseconds(request_timeout_ms);
      options.idle_timeout = std::chrono::milliseconds(idle_timeout_ms);
      {
        http::Server server(node, options);
        server.start();
        // Printed at every log level: scripts and tests read the port from this line.
        std::fprintf(stderr, "siteseek %s serving %zu site(s) on %s://%s:%u/ with %s (Ctrl-C stops)\n", version_string,
                     effective->sites.size(), server.tls() ? "https" : "http", effective->host.c_str(), server.port(),
                     io_backend());
        server.run();
      }
      log(Level::info, "siteseek: stopped");
      return ok;
#else
      std::fprintf(stderr, "siteseek: this build has no HTTP server (configure with -DSITESEEK_WITH_HTTP=ON)\n");
      return failure;
#endif
    }
    if (*index) {
      AppSettings settings;
      if (!site_url.empty() && !dir.empty()) throw ConfigError("url", "give a site URL to crawl or --dir, not both");
      settings = load(g, flags);
      if (!site_url.empty() || !dir.empty()) {
        if (!dir.empty() && base_url.empty()) {
          throw ConfigError("--base-url", "required with --dir: the public URL of the directory's root");
        }
        // An ad-hoc site (or one from the config, re-pointed): crawl the URL or read the directory.
        SiteSettings& target = site_named(settings, site.empty() ? "default" : site);
        target.url = site_url.empty() ? base_url : site_url;
        target.directory = dir;
        validate(settings);
        site = target.name;
      }
      NodeOptions o = base;
      o.stored_settings = site_url.empty() && dir.empty();  // an ad-hoc site is indexed as given
      o.searches = false;  // it exits once indexed
      Node node(std::move(settings), std::move(o));
      if (node.settings()->sites.empty()) throw ConfigError("sites", "no sites are configured; give --config or --dir");
      log_start(node.start(), Level::debug);
      return index_sites(node, site);
    }
    if (*worker) {
      Node node(load(g, flags), base);
      return run_worker(node, worker_flags.name);
    }
    if (*push) return push_settings(load(g, flags), include_secrets);
    if (*keys) {
      if (*keys_create && !key_expires.empty()) {
        key_spec.expires_at = parse_utc(key_expires);
        if (!key_spec.expires_at) throw ConfigError("--expires", "expected a UTC time like 2027-01-01T00:00:00Z, got \"" + key_expires + "\"");
      }
      Node node(load(g, flags), base);
      if (*keys_create) return create_key(node, key_spec);
      if (*keys_list) return list_keys(node, json);
      return revoke_key(node, key_id);
    }
    if (*rules) {
      Node node(load(g, flags), base);
      node.settings()->site(resolve_site(*node.settings(), site));  // unknown: the valid names
      if (*rules_list) return list_rules(node, site, json);
      if (*rules_add) return add_rule(node, site, rule_from_flags(rule_flags));
      if (*rules_remove) return remove_rule(node, site, rule_id);
      return replace_rules(node, site, rules_file);
    }
    if (*search) {
      NodeOptions o = base;
      o.index_missing = true;
      o.only_site = site;
      o.require_index = true;
      Node node(load(g, flags), std::move(o));
      if (!site.empty()) node.settings()->site(resolve_site(*node.settings(), site));  // unknown: the valid names
      log_start(node.start(), Level::debug);
      SearchRequest req;
      req.q = query;
      req.site = site;
      req.num = num;
      req.start = start;
      req.sub_results = sub_results;
      req.filters = filters;
      for (const auto& list : facets) {  // each as HTTP's facets= is read
        for (auto& name : facet_list(list)) req.facets.push_back(std::move(name));
      }
      req.from_url = from_url;
      req.explain = explain;
      return print_search(node, req, json);
    }
    if (*analytics_cmd) {
      NodeOptions o = base;
      o.analytics = false;  // read the files (or Redis, shared storage); this command records nothing
      Node node(load(g, flags), std::move(o));
      return print_analytics(node, std::move(report_request), json, g);
    }
    if (*query_cmd) {
      NodeOptions o = base;
      o.index_missing = true;
      o.analytics = query_analytics;
      Node node(load(g, flags), std::move(o));
      log_start(node.start(), Level::debug);
      return run_query(node, site);
    }
    if (*validate_cmd) {
      Globals only_file = g;
      only_file.config = validate_file;
      AppSettings s = load(only_file, flags);
      std::printf("%s: valid (%zu site%s)\n", validate_file.c_str(), s.sites.size(), s.sites.size() == 1 ? "" : "s");
      return ok;
    }
    if (*show) {
      pretty(std::cout, to_json(load(g, flags), SecretPolicy::mask));
      std::cout << "\n";
      return ok;
    }
    if (*schema) {
      pretty(std::cout, settings_schema());
      std::cout << "\n";
      return ok;
    }
    if (*info) return snapshot_info(snapshot_file);
    if (*upgrade) return snapshot_upgrade(snapshot_file);
  } catch (const Error& e) {
    std::fprintf(stderr, "siteseek: %s\n", e.what());
    return exit_code_for(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "siteseek: unexpected error: %s\n", e.what());
    return failure;
  }
  return usage;
}
