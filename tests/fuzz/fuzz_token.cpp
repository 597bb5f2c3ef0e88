// libFuzzer target: any bytes as a scoped token (X-API-KEY). The parser either reads a token
// within its limits or refuses it with AuthError "unauthorized"; verifying it against a ring
// holding one key gives a grant only for a token that key signed (never for these bytes, unless
// they are one), else AuthError — never a crash, another exception, or a grant wider than the key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "siteseek/error.hpp"
#include "siteseek/keys.hpp"

namespace {

struct Fixture {
  siteseek::KeyRing ring{std::string(32, 'p')};
  std::string key;
  Fixture() {
    siteseek::KeySpec spec;
    spec.actions = {"search"};
    spec.sites = {"docs"};
    auto made = siteseek::make_key(spec, ring.pepper(), siteseek::KeyClock::from_time_t(0));
    key = made.key;
    ring.put(made.record);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto token = siteseek::parse_scoped_token(text);
    const auto& s = token.scope;
    if (s.filters.size() > siteseek::max_token_filters || s.sites.size() > siteseek::max_token_sites ||
        token.signature.size() != 32 || s.key_id.size() != 16) {
      std::abort();  // a parsed token outside the limits
    }
  } catch (const siteseek::AuthError& e) {
    if (e.code() != "unauthorized") std::abort();
  }
  try {
    auto grant = fixture.ring.verify_token(text, siteseek::KeyClock::from_time_t(1'000'000'000));
    if (!grant.token || grant.actions != static_cast<std::uint32_t>(siteseek::Action::search) || grant.all_sites ||
        grant.covers("other")) {
      std::abort();  // wider than the key
    }
  } catch (const siteseek::AuthError&) {
  }
  return 0;
}
