#pragma once
// The tokenizer behind Analyzer::analyze: splits text into chunks (words joined by '.', '-',
// '::' or thousands commas), classifies each chunk (number, word, identifier, literal) and
// emits whole tokens and their parts. See analysis.hpp for the rules it implements.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/stemmer_pool.hpp"
#include "siteseek/analysis.hpp"

namespace siteseek::analysis {

/// Configured literal terms, matched case-insensitively (ASCII) in the raw text, longest first;
/// literals made only of word characters also match a chunk whose folded form equals them.
class LiteralMatcher {
 public:
  /// Adds a folded literal; empty ones are ignored.
  void add(std::string folded);
  bool empty() const noexcept { return literals_.empty(); }
  /// Whether some literal starts with this byte (lowercased): a cheap pre-check.
  bool may_start(unsigned char c) const noexcept { return !by_first_[lower(c)].empty(); }
  /// Length of the longest literal at text[i] that ends on a token boundary; 0 if none.
  std::size_t match(std::string_view text, std::size_t i) const noexcept;
  /// Whether a folded chunk is exactly a literal.
  bool contains(std::string_view folded) const { return set_.find(folded) != set_.end(); }
  /// All folded literals.
  const StringSet& set() const noexcept { return set_; }

 private:
  static unsigned char lower(unsigned char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + 32) : c;
  }
  std::vector<std::string> literals_;
  std::array<std::vector<std::size_t>, 256> by_first_;  // indices, longest literal first
  StringSet set_;
};

/// The folded vocabulary an Analyzer was configured with.
struct Vocabulary {
  StringSet stop_words;
  LiteralMatcher literals;
};

/// Appends the tokens of `text` to `out`.
void tokenize(std::string_view text, const Vocabulary& vocab, Worker& worker,
              std::vector<Token>& out);

}  // namespace siteseek::analysis
