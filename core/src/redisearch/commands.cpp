// RediSearch commands and replies as pure functions: what the backend sends for each dialect,
// the query language translated to RediSearch syntax, and FT.SEARCH replies turned into
// SearchResponses (distinct by page, curation pins and boosts, paging, escaping) on our side.
#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <span>

#include "index/attributes.hpp"
#include "index/index_data.hpp"
#include "redisearch/curation.hpp"
#include "redisearch/syntax.hpp"
#include "search/curation_apply.hpp"
#include "search/filter.hpp"
#include "search/highlight.hpp"
#include "search/merge.hpp"
#include "search/query_parser.hpp"
#include "search/question.hpp"
#include "search/ranking.hpp"
#include "siteseek/error.hpp"
#include "siteseek/index.hpp"
#include "siteseek/limits.hpp"
#include "siteseek/redisearch.hpp"

namespace siteseek::redisearch {

namespace {

// Highlight markers RediSearch puts around matches: control characters that indexed text never
// holds (ingestion collapses them), so the text can be escaped first and the tags put in after.
constexpr char mark_open = '\x01', mark_close = '\x02';

const char* const field_names[] = {"title", "section_title", "body", "url"};

// The search in two phases, atomically: the ids of the best `fetch` records (NOCONTENT: cheap),
// one per page unless distinct is off, then stored fields, highlights and summaries for the
// returned page only (INKEYS). Highlighting is RediSearch's costly part; this does it for `num`
// records instead of every fetched one. Facets, when asked, are an FT.AGGREGATE of the same
// query on the same index, run only when something matched (1.2 answers an aggregate whose query
// matches nothing with "Internal error processing QueryParseCtx").
// Curation (docs/redisearch.md#curation-rules): the pins the filter and the hides keep are found
// first (by URL, in the pins' order, one per page when distinct), lead the results and leave the
// ranking; boosts multiply the scores of the fetched records (WITHSCORES) before they are grouped
// by page and paged; each `count` query (a hide's records that matched, for explain) is counted.
// KEYS[1]: the site's schema key; KEYS[2]: the v1 pointer key (without it, ARGV[1] names the
// index or alias). ARGV: name, query, fetch, start, num, distinct, the schema the query needs (""
// for any), the count of aggregate arguments, those arguments, the pin query, the content query
// (what the returned records are fetched and highlighted by: the query, or it OR the pins), the
// count of pins and their URLs, the count of boosts and (URL, "1" for a page, factor) each, the
// count of count queries and those queries, then the content options.
// Returns {records, distinct records fetched (pins' pages left out), records fetched, FT.AGGREGATE
// reply or 0, pins kept ({key, matched 0/1, attrs} each, in order), records each boost touched,
// each count query's count, FT.SEARCH reply, chosen ids...}.
constexpr const char* search_script = R"lua(
local idx = ARGV[1]
if #KEYS > 1 then idx = redis.call('GET', KEYS[2]) end
if not idx then return {0, 0, 0, 0} end
if ARGV[7] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[7] then return redis.error_reply('siteseek_outdated_index') end
local q, distinct = ARGV[2], ARGV[6] == '1'
local aggregate = tonumber(ARGV[8])
local at = 9 + aggregate
local pin_query, content_query = ARGV[at], ARGV[at + 1]
local npins = tonumber(ARGV[at + 2])
at = at + 3
local pin_urls = {}
for i = 1, npins do pin_urls[i] = ARGV[at + i - 1] end
at = at + npins
local nboosts = tonumber(ARGV[at])
local boosts = {}
for i = 1, nboosts do boosts[i] = {ARGV[at + 3 * i - 2], ARGV[at + 3 * i - 1] == '1', tonumber(ARGV[at + 3 * i])} end
at = at + 1 + 3 * nboosts
local ncounts = tonumber(ARGV[at])
local counts = {}
for i = 1, ncounts do counts[i] = redis.call('FT.SEARCH', idx, ARGV[at + i], 'NOCONTENT', 'LIMIT', 0, 1)[1] end
at = at + 1 + ncounts
-- A key is the index's prefix, ':' and the record's URL.
local function names(key, url) return #key > #url and string.sub(key, -#url - 1) == ':' .. url end
-- Its page: without the #fragment, unless the fragment is a route (#/guide?id=x: page_of in document.hpp).
local function page_of(key) return string.match(key, '^[^#]*#!?/[^?]*') or string.match(key, '^[^#]*') end
local pins, pin_of = {}, {}
if npins > 0 then
  local found = redis.call('FT.SEARCH', idx, pin_query, 'RETURN', 1, 'attrs', 'LIMIT', 0, npins)
  for k = 1, npins do
    for i = 2, #found, 2 do
      local key = found[i]
      if names(key, pin_urls[k]) then
        local mark = key
        if distinct then mark = page_of(key) end
        if not pin_of[mark] then
          local fields, attrs = found[i + 1], ''
          for f = 1, #fields - 1, 2 do if fields[f] == 'attrs' then attrs = fields[f + 1] end end
          pins[#pins + 1] = {key, 0, attrs}
          pin_of[mark] = #pins
        end
        break
      end
    end
  end
end
local ids = redis.call('FT.SEARCH', idx, q, 'NOCONTENT', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local ranked = {}
for i = 2, #ids - 1, 2 do ranked[#ranked + 1] = {ids[i], tonumber(ids[i + 1]), #ranked} end
local touched = {}
for b = 1, nboosts do touched[b] = 0 end
if nboosts > 0 then
  for _, r in ipairs(ranked) do
    local page = page_of(r[1])
    for b = 1, nboosts do
      local x = boosts[b]
      if (x[2] and names(page, x[1])) or (not x[2] and names(r[1], x[1])) then
        r[2] = r[2] * x[3]
        touched[b] = touched[b] + 1
      end
    end
  end
  table.sort(ranked, function(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[3] < b[3] end)
end
local seen, kept = {}, {}
for _, r in ipairs(ranked) do
  local key = r[1]
  local page = page_of(key)
  local p = pin_of[key]
  if distinct then p = pin_of[page] end
  if p then
    pins[p][2] = 1
  elseif not distinct or not seen[page] then
    seen[page] = true
    kept[#kept + 1] = key
  end
end
local facets = 0
if aggregate > 0 and ids[1] > 0 then
  local args = {idx, q}
  for i = 9, 8 + aggregate do args[#args + 1] = ARGV[i] end
  facets = redis.call('FT.AGGREGATE', unpack(args))
end
local start, num = tonumber(ARGV[4]), tonumber(ARGV[5])
local chosen = {}
for i = start + 1, start + num do
  if i <= #pins then chosen[#chosen + 1] = pins[i][1]
  elseif i - #pins <= #kept then chosen[#chosen + 1] = kept[i - #pins]
  else break end
end
local out = {ids[1], #kept, #ranked, facets, pins, touched, counts}
if #chosen == 0 then return out end
local args = {idx, content_query, 'INKEYS', #chosen}
for i = 1, #chosen do args[#args + 1] = chosen[i] end
for i = at, #ARGV do args[#args + 1] = ARGV[i] end
out[8] = redis.call('FT.SEARCH', unpack(args))
for i = 1, #chosen do out[8 + i] = chosen[i] end
return out
)lua";

// The records a boost may move among: at least this many are fetched when one fires.
constexpr std::size_t boost_window = 100;

// What the script answers when the current index predates the query's fields.
constexpr std::string_view outdated_index = "siteseek_outdated_index";

// One part of an attribute_tag: a-z and 0-9 as they are, every other byte '_' and two hex digits.
void append_tag_part(std::string_view text, std::string& out) {
  static constexpr char hex[] = "0123456789abcdef";
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += static_cast<char>(c);
    } else {
      out += '_';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

// The text of a part append_tag_part wrote.
std::string tag_part_text(std::string_view part) {
  auto nibble = [](char c) { return c >= 'a' ? c - 'a' + 10 : c - '0'; };
  std::string out;
  for (std::size_t i = 0; i < part.size(); ++i) {
    if (part[i] == '_' && i + 2 < part.size()) {
      out += static_cast<char>(nibble(part[i + 1]) * 16 + nibble(part[i + 2]));
      i += 2;
    } else {
      out += part[i];
    }
  }
  return out;
}

// The `attrs` TAG field of a record: each of its attributes (for_each_attribute: the embedded
// index's rule) as name__value, and each name once as name__ (for name:*). ',' separates them:
// the default of the TAG field and of split() in FT.AGGREGATE, and never in a tag.
std::string attrs_field(const Document& doc) {
  std::vector<std::string> tags;
  detail::for_each_attribute(doc, [&](std::string_view name, std::string_view value) {
    for (auto tag : {attribute_tag(name), attribute_tag(name, value)})
      if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(std::move(tag));
  });
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ",") + t;
  return out;
}

// The key facets count a page once by (results distinct by page): its URL, encoded as attribute
// tags are, since RediSearch lowercases a sortable text field (A.html and a.html are two pages).
std::string page_key(const Document& doc) {
  std::string out;
  append_tag_part(page_url(doc), out);
  return out;
}

// The tag a test or `name:*` node is about.
std::string tag_of(const detail::FilterNode& f) {
  return f.kind == detail::FilterNode::Kind::any ? attribute_tag(f.name) : attribute_tag(f.name, f.value);
}

void write_filter(const detail::FilterNode& f, std::string& out);

// Children of an AND (joined by ' ') or an OR ('|'), in parentheses, each negation in its own:
// RediSearch 1.2 reads `(-a b)` as NOT (a b) and refuses `(-a|b)`.
void write_group(const std::vector<detail::FilterNode>& children, char join, std::string& out) {
  out += '(';
  for (std::size_t k = 0; k < children.size(); ++k) {
    std::string inner;
    write_filter(children[k], inner);
    if (k) out += join;
    out += inner.front() == '-' ? "(" + inner + ")" : inner;
  }
  out += ')';
}

// A filter as tests of the `attrs` tag; an OR of tests is one tag union.
void write_filter(const detail::FilterNode& f, std::string& out) {
  using Kind = detail::FilterNode::Kind;
  switch (f.kind) {
    case Kind::test:
    case Kind::any: out += "@attrs:{" + tag_of(f) + "}"; return;
    case Kind::none_of: {
      std::string inner;
      write_filter(f.children[0], inner);
      out += inner.front() == '-' ? "-(" + inner + ")" : "-" + inner;
      return;
    }
    case Kind::all_of: write_group(f.children, ' ', out); return;
    case Kind::any_of:
      if (std::all_of(f.children.begin(), f.children.end(), [](const auto& c) { return c.kind == Kind::test || c.kind == Kind::any; })) {
        out += "@attrs:{";
        for (std::size_t k = 0; k < f.children.size(); ++k) out += (k ? "|" : "") + tag_of(f.children[k]);
        out += '}';
      } else {
        write_group(f.children, '|', out);
      }
      return;
  }
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string section_of(const std::string& url, const std::string& root) {
  if (url.rfind(root, 0) != 0) return {};
  auto rest = std::string_view(url).substr(root.size());
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  auto end = rest.find_first_of("/#?");
  return std::string(end == std::string_view::npos ? rest : rest.substr(0, end));
}

// A word the site's documents use several times is taken as typed (the embedded engine's rule).
bool known_word(const Index* vocabulary, const std::string& word) {
  if (!vocabulary) return false;
  const auto id = vocabulary->find(word);
  return id >= 0 && vocabulary->doc_freq(static_cast<std::uint32_t>(id)) >= detail::known_word_min_df;
}

// One operand (word or phrase) in RediSearch syntax, or "" when it has no tokens. A single word
// that fires a curation synonym rule is OR-ed with its synonyms.
std::string operand(const detail::QueryOperand& op, const SearchOptions& so, bool typo, const std::set<std::string>& synonyms,
                    const std::set<std::string>& stop_words, Dialect dialect, const Index* vocabulary,
                    const RuleSynonyms& rule_syn = {}) {
  auto toks = tokens(op.text);
  // RediSearch indexes no stop words, and 1.2 refuses a phrase holding one ("built in" and
  // "the" are syntax errors): a phrase or a hyphenated word is searched without them.
  if (op.phrase || toks.size() > 1) std::erase_if(toks, [&](const std::string& t) { return stop_words.count(t) > 0; });
  if (toks.empty()) return {};
  std::string out;
  if (op.phrase || toks.size() > 1) {
    // A dotted or hyphenated word (os.path.join, v6.2.8) is its tokens side by side.
    bool last_prefix = op.prefix && !op.phrase && toks.back().size() >= 2;
    if (last_prefix) {
      for (std::size_t i = 0; i + 1 < toks.size(); ++i) out += toks[i] + " ";
      out = "(" + out + toks.back() + "*)";
    } else {
      out = "\"";
      for (std::size_t i = 0; i < toks.size(); ++i) out += (i ? " " : "") + toks[i];
      out += "\"";
    }
  } else {
    const std::string& t = toks.front();
    const bool fuzzy = typo && !all_digits(t) && t.size() >= so.one_typo_min_length && !known_word(vocabulary, t);
    // Two edits (%%word%%) exist from RediSearch 2.0; 1.2 knows one.
    const bool two = dialect == Dialect::v2 && t.size() >= so.two_typos_min_length;
    const std::string edits = two ? "%%" + t + "%%" : "%" + t + "%";
    if (op.prefix && t.size() >= 2 && !synonyms.count(t)) {
      // The word itself is one of its completions; RediSearch does not apply synonyms or typo
      // tolerance to a prefix, so a long enough word is also matched fuzzily.
      out = fuzzy ? "(" + t + "*|" + edits + ")" : t + "*";
    } else if (fuzzy) {
      // Exact and fuzzy: the exact match scores higher (more terms of the union match). A
      // synonym typed last is searched whole too: RediSearch maps words, not prefixes.
      out = "(" + t + "|" + edits + ")";
 } else {
      out = t;
    }
    out = with_synonyms(out, rule_synonyms({t}, rule_syn.rules, stop_words, rule_syn.fired), rule_syn.weighted);
  }
  if (op.field) out = "@" + std::string(field_names[*op.field]) + ":" + (out.front() == '(' ? out : "(" + out + ")");
  return out;
}

void push_fields(RedisCommand& cmd, const Document& doc) {
  boost::json::array h;
  for (const auto& s : doc.hierarchy) h.emplace_back(s);
  const std::pair<const char*, std::string> fields[] = {
      {"title", doc.title},
      {"section_title", doc.section_title},
      {"body", doc.body},
      {"url", doc.url},
      {"id", doc.url},  // a TAG: one record by its URL (landing pages)
      {"section", doc.section_key},
      {"hierarchy", boost::json::serialize(h)},
      {"type", doc.type == DocumentType::page ? "page" : "section"},
      {"page", page_key(doc)},
      {"attrs", attrs_field(doc)},
  };
  for (const auto& [name, value] : fields) {
    // An empty field is left out: RediSearch 1.2 shifts the highlight offsets of the fields after
    // an empty one (the wrong words come back highlighted).
    if (value.empty()) continue;
    cmd.emplace_back(name);
    cmd.push_back(value);
  }
}

// Text from RediSearch: escaped, markers turned into the request's tags.
std::string present(std::string_view text, const std::string& pre, const std::string& post) {
  std::string escaped;
  detail::html_escape(text, escaped);
  std::string out;
  out.reserve(escaped.size() + 16);
  for (char c : escaped) {
    if (c == mark_open) out += pre;
    else if (c == mark_close) out += post;
    else out += c;
  }
  return out;
}

// A body with no match (RediSearch returns it whole): its start, cut at a word, with an ellipsis.
std::string body_start(std::string_view body, std::size_t length) {
  if (body.size() <= length) return std::string(body);
  std::size_t cut = length;
  while (cut > length / 2 && body[cut] != ' ') --cut;
  while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return std::string(body.substr(0, cut)) + "…";
}

struct Hit {
  std::string id;
  std::vector<std::pair<std::string, std::string>> fields;
  const std::string& get(std::string_view name) const {
    static const std::string none;
    for (const auto& [k, v] : fields)
      if (k == name) return v;
    return none;
  }
};

std::vector<Hit> hits_of(const RedisReply& reply, std::uint64_t& total) {
  reply.check("FT.SEARCH");
  std::vector<Hit> hits;
  if (reply.type != RedisReply::Type::array || reply.elements.empty()) return hits;
  total = static_cast<std::uint64_t>(std::max<long long>(0, reply.elements[0].integer));
  for (std::size_t i = 1; i + 1 < reply.elements.size(); i += 2) {
    Hit h;
    h.id = reply.elements[i].str;
    const auto& f = reply.elements[i + 1].elements;
    for (std::size_t k = 0; k + 1 < f.size(); k += 2) h.fields.emplace_back(f[k].str, f[k + 1].str);
    hits.push_back(std::move(h));
  }
  return hits;
}

SearchResult result_of(const Hit& h, const std::string& pre, const std::string& post, std::size_t snippet_length) {
  SearchResult r;
  r.title = present(h.get("title"), pre, post);
  r.section_title = present(h.get("section_title"), pre, post);
  const std::string& body = h.get("body");
  r.body = body.find(mark_open) != std::string::npos ? present(body, pre, post)
                                                      : present(body_start(body, snippet_length), pre, post);
  r.url = h.get("url");
  r.type = h.get("type") == "section" ? DocumentType::section : DocumentType::page;
  boost::system::error_code ec;
  auto hv = boost::json::parse(h.get("hierarchy"), ec);
  if (!ec && hv.is_array())
    for (const auto& s : hv.as_array())
      if (s.is_string()) r.hierarchy.emplace_back(present(s.as_string(), pre, post));
  return r;
}


// The asked facet names (at most limits::max_facets, as the embedded engine takes them).
std::span<const std::string> facet_names(const SearchRequest& request) {
  return {request.facets.data(), std::min(request.facets.size(), limits::max_facets)};
}

// FT.AGGREGATE's arguments after the query: every matching record's tags, one row per tag of an
// asked name with the pages (distinct) or records holding it. `attrs` and `page` are SORTABLE:
// read from memory, not loaded from each record's hash (2.5 times faster on 15,000 records).
std::vector<std::string> facet_arguments(const SearchRequest& request, const SiteSettings& site) {
  const auto names = facet_names(request);
  if (names.empty()) return {};
  const bool distinct = request.distinct.value_or(site.search.distinct_by_page);
  std::vector<std::string> args{"APPLY", "split(@attrs)", "AS", "a", "GROUPBY", "1", "@a", "REDUCE"};
  if (distinct) args.insert(args.end(), {"COUNT_DISTINCT", "1", "@page", "AS", "n"});
  else args.insert(args.end(), {"COUNT", "0", "AS", "n"});
  // Only the asked names' rows (1.2 filters a split value after GROUPBY only).
  std::string keep;
  for (const auto& name : names) {
    const std::string prefix = attribute_tag(name);
    keep += (keep.empty() ? "" : " || ") + ("substr(@a, 0, " + std::to_string(prefix.size()) + ") == \"" + prefix + "\"");
  }
  args.insert(args.end(), {"FILTER", keep});
  return args;
}

// Facets from the aggregate's rows ({a, tag, n, count} each) and, for each pin added to the
// results without matching, its tags once more: values most frequent first, ties by value, at most
// limits::max_facet_values (the embedded engine's order and cut).
std::vector<Facet> facets_of(const RedisReply& rows, const std::vector<std::string>& pinned_tags, const SearchRequest& request) {
  std::vector<std::pair<std::string, std::uint64_t>> tags;  // tag -> count
  if (rows.type == RedisReply::Type::array) {
    for (std::size_t i = 1; i < rows.elements.size(); ++i) {
      const auto& row = rows.elements[i].elements;
      std::string tag;
      long long n = 0;
      for (std::size_t k = 0; k + 1 < row.size(); k += 2) {
        if (row[k].str == "a") tag = row[k + 1].str;
        if (row[k].str == "n") n = integer_of(row[k + 1]);
      }
      if (!tag.empty() && n > 0) tags.emplace_back(std::move(tag), static_cast<std::uint64_t>(n));
    }
  }
  for (const auto& pinned : pinned_tags) {
    std::string_view rest = pinned;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string tag(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      auto it = std::find_if(tags.begin(), tags.end(), [&](const auto& t) { return t.first == tag; });
      if (it == tags.end()) tags.emplace_back(tag, 1);
      else ++it->second;
    }
  }
  std::vector<Facet> out;
  for (const auto& name : facet_names(request)) {
    auto& facet = out.emplace_back();
    facet.name = name;
    const std::string prefix = attribute_tag(name);
    for (const auto& [tag, count] : tags)
      if (tag.size() > prefix.size() && tag.starts_with(prefix))
        facet.values.push_back({tag_part_text(std::string_view(tag).substr(prefix.size())), count});
    detail::order_facet(facet);
  }
  return out;
}

}  // namespace

std::string attribute_tag(std::string_view name) {
  std::string out;
  append_tag_part(name, out);
  out += "__";
  return out;
}

std::string attribute_tag(std::string_view name, std::string_view value) {
  std::string out = attribute_tag(name);
  append_tag_part(value, out);
  return out;
}

int module_version(const RedisReply& list) {
  for (const auto& module : list.elements) {
    bool search = false;
    long long version = 0;
    for (std::size_t i = 0; i + 1 < module.elements.size(); i += 2) {
      const auto& key = module.elements[i].str;
      const auto& value = module.elements[i + 1];
      if (key == "name") search = value.str == "ft" || value.str == "search";
      if (key == "ver") version = value.integer;
    }
    if (search) return static_cast<int>(version);
  }
  return 0;
}

Dialect dialect_for(int version) {
  if (version <= 0)
    throw RedisError("redis_error", "RediSearch is not loaded in this Redis (MODULE LIST): start redis-server with "
                                    "--loadmodule /usr/lib/redis/modules/redisearch.so, or use backend = \"embedded\"");
  return version < 20000 ? Dialect::v1 : Dialect::v2;
}

IndexNames names(const std::string& prefix, const std::string& site, std::uint64_t generation) {
  IndexNames n;
  n.current = prefix + "rs:" + site + ":current";
  n.index = prefix + "rs:" + site + ":" + std::to_string(generation);
  n.docs = n.index + ":";
  n.schema = prefix + "rs:" + site + ":schema";
  return n;
}

std::vector<RedisCommand> create_commands(Dialect dialect, const IndexNames& names, const SiteSettings& site) {
  RedisCommand create{"FT.CREATE", names.index};
  if (dialect == Dialect::v2) {
    create.insert(create.end(), {"ON", "HASH", "PREFIX", "1", names.docs, "SCORE_FIELD", "__score"});
    if (site.language != "none") create.insert(create.end(), {"LANGUAGE", site.language});
  }
  create.emplace_back("STOPWORDS");
  create.push_back(std::to_string(site.stop_words.size()));
  create.insert(create.end(), site.stop_words.begin(), site.stop_words.end());
  create.emplace_back("SCHEMA");
  const auto& w = site.field_weights;
  const std::pair<const char*, double> text_fields[] = {
      {"title", w.title}, {"section_title", w.section_title}, {"body", w.body}, {"url", w.url}};
  for (const auto& [name, fw] : text_fields) {
    create.insert(create.end(), {name, "TEXT", "WEIGHT", weight(fw)});
    if (site.language == "none" || std::string_view(name) == "url") create.emplace_back("NOSTEM");
  }
  create.insert(create.end(), {"id", "TAG", "SEPARATOR", "\x1f", "section", "TAG", "SEPARATOR", "\x1f",
                               "attrs", "TAG", "SEPARATOR", ",", "SORTABLE", "hierarchy", "TEXT", "NOINDEX", "type", "TEXT",
                               "NOINDEX", "page", "TEXT", "NOINDEX", "SORTABLE"});
  std::vector<RedisCommand> out{std::move(create)};
  // Synonym groups of single words (RediSearch maps terms, not phrases).
  std::size_t group = 0;
  for (const auto& g : site.synonyms) {
    RedisCommand syn = dialect == Dialect::v1 ? RedisCommand{"FT.SYNADD", names.index}
                                              : RedisCommand{"FT.SYNUPDATE", names.index, "g" + std::to_string(group++)};
    std::size_t words = 0;
    for (const auto& term : g) {
      auto t = tokens(term);
      if (t.size() == 1) syn.push_back(t.front()), ++words;
    }
    if (words >= 2) out.push_back(std::move(syn));
  }
  return out;
}

RedisCommand add_command(Dialect dialect, const IndexNames& names, const Document& doc, double score) {
  char s[32];
  std::snprintf(s, sizeof s, "%.6f", std::clamp(score, 0.000001, 1.0));
  RedisCommand cmd;
  if (dialect == Dialect::v1) {
    cmd = {"FT.ADD", names.index, names.docs + doc.id, s};
    cmd.emplace_back("FIELDS");
  } else {
    cmd = {"HSET", names.docs + doc.id, "__score", s};
  }
  push_fields(cmd, doc);
  return cmd;
}

RedisCommand swap_command(Dialect dialect, const IndexNames& names) {
  if (dialect == Dialect::v1) return {"SET", names.current, names.index};
  return {"FT.ALIASUPDATE", names.current, names.index};
}

RedisCommand drop_command(Dialect dialect, const std::string& index) {
  if (dialect == Dialect::v1) return {"FT.DROP", index};  // 1.x drops the documents with it
  return {"FT.DROPINDEX", index, "DD"};
}

std::string Translated::query() const {
  if (text.empty()) return text;
  std::string q = filter.empty() ? text : "(" + text + ") ((" + filter + ") => {$weight: 0})";
  // A hide is a negation of its records' URLs, last and in parentheses (1.2 reads `-a b` as
  // NOT (a b)): RediSearch counts (and facets) without them.
  if (!hidden.empty()) q = (filter.empty() ? "(" + q + ")" : q) + " (-" + hidden + ")";
  return q;
}

std::string Translated::pin_query() const {
  if (pins.empty()) return {};
  std::string q = url_union(pins);
  if (!filter.empty()) q += " (" + filter + ")";  // a pin the filter leaves out is not shown
  if (!hidden.empty()) q += " (-" + hidden + ")";  // nor one a hide removes
  return q;
}

std::string translate_query(const SearchRequest& request, const SiteSettings& site, Dialect dialect,
                            const Index* vocabulary) {
  return translate(request, site, dialect, vocabulary).query();
}

Translated translate(const SearchRequest& request, const SiteSettings& site, Dialect dialect, const Index* vocabulary,
                     const detail::CompiledRules* rules) {
  const auto& so = site.search;
  const bool as_you_type = request.prefix.value_or(so.prefix_search);
  const bool typo = request.typo.value_or(so.typo_tolerance);
  auto parsed = detail::parse_query(request.q, as_you_type);
  std::set<std::string> synonyms;  // single-word members of the site's synonym groups
  for (const auto& g : site.synonyms)
    for (const auto& term : g)
      if (auto t = tokens(term); t.size() == 1) synonyms.insert(t.front());
  std::set<std::string> stop_words;  // as FT.CREATE was given them
  for (const auto& w : site.stop_words)
    for (auto& t : tokens(w)) stop_words.insert(std::move(t));
  Translated out;
  // A clause in RediSearch syntax ("" when it has no tokens); its single words OR-ed with their
  // curation synonyms when `expand`.
  const auto& clauses = parsed.clauses;
  auto clause_text = [&](const detail::QueryClause& clause, bool expand) {
    std::vector<std::string> alts;
    const RuleSynonyms rule_syn{expand ? rules : nullptr, &out.expanded_by, !clause.excluded};
    for (const auto& op : clause.alternatives)  // an excluded word excludes itself only, not its neighbours
      if (auto s = operand(op, so, typo && !clause.excluded, synonyms, stop_words, dialect, vocabulary, rule_syn); !s.empty())
        alts.push_back(std::move(s));
    if (alts.empty()) return std::string();
    std::string part;
    if (alts.size() == 1) {
      part = alts.front();
    } else {
      part = "(";
      for (std::size_t i = 0; i < alts.size(); ++i) part += (i ? "|" : "") + alts[i];
      part += ")";
    }
    // In parentheses: 1.2 reads `-a b` as NOT (a b), whatever follows.
    if (clause.excluded) part = "(-" + (part.front() == '(' || part.find(' ') == std::string::npos ? part : "(" + part + ")") + ")";
    return part;
  };
  // The token of each clause that is one plain word (not excluded, no phrase, no field, no
  // alternatives): what a run of words is compared with.
  std::vector<std::optional<std::string>> plain(clauses.size());
  for (std::size_t i = 0; i < clauses.size(); ++i) {
    const auto& c = clauses[i];
    if (c.excluded || c.alternatives.size() != 1 || c.alternatives[0].phrase || c.alternatives[0].field) continue;
    if (auto t = tokens(c.alternatives[0].text); t.size() == 1) plain[i] = t.front();
  }
  // The words framing a question, as the embedded engine finds them (search/plan.cpp): left out,
  // as RediSearch leaves out the stop words it did not index.
  std::vector<bool> frame(clauses.size(), false);
  if (detail::frames_questions(site.language, !site.stop_words.empty())) {
    std::vector<std::string> words(clauses.size());
    for (std::size_t i = 0; i < clauses.size(); ++i)
      if (plain[i]) words[i] = *plain[i];
    frame = detail::question_frame(words);
  }
  // What explain calls optional: the plain words framing a question or that are stop words
  // (RediSearch indexed none), unless the query has nothing else.
  bool any_required = false;
  for (std::size_t i = 0; i < clauses.size(); ++i) {
    if (plain[i] && (frame[i] || stop_words.count(*plain[i]))) out.optional_words.push_back(*plain[i]);
    else any_required = any_required || !clauses[i].excluded;
  }
  if (!any_required) out.optional_words.clear();
  // Curation synonyms, in the embedded engine's order (search/plan.cpp): at each clause, the
  // longest run of two to four plain words equal to a member that fires a rule becomes that run
  // OR the rules' other members; else the clause's single words get theirs.
  std::string q;
  bool positive = false;
  for (std::size_t i = 0; i < clauses.size();) {
    if (frame[i]) {
      ++i;
      continue;
    }
    std::size_t taken = 1;
    std::string text;
    if (rules && !rules->synonyms.empty() && plain[i]) {
      for (std::size_t len = std::min<std::size_t>(4, clauses.size() - i); len >= 2 && text.empty(); --len) {
        std::vector<std::string> words;
        for (std::size_t k = i; k < i + len && plain[k] && !frame[k]; ++k) words.push_back(*plain[k]);
        if (words.size() != len) continue;
        const auto alternatives = rule_synonyms(words, rules, stop_words, &out.expanded_by);
        if (alternatives.empty()) continue;
        std::string original;
        for (std::size_t k = i; k < i + len; ++k) original += (k > i ? " " : "") + clause_text(clauses[k], false);
        text = with_synonyms(original, alternatives, true);
        taken = len;
      }
    }
    if (text.empty()) text = clause_text(clauses[i], true);
    i += taken;
    if (text.empty()) continue;
    if (taken > 1 || !clauses[i - 1].excluded) positive = true;
    q += (q.empty() ? "" : " ") + text;
  }
  // The filter first: its errors are the request's whatever the text (as with the embedded engine).
  const Index::Data* d = vocabulary ? &vocabulary->data() : nullptr;
  auto filter = detail::request_filter(d, request, parsed.attributes);
  if (filter.filter) {
    if (d) detail::check_filter_names(*d, *filter.filter);
    write_filter(*filter.filter, out.filter);
  }
  out.context = std::move(filter.context);
  add_targets(out, request, site, d, rules);
  if (!positive) return out;  // only exclusions (or nothing): no query RediSearch can run
  const std::string section = request.from_url.empty() ? std::string() : section_of(request.from_url, site.url);
  if (!section.empty() && site.boosts.current_section != 1.0) {
    q = "((@section:{" + tag_escape(section) + "}) => {$weight: " + weight(site.boosts.current_section) + "} " + q + ") | " + q;
  }
  out.text = std::move(q);
  return out;
}

namespace {

// The search script's command (search_script above): `query` searched, `t`'s curation (none: a
// query without rules).
RedisCommand script_command(Dialect dialect, const IndexNames& current, const std::string& query, const Translated* t,
                            const SearchRequest& request, const SiteSettings& site, bool uses_attributes) {
  const bool distinct = request.distinct.value_or(site.search.distinct_by_page);
  const std::size_t start = std::min<std::size_t>(request.start, limits::max_results_window);
  const std::size_t num = std::min<std::size_t>(request.num, limits::max_results_window - start);
  // Sections of one page come out together with it: fetch more ids to fill the page with pages.
  const std::size_t want = start + num;
  std::size_t fetch = distinct ? std::min<std::size_t>(want * 3 + 10, limits::max_results_window) : want;
  // A boost reorders the fetched records only: fetch a wider window for it to act in.
  if (t && !t->boosts.empty()) fetch = std::min(limits::max_results_window, std::max({fetch, want * 5, boost_window}));
  const std::size_t words = std::max<std::size_t>(8, request.snippet_length.value_or(site.search.snippet_length) / 6);
  const auto facets = facet_arguments(request, site);
  RedisCommand cmd{"EVAL", search_script};
  if (dialect == Dialect::v1) cmd.insert(cmd.end(), {"2", current.schema, current.current, ""});
  else cmd.insert(cmd.end(), {"1", current.schema, current.current});
  cmd.insert(cmd.end(), {query, std::to_string(std::max<std::size_t>(fetch, 1)), std::to_string(start), std::to_string(num),
                         distinct ? "1" : "0", uses_attributes || !facets.empty() ? schema_version : "",
                         std::to_string(facets.size())});
  cmd.insert(cmd.end(), facets.begin(), facets.end());
  // Pins: found by the pin query; the returned records fetched by the query OR the pins (a pin
  // need not match the query).
  const bool pins = t && !t->pins.empty();
  cmd.push_back(pins ? t->pin_query() : std::string());
  cmd.push_back(pins ? "(" + query + ")|(" + url_union(t->pins) + ")" : query);
  cmd.push_back(std::to_string(pins ? t->pins.size() : 0));
  if (pins) cmd.insert(cmd.end(), t->pins.begin(), t->pins.end());
  std::size_t boosts = 0;
  if (t)
    for (const auto& b : t->boosts) boosts += b.url.empty() ? 0 : 1;
  cmd.push_back(std::to_string(boosts));
  if (t)
    for (const auto& b : t->boosts)
      if (!b.url.empty()) {
        char f[32];
        std::snprintf(f, sizeof f, "%.9g", b.factor);
        cmd.insert(cmd.end(), {b.url, b.page ? "1" : "0", f});
      }
  // With explain: how many matching records each hide removed (the query without the hides, and
  // the hide's records).
  std::vector<std::string> counts;
  if (t && request.explain) {
    Translated shown = *t;
    shown.hidden.clear();
    const std::string all = shown.query();
    for (const auto& [rule, urls] : t->hides)
      if (!urls.empty() && !all.empty()) counts.push_back("(" + all + ") (" + urls + ")");
  }
  cmd.push_back(std::to_string(counts.size()));
  cmd.insert(cmd.end(), counts.begin(), counts.end());
  cmd.insert(cmd.end(), {"RETURN", "6", "title", "section_title", "body", "url", "hierarchy", "type",
                         "SUMMARIZE", "FIELDS", "1", "body", "FRAGS", "1", "LEN", std::to_string(words),
                         "HIGHLIGHT", "FIELDS", "3", "title", "section_title", "body", "TAGS", std::string(1, mark_open),
                         std::string(1, mark_close), "LIMIT", "0", std::to_string(std::max<std::size_t>(num, 1))});
  return cmd;
}

}  // namespace

RedisCommand search_command(Dialect dialect, const IndexNames& current, const std::string& query,
                            const SearchRequest& request, const SiteSettings& site, bool uses_attributes) {
  return script_command(dialect, current, query, nullptr, request, site, uses_attributes);
}

RedisCommand search_command(Dialect dialect, const IndexNames& current, const Translated& translated,
                            const SearchRequest& request, const SiteSettings& site) {
  return script_command(dialect, current, translated.query(), &translated, request, site, !translated.filter.empty());
}

SearchResponse parse_search_reply(const RedisReply& reply, const SearchRequest& request, const SiteSettings& site) {
  return parse_search_reply(reply, request, site, Translated{}, nullptr);
}

SearchResponse parse_search_reply(const RedisReply& reply, const SearchRequest& request, const SiteSettings& site,
                                  const Translated& t, const detail::CompiledRules* rules) {
  if (reply.is_error() && reply.str.find(outdated_index) != std::string::npos)
    throw RequestError("no_index", "the RediSearch index of site '" + site.name +
                                       "' was built by an older siteseek, without record attributes: reindex the site "
                                       "(`siteseek index --site " + site.name + "` or POST /indexer) to filter or facet it");
  reply.check("FT.SEARCH");
  SearchResponse out;
  const auto& e = reply.elements;
  if (request.explain) out.explain = t.explain();
  if (reply.type != RedisReply::Type::array || e.size() < 4) return out;  // no index yet
  const auto records = count_of(e[0]);
  const auto distinct_fetched = count_of(e[1]);
  const auto fetched = count_of(e[2]);
  static const RedisReply nothing;
  const auto& pins = e.size() > 4 ? e[4] : nothing;        // {key, matched, attrs} each
  const auto& touched = e.size() > 5 ? e[5] : nothing;     // per boost sent
  const auto& counts = e.size() > 6 ? e[6] : nothing;      // per hide counted
  std::size_t unmatched = 0;
  std::vector<std::string> unmatched_tags;  // facets count a pin that did not match once more
  for (const auto& p : pins.elements)
    if (p.elements.size() >= 3 && integer_of(p.elements[1]) == 0) ++unmatched, unmatched_tags.push_back(p.elements[2].str);
  // Exact when every matching record was fetched (the pins' pages left the ranking and lead); else
  // the record count (an upper bound) and the pins that did not match.
  out.total = fetched >= records ? distinct_fetched + pins.elements.size() : records + unmatched;
  const auto& so = site.search;
  const std::string pre = request.highlight_pre_tag.value_or(so.highlight_pre_tag);
  const std::string post = request.highlight_post_tag.value_or(so.highlight_post_tag);
  const std::size_t snippet = request.snippet_length.value_or(so.snippet_length);

  std::uint64_t n = 0;
  std::vector<Hit> hits = e.size() > 7 ? hits_of(e[7], n) : std::vector<Hit>{};
  // In the order phase one ranked them (INKEYS may break ties otherwise).
  std::vector<const Hit*> page;
  for (std::size_t i = 8; i < e.size(); ++i)
    for (const auto& h : hits)
      if (h.id == e[i].str) page.push_back(&h);
  if (!request.facets.empty()) out.facets = facets_of(e[3], unmatched_tags, request);
  for (const Hit* h : page) out.results.push_back(result_of(*h, pre, post, snippet));
  if (request.explain) {
    std::vector<std::string> ids;
    for (const Hit* h : page) ids.push_back(h->id);
    explain_rules(out, pins, touched, counts, ids, request, t, rules);
  }
  return out;
}

}  // namespace siteseek::redisearch
