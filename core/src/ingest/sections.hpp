#pragma once
// A page's headings: which is the page's own, which become section records, and the text they are
// compared and shown by. No HTML here: html.cpp walks the page into headings and text offsets.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace siteseek::ingest_detail {

/// A heading of the page's content, where its text is in the page's text.
struct Heading {
  int level = 0;
  std::size_t start = 0;  ///< text offset where the heading's text starts
  std::size_t end = 0;    ///< and ends
  std::string anchor;     ///< empty: it has none, and stays in the record above it
  bool code = false;      ///< all its words are code, or a profile's item_headings match it: it names an API item
};

/// A heading that becomes a section record, where its text ends, and the headings it is under.
struct Section {
  std::size_t heading;            ///< index in the page's headings
  std::size_t end;                ///< text offset where the record's body ends
  std::vector<std::size_t> path;  ///< the headings above it (below the page's own), outermost first
};

/// A section of the second level longer than this (bytes of text, about 2,000 words) is split at
/// its headings of the next level. 1 % of the Python docs' h3 sections are; splitting from 3,000
/// bytes (3 %) let short h4 sections outrank whole pages on the judged dev queries.
constexpr std::size_t long_section = 12000;

/// A heading's text without the permalink signs around it (a sign in markup that is not a link:
/// "Title ¶", "§ Title", "◆ name", "Title #"), as shown.
std::string clean_heading(std::string_view s);

/// Lower-case ASCII letters and digits (other bytes as they are), every run of anything else one
/// space: what a heading and a title are compared by.
std::string words(std::string_view s);

/// Whether a heading repeats the page's title, whatever the case and punctuation: the title holds
/// its words ("pathlib" in "pathlib — Python 3.11 documentation"), maybe after a one-word label
/// (rustdoc's "Module guide" in "widget::guide - Rust"); its last words begin the title, after a
/// label of any length (Javadoc's "Enum Class Kind" for "Kind (Widget Toolkit)"); or it is the
/// title after a label ("Chapter 1. Getting started").
bool repeats_title(std::string_view heading, std::string_view title);

/// In what follows, `texts[i]` is `headings[i]`'s text (clean_heading).

/// The page's own heading, or null: its first h1 that repeats the <title>, else its only h1 (or
/// its first, when there is no <title>); on a page without an h1, the first heading of the highest
/// level used when it repeats the <title> (DocBook's chunked pages title a sect1 with an h2 over h3
/// divisions, and a reference page with the first of its h2s). The h1s of a page with several, none
/// of which repeats the title, are sections (Doxygen's Markdown pages, whose title is not a heading).
const Heading* page_heading(const std::vector<Heading>& headings, const std::vector<std::string>& texts,
                            const std::string& title);

/// Which headings become section records: those of the first level used below the page's own
/// heading (h2 under an h1) and of the next (h3), those of the level after (h4) inside a section of
/// the second level longer than long_section, and every heading that names an API item (all code).
/// Each needs an anchor and a text. A record's body runs to the next heading of its level or above,
/// or to the next recorded heading: records do not overlap, and deeper headings that are not
/// recorded stay in the text of the record above them.
std::vector<Section> plan_sections(const std::vector<Heading>& headings, const std::vector<std::string>& texts,
                                   const Heading* own, std::size_t text_size);

}  // namespace siteseek::ingest_detail
