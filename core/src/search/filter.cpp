// Filter expressions: a recursive-descent parser (OR binds loosest, then AND, then NOT; a space
// between two tests is AND) and their evaluation to a bit per record.
#include "search/filter.hpp"

#include <algorithm>

#include "siteseek/error.hpp"
#include "siteseek/limits.hpp"

namespace siteseek::detail {

namespace {

bool name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  FilterNode parse() {
    if (s_.size() > limits::max_filter_length)
      fail(limits::max_filter_length + 1, "longer than " + std::to_string(limits::max_filter_length) + " characters");
    auto f = parse_or();
    skip();
    if (i_ < s_.size()) fail(i_ + 1, s_[i_] == ')' ? "unmatched ')'" : "expected AND, OR or the end");
    return f;
  }

 private:
  [[noreturn]] void fail(std::size_t position, const std::string& what) const {
    throw RequestError("invalid_filter", "filters: " + what + " at position " + std::to_string(position));
  }
  void skip() {
    while (i_ < s_.size() && space(s_[i_])) ++i_;
  }
  // The keyword `word` (any case) next, followed by a space or a parenthesis; consumed if so.
  bool keyword(std::string_view word) {
    skip();
    if (s_.size() - i_ < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k)
      if ((s_[i_ + k] | 0x20) != (word[k] | 0x20)) return false;
    const std::size_t end = i_ + word.size();
    if (end < s_.size() && !space(s_[end]) && s_[end] != '(') return false;
    i_ = end;
    return true;
  }
  FilterNode group(FilterNode::Kind kind, FilterNode first, std::uint32_t position) {
    FilterNode g{kind, {}, {}, position, {}};
    g.children.push_back(std::move(first));
    return g;
  }
  FilterNode parse_or() {
    skip();
    const auto at = static_cast<std::uint32_t>(i_ + 1);
    auto left = parse_and();
    if (!keyword("or")) return left;
    auto g = group(FilterNode::Kind::any_of, std::move(left), at);
    do g.children.push_back(parse_and());
    while (keyword("or"));
    return g;
  }
  bool at_term_end() {
    skip();
    return i_ >= s_.size() || s_[i_] == ')';
  }
  FilterNode parse_and() {
    skip();
    const auto at = static_cast<std::uint32_t>(i_ + 1);
    auto left = parse_not();
    std::optional<FilterNode> g;
    for (;;) {
      const auto before = i_;
      if (keyword("and")) {
      } else if (at_term_end() || keyword("or")) {
        i_ = before;
        break;
      }
      if (!g) g = group(FilterNode::Kind::all_of, std::move(left), at);
      g->children.push_back(parse_not());
    }
    return g ? std::move(*g) : left;
  }
  FilterNode parse_not() {
    skip();
    const auto at = static_cast<std::uint32_t>(i_ + 1);
    if (keyword("not")) {
      if (++depth_ > limits::max_filter_depth) fail(at, "nested deeper than " + std::to_string(limits::max_filter_depth));
      auto g = group(FilterNode::Kind::none_of, parse_not(), at);
      --depth_;
      return g;
    }
    return parse_primary();
  }
  FilterNode parse_primary() {
    skip();
    if (i_ >= s_.size()) fail(i_ + 1, "expected an attribute test (name:value)");
    if (s_[i_] == '(') {
      const auto at = i_ + 1;
      if (++depth_ > limits::max_filter_depth) fail(at, "nested deeper than " + std::to_string(limits::max_filter_depth));
      ++i_;
      auto inner = parse_or();
      skip();
      if (i_ >= s_.size() || s_[i_] != ')') fail(i_ + 1, "expected ')' to close the '(' at position " + std::to_string(at));
      ++i_;
      --depth_;
      return inner;
    }
    FilterNode t;
    t.position = static_cast<std::uint32_t>(i_ + 1);
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ':' && !space(s_[i_]) && s_[i_] != '(' && s_[i_] != ')') {
      const char c = s_[i_];
      if (!name_char(c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c))
        fail(i_ + 1, std::string("unexpected '") + c + "' in an attribute name (a-z, 0-9, _ and -)");
      t.name += static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
      ++i_;
    }
    if (t.name.empty()) fail(start + 1, "expected an attribute name");
    if (i_ >= s_.size() || s_[i_] != ':') fail(i_ + 1, "expected ':' after the attribute name \"" + t.name + "\"");
    ++i_;
    if (i_ < s_.size() && s_[i_] == '"') {
      const auto open = i_ + 1;
      ++i_;
      for (;;) {
        if (i_ >= s_.size()) fail(open, "unterminated quoted value");
        const char c = s_[i_++];
        if (c == '"') break;
        if (c == '\\' && i_ < s_.size()) t.value += s_[i_++];
        else t.value += c;
      }
    } else {
      while (i_ < s_.size() && !space(s_[i_]) && s_[i_] != '(' && s_[i_] != ')') t.value += s_[i_++];
      if (t.value == "*") t.kind = FilterNode::Kind::any;
    }
    if (t.value.empty() && t.kind == FilterNode::Kind::test)
      fail(i_ + 1, "expected a value after \"" + t.name + ":\" (quote it if it has spaces or parentheses)");
    if (++tests_ > limits::max_filter_tests) fail(t.position, "more than " + std::to_string(limits::max_filter_tests) + " tests");
    return t;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::uint32_t depth_ = 0, tests_ = 0;
};

void write(const FilterNode& f, std::string& out, bool nested) {
  switch (f.kind) {
    case FilterNode::Kind::test: {
      out += f.name + ':';
      const bool plain = !f.value.empty() && f.value != "*" &&
                         std::none_of(f.value.begin(), f.value.end(), [](char c) { return space(c) || c == '(' || c == ')' || c == '"'; });
      if (plain) {
        out += f.value;
      } else {
        out += '"';
        for (char c : f.value) {
          if (c == '"' || c == '\\') out += '\\';
          out += c;
        }
        out += '"';
      }
      return;
    }
    case FilterNode::Kind::any: out += f.name + ":*"; return;
    case FilterNode::Kind::none_of:
      out += "NOT ";
      write(f.children[0], out, true);
      return;
    case FilterNode::Kind::all_of:
    case FilterNode::Kind::any_of: {
      if (nested) out += '(';
      const char* op = f.kind == FilterNode::Kind::all_of ? " AND " : " OR ";
      for (std::size_t k = 0; k < f.children.size(); ++k) {
        if (k) out += op;
        write(f.children[k], out, true);
      }
      if (nested) out += ')';
      return;
    }
  }
}

[[noreturn]] void unknown_attribute(const FilterNode& f) {
  throw UnknownAttributeError("invalid_filter", "filters: no record has the attribute \"" + f.name + "\" at position " +
                                           std::to_string(f.position));
}

using Bits = std::vector<std::uint64_t>;

void set_records(const Index::Data& d, std::uint32_t pair, Bits& out) {
  d.check_table(Index::Data::LazyChecks::Table::attribute_records);
  for (auto k = d.attr_docs_offset[pair]; k < d.attr_docs_offset[pair + 1]; ++k) {
    const auto doc = d.attr_docs[k];
    out[doc >> 6] |= std::uint64_t{1} << (doc & 63);
  }
}

Bits eval(const Index::Data& d, const FilterNode& f, bool strict) {
  const std::size_t words = (d.docs.size() + 63) / 64;
  Bits out(words, 0);
  switch (f.kind) {
    case FilterNode::Kind::test:
    case FilterNode::Kind::any: {
      const auto [first, last] = d.attr_range(f.name);
      if (first == last) {
        if (strict) unknown_attribute(f);
        return out;  // a name other segments have
      }
      if (f.kind == FilterNode::Kind::any) {
        for (auto a = first; a < last; ++a) set_records(d, a, out);
      } else if (const auto a = d.find_attr(f.name, f.value); a != Index::Data::no_attr) {
        set_records(d, a, out);
      }
      return out;
    }
    case FilterNode::Kind::none_of: {
      out = eval(d, f.children[0], strict);
      for (auto& w : out) w = ~w;
      if (d.docs.size() % 64) out.back() &= (std::uint64_t{1} << (d.docs.size() % 64)) - 1;
      return out;
    }
    case FilterNode::Kind::all_of: {
      out = eval(d, f.children[0], strict);
      for (std::size_t k = 1; k < f.children.size(); ++k) {
        const auto next = eval(d, f.children[k], strict);
        for (std::size_t w = 0; w < words; ++w) out[w] &= next[w];
      }
      return out;
    }
    case FilterNode::Kind::any_of: {
      for (const auto& c : f.children) {
        const auto next = eval(d, c, strict);
        for (std::size_t w = 0; w < words; ++w) out[w] |= next[w];
      }
      return out;
    }
  }
  return out;
}

}  // namespace

std::optional<FilterNode> parse_filter(std::string_view text) {
  if (std::all_of(text.begin(), text.end(), space)) return std::nullopt;
  return Parser(text).parse();
}

std::string to_string(const FilterNode& f) {
  std::string out;
  write(f, out, false);
  return out;
}

void filter_names(const FilterNode& f, std::vector<std::string>& out) {
  if (f.kind == FilterNode::Kind::test || f.kind == FilterNode::Kind::any) out.push_back(f.name);
  for (const auto& c : f.children) filter_names(c, out);
}

std::vector<std::uint64_t> evaluate_filter(const Index::Data& d, const FilterNode& f, bool strict) { return eval(d, f, strict); }

namespace {
// Whether a record of any of `segments` carries attribute `name`.
bool carried(std::span<const Index::Data* const> segments, std::string_view name) {
  return std::any_of(segments.begin(), segments.end(), [&](const Index::Data* d) {
    const auto [first, last] = d->attr_range(name);
    return first != last;
  });
}
}  // namespace

void check_filter_names(const Index::Data& d, const FilterNode& f) {
  const Index::Data* one[] = {&d};
  check_filter_names(one, f);
}

void check_filter_names(std::span<const Index::Data* const> ds, const FilterNode& f) {
  if (f.kind == FilterNode::Kind::test || f.kind == FilterNode::Kind::any) {
    if (!carried(ds, f.name)) unknown_attribute(f);
  }
  for (const auto& c : f.children) check_filter_names(ds, c);
}

namespace {

// The page a reader is on, by its URL as a browser shows it: without query or fragment, and
// with or without the index.html a directory's URL may carry.
std::uint32_t reader_page(const Index::Data& d, std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  if (url.empty()) return Index::Data::no_attr;
  if (auto doc = d.find_page(url); doc != Index::Data::no_attr) return doc;
  constexpr std::string_view index_html = "index.html";
  std::string other(url);
  if (url.ends_with('/')) other.append(index_html);
  else if (url.ends_with("/index.html")) other.resize(other.size() - index_html.size());
  else other.push_back('/');
  return d.find_page(other);
}

// The value `f` requires of attribute `name` when it requires one (a test, or a test AND-ed with
// anything), else "".
std::string required_value(const FilterNode& f, std::string_view name) {
  if (f.kind == FilterNode::Kind::test) return f.name == name ? f.value : std::string();
  if (f.kind == FilterNode::Kind::all_of)
    for (const auto& c : f.children)
      if (auto v = required_value(c, name); !v.empty()) return v;
  return {};
}

}  // namespace

RequestFilter request_filter(const Index::Data* d, const SearchRequest& request,
                             const std::vector<QueryAttribute>& in_query) {
  if (!d) return request_filter(std::span<const Index::Data* const>{}, request, in_query);
  const Index::Data* one[] = {d};
  return request_filter(one, request, in_query);
}

RequestFilter request_filter(std::span<const Index::Data* const> segments, const SearchRequest& request,
                             const std::vector<QueryAttribute>& in_query) {
  RequestFilter out;
  auto filter = parse_filter(request.filters);
  std::vector<std::string> named;
  if (filter) filter_names(*filter, named);
  FilterNode all{FilterNode::Kind::all_of, {}, {}, 0, {}};
  for (const auto& a : in_query) {
    if (!segments.empty() && !carried(segments, a.name)) {
      std::vector<std::string_view> names;
      for (const auto* d : segments)
        for (std::uint32_t p = 0; p < d->attr_count(); ++p) names.push_back(d->attr_name(p));
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      std::string known;
      for (const auto n : names) known += (known.empty() ? "" : ", ") + std::string(n);
      throw UnknownAttributeError("invalid_query", "unknown field '@" + a.name + ":' (fields: title, section_title, body, url; attributes: " +
                                              known + ")");
    }
    named.push_back(a.name);
    FilterNode test{FilterNode::Kind::test, a.name, a.value, 0, {}};
    if (a.value == "*") test.kind = FilterNode::Kind::any;
    if (!a.excluded) {
      all.children.push_back(std::move(test));
    } else {
      FilterNode no{FilterNode::Kind::none_of, {}, {}, 0, {}};
      no.children.push_back(std::move(test));
      all.children.push_back(std::move(no));
    }
  }
  // The reader's page, in the segment that has it.
  const Index::Data* d = nullptr;
  auto page = Index::Data::no_attr;
  if (!segments.empty() && !segments[0]->settings.context_attributes.empty() && !request.from_url.empty())
    for (const auto* seg : segments)
      if (page = reader_page(*seg, request.from_url); page != Index::Data::no_attr) {
        d = seg;
        break;
      }
  if (page != Index::Data::no_attr) {
    d->check_table(Index::Data::LazyChecks::Table::record_attributes);
    for (const auto& name : d->settings.context_attributes) {
      if (std::find(named.begin(), named.end(), name) != named.end()) continue;
      FilterNode values{FilterNode::Kind::any_of, {}, {}, 0, {}};
      for (auto k = d->doc_attr_offset[page]; k < d->doc_attr_offset[page + 1]; ++k) {
        const auto a = d->doc_attrs[k];
        if (d->attr_name(a) != name) continue;
        out.context.push_back({name, std::string(d->attr_value(a))});
        values.children.push_back({FilterNode::Kind::test, name, out.context.back().value, 0, {}});
      }
      if (!values.children.empty()) all.children.push_back(std::move(values));
    }
  }
  if (filter) all.children.push_back(std::move(*filter));
  // The language: what the query's @language: or the filters require, else the reader's when
  // their page has one.
  out.language = required_value(all, "language");
  if (out.language.empty()) {
    std::size_t languages = 0;
    for (const auto& c : out.context)
      if (c.name == "language") ++languages, out.language = c.value;
    if (languages > 1) out.language.clear();
  }
  if (all.children.size() == 1) out.filter = std::move(all.children.front());
  else if (!all.children.empty()) out.filter = std::move(all);
  return out;
}

RequestFilter set_filter(const Index::Data& d, const SearchRequest& request, const std::vector<QueryAttribute>& in_query,
                         Scratch& s) {
  auto r = request_filter(&d, request, in_query);
  s.filtered = r.filter.has_value();
  if (s.filtered) s.filter = eval(d, *r.filter, true);
  return r;
}

}  // namespace siteseek::detail
