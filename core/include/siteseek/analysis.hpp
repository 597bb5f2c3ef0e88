#pragma once
// Text analysis shared by indexing and querying: UTF-8 tokenisation, Unicode case and accent
// folding, stop words, Snowball stemming, literal terms, code identifiers, and word segmentation
// of Chinese and Japanese (ICU).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siteseek {

struct SiteSettings;

/// What the analyzer needs from a site's settings.
struct AnalyzerOptions {
  std::string language = "english";       ///< Snowball algorithm name, or "none"
  std::vector<std::string> stop_words;    ///< compared after folding
  std::vector<std::string> literal_terms; ///< kept whole ("active-active", "v6.2.8") and by parts

  /// language, stop_words and literal_terms of a site.
  static AnalyzerOptions from_site(const SiteSettings& site);
};

/// How a token came out of the text.
enum class TokenKind : std::uint8_t {
  word,        ///< an ordinary word ("install")
  number,      ///< digits, possibly with dots/commas ("3.11", "404"): never stemmed or typo-matched
  identifier,  ///< a whole code identifier ("os.path.join", "__init__", "camelCase", "std::vector")
  literal,     ///< a whole configured literal term ("active-active")
  part,        ///< one part of an identifier or literal ("path" in "os.path.join")
  cjk,         ///< a word of Chinese or Japanese text, found by dictionary segmentation ("数据",
               ///< "パッケージ"): never stemmed, typo-matched or a stop word
};

/// One token. Parts of an identifier/literal take consecutive positions starting at the whole
/// token's position, so phrases over parts ("path join") still match; the next word follows
/// the last part.
struct Token {
  std::string term;          ///< folded surface form (lowercase, accents removed)
  std::string stem;          ///< stemmed form of term; equal to term when not stemmed
  std::uint32_t position = 0;
  TokenKind kind = TokenKind::word;
  bool stop = false;         ///< a stop word (indexed, but optional in queries)
  std::uint32_t offset = 0;  ///< byte offset of the token in the analysed text
  std::uint32_t length = 0;  ///< byte length of the token in the analysed text
};

/// Longest term kept, in bytes after folding; longer tokens (base64 blobs, hashes) are dropped,
/// though the parts of an over-long identifier are still emitted.
inline constexpr std::size_t max_term_bytes = 128;

/// Splits and normalises text. Thread-safe: one Analyzer may be used from many threads.
///
/// Tokenisation rules, in order (a "chunk" is a run of word characters joined by '.', '-', '::'
/// or a thousands comma, each connector having a word character on both sides, so a sentence-
/// ending period or "--flag" dashes never join anything):
/// - configured literal terms, matched case-insensitively with a word boundary after them
///   ("v6.2.8" not inside "v6.2.89"), longest first: kind literal plus parts (runs of letters
///   and digits); the literal itself is never stemmed;
/// - chunks of digits only: kind number ("404", "3.11", "127.0.0.1"; "1,000" gives term "1000");
///   "v6.2.8"-style versions that are not literals are numbers too;
/// - single letters joined by dots and followed by a dot ("e.g.", "i.e."): one word ("eg");
/// - one plain word ("install", "Café" -> "cafe", "don't" -> "dont", "Python's" -> "python",
///   "utf8"): kind word;
/// - anything else is an identifier: "os.path.join", "std::vector", "__init__", "snake_case",
///   "camelCase", "HTTPServer", and hyphenated words ("built-in", "f-strings", "redis-cli").
///   The whole (folded, punctuation kept: "os.path.join", "built-in", "camelcase") is kind
///   identifier, never stemmed; its parts follow, split at '.', '-', '::', '_' and ASCII case
///   changes ("HTTPServer" -> http, server; "APIs" stays whole; letters and digits stay together:
///   "int64_t" -> int64, t). A dotted segment that is itself compound ("get_event_loop" in
///   "asyncio.get_event_loop") is also a part, at the position of its first sub-part.
///   A hyphenated word is not also indexed joined ("fstrings" does not match "f-strings").
/// - Han, Hiragana and Katakana, written without spaces: each run of them (with the CJK
///   punctuation and spaces inside it, "数据库的使用。方法") is split into words by ICU's
///   dictionary-based word BreakIterator ("数据", "库", "的", "使用", "方法"), one token of kind
///   cjk each; the punctuation gives none. A run ends at any other character: "Python的数据" is
///   "python", then the run "的数据"; full-width digits and letters fold to ASCII and are numbers
///   and words. Korean (Hangul) is written with spaces: its words are plain words.
/// A whole comes before its parts; positions never decrease. Stemming: words and parts made
/// only of letters; never numbers, identifier/literal wholes, compound segments, configured
/// literals (even as parts), CJK words, or anything containing a digit. Stop words are flagged on
/// words and parts. Invalid UTF-8 bytes are skipped. Offsets are byte offsets into the text
/// (< 4 GiB).
/// The Snowball algorithm for a BCP 47 language tag's primary subtag ("fr", "pt-br", "de_AT" ->
/// "french", "portuguese", "german"), or "" when libstemmer has none for it.
std::string snowball_for_tag(std::string_view tag);

/// The analyzer options of a record whose `language` attribute is `tag`, in a site analysed with
/// `site`: that language's stemmer, no stop words (the site's list is for its own language), the
/// site's literal terms; none when the tag has no stemmer, the site's stemmer is that one, or the
/// site's language is "none".
std::optional<AnalyzerOptions> record_analyzer_options(const AnalyzerOptions& site, std::string_view tag);

class Analyzer {
 public:
  /// Throws ConfigError (key "language") when the Snowball language is unknown.
  explicit Analyzer(AnalyzerOptions options = {});
  ~Analyzer();
  Analyzer(Analyzer&&) noexcept;
  Analyzer& operator=(Analyzer&&) noexcept;

  /// All tokens of `text`, in order.
  std::vector<Token> analyze(std::string_view text) const;
  /// Free the word caches analysis filled (after indexing: the site's whole vocabulary; searches
  /// refill them with the words they meet). Not while another thread analyses with it.
  void trim() noexcept;
  /// Case- and accent-folded form of one word (no splitting): Unicode case folding, NFKC
  /// ("ﬁ" -> "fi"), accents of Latin/Greek/Cyrillic letters removed (kana and Indic marks
  /// are kept: they change the letter), apostrophes and a possessive "'s" dropped; equals
  /// Token::term for that word.
  std::string fold(std::string_view word) const;
  /// Snowball stem of an already folded word; the word itself when language is "none", the
  /// word contains a digit or is a configured literal (as in analyze()).
  std::string stem(std::string_view folded) const;
  /// Whether a folded word is a stop word.
  bool is_stop_word(std::string_view folded) const;
  const AnalyzerOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
