#include "search/query_parser.hpp"

#include <algorithm>
#include <cctype>

#include "siteseek/document.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/limits.hpp"

namespace siteseek::detail {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::optional<std::uint8_t> field_named(std::string_view name) {
  if (name == "title") return static_cast<std::uint8_t>(Field::title);
  if (name == "section_title" || name == "section") return static_cast<std::uint8_t>(Field::section_title);
  if (name == "body" || name == "content") return static_cast<std::uint8_t>(Field::body);
  if (name == "url") return static_cast<std::uint8_t>(Field::url);
  return std::nullopt;
}

// Whether text[i] (a '-') starts a command-line flag, which is text, not the exclusion
// operator: "--" and more ("--verbose", "--no-cache-dir"), or one dash and a single ASCII letter
// or digit ending the word ("-m", "-O"). Nobody excludes a one-letter word, and "python -m venv"
// must not drop the pages that show it.
bool is_flag(std::string_view text, std::size_t i) {
  if (i + 1 >= text.size()) return false;
  if (text[i + 1] == '-') return true;
  const auto c = static_cast<unsigned char>(text[i + 1]);
  const bool end = i + 2 >= text.size() || is_space(text[i + 2]) || text[i + 2] == '|' || text[i + 2] == '"';
  return std::isalnum(c) && end;
}

// Whether a word has anything an analyzer could index (not just operators and punctuation).
bool has_text(std::string_view s) {
  for (unsigned char c : s)
    if (std::isalnum(c) || c >= 0x80) return true;
  return false;
}

}  // namespace

ParsedQuery parse_query(std::string_view text, bool as_you_type) {
  if (text.size() > limits::max_query_bytes) {
    text = text.substr(0, limits::max_query_bytes);
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.remove_suffix(1);
    if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.remove_suffix(1);
  }
  ParsedQuery q;
  bool join_next = false;  // the previous token was '|'
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool last_is_plain_word = false;  // not a phrase (whether excluded is decided at the end)
  bool last_excluded = false;
  while (i < n) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    if (text[i] == '|') {
      join_next = !q.clauses.empty();
      ++i;
      continue;
    }
    QueryOperand op;
    bool excluded = false;
    if (text[i] == '-' && i + 1 < n && !is_space(text[i + 1]) && !is_flag(text, i)) {
      excluded = true;
      ++i;
    }
    if (text[i] == '@') {
      auto colon = text.find(':', i);
      auto space = text.find_first_of(" \t\n\r\"", i);
      if (colon != std::string_view::npos && colon < space) {
        auto name = text.substr(i + 1, colon - i - 1);
        auto f = field_named(name);
        if (!f && !valid_attribute_name(name))
          throw RequestError("invalid_query", "unknown field '@" + std::string(name) +
                                                  ":' (fields: title, section_title, body, url; or an attribute)");
        i = colon + 1;
        if (!f) {  // an attribute test: its value is the next word or quoted phrase
          QueryAttribute a{std::string(name), {}, excluded};
          if (i < n && text[i] == '"') {
            const auto close = text.find('"', i + 1);
            a.value = std::string(text.substr(i + 1, close == std::string_view::npos ? close : close - i - 1));
            i = close == std::string_view::npos ? n : close + 1;
          } else {
            const auto start = i;
            while (i < n && !is_space(text[i])) ++i;
            a.value = std::string(text.substr(start, i - start));
          }
          if (!a.value.empty() && q.attributes.size() < limits::max_filter_tests) q.attributes.push_back(std::move(a));
          join_next = false;
          continue;
        }
        op.field = f;
      }
    }
    if (i < n && text[i] == '"') {
      auto close = text.find('"', i + 1);
      op.phrase = true;
      if (close == std::string_view::npos) {
        op.text = std::string(text.substr(i + 1));
        i = n;
      } else {
        op.text = std::string(text.substr(i + 1, close - i - 1));
        i = close + 1;
      }
    } else {
      std::size_t start = i;
      while (i < n && !is_space(text[i]) && text[i] != '|' && text[i] != '"') ++i;
      op.text = std::string(text.substr(start, i - start));
      while (!op.text.empty() && op.text.back() == '*') {
        op.prefix = true;
        op.text.pop_back();
      }
    }
    if (!has_text(op.text)) {
      join_next = false;
      continue;
    }
    last_is_plain_word = !op.phrase;
    last_excluded = excluded;
    if (join_next && !q.clauses.empty() && q.clauses.back().excluded == excluded) {
      q.clauses.back().alternatives.push_back(std::move(op));
    } else {
      if (q.clauses.size() >= limits::max_query_terms) break;
      q.clauses.push_back({{std::move(op)}, excluded});
    }
    join_next = false;
  }
  // Exclusions with nothing to exclude from are what the user looks for: "-socket" alone (or
  // only dashed words) is searched, instead of finding nothing.
  if (std::all_of(q.clauses.begin(), q.clauses.end(), [](const QueryClause& c) { return c.excluded; })) {
    for (auto& c : q.clauses) c.excluded = false;
    last_excluded = false;
  }
  if (as_you_type && last_is_plain_word && !last_excluded && !q.clauses.empty() && n > 0 && !is_space(text[n - 1]) &&
      text[n - 1] != '"')
    q.clauses.back().alternatives.back().prefix = true;
  return q;
}

}  // namespace siteseek::detail
