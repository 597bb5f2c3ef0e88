// Proves: 1. every error carries its stable code and family; 2. a ConfigError lists every
// problem with its key path in its message; 3. UnknownSiteError names the valid sites.
#include <boost/test/unit_test.hpp>

#include "siteseek/error.hpp"

using namespace siteseek;

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(codes_and_families) {
  BOOST_TEST(IoError("x").code() == "io_error");
  BOOST_TEST((IoError("x").family() == ErrorFamily::internal));
  BOOST_TEST(SnapshotError("x").code() == "corrupt_snapshot");
  BOOST_TEST(RequestError("invalid_query", "bad").code() == "invalid_query");
  BOOST_TEST((RequestError("invalid_query", "bad").family() == ErrorFamily::user));
}

BOOST_AUTO_TEST_CASE(config_error_lists_every_issue) {
  ConfigError e(std::vector<ConfigIssue>{{"sites[1].synonyms[0]", "expected an array of strings, got a number"},
                 {"port", "expected an integer from 1 to 65535, got 70000"}});
  std::string m = e.what();
  BOOST_TEST(e.code() == "invalid_config");
  BOOST_TEST(e.issues().size() == 2u);
  BOOST_TEST(m.find("sites[1].synonyms[0]: expected an array of strings, got a number") != std::string::npos);
  BOOST_TEST(m.find("port: expected an integer") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_site_names_valid_sites) {
  UnknownSiteError e("pyhton", {"python", "postgres"});
  BOOST_TEST(std::string(e.what()) == "unknown site 'pyhton'; valid sites: python, postgres");
  BOOST_TEST(e.known_sites().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
