// What these tests prove:
// 1. Plain words are ANDed; when nothing has them all the query is relaxed (and says so), with
//    every record that has some of the words ranked, not only those of the rarest word.
//    When fewer than 30 records hold every word of a query of three or more, records missing one
//    word compete too, scored lower: two of three words in a title outrank all three buried in a
//    long body, all three in a title still win; not when many records hold every word; an
//    excluded word still excludes; `relaxed` stays false (some record has every word).
// 2. "phrases" need the words adjacent; -word excludes; a | b matches either; @title: restricts.
//    A command-line flag is searched as text (--verbose, -m, --no-cache-dir), and so is a query
//    of exclusions only.
//    The words framing an English question ("difference between", "vs", "what does ... mean",
//    "how does ... work", "when should I use") are optional, as stop words are; not in a site
//    with no stop words, and "between" outside "difference between" is a word like any other.
// 3. word* and the last typed word are prefixes; a trailing space turns that off. A word being
//    typed that common words complete is not also typo-expanded; one nothing completes is.
//    A completion commoner than the word typed weighs what it says (its own idf). The part of
//    an identifier being typed is completed within the identifiers completing the whole.
//    Stop words next to real words never decide what matches.
// 4. Typos: 1 edit from 5 letters, 2 from 9, none on numbers; exact > stem > typo; a correction
//    also matches its stem variants. A misspelled camelCase name (btremap, or BTreMap typed in
//    camelCase) finds it, also when the name is elsewhere part of a longer identifier
//    (BTreeMap::new); identifiers with punctuation (os.path, f-strings) are never a typo's
//    correction, nor have typos when typed whole, but their parts may (os.path.exsits).
// 5. Synonyms expand, including multi-word ones.
// 6. Ranking: title matches and whole-title matches first (after a heading's numbering, "6.14.";
//    an identifier whose first parts are stop words, ToString, equals its own name, not String);
//    the caller's section is boosted; a record defining a name (its anchors) ranks for it, as
//    close as a mention of the name in prose; names repeating a prefix count it once. Pages
//    other pages link to rank higher (boosts.inbound_links).
// 7. Distinct by page, landing pages pinned, pagination and exact totals.
// 8. Highlighting wraps matches, escapes all text (<script> in a body stays text), snippets cut
//    around matches with ellipses.
// 9. Malformed queries never crash: unbalanced quotes, lone operators, phrases with a word that
//    has no records; @nofield: is an error.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include "index/index_data.hpp"
#include "index/static_boost.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/search.hpp"
#include "siteseek/settings.hpp"
#include "small_site.hpp"

using namespace siteseek;
using namespace siteseek::test;
namespace tt = boost::test_tools;

namespace {

SearchResponse run(const Index& idx, const std::string& q, std::uint32_t num = 10) {
  SearchRequest r;
  r.q = q;
  r.num = num;
  return search_index(idx, r);
}

std::vector<std::string> urls(const SearchResponse& r) {
  std::vector<std::string> out;
  for (const auto& x : r.results) out.push_back(x.url.substr(root.size()));
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::vector<Document> corpus() {
  return {
      page("lib/files.html", "Reading files", "Open a file and read it line by line with a loop."),
      page("lib/network.html", "Networking", "Sockets send bytes. The file descriptor of a socket."),
      page("lib/parsing.html", "Parsers", "A parser parses text; parsing is done by parsers."),
      page("lib/env.html", "Environment variables", "The environment holds variables for the process."),
      page("lib/ospath.html", "os.path", "Use os.path.join to join path parts; os.path.exists checks a path."),
      page("tut/intro.html", "Introduction", "Version 3.11 changed things. Read the release notes for 3.12."),
      page("lib/gil.html", "Threads", "The global interpreter lock serialises bytecode."),
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(search_module)

// Title suggestions read each word's title postings (the records holding it in a title or a
// section title) instead of all its postings: the same suggestions, in the same order, as with
// the title postings taken away (the whole postings read and filtered by field).
BOOST_AUTO_TEST_CASE(title_postings_suggest_what_the_whole_postings_do) {
  std::vector<Document> docs;
  const char* words[] = {"install", "config", "string", "convert", "integer", "thread", "name", "path"};
  for (int p = 0; p < 60; ++p) {
    const std::string w1 = words[p % 8], w2 = words[(p * 3 + 1) % 8], w3 = words[(p * 5 + 2) % 8];
    docs.push_back(test::page("p" + std::to_string(p) + ".html", "Page about " + w1,
                              "text mentioning " + w2 + " and " + w3 + " in passing"));
    for (int k = 0; k < 3; ++k)
      docs.push_back(test::section("p" + std::to_string(p) + ".html#s" + std::to_string(k), "Page about " + w1,
                                   (k % 2 ? "Using " : "The ") + std::string(words[(p + k) % 8]),
                                   "body on " + std::string(words[(p + 2 * k) % 8]) + " " + w3, static_cast<std::uint32_t>(k + 1)));
  }
  const auto index = test::build(docs);
  BOOST_REQUIRE(!index->data().title_postings.empty());
  const std::vector<std::string> typed{"ins", "install", "con", "string con", "name", "pa", "thread", "page about", "usin", "x"};
  std::vector<std::vector<Suggestion>> with;
  for (const auto& q : typed) with.push_back(suggest_index(*index, {q, "", 8}));
  auto& d = const_cast<Index::Data&>(index->data());
  const auto kept = d.title_offset;
  d.title_offset = Array<std::uint64_t>();  // the scorer then reads every posting
  for (std::size_t i = 0; i < typed.size(); ++i) {
    const auto without = suggest_index(*index, {typed[i], "", 8});
    BOOST_REQUIRE_MESSAGE(without.size() == with[i].size(), typed[i]);
    for (std::size_t k = 0; k < without.size(); ++k) {
      BOOST_TEST(without[k].text == with[i][k].text, typed[i]);
      BOOST_TEST(without[k].url == with[i][k].url, typed[i]);
    }
  }
  d.title_offset = kept;
  BOOST_TEST(!suggest_index(*index, {"install", "", 8}).empty());
}

BOOST_AUTO_TEST_CASE(words_are_anded_then_relaxed) {
  auto idx = build(corpus());
  auto r = run(*idx, "file line ");
  BOOST_TEST(urls(r) == std::vector<std::string>{"lib/files.html"});
  BOOST_TEST(!r.relaxed);
  BOOST_TEST(r.total == 1u);
  auto relaxed = run(*idx, "socket zebra ");
  BOOST_TEST(relaxed.relaxed);
  BOOST_TEST(urls(relaxed).front() == "lib/network.html");
  BOOST_TEST(run(*idx, "zebra quagga ").results.empty());
}

// Several words are scored for the rarest word's records only (the others keep hits just for
// those); when none of them has every word, the relaxed ranking still sees every record.
BOOST_AUTO_TEST_CASE(rarest_word_first_then_every_record_when_relaxed) {
  auto idx = build(corpus());
  auto r = run(*idx, "socket file ");
  BOOST_TEST(urls(r) == std::vector<std::string>{"lib/network.html"});
  BOOST_TEST(r.results.front().body.find("<b>file</b>") != std::string::npos);
  BOOST_TEST(r.results.front().body.find("<b>socket</b>") != std::string::npos);
  auto relaxed = run(*idx, "parsers file ");
  BOOST_TEST(relaxed.relaxed);
  BOOST_TEST(relaxed.total == 3u);
  auto u = urls(relaxed);
  BOOST_TEST((has(u, "lib/parsing.html") && has(u, "lib/files.html") && has(u, "lib/network.html")));
  for (const auto& res : relaxed.results)
    if (res.url == root + "lib/files.html") BOOST_TEST(res.body.find("<b>file</b>") != std::string::npos);
}

namespace {
std::string filler(std::size_t words) {
  std::string out;
  for (std::size_t i = 0; i < words; ++i) out += "lorem" + std::to_string(i % 97) + " ";
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(records_missing_one_word_compete_when_few_hold_them_all) {
  std::vector<Document> docs{
      page("lib/shutil.html", "Remove directory trees", "Deletes a whole tree of files."),
      page("whatsnew/long.html", "Changes", filler(400) + "wipe " + filler(300) + "directory " + filler(300) + "tree"),
      page("lib/other.html", "Unrelated", "Nothing about these words."),
  };
  auto idx = build(docs);
  // Nothing but the long page has all three; the title holding two of them ranks first.
  auto r = run(*idx, "wipe directory tree ");
  BOOST_TEST(!r.relaxed);
  BOOST_TEST(urls(r) == (std::vector<std::string>{"lib/shutil.html", "whatsnew/long.html"}));
  // A record holding every word where it counts still wins over the partial one.
  docs.push_back(page("lib/wipe.html", "Wipe a directory tree", "How to wipe it."));
  idx = build(docs);
  r = run(*idx, "wipe directory tree ");
  BOOST_TEST(urls(r).front() == "lib/wipe.html");
  BOOST_TEST(has(urls(r), "lib/shutil.html"));
  // An excluded word excludes partial matches too.
  r = run(*idx, "wipe directory tree -whole ");
  BOOST_TEST(!has(urls(r), "lib/shutil.html"));
  BOOST_TEST(has(urls(r), "lib/wipe.html"));
}

BOOST_AUTO_TEST_CASE(many_records_with_every_word_leave_out_partial_matches) {
  std::vector<Document> docs{page("lib/shutil.html", "Remove directory trees", "Deletes a whole tree of files.")};
  for (int i = 0; i < 120; ++i)
    docs.push_back(page("lib/p" + std::to_string(i) + ".html", "Page " + std::to_string(i),
                        "wipe the directory tree " + filler(static_cast<std::size_t>(50 + i))));
  auto idx = build(docs);
  auto r = run(*idx, "wipe directory tree ");
  BOOST_TEST(r.total == 120u);
  BOOST_TEST(!has(urls(run(*idx, "wipe directory tree ", 200)), "lib/shutil.html"));
}

// A title holding another form of a query word (its plural) is the word in the title: "Anonymous
// Functions" equals "anonymous function" though its body holds "function" itself, which is the
// word's best expansion there.
BOOST_AUTO_TEST_CASE(a_title_with_another_form_of_the_word_is_the_word_in_the_title) {
  auto cited = page("ref/apply.html", "Function Application",
                    "Apply a function to each element: an anonymous function or a function handle. The function runs once.");
  cited.boost = 1.6f;  // cited more, as such pages are
  const std::vector<Document> docs{cited,
                                   page("ref/anon.html", "Anonymous Functions",
                                        "An anonymous function is a function without a name: a function defined where the function "
                                        "is used, as a function expression. Such a function holds a function body."),
                                   page("ref/other.html", "Other", "Nothing to see.")};
  auto idx = build(docs);
  BOOST_TEST(urls(run(*idx, "anonymous function ")).front() == "ref/anon.html");
  BOOST_TEST(urls(run(*idx, "anonymous functions ")).front() == "ref/anon.html");
}

BOOST_AUTO_TEST_CASE(words_framing_a_question_are_optional) {
  const std::vector<Document> docs{
      page("tut/tuples.html", "Lists and tuples", "A list can change; a tuple cannot."),
      page("whatsnew/notes.html", "Release notes", "The difference between a list code and a tuple code shrank."),
      page("lib/hash.html", "Hashable objects", "A hashable object has a hash value that never changes."),
      page("lib/dates.html", "Dates", "The number of days between two dates is a timedelta."),
      page("lib/days.html", "Calendar", "Count the days in a month or the dates of a week.")};
  auto idx = build(docs);
  // Without the framing words only the release notes hold every word.
  BOOST_TEST(urls(run(*idx, "difference between a list and a tuple ")).front() == "tut/tuples.html");
  BOOST_TEST(urls(run(*idx, "list vs tuple ")).front() == "tut/tuples.html");
  BOOST_TEST(urls(run(*idx, "what does hashable mean ")) == std::vector<std::string>{"lib/hash.html"});
  BOOST_TEST(!run(*idx, "what does hashable mean ").relaxed);
  // explain says which words decided nothing: the frame and the stop words.
  SearchRequest ex;
  ex.q = "difference between a list and a tuple ";
  ex.explain = true;
  const auto explained = search_index(*idx, ex);
  BOOST_REQUIRE(explained.explain.has_value());
  BOOST_TEST(explained.explain->optional_words == (std::vector<std::string>{"difference", "between", "a", "and", "a"}),
             tt::per_element());
  // A contraction framing the question is a stop word: the answer says "cannot", or nothing.
  ex.q = "why can't I change a tuple ";
  const auto contracted = search_index(*idx, ex);
  BOOST_TEST(contracted.explain->optional_words == (std::vector<std::string>{"why", "cant", "i", "a"}), tt::per_element());
  BOOST_TEST(urls(contracted).front() == "tut/tuples.html");
  ex.q = "the of ";  // nothing but stop words: they are searched, so none is optional
  BOOST_TEST(search_index(*idx, ex).explain->optional_words.empty());
  // "between" asked for as a word still has to match.
  BOOST_TEST(urls(run(*idx, "days between two dates ")) == std::vector<std::string>{"lib/dates.html"});
  // A site with no stop words wants every word it is given.
  auto s = site();
  s.stop_words.clear();
  auto every_word = build(docs, s);
  BOOST_TEST(urls(run(*every_word, "difference between a list and a tuple ")) ==
             std::vector<std::string>{"whatsnew/notes.html"});
}

// A word the site rarely uses is also looked for by the related words it uses much more
// (index/thesaurus.hpp), at a lower weight; a word it uses is not, and the setting turns it off.
BOOST_AUTO_TEST_CASE(a_word_the_site_rarely_uses_also_finds_the_related_words_it_uses) {
  std::vector<Document> docs;
  for (int i = 0; i < 150; ++i)
    docs.push_back(page("lib/p" + std::to_string(i) + ".html", "Topic " + std::to_string(i),
                        i < 40 ? "Remove the entry when done." : i < 45 ? "Delete the entry when done." : "Nothing to see."));
  docs.push_back(page("lib/shutil.html", "High-level file operations", "Move a file or a directory tree to another directory."));
  docs.push_back(page("lib/os.html", "Operating system interfaces", "List the entries of a directory."));
  docs.push_back(page("faq/desktop.html", "Desktop questions", "A desktop calls a directory a folder."));
  auto idx = build(docs);
  SearchRequest r;
  r.q = "move folder ";
  r.explain = true;
  // "folder" is in one record of 153 (under 1 %), "directory" in three: the page that moves
  // directories holds every word.
  auto res = search_index(*idx, r);
  BOOST_TEST(!res.relaxed);
  BOOST_REQUIRE(!res.results.empty());
  BOOST_TEST(res.results.front().url == root + "lib/shutil.html");
  BOOST_REQUIRE(res.explain.has_value());
  BOOST_REQUIRE_EQUAL(res.explain->related.size(), 1u);
  BOOST_TEST(res.explain->related[0].word == "folder");
  BOOST_TEST(res.explain->related[0].related == "directory");
  // "delete" is in 5 records of 153: the site uses it, and it is not widened to "remove" (40).
  r.q = "delete ";
  res = search_index(*idx, r);
  BOOST_TEST(res.explain->related.empty());
  BOOST_TEST(res.total == 5u);
  // Off: "folder" is only itself, and no record holds both words.
  auto s = site();
  s.search.related_words = false;
  auto off = build(docs, s);
  r.q = "move folder ";
  res = search_index(*off, r);
  BOOST_TEST(res.relaxed);
  BOOST_TEST(res.explain->related.empty());
}

BOOST_AUTO_TEST_CASE(phrase_exclusion_alternatives_fields) {
  auto idx = build(corpus());
  BOOST_TEST(urls(run(*idx, "\"line by line\"")) == std::vector<std::string>{"lib/files.html"});
  BOOST_TEST(run(*idx, "\"line a by\"").results.empty());
  auto ex = urls(run(*idx, "file -socket "));
  BOOST_TEST(has(ex, "lib/files.html"));
  BOOST_TEST(!has(ex, "lib/network.html"));
  auto alt = urls(run(*idx, "sockets | environment "));
  BOOST_TEST(alt.size() == 2u);
  BOOST_TEST(has(alt, "lib/network.html"));
  BOOST_TEST(has(alt, "lib/env.html"));
  // "parser" is in one title; @title: ignores the bodies.
  BOOST_TEST(urls(run(*idx, "@title:parsers ")) == std::vector<std::string>{"lib/parsing.html"});
  BOOST_TEST(run(*idx, "@title:bytes ").results.empty());
}

BOOST_AUTO_TEST_CASE(command_line_flags_are_searched_as_text) {
  // The analyzer indexes "--verbose" as the word verbose, "-m" as m and "--no-cache-dir" as the
  // identifier no-cache-dir (with its parts): the flag typed finds the same terms.
  auto idx = build({page("cli/pip.html", "Installing packages", "Run python -m pip install --no-cache-dir to skip the cache."),
                    page("cli/options.html", "Options", "Pass --verbose to print every step."),
                    page("lib/json.html", "json", "Encode and decode JSON documents."),
                    page("lib/config.html", "Config files", "Read json or yaml configuration.")});
  BOOST_TEST(urls(run(*idx, "--verbose ")) == std::vector<std::string>{"cli/options.html"});
  BOOST_TEST(urls(run(*idx, "-m ")) == std::vector<std::string>{"cli/pip.html"});
  BOOST_TEST(urls(run(*idx, "--no-cache-dir ")) == std::vector<std::string>{"cli/pip.html"});
  BOOST_TEST(urls(run(*idx, "python -m pip ")) == std::vector<std::string>{"cli/pip.html"});
  BOOST_TEST(run(*idx, "--verbose ").results.at(0).body.find("--<b>verbose</b>") != std::string::npos);
  // After other words a dashed word still excludes; alone it is what the user looks for.
  BOOST_TEST(urls(run(*idx, "json -yaml ")) == std::vector<std::string>{"lib/json.html"});
  BOOST_TEST(urls(run(*idx, "-yaml ")) == std::vector<std::string>{"lib/config.html"});
}

BOOST_AUTO_TEST_CASE(prefixes_and_search_as_you_type) {
  auto idx = build(corpus());
  BOOST_TEST(urls(run(*idx, "netw")) == std::vector<std::string>{"lib/network.html"});
  BOOST_TEST(run(*idx, "netw ").results.empty());
  BOOST_TEST(urls(run(*idx, "netw* ")) == std::vector<std::string>{"lib/network.html"});
  SearchRequest off;
  off.q = "netw";
  off.prefix = false;
  BOOST_TEST(search_index(*idx, off).results.empty());
  BOOST_TEST(urls(run(*idx, "os.path.jo")) == std::vector<std::string>{"lib/ospath.html"});

  // "pathl" is completed by "pathlib" (3 documents): "paths", one typo away, is not searched.
  auto typed = build({page("a.html", "pathlib", "pathlib objects"), page("b.html", "B", "uses pathlib"),
                      page("c.html", "C", "pathlib again"), page("d.html", "D", "many paths here")});
  auto r = run(*typed, "pathl");
  BOOST_TEST(r.total == 3u);
  BOOST_TEST(!has(urls(r), "d.html"));
  // Nothing completes "pathlin": its typo neighbour "pathlib" is searched.
  BOOST_TEST(run(*typed, "pathlin").total == 3u);
  // A stop word next to a real word adds no matches and excludes none.
  BOOST_TEST(run(*typed, "the pathlib ").total == 3u);

  // A completion more common than the word typed counts with its own idf: "into", in nearly
  // every record, completes "int" but does not outweigh the one record that has "int".
  std::vector<Document> docs{page("a.html", "Casting", "Convert a value to int with one call."),
                             page("b.html", "Moving", "Convert into into into the form into place into.")};
  for (int i = 0; i < 10; ++i) docs.push_back(page("f" + std::to_string(i) + ".html", "F", "Goes into the box."));
  auto ints = build(docs);
  BOOST_TEST(urls(run(*ints, "convert int")) == (std::vector<std::string>{"a.html", "b.html"}));

  // An identifier being typed: its last part is completed by what completes it inside the
  // identifiers that complete the whole ("os.p" -> os.path -> "path"), not by every word
  // starting with "p" ("print" next to "os" is no match).
  auto ids = build({page("a.html", "Paths", "Use os.path.join to join parts."),
                    page("b.html", "Printing", "The os module can print; print and print again."),
                    page("c.html", "Text", "The os module and the path of a file.")});
  BOOST_TEST(urls(run(*ids, "os.p")) == (std::vector<std::string>{"a.html", "c.html"}));
  // Nothing completes the whole identifier: its last part is completed as a word.
  BOOST_TEST(urls(run(*ids, "os.pr")) == (std::vector<std::string>{"b.html"}));

  // The part being typed is no word of its own when no identifier completing the whole holds it
  // so: "shared_pt" completes to shared_ptr only, so "pt" is "ptr" being typed, and a page that
  // says "pt" (a variable's name) and "shared" does not match it as the word "pt".
  std::vector<Document> ptrs{page("mem/shared_ptr.html", "shared_ptr", "A shared_ptr owns an object with others; each shared_ptr counts."),
                             page("mem/enable.html", "enable_shared", "Given a shared pointer pt, pt and pt1 share it; pt pt pt.")};
  ptrs[1].boost = 5.0f;  // the most linked-to page: as "shared" and the word "pt" it would lead
  auto parts = build(ptrs);
  BOOST_TEST(urls(run(*parts, "shared_pt")).front() == "mem/shared_ptr.html");
  // Typed whole, an identifier's parts are words as typed ("pg_dump" is a term: "dump" is whole).
  auto whole = build({page("app/pg_dump.html", "pg_dump", "pg_dump dumps a database; pg_dumpall dumps them all."),
                      page("app/other.html", "Other", "A dump of pg data.")});
  BOOST_TEST(urls(run(*whole, "pg_dump")).front() == "app/pg_dump.html");

  // The part being typed is a word in progress even when it spells a stop word: "formatIS" is
  // formatISO being typed, not "format is", so a section headed by its first part alone does not
  // equal the query.
  std::string more;
  for (int i = 0; i < 12; ++i) more += " It returns the date as text, in the ISO 8601 form, of any date given.";
  auto typing = build({page("fn/formatISO.html", "formatISO", "formatISO formats a date." + more),
                       section("opts/FormatOptions.html#format", "FormatOptions", "format",
                               "The format: formatISO or formatISO9075.")});
  BOOST_TEST(urls(run(*typing, "formatIS")).front() == "fn/formatISO.html");
}

BOOST_AUTO_TEST_CASE(typos_and_match_kind_order) {
  auto idx = build(corpus());
  BOOST_TEST(urls(run(*idx, "envronment ")).front() == "lib/env.html");   // 1 typo, 10 letters
  BOOST_TEST(urls(run(*idx, "enviromnent ")).front() == "lib/env.html");  // transposition + deletion
  BOOST_TEST(run(*idx, "socet ").results.empty() == false);               // 5 letters: 1 typo
  BOOST_TEST(run(*idx, "sokt ").results.empty());                         // 4 letters: none
  BOOST_TEST(run(*idx, "3.13 ").results.empty());                         // numbers: never
  SearchRequest off;
  off.q = "envronment ";
  off.typo = false;
  BOOST_TEST(search_index(*idx, off).results.empty());
  // exact > stem > typo: "parsers" exact in title/body beats stems; a typo match ranks below.
  auto mixed = build({page("a.html", "Alpha", "a parser reads the sentence"),
                      page("b.html", "Beta", "parsers everywhere"),
                      page("c.html", "Gamma", "parsrs typo only")});
  auto order = urls(run(*mixed, "parsers "));
  BOOST_REQUIRE(order.size() == 3u);
  BOOST_TEST(order[0] == "b.html");
  BOOST_TEST(order[1] == "a.html");
  BOOST_TEST(order[2] == "c.html");
}

BOOST_AUTO_TEST_CASE(typos_reach_camel_case_names_not_punctuated_identifiers) {
  // Each name is a whole identifier somewhere (the builder used to mark such a term no-typo for
  // the whole index); BTreeMap is also part of BTreeMap::new, BinaryHeap only ever whole.
  auto idx = build({page("std/btree.html", "BTreeMap", "An ordered map based on a B-Tree. BTreeMap::new makes an empty one."),
                    page("std/heap.html", "BinaryHeap", "A priority queue implemented with a binary heap."),
                    page("std/hash.html", "HashMap", "A hash map. HashMap::new makes an empty one.")});
  auto first = [&](const std::string& q) {
    auto u = urls(run(*idx, q));
    return u.empty() ? std::string("(nothing)") : u.front();
  };
  BOOST_TEST(first("btremap ") == "std/btree.html");     // 1 typo
  BOOST_TEST(first("binaryheep ") == "std/heap.html");   // 1 typo, 10 letters
  BOOST_TEST(first("binarihep ") == "std/heap.html");    // 2 typos
  BOOST_TEST(first("hashmpa ") == "std/hash.html");      // transposition
  // Typed in camelCase, as the name is written, a misspelled name is one too.
  BOOST_TEST(first("BTreMap ") == "std/btree.html");
  BOOST_TEST(first("BinaryHeep ") == "std/heap.html");
  BOOST_TEST(first("BinaryHeep") == "std/heap.html");    // while typing: nothing completes it
  BOOST_TEST(first("HashMpa") == "std/hash.html");
  // What the no-typo mark protects: a typo in a word does not reach an identifier with
  // punctuation (two edits from "ospaht" to os.path). A word no record has that is such an
  // identifier typed without its separators finds it, as the same word spelt another way.
  auto ids = build({page("lib/paths.html", "Paths", "Use os.path to join paths."),
                    page("lib/funcs.html", "Functions", "The built-in functions.")});
  BOOST_TEST(run(*ids, "ospaht ").results.empty());
  BOOST_TEST(urls(run(*ids, "ospath ")) == std::vector<std::string>{"lib/paths.html"});
  BOOST_TEST(urls(run(*ids, "builtin ")) == std::vector<std::string>{"lib/funcs.html"});
  BOOST_TEST(urls(run(*ids, "Builtin")) == std::vector<std::string>{"lib/funcs.html"});  // while typing: nothing completes it
  // Being typed, such a name is completed once its separators are put back.
  auto typing = build({page("pg/ckpt.html", "checkpoint_timeout", "Maximum time between automatic WAL checkpoints."),
                       page("pg/ckpt2.html", "checkpoint_warning", "Write a message when checkpoints come too often."),
                       page("lib/paths.html", "Paths", "Use os.path.join to join paths.")});
  BOOST_TEST(urls(run(*typing, "checkpointtim")) == std::vector<std::string>{"pg/ckpt.html"});
  BOOST_TEST(urls(run(*typing, "ospathjo")) == std::vector<std::string>{"lib/paths.html"});
  BOOST_TEST(urls(run(*typing, "checkpointtim ")).empty());  // typed whole: no such name
  // A word some record has is taken as typed, even where a name is that word joined.
  auto own = build({page("pg/set.html", "jsonb_set", "jsonb_set replaces a value."),
                    page("misc/helper.html", "Helper", "The jsonbset helper of this tool.")});
  BOOST_TEST(urls(run(*own, "jsonbset ")) == std::vector<std::string>{"misc/helper.html"});
  BOOST_TEST(urls(run(*own, "jsonbsett ")) == std::vector<std::string>{"misc/helper.html"});  // its typo: the word, not the name
  // Its parts are words, each of which may have typos (from 5 letters).
  BOOST_TEST(urls(run(*ids, "os.path.jion ")).empty());  // "jion": too short for a typo; no name near it
  auto parts = build({page("lib/ospath.html", "os.path", "Use os.path.exists to check a path."),
                      page("pam/succeed.html", "pam_succeed_if", "test account characteristics")});
  BOOST_TEST(urls(run(*parts, "os.path.exsits ")) == std::vector<std::string>{"lib/ospath.html"});
  BOOST_TEST(urls(run(*parts, "pam_succed_if ")) == std::vector<std::string>{"pam/succeed.html"});
  // An identifier with punctuation typed whole that no record has reaches those a typo away
  // (from 5 characters, two typos from 9, as words), which is how a typo in a short part is
  // found at all ("levl", "jion", "mme" are too short for neighbours of their own).
  auto names = build({page("lib/paths.html", "Paths", "Use os.path to join paths: os.path.join(a, b)."),
                      page("pg/wal.html", "wal_level", "wal_level determines how much is written to the WAL."),
                      page("pg/mem.html", "maintenance_work_mem", "Memory for maintenance operations."),
                      page("pg/work.html", "work_mem", "Memory for sorts."),
                      page("pg/tuning.html", "Tuning maintenance_work_mem and checkpoints", "Raise maintenance_work_mem before an index build: a large "
                                                       "maintenance_work_mem speeds it up, so set maintenance_work_mem high.")});
  BOOST_TEST(urls(run(*names, "os.pth ")) == std::vector<std::string>{"lib/paths.html"});
  BOOST_TEST(urls(run(*names, "os.path.jion ")) == std::vector<std::string>{"lib/paths.html"});  // a transposition
  BOOST_TEST(urls(run(*names, "wal_levl ")) == std::vector<std::string>{"pg/wal.html"});
  // Corrected, it ranks as typed right: the page titled with it before one that repeats it.
  BOOST_TEST(urls(run(*names, "maintenance_work_mme ")) == (std::vector<std::string>{"pg/mem.html", "pg/tuning.html"}));
  BOOST_TEST(urls(run(*names, "maintenance_work_mem ")) == (std::vector<std::string>{"pg/mem.html", "pg/tuning.html"}));
  BOOST_TEST(urls(run(*names, "wal_levl")) == std::vector<std::string>{"pg/wal.html"});  // while typing too
  // A name some record has gets no neighbours: the same answer with typos off (its parts still
  // find maintenance_work_mem, after it).
  SearchRequest off;
  off.q = "work_mem ";
  off.typo = false;
  BOOST_TEST(urls(run(*names, "work_mem ")) == urls(search_index(*names, off)));
  BOOST_TEST(urls(run(*names, "work_mem ")).front() == "pg/work.html");
  off.q = "wal_levl ";
  BOOST_TEST(search_index(*names, off).results.empty());
}

// Two or three words typed joined, a word no record has, are also searched as the phrase of the
// words they split into: the records holding them adjacent, not those holding them apart.
BOOST_AUTO_TEST_CASE(words_typed_joined_are_found_as_their_phrase) {
  auto idx = build({page("sql/fk.html", "Constraints", "A foreign key references the primary key of another table."),
                    page("sql/apart.html", "Keys", "Every key of a foreign table."),
                    page("sql/auto.html", "Sequences", "An auto increment column takes the next value."),
                    page("misc/own.html", "Tools", "The readonly flag.")});
  BOOST_TEST(urls(run(*idx, "foreignkey ")) == std::vector<std::string>{"sql/fk.html"});
  BOOST_TEST(urls(run(*idx, "primarykey ")) == std::vector<std::string>{"sql/fk.html"});
  BOOST_TEST(urls(run(*idx, "autoincrement")) == std::vector<std::string>{"sql/auto.html"});  // while typing too
  BOOST_TEST(urls(run(*idx, "autoincrement column ")) == std::vector<std::string>{"sql/auto.html"});
  BOOST_TEST(urls(run(*idx, "keyforeign ")).empty());  // adjacent, in that order
  BOOST_TEST(urls(run(*idx, "foreignkeyreferences ")) == std::vector<std::string>{"sql/fk.html"});  // three words
  // A word some record has is taken as typed ("read only" is not looked for).
  BOOST_TEST(urls(run(*idx, "readonly ")) == std::vector<std::string>{"misc/own.html"});
}

BOOST_AUTO_TEST_CASE(synonyms_expand) {
  auto s = site();
  s.synonyms = {{"gil", "global interpreter lock"}, {"sockets", "networking"}};
  auto idx = build(corpus(), s);
  BOOST_TEST(urls(run(*idx, "gil ")) == std::vector<std::string>{"lib/gil.html"});
  auto net = urls(run(*idx, "networking "));
  BOOST_TEST(has(net, "lib/network.html"));
  auto multi = build({page("x.html", "X", "the gil is released"), page("y.html", "Y", "global warming")}, s);
  BOOST_TEST(urls(run(*multi, "global interpreter lock ")) == std::vector<std::string>{"x.html"});
}

BOOST_AUTO_TEST_CASE(ranking_rules) {
  auto idx = build({page("lib/a.html", "Misc", "logging is mentioned here, logging again"),
                    page("lib/logging.html", "logging", "the module"),
                    page("lib/b.html", "logging cookbook", "recipes")});
  auto r = urls(run(*idx, "logging "));
  BOOST_REQUIRE(r.size() == 3u);
  BOOST_TEST(r[0] == "lib/logging.html");  // title equals the query
  BOOST_TEST(r[1] == "lib/b.html");        // title starts with it
  // The caller's section is boosted.
  auto two = build({page("lib/x.html", "X", "widget"), page("tut/y.html", "Y", "widget")});
  SearchRequest from;
  from.q = "widget ";
  from.from_url = root + "tut/index.html";
  BOOST_TEST(urls(search_index(*two, from)).front() == "tut/y.html");
  from.from_url = root + "lib/index.html";
  BOOST_TEST(urls(search_index(*two, from)).front() == "lib/x.html");
}

// scattered: three pages with the same page record; x's words sit in different sections, y has
// a section holding both, z has no sections. Ties go to the first document, so without the rule
// x would come first.
BOOST_AUTO_TEST_CASE(page_with_the_words_only_in_different_sections_ranks_lower) {
  const std::string body = "alpha one two. beta three four";
  auto idx = build({page("lib/x.html", "X", body), section("lib/x.html#a", "X", "A", "alpha one two"),
                    section("lib/x.html#b", "X", "B", "beta three four"), page("lib/y.html", "Y", body),
                    section("lib/y.html#a", "Y", "A", body), page("lib/z.html", "Z", body)});
  auto r = urls(run(*idx, "alpha beta"));
  BOOST_REQUIRE(r.size() == 3u);
  BOOST_TEST(r[2] == "lib/x.html");
  BOOST_TEST(r[0].substr(0, 10) == "lib/y.html");  // y's page record (or its section) leads z's on ties
  BOOST_TEST(r[1] == "lib/z.html");
  const auto scored = run(*idx, "alpha beta").results;
  BOOST_TEST(scored[2].score < scored[1].score);
}

// boosts.inbound_links: of two pages with the same text, the one more pages link to ranks first,
// by 1 + weight x ln(1 + links); weight 0 leaves them tied (the first document first).
BOOST_AUTO_TEST_CASE(pages_other_pages_link_to_rank_higher) {
  auto rarely = page("lib/a.html", "A", "read a file line by line");
  auto often = page("lib/b.html", "B", "read a file line by line");
  rarely.inbound_links = 1;
  often.inbound_links = 20;
  const std::vector<Document> docs{rarely, often};
  const auto ranked = run(*build(docs), "read file").results;
  BOOST_REQUIRE(ranked.size() == 2u);
  BOOST_TEST(ranked[0].url == root + "lib/b.html");
  const double expected = (1 + 0.15 * std::log1p(20.0)) / (1 + 0.15 * std::log1p(1.0));
  BOOST_TEST(ranked[0].score / ranked[1].score == expected, tt::tolerance(0.01));
  auto s = site();
  s.boosts.inbound_links = 0;
  const auto off = run(*build(docs, s), "read file").results;
  BOOST_REQUIRE(off.size() == 2u);
  BOOST_TEST(off[0].url == root + "lib/a.html");
  BOOST_TEST(off[0].score == off[1].score, tt::tolerance(1e-6));
}

// boosts.urls: the first rule a page's URL matches scales its records; later rules do not apply.
BOOST_AUTO_TEST_CASE(url_rules_scale_parts_of_the_site) {
  const std::vector<Document> docs{page("c-api/objects.html", "Objects", "a file, the file, its file"),
                                   page("tut/io.html", "Reading", "read a file line by line")};
  BOOST_TEST(urls(run(*build(docs), "file ")).front() == "c-api/objects.html");  // more of the word
  auto s = site();
  s.boosts.urls = {{"/c-api/", 0.5}, {"/c-api/obj", 4.0}};
  auto ranked = urls(run(*build(docs, s), "file "));
  BOOST_REQUIRE(ranked.size() == 2u);
  BOOST_TEST(ranked[0] == "tut/io.html");
  s.boosts.urls = {{"/tut/", 2.0}};
  BOOST_TEST(urls(run(*build(docs, s), "file ")).front() == "tut/io.html");
}

// Release notes and changelogs, by URL or title, whichever generator made them; nothing else.
BOOST_AUTO_TEST_CASE(release_notes_are_known_by_their_url_or_title) {
  const auto s = site();
  const StaticBoost boost(s);
  const std::vector<std::pair<Document, bool>> cases{
      {page("whatsnew/3.8.html", "What's New In Python 3.8", "x"), true},                         // Sphinx (CPython)
      {section("whatsnew/3.8.html#new-features", "What's New In Python 3.8", "New Features", "x"), true},
      {page("whatsnew/changelog.html", "Changelog", "x"), true},
      {page("changes.html", "Changes", "x"), true},                                               // Sphinx (Flask)
      {page("community/release-notes/", "Release Notes", "x"), true},                             // MkDocs
      {page("release-15-9.html", "E.10. Release 15.9", "x"), true},                               // DocBook
      {page("releases/v6.0.0.html", "Tornado 6.0 released", "x"), true},
      {page("misc/notes.html", "What\xE2\x80\x99s new in 2.0", "x"), true},                     // by its title
      {page("guide/upgrading.html", "2.3 Release notes", "x"), true},
      {page("guide/release-process.html", "Release process", "x"), false},
      {page("library/os.html", "os \xE2\x80\x94 Miscellaneous operating system interfaces", "x"), false},
      {page("tutorial/changing-things.html", "Changing things", "x"), false},
      {page("sql-alterextension.html", "ALTER EXTENSION", "x"), false},
      {page("howto/newsletters.html", "Sending newsletters", "x"), false},
  };
  for (const auto& [d, expected] : cases) BOOST_TEST(boost.is_release_notes(d) == expected, d.url << " " << d.title);
}

// boosts.release_notes scales release notes' records (default 0.8); 1 leaves them as any page.
BOOST_AUTO_TEST_CASE(release_notes_score_less) {
  const std::vector<Document> docs{page("whatsnew/3.8.html", "What's New In Python 3.8", "read a file line by line"),
                                   page("tut/io.html", "Reading", "read a file line by line")};
  const auto ranked = run(*build(docs), "read file").results;
  BOOST_REQUIRE(ranked.size() == 2u);
  BOOST_TEST(ranked[0].url == root + "tut/io.html");
  auto s = site();
  s.boosts.release_notes = 1;
  const auto off = run(*build(docs, s), "read file").results;
  BOOST_REQUIRE(off.size() == 2u);
  BOOST_TEST(ranked[1].score / ranked[0].score < off[1].score / off[0].score);
  BOOST_TEST(ranked[1].score / ranked[0].score / (off[1].score / off[0].score) == 0.8, tt::tolerance(0.02));
}

BOOST_AUTO_TEST_CASE(numbered_headings_equal_the_query) {
  // Same page title, same lengths: only the exact_title rule tells them apart. "6.14. Lambda" is
  // the heading "Lambda" numbered; "3.11 Lambda" is not numbering (no closing dot).
  auto idx = build({section("ref/a.html#x", "Expressions", "Lambda notes", "lambda"),
                    section("ref/b.html#x", "Expressions", "6.14. Lambda", "lambda"),
                    section("ref/c.html#x", "Expressions", "3.11 Lambda", "lambda")});
  auto r = urls(run(*idx, "lambda "));
  BOOST_REQUIRE(r.size() == 3u);
  BOOST_TEST(r[0] == "ref/b.html#x");  // equals after the numbering
  BOOST_TEST(r[1] == "ref/a.html#x");  // starts with the query
  BOOST_TEST(r[2] == "ref/c.html#x");
}

// A one-word query's word that begins a longer snake_case name does not start that heading:
// "autovacuum_work_mem (integer)" is another setting's, "Autovacuum Daemon" is about the word.
// A dotted name is a member of the word's and still starts it ("logging.config").
BOOST_AUTO_TEST_CASE(a_snake_case_name_beginning_with_the_word_does_not_start_the_heading) {
  // The setting's record has more boost: without the rule, its heading's "start" would lead.
  std::vector<Document> docs{section("cfg/a.html#x", "Settings", "autovacuum_work_mem (integer)", "the memory autovacuum uses"),
                             section("cfg/b.html#x", "Settings", "Autovacuum Daemon", "the memory autovacuum uses")};
  docs[0].boost = 1.1f;
  auto idx = build(docs);
  auto r = urls(run(*idx, "autovacuum "));
  BOOST_REQUIRE(r.size() == 2u);
  BOOST_TEST(r[0] == "cfg/b.html#x");
  std::vector<Document> members{section("lib/a.html#x", "Modules", "logging.config (module)", "configures logging"),
                                section("lib/b.html#x", "Modules", "Notes on logging", "configures logging")};
  members[1].boost = 1.2f;
  auto dotted = build(members);
  r = urls(run(*dotted, "logging "));
  BOOST_REQUIRE(r.size() == 2u);
  BOOST_TEST(r[0] == "lib/a.html#x");
}

// The stop words a heading starts with count as its numbering does: "The Application Context"
// equals the query "application context" and comes before a title that only starts with it.
BOOST_AUTO_TEST_CASE(headings_equal_the_query_after_their_leading_stop_words) {
  auto idx = build({page("a/objects.html", "Application Context Objects", "the application context"),
                    page("a/context.html", "The Application Context", "the application context")});
  for (const char* q : {"application context ", "the application context "}) {
    const auto r = urls(run(*idx, q));
    BOOST_REQUIRE(r.size() == 2u);
    BOOST_TEST(r[0] == "a/context.html", q);
  }
  // Where the rules start comparing (DocRecord::numbering): after the numbering and the stop
  // words; a heading of stop words only keeps them ("About" still equals `about`).
  auto titles = build({page("a/1.html", "The Application Context", "x"), page("a/2.html", "6.14. The Lambdas", "x"),
                       page("a/3.html", "About", "x"), page("a/4.html", "Lambdas", "x")});
  const std::vector<std::uint8_t> lead{1, 2, 0, 0};
  for (std::uint32_t i = 0; i < titles->size(); ++i)
    BOOST_TEST(titles->data().record(i).numbering[0] == lead[i], titles->data().slice(titles->data().record(i).title));
}

BOOST_AUTO_TEST_CASE(identifiers_whose_first_part_is_a_stop_word_equal_their_title) {
  // "to" and "as" are stop words, left out of the words the title rules compare; the part after
  // them is still the name's second word. So the title "String" does not equal ToStr, ToString
  // or to_string (it did: "str" alone was compared), and "ToString" does: the trait's page comes
  // before a short section of String's page that names the trait in its heading (rustdoc's
  // "impl ToString for String").
  auto idx = build({section("std/string.html#impl-ToString", "String", "impl ToString for String", "source"),
                    page("std/to_string.html", "ToString",
                         "A trait for converting a value to a String. It is implemented for any type which implements "
                         "Display, and should not be implemented directly."),
                    section("std/string.html#method.as_str", "String", "as_str", "Extracts a string slice."),
                    page("std/str.html", "str", "String slices, also called string slices, are the str type.")});
  for (const char* q : {"ToStr", "ToString ", "to_string "}) {
    BOOST_TEST(urls(run(*idx, q)).front() == "std/to_string.html", q);
  }
  BOOST_TEST(urls(run(*idx, "as_str ")).front() == "std/string.html#method.as_str");
}

BOOST_AUTO_TEST_CASE(stems_of_the_word_meant) {
  // "Lambdas" is the heading of the first: its word is a stem variant of `lambda`, and the exact
  // word is in the body, where it scores most; still the heading equals the query.
  auto idx = build({section("ref/a.html#x", "Expressions", "6.14. Lambdas", "lambda x: lambda y: x + y"),
                    section("ref/b.html#x", "Expressions", "Lambda notes", "lambda x: lambda y: x + y")});
  BOOST_TEST(urls(run(*idx, "lambda ")).front() == "ref/a.html#x");
  // A typo finds the word meant and its stem variants: "Lambdas" alone is found by 'lamda', and
  // its heading still equals the query.
  auto plural = build({section("ref/c.html#x", "Functions", "Lambdas", "anonymous functions"),
                       page("ref/d.html", "Other", "the lambda keyword and the lambda keyword")});
  auto r = urls(run(*plural, "lamda "));
  BOOST_TEST(has(r, "ref/c.html#x"));
  BOOST_TEST(r.front() == "ref/c.html#x");
}

BOOST_AUTO_TEST_CASE(anchors_name_what_a_record_defines) {
  // The mapping section shows "get(key)", not "dict.get" (as Sphinx renders a method); a page of
  // prose mentions dict.get once among other things.
  auto mapping = section("lib/stdtypes.html#dict", "Built-in types", "Mapping types",
                         "get(key) returns the value for key, or a default. items() returns a view of the pairs.");
  mapping.anchors = {"dict.get", "dict.items"};
  auto prose = page("lib/inspect.html", "inspect",
                    "Functions of this module look at live objects: classes, modules and frames. Attribute "
                    "lookups such as dict.get(key) are resolved lazily, and static lookups never run code. "
                    "The signature of a callable lists its parameters with their kinds and defaults.");
  auto idx = build({prose, mapping, page("lib/a.html", "Other", "A dict maps keys."),
                    page("lib/b.html", "More", "You get what you ask for.")});
  auto r = urls(run(*idx, "dict.get"));
  BOOST_REQUIRE(r.size() >= 2u);
  BOOST_TEST(r[0] == "lib/stdtypes.html#dict");
  BOOST_TEST(has(r, "lib/inspect.html"));
  // Anchors are searched, never shown; without them the prose comes first.
  BOOST_TEST(run(*idx, "dict.items").results.at(0).body.find("dict.items") == std::string::npos);
  mapping.anchors.clear();
  BOOST_TEST(urls(run(*build({prose, mapping}), "dict.get")).front() == "lib/inspect.html");

  // A record defining twenty pkg.* members does not outrank the record defining pkg itself: the
  // URL field is a set of names, so "pkg" counts once in each.
  auto members = page("lib/members.html", "Members", "Functions.");
  for (int i = 0; i < 20; ++i) members.anchors.push_back("pkg.member" + std::to_string(i));
  auto package = page("lib/package.html", "Package", "The package.");
  package.anchors = {"pkg"};
  auto two = build({members, package});
  BOOST_TEST(urls(run(*two, "pkg ")).front() == "lib/package.html");
}

BOOST_AUTO_TEST_CASE(distinct_landing_pages_pagination) {
  std::vector<Document> docs;
  for (int i = 0; i < 25; ++i) docs.push_back(page("p" + std::to_string(i) + ".html", "Page", "common word"));
  docs.push_back(section("p0.html#s1", "Page", "S1", "common word"));
  docs.push_back(section("p0.html#s2", "Page", "S2", "common word common"));
  auto s = site();
  s.landing_pages = {{"Common Word", root + "p7.html"}};
  auto idx = build(docs, s);
  auto r = run(*idx, "common word ", 10);
  BOOST_TEST(r.total == 25u);  // distinct pages
  BOOST_TEST(r.results.size() == 10u);
  BOOST_TEST(urls(r).front() == "p7.html");
  std::vector<std::string> seen;
  for (std::uint32_t start = 0; start < 30; start += 10) {
    SearchRequest q;
    q.q = "common word ";
    q.start = start;
    q.num = 10;
    for (const auto& u : urls(search_index(*idx, q))) seen.push_back(u.substr(0, u.find('#')));
  }
  std::sort(seen.begin(), seen.end());
  BOOST_TEST(seen.size() == 25u);
  BOOST_TEST((std::unique(seen.begin(), seen.end()) == seen.end()));
  SearchRequest nd;
  nd.q = "common word ";
  nd.distinct = false;
  BOOST_TEST(search_index(*idx, nd).total == 27u);
}

// One result per page, its best record, also when a page's records are not consecutive (given
// through the API in any order): a record is compared with its own page's result only.
BOOST_AUTO_TEST_CASE(distinct_takes_each_pages_best_record_wherever_it_comes) {
  auto idx = build({page("a.html", "Aaa", "zebra once"), page("b.html", "Bbb", "zebra once"),
                    section("a.html#more", "Aaa", "Zebra", "zebra zebra zebra, all about the zebra", 1),
                    page("c.html", "Ccc", "zebra once")});
  const auto r = run(*idx, "zebra", 10);
  BOOST_TEST(r.total == 3u);
  const auto u = urls(r);
  BOOST_TEST(u.front() == "a.html#more");
  BOOST_TEST((std::count(u.begin(), u.end(), "b.html") == 1));
  BOOST_TEST((std::count(u.begin(), u.end(), "c.html") == 1));
  BOOST_TEST(u.size() == 3u);
}

BOOST_AUTO_TEST_CASE(highlighting_and_escaping) {
  std::string filler;
  for (int i = 0; i < 80; ++i) filler += "lorem ipsum ";
  auto idx = build({page("h.html", "Parsing <b>tags</b>",
                         "<script>alert(1)</script> & " + filler + "the parser parses input quickly " + filler)});
  auto r = run(*idx, "parse ");
  BOOST_REQUIRE(r.results.size() == 1u);
  const auto& x = r.results[0];
  BOOST_TEST_MESSAGE(x.body);
  BOOST_TEST(x.title == "<b>Parsing</b> &lt;b&gt;tags&lt;/b&gt;");
  BOOST_TEST(x.body.find("<script>") == std::string::npos);
  BOOST_TEST(x.body.find("<b>parser</b> <b>parses</b>") != std::string::npos);
  BOOST_TEST(x.body.starts_with("\xE2\x80\xA6"));
  BOOST_TEST(x.body.ends_with("\xE2\x80\xA6"));
  BOOST_TEST(x.body.size() < 300u);
  // No body match: the start of the body, escaped.
  auto t = run(*idx, "tags ");
  BOOST_REQUIRE(t.results.size() == 1u);
  BOOST_TEST(t.results[0].body.starts_with("&lt;script&gt;"));
  SearchRequest custom;
  custom.q = "parser ";
  custom.highlight_pre_tag = "[";
  custom.highlight_post_tag = "]";
  BOOST_TEST(search_index(*idx, custom).results[0].body.find("[parser]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_queries) {
  auto idx = build(corpus());
  for (const std::string& q : std::vector<std::string>{"\"unbalanced quote", "-", "*", "|", "| file", "file |", "((file", "\"\"", "@", "@title:",
                              "- - -", "**", std::string(5000, 'a'), "\xff\xfe bad utf8", ""}) {
    BOOST_CHECK_NO_THROW(run(*idx, q));
  }
  BOOST_TEST(urls(run(*idx, "\"line by line")).front() == "lib/files.html");
  // A phrase or joined word one of whose words has no records: nothing, and no walk off an empty
  // list (fuzz_query found the null-pointer arithmetic with the phrase "i日, minimised).
  auto cjk = build({page("lib/cjk.html", "CJK", "Text in 日本語 and more."), page("lib/x.html", "X", "line by line")});
  for (const std::string& q : {std::string("\"i\xe6\x97\xa5"), std::string("\"line zzqx\""), std::string("line-zzqx ")})
    BOOST_TEST(run(*cjk, q).results.empty(), q);
  try {
    run(*idx, "@nofield:x");
    BOOST_FAIL("unknown field accepted");
  } catch (const RequestError& e) {
    BOOST_TEST(e.code() == "invalid_query");
  }
}

BOOST_AUTO_TEST_SUITE_END()
