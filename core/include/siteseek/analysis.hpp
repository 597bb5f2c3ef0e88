#pragma once
// Text analysis shared by indexing and querying: UTF-8 tokenisation, Unicode case and accent
// folding, stop words, Snowball stemming, literal terms and code identifiers.
#include <cstdint>
#include <memory>
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

  static AnalyzerOptions from_site(const SiteSettings& site);
};

/// How a token came out of the text.
enum class TokenKind : std::uint8_t {
  word,        ///< an ordinary word ("install")
  number,      ///< digits, possibly with dots/commas ("3.11", "404"): never stemmed or typo-matched
  identifier,  ///< a whole code identifier ("os.path.join", "__init__", "camelCase", "std::vector")
  literal,     ///< a whole configured literal term ("active-active")
  part,        ///< one part of an identifier or literal ("path" in "os.path.join")
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

/// Splits and normalises text. Thread-safe: one Analyzer may be used from many threads.
class Analyzer {
 public:
  explicit Analyzer(AnalyzerOptions options = {});
  ~Analyzer();
  Analyzer(Analyzer&&) noexcept;
  Analyzer& operator=(Analyzer&&) noexcept;

  /// All tokens of `text`, in order.
  std::vector<Token> analyze(std::string_view text) const;
  /// Case- and accent-folded form of one word (no splitting).
  std::string fold(std::string_view word) const;
  /// Snowball stem of an already folded word (the word itself when language is "none").
  std::string stem(std::string_view folded) const;
  /// Whether a folded word is a stop word.
  bool is_stop_word(std::string_view folded) const;
  const AnalyzerOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace siteseek
