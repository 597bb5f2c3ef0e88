#pragma once
// Pieces shared by the CLI's commands.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "exit_codes.hpp"
#include "siteseek/curation.hpp"
#include "siteseek/node.hpp"
#include "siteseek/settings.hpp"

namespace siteseek::cli {

/// Global options every command understands.
struct Globals {
  std::string config;               ///< --config FILE
  std::vector<std::string> sets;    ///< --set key.path=value
  std::string log_level;            ///< --log-level, or debug/trace from -v/-vv
};

/// Log levels, in the order of the settings' log_level values.
enum class Level { trace, debug, info, warn, error, off };
/// Set the level below which log() prints nothing ("trace" ... "off"; unknown names are ignored).
void set_log_level(const std::string& name);
/// Whether a message at `level` is printed.
bool logging(Level level);
/// A printf-style line on stderr when `level` is enabled (the newline is added).
void log(Level level, const char* format, ...) __attribute__((format(printf, 2, 3)));

/// Settings from defaults < file < environment < flags (--set and the command's own flags);
/// also sets the log level from the effective settings.
AppSettings load(const Globals& g, const std::vector<std::pair<std::string, std::string>>& flags = {});

/// Node options for a command: its log lines through log(), progress lines and reports of
/// start-up indexing on stderr.
NodeOptions node_options();
/// Log what start() loaded (at `load_level`: info for serve, debug for one-shot commands).
void log_start(const StartReport& report, Level load_level);

/// Whether stdout / stderr is a terminal.
bool stdout_is_tty();
bool stderr_is_tty();
/// A live progress line on a terminal (redrawn with \r at most 10 times a second), a plain
/// line every 2 seconds otherwise; nothing below log level info.
ProgressCallback progress_printer(const std::string& label);
/// The report of an ingestion run, for people, on `out`.
void print_report(std::FILE* out, const std::string& site, const IngestReport& report);

/// `siteseek config push`: store the settings in Redis for every node.
int push_settings(const AppSettings& settings, bool include_secrets);

/// `siteseek keys create|list|revoke` (keys.cpp): the node's key calls, printed.
int create_key(Node& node, const KeySpec& spec);
int list_keys(Node& node, bool json);
int revoke_key(Node& node, const std::string& id);

/// `siteseek rules add`'s flags (rules.cpp).
struct RuleFlags {
  std::string pin, synonyms, one_way, to, hide, boost, id, note;
  std::string json;  ///< the whole rule as JSON (a POST /sites/{site}/rules body, a proposal's "rule")
  std::vector<std::string> urls;
  bool prefix = false;
  double factor = 2.0;
};
/// The rule the flags describe. Throws ConfigError naming the flag or the rule's field.
Rule rule_from_flags(const RuleFlags& flags);
/// `siteseek rules list|add|remove|replace` (rules.cpp): the node's rule calls, printed.
int list_rules(Node& node, const std::string& site, bool json);
int add_rule(Node& node, const std::string& site, const Rule& rule);
int remove_rule(Node& node, const std::string& site, const std::string& id);
int replace_rules(Node& node, const std::string& site, const std::string& file);
/// `siteseek analytics` (analytics.cpp): the node's analytics report, as a table or JSON.
int print_analytics(Node& node, ReportRequest request, bool json, const Globals& g);

/// `siteseek query`: the stdin transport (query.cpp).
int run_query(Node& node, const std::string& site);

}  // namespace siteseek::cli
