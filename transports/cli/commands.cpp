// Settings loading, logging, start-up indexing, progress and reports for the CLI's commands.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <mutex>

#include "cli.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"

namespace siteseek::cli {

namespace {
std::atomic<Level> threshold{Level::info};
}

void set_log_level(const std::string& name) {
  static const char* names[] = {"trace", "debug", "info", "warn", "error", "off"};
  for (int i = 0; i < 6; ++i) {
    if (name == names[i]) threshold = static_cast<Level>(i);
  }
}

bool logging(Level level) { return level >= threshold.load() && threshold.load() != Level::off; }

void log(Level level, const char* format, ...) {
  if (!logging(level)) return;
  // One buffer, one fwrite: lines from the server's threads do not interleave mid-line.
  char buf[2048];
  va_list args;
  va_start(args, format);
  int n = std::vsnprintf(buf, sizeof buf - 1, format, args);
  va_end(args);
  if (n < 0) return;
  std::size_t len = std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 2);
  buf[len++] = '\n';
  std::fwrite(buf, 1, len, stderr);
}

AppSettings load(const Globals& g, const std::vector<std::pair<std::string, std::string>>& flags) {
  SettingsSources sources;
  sources.file = g.config;
  sources.environment = current_environment();
  for (const auto& s : g.sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError(s, "--set expects key.path=value, e.g. --set sites[0].crawl.max_pages=50");
    }
    sources.overrides[s.substr(0, eq)] = s.substr(eq + 1);
  }
  for (const auto& [k, v] : flags) sources.overrides[k] = v;
  if (!g.log_level.empty()) sources.overrides["log_level"] = g.log_level;
  AppSettings settings = load_settings(sources);
  set_log_level(settings.log_level);
  log(Level::debug, "settings: file %s, %zu site(s), data_dir %s, log_level %s",
      g.config.empty() ? "(none)" : g.config.c_str(), settings.sites.size(), settings.data_dir.c_str(),
      settings.log_level.c_str());
  return settings;
}

bool stdout_is_tty() { return ::isatty(STDOUT_FILENO) == 1; }
bool stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

ProgressCallback progress_printer(const std::string& label) {
  if (!logging(Level::info)) return {};
  struct State {
    std::mutex m;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now(), last{};
    bool tty = stderr_is_tty();
  };
  auto state = std::make_shared<State>();
  return [state, label](const IngestProgress& p) {
    std::lock_guard lock(state->m);
    auto now = std::chrono::steady_clock::now();
    auto since_last = now - state->last;
    bool last = p.queued == 0;  // the final state is always shown
    if (!last && since_last < (state->tty ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000))) return;
    state->last = now;
    double secs = std::chrono::duration<double>(now - state->started).count();
    double rate = secs > 0 ? static_cast<double>(p.fetched) / secs : 0;
    char line[512];
    std::snprintf(line, sizeof line, "%s: %llu fetched, %llu queued, %llu documents, %llu errors, %.0f pages/s",
                  label.c_str(), static_cast<unsigned long long>(p.fetched), static_cast<unsigned long long>(p.queued),
                  static_cast<unsigned long long>(p.documents), static_cast<unsigned long long>(p.errors), rate);
    if (state->tty) {
      // \r and erase-to-end-of-line: one line redrawn in place, finished with a newline.
      std::fprintf(stderr, "\r\033[K%s%s", line, last ? "\n" : "");
    } else {
      std::fprintf(stderr, "%s\n", line);
    }
    std::fflush(stderr);
  };
}

namespace {
// "sphinx 498, mkdocs 3": names and their counts.
std::string counts(const std::map<std::string, std::uint64_t>& counted) {
  std::string out;
  for (const auto& [name, n] : counted) out += (out.empty() ? "" : ", ") + name + " " + std::to_string(n);
  return out;
}
}  // namespace

void print_report(std::FILE* out, const std::string& site, const IngestReport& r) {
  std::fprintf(out, "%s: %llu pages read, %llu indexed, %llu unchanged, %llu documents, %zu skipped, %zu failed, %.2f s\n",
               site.c_str(), static_cast<unsigned long long>(r.pages_fetched),
               static_cast<unsigned long long>(r.pages_indexed), static_cast<unsigned long long>(r.pages_unchanged + r.pages_not_requested),
               static_cast<unsigned long long>(r.documents), r.skipped.size(), r.failed.size(), r.duration.count() / 1000.0);
  if (r.index_unchanged) std::fprintf(out, "  index unchanged: the same documents as the index in use; nothing rebuilt or written\n");
  if (r.updated_in_place)
    std::fprintf(out, "  updated in place: %llu pages changed or new, %llu removed; only they were built and written\n",
                 static_cast<unsigned long long>(r.pages_changed), static_cast<unsigned long long>(r.pages_removed));
  if (r.pages_not_requested) {
    std::fprintf(out, "  not requested (sitemap <lastmod> older than the last crawl): %llu pages\n",
                 static_cast<unsigned long long>(r.pages_not_requested));
  }
  // The generators whose conventions were followed (docs/sites.md), with their pages.
  if (!r.generators.empty()) std::fprintf(out, "  read as: %s\n", counts(r.generators).c_str());
  // The attributes the records carry, with their distinct values, and those left out (docs/filters.md).
  if (!r.attributes.values.empty()) std::fprintf(out, "  attributes (distinct values): %s\n", counts(r.attributes.values).c_str());
  if (const auto& d = r.attributes.dropped; d != AttributeDrops{}) {
    std::fprintf(out, "  attribute values left out: %llu with an invalid name, %llu over 128 bytes, %llu past 32 per record\n",
                 static_cast<unsigned long long>(d.invalid_name), static_cast<unsigned long long>(d.too_long),
                 static_cast<unsigned long long>(d.too_many));
  }
  // Skipped pages grouped by reason (a deny pattern can skip hundreds), three examples each.
  std::vector<std::pair<std::string, std::vector<const std::string*>>> reasons;
  for (const auto& s : r.skipped) {
    auto it = std::find_if(reasons.begin(), reasons.end(), [&](const auto& g) { return g.first == s.reason; });
    if (it == reasons.end()) it = reasons.insert(reasons.end(), {s.reason, {}});
    it->second.push_back(&s.url);
  }
  for (const auto& [reason, urls] : reasons) {
    std::fprintf(out, "  skipped %zu: %s\n", urls.size(), reason.c_str());
    for (std::size_t i = 0; i < urls.size() && i < 3; ++i) std::fprintf(out, "    %s\n", urls[i]->c_str());
    if (urls.size() > 3) std::fprintf(out, "    ... %zu more\n", urls.size() - 3);
  }
  for (const auto& f : r.failed) std::fprintf(out, "  failed %s: %s\n", f.url.c_str(), f.error.c_str());
  // Pages that hold nothing but a title: every page so means a site its scripts render.
  if (const auto& empty = r.pages_without_text; !empty.empty()) {
    if (empty.size() == r.pages_indexed)
      std::fprintf(out, "  warning: no page has text besides its title: if the site is rendered by its scripts in the browser "
                        "(Docsify, a single-page app), index its pre-rendered HTML instead\n");
    std::fprintf(out, "  without text besides their titles %zu:\n", empty.size());
    for (std::size_t i = 0; i < empty.size() && i < 3; ++i) std::fprintf(out, "    %s\n", empty[i].c_str());
    if (empty.size() > 3) std::fprintf(out, "    ... %zu more\n", empty.size() - 3);
  }
}

NodeOptions node_options() {
  NodeOptions o;
  o.log = [](LogLevel level, const std::string& line) {
    static constexpr Level levels[] = {Level::trace, Level::debug, Level::info, Level::warn, Level::error};
    log(levels[static_cast<int>(level)], "%s", line.c_str());
  };
  o.progress = [](const std::string& site) { return progress_printer(site); };
  o.on_indexed = [](const std::string& site, const IngestReport& report) {
    if (logging(Level::info)) print_report(stderr, site, report);
  };
  return o;
}

void log_start(const StartReport& report, Level load_level) {
  for (const auto& l : report.loaded) {
    log(load_level, "%s: loaded snapshot %s (%u documents) in %.1f ms", l.site.c_str(), l.where.c_str(), l.documents,
        l.milliseconds);
  }
}

}  // namespace siteseek::cli
