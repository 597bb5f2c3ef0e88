#pragma once
// Pieces shared by the CLI's commands.
#include <string>
#include <vector>

#include "siteseek/engine.hpp"
#include "siteseek/settings.hpp"

namespace siteseek::cli {

/// Exit codes (docs/cli.md): 0 ok, 1 runtime failure, 2 usage or configuration error.
enum Exit { ok = 0, failure = 1, usage = 2 };

/// Global options every command understands.
struct Globals {
  std::string config;               ///< --config FILE
  std::vector<std::string> sets;    ///< --set key.path=value
  std::string log_level;            ///< --log-level
};

/// Settings from defaults < file < environment < flags (--set and the command's own flags).
AppSettings load(const Globals& g, const std::vector<std::pair<std::string, std::string>>& flags = {});
/// Load snapshots; index directory sites that have none (saving their snapshot). With
/// `require`, a site left without an index is an error naming it.
void prepare(Engine& engine, const std::string& only_site, bool require);
/// Whether stdout / stderr is a terminal.
bool stdout_is_tty();
bool stderr_is_tty();
/// A live progress line on a terminal (redrawn at most 10 times a second), plain lines otherwise.
ProgressCallback progress_printer(const std::string& label);
/// The report of an ingestion run, for people.
void print_report(const std::string& site, const IngestReport& report);

int run_query(Engine& engine, const std::string& site);

}  // namespace siteseek::cli
