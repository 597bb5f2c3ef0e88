// Proves: 1. robots.txt: the group for our agent (else "*"), Allow/Disallow with '*' and '$',
// longest match wins with Allow on ties, Crawl-delay, Sitemap lines, empty Disallow allows;
// 2. sitemaps: urlset and sitemap index, gzip, CDATA and entities, junk tolerated;
// 3. URL normalisation: case, default ports, fragments, dot segments, non-http refused.
#include <zlib.h>

#include <boost/test/unit_test.hpp>

#include "siteseek/crawler.hpp"

using namespace siteseek;

BOOST_AUTO_TEST_SUITE(crawl_rules)

BOOST_AUTO_TEST_CASE(robots_groups_and_matching) {
  const char* text =
      "# comment\n"
      "User-agent: otherbot\nDisallow: /\n\n"
      "User-agent: siteseek\nUser-agent: friend\n"
      "Disallow: /private/\nAllow: /private/open\nDisallow: /*.pdf$\nDisallow: /tmp\nCrawl-delay: 1.5\n\n"
      "User-agent: *\nDisallow: /everything-for-others\n"
      "Sitemap: https://docs.example.org/sitemap.xml\n";
  auto r = RobotsRules::parse(text, "siteseek/0.1 (+https://example.org/bot)");
  BOOST_TEST(r.allowed("/"));
  BOOST_TEST(r.allowed("/everything-for-others"));  // only the "*" group says so
  BOOST_TEST(!r.allowed("/private/x.html"));
  BOOST_TEST(r.allowed("/private/open.html"));       // longer Allow wins
  BOOST_TEST(!r.allowed("/docs/manual.pdf"));
  BOOST_TEST(r.allowed("/docs/manual.pdf?download=1"));  // '$' anchors the end
  BOOST_TEST(!r.allowed("/tmpfile"));                 // plain rules are prefixes
  BOOST_TEST(r.crawl_delay_ms() == 1500u);
  BOOST_REQUIRE(r.sitemaps().size() == 1u);
  BOOST_TEST(r.sitemaps()[0] == "https://docs.example.org/sitemap.xml");

  auto other = RobotsRules::parse(text, "somebot");
  BOOST_TEST(!other.allowed("/everything-for-others/page"));
  BOOST_TEST(other.allowed("/private/x.html"));
  BOOST_TEST(other.crawl_delay_ms() == 0u);
}

BOOST_AUTO_TEST_CASE(robots_edge_cases) {
  auto empty_disallow = RobotsRules::parse("User-agent: *\nDisallow:\n", "siteseek");
  BOOST_TEST(empty_disallow.allowed("/anything"));
  auto tie = RobotsRules::parse("User-agent: *\nDisallow: /a\nAllow: /a\n", "siteseek");
  BOOST_TEST(tie.allowed("/a/b"));
  auto wildcard = RobotsRules::parse("User-agent: *\nDisallow: /*/print/*.html\n", "siteseek");
  BOOST_TEST(!wildcard.allowed("/docs/print/page.html"));
  BOOST_TEST(wildcard.allowed("/docs/view/page.html"));
  BOOST_TEST(!RobotsRules::disallow_all().allowed("/"));
  BOOST_TEST(RobotsRules::allow_all().allowed("/x"));
  auto garbage = RobotsRules::parse(std::string(10000, '*') + "\n\x01\x02: \n", "siteseek");
  BOOST_TEST(garbage.allowed("/"));
}

BOOST_AUTO_TEST_CASE(sitemaps) {
  bool index = true;
  auto urls = parse_sitemap(
      "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
      "<url><loc> https://a.org/x.html </loc></url><url><loc><![CDATA[https://a.org/y?a=1&b=2]]></loc></url>"
      "<url><loc>https://a.org/z?a=1&amp;b=2</loc></url></urlset>",
      index);
  BOOST_TEST(!index);
  std::vector<std::string> expected{"https://a.org/x.html", "https://a.org/y?a=1&b=2", "https://a.org/z?a=1&b=2"};
  BOOST_TEST(urls == expected, boost::test_tools::per_element());

  std::string xml = "<sitemapindex><sitemap><loc>https://a.org/s1.xml.gz</loc></sitemap></sitemapindex>";
  std::string gz(compressBound(xml.size()) + 64, '\0');
  z_stream z{};
  BOOST_REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(xml.data());
  z.avail_in = static_cast<uInt>(xml.size());
  z.next_out = reinterpret_cast<Bytef*>(gz.data());
  z.avail_out = static_cast<uInt>(gz.size());
  BOOST_REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  gz.resize(z.total_out);
  deflateEnd(&z);
  urls = parse_sitemap(gz, index);
  BOOST_TEST(index);
  BOOST_REQUIRE(urls.size() == 1u);
  BOOST_TEST(urls[0] == "https://a.org/s1.xml.gz");

  BOOST_TEST(parse_sitemap("<urlset><loc>unclosed", index).empty());
}

BOOST_AUTO_TEST_CASE(url_normalisation) {
  BOOST_TEST(normalize_url("HTTP://Docs.Example.ORG:80/a/./b/../c.html#frag") == "http://docs.example.org/a/c.html");
  BOOST_TEST(normalize_url("https://docs.example.org:443") == "https://docs.example.org/");
  BOOST_TEST(normalize_url("https://docs.example.org:8443/x?q=1") == "https://docs.example.org:8443/x?q=1");
  BOOST_TEST(normalize_url("file:///etc/passwd") == "");
  BOOST_TEST(normalize_url("javascript:alert(1)") == "");
  BOOST_TEST(normalize_url("not a url") == "");
}

BOOST_AUTO_TEST_SUITE_END()
