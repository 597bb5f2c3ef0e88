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

namespace {
std::vector<std::string> locs(const SitemapContents& s) {
  std::vector<std::string> out;
  for (const auto& e : s.entries) out.push_back(e.loc);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(sitemaps) {
  auto map = parse_sitemap(
      "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
      "<url><loc> https://a.org/x.html </loc></url><url><loc><![CDATA[https://a.org/y?a=1&b=2]]></loc></url>"
      "<url><loc>https://a.org/z?a=1&amp;b=2</loc></url></urlset>");
  BOOST_TEST(!map.is_index);
  BOOST_TEST(map.error == "");
  std::vector<std::string> expected{"https://a.org/x.html", "https://a.org/y?a=1&b=2", "https://a.org/z?a=1&b=2"};
  BOOST_TEST(locs(map) == expected, boost::test_tools::per_element());

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
  map = parse_sitemap(gz);
  BOOST_TEST(map.is_index);
  BOOST_TEST(locs(map) == std::vector<std::string>{"https://a.org/s1.xml.gz"}, boost::test_tools::per_element());
  // A truncated gzip body keeps what was read before the cut, and says so.
  map = parse_sitemap(std::string_view(gz).substr(0, gz.size() / 2));
  BOOST_TEST(map.error != "");

  map = parse_sitemap("<urlset><loc>unclosed");
  BOOST_TEST(map.entries.empty());
  BOOST_TEST(map.error.find("malformed XML at line 1") == 0u);
}

// What the string scan of the first version got wrong: a real XML parser reads these.
BOOST_AUTO_TEST_CASE(sitemap_xml) {
  // A namespace prefix on every element, attributes in any order, comments (one holding a <loc>),
  // character references, an extension's <image:loc> (not a page), whitespace inside CDATA.
  auto map = parse_sitemap(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<sm:urlset xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\" "
      "xmlns:sm=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
      "<!-- <sm:url><sm:loc>https://a.org/commented.html</sm:loc></sm:url> -->\n"
      "<sm:url><sm:loc>https://a.org/caf&#233;&#x2F;x.html</sm:loc><sm:lastmod>2026-11-02</sm:lastmod>"
      "<image:image><image:loc>https://a.org/pic.png</image:loc></image:image></sm:url>\n"
      "<sm:url><sm:lastmod>2026-11-03T10:20:30+01:00</sm:lastmod><sm:loc><![CDATA[ https://a.org/b.html ]]></sm:loc></sm:url>\n"
      "<sm:url><sm:loc>https://a.org/c.html</sm:loc><sm:lastmod>last week</sm:lastmod></sm:url>\n"
      "</sm:urlset>");
  BOOST_TEST(map.error == "");
  BOOST_REQUIRE(map.entries.size() == 3u);
  BOOST_TEST(map.entries[0].loc == "https://a.org/caf\xc3\xa9/x.html");
  // A date is the end of its day: 2026-11-02T23:59:59Z.
  BOOST_TEST(*map.entries[0].lastmod == *parse_w3c_datetime("2026-11-02T23:59:59Z"));
  BOOST_TEST(map.entries[1].loc == "https://a.org/b.html");
  BOOST_TEST(*map.entries[1].lastmod == *parse_w3c_datetime("2026-11-03T09:20:30Z"));
  BOOST_TEST(!map.entries[2].lastmod.has_value());

  // An undeclared extension prefix (seen in the wild) is no error without namespace processing.
  map = parse_sitemap("<urlset><url><loc>https://a.org/</loc><xhtml:link href='x'/></url></urlset>");
  BOOST_TEST(map.error == "");
  BOOST_TEST(locs(map) == std::vector<std::string>{"https://a.org/"}, boost::test_tools::per_element());

  // A document type declaration (entity expansion lives there) stops the reading.
  map = parse_sitemap(
      "<?xml version='1.0'?><!DOCTYPE urlset [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;'>]>"
      "<urlset><url><loc>https://a.org/&b;</loc></url></urlset>");
  BOOST_TEST(map.entries.empty());
  BOOST_TEST(map.error.find("document type declaration") != std::string::npos);

  // Not a sitemap at all (an HTML error page served with 200).
  map = parse_sitemap("<html><body><a href='/x'>x</a></body></html>");
  BOOST_TEST(map.entries.empty());
  BOOST_TEST(map.error.find("not <urlset> or <sitemapindex>") != std::string::npos);

  // Malformed after two entries: both are kept, the error names the line.
  map = parse_sitemap("<urlset>\n<url><loc>https://a.org/1</loc></url>\n<url><loc>https://a.org/2</loc></url>\n<url><loc>x</lo></url>");
  BOOST_TEST(locs(map).size() == 2u);
  BOOST_TEST(map.error.find("malformed XML at line 4") == 0u);
}

BOOST_AUTO_TEST_CASE(w3c_datetimes) {
  BOOST_TEST(*parse_w3c_datetime("1970-01-01T00:00:00Z") == 0);
  BOOST_TEST(*parse_w3c_datetime("2026-12-05") == 1796428800);
  BOOST_TEST(*parse_w3c_datetime("2026-12") == *parse_w3c_datetime("2026-12-01"));
  BOOST_TEST(*parse_w3c_datetime("2026") == *parse_w3c_datetime("2026-01-01"));
  BOOST_TEST(*parse_w3c_datetime("2026-12-05T10:00Z") == 1796428800 + 36000);
  BOOST_TEST(*parse_w3c_datetime("2026-12-05T10:00:00.25-02:30") == 1796428800 + 36000 + 9000);
  for (const char* bad : {"", "26-12-05", "2026-13-01", "2026-02-30", "2026-12-05T10:00", "2026-12-05T25:00Z",
                          "2026-12-05 10:00Z", "2026-12-05T10:00Zjunk", "yesterday"}) {
    BOOST_TEST(!parse_w3c_datetime(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_CASE(hosts_within_a_domain) {
  BOOST_TEST(host_within("example.org", "example.org"));
  BOOST_TEST(host_within("docs.example.org", "example.org"));
  BOOST_TEST(host_within("docs.example.org", "Example.ORG"));
  BOOST_TEST(!host_within("badexample.org", "example.org"));
  BOOST_TEST(!host_within("example.org", "docs.example.org"));
  BOOST_TEST(!host_within("docs.example.org.evil.net", "example.org"));
  BOOST_TEST(!host_within("", "example.org"));
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
