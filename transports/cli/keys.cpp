// `siteseek keys`: create, list and revoke API keys in the configured store (docs/cli.md).
#include <cstdio>

#include <boost/json.hpp>

#include "cli.hpp"
#include "siteseek/json.hpp"
#include "siteseek/keys.hpp"
#include "siteseek/node.hpp"
#include "siteseek/store.hpp"

namespace siteseek::cli {
namespace {

std::string joined(const std::vector<std::string>& items, const char* none) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out.empty() ? none : out;
}

}  // namespace

int create_key(Node& node, const KeySpec& spec) {
  CreatedKey created = node.create_key(spec);
  const KeyInfo info = key_info(created.record, KeyClock::now());
  // The key alone on stdout (scripts capture it); what it is on stderr.
  std::printf("%s\n", created.key.c_str());
  std::fprintf(stderr, "key %s (%s; sites %s; expires %s) stored in %s; it is shown only this once\n", info.id.c_str(),
               joined(info.actions, "-").c_str(), joined(info.sites, "all").c_str(),
               info.expires_at.empty() ? "never" : info.expires_at.c_str(), node.store().describe().c_str());
  return ok;
}

int list_keys(Node& node, bool json) {
  const auto keys = node.list_keys();
  if (json) {
    std::printf("%s\n", json_text(boost::json::object{{"keys", boost::json::value_from(keys)}}).c_str());
    return ok;
  }
  std::printf("%-16s  %-22s  %-24s  %-16s  %-20s  %s\n", "ID", "KEY", "ACTIONS", "SITES", "EXPIRES", "DESCRIPTION");
  for (const auto& k : keys) {
    std::string expires = k.expires_at.empty() ? "never" : k.expires_at + (k.expired ? " (expired)" : "");
    std::printf("%-16s  %-22s  %-24s  %-16s  %-20s  %s\n", k.id.c_str(), k.masked.c_str(), joined(k.actions, "-").c_str(),
                joined(k.sites, "all").c_str(), expires.c_str(), k.description.c_str());
  }
  return ok;
}

int revoke_key(Node& node, const std::string& id) {
  node.revoke_key(id);
  std::printf("revoked %s\n", id.c_str());
  return ok;
}

}  // namespace siteseek::cli
