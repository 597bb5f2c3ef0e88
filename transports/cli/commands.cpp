// Settings loading, start-up indexing, progress and reports for the CLI's commands.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "cli.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"

namespace siteseek::cli {

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
  return load_settings(sources);
}

bool stdout_is_tty() { return ::isatty(STDOUT_FILENO) == 1; }
bool stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

ProgressCallback progress_printer(const std::string& label) {
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
    if (state->tty ? since_last < std::chrono::milliseconds(100) : since_last < std::chrono::seconds(2)) {
      if (p.queued != 0) return;  // always show the final state
    }
    state->last = now;
    double secs = std::chrono::duration<double>(now - state->started).count();
    double rate = secs > 0 ? p.fetched / secs : 0;
    if (state->tty) {
      std::fprintf(stderr, "\r\033[K%s: %llu fetched, %llu queued, %llu documents, %llu errors, %.0f pages/s", label.c_str(),
                   static_cast<unsigned long long>(p.fetched), static_cast<unsigned long long>(p.queued),
                   static_cast<unsigned long long>(p.documents), static_cast<unsigned long long>(p.errors), rate);
      if (p.queued == 0) std::fputc('\n', stderr);
    } else {
      std::fprintf(stderr, "%s: %llu fetched, %llu queued, %llu documents, %llu errors\n", label.c_str(),
                   static_cast<unsigned long long>(p.fetched), static_cast<unsigned long long>(p.queued),
                   static_cast<unsigned long long>(p.documents), static_cast<unsigned long long>(p.errors));
    }
    std::fflush(stderr);
  };
}

void print_report(const std::string& site, const IngestReport& r) {
  std::fprintf(stderr, "%s: %llu pages read, %llu indexed, %llu unchanged, %llu documents, %zu skipped, %zu failed, %.2f s\n",
               site.c_str(), static_cast<unsigned long long>(r.pages_fetched),
               static_cast<unsigned long long>(r.pages_indexed), static_cast<unsigned long long>(r.pages_unchanged),
               static_cast<unsigned long long>(r.documents), r.skipped.size(), r.failed.size(), r.duration.count() / 1000.0);
  std::size_t shown = 0;
  for (const auto& s : r.skipped) {
    if (++shown > 20) {
      std::fprintf(stderr, "  ... %zu more skipped\n", r.skipped.size() - 20);
      break;
    }
    std::fprintf(stderr, "  skipped %s: %s\n", s.url.c_str(), s.reason.c_str());
  }
  for (const auto& f : r.failed) std::fprintf(stderr, "  failed %s: %s\n", f.url.c_str(), f.error.c_str());
}

void prepare(Engine& engine, const std::string& only_site, bool require) {
  for (const auto& name : engine.load_snapshots()) {
    auto index = engine.current(name);
    std::fprintf(stderr, "%s: loaded snapshot %s (%u documents)\n", name.c_str(), engine.snapshot_path(name).c_str(),
                 index ? index->size() : 0u);
  }
  for (const auto& s : engine.settings().sites) {
    if (!only_site.empty() && s.name != only_site) continue;
    if (engine.current(s.name)) continue;
    if (s.directory.empty()) {
      if (require) {
        throw RequestError("no_index", "site '" + s.name + "' has no index yet: run `siteseek index --site " + s.name + "`");
      }
      continue;
    }
    std::fprintf(stderr, "%s: no snapshot yet, indexing %s\n", s.name.c_str(), s.directory.c_str());
    print_report(s.name, engine.reindex(s.name, progress_printer(s.name)));
  }
}

}  // namespace siteseek::cli
