// What these tests prove about the node's keys (Node::authorize, create_key, ...), on each store:
// 1. keys survive a restart (files: keys.json and keys.pepper, owner-only; Redis: the keys hash)
//    and the store holds no key; a revoked key is refused at once on the node that revoked it;
// 2. a second node following the same store honours a key created, and refuses one revoked, on
//    another node within its key_poll (the staleness bound);
// 3. authorize: admin routes disabled with no api_key and no key, open sites need no key, a
//    key-only site does, actions and sites are checked (forbidden naming which), the bootstrap
//    api_key may do everything, a key cannot make a wider key;
// 4. a token's filters are ANDed with the request's (results narrow, never widen; a request
//    filter that does not parse alone is refused), num is clamped to its max_num;
// 5. every admin action is one JSON audit line naming the acting key's id, never the key.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "../../support/store_backends.hpp"
#include "siteseek/error.hpp"
#include "siteseek/keys.hpp"
#include "siteseek/node.hpp"
#include "siteseek/store.hpp"

using namespace siteseek;
using namespace std::chrono_literals;

namespace {

template <class F>
std::string code_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(e.code()) + ": " + e.what();
  }
  return "ok";
}
bool refused_with(const std::string& outcome, const std::string& code) { return outcome.rfind(code + ":", 0) == 0; }

KeySpec spec(std::vector<std::string> actions, std::vector<std::string> sites = {}) {
  KeySpec s;
  s.actions = std::move(actions);
  s.sites = std::move(sites);
  return s;
}

SiteSettings second_site(const std::string& access) {
  SiteSettings s = test::docs_site();
  s.name = "private";
  s.url = "https://private.example.org/";
  s.search_access = access;
  return s;
}

template <class Backend>
AppSettings two_sites(const Backend& backend) {
  AppSettings a = backend.settings();
  a.sites.push_back(second_site("key"));
  return a;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds within) {
  const auto end = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(node_keys)

BOOST_AUTO_TEST_CASE_TEMPLATE(keys_survive_a_restart_and_revoke_at_once, Backend, test::store_backends) {
  Backend backend;
  std::string key, id;
  {
    Node node(backend.settings());
    auto made = node.create_key(spec({"search"}, {"docs"}));
    key = made.key;
    id = made.record.id;
    BOOST_TEST(node.authorize(key, Action::search, {"docs"}).key_id == id);
  }
  if constexpr (std::is_same_v<Backend, test::FileBackend>) {
    const std::string stored = file_text(backend.data_dir + "/keys.json");
    BOOST_TEST(stored.find(id) != std::string::npos);
    // The secret: after "ssk_<id>_" (base64url, so it may hold '_' itself).
    BOOST_TEST(stored.find(key.substr(std::string("ssk_").size() + id.size() + 1)) == std::string::npos);
    for (const char* name : {"/keys.json", "/keys.pepper"}) {
      struct stat st {};
      BOOST_TEST_REQUIRE(::stat((backend.data_dir + name).c_str(), &st) == 0);
      BOOST_TEST((st.st_mode & 0777) == 0600u, name);
    }
  }
  Node again(backend.settings());
  BOOST_TEST(again.list_keys().size() == 1u);
  BOOST_TEST(again.list_keys().front().masked == "ssk_" + id + "_…");
  BOOST_TEST(again.authorize(key, Action::search, {"docs"}).key_id == id);
  again.revoke_key(id);
  BOOST_TEST(refused_with(code_of([&] { again.authorize(key, Action::search, {"docs"}); }), "unauthorized"));
  BOOST_TEST(refused_with(code_of([&] { again.revoke_key(id); }), "not_found"));
  BOOST_TEST(again.list_keys().empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_following_node_sees_changes_within_key_poll, Backend, test::store_backends) {
  Backend backend;
  NodeOptions follow;
  follow.follow = true;
  follow.key_poll = 200ms;
  Node a(backend.settings());
  Node b(backend.settings(), follow);
  b.start();
  auto made = a.create_key(spec({"indexer"}));
  auto allowed = [&] { return code_of([&] { b.authorize(made.key, Action::indexer, {}); }) == "ok"; };
  // The bound: key_poll, plus a load; generous here for a loaded machine.
  BOOST_TEST(eventually(allowed, 200ms + 1500ms));
  a.revoke_key(made.record.id);
  BOOST_TEST(eventually([&] { return !allowed(); }, 200ms + 1500ms));
}

BOOST_AUTO_TEST_CASE(authorize_checks_access_actions_and_sites) {
  test::FileBackend backend;
  {
    Node node(two_sites(backend));
    BOOST_TEST(refused_with(code_of([&] { node.authorize("anything", Action::indexer, {}); }), "admin_disabled"));
    BOOST_TEST(refused_with(code_of([&] { node.authorize("", Action::indexer, {}); }), "admin_disabled"));
    node.create_key(spec({"search"}));
    // A key now exists: admin routes are on, for keys that have their action.
    BOOST_TEST(refused_with(code_of([&] { node.authorize("", Action::indexer, {}); }), "unauthorized"));
  }
  AppSettings settings = two_sites(backend);
  settings.api_key.value = "bootstrap-secret";
  Node node(settings);
  BOOST_TEST(code_of([&] { node.authorize("", Action::search, {"docs"}); }) == "ok");
  BOOST_TEST(code_of([&] { node.authorize("", Action::suggest, {""}); }) == "ok");  // the default site
  auto refused = code_of([&] { node.authorize("", Action::search, {"docs", "private"}); });
  BOOST_TEST(refused_with(refused, "unauthorized"));
  BOOST_TEST(refused.find("'private'") != std::string::npos, refused);
  BOOST_TEST(node.authorize("bootstrap-secret", Action::keys, {}).key_id == "bootstrap");
  BOOST_TEST(refused_with(code_of([&] { node.authorize("bootstrap-secreT", Action::keys, {}); }), "unauthorized"));

  auto docs_only = node.create_key(spec({"search", "indexer"}, {"docs"}));
  BOOST_TEST(code_of([&] { node.authorize(docs_only.key, Action::search, {"https://example.org/"}); }) == "ok");  // by URL
  auto other_site = code_of([&] { node.authorize(docs_only.key, Action::search, {"private"}); });
  BOOST_TEST(refused_with(other_site, "forbidden"));
  BOOST_TEST(other_site.find("site 'private'") != std::string::npos, other_site);
  auto no_action = code_of([&] { node.authorize(docs_only.key, Action::sites, {"docs"}); });
  BOOST_TEST(refused_with(no_action, "forbidden"));
  BOOST_TEST(no_action.find("action 'sites'") != std::string::npos, no_action);
  // A key manager cannot make or revoke a wider key.
  auto manager = node.create_key(spec({"keys", "search"}, {"docs"}));
  Grant by = node.authorize(manager.key, Action::keys, {});
  BOOST_TEST(refused_with(code_of([&] { node.create_key(spec({"search"}), by); }), "forbidden"));       // every site
  BOOST_TEST(refused_with(code_of([&] { node.create_key(spec({"indexer"}, {"docs"}), by); }), "forbidden"));
  BOOST_TEST(code_of([&] { node.create_key(spec({"search"}, {"docs"}), by); }) == "ok");
  BOOST_TEST(refused_with(code_of([&] { node.revoke_key(docs_only.record.id, by); }), "forbidden"));
  BOOST_TEST(refused_with(code_of([&] { node.create_key(spec({"search"}, {"nope"})); }), "unknown_site"));
}

BOOST_AUTO_TEST_CASE(token_filters_are_anded_and_num_clamped) {
  test::FileBackend backend;
  AppSettings settings = backend.settings();
  Node node(settings);
  std::vector<Document> docs;
  for (int i = 0; i < 6; ++i) {
    Document d;
    d.id = d.url = "https://example.org/p" + std::to_string(i) + ".html";
    d.title = "Install guide " + std::to_string(i);
    d.body = "How to install it.";
    d.attributes = {{"version", i % 2 ? "2" : "1"}};
    docs.push_back(d);
  }
  node.publish_documents("docs", docs);
  auto parent = node.create_key(spec({"search"}));
  TokenScope scope;
  scope.filters = "version:1";
  scope.max_num = 2;
  const std::string token = mint_scoped_token(parent.key, scope);
  auto search = [&](const std::string& filters, std::uint32_t num) {
    SearchRequest r;
    r.q = "install";
    r.filters = filters;
    r.num = num;
    node.authorize_search(token, r);
    return std::pair{node.search(r), r};
  };
  auto [all, req] = search("", 10);
  BOOST_TEST(all.total == 3u);  // version 1 only
  BOOST_TEST(all.results.size() == 2u);  // clamped
  BOOST_TEST(req.num == 2u);
  BOOST_TEST(search("version:2", 10).first.total == 0u);  // ANDed: nothing is both
  BOOST_TEST(search("version:1 OR version:2", 10).first.total == 3u);  // cannot widen
  BOOST_TEST(refused_with(code_of([&] { search("version:1) OR (version:2", 10); }), "invalid_filter"));
  // The parent key itself is not narrowed.
  SearchRequest plain;
  plain.q = "install";
  node.authorize_search(parent.key, plain);
  BOOST_TEST(node.search(plain).total == 6u);
}

BOOST_AUTO_TEST_CASE(admin_actions_are_audited_by_key_id) {
  test::FileBackend backend;
  std::mutex m;
  std::vector<std::string> lines;
  NodeOptions o;
  o.log = [&](LogLevel level, const std::string& line) {
    std::lock_guard lock(m);
    if (level == LogLevel::info && line.rfind("{\"audit\"", 0) == 0) lines.push_back(line);
  };
  AppSettings settings = backend.settings();
  settings.api_key.value = "bootstrap-secret";
  Node node(settings, o);
  auto admin = node.create_key(spec({"*"}), node.authorize("bootstrap-secret", Action::keys, {}));
  Grant by = node.authorize(admin.key, Action::sites, {"private"});
  node.put_site(second_site("open"), by);
  node.remove_site("private", by);
  node.revoke_key(admin.record.id, by);
  std::lock_guard lock(m);
  BOOST_TEST_REQUIRE(lines.size() == 4u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"key_created", "bootstrap"}, {"site_put", admin.record.id}, {"site_removed", admin.record.id}, {"key_revoked", admin.record.id}};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto o = boost::json::parse(lines[i]).as_object();
    BOOST_TEST(o.at("audit").as_string() == expected[i].first);
    BOOST_TEST(o.at("key").as_string() == expected[i].second);
    BOOST_TEST(lines[i].find(admin.key) == std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
