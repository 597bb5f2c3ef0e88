// What these tests prove:
// 1. The builder stores every document and gives it back field for field (hierarchy included).
// 2. Exact lookup finds every indexed term and nothing else.
// 3. Prefix ranges equal a brute-force scan of the dictionary, on random words.
// 4. Typo lookup (1 and 2 edits, transpositions counted once) equals a brute-force Damerau
//    (optimal string alignment) scan, on random words; with 2 edits the first byte is kept.
// 5. Postings carry per-field term frequencies and positions; stems group their variants.
// 6. Snapshots round-trip, and truncated / corrupt / wrong-version files are refused.
// 7. memory_bytes counts the stored text.
// 8. Each posting's impact byte is its BM25F term-frequency part (within one quantisation step),
//    computed with the field weights of the settings in force, also after a snapshot is loaded
//    with other weights; decoding positions for the first fields only leaves the rest empty.
// 10. An index knows the settings that shaped it: settings_changes names the ingestion, analysis
//     and static-boost keys that differ (also after a snapshot round trip), and ignores the ones
//     a search reads from the current settings (weights, synonyms, search options).
// 9. A word followed by more of an identifier ("logging.config" for "logging") is only in records
//    that also have the word (what lets a prefix search skip such completions).
// 11. Typo lookup reaches what a word could be spelled as: words, parts and camelCase names
//     ("BTreeMap" -> btreemap), wherever else they also occur whole; never numbers, identifiers
//     with punctuation (os.path, f-strings) or configured literal terms.
// 15. A record whose `language` attribute names another language than the site's is stemmed in
//     it, and its anchors are indexed.
// 14. add_all adds as add does, documents without a URL left out, also after add.
// 13. Stored text holds each repeat once: an id equal to its URL, and a section's title,
//     hierarchy and section key equal to its page's (or its page's first record's), point at the
//     same bytes; every record still comes back field for field, whatever the order added.
// 12. BM25F's length normalisation measures a page against the pages and a section against the
//     sections: adding short section records does not change a page's.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <random>

#include "index/index_data.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/settings.hpp"

using namespace siteseek;

namespace {

SiteSettings test_site() {
  SiteSettings s;
  s.name = "t";
  s.url = "https://example.org/docs/";
  return s;
}

Document doc(std::string url, std::string title, std::string body, DocumentType type = DocumentType::page,
             std::string section_title = "") {
  Document d;
  d.id = url;
  d.url = std::move(url);
  d.title = std::move(title);
  d.body = std::move(body);
  d.type = type;
  d.section_title = std::move(section_title);
  return d;
}

unsigned osa(const std::string& a, const std::string& b) {
  std::vector<std::vector<unsigned>> dp(a.size() + 1, std::vector<unsigned>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) dp[i][0] = static_cast<unsigned>(i);
  for (std::size_t j = 0; j <= b.size(); ++j) dp[0][j] = static_cast<unsigned>(j);
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      dp[i][j] = std::min({dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) dp[i][j] = std::min(dp[i][j], dp[i - 2][j - 2] + 1);
    }
  return dp[a.size()][b.size()];
}

std::vector<std::string> random_words(std::mt19937& rng, std::size_t n) {
  std::uniform_int_distribution<int> len(1, 9), ch(0, 5);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::string w;
    int l = len(rng);
    for (int k = 0; k < l; ++k) w += static_cast<char>('a' + ch(rng));  // small alphabet: many near misses
    out.push_back(w);
  }
  return out;
}

std::shared_ptr<const Index> index_of_words(const std::vector<std::string>& words) {
  IndexBuilder b(test_site());
  auto site = test_site();
  site.language = "none";
  site.stop_words.clear();
  IndexBuilder nb(site);
  for (std::size_t i = 0; i < words.size(); ++i)
    nb.add(doc("https://example.org/docs/p" + std::to_string(i) + ".html", "", words[i]));
  return nb.build();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(index_module)

BOOST_AUTO_TEST_CASE(stores_documents) {
  IndexBuilder b(test_site());
  auto page = doc("https://example.org/docs/guide/install.html", "Install guide", "Download it. Then run setup.");
  page.hierarchy = {"Docs", "Guide"};
  page.section_key = "guide";
  auto section = doc("https://example.org/docs/guide/install.html#setup", "Install guide", "Then run setup.",
                     DocumentType::section, "Setup");
  section.position = 1;
  section.inbound_links = 7;
  b.add(page);
  b.add(section);
  auto idx = b.build();
  BOOST_TEST(idx->size() == 2u);
  BOOST_TEST((idx->document(0) == page));
  BOOST_TEST((idx->document(1) == section));
  BOOST_TEST(idx->memory_bytes() > page.body.size());
}

BOOST_AUTO_TEST_CASE(add_all_is_add_of_each) {
  const std::vector<Document> docs{doc("https://example.org/docs/a.html", "A", "alpha"), doc("", "no url", "ignored"),
                                   doc("https://example.org/docs/b.html", "B", "beta"),
                                   doc("https://example.org/docs/c.html", "C", "gamma")};
  IndexBuilder one(test_site()), all(test_site()), mixed(test_site());
  for (const auto& d : docs) one.add(d);
  all.add_all(docs);
  mixed.add(docs[0]);
  mixed.add_all({docs.begin() + 1, docs.end()});
  BOOST_TEST(all.size() == 3u);
  BOOST_TEST(mixed.size() == 3u);
  const auto a = one.build(), b = all.build(), c = mixed.build();
  for (std::uint32_t i = 0; i < 3; ++i) {
    BOOST_TEST((b->document(i) == a->document(i)));
    BOOST_TEST((c->document(i) == a->document(i)));
  }
}

BOOST_AUTO_TEST_CASE(a_record_in_another_language_is_stemmed_in_it) {
  auto fr = doc("https://example.org/docs/fr/chevaux.html", "Chevaux", "les chevaux");
  fr.attributes = {{"language", "fr"}};
  fr.anchors = {"cheval.galop"};
  const auto en = doc("https://example.org/docs/horses.html", "Horses", "the horses");
  IndexBuilder b(test_site());
  b.add_all({en, fr});
  auto idx = b.build();
  const auto french = record_analyzer_options(idx->data().analyzer_options, "fr");
  BOOST_REQUIRE(french.has_value());
  const auto fr_stem = Analyzer(*french).stem("chevaux");
  BOOST_REQUIRE(fr_stem != idx->analyzer().stem("chevaux"));  // else this test would prove nothing
  const auto id = idx->find("chevaux");
  BOOST_REQUIRE(id >= 0);
  const auto variants = idx->stem_variants(fr_stem);
  BOOST_TEST((std::find(variants.begin(), variants.end(), std::uint32_t(id)) != variants.end()));
  BOOST_TEST(idx->find("cheval.galop") >= 0);  // the record's anchors are searched with its URL
  BOOST_TEST((idx->document(1) == fr));  // anchors are stored too: a record read back indexes the same
  BOOST_TEST(idx->document(0).anchors.empty());
}

BOOST_AUTO_TEST_CASE(a_record_read_back_has_its_anchors_as_one_text_and_builds_the_same_index) {
  auto a = doc("https://example.org/docs/a.html", "Alpha", "alpha body");
  a.anchors = {"the alpha page", "alpha.f"};
  const auto b = doc("https://example.org/docs/b.html", "Beta", "beta body");
  IndexBuilder first(test_site());
  first.add_all({a, b});
  const auto idx = first.build();
  const auto back = idx->document(0);
  BOOST_TEST(back.anchors == std::vector<std::string>{"the alpha page alpha.f"});
  IndexBuilder again(test_site());
  again.add_all({back, idx->document(1)});
  const auto rebuilt = again.build();
  BOOST_TEST((rebuilt->data().postings == idx->data().postings));
  BOOST_TEST((rebuilt->data().terms == idx->data().terms));
  BOOST_TEST((rebuilt->data().text == idx->data().text));
}

BOOST_AUTO_TEST_CASE(stored_text_holds_repeats_once) {
  auto page = doc("https://example.org/docs/guide/install.html", "Install guide", "Download it. Then run setup.");
  page.hierarchy = {"Docs", "Guide"};
  page.section_key = "guide";
  auto setup = doc("https://example.org/docs/guide/install.html#setup", "Install guide", "Then run setup.",
                   DocumentType::section, "Setup");
  setup.hierarchy = page.hierarchy;
  setup.section_key = "guide";
  auto other = setup;  // differs from the page in every stored field but the title
  other.id = other.url = "https://example.org/docs/guide/install.html#other";
  other.body = "Something else entirely.";
  other.section_title = "Other";
  other.hierarchy = {"Docs", "Elsewhere"};
  other.section_key = "elsewhere";
  // A page without a page record: its sections share with the first of them.
  auto lone1 = doc("https://example.org/docs/lone.html#a", "Lone page", "First part.", DocumentType::section, "A");
  auto lone2 = doc("https://example.org/docs/lone.html#b", "Lone page", "Second part.", DocumentType::section, "B");
  lone1.hierarchy = lone2.hierarchy = {"Docs"};
  auto named = doc("https://example.org/docs/named.html", "Named", "Its id is not its URL.");
  named.id = "named-record";
  const std::vector<Document> docs{setup, lone1, page, other, lone2, named};  // sections before their page
  std::size_t unique = 0;
  for (const auto& s : {page.body, page.url, page.title, std::string("Docs\x1fGuide"), page.section_key,
                        setup.url, setup.section_title, other.url, other.body, other.section_title,
                        std::string("Docs\x1f" "Elsewhere"), other.section_key, lone1.url, lone1.title, lone1.body,
                        lone1.section_title, std::string("Docs"), lone2.url, lone2.body, lone2.section_title,
                        named.url, named.id, named.title, named.body})
    unique += s.size();
  IndexBuilder b(test_site());
  for (const auto& d : docs) b.add(d);
  auto idx = b.build();
  BOOST_TEST(idx->data().text.size() == unique);
  for (std::uint32_t i = 0; i < docs.size(); ++i) BOOST_TEST((idx->document(i) == docs[i]), "record " << i);
}

BOOST_AUTO_TEST_CASE(exact_and_prefix_lookup_match_brute_force) {
  std::mt19937 rng(42);
  auto words = random_words(rng, 400);
  auto idx = index_of_words(words);
  std::vector<std::string> dict(words);
  std::sort(dict.begin(), dict.end());
  dict.erase(std::unique(dict.begin(), dict.end()), dict.end());
  std::size_t body_terms = 0;  // URL terms ("p12") are indexed too; count the others
  for (std::uint32_t i = 0; i < idx->term_count(); ++i) body_terms += idx->term(i)[0] != 'p';
  BOOST_TEST(body_terms == dict.size());
  for (const auto& w : dict) BOOST_TEST(idx->find(w) >= 0);
  BOOST_TEST(idx->find("zzz") == -1);
  for (auto& p : random_words(rng, 100)) {
    p = p.substr(0, 1 + p.size() / 3);
    auto [lo, hi] = idx->prefix_range(p);
    std::vector<std::string> got;
    for (auto i = lo; i < hi; ++i) got.emplace_back(idx->term(i));
    std::vector<std::string> want;
    for (const auto& w : dict)
      if (w.starts_with(p)) want.push_back(w);
    BOOST_TEST(got == want, "prefix " << p);
  }
}

// Lookups search a sample of every 32nd term's first 8 bytes first: terms that share longer
// starts ("configuration", "configurations", ...) and keys that end inside or beyond those 8
// bytes must give the same answers as a search of the whole sorted list.
BOOST_AUTO_TEST_CASE(lookups_agree_with_a_full_search_when_terms_share_long_starts) {
  std::mt19937 rng(11);
  std::vector<std::string> words;
  for (const std::string stem : {"configur", "configurat", "con", "c", "configuration", "zz"})
    for (auto& w : random_words(rng, 150)) words.push_back(stem + w);
  auto idx = index_of_words(words);
  std::vector<std::string> dict;
  for (std::uint32_t i = 0; i < idx->term_count(); ++i) dict.emplace_back(idx->term(i));
  BOOST_REQUIRE(std::is_sorted(dict.begin(), dict.end()));
  std::vector<std::string> keys(dict);
  for (const auto& w : dict)
    for (std::size_t cut : {1u, 3u, 7u, 8u, 9u, 12u}) {
      if (cut < w.size()) keys.push_back(w.substr(0, cut));
      keys.push_back(w.substr(0, std::min(cut, w.size())) + "~");
    }
  for (const auto& k : keys) {
    auto want = std::lower_bound(dict.begin(), dict.end(), k);
    const bool there = want != dict.end() && *want == k;
    BOOST_TEST(idx->find(k) == (there ? want - dict.begin() : -1), "find " << k);
    auto [lo, hi] = idx->prefix_range(k);
    std::size_t wlo = 0, whi = 0;
    while (wlo < dict.size() && dict[wlo].substr(0, k.size()) < k) ++wlo;
    whi = wlo;
    while (whi < dict.size() && dict[whi].starts_with(k)) ++whi;
    BOOST_TEST(lo == wlo, "prefix " << k);
    BOOST_TEST(hi == whi, "prefix " << k);
  }
}

BOOST_AUTO_TEST_CASE(typo_lookup_matches_brute_force) {
  std::mt19937 rng(7);
  auto words = random_words(rng, 600);
  auto idx = index_of_words(words);
  std::vector<std::string> dict;
  for (std::uint32_t i = 0; i < idx->term_count(); ++i) dict.emplace_back(idx->term(i));
  for (const auto& q : random_words(rng, 120)) {
    for (unsigned k : {1u, 2u}) {
      auto got = idx->typo_lookup(q, k, 100000);
      std::vector<std::string> g, want;
      for (const auto& m : got) {
        g.emplace_back(idx->term(m.term));
        BOOST_TEST(m.distance == osa(q, g.back()));
      }
      for (const auto& w : dict) {
        auto dist = osa(q, w);
        if (dist == 0 || dist > k) continue;
        if (k == 2 && w[0] != q[0]) continue;
        want.push_back(w);
      }
      std::sort(g.begin(), g.end());
      BOOST_TEST(g == want, "query " << q << " k " << k);
    }
  }
  // The walk goes from a first byte straight to the second bytes a word can still match, by a
  // table of two-byte starts. The same brute-force check over UTF-8 words (Latin, Cyrillic,
  // Greek and Armenian letters: 95 distinct bytes begin terms or follow their first byte), with
  // queries one letter away from a word at its start.
  std::vector<std::string> letters;
  for (char c = 'a'; c <= 'z'; ++c) letters.emplace_back(1, c);
  auto add_range = [&](char32_t from, char32_t to) {
    for (char32_t c = from; c <= to; ++c) {
      std::string u;
      u += static_cast<char>(0xC0 | (c >> 6));
      u += static_cast<char>(0x80 | (c & 0x3F));
      letters.push_back(u);
    }
  };
  add_range(0x430, 0x45F);  // Cyrillic а..џ
  add_range(0x3AC, 0x3CE);  // Greek ά..ώ
  add_range(0x561, 0x586);  // Armenian ա..ֆ
  std::uniform_int_distribution<std::size_t> pick(0, letters.size() - 1), few(0, 7), len(1, 4);
  std::vector<std::string> mixed, queries;
  for (int i = 0; i < 700; ++i) {
    // Half the words from 8 letters, so that near misses are common.
    const bool near = i % 2 == 0;
    std::string w, tail;
    for (std::size_t k = len(rng); k-- > 0;) tail += letters[near ? few(rng) * 11 % letters.size() : pick(rng)];
    w = letters[pick(rng)] + tail;
    mixed.push_back(w);
    // A query one letter away at the start: the walk leaves the first byte and must find the
    // rest under another one, through the table.
    if (i < 300) queries.push_back(letters[pick(rng)] + tail);
  }
  auto idx3 = index_of_words(mixed);
  std::vector<std::string> dict3;
  for (std::uint32_t i = 0; i < idx3->term_count(); ++i) dict3.emplace_back(idx3->term(i));
  for (const auto& q : queries) {
    for (unsigned k : {1u, 2u}) {
      std::vector<std::string> g, want;
      for (const auto& m : idx3->typo_lookup(q, k, 100000)) g.emplace_back(idx3->term(m.term));
      for (const auto& w : dict3) {
        auto dist = osa(q, w);
        if (dist == 0 || dist > k || (k == 2 && w[0] != q[0])) continue;
        want.push_back(w);
      }
      std::sort(g.begin(), g.end());
      BOOST_TEST(g == want, "query " << q << " k " << k);
    }
  }

  // A transposition is one edit.
  auto idx2 = index_of_words({"asyncio", "asyncore"});
  auto m = idx2->typo_lookup("asyncoi", 1, 10);
  BOOST_REQUIRE(m.size() == 1u);
  BOOST_TEST(idx2->term(m[0].term) == "asyncio");
}

BOOST_AUTO_TEST_CASE(postings_have_field_frequencies_and_positions) {
  IndexBuilder b(test_site());
  b.add(doc("https://example.org/docs/a.html", "Parser parser", "the parser parses parsed text"));
  b.add(doc("https://example.org/docs/b.html", "Other", "nothing here"));
  auto idx = b.build();
  const auto& d = idx->data();
  auto t = idx->find("parser");
  BOOST_REQUIRE(t >= 0);
  BOOST_TEST(idx->doc_freq(static_cast<std::uint32_t>(t)) == 1u);
  PostingsCursor cur(d, static_cast<std::uint32_t>(t));
  PostingEntry e;
  BOOST_REQUIRE(cur.next(e));
  BOOST_TEST(e.doc == 0u);
  BOOST_TEST(e.tf[0] == 2u);  // title
  BOOST_TEST(e.tf[2] == 1u);  // body
  std::array<std::vector<std::uint32_t>, field_count> pos;
  decode_positions(d, e, pos);
  BOOST_TEST(pos[0] == (std::vector<std::uint32_t>{0, 1}));
  BOOST_TEST(pos[2] == (std::vector<std::uint32_t>{1}));
  BOOST_TEST(!cur.next(e));
  // parses and parsed share one stem; each variant is a dictionary term.
  auto variants = idx->stem_variants(idx->analyzer().stem("parses"));
  std::vector<std::string> names;
  for (auto v : variants) names.emplace_back(idx->term(v));
  BOOST_TEST(std::count(names.begin(), names.end(), "parses") == 1);
  BOOST_TEST(std::count(names.begin(), names.end(), "parsed") == 1);
}

// In a compact index (SiteSettings::compact_above_mb), a posting of one field holding its word 1
// to 5 times, in positions of tf to tf + 2 bytes, is one entry byte (PackedEntry); any other is
// the mask, its frequencies and its positions' length. Both decode to the word's occurrences,
// from the start of the postings and from an entry's offset (next_doc, entry_at), and a snapshot
// of them passes every structural check. An index below the threshold packs none.
BOOST_AUTO_TEST_CASE(packed_posting_entries_decode_as_the_occurrences) {
  // "w" k times in the body of page k, and once in the title of every third page as well. Positions
  // are stored as deltas: on even pages 130 words come before each occurrence, so each takes two
  // bytes.
  auto compact = test_site();
  compact.compact_above_mb = 0;
  IndexBuilder b(compact), whole(test_site());
  std::vector<std::vector<std::uint32_t>> body_positions(12);
  for (std::uint32_t k = 1; k <= 12; ++k) {
    std::string body;
    std::uint32_t at = 0;
    const std::uint32_t filler = k % 2 ? 1 : 130;
    for (std::uint32_t i = 0; i < k; ++i, ++at) {
      for (std::uint32_t f = 0; f < filler; ++f, ++at) body += "x ";
      body += "w ";
      body_positions[k - 1].push_back(at);
    }
    b.add(doc("https://example.org/docs/p" + std::to_string(k) + ".html", k % 3 ? "Other" : "W", body));
    whole.add(doc("https://example.org/docs/p" + std::to_string(k) + ".html", k % 3 ? "Other" : "W", body));
  }
  const auto idx = b.build();
  const auto unpacked = whole.build();
  for (std::uint32_t t = 0; t < unpacked->term_count(); ++t) {
    PostingsCursor c(unpacked->data(), t);
    std::uint32_t doc = 0;
    std::uint64_t entry = 0, positions = 0;
    while (c.next_doc(doc, entry, positions)) BOOST_TEST((unpacked->data().postings[entry] >> 4) == 0);
  }
  const auto& d = idx->data();
  const auto t = static_cast<std::uint32_t>(idx->find("w"));
  std::size_t packed = 0, plain = 0;
  PostingsCursor all(d, t), docs(d, t);
  PostingEntry e;
  for (std::uint32_t k = 1; k <= 12; ++k) {
    BOOST_REQUIRE(all.next(e));
    std::uint32_t doc = 0;
    std::uint64_t entry = 0, positions = 0;
    BOOST_REQUIRE(docs.next_doc(doc, entry, positions));
    BOOST_TEST(e.doc == k - 1);
    BOOST_TEST(doc == e.doc);
    BOOST_TEST(positions == e.positions);
    const bool titled = k % 3 == 0;
    BOOST_TEST(e.tf[0] == (titled ? 1u : 0u));
    BOOST_TEST(e.tf[2] == k);
    BOOST_TEST(e.mask == (titled ? 0b101 : 0b100));
    const auto at = entry_at(d, doc, entry, positions);
    BOOST_TEST((at.tf == e.tf && at.mask == e.mask));
    std::array<std::vector<std::uint32_t>, field_count> pos;
    decode_positions(d, e, pos);
    BOOST_TEST(pos[2] == body_positions[k - 1]);
    const bool one_byte = (d.postings[entry] >> 4) != 0;
    // One field, at most five times, each position one byte (odd pages) or two (even ones,
    // whose positions' bytes are then 2k: more than tf + 2 from k = 3 on).
    BOOST_TEST(one_byte == (!titled && k <= PackedEntry::max_tf && (k % 2 || k <= PackedEntry::max_extra)), "page " << k);
    (one_byte ? packed : plain) += 1;
  }
  BOOST_TEST(!all.next(e));
  BOOST_TEST(packed > 0u);
  BOOST_TEST(plain > 0u);
  // Saved and opened, every term's postings and title postings pass the checks of a whole file.
  const auto dir = std::filesystem::temp_directory_path() / ("siteseek-packed-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "p.snapshot").string();
  save_snapshot(*idx, path);
  const auto back = load_snapshot(path, test_site());
  back->verify();
  BOOST_TEST((back->data().postings == d.postings));
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(snapshot_round_trip_and_corruption) {
  IndexBuilder b(test_site());
  b.add(doc("https://example.org/docs/a.html", "Alpha", "first document body"));
  auto cited = doc("https://example.org/docs/a.html#s", "Alpha", "document body", DocumentType::section, "S");
  cited.inbound_links = 3;
  b.add(cited);
  auto idx = b.build();
  auto dir = std::filesystem::temp_directory_path() / ("siteseek-index-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "t.snapshot").string();
  save_snapshot(*idx, path);
  auto back = load_snapshot(path, test_site());
  BOOST_TEST(back->size() == idx->size());
  BOOST_TEST(back->term_count() == idx->term_count());
  BOOST_TEST((back->document(1) == idx->document(1)));
  BOOST_TEST(back->document(1).inbound_links == 3u);
  BOOST_TEST(back->find("document") == idx->find("document"));

  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& b) { std::ofstream(path, std::ios::binary | std::ios::trunc) << b; };
  write(bytes.substr(0, bytes.size() - 10));
  BOOST_CHECK_THROW(load_snapshot(path, test_site()), SnapshotError);
  // A flipped byte anywhere in the file is refused: by the open (header, metadata, small
  // tables, the zeros between arrays) or by the first use of its block (stored text, postings),
  // which verify() forces.
  std::size_t at_open = 0, at_use = 0;
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    auto flipped = bytes;
    flipped[at] ^= 0x5a;
    write(flipped);
    try {
      auto opened = load_snapshot(path, test_site());
      try {
        opened->verify();
      } catch (const SnapshotError&) {
        ++at_use;
        continue;
      }
      BOOST_FAIL("flip at " << at << " not detected");
    } catch (const SnapshotError&) {
      ++at_open;
    }
  }
  BOOST_TEST(at_open > 0u);
  BOOST_TEST(at_use > 0u);
  // The fuzz target's resealing recomputes exactly the checksums a save writes.
  BOOST_TEST((detail::resealed_snapshot(bytes) == bytes));
  auto changed = bytes;
  auto at = bytes.size() / 2;
  while (bytes[at] == 0) ++at;  // in an array, not in the zeros between two (resealing keeps those)
  changed[at] ^= 0x5a;
  BOOST_TEST((detail::resealed_snapshot(changed) != changed));
  // A file whose checksums are right but that names a stemmer this build lacks is the file's
  // fault: SnapshotError, not a settings error (a node refuses it and indexes again).
  auto language = bytes;
  const auto english = language.find("english");
  BOOST_REQUIRE(english != std::string::npos);
  language[english + 6] = 'x';
  write(detail::resealed_snapshot(language));
  try {
    load_snapshot(path, test_site());
    BOOST_FAIL("an unknown stemmer was accepted");
  } catch (const SnapshotError& e) {
    BOOST_TEST(std::string(e.what()).find("englisx") != std::string::npos);
  }
  auto version = bytes;
  version[8] = 99;
  write(version);
  try {
    load_snapshot(path, test_site());
    BOOST_FAIL("wrong version accepted");
  } catch (const SnapshotError& e) {
    BOOST_TEST(std::string(e.what()).find("version") != std::string::npos);
    BOOST_TEST(e.code() == "corrupt_snapshot");
  }
  write("short");
  BOOST_CHECK_THROW(load_snapshot(path, test_site()), SnapshotError);
  std::filesystem::remove_all(dir);
}

// A section's body is stored as a reference into its page's body when the page holds it: found
// from where the page's previous section was, then before it, so sections in any order, repeats
// and bodies the page does not hold all read back as given.
BOOST_AUTO_TEST_CASE(a_section_body_points_into_its_page_body) {
  const std::string page = "https://example.org/docs/p.html";
  IndexBuilder b(test_site());
  b.add(doc(page, "Page", "alpha words here. beta words here. alpha words here. tail"));
  const std::vector<std::string> bodies{"beta words here.", "alpha words here.", "alpha words here.", "beta words here.",
                                        "gamma not in the page", "tail"};
  for (std::size_t k = 0; k < bodies.size(); ++k)
    b.add(doc(page + "#s" + std::to_string(k), "Page", bodies[k], DocumentType::section, "Section " + std::to_string(k)));
  auto idx = b.build();
  BOOST_REQUIRE(idx->size() == bodies.size() + 1);
  std::map<std::string, std::string> body_of;
  for (std::uint32_t i = 0; i < idx->size(); ++i) body_of[std::string(idx->url(i))] = std::string(idx->body(i));
  for (std::size_t k = 0; k < bodies.size(); ++k) BOOST_TEST(body_of[page + "#s" + std::to_string(k)] == bodies[k]);
  // Only the body the page does not hold is stored again.
  const auto& text = idx->data().text;
  const std::string_view all(text.data(), text.size());
  BOOST_TEST(all.find("gamma not in the page") != std::string_view::npos);
  BOOST_TEST(all.find("beta words here.") == all.rfind("beta words here."));
  BOOST_TEST(all.find("tail") == all.rfind("tail"));
}

// A snapshot is opened in place: its stored text and postings are checked a block at a time
// when first read, so a damaged block is refused at that read, naming what is damaged, and the
// rest of the index still answers.
BOOST_AUTO_TEST_CASE(a_snapshot_is_checked_at_first_use) {
  IndexBuilder b(test_site());
  b.add(doc("https://example.org/docs/a.html", "Alpha", "first document body"));
  b.add(doc("https://example.org/docs/b.html", "Beta", "second text here"));
  auto idx = b.build();
  auto dir = std::filesystem::temp_directory_path() / ("siteseek-lazy-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "t.snapshot").string();
  save_snapshot(*idx, path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& b) { std::ofstream(path, std::ios::binary | std::ios::trunc) << b; };
  {
    auto good = load_snapshot(path, test_site());
    BOOST_TEST(good->data().lazy != nullptr);
    BOOST_TEST(good->data().text.owned() == false);  // viewing the mapped file
    BOOST_TEST(good->body(0) == "first document body");
    good->verify();
  }
  // The stored text: found by its bytes.
  auto damaged = bytes;
  const auto body = damaged.find("second text here");
  BOOST_REQUIRE(body != std::string::npos);
  damaged[body] ^= 0x20;
  write(damaged);
  auto opened = load_snapshot(path, test_site());  // the text is not read at open
  try {
    (void)opened->body(1);
    BOOST_FAIL("damaged text was read");
  } catch (const SnapshotError& e) {
    BOOST_TEST(std::string(e.what()).find("stored text") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find(path) != std::string::npos);
  }
  BOOST_CHECK_THROW((void)opened->body(1), SnapshotError);  // and at every later read
  BOOST_CHECK_THROW(opened->verify(), SnapshotError);
  // The postings: where the loaded index's postings array is, from where its text is.
  write(bytes);
  std::size_t postings_at = 0;
  {
    auto good = load_snapshot(path, test_site());
    const auto& d = good->data();
    const auto text_at = bytes.find(std::string(d.text.data(), 24));
    postings_at = text_at + static_cast<std::size_t>(reinterpret_cast<const char*>(d.postings.data()) - d.text.data());
  }
  damaged = bytes;
  damaged[postings_at] ^= 0x01;
  write(damaged);
  opened = load_snapshot(path, test_site());
  BOOST_TEST(opened->body(0) == "first document body");
  try {
    opened->verify();
    BOOST_FAIL("damaged postings were accepted");
  } catch (const SnapshotError& e) {
    BOOST_TEST(std::string(e.what()).find("postings of terms") != std::string::npos);
  }
  // The dictionary's texts: a damaged term is refused when a lookup reads its block, and the
  // open still reads none of them. Where the terms' and the stems' texts lie in the file, from
  // where the loaded index's text is.
  std::size_t terms_at = 0, stems_at = 0, text_at = 0;
  {
    auto good = load_snapshot(path, test_site());
    const auto& d = good->data();
    text_at = bytes.find(std::string(d.text.data(), 24));
    terms_at = text_at + static_cast<std::size_t>(d.terms.data() - d.text.data());
    stems_at = text_at + static_cast<std::size_t>(d.stems.data() - d.text.data());
    // The arrays checked at open come first, one after another: opening reads one run of the file.
    for (const void* small : {static_cast<const void*>(d.term_offset.data()), static_cast<const void*>(d.postings_offset.data()),
                              static_cast<const void*>(d.title_offset.data()), static_cast<const void*>(d.doc_group.data())})
      BOOST_TEST(static_cast<const char*>(small) < d.text.data());
    BOOST_TEST(good->find("second") >= 0);
  }
  const auto refused_at_lookup = [&](std::size_t at, const std::string& what, const std::function<void(const Index&)>& lookup) {
    damaged = bytes;
    damaged[at] ^= 0x01;
    write(damaged);
    opened = load_snapshot(path, test_site());
    try {
      lookup(*opened);
      BOOST_FAIL("a damaged " << what << " was read");
    } catch (const SnapshotError& e) {
      BOOST_TEST(std::string(e.what()).find(what) != std::string::npos);
    }
    BOOST_CHECK_THROW(opened->verify(), SnapshotError);
  };
  refused_at_lookup(terms_at, "terms' text block", [](const Index& i) { (void)i.find("second"); });
  refused_at_lookup(stems_at, "stems' text block", [](const Index& i) { (void)i.stem_variants("second"); });
  // The zeros after a lazily checked array are checked by verify(), not at open (reading them
  // would cost a read from the disk each). The text is the first such array; its padding, if
  // it has one, lies before the next array.
  {
    auto good = load_snapshot(path, test_site());
    const auto& d = good->data();
    const auto end_of_text = text_at + d.text.size();
    const auto next = text_at + static_cast<std::size_t>(reinterpret_cast<const char*>(d.docs.data()) - d.text.data());
    BOOST_REQUIRE(next > end_of_text);  // 2 records' text is no multiple of 64 bytes
    damaged = bytes;
    damaged[end_of_text] = 'x';
    write(damaged);
  }
  opened = load_snapshot(path, test_site());
  BOOST_TEST(opened->body(0) == "first document body");
  try {
    opened->verify();
    BOOST_FAIL("non-zero padding was accepted");
  } catch (const SnapshotError& e) {
    BOOST_TEST(std::string(e.what()).find("not zero") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

// Formats 5 to 8 (tests/fixtures/snapshots/, written by siteseek at 78ba93e, 8c13e2c, 1341c99 and 173aa1f) are
// refused with the command that upgrades them; upgrade_snapshot rewrites them in place, holding
// the same documents.
BOOST_AUTO_TEST_CASE(an_old_snapshot_names_its_upgrade_and_is_upgraded) {
  const auto dir = std::filesystem::temp_directory_path() / ("siteseek-upgrade-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  // A copy of the fixture of `format`, refused with the command that upgrades it.
  const auto refused_copy = [&](int format, const std::string& name) {
    const auto path = (dir / name).string();
    std::filesystem::copy_file(std::string(SITESEEK_TEST_FIXTURES) + "/snapshots/format" + std::to_string(format) + ".snapshot", path);
    try {
      load_snapshot(path, test_site());
      BOOST_FAIL("format " << format << " opened");
    } catch (const SnapshotError& e) {
      BOOST_TEST(std::string(e.what()).find("format version " + std::to_string(format)) != std::string::npos);
      BOOST_TEST(std::string(e.what()).find("siteseek snapshot upgrade " + path) != std::string::npos);
    }
    return path;
  };
  // The copy upgraded, opened and checked whole: the same five documents.
  const auto upgraded = [&](const std::string& path, unsigned format) {
    BOOST_TEST(upgrade_snapshot(path, test_site()) == format);
    auto up = load_snapshot(path, test_site());
    up->verify();
    BOOST_TEST(up->snapshot_version() == snapshot_format_version);
    BOOST_TEST(up->size() == 5u);
    return up;
  };
  const auto path = refused_copy(5, "site.snapshot");
  const auto up = upgraded(path, 5);
  BOOST_TEST(up->find("install") >= 0);
  BOOST_TEST(upgrade_snapshot(path, test_site()) == snapshot_format_version);  // already current
  // A version this build does not know (a newer one) is refused, and the file left as it is.
  {
    std::string newer;
    {
      std::ifstream in(path, std::ios::binary);
      newer.assign(std::istreambuf_iterator<char>(in), {});
    }
    newer[8] = static_cast<char>(snapshot_format_version + 1);
    const auto future = (dir / "future.snapshot").string();
    std::ofstream(future, std::ios::binary) << newer;
    BOOST_CHECK_THROW(upgrade_snapshot(future, test_site()), SnapshotError);
    std::ifstream in(future, std::ios::binary);
    BOOST_TEST((std::string(std::istreambuf_iterator<char>(in), {}) == newer));
  }
  // Format 6 (tests/fixtures/snapshots/format6.snapshot, written by siteseek at 8c13e2c from the
  // same site) lacks the title postings: the upgrade derives them, and the file is then what a
  // build of today writes (but for its build time).
  const auto up6 = upgraded(refused_copy(6, "six.snapshot"), 6);
  BOOST_TEST(!up6->data().title_postings.empty());
  BOOST_TEST((up6->data().title_postings == up->data().title_postings));
  BOOST_TEST((up6->data().title_offset == up->data().title_offset));
  // Format 7 (written by siteseek at 1341c99 from the same site) lacks the stored anchors: they
  // stay unknown (a record read back has none) and everything else is kept.
  const auto up7 = upgraded(refused_copy(7, "seven.snapshot"), 7);
  BOOST_TEST(up7->data().anchors.empty());
  BOOST_TEST((up7->data().postings == up6->data().postings));
  // Format 8 (written by siteseek at 173aa1f from the same site) checked the dictionary's texts
  // at open and laid the arrays out in another order: everything is kept.
  const auto up8 = upgraded(refused_copy(8, "eight.snapshot"), 8);
  for (std::uint32_t i = 0; i < up8->size(); ++i) BOOST_TEST((up8->document(i) == up7->document(i)));
  BOOST_TEST((up8->data().postings == up6->data().postings));
  BOOST_TEST((up8->data().terms == up6->data().terms));
  BOOST_TEST(up8->find("install") >= 0);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(an_index_names_the_shaping_settings_that_changed_since_it_was_built) {
  IndexBuilder b(test_site());
  b.add(doc("https://example.org/docs/a.html", "Alpha", "first document body"));
  auto idx = b.build();
  BOOST_TEST(idx->settings_changes(test_site()).empty());
  auto search_time = test_site();  // read by every search from the settings in force
  search_time.field_weights.title = 7;
  search_time.synonyms = {{"alpha", "first"}};
  search_time.search.typo_tolerance = !search_time.search.typo_tolerance;
  search_time.boosts.current_section = 2;
  search_time.crawl.concurrency = 3;
  search_time.landing_pages = {{"alpha", "https://example.org/docs/a.html"}};
  BOOST_TEST(idx->settings_changes(search_time).empty());
  auto shaping = test_site();
  shaping.boosts.link_list = 0.9;
  shaping.boosts.inbound_links = 0.5;
  shaping.content_selectors = {"div.body"};
  shaping.exclude_selectors = {"aside"};
  shaping.stop_words.push_back("alpha");
  shaping.crawl.max_pages = 7;
  shaping.boosts.urls = {{"/internals/", 0.5}};
  shaping.boosts.release_notes = 1;
  shaping.boosts.repeated_body = 1;
  auto changed = idx->settings_changes(shaping);
  std::sort(changed.begin(), changed.end());
  const std::vector<std::string> want{"boosts.inbound_links", "boosts.link_list", "boosts.release_notes", "boosts.repeated_body", "boosts.urls", "content_selectors",
                                      "crawl.max_pages", "exclude_selectors", "stop_words"};
  BOOST_TEST(changed == want, boost::test_tools::per_element());
  // The snapshot keeps what the index was built with.
  auto dir = std::filesystem::temp_directory_path() / ("siteseek-shape-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "t.snapshot").string();
  save_snapshot(*idx, path);
  auto back = load_snapshot(path, shaping);
  auto again = back->settings_changes(shaping);
  std::sort(again.begin(), again.end());
  BOOST_TEST(again == want, boost::test_tools::per_element());
  BOOST_TEST(load_snapshot(path, test_site())->settings_changes(test_site()).empty());
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(impacts_follow_bm25f_and_the_current_field_weights) {
  IndexBuilder b(test_site());
  b.add(doc("https://example.org/docs/a.html", "Parser", "a body without the word"));
  b.add(doc("https://example.org/docs/b.html", "Other", "the parser parser parser here"));
  auto idx = b.build();
  auto impacts_of = [](const Index& index, std::string_view word) {
    const auto& d = index.data();
    auto t = static_cast<std::uint32_t>(index.find(word));
    std::vector<std::pair<double, double>> out;  // (stored, expected)
    PostingsCursor cur(d, t);
    PostingEntry e;
    const auto& fw = d.settings.field_weights;
    const std::array<double, field_count> w{fw.title, fw.section_title, fw.body, fw.url};
    for (std::size_t k = d.impact_offset[t]; cur.next(e); ++k) {
      double tfw = 0;
      for (std::size_t f = 0; f < field_count; ++f) tfw += w[f] * e.tf[f] * d.inv_norm[e.doc][f];
      out.emplace_back(d.impacts[k] * impact_unit, tfw * (bm25_k1 + 1) / (bm25_k1 + tfw));
    }
    return out;
  };
  auto before = impacts_of(*idx, "parser");
  BOOST_REQUIRE(before.size() == 2u);
  for (auto [stored, expected] : before) BOOST_TEST(std::abs(stored - expected) <= impact_unit / 2 + 1e-9);
  BOOST_TEST(before[0].first > before[1].first);  // title weight 10 beats three body matches

  auto dir = std::filesystem::temp_directory_path() / ("siteseek-impact-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "t.snapshot").string();
  save_snapshot(*idx, path);
  auto heavy_body = test_site();
  heavy_body.field_weights.title = 0.5;
  heavy_body.field_weights.body = 20.0;
  auto back = load_snapshot(path, heavy_body);
  auto after = impacts_of(*back, "parser");
  BOOST_REQUIRE(after.size() == 2u);
  for (auto [stored, expected] : after) BOOST_TEST(std::abs(stored - expected) <= impact_unit / 2 + 1e-9);
  BOOST_TEST(after[1].first > after[0].first);  // now the body matches weigh more
  std::filesystem::remove_all(dir);

  // Positions of the first fields only.
  const auto& d = idx->data();
  PostingsCursor cur(d, static_cast<std::uint32_t>(idx->find("parser")));
  PostingEntry e;
  BOOST_REQUIRE(cur.next(e));
  BOOST_REQUIRE(cur.next(e));  // b.html: body positions 1, 2, 3
  std::array<std::vector<std::uint32_t>, field_count> pos;
  pos[2] = {99};
  decode_positions(d, e, pos, ~0u, static_cast<std::size_t>(Field::section_title) + 1);
  BOOST_TEST(pos[2].empty());
  decode_positions(d, e, pos, 2, static_cast<std::size_t>(Field::body) + 1);
  BOOST_TEST(pos[2] == (std::vector<std::uint32_t>{1, 2}));
}

BOOST_AUTO_TEST_CASE(identifier_continuations_are_only_in_records_with_the_word) {
  IndexBuilder b(test_site());
  const std::vector<std::string> bodies{
      "Use Logging.Config and logging.handlers.RotatingFileHandler to configure it.",
      "LINE_NUM counts lines; line_num is the same, lineNum too, and line-by-line reading.",
      "std::vector<int> and std::map; the e-mail package; an in-place sort; logGing.x oddities.",
      "os.path.join(a, b) joins; __init__.py files; v6.2.8 and utf8.decode, http2-server.",
      "Plain words only: logging lines vectors mail place.",
  };
  for (std::size_t i = 0; i < bodies.size(); ++i)
    b.add(doc("https://example.org/docs/p" + std::to_string(i) + ".html", "Page " + std::to_string(i), bodies[i]));
  auto idx = b.build();
  const auto& d = idx->data();
  auto docs_of = [&](std::uint32_t t) {
    std::vector<std::uint32_t> out;
    PostingsCursor cur(d, t);
    PostingEntry e;
    while (cur.next(e)) out.push_back(e.doc);
    return out;
  };
  std::size_t checked = 0;
  for (std::uint32_t c = 0; c < d.term_count(); ++c)
    for (std::uint32_t w = 0; w < d.term_count(); ++w) {
      if (!identifier_continuation(d.term(c), d.term(w))) continue;
      auto with_c = docs_of(c), with_w = docs_of(w);
      BOOST_TEST_INFO(std::string(d.term(c)) + " / " + std::string(d.term(w)));
      BOOST_TEST(std::includes(with_w.begin(), with_w.end(), with_c.begin(), with_c.end()));
      ++checked;
    }
  BOOST_TEST(checked >= 10u);  // logging.config, line_num, std::vector, e-mail, in-place, ...
  BOOST_TEST(identifier_continuation("logging.config", "logging"));
  BOOST_TEST(!identifier_continuation("loggingx", "logging"));
  BOOST_TEST(!identifier_continuation("utf8.decode", "utf8"));  // only plain letters qualify
}

BOOST_AUTO_TEST_CASE(typo_lookup_reaches_word_shaped_terms_only) {
  auto site = test_site();
  site.literal_terms = {"active-active", "pandas"};
  IndexBuilder b(site);
  // btreemap: a whole name here, a part of BTreeMap::new there. binaryheap: only ever whole.
  // javascript: in prose and as a camelCase name.
  b.add(doc("https://example.org/docs/a.html", "BTreeMap", "A BTreeMap is an ordered map. BTreeMap::new makes one."));
  b.add(doc("https://example.org/docs/b.html", "BinaryHeap", "BinaryHeap is a priority queue; JavaScript has none."));
  b.add(doc("https://example.org/docs/c.html", "Scripting", "javascript in browsers."));
  b.add(doc("https://example.org/docs/d.html", "Other", "os.path and f-strings in 3.11; active-active replication with pandas."));
  auto idx = b.build();
  auto reaches = [&](const std::string& typed, unsigned edits, const std::string& term) {
    for (const auto& m : idx->typo_lookup(typed, edits, 1000))
      if (idx->term(m.term) == term) return true;
    return false;
  };
  for (const std::string t : {"btreemap", "binaryheap", "javascript", "os.path", "f-strings", "3.11", "active-active", "pandas"})
    BOOST_TEST(idx->find(t) >= 0, t);
  BOOST_TEST(reaches("btremap", 1, "btreemap"));
  BOOST_TEST(reaches("binaryheep", 2, "binaryheap"));
  BOOST_TEST(reaches("javascirpt", 1, "javascript"));
  BOOST_TEST(reaches("priorty", 1, "priority"));  // an ordinary word, as before
  BOOST_TEST(!reaches("ospath", 1, "os.path"));
  BOOST_TEST(!reaches("fstrings", 1, "f-strings"));
  BOOST_TEST(!reaches("3.12", 1, "3.11"));
  BOOST_TEST(!reaches("activeactive", 2, "active-active"));
  BOOST_TEST(!reaches("pandsa", 1, "pandas"));
  // With names: identifiers with punctuation too, marked as such (words never reach them).
  auto reaches_name = [&](const std::string& typed, unsigned edits, const std::string& term) {
    for (const auto& m : idx->typo_lookup(typed, edits, 1000, true))
      if (idx->term(m.term) == term) return m.name;
    return false;
  };
  auto reaches_word = [&](const std::string& typed, unsigned edits, const std::string& term) {
    for (const auto& m : idx->typo_lookup(typed, edits, 1000, true))
      if (idx->term(m.term) == term) return !m.name;
    return false;
  };
  BOOST_TEST(reaches_word("priorty", 1, "priority"));  // words as without names
  BOOST_TEST(reaches_word("btremap", 1, "btreemap"));
  BOOST_TEST(reaches_name("os.pth", 1, "os.path"));
  BOOST_TEST(reaches_name("f-sttrings", 1, "f-strings"));
  BOOST_TEST(reaches_name("activ-active", 1, "active-active"));
  BOOST_TEST(!reaches_name("3.12", 1, "3.11"));          // numbers: never
  BOOST_TEST(!reaches_name("priorty", 1, "priority"));   // words are not names
  BOOST_TEST(!reaches_name("btremap", 1, "btreemap"));   // nor are names without punctuation
  BOOST_TEST(!reaches_word("os.pth", 1, "os.path"));
}

BOOST_AUTO_TEST_CASE(any_number_of_analysis_threads_builds_the_same_index) {
  // Pages and sections sharing body text, identifiers, numbered headings, anchors, words of
  // every frequency: each thread takes a range of documents, and the ranges are merged.
  std::mt19937 rng(7);
  auto words = random_words(rng, 4000);
  std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1), count(0, 60);
  std::vector<Document> docs;
  for (int p = 0; p < 300; ++p) {
    std::string body;
    for (std::size_t k = count(rng); k > 0; --k) body += words[pick(rng)] + (k % 7 ? " " : " os.path.join ");
    const std::string url = "https://example.org/docs/p" + std::to_string(p) + ".html";
    docs.push_back(doc(url, std::to_string(p % 9) + ". " + words[pick(rng)], body));
    for (int s = 0; s < 3; ++s) {
      auto sec = doc(url + "#s" + std::to_string(s), words[pick(rng)], body.substr(0, body.size() / (s + 2)),
                     DocumentType::section, words[pick(rng)] + " " + words[pick(rng)]);
      sec.anchors = {"mod.f" + std::to_string(s), words[pick(rng)]};
      docs.push_back(sec);
    }
  }
  auto build = [&](unsigned threads) {
    IndexBuilder b(test_site());
    b.set_threads(threads);
    for (const auto& d : docs) b.add(d);
    return b.build();
  };
  const auto one = build(1);
  for (unsigned threads : {2u, 3u, 0u}) {
    const auto other = build(threads);
    const auto& a = one->data();
    const auto& b = other->data();
    BOOST_TEST(a.terms == b.terms);
    BOOST_TEST(a.term_offset == b.term_offset);
    BOOST_TEST(a.term_df == b.term_df);
    BOOST_TEST(a.term_flags == b.term_flags);
    BOOST_TEST(a.term_stem == b.term_stem);
    BOOST_TEST(a.postings == b.postings);
    BOOST_TEST(a.postings_offset == b.postings_offset);
    BOOST_TEST(a.positions == b.positions);
    BOOST_TEST(a.positions_offset == b.positions_offset);
    BOOST_TEST(a.stems == b.stems);
    BOOST_TEST(a.stem_terms == b.stem_terms);
    BOOST_TEST(a.checkpoint_offset == b.checkpoint_offset);
    BOOST_TEST(a.text == b.text);
    BOOST_REQUIRE(a.checkpoints.size() == b.checkpoints.size());
    for (std::size_t i = 0; i < a.checkpoints.size(); ++i)
      BOOST_TEST((a.checkpoints[i].position == b.checkpoints[i].position && a.checkpoints[i].offset == b.checkpoints[i].offset));
    BOOST_REQUIRE(a.docs.size() == b.docs.size());
    for (std::size_t i = 0; i < a.docs.size(); ++i)
      BOOST_TEST((a.docs[i].field_length == b.docs[i].field_length && a.docs[i].numbering == b.docs[i].numbering));
  }
}

BOOST_AUTO_TEST_CASE(length_normalisation_per_record_type) {
  auto pages_only = [](int sections) {
    IndexBuilder b(test_site());
    b.add(doc("https://example.org/docs/a.html", "Alpha", "short page text"));
    b.add(doc("https://example.org/docs/b.html", "Beta", std::string(2000, 'x') + " long page text"));
    for (int i = 0; i < sections; ++i) {
      b.add(doc("https://example.org/docs/b.html#s" + std::to_string(i), "Beta", "tiny", DocumentType::section, "S"));
    }
    return b.build();
  };
  auto without = pages_only(0), with = pages_only(200);
  for (std::uint32_t page = 0; page < 2; ++page) {
    for (std::size_t f = 0; f < field_count; ++f) {
      BOOST_TEST(without->data().inv_norm[page][f] == with->data().inv_norm[page][f]);
    }
  }
  // A section is measured against sections: the short ones are at their average.
  BOOST_TEST(with->data().inv_norm[2][2] == 1.0f);
}

BOOST_AUTO_TEST_SUITE_END()
