// What these tests prove about keys and scoped tokens (siteseek/keys.hpp), without a store:
// 1. a made key verifies, with its actions and sites; a wrong secret, an unknown id, a revoked key
//    are "unauthorized", an expired one "key_expired"; bad actions and past expiries are refused;
// 2. the record never holds the key: its hash is not the key and contains no part of its secret,
//    and the record's JSON round trips;
// 3. a token minted from a key verifies with that key's scope narrowed (search only, sites within
//    the key's, filters, max_num); a token whose payload was changed, one signed with another key,
//    an expired one, one of a key without search are refused with the right code;
// 4. the token parser refuses what is not exactly a token (prefix, parts, base64url, JSON shape,
//    unknown keys, types, limits) as "unauthorized", and base64url has one encoding per value;
// 5. verify() answers a credential again from its per-thread cache only while nothing changed:
//    a revoked key, a replaced key set and an expiry reached are refused at once.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "auth/crypto.hpp"
#include "siteseek/error.hpp"
#include "siteseek/keys.hpp"

using namespace siteseek;
using namespace std::chrono_literals;

namespace {

const KeyClock::time_point now = KeyClock::from_time_t(1'800'000'000);

KeySpec spec(std::vector<std::string> actions, std::vector<std::string> sites = {}) {
  KeySpec s;
  s.actions = std::move(actions);
  s.sites = std::move(sites);
  return s;
}

template <class F>
std::string code_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "ok";
}

// The token's payload JSON, changed by `edit`, put back with the original signature.
std::string tampered(const std::string& token, const std::function<void(boost::json::object&)>& edit) {
  const auto first = token.find('.'), last = token.rfind('.');
  auto payload = auth::base64url_decode(token.substr(first + 1, last - first - 1));
  auto jv = boost::json::parse(*payload);
  edit(jv.as_object());
  return "sst1." + auth::base64url_encode(boost::json::serialize(jv)) + token.substr(last);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(keys)

BOOST_AUTO_TEST_CASE(create_verify_revoke_expire) {
  KeyRing ring(random_pepper());
  auto made = make_key(spec({"search", "suggest"}, {"python"}), ring.pepper(), now);
  BOOST_TEST(made.key.rfind("ssk_" + made.record.id + "_", 0) == 0u);
  BOOST_TEST(made.record.id.size() == 16u);
  ring.put(made.record);
  Grant g = ring.verify_key(made.key, now);
  BOOST_TEST(g.key_id == made.record.id);
  BOOST_TEST(g.allows(Action::search));
  BOOST_TEST(g.allows(Action::suggest));
  BOOST_TEST(!g.allows(Action::indexer));
  BOOST_TEST(g.covers("python"));
  BOOST_TEST(!g.covers("guide"));

  std::string wrong = made.key;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  BOOST_TEST(code_of([&] { ring.verify_key(wrong, now); }) == "unauthorized");
  BOOST_TEST(code_of([&] { ring.verify_key("ssk_0123456789abcdef_whatever", now); }) == "unauthorized");
  BOOST_TEST(code_of([&] { ring.verify_key("hunter2", now); }) == "unauthorized");
  BOOST_TEST(code_of([&] { ring.verify_key(made.key.substr(0, 20), now); }) == "unauthorized");

  KeySpec expiring = spec({"*"});
  expiring.expires_at = now + 1h;
  auto admin = make_key(expiring, ring.pepper(), now);
  ring.put(admin.record);
  BOOST_TEST(ring.verify_key(admin.key, now + 59min).allows(Action::keys));
  BOOST_TEST(code_of([&] { ring.verify_key(admin.key, now + 1h); }) == "key_expired");

  BOOST_TEST(ring.remove(made.record.id));
  BOOST_TEST(!ring.remove(made.record.id));
  BOOST_TEST(code_of([&] { ring.verify_key(made.key, now); }) == "unauthorized");
  // Another store's pepper: the same record does not verify there.
  KeyRing other(random_pepper());
  other.put(admin.record);
  BOOST_TEST(code_of([&] { other.verify_key(admin.key, now); }) == "unauthorized");
}

BOOST_AUTO_TEST_CASE(bad_specs_are_config_errors_naming_the_field) {
  auto path_of = [](const KeySpec& s) {
    try {
      make_key(s, "pepper", now);
    } catch (const ConfigError& e) {
      return e.issues().front().path;
    }
    return std::string("none");
  };
  BOOST_TEST(path_of(spec({})) == "actions");
  BOOST_TEST(path_of(spec({"search", "statistics"})) == "actions[1]");
  KeySpec past = spec({"search"});
  past.expires_at = now - 1s;
  BOOST_TEST(path_of(past) == "expires_at");
  try {
    key_spec_from_json(boost::json::parse(R"({"actions": ["search"], "site": ["x"]})"));
    BOOST_FAIL("an unknown key was taken");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.issues().front().path == "site");
  }
  auto parsed = key_spec_from_json(boost::json::parse(R"({"actions": ["search"], "expires_at": "2027-01-01T00:00:00Z"})"));
  BOOST_TEST(format_utc(*parsed.expires_at) == "2027-01-01T00:00:00Z");
  BOOST_TEST(!parse_utc("2027-02-30T00:00:00Z"));
  BOOST_TEST(!parse_utc("2027-01-01 00:00:00"));
  BOOST_TEST(format_utc(*parse_utc("2027-01-01T00:00:00.250Z")) == "2027-01-01T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(the_record_never_holds_the_key) {
  auto made = make_key(spec({"*"}), random_pepper(), now);
  const std::string secret = made.key.substr(std::string("ssk_").size() + made.record.id.size() + 1);  // may hold '_'
  const std::string stored = boost::json::serialize(key_record_to_json(made.record));
  BOOST_TEST(made.record.hash != made.key);
  BOOST_TEST(made.record.hash.size() == 32u);
  for (const std::string& text : {made.record.hash, made.record.token_secret, stored}) {
    BOOST_TEST(text.find(made.key) == std::string::npos);
    // No 8 characters of the secret in a row.
    for (std::size_t i = 0; i + 8 <= secret.size(); ++i) BOOST_TEST(text.find(secret.substr(i, 8)) == std::string::npos);
  }
  KeyRecord back = key_record_from_json(boost::json::parse(stored), "test");
  BOOST_TEST(back.id == made.record.id);
  BOOST_TEST(back.hash == made.record.hash);
  BOOST_TEST(back.token_secret == made.record.token_secret);
  BOOST_TEST(back.actions == made.record.actions);
  BOOST_TEST((back.created_at == made.record.created_at));
  BOOST_TEST(boost::json::serialize(key_record_to_json(back)) == stored);
}

BOOST_AUTO_TEST_CASE(tokens_narrow_their_key) {
  KeyRing ring(random_pepper());
  auto parent = make_key(spec({"search", "indexer"}, {"python", "guide"}), ring.pepper(), now);
  ring.put(parent.record);
  TokenScope scope;
  scope.filters = "version:3.12";
  scope.sites = {"python", "elsewhere"};
  scope.max_num = 5;
  scope.expires_at = KeyClock::to_time_t(now + 1h);
  const std::string token = mint_scoped_token(parent.key, scope);
  BOOST_TEST(token.rfind("sst1.", 0) == 0u);
  Grant g = ring.verify_token(token, now);
  BOOST_TEST(g.token);
  BOOST_TEST(g.key_id == parent.record.id);
  BOOST_TEST(g.allows(Action::search));
  BOOST_TEST(!g.allows(Action::indexer));  // a token only searches
  BOOST_TEST(g.covers("python"));
  BOOST_TEST(!g.covers("guide"));       // not in the token
  BOOST_TEST(!g.covers("elsewhere"));   // not in the key
  BOOST_TEST(g.filters == "version:3.12");
  BOOST_TEST(g.max_num == 5u);

  BOOST_TEST(code_of([&] { ring.verify_token(token, now + 1h); }) == "key_expired");
  // A changed parameter: the signature no longer matches.
  for (auto edit : std::vector<std::function<void(boost::json::object&)>>{
           [](auto& o) { o["filters"] = "version:*"; }, [](auto& o) { o.erase("filters"); },
           [](auto& o) { o["max_num"] = 100; }, [](auto& o) { o["sites"] = boost::json::array{"python", "guide"}; },
           [](auto& o) { o["expires_at"] = std::int64_t(9'000'000'000); }}) {
    BOOST_TEST(code_of([&] { ring.verify_token(tampered(token, edit), now); }) == "unauthorized");
  }
  // Signed with another key, naming this key's id.
  auto other = make_key(spec({"search"}), ring.pepper(), now);
  std::string forged_key = "ssk_" + parent.record.id + other.key.substr(std::string("ssk_").size() + other.record.id.size());
  BOOST_TEST(code_of([&] { ring.verify_token(mint_scoped_token(forged_key, scope), now); }) == "unauthorized");
  // The parent revoked: its tokens go with it.
  auto no_search = make_key(spec({"indexer"}), ring.pepper(), now);
  ring.put(no_search.record);
  BOOST_TEST(code_of([&] { ring.verify_token(mint_scoped_token(no_search.key, {}), now); }) == "forbidden");
  ring.remove(parent.record.id);
  BOOST_TEST(code_of([&] { ring.verify_token(token, now); }) == "unauthorized");
}

BOOST_AUTO_TEST_CASE(token_parser_refuses_anything_else) {
  auto parent = make_key(spec({"search"}), random_pepper(), now);
  const std::string token = mint_scoped_token(parent.key, {});
  BOOST_TEST(parse_scoped_token(token).scope.key_id == parent.record.id);
  const std::string sig = token.substr(token.rfind('.'));
  auto with_payload = [&](const std::string& json) { return "sst1." + auth::base64url_encode(json) + sig; };
  const std::vector<std::string> bad = {
      "", "sst1.", "sst2" + token.substr(4), token + ".x", token.substr(0, token.size() - 1), token + "A",
      "sst1.!!!!" + sig, with_payload("[]"), with_payload("{}"), with_payload("not json"),
      with_payload(R"({"key":"0123456789ABCDEF"})"), with_payload(R"({"key":"0123456789abcdef","admin":true})"),
      with_payload(R"({"key":"0123456789abcdef","max_num":0})"), with_payload(R"({"key":"0123456789abcdef","max_num":2.5})"),
      with_payload(R"({"key":"0123456789abcdef","sites":"python"})"), with_payload(R"({"key":"0123456789abcdef","sites":[[]]})"),
      with_payload(R"({"key":"0123456789abcdef","expires_at":"tomorrow"})"),
      with_payload(R"({"key":"0123456789abcdef","expires_at":1e300})"),
      with_payload(R"({"key":"0123456789abcdef","filters":")" + std::string(2000, 'a') + "\"}"),
      "sst1." + std::string(5000, 'A') + sig};
  for (const auto& t : bad) BOOST_TEST(code_of([&] { parse_scoped_token(t); }) == "unauthorized", t.substr(0, 80));
  // base64url: no padding, no other alphabet, unused bits zero.
  BOOST_TEST(auth::base64url_decode("QQ").value() == "A");
  BOOST_TEST(!auth::base64url_decode("QR"));
  BOOST_TEST(!auth::base64url_decode("QQ=="));
  BOOST_TEST(!auth::base64url_decode("Q+"));
  BOOST_TEST(auth::base64url_encode("\xfb\xff") == "-_8");
}

BOOST_AUTO_TEST_CASE(cached_verification_follows_revocation_and_expiry) {
  KeyRing ring(random_pepper());
  auto spec_with_expiry = spec({"search"});
  spec_with_expiry.expires_at = now + 1h;
  auto made = make_key(spec_with_expiry, ring.pepper(), now);
  ring.put(made.record);
  BOOST_TEST(ring.verify(made.key, now).key_id == made.record.id);
  BOOST_TEST(ring.verify(made.key, now).key_id == made.record.id);  // the cached answer
  BOOST_TEST(code_of([&] { ring.verify(made.key, now + 2h); }) == "key_expired");
  // A token: cached, and dies with its key.
  TokenScope scope;
  scope.filters = "area:guide";
  const auto token = mint_scoped_token(made.key, scope);
  BOOST_TEST(ring.verify(token, now).filters == "area:guide");
  BOOST_TEST(ring.verify(token, now).token);
  BOOST_TEST(ring.remove(made.record.id));
  BOOST_TEST(code_of([&] { ring.verify(made.key, now); }) == "unauthorized");
  BOOST_TEST(code_of([&] { ring.verify(token, now); }) == "unauthorized");
  // A key set replaced (another node's change) without this key: refused too.
  auto other = make_key(spec({"search"}), ring.pepper(), now);
  ring.put(other.record);
  BOOST_TEST(ring.verify(other.key, now).key_id == other.record.id);
  ring.replace({});
  BOOST_TEST(code_of([&] { ring.verify(other.key, now); }) == "unauthorized");
  BOOST_TEST(ring.empty());
  // A wrong secret next to a cached key is not taken for it.
  ring.put(other.record);
  BOOST_TEST(ring.verify(other.key, now).key_id == other.record.id);
  std::string wrong = other.key;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  BOOST_TEST(code_of([&] { ring.verify(wrong, now); }) == "unauthorized");
}

BOOST_AUTO_TEST_SUITE_END()
