#pragma once
// Character classes and folding for the tokenizer. ASCII is classified by a table and folded by
// hand (most documentation text is ASCII); everything else goes through utf8proc.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace siteseek::analysis {

/// How the tokenizer treats one character.
enum class CharClass : std::uint8_t {
  separator,   ///< space, punctuation, symbols, control characters, invalid bytes
  lower,       ///< ASCII a-z
  upper,       ///< ASCII A-Z
  digit,       ///< ASCII 0-9
  underscore,  ///< '_': part of identifiers, splits their parts
  letter,      ///< any other Unicode letter, mark or number (word character)
  ideograph,   ///< Han, kana, CJK iteration marks: written without spaces, segmented by ICU
  apostrophe,  ///< ' or U+2019: inside a word only between letters ("don't")
  joiner,      ///< soft hyphen, ZWJ, ZWNJ: invisible inside a word, dropped by folding
};

/// One decoded character: its class and its length in bytes (1 for an invalid byte).
struct Char {
  CharClass cls;
  std::uint8_t length;
};

namespace detail {
extern const CharClass ascii_classes[128];
Char classify_multibyte(const unsigned char* p, std::size_t available) noexcept;
}  // namespace detail

/// Classifies the character starting at text[i] (i < text.size()). Invalid UTF-8 is one
/// separator byte, so the tokenizer skips it and never hands it to utf8proc.
inline Char classify_at(std::string_view text, std::size_t i) noexcept {
  auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return {detail::ascii_classes[c], 1};
  return detail::classify_multibyte(reinterpret_cast<const unsigned char*>(text.data()) + i,
                                    text.size() - i);
}

/// The end of the run of text written without spaces that starts at ideograph text[i]: ideographs
/// and the CJK punctuation and spaces between them (U+3000-U+303F, full-width punctuation), up to
/// the last ideograph. Dictionary segmentation splits such a run into words as a whole.
std::size_t ideograph_run_end(std::string_view text, std::size_t i) noexcept;

/// Whether a character of this class is part of a word.
inline bool is_word_class(CharClass c) noexcept {
  return c == CharClass::lower || c == CharClass::upper || c == CharClass::digit ||
         c == CharClass::underscore || c == CharClass::letter;
}

/// Whether a character of this class is a letter (not a digit, not '_').
inline bool is_letter_class(CharClass c) noexcept {
  return c == CharClass::lower || c == CharClass::upper || c == CharClass::letter;
}

/// Appends the folded form of `s` to `out`: Unicode case folding, compatibility decomposition
/// ("ﬁ" -> "fi", full-width -> ASCII), accents of Latin/Greek/Cyrillic letters stripped ("é" ->
/// "e"; Japanese and Indic marks are kept: they change the letter), default-ignorable
/// characters and apostrophes dropped ("don't" -> "dont"), a possessive "'s" too ("Python's" ->
/// "python"). Invalid UTF-8 bytes are dropped.
void fold_append(std::string& out, std::string_view s);

/// Whether every byte of s is ASCII.
inline bool is_ascii(std::string_view s) noexcept {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

}  // namespace siteseek::analysis
