#include "common/selector_syntax.hpp"

#include <cctype>

namespace siteseek::css {
namespace {

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A recursive-descent reader of the subset; the first error wins and names its position.
struct Parser {
  std::string_view text;
  std::size_t i = 0;
  std::string error;

  bool at_end() const { return i >= text.size(); }
  bool fail(const std::string& what) {
    if (error.empty()) error = what + " at character " + std::to_string(i + 1);
    return false;
  }
  bool spaces() {
    const std::size_t from = i;
    while (!at_end() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    return i > from;
  }
  std::string_view ident() {
    const std::size_t from = i;
    while (!at_end() && ident_char(text[i])) ++i;
    return text.substr(from, i - from);
  }

  bool attribute(AttributeTest& out) {
    ++i;  // '['
    spaces();
    out.name = lower(ident());
    if (out.name.empty()) return fail("expected an attribute name after '['");
    spaces();
    if (!at_end() && text[i] == ']') {
      ++i;
      return true;
    }
    using Op = AttributeTest::Op;
    if (!at_end() && text[i] == '=') {
      out.op = Op::equals;
      ++i;
    } else if (i + 1 < text.size() && text[i + 1] == '=' && std::string_view("^$*~").find(text[i]) != std::string_view::npos) {
      out.op = text[i] == '^' ? Op::prefix : text[i] == '$' ? Op::suffix : text[i] == '*' ? Op::contains : Op::word;
      i += 2;
    } else {
      return fail("expected ']' or one of =, ^=, $=, *=, ~= in [" + out.name);
    }
    spaces();
    if (!at_end() && (text[i] == '"' || text[i] == '\'')) {
      const char quote = text[i++];
      const auto close = text.find(quote, i);
      if (close == std::string_view::npos) return fail("unterminated quoted value");
      out.value = std::string(text.substr(i, close - i));
      i = close + 1;
    } else {
      // Unquoted values are taken up to ']' (profiles write [class^=memitem:]).
      const std::size_t from = i;
      while (!at_end() && text[i] != ']' && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      out.value = std::string(text.substr(from, i - from));
      if (out.value.empty()) return fail("expected a value after the operator in [" + out.name);
    }
    spaces();
    if (at_end() || text[i] != ']') return fail("expected ']'");
    ++i;
    return true;
  }

  bool compound(CompoundSelector& out) {
    const std::size_t from = i;
    if (!at_end() && text[i] == '*') ++i;
    else if (!at_end() && ident_char(text[i])) out.tag = lower(ident());
    while (!at_end()) {
      const char c = text[i];
      if (c == '.' || c == '#') {
        ++i;
        const auto name = ident();
        if (name.empty()) return fail(std::string("expected a name after '") + c + "'");
        if (c == '.') out.classes.emplace_back(name);
        else out.id = std::string(name);
      } else if (c == '[') {
        AttributeTest test;
        if (!attribute(test)) return false;
        out.attributes.push_back(std::move(test));
      } else if (c == ':') {
        if (text.substr(i).starts_with("::")) return fail("unsupported pseudo-element");
        const std::size_t at = i++;
        const std::string name = lower(ident());
        if (name != "not" || at_end() || text[i] != '(') {
          i = at;
          return fail("unsupported pseudo-class ':" + name + "' (only :not(...) is)");
        }
        ++i;
        spaces();
        CompoundSelector negated;
        if (!compound(negated)) return false;
        spaces();
        if (at_end() || text[i] != ')') return fail("expected ')' closing :not( (one compound selector inside)");
        ++i;
        out.negations.push_back(std::move(negated));
      } else {
        break;
      }
    }
    if (i == from) return fail("expected a tag, *, .class, #id, [attribute] or :not(...)");
    return true;
  }

  Selector selector() {
    Selector s;
    spaces();
    if (at_end()) {
      fail("empty selector");
      return {};
    }
    bool child = false;
    while (true) {
      CompoundSelector c;
      c.child = child;
      if (!compound(c)) return {};
      s.parts.push_back(std::move(c));
      const bool spaced = spaces();
      if (at_end()) break;
      const char next = text[i];
      if (next == '>') {
        ++i;
        spaces();
        if (at_end()) {
          fail("expected a selector after '>'");
          return {};
        }
        child = true;
      } else if (next == ',') {
        fail("',' (a list of selectors: give each its own entry)");
        return {};
      } else if (next == '+' || next == '~') {
        fail(std::string("unsupported combinator '") + next + "'");
        return {};
      } else if (spaced) {
        child = false;
      } else {
        fail(std::string("unexpected '") + next + "'");
        return {};
      }
    }
    return s;
  }
};

}  // namespace

Selector parse_selector(std::string_view text, std::string* error) {
  Parser p;
  p.text = text;
  Selector s = p.selector();
  if (!p.error.empty()) s = {};
  if (error) *error = p.error;
  return s;
}

}  // namespace siteseek::css
