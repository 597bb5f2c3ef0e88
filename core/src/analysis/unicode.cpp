#include "analysis/unicode.hpp"

#include <vector>

#include <utf8proc.h>

namespace siteseek::analysis {
namespace detail {

namespace {
constexpr CharClass S = CharClass::separator;
constexpr CharClass L = CharClass::lower;
constexpr CharClass U = CharClass::upper;
constexpr CharClass D = CharClass::digit;
constexpr CharClass A = CharClass::apostrophe;
constexpr CharClass N = CharClass::underscore;
}  // namespace

// clang-format off
const CharClass ascii_classes[128] = {
  S,S,S,S,S,S,S,S, S,S,S,S,S,S,S,S,  S,S,S,S,S,S,S,S, S,S,S,S,S,S,S,S,
  //  !  "  #  $  %  &  '  (  )  *  +  ,  -  .  /
  S,S,S,S,S,S,S,A, S,S,S,S,S,S,S,S,
  //0 1 2 3 4 5 6 7  8 9 : ; < = > ?
  D,D,D,D,D,D,D,D, D,D,S,S,S,S,S,S,
  //@ A ...                                  O
  S,U,U,U,U,U,U,U, U,U,U,U,U,U,U,U,
  //P ...                  Z  [  \  ]  ^  _
  U,U,U,U,U,U,U,U, U,U,U,S,S,S,S,N,
  //` a ...                                  o
  S,L,L,L,L,L,L,L, L,L,L,L,L,L,L,L,
  //p ...                  z  {  |  }  ~ DEL
  L,L,L,L,L,L,L,L, L,L,L,S,S,S,S,S,
};
// clang-format on

namespace {

// Scripts written without spaces between words, whose words ICU's dictionary finds
// (segmenter.hpp).
bool is_ideograph(utf8proc_int32_t cp) noexcept {
  return (cp >= 0x3005 && cp <= 0x3007) ||    // iteration marks 々 〆, ideographic zero 〇
         cp == 0x303B ||                      // vertical ideographic iteration mark 〻
         (cp >= 0x3040 && cp <= 0x30FF) ||    // hiragana, katakana
         (cp >= 0x31F0 && cp <= 0x31FF) ||    // katakana phonetic extensions
         (cp >= 0x3400 && cp <= 0x4DBF) ||    // CJK extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||    // CJK unified ideographs
         (cp >= 0xF900 && cp <= 0xFAFF) ||    // CJK compatibility ideographs
         (cp >= 0xFF66 && cp <= 0xFF9F) ||    // half-width katakana
         (cp >= 0x20000 && cp <= 0x3134F);    // CJK extensions B-G
}

}  // namespace

Char classify_multibyte(const unsigned char* p, std::size_t available) noexcept {
  utf8proc_int32_t cp = -1;
  auto n = utf8proc_iterate(p, static_cast<utf8proc_ssize_t>(available < 4 ? available : 4), &cp);
  if (n <= 0 || cp < 0) return {CharClass::separator, 1};
  auto len = static_cast<std::uint8_t>(n);
  if (is_ideograph(cp)) return {CharClass::ideograph, len};
  if (cp == 0x2019) return {CharClass::apostrophe, len};
  if (cp == 0x00AD || cp == 0x200C || cp == 0x200D || cp == 0x2060)
    return {CharClass::joiner, len};
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return {CharClass::letter, len};
    default:
      return {CharClass::separator, len};
  }
}

}  // namespace detail

namespace {

// Punctuation and spaces of CJK text: a run of ideographs goes on across them (ICU tells them from
// words), so that segmentation sees a sentence whole. Full-width letters and digits are not
// among them: they fold to ASCII and are words and numbers of their own.
bool is_cjk_punctuation(utf8proc_int32_t cp) noexcept {
  return (cp >= 0x3000 && cp <= 0x303F) ||  // CJK symbols and punctuation: 、。「」 and U+3000
         (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||  // ！（），．： etc.
         (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65);
}

}  // namespace

std::size_t ideograph_run_end(std::string_view text, std::size_t i) noexcept {
  std::size_t end = i;
  while (i < text.size()) {
    const Char ch = classify_at(text, i);
    if (ch.cls == CharClass::ideograph) {
      i += ch.length;
      end = i;
      continue;
    }
    if (ch.length < 3) break;  // ASCII and two-byte characters are never CJK punctuation
    utf8proc_int32_t cp = -1;
    utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i), ch.length, &cp);
    if (!is_cjk_punctuation(cp)) break;
    i += ch.length;
  }
  return end;
}

namespace {

// Compatibility decomposition + full case folding, then recomposition: COMPAT maps ligatures
// and full-width forms to plain letters ("ﬁ" -> "fi"), CASEFOLD is full Unicode folding
// ("ß" -> "ss", not just lowercase), IGNORE drops default-ignorable code points (soft hyphen,
// zero-width joiners), STABLE keeps the mapping fixed across Unicode versions. Marks are
// stripped by hand in between (see strips_marks) rather than with UTF8PROC_STRIPMARK, which
// would also turn Japanese "ジ" into "シ" and drop Indic vowel signs.
constexpr auto decompose_flags = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
constexpr auto compose_flags = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE);

// Scripts whose combining marks are accents users leave out when typing (Latin, Greek,
// Cyrillic and their extensions): "é" -> "e", "ά" -> "α", "й" -> "и".
bool strips_marks(utf8proc_int32_t base) noexcept {
  return base < 0x0530 || (base >= 0x1D00 && base <= 0x1DBF) || (base >= 0x1E00 && base <= 0x1FFF) ||
         (base >= 0x2C60 && base <= 0x2C7F) || (base >= 0xA720 && base <= 0xA7FF);
}

bool is_mark(utf8proc_int32_t cp) noexcept {
  auto c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

// Appends s without its apostrophes (ASCII ' and U+2019), so "don't" and "don’t" fold alike.
void append_without_apostrophes(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\'') continue;
    if (s[i] == '\xE2' && i + 2 < s.size() && s[i + 1] == '\x80' && s[i + 2] == '\x99') {
      i += 2;
      continue;
    }
    out.push_back(s[i]);
  }
}

// The word without a trailing possessive "'s" ("Python's" -> "Python"), so the exact form of
// the word matches; "it's" -> "it" the same way.
std::string_view without_possessive(std::string_view s) noexcept {
  if (s.size() < 3 || (s.back() != 's' && s.back() != 'S')) return s;
  if (s[s.size() - 2] == '\'') return s.substr(0, s.size() - 2);
  if (s.size() >= 5 && s.substr(s.size() - 4, 3) == "\xE2\x80\x99") return s.substr(0, s.size() - 4);
  return s;
}

}  // namespace

void fold_append(std::string& out, std::string_view s) {
  s = without_possessive(s);
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) break;
    if (c == '\'') continue;
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
  }
  if (i == s.size()) return;

  // Non-ASCII rest: drop invalid bytes first (utf8proc_map refuses the whole string
  // otherwise), then fold with utf8proc.
  std::string valid;
  valid.reserve(s.size() - i);
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      valid.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    utf8proc_int32_t cp = -1;
    auto avail = s.size() - i;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                              static_cast<utf8proc_ssize_t>(avail < 4 ? avail : 4), &cp);
    if (n <= 0 || cp < 0) {
      ++i;
      continue;
    }
    valid.append(s.data() + i, static_cast<std::size_t>(n));
    i += static_cast<std::size_t>(n);
  }
  const auto* src = reinterpret_cast<const utf8proc_uint8_t*>(valid.data());
  const auto src_len = static_cast<utf8proc_ssize_t>(valid.size());
  std::vector<utf8proc_int32_t> cps(valid.size() + 16);
  auto n = utf8proc_decompose(src, src_len, cps.data(), static_cast<utf8proc_ssize_t>(cps.size()),
                              decompose_flags);
  if (n > static_cast<utf8proc_ssize_t>(cps.size())) {  // expanded more than guessed: retry
    cps.resize(static_cast<std::size_t>(n));
    n = utf8proc_decompose(src, src_len, cps.data(), n, decompose_flags);
  }
  if (n < 0) return;  // cannot happen for valid UTF-8 short of running out of memory

  std::size_t kept = 0;
  utf8proc_int32_t base = 0;
  for (utf8proc_ssize_t k = 0; k < n; ++k) {
    utf8proc_int32_t cp = cps[static_cast<std::size_t>(k)];
    if (is_mark(cp)) {
      if (strips_marks(base)) continue;
    } else {
      base = cp;
    }
    cps[kept++] = cp;
  }
  // Re-encodes in place (UTF-8 never needs more bytes than 4 per code point).
  auto len = utf8proc_reencode(cps.data(), static_cast<utf8proc_ssize_t>(kept), compose_flags);
  if (len < 0) return;
  append_without_apostrophes(
      out, std::string_view(reinterpret_cast<const char*>(cps.data()), static_cast<std::size_t>(len)));
}

}  // namespace siteseek::analysis
